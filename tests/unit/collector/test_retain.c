/* Rollups and retention, the pure parts: the retention cutoff, partition
 * names and ranges, and the buckets a span of samples touches. */
#include "retain.h"
#include "test.h"

#include <errno.h>
#include <string.h>

#define DAY RETAIN_DAY_MS
/* 2026-11-23T07:30:00Z */
static const int64_t now = 1795419000000LL;
static const int64_t midnight = 1795392000000LL; /* 2026-11-23T00:00:00Z */

TEST(cutoff_is_a_whole_utc_day_at_least_the_retention_back)
{
	ASSERT_EQ_INT(retain_cutoff_ms(now, 0) == INT64_MIN, 1); /* forever */
	ASSERT_EQ_INT(retain_cutoff_ms(now, 90 * DAY) == midnight - 90 * DAY, 1);
	/* 36 h back is 2026-11-21T19:30: that day is kept whole. */
	ASSERT_EQ_INT(retain_cutoff_ms(now, 36 * 3600 * 1000LL) == midnight - 2 * DAY, 1);
	ASSERT_TRUE(retain_cutoff_ms(midnight, DAY) == midnight - DAY);
	ASSERT_TRUE(retain_cutoff_ms(midnight + 1, DAY) == midnight - DAY);
}

TEST(partition_names_give_their_end)
{
	int64_t end;
	ASSERT_EQ_INT(retain_partition_end(RETAIN_SAMPLES, "samples_20261122", &end), 0);
	ASSERT_TRUE(end == midnight);
	ASSERT_EQ_INT(retain_partition_end(RETAIN_SAMPLES, "samples_20241231", &end), 0);
	ASSERT_TRUE(end == 1735689600000LL); /* 2025-01-01 */
	ASSERT_EQ_INT(retain_partition_end(RETAIN_ROLLUPS_5M, "rollups_5m_202412", &end), 0);
	ASSERT_TRUE(end == 1735689600000LL);
	ASSERT_EQ_INT(retain_partition_end(RETAIN_ROLLUPS_1H, "rollups_1h_2024", &end), 0);
	ASSERT_TRUE(end == 1735689600000LL);
	/* Anything else is not the collector's: left alone. */
	static const char *const others[] = {"samples_test",	 "samples_2026112",
					     "samples_202611220", "samples_20261340",
					     "rollups_5m_2024",	 "samples_19991231",
					     "rollups_1h_20x4",	 "xsamples_20261122"};
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		enum retain_table t = others[i][0] == 'r' ? (others[i][8] == '5' ? RETAIN_ROLLUPS_5M
										 : RETAIN_ROLLUPS_1H)
							  : RETAIN_SAMPLES;
		if (retain_partition_end(t, others[i], &end) != -EINVAL)
			TEST_FAIL_("%s taken for a partition of ours", others[i]);
	}
	ASSERT_EQ_INT(retain_partition_end(RETAIN_ROLLUPS_5M, "samples_20261122", &end), -EINVAL);
}

TEST(the_partition_of_a_time)
{
	char name[64];
	int64_t from, to;
	ASSERT_EQ_INT(retain_partition_of(RETAIN_ROLLUPS_5M, now, name, sizeof(name), &from, &to), 0);
	ASSERT_EQ_STR(name, "rollups_5m_202611");
	ASSERT_TRUE(from == 1793491200000LL); /* 2026-11-01 */
	ASSERT_TRUE(to == 1796083200000LL);   /* 2026-12-01 */
	/* December rolls over into January. */
	ASSERT_EQ_INT(retain_partition_of(RETAIN_ROLLUPS_5M, to, name, sizeof(name), &from, &to), 0);
	ASSERT_EQ_STR(name, "rollups_5m_202612");
	ASSERT_TRUE(to == 1798761600000LL); /* 2027-01-01 */
	ASSERT_EQ_INT(retain_partition_of(RETAIN_ROLLUPS_1H, now, name, sizeof(name), &from, &to), 0);
	ASSERT_EQ_STR(name, "rollups_1h_2026");
	ASSERT_TRUE(from == 1767225600000LL && to == 1798761600000LL);
	int64_t back;
	ASSERT_EQ_INT(retain_partition_end(RETAIN_ROLLUPS_1H, name, &back), 0);
	ASSERT_TRUE(back == to);
	/* Raw partitions are the writer's; times before 2000 have none. */
	ASSERT_EQ_INT(retain_partition_of(RETAIN_SAMPLES, now, name, sizeof(name), &from, &to),
		      -EINVAL);
	ASSERT_EQ_INT(retain_partition_of(RETAIN_ROLLUPS_5M, 0, name, sizeof(name), &from, &to),
		      -EINVAL);
}

TEST(buckets_cover_the_span)
{
	int64_t from, to;
	const int64_t five = 300000;
	retain_buckets(midnight + 150000, midnight + 150000, five, &from, &to);
	ASSERT_TRUE(from == midnight && to == midnight + five);
	retain_buckets(midnight + 299999, midnight + 300000, five, &from, &to);
	ASSERT_TRUE(from == midnight && to == midnight + 2 * five);
	retain_buckets(midnight, midnight + 3600000 - 1, 3600000, &from, &to);
	ASSERT_TRUE(from == midnight && to == midnight + 3600000);
	retain_buckets(-1, 0, five, &from, &to); /* before 1970: floor, not truncation */
	ASSERT_TRUE(from == -five && to == five);
}

TEST_MAIN(cutoff_is_a_whole_utc_day_at_least_the_retention_back, partition_names_give_their_end,
	  the_partition_of_a_time, buckets_cover_the_span)
