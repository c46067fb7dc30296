/* Register decoding: every type in every byte and word order, from byte
 * patterns computed by hand (see the comments), never from our own encoder. */
#include "modbus_decode.h"
#include "test.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>

#define B MODBUS_ORDER_BIG
#define L MODBUS_ORDER_LITTLE

struct num_case {
	enum modbus_type type;
	enum modbus_order bo, wo;
	uint16_t regs[4];
	int kind; /* MODBUS_RAW_INT, _UINT, _FLOAT */
	int64_t i;
	uint64_t u;
	double f;
};

/* Integers. -123456 = 0xFFFE1DC0, 4000000000 = 0xEE6B2800,
 * 0x0102030405060708 shows every order at once. */
static const struct num_case int_cases[] = {
	{MODBUS_T_INT16, B, B, {0xFF38}, MODBUS_RAW_INT, .i = -200},
	{MODBUS_T_INT16, L, B, {0x38FF}, MODBUS_RAW_INT, .i = -200},
	{MODBUS_T_INT16, B, B, {0x8000}, MODBUS_RAW_INT, .i = -32768},
	{MODBUS_T_INT16, B, B, {0x7FFF}, MODBUS_RAW_INT, .i = 32767},
	{MODBUS_T_INT16, B, B, {0x00EB}, MODBUS_RAW_INT, .i = 235},
	{MODBUS_T_UINT16, B, B, {0xFFFF}, MODBUS_RAW_UINT, .u = 65535},
	{MODBUS_T_UINT16, L, B, {0x3412}, MODBUS_RAW_UINT, .u = 0x1234},
	{MODBUS_T_INT32, B, B, {0xFFFE, 0x1DC0}, MODBUS_RAW_INT, .i = -123456},
	{MODBUS_T_INT32, B, L, {0x1DC0, 0xFFFE}, MODBUS_RAW_INT, .i = -123456},
	{MODBUS_T_INT32, L, B, {0xFEFF, 0xC01D}, MODBUS_RAW_INT, .i = -123456},
	{MODBUS_T_INT32, L, L, {0xC01D, 0xFEFF}, MODBUS_RAW_INT, .i = -123456},
	{MODBUS_T_INT32, B, B, {0x8000, 0x0000}, MODBUS_RAW_INT, .i = INT32_MIN},
	{MODBUS_T_INT32, B, B, {0x7FFF, 0xFFFF}, MODBUS_RAW_INT, .i = INT32_MAX},
	{MODBUS_T_UINT32, B, B, {0xEE6B, 0x2800}, MODBUS_RAW_UINT, .u = 4000000000u},
	{MODBUS_T_UINT32, B, L, {0x2800, 0xEE6B}, MODBUS_RAW_UINT, .u = 4000000000u},
	{MODBUS_T_UINT32, L, B, {0x6BEE, 0x0028}, MODBUS_RAW_UINT, .u = 4000000000u},
	{MODBUS_T_UINT32, L, L, {0x0028, 0x6BEE}, MODBUS_RAW_UINT, .u = 4000000000u},
	{MODBUS_T_UINT32, B, B, {0xFFFF, 0xFFFF}, MODBUS_RAW_UINT, .u = UINT32_MAX},
	{MODBUS_T_UINT64,
	 B,
	 B,
	 {0x0102, 0x0304, 0x0506, 0x0708},
	 MODBUS_RAW_UINT,
	 .u = 0x0102030405060708u},
	{MODBUS_T_UINT64,
	 B,
	 L,
	 {0x0708, 0x0506, 0x0304, 0x0102},
	 MODBUS_RAW_UINT,
	 .u = 0x0102030405060708u},
	{MODBUS_T_UINT64,
	 L,
	 B,
	 {0x0201, 0x0403, 0x0605, 0x0807},
	 MODBUS_RAW_UINT,
	 .u = 0x0102030405060708u},
	{MODBUS_T_UINT64,
	 L,
	 L,
	 {0x0807, 0x0605, 0x0403, 0x0201},
	 MODBUS_RAW_UINT,
	 .u = 0x0102030405060708u},
	{MODBUS_T_UINT64, B, B, {0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF}, MODBUS_RAW_UINT, .u = UINT64_MAX},
	{MODBUS_T_INT64, B, B, {0x8000, 0, 0, 0}, MODBUS_RAW_INT, .i = INT64_MIN},
	{MODBUS_T_INT64, L, L, {0, 0, 0, 0x0080}, MODBUS_RAW_INT, .i = INT64_MIN},
	{MODBUS_T_INT64, B, B, {0x7FFF, 0xFFFF, 0xFFFF, 0xFFFF}, MODBUS_RAW_INT, .i = INT64_MAX},
	{MODBUS_T_INT64, L, L, {0xFFFF, 0xFFFF, 0xFFFF, 0xFF7F}, MODBUS_RAW_INT, .i = INT64_MAX},
	{MODBUS_T_INT64, B, B, {0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF}, MODBUS_RAW_INT, .i = -1},
	/* -1234567890123 = 0xFFFFFEE08E04FB35 */
	{MODBUS_T_INT64,
	 B,
	 B,
	 {0xFFFF, 0xFEE0, 0x8E04, 0xFB35},
	 MODBUS_RAW_INT,
	 .i = -1234567890123},
	{MODBUS_T_INT64,
	 B,
	 L,
	 {0xFB35, 0x8E04, 0xFEE0, 0xFFFF},
	 MODBUS_RAW_INT,
	 .i = -1234567890123},
	{MODBUS_T_INT64,
	 L,
	 B,
	 {0xFFFF, 0xE0FE, 0x048E, 0x35FB},
	 MODBUS_RAW_INT,
	 .i = -1234567890123},
};

