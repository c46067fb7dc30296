/* Writes the seed corpus for fuzz_wire into a directory:
 *   fuzz_seedgen tests/fuzz/corpus/wire
 * Each seed is one chunk-size byte then a byte stream as an agent would
 * send it (valid sessions, and the broken frames the collector must
 * survive). Run it again after changing the schema, and commit the seeds. */
#include "wire_build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { SEED_MAX_FRAME = 1 << 20 };
static const int64_t T0 = 1767225600000;

static void put_hello(struct buf *b)
{
	wb_hello(b, SEED_MAX_FRAME,
		 &(struct wb_hello){.agent_id = "dc-babel-01",
				    .site = "diskominfo-babel",
				    .software = "pantau-agent 0.1.0",
				    .stream = 42,
				    .clock_ms = T0});
}

static void put_batch(struct buf *b, uint64_t seq, size_t n)
{
	Pantau__Label l1 = PANTAU__LABEL__INIT, l2 = PANTAU__LABEL__INIT;
	l1.key = "oid";
	l1.value = "1.3.6.1.2.1.33.1.2.4.0";
	l2.key = "phase";
	l2.value = "L1";
	Pantau__Label *labels[] = {&l1, &l2};
	Pantau__SeriesDef d;
	wb_series_def(&d, 1, "ups-a", "ups.battery.charge", "%", "ups", labels, 2);
	Pantau__SeriesDef *defs[] = {&d};
	uint32_t ids[16];
	int64_t dts[16];
	double vals[16];
	for (size_t i = 0; i < n && i < 16; i++) {
		ids[i] = 1;
		dts[i] = (int64_t)i * 10000;
		vals[i] = 97.5 - (double)i;
	}
	wb_batch(b, SEED_MAX_FRAME,
		 &(struct wb_batch){.seq = seq,
				    .base_ms = T0,
				    .defs = defs,
				    .ndefs = 1,
				    .ids = ids,
				    .dt_ms = dts,
				    .values = vals,
				    .n = n});
}

static void put_inventory(struct buf *b)
{
	wb_inventory(b, SEED_MAX_FRAME, "ups-a", T0, "Smart-UPS 3000");
}

static void put_state(struct buf *b)
{
	wb_device_down(b, SEED_MAX_FRAME, "ups-a", "ups", T0, "timeout");
}

static void put_ack(struct buf *b)
{
	wb_ack(b, SEED_MAX_FRAME, 42, 7);
}

static void save(const char *dir, const char *name, uint8_t chunk, const struct buf *b)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (!f) {
		perror(path);
		exit(1);
	}
	fputc(chunk, f);
	if (b->len)
		fwrite(b->data, 1, b->len, f);
	fclose(f);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: fuzz_seedgen DIR\n");
		return 2;
	}
	const char *dir = argv[1];
	struct buf b;
	buf_init(&b, 1 << 22);
	put_hello(&b);
	save(dir, "hello", 255, &b);
	put_batch(&b, 1, 4);
	put_batch(&b, 2, 16);
	put_inventory(&b);
	put_state(&b);
	save(dir, "session", 255, &b);
	save(dir, "session_split_reads", 0, &b);
	buf_reset(&b);
	put_batch(&b, 1, 3);
	save(dir, "batch", 255, &b);
	b.data[b.len - 1] ^= 0x5a; /* a damaged last byte */
	save(dir, "batch_damaged", 255, &b);
	buf_reset(&b);
	put_batch(&b, 0, 0);
	save(dir, "batch_seq0", 255, &b);
	buf_reset(&b);
	put_ack(&b);
	save(dir, "ack", 255, &b);
	buf_reset(&b);
	put_inventory(&b);
	save(dir, "inventory", 255, &b);
	buf_reset(&b);
	put_state(&b);
	save(dir, "device_state", 255, &b);
	static const uint8_t zero_len[] = {0, 0, 0, 0};
	static const uint8_t huge[] = {0x7f, 0xff, 0xff, 0xff, 1, 2, 3};
	static const uint8_t junk[] = {0, 0, 0, 8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	buf_reset(&b);
	buf_append(&b, zero_len, sizeof(zero_len));
	save(dir, "zero_length", 3, &b);
	buf_reset(&b);
	buf_append(&b, huge, sizeof(huge));
	save(dir, "oversize", 3, &b);
	buf_reset(&b);
	buf_append(&b, junk, sizeof(junk));
	save(dir, "garbage", 3, &b);
	buf_reset(&b);
	put_hello(&b);
	b.len -= 3; /* a frame cut short */
	save(dir, "truncated", 1, &b);
	buf_free(&b);
	return 0;
}
