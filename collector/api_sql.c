/* The API's SQL, run on its worker thread (see api.h). Every statement is
 * parameterized and renders its own JSON answer, so the C side only moves
 * text. The statements mirror pantauctl's (ctl/alerts.c, ctl/maintenance.c);
 * what the API changes also names the token that did it. */
#include "api.h"
#include "log.h"

#include <errno.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char alerts_sql[] =
	"SELECT json_build_object('alerts', COALESCE(json_agg(j ORDER BY rk, started_at DESC,"
	"  id DESC), '[]'::json))::text FROM ("
	" SELECT id, started_at, CASE severity WHEN 'critical' THEN 0 WHEN 'warning' THEN 1"
	"   ELSE 2 END AS rk,"
	"  json_build_object('id', id, 'started_at', started_at, 'state', state,"
	"  'severity', severity, 'device', device, 'rule', rule, 'summary', summary,"
	"  'labels', labels::jsonb, 'agent', agent, 'value', value, 'cause', cause,"
	"  'resolved_at', resolved_at, 'acked_at', acked_at, 'acked_by', acked_by,"
	"  'ack_comment', ack_comment, 'escalation_level', escalation_level,"
	"  'planned', planned, 'flapping', flapping) AS j"
	" FROM pantau.alerts"
	" WHERE ($1::bool OR state <> 'resolved')"
	"   AND ($2::text IS NULL OR state = $2)"
	"   AND ($3::text IS NULL OR device LIKE replace(replace(replace(replace(replace($3,"
	"     '\\', '\\\\'), '%', '\\%'), '_', '\\_'), '*', '%'), '?', '_'))"
	"   AND ($4::text IS NULL OR rule = $4)"
	" ORDER BY rk, started_at DESC, id DESC LIMIT $5::int) x";

/* The ack as pantauctl does it; the event's cause names the token. */
static const char ack_sql[] =
	"WITH a AS ("
	" UPDATE pantau.alerts SET acked_at = now(), acked_by = COALESCE($2, $4),"
	"   ack_comment = $3, updated_at = now(),"
	"   state = CASE WHEN state = 'firing' THEN 'acknowledged' ELSE state END"
	" WHERE id = $1::bigint AND state <> 'resolved'"
	" RETURNING *),"
	" e AS (INSERT INTO pantau.alert_events (alert_id, ts, from_state, to_state, summary, "
	"cause)"
	" SELECT id, now(), state, 'acknowledged', summary, 'acknowledged by ' ||"
	"   COALESCE($2, $4) || CASE WHEN $3 <> '' THEN ': ' || $3 ELSE '' END ||"
	"   ' (API token ' || $4 || ')' FROM a)"
	"SELECT json_build_object('id', id, 'state', state, 'acked_at', acked_at,"
	" 'acked_by', acked_by, 'ack_comment', ack_comment)::text FROM a";

static const char alert_state_sql[] = "SELECT state FROM pantau.alerts WHERE id = $1::bigint";

static const char maint_list_sql[] =
	"SELECT json_build_object('maintenance', COALESCE(json_agg(row_to_json(m)"
	" ORDER BY starts_at, id), '[]'::json))::text FROM report.maintenance m"
	" WHERE $1::bool OR active OR (ended_at IS NULL AND"
	"   (ends_at > now() OR (recurrence <> 'once' AND (until IS NULL OR until > now()))))";

#define API_WHO(by, tok)                                                                           \
	"CASE WHEN " by "::text IS NULL THEN " tok "::text ELSE " by "::text || ' (API token ' ||" \
	" " tok "::text || ')' END"

static const char maint_add_sql[] =
	"INSERT INTO pantau.maintenance (scope, target, starts_at, ends_at, recurrence, until,"
	" reason, created_by)"
	" SELECT $1, $2, s, COALESCE($4::timestamptz, s + $5::interval), COALESCE($6, 'once'),"
	" $7::timestamptz, $8, " API_WHO("$9",
					 "$10") " FROM"
						" (SELECT COALESCE($3::timestamptz, now()) AS s) x"
						" RETURNING row_to_json(maintenance.*)::text";

static const char maint_end_sql[] =
	"UPDATE pantau.maintenance SET ended_at = now(), ended_by = " API_WHO(
		"$2", "$3") " WHERE id = $1::bigint AND ended_at IS NULL RETURNING "
			    "row_to_json(maintenance.*)::text";

static const char maint_exists_sql[] = "SELECT 1 FROM pantau.maintenance WHERE id = $1::bigint";

static const char backup_sql[] =
	"INSERT INTO pantau.backup_runs (job, source, started_at, finished_at, status,"
	" size_bytes, message, restore_test)"
	" VALUES ($1, $2, $3::timestamptz, $4::timestamptz, $5, $6::bigint, $7, $8::bool)"
	" RETURNING json_build_object('id', id, 'job', job, 'received_at', received_at)::text";

static void answer(struct api_result *out, int status, const char *json)
{
	out->status = status;
	buf_reset(&out->body);
	buf_puts(&out->body, json);
	buf_putc(&out->body, '\n');
}

