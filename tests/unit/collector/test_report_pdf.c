/* PDF reports (collector/ctl/report_pdf_layout.c, report_pdf_seal.c): labels
 * in both languages, number, percent, duration and time formats, the chart
 * axis, table pagination, UTF-8 cleaning; and the PDF's signature line
 * with its sidecar check, on a small stand-in "PDF" (cairo is not needed
 * for the evidence logic). */
#include "evidence.h"
#include "report_pdf.h"
#include "report_pdf_layout.h"
#include "test.h"

#include <errno.h>
#include <stdlib.h>

#include <openssl/sha.h>

TEST(labels_both_languages)
{
	ASSERT_EQ_STR(rpl_label(RPL_AVAILABILITY, false), "Ketersediaan");
	ASSERT_EQ_STR(rpl_label(RPL_AVAILABILITY, true), "Availability");
	ASSERT_EQ_STR(rpl_label(RPL_DOWN_PLANNED, false), "Waktu henti terencana");
	ASSERT_EQ_STR(rpl_label(RPL_DOWN_UNPLANNED, false), "Waktu henti tidak terencana");
	ASSERT_EQ_STR(rpl_label(RPL_UNKNOWN, false), "Tidak diketahui");
	ASSERT_EQ_STR(rpl_label(RPL_OUTAGES, false), "Gangguan");
	ASSERT_EQ_STR(rpl_label(RPL_NOT_MET, false), "Tidak terpenuhi");
	ASSERT_EQ_STR(rpl_label(RPL_NOT_MET, true), "Not met");
	ASSERT_EQ_STR(rpl_label(RPL_NLABELS, true), "");
	for (int l = 0; l < RPL_NLABELS; l++) { /* no label left empty in either language */
		ASSERT_TRUE(rpl_label((enum rpl_label)l, false)[0] != '\0');
		ASSERT_TRUE(rpl_label((enum rpl_label)l, true)[0] != '\0');
	}
}

TEST(integers_grouped)
{
	static const struct {
		int64_t v;
		const char *id, *en;
	} cases[] = {
		{0, "0", "0"},
		{999, "999", "999"},
		{1000, "1.000", "1,000"},
		{2678400, "2.678.400", "2,678,400"},
		{-8063, "-8.063", "-8,063"},
		{INT64_MIN, "-9.223.372.036.854.775.808", "-9,223,372,036,854,775,808"},
	};
	char out[40];
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ASSERT_TRUE(rpl_fmt_int(cases[i].v, false, out, sizeof(out)) > 0);
		ASSERT_EQ_STR(out, cases[i].id);
		ASSERT_TRUE(rpl_fmt_int(cases[i].v, true, out, sizeof(out)) > 0);
		ASSERT_EQ_STR(out, cases[i].en);
	}
	ASSERT_EQ_INT(rpl_fmt_int(2678400, false, out, 5), -ENOSPC);
	ASSERT_EQ_STR(out, "");
}

TEST(percentages)
{
	char out[32];
	rpl_fmt_pct(99.44, 4, false, out, sizeof(out));
	ASSERT_EQ_STR(out, "99,4400%");
	rpl_fmt_pct(99.44, 4, true, out, sizeof(out));
	ASSERT_EQ_STR(out, "99.4400%");
	rpl_fmt_pct(99.741, 3, false, out, sizeof(out));
	ASSERT_EQ_STR(out, "99,741%");
	rpl_fmt_pct(100.0, 0, false, out, sizeof(out));
	ASSERT_EQ_STR(out, "100%");
	/* the same rounding as the CSV's %.4f: 2674800/2678400 */
	rpl_fmt_pct(2674800.0 / 2678400.0 * 100.0, 4, true, out, sizeof(out));
	ASSERT_EQ_STR(out, "99.8656%");
	ASSERT_EQ_INT(rpl_fmt_pct(99.44, 4, true, out, 4), -ENOSPC);
}

TEST(durations)
{
	static const struct {
		int64_t s;
		const char *id, *en;
	} cases[] = {
		{0, "0:00:00", "0:00:00"},
		{59, "0:00:59", "0:00:59"},
		{5400, "1:30:00", "1:30:00"},
		{86399, "23:59:59", "23:59:59"},
		{86400, "1 hari 00:00:00", "1 d 00:00:00"},
		{93784, "1 hari 02:03:04", "1 d 02:03:04"},
		{-8063, "-2:14:23", "-2:14:23"},
	};
	char out[40];
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		rpl_fmt_duration(cases[i].s, false, out, sizeof(out));
		ASSERT_EQ_STR(out, cases[i].id);
		rpl_fmt_duration(cases[i].s, true, out, sizeof(out));
		ASSERT_EQ_STR(out, cases[i].en);
	}
}

