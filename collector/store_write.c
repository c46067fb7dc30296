#include "store_write.h"
#include "json.h"
#include "log.h"
#include "pgcopy.h"

#include <errno.h>
#include <inttypes.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DAY_US INT64_C(86400000000)

struct store_writer {
	char *dsn;
	PGconn *pg;
	struct series_cache agents;  /* agent id -> 1 */
	struct series_cache devices; /* agent \0 device -> device id */
	struct series_cache series;  /* series key -> series id, device id */
	struct series_cache days;    /* day number -> 1: partitions known to exist */
	struct buf copy;             /* binary COPY data of one group */
	struct buf text;             /* scratch for parameters */
	int64_t *touched;            /* device ids that got samples in this group */
	size_t ntouched, cap_touched;
	struct log_complaint complaint;
};

struct stmt {
	const char *name;
	const char *sql;
};

static const struct stmt stmts[] = {
	{"agent", "INSERT INTO pantau.agents (id, site, software) VALUES ($1, NULLIF($2, ''), "
		  "NULLIF($3, '')) ON CONFLICT (id) DO UPDATE SET site = EXCLUDED.site, "
		  "software = EXCLUDED.software, last_seen = now()"},
	{"device", "INSERT INTO pantau.devices (agent_id, name, kind, site) VALUES ($1, $2, "
		   "NULLIF($3, ''), NULLIF($4, '')) ON CONFLICT (agent_id, name) DO UPDATE SET "
		   "kind = COALESCE(EXCLUDED.kind, pantau.devices.kind), site = "
		   "COALESCE(EXCLUDED.site, pantau.devices.site), last_seen = now() RETURNING id"},
	{"series", "INSERT INTO pantau.series (device_id, metric, unit, kind, labels) VALUES ($1, "
		   "$2, $3, $4, $5::jsonb) ON CONFLICT (device_id, metric, labels) DO UPDATE SET "
		   "unit = EXCLUDED.unit, kind = EXCLUDED.kind RETURNING id"},
	{"batch", "INSERT INTO pantau.batches (agent_id, stream, seq, received_at, samples, ts_min, "
		  "ts_max) VALUES ($1, $2, $3, now(), $4, to_timestamp($5::bigint / 1000.0), "
		  "to_timestamp($6::bigint / 1000.0)) ON CONFLICT DO NOTHING RETURNING 1"},
	{"touch", "UPDATE pantau.devices SET last_seen = now() WHERE id = ANY ($1::bigint[])"},
	{"inv_item", "INSERT INTO pantau.inventory (device_id, kind, item_id, fields, updated_at) "
		     "VALUES ($1, $2, $3, $4::jsonb, $5) ON CONFLICT (device_id, kind, item_id) DO "
		     "UPDATE SET fields = EXCLUDED.fields, updated_at = EXCLUDED.updated_at WHERE "
		     "pantau.inventory.updated_at <= EXCLUDED.updated_at"},
	{"inv_prune", "DELETE FROM pantau.inventory WHERE device_id = $1 AND updated_at < $2"},
	{"state", "UPDATE pantau.devices SET state_since = CASE WHEN state IS DISTINCT FROM $2 "
		  "THEN $3::timestamptz ELSE state_since END, state = $2, reason = NULLIF($4, ''), "
		  "last_seen = now() WHERE id = $1 AND (state_since IS NULL OR state_since <= "
		  "$3::timestamptz)"},
	{"state_hist", "INSERT INTO pantau.device_states (device_id, ts, state, reason) VALUES "
		       "($1, $2, $3, NULLIF($4, '')) ON CONFLICT DO NOTHING"},
	/* Availability intervals for SLAs (migration 005): closes the open one. */
	{"avail", "SELECT pantau.availability_report('device', $1, $2, $3, $4, $5)"},
	{"loss", "INSERT INTO pantau.agent_losses (agent_id, stream, reason, samples, last_loss) "
		 "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (agent_id, stream, reason) DO UPDATE SET "
		 "samples = GREATEST(pantau.agent_losses.samples, EXCLUDED.samples), last_loss = "
		 "GREATEST(pantau.agent_losses.last_loss, EXCLUDED.last_loss), last_reported = now()"},
};

