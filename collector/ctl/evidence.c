/* Evidence files (see evidence.h): writing rows with their hash chain and
 * the signed end line. Verification is in evidence_verify.c. */
#include "evidence.h"
#include "evidence_int.h"
#include "json.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

int evidence_format_parse(const char *name, enum evidence_format *f)
{
	if (name && strcmp(name, "csv") == 0)
		*f = EVIDENCE_CSV;
	else if (name && strcmp(name, "json") == 0)
		*f = EVIDENCE_JSON;
	else
		return -EINVAL;
	return 0;
}

void evidence_hex(const uint8_t *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

int evidence_link(const uint8_t prev[32], const char *content, size_t len, uint8_t out[32])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned n = 0;
	int ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) &&
		 EVP_DigestUpdate(ctx, prev, 32) && EVP_DigestUpdate(ctx, content, len) &&
		 EVP_DigestFinal_ex(ctx, out, &n) && n == 32;
	EVP_MD_CTX_free(ctx);
	return ok ? 0 : -EIO;
}

int evidence_sha256(const void *data, size_t len, uint8_t out[32])
{
	unsigned n = 0;
	return EVP_Digest(data, len, out, &n, EVP_sha256(), NULL) && n == 32 ? 0 : -EIO;
}

void evidence_signed_message(const uint8_t head[32], const uint8_t chain[32], uint64_t rows,
			     uint8_t msg[EVIDENCE_MSG_LEN])
{
	memcpy(msg, EVIDENCE_MAGIC, sizeof(EVIDENCE_MAGIC) - 1);
	uint8_t *p = msg + sizeof(EVIDENCE_MAGIC) - 1;
	memcpy(p, head, 32);
	memcpy(p + 32, chain, 32);
	for (int i = 0; i < 8; i++)
		p[64 + i] = (uint8_t)(rows >> (56 - 8 * i));
}

int evidence_end_line(struct buf *out, enum evidence_format fmt, uint64_t rows,
		      const uint8_t head[32], const uint8_t chain[32], const uint8_t pubkey[32],
		      const uint8_t sig[64])
{
	char h[65], c[65], k[65], s[129];
	evidence_hex(head, 32, h);
	evidence_hex(chain, 32, c);
	evidence_hex(pubkey, 32, k);
	evidence_hex(sig, 64, s);
	if (fmt == EVIDENCE_CSV)
		return buf_printf(out, "# end rows=%" PRIu64 " head=%s chain=%s pubkey=%s sig=%s\n",
				  rows, h, c, k, s);
	return buf_printf(out,
			  "\"end\": {\"rows\": %" PRIu64 ", \"head\": \"%s\", \"chain\": \"%s\", "
			  "\"pubkey\": \"%s\", \"sig\": \"%s\"}}\n",
			  rows, h, c, k, s);
}

static bool has_newline(const char *s)
{
	return s && strpbrk(s, "\r\n") != NULL;
}

/* Spreadsheets run a cell that starts with = + - @ as a formula: such
 * strings get a leading apostrophe in CSV (numbers are written as they are). */
static int csv_put(struct buf *b, const struct evidence_field *f)
{
	const char *v = f->value ? f->value : "";
	bool formula = !f->number && strchr("=+-@", v[0]) && v[0];
	bool quote = formula || strpbrk(v, ",\"\r\n\\") || v[0] == ' ' || v[0] == '#';
	int rc = quote ? buf_putc(b, '"') : 0;
	if (rc == 0 && formula)
		rc = buf_putc(b, '\'');
	for (const char *p = v; rc == 0 && *p; p++) {
		if (*p == '"')
			rc = buf_puts(b, "\"\"");
		else if (*p == '\n')
			rc = buf_puts(b, "\\n");
		else if (*p == '\r')
			rc = buf_puts(b, "\\r");
		else if (*p == '\\')
			rc = buf_puts(b, "\\\\");
		else
			rc = buf_putc(b, *p);
	}
	return rc == 0 && quote ? buf_putc(b, '"') : rc;
}

static bool json_number_ok(const char *v)
{
	return v && v[0] && strspn(v, "-+0123456789.eE") == strlen(v);
}

static int json_put(struct buf *b, const struct evidence_field *f)
{
	if (!f->value)
		return buf_puts(b, "null");
	if (f->number)
		return json_number_ok(f->value) ? buf_puts(b, f->value) : -EINVAL;
	return json_put_string(b, f->value);
}

static int header_csv(struct evidence_writer *w, const char *const *mk, const char *const *mv,
		      size_t nmeta)
{
	int rc = buf_puts(w->out, "# pantau-evidence v1 csv\n");
	for (size_t i = 0; rc == 0 && i < nmeta; i++)
		rc = buf_printf(w->out, "# %s: %s\n", mk[i], mv[i]);
	if (rc == 0)
		rc = buf_puts(w->out, "seq");
	for (size_t i = 0; rc == 0 && i < w->ncols; i++) {
		struct evidence_field f = {w->cols[i], false};
		rc = buf_putc(w->out, ',');
		if (rc == 0)
			rc = csv_put(w->out, &f);
	}
	return rc == 0 ? buf_puts(w->out, ",chain\n") : rc;
}

