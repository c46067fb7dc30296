/* Read planning: merging, holes, limits down to one register, tables kept
 * apart, fields never split. */
#include "modbus_plan.h"
#include "test.h"

#include <errno.h>

#define HR MODBUS_TABLE_HOLDING
#define IR MODBUS_TABLE_INPUT
#define CO MODBUS_TABLE_COIL
#define DI MODBUS_TABLE_DISCRETE

static const struct modbus_plan_limits dflt = {125, 2000, 8};

static struct modbus_plan plan_of(const struct modbus_span *s, size_t n,
				  const struct modbus_plan_limits *lim)
{
	struct modbus_plan p;
	struct perr err = {{0}};
	int rc = modbus_plan_build(s, n, lim, &p, &err);
	if (rc != 0)
		printf("# %s\n", err.msg);
	return p;
}

#define ASSERT_REQ(p, k, tab, addr, cnt, nf)                                                       \
	do {                                                                                       \
		ASSERT_TRUE((k) < (p).nreqs);                                                      \
		ASSERT_EQ_INT((p).reqs[k].table, tab);                                             \
		ASSERT_EQ_INT((p).reqs[k].address, addr);                                          \
		ASSERT_EQ_INT((p).reqs[k].count, cnt);                                             \
		ASSERT_EQ_INT((p).reqs[k].nfields, nf);                                            \
	} while (0)

TEST(plan_merges_adjacent)
{
	const struct modbus_span s[] = {{IR, 0, 1}, {IR, 1, 1}, {IR, 2, 2}};
	struct modbus_plan p = plan_of(s, 3, &dflt);
	ASSERT_EQ_INT(p.nreqs, 1);
	ASSERT_REQ(p, 0, IR, 0, 4, 3);
	ASSERT_EQ_INT(p.total_registers, 4);
	modbus_plan_free(&p);
}

TEST(plan_bridges_small_holes_only)
{
	/* End of the first field is 1: a hole of 8 registers (1..8) is bridged. */
	const struct modbus_span a[] = {{IR, 0, 1}, {IR, 9, 1}};
	struct modbus_plan p = plan_of(a, 2, &dflt);
	ASSERT_EQ_INT(p.nreqs, 1);
	ASSERT_REQ(p, 0, IR, 0, 10, 2);
	modbus_plan_free(&p);
	/* A hole of 9 is not. */
	const struct modbus_span b[] = {{IR, 0, 1}, {IR, 10, 1}};
	p = plan_of(b, 2, &dflt);
	ASSERT_EQ_INT(p.nreqs, 2);
	ASSERT_REQ(p, 0, IR, 0, 1, 1);
	ASSERT_REQ(p, 1, IR, 10, 1, 1);
	ASSERT_EQ_INT(p.reqs[1].offset, 1);
	modbus_plan_free(&p);
}

TEST(plan_max_gap_zero_reads_no_holes)
{
	const struct modbus_plan_limits lim = {125, 2000, 0};
	const struct modbus_span s[] = {{HR, 0, 2}, {HR, 2, 1}, {HR, 4, 1}};
	struct modbus_plan p = plan_of(s, 3, &lim);
	ASSERT_EQ_INT(p.nreqs, 2);
	ASSERT_REQ(p, 0, HR, 0, 3, 2);
	ASSERT_REQ(p, 1, HR, 4, 1, 1);
	modbus_plan_free(&p);
}

TEST(plan_splits_at_the_limit)
{
	const struct modbus_plan_limits lim = {4, 2000, 8};
	const struct modbus_span s[] = {{HR, 0, 2}, {HR, 2, 2}, {HR, 4, 2}};
	struct modbus_plan p = plan_of(s, 3, &lim);
	ASSERT_EQ_INT(p.nreqs, 2);
	ASSERT_REQ(p, 0, HR, 0, 4, 2);
	ASSERT_REQ(p, 1, HR, 4, 2, 1);
	ASSERT_EQ_INT(p.reqs[1].offset, 4);
	modbus_plan_free(&p);
}

TEST(plan_never_splits_a_field)
{
	/* Limit 3: the second 2-register field would straddle; it moves whole. */
	const struct modbus_plan_limits lim = {3, 2000, 8};
	const struct modbus_span s[] = {{HR, 0, 2}, {HR, 2, 2}};
	struct modbus_plan p = plan_of(s, 2, &lim);
	ASSERT_EQ_INT(p.nreqs, 2);
	ASSERT_REQ(p, 0, HR, 0, 2, 1);
	ASSERT_REQ(p, 1, HR, 2, 2, 1);
	modbus_plan_free(&p);
}

TEST(plan_limit_of_one_register)
{
	const struct modbus_plan_limits lim = {1, 1, 8};
	const struct modbus_span s[] = {{HR, 0, 1}, {HR, 1, 1}, {HR, 2, 1}, {CO, 0, 1}, {CO, 1, 1}};
	struct modbus_plan p = plan_of(s, 5, &lim);
	ASSERT_EQ_INT(p.nreqs, 5);
	for (size_t k = 0; k < p.nreqs; k++)
		ASSERT_EQ_INT(p.reqs[k].count, 1);
	ASSERT_EQ_INT(p.total_registers, 3);
	ASSERT_EQ_INT(p.total_bits, 2);
	modbus_plan_free(&p);
}

