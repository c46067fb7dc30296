/* pantauctl report: availability intervals and targets from PostgreSQL.
 * Reads the report schema only, so the auditor role (pantau_auditor) can
 * run it. */
#include "report.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char intervals_sql[] =
	"SELECT subject_kind, subject, agent, state, planned, COALESCE(cause, ''), "
	"floor(extract(epoch FROM start_at))::bigint, "
	"floor(extract(epoch FROM COALESCE(end_at, now())))::bigint "
	"FROM report.availability "
	"WHERE start_at < to_timestamp($2::bigint) "
	"AND (end_at IS NULL OR end_at > to_timestamp($1::bigint)) "
	"AND ($3 = '' OR subject_kind = $3) AND ($4 = '' OR subject = $4) "
	"ORDER BY subject_kind, subject, agent, start_at";

/* Recurrence expanded in SQL, exactly as pantau.maintenance_active judges
 * a moment; group windows reach group subjects, and member devices when
 * the caller passes the groups of the rules file ($5). */
static const char windows_sql[] =
	"SELECT subject_kind, subject, agent, floor(extract(epoch FROM start_at))::bigint, "
	"ceil(extract(epoch FROM end_at))::bigint, COALESCE(reason, '') "
	"FROM report.availability_windows(to_timestamp($1::bigint), to_timestamp($2::bigint), "
	"$5::jsonb) "
	"WHERE ($3 = '' OR subject_kind = $3) AND ($4 = '' OR subject = $4)";

static const char targets_sql[] = "SELECT subject_kind, subject, target_pct::text "
				  "FROM report.sla_targets";

int report_parse_pct(const char *s, uint32_t *ppm)
{
	uint64_t whole = 0, frac = 0;
	int digits = 0, fdigits = 0;
	const char *p = s;
	for (; *p >= '0' && *p <= '9' && digits < 4; p++, digits++)
		whole = whole * 10 + (uint64_t)(*p - '0');
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9' && fdigits < 4; p++, fdigits++)
			frac = frac * 10 + (uint64_t)(*p - '0');
	if (*p || digits == 0)
		return -EINVAL;
	for (int i = fdigits; i < 4; i++)
		frac *= 10;
	uint64_t v = whole * 10000 + frac;
	if (v == 0 || v > 1000000)
		return -EINVAL;
	*ppm = (uint32_t)v;
	return 0;
}

static void subject_free(struct report_subject *s)
{
	for (size_t i = 0; i < s->n; i++)
		free((char *)s->iv[i].cause);
	for (size_t i = 0; i < s->nwin; i++)
		free((char *)s->win[i].cause);
	free(s->win);
	free(s->iv);
	free(s->kind);
	free(s->name);
	free(s->agent);
}

void report_data_free(struct report_data *d)
{
	for (size_t i = 0; i < d->n; i++)
		subject_free(&d->s[i]);
	free(d->s);
	memset(d, 0, sizeof(*d));
}

/* The subject for (kind, name, agent): the last one (rows come sorted) or
 * a new one. NULL on ENOMEM. */
static struct report_subject *subject_for(struct report_data *d, const char *kind, const char *name,
					  const char *agent)
{
	struct report_subject *s = d->n ? &d->s[d->n - 1] : NULL;
	if (s && !strcmp(s->kind, kind) && !strcmp(s->name, name) && !strcmp(s->agent, agent))
		return s;
	if (d->n == d->cap) {
		size_t cap = d->cap ? 2 * d->cap : 16;
		struct report_subject *p = realloc(d->s, cap * sizeof(*p));
		if (!p)
			return NULL;
		d->s = p;
		d->cap = cap;
	}
	s = &d->s[d->n];
	*s = (struct report_subject){
		.kind = strdup(kind), .name = strdup(name), .agent = strdup(agent)};
	if (!s->kind || !s->name || !s->agent) {
		subject_free(s);
		return NULL;
	}
	d->n++;
	return s;
}

static int add_row(struct report_data *d, const PGresult *res, int row)
{
	struct report_subject *s = subject_for(d, PQgetvalue(res, row, 0), PQgetvalue(res, row, 1),
					       PQgetvalue(res, row, 2));
	if (!s)
		return -ENOMEM;
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 8;
		struct sla_interval *p = realloc(s->iv, cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		s->iv = p;
		s->cap = cap;
	}
	struct sla_interval *iv = &s->iv[s->n];
	*iv = (struct sla_interval){0};
	if (sla_state_parse(PQgetvalue(res, row, 3), &iv->state) < 0)
		iv->state = SLA_UNKNOWN;
	iv->planned = PQgetvalue(res, row, 4)[0] == 't';
	const char *cause = PQgetvalue(res, row, 5);
	iv->start = strtoll(PQgetvalue(res, row, 6), NULL, 10);
	iv->end = strtoll(PQgetvalue(res, row, 7), NULL, 10);
	if (cause[0] && !(iv->cause = strdup(cause)))
		return -ENOMEM;
	s->n++;
	return 0;
}

