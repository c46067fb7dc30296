/* pantauctl alerts | ack: the NOC's view of the alerts the collector keeps
 * in PostgreSQL (collector/migrations/004_alerts.sql).
 *
 *   pantauctl alerts [--dsn DSN] [--all] [--state S] [--device GLOB] [--rule R] [--json]
 *   pantauctl ack ID --by WHO [--comment TEXT] [--dsn DSN]
 *
 * The DSN is --dsn or $PANTAU_DSN (a libpq connection string). Listing
 * shows open alerts unless --all. An acknowledgement records who, when and
 * why, keeps the alert acknowledged while it fires (the collector leaves
 * it so) and is appended to the alert's history. */
#include "ctl.h"

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct list_args {
	const char *dsn, *state, *device, *rule;
	bool all, json;
};

/* Also maintenance.c's connection (ctl.h). */
PGconn *ctl_connect(const char *dsn)
{
	if (!dsn || !dsn[0]) {
		fprintf(stderr, "pantauctl: no database: give --dsn or set PANTAU_DSN\n");
		return NULL;
	}
	static const char *const keys[] = {"dbname", "application_name", NULL};
	const char *values[] = {dsn, "pantauctl", NULL};
	PGconn *pg = PQconnectdbParams(keys, values, 1);
	if (PQstatus(pg) == CONNECTION_OK)
		return pg;
	fprintf(stderr, "pantauctl: cannot connect: %s", PQerrorMessage(pg));
	PQfinish(pg);
	return NULL;
}

static const char list_sql[] =
	"SELECT id, to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'), state,"
	" severity, device, rule, summary, COALESCE(acked_by, ''), COALESCE(cause, ''),"
	" json_build_object('id', id, 'started_at', started_at, 'state', state,"
	"  'severity', severity, 'device', device, 'rule', rule, 'summary', summary,"
	"  'labels', labels::jsonb, 'cause', cause, 'resolved_at', resolved_at,"
	"  'acked_at', acked_at, 'acked_by', acked_by, 'ack_comment', ack_comment,"
	"  'escalation_level', escalation_level, 'planned', planned)::text"
	" FROM pantau.alerts"
	" WHERE ($1::bool OR state <> 'resolved')"
	"   AND ($2::text IS NULL OR state = $2)"
	"   AND ($3::text IS NULL OR device LIKE replace(replace($3, '*', '%'), '?', '_'))"
	"   AND ($4::text IS NULL OR rule = $4)"
	" ORDER BY CASE severity WHEN 'critical' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END,"
	"   started_at DESC, id DESC";

static void list_usage(FILE *f)
{
	fprintf(f, "usage: pantauctl alerts [--dsn DSN] [--all] [--state S] [--device GLOB] "
		   "[--rule R] [--json]\n"
		   "  open alerts (all with --all), most severe first; states: firing, "
		   "acknowledged, unknown, suppressed, resolved\n");
}

static int parse_list(int argc, char **argv, struct list_args *a)
{
	a->dsn = getenv("PANTAU_DSN");
	for (int i = 0; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(argv[i], "--all") == 0)
			a->all = true;
		else if (strcmp(argv[i], "--json") == 0)
			a->json = true;
		else if (strcmp(argv[i], "--dsn") == 0 && v)
			a->dsn = argv[++i];
		else if (strcmp(argv[i], "--state") == 0 && v)
			a->state = argv[++i];
		else if (strcmp(argv[i], "--device") == 0 && v)
			a->device = argv[++i];
		else if (strcmp(argv[i], "--rule") == 0 && v)
			a->rule = argv[++i];
		else
			return -1;
	}
	return 0;
}

