/* pantauctl report redundancy: the time a group of redundant units spent
 * at N+1 or more, at N and below N, as signed evidence.
 *
 *   pantauctl report redundancy --group G [--rules FILE] [--required N]
 *       (--period P | --from T --to T) [--format csv|json] [--lang id|en]
 *       [--tz ZONE] [--dsn DSN] [--key FILE] [--out FILE]
 *   ... --format pdf --out X.pdf: an A4 report with its signed CSV sidecar
 *       X.pdf.csv (report_pdf.h)
 *
 * Groups are those of the alert rules file (`groups:`, the same the
 * redundancy_lost rules judge; --rules or $PANTAU_RULES): members and
 * min_up, the units that must work for the group to stay redundant. N, the
 * units the load needs, is min_up - 1 unless --required says otherwise.
 * Members' availability intervals (report.availability, every agent) go
 * through sla_redundancy. */
#include "alert_rule.h"
#include "ctl.h"
#include "perr.h"
#include "report.h"
#include "report_extra.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static const char *const cols[][2] = {
	{"grup", "group"},
	{"anggota", "members"},
	{"unit_dibutuhkan_n", "required_n"},
	{"periode_mulai", "period_start"},
	{"periode_selesai", "period_end"},
	{"detik_periode", "period_s"},
	{"detik_n_plus_1", "n_plus_1_s"},
	{"detik_tepat_n", "at_n_s"},
	{"detik_di_bawah_n", "below_n_s"},
	{"detik_tidak_diketahui", "unknown_s"},
	{"persen_n_plus_1", "n_plus_1_pct"},
};
enum { NCOLS = sizeof(cols) / sizeof(cols[0]) };

static const struct alert_group *find_group(const struct alert_rules *rs, const char *name)
{
	for (size_t i = 0; i < rs->ngroups; i++)
		if (!strcmp(rs->groups[i].name, name))
			return &rs->groups[i];
	return NULL;
}

/* Every interval of device name in d (all its agents) into one array. */
static int member_intervals(const struct report_data *d, const char *name, struct sla_interval **iv,
			    size_t *n)
{
	size_t total = 0;
	for (size_t i = 0; i < d->n; i++)
		if (!strcmp(d->s[i].name, name))
			total += d->s[i].n;
	*iv = calloc(total ? total : 1, sizeof(**iv));
	if (!*iv)
		return -ENOMEM;
	*n = 0;
	for (size_t i = 0; i < d->n; i++)
		if (!strcmp(d->s[i].name, name)) {
			memcpy(*iv + *n, d->s[i].iv, d->s[i].n * sizeof(**iv));
			*n += d->s[i].n;
		}
	return 0;
}

static int row(struct evidence_writer *w, const struct rx_opts *o, const struct alert_group *g,
	       unsigned required, const struct sla_redundancy *r)
{
	char members[1024] = "", req[16], from[40], to[40], period[24], above[24], atn[24],
	     below[24], unk[24], pct[24];
	for (size_t i = 0; i < g->ndevices; i++) {
		size_t len = strlen(members);
		snprintf(members + len, sizeof(members) - len, "%s%s", i ? " " : "", g->devices[i]);
	}
	snprintf(req, sizeof(req), "%u", required);
	sla_time_format(o->from, o->tz_offset, from, sizeof(from));
	sla_time_format(o->to, o->tz_offset, to, sizeof(to));
	snprintf(period, sizeof(period), "%" PRId64, r->period);
	snprintf(above, sizeof(above), "%" PRId64, r->above);
	snprintf(atn, sizeof(atn), "%" PRId64, r->at_n);
	snprintf(below, sizeof(below), "%" PRId64, r->below);
	snprintf(unk, sizeof(unk), "%" PRId64, r->unknown);
	snprintf(pct, sizeof(pct), "%.4f",
		 r->period ? 100.0 * (double)r->above / (double)r->period : 0.0);
	struct evidence_field f[NCOLS] = {
		{g->name, false}, {members, false}, {req, true},   {from, false},
		{to, false},	  {period, true},   {above, true}, {atn, true},
		{below, true},	  {unk, true},	    {pct, true},
	};
	return evidence_row(w, f);
}

/* --format pdf: the group, then the time at each level with its share. */
struct red_pdf {
	char members[1024], req[16], dur[5][40], secs[5][32], share[5][24];
	const char *group[3], *levels[5 * 4];
	bool alert[5];
	struct report_pdf_table t[2];
	struct report_pdf_doc doc;
};

static const struct report_pdf_col group_cols[] = {
	{RPL_GROUP, 110, false}, {RPL_MEMBERS, 281, false}, {RPL_REQUIRED_N, 120, true}};
static const struct report_pdf_col level_cols[] = {{RPL_LEVEL, 150, false},
						   {RPL_DURATION, 120, true},
						   {RPL_SECONDS, 120, true},
						   {RPL_SHARE, 121, true}};

