/* Evidence files (collector/ctl/evidence*.c): the chain follows the
 * documented formula, every 1-byte edit fails verification, and a changed,
 * removed or inserted row, a cut file and another signer are named. */
#include "evidence.h"
#include "test.h"

#include <errno.h>
#include <stdlib.h>

#include <openssl/sha.h>

static const char *const cols[] = {"device", "availability", "cause"};
static const char *const mkeys[] = {"report", "period"};
static const char *const mvals[] = {"sla", "2024-03"};

static EVP_PKEY *new_key(void)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	if (!k)
		TEST_FAIL_("Ed25519 key generation failed");
	return k;
}

static void raw_pub(EVP_PKEY *k, uint8_t out[32])
{
	size_t n = 32;
	ASSERT_TRUE(EVP_PKEY_get_raw_public_key(k, out, &n) == 1 && n == 32);
}

/* A file with nrows rows; row i: dev-i, 99.9i, and a cause with a comma
 * and a quote (escaping) on row 2. */
static void make_file(struct buf *b, enum evidence_format fmt, size_t nrows, EVP_PKEY *k)
{
	struct evidence_writer w;
	buf_init(b, 1 << 20);
	ASSERT_EQ_INT(evidence_begin(&w, b, fmt, mkeys, mvals, 2, cols, 3), 0);
	for (size_t i = 1; i <= nrows; i++) {
		char dev[16], av[16];
		snprintf(dev, sizeof(dev), "dev-%zu", i);
		snprintf(av, sizeof(av), "99.9%zu", i);
		struct evidence_field f[] = {
			{dev, false}, {av, true}, {i == 2 ? "PLN, \"trip\"" : NULL, false}};
		ASSERT_EQ_INT(evidence_row(&w, f), 0);
	}
	ASSERT_EQ_INT(evidence_end(&w, k), 0);
	ASSERT_EQ_INT(buf_putc(b, '\0'), 0); /* for string helpers; not part of the file */
	b->len--;
}

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static int verify(const struct buf *b, EVP_PKEY *trusted, struct evidence_report *r)
{
	uint8_t pub[32];
	if (trusted)
		raw_pub(trusted, pub);
	return evidence_verify((const char *)b->data, b->len, trusted ? pub : NULL, r);
}

/* Start of line n (1-based) in b, and its length with the newline. */
static size_t line_at(const struct buf *b, size_t n, size_t *len)
{
	size_t start = 0;
	for (size_t i = 1; i < n; i++)
		start = (size_t)((uint8_t *)memchr(b->data + start, '\n', b->len - start) -
				 b->data) +
			1;
	*len = (size_t)((uint8_t *)memchr(b->data + start, '\n', b->len - start) - b->data) + 1 -
	       start;
	return start;
}

static void remove_line(struct buf *b, size_t n)
{
	size_t len, s = line_at(b, n, &len);
	memmove(b->data + s, b->data + s + len, b->len - s - len);
	b->len -= len;
}

static void insert_line(struct buf *b, size_t before, const char *text, size_t len)
{
	size_t l, s = line_at(b, before, &l);
	ASSERT_EQ_INT(buf_reserve(b, len), 0);
	memmove(b->data + s + len, b->data + s, b->len - s);
	memcpy(b->data + s, text, len);
	b->len += len;
}

