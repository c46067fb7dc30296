/* PostgreSQL binary COPY encoding for the samples table
 * (series_id bigint, ts timestamptz, value float8), written straight into a
 * struct buf. Pure functions, no libpq. */
#ifndef PANTAU_COLLECTOR_PGCOPY_H
#define PANTAU_COLLECTOR_PGCOPY_H

#include "buf.h"

#include <stdbool.h>
#include <stdint.h>

enum {
	PGCOPY_HEADER_LEN = 19, /* signature 11 + flags 4 + extension length 4 */
	PGCOPY_ROW_LEN = 38,    /* field count 2 + 3 x (length 4 + value 8) */
	PGCOPY_TRAILER_LEN = 2,
};

/* Unix milliseconds of 2000-01-01T00:00:00Z, PostgreSQL's timestamp epoch. */
#define PGCOPY_PG_EPOCH_UNIX_MS INT64_C(946684800000)

/* Converts unix milliseconds to PostgreSQL timestamptz microseconds. The
 * caller has checked the range (see pgcopy_ts_valid). */
static inline int64_t pgcopy_ts_from_unix_ms(int64_t unix_ms)
{
	return (unix_ms - PGCOPY_PG_EPOCH_UNIX_MS) * 1000;
}

/* True if unix_ms lies in [2000-01-01, now_ms + 24 h]: the samples the
 * collector accepts. */
static inline bool pgcopy_ts_valid(int64_t unix_ms, int64_t now_ms)
{
	return unix_ms >= PGCOPY_PG_EPOCH_UNIX_MS && unix_ms <= now_ms + INT64_C(86400000);
}

/* Appends the file header. 0 or a buf error. */
int pgcopy_begin(struct buf *out);

/* Appends one row. The caller may buf_reserve(n * PGCOPY_ROW_LEN) first. */
int pgcopy_row(struct buf *out, int64_t series_id, int64_t ts_us, double value);

/* Appends the trailer (-1 as the field count). */
int pgcopy_end(struct buf *out);

#endif