struct store_writer *store_write_new(const char *dsn)
{
	struct store_writer *w = calloc(1, sizeof(*w));
	if (!w || !(w->dsn = strdup(dsn))) {
		free(w);
		return NULL;
	}
	series_cache_init(&w->agents);
	series_cache_init(&w->devices);
	series_cache_init(&w->series);
	series_cache_init(&w->days);
	buf_init(&w->copy, (size_t)1 << 31);
	buf_init(&w->text, 64 << 20);
	return w;
}

void store_write_free(struct store_writer *w)
{
	if (!w)
		return;
	if (w->pg)
		PQfinish(w->pg);
	series_cache_free(&w->agents);
	series_cache_free(&w->devices);
	series_cache_free(&w->series);
	series_cache_free(&w->days);
	buf_free(&w->copy);
	buf_free(&w->text);
	free(w->touched);
	free(w->dsn);
	free(w);
}

bool store_write_connected(const struct store_writer *w)
{
	return w->pg && PQstatus(w->pg) == CONNECTION_OK;
}

/* Logs a database failure once, then with backoff; returns -EIO. */
static int fail(struct store_writer *w, const char *what, const PGresult *res)
{
	const char *msg = res ? PQresultErrorMessage(res) : "";
	if (!msg[0])
		msg = w->pg ? PQerrorMessage(w->pg) : "no connection";
	char text[600];
	snprintf(text, sizeof(text), "%s", msg);
	size_t len = strlen(text);
	while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == ' '))
		text[--len] = '\0';
	log_complain(&w->complaint, LL_ERROR, "store", "%s failed, will retry: %s", what, text);
	return -EIO;
}

