/* OIDs as text and the walk-termination rule. */
#include "snmp_walk.h"
#include "test.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include <errno.h>

#define LEN(a) (sizeof(a) / sizeof((a)[0]))

TEST(parse_numeric_oids)
{
	oid o[MAX_OID_LEN];
	size_t n = 0;
	ASSERT_EQ_INT(snmp_walk_parse_oid("1.3.6.1.2.1.33.1.3.3.1.3.1", o, MAX_OID_LEN, &n), 0);
	ASSERT_EQ_UINT(n, 13);
	ASSERT_EQ_UINT(o[6], 33);
	ASSERT_EQ_UINT(o[12], 1);
	ASSERT_EQ_INT(snmp_walk_parse_oid(".1.3.6.1", o, MAX_OID_LEN, &n), 0);
	ASSERT_EQ_UINT(n, 4);
	ASSERT_EQ_INT(snmp_walk_parse_oid("1.3.6.1.4.1.4294967295", o, MAX_OID_LEN, &n), 0);
	ASSERT_EQ_UINT(o[6], 4294967295u);
}

TEST(parse_rejects_bad_text)
{
	oid o[MAX_OID_LEN];
	size_t n = 0;
	static const char *const bad[] = {
		"",	 ".",	    "1",       "1..3",		 "1.3.",
		"a.b.c", "1.3.6.x", "3.1",     "1.3.4294967296", "1.3 .6",
		" 1.3",	 "1.3.-1",  "iso.3.6",
	};
	for (size_t i = 0; i < LEN(bad); i++) {
		int rc = snmp_walk_parse_oid(bad[i], o, MAX_OID_LEN, &n);
		if (rc != -EINVAL)
			TEST_FAIL_("'%s' parsed with %d", bad[i], rc);
	}
	ASSERT_EQ_INT(snmp_walk_parse_oid("1.3.6.1", o, 3, &n), -E2BIG);
}

TEST(format_round_trip_and_truncation)
{
	oid o[] = {1, 3, 6, 1, 4, 1, 4294967295u, 0};
	char buf[64];
	size_t n = snmp_walk_format_oid(o, LEN(o), buf, sizeof(buf));
	ASSERT_EQ_STR(buf, "1.3.6.1.4.1.4294967295.0");
	ASSERT_EQ_UINT(n, strlen("1.3.6.1.4.1.4294967295.0"));
	char small[6];
	n = snmp_walk_format_oid(o, LEN(o), small, sizeof(small));
	ASSERT_EQ_STR(small, "1.3.6");
	ASSERT_EQ_UINT(n, 24);
	oid back[MAX_OID_LEN];
	size_t blen = 0;
	ASSERT_EQ_INT(snmp_walk_parse_oid(buf, back, MAX_OID_LEN, &blen), 0);
	ASSERT_EQ_INT(snmp_walk_compare(o, LEN(o), back, blen), 0);
}

TEST(prefix_and_subtree)
{
	oid root[] = {1, 3, 6, 1, 2, 1, 33};
	oid in[] = {1, 3, 6, 1, 2, 1, 33, 1, 1, 1, 0};
	oid out[] = {1, 3, 6, 1, 2, 1, 34, 1};
	oid sibling[] = {1, 3, 6, 1, 2, 1, 330};
	ASSERT_TRUE(snmp_walk_in_subtree(root, LEN(root), in, LEN(in)));
	ASSERT_TRUE(!snmp_walk_in_subtree(root, LEN(root), root, LEN(root)));
	ASSERT_TRUE(snmp_walk_has_prefix(root, LEN(root), root, LEN(root)));
	ASSERT_TRUE(!snmp_walk_in_subtree(root, LEN(root), out, LEN(out)));
	ASSERT_TRUE(!snmp_walk_in_subtree(root, LEN(root), sibling, LEN(sibling)));
	ASSERT_TRUE(!snmp_walk_has_prefix(root, 3, in, LEN(in)));
}

