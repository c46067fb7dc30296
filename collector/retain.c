/* Rollups and retention (see retain.h). The SQL is parameterized; the
 * only names formatted into statements are partition names this file
 * builds from integers or has parsed back to integers. */
#include "retain.h"

#include <errno.h>
#include <inttypes.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum {
	FIRST_RUN_MS = 60000, /* after a restart, within a minute (or every_ms) */
	DELETE_CHUNK = 20000, /* batch records deleted per statement */
};

#define BUCKET_5M_MS (300LL * 1000)
#define BUCKET_1H_MS (3600LL * 1000)

static const char *const parents[RETAIN_NTABLES] = {"samples", "rollups_5m", "rollups_1h"};

/* ---- names and ranges (pure) ---- */

static int64_t floor_div(int64_t a, int64_t b)
{
	return a >= 0 ? a / b : -((-a + b - 1) / b);
}

void retain_buckets(int64_t lo_ms, int64_t hi_ms, int64_t width_ms, int64_t *from, int64_t *to)
{
	*from = floor_div(lo_ms, width_ms) * width_ms;
	*to = (floor_div(hi_ms, width_ms) + 1) * width_ms;
}

static int64_t utc_ms(int year, int month, int day)
{
	struct tm tm = {.tm_year = year - 1900, .tm_mon = month - 1, .tm_mday = day};
	return (int64_t)timegm(&tm) * 1000;
}

static bool digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return s[n] == '\0';
}