TEST(csv_layout_and_chain_formula)
{
	EVP_PKEY *k = new_key();
	struct buf b;
	make_file(&b, EVIDENCE_CSV, 3, k);
	const char *want = "# pantau-evidence v1 csv\n# report: sla\n# period: 2024-03\n"
			   "seq,device,availability,cause,chain\n";
	ASSERT_TRUE(strncmp((char *)b.data, want, strlen(want)) == 0);
	/* chain_1 = SHA-256(SHA-256(header) || "1,dev-1,99.91,") */
	uint8_t head[32], in[32 + 64], c1[32];
	SHA256((const uint8_t *)want, strlen(want), head);
	const char *row1 = "1,dev-1,99.91,";
	memcpy(in, head, 32);
	memcpy(in + 32, row1, strlen(row1));
	SHA256(in, 32 + strlen(row1), c1);
	char hex[65], line[128];
	evidence_hex(c1, 32, hex);
	snprintf(line, sizeof(line), "%s,%s\n", row1, hex);
	ASSERT_CONTAINS((char *)b.data, line);
	ASSERT_CONTAINS((char *)b.data, "\n2,dev-2,99.92,\"PLN, \"\"trip\"\"\",");
	ASSERT_CONTAINS((char *)b.data, "\n# end rows=3 head=");
	struct evidence_report r;
	ASSERT_EQ_INT(verify(&b, k, &r), 0);
	ASSERT_EQ_INT(r.verdict, EVIDENCE_VALID);
	ASSERT_EQ_INT(r.rows, 3);
	ASSERT_EQ_INT(verify(&b, NULL, &r), 0);
	buf_free(&b);
	EVP_PKEY_free(k);
}

TEST(json_layout)
{
	EVP_PKEY *k = new_key();
	struct buf b;
	make_file(&b, EVIDENCE_JSON, 2, k);
	ASSERT_TRUE(starts_with(
		(char *)b.data,
		"{\"format\": \"pantau-evidence v1 json\",\n\"meta\": {\"report\": \"sla\", "
		"\"period\": \"2024-03\"},\n\"columns\": [\"seq\", \"device\", "
		"\"availability\", \"cause\", \"chain\"],\n\"rows\": [\n"
		"{\"seq\": 1, \"device\": \"dev-1\", \"availability\": 99.91, \"cause\": "
		"null, \"chain\": \""));
	ASSERT_CONTAINS((char *)b.data, "\"cause\": \"PLN, \\\"trip\\\"\", \"chain\": \"");
	ASSERT_CONTAINS((char *)b.data, "\"}\n],\n\"end\": {\"rows\": 2, \"head\": \"");
	struct evidence_report r;
	ASSERT_EQ_INT(verify(&b, k, &r), 0);
	buf_free(&b);
	/* no rows at all is a valid (signed) statement too */
	make_file(&b, EVIDENCE_JSON, 0, k);
	ASSERT_EQ_INT(verify(&b, k, &r), 0);
	ASSERT_CONTAINS((char *)b.data, "\"rows\": [\n],\n\"end\": {\"rows\": 0,");
	buf_free(&b);
	EVP_PKEY_free(k);
}

/* Flips one bit of every byte in turn: never valid. */
static void every_byte(enum evidence_format fmt)
{
	EVP_PKEY *k = new_key();
	struct buf b;
	make_file(&b, fmt, 4, k);
	struct evidence_report r;
	for (size_t i = 0; i < b.len; i++) {
		for (int bit = 0; bit < 8; bit += 7) {
			b.data[i] ^= (uint8_t)(1u << bit);
			int rc = verify(&b, NULL, &r);
			b.data[i] ^= (uint8_t)(1u << bit);
			if (rc == 0)
				TEST_FAIL_("bit %d of byte %zu flipped and still valid", bit, i);
		}
	}
	ASSERT_EQ_INT(verify(&b, k, &r), 0);
	buf_free(&b);
	EVP_PKEY_free(k);
}

TEST(every_one_byte_edit_fails_csv)
{
	every_byte(EVIDENCE_CSV);
}

TEST(every_one_byte_edit_fails_json)
{
	every_byte(EVIDENCE_JSON);
}