static void pdf_doc(struct red_pdf *x, const struct rx_opts *o, const struct alert_group *g,
		    unsigned required, const struct sla_redundancy *r)
{
	static const enum rpl_label names[] = {RPL_N_PLUS_1, RPL_AT_N, RPL_BELOW_N, RPL_UNKNOWN,
					       RPL_PERIOD_TOTAL};
	const int64_t v[] = {r->above, r->at_n, r->below, r->unknown, r->period};
	x->members[0] = '\0';
	for (size_t i = 0; i < g->ndevices; i++) {
		size_t len = strlen(x->members);
		snprintf(x->members + len, sizeof(x->members) - len, "%s%s", i ? ", " : "",
			 g->devices[i]);
	}
	snprintf(x->req, sizeof(x->req), "%u", required);
	x->group[0] = g->name;
	x->group[1] = x->members;
	x->group[2] = x->req;
	for (size_t i = 0; i < 5; i++) {
		rpl_fmt_duration(v[i], o->en, x->dur[i], sizeof(x->dur[i]));
		rpl_fmt_int(v[i], o->en, x->secs[i], sizeof(x->secs[i]));
		rpl_fmt_pct(r->period ? 100.0 * (double)v[i] / (double)r->period : 0.0, 4, o->en,
			    x->share[i], sizeof(x->share[i]));
		x->levels[4 * i] = rpl_label(names[i], o->en);
		x->levels[4 * i + 1] = x->dur[i];
		x->levels[4 * i + 2] = x->secs[i];
		x->levels[4 * i + 3] = x->share[i];
		x->alert[i] = i == 2 && v[i] > 0; /* time below N */
	}
	x->t[0] = (struct report_pdf_table){RPL_GROUP_TABLE, RPL_NO_DATA, group_cols, 3,
					    x->group,	     NULL,	  1};
	x->t[1] = (struct report_pdf_table){RPL_LEVEL_TABLE, RPL_NO_DATA, level_cols, 4,
					    x->levels,	     x->alert,	  5};
	x->doc = (struct report_pdf_doc){
		RPL_TITLE_REDUNDANCY, RPL_REDUNDANCY_NOTE, NULL, 0, x->t, 2};
}

static int compute(const struct rx_opts *o, const struct alert_group *g, unsigned required,
		   const struct report_data *d, struct sla_redundancy *r)
{
	struct sla_member *m = calloc(g->ndevices ? g->ndevices : 1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	int rc = 0;
	size_t k = 0;
	for (; rc == 0 && k < g->ndevices; k++) {
		struct sla_interval *iv;
		rc = member_intervals(d, g->devices[k], &iv, &m[k].n);
		m[k].iv = rc == 0 ? iv : NULL;
	}
	if (rc == 0)
		rc = sla_redundancy(o->from, o->to, m, g->ndevices, required, r);
	for (size_t i = 0; i < g->ndevices; i++)
		free((void *)m[i].iv);
	free(m);
	return rc;
}

static int load(const struct rx_opts *o, struct report_data *d)
{
	PGconn *pg = rx_connect(o);
	if (!pg)
		return -EIO;
	struct report_filter f = {o->from, o->to, "device", ""};
	char err[512];
	int rc = report_load(pg, &f, d, err, sizeof(err));
	if (rc < 0)
		fprintf(stderr, "pantauctl report redundancy: reading availability failed: %s\n",
			err);
	PQfinish(pg);
	return rc;
}

static int group_of(const struct rx_opts *o, struct alert_rules *rs, const struct alert_group **g,
		    unsigned *required)
{
	const char *rules = o->rules ? o->rules : getenv("PANTAU_RULES");
	if (!o->group || !rules || !rules[0]) {
		fprintf(stderr, "pantauctl report redundancy: give --group G and --rules FILE "
				"(or set PANTAU_RULES)\n");
		return CTL_USAGE;
	}
	struct perr err = {0};
	if (alert_rules_load(rules, rs, &err) < 0) {
		fprintf(stderr, "pantauctl report redundancy: %s\n", err.msg);
		return CTL_FAILED;
	}
	if (!(*g = find_group(rs, o->group))) {
		fprintf(stderr, "pantauctl report redundancy: no group '%s' in %s\n", o->group,
			rules);
		return CTL_FAILED;
	}
	long n = (*g)->min_up > 1 ? (long)(*g)->min_up - 1 : 1;
	if (o->required) {
		char *end;
		n = strtol(o->required, &end, 10);
		if (*end || n < 1 || n > 1000) {
			fprintf(stderr, "pantauctl report redundancy: --required is 1..1000\n");
			return CTL_USAGE;
		}
	}
	*required = (unsigned)n;
	return 0;
}

int ctl_report_redundancy(int argc, char **argv)
{
	static const char *const extra[] = {"--group", "--rules", "--required", NULL};
	struct rx_opts o = {.name = "redundancy"};
	struct alert_rules rs = {0};
	const struct alert_group *g = NULL;
	unsigned required = 1;
	int rc = rx_parse(argc, argv, &o, extra);
	if (rc == 0)
		rc = group_of(&o, &rs, &g, &required);
	if (rc) {
		alert_rules_free(&rs);
		return rc;
	}
	struct report_data d;
	struct sla_redundancy r;
	if (load(&o, &d) < 0) {
		alert_rules_free(&rs);
		return CTL_FAILED;
	}
	rc = compute(&o, g, required, &d, &r);
	report_data_free(&d);
	const char *names[NCOLS];
	for (size_t i = 0; i < NCOLS; i++)
		names[i] = cols[i][o.en];
	struct buf out;
	buf_init(&out, (size_t)1 << 24);
	struct evidence_writer w;
	if (rc == 0)
		rc = rx_begin(&w, &out, &o, NULL, NULL, 0, names, NCOLS);
	if (rc == 0)
		rc = row(&w, &o, g, required, &r);
	struct red_pdf x;
	if (rc == 0 && o.pdf)
		pdf_doc(&x, &o, g, required, &r);
	int exit_code = rx_finish(&w, &out, &o, rc, rc == 0 && o.pdf ? &x.doc : NULL);
	buf_free(&out);
	alert_rules_free(&rs);
	return exit_code;
}