/* Floats. 1234.5 = 0x449A5000, -2.5 = 0xC0200000, 1 ulp = 0x00000001,
 * 230.25 = 0x406CC80000000000, -0.125 = 0xBFC0000000000000,
 * 1e300 = 0x7E37E43C8800759C. */
static const struct num_case float_cases[] = {
	{MODBUS_T_FLOAT32, B, B, {0x449A, 0x5000}, MODBUS_RAW_FLOAT, .f = 1234.5},
	{MODBUS_T_FLOAT32, B, L, {0x5000, 0x449A}, MODBUS_RAW_FLOAT, .f = 1234.5},
	{MODBUS_T_FLOAT32, L, B, {0x9A44, 0x0050}, MODBUS_RAW_FLOAT, .f = 1234.5},
	{MODBUS_T_FLOAT32, L, L, {0x0050, 0x9A44}, MODBUS_RAW_FLOAT, .f = 1234.5},
	{MODBUS_T_FLOAT32, B, B, {0xC020, 0x0000}, MODBUS_RAW_FLOAT, .f = -2.5},
	{MODBUS_T_FLOAT32, L, L, {0x0000, 0x20C0}, MODBUS_RAW_FLOAT, .f = -2.5},
	{MODBUS_T_FLOAT32, B, B, {0x0000, 0x0001}, MODBUS_RAW_FLOAT, .f = 1.401298464324817e-45},
	{MODBUS_T_FLOAT32, B, B, {0x8000, 0x0000}, MODBUS_RAW_FLOAT, .f = -0.0},
	{MODBUS_T_FLOAT64, B, B, {0x406C, 0xC800, 0, 0}, MODBUS_RAW_FLOAT, .f = 230.25},
	{MODBUS_T_FLOAT64, B, L, {0, 0, 0xC800, 0x406C}, MODBUS_RAW_FLOAT, .f = 230.25},
	{MODBUS_T_FLOAT64, L, B, {0x6C40, 0x00C8, 0, 0}, MODBUS_RAW_FLOAT, .f = 230.25},
	{MODBUS_T_FLOAT64, L, L, {0, 0, 0x00C8, 0x6C40}, MODBUS_RAW_FLOAT, .f = 230.25},
	{MODBUS_T_FLOAT64, L, L, {0, 0, 0, 0xC0BF}, MODBUS_RAW_FLOAT, .f = -0.125},
	{MODBUS_T_FLOAT64, B, B, {0x7E37, 0xE43C, 0x8800, 0x759C}, MODBUS_RAW_FLOAT, .f = 1e300},
};

