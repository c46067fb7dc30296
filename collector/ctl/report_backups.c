/* pantauctl report backups: backup SLA figures per job as signed evidence.
 *
 *   pantauctl report backups (--period P | --from T --to T) [--job NAME]
 *       [--rpo DURATION] [--format csv|json|pdf] [--lang id|en] [--tz ZONE]
 *       [--dsn DSN] [--key FILE] [--out FILE]
 *
 * --format pdf --out X.pdf: an A4 report (three tables: RPO adherence,
 * success rate, last good backup and restore test) with its signed CSV
 * sidecar X.pdf.csv (report_pdf.h).
 *
 * Per job: RPO adherence over the period, success rate, last good backup,
 * age of the last restore test, size range breaches (collector/backup_sla.h
 * does the arithmetic). Observations come from the agents' checks
 * (report.backup_checks: backup.ok, backup.status, backup.age, backup.size
 * samples of kind-backup devices) and from runs backup software posted
 * (report.backup_run_reports). A job's RPO and size range are those of
 * report.backup_jobs, else the newest backup.rpo its agent sent, else
 * --rpo; a job with none has empty adherence columns. Reads the report
 * schema only (pantau_auditor may run it). */
#include "backup_sla.h"
#include "ctl.h"
#include "report_extra.h"
#include "sla.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* One row per distinct observation, with how many checks it stands for:
 * a year of checks every few minutes collapses to one row per backup. The
 * newest good check before the period is there too (it may still cover the
 * period's start); it falls outside the period's counts. */
static const char obs_sql[] =
	"WITH c AS ("
	" SELECT job, ts, ok, COALESCE(status, -1) AS status,"
	"  floor(extract(epoch FROM made_at))::bigint AS made, COALESCE(size_bytes, -1) AS size"
	" FROM report.backup_checks WHERE ts < to_timestamp($2::bigint) AND ($3 = '' OR job = $3))"
	" SELECT job, 'c', floor(extract(epoch FROM max(ts)))::bigint, made, ok, status, size,"
	"  false, count(*) FROM c WHERE ts >= to_timestamp($1::bigint)"
	"  GROUP BY job, ok, status, made, size"
	" UNION ALL"
	" SELECT * FROM (SELECT DISTINCT ON (job) job, 'c', floor(extract(epoch FROM ts))::bigint,"
	"  made, ok, status, size, false, 1::bigint FROM c"
	"  WHERE ts < to_timestamp($1::bigint) AND ok AND made IS NOT NULL ORDER BY job, ts DESC) p"
	" UNION ALL"
	" SELECT job, 'r', floor(extract(epoch FROM finished_at))::bigint,"
	"  floor(extract(epoch FROM finished_at))::bigint, ok, -1, COALESCE(size_bytes, -1),"
	"  restore_test, 1 FROM report.backup_run_reports"
	" WHERE finished_at < to_timestamp($2::bigint) AND ($3 = '' OR job = $3)"
	" ORDER BY 1";

/* Per job: RPO (s), min, max size from report.backup_jobs or the newest
 * backup.rpo sample before the period's end. */
static const char limits_sql[] =
	"SELECT j.job, COALESCE(floor(extract(epoch FROM b.rpo))::bigint,"
	"  (SELECT floor(rpo_s)::bigint FROM report.backup_checks c WHERE c.job = j.job"
	"   AND c.rpo_s IS NOT NULL AND c.ts < to_timestamp($2::bigint) ORDER BY ts DESC LIMIT 1),"
	"  -1), COALESCE(b.min_size, -1), COALESCE(b.max_size, -1)"
	" FROM (SELECT job FROM report.backup_jobs UNION SELECT DISTINCT job FROM"
	"  report.backup_checks WHERE ts < to_timestamp($2::bigint) UNION SELECT DISTINCT job"
	"  FROM report.backup_run_reports WHERE finished_at < to_timestamp($2::bigint)) j"
	" LEFT JOIN report.backup_jobs b ON b.job = j.job"
	" WHERE ($3 = '' OR j.job = $3) AND $1::bigint IS NOT NULL ORDER BY 1";

static const char *const cols[][2] = {
	{"tugas_cadangan", "job"},
	{"periode_mulai", "period_start"},
	{"periode_selesai", "period_end"},
	{"rpo_detik", "rpo_s"},
	{"detik_periode", "period_s"},
	{"detik_dalam_rpo", "within_rpo_s"},
	{"detik_melewati_rpo", "rpo_breach_s"},
	{"pelanggaran_rpo_terlama_detik", "longest_rpo_breach_s"},
	{"kepatuhan_rpo_persen", "rpo_adherence_pct"},
	{"jumlah_pemeriksaan", "checks"},
	{"pemeriksaan_ok", "checks_ok"},
	{"jumlah_eksekusi", "runs"},
	{"eksekusi_ok", "runs_ok"},
	{"tingkat_keberhasilan_persen", "success_pct"},
	{"dasar_keberhasilan", "success_basis"},
	{"cadangan_baik_terakhir", "last_good_backup"},
	{"umur_cadangan_baik_terakhir_detik", "last_good_age_s"},
	{"uji_pemulihan_terakhir", "last_restore_test"},
	{"umur_uji_pemulihan_detik", "restore_test_age_s"},
	{"pelanggaran_ukuran", "size_breaches"},
};
enum { NCOLS = sizeof(cols) / sizeof(cols[0]) };

struct job {
	char name[256];
	struct backup_job_limits lim;
	struct backup_obs *obs;
	size_t n, cap;
};

static int add_obs(struct job *j, const PGresult *res, int r)
{
	if (j->n == j->cap) {
		size_t cap = j->cap ? 2 * j->cap : 16;
		struct backup_obs *p = realloc(j->obs, cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		j->obs = p;
		j->cap = cap;
	}
	bool run = PQgetvalue(res, r, 1)[0] == 'r';
	struct backup_obs *o = &j->obs[j->n++];
	*o = (struct backup_obs){
		.kind = run ? BACKUP_OBS_RUN : BACKUP_OBS_CHECK,
		.ts = strtoll(PQgetvalue(res, r, 2), NULL, 10),
		.made = PQgetisnull(res, r, 3) ? BACKUP_SLA_NONE
					       : strtoll(PQgetvalue(res, r, 3), NULL, 10),
		.ok = PQgetvalue(res, r, 4)[0] == 't',
		.status = (int)strtol(PQgetvalue(res, r, 5), NULL, 10),
		.size = strtoll(PQgetvalue(res, r, 6), NULL, 10),
		.restore_test = PQgetvalue(res, r, 7)[0] == 't',
		.count = strtoull(PQgetvalue(res, r, 8), NULL, 10),
	};
	return 0;
}

static void fmt_time(const struct rx_opts *o, int64_t t, char *out, size_t n, char *age,
		     size_t agen)
{
	if (t == BACKUP_SLA_NONE) {
		out[0] = age[0] = '\0';
		return;
	}
	sla_time_format(t, o->tz_offset, out, n);
	snprintf(age, agen, "%" PRId64, o->to - t);
}

static int job_compute(const struct rx_opts *o, const struct job *j, struct backup_sla *r)
{
	struct backup_job_limits lim = j->lim;
	if (lim.rpo <= 0)
		lim.rpo = 1; /* rates, last backup and sizes need no RPO */
	return backup_sla_compute(o->from, o->to, j->obs, j->n, &lim, r);
}

static const char *basis_of(const struct rx_opts *o, const struct backup_sla *r)
{
	return r->success_from_runs ? (o->en ? "runs" : "eksekusi")
	       : r->checks	    ? (o->en ? "checks" : "pemeriksaan")
				    : NULL;
}

static int job_row(struct evidence_writer *w, const struct rx_opts *o, const struct job *j,
		   const struct backup_sla *rp)
{
	const struct backup_sla r = *rp;
	bool has_rpo = j->lim.rpo > 0;
	char from[40], to[40], rpo[24], period[24], within[24], breach[24], longest[24], adh[24],
		ch[24], chok[24], runs[24], runsok[24], succ[24], good[40], goodage[24], rt[40],
		rtage[24], sizes[24];
	sla_time_format(o->from, o->tz_offset, from, sizeof(from));
	sla_time_format(o->to, o->tz_offset, to, sizeof(to));
	snprintf(rpo, sizeof(rpo), "%" PRId64, j->lim.rpo);
	snprintf(period, sizeof(period), "%" PRId64, r.period);
	snprintf(within, sizeof(within), "%" PRId64, r.within_rpo);
	snprintf(breach, sizeof(breach), "%" PRId64, r.breach);
	snprintf(longest, sizeof(longest), "%" PRId64, r.longest_breach);
	snprintf(adh, sizeof(adh), "%.4f", r.adherence_pct);
	snprintf(ch, sizeof(ch), "%" PRIu64, r.checks);
	snprintf(chok, sizeof(chok), "%" PRIu64, r.checks_ok);
	snprintf(runs, sizeof(runs), "%" PRIu64, r.runs);
	snprintf(runsok, sizeof(runsok), "%" PRIu64, r.runs_ok);
	snprintf(succ, sizeof(succ), "%.4f", r.success_pct);
	snprintf(sizes, sizeof(sizes), "%" PRIu64, r.size_breaches);
	fmt_time(o, r.last_good, good, sizeof(good), goodage, sizeof(goodage));
	fmt_time(o, r.last_restore_test, rt, sizeof(rt), rtage, sizeof(rtage));
	const char *basis = basis_of(o, &r);
	bool rate = r.success_pct >= 0;
	struct evidence_field f[NCOLS] = {
		{j->name, false},
		{from, false},
		{to, false},
		{has_rpo ? rpo : NULL, true},
		{period, true},
		{has_rpo ? within : NULL, true},
		{has_rpo ? breach : NULL, true},
		{has_rpo ? longest : NULL, true},
		{has_rpo ? adh : NULL, true},
		{ch, true},
		{chok, true},
		{runs, true},
		{runsok, true},
		{rate ? succ : NULL, true},
		{basis, false},
		{good[0] ? good : NULL, false},
		{goodage[0] ? goodage : NULL, true},
		{rt[0] ? rt : NULL, false},
		{rtage[0] ? rtage : NULL, true},
		{sizes, true},
	};
	return evidence_row(w, f);
}

/* --format pdf: the figures of every job in three tables. */
#define DASH "\xe2\x80\x93"	 /* an en dash: no value */
enum { T1 = 6, T2 = 6, T3 = 5 }; /* columns */

struct job_cells {
	char rpo[40], within[40], breach[40], longest[40], adh[24], checks[56], runs[56], succ[24],
		sizes[24], good[32], goodage[40], rt[32], rtage[40];
};

struct bk_pdf {
	struct job_cells *c;
	const char **t1, **t2, **t3;
	bool *a1, *a2;
	struct report_pdf_table t[3];
	struct report_pdf_doc doc;
};

static const struct report_pdf_col rpo_cols[T1] = {
	{RPL_JOB, 131, false},		{RPL_RPO, 60, true},
	{RPL_WITHIN_RPO, 80, true},	{RPL_RPO_BREACH, 80, true},
	{RPL_LONGEST_BREACH, 80, true}, {RPL_RPO_ADHERENCE, 80, true}};
static const struct report_pdf_col runs_cols[T2] = {
	{RPL_JOB, 131, false},	      {RPL_CHECKS_OK, 76, true}, {RPL_RUNS_OK, 76, true},
	{RPL_SUCCESS_RATE, 76, true}, {RPL_BASIS, 76, false},	 {RPL_SIZE_BREACHES, 76, true}};
static const struct report_pdf_col last_cols[T3] = {{RPL_JOB, 131, false},
						    {RPL_LAST_GOOD, 100, false},
						    {RPL_AGE, 90, true},
						    {RPL_LAST_RESTORE, 100, false},
						    {RPL_AGE, 90, true}};

static void bk_pdf_free(struct bk_pdf *x)
{
	free(x->c);
	free(x->t1);
	free(x->t2);
	free(x->t3);
	free(x->a1);
	free(x->a2);
}

static void fmt_when(const struct rx_opts *o, int64_t t, char *when, size_t wn, char *age,
		     size_t an)
{
	if (t == BACKUP_SLA_NONE) {
		snprintf(when, wn, DASH);
		snprintf(age, an, DASH);
		return;
	}
	rpl_fmt_time(t, o->tz_offset, when, wn);
	when[16] = '\0'; /* to the minute */
	rpl_fmt_duration(o->to - t, o->en, age, an);
}

static void fmt_ratio(const struct rx_opts *o, uint64_t ok, uint64_t all, char *out, size_t n)
{
	char a[24], b[24];
	rpl_fmt_int((int64_t)ok, o->en, a, sizeof(a));
	rpl_fmt_int((int64_t)all, o->en, b, sizeof(b));
	snprintf(out, n, "%s/%s", a, b);
}

static void job_cells(const struct rx_opts *o, const struct job *j, const struct backup_sla *r,
		      struct job_cells *c)
{
	if (j->lim.rpo > 0) {
		rpl_fmt_duration(j->lim.rpo, o->en, c->rpo, sizeof(c->rpo));
		rpl_fmt_duration(r->within_rpo, o->en, c->within, sizeof(c->within));
		rpl_fmt_duration(r->breach, o->en, c->breach, sizeof(c->breach));
		rpl_fmt_duration(r->longest_breach, o->en, c->longest, sizeof(c->longest));
		rpl_fmt_pct(r->adherence_pct, 4, o->en, c->adh, sizeof(c->adh));
	} else {
		snprintf(c->rpo, sizeof(c->rpo), DASH);
		snprintf(c->within, sizeof(c->within), DASH);
		snprintf(c->breach, sizeof(c->breach), DASH);
		snprintf(c->longest, sizeof(c->longest), DASH);
		snprintf(c->adh, sizeof(c->adh), DASH);
	}
	fmt_ratio(o, r->checks_ok, r->checks, c->checks, sizeof(c->checks));
	fmt_ratio(o, r->runs_ok, r->runs, c->runs, sizeof(c->runs));
	if (r->success_pct >= 0)
		rpl_fmt_pct(r->success_pct, 4, o->en, c->succ, sizeof(c->succ));
	else
		snprintf(c->succ, sizeof(c->succ), DASH);
	rpl_fmt_int((int64_t)r->size_breaches, o->en, c->sizes, sizeof(c->sizes));
	fmt_when(o, r->last_good, c->good, sizeof(c->good), c->goodage, sizeof(c->goodage));
	fmt_when(o, r->last_restore_test, c->rt, sizeof(c->rt), c->rtage, sizeof(c->rtage));
}

static int bk_pdf_build(struct bk_pdf *x, const struct rx_opts *o, const struct job *jobs,
			const struct backup_sla *r, size_t n)
{
	size_t m = n ? n : 1;
	x->c = calloc(m, sizeof(*x->c));
	x->t1 = calloc(m * T1, sizeof(*x->t1));
	x->t2 = calloc(m * T2, sizeof(*x->t2));
	x->t3 = calloc(m * T3, sizeof(*x->t3));
	x->a1 = calloc(m, sizeof(*x->a1));
	x->a2 = calloc(m, sizeof(*x->a2));
	if (!x->c || !x->t1 || !x->t2 || !x->t3 || !x->a1 || !x->a2)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		struct job_cells *c = &x->c[i];
		const char *basis = basis_of(o, &r[i]);
		job_cells(o, &jobs[i], &r[i], c);
		const char *v1[T1] = {jobs[i].name, c->rpo,	c->within,
				      c->breach,    c->longest, c->adh};
		const char *v2[T2] = {jobs[i].name,	    c->checks, c->runs, c->succ,
				      basis ? basis : DASH, c->sizes};
		const char *v3[T3] = {jobs[i].name, c->good, c->goodage, c->rt, c->rtage};
		memcpy(x->t1 + i * T1, v1, sizeof(v1));
		memcpy(x->t2 + i * T2, v2, sizeof(v2));
		memcpy(x->t3 + i * T3, v3, sizeof(v3));
		x->a1[i] = jobs[i].lim.rpo > 0 && r[i].breach > 0;
		x->a2[i] =
			(r[i].success_pct >= 0 && r[i].success_pct < 100) || r[i].size_breaches > 0;
	}
	x->t[0] = (struct report_pdf_table){
		RPL_BACKUP_RPO_TABLE, RPL_NO_JOBS, rpo_cols, T1, x->t1, x->a1, n};
	x->t[1] = (struct report_pdf_table){
		RPL_BACKUP_RUNS_TABLE, RPL_NO_JOBS, runs_cols, T2, x->t2, x->a2, n};
	x->t[2] = (struct report_pdf_table){
		RPL_BACKUP_LAST_TABLE, RPL_NO_JOBS, last_cols, T3, x->t3, NULL, n};
	x->doc = (struct report_pdf_doc){RPL_TITLE_BACKUPS, RPL_BACKUP_NOTE, NULL, 0, x->t, 3};
	return 0;
}

static struct job *find_job(struct job *jobs, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(jobs[i].name, name))
			return &jobs[i];
	return NULL;
}

