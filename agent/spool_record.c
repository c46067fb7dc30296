#include "spool_record.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char SEG_MAGIC[8] = {'P', 'A', 'N', 'T', 'A', 'U', 'S', 'G'};
static const char STATE_MAGIC[8] = {'P', 'A', 'N', 'T', 'A', 'U', 'S', 'T'};

/* CRC32C (Castagnoli, reflected 0x82F63B78), table built on first use. The
 * table is computed once on the loop thread before any worker reads it. */
static uint32_t crc_table[256];
static int crc_ready;

static void crc_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ 0x82F63B78u : c >> 1;
		crc_table[i] = c;
	}
	crc_ready = 1;
}

uint32_t spool_crc32c(uint32_t crc, const void *data, size_t n)
{
	const uint8_t *p = data;
	if (!crc_ready)
		crc_init();
	crc = ~crc;
	for (size_t i = 0; i < n; i++)
		crc = crc_table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
	return ~crc;
}

/* ---- little-endian helpers ---- */

static void put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put_le64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get_le64(const uint8_t *p)
{
	return (uint64_t)get_le32(p) | (uint64_t)get_le32(p + 4) << 32;
}

/* ---- headers ---- */

void spool_state_encode(const struct spool_state *st, uint8_t out[SPOOL_STATE_LEN])
{
	memcpy(out, STATE_MAGIC, 8);
	put_le32(out + 8, SPOOL_FORMAT_VERSION);
	put_le32(out + 12, 0);
	put_le64(out + 16, st->stream);
	put_le64(out + 24, st->seq_reserved);
	put_le64(out + 32, st->acked_seq);
	for (int i = 0; i < SPOOL_STATE_LOSSES; i++)
		put_le64(out + 40 + 8 * i, st->loss[i]);
	put_le64(out + 72, (uint64_t)st->loss_ms);
	put_le32(out + 80, spool_crc32c(0, out, 80));
}

int spool_state_decode(const uint8_t *in, size_t len, struct spool_state *st)
{
	if (len != SPOOL_STATE_LEN || memcmp(in, STATE_MAGIC, 8) != 0 ||
	    get_le32(in + 8) != SPOOL_FORMAT_VERSION ||
	    get_le32(in + 80) != spool_crc32c(0, in, 80))
		return -EBADMSG;
	st->stream = get_le64(in + 16);
	st->seq_reserved = get_le64(in + 24);
	st->acked_seq = get_le64(in + 32);
	for (int i = 0; i < SPOOL_STATE_LOSSES; i++)
		st->loss[i] = get_le64(in + 40 + 8 * i);
	st->loss_ms = (int64_t)get_le64(in + 72);
	return 0;
}

void spool_seg_header_encode(uint64_t stream, uint8_t out[SPOOL_SEG_HEADER_LEN])
{
	memcpy(out, SEG_MAGIC, 8);
	put_le32(out + 8, SPOOL_FORMAT_VERSION);
	put_le32(out + 12, 0);
	put_le64(out + 16, stream);
	put_le32(out + 24, spool_crc32c(0, out, 24));
}

int spool_seg_header_decode(const uint8_t *in, size_t len, uint64_t *stream)
{
	if (len < SPOOL_SEG_HEADER_LEN || memcmp(in, SEG_MAGIC, 8) != 0 ||
	    get_le32(in + 8) != SPOOL_FORMAT_VERSION ||
	    get_le32(in + 24) != spool_crc32c(0, in, 24))
		return -EBADMSG;
	*stream = get_le64(in + 16);
	return 0;
}

/* ---- varints ---- */

static int put_varint(struct buf *b, uint64_t v)
{
	uint8_t tmp[10];
	size_t n = 0;
	do {
		tmp[n] = (uint8_t)(v & 0x7f);
		v >>= 7;
		if (v)
			tmp[n] |= 0x80;
		n++;
	} while (v);
	return buf_append(b, tmp, n);
}

static uint64_t zigzag(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static int64_t unzigzag(uint64_t v)
{
	return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

struct reader {
	const uint8_t *p, *end;
	bool bad;
};

static uint64_t get_varint(struct reader *r)
{
	uint64_t v = 0;
	for (int shift = 0; shift < 64; shift += 7) {
		if (r->p >= r->end) {
			r->bad = true;
			return 0;
		}
		uint8_t c = *r->p++;
		v |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80))
			return v;
	}
	r->bad = true;
	return 0;
}

static const uint8_t *get_bytes(struct reader *r, size_t n)
{
	if (r->bad || (size_t)(r->end - r->p) < n) {
		r->bad = true;
		return NULL;
	}
	const uint8_t *p = r->p;
	r->p += n;
	return p;
}

/* ---- records ---- */