static void check_case(const struct num_case *c, size_t idx)
{
	struct modbus_raw r;
	unsigned n = modbus_type_registers(c->type);
	printf("# case %zu: %s %s/%s\n", idx, modbus_type_names[c->type], modbus_order_names[c->bo],
	       modbus_order_names[c->wo]);
	ASSERT_EQ_INT(modbus_decode_number(c->type, c->regs, n, c->bo, c->wo, &r), 0);
	ASSERT_EQ_INT(r.kind, c->kind);
	if (c->kind == MODBUS_RAW_INT)
		ASSERT_EQ_INT(r.i, c->i);
	else if (c->kind == MODBUS_RAW_UINT)
		ASSERT_EQ_UINT(r.u, c->u);
	else {
		/* Exact, sign of zero included. */
		ASSERT_TRUE(r.f == c->f);
		ASSERT_EQ_INT(signbit(r.f) != 0, signbit(c->f) != 0);
	}
}

TEST(decode_integers_all_orders)
{
	for (size_t i = 0; i < sizeof(int_cases) / sizeof(int_cases[0]); i++)
		check_case(&int_cases[i], i);
}

TEST(decode_floats_all_orders)
{
	for (size_t i = 0; i < sizeof(float_cases) / sizeof(float_cases[0]); i++)
		check_case(&float_cases[i], i);
}

TEST(decode_float_specials)
{
	struct modbus_raw r;
	const uint16_t nan32[2] = {0x7FC0, 0x0000}, inf32[2] = {0x7F80, 0x0000};
	const uint16_t ninf32_ll[2] = {0x0000, 0x80FF};
	const uint16_t nan64[4] = {0x7FF8, 0, 0, 0}, ninf64[4] = {0xFFF0, 0, 0, 0};
	ASSERT_EQ_INT(modbus_decode_number(MODBUS_T_FLOAT32, nan32, 2, B, B, &r), 0);
	ASSERT_TRUE(isnan(r.f));
	ASSERT_EQ_INT(modbus_decode_number(MODBUS_T_FLOAT32, inf32, 2, B, B, &r), 0);
	ASSERT_TRUE(isinf(r.f) && r.f > 0);
	ASSERT_EQ_INT(modbus_decode_number(MODBUS_T_FLOAT32, ninf32_ll, 2, L, L, &r), 0);
	ASSERT_TRUE(isinf(r.f) && r.f < 0);
	ASSERT_EQ_INT(modbus_decode_number(MODBUS_T_FLOAT64, nan64, 4, B, B, &r), 0);
	ASSERT_TRUE(isnan(r.f));
	ASSERT_EQ_INT(modbus_decode_number(MODBUS_T_FLOAT64, ninf64, 4, B, B, &r), 0);
	ASSERT_TRUE(isinf(r.f) && r.f < 0);
}

TEST(decode_refuses_wrong_width_and_non_numbers)
{
	struct modbus_raw r;
	const uint16_t regs[4] = {0};
	ASSERT_EQ_INT(modbus_decode_number(MODBUS_T_INT32, regs, 1, B, B, &r), -EINVAL);
	ASSERT_EQ_INT(modbus_decode_number(MODBUS_T_FLOAT64, regs, 2, B, B, &r), -EINVAL);
	ASSERT_EQ_INT(modbus_decode_number(MODBUS_T_BOOL, regs, 1, B, B, &r), -EINVAL);
	ASSERT_EQ_INT(modbus_decode_number(MODBUS_T_STRING, regs, 4, B, B, &r), -EINVAL);
}

