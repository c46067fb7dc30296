/* The ingest benchmark's baseline: binary COPY of N rows straight into a
 * table shaped like pantau.samples (partitioned by day, index on
 * (series_id, ts)), in one transaction, with libpq. Connects with the PG*
 * environment variables.
 *
 *   bench_raw_copy ROWS SERIES
 *
 * Row g is series (g % SERIES) + 1 at base + (g / SERIES) s, value g + 0.25:
 * the same rows fake_agent sends. Prints raw_copy_rows_per_s=... */
#include "pgcopy.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void check(PGconn *pg, PGresult *res, const char *what)
{
	ExecStatusType st = PQresultStatus(res);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_COPY_IN) {
		fprintf(stderr, "bench_raw_copy: %s: %s", what, PQerrorMessage(pg));
		exit(1);
	}
	PQclear(res);
}

static void exec(PGconn *pg, const char *sql)
{
	check(pg, PQexec(pg, sql), sql);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Daily partitions covering the benchmark's days (from today - 2 to + 2). */
static void make_table(PGconn *pg)
{
	exec(pg, "DROP SCHEMA IF EXISTS bench CASCADE");
	exec(pg, "CREATE SCHEMA bench");
	exec(pg, "CREATE TABLE bench.samples (series_id bigint NOT NULL, ts timestamptz NOT NULL, "
		 "value double precision NOT NULL) PARTITION BY RANGE (ts)");
	exec(pg, "CREATE INDEX ON bench.samples (series_id, ts)");
	exec(pg, "DO $$ DECLARE d date; BEGIN FOR i IN -2..2 LOOP d := current_date + i; "
		 "EXECUTE format('CREATE TABLE bench.samples_%s PARTITION OF bench.samples FOR "
		 "VALUES FROM (%L) TO (%L)', to_char(d, 'YYYYMMDD'), d, d + 1); END LOOP; END $$");
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: bench_raw_copy ROWS SERIES\n");
		return 2;
	}
	long long rows = strtoll(argv[1], NULL, 10), series = strtoll(argv[2], NULL, 10);
	if (rows <= 0 || series <= 0)
		return 2;
	PGconn *pg = PQconnectdb("");
	if (PQstatus(pg) != CONNECTION_OK) {
		fprintf(stderr, "bench_raw_copy: %s", PQerrorMessage(pg));
		return 1;
	}
	exec(pg, "SET client_min_messages = warning");
	make_table(pg);
	struct timespec wall;
	clock_gettime(CLOCK_REALTIME, &wall);
	int64_t base_ms = ((int64_t)wall.tv_sec - 3600) * 1000;
	struct buf b;
	buf_init(&b, (size_t)1 << 30);
	double t0 = now_s();
	exec(pg, "BEGIN");
	check(pg, PQexec(pg, "COPY bench.samples (series_id, ts, value) FROM STDIN (FORMAT binary)"),
	      "COPY");
	pgcopy_begin(&b);
	for (long long g = 0; g < rows; g++) {
		int64_t ms = base_ms + (g / series) * 1000;
		pgcopy_row(&b, g % series + 1, pgcopy_ts_from_unix_ms(ms), (double)g + 0.25);
		if (b.len >= (1 << 20) || g == rows - 1) {
			if (g == rows - 1)
				pgcopy_end(&b);
			if (PQputCopyData(pg, (const char *)b.data, (int)b.len) != 1) {
				fprintf(stderr, "bench_raw_copy: %s", PQerrorMessage(pg));
				return 1;
			}
			buf_reset(&b);
		}
	}
	PQputCopyEnd(pg, NULL);
	check(pg, PQgetResult(pg), "COPY end");
	exec(pg, "COMMIT");
	double secs = now_s() - t0;
	PGresult *res = PQexec(pg, "SELECT count(*) FROM bench.samples");
	printf("raw_copy_rows=%s raw_copy_seconds=%.3f raw_copy_rows_per_s=%.0f\n",
	       PQgetvalue(res, 0, 0), secs, (double)rows / secs);
	PQclear(res);
	exec(pg, "DROP SCHEMA bench CASCADE");
	buf_free(&b);
	PQfinish(pg);
	return 0;
}
