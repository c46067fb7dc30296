/* pantauctl report: SLA figures and outage lists as signed evidence files.
 *
 *   pantauctl report sla|outages (--period 2024-03 | --from T --to T)
 *       [--format csv|json|pdf] [--lang id|en] [--tz Asia/Jakarta] [--target PCT]
 *       [--kind device|service|site|group] [--subject NAME]
 *       [--dsn DSN] [--key FILE] [--out FILE]
 *
 * The whole period is the denominator (USER-ASKS #14); planned downtime and
 * unknown time are separate columns, and the figure without planned
 * downtime is labelled as such. Every export carries the hash chain and
 * the Ed25519 signature of evidence.h; `pantauctl evidence verify` checks
 * it. Indonesian labels by default. */
#include "alert_rule.h"
#include "buf.h"
#include "ctl.h"
#include "json.h"
#include "perr.h"
#include "evidence.h"
#include "report.h"
#include "report_extra.h"
#include "report_pdf.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct report_opts {
	bool outages; /* else sla */
	const char *period, *from, *to, *tz, *target, *kind, *subject, *dsn, *key, *out, *rules;
	enum evidence_format fmt;
	bool pdf; /* --format pdf: OUT (the PDF) and OUT.csv (its signed sidecar) */
	bool en;
	int32_t tz_offset;
	uint32_t target_ppm;
	struct report_filter filter;
};

/* Column names: Indonesian, English. */
static const char *const sla_cols[][2] = {
	{"jenis_subjek", "subject_kind"},
	{"subjek", "subject"},
	{"agen", "agent"},
	{"periode_mulai", "period_start"},
	{"periode_selesai", "period_end"},
	{"detik_periode", "period_s"},
	{"detik_aktif", "up_s"},
	{"detik_henti_terencana", "down_planned_s"},
	{"detik_henti_tak_terencana", "down_unplanned_s"},
	{"detik_tidak_diketahui", "unknown_s"},
	{"ketersediaan_persen", "availability_pct"},
	{"ketersediaan_tanpa_henti_terencana_persen_bukan_sla",
	 "availability_excl_planned_pct_not_sla"},
	{"target_persen", "target_pct"},
	{"target_tercapai", "target_met"},
	{"sisa_jatah_henti_detik", "downtime_budget_left_s"},
	{"jumlah_gangguan", "outages"},
};
enum { SLA_NCOLS = sizeof(sla_cols) / sizeof(sla_cols[0]) };

static const char *const outage_cols[][2] = {
	{"jenis_subjek", "subject_kind"},
	{"subjek", "subject"},
	{"agen", "agent"},
	{"mulai", "start"},
	{"selesai", "end"},
	{"durasi_detik", "duration_s"},
	{"durasi", "duration"},
	{"terencana", "planned"},
	{"penyebab", "cause"},
};
enum { OUT_NCOLS = sizeof(outage_cols) / sizeof(outage_cols[0]) };

static void usage(FILE *f)
{
	fprintf(f, "usage: pantauctl report sla|outages (--period P | --from T --to T) [options]\n"
		   "  --period P       2024 (year), 2024-Q2 (quarter) or 2024-03 (month)\n"
		   "  --from T --to T  [T_from, T_to): YYYY-MM-DD[THH:MM[:SS]][Z|+HH:MM]\n"
		   "  --tz ZONE        Asia/Jakarta (default), Asia/Makassar, Asia/Jayapura, UTC, "
		   "+HH:MM\n"
		   "  --format F       csv (default), json or pdf (needs --out; the signed CSV\n"
		   "                   of the same figures goes to OUT.csv beside it)\n"
		   "  --lang L         id (default, Indonesian labels) or en\n"
		   "  --target PCT     default availability target (99.741, Tier II); "
		   "report.sla_targets\n"
		   "                   overrides it per subject\n"
		   "  --kind K         device, service, site or group (default: all)\n"
		   "  --subject NAME   one subject only\n"
		   "  --dsn DSN        PostgreSQL connection (default: $PANTAU_DSN, else libpq's "
		   "PG* vars)\n"
		   "  --key FILE       Ed25519 signing key (default: $PANTAU_EVIDENCE_KEY)\n"
		   "                   made by 'pantauctl evidence keygen'\n"
		   "  --out FILE       write there (atomically) instead of standard output\n"
		   "  --rules FILE     alert rules (default: $PANTAU_RULES): a maintenance window\n"
		   "                   of one of its groups: makes its member devices' downtime\n"
		   "                   planned too\n");
}

/* {"device": ["group", ...], ...} from the rules file's groups, so that a
 * group's maintenance window covers its member devices. NULL rules: "{}". */
