#include "frame.h"
#include "test.h"
#include "wire.h"

#include <errno.h>

/* Encodes env and strips the frame header, giving the bare message. */
static size_t encode(Pantau__Envelope *env, struct buf *b)
{
	buf_reset(b);
	ASSERT_EQ_INT(wire_encode(env, b, FRAME_MAX_DEFAULT), 0);
	ASSERT_EQ_UINT(buf_get_be32(b->data), b->len - FRAME_HEADER_LEN);
	return b->len - FRAME_HEADER_LEN;
}

TEST(wire_batch_round_trip)
{
	Pantau__Label lab = PANTAU__LABEL__INIT;
	Pantau__Label *labs[] = {&lab};
	lab.key = "oid";
	lab.value = "1.3.6.1.2.1.33.1.2.4.0";
	Pantau__SeriesDef def = PANTAU__SERIES_DEF__INIT;
	Pantau__SeriesDef *defs[] = {&def};
	def.id = 7;
	def.device = "ups-a";
	def.metric = "ups.battery.charge";
	def.unit = "%";
	def.labels = labs;
	def.n_labels = 1;
	uint32_t ids[] = {7, 7};
	int64_t dt[] = {0, 10000};
	double values[] = {100, 99.5};
	Pantau__Batch b = PANTAU__BATCH__INIT;
	b.seq = 42;
	b.base_ms = 1795000000000;
	b.series = defs;
	b.n_series = 1;
	b.series_ids = ids;
	b.n_series_ids = 2;
	b.dt_ms = dt;
	b.n_dt_ms = 2;
	b.values = values;
	b.n_values = 2;
	Pantau__Envelope env = PANTAU__ENVELOPE__INIT;
	env.body_case = PANTAU__ENVELOPE__BODY_BATCH;
	env.batch = &b;

	struct buf out;
	buf_init(&out, 1 << 20);
	size_t len = encode(&env, &out);
	Pantau__Envelope *got = NULL;
	struct perr err;
	ASSERT_EQ_INT(wire_decode(out.data + FRAME_HEADER_LEN, len, &got, &err), 0);
	ASSERT_EQ_INT(got->version, WIRE_VERSION);
	ASSERT_EQ_INT(got->body_case, PANTAU__ENVELOPE__BODY_BATCH);
	ASSERT_EQ_UINT(got->batch->seq, 42);
	ASSERT_EQ_INT(got->batch->base_ms, 1795000000000);
	ASSERT_EQ_INT(got->batch->n_values, 2);
	ASSERT_NEAR(got->batch->values[1], 99.5, 0);
	ASSERT_EQ_INT(got->batch->dt_ms[1], 10000);
	ASSERT_EQ_STR(got->batch->series[0]->labels[0]->value, "1.3.6.1.2.1.33.1.2.4.0");
	wire_free(got);

	/* Column arrays of different lengths are refused. */
	b.n_values = 1;
	len = encode(&env, &out);
	ASSERT_EQ_INT(wire_decode(out.data + FRAME_HEADER_LEN, len, &got, &err), -EBADMSG);
	ASSERT_CONTAINS(err.msg, "column lengths differ");

	/* Sequence number 0 is refused. */
	b.n_values = 2;
	b.seq = 0;
	len = encode(&env, &out);
	ASSERT_EQ_INT(wire_decode(out.data + FRAME_HEADER_LEN, len, &got, &err), -EBADMSG);
	buf_free(&out);
}

TEST(wire_refuses_garbage_and_wrong_version)
{
	struct perr err;
	Pantau__Envelope *got = NULL;
	static const uint8_t garbage[] = {0xff, 0xff, 0xff, 0xff, 0x0f, 0x01, 0x02};
	ASSERT_EQ_INT(wire_decode(garbage, sizeof(garbage), &got, &err), -EBADMSG);
	ASSERT_TRUE(got == NULL);

	/* An envelope with no body. */
	static const uint8_t nobody[] = {0x08, 0x01};
	ASSERT_EQ_INT(wire_decode(nobody, sizeof(nobody), &got, &err), -EBADMSG);
	ASSERT_CONTAINS(err.msg, "without a known body");

	/* A future protocol version. */
	Pantau__Ack ack = PANTAU__ACK__INIT;
	Pantau__Envelope env = PANTAU__ENVELOPE__INIT;
	env.body_case = PANTAU__ENVELOPE__BODY_ACK;
	env.ack = &ack;
	env.version = 99;
	uint8_t raw[64];
	size_t n = pantau__envelope__pack(&env, raw);
	ASSERT_EQ_INT(wire_decode(raw, n, &got, &err), -EBADMSG);
	ASSERT_CONTAINS(err.msg, "protocol version 99");
}

TEST(wire_refuses_hello_without_agent_and_long_strings)
{
	struct buf out;
	buf_init(&out, 1 << 16);
	struct perr err;
	Pantau__Envelope *got = NULL;
	Pantau__Hello hello = PANTAU__HELLO__INIT;
	Pantau__Envelope env = PANTAU__ENVELOPE__INIT;
	env.body_case = PANTAU__ENVELOPE__BODY_HELLO;
	env.hello = &hello;
	size_t len = encode(&env, &out);
	ASSERT_EQ_INT(wire_decode(out.data + FRAME_HEADER_LEN, len, &got, &err), -EBADMSG);
	ASSERT_CONTAINS(err.msg, "hello without agent id");

	char longname[WIRE_MAX_STRING + 2];
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	hello.agent_id = longname;
	len = encode(&env, &out);
	ASSERT_EQ_INT(wire_decode(out.data + FRAME_HEADER_LEN, len, &got, &err), -EBADMSG);
	ASSERT_CONTAINS(err.msg, "agent id longer than");
	buf_free(&out);
}

TEST(wire_encode_respects_the_frame_cap)
{
	struct buf out;
	buf_init(&out, 1 << 16);
	Pantau__Hello hello = PANTAU__HELLO__INIT;
	Pantau__Envelope env = PANTAU__ENVELOPE__INIT;
	hello.agent_id = "an-agent-with-a-name";
	env.body_case = PANTAU__ENVELOPE__BODY_HELLO;
	env.hello = &hello;
	ASSERT_EQ_INT(wire_encode(&env, &out, 8), -EMSGSIZE);
	ASSERT_EQ_INT(out.len, 0);
	buf_free(&out);
}

TEST_MAIN(wire_batch_round_trip, wire_refuses_garbage_and_wrong_version,
	  wire_refuses_hello_without_agent_and_long_strings, wire_encode_respects_the_frame_cap)
