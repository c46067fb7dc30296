/* Binary COPY encoding (exact bytes) and timestamp conversion. */
#include "pgcopy.h"
#include "test.h"

#include <errno.h>
#include <stdlib.h>

static void assert_bytes(const struct buf *b, const uint8_t *want, size_t n)
{
	ASSERT_EQ_UINT(b->len, n);
	for (size_t i = 0; i < n; i++)
		if (b->data[i] != want[i])
			TEST_FAIL_("byte %zu: %02x != %02x", i, b->data[i], want[i]);
}

TEST(header_is_pgcopy_signature_flags_and_extension)
{
	static const uint8_t want[] = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', 0xff, '\r', '\n',
				       0,   0,   0,   0,   0,   0,   0,    0,    0};
	struct buf b;
	buf_init(&b, 1024);
	ASSERT_EQ_INT(pgcopy_begin(&b), 0);
	ASSERT_EQ_UINT(sizeof(want), PGCOPY_HEADER_LEN);
	assert_bytes(&b, want, sizeof(want));
	buf_free(&b);
}

TEST(row_is_three_big_endian_int64_float8_fields)
{
	/* series 0x0102030405060708, ts 1 µs after 2000-01-01, value 1.0 */
	static const uint8_t want[] = {
		0,    3,                                       /* field count */
		0,    0,    0,    8,                           /* length */
		0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, /* series_id */
		0,    0,    0,    8,                           /* length */
		0,    0,    0,    0,    0,    0,    0,    1,    /* ts */
		0,    0,    0,    8,                           /* length */
		0x3f, 0xf0, 0,    0,    0,    0,    0,    0,    /* 1.0 */
	};
	struct buf b;
	buf_init(&b, 1024);
	ASSERT_EQ_INT(pgcopy_row(&b, 0x0102030405060708LL, 1, 1.0), 0);
	ASSERT_EQ_UINT(sizeof(want), PGCOPY_ROW_LEN);
	assert_bytes(&b, want, sizeof(want));
	buf_free(&b);
}

TEST(negative_values_are_twos_complement)
{
	static const uint8_t want[] = {
		0,    3,    0,    0,    0,    8,    0,    0,    0,    0,    0,    0,    0,
		42,   0,    0,    0,    8,    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0,    0,    0,    8,    0xc0, 0x04, 0,    0,    0,    0,    0,    0,
	};
	struct buf b;
	buf_init(&b, 1024);
	ASSERT_EQ_INT(pgcopy_row(&b, 42, -1, -2.5), 0);
	assert_bytes(&b, want, sizeof(want));
	buf_free(&b);
}

TEST(whole_stream_has_header_rows_and_trailer)
{
	struct buf b;
	buf_init(&b, 4096);
	ASSERT_EQ_INT(pgcopy_begin(&b), 0);
	for (int i = 0; i < 10; i++)
		ASSERT_EQ_INT(pgcopy_row(&b, i, i, i), 0);
	ASSERT_EQ_INT(pgcopy_end(&b), 0);
	ASSERT_EQ_UINT(b.len, PGCOPY_HEADER_LEN + 10 * PGCOPY_ROW_LEN + PGCOPY_TRAILER_LEN);
	ASSERT_EQ_UINT(b.data[b.len - 2], 0xff);
	ASSERT_EQ_UINT(b.data[b.len - 1], 0xff);
	buf_free(&b);
}

TEST(row_respects_the_buffer_cap)
{
	struct buf b;
	buf_init(&b, PGCOPY_ROW_LEN + 5);
	ASSERT_EQ_INT(pgcopy_row(&b, 1, 1, 1), 0);
	ASSERT_EQ_INT(pgcopy_row(&b, 1, 1, 1), -ENOBUFS);
	ASSERT_EQ_UINT(b.len, PGCOPY_ROW_LEN);
	buf_free(&b);
}

TEST(timestamps_convert_from_unix_ms_to_pg_microseconds)
{
	ASSERT_EQ_INT(pgcopy_ts_from_unix_ms(946684800000LL), 0);
	ASSERT_EQ_INT(pgcopy_ts_from_unix_ms(946684800001LL), 1000);
	/* 2026-01-01T00:00:00Z */
	ASSERT_EQ_INT(pgcopy_ts_from_unix_ms(1767225600000LL), 820540800000000LL);
	/* 2024-02-29T12:34:56.789Z */
	ASSERT_EQ_INT(pgcopy_ts_from_unix_ms(1709210096789LL), 762525296789000LL);
}

TEST(timestamps_before_2000_or_a_day_ahead_are_invalid)
{
	int64_t now = 1767225600000LL;
	ASSERT_TRUE(!pgcopy_ts_valid(946684799999LL, now));
	ASSERT_TRUE(pgcopy_ts_valid(946684800000LL, now));
	ASSERT_TRUE(pgcopy_ts_valid(now, now));
	ASSERT_TRUE(pgcopy_ts_valid(now + 86400000LL, now));
	ASSERT_TRUE(!pgcopy_ts_valid(now + 86400001LL, now));
	ASSERT_TRUE(!pgcopy_ts_valid(-1, now));
}

TEST_MAIN(header_is_pgcopy_signature_flags_and_extension,
	  row_is_three_big_endian_int64_float8_fields, negative_values_are_twos_complement,
	  whole_stream_has_header_rows_and_trailer, row_respects_the_buffer_cap,
	  timestamps_convert_from_unix_ms_to_pg_microseconds,
	  timestamps_before_2000_or_a_day_ahead_are_invalid)