static int groups_json(const char *rules, struct buf *out)
{
	if (buf_puts(out, "{") < 0)
		return -ENOMEM;
	if (!rules || !rules[0])
		return buf_puts(out, "}");
	struct alert_rules rs = {0};
	struct perr err = {{0}};
	if (alert_rules_load(rules, &rs, &err) < 0) {
		fprintf(stderr, "pantauctl report: %s\n", err.msg);
		alert_rules_free(&rs);
		return -EINVAL;
	}
	int rc = 0;
	bool first_dev = true;
	for (size_t g = 0; rc == 0 && g < rs.ngroups; g++) {
		for (size_t d = 0; rc == 0 && d < rs.groups[g].ndevices; d++) {
			/* One key per device and group: jsonb keeps the last of a
			 * duplicate key, so each device lists all its groups once. */
			const char *dev = rs.groups[g].devices[d];
			bool seen = false;
			for (size_t h = 0; h < g && !seen; h++)
				for (size_t k = 0; k < rs.groups[h].ndevices && !seen; k++)
					seen = strcmp(rs.groups[h].devices[k], dev) == 0;
			if (seen)
				continue;
			rc = buf_puts(out, first_dev ? "" : ",");
			first_dev = false;
			if (rc == 0)
				rc = json_put_string(out, dev);
			if (rc == 0)
				rc = buf_puts(out, ":[");
			bool first = true;
			for (size_t h = g; rc == 0 && h < rs.ngroups; h++)
				for (size_t k = 0; rc == 0 && k < rs.groups[h].ndevices; k++)
					if (strcmp(rs.groups[h].devices[k], dev) == 0) {
						rc = buf_puts(out, first ? "" : ",");
						first = false;
						if (rc == 0)
							rc = json_put_string(out, rs.groups[h].name);
					}
			if (rc == 0)
				rc = buf_puts(out, "]");
		}
	}
	alert_rules_free(&rs);
	return rc < 0 ? -ENOMEM : buf_puts(out, "}");
}

static const char **opt_slot(void *ctx, const char *name)
{
	struct report_opts *o = ctx;
	static const char *const names[] = {"--period", "--from",    "--to",	 "--tz",
					    "--target", "--kind",    "--dsn",	 "--key",
					    "--out",	"--subject", "--rules",	 "--format",
					    "--lang"};
	const char **slots[] = {&o->period, &o->from,	 &o->to,    &o->tz,  &o->target,
				&o->kind,   &o->dsn,	 &o->key,   &o->out, &o->subject,
				&o->rules,  NULL,	 NULL};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(name, names[i]) == 0)
			return slots[i];
	return NULL;
}

/* Fills o from argv; returns 0 or prints why and returns CTL_USAGE. */
static int parse_args(int argc, char **argv, struct report_opts *o)
{
	return report_parse_args(argc - 1, argv + 1, "pantauctl report", opt_slot, o, &o->fmt,
				 &o->pdf, &o->en);
}

static int resolve_times(struct report_opts *o)
{
	if (sla_tz_offset(o->tz, &o->tz_offset) < 0) {
		fprintf(stderr, "pantauctl report: unknown time zone '%s'\n", o->tz);
		return CTL_USAGE;
	}
	struct report_filter *f = &o->filter;
	if (o->period && !o->from && !o->to) {
		if (sla_period_parse(o->period, o->tz_offset, &f->from, &f->to) < 0) {
			fprintf(stderr,
				"pantauctl report: --period '%s' is not YYYY, YYYY-Qn or "
				"YYYY-MM\n",
				o->period);
			return CTL_USAGE;
		}
	} else if (o->from && o->to && !o->period) {
		if (sla_time_parse(o->from, o->tz_offset, &f->from) < 0 ||
		    sla_time_parse(o->to, o->tz_offset, &f->to) < 0 || f->to <= f->from) {
			fprintf(stderr, "pantauctl report: --from and --to must be times "
					"(YYYY-MM-DD[THH:MM[:SS]][Z|+HH:MM]) with from < to\n");
			return CTL_USAGE;
		}
	} else {
		fprintf(stderr, "pantauctl report: give --period, or --from and --to\n");
		return CTL_USAGE;
	}
	if (f->to - f->from > SLA_MAX_PERIOD) {
		fprintf(stderr, "pantauctl report: the period is too long\n");
		return CTL_USAGE;
	}
	return 0;
}

static int check_opts(struct report_opts *o)
{
	o->tz = o->tz ? o->tz : "Asia/Jakarta";
	int rc = resolve_times(o);
	if (rc)
		return rc;
	o->target_ppm = SLA_TARGET_TIER2_PPM;
	if (o->target && report_parse_pct(o->target, &o->target_ppm) < 0) {
		fprintf(stderr,
			"pantauctl report: --target is a percentage like 99.741 (at most "
			"4 decimals, above 0, at most 100), not '%s'\n",
			o->target);
		return CTL_USAGE;
	}
	static const char *const kinds[] = {"device", "service", "site", "group"};
	bool kind_ok = !o->kind;
	for (size_t i = 0; !kind_ok && i < 4; i++)
		kind_ok = strcmp(o->kind, kinds[i]) == 0;
	if (!kind_ok) {
		fprintf(stderr, "pantauctl report: --kind is device, service, site or group\n");
		return CTL_USAGE;
	}
	o->filter.kind = o->kind ? o->kind : "";
	o->filter.subject = o->subject ? o->subject : "";
	return 0;
}