static int prepare_all(struct store_writer *w)
{
	for (size_t i = 0; i < sizeof(stmts) / sizeof(stmts[0]); i++) {
		PGresult *res = PQprepare(w->pg, stmts[i].name, stmts[i].sql, 0, NULL);
		int ok = PQresultStatus(res) == PGRES_COMMAND_OK;
		int rc = ok ? 0 : fail(w, "preparing statements", res);
		PQclear(res);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int store_write_connect(struct store_writer *w)
{
	if (store_write_connected(w))
		return 0;
	if (w->pg)
		PQfinish(w->pg);
	/* The DSN is expanded first; the keywords after it override it. */
	static const char *const keys[] = {"dbname", "connect_timeout", "application_name", NULL};
	const char *values[] = {w->dsn, "5", "pantau-collector", NULL};
	w->pg = PQconnectdbParams(keys, values, 1);
	if (!w->pg || PQstatus(w->pg) != CONNECTION_OK) {
		fail(w, "connecting to PostgreSQL", NULL);
		return -ECONNREFUSED;
	}
	if (prepare_all(w) < 0) {
		PQfinish(w->pg);
		w->pg = NULL;
		return -ECONNREFUSED;
	}
	return 0;
}

/* Runs a prepared statement with text parameters. Returns the result, which
 * the caller clears, or NULL after logging if its status is not `want`. */
static PGresult *run(struct store_writer *w, const char *name, int n, const char *const *params,
		     ExecStatusType want)
{
	PGresult *res = PQexecPrepared(w->pg, name, n, params, NULL, NULL, 0);
	if (PQresultStatus(res) == want)
		return res;
	fail(w, name, res);
	PQclear(res);
	return NULL;
}

/* Runs a statement whose one row holds a bigint id. */
static int run_id(struct store_writer *w, const char *name, int n, const char *const *params,
		  int64_t *id)
{
	PGresult *res = run(w, name, n, params, PGRES_TUPLES_OK);
	if (!res)
		return -EIO;
	int rc = PQntuples(res) == 1 ? 0 : -EIO;
	if (rc == 0)
		*id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return rc;
}

static int exec_simple(struct store_writer *w, const char *sql)
{
	PGresult *res = PQexec(w->pg, sql);
	int rc = PQresultStatus(res) == PGRES_COMMAND_OK ? 0 : fail(w, sql, res);
	PQclear(res);
	return rc;
}

static int ensure_agent(struct store_writer *w, const struct store_item *it)
{
	int64_t one;
	size_t len = strlen(it->agent_id);
	if (series_cache_get(&w->agents, it->agent_id, len, &one, NULL))
		return 0;
	const char *params[] = {it->agent_id, it->site, it->software};
	PGresult *res = run(w, "agent", 3, params, PGRES_COMMAND_OK);
	if (!res)
		return -EIO;
	PQclear(res);
	return series_cache_put(&w->agents, it->agent_id, len, 1, 0);
}

/* The device id of (agent, device), upserting the device on a cache miss. */
static int ensure_device(struct store_writer *w, const struct store_item *it, const char *device,
			 const char *kind, int64_t *id)
{
	buf_reset(&w->text);
	int rc = buf_append(&w->text, it->agent_id, strlen(it->agent_id) + 1);
	if (rc == 0)
		rc = buf_puts(&w->text, device);
	if (rc < 0)
		return rc;
	if (series_cache_get(&w->devices, (char *)w->text.data, w->text.len, id, NULL))
		return 0;
	const char *params[] = {it->agent_id, device, kind, it->site};
	if ((rc = run_id(w, "device", 4, params, id)) < 0)
		return rc;
	/* A device first seen without its kind (an Inventory message) is
	 * upserted again when a message that carries the kind arrives. */
	if (!kind[0])
		return 0;
	return series_cache_put(&w->devices, (char *)w->text.data, w->text.len, *id, 0);
}

static int resolve_series(struct store_writer *w, const struct store_item *it,
			  struct series_def *def)
{
	if (series_cache_get(&w->series, def->key, def->key_len, &def->db_id, &def->device_id))
		return 0;
	int rc = ensure_device(w, it, def->device, def->device_kind, &def->device_id);
	if (rc < 0)
		return rc;
	char dev[24], kind[8];
	snprintf(dev, sizeof(dev), "%" PRId64, def->device_id);
	snprintf(kind, sizeof(kind), "%d", def->kind);
	const char *params[] = {dev, def->metric, def->unit, kind, def->labels_json};
	if ((rc = run_id(w, "series", 5, params, &def->db_id)) < 0) {
		def->db_id = 0;
		return rc;
	}
	return series_cache_put(&w->series, def->key, def->key_len, def->db_id, def->device_id);
}

/* Breaks PostgreSQL day number day (days since 2000-01-01) into a date. */
static void day_to_tm(int64_t day, struct tm *tm)
{
	time_t secs = (time_t)(day * 86400 + PGCOPY_PG_EPOCH_UNIX_MS / 1000);
	gmtime_r(&secs, tm);
}

/* Creates the daily partition holding day unless known to exist. The name
 * and bounds are formatted from a checked integer, never from input text. */
static int ensure_day(struct store_writer *w, int64_t day)
{
	int64_t one;
	if (series_cache_get(&w->days, (const char *)&day, sizeof(day), &one, NULL))
		return 0;
	if (day < 0 || day > 200000)
		return -EINVAL;
	struct tm a, b;
	day_to_tm(day, &a);
	day_to_tm(day + 1, &b);
	char sql[256];
	snprintf(sql, sizeof(sql),
		 "CREATE TABLE IF NOT EXISTS pantau.samples_%04d%02d%02d PARTITION OF "
		 "pantau.samples FOR VALUES FROM ('%04d-%02d-%02d 00:00:00+00') TO "
		 "('%04d-%02d-%02d 00:00:00+00')",
		 a.tm_year + 1900, a.tm_mon + 1, a.tm_mday, a.tm_year + 1900, a.tm_mon + 1,
		 a.tm_mday, b.tm_year + 1900, b.tm_mon + 1, b.tm_mday);
	int rc = exec_simple(w, sql);
	return rc < 0 ? rc : series_cache_put(&w->days, (const char *)&day, sizeof(day), 1, 0);
}

/* Everything a batch needs before its transaction: agent, devices, series
 * ids and partitions. These are idempotent upserts committed on their own,
 * so the caches never hold ids that a rollback took back. */
static int prepare_batch(struct store_writer *w, const struct store_item *it)
{
	int rc = ensure_agent(w, it);
	for (size_t i = 0; rc == 0 && i < it->nrefs; i++)
		if (it->refs[i]->db_id == 0)
			rc = resolve_series(w, it, it->refs[i]);
	int64_t last = -1;
	for (size_t i = 0; rc == 0 && i < it->n; i++) {
		int64_t day = it->ts_us[i] / DAY_US;
		if (day != last)
			rc = ensure_day(w, day);
		last = day;
	}
	return rc;
}

/* Adds the batch's rows to the group's COPY data and notes its devices. */
static int copy_rows(struct store_writer *w, const struct store_item *it)
{
	int rc = buf_reserve(&w->copy, it->n * PGCOPY_ROW_LEN);
	for (size_t i = 0; rc == 0 && i < it->n; i++)
		rc = pgcopy_row(&w->copy, it->refs[it->ref[i]]->db_id, it->ts_us[i], it->values[i]);
	for (size_t i = 0; rc == 0 && i < it->nrefs; i++) {
		if (w->ntouched == w->cap_touched) {
			size_t cap = w->cap_touched ? w->cap_touched * 2 : 256;
			int64_t *t = realloc(w->touched, cap * sizeof(*t));
			if (!t)
				return -ENOMEM;
			w->touched = t;
			w->cap_touched = cap;
		}
		w->touched[w->ntouched++] = it->refs[i]->device_id;
	}
	return rc;
}

/* The span of a batch's sample times in Unix milliseconds, widened to whole
 * milliseconds: the rollups of that span are made again (collector/retain.c). */
static void batch_span(const struct store_item *it, char *lo, char *hi, size_t size)
{
	if (it->n == 0) {
		lo[0] = hi[0] = '\0'; /* NULL: nothing to roll up */
		return;
	}
	int64_t min = it->ts_us[0], max = it->ts_us[0];
	for (size_t i = 1; i < it->n; i++) {
		min = it->ts_us[i] < min ? it->ts_us[i] : min;
		max = it->ts_us[i] > max ? it->ts_us[i] : max;
	}
	/* PostgreSQL counts microseconds from 2000-01-01. */
	const int64_t pg_epoch_ms = 946684800000LL;
	int64_t lo_ms = (min >= 0 ? min / 1000 : (min - 999) / 1000) + pg_epoch_ms;
	int64_t hi_ms = (max >= 0 ? (max + 999) / 1000 : max / 1000) + pg_epoch_ms;
	snprintf(lo, size, "%" PRId64, lo_ms);
	snprintf(hi, size, "%" PRId64, hi_ms);
}

/* Inserts the dedupe row; *fresh = false if the batch was stored before. */
static int insert_batch(struct store_writer *w, struct store_item *it, bool *fresh)
{
	char stream[24], seq[24], n[24], lo[24], hi[24];
	/* uint64 stream and seq are kept in bigint columns as their two's complement. */
	snprintf(stream, sizeof(stream), "%" PRId64, (int64_t)it->stream);
	snprintf(seq, sizeof(seq), "%" PRId64, (int64_t)it->seq);
	snprintf(n, sizeof(n), "%zu", it->n);
	batch_span(it, lo, hi, sizeof(lo));
	const char *params[] = {it->agent_id, stream, seq, n, lo[0] ? lo : NULL, hi[0] ? hi : NULL};
	PGresult *res = run(w, "batch", 6, params, PGRES_TUPLES_OK);
	if (!res)
		return -EIO;
	*fresh = PQntuples(res) == 1;
	PQclear(res);
	return 0;
}

static int send_copy(struct store_writer *w)
{
	PGresult *res = PQexec(w->pg, "COPY pantau.samples (series_id, ts, value) FROM STDIN "
				      "(FORMAT binary)");
	int ok = PQresultStatus(res) == PGRES_COPY_IN;
	int rc = ok ? 0 : fail(w, "COPY", res);
	PQclear(res);
	if (rc < 0)
		return rc;
	enum { CHUNK = 1 << 20 };
	for (size_t off = 0; rc == 0 && off < w->copy.len; off += CHUNK) {
		size_t n = w->copy.len - off < CHUNK ? w->copy.len - off : CHUNK;
		if (PQputCopyData(w->pg, (const char *)w->copy.data + off, (int)n) != 1)
			rc = fail(w, "COPY data", NULL);
	}
	if (PQputCopyEnd(w->pg, rc == 0 ? NULL : "aborted by pantau-collector") != 1 && rc == 0)
		rc = fail(w, "COPY end", NULL);
	while ((res = PQgetResult(w->pg)) != NULL) {
		if (rc == 0 && PQresultStatus(res) != PGRES_COMMAND_OK)
			rc = fail(w, "COPY", res);
		PQclear(res);
	}
	return rc;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* Marks the devices that got samples as seen, in one statement. */
static int touch_devices(struct store_writer *w)
{
	if (w->ntouched == 0)
		return 0;
	qsort(w->touched, w->ntouched, sizeof(*w->touched), cmp_i64);
	buf_reset(&w->text);
	int rc = buf_putc(&w->text, '{');
	for (size_t i = 0; rc == 0 && i < w->ntouched; i++) {
		if (i > 0 && w->touched[i] == w->touched[i - 1])
			continue;
		rc = buf_printf(&w->text, "%s%" PRId64, i ? "," : "", w->touched[i]);
	}
	if (rc == 0)
		rc = buf_puts(&w->text, "}");
	if (rc == 0)
		rc = buf_putc(&w->text, '\0');
	if (rc < 0)
		return rc;
	const char *params[] = {(const char *)w->text.data};
	PGresult *res = run(w, "touch", 1, params, PGRES_COMMAND_OK);
	PQclear(res);
	return res ? 0 : -EIO;
}

/* Formats unix ms as a timestamptz literal; an impossible time becomes now. */
static void format_ts(int64_t ts_ms, char *out, size_t size)
{
	int64_t now = log_wall_ms();
	log_format_time(pgcopy_ts_valid(ts_ms, now) ? ts_ms : now, out, (unsigned)size);
}

/* Labels as a JSON object; a repeated key keeps its last value (as jsonb does). */
static int labels_object(struct buf *out, Pantau__Label *const *labels, size_t n)
{
	buf_reset(out);
	int rc = buf_putc(out, '{');
	for (size_t i = 0; rc == 0 && i < n; i++) {
		if (i > 0)
			rc = buf_putc(out, ',');
		if (rc == 0)
			rc = json_put_string(out, labels[i]->key);
		if (rc == 0)
			rc = buf_putc(out, ':');
		if (rc == 0)
			rc = json_put_string(out, labels[i]->value);
	}
	if (rc == 0)
		rc = buf_putc(out, '}');
	return rc == 0 ? buf_putc(out, '\0') : rc;
}

static int inventory_row(struct store_writer *w, const char *dev, const char *kind,
			 const char *id, Pantau__Label *const *fields, size_t n, const char *ts)
{
	int rc = labels_object(&w->text, fields, n);
	if (rc < 0)
		return rc;
	const char *params[] = {dev, kind, id, (const char *)w->text.data, ts};
	PGresult *res = run(w, "inv_item", 5, params, PGRES_COMMAND_OK);
	PQclear(res);
	return res ? 0 : -EIO;
}

/* An Inventory message is the device's whole inventory: its system group
 * becomes the item (kind "system", id ""), items replace what was stored,
 * and items it no longer lists are removed. */
static int write_inventory(struct store_writer *w, const struct store_item *it)
{
	const Pantau__Inventory *inv = it->env->inventory;
	int64_t id;
	int rc = ensure_device(w, it, inv->device, "", &id);
	if (rc < 0)
		return rc;
	char dev[24], ts[32];
	snprintf(dev, sizeof(dev), "%" PRId64, id);
	format_ts(inv->ts_ms, ts, sizeof(ts));
	/* A device without a system group (nothing read from it) has no
	 * system item: an empty one would only hide that. */
	if (inv->n_system > 0)
		rc = inventory_row(w, dev, "system", "", inv->system, inv->n_system, ts);
	for (size_t i = 0; rc == 0 && i < inv->n_items; i++) {
		const Pantau__InventoryItem *item = inv->items[i];
		rc = inventory_row(w, dev, item->kind, item->id, item->fields, item->n_fields, ts);
	}
	if (rc < 0)
		return rc;
	const char *params[] = {dev, ts};
	PGresult *res = run(w, "inv_prune", 2, params, PGRES_COMMAND_OK);
	PQclear(res);
	return res ? 0 : -EIO;
}

static int write_state(struct store_writer *w, const struct store_item *it)
{
	static const char *const names[] = {"unknown", "up", "down"};
	const Pantau__DeviceState *ds = it->env->device_state;
	int64_t id;
	int rc = ensure_device(w, it, ds->device, ds->device_kind, &id);
	if (rc < 0)
		return rc;
	char dev[24], ts[32];
	snprintf(dev, sizeof(dev), "%" PRId64, id);
	format_ts(ds->ts_ms, ts, sizeof(ts));
	unsigned s = (unsigned)ds->state < 3 ? (unsigned)ds->state : 0;
	const char *params[] = {dev, names[s], ts, ds->reason};
	PGresult *res = run(w, "state", 4, params, PGRES_COMMAND_OK);
	PQclear(res);
	if (!res)
		return -EIO;
	const char *hist[] = {dev, ts, names[s], ds->reason};
	res = run(w, "state_hist", 4, hist, PGRES_COMMAND_OK);
	PQclear(res);
	if (!res)
		return -EIO;
	const char *avail[] = {ds->device, it->agent_id, names[s], ts, ds->reason};
	res = run(w, "avail", 5, avail, PGRES_TUPLES_OK);
	PQclear(res);
	return res ? 0 : -EIO;
}

/* A Loss carries a running total: the largest one seen is kept. */
static int write_loss(struct store_writer *w, const struct store_item *it)
{
	const Pantau__Loss *l = it->env->loss;
	char stream[24], samples[24], ts[32];
	snprintf(stream, sizeof(stream), "%" PRId64, (int64_t)l->stream);
	snprintf(samples, sizeof(samples), "%" PRId64,
		 l->samples > INT64_MAX ? INT64_MAX : (int64_t)l->samples);
	format_ts(l->ts_ms, ts, sizeof(ts));
	const char *params[] = {it->agent_id, stream, l->reason, samples, ts};
	PGresult *res = run(w, "loss", 5, params, PGRES_COMMAND_OK);
	PQclear(res);
	return res ? 0 : -EIO;
}

static int write_item(struct store_writer *w, struct store_item *it)
{
	if (it->kind == STORE_LOSS)
		return write_loss(w, it);
	if (it->kind == STORE_INVENTORY)
		return write_inventory(w, it);
	if (it->kind == STORE_DEVICE_STATE)
		return write_state(w, it);
	bool fresh;
	int rc = insert_batch(w, it, &fresh);
	if (rc < 0)
		return rc;
	it->result = fresh ? STORE_STORED : STORE_DUPLICATE;
	return fresh ? copy_rows(w, it) : 0;
}

static double mono_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The group's transaction: dedupe rows, inventory and states in order, one
 * COPY with the samples of every fresh batch, the devices' last_seen, COMMIT. */
static int write_transaction(struct store_writer *w, struct store_item **items, size_t n)
{
	int rc = exec_simple(w, "BEGIN");
	buf_reset(&w->copy);
	w->ntouched = 0;
	if (rc == 0)
		rc = pgcopy_begin(&w->copy);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		items[i]->result = STORE_STORED;
		rc = write_item(w, items[i]);
	}
	if (rc == 0 && w->copy.len > PGCOPY_HEADER_LEN) {
		rc = pgcopy_end(&w->copy);
		if (rc == 0)
			rc = send_copy(w);
	}
	if (rc == 0)
		rc = touch_devices(w);
	if (rc == 0)
		rc = exec_simple(w, "COMMIT");
	return rc;
}

int store_write_group(struct store_writer *w, struct store_item **items, size_t n)
{
	double t0 = mono_seconds();
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < n; i++)
		if (items[i]->kind == STORE_BATCH)
			rc = prepare_batch(w, items[i]);
		else
			rc = ensure_agent(w, items[i]);
	if (rc == 0)
		rc = write_transaction(w, items, n);
	if (rc < 0) {
		if (w->pg && PQtransactionStatus(w->pg) != PQTRANS_IDLE) {
			PGresult *res = PQexec(w->pg, "ROLLBACK");
			PQclear(res);
		}
		if (rc != -EIO)
			fail(w, "storing a group", NULL);
		/* A day partition the retention job dropped is made again. */
		series_cache_clear(&w->days);
		return -EIO;
	}
	log_release(&w->complaint, "store", "writing to PostgreSQL works again");
	items[0]->commit_seconds = mono_seconds() - t0;
	return 0;
}