static int header_json(struct evidence_writer *w, const char *const *mk, const char *const *mv,
		       size_t nmeta)
{
	int rc = buf_puts(w->out, "{\"format\": \"pantau-evidence v1 json\",\n\"meta\": {");
	for (size_t i = 0; rc == 0 && i < nmeta; i++) {
		rc = i ? buf_puts(w->out, ", ") : 0;
		if (rc == 0)
			rc = json_put_string(w->out, mk[i]);
		if (rc == 0)
			rc = buf_puts(w->out, ": ");
		if (rc == 0)
			rc = json_put_string(w->out, mv[i]);
	}
	if (rc == 0)
		rc = buf_puts(w->out, "},\n\"columns\": [\"seq\"");
	for (size_t i = 0; rc == 0 && i < w->ncols; i++) {
		rc = buf_puts(w->out, ", ");
		if (rc == 0)
			rc = json_put_string(w->out, w->cols[i]);
	}
	return rc == 0 ? buf_puts(w->out, ", \"chain\"],\n\"rows\": [\n") : rc;
}

int evidence_begin(struct evidence_writer *w, struct buf *out, enum evidence_format fmt,
		   const char *const *meta_keys, const char *const *meta_values, size_t nmeta,
		   const char *const *cols, size_t ncols)
{
	memset(w, 0, sizeof(*w));
	for (size_t i = 0; i < nmeta; i++)
		if (!meta_keys[i] || !meta_values[i] || has_newline(meta_keys[i]) ||
		    has_newline(meta_values[i]))
			return -EINVAL;
	w->fmt = fmt;
	w->out = out;
	w->cols = cols;
	w->ncols = ncols;
	w->header_start = out->len;
	int rc = fmt == EVIDENCE_CSV ? header_csv(w, meta_keys, meta_values, nmeta)
				     : header_json(w, meta_keys, meta_values, nmeta);
	if (rc == 0)
		rc = evidence_sha256(out->data + w->header_start, out->len - w->header_start,
				     w->head);
	memcpy(w->chain, w->head, 32);
	w->in_rows = rc == 0;
	return rc;
}

/* The row's content (what the chain hashes), up to its chain field. */
static int row_content(struct evidence_writer *w, const struct evidence_field *fields)
{
	int rc;
	if (w->fmt == EVIDENCE_CSV) {
		rc = buf_printf(w->out, "%" PRIu64, w->rows + 1);
		for (size_t i = 0; rc == 0 && i < w->ncols; i++) {
			rc = buf_putc(w->out, ',');
			if (rc == 0)
				rc = csv_put(w->out, &fields[i]);
		}
		return rc;
	}
	rc = buf_printf(w->out, "{\"seq\": %" PRIu64, w->rows + 1);
	for (size_t i = 0; rc == 0 && i < w->ncols; i++) {
		rc = buf_puts(w->out, ", ");
		if (rc == 0)
			rc = json_put_string(w->out, w->cols[i]);
		if (rc == 0)
			rc = buf_puts(w->out, ": ");
		if (rc == 0)
			rc = json_put(w->out, &fields[i]);
	}
	return rc;
}

int evidence_row(struct evidence_writer *w, const struct evidence_field *fields)
{
	if (!w->in_rows)
		return -EINVAL;
	size_t undo = w->out->len;
	/* JSON rows are separated by ",\n": the comma goes on the previous line. */
	int rc = w->fmt == EVIDENCE_JSON && w->rows ? buf_puts(w->out, ",\n") : 0;
	size_t start = w->out->len;
	if (rc == 0)
		rc = row_content(w, fields);
	uint8_t next[32];
	if (rc == 0)
		rc = evidence_link(w->chain, (const char *)w->out->data + start,
				   w->out->len - start, next);
	char hex[65];
	evidence_hex(next, 32, hex);
	if (rc == 0)
		rc = w->fmt == EVIDENCE_CSV ? buf_printf(w->out, ",%s\n", hex)
					    : buf_printf(w->out, ", \"chain\": \"%s\"}", hex);
	if (rc < 0) {
		w->out->len = undo; /* the file stays as it was */
		return rc;
	}
	memcpy(w->chain, next, 32);
	w->rows++;
	return 0;
}

int evidence_end(struct evidence_writer *w, EVP_PKEY *key)
{
	if (!w->in_rows || !key || EVP_PKEY_id(key) != EVP_PKEY_ED25519)
		return -EINVAL;
	uint8_t pub[32], sig[64], msg[EVIDENCE_MSG_LEN];
	size_t publen = sizeof(pub), siglen = sizeof(sig);
	evidence_signed_message(w->head, w->chain, w->rows, msg);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = ctx && EVP_PKEY_get_raw_public_key(key, pub, &publen) && publen == 32 &&
		 EVP_DigestSignInit(ctx, NULL, NULL, NULL, key) &&
		 EVP_DigestSign(ctx, sig, &siglen, msg, sizeof(msg)) && siglen == 64;
	EVP_MD_CTX_free(ctx);
	if (!ok)
		return -EIO;
	int rc = 0;
	if (w->fmt == EVIDENCE_JSON)
		rc = buf_puts(w->out, w->rows ? "\n],\n" : "],\n");
	if (rc == 0)
		rc = evidence_end_line(w->out, w->fmt, w->rows, w->head, w->chain, pub, sig);
	w->in_rows = false;
	return rc;
}