static void fmt_pct(char *out, size_t n, double v)
{
	snprintf(out, n, "%.4f", v);
}

static void fmt_ppm(char *out, size_t n, uint32_t ppm)
{
	snprintf(out, n, "%u.%04u", ppm / 10000, ppm % 10000);
}

static int sla_row(struct evidence_writer *w, const struct report_opts *o,
		   const struct report_subject *s, const struct sla_result *r)
{
	char from[40], to[40], period[24], up[24], dp[24], du[24], unk[24], av[32], avx[32],
		target[16], budget[24], nout[24];
	sla_time_format(o->filter.from, o->tz_offset, from, sizeof(from));
	sla_time_format(o->filter.to, o->tz_offset, to, sizeof(to));
	snprintf(period, sizeof(period), "%" PRId64, r->period);
	snprintf(up, sizeof(up), "%" PRId64, r->up);
	snprintf(dp, sizeof(dp), "%" PRId64, r->down_planned);
	snprintf(du, sizeof(du), "%" PRId64, r->down_unplanned);
	snprintf(unk, sizeof(unk), "%" PRId64, r->unknown);
	fmt_pct(av, sizeof(av), r->availability);
	fmt_pct(avx, sizeof(avx), r->availability_excl_planned);
	fmt_ppm(target, sizeof(target), r->target_ppm);
	snprintf(budget, sizeof(budget), "%" PRId64, r->budget_left);
	snprintf(nout, sizeof(nout), "%zu", r->noutages);
	const char *met = r->target_met ? (o->en ? "yes" : "ya") : (o->en ? "no" : "tidak");
	struct evidence_field f[SLA_NCOLS] = {
		{s->kind, false}, {s->name, false}, {s->agent, false}, {from, false},
		{to, false},	  {period, true},   {up, true},	       {dp, true},
		{du, true},	  {unk, true},	    {av, true},	       {avx, true},
		{target, true},	  {met, false},	    {budget, true},    {nout, true},
	};
	return evidence_row(w, f);
}

static int outage_row(struct evidence_writer *w, const struct report_opts *o,
		      const struct report_subject *s, const struct sla_outage *x)
{
	char start[40], end[40], secs[24], hms[32];
	sla_time_format(x->start, o->tz_offset, start, sizeof(start));
	sla_time_format(x->end, o->tz_offset, end, sizeof(end));
	int64_t d = x->end - x->start;
	snprintf(secs, sizeof(secs), "%" PRId64, d);
	snprintf(hms, sizeof(hms), "%" PRId64 ":%02d:%02d", d / 3600, (int)(d / 60 % 60),
		 (int)(d % 60));
	const char *planned = x->planned ? (o->en ? "yes" : "ya") : (o->en ? "no" : "tidak");
	struct evidence_field f[OUT_NCOLS] = {
		{s->kind, false}, {s->name, false}, {s->agent, false},
		{start, false},	  {end, false},	    {secs, true},
		{hms, false},	  {planned, false}, {x->cause, false},
	};
	return evidence_row(w, f);
}

/* One subject: its SLA row, or its outage rows. */
static int subject_rows(struct evidence_writer *w, const struct report_opts *o,
			const struct report_subject *s)
{
	struct sla_result r;
	uint32_t target = s->target_ppm ? s->target_ppm : o->target_ppm;
	int rc = sla_compute(o->filter.from, o->filter.to, s->iv, s->n, s->win, s->nwin, target,
			     &r);
	if (rc < 0)
		return rc;
	if (!o->outages)
		rc = sla_row(w, o, s, &r);
	for (size_t i = 0; o->outages && rc == 0 && i < r.noutages; i++)
		rc = outage_row(w, o, s, &r.outages[i]);
	sla_result_free(&r);
	return rc;
}

