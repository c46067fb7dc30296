/* Migration ordering, and the embedded list itself. */
#include "migrate.h"
#include "test.h"

#include <errno.h>

TEST(embedded_migrations_are_ordered_and_start_with_the_schema)
{
	struct perr err;
	ASSERT_TRUE(migrate_embedded_count >= 1);
	if (migrate_check_order(migrate_embedded, migrate_embedded_count, &err) < 0)
		TEST_FAIL_("%s", err.msg);
	ASSERT_EQ_INT(migrate_embedded[0].version, 1);
	ASSERT_EQ_STR(migrate_embedded[0].name, "001_schema");
	ASSERT_CONTAINS(migrate_embedded[0].sql, "CREATE TABLE pantau.samples");
	ASSERT_CONTAINS(migrate_embedded[0].sql, "CREATE VIEW report.samples");
}

TEST(good_order_passes)
{
	static const struct migration list[] = {
		{1, "001_a", ""}, {2, "002_b", ""}, {10, "010_c", ""}};
	struct perr err;
	ASSERT_EQ_INT(migrate_check_order(list, 3, &err), 0);
	ASSERT_EQ_INT(migrate_check_order(list, 0, &err), 0);
}

TEST(out_of_order_and_duplicates_fail)
{
	static const struct migration swapped[] = {{2, "002_b", ""}, {1, "001_a", ""}};
	static const struct migration dup[] = {{1, "001_a", ""}, {1, "001_b", ""}};
	struct perr err;
	ASSERT_EQ_INT(migrate_check_order(swapped, 2, &err), -EINVAL);
	ASSERT_CONTAINS(err.msg, "001_a comes after 002_b");
	ASSERT_EQ_INT(migrate_check_order(dup, 2, &err), -EINVAL);
	ASSERT_CONTAINS(err.msg, "versions must increase");
}

TEST(names_must_carry_their_version)
{
	static const struct migration wrong[] = {{3, "002_c", ""}};
	static const struct migration zero[] = {{0, "000_x", ""}};
	struct perr err;
	ASSERT_EQ_INT(migrate_check_order(wrong, 1, &err), -EINVAL);
	ASSERT_CONTAINS(err.msg, "does not start with 003_");
	ASSERT_EQ_INT(migrate_check_order(zero, 1, &err), -EINVAL);
}

TEST_MAIN(embedded_migrations_are_ordered_and_start_with_the_schema, good_order_passes,
	  out_of_order_and_duplicates_fail, names_must_carry_their_version)