TEST(compare_is_lexicographic)
{
	oid a[] = {1, 3, 6, 1};
	oid b[] = {1, 3, 6, 1, 0};
	oid c[] = {1, 3, 7};
	oid big[] = {1, 3, 4294967295u};
	ASSERT_EQ_INT(snmp_walk_compare(a, LEN(a), b, LEN(b)), -1);
	ASSERT_EQ_INT(snmp_walk_compare(b, LEN(b), a, LEN(a)), 1);
	ASSERT_EQ_INT(snmp_walk_compare(b, LEN(b), c, LEN(c)), -1);
	ASSERT_EQ_INT(snmp_walk_compare(c, LEN(c), c, LEN(c)), 0);
	ASSERT_EQ_INT(snmp_walk_compare(c, LEN(c), big, LEN(big)), -1);
}

TEST(step_values_and_ends)
{
	oid col[] = {1, 3, 6, 1, 2, 1, 33, 1, 3, 3, 1, 3};
	oid row1[] = {1, 3, 6, 1, 2, 1, 33, 1, 3, 3, 1, 3, 1};
	oid row2[] = {1, 3, 6, 1, 2, 1, 33, 1, 3, 3, 1, 3, 2};
	oid next_col[] = {1, 3, 6, 1, 2, 1, 33, 1, 3, 3, 1, 4, 1};
	ASSERT_EQ_INT(snmp_walk_step(col, LEN(col), col, LEN(col), row1, LEN(row1), ASN_INTEGER),
		      SNMP_WALK_VALUE);
	ASSERT_EQ_INT(snmp_walk_step(col, LEN(col), row1, LEN(row1), row2, LEN(row2), ASN_INTEGER),
		      SNMP_WALK_VALUE);
	/* The next column is outside the subtree: the column ends. */
	ASSERT_EQ_INT(snmp_walk_step(col, LEN(col), row2, LEN(row2), next_col, LEN(next_col),
				     ASN_INTEGER),
		      SNMP_WALK_END);
	ASSERT_EQ_INT(
		snmp_walk_step(col, LEN(col), row2, LEN(row2), row2, LEN(row2), SNMP_ENDOFMIBVIEW),
		SNMP_WALK_END);
	ASSERT_EQ_INT(
		snmp_walk_step(col, LEN(col), col, LEN(col), row1, LEN(row1), SNMP_NOSUCHOBJECT),
		SNMP_WALK_END);
	ASSERT_EQ_INT(
		snmp_walk_step(col, LEN(col), col, LEN(col), row1, LEN(row1), SNMP_NOSUCHINSTANCE),
		SNMP_WALK_END);
}

TEST(step_catches_a_lying_agent)
{
	oid col[] = {1, 3, 6, 1, 2, 1, 2, 2, 1, 10};
	oid r5[] = {1, 3, 6, 1, 2, 1, 2, 2, 1, 10, 5};
	oid r3[] = {1, 3, 6, 1, 2, 1, 2, 2, 1, 10, 3};
	/* The same OID again, then an earlier one: both would loop forever. */
	ASSERT_EQ_INT(snmp_walk_step(col, LEN(col), r5, LEN(r5), r5, LEN(r5), ASN_COUNTER),
		      SNMP_WALK_LOOP);
	ASSERT_EQ_INT(snmp_walk_step(col, LEN(col), r5, LEN(r5), r3, LEN(r3), ASN_COUNTER),
		      SNMP_WALK_LOOP);
	/* The column OID itself is not inside the column. */
	ASSERT_EQ_INT(snmp_walk_step(col, LEN(col), col, LEN(col), col, LEN(col), ASN_COUNTER),
		      SNMP_WALK_END);
}

TEST_MAIN(parse_numeric_oids, parse_rejects_bad_text, format_round_trip_and_truncation,
	  prefix_and_subtree, compare_is_lexicographic, step_values_and_ends,
	  step_catches_a_lying_agent)
