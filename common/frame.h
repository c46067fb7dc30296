/* Framing: a 4-byte big-endian length, then that many bytes of message.
 * The reader is incremental (feed bytes as they arrive) and enforces a cap. */
#ifndef PANTAU_FRAME_H
#define PANTAU_FRAME_H

#include "buf.h"

#include <stddef.h>
#include <stdint.h>

enum { FRAME_HEADER_LEN = 4 };
#define FRAME_MAX_DEFAULT (8u << 20) /* 8 MiB */

/* Appends a frame header for a message of len bytes. -EMSGSIZE if len > max. */
int frame_put_header(struct buf *out, size_t len, uint32_t max);

struct frame_reader {
	struct buf in;
	uint32_t max; /* largest message accepted */
	size_t used;  /* bytes of `in` already handed out by frame_reader_next */
};

void frame_reader_init(struct frame_reader *r, uint32_t max);
void frame_reader_free(struct frame_reader *r);

/* Appends received bytes. -ENOBUFS if they would exceed one frame plus header
 * (the peer is sending more than it may). */
int frame_reader_feed(struct frame_reader *r, const void *data, size_t n);

/* Hands out the next complete message: 1 with msg and len set (valid until the
 * next feed), 0 if more bytes are needed, -EMSGSIZE if the announced length
 * is over the cap, -EBADMSG if it is zero. */
int frame_reader_next(struct frame_reader *r, const uint8_t **msg, size_t *len);

#endif
