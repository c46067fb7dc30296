/* Alert persistence: the writer thread and the load at start (see alert_db.h). */
#include "alert_db.h"
#include "alert_escalate.h"
#include "log.h"

#include <errno.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { BACKOFF_FIRST_MS = 200, BACKOFF_MAX_MS = 10000 };

/* One statement per change: the open row of the instance (at most one per
 * rule, device, labels) updated, or a new row when there is none; then the
 * event appended. An acknowledged alert (acked_at set, by pantauctl ack)
 * that fires again, e.g. after being unknown, stays acknowledged; a
 * resolved alert keeps the summary it fired with. */
static const char upsert_sql[] =
	"WITH u AS ("
	" UPDATE pantau.alerts a SET"
	"   state = CASE WHEN a.acked_at IS NOT NULL AND $6 = 'firing'"
	"           THEN 'acknowledged' ELSE $6 END,"
	"   summary = CASE WHEN $6 = 'resolved' THEN a.summary ELSE $7 END,"
	"   value = $8::float8, cause = $9, severity = $5, agent = $4, flapping = $12::bool,"
	"   planned = a.planned OR pantau.in_maintenance($2, $4, $13::text[],"
	"     to_timestamp($10::bigint / 1000.0)),"
	"   resolved_at = CASE WHEN $6 = 'resolved' THEN to_timestamp($10::bigint / 1000.0) END,"
	"   updated_at = now()"
	" WHERE a.rule = $1 AND a.device = $2 AND a.labels = $3 AND a.state <> 'resolved'"
	" RETURNING a.id, a.planned),"
	" i AS ("
	" INSERT INTO pantau.alerts (rule, device, labels, agent, severity, state, summary,"
	"   value, cause, started_at, resolved_at, flapping, planned)"
	" SELECT $1, $2, $3, $4, $5, $6, $7, $8::float8, $9, to_timestamp($10::bigint / 1000.0),"
	"   CASE WHEN $6 = 'resolved' THEN to_timestamp($10::bigint / 1000.0) END, $12::bool,"
	"   pantau.in_maintenance($2, $4, $13::text[], to_timestamp($10::bigint / 1000.0))"
	" WHERE NOT EXISTS (SELECT 1 FROM u)"
	" RETURNING id, planned),"
	" x AS (SELECT id, planned FROM u UNION ALL SELECT id, planned FROM i),"
	" ev AS ("
	" INSERT INTO pantau.alert_events (alert_id, ts, from_state, to_state, value, summary, "
	"cause)"
	" SELECT id, to_timestamp($10::bigint / 1000.0), $11, $6, $8::float8, $7, $9 FROM x)"
	"SELECT planned FROM x";

static const char load_sql[] = "SELECT rule, device, labels, agent, state, COALESCE(value, 'NaN'),"
			       " (extract(epoch FROM started_at) * 1000)::bigint"
			       " FROM pantau.alerts WHERE state <> 'resolved' ORDER BY id";

/* Agents that delivered data in the last day: each is expected back after a
 * collector restart, and one that never reconnects is judged lost. */
static const char expected_sql[] = "SELECT DISTINCT agent_id FROM pantau.batches"
				   " WHERE received_at > now() - interval '1 day'";

static PGconn *connect_db(const char *dsn, struct perr *err)
{
	static const char *const keys[] = {"dbname", "connect_timeout", "application_name", NULL};
	const char *values[] = {dsn, "5", "pantau-collector-alerts", NULL};
	PGconn *pg = PQconnectdbParams(keys, values, 1);
	if (pg && PQstatus(pg) == CONNECTION_OK)
		return pg;
	if (err)
		perr_setc(err, -ECONNREFUSED, "alerts: connecting to PostgreSQL: %s",
			  pg ? PQerrorMessage(pg) : "out of memory");
	PQfinish(pg);
	return NULL;
}

