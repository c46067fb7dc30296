/* Varbind values turned into numbers and text, for every SNMP type. */
#include "snmp_value.h"
#include "test.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include <errno.h>
#include <stdint.h>

static netsnmp_variable_list vb;

static const netsnmp_variable_list *set(u_char type, const void *val, size_t len)
{
	snmp_free_var_internals(&vb);
	memset(&vb, 0, sizeof(vb));
	if (snmp_set_var_typed_value(&vb, type, val, len) != 0)
		TEST_FAIL_("cannot build a varbind of type %u", type);
	return &vb;
}

static const netsnmp_variable_list *integer(u_char type, long v)
{
	return set(type, &v, sizeof(v));
}

static const netsnmp_variable_list *text(const char *s)
{
	return set(ASN_OCTET_STR, s, strlen(s));
}

static const netsnmp_variable_list *c64(uint32_t high, uint32_t low)
{
	struct counter64 c = {high, low};
	return set(ASN_COUNTER64, &c, sizeof(c));
}

static double num(const netsnmp_variable_list *v)
{
	double d = -12345;
	int rc = snmp_value_number(v, &d);
	if (rc != 0)
		TEST_FAIL_("snmp_value_number failed with %d for type %u", rc, v->type);
	return d;
}

TEST(integers_keep_their_sign)
{
	ASSERT_NEAR(num(integer(ASN_INTEGER, -5)), -5, 0);
	ASSERT_NEAR(num(integer(ASN_INTEGER, 2147483647)), 2147483647.0, 0);
	ASSERT_NEAR(num(integer(ASN_INTEGER, -2147483647 - 1)), -2147483648.0, 0);
}

TEST(unsigned_32_bit_types)
{
	ASSERT_NEAR(num(integer(ASN_COUNTER, 4294967295L)), 4294967295.0, 0);
	ASSERT_NEAR(num(integer(ASN_GAUGE, 2707)), 2707, 0);
	ASSERT_NEAR(num(integer(ASN_TIMETICKS, 3239276937L)), 3239276937.0, 0);
	ASSERT_NEAR(num(integer(ASN_UINTEGER, 7)), 7, 0);
}

TEST(counter64_beyond_2_to_53)
{
	ASSERT_NEAR(num(c64(0, 1234)), 1234, 0);
	ASSERT_NEAR(num(c64(1, 0)), 4294967296.0, 0);
	/* 2^53 + 1 is not a double: it rounds to the nearest, 2^53. */
	ASSERT_TRUE(num(c64(0x200000, 1)) == 9007199254740992.0);
	/* The largest Counter64 becomes 2^64 exactly (nearest double). */
	ASSERT_TRUE(num(c64(0xffffffffu, 0xffffffffu)) == 18446744073709551616.0);
	double big = num(c64(0x12345678u, 0x9abcdef0u));
	ASSERT_NEAR(big, 1311768467463790320.0, 1e-15);
}

TEST(numeric_strings_use_the_leading_number)
{
	ASSERT_NEAR(num(text("70 F")), 70, 0);
	ASSERT_NEAR(num(text("\"70 F\"")), 70, 0);
	ASSERT_NEAR(num(text(" -3.5C")), -3.5, 0);
	ASSERT_NEAR(num(text("12.5%")), 12.5, 0);
	ASSERT_NEAR(num(text("+230V")), 230, 0);
	ASSERT_NEAR(num(text(".5")), 0.5, 0);
	ASSERT_NEAR(num(text("7.")), 7, 0);
	ASSERT_NEAR(num(text("1e3 W")), 1000, 0);
	ASSERT_NEAR(num(text("5 e")), 5, 0);
	ASSERT_NEAR(num(text("5e")), 5, 0);
	ASSERT_NEAR(num(text("0x10")), 0, 0);
}

TEST(strings_without_a_number_are_refused)
{
	static const char *const bad[] = {"",  "abc", "N/A", "inf",  "nan",  "-",
					  ".", " ",   "e5",  "\"\"", "1e999"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		double d;
		int rc = snmp_value_number(text(bad[i]), &d);
		if (rc != -EINVAL)
			TEST_FAIL_("'%s' gave %d (%g)", bad[i], rc, d);
	}
	/* Embedded NUL: only the bytes before it are text. */
	double d = 0;
	ASSERT_EQ_INT(snmp_value_number(set(ASN_OCTET_STR,
					    "42\0"
					    "99",
					    5),
					&d),
		      0);
	ASSERT_NEAR(d, 42, 0);
}

TEST(exceptions_are_absent_never_values)
{
	double d;
	ASSERT_EQ_INT(snmp_value_number(set(SNMP_NOSUCHOBJECT, NULL, 0), &d), -ENOENT);
	ASSERT_EQ_INT(snmp_value_number(set(SNMP_NOSUCHINSTANCE, NULL, 0), &d), -ENOENT);
	ASSERT_EQ_INT(snmp_value_number(set(SNMP_ENDOFMIBVIEW, NULL, 0), &d), -ENOENT);
	char buf[16];
	ASSERT_EQ_INT(snmp_value_text(set(SNMP_NOSUCHOBJECT, NULL, 0), buf, sizeof(buf)), -ENOENT);
}

