/* Verifying an evidence file (see evidence.h): the end line's signature
 * first (it makes the row count, head and last chain value authentic), then
 * the header, then every row's link to the one before. The first broken
 * link is diagnosed from its neighbours:
 *
 *   - the next row links to this row's chain value: this row's content was
 *     changed;
 *   - the next row links to the previous row: this line was inserted;
 *   - this row's sequence number skips ahead (and the next row follows it):
 *     rows were removed before it;
 *   - the next row links to the chain this row should have had: its chain
 *     value was changed.
 *
 * Editing a row and recomputing every chain after it is possible (the chain
 * has no key); the signature over the last chain value catches that. */
#include "evidence.h"
#include "evidence_int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct line {
	const char *p;
	size_t len; /* without the newline */
};

struct row {
	size_t line; /* 1-based */
	const char *content;
	size_t clen;
	uint8_t chain[32];
	uint64_t seq;
	bool parsed;
};

struct end_info {
	uint64_t rows;
	uint8_t head[32], chain[32], pubkey[32], sig[64];
};

struct vctx {
	enum evidence_format fmt;
	struct line *lines;
	size_t nlines;
	size_t header_last; /* index of the last header line */
	size_t rows_end;    /* index of the line after the rows */
	size_t end_idx;	    /* index of the end line */
	struct end_info end;
	struct evidence_report *r;
};

static int verdict(struct evidence_report *r, enum evidence_verdict v, size_t line, const char *fmt,
		   ...) __attribute__((format(printf, 4, 5)));

static int verdict(struct evidence_report *r, enum evidence_verdict v, size_t line, const char *fmt,
		   ...)
{
	r->verdict = v;
	r->line = line;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->message, sizeof(r->message), fmt, ap);
	va_end(ap);
	return v == EVIDENCE_VALID ? 0 : -EBADMSG;
}

static bool line_is(const struct line *l, const char *s)
{
	return l->len == strlen(s) && memcmp(l->p, s, l->len) == 0;
}

static bool line_starts(const struct line *l, const char *s)
{
	size_t n = strlen(s);
	return l->len >= n && memcmp(l->p, s, n) == 0;
}

static int split_lines(const char *data, size_t len, struct vctx *c)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		n += data[i] == '\n';
	c->lines = calloc(n ? n : 1, sizeof(*c->lines));
	if (!c->lines)
		return -ENOMEM;
	const char *p = data, *end = data + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			break; /* an incomplete last line: the caller reports it */
		c->lines[c->nlines++] = (struct line){p, (size_t)(nl - p)};
		p = nl + 1;
	}
	return 0;
}

/* Finds the header's last line, the rows and the end line. */
static int find_parts(struct vctx *c)
{
	struct evidence_report *r = c->r;
	size_t i = 1;
	if (c->fmt == EVIDENCE_CSV) {
		while (i < c->nlines && line_starts(&c->lines[i], "#"))
			i++;
		if (i == c->nlines)
			return verdict(r, EVIDENCE_TRUNCATED, c->nlines,
				       "no column line: the file ends at line %zu", c->nlines);
		if (!line_starts(&c->lines[i], "seq,") || c->lines[i].len < 10 ||
		    memcmp(c->lines[i].p + c->lines[i].len - 6, ",chain", 6) != 0)
			return verdict(r, EVIDENCE_HEADER_CHANGED, i + 1,
				       "line %zu should be the column line (seq,...,chain)", i + 1);
	} else {
		while (i < c->nlines && !line_is(&c->lines[i], "\"rows\": ["))
			i++;
		if (i == c->nlines)
			return verdict(r, EVIDENCE_MALFORMED, 0, "no \"rows\": [ line");
	}
	c->header_last = i;
	const char *stop = c->fmt == EVIDENCE_CSV ? "# end " : "],";
	for (i++; i < c->nlines && !line_starts(&c->lines[i], stop); i++)
		;
	c->rows_end = i;
	c->end_idx = c->fmt == EVIDENCE_CSV ? i : i + 1;
	if (c->end_idx >= c->nlines)
		return verdict(r, EVIDENCE_TRUNCATED, c->nlines,
			       "no end line: the file stops after line %zu (cut short?)",
			       c->nlines);
	if (c->fmt == EVIDENCE_JSON && !line_is(&c->lines[i], "],"))
		return verdict(r, EVIDENCE_MALFORMED, i + 1, "line %zu should be \"],\"", i + 1);
	if (c->end_idx + 1 != c->nlines)
		return verdict(r, EVIDENCE_ROW_INSERTED, c->end_idx + 2,
			       "line %zu was added after the end line", c->end_idx + 2);
	return 0;
}

