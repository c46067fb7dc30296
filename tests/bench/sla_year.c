/* Benchmark: a yearly SLA report for many devices from their state
 * intervals (collector/sla.c), as `pantauctl report sla --period 2024`
 * computes it after reading the rows.
 *
 *   bench_sla [DEVICES] [INTERVALS_PER_DEVICE]   (default 1000, 2920: a
 *   state change every 3 hours all year)
 *
 * Prints the time for the arithmetic alone (reading PostgreSQL is not
 * included) and a checksum so the work cannot be optimised away. */
#include "sla.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	size_t devices = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000;
	size_t per = argc > 2 ? strtoul(argv[2], NULL, 10) : 2920;
	int64_t from, to;
	if (devices == 0 || per < 2 ||
	    sla_period(SLA_YEAR, 2024, 0, SLA_TZ_JAKARTA, &from, &to) < 0)
		return 2;
	struct sla_interval *iv = calloc(devices * per, sizeof(*iv));
	if (!iv)
		return 1;
	/* Alternating up and down stretches (down 1-30 min), unsorted per device
	 * (built back to front), a few planned and unknown. */
	srand(42);
	int64_t step = (to - from) / (int64_t)per;
	for (size_t d = 0; d < devices; d++) {
		for (size_t i = 0; i < per; i++) {
			struct sla_interval *x = &iv[d * per + (per - 1 - i)];
			int64_t start = from + (int64_t)i * step;
			x->start = start;
			x->end = i + 1 == per ? to : start + step;
			x->state = i % 2 ? SLA_DOWN : SLA_UP;
			if (x->state == SLA_DOWN)
				x->end = start + 60 + rand() % 1800;
			x->planned = i % 40 == 1;
			if (i % 97 == 0)
				x->state = SLA_UNKNOWN;
			x->cause = x->state == SLA_DOWN ? "timeout" : NULL;
		}
	}
	double t0 = now_s();
	int64_t up = 0;
	size_t outages = 0;
	for (size_t d = 0; d < devices; d++) {
		struct sla_result r;
		if (sla_compute(from, to, &iv[d * per], per, NULL, 0, 0, &r) < 0)
			return 1;
		up += r.up;
		outages += r.noutages;
		sla_result_free(&r);
	}
	double secs = now_s() - t0;
	printf("bench_sla: %zu devices x %zu intervals, year 2024 (WIB): %.3f s "
	       "(%.1f us per device); checksum up=%" PRId64 " outages=%zu\n",
	       devices, per, secs, secs * 1e6 / (double)devices, up, outages);
	free(iv);
	return 0;
}