TEST(other_types_are_not_numbers)
{
	double d;
	oid o[] = {1, 3, 6, 1, 4, 1, 2011};
	ASSERT_EQ_INT(snmp_value_number(set(ASN_OBJECT_ID, o, sizeof(o)), &d), -EINVAL);
	unsigned char ip[4] = {10, 0, 0, 1};
	ASSERT_EQ_INT(snmp_value_number(set(ASN_IPADDRESS, ip, 4), &d), -EINVAL);
	ASSERT_EQ_INT(snmp_value_number(set(ASN_NULL, NULL, 0), &d), -EINVAL);
}

TEST(opaque_float_and_double)
{
	float f = 21.5f;
	ASSERT_NEAR(num(set(ASN_OPAQUE_FLOAT, &f, sizeof(f))), 21.5, 0);
	double g = -0.125;
	ASSERT_NEAR(num(set(ASN_OPAQUE_DOUBLE, &g, sizeof(g))), -0.125, 0);
}

TEST(scaling)
{
	struct snmp_value_scale tenth = {1, 10, 0};
	/* Exactly the double nearest 230.7, which 2307 * 0.1 is not. */
	ASSERT_TRUE(snmp_value_apply(&tenth, 2307) == 230.7);
	ASSERT_TRUE(snmp_value_apply(&tenth, 500) == 50.0);
	struct snmp_value_scale minutes = {60, 1, 0};
	ASSERT_NEAR(snmp_value_apply(&minutes, 72), 4320, 0);
	struct snmp_value_scale f_to_c = {5, 9, -160.0 / 9};
	ASSERT_NEAR(snmp_value_apply(&f_to_c, 70), 21.111111111111111, 1e-12);
	struct snmp_value_scale kilo = {1000, 1, 0};
	ASSERT_NEAR(snmp_value_apply(&kilo, -2), -2000, 0);
}

static const char *txt(const netsnmp_variable_list *v)
{
	static char buf[128];
	int rc = snmp_value_text(v, buf, sizeof(buf));
	if (rc != 0)
		TEST_FAIL_("snmp_value_text failed with %d", rc);
	return buf;
}

TEST(text_of_strings)
{
	ASSERT_EQ_STR(txt(text("SNMP Card for HUAWEI UPS2000")), "SNMP Card for HUAWEI UPS2000");
	ASSERT_EQ_STR(txt(set(ASN_OCTET_STR, "UPS \0\0", 6)), "UPS");
	ASSERT_EQ_STR(txt(text("line1\r\nline2")), "line1\r\nline2");
	ASSERT_EQ_STR(txt(text("Ruang Server \xe2\x84\x96"
			       "1")),
		      "Ruang Server \xe2\x84\x96"
		      "1");
	/* Binary octets (a MAC address) become hex, trailing zeros kept. */
	ASSERT_EQ_STR(txt(set(ASN_OCTET_STR, "\x70\x4c\xa5\x3b\x74\x00", 6)), "704ca53b7400");
	/* Invalid UTF-8 is not text either. */
	ASSERT_EQ_STR(txt(set(ASN_OCTET_STR, "ab\xc3", 3)), "6162c3");
	ASSERT_EQ_STR(txt(text("")), "");
}

TEST(text_is_cut_on_a_character_boundary)
{
	char small[5];
	ASSERT_EQ_INT(snmp_value_text(text("ab\xe2\x84\x96"), small, sizeof(small)), 0);
	ASSERT_EQ_STR(small, "ab");
	ASSERT_EQ_INT(snmp_value_text(text("abcdefgh"), small, sizeof(small)), 0);
	ASSERT_EQ_STR(small, "abcd");
}

TEST(text_of_other_types)
{
	oid o[] = {1, 3, 6, 1, 4, 1, 2011, 6, 174, 4, 1, 2, 4};
	ASSERT_EQ_STR(txt(set(ASN_OBJECT_ID, o, sizeof(o))), "1.3.6.1.4.1.2011.6.174.4.1.2.4");
	unsigned char ip[4] = {192, 168, 10, 254};
	ASSERT_EQ_STR(txt(set(ASN_IPADDRESS, ip, 4)), "192.168.10.254");
	ASSERT_EQ_STR(txt(integer(ASN_INTEGER, -40)), "-40");
	ASSERT_EQ_STR(txt(integer(ASN_TIMETICKS, 3239276937L)), "3239276937");
	ASSERT_EQ_STR(txt(c64(0xffffffffu, 0xffffffffu)), "18446744073709551615");
}

TEST_MAIN(integers_keep_their_sign, unsigned_32_bit_types, counter64_beyond_2_to_53,
	  numeric_strings_use_the_leading_number, strings_without_a_number_are_refused,
	  exceptions_are_absent_never_values, other_types_are_not_numbers, opaque_float_and_double,
	  scaling, text_of_strings, text_is_cut_on_a_character_boundary, text_of_other_types)
