/* pantauctl evidence audit: the append-only audit log of evidence tables
 * (pantau.audit_log, migration 007) and its hash chain.
 *
 *   pantauctl evidence audit [--verify] [--table T] [--limit N] [--dsn DSN]
 *
 * Lists who changed maintenance windows, backup runs and jobs, SLA targets
 * and availability corrections, when (newest last). --verify recomputes
 * every row's hash, SHA-256(previous hash || canonical text) with 32 zero
 * bytes before the first row, from report.audit_log (so pantau_auditor may
 * run it) and names the first row where the chain breaks: a row whose
 * content was changed, or rows removed before it (a gap in the ids where
 * the hashes no longer link). Exit 0 intact, 1 broken or failed. */
#include "ctl.h"

#include <libpq-fe.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct audit_args {
	bool verify;
	const char *table, *limit, *dsn;
};

static const char list_sql[] =
	"SELECT id, to_char(at, 'YYYY-MM-DD\"T\"HH24:MI:SSOF'), \"table\", COALESCE(row_id, ''),"
	" action, db_user, application_name FROM ("
	"  SELECT * FROM report.audit_log WHERE ($1 = '' OR \"table\" = $1)"
	"  ORDER BY id DESC LIMIT $2::bigint) x ORDER BY id";

static const char chain_sql[] =
	"SELECT id, hash, canonical, \"table\", action FROM report.audit_log"
	" ORDER BY id";

static void usage(FILE *f)
{
	fprintf(f,
		"usage: pantauctl evidence audit [--verify] [--table T] [--limit N] [--dsn DSN]\n"
		"  lists changes to evidence tables (who, when, what); --verify checks the\n"
		"  hash chain and names the first row that breaks it\n");
}

static int parse(int argc, char **argv, struct audit_args *a)
{
	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--verify")) {
			a->verify = true;
			continue;
		}
		if (i + 1 >= argc)
			return -1;
		if (!strcmp(argv[i], "--table"))
			a->table = argv[++i];
		else if (!strcmp(argv[i], "--limit"))
			a->limit = argv[++i];
		else if (!strcmp(argv[i], "--dsn"))
			a->dsn = argv[++i];
		else
			return -1;
	}
	if (a->limit) {
		char *end;
		long long n = strtoll(a->limit, &end, 10);
		if (*end || n < 1)
			return -1;
	}
	return 0;
}

static int hex_byte(const char *p)
{
	int v = 0;
	for (int i = 0; i < 2; i++) {
		char c = p[i];
		int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
		if (d < 0)
			return -1;
		v = v * 16 + d;
	}
	return v;
}

/* out = SHA-256(prev || text). */
static bool link_hash(const uint8_t prev[32], const char *text, uint8_t out[32])
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	unsigned n = 0;
	bool ok = c && EVP_DigestInit_ex(c, EVP_sha256(), NULL) == 1 &&
		  EVP_DigestUpdate(c, prev, 32) == 1 &&
		  EVP_DigestUpdate(c, text, strlen(text)) == 1 &&
		  EVP_DigestFinal_ex(c, out, &n) == 1 && n == 32;
	EVP_MD_CTX_free(c);
	return ok;
}

static bool stored_hash(const char *hex, uint8_t out[32])
{
	if (strlen(hex) != 64)
		return false;
	for (int i = 0; i < 32; i++) {
		int b = hex_byte(hex + 2 * i);
		if (b < 0)
			return false;
		out[i] = (uint8_t)b;
	}
	return true;
}

/* Walks the chain; prints the verdict. */
static int verify(const PGresult *res)
{
	uint8_t prev[32] = {0}, want[32], got[32];
	long long last_id = 0;
	int n = PQntuples(res);
	for (int r = 0; r < n; r++) {
		long long id = strtoll(PQgetvalue(res, r, 0), NULL, 10);
		if (!stored_hash(PQgetvalue(res, r, 1), got) ||
		    !link_hash(prev, PQgetvalue(res, r, 2), want)) {
			printf("NOT intact: audit row id %lld: unreadable hash\n", id);
			return CTL_FAILED;
		}
		if (memcmp(want, got, 32) != 0) {
			if (r > 0 && id != last_id + 1)
				printf("NOT intact: the chain breaks at audit row id %lld (%s %s): "
				       "rows between id %lld and id %lld were removed, or this row "
				       "was changed\n",
				       id, PQgetvalue(res, r, 3), PQgetvalue(res, r, 4), last_id,
				       id);
			else
				printf("NOT intact: audit row id %lld (%s %s) was changed: its "
				       "hash does not match its content\n",
				       id, PQgetvalue(res, r, 3), PQgetvalue(res, r, 4));
			return CTL_FAILED;
		}
		memcpy(prev, got, 32);
		last_id = id;
	}
	char hex[65];
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", prev[i]);
	printf("intact: %d audit rows, last hash %s\n", n, n ? hex : "(none)");
	return CTL_OK;
}

static void list(const PGresult *res)
{
	printf("%-8s %-25s %-24s %-10s %-7s %-16s %s\n", "id", "at", "table", "row", "action",
	       "db_user", "application");
	for (int r = 0; r < PQntuples(res); r++)
		printf("%-8s %-25s %-24s %-10s %-7s %-16s %s\n", PQgetvalue(res, r, 0),
		       PQgetvalue(res, r, 1), PQgetvalue(res, r, 2), PQgetvalue(res, r, 3),
		       PQgetvalue(res, r, 4), PQgetvalue(res, r, 5), PQgetvalue(res, r, 6));
}

int ctl_evidence_audit(int argc, char **argv)
{
	struct audit_args a = {0};
	if (parse(argc, argv, &a) < 0) {
		usage(stderr);
		return CTL_USAGE;
	}
	const char *dsn = a.dsn ? a.dsn : getenv("PANTAU_DSN");
	static const char *const keys[] = {"dbname", "application_name", NULL};
	const char *vals[] = {dsn ? dsn : "", "pantauctl", NULL};
	PGconn *pg = PQconnectdbParams(keys, vals, 1);
	if (!pg || PQstatus(pg) != CONNECTION_OK) {
		fprintf(stderr, "pantauctl evidence audit: cannot connect: %s",
			pg ? PQerrorMessage(pg) : "out of memory\n");
		PQfinish(pg);
		return CTL_FAILED;
	}
	const char *params[] = {a.table ? a.table : "", a.limit ? a.limit : "1000000000"};
	PGresult *res = a.verify ? PQexecParams(pg, chain_sql, 0, NULL, NULL, NULL, NULL, 0)
				 : PQexecParams(pg, list_sql, 2, NULL, params, NULL, NULL, 0);
	int rc = CTL_FAILED;
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		fprintf(stderr, "pantauctl evidence audit: %s", PQresultErrorMessage(res));
	else if (a.verify)
		rc = verify(res);
	else {
		list(res);
		rc = CTL_OK;
	}
	PQclear(res);
	PQfinish(pg);
	return rc;
}