static void answer_error(struct api_result *out, int status, const char *msg)
{
	out->status = status;
	buf_reset(&out->body);
	buf_puts(&out->body, "{\"error\":");
	/* json_put_string would pull json.h in; the message is ours or PostgreSQL's. */
	buf_putc(&out->body, '"');
	for (const unsigned char *p = (const unsigned char *)msg; *p; p++) {
		if (*p == '"' || *p == '\\')
			buf_printf(&out->body, "\\%c", *p);
		else if (*p < 0x20)
			buf_printf(&out->body, "\\u%04x", *p);
		else
			buf_putc(&out->body, (char)*p);
	}
	buf_puts(&out->body, "\"}\n");
}

static PGconn *connect_db(const char *dsn)
{
	static const char *const keys[] = {"dbname", "connect_timeout", "application_name",
					   "options", NULL};
	const char *values[] = {dsn, "5", "pantau-collector-api", "-c statement_timeout=10000",
				NULL};
	PGconn *pg = PQconnectdbParams(keys, values, 1);
	if (pg && PQstatus(pg) == CONNECTION_OK)
		return pg;
	log_warn("api", "connecting to PostgreSQL: %s", pg ? PQerrorMessage(pg) : "out of memory");
	PQfinish(pg);
	return NULL;
}

/* Runs sql; on a failure says why in out (400 for data the client sent
 * that PostgreSQL refused, 503 for a lost connection, else 500). */
static PGresult *exec(PGconn *pg, const char *sql, const struct api_call *c, int n,
		      struct api_result *out)
{
	PGresult *res = PQexecParams(pg, sql, n, NULL, (const char *const *)c->p, NULL, NULL, 0);
	ExecStatusType st = PQresultStatus(res);
	if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK)
		return res;
	const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	if (state && (strncmp(state, "22", 2) == 0 || strncmp(state, "23", 2) == 0)) {
		answer_error(out, 400, msg ? msg : "invalid value");
	} else if (PQstatus(pg) != CONNECTION_OK) {
		answer_error(out, 503, "database unavailable");
	} else {
		log_warn("api", "statement failed: %s", PQresultErrorMessage(res));
		answer_error(out, 500, "database error");
	}
	PQclear(res);
	return NULL;
}

/* One row of one JSON text, or notfound_status with msg. */
static void one_row(PGconn *pg, const char *sql, const struct api_call *c, int n, int status,
		    struct api_result *out)
{
	PGresult *res = exec(pg, sql, c, n, out);
	if (!res)
		return;
	if (PQntuples(res) == 1)
		answer(out, status, PQgetvalue(res, 0, 0));
	else
		out->status = 0; /* the caller says why */
	PQclear(res);
}

/* Why an ack or end changed nothing: no such row, or closed already. */
static void why_not(PGconn *pg, const char *sql, const struct api_call *c, const char *what,
		    struct api_result *out)
{
	PGresult *res = exec(pg, sql, c, 1, out);
	if (!res)
		return;
	char msg[96];
	bool exists = PQntuples(res) == 1;
	snprintf(msg, sizeof(msg), exists ? "%s %s is not open" : "no %s %s", what, c->p[0]);
	answer_error(out, exists ? 409 : 404, msg);
	PQclear(res);
}

static void run_call(PGconn *pg, const struct api_call *c, struct api_result *out)
{
	switch (c->ep) {
	case API_ALERTS_LIST:
		one_row(pg, alerts_sql, c, 5, 200, out);
		break;
	case API_MAINT_LIST:
		one_row(pg, maint_list_sql, c, 1, 200, out);
		break;
	case API_ALERT_ACK:
		one_row(pg, ack_sql, c, 4, 200, out);
		if (out->status == 0)
			why_not(pg, alert_state_sql, c, "open alert", out);
		break;
	case API_MAINT_ADD:
		one_row(pg, maint_add_sql, c, 10, 201, out);
		break;
	case API_MAINT_END:
		one_row(pg, maint_end_sql, c, 3, 200, out);
		if (out->status == 0)
			why_not(pg, maint_exists_sql, c, "maintenance window", out);
		break;
	case API_BACKUP_RUN:
		one_row(pg, backup_sql, c, 8, 201, out);
		break;
	}
}

void api_sql_run(const char *dsn, void **pgp, const struct api_call *call, struct api_result *out)
{
	PGconn *pg = *pgp;
	if (pg && PQstatus(pg) != CONNECTION_OK) {
		PQreset(pg);
		if (PQstatus(pg) != CONNECTION_OK) {
			PQfinish(pg);
			pg = NULL;
		}
	}
	if (!pg)
		pg = connect_db(dsn);
	*pgp = pg;
	if (!pg) {
		answer_error(out, 503, "database unavailable");
		return;
	}
	out->status = 500;
	run_call(pg, call, out);
	if (out->status == 0)
		answer_error(out, 500, "no answer");
}

void api_sql_close(void **pg)
{
	PQfinish(*pg);
	*pg = NULL;
}