int ctl_alerts(int argc, char **argv)
{
	struct list_args a = {0};
	if (argc == 1 && strcmp(argv[0], "--help") == 0) {
		list_usage(stdout);
		return CTL_OK;
	}
	if (parse_list(argc, argv, &a) < 0) {
		list_usage(stderr);
		return CTL_USAGE;
	}
	PGconn *pg = ctl_connect(a.dsn);
	if (!pg)
		return CTL_FAILED;
	const char *params[4] = {a.all ? "true" : "false", a.state, a.device, a.rule};
	PGresult *res = PQexecParams(pg, list_sql, 4, NULL, params, NULL, NULL, 0);
	int rc = CTL_OK;
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		fprintf(stderr, "pantauctl: %s", PQresultErrorMessage(res));
		rc = CTL_FAILED;
	} else if (!a.json) {
		printf("%-6s %-19s %-12s %-8s %-16s %s\n", "ID", "STARTED (UTC)", "STATE",
		       "SEVERITY", "DEVICE", "SUMMARY");
	}
	for (int i = 0; rc == CTL_OK && i < PQntuples(res); i++) {
		if (a.json) {
			printf("%s\n", PQgetvalue(res, i, 9));
			continue;
		}
		printf("%-6s %-19s %-12s %-8s %-16s %s", PQgetvalue(res, i, 0),
		       PQgetvalue(res, i, 1), PQgetvalue(res, i, 2), PQgetvalue(res, i, 3),
		       PQgetvalue(res, i, 4), PQgetvalue(res, i, 6));
		if (PQgetvalue(res, i, 7)[0])
			printf(" [ack: %s]", PQgetvalue(res, i, 7));
		if (PQgetvalue(res, i, 8)[0])
			printf(" (%s)", PQgetvalue(res, i, 8));
		printf("\n");
	}
	PQclear(res);
	PQfinish(pg);
	return rc;
}

/* One statement: the open alert acknowledged and the event appended. */
static const char ack_sql[] =
	"WITH a AS ("
	" UPDATE pantau.alerts SET acked_at = now(), acked_by = $2, ack_comment = $3,"
	"   state = CASE WHEN state = 'firing' THEN 'acknowledged' ELSE state END,"
	"   updated_at = now()"
	" WHERE id = $1::bigint AND state <> 'resolved'"
	" RETURNING id, state, summary)"
	"INSERT INTO pantau.alert_events (alert_id, ts, from_state, to_state, summary, cause)"
	" SELECT id, now(), state, 'acknowledged', summary, 'acknowledged by ' || $2 ||"
	"   CASE WHEN $3 <> '' THEN ': ' || $3 ELSE '' END FROM a RETURNING alert_id";

static void ack_usage(FILE *f)
{
	fprintf(f, "usage: pantauctl ack ID --by WHO [--comment TEXT] [--dsn DSN]\n");
}

int ctl_ack(int argc, char **argv)
{
	const char *dsn = getenv("PANTAU_DSN"), *by = NULL, *comment = "", *id = NULL;
	for (int i = 0; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(argv[i], "--help") == 0) {
			ack_usage(stdout);
			return CTL_OK;
		} else if (strcmp(argv[i], "--by") == 0 && v) {
			by = argv[++i];
		} else if (strcmp(argv[i], "--comment") == 0 && v) {
			comment = argv[++i];
		} else if (strcmp(argv[i], "--dsn") == 0 && v) {
			dsn = argv[++i];
		} else if (!id && argv[i][0] != '-') {
			id = argv[i];
		} else {
			ack_usage(stderr);
			return CTL_USAGE;
		}
	}
	char *end = NULL;
	if (!id || !by || !by[0] || strtoll(id, &end, 10) <= 0 || *end) {
		ack_usage(stderr);
		return CTL_USAGE;
	}
	PGconn *pg = ctl_connect(dsn);
	if (!pg)
		return CTL_FAILED;
	const char *params[3] = {id, by, comment};
	PGresult *res = PQexecParams(pg, ack_sql, 3, NULL, params, NULL, NULL, 0);
	int rc = CTL_OK;
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		fprintf(stderr, "pantauctl: %s", PQresultErrorMessage(res));
		rc = CTL_FAILED;
	} else if (PQntuples(res) == 0) {
		fprintf(stderr, "pantauctl: no open alert %s\n", id);
		rc = CTL_FAILED;
	} else {
		printf("alert %s acknowledged by %s\n", id, by);
	}
	PQclear(res);
	PQfinish(pg);
	return rc;
}