/* Reads the jobs and their observations. Returns the count or -errno. */
static int load(PGconn *pg, const struct rx_opts *o, int64_t default_rpo, struct job **out)
{
	char from[24], to[24];
	snprintf(from, sizeof(from), "%" PRId64, o->from);
	snprintf(to, sizeof(to), "%" PRId64, o->to);
	const char *params[] = {from, to, o->job ? o->job : ""};
	PGresult *res = rx_query(pg, limits_sql, 3, params);
	if (!res)
		return -EIO;
	int n = PQntuples(res);
	struct job *jobs = calloc(n ? (size_t)n : 1, sizeof(*jobs));
	if (!jobs) {
		PQclear(res);
		return -ENOMEM;
	}
	for (int r = 0; r < n; r++) {
		struct job *j = &jobs[r];
		snprintf(j->name, sizeof(j->name), "%s", PQgetvalue(res, r, 0));
		j->lim.rpo = strtoll(PQgetvalue(res, r, 1), NULL, 10);
		if (j->lim.rpo <= 0)
			j->lim.rpo = default_rpo;
		j->lim.min_size = strtoll(PQgetvalue(res, r, 2), NULL, 10);
		j->lim.max_size = strtoll(PQgetvalue(res, r, 3), NULL, 10);
	}
	PQclear(res);
	int rc = (res = rx_query(pg, obs_sql, 3, params)) ? 0 : -EIO;
	for (int r = 0; rc == 0 && r < PQntuples(res); r++) {
		struct job *j = find_job(jobs, (size_t)n, PQgetvalue(res, r, 0));
		if (j)
			rc = add_obs(j, res, r);
	}
	PQclear(res);
	if (rc < 0) {
		for (int i = 0; i < n; i++)
			free(jobs[i].obs);
		free(jobs);
		return rc;
	}
	*out = jobs;
	return n;
}

