/* pantauctl maintenance add | list | end: maintenance windows (BB F.4) in
 * pantau.maintenance. Alerts raised inside an open window are stored as
 * planned and notify nobody (collector/alert_db.c).
 *
 *   pantauctl maintenance add (--device D | --group G | --site S)
 *             [--from TIME] (--to TIME | --for DURATION)
 *             [--every daily|weekly|monthly [--until TIME]] --reason TEXT --by WHO
 *   pantauctl maintenance list [--all]
 *   pantauctl maintenance end ID --by WHO
 *
 * Monthly windows recur on the same day of the month (the last day in
 * shorter months; migration 006) and must be shorter than 28 days.
 * TIME is anything PostgreSQL reads as timestamptz ("2026-12-01 22:00+07");
 * DURATION an interval ("2 hours", "90 min"). The DSN is --dsn or
 * $PANTAU_DSN. */
#include "ctl.h"

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Runs sql with params; prints the error and returns NULL if it failed. */
static PGresult *run(PGconn *pg, const char *sql, int n, const char *const *params)
{
	PGresult *res = PQexecParams(pg, sql, n, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) == PGRES_TUPLES_OK)
		return res;
	fprintf(stderr, "pantauctl: %s", PQresultErrorMessage(res));
	PQclear(res);
	return NULL;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: pantauctl maintenance add (--device D | --group G | --site S)\n"
		   "           [--from TIME] (--to TIME | --for DURATION)\n"
		   "           [--every daily|weekly|monthly [--until TIME]] --reason TEXT --by WHO\n"
		   "       pantauctl maintenance list [--all]\n"
		   "       pantauctl maintenance end ID --by WHO\n"
		   "  (--dsn DSN or $PANTAU_DSN)\n");
}

struct add_args {
	const char *scope, *target, *from, *to, *dur, *every, *until, *reason, *by;
};

static const char add_sql[] =
	"INSERT INTO pantau.maintenance (scope, target, starts_at, ends_at, recurrence, until,"
	" reason, created_by)"
	" SELECT $1, $2, s, COALESCE($4::timestamptz, s + $5::interval), COALESCE($6, 'once'),"
	" $7::timestamptz, $8, $9 FROM (SELECT COALESCE($3::timestamptz, now()) AS s) x"
	" RETURNING id, starts_at, ends_at";

static int scope_arg(struct add_args *a, const char *scope, const char *v)
{
	if (a->scope)
		return -1; /* one of --device, --group, --site */
	a->scope = scope;
	a->target = v;
	return 0;
}

static int parse_add(int argc, char **argv, struct add_args *a, const char **dsn)
{
	/* Every option takes a value: walk the arguments in pairs. */
	for (int i = 0; i < argc; i += 2) {
		const char *k = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		int rc = 0;
		if (!v)
			return -1;
		if (strcmp(k, "--device") == 0)
			rc = scope_arg(a, "device", v);
		else if (strcmp(k, "--group") == 0)
			rc = scope_arg(a, "group", v);
		else if (strcmp(k, "--site") == 0)
			rc = scope_arg(a, "site", v);
		else if (strcmp(k, "--from") == 0)
			a->from = v;
		else if (strcmp(k, "--to") == 0)
			a->to = v;
		else if (strcmp(k, "--for") == 0)
			a->dur = v;
		else if (strcmp(k, "--every") == 0)
			a->every = v;
		else if (strcmp(k, "--until") == 0)
			a->until = v;
		else if (strcmp(k, "--reason") == 0)
			a->reason = v;
		else if (strcmp(k, "--by") == 0)
			a->by = v;
		else if (strcmp(k, "--dsn") == 0)
			*dsn = v;
		else
			return -1;
		if (rc < 0)
			return -1;
	}
	if (a->every && strcmp(a->every, "daily") != 0 && strcmp(a->every, "weekly") != 0 &&
	    strcmp(a->every, "monthly") != 0)
		return -1;
	return a->scope && a->reason && a->by && (!a->to != !a->dur) && (!a->until || a->every)
		       ? 0
		       : -1;
}