static int restore_row(struct alert_engine *e, const PGresult *res, int row)
{
	struct alert_restored a = {
		.rule = PQgetvalue(res, row, 0),
		.device = PQgetvalue(res, row, 1),
		.labels_json = PQgetvalue(res, row, 2),
		.agent = PQgetvalue(res, row, 3),
		.state = alert_state_parse(PQgetvalue(res, row, 4)),
		.value = strtod(PQgetvalue(res, row, 5), NULL),
		.started_ms = strtoll(PQgetvalue(res, row, 6), NULL, 10),
	};
	if (a.state == ALERT_NONE || a.state == ALERT_RESOLVED)
		return 0;
	return alert_engine_restore(e, &a);
}

int alert_db_load(const char *dsn, struct alert_engine *e, struct perr *err)
{
	PGconn *pg = connect_db(dsn, err);
	if (!pg)
		return -ECONNREFUSED;
	PGresult *res = PQexec(pg, load_sql);
	int rc = 0;
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		rc = perr_setc(err, -EIO, "alerts: reading open alerts: %s",
			       PQresultErrorMessage(res));
	} else {
		for (int i = 0; rc >= 0 && i < PQntuples(res); i++)
			rc = restore_row(e, res, i);
		if (rc < 0)
			perr_setc(err, rc, "alerts: restoring open alerts: %s", strerror(-rc));
		else
			rc = PQntuples(res);
	}
	PQclear(res);
	if (rc >= 0) {
		int restored = rc;
		res = PQexec(pg, expected_sql);
		if (PQresultStatus(res) != PGRES_TUPLES_OK)
			rc = perr_setc(err, -EIO, "alerts: reading recent agents: %s",
				       PQresultErrorMessage(res));
		int64_t now = log_wall_ms();
		for (int i = 0; rc >= 0 && i < PQntuples(res); i++)
			if (alert_engine_agent_expected(e, PQgetvalue(res, i, 0), now) < 0)
				rc = perr_setc(err, -ENOMEM, "alerts: out of memory");
		if (rc >= 0)
			rc = restored;
		PQclear(res);
	}
	PQfinish(pg);
	return rc;
}

/* ---- the writer ---- */

static int exec_simple(PGconn *pg, const char *sql)
{
	PGresult *res = PQexec(pg, sql);
	int rc = PQresultStatus(res) == PGRES_COMMAND_OK ? 0 : -EIO;
	if (rc < 0)
		log_warn("alerts", "%s: %s", sql, PQresultErrorMessage(res));
	PQclear(res);
	return rc;
}

/* The groups of the rules file that hold device, as a text[] literal. */
static void device_groups(const struct alert_rules *rs, const char *device, char *out, size_t size)
{
	size_t n = 0;
	out[n++] = '{';
	for (size_t g = 0; rs && g < rs->ngroups; g++) {
		for (size_t k = 0; k < rs->groups[g].ndevices; k++) {
			if (strcmp(rs->groups[g].devices[k], device) != 0)
				continue;
			if (n > 1 && n + 1 < size)
				out[n++] = ',';
			if (n + 1 < size)
				out[n++] = '"';
			for (const char *p = rs->groups[g].name; *p && n + 4 < size; p++) {
				if (*p == '"' || *p == '\\')
					out[n++] = '\\';
				out[n++] = *p;
			}
			if (n + 1 < size)
				out[n++] = '"';
		}
	}
	if (n + 1 < size)
		out[n++] = '}';
	out[n] = '\0';
}

/* Agent liveness into availability (migration 007): lost makes its
 * devices unknown from ts, back resumes their last known state. */
static int write_liveness(PGconn *pg, const struct alert_change *c)
{
	char ts[24];
	snprintf(ts, sizeof(ts), "%lld", (long long)c->ts_ms);
	bool lost = c->to == ALERT_UNKNOWN;
	const char *params[] = {c->agent, ts, c->cause ? c->cause : ""};
	PGresult *res = PQexecParams(
		pg,
		lost ? "SELECT pantau.availability_agent_lost($1, to_timestamp($2::bigint / 1000.0), $3)"
		     : "SELECT pantau.availability_agent_back($1, to_timestamp($2::bigint / 1000.0))",
		lost ? 3 : 2, NULL, params, NULL, NULL, 0);
	int rc = PQresultStatus(res) == PGRES_TUPLES_OK ? 0 : -EIO;
	if (rc < 0)
		log_warn("alerts", "availability of agent %s (%s): %s", c->agent,
			 lost ? "lost" : "back", PQresultErrorMessage(res));
	PQclear(res);
	return rc;
}

