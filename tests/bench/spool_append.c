/* Spool benchmark: appends a day of a typical site's polls to a spool and
 * prints bytes per sample on disk (segment headers and series definitions
 * included), how many days of 200 values/s fit in 1 GiB, and the append
 * rate. Asserts nothing about timing.
 *
 *   bench_spool [DIR] [SECONDS_OF_DATA] [FSYNC: never|always|1s]
 *
 * The site: 20 devices polled every 10 s, 100 series each (2,000 values per
 * interval = 200 values/s): a third SNMP counters (large integers that grow),
 * a third gauges with one decimal (temperatures, voltages), a third small
 * integers (states, percentages). One batch per device poll, as the agent
 * closes them. */
#include "batch.h"
#include "series.h"
#include "spool.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { DEVICES = 20, PER_DEVICE = 100, INTERVAL_MS = 10000 };

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct device devs[DEVICES];
static char dev_names[DEVICES][16];

static void make_series(struct series_table *t, uint32_t ids[DEVICES][PER_DEVICE])
{
	for (int d = 0; d < DEVICES; d++) {
		snprintf(dev_names[d], sizeof(dev_names[d]), "dev-%02d", d);
		devs[d] = (struct device){.name = dev_names[d], .kind = "ups"};
		for (int i = 0; i < PER_DEVICE; i++) {
			char metric[32], idx[16], oid[64];
			snprintf(metric, sizeof(metric), "bench.metric%d", i % 10);
			snprintf(idx, sizeof(idx), "%d", i);
			snprintf(oid, sizeof(oid), "1.3.6.1.2.1.2.2.1.10.%d", i);
			struct label l[2] = {{"index", idx}, {"oid", oid}};
			struct sample_in s = {
				.metric = metric, .unit = "V", .labels = l, .nlabels = 2};
			if (series_lookup(t, &devs[d], &s, &ids[d][i]) < 0)
				exit(1);
		}
	}
}

static double value(int i, long poll)
{
	switch (i % 3) {
	case 0: /* counter */
		return 4000000000.0 + (double)poll * (1000 + i * 37);
	case 1: /* gauge, one decimal */
		return round((230.0 + 3 * sin((double)(poll + i) / 7)) * 10) / 10;
	default: /* state or percentage */
		return (double)((poll / 60 + i) % 4);
	}
}

int main(int argc, char **argv)
{
	char tmpl[] = "/tmp/pantau-bench-spool.XXXXXX";
	const char *dir = argc > 1 ? argv[1] : mkdtemp(tmpl);
	long seconds = argc > 2 ? strtol(argv[2], NULL, 10) : 86400;
	const char *fs = argc > 3 ? argv[3] : "never";
	if (!dir || seconds <= 0)
		return 2;
	log_setup("bench_spool", LL_WARN);
	uv_loop_t loop;
	uv_loop_init(&loop);
	struct series_table *t = series_table_new();
	static uint32_t ids[DEVICES][PER_DEVICE];
	make_series(t, ids);
	struct spool_options o = {
		.dir = dir, .max_size = (uint64_t)1 << 30, .fsync_ms = 1000, .mem_max = 64 << 20};
	o.fsync = strcmp(fs, "always") == 0  ? SPOOL_FSYNC_ALWAYS
		  : strcmp(fs, "never") == 0 ? SPOOL_FSYNC_NEVER
					     : SPOOL_FSYNC_INTERVAL;
	struct spool sp;
	struct perr err = {{0}};
	if (spool_open(&sp, &loop, &o, t, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	uint64_t bytes0 = sp.total_bytes, samples = 0, batches = 0;
	int64_t t0 = 1700000000000;
	double start = now_s();
	for (long poll = 0; poll < seconds * 1000 / INTERVAL_MS; poll++) {
		for (int d = 0; d < DEVICES; d++) {
			struct batch_rec *r = calloc(1, sizeof(*r));
			if (!r || batch_rec_reserve(r, PER_DEVICE) < 0)
				return 1;
			int64_t ts = t0 + poll * INTERVAL_MS + d * 13;
			for (int i = 0; i < PER_DEVICE; i++) {
				r->ids[i] = ids[d][i];
				r->ts_ms[i] = ts;
				r->values[i] = value(i, poll);
			}
			r->n = PER_DEVICE;
			spool_append(&sp, r);
			samples += PER_DEVICE;
			batches++;
			uv_run(&loop, UV_RUN_NOWAIT); /* let fsync completions land */
		}
	}
	double secs = now_s() - start;
	uint64_t bytes = sp.total_bytes - bytes0;
	uint64_t evicted = 0;
	for (int i = 0; i < SPOOL_NLOSS; i++)
		evicted += sp.stats.samples_evicted[i];
	double per_sample = (double)sp.stats.bytes_written / (double)samples;
	double days = (double)(1u << 30) / (per_sample * 200 * 86400);
	printf("spool_samples=%llu spool_batches=%llu spool_bytes=%llu evicted=%llu fsync=%s\n",
	       (unsigned long long)samples, (unsigned long long)batches, (unsigned long long)bytes,
	       (unsigned long long)evicted, fs);
	printf("spool_bytes_per_sample=%.2f days_per_GiB_at_200_values_per_s=%.1f\n", per_sample,
	       days);
	printf("spool_append_samples_per_s=%.0f spool_append_batches_per_s=%.0f "
	       "spool_append_MB_per_s=%.1f\n",
	       (double)samples / secs, (double)batches / secs,
	       (double)sp.stats.bytes_written / secs / 1e6);
	spool_close(&sp);
	uv_run(&loop, UV_RUN_DEFAULT);
	series_table_free(t);
	uv_loop_close(&loop);
	printf("spool_dir=%s\n", dir);
	return 0;
}
