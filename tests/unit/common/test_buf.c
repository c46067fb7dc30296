#include "buf.h"
#include "test.h"

#include <errno.h>

TEST(buf_append_grows_until_cap)
{
	struct buf b;
	buf_init(&b, 10);
	ASSERT_EQ_INT(buf_append(&b, "12345", 5), 0);
	ASSERT_EQ_INT(buf_append(&b, "67890", 5), 0);
	ASSERT_EQ_INT(b.len, 10);
	ASSERT_EQ_INT(buf_append(&b, "x", 1), -ENOBUFS);
	ASSERT_EQ_INT(b.len, 10);
	ASSERT_TRUE(memcmp(b.data, "1234567890", 10) == 0);
	buf_free(&b);
}

TEST(buf_reserve_refuses_overflowing_sizes)
{
	struct buf b;
	buf_init(&b, 100);
	ASSERT_EQ_INT(buf_append(&b, "ab", 2), 0);
	ASSERT_EQ_INT(buf_reserve(&b, SIZE_MAX), -ENOBUFS);
	ASSERT_EQ_INT(buf_reserve(&b, SIZE_MAX - 1), -ENOBUFS);
	buf_free(&b);
}

TEST(buf_printf_and_big_endian)
{
	struct buf b;
	buf_init(&b, 64);
	ASSERT_EQ_INT(buf_printf(&b, "%d-%s", 42, "x"), 0);
	ASSERT_EQ_INT(buf_put_be16(&b, 0x0102), 0);
	ASSERT_EQ_INT(buf_put_be32(&b, 0x03040506), 0);
	ASSERT_EQ_INT(buf_put_be64(&b, 0x0708090a0b0c0d0eull), 0);
	static const uint8_t want[] = {'4', '2', '-', 'x', 1,  2,  3,  4,  5,
				       6,   7,	 8,   9,   10, 11, 12, 13, 14};
	ASSERT_EQ_INT(b.len, sizeof(want));
	ASSERT_TRUE(memcmp(b.data, want, sizeof(want)) == 0);
	ASSERT_EQ_UINT(buf_get_be32(b.data + 6), 0x03040506u);
	buf_free(&b);
}

TEST(buf_consume_keeps_the_tail)
{
	struct buf b;
	buf_init(&b, 64);
	buf_puts(&b, "hello world");
	buf_consume(&b, 6);
	ASSERT_EQ_INT(b.len, 5);
	ASSERT_TRUE(memcmp(b.data, "world", 5) == 0);
	buf_consume(&b, 100);
	ASSERT_EQ_INT(b.len, 0);
	buf_free(&b);
}

TEST_MAIN(buf_append_grows_until_cap, buf_reserve_refuses_overflowing_sizes,
	  buf_printf_and_big_endian, buf_consume_keeps_the_tail)