int ctl_report_backups(int argc, char **argv)
{
	static const char *const extra[] = {"--job", "--rpo", NULL};
	struct rx_opts o = {.name = "backups"};
	int rc = rx_parse(argc, argv, &o, extra);
	if (rc)
		return rc;
	int64_t default_rpo = 0;
	if (o.rpo && rx_parse_duration(o.rpo, &default_rpo) < 0) {
		fprintf(stderr,
			"pantauctl report backups: --rpo is a duration like 26h, not '%s'\n",
			o.rpo);
		return CTL_USAGE;
	}
	PGconn *pg = rx_connect(&o);
	if (!pg)
		return CTL_FAILED;
	struct job *jobs = NULL;
	int n = load(pg, &o, default_rpo, &jobs);
	PQfinish(pg);
	if (n < 0)
		return CTL_FAILED;
	const char *names[NCOLS];
	for (size_t i = 0; i < NCOLS; i++)
		names[i] = cols[i][o.en];
	const char *k[] = {"note"};
	const char *v[] = {
		o.en ? "rpo adherence: share of the period in which the newest good "
		       "backup was younger than the RPO"
		     : "kepatuhan RPO: bagian periode ketika cadangan baik terbaru lebih "
		       "muda dari RPO"};
	struct buf out;
	buf_init(&out, (size_t)1 << 30);
	struct evidence_writer w;
	struct backup_sla *res = calloc(n ? (size_t)n : 1, sizeof(*res));
	struct bk_pdf x = {0};
	rc = res ? rx_begin(&w, &out, &o, k, v, 1, names, NCOLS) : -ENOMEM;
	for (int i = 0; rc == 0 && i < n; i++)
		if ((rc = job_compute(&o, &jobs[i], &res[i])) == 0)
			rc = job_row(&w, &o, &jobs[i], &res[i]);
	if (rc == 0 && o.pdf)
		rc = bk_pdf_build(&x, &o, jobs, res, (size_t)n);
	int exit_code = rx_finish(&w, &out, &o, rc, o.pdf ? &x.doc : NULL);
	bk_pdf_free(&x);
	free(res);
	for (int i = 0; i < n; i++)
		free(jobs[i].obs);
	free(jobs);
	buf_free(&out);
	return exit_code;
}
