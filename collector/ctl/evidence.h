/* Evidence files: report exports an auditor can check byte for byte.
 *
 * An export is line-oriented CSV or JSON. Its header (format line, metadata,
 * column names) is hashed into head = SHA-256(header bytes). Every row
 * carries a sequence number and a chain value
 *
 *     chain_0 = head,  chain_i = SHA-256(chain_{i-1} || content_i)
 *
 * where content_i is the row's line up to its chain field. The end line
 * gives the row count, head, the last chain value, the signer's Ed25519
 * public key and its signature over
 *
 *     "pantau-evidence v1\n" || head || chain_N || row count (8 bytes, big endian)
 *
 * CSV (Excel and LibreOffice open it; lines starting with # are comments):
 *     # pantau-evidence v1 csv
 *     # report: sla                         (metadata, one per line)
 *     seq,device,...,chain
 *     1,ups-1,...,<64 hex>
 *     # end rows=N head=<hex> chain=<hex> pubkey=<hex> sig=<hex>
 * JSON (one row per line, so the same verifier locates a change):
 *     {"format": "pantau-evidence v1 json",
 *     "meta": {"report": "sla", ...},
 *     "columns": ["seq", "device", ..., "chain"],
 *     "rows": [
 *     {"seq": 1, "device": "ups-1", ..., "chain": "<hex>"},
 *     ...
 *     ],
 *     "end": {"rows": N, "head": "<hex>", "chain": "<hex>", "pubkey": "<hex>", "sig": "<hex>"}}
 *
 * No file I/O here: the writer fills a buffer, the verifier reads one. */
#ifndef PANTAU_CTL_EVIDENCE_H
#define PANTAU_CTL_EVIDENCE_H

#include "buf.h"

#include <openssl/evp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum evidence_format { EVIDENCE_CSV, EVIDENCE_JSON };

/* "csv" or "json" -> 0 and *f; -EINVAL otherwise. */
int evidence_format_parse(const char *name, enum evidence_format *f);

/* One field of a row: a string, or a number written bare in JSON (its
 * text must be a JSON number; CSV writes both the same way). */
struct evidence_field {
	const char *value; /* borrowed; NULL = empty/null */
	bool number;
};

struct evidence_writer {
	enum evidence_format fmt;
	struct buf *out; /* borrowed: the whole file is appended here */
	size_t ncols;
	const char *const *cols; /* borrowed column names, without seq and chain */
	size_t header_start;
	uint8_t head[32], chain[32];
	uint64_t rows;
	bool in_rows;
};

/* Starts a file: the format line and the metadata (nmeta key/value pairs,
 * borrowed; keys and values must not hold newlines: -EINVAL). Columns are
 * borrowed until evidence_end. 0, -EINVAL or -ENOBUFS/-ENOMEM. */
int evidence_begin(struct evidence_writer *w, struct buf *out, enum evidence_format fmt,
		   const char *const *meta_keys, const char *const *meta_values, size_t nmeta,
		   const char *const *cols, size_t ncols);

/* Appends one row of ncols fields (newlines in values are escaped). */
int evidence_row(struct evidence_writer *w, const struct evidence_field *fields);

/* Signs with key (an Ed25519 private key) and writes the end line.
 * 0, -EINVAL (not Ed25519), -EIO (OpenSSL failed) or -ENOBUFS/-ENOMEM. */
int evidence_end(struct evidence_writer *w, EVP_PKEY *key);

enum evidence_verdict {
	EVIDENCE_VALID,
	EVIDENCE_MALFORMED,	/* not an evidence file, or a line that cannot be parsed */
	EVIDENCE_TRUNCATED,	/* ends early: no end line, an incomplete line, rows missing */
	EVIDENCE_BAD_SIGNATURE, /* the end line's signature does not verify */
	EVIDENCE_WRONG_KEY,	/* signed, but not by the key the auditor trusts */
	EVIDENCE_HEADER_CHANGED,
	EVIDENCE_ROW_CHANGED,
	EVIDENCE_ROW_REMOVED,
	EVIDENCE_ROW_INSERTED,
};

struct evidence_report {
	enum evidence_verdict verdict;
	size_t line;	    /* 1-based line the finding is about; 0 if none */
	uint64_t rows;	    /* rows verified */
	uint64_t seq;	    /* the row's sequence number, when it is about a row */
	uint8_t pubkey[32]; /* the signer's key from the end line */
	char message[256];  /* what an auditor reads: "line 7 (row 5) was changed" */
};

/* Verifies data[0..len). trusted: the raw 32-byte Ed25519 public key the
 * auditor trusts, or NULL to accept the key in the file (integrity only).
 * Fills *r and returns 0 when the verdict is EVIDENCE_VALID, -EBADMSG
 * otherwise (r->message says why and where). */
int evidence_verify(const char *data, size_t len, const uint8_t *trusted,
		    struct evidence_report *r);

/* Lowercase hex of n bytes into out (2n+1 bytes). */
void evidence_hex(const uint8_t *in, size_t n, char *out);

#endif