/* Reserves the record header; finish_record fills it once the payload is in. */
static int start_record(struct buf *out, size_t *at)
{
	static const uint8_t zero[SPOOL_REC_HEADER_LEN];
	*at = out->len;
	return buf_append(out, zero, sizeof(zero));
}

static void finish_record(struct buf *out, size_t at)
{
	uint8_t *h = out->data + at;
	uint32_t len = (uint32_t)(out->len - at - SPOOL_REC_HEADER_LEN);
	put_le32(h, len);
	uint32_t crc = spool_crc32c(0, h, 4);
	put_le32(h + 4, spool_crc32c(crc, h + SPOOL_REC_HEADER_LEN, len));
}

/* Values as devices produce them are mostly integers or raw × 0.1, 0.01,
 * 0.001: such a value is stored as the integer k with a tag saying how to get
 * it back (k, k / 10.0, k * 0.1, ...), if that gives exactly the same double.
 * Anything else is stored raw. The tag is never 0, so neither is the first
 * byte of the varint, which tells the two forms apart. */
static double scaled(int64_t k, unsigned tag)
{
	switch (tag) {
	case 1:
		return (double)k;
	case 2:
		return (double)k / 10.0;
	case 3:
		return (double)k * 0.1;
	case 4:
		return (double)k / 100.0;
	case 5:
		return (double)k * 0.01;
	case 6:
		return (double)k / 1000.0;
	default:
		return (double)k * 0.001;
	}
}

static bool find_scale(double v, int64_t *k, unsigned *tag)
{
	static const double mul[8] = {0, 1, 10, 10, 100, 100, 1000, 1000};
	if (!isfinite(v) || (v == 0 && signbit(v)))
		return false;
	for (unsigned t = 1; t < 8; t++) {
		double x = round(v * mul[t]);
		if (fabs(x) >= 9007199254740992.0)
			return false;
		int64_t c = (int64_t)x;
		double back = scaled(c, t);
		if (memcmp(&back, &v, sizeof(v)) == 0) {
			*k = c;
			*tag = t;
			return true;
		}
	}
	return false;
}

static int put_value(struct buf *out, double v)
{
	int64_t k;
	unsigned tag;
	if (find_scale(v, &k, &tag))
		return put_varint(out, zigzag(k) << 3 | tag);
	uint8_t raw[9] = {0};
	uint64_t bits;
	memcpy(&bits, &v, 8);
	put_le64(raw + 1, bits);
	return buf_append(out, raw, sizeof(raw));
}

int spool_rec_put_batch(struct buf *out, const struct spool_batch_view *b)
{
	size_t at;
	uint8_t fixed[1 + 8 + 4 + 8];
	int rc = start_record(out, &at);
	if (rc < 0)
		return rc;
	int64_t base = b->n ? b->ts_ms[0] : 0;
	fixed[0] = SPOOL_REC_BATCH;
	put_le64(fixed + 1, b->seq);
	put_le32(fixed + 9, (uint32_t)b->n);
	put_le64(fixed + 13, (uint64_t)base);
	rc = buf_append(out, fixed, sizeof(fixed));
	int64_t prev_id = 0, prev_ts = base;
	for (size_t i = 0; rc == 0 && i < b->n; i++) {
		rc = put_varint(out, zigzag((int64_t)b->ids[i] - prev_id));
		if (rc == 0)
			rc = put_varint(out, zigzag(b->ts_ms[i] - prev_ts));
		if (rc == 0)
			rc = put_value(out, b->values[i]);
		prev_id = b->ids[i];
		prev_ts = b->ts_ms[i];
	}
	if (rc < 0) {
		out->len = at;
		return rc;
	}
	finish_record(out, at);
	return 0;
}

static int put_str(struct buf *out, const char *s)
{
	size_t n = s ? strlen(s) : 0;
	int rc = put_varint(out, n);
	return rc ? rc : buf_append(out, s ? s : "", n);
}

int spool_rec_put_def(struct buf *out, const struct spool_def *d)
{
	size_t at;
	uint8_t fixed[1 + 4 + 1];
	int rc = start_record(out, &at);
	if (rc < 0)
		return rc;
	fixed[0] = SPOOL_REC_DEF;
	put_le32(fixed + 1, d->id);
	fixed[5] = (uint8_t)d->kind;
	rc = buf_append(out, fixed, sizeof(fixed));
	rc = rc ? rc : put_str(out, d->device);
	rc = rc ? rc : put_str(out, d->device_kind);
	rc = rc ? rc : put_str(out, d->metric);
	rc = rc ? rc : put_str(out, d->unit);
	rc = rc ? rc : put_varint(out, d->nlabels);
	for (size_t i = 0; rc == 0 && i < d->nlabels; i++) {
		rc = put_str(out, d->labels[i].key);
		rc = rc ? rc : put_str(out, d->labels[i].value);
	}
	if (rc < 0) {
		out->len = at;
		return rc;
	}
	finish_record(out, at);
	return 0;
}

