/* Writes the seed corpus for fuzz_wire into a directory:
 *   fuzz_seedgen tests/fuzz/corpus/wire
 * Each seed is one chunk-size byte then a byte stream as an agent would
 * send it (valid sessions, and the broken frames the collector must
 * survive). Run it again after changing the schema, and commit the seeds. */
#include "wire.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void put_hello(struct buf *b)
{
	Pantau__Hello h = PANTAU__HELLO__INIT;
	Pantau__Envelope env = PANTAU__ENVELOPE__INIT;
	h.agent_id = "dc-babel-01";
	h.site = "diskominfo-babel";
	h.software = "pantau-agent 0.1.0";
	h.stream = 42;
	h.clock_ms = 1767225600000;
	env.body_case = PANTAU__ENVELOPE__BODY_HELLO;
	env.hello = &h;
	wire_encode(&env, b, 1 << 20);
}

static void put_batch(struct buf *b, uint64_t seq, size_t n)
{
	Pantau__Label l1 = PANTAU__LABEL__INIT, l2 = PANTAU__LABEL__INIT;
	l1.key = "oid";
	l1.value = "1.3.6.1.2.1.33.1.2.4.0";
	l2.key = "phase";
	l2.value = "L1";
	Pantau__Label *labels[] = {&l1, &l2};
	Pantau__SeriesDef d = PANTAU__SERIES_DEF__INIT;
	d.id = 1;
	d.device = "ups-a";
	d.metric = "ups.battery.charge";
	d.unit = "%";
	d.device_kind = "ups";
	d.labels = labels;
	d.n_labels = 2;
	Pantau__SeriesDef *defs[] = {&d};
	uint32_t ids[16];
	int64_t dts[16];
	double vals[16];
	for (size_t i = 0; i < n && i < 16; i++) {
		ids[i] = 1;
		dts[i] = (int64_t)i * 10000;
		vals[i] = 97.5 - (double)i;
	}
	Pantau__Batch bt = PANTAU__BATCH__INIT;
	bt.seq = seq;
	bt.base_ms = 1767225600000;
	bt.series = defs;
	bt.n_series = 1;
	bt.series_ids = ids;
	bt.dt_ms = dts;
	bt.values = vals;
	bt.n_series_ids = bt.n_dt_ms = bt.n_values = n;
	Pantau__Envelope env = PANTAU__ENVELOPE__INIT;
	env.body_case = PANTAU__ENVELOPE__BODY_BATCH;
	env.batch = &bt;
	wire_encode(&env, b, 1 << 20);
}

static void put_inventory(struct buf *b)
{
	Pantau__Label s = PANTAU__LABEL__INIT, f = PANTAU__LABEL__INIT;
	s.key = "sysDescr";
	s.value = "Smart-UPS 3000";
	f.key = "ifName";
	f.value = "eth0";
	Pantau__Label *sys[] = {&s}, *fields[] = {&f};
	Pantau__InventoryItem it = PANTAU__INVENTORY_ITEM__INIT;
	it.kind = "interface";
	it.id = "1";
	it.fields = fields;
	it.n_fields = 1;
	Pantau__InventoryItem *items[] = {&it};
	Pantau__Inventory inv = PANTAU__INVENTORY__INIT;
	inv.device = "ups-a";
	inv.ts_ms = 1767225600000;
	inv.system = sys;
	inv.n_system = 1;
	inv.items = items;
	inv.n_items = 1;
	Pantau__Envelope env = PANTAU__ENVELOPE__INIT;
	env.body_case = PANTAU__ENVELOPE__BODY_INVENTORY;
	env.inventory = &inv;
	wire_encode(&env, b, 1 << 20);
}

static void put_state(struct buf *b)
{
	Pantau__DeviceState ds = PANTAU__DEVICE_STATE__INIT;
	ds.device = "ups-a";
	ds.ts_ms = 1767225600000;
	ds.state = PANTAU__DEVICE_STATE__STATE__STATE_DOWN;
	ds.reason = "timeout";
	ds.device_kind = "ups";
	Pantau__Envelope env = PANTAU__ENVELOPE__INIT;
	env.body_case = PANTAU__ENVELOPE__BODY_DEVICE_STATE;
	env.device_state = &ds;
	wire_encode(&env, b, 1 << 20);
}

static void put_ack(struct buf *b)
{
	Pantau__Ack a = PANTAU__ACK__INIT;
	a.seq = 7;
	a.stream = 42;
	Pantau__Envelope env = PANTAU__ENVELOPE__INIT;
	env.body_case = PANTAU__ENVELOPE__BODY_ACK;
	env.ack = &a;
	wire_encode(&env, b, 1 << 20);
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
