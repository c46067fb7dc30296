/* pantauctl report --format pdf: the PDF's own Ed25519 signature line and
 * verification of a PDF report against its sidecar (see report_pdf.h).
 * No file I/O: the caller reads both files. */
#include "evidence.h"
#include "report_pdf.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#define SEAL_PREFIX  "%pantau-pdf-sig v1 pubkey="
#define SEAL_MAGIC   "pantau-pdf v1\n"
#define SEAL_MSG_LEN (sizeof(SEAL_MAGIC) - 1 + 32)
#define KW_HASH	     "pantau-evidence-sha256="
#define KW_KEY	     "pantau-evidence-key="

bool report_pdf_is_pdf(const char *data, size_t len)
{
	return len >= 5 && memcmp(data, "%PDF-", 5) == 0;
}

static void seal_message(const uint8_t digest[32], uint8_t msg[SEAL_MSG_LEN])
{
	memcpy(msg, SEAL_MAGIC, sizeof(SEAL_MAGIC) - 1);
	memcpy(msg + sizeof(SEAL_MAGIC) - 1, digest, 32);
}

static int sha256(const void *data, size_t len, uint8_t out[32])
{
	unsigned n = 0;
	return EVP_Digest(data, len, out, &n, EVP_sha256(), NULL) && n == 32 ? 0 : -EIO;
}

int report_pdf_seal(struct buf *out, EVP_PKEY *key)
{
	uint8_t digest[32], msg[SEAL_MSG_LEN], pub[32], sig[64];
	size_t publen = sizeof(pub), siglen = sizeof(sig);
	if (sha256(out->data, out->len, digest) < 0)
		return -EIO;
	seal_message(digest, msg);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = ctx && EVP_DigestSignInit(ctx, NULL, NULL, NULL, key) == 1 &&
		 EVP_DigestSign(ctx, sig, &siglen, msg, sizeof(msg)) == 1 && siglen == 64 &&
		 EVP_PKEY_get_raw_public_key(key, pub, &publen) == 1 && publen == 32;
	EVP_MD_CTX_free(ctx);
	if (!ok)
		return -EIO;
	char k[65], s[129];
	evidence_hex(pub, 32, k);
	evidence_hex(sig, 64, s);
	int rc = buf_puts(out, SEAL_PREFIX);
	return rc < 0 ? rc : buf_printf(out, "%s sig=%s\n", k, s);
}

static int unhex(const char *s, size_t n, uint8_t *out)
{
	for (size_t i = 0; i < 2 * n; i++) {
		char c = s[i];
		int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
		if (v < 0)
			return -EINVAL;
		out[i / 2] = (uint8_t)(i % 2 ? (out[i / 2] << 4) | v : v);
	}
	return 0;
}

/* memmem for the NUL-free keyword in a binary buffer. */
static const char *find(const char *hay, size_t len, const char *needle)
{
	size_t n = strlen(needle);
	for (size_t i = 0; len >= n && i <= len - n; i++)
		if (hay[i] == needle[0] && memcmp(hay + i, needle, n) == 0)
			return hay + i;
	return NULL;
}

/* The 32 bytes written as 64 hex digits after keyword in body; the keyword
 * must occur exactly once (cairo writes metadata strings uncompressed). */
static int recorded(const char *body, size_t len, const char *keyword, uint8_t out[32])
{
	const char *p = find(body, len, keyword);
	size_t off = p ? (size_t)(p - body) + strlen(keyword) : 0;
	if (!p || len - off < 64 || unhex(body + off, 32, out) < 0)
		return -EINVAL;
	return find(body + off, len - off, keyword) ? -EINVAL : 0;
}

static int say(char *msg, size_t msglen, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int say(char *msg, size_t msglen, int rc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, msglen, fmt, ap);
	va_end(ap);
	return rc;
}

/* Splits off and checks the signature line; *body_len = bytes it covers. */
static int check_seal(const char *pdf, size_t len, uint8_t pub[32], size_t *body_len, char *msg,
		      size_t msglen)
{
	size_t end = len;
	if (end && pdf[end - 1] == '\n')
		end--;
	size_t start = end;
	while (start > 0 && pdf[start - 1] != '\n')
		start--;
	size_t plen = sizeof(SEAL_PREFIX) - 1;
	const char *line = pdf + start;
	uint8_t sig[64], digest[32], m[SEAL_MSG_LEN];
	if (end - start != plen + 64 + 5 + 128 || end == len ||
	    memcmp(line, SEAL_PREFIX, plen) != 0 || unhex(line + plen, 32, pub) < 0 ||
	    memcmp(line + plen + 64, " sig=", 5) != 0 || unhex(line + plen + 69, 64, sig) < 0)
		return say(msg, msglen, -EBADMSG,
			   "the PDF has no intact pantau signature line at its end (not a pantau "
			   "report, cut short, or its last line was changed)");
	*body_len = start;
	if (sha256(pdf, start, digest) < 0)
		return say(msg, msglen, -ENOMEM, "SHA-256 failed");
	seal_message(digest, m);
	EVP_PKEY *k = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub, 32);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = k && ctx && EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, k) == 1 &&
		 EVP_DigestVerify(ctx, sig, 64, m, sizeof(m)) == 1;
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(k);
	if (!ok)
		return say(msg, msglen, -EBADMSG,
			   "the PDF was changed after it was signed (its signature does not "
			   "verify over its %zu bytes)",
			   start);
	return 0;
}

int report_pdf_verify(const char *pdf, size_t len, const char *sidecar, size_t sidecar_len,
		      const char *sidecar_name, const uint8_t *trusted, uint8_t pubkey[32],
		      char *msg, size_t msglen)
{
	size_t body = 0;
	uint8_t want[32], key[32], got[32];
	int rc = check_seal(pdf, len, pubkey, &body, msg, msglen);
	if (rc < 0)
		return rc;
	if (trusted && CRYPTO_memcmp(trusted, pubkey, 32) != 0)
		return say(msg, msglen, -EBADMSG,
			   "the PDF is intact but signed by another key, not by the trusted key");
	if (recorded(pdf, body, KW_HASH, want) < 0 || recorded(pdf, body, KW_KEY, key) < 0)
		return say(msg, msglen, -EBADMSG,
			   "the PDF's metadata does not record its sidecar's SHA-256 and key");
	if (CRYPTO_memcmp(key, pubkey, 32) != 0)
		return say(msg, msglen, -EBADMSG,
			   "the PDF records a different signing key than the one that signed it");
	if (sha256(sidecar, sidecar_len, got) < 0)
		return say(msg, msglen, -ENOMEM, "SHA-256 failed");
	char wh[65], gh[65];
	evidence_hex(want, 32, wh);
	evidence_hex(got, 32, gh);
	if (CRYPTO_memcmp(want, got, 32) != 0)
		return say(msg, msglen, -EBADMSG,
			   "the sidecar %s is not the one this PDF was made with (SHA-256 %s, the "
			   "PDF records %s)",
			   sidecar_name, gh, wh);
	struct evidence_report r;
	rc = evidence_verify(sidecar, sidecar_len, pubkey, &r);
	if (rc == -ENOMEM)
		return say(msg, msglen, -ENOMEM, "out of memory");
	if (rc < 0)
		return say(msg, msglen, -EBADMSG, "sidecar %s: %s", sidecar_name, r.message);
	return say(msg, msglen, 0,
		   "valid: the PDF's signature verifies and its sidecar %s (SHA-256 %s) is the "
		   "one it records; sidecar: %s",
		   sidecar_name, gh, r.message);
}