TEST(decode_widths)
{
	ASSERT_EQ_INT(modbus_type_registers(MODBUS_T_BOOL), 1);
	ASSERT_EQ_INT(modbus_type_registers(MODBUS_T_UINT16), 1);
	ASSERT_EQ_INT(modbus_type_registers(MODBUS_T_FLOAT32), 2);
	ASSERT_EQ_INT(modbus_type_registers(MODBUS_T_UINT64), 4);
	ASSERT_EQ_INT(modbus_type_registers(MODBUS_T_STRING), 0);
	ASSERT_TRUE(modbus_table_is_bits(MODBUS_TABLE_COIL));
	ASSERT_TRUE(!modbus_table_is_bits(MODBUS_TABLE_HOLDING));
}

TEST(raw_to_double)
{
	struct modbus_raw i = {.kind = MODBUS_RAW_INT, .i = -5};
	struct modbus_raw u = {.kind = MODBUS_RAW_UINT, .u = UINT64_MAX};
	struct modbus_raw f = {.kind = MODBUS_RAW_FLOAT, .f = 0.5};
	ASSERT_TRUE(modbus_raw_to_double(&i) == -5.0);
	ASSERT_TRUE(modbus_raw_to_double(&u) == 18446744073709551616.0);
	ASSERT_TRUE(modbus_raw_to_double(&f) == 0.5);
}

TEST(decode_bits_0_and_15)
{
	ASSERT_TRUE(modbus_decode_bit(0x8001, 0));
	ASSERT_TRUE(modbus_decode_bit(0x8001, 15));
	ASSERT_TRUE(!modbus_decode_bit(0x8001, 1));
	ASSERT_TRUE(!modbus_decode_bit(0x8001, 14));
	ASSERT_TRUE(!modbus_decode_bit(0x7FFE, 0));
	ASSERT_TRUE(!modbus_decode_bit(0x7FFE, 15));
	ASSERT_TRUE(modbus_decode_bit(0x7FFE, 14));
	ASSERT_TRUE(!modbus_decode_bit(0xFFFF, 16)); /* out of range is false */
}

TEST(decode_strings)
{
	char out[32];
	const uint16_t pantau[4] = {0x5041, 0x4E54, 0x4155, 0x0000}; /* "PANTAU\0\0" */
	ASSERT_EQ_INT(modbus_decode_string(pantau, 4, B, out, sizeof(out)), 6);
	ASSERT_EQ_STR(out, "PANTAU");
	const uint16_t spaces[3] = {0x4120, 0x4220, 0x2020}; /* "A B   " */
	modbus_decode_string(spaces, 3, B, out, sizeof(out));
	ASSERT_EQ_STR(out, "A B");
	const uint16_t swapped[2] = {0x4241, 0x0043}; /* "AB" "C\0", bytes swapped */
	modbus_decode_string(swapped, 2, L, out, sizeof(out));
	ASSERT_EQ_STR(out, "ABC");
	const uint16_t odd[2] = {0x4142, 0x4300}; /* "ABC\0" */
	modbus_decode_string(odd, 2, B, out, sizeof(out));
	ASSERT_EQ_STR(out, "ABC");
	const uint16_t nul_then_junk[2] = {0x4100, 0x4242};
	modbus_decode_string(nul_then_junk, 2, B, out, sizeof(out));
	ASSERT_EQ_STR(out, "A");
	const uint16_t spaces_then_nul[2] = {0x4120, 0x2000};
	modbus_decode_string(spaces_then_nul, 2, B, out, sizeof(out));
	ASSERT_EQ_STR(out, "A");
	const uint16_t control[1] = {0x4101};
	modbus_decode_string(control, 1, B, out, sizeof(out));
	ASSERT_EQ_STR(out, "A?");
	const uint16_t empty[2] = {0x2020, 0x0000};
	ASSERT_EQ_INT(modbus_decode_string(empty, 2, B, out, sizeof(out)), 0);
	ASSERT_EQ_STR(out, "");
	ASSERT_EQ_INT(modbus_decode_string(pantau, 4, B, out, 3), 2); /* truncated */
	ASSERT_EQ_STR(out, "PA");
}

TEST_MAIN(decode_integers_all_orders, decode_floats_all_orders, decode_float_specials,
	  decode_refuses_wrong_width_and_non_numbers, decode_widths, raw_to_double,
	  decode_bits_0_and_15, decode_strings)
