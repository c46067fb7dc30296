/* One fuzz input through the collector's untrusted-bytes path: the bytes
 * are fed to a frame_reader in chunks (sized by the first byte, so the
 * fuzzer explores split reads), every complete frame goes to wire_decode,
 * and what decodes is encoded again. Shared by the libFuzzer driver and
 * the unit test that replays the committed corpus. */
#ifndef PANTAU_FUZZ_WIRE_REPLAY_H
#define PANTAU_FUZZ_WIRE_REPLAY_H

#include "frame.h"
#include "wire.h"

#include <stddef.h>
#include <stdint.h>

enum { FUZZ_WIRE_MAX_FRAME = 1 << 20 };

/* Returns how many envelopes decoded. */
static inline int fuzz_wire_one(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	size_t chunk = (size_t)data[0] * 7 + 1;
	data++;
	size--;
	struct frame_reader fr;
	frame_reader_init(&fr, FUZZ_WIRE_MAX_FRAME);
	int decoded = 0;
	for (size_t off = 0; off < size;) {
		size_t n = size - off < chunk ? size - off : chunk;
		if (frame_reader_feed(&fr, data + off, n) < 0)
			break;
		off += n;
		const uint8_t *msg;
		size_t len;
		int rc;
		while ((rc = frame_reader_next(&fr, &msg, &len)) == 1) {
			Pantau__Envelope *env;
			struct perr err;
			if (wire_decode(msg, len, &env, &err) < 0)
				continue;
			decoded++;
			struct buf out;
			buf_init(&out, FUZZ_WIRE_MAX_FRAME + 4);
			(void)wire_encode(env, &out, FUZZ_WIRE_MAX_FRAME);
			buf_free(&out);
			wire_free(env);
		}
		if (rc < 0)
			break;
	}
	frame_reader_free(&fr);
	return decoded;
}

#endif
