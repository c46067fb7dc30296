#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static const char *log_prog = "pantau";
static enum log_level log_max = LL_INFO;
static const char *const level_names[] = {"ERROR", "WARN", "INFO", "DEBUG"};

void log_setup(const char *prog, enum log_level max_level)
{
	log_prog = prog;
	log_max = max_level;
}

int log_level_parse(const char *s, enum log_level *out)
{
	static const char *const names[] = {"error", "warn", "info", "debug"};
	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(s, names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	}
	return -EINVAL;
}

bool log_enabled(enum log_level level)
{
	return level <= log_max;
}

uint64_t log_mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int64_t log_wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void log_format_time(int64_t unix_ms, char *out, unsigned size)
{
	time_t secs = (time_t)(unix_ms / 1000);
	int ms = (int)(unix_ms % 1000);
	if (ms < 0) {
		ms += 1000;
		secs -= 1;
	}
	struct tm tm;
	gmtime_r(&secs, &tm);
	snprintf(out, size, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
}

__attribute__((format(printf, 3, 0))) static void log_vmsg(enum log_level level, const char *module,
							   const char *fmt, va_list ap)
{
	char when[32];
	char text[1024];
	log_format_time(log_wall_ms(), when, sizeof(when));
	vsnprintf(text, sizeof(text), fmt, ap);
	/* One fprintf per line so lines from threads do not interleave. */
	fprintf(stderr, "%s %s %s %s: %s\n", when, log_prog, level_names[level], module, text);
}

void log_msg(enum log_level level, const char *module, const char *fmt, ...)
{
	if (!log_enabled(level))
		return;
	va_list ap;
	va_start(ap, fmt);
	log_vmsg(level, module, fmt, ap);
	va_end(ap);
}

enum { COMPLAIN_FIRST_MS = 60 * 1000, COMPLAIN_MAX_MS = 24 * 3600 * 1000 };

void log_complain(struct log_complaint *c, enum log_level level, const char *module,
		  const char *fmt, ...)
{
	uint64_t now = log_mono_ms();
	if (c->active && now < c->next_ms) {
		c->muted++;
		return;
	}
	if (!c->active) {
		c->active = true;
		c->interval_ms = COMPLAIN_FIRST_MS;
	} else if (c->interval_ms < COMPLAIN_MAX_MS / 2) {
		c->interval_ms *= 2;
	} else {
		c->interval_ms = COMPLAIN_MAX_MS;
	}
	c->next_ms = now + c->interval_ms;
	if (!log_enabled(level)) {
		c->muted = 0;
		return;
	}
	char text[900];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (c->muted > 0)
		log_msg(level, module, "%s (repeated %u times since last report)", text, c->muted);
	else
		log_msg(level, module, "%s", text);
	c->muted = 0;
}

void log_release(struct log_complaint *c, const char *module, const char *fmt, ...)
{
	if (!c->active)
		return;
	c->active = false;
	c->muted = 0;
	c->interval_ms = 0;
	c->next_ms = 0;
	va_list ap;
	va_start(ap, fmt);
	if (log_enabled(LL_INFO))
		log_vmsg(LL_INFO, module, fmt, ap);
	va_end(ap);
}
