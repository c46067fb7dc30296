#include "migrate.h"
#include "log.h"

#include <errno.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Made before any migration so the applied versions can be read. */
static const char bootstrap_sql[] =
	"BEGIN; SET LOCAL client_min_messages = warning; "
	"CREATE SCHEMA IF NOT EXISTS pantau; "
	"CREATE TABLE IF NOT EXISTS pantau.schema_migrations ("
	" version integer PRIMARY KEY,"
	" name text NOT NULL,"
	" applied_at timestamptz NOT NULL DEFAULT now()); "
	"COMMIT";

/* Any constant: identifies pantau's migration lock among advisory locks. */
#define MIGRATE_LOCK_KEY "7040175"

int migrate_check_order(const struct migration *list, size_t n, struct perr *err)
{
	for (size_t i = 0; i < n; i++) {
		char prefix[16];
		snprintf(prefix, sizeof(prefix), "%03d_", list[i].version);
		if (list[i].version < 1)
			return perr_set(err, "migration %s: version %d (must be 1 or more)",
					list[i].name, list[i].version);
		if (strncmp(list[i].name, prefix, strlen(prefix)) != 0)
			return perr_set(err, "migration %s: name does not start with %s",
					list[i].name, prefix);
		if (i > 0 && list[i].version <= list[i - 1].version)
			return perr_set(err, "migration %s comes after %s: versions must increase",
					list[i].name, list[i - 1].name);
	}
	return 0;
}

static void on_notice(void *arg, const char *message)
{
	char text[600];
	snprintf(text, sizeof(text), "%s", message);
	size_t len = strlen(text);
	while (len > 0 && text[len - 1] == '\n')
		text[--len] = '\0';
	log_info("migrate", "%s", text);
}

static int exec_ok(PGconn *pg, const char *sql, const char *what, struct perr *err)
{
	PGresult *res = PQexec(pg, sql);
	ExecStatusType st = PQresultStatus(res);
	int rc = 0;
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
		rc = perr_setc(err, -EIO, "%s: %s", what, PQresultErrorMessage(res));
	PQclear(res);
	return rc;
}

static int is_applied(PGconn *pg, int version, bool *applied, struct perr *err)
{
	char v[16];
	snprintf(v, sizeof(v), "%d", version);
	const char *params[] = {v};
	PGresult *res = PQexecParams(pg, "SELECT 1 FROM pantau.schema_migrations WHERE version = $1",
				     1, NULL, params, NULL, NULL, 0);
	int rc = 0;
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		rc = perr_setc(err, -EIO, "reading pantau.schema_migrations: %s",
			       PQresultErrorMessage(res));
	else
		*applied = PQntuples(res) > 0;
	PQclear(res);
	return rc;
}

static int apply_one(PGconn *pg, const struct migration *m, struct perr *err)
{
	char what[160];
	snprintf(what, sizeof(what), "migration %s", m->name);
	int rc = exec_ok(pg, "BEGIN", what, err);
	if (rc == 0)
		rc = exec_ok(pg, m->sql, what, err);
	if (rc == 0) {
		char v[16];
		snprintf(v, sizeof(v), "%d", m->version);
		const char *params[] = {v, m->name};
		PGresult *res = PQexecParams(pg,
					     "INSERT INTO pantau.schema_migrations (version, name) "
					     "VALUES ($1, $2)",
					     2, NULL, params, NULL, NULL, 0);
		if (PQresultStatus(res) != PGRES_COMMAND_OK)
			rc = perr_setc(err, -EIO, "%s: recording it: %s", what,
				       PQresultErrorMessage(res));
		PQclear(res);
	}
	if (rc == 0)
		rc = exec_ok(pg, "COMMIT", what, err);
	if (rc < 0) {
		struct perr ignored;
		exec_ok(pg, "ROLLBACK", what, &ignored);
		return rc;
	}
	log_info("migrate", "applied %s", m->name);
	return 0;
}

static int apply_all(PGconn *pg, int *applied, struct perr *err)
{
	int rc = migrate_check_order(migrate_embedded, migrate_embedded_count, err);
	if (rc == 0)
		rc = exec_ok(pg, bootstrap_sql, "creating pantau.schema_migrations", err);
	for (size_t i = 0; rc == 0 && i < migrate_embedded_count; i++) {
		bool done = false;
		rc = is_applied(pg, migrate_embedded[i].version, &done, err);
		if (rc == 0 && !done) {
			rc = apply_one(pg, &migrate_embedded[i], err);
			if (rc == 0)
				(*applied)++;
		}
	}
	return rc;
}

int migrate_run(const char *dsn, int *applied, struct perr *err)
{
	int count = 0;
	static const char *const keys[] = {"dbname", "application_name", NULL};
	const char *values[] = {dsn, "pantau-collector migrate", NULL};
	PGconn *pg = PQconnectdbParams(keys, values, 1);
	if (!pg || PQstatus(pg) != CONNECTION_OK) {
		int rc = perr_setc(err, -ECONNREFUSED, "connecting to PostgreSQL: %s",
				   pg ? PQerrorMessage(pg) : "out of memory");
		PQfinish(pg);
		return rc;
	}
	PQsetNoticeProcessor(pg, on_notice, NULL);
	int rc = exec_ok(pg, "SELECT pg_advisory_lock(" MIGRATE_LOCK_KEY ")", "taking the lock",
			 err);
	if (rc == 0) {
		rc = apply_all(pg, &count, err);
		struct perr ignored;
		exec_ok(pg, "SELECT pg_advisory_unlock(" MIGRATE_LOCK_KEY ")", "unlock", &ignored);
	}
	PQfinish(pg);
	if (applied)
		*applied = count;
	return rc;
}
