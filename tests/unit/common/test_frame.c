#include "frame.h"
#include "test.h"

#include <errno.h>

static void put_frame(struct buf *b, const char *msg)
{
	size_t n = strlen(msg);
	ASSERT_EQ_INT(frame_put_header(b, n, 1024), 0);
	ASSERT_EQ_INT(buf_append(b, msg, n), 0);
}

TEST(frame_reader_splits_frames_fed_byte_by_byte)
{
	struct buf wire;
	buf_init(&wire, 4096);
	put_frame(&wire, "first");
	put_frame(&wire, "second message");
	struct frame_reader r;
	frame_reader_init(&r, 1024);
	const uint8_t *msg;
	size_t len;
	int got = 0;
	for (size_t i = 0; i < wire.len; i++) {
		ASSERT_EQ_INT(frame_reader_feed(&r, wire.data + i, 1), 0);
		int rc;
		while ((rc = frame_reader_next(&r, &msg, &len)) == 1) {
			const char *want = got == 0 ? "first" : "second message";
			ASSERT_EQ_INT(len, strlen(want));
			ASSERT_TRUE(memcmp(msg, want, len) == 0);
			got++;
		}
		ASSERT_EQ_INT(rc, 0);
	}
	ASSERT_EQ_INT(got, 2);
	frame_reader_free(&r);
	buf_free(&wire);
}

TEST(frame_reader_refuses_oversize_and_empty_frames)
{
	struct frame_reader r;
	const uint8_t *msg;
	size_t len;
	frame_reader_init(&r, 100);
	static const uint8_t big[] = {0, 0, 0, 101};
	ASSERT_EQ_INT(frame_reader_feed(&r, big, sizeof(big)), 0);
	ASSERT_EQ_INT(frame_reader_next(&r, &msg, &len), -EMSGSIZE);
	frame_reader_free(&r);

	frame_reader_init(&r, 100);
	static const uint8_t huge[] = {0xff, 0xff, 0xff, 0xff, 1, 2};
	ASSERT_EQ_INT(frame_reader_feed(&r, huge, sizeof(huge)), 0);
	ASSERT_EQ_INT(frame_reader_next(&r, &msg, &len), -EMSGSIZE);
	frame_reader_free(&r);

	frame_reader_init(&r, 100);
	static const uint8_t empty[] = {0, 0, 0, 0};
	ASSERT_EQ_INT(frame_reader_feed(&r, empty, sizeof(empty)), 0);
	ASSERT_EQ_INT(frame_reader_next(&r, &msg, &len), -EBADMSG);
	frame_reader_free(&r);
}

TEST(frame_reader_caps_buffered_bytes)
{
	struct frame_reader r;
	frame_reader_init(&r, 16);
	static uint8_t junk[70000];
	/* A header announcing 16 bytes, then far more than one frame's worth. */
	junk[3] = 16;
	ASSERT_EQ_INT(frame_reader_feed(&r, junk, sizeof(junk)), -ENOBUFS);
	frame_reader_free(&r);
}

TEST(frame_put_header_refuses_oversize)
{
	struct buf b;
	buf_init(&b, 16);
	ASSERT_EQ_INT(frame_put_header(&b, 11, 10), -EMSGSIZE);
	ASSERT_EQ_INT(frame_put_header(&b, 10, 10), 0);
	ASSERT_EQ_UINT(buf_get_be32(b.data), 10);
	buf_free(&b);
}

TEST_MAIN(frame_reader_splits_frames_fed_byte_by_byte,
	  frame_reader_refuses_oversize_and_empty_frames, frame_reader_caps_buffered_bytes,
	  frame_put_header_refuses_oversize)