static int hex_val(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	return ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
}

/* Reads 2n lowercase hex digits at *p into out. */
static bool take_hex(const char **p, const char *end, uint8_t *out, size_t n)
{
	if ((size_t)(end - *p) < 2 * n)
		return false;
	for (size_t i = 0; i < n; i++) {
		int hi = hex_val((*p)[2 * i]), lo = hex_val((*p)[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return false;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	*p += 2 * n;
	return true;
}

static bool take_lit(const char **p, const char *end, const char *lit)
{
	size_t n = strlen(lit);
	if ((size_t)(end - *p) < n || memcmp(*p, lit, n) != 0)
		return false;
	*p += n;
	return true;
}

static bool take_u64(const char **p, const char *end, uint64_t *v)
{
	uint64_t x = 0;
	const char *s = *p;
	while (s < end && *s >= '0' && *s <= '9' && s - *p < 19)
		x = x * 10 + (uint64_t)(*s++ - '0');
	if (s == *p)
		return false;
	*p = s;
	*v = x;
	return true;
}

/* Parses the end line and checks it is byte for byte what the writer
 * writes for those values. */
static int parse_end(struct vctx *c)
{
	const struct line *l = &c->lines[c->end_idx];
	const char *p = l->p, *e = l->p + l->len;
	struct end_info *x = &c->end;
	bool csv = c->fmt == EVIDENCE_CSV;
	bool ok = take_lit(&p, e, csv ? "# end rows=" : "\"end\": {\"rows\": ") &&
		  take_u64(&p, e, &x->rows) && take_lit(&p, e, csv ? " head=" : ", \"head\": \"") &&
		  take_hex(&p, e, x->head, 32) &&
		  take_lit(&p, e, csv ? " chain=" : "\", \"chain\": \"") &&
		  take_hex(&p, e, x->chain, 32) &&
		  take_lit(&p, e, csv ? " pubkey=" : "\", \"pubkey\": \"") &&
		  take_hex(&p, e, x->pubkey, 32) &&
		  take_lit(&p, e, csv ? " sig=" : "\", \"sig\": \"") && take_hex(&p, e, x->sig, 64);
	struct buf b;
	buf_init(&b, 1024);
	ok = ok &&
	     evidence_end_line(&b, c->fmt, x->rows, x->head, x->chain, x->pubkey, x->sig) == 0 &&
	     b.len == l->len + 1 && memcmp(b.data, l->p, l->len) == 0;
	buf_free(&b);
	if (!ok)
		return verdict(c->r, EVIDENCE_MALFORMED, c->end_idx + 1,
			       "line %zu (the signed end line) is damaged", c->end_idx + 1);
	memcpy(c->r->pubkey, x->pubkey, 32);
	return 0;
}

static int check_signature(struct vctx *c, const uint8_t *trusted)
{
	char want[65], got[65];
	evidence_hex(c->end.pubkey, 32, got);
	if (trusted && memcmp(trusted, c->end.pubkey, 32) != 0) {
		evidence_hex(trusted, 32, want);
		return verdict(c->r, EVIDENCE_WRONG_KEY, c->end_idx + 1,
			       "signed by key %.16s..., not by the trusted key %.16s...", got,
			       want);
	}
	uint8_t msg[EVIDENCE_MSG_LEN];
	evidence_signed_message(c->end.head, c->end.chain, c->end.rows, msg);
	EVP_PKEY *k = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, c->end.pubkey, 32);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = k && ctx && EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, k) == 1 &&
		 EVP_DigestVerify(ctx, c->end.sig, 64, msg, sizeof(msg)) == 1;
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(k);
	if (!ok)
		return verdict(c->r, EVIDENCE_BAD_SIGNATURE, c->end_idx + 1,
			       "the signature on line %zu does not verify: the end line was "
			       "changed, or the rows were re-chained after signing",
			       c->end_idx + 1);
	return 0;
}

/* Splits a row line into content, chain value and sequence number. */
static void parse_row(const struct vctx *c, size_t idx, bool last, struct row *w)
{
	const struct line *l = &c->lines[idx];
	*w = (struct row){.line = idx + 1};
	const char *p = l->p, *e = l->p + l->len;
	const char *mark;
	size_t mlen;
	if (c->fmt == EVIDENCE_CSV) {
		mark = ",";
		mlen = 1;
	} else {
		mark = ", \"chain\": \"";
		mlen = strlen(mark);
		if (!last && (e == p || e[-1] != ','))
			return;
		e -= !last;
		if (e - p < 2 || memcmp(e - 2, "\"}", 2) != 0)
			return;
		e -= 2;
		if (!take_lit(&p, e, "{\"seq\": "))
			return;
	}
	if (e - p < (ptrdiff_t)(64 + mlen) || memcmp(e - 64 - mlen, mark, mlen) != 0)
		return;
	const char *hex = e - 64;
	if (!take_u64(&p, e, &w->seq) || (c->fmt == EVIDENCE_CSV && *p != ',') ||
	    !take_hex(&hex, e, w->chain, 32))
		return;
	w->content = l->p;
	w->clen = (size_t)(e - 64 - mlen - l->p);
	w->parsed = true;
}

static bool links(const uint8_t prev[32], const struct row *w, const uint8_t *chain)
{
	uint8_t h[32];
	return w && w->parsed && evidence_link(prev, w->content, w->clen, h) == 0 &&
	       memcmp(h, chain ? chain : w->chain, 32) == 0;
}

/* The first row that does not link to the one before: what happened. */
static int diagnose(struct vctx *c, const struct row *w, const struct row *next,
		    const uint8_t prev[32], uint64_t expect)
{
	struct evidence_report *r = c->r;
	size_t ln = w->line;
	r->seq = expect;
	/* A skipped number, and the next row does not repeat it (a changed number). */
	bool skipped = w->parsed && w->seq > expect && w->seq <= c->end.rows &&
		       (!next || !next->parsed || next->seq != w->seq);
	if (skipped) {
		if (w->seq == expect + 1)
			return verdict(r, EVIDENCE_ROW_REMOVED, ln,
				       "row %" PRIu64 " was removed (before line %zu)", expect, ln);
		return verdict(r, EVIDENCE_ROW_REMOVED, ln,
			       "rows %" PRIu64 "-%" PRIu64 " were removed (before line %zu)",
			       expect, w->seq - 1, ln);
	}
	if (links(prev, next, NULL))
		return verdict(r, EVIDENCE_ROW_INSERTED, ln, "line %zu was inserted", ln);
	const uint8_t *after = next ? NULL : c->end.chain; /* the last row: the signed chain */
	uint8_t own[32];
	bool has_own = w->parsed && evidence_link(prev, w->content, w->clen, own) == 0;
	if (w->parsed && (next ? links(w->chain, next, NULL) : !memcmp(w->chain, after, 32)))
		return verdict(r, EVIDENCE_ROW_CHANGED, ln,
			       "line %zu (row %" PRIu64 ") was changed", ln, expect);
	if (has_own && (next ? links(own, next, NULL) : !memcmp(own, after, 32)))
		return verdict(r, EVIDENCE_ROW_CHANGED, ln,
			       "line %zu (row %" PRIu64 "): its chain value was changed", ln,
			       expect);
	return verdict(r, EVIDENCE_ROW_CHANGED, ln,
		       "line %zu (row %" PRIu64 ") was changed (and perhaps lines after it)", ln,
		       expect);
}

static int walk_rows(struct vctx *c)
{
	size_t first = c->header_last + 1, m = c->rows_end - first;
	struct row *rows = calloc(m ? m : 1, sizeof(*rows));
	if (!rows)
		return -ENOMEM;
	for (size_t i = 0; i < m; i++)
		parse_row(c, first + i, i + 1 == m, &rows[i]);
	uint8_t prev[32];
	memcpy(prev, c->end.head, 32);
	int rc = 0;
	uint64_t expect = 1;
	for (size_t i = 0; rc == 0 && i < m; i++, expect++) {
		if (rows[i].parsed && rows[i].seq == expect && links(prev, &rows[i], NULL)) {
			memcpy(prev, rows[i].chain, 32);
			c->r->rows = expect;
			continue;
		}
		rc = diagnose(c, &rows[i], i + 1 < m ? &rows[i + 1] : NULL, prev, expect);
	}
	size_t last_line = first + m; /* 1-based line of the last row (or the header) */
	if (rc == 0 && m < c->end.rows)
		rc = verdict(c->r, EVIDENCE_TRUNCATED, last_line,
			     "rows %" PRIu64 "-%" PRIu64 " are missing after line %zu: the end "
			     "line says %" PRIu64 " rows, the file has %zu",
			     (uint64_t)m + 1, c->end.rows, last_line, c->end.rows, m);
	else if (rc == 0 && m > c->end.rows)
		rc = verdict(c->r, EVIDENCE_ROW_INSERTED, first + c->end.rows + 1,
			     "line %zu and the rows after it were added after signing",
			     (size_t)(first + c->end.rows + 1));
	else if (rc == 0 && memcmp(prev, c->end.chain, 32) != 0)
		rc = verdict(c->r, EVIDENCE_ROW_CHANGED, last_line,
			     "line %zu (row %" PRIu64 ") was changed", last_line, (uint64_t)m);
	free(rows);
	return rc;
}

static int verify_parts(struct vctx *c, const char *data, const uint8_t *trusted)
{
	int rc = find_parts(c);
	if (rc == 0)
		rc = parse_end(c);
	if (rc == 0)
		rc = check_signature(c, trusted);
	if (rc < 0)
		return rc;
	const struct line *hl = &c->lines[c->header_last];
	uint8_t head[32];
	if (evidence_sha256(data, (size_t)(hl->p + hl->len + 1 - data), head) < 0)
		return -EIO;
	if (memcmp(head, c->end.head, 32) != 0)
		return verdict(c->r, EVIDENCE_HEADER_CHANGED, 1,
			       "the header (lines 1-%zu) was changed", c->header_last + 1);
	rc = walk_rows(c);
	if (rc == 0)
		rc = verdict(c->r, EVIDENCE_VALID, 0, "valid: %" PRIu64 " rows", c->end.rows);
	return rc;
}

int evidence_verify(const char *data, size_t len, const uint8_t *trusted, struct evidence_report *r)
{
	memset(r, 0, sizeof(*r));
	struct vctx c = {.r = r};
	if (len == 0)
		return verdict(r, EVIDENCE_MALFORMED, 0, "the file is empty");
	if (split_lines(data, len, &c) < 0)
		return -ENOMEM;
	int rc;
	bool csv = c.nlines && line_is(&c.lines[0], "# pantau-evidence v1 csv");
	bool json = c.nlines && line_is(&c.lines[0], "{\"format\": \"pantau-evidence v1 json\",");
	if (data[len - 1] != '\n') {
		rc = verdict(r, EVIDENCE_TRUNCATED, c.nlines + 1,
			     "line %zu is incomplete: the file was cut short", c.nlines + 1);
	} else if (!csv && !json) {
		rc = verdict(r, EVIDENCE_MALFORMED, 1, "line 1: not a pantau evidence file");
	} else {
		c.fmt = csv ? EVIDENCE_CSV : EVIDENCE_JSON;
		rc = verify_parts(&c, data, trusted);
	}
	free(c.lines);
	return rc;
}
