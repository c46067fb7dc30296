/* pantauctl report backups | redundancy: shared options and output (see
 * report_extra.h). */
#include "ctl.h"
#include "report_extra.h"
#include "sla.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char **slot(struct rx_opts *o, const char *name, const char *const *extra)
{
	static const char *const names[] = {"--period", "--from", "--to", "--tz",
					    "--dsn",	"--key",  "--out"};
	const char **slots[] = {&o->period, &o->from_s, &o->to_s, &o->tz,
				&o->dsn,    &o->key,	&o->out};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(name, names[i]))
			return slots[i];
	static const char *const xnames[] = {"--job", "--rpo", "--group", "--rules", "--required"};
	const char **xslots[] = {&o->job, &o->rpo, &o->group, &o->rules, &o->required};
	for (size_t k = 0; extra && extra[k]; k++)
		for (size_t i = 0; i < sizeof(xnames) / sizeof(xnames[0]); i++)
			if (!strcmp(name, extra[k]) && !strcmp(name, xnames[i]))
				return xslots[i];
	return NULL;
}

static int times(struct rx_opts *o)
{
	o->tz = o->tz ? o->tz : "Asia/Jakarta";
	if (sla_tz_offset(o->tz, &o->tz_offset) < 0) {
		fprintf(stderr, "pantauctl report: unknown time zone '%s'\n", o->tz);
		return CTL_USAGE;
	}
	if (o->period && !o->from_s && !o->to_s) {
		if (sla_period_parse(o->period, o->tz_offset, &o->from, &o->to) == 0)
			return 0;
		fprintf(stderr, "pantauctl report: --period '%s' is not YYYY, YYYY-Qn or YYYY-MM\n",
			o->period);
		return CTL_USAGE;
	}
	if (o->from_s && o->to_s && !o->period) {
		if (sla_time_parse(o->from_s, o->tz_offset, &o->from) == 0 &&
		    sla_time_parse(o->to_s, o->tz_offset, &o->to) == 0 && o->from < o->to &&
		    o->to - o->from <= SLA_MAX_PERIOD)
			return 0;
		fprintf(stderr, "pantauctl report: --from and --to must be times "
				"(YYYY-MM-DD[THH:MM[:SS]][Z|+HH:MM]) with from < to\n");
		return CTL_USAGE;
	}
	fprintf(stderr, "pantauctl report: give --period, or --from and --to\n");
	return CTL_USAGE;
}

/* slot's context in rx_parse: the options and the report's extra ones. */
struct rx_slots {
	struct rx_opts *o;
	const char *const *extra;
};

static const char **rx_slot(void *ctx, const char *name)
{
	struct rx_slots *s = ctx;
	return slot(s->o, name, s->extra);
}

/* The defaults of --key (required) and --dsn from the environment. */
static int signing_key(const char **key, const char **dsn)
{
	*key = *key ? *key : getenv("PANTAU_EVIDENCE_KEY");
	if (!*key || !(*key)[0]) {
		fprintf(stderr,
			"pantauctl report: no signing key: give --key FILE or set "
			"PANTAU_EVIDENCE_KEY (make one with 'pantauctl evidence keygen')\n");
		return CTL_USAGE;
	}
	*dsn = *dsn ? *dsn : getenv("PANTAU_DSN");
	return 0;
}