/* CSV: lines 1-4 header, rows on lines 5-9, end line 10. */
TEST(changed_row_is_located)
{
	EVP_PKEY *k = new_key();
	struct buf b;
	make_file(&b, EVIDENCE_CSV, 5, k);
	size_t len, s = line_at(&b, 7, &len); /* row 3: "3,dev-3,99.93,..." */
	b.data[s + 12] = '0';		      /* availability 99.93 -> 99.90 */
	struct evidence_report r;
	ASSERT_EQ_INT(verify(&b, k, &r), -EBADMSG);
	ASSERT_EQ_INT(r.verdict, EVIDENCE_ROW_CHANGED);
	ASSERT_EQ_INT(r.line, 7);
	ASSERT_CONTAINS(r.message, "line 7 (row 3) was changed");
	b.data[s + 12] = '3';
	/* the last row, and a chain value */
	s = line_at(&b, 9, &len);
	b.data[s] = '6';
	ASSERT_EQ_INT(verify(&b, k, &r), -EBADMSG);
	ASSERT_EQ_INT(r.line, 9);
	ASSERT_EQ_INT(r.verdict, EVIDENCE_ROW_CHANGED);
	b.data[s] = '5';
	s = line_at(&b, 6, &len);
	b.data[s + len - 2] = b.data[s + len - 2] == 'a' ? 'b' : 'a';
	ASSERT_EQ_INT(verify(&b, k, &r), -EBADMSG);
	ASSERT_EQ_INT(r.line, 6);
	ASSERT_CONTAINS(r.message, "chain value was changed");
	buf_free(&b);
	EVP_PKEY_free(k);
}

TEST(removed_and_inserted_rows_are_located)
{
	EVP_PKEY *k = new_key();
	struct buf b;
	struct evidence_report r;
	make_file(&b, EVIDENCE_CSV, 5, k);
	remove_line(&b, 6); /* row 2 */
	ASSERT_EQ_INT(verify(&b, k, &r), -EBADMSG);
	ASSERT_EQ_INT(r.verdict, EVIDENCE_ROW_REMOVED);
	ASSERT_EQ_INT(r.line, 6);
	ASSERT_CONTAINS(r.message, "row 2 was removed (before line 6)");
	buf_free(&b);

	make_file(&b, EVIDENCE_JSON, 5, k);
	size_t len, s = line_at(&b, 6, &len); /* JSON: rows on lines 5-9 */
	char copy[512];
	memcpy(copy, b.data + s, len);
	insert_line(&b, 7, copy, len); /* row 2 again after itself */
	ASSERT_EQ_INT(verify(&b, k, &r), -EBADMSG);
	ASSERT_EQ_INT(r.verdict, EVIDENCE_ROW_INSERTED);
	ASSERT_EQ_INT(r.line, 7);
	buf_free(&b);

	make_file(&b, EVIDENCE_CSV, 5, k);
	insert_line(&b, 5, "0,forged,100,,0000\n", 19);
	ASSERT_EQ_INT(verify(&b, k, &r), -EBADMSG);
	ASSERT_EQ_INT(r.verdict, EVIDENCE_ROW_INSERTED);
	ASSERT_EQ_INT(r.line, 5);
	buf_free(&b);
	EVP_PKEY_free(k);
}

TEST(truncated_files_are_detected)
{
	EVP_PKEY *k = new_key();
	struct buf b;
	struct evidence_report r;
	make_file(&b, EVIDENCE_CSV, 5, k);
	size_t len, s = line_at(&b, 8, &len);
	size_t full = b.len;
	b.len = s + 10; /* cut inside row 4 */
	ASSERT_EQ_INT(verify(&b, k, &r), -EBADMSG);
	ASSERT_EQ_INT(r.verdict, EVIDENCE_TRUNCATED);
	ASSERT_EQ_INT(r.line, 8);
	b.len = s; /* cut after row 3: no end line */
	ASSERT_EQ_INT(verify(&b, k, &r), -EBADMSG);
	ASSERT_EQ_INT(r.verdict, EVIDENCE_TRUNCATED);
	ASSERT_CONTAINS(r.message, "no end line");
	b.len = full;
	remove_line(&b, 9); /* the last row, the end line kept */
	ASSERT_EQ_INT(verify(&b, k, &r), -EBADMSG);
	ASSERT_EQ_INT(r.verdict, EVIDENCE_TRUNCATED);
	ASSERT_CONTAINS(r.message, "rows 5-5 are missing after line 8");
	buf_free(&b);
	b.len = 0;
	ASSERT_EQ_INT(evidence_verify("", 0, NULL, &r), -EBADMSG);
	ASSERT_EQ_INT(r.verdict, EVIDENCE_MALFORMED);
	EVP_PKEY_free(k);
}

