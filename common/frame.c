#include "frame.h"

#include <errno.h>

int frame_put_header(struct buf *out, size_t len, uint32_t max)
{
	if (len > max)
		return -EMSGSIZE;
	return buf_put_be32(out, (uint32_t)len);
}

void frame_reader_init(struct frame_reader *r, uint32_t max)
{
	/* One whole frame plus a read's worth of the next one. */
	buf_init(&r->in, (size_t)max + FRAME_HEADER_LEN + 65536);
	r->max = max;
	r->used = 0;
}

void frame_reader_free(struct frame_reader *r)
{
	buf_free(&r->in);
}

int frame_reader_feed(struct frame_reader *r, const void *data, size_t n)
{
	if (r->used > 0) {
		buf_consume(&r->in, r->used);
		r->used = 0;
	}
	return buf_append(&r->in, data, n);
}

int frame_reader_next(struct frame_reader *r, const uint8_t **msg, size_t *len)
{
	size_t avail = r->in.len - r->used;
	if (avail < FRAME_HEADER_LEN)
		return 0;
	const uint8_t *p = r->in.data + r->used;
	uint32_t n = buf_get_be32(p);
	if (n > r->max)
		return -EMSGSIZE;
	if (n == 0)
		return -EBADMSG;
	if (avail - FRAME_HEADER_LEN < n)
		return 0;
	*msg = p + FRAME_HEADER_LEN;
	*len = n;
	r->used += FRAME_HEADER_LEN + n;
	return 1;
}