int report_parse_args(int argc, char **argv, const char *who, report_slot_fn *slot_of, void *ctx,
		      enum evidence_format *fmt, bool *pdf, bool *en)
{
	const char *format = "csv", *lang = "id";
	for (int i = 0; i < argc; i++) {
		const char **s = slot_of(ctx, argv[i]);
		bool known = s || !strcmp(argv[i], "--format") || !strcmp(argv[i], "--lang");
		if (!known || i + 1 >= argc) {
			fprintf(stderr, "%s: %s '%s'\n", who,
				known ? "missing value after" : "unknown option", argv[i]);
			return CTL_USAGE;
		}
		const char *v = argv[++i];
		if (s)
			*s = v;
		else if (!strcmp(argv[i - 1], "--format"))
			format = v;
		else
			lang = v;
	}
	*pdf = strcmp(format, "pdf") == 0;
	if (evidence_format_parse(*pdf ? "csv" : format, fmt) < 0) {
		fprintf(stderr, "pantauctl report: --format is csv, json or pdf, not '%s'\n",
			format);
		return CTL_USAGE;
	}
	const char **out = slot_of(ctx, "--out");
	if (*pdf && !(out && *out)) {
		fprintf(stderr, "pantauctl report: --format pdf needs --out FILE.pdf (its signed "
				"CSV goes to FILE.pdf.csv)\n");
		return CTL_USAGE;
	}
	if (strcmp(lang, "id") != 0 && strcmp(lang, "en") != 0) {
		fprintf(stderr, "pantauctl report: --lang is id or en, not '%s'\n", lang);
		return CTL_USAGE;
	}
	*en = lang[0] == 'e';
	return signing_key(slot_of(ctx, "--key"), slot_of(ctx, "--dsn"));
}

int rx_parse(int argc, char **argv, struct rx_opts *o, const char *const *extra)
{
	char who[64];
	snprintf(who, sizeof(who), "pantauctl report %s", o->name);
	struct rx_slots slots = {o, extra};
	int rc = report_parse_args(argc, argv, who, rx_slot, &slots, &o->fmt, &o->pdf, &o->en);
	if (rc)
		return rc;
	return times(o);
}

PGconn *report_connect(const char *dsn)
{
	static const char *const keys[] = {"dbname", "application_name", NULL};
	const char *vals[] = {dsn ? dsn : "", "pantauctl", NULL};
	PGconn *pg = PQconnectdbParams(keys, vals, 1);
	if (pg && PQstatus(pg) == CONNECTION_OK)
		return pg;
	fprintf(stderr, "pantauctl report: cannot connect to PostgreSQL: %s",
		pg ? PQerrorMessage(pg) : "out of memory\n");
	PQfinish(pg);
	return NULL;
}

PGconn *rx_connect(const struct rx_opts *o)
{
	return report_connect(o->dsn);
}

PGresult *rx_query(PGconn *pg, const char *sql, int n, const char *const *params)
{
	PGresult *res = PQexecParams(pg, sql, n, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) == PGRES_TUPLES_OK)
		return res;
	fprintf(stderr, "pantauctl report: %s", PQresultErrorMessage(res));
	PQclear(res);
	return NULL;
}

int rx_begin(struct evidence_writer *w, struct buf *out, const struct rx_opts *o,
	     const char *const *extra_keys, const char *const *extra_vals, size_t nextra,
	     const char *const *cols, size_t ncols)
{
	char from[40], to[40], now[40];
	sla_time_format(o->from, o->tz_offset, from, sizeof(from));
	sla_time_format(o->to, o->tz_offset, to, sizeof(to));
	sla_time_format((int64_t)time(NULL), o->tz_offset, now, sizeof(now));
	const char *keys[16] = {"report", "from", "to", "tz", "generated_at", "generator", "lang"};
	const char *vals[16] = {
		o->name, from, to, o->tz, now, "pantauctl " PANTAU_VERSION, o->en ? "en" : "id"};
	size_t n = 7;
	for (size_t i = 0; i < nextra && n < 16; i++, n++) {
		keys[n] = extra_keys[i];
		vals[n] = extra_vals[i];
	}
	return evidence_begin(w, out, o->fmt, keys, vals, n, cols, ncols);
}

int report_write(const struct buf *b, const char *path)
{
	if (!path)
		return fwrite(b->data, 1, b->len, stdout) == b->len && fflush(stdout) == 0 ? 0
											   : -EIO;
	char tmp[4096];
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	FILE *f = fopen(tmp, "wb");
	if (!f)
		return -errno;
	int ok = fwrite(b->data, 1, b->len, f) == b->len && fflush(f) == 0 && fsync(fileno(f)) == 0;
	ok = fclose(f) == 0 && ok;
	if (!ok || rename(tmp, path) < 0) {
		unlink(tmp);
		return -EIO;
	}
	return 0;
}