TEST(header_and_signature_edits)
{
	EVP_PKEY *k = new_key();
	struct buf b;
	struct evidence_report r;
	make_file(&b, EVIDENCE_CSV, 3, k);
	char *p = strstr((char *)b.data, "2024-03");
	p[6] = '4'; /* the period in the metadata */
	ASSERT_EQ_INT(verify(&b, k, &r), -EBADMSG);
	ASSERT_EQ_INT(r.verdict, EVIDENCE_HEADER_CHANGED);
	p[6] = '3';
	p = strstr((char *)b.data, " sig=") + 5;
	p[0] = p[0] == '0' ? '1' : '0';
	ASSERT_EQ_INT(verify(&b, k, &r), -EBADMSG);
	ASSERT_EQ_INT(r.verdict, EVIDENCE_BAD_SIGNATURE);
	buf_free(&b);
	EVP_PKEY_free(k);
}

/* Someone changes a row, rebuilds the whole chain and signs with their own
 * key: an auditor who trusts the collector's key rejects it. */
TEST(resigned_with_another_key_is_rejected)
{
	EVP_PKEY *k = new_key(), *other = new_key();
	struct buf b;
	struct evidence_report r;
	make_file(&b, EVIDENCE_CSV, 3, other);
	ASSERT_EQ_INT(verify(&b, NULL, &r), 0); /* consistent in itself */
	ASSERT_EQ_INT(verify(&b, k, &r), -EBADMSG);
	ASSERT_EQ_INT(r.verdict, EVIDENCE_WRONG_KEY);
	ASSERT_CONTAINS(r.message, "not by the trusted key");
	buf_free(&b);
	EVP_PKEY_free(k);
	EVP_PKEY_free(other);
}

TEST(bad_writer_input)
{
	struct buf b;
	struct evidence_writer w;
	buf_init(&b, 4096);
	const char *bad[] = {"a\nb"};
	ASSERT_EQ_INT(evidence_begin(&w, &b, EVIDENCE_CSV, mkeys, bad, 1, cols, 3), -EINVAL);
	ASSERT_EQ_INT(evidence_begin(&w, &b, EVIDENCE_JSON, NULL, NULL, 0, cols, 3), 0);
	struct evidence_field f[] = {{"x", false}, {"1; DROP", true}, {NULL, false}};
	ASSERT_EQ_INT(evidence_row(&w, f), -EINVAL);
	/* a newline in a value is escaped, never splits the line */
	struct evidence_field g[] = {{"a\nb", false}, {"1", true}, {"=cmd()", false}};
	size_t before = b.len;
	ASSERT_EQ_INT(evidence_row(&w, g), 0);
	ASSERT_TRUE(memchr(b.data + before, '\n', b.len - before) == NULL);
	buf_free(&b);
	buf_init(&b, 4096);
	ASSERT_EQ_INT(evidence_begin(&w, &b, EVIDENCE_CSV, NULL, NULL, 0, cols, 3), 0);
	ASSERT_EQ_INT(evidence_row(&w, g), 0);
	ASSERT_EQ_INT(buf_putc(&b, '\0'), 0);
	ASSERT_CONTAINS((char *)b.data, "\n1,\"a\\nb\",1,\"'=cmd()\",");
	buf_free(&b);
	enum evidence_format fmt;
	ASSERT_EQ_INT(evidence_format_parse("pdf", &fmt), -EINVAL);
	ASSERT_EQ_INT(evidence_format_parse("json", &fmt), 0);
	ASSERT_EQ_INT(fmt, EVIDENCE_JSON);
}

TEST_MAIN(csv_layout_and_chain_formula, json_layout, every_one_byte_edit_fails_csv,
	  every_one_byte_edit_fails_json, changed_row_is_located,
	  removed_and_inserted_rows_are_located, truncated_files_are_detected,
	  header_and_signature_edits, resigned_with_another_key_is_rejected, bad_writer_input)
