/* Rollups and retention. Every retention.every, a job on a thread of
 * libuv's pool, with a PostgreSQL connection of its own:
 *   1. rolls up what was stored since the last run: the batches not yet
 *      marked `rolled` name the agents and the time spans to redo, and the
 *      5-minute and hourly rollups of those spans are computed again from
 *      the raw samples (so late data lands in the right buckets);
 *   2. drops the daily sample partitions, monthly 5-minute and yearly
 *      hourly rollup partitions that are wholly older than their retention;
 *   3. deletes records of stored batches older than retention.batches.
 * A step that fails stops the run (nothing is dropped before the rollups
 * are done) and the next run tries again. Evidence tables are never
 * touched. */
#ifndef PANTAU_COLLECTOR_RETAIN_H
#define PANTAU_COLLECTOR_RETAIN_H

#include "config.h"
#include "log.h"
#include "metrics.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#define RETAIN_DAY_MS (86400LL * 1000)

/* The oldest time kept at now_ms by a retention of keep_ms: the start of
 * the UTC day at or before now_ms - keep_ms (data goes by whole days, as
 * partitions do). INT64_MIN for keep_ms 0 (forever). */
static inline int64_t retain_cutoff_ms(int64_t now_ms, uint64_t keep_ms)
{
	if (keep_ms == 0 || keep_ms > (uint64_t)INT64_MAX / 2)
		return INT64_MIN;
	int64_t t = now_ms - (int64_t)keep_ms;
	int64_t day = t >= 0 ? t / RETAIN_DAY_MS : -((-t + RETAIN_DAY_MS - 1) / RETAIN_DAY_MS);
	return day * RETAIN_DAY_MS;
}

/* The tables the job keeps, and how their partitions are named and cut. */
enum retain_table { RETAIN_SAMPLES, RETAIN_ROLLUPS_5M, RETAIN_ROLLUPS_1H, RETAIN_NTABLES };

/* The end (exclusive, Unix ms) of the range a partition of table t holds,
 * from its name: samples_YYYYMMDD (a day), rollups_5m_YYYYMM (a month),
 * rollups_1h_YYYY (a year). -EINVAL for any other name: it is not ours and
 * is left alone. */
int retain_partition_end(enum retain_table t, const char *name, int64_t *end_ms);

/* The name and bounds (Unix ms) of the partition of table t (a rollup
 * table) holding time ts_ms. 0, or -EINVAL outside years 2000..9999. */
int retain_partition_of(enum retain_table t, int64_t ts_ms, char *name, size_t size,
			int64_t *from_ms, int64_t *to_ms);

/* The buckets of width_ms that samples in [lo_ms, hi_ms] fall in, as the
 * half-open range [*from, *to). */
void retain_buckets(int64_t lo_ms, int64_t hi_ms, int64_t width_ms, int64_t *from, int64_t *to);

/* What one run did, handed from the worker to the loop. */
struct retain_run {
	int rc;
	uint64_t rows, dropped, deleted;
	double seconds;
};

struct retain {
	uv_loop_t *loop;
	const char *dsn; /* borrowed */
	struct retention cfg;
	struct metrics *metrics; /* borrowed; updated on the loop */
	uv_timer_t timer;
	uv_work_t work;
	struct retain_run run;
	bool busy, stopping;
	atomic_bool cancel; /* read by the worker between steps */
	struct log_complaint complaint;
	void (*closed)(struct retain *r);
};

/* Arms the job: its first run within a minute (or every_ms), then every
 * cfg->every_ms. dsn and metrics are borrowed. */
void retain_start(struct retain *r, uv_loop_t *loop, const char *dsn, const struct retention *cfg,
		  struct metrics *metrics);

/* Stops the timer and waits for a run in flight (it stops at its next
 * step); closed runs once nothing is left. */
void retain_stop(struct retain *r, void (*closed)(struct retain *r));

#endif
