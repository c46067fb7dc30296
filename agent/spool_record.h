/* The spool's on-disk format, as pure functions (no I/O): segment and state
 * headers, and the records a segment holds.
 *
 * A segment file is a 28-byte header, then records:
 *
 *   header  "PANTAUSG" | u32 version | u32 0 | u64 stream | u32 crc32c(previous 24)
 *   record  u32 len | u32 crc32c(len bytes, payload) | payload (len bytes)
 *   payload u8 type, then for SPOOL_REC_BATCH:
 *             u64 seq | u32 n | i64 base_ms | n x (varint zigzag(id - previous id),
 *             varint zigzag(ts - previous ts), value)
 *           value: varint (zigzag(k) << 3 | tag) when v is exactly k, k / 10.0,
 *             k * 0.1, k / 100.0, k * 0.01, k / 1000.0 or k * 0.001 (tag 1..7,
 *             |k| < 2^53), else a 0 byte and the 8-byte IEEE double
 *           for SPOOL_REC_DEF (a series definition the segment's batches use):
 *             u32 id | u8 kind | str device | str device_kind | str metric |
 *             str unit | varint nlabels | nlabels x (str key, str value)
 *           str = varint length, bytes
 *
 * All fixed-width integers are little-endian. The CRC covers the length, so a
 * torn length is caught like a torn payload. */
#ifndef PANTAU_SPOOL_RECORD_H
#define PANTAU_SPOOL_RECORD_H

#include "buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
	SPOOL_SEG_HEADER_LEN = 28,
	SPOOL_STATE_LEN = 84,
	SPOOL_STATE_LOSSES = 4, /* == SPOOL_NLOSS in spool.h */
	SPOOL_REC_HEADER_LEN = 8,
	SPOOL_REC_MAX = 64 << 20, /* largest payload accepted when reading */
	SPOOL_FORMAT_VERSION = 1,
};

enum spool_rec_type { SPOOL_REC_BATCH = 1, SPOOL_REC_DEF = 2 };

uint32_t spool_crc32c(uint32_t crc, const void *data, size_t n);

/* The agent's persistent stream state (file "state" in the spool dir):
 *   "PANTAUST" | u32 version | u32 0 | u64 stream | u64 seq_reserved |
 *   u64 acked_seq | 4 x u64 loss | i64 loss_ms | u32 crc32c(previous 80) */
struct spool_state {
	uint64_t stream;
	uint64_t seq_reserved;		   /* no seq at or above this was ever handed out */
	uint64_t acked_seq;		   /* every batch up to here was acknowledged */
	uint64_t loss[SPOOL_STATE_LOSSES]; /* samples dropped since the spool began, by reason */
	int64_t loss_ms;		   /* wall clock of the last drop */
};

void spool_state_encode(const struct spool_state *st, uint8_t out[SPOOL_STATE_LEN]);
/* 0 or -EBADMSG (bad magic, version or CRC). */
int spool_state_decode(const uint8_t *in, size_t len, struct spool_state *st);

void spool_seg_header_encode(uint64_t stream, uint8_t out[SPOOL_SEG_HEADER_LEN]);
int spool_seg_header_decode(const uint8_t *in, size_t len, uint64_t *stream);

/* A batch as the spool stores it: three parallel arrays (borrowed). */
struct spool_batch_view {
	uint64_t seq;
	size_t n;
	const uint32_t *ids;
	const int64_t *ts_ms;
	const double *values;
};

struct spool_label {
	const char *key, *value;
};

/* A series definition (strings borrowed). */
struct spool_def {
	uint32_t id;
	int kind;
	const char *device, *device_kind, *metric, *unit;
	size_t nlabels;
	struct spool_label *labels;
};

/* Appends one complete record (header and payload) to out. 0 or a buf error. */
int spool_rec_put_batch(struct buf *out, const struct spool_batch_view *b);
int spool_rec_put_def(struct buf *out, const struct spool_def *d);

/* Checks the record at p (avail bytes readable). Returns the record's total
 * length (header included) with *payload and *plen set, 0 if avail holds only
 * part of it (a torn tail when at end of file), or -EBADMSG (bad CRC or an
 * impossible length or type). */
long spool_rec_check(const uint8_t *p, size_t avail, const uint8_t **payload, size_t *plen);

/* Finds the next offset after a bad record where a valid record starts.
 * Returns that offset (< avail) or avail when there is none. */
size_t spool_rec_resync(const uint8_t *p, size_t avail);

/* Reads the fixed part of a batch payload: seq and sample count. 0 or -EBADMSG. */
int spool_batch_peek(const uint8_t *payload, size_t plen, uint64_t *seq, size_t *n);

/* Decodes a batch payload into arrays of at least n entries (from peek).
 * 0 or -EBADMSG. */
int spool_batch_decode(const uint8_t *payload, size_t plen, uint32_t *ids, int64_t *ts_ms,
		       double *values, size_t n);

/* Decodes a definition payload. Strings are copied into *arena (a malloc'd
 * block the caller frees), labels into *labels (also malloc'd; freed by the
 * caller). 0, -EBADMSG or -ENOMEM. */
int spool_def_decode(const uint8_t *payload, size_t plen, struct spool_def *d, char **arena);

#endif
