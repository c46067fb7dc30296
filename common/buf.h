/* A growable byte buffer with a hard cap: every buffer that holds bytes from
 * the network or a device is created with the most it may ever hold. */
#ifndef PANTAU_BUF_H
#define PANTAU_BUF_H

#include <stddef.h>
#include <stdint.h>

struct buf {
	uint8_t *data;
	size_t len; /* bytes in use */
	size_t cap; /* bytes allocated */
	size_t max; /* hard cap on cap */
};

/* Initialises an empty buffer that may grow to max bytes. Allocates nothing. */
void buf_init(struct buf *b, size_t max);

/* Frees the storage; the buffer may be reused after buf_init. */
void buf_free(struct buf *b);

/* Makes room for extra more bytes. 0, -ENOBUFS past the cap, or -ENOMEM. */
int buf_reserve(struct buf *b, size_t extra);

int buf_append(struct buf *b, const void *data, size_t n);
int buf_putc(struct buf *b, char c);
int buf_puts(struct buf *b, const char *s);
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Big-endian fixed-width writers (used by framing and binary COPY). */
int buf_put_be16(struct buf *b, uint16_t v);
int buf_put_be32(struct buf *b, uint32_t v);
int buf_put_be64(struct buf *b, uint64_t v);

/* Drops n bytes from the front. */
void buf_consume(struct buf *b, size_t n);

/* Empties the buffer, keeping its storage. */
static inline void buf_reset(struct buf *b)
{
	b->len = 0;
}

static inline uint32_t buf_get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

#endif