static int cmd_add(int argc, char **argv)
{
	struct add_args a = {0};
	const char *dsn = getenv("PANTAU_DSN");
	if (parse_add(argc, argv, &a, &dsn) < 0) {
		usage(stderr);
		return CTL_USAGE;
	}
	PGconn *pg = ctl_connect(dsn);
	if (!pg)
		return CTL_FAILED;
	const char *params[9] = {a.scope, a.target, a.from,   a.to, a.dur,
				 a.every, a.until,  a.reason, a.by};
	PGresult *res = run(pg, add_sql, 9, params);
	if (res)
		printf("maintenance %s: %s %s from %s to %s%s%s\n", PQgetvalue(res, 0, 0), a.scope,
		       a.target, PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 2), a.every ? ", " : "",
		       a.every ? a.every : "");
	PQclear(res);
	PQfinish(pg);
	return res ? CTL_OK : CTL_FAILED;
}

static const char list_sql[] =
	"SELECT id, scope, target, starts_at, ends_at, recurrence, active, reason, created_by,"
	" COALESCE(ended_by, '') FROM report.maintenance"
	" WHERE $1::bool OR active OR (ended_at IS NULL AND"
	"   (ends_at > now() OR (recurrence <> 'once' AND (until IS NULL OR until > now()))))"
	" ORDER BY starts_at, id";

static int cmd_list(int argc, char **argv)
{
	const char *dsn = getenv("PANTAU_DSN");
	bool all = false;
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--all") == 0) {
			all = true;
		} else if (strcmp(argv[i], "--dsn") == 0 && i + 1 < argc) {
			dsn = argv[++i];
		} else {
			usage(stderr);
			return CTL_USAGE;
		}
	}
	PGconn *pg = ctl_connect(dsn);
	if (!pg)
		return CTL_FAILED;
	const char *params[1] = {all ? "true" : "false"};
	PGresult *res = run(pg, list_sql, 1, params);
	for (int i = 0; res && i < PQntuples(res); i++)
		printf("%s %s %s %s .. %s %s%s: %s (by %s)%s%s\n", PQgetvalue(res, i, 0),
		       PQgetvalue(res, i, 1), PQgetvalue(res, i, 2), PQgetvalue(res, i, 3),
		       PQgetvalue(res, i, 4), PQgetvalue(res, i, 5),
		       strcmp(PQgetvalue(res, i, 6), "t") == 0 ? " ACTIVE" : "",
		       PQgetvalue(res, i, 7), PQgetvalue(res, i, 8),
		       PQgetvalue(res, i, 9)[0] ? ", ended by " : "", PQgetvalue(res, i, 9));
	PQclear(res);
	PQfinish(pg);
	return res ? CTL_OK : CTL_FAILED;
}

static const char end_sql[] = "UPDATE pantau.maintenance SET ended_at = now(), ended_by = $2"
			      " WHERE id = $1::bigint AND ended_at IS NULL RETURNING id";

static int cmd_end(int argc, char **argv)
{
	const char *dsn = getenv("PANTAU_DSN"), *by = NULL, *id = NULL;
	bool bad = false;
	for (int i = 0; i < argc && !bad; i++) {
		if (strcmp(argv[i], "--by") == 0 && i + 1 < argc)
			by = argv[++i];
		else if (strcmp(argv[i], "--dsn") == 0 && i + 1 < argc)
			dsn = argv[++i];
		else if (!id && argv[i][0] != '-')
			id = argv[i];
		else
			bad = true;
	}
	char *end = NULL;
	if (bad || !id || !by || strtoll(id, &end, 10) <= 0 || *end) {
		usage(stderr);
		return CTL_USAGE;
	}
	PGconn *pg = ctl_connect(dsn);
	if (!pg)
		return CTL_FAILED;
	const char *params[2] = {id, by};
	PGresult *res = run(pg, end_sql, 2, params);
	int rc = res && PQntuples(res) == 1 ? CTL_OK : CTL_FAILED;
	if (res && rc == CTL_OK)
		printf("maintenance %s ended\n", id);
	else if (res)
		fprintf(stderr, "pantauctl: no open maintenance window %s\n", id);
	PQclear(res);
	PQfinish(pg);
	return rc;
}

int ctl_maintenance(int argc, char **argv)
{
	if (argc < 1) {
		usage(stderr);
		return CTL_USAGE;
	}
	if (strcmp(argv[0], "add") == 0)
		return cmd_add(argc - 1, argv + 1);
	if (strcmp(argv[0], "list") == 0)
		return cmd_list(argc - 1, argv + 1);
	if (strcmp(argv[0], "end") == 0)
		return cmd_end(argc - 1, argv + 1);
	if (strcmp(argv[0], "--help") == 0) {
		usage(stdout);
		return CTL_OK;
	}
	usage(stderr);
	return CTL_USAGE;
}