int report_write_pdf(const char *out, const struct buf *csv, struct report_pdf_job *job,
		     const struct report_data *d, const struct report_pdf_doc *doc, EVP_PKEY *key)
{
	char sidecar[4096], err[256];
	snprintf(sidecar, sizeof(sidecar), "%s.csv", out);
	const char *base = strrchr(sidecar, '/');
	job->sidecar_name = base ? base + 1 : sidecar;
	job->generated_at = (int64_t)time(NULL);
	struct buf pdf;
	buf_init(&pdf, (size_t)1 << 30);
	int rc = report_write(csv, sidecar);
	if (rc < 0)
		fprintf(stderr, "pantauctl report: writing %s failed: %s\n", sidecar,
			strerror(-rc));
	else if ((rc = d ? report_pdf_render(job, d, csv->data, csv->len, key, &pdf, err,
					     sizeof(err))
			 : report_pdf_render_doc(job, doc, csv->data, csv->len, key, &pdf, err,
						 sizeof(err))) < 0)
		fprintf(stderr, "pantauctl report: rendering the PDF failed: %s\n", err);
	else if ((rc = report_write(&pdf, out)) < 0)
		fprintf(stderr, "pantauctl report: writing %s failed: %s\n", out, strerror(-rc));
	if (rc < 0)
		unlink(sidecar); /* no sidecar without its PDF */
	buf_free(&pdf);
	return rc;
}

/* --format pdf for backups and redundancy: doc is their laid-out tables. */
static int write_pdf(const struct buf *csv, const struct rx_opts *o,
		     const struct report_pdf_doc *doc, EVP_PKEY *key)
{
	if (!doc) {
		fprintf(stderr, "pantauctl report %s: no PDF layout\n", o->name);
		return -EINVAL;
	}
	struct report_pdf_job job = {
		.en = o->en, .tz = o->tz, .tz_offset = o->tz_offset, .from = o->from, .to = o->to};
	return report_write_pdf(o->out, csv, &job, NULL, doc, key);
}

int rx_finish(struct evidence_writer *w, struct buf *out, const struct rx_opts *o, int rc,
	      const struct report_pdf_doc *doc)
{
	EVP_PKEY *key = NULL;
	char err[512];
	if (rc < 0)
		fprintf(stderr, "pantauctl report: building the export failed: %s\n",
			strerror(-rc));
	if (rc == 0 && evidence_key_load(o->key, &key, err, sizeof(err)) < 0) {
		fprintf(stderr, "pantauctl report: signing key: %s\n", err);
		return CTL_FAILED;
	}
	if (rc == 0 && (rc = evidence_end(w, key)) < 0)
		fprintf(stderr, "pantauctl report: building the export failed: %s\n",
			strerror(-rc));
	if (rc == 0 && o->pdf) {
		rc = write_pdf(out, o, doc, key);
		EVP_PKEY_free(key);
		return rc == 0 ? CTL_OK : CTL_FAILED;
	}
	EVP_PKEY_free(key);
	if (rc == 0 && (rc = report_write(out, o->out)) < 0)
		fprintf(stderr, "pantauctl report: writing %s failed: %s\n",
			o->out ? o->out : "standard output", strerror(-rc));
	return rc == 0 ? CTL_OK : CTL_FAILED;
}

int rx_parse_duration(const char *s, int64_t *secs)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || end == s || v <= 0)
		return -EINVAL;
	int64_t mul = !*end || !strcmp(end, "s") ? 1
		      : !strcmp(end, "m")	 ? 60
		      : !strcmp(end, "h")	 ? 3600
		      : !strcmp(end, "d")	 ? 86400
						 : 0;
	if (!mul || v > INT64_MAX / 86400)
		return -EINVAL;
	*secs = v * mul;
	return 0;
}