/* Stores c; sets c->planned from the maintenance windows. 0 or -EIO. */
static int write_change(struct alert_db *db, PGconn *pg, struct alert_change *c)
{
	char value[40], ts[24], groups[1024];
	if (c->liveness)
		return write_liveness(pg, c);
	if (c->to == ALERT_NONE)
		return 0; /* a notification only (flapping ended): no state changed */
	snprintf(value, sizeof(value), "%.17g", c->value);
	snprintf(ts, sizeof(ts), "%lld", (long long)c->ts_ms);
	device_groups(db->rules, c->device, groups, sizeof(groups));
	const char *params[13] = {
		c->rule_name,
		c->device,
		c->labels_json,
		c->agent,
		alert_severity_name(c->severity),
		alert_state_name(c->to),
		c->summary,
		c->has_value ? value : NULL,
		c->cause,
		ts,
		alert_state_name(c->from),
		c->flapping ? "true" : "false",
		groups,
	};
	PGresult *res = PQexecParams(pg, upsert_sql, 13, NULL, params, NULL, NULL, 0);
	int rc = PQresultStatus(res) == PGRES_TUPLES_OK ? 0 : -EIO;
	if (rc < 0)
		log_warn("alerts", "storing %s on %s (%s): %s", c->rule_name, c->device,
			 alert_state_name(c->to), PQresultErrorMessage(res));
	else
		c->planned = PQntuples(res) > 0 && strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	return rc;
}

static int write_group(struct alert_db *db, PGconn *pg, struct alert_change *c, size_t n)
{
	int rc = exec_simple(pg, "BEGIN");
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = write_change(db, pg, &c[i]);
	if (rc == 0)
		return exec_simple(pg, "COMMIT");
	PGresult *res = PQexec(pg, "ROLLBACK");
	PQclear(res);
	return rc;
}

static void nap(struct alert_db *db, uint32_t ms)
{
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += ms / 1000;
	until.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	if (!db->stopping)
		pthread_cond_timedwait(&db->cond, &db->mu, &until);
}

/* Writes one group, reconnecting and retrying until it commits or the stop
 * grace runs out. Called without mu. Returns true if written. */
static bool write_retrying(struct alert_db *db, PGconn **pg, struct alert_change *c, size_t n)
{
	uint32_t backoff = BACKOFF_FIRST_MS;
	struct perr err;
	for (;;) {
		if (!*pg || PQstatus(*pg) != CONNECTION_OK) {
			PQfinish(*pg);
			if (!(*pg = connect_db(db->dsn, &err)))
				log_warn("alerts", "%s", err.msg);
		}
		if (*pg && write_group(db, *pg, c, n) == 0)
			return true;
		pthread_mutex_lock(&db->mu);
		bool over = db->stopping && log_mono_ms() >= db->deadline_ms;
		if (!over)
			nap(db, backoff);
		pthread_mutex_unlock(&db->mu);
		if (over)
			return false;
		backoff = backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : backoff * 2;
	}
}

enum { ESCALATE_CHECK_MS = 2000 };

/* After the commit: the notifications the changes ask for, except for
 * alerts raised inside a maintenance window (planned). */
static void tell(struct alert_db *db, const struct alert_change *c, size_t n)
{
	for (size_t i = 0; db->notify && i < n; i++) {
		if (c[i].notify == ALERT_NOTIFY_NONE)
			continue;
		if (c[i].planned) {
			log_info("alerts", "%s on %s: in maintenance, not notified", c[i].rule_name,
				 c[i].device);
			continue;
		}
		db->notify(db->notify_arg, &c[i]);
	}
}

