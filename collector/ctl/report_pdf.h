/* pantauctl report --format pdf: an A4 report an auditor can file, and the
 * evidence that goes with it.
 *
 * A PDF cannot carry the CSV hash chain readably, so the report comes as a
 * pair: X.pdf and its sidecar X.pdf.csv, the signed CSV export of the same
 * query (evidence.h). The PDF shows the sidecar's SHA-256 and the signer's
 * public key in every page footer and records both in its metadata
 * (Keywords: "pantau-evidence-sha256=<hex> pantau-evidence-key=<hex>"). The
 * PDF bytes are signed too, with the same Ed25519 key: the last line of the
 * file is a PDF comment after %%EOF, which readers ignore,
 *
 *     %pantau-pdf-sig v1 pubkey=<64 hex> sig=<128 hex>
 *
 * over "pantau-pdf v1\n" || SHA-256(every byte before that line). So a
 * change to any figure in the PDF breaks its signature, a change to the
 * sidecar breaks its hash chain and the recorded hash, and swapping in
 * another sidecar breaks the recorded hash. `pantauctl evidence verify
 * X.pdf` checks all three. */
#ifndef PANTAU_CTL_REPORT_PDF_H
#define PANTAU_CTL_REPORT_PDF_H

#include "buf.h"
#include "report.h"
#include "report_pdf_layout.h"

#include <openssl/evp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct report_pdf_job {
	bool outages;	      /* the outage report (else the SLA report) */
	bool en;	      /* English labels (else Indonesian) */
	const char *tz;	      /* zone name shown next to times */
	int32_t tz_offset;    /* seconds east of UTC */
	int64_t from, to;     /* [from, to), unix seconds */
	int64_t generated_at; /* unix seconds */
	uint32_t default_target_ppm;
	const char *sidecar_name; /* the sidecar's file name as shown in the footer */
};

/* Renders the report for d (borrowed) into out (appended), records
 * SHA-256(sidecar[0..sidecar_len)) and key's public half, and seals the
 * PDF with key. 0, or -errno with err set. */
int report_pdf_render(const struct report_pdf_job *job, const struct report_data *d,
		      const void *sidecar, size_t sidecar_len, EVP_PKEY *key, struct buf *out,
		      char *err, size_t errlen);

/* A table report (report backups | redundancy): the title block, then
 * tables of ready-made cells under labelled columns, paginated with the
 * same pages, footer, metadata and seal as report_pdf_render. */
struct report_pdf_col {
	enum rpl_label label;
	double w; /* points; a table's widths add up to at most 511 */
	bool right;
};

struct report_pdf_table {
	enum rpl_label title, empty; /* empty: the line shown for no rows */
	const struct report_pdf_col *cols;
	size_t ncols;		  /* at most REPORT_PDF_MAX_COLS */
	const char *const *cells; /* nrows * ncols UTF-8 strings, row by row */
	const bool *alert;	  /* rows drawn in red; NULL for none */
	size_t nrows;
};
#define REPORT_PDF_MAX_COLS 16

struct report_pdf_doc {
	enum rpl_label title, note;
	const char *const *info; /* lines under the period (borrowed) */
	size_t ninfo;
	const struct report_pdf_table *tables;
	size_t ntables;
};

/* Renders doc (the period, zone, generation time and sidecar name from
 * job; its outages and default target unused) like report_pdf_render. */
int report_pdf_render_doc(const struct report_pdf_job *job, const struct report_pdf_doc *doc,
			  const void *sidecar, size_t sidecar_len, EVP_PKEY *key, struct buf *out,
			  char *err, size_t errlen);

/* Verifies a PDF report: its own signature, the hash it records of its
 * sidecar (sidecar[0..sidecar_len), read by the caller from the file named
 * sidecar_name) and the sidecar's hash chain and signature, by the same
 * key; with trusted (a raw 32-byte Ed25519 public key) also that this key
 * signed. Fills msg with what an auditor reads and pubkey with the PDF's
 * signer. 0 valid, -EBADMSG not valid, -ENOMEM. (report_pdf_seal.c) */
int report_pdf_verify(const char *pdf, size_t len, const char *sidecar, size_t sidecar_len,
		      const char *sidecar_name, const uint8_t *trusted, uint8_t pubkey[32],
		      char *msg, size_t msglen);

/* Appends the signature line over out's bytes so far (a finished PDF).
 * 0, -EIO (OpenSSL) or -ENOBUFS/-ENOMEM. (report_pdf_seal.c) */
int report_pdf_seal(struct buf *out, EVP_PKEY *key);

/* True when data starts like a PDF ("%PDF-"). */
bool report_pdf_is_pdf(const char *data, size_t len);

#endif
