/* Alert engine benchmark: the default rule pack on SERIES series (default
 * 10,000: 1,000 devices of ten metrics each, the names the profiles emit),
 * ROUNDS samples per series with values that cross thresholds now and then.
 * Prints rule evaluations per second and engine time per sample; asserts
 * nothing about timing.
 *
 *   bench_alerts RULES_FILE [SERIES] [ROUNDS] */
#include "alert_eval.h"
#include "alert_rule.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct shape {
	const char *metric, *kind, *labels;
	double base, swing;
};

/* One device in ten of each kind; values around their thresholds. */
static const struct shape shapes[] = {
	{"env.temperature", "ems", "{\"sensor_name\":\"inlet\"}", 25, 4},
	{"env.humidity", "ems", "{\"sensor_name\":\"inlet\"}", 50, 15},
	{"ups.output.source", "ups", "{}", 3, 0},
	{"ups.battery.charge", "ups", "{}", 60, 40},
	{"ups.input.voltage", "ups", "{\"line\":\"1\"}", 225, 30},
	{"ups.input.frequency", "ups", "{\"line\":\"1\"}", 50, 1.2},
	{"if.oper_status", "switch", "{\"ifname\":\"ge-0/0/1\"}", 1, 0},
	{"if.in.errors", "switch", "{\"ifname\":\"ge-0/0/1\"}", 0, 0},
	{"genset.fuel.level", "genset", "{}", 50, 40},
	{"cooling.general_error", "cooling", "{}", 0, 0},
};
enum { NSHAPES = sizeof(shapes) / sizeof(shapes[0]) };

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double value_of(const struct shape *sh, size_t s, long round)
{
	if (strcmp(sh->metric, "if.in.errors") == 0)
		return (double)(round * (long)(s % 7)); /* a counter */
	if (strcmp(sh->metric, "ups.output.source") == 0)
		return (round + (long)s) % 50 == 0 ? 5 : 3; /* now and then on battery */
	if (sh->swing == 0)
		return sh->base;
	double phase = (double)((round * 7 + (long)s * 13) % 100) / 100.0;
	return sh->base + sh->swing * (2 * phase - 1);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: bench_alerts RULES_FILE [SERIES] [ROUNDS]\n");
		return 2;
	}
	size_t nseries = argc > 2 ? strtoul(argv[2], NULL, 10) : 10000;
	long rounds = argc > 3 ? strtol(argv[3], NULL, 10) : 100;
	struct alert_rules rs;
	struct perr err;
	if (alert_rules_load(argv[1], &rs, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	struct alert_engine *e;
	if (alert_engine_new(&rs, 0, &e) < 0)
		return 1;
	struct alert_series **ser = calloc(nseries, sizeof(*ser));
	char dev[32];
	size_t matched = 0;
	for (size_t s = 0; s < nseries; s++) {
		const struct shape *sh = &shapes[s % NSHAPES];
		snprintf(dev, sizeof(dev), "%s-%04zu", sh->kind, s / NSHAPES);
		struct alert_series_in in = {"bench", dev, sh->kind, sh->metric, "", sh->labels};
		ser[s] = alert_engine_series(e, &in);
		if (!ser[s])
			return 1;
		matched += alert_series_nrules(ser[s]) > 0;
	}
	size_t changes = 0;
	double t0 = now_s();
	for (long r = 1; r <= rounds; r++) {
		int64_t ts = r * 10000;
		alert_engine_agent_seen(e, "bench", ts, ts);
		for (size_t s = 0; s < nseries; s++)
			alert_engine_sample(e, ser[s], ts, value_of(&shapes[s % NSHAPES], s, r),
					    ts);
		alert_engine_tick(e, ts);
		struct alert_change *c;
		size_t n = alert_engine_take(e, &c);
		changes += n;
		alert_changes_free(c, n);
	}
	double secs = now_s() - t0;
	uint64_t evals = alert_engine_evaluations(e);
	double samples = (double)nseries * (double)rounds;
	printf("rules=%zu series=%zu series_with_rules=%zu rounds=%ld samples=%.0f "
	       "evaluations=%llu changes=%zu\n",
	       rs.nrules, nseries, matched, rounds, samples, (unsigned long long)evals, changes);
	printf("seconds=%.3f rule_evaluations_per_s=%.0f samples_per_s=%.0f "
	       "engine_ns_per_sample=%.0f\n",
	       secs, (double)evals / secs, samples / secs, secs * 1e9 / samples);
	free(ser);
	alert_engine_free(e);
	alert_rules_free(&rs);
	return 0;
}