/* While idle: escalations due (on the writer's connection). Called with
 * mu held; releases it around the query. */
static void idle(struct alert_db *db, PGconn **pg)
{
	if (!db->escalate_after_ms) {
		pthread_cond_wait(&db->cond, &db->mu);
		return;
	}
	nap(db, ESCALATE_CHECK_MS);
	if (db->n || db->stopping)
		return;
	pthread_mutex_unlock(&db->mu);
	if (!*pg || PQstatus(*pg) != CONNECTION_OK) {
		PQfinish(*pg);
		*pg = connect_db(db->dsn, NULL);
	}
	if (*pg)
		alert_escalate_due(*pg, db->escalate_after_ms, db->notify, db->notify_arg);
	pthread_mutex_lock(&db->mu);
}

static void *writer_main(void *arg)
{
	struct alert_db *db = arg;
	PGconn *pg = NULL;
	pthread_mutex_lock(&db->mu);
	for (;;) {
		while (db->n == 0 && !db->stopping)
			idle(db, &pg);
		if (db->n == 0)
			break; /* stopping and nothing left */
		struct alert_change *c = db->queue;
		size_t n = db->n;
		db->queue = NULL;
		db->n = db->cap = 0;
		pthread_mutex_unlock(&db->mu);
		if (write_retrying(db, &pg, c, n)) {
			atomic_fetch_add(&db->written, n);
			tell(db, c, n);
		} else {
			atomic_fetch_add(&db->dropped, n);
			log_warn("alerts", "stopping with %zu alert changes not stored", n);
		}
		alert_changes_free(c, n);
		pthread_mutex_lock(&db->mu);
	}
	pthread_mutex_unlock(&db->mu);
	PQfinish(pg);
	return NULL;
}

int alert_db_start(struct alert_db *db, const char *dsn)
{
	if (!(db->dsn = strdup(dsn)))
		return -ENOMEM;
	pthread_mutex_init(&db->mu, NULL);
	pthread_cond_init(&db->cond, NULL);
	int rc = pthread_create(&db->thread, NULL, writer_main, db);
	if (rc != 0) {
		pthread_mutex_destroy(&db->mu);
		pthread_cond_destroy(&db->cond);
		free(db->dsn);
		db->dsn = NULL;
		return -rc;
	}
	db->started = true;
	return 0;
}

void alert_db_submit(struct alert_db *db, struct alert_change *c, size_t n)
{
	if (n == 0) {
		free(c);
		return;
	}
	pthread_mutex_lock(&db->mu);
	if (db->n == 0) {
		free(db->queue);
		db->queue = c;
		db->n = db->cap = n;
		c = NULL;
	} else if (db->n + n > db->cap) {
		size_t cap = (db->n + n) * 2;
		struct alert_change *q = realloc(db->queue, cap * sizeof(*q));
		if (q) {
			db->queue = q;
			db->cap = cap;
		}
	}
	if (c && db->n + n <= db->cap) {
		memcpy(db->queue + db->n, c, n * sizeof(*c));
		db->n += n;
		free(c);
		c = NULL;
	}
	pthread_cond_signal(&db->cond);
	pthread_mutex_unlock(&db->mu);
	if (c) {
		log_error("alerts", "out of memory: %zu alert changes not stored", n);
		alert_changes_free(c, n);
	}
}

void alert_db_stop(struct alert_db *db, uint64_t grace_ms)
{
	if (!db->started)
		return;
	pthread_mutex_lock(&db->mu);
	db->stopping = true;
	db->deadline_ms = log_mono_ms() + grace_ms;
	pthread_cond_signal(&db->cond);
	pthread_mutex_unlock(&db->mu);
	pthread_join(db->thread, NULL);
	alert_changes_free(db->queue, db->n);
	pthread_mutex_destroy(&db->mu);
	pthread_cond_destroy(&db->cond);
	free(db->dsn);
	db->started = false;
}