long spool_rec_check(const uint8_t *p, size_t avail, const uint8_t **payload, size_t *plen)
{
	if (avail < SPOOL_REC_HEADER_LEN)
		return 0;
	uint32_t len = get_le32(p);
	if (len == 0 || len > SPOOL_REC_MAX)
		return -EBADMSG;
	if (avail - SPOOL_REC_HEADER_LEN < len)
		return 0;
	const uint8_t *pl = p + SPOOL_REC_HEADER_LEN;
	if (pl[0] != SPOOL_REC_BATCH && pl[0] != SPOOL_REC_DEF)
		return -EBADMSG;
	uint32_t crc = spool_crc32c(spool_crc32c(0, p, 4), pl, len);
	if (crc != get_le32(p + 4))
		return -EBADMSG;
	*payload = pl;
	*plen = len;
	return (long)(SPOOL_REC_HEADER_LEN + len);
}

size_t spool_rec_resync(const uint8_t *p, size_t avail)
{
	for (size_t off = 1; off + SPOOL_REC_HEADER_LEN < avail; off++) {
		const uint8_t *pl;
		size_t plen;
		if (spool_rec_check(p + off, avail - off, &pl, &plen) > 0)
			return off;
	}
	return avail;
}

int spool_batch_peek(const uint8_t *payload, size_t plen, uint64_t *seq, size_t *n)
{
	if (plen < 21 || payload[0] != SPOOL_REC_BATCH)
		return -EBADMSG;
	*seq = get_le64(payload + 1);
	*n = get_le32(payload + 9);
	/* Every sample takes at least 3 bytes: a bound before allocating. */
	if (*n > (plen - 21) / 3)
		return -EBADMSG;
	return 0;
}

int spool_batch_decode(const uint8_t *payload, size_t plen, uint32_t *ids, int64_t *ts_ms,
		       double *values, size_t n)
{
	struct reader r = {payload + 21, payload + plen, false};
	int64_t id = 0, ts = (int64_t)get_le64(payload + 13);
	for (size_t i = 0; i < n && !r.bad; i++) {
		id += unzigzag(get_varint(&r));
		ts += unzigzag(get_varint(&r));
		if (id < 1 || id > INT32_MAX)
			return -EBADMSG;
		ids[i] = (uint32_t)id;
		ts_ms[i] = ts;
		if (r.p < r.end && *r.p == 0) {
			const uint8_t *raw = get_bytes(&r, 9);
			uint64_t bits = raw ? get_le64(raw + 1) : 0;
			memcpy(&values[i], &bits, 8);
		} else {
			uint64_t x = get_varint(&r);
			values[i] = scaled(unzigzag(x >> 3), (unsigned)(x & 7));
		}
	}
	return r.bad || r.p != r.end ? -EBADMSG : 0;
}

static const char *get_str(struct reader *r, char **pos)
{
	uint64_t n = get_varint(r);
	const uint8_t *s = n < SPOOL_REC_MAX ? get_bytes(r, (size_t)n) : NULL;
	if (!s) {
		r->bad = true;
		return "";
	}
	char *out = *pos;
	memcpy(out, s, (size_t)n);
	out[n] = '\0';
	*pos += n + 1;
	return out;
}

int spool_def_decode(const uint8_t *payload, size_t plen, struct spool_def *d, char **arena)
{
	if (plen < 6 || payload[0] != SPOOL_REC_DEF)
		return -EBADMSG;
	/* Every string fits in the payload plus one NUL per string. */
	char *pos = *arena = malloc(plen * 2 + 8);
	if (!pos)
		return -ENOMEM;
	struct reader r = {payload + 6, payload + plen, false};
	*d = (struct spool_def){.id = get_le32(payload + 1), .kind = payload[5]};
	d->labels = NULL;
	d->device = get_str(&r, &pos);
	d->device_kind = get_str(&r, &pos);
	d->metric = get_str(&r, &pos);
	d->unit = get_str(&r, &pos);
	uint64_t nl = get_varint(&r);
	if (r.bad || nl > (uint64_t)(r.end - r.p) / 2 || d->id == 0)
		return -EBADMSG;
	d->labels = calloc(nl ? nl : 1, sizeof(*d->labels));
	if (!d->labels)
		return -ENOMEM;
	for (size_t i = 0; i < nl && !r.bad; i++) {
		d->labels[i].key = get_str(&r, &pos);
		d->labels[i].value = get_str(&r, &pos);
	}
	d->nlabels = (size_t)nl;
	return r.bad || r.p != r.end ? -EBADMSG : 0;
}
