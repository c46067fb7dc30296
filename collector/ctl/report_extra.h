/* pantauctl report backups | redundancy: the options, the connection and
 * the output they share (report_extra.c), and the two reports
 * (report_backups.c, report_redundancy.c). Kept apart from report.c, whose
 * sla|outages exports they mirror: same time parsing, evidence format,
 * signing key and atomic --out. */
#ifndef PANTAU_CTL_REPORT_EXTRA_H
#define PANTAU_CTL_REPORT_EXTRA_H

#include "buf.h"
#include "evidence.h"
#include "report_pdf.h"

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct rx_opts {
	const char *name; /* "backups" or "redundancy" */
	const char *period, *from_s, *to_s, *tz, *dsn, *key, *out;
	const char *job, *rpo, *group, *rules, *required; /* per report */
	enum evidence_format fmt;
	bool pdf; /* --format pdf: --out (the PDF) and --out.csv (its signed sidecar) */
	bool en;
	int32_t tz_offset;
	int64_t from, to;
};

/* Parses argv (after the report's name): the shared options and those
 * named in extra (NULL-terminated, among --job, --rpo, --group, --rules,
 * --required). Checks the period, time zone and key. 0, or CTL_USAGE after
 * printing why. */
int rx_parse(int argc, char **argv, struct rx_opts *o, const char *const *extra);

/* Shared by every report (report.c's sla and outages too). */
/* Where a report's own option goes: the field slot(ctx, "--name") points
 * to, or NULL when the report has no such option. */
typedef const char **report_slot_fn(void *ctx, const char *name);
/* Reads argv as "--name value" pairs: a value goes where slot_of puts it;
 * --format csv|json|pdf and --lang id|en, which every report takes, set
 * *fmt, *pdf and *en (pdf needs a value in slot_of "--out"). The slots
 * "--key" (required) and "--dsn" default to $PANTAU_EVIDENCE_KEY and
 * $PANTAU_DSN (slot_of must know --key and --dsn). who (e.g. "pantauctl
 * report backups") starts the message about an unknown option. 0, or
 * CTL_USAGE after printing why. */
int report_parse_args(int argc, char **argv, const char *who, report_slot_fn *slot_of, void *ctx,
		      enum evidence_format *fmt, bool *pdf, bool *en);
/* Connects to dsn (NULL or "": libpq's defaults) with application_name
 * pantauctl. NULL after printing why. */
PGconn *report_connect(const char *dsn);
/* Writes b to path through path.tmp, fsync and rename, or to standard output
 * when path is NULL. 0 or -errno. */
int report_write(const struct buf *b, const char *path);
/* --format pdf: the signed CSV csv goes to OUT.csv, then the PDF that
 * records its hash to OUT, rendered from d (sla, outages) or else from doc
 * (laid-out tables). job's sidecar_name and generated_at are filled here.
 * Any failure removes the sidecar. 0 or -errno after printing why. */
int report_write_pdf(const char *out, const struct buf *csv, struct report_pdf_job *job,
		     const struct report_data *d, const struct report_pdf_doc *doc,
		     EVP_PKEY *key);

/* rx_opts' dsn through report_connect. */
PGconn *rx_connect(const struct rx_opts *o);

/* Runs a parameterized query; NULL after printing the error. */
PGresult *rx_query(PGconn *pg, const char *sql, int n, const char *const *params);

/* Metadata every export starts with (report, from, to, tz, generated_at,
 * generator, lang) plus nextra more (borrowed); then evidence_begin. */
int rx_begin(struct evidence_writer *w, struct buf *out, const struct rx_opts *o,
	     const char *const *extra_keys, const char *const *extra_vals, size_t nextra,
	     const char *const *cols, size_t ncols);

/* rc 0: signs with the key and writes to --out (atomically) or stdout;
 * with --format pdf the export goes to --out.csv and doc (required then,
 * else unused) is rendered to --out, recording the sidecar's hash
 * (report_pdf.h). Returns the exit code (CTL_FAILED after printing why). */
int rx_finish(struct evidence_writer *w, struct buf *out, const struct rx_opts *o, int rc,
	      const struct report_pdf_doc *doc);

/* Parses "90", "90s", "30m", "26h", "7d" into seconds > 0. 0 or -EINVAL. */
int rx_parse_duration(const char *s, int64_t *secs);

#endif