TEST(local_times)
{
	char out[32];
	/* 2024-03-02T03:00:00Z = 10:00 WIB */
	ASSERT_EQ_INT(rpl_fmt_time(1709348400, 7 * 3600, out, sizeof(out)), 19);
	ASSERT_EQ_STR(out, "2024-03-02 10:00:00");
	ASSERT_EQ_INT(rpl_fmt_time(-1, 0, out, sizeof(out)), 19);
	ASSERT_EQ_STR(out, "1969-12-31 23:59:59");
	ASSERT_EQ_INT(rpl_fmt_time(0, 0, out, 10), -ENOSPC);
}

TEST(axis)
{
	ASSERT_NEAR(rpl_axis_min(100.0), 99.9, 1e-9);
	ASSERT_NEAR(rpl_axis_min(99.95), 99.9, 1e-9);  /* above 99.9 + a tenth of 0.1 */
	ASSERT_NEAR(rpl_axis_min(99.905), 99.5, 1e-9); /* too close to 99.9 to show */
	ASSERT_NEAR(rpl_axis_min(99.741), 99.5, 1e-9);
	ASSERT_NEAR(rpl_axis_min(99.44), 99.0, 1e-9);
	ASSERT_NEAR(rpl_axis_min(98.43), 98.0, 1e-9);
	ASSERT_NEAR(rpl_axis_min(98.1), 95.0, 1e-9); /* too close to 98 to show */
	ASSERT_NEAR(rpl_axis_min(60.0), 50.0, 1e-9);
	ASSERT_NEAR(rpl_axis_min(3.0), 0.0, 1e-9);
}

TEST(pagination)
{
	size_t pp[8];
	/* 100 rows of 10 under a 20 header: 10 fit in 120, 48 in a 500 page */
	ASSERT_EQ_INT(rpl_rows_fit(120, 20, 10), 10);
	ASSERT_EQ_INT(rpl_rows_fit(29, 20, 10), 0);
	ASSERT_EQ_INT(rpl_paginate(100, 10, 20, 120, 500, pp, 8), 3);
	ASSERT_EQ_INT(pp[0], 10);
	ASSERT_EQ_INT(pp[1], 48);
	ASSERT_EQ_INT(pp[2], 42);
	/* nothing fits on the current page: it gets 0 rows */
	ASSERT_EQ_INT(rpl_paginate(5, 10, 20, 25, 500, pp, 8), 2);
	ASSERT_EQ_INT(pp[0], 0);
	ASSERT_EQ_INT(pp[1], 5);
	/* exactly full pages, and zero rows */
	ASSERT_EQ_INT(rpl_paginate(58, 10, 20, 120, 500, pp, 8), 2);
	ASSERT_EQ_INT(pp[1], 48);
	ASSERT_EQ_INT(rpl_paginate(0, 10, 20, 120, 500, pp, 8), 1);
	ASSERT_EQ_INT(pp[0], 0);
	ASSERT_EQ_INT(rpl_paginate(1000, 10, 20, 120, 500, pp, 8), -ENOSPC);
	ASSERT_EQ_INT(rpl_paginate(1, 10, 600, 120, 500, pp, 8), -EINVAL);
}

TEST(utf8_cleaning)
{
	char out[16];
	ASSERT_EQ_INT(rpl_utf8_clean("Gedung \xc3\xa9", out, sizeof(out)), 9);
	ASSERT_EQ_STR(out, "Gedung \xc3\xa9");
	rpl_utf8_clean("a\xff"
		       "b\xc3"
		       "c\x01"
		       "d",
		       out, sizeof(out));
	ASSERT_EQ_STR(out, "a?b?c?d");
	rpl_utf8_clean("\xed\xa0\x80"
		       "x",
		       out, sizeof(out)); /* a surrogate */
	ASSERT_EQ_STR(out, "???x");
	/* cut at a character boundary, never in the middle of one */
	ASSERT_EQ_INT(rpl_utf8_clean("abc\xe2\x80\xa6", out, 5), 3);
	ASSERT_EQ_STR(out, "abc");
}

/* --- the signature line and the sidecar check -------------------------- */

static EVP_PKEY *new_key(void)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	if (!k)
		TEST_FAIL_("Ed25519 key generation failed");
	return k;
}