static PGresult *query(PGconn *pg, const char *sql, int n, const char *const *params, char *err,
		       size_t errlen);

/* One window row onto its subject (loaded before: the query lists only
 * subjects with intervals in the period). */
static int add_window(struct report_data *d, const PGresult *res, int row)
{
	struct report_subject *s = NULL;
	for (size_t i = 0; !s && i < d->n; i++)
		if (!strcmp(d->s[i].kind, PQgetvalue(res, row, 0)) &&
		    !strcmp(d->s[i].name, PQgetvalue(res, row, 1)) &&
		    !strcmp(d->s[i].agent, PQgetvalue(res, row, 2)))
			s = &d->s[i];
	if (!s)
		return 0;
	if (s->nwin == s->wcap) {
		size_t cap = s->wcap ? 2 * s->wcap : 4;
		struct sla_window *p = realloc(s->win, cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		s->win = p;
		s->wcap = cap;
	}
	struct sla_window *w = &s->win[s->nwin];
	w->start = strtoll(PQgetvalue(res, row, 3), NULL, 10);
	w->end = strtoll(PQgetvalue(res, row, 4), NULL, 10);
	const char *why = PQgetvalue(res, row, 5);
	w->cause = NULL;
	if (why[0] && !(w->cause = strdup(why)))
		return -ENOMEM;
	s->nwin++;
	return 0;
}

static int load_windows(PGconn *pg, const char *const *params, struct report_data *d, char *err,
			size_t errlen)
{
	PGresult *res = query(pg, windows_sql, 5, params, err, errlen);
	if (!res)
		return -EIO;
	int rc = 0;
	for (int r = 0; rc == 0 && r < PQntuples(res); r++)
		rc = add_window(d, res, r);
	PQclear(res);
	return rc;
}

static void set_targets(struct report_data *d, const PGresult *res)
{
	for (int r = 0; r < PQntuples(res); r++) {
		uint32_t ppm;
		if (report_parse_pct(PQgetvalue(res, r, 2), &ppm) < 0)
			continue; /* the table's CHECK keeps it in range; 5+ decimals cannot occur
				   */
		for (size_t i = 0; i < d->n; i++)
			if (!strcmp(d->s[i].kind, PQgetvalue(res, r, 0)) &&
			    !strcmp(d->s[i].name, PQgetvalue(res, r, 1)))
				d->s[i].target_ppm = ppm;
	}
}

static PGresult *query(PGconn *pg, const char *sql, int n, const char *const *params, char *err,
		       size_t errlen)
{
	PGresult *res = PQexecParams(pg, sql, n, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) == PGRES_TUPLES_OK)
		return res;
	snprintf(err, errlen, "%s", PQresultErrorMessage(res));
	size_t len = strlen(err);
	while (len && (err[len - 1] == '\n' || err[len - 1] == ' '))
		err[--len] = '\0';
	PQclear(res);
	return NULL;
}

int report_load(PGconn *pg, const struct report_filter *f, struct report_data *d, char *err,
		size_t errlen)
{
	memset(d, 0, sizeof(*d));
	char from[24], to[24];
	snprintf(from, sizeof(from), "%" PRId64, f->from);
	snprintf(to, sizeof(to), "%" PRId64, f->to);
	const char *params[] = {from, to, f->kind, f->subject, f->groups ? f->groups : "{}"};
	PGresult *res = query(pg, intervals_sql, 4, params, err, errlen);
	if (!res)
		return -EIO;
	int rc = 0;
	for (int r = 0; rc == 0 && r < PQntuples(res); r++)
		rc = add_row(d, res, r);
	PQclear(res);
	if (rc == 0)
		rc = load_windows(pg, params, d, err, errlen);
	if (rc == 0 && (res = query(pg, targets_sql, 0, NULL, err, errlen)) != NULL) {
		set_targets(d, res);
		PQclear(res);
	} else if (rc == 0) {
		rc = -EIO;
	}
	if (rc == -ENOMEM)
		snprintf(err, errlen, "out of memory");
	if (rc < 0)
		report_data_free(d);
	return rc;
}
