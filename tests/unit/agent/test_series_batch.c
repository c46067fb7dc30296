/* Series ids and batch encoding: what the agent puts on the wire. */
#include "batch.h"
#include "frame.h"
#include "series.h"
#include "test.h"
#include "wire.h"

static struct device dev_a = {.name = "ups-a", .kind = "ups"};
static struct device dev_b = {.name = "ups-b", .kind = "ups"};

static uint32_t lookup(struct series_table *t, struct device *dev, const char *metric,
		       const struct label *labels, size_t n)
{
	struct sample_in s = {.metric = metric, .unit = "V", .labels = labels, .nlabels = n};
	uint32_t id = 0;
	ASSERT_EQ_INT(series_lookup(t, dev, &s, &id), 0);
	return id;
}

TEST(series_ids_are_stable_and_label_order_does_not_matter)
{
	struct series_table *t = series_table_new();
	struct label ab[] = {{"line", "1"}, {"oid", "1.3.6.1.2.1.33.1.3.3.1.3.1"}};
	struct label ba[] = {{"oid", "1.3.6.1.2.1.33.1.3.3.1.3.1"}, {"line", "1"}};
	struct label line2[] = {{"line", "2"}, {"oid", "1.3.6.1.2.1.33.1.3.3.1.3.2"}};
	uint32_t a = lookup(t, &dev_a, "ups.input.voltage", ab, 2);
	ASSERT_EQ_UINT(a, 1);
	ASSERT_EQ_UINT(lookup(t, &dev_a, "ups.input.voltage", ba, 2), a);
	ASSERT_EQ_UINT(lookup(t, &dev_a, "ups.input.voltage", line2, 2), 2);
	ASSERT_EQ_UINT(lookup(t, &dev_b, "ups.input.voltage", ab, 2), 3);
	ASSERT_EQ_UINT(lookup(t, &dev_a, "ups.output.voltage", ab, 2), 4);
	ASSERT_EQ_INT(series_count(t), 4);
	struct series *s = series_get(t, a);
	ASSERT_EQ_STR(s->label_keys[0], "line");
	ASSERT_EQ_STR(s->label_keys[1], "oid");
	ASSERT_TRUE(series_get(t, 5) == NULL);
	ASSERT_TRUE(series_get(t, 0) == NULL);
	series_table_free(t);
}

TEST(series_table_grows_past_its_first_hash_size)
{
	struct series_table *t = series_table_new();
	char idx[16];
	for (int i = 0; i < 5000; i++) {
		snprintf(idx, sizeof(idx), "%d", i);
		struct label l[] = {{"index", idx}};
		ASSERT_EQ_UINT(lookup(t, &dev_a, "if.in.octets", l, 1), (uint32_t)i + 1);
	}
	for (int i = 0; i < 5000; i += 7) {
		snprintf(idx, sizeof(idx), "%d", i);
		struct label l[] = {{"index", idx}};
		ASSERT_EQ_UINT(lookup(t, &dev_a, "if.in.octets", l, 1), (uint32_t)i + 1);
	}
	series_table_free(t);
}

static Pantau__Envelope *encode_decode(struct batch_rec *r, struct series_table *t)
{
	struct buf out;
	buf_init(&out, 1 << 20);
	ASSERT_EQ_INT(batch_encode(r, t, &out, FRAME_MAX_DEFAULT), 0);
	Pantau__Envelope *env = NULL;
	struct perr err;
	ASSERT_EQ_INT(wire_decode(out.data + FRAME_HEADER_LEN, out.len - FRAME_HEADER_LEN, &env,
				  &err),
		      0);
	buf_free(&out);
	return env;
}

TEST(batch_defines_each_series_once_per_connection)
{
	struct series_table *t = series_table_new();
	struct label l1[] = {{"oid", "1.3.6.1.2.1.33.1.2.4.0"}};
	uint32_t charge = lookup(t, &dev_a, "ups.battery.charge", l1, 1);
	struct label l2[] = {{"oid", "1.3.6.1.2.1.33.1.2.5.0"}};
	uint32_t volts = lookup(t, &dev_a, "ups.battery.voltage", l2, 1);
	uint32_t ids[] = {charge, volts, charge};
	int64_t ts[] = {1795000000000, 1795000000000, 1795000010000};
	double values[] = {100, 270.7, 99};
	struct batch_rec r = {.seq = 9, .ids = ids, .ts_ms = ts, .values = values, .n = 3};

	Pantau__Envelope *env = encode_decode(&r, t);
	Pantau__Batch *b = env->batch;
	ASSERT_EQ_UINT(b->seq, 9);
	ASSERT_EQ_INT(b->base_ms, 1795000000000);
	ASSERT_EQ_INT(b->n_series, 2);
	ASSERT_EQ_STR(b->series[0]->metric, "ups.battery.charge");
	ASSERT_EQ_STR(b->series[0]->device, "ups-a");
	ASSERT_EQ_STR(b->series[0]->device_kind, "ups");
	ASSERT_EQ_STR(b->series[1]->labels[0]->value, "1.3.6.1.2.1.33.1.2.5.0");
	ASSERT_EQ_INT(b->dt_ms[2], 10000);
	ASSERT_NEAR(b->values[1], 270.7, 0);
	wire_free(env);

	/* The same connection: no definitions again. */
	env = encode_decode(&r, t);
	ASSERT_EQ_INT(env->batch->n_series, 0);
	wire_free(env);

	/* A new connection starts clean. */
	series_forget_defined(t);
	env = encode_decode(&r, t);
	ASSERT_EQ_INT(env->batch->n_series, 2);
	wire_free(env);
	series_table_free(t);
}

TEST(batch_encode_failure_keeps_definitions_for_the_next_try)
{
	struct series_table *t = series_table_new();
	struct label l1[] = {{"oid", "1.3.6.1.2.1.33.1.2.4.0"}};
	uint32_t id = lookup(t, &dev_a, "ups.battery.charge", l1, 1);
	uint32_t ids[] = {id};
	int64_t ts[] = {1795000000000};
	double values[] = {100};
	struct batch_rec r = {.seq = 1, .ids = ids, .ts_ms = ts, .values = values, .n = 1};
	struct buf out;
	buf_init(&out, 1 << 20);
	ASSERT_TRUE(batch_encode(&r, t, &out, 16) < 0);
	ASSERT_TRUE(!series_get(t, id)->defined);
	buf_free(&out);
	Pantau__Envelope *env = encode_decode(&r, t);
	ASSERT_EQ_INT(env->batch->n_series, 1);
	wire_free(env);
	series_table_free(t);
}

TEST_MAIN(series_ids_are_stable_and_label_order_does_not_matter,
	  series_table_grows_past_its_first_hash_size, batch_defines_each_series_once_per_connection,
	  batch_encode_failure_keeps_definitions_for_the_next_try)
