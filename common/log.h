/* Logging with levels, module names and a complain/release pattern so a
 * failing device is reported once, then with backoff, and once more when it
 * recovers. Lines go to stderr: "2026-11-23T03:30:00.123Z WARN snmp: ...". */
#ifndef PANTAU_LOG_H
#define PANTAU_LOG_H

#include <stdbool.h>
#include <stdint.h>

enum log_level { LL_ERROR = 0, LL_WARN, LL_INFO, LL_DEBUG };

/* Sets the program name and the most verbose level printed. */
void log_setup(const char *prog, enum log_level max_level);

/* Parses "error", "warn", "info" or "debug"; returns 0 or -EINVAL. */
int log_level_parse(const char *s, enum log_level *out);

bool log_enabled(enum log_level level);

void log_msg(enum log_level level, const char *module, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define log_error(mod, ...) log_msg(LL_ERROR, mod, __VA_ARGS__)
#define log_warn(mod, ...)  log_msg(LL_WARN, mod, __VA_ARGS__)
#define log_info(mod, ...)  log_msg(LL_INFO, mod, __VA_ARGS__)
#define log_debug(mod, ...)                                                                        \
	do {                                                                                       \
		if (log_enabled(LL_DEBUG))                                                         \
			log_msg(LL_DEBUG, mod, __VA_ARGS__);                                       \
	} while (0)

/* State of one recurring problem (one per device, per connection, ...).
 * Zero-initialise it. */
struct log_complaint {
	uint64_t next_ms;     /* monotonic time before which repeats are muted */
	uint32_t interval_ms; /* current backoff, doubles up to one day */
	uint32_t muted;	      /* repeats not printed since the last line */
	bool active;
};

/* Logs the problem the first time, then again only after a backoff that
 * doubles from 1 minute to 1 day, saying how many repeats were muted. */
void log_complain(struct log_complaint *c, enum log_level level, const char *module,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* If the problem was active, logs the recovery at INFO and resets. */
void log_release(struct log_complaint *c, const char *module, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Monotonic milliseconds and wall-clock unix milliseconds. */
uint64_t log_mono_ms(void);
int64_t log_wall_ms(void);

/* Formats unix milliseconds as "YYYY-MM-DDTHH:MM:SS.mmmZ" into out (>= 25 bytes). */
void log_format_time(int64_t unix_ms, char *out, unsigned size);

#endif