TEST(plan_refuses_a_field_wider_than_the_limit)
{
	const struct modbus_plan_limits lim = {1, 2000, 8};
	const struct modbus_span s[] = {{HR, 0, 1}, {HR, 10, 2}};
	struct modbus_plan p;
	struct perr err = {{0}};
	ASSERT_EQ_INT(modbus_plan_build(s, 2, &lim, &p, &err), -E2BIG);
	ASSERT_CONTAINS(err.msg, "field 1");
	ASSERT_EQ_INT(p.nreqs, 0);
}

TEST(plan_refuses_past_the_last_address)
{
	const struct modbus_span bad[] = {{HR, 65535, 2}};
	const struct modbus_span ok[] = {{HR, 65534, 2}};
	struct modbus_plan p;
	struct perr err = {{0}};
	ASSERT_EQ_INT(modbus_plan_build(bad, 1, &dflt, &p, &err), -ERANGE);
	ASSERT_EQ_INT(modbus_plan_build(ok, 1, &dflt, &p, &err), 0);
	ASSERT_REQ(p, 0, HR, 65534, 2, 1);
	modbus_plan_free(&p);
}

TEST(plan_keeps_tables_apart_and_sorts)
{
	/* Given out of order; fields[] maps requests back to input indices. */
	const struct modbus_span s[] = {{HR, 5, 1}, {IR, 0, 1}, {HR, 0, 1}, {DI, 3, 1}, {CO, 0, 1}};
	struct modbus_plan p = plan_of(s, 5, &dflt);
	ASSERT_EQ_INT(p.nreqs, 4);
	ASSERT_REQ(p, 0, CO, 0, 1, 1);
	ASSERT_REQ(p, 1, DI, 3, 1, 1);
	ASSERT_REQ(p, 2, IR, 0, 1, 1);
	ASSERT_REQ(p, 3, HR, 0, 6, 2);
	ASSERT_EQ_INT(p.fields[0], 4);
	ASSERT_EQ_INT(p.fields[1], 3);
	ASSERT_EQ_INT(p.fields[2], 1);
	ASSERT_EQ_INT(p.fields[3], 2);
	ASSERT_EQ_INT(p.fields[4], 0);
	ASSERT_EQ_INT(p.reqs[1].offset, 1); /* bits: after the coil */
	ASSERT_EQ_INT(p.reqs[3].offset, 1); /* registers: after the input */
	modbus_plan_free(&p);
}

TEST(plan_bit_tables_bridge_16_bits_per_gap_register)
{
	const struct modbus_span a[] = {{CO, 0, 1}, {CO, 129, 1}}; /* hole 128 = 8 x 16 */
	struct modbus_plan p = plan_of(a, 2, &dflt);
	ASSERT_EQ_INT(p.nreqs, 1);
	ASSERT_REQ(p, 0, CO, 0, 130, 2);
	modbus_plan_free(&p);
	const struct modbus_span b[] = {{CO, 0, 1}, {CO, 130, 1}};
	p = plan_of(b, 2, &dflt);
	ASSERT_EQ_INT(p.nreqs, 2);
	modbus_plan_free(&p);
	/* The bit limit holds even when the gap would allow more. */
	const struct modbus_plan_limits wide = {125, 2000, 125};
	const struct modbus_span c[] = {{DI, 0, 1}, {DI, 1999, 1}, {DI, 2000, 1}};
	p = plan_of(c, 3, &wide);
	ASSERT_EQ_INT(p.nreqs, 2);
	ASSERT_REQ(p, 0, DI, 0, 2000, 2);
	ASSERT_REQ(p, 1, DI, 2000, 1, 1);
	modbus_plan_free(&p);
}

TEST(plan_overlapping_fields_share_a_read)
{
	/* A uint32 at 10, bit 0 of register 10, and register 11 alone. */
	const struct modbus_span s[] = {{HR, 10, 1}, {HR, 10, 2}, {HR, 11, 1}};
	struct modbus_plan p = plan_of(s, 3, &dflt);
	ASSERT_EQ_INT(p.nreqs, 1);
	ASSERT_REQ(p, 0, HR, 10, 2, 3);
	ASSERT_EQ_INT(p.fields[0], 1); /* widest first at the same address */
	modbus_plan_free(&p);
}

TEST(plan_full_limit_request)
{
	/* 125 adjacent registers fit one read; the 126th opens another. */
	struct modbus_span s[126];
	for (uint32_t i = 0; i < 126; i++)
		s[i] = (struct modbus_span){HR, 1000 + i, 1};
	struct modbus_plan p = plan_of(s, 126, &dflt);
	ASSERT_EQ_INT(p.nreqs, 2);
	ASSERT_REQ(p, 0, HR, 1000, 125, 125);
	ASSERT_REQ(p, 1, HR, 1125, 1, 1);
	modbus_plan_free(&p);
}

TEST(plan_empty)
{
	struct modbus_plan p;
	struct perr err = {{0}};
	ASSERT_EQ_INT(modbus_plan_build(NULL, 0, &dflt, &p, &err), 0);
	ASSERT_EQ_INT(p.nreqs, 0);
	modbus_plan_free(&p);
}

TEST_MAIN(plan_merges_adjacent, plan_bridges_small_holes_only, plan_max_gap_zero_reads_no_holes,
	  plan_splits_at_the_limit, plan_never_splits_a_field, plan_limit_of_one_register,
	  plan_refuses_a_field_wider_than_the_limit, plan_refuses_past_the_last_address,
	  plan_keeps_tables_apart_and_sorts, plan_bit_tables_bridge_16_bits_per_gap_register,
	  plan_overlapping_fields_share_a_read, plan_full_limit_request, plan_empty)
