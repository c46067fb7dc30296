#include "pgcopy.h"

#include <string.h>

static const uint8_t signature[11] = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', 0xff, '\r', '\n', 0};

int pgcopy_begin(struct buf *out)
{
	int rc = buf_append(out, signature, sizeof(signature));
	if (rc == 0)
		rc = buf_put_be32(out, 0); /* flags: no OIDs */
	if (rc == 0)
		rc = buf_put_be32(out, 0); /* header extension length */
	return rc;
}

static inline uint8_t *put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
	return p + 4;
}

static inline uint8_t *put_be64(uint8_t *p, uint64_t v)
{
	p = put_be32(p, (uint32_t)(v >> 32));
	return put_be32(p, (uint32_t)v);
}

/* Writes the fixed-size row in place: this is the hot loop of ingest, so it
 * reserves once and stores bytes directly instead of three appends a field. */
int pgcopy_row(struct buf *out, int64_t series_id, int64_t ts_us, double value)
{
	int rc = buf_reserve(out, PGCOPY_ROW_LEN);
	if (rc < 0)
		return rc;
	uint64_t bits;
	memcpy(&bits, &value, sizeof(bits));
	uint8_t *p = out->data + out->len;
	p[0] = 0;
	p[1] = 3;
	p = put_be32(p + 2, 8);
	p = put_be64(p, (uint64_t)series_id);
	p = put_be32(p, 8);
	p = put_be64(p, (uint64_t)ts_us);
	p = put_be32(p, 8);
	put_be64(p, bits);
	out->len += PGCOPY_ROW_LEN;
	return 0;
}

int pgcopy_end(struct buf *out)
{
	return buf_put_be16(out, 0xffff);
}