static int build(struct buf *out, const struct report_opts *o, const struct report_data *d,
		 EVP_PKEY *key)
{
	const char *cols[(size_t)SLA_NCOLS + (size_t)OUT_NCOLS];
	size_t ncols = o->outages ? OUT_NCOLS : SLA_NCOLS;
	for (size_t i = 0; i < ncols; i++)
		cols[i] = o->outages ? outage_cols[i][o->en] : sla_cols[i][o->en];
	char from[40], to[40], now[40], target[16];
	sla_time_format(o->filter.from, o->tz_offset, from, sizeof(from));
	sla_time_format(o->filter.to, o->tz_offset, to, sizeof(to));
	sla_time_format((int64_t)time(NULL), o->tz_offset, now, sizeof(now));
	fmt_ppm(target, sizeof(target), o->target_ppm);
	const char *note =
		o->en ? "denominator = the whole period; planned downtime and unknown "
			"time are reported separately and never removed from it"
		      : "penyebut = seluruh periode; henti terencana dan waktu tidak "
			"diketahui dilaporkan terpisah dan tidak dikeluarkan dari penyebut";
	const char *keys[] = {"report",	      "from",	   "to",   "tz",  "default_target_pct",
			      "generated_at", "generator", "lang", "note"};
	const char *vals[] = {o->outages ? "outages" : "sla",
			      from,
			      to,
			      o->tz,
			      target,
			      now,
			      "pantauctl " PANTAU_VERSION,
			      o->en ? "en" : "id",
			      note};
	struct evidence_writer w;
	int rc = evidence_begin(&w, out, o->fmt, keys, vals, sizeof(keys) / sizeof(keys[0]), cols,
				ncols);
	for (size_t i = 0; rc == 0 && i < d->n; i++)
		rc = subject_rows(&w, o, &d->s[i]);
	return rc == 0 ? evidence_end(&w, key) : rc;
}

/* --format pdf: OUT.csv (signed) and the PDF that records its hash. */
static int emit_pdf(const struct report_opts *o, const struct report_data *d,
		    const struct buf *csv, EVP_PKEY *key)
{
	struct report_pdf_job job = {.outages = o->outages,
				     .en = o->en,
				     .tz = o->tz,
				     .tz_offset = o->tz_offset,
				     .from = o->filter.from,
				     .to = o->filter.to,
				     .default_target_ppm = o->target_ppm};
	return report_write_pdf(o->out, csv, &job, d, NULL, key);
}

static int load(const struct report_opts *o, struct report_data *d)
{
	PGconn *pg = report_connect(o->dsn);
	if (!pg)
		return -EIO;
	char err[512];
	struct buf groups;
	buf_init(&groups, 1 << 20);
	int rc = groups_json(o->rules ? o->rules : getenv("PANTAU_RULES"), &groups);
	if (rc < 0 || buf_putc(&groups, '\0') < 0) {
		buf_free(&groups);
		PQfinish(pg);
		return rc < 0 ? rc : -ENOMEM;
	}
	struct report_filter f = o->filter;
	f.groups = (const char *)groups.data;
	rc = report_load(pg, &f, d, err, sizeof(err));
	buf_free(&groups);
	if (rc < 0)
		fprintf(stderr, "pantauctl report: reading availability failed: %s\n", err);
	PQfinish(pg);
	return rc;
}

int ctl_report(int argc, char **argv)
{
	struct report_opts o = {0};
	if (argc >= 1 && !strcmp(argv[0], "backups"))
		return ctl_report_backups(argc - 1, argv + 1);
	if (argc >= 1 && !strcmp(argv[0], "redundancy"))
		return ctl_report_redundancy(argc - 1, argv + 1);
	if (argc < 1 || (strcmp(argv[0], "sla") != 0 && strcmp(argv[0], "outages") != 0)) {
		bool help = argc >= 1 && (!strcmp(argv[0], "--help") || !strcmp(argv[0], "-h"));
		usage(help ? stdout : stderr);
		return help ? CTL_OK : CTL_USAGE;
	}
	o.outages = argv[0][0] == 'o';
	int rc = parse_args(argc, argv, &o);
	if (rc == 0)
		rc = check_opts(&o);
	if (rc)
		return rc;
	EVP_PKEY *key = NULL;
	char err[512];
	if (evidence_key_load(o.key, &key, err, sizeof(err)) < 0) {
		fprintf(stderr, "pantauctl report: signing key: %s\n", err);
		return CTL_FAILED;
	}
	struct report_data d;
	struct buf out;
	buf_init(&out, (size_t)1 << 30);
	rc = load(&o, &d);
	if (rc == 0) {
		rc = build(&out, &o, &d, key);
		if (rc < 0)
			fprintf(stderr, "pantauctl report: building the export failed: %s\n",
				strerror(-rc));
		else if (o.pdf)
			rc = emit_pdf(&o, &d, &out, key);
		report_data_free(&d);
	}
	if (rc == 0 && !o.pdf && (rc = report_write(&out, o.out)) < 0)
		fprintf(stderr, "pantauctl report: writing %s failed: %s\n",
			o.out ? o.out : "standard output", strerror(-rc));
	buf_free(&out);
	EVP_PKEY_free(key);
	return rc == 0 ? CTL_OK : CTL_FAILED;
}