static void make_sidecar(struct buf *b, EVP_PKEY *k, const char *value)
{
	static const char *const cols[] = {"subject", "availability"};
	static const char *const mk[] = {"report"}, *const mv[] = {"sla"};
	struct evidence_writer w;
	buf_init(b, 1 << 20);
	ASSERT_EQ_INT(evidence_begin(&w, b, EVIDENCE_CSV, mk, mv, 1, cols, 2), 0);
	struct evidence_field f[] = {{"ups-1", false}, {value, true}};
	ASSERT_EQ_INT(evidence_row(&w, f), 0);
	ASSERT_EQ_INT(evidence_end(&w, k), 0);
}

/* A stand-in PDF: a header, the keywords cairo would write, %%EOF, sealed. */
static void make_pdf(struct buf *pdf, const struct buf *sidecar, EVP_PKEY *k)
{
	uint8_t h[32], pub[32];
	size_t n = 32;
	char hh[65], kh[65];
	SHA256(sidecar->data, sidecar->len, h);
	ASSERT_TRUE(EVP_PKEY_get_raw_public_key(k, pub, &n) == 1);
	evidence_hex(h, 32, hh);
	evidence_hex(pub, 32, kh);
	buf_init(pdf, 1 << 20);
	ASSERT_EQ_INT(buf_printf(pdf,
				 "%%PDF-1.5\n1 0 obj << /Keywords (pantau-evidence-sha256=%s "
				 "pantau-evidence-key=%s) >> endobj\n%%%%EOF\n",
				 hh, kh),
		      0);
	ASSERT_EQ_INT(report_pdf_seal(pdf, k), 0);
}

static int check(const struct buf *pdf, const struct buf *sc, EVP_PKEY *trusted, char *msg)
{
	uint8_t pub[32], t[32];
	size_t n = 32;
	if (trusted)
		ASSERT_TRUE(EVP_PKEY_get_raw_public_key(trusted, t, &n) == 1);
	return report_pdf_verify((const char *)pdf->data, pdf->len, (const char *)sc->data, sc->len,
				 "x.pdf.csv", trusted ? t : NULL, pub, msg, 512);
}

TEST(seal_and_sidecar)
{
	EVP_PKEY *k = new_key(), *other = new_key();
	struct buf sc, sc2, pdf;
	char msg[512];
	make_sidecar(&sc, k, "99.44");
	make_sidecar(&sc2, k, "99.45");
	make_pdf(&pdf, &sc, k);
	ASSERT_TRUE(report_pdf_is_pdf((const char *)pdf.data, pdf.len));
	ASSERT_EQ_INT(check(&pdf, &sc, k, msg), 0);
	ASSERT_CONTAINS(msg, "valid: the PDF's signature verifies");
	ASSERT_EQ_INT(check(&pdf, &sc, NULL, msg), 0);
	ASSERT_EQ_INT(check(&pdf, &sc, other, msg), -EBADMSG);
	ASSERT_CONTAINS(msg, "not by the trusted key");
	ASSERT_EQ_INT(check(&pdf, &sc2, k, msg), -EBADMSG); /* another valid export */
	ASSERT_CONTAINS(msg, "is not the one this PDF was made with");
	/* every single-byte change anywhere in the PDF is caught */
	for (size_t i = 0; i < pdf.len; i++) {
		pdf.data[i] ^= 0x04;
		ASSERT_EQ_INT(check(&pdf, &sc, NULL, msg), -EBADMSG);
		pdf.data[i] ^= 0x04;
	}
	ASSERT_EQ_INT(check(&pdf, &sc, k, msg), 0);
	pdf.len--; /* the final newline gone */
	ASSERT_EQ_INT(check(&pdf, &sc, k, msg), -EBADMSG);
	ASSERT_CONTAINS(msg, "no intact pantau signature line");
	buf_free(&pdf);
	/* sealed by another key than the one the metadata names */
	make_pdf(&pdf, &sc, k);
	pdf.len -= strlen(strrchr((char *)pdf.data, '%'));
	ASSERT_EQ_INT(report_pdf_seal(&pdf, other), 0);
	ASSERT_EQ_INT(check(&pdf, &sc, NULL, msg), -EBADMSG);
	ASSERT_CONTAINS(msg, "records a different signing key");
	buf_free(&pdf);
	buf_free(&sc);
	buf_free(&sc2);
	EVP_PKEY_free(k);
	EVP_PKEY_free(other);
}

TEST_MAIN(labels_both_languages, integers_grouped, percentages, durations, local_times, axis,
	  pagination, utf8_cleaning, seal_and_sidecar)