static int number(const char *s, size_t n)
{
	int v = 0;
	for (size_t i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

int retain_partition_end(enum retain_table t, const char *name, int64_t *end_ms)
{
	static const size_t ndigits[RETAIN_NTABLES] = {8, 6, 4};
	if ((unsigned)t >= RETAIN_NTABLES)
		return -EINVAL;
	size_t plen = strlen(parents[t]);
	if (strncmp(name, parents[t], plen) != 0 || name[plen] != '_')
		return -EINVAL;
	const char *d = name + plen + 1;
	if (!digits(d, ndigits[t]))
		return -EINVAL;
	int year = number(d, 4);
	int month = t == RETAIN_ROLLUPS_1H ? 1 : number(d + 4, 2);
	int day = t == RETAIN_SAMPLES ? number(d + 6, 2) : 1;
	if (year < 2000 || month < 1 || month > 12 || day < 1 || day > 31)
		return -EINVAL;
	if (t == RETAIN_SAMPLES)
		*end_ms = utc_ms(year, month, day) + RETAIN_DAY_MS; /* timegm normalises the 32nd */
	else if (t == RETAIN_ROLLUPS_5M)
		*end_ms = utc_ms(year, month + 1, 1);
	else
		*end_ms = utc_ms(year + 1, 1, 1);
	return 0;
}

int retain_partition_of(enum retain_table t, int64_t ts_ms, char *name, size_t size,
			int64_t *from_ms, int64_t *to_ms)
{
	time_t secs = (time_t)floor_div(ts_ms, 1000);
	struct tm tm;
	if (t == RETAIN_SAMPLES || (unsigned)t >= RETAIN_NTABLES || !gmtime_r(&secs, &tm))
		return -EINVAL;
	int year = tm.tm_year + 1900;
	if (year < 2000 || year > 9999)
		return -EINVAL;
	if (t == RETAIN_ROLLUPS_5M) {
		snprintf(name, size, "rollups_5m_%04d%02d", year, tm.tm_mon + 1);
		*from_ms = utc_ms(year, tm.tm_mon + 1, 1);
		*to_ms = utc_ms(year, tm.tm_mon + 2, 1);
	} else {
		snprintf(name, size, "rollups_1h_%04d", year);
		*from_ms = utc_ms(year, 1, 1);
		*to_ms = utc_ms(year + 1, 1, 1);
	}
	return 0;
}

/* ---- the job (a worker thread) ---- */

static int fail(PGconn *pg, const char *what, PGresult *res)
{
	log_warn("retain", "%s: %s", what, res ? PQresultErrorMessage(res) : PQerrorMessage(pg));
	PQclear(res);
	return -EIO;
}

static int exec(PGconn *pg, const char *sql)
{
	PGresult *res = PQexec(pg, sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK)
		return fail(pg, sql, res);
	PQclear(res);
	return 0;
}

static void ms_text(int64_t ms, char *out, size_t size)
{
	snprintf(out, size, "%" PRId64, ms);
}

/* Unix ms as a timestamptz in SQL text: to_timestamp($n::bigint / 1000.0). */
#define TS(n) "to_timestamp($" #n "::bigint / 1000.0)"
#define AGENT_SERIES                                                                               \
	"SELECT s.id FROM pantau.series s JOIN pantau.devices d ON d.id = s.device_id WHERE "      \
	"d.agent_id = $1"

static const char claim_sql[] =
	"WITH b AS (UPDATE pantau.batches SET rolled = true WHERE NOT rolled "
	"RETURNING agent_id, ts_min, ts_max) "
	"SELECT agent_id, (extract(epoch FROM min(ts_min)) * 1000)::bigint, "
	"(extract(epoch FROM max(ts_max)) * 1000)::bigint FROM b WHERE ts_min IS NOT NULL "
	"GROUP BY agent_id";

static const char rollup_5m_sql[] =
	"INSERT INTO pantau.rollups_5m (series_id, bucket, n, min, max, sum) "
	"SELECT x.series_id, to_timestamp(floor(extract(epoch FROM x.ts) / 300) * 300), count(*), "
	"min(x.value), max(x.value), sum(x.value) FROM pantau.samples x "
	"WHERE x.ts >= " TS(2) " AND x.ts < " TS(3) " AND x.value <> 'NaN' "
	"AND x.series_id IN (" AGENT_SERIES ") GROUP BY 1, 2 "
	"ON CONFLICT (series_id, bucket) DO UPDATE SET n = EXCLUDED.n, min = EXCLUDED.min, "
	"max = EXCLUDED.max, sum = EXCLUDED.sum";

static const char rollup_1h_sql[] =
	"INSERT INTO pantau.rollups_1h (series_id, bucket, n, min, max, sum) "
	"SELECT r.series_id, to_timestamp(floor(extract(epoch FROM r.bucket) / 3600) * 3600), "
	"sum(r.n)::integer, min(r.min), max(r.max), sum(r.sum) FROM pantau.rollups_5m r "
	"WHERE r.bucket >= " TS(2) " AND r.bucket < " TS(3) " AND r.series_id IN (" AGENT_SERIES
	") GROUP BY 1, 2 ON CONFLICT (series_id, bucket) DO UPDATE SET n = EXCLUDED.n, "
	"min = EXCLUDED.min, max = EXCLUDED.max, sum = EXCLUDED.sum";

/* Creates the partitions of rollup table t that [from, to) touches. */
static int ensure_partitions(PGconn *pg, enum retain_table t, int64_t from, int64_t to)
{
	for (int64_t at = from; at < to;) {
		char name[64], sql[320];
		int64_t lo, hi;
		if (retain_partition_of(t, at, name, sizeof(name), &lo, &hi) < 0)
			return -EINVAL;
		time_t a = (time_t)(lo / 1000), b = (time_t)(hi / 1000);
		struct tm ta, tb;
		gmtime_r(&a, &ta);
		gmtime_r(&b, &tb);
		snprintf(sql, sizeof(sql),
			 "CREATE TABLE IF NOT EXISTS pantau.%s PARTITION OF pantau.%s FOR VALUES "
			 "FROM ('%04d-%02d-01 00:00:00+00') TO ('%04d-%02d-01 00:00:00+00')",
			 name, parents[t], ta.tm_year + 1900, ta.tm_mon + 1, tb.tm_year + 1900,
			 tb.tm_mon + 1);
		int rc = exec(pg, sql);
		if (rc < 0)
			return rc;
		at = hi;
	}
	return 0;
}

static int64_t max64(int64_t a, int64_t b)
{
	return a > b ? a : b;
}

/* Recomputes one rollup table for agent over [from, to). */
static int recompute(PGconn *pg, const char *sql, const char *agent, int64_t from, int64_t to,
		     uint64_t *rows)
{
	char a[24], b[24];
	ms_text(from, a, sizeof(a));
	ms_text(to, b, sizeof(b));
	const char *params[] = {agent, a, b};
	PGresult *res = PQexecParams(pg, sql, 3, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		return fail(pg, "writing rollups", res);
	*rows += strtoull(PQcmdTuples(res), NULL, 10);
	PQclear(res);
	return 0;
}

/* Step 1, in one transaction: claim the batches stored since the last run
 * and redo the rollups of their spans, agent by agent. Buckets older than
 * what their source still holds are left as they are. */
static int roll_up(struct retain *r, PGconn *pg, int64_t now_ms)
{
	int rc = exec(pg, "BEGIN");
	PGresult *spans = rc == 0 ? PQexec(pg, claim_sql) : NULL;
	if (rc == 0 && PQresultStatus(spans) != PGRES_TUPLES_OK) {
		rc = fail(pg, "claiming stored batches", spans);
		spans = NULL;
	}
	int64_t raw_from = retain_cutoff_ms(now_ms, r->cfg.samples_ms);
	int64_t five_from = retain_cutoff_ms(now_ms, r->cfg.rollups_5m_ms);
	for (int i = 0; rc == 0 && spans && i < PQntuples(spans); i++) {
		const char *agent = PQgetvalue(spans, i, 0);
		int64_t lo = strtoll(PQgetvalue(spans, i, 1), NULL, 10);
		int64_t hi = strtoll(PQgetvalue(spans, i, 2), NULL, 10);
		int64_t f5, t5, f1, t1;
		retain_buckets(max64(lo, raw_from), hi, BUCKET_5M_MS, &f5, &t5);
		retain_buckets(max64(lo, five_from), hi, BUCKET_1H_MS, &f1, &t1);
		if (t5 > f5 && (rc = ensure_partitions(pg, RETAIN_ROLLUPS_5M, f5, t5)) == 0)
			rc = recompute(pg, rollup_5m_sql, agent, f5, t5, &r->run.rows);
		if (rc == 0 && t1 > f1 && (rc = ensure_partitions(pg, RETAIN_ROLLUPS_1H, f1, t1)) == 0)
			rc = recompute(pg, rollup_1h_sql, agent, f1, t1, &r->run.rows);
	}
	PQclear(spans);
	if (rc == 0)
		return exec(pg, "COMMIT");
	PQclear(PQexec(pg, "ROLLBACK"));
	return rc;
}

/* Step 2: drops the partitions of t wholly older than keep_ms. */
static int drop_old(struct retain *r, PGconn *pg, enum retain_table t, uint64_t keep_ms,
		    int64_t now_ms)
{
	if (keep_ms == 0)
		return 0;
	int64_t cutoff = retain_cutoff_ms(now_ms, keep_ms);
	char parent[48];
	snprintf(parent, sizeof(parent), "pantau.%s", parents[t]);
	const char *params[] = {parent};
	PGresult *res = PQexecParams(pg,
				     "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = "
				     "i.inhrelid WHERE i.inhparent = $1::regclass ORDER BY 1",
				     1, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		return fail(pg, "listing partitions", res);
	int rc = 0;
	for (int i = 0; rc == 0 && i < PQntuples(res) && !atomic_load(&r->cancel); i++) {
		const char *name = PQgetvalue(res, i, 0);
		int64_t end;
		if (retain_partition_end(t, name, &end) < 0 || end > cutoff)
			continue;
		char sql[128];
		snprintf(sql, sizeof(sql), "DROP TABLE pantau.%s", name);
		if ((rc = exec(pg, sql)) == 0) {
			r->run.dropped++;
			log_info("retain", "dropped pantau.%s: older than the %s retention (%" PRIu64
					   " days)",
				 name, parents[t], keep_ms / (uint64_t)RETAIN_DAY_MS);
		}
	}
	PQclear(res);
	return rc;
}

/* Step 3: records of stored batches past retention.batches, rolled up. */
static int delete_batches(struct retain *r, PGconn *pg, int64_t now_ms)
{
	if (r->cfg.batches_ms == 0)
		return 0;
	char cutoff[24], chunk[16];
	ms_text(now_ms - (int64_t)r->cfg.batches_ms, cutoff, sizeof(cutoff));
	snprintf(chunk, sizeof(chunk), "%d", DELETE_CHUNK);
	const char *params[] = {cutoff, chunk};
	for (;;) {
		PGresult *res = PQexecParams(
			pg,
			"DELETE FROM pantau.batches WHERE ctid = ANY (ARRAY(SELECT ctid FROM "
			"pantau.batches WHERE received_at < " TS(1) " AND rolled LIMIT $2::integer))",
			2, NULL, params, NULL, NULL, 0);
		if (PQresultStatus(res) != PGRES_COMMAND_OK)
			return fail(pg, "deleting old batch records", res);
		uint64_t n = strtoull(PQcmdTuples(res), NULL, 10);
		PQclear(res);
		r->run.deleted += n;
		if (n < DELETE_CHUNK || atomic_load(&r->cancel))
			return 0;
	}
}

static PGconn *connect_db(const char *dsn)
{
	static const char *const keys[] = {"dbname", "connect_timeout", "application_name", NULL};
	const char *values[] = {dsn, "5", "pantau-collector-retain", NULL};
	return PQconnectdbParams(keys, values, 1);
}

static void work_steps(struct retain *r)
{
	PGconn *pg = connect_db(r->dsn);
	if (!pg || PQstatus(pg) != CONNECTION_OK) {
		log_warn("retain", "connecting to PostgreSQL: %s",
			 pg ? PQerrorMessage(pg) : "out of memory");
		PQfinish(pg);
		r->run.rc = -ECONNREFUSED;
		return;
	}
	int64_t now = log_wall_ms();
	/* UTC buckets whatever the server's time zone; a drop waits for the
	 * writer's COPY a little, never for long. */
	int rc = exec(pg, "SET TIME ZONE 'UTC'");
	if (rc == 0)
		rc = exec(pg, "SET lock_timeout = '5s'");
	if (rc == 0)
		rc = roll_up(r, pg, now);
	if (rc == 0)
		rc = drop_old(r, pg, RETAIN_SAMPLES, r->cfg.samples_ms, now);
	if (rc == 0)
		rc = drop_old(r, pg, RETAIN_ROLLUPS_5M, r->cfg.rollups_5m_ms, now);
	if (rc == 0)
		rc = drop_old(r, pg, RETAIN_ROLLUPS_1H, r->cfg.rollups_1h_ms, now);
	if (rc == 0 && !atomic_load(&r->cancel))
		rc = delete_batches(r, pg, now);
	PQfinish(pg);
	r->run.rc = rc;
}

static void work(uv_work_t *req)
{
	struct retain *r = req->data;
	r->run = (struct retain_run){0};
	uint64_t t0 = log_mono_ms();
	work_steps(r);
	r->run.seconds = (double)(log_mono_ms() - t0) / 1000.0;
}

/* ---- the loop side ---- */

static void on_timer_closed(uv_handle_t *h)
{
	struct retain *r = h->data;
	if (r->closed)
		r->closed(r);
}

static void after_work(uv_work_t *req, int status)
{
	struct retain *r = req->data;
	r->busy = false;
	struct metrics *m = r->metrics;
	m->retain_runs++;
	m->rollup_rows += r->run.rows;
	m->partitions_dropped += r->run.dropped;
	m->batch_records_deleted += r->run.deleted;
	m->retain_seconds += r->run.seconds;
	if (status < 0 || r->run.rc < 0) {
		m->retain_failures++;
		log_complain(&r->complaint, LL_WARN, "retain",
			     "rollups and retention did not finish; next try in %" PRIu64 " s",
			     r->cfg.every_ms / 1000);
	} else {
		log_release(&r->complaint, "retain", "rollups and retention work again");
	}
	if (r->stopping)
		uv_close((uv_handle_t *)&r->timer, on_timer_closed);
}

static void on_timer(uv_timer_t *t)
{
	struct retain *r = t->data;
	if (r->busy || r->stopping)
		return; /* a long run: the next tick comes after it */
	r->work.data = r;
	if (uv_queue_work(r->loop, &r->work, work, after_work) == 0)
		r->busy = true;
}

void retain_start(struct retain *r, uv_loop_t *loop, const char *dsn, const struct retention *cfg,
		  struct metrics *metrics)
{
	memset(r, 0, sizeof(*r));
	r->loop = loop;
	r->dsn = dsn;
	r->cfg = *cfg;
	r->metrics = metrics;
	atomic_init(&r->cancel, false);
	uv_timer_init(loop, &r->timer);
	r->timer.data = r;
	uint64_t first = cfg->every_ms < FIRST_RUN_MS ? cfg->every_ms : FIRST_RUN_MS;
	uv_timer_start(&r->timer, on_timer, first, cfg->every_ms);
}

void retain_stop(struct retain *r, void (*closed)(struct retain *r))
{
	if (r->stopping)
		return;
	r->stopping = true;
	r->closed = closed;
	atomic_store(&r->cancel, true);
	uv_timer_stop(&r->timer);
	if (!r->busy)
		uv_close((uv_handle_t *)&r->timer, on_timer_closed);
}
