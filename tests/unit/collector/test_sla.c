/* SLA arithmetic (collector/sla.c): table-driven, exact to the second. */
#include "sla.h"
#include "test.h"

#include <errno.h>
#include <stdlib.h>

#define UP  SLA_UP
#define DN  SLA_DOWN
#define UNK SLA_UNKNOWN

struct want_outage {
	int64_t start, end;
	bool planned;
	const char *cause;
};

struct sla_case {
	const char *name;
	int64_t from, to;
	struct sla_interval iv[8];
	size_t n;
	struct sla_window win[4];
	size_t nwin;
	uint32_t target_ppm;
	int64_t up, down_planned, down_unplanned, unknown;
	bool met;
	int64_t budget_left;
	struct want_outage out[4];
	size_t nout;
};

/* March 2024 in WIB: 31 days. */
#define MAR_FROM INT64_C(1709226000)
#define MAR_TO	 (MAR_FROM + 31 * 86400)

static const struct sla_case cases[] = {
	{"all up",
	 0,
	 1000,
	 {{0, 1000, UP, false, NULL}},
	 1,
	 {{0}},
	 0,
	 0,
	 1000,
	 0,
	 0,
	 0,
	 true,
	 2,
	 {{0}},
	 0},
	{"a gap is unknown",
	 0,
	 1000,
	 {{0, 400, UP, false, NULL}, {600, 1000, UP, false, NULL}},
	 2,
	 {{0}},
	 0,
	 0,
	 800,
	 0,
	 0,
	 200,
	 false,
	 2 - 200,
	 {{0}},
	 0},
	{"no intervals: all unknown",
	 0,
	 500,
	 {{0}},
	 0,
	 {{0}},
	 0,
	 0,
	 0,
	 0,
	 0,
	 500,
	 false,
	 1 - 500,
	 {{0}},
	 0},
	{"clipped to the period",
	 100,
	 1100,
	 {{-5000, 600, UP, false, NULL}, {600, 9000, DN, false, "power"}},
	 2,
	 {{0}},
	 0,
	 0,
	 500,
	 0,
	 500,
	 0,
	 false,
	 2 - 500,
	 {{600, 1100, false, "power"}},
	 1},
	{"down inside up wins",
	 0,
	 1000,
	 {{0, 1000, UP, false, NULL}, {100, 200, DN, false, "timeout"}},
	 2,
	 {{0}},
	 0,
	 0,
	 900,
	 0,
	 100,
	 0,
	 false,
	 2 - 100,
	 {{100, 200, false, "timeout"}},
	 1},
	{"unknown inside up wins",
	 0,
	 1000,
	 {{0, 1000, UP, false, NULL}, {300, 400, UNK, false, "agent gone"}},
	 2,
	 {{0}},
	 0,
	 0,
	 900,
	 0,
	 0,
	 100,
	 false,
	 2 - 100,
	 {{0}},
	 0},
	{"down beats unknown",
	 0,
	 1000,
	 {{0, 1000, UNK, false, NULL}, {200, 250, DN, false, "refused"}},
	 2,
	 {{0}},
	 0,
	 0,
	 0,
	 0,
	 50,
	 950,
	 false,
	 2 - 1000,
	 {{200, 250, false, "refused"}},
	 1},
	{"planned flag",
	 0,
	 1000,
	 {{0, 1000, UP, false, NULL}, {100, 200, DN, true, "firmware"}},
	 2,
	 {{0}},
	 0,
	 0,
	 900,
	 100,
	 0,
	 0,
	 false,
	 2 - 100,
	 {{100, 200, true, "firmware"}},
	 1},
	{"window makes down planned, overrun unplanned",
	 0,
	 1000,
	 {{0, 1000, UP, false, NULL}, {100, 300, DN, false, NULL}},
	 2,
	 {{50, 200, "UPS battery swap"}},
	 1,
	 0,
	 800,
	 100,
	 100,
	 0,
	 false,
	 2 - 200,
	 {{100, 200, true, "UPS battery swap"}, {200, 300, false, NULL}},
	 2},
	{"window without down costs nothing",
	 0,
	 1000,
	 {{0, 1000, UP, false, NULL}},
	 1,
	 {{100, 500, "patching"}},
	 1,
	 0,
	 1000,
	 0,
	 0,
	 0,
	 true,
	 2,
	 {{0}},
	 0},
	{"adjacent and overlapping downs merge, earliest cause",
	 0,
	 1000,
	 {{400, 500, DN, false, "late"},
	  {0, 1000, UP, false, NULL},
	  {200, 300, DN, false, NULL},
	  {300, 400, DN, false, "link"},
	  {350, 450, DN, false, "other"}},
	 5,
	 {{0}},
	 0,
	 0,
	 700,
	 0,
	 300,
	 0,
	 false,
	 2 - 300,
	 {{200, 500, false, "link"}},
	 1},
	{"unsorted, two outages",
	 0,
	 100,
	 {{90, 95, DN, false, "b"}, {10, 20, DN, false, "a"}, {0, 100, UP, false, NULL}},
	 3,
	 {{0}},
	 0,
	 0,
	 85,
	 0,
	 15,
	 0,
	 false,
	 0 - 15,
	 {{10, 20, false, "a"}, {90, 95, false, "b"}},
	 2},
	{"empty and reversed intervals ignored",
	 0,
	 100,
	 {{0, 100, UP, false, NULL}, {50, 50, DN, false, NULL}, {60, 40, DN, false, NULL}},
	 3,
	 {{0}},
	 0,
	 0,
	 100,
	 0,
	 0,
	 0,
	 true,
	 0,
	 {{0}},
	 0},
	{"empty period",
	 500,
	 500,
	 {{0, 1000, UP, false, NULL}},
	 1,
	 {{0}},
	 0,
	 0,
	 0,
	 0,
	 0,
	 0,
	 true,
	 0,
	 {{0}},
	 0},
	/* Tier II exactly: 10^6 s allow 2590 s down. */
	{"target met at the boundary",
	 0,
	 1000000,
	 {{0, 1000000, UP, false, NULL}, {0, 2590, DN, false, NULL}},
	 2,
	 {{0}},
	 0,
	 0,
	 997410,
	 0,
	 2590,
	 0,
	 true,
	 0,
	 {{0, 2590, false, NULL}},
	 1},
	{"one second more misses it",
	 0,
	 1000000,
	 {{0, 1000000, UP, false, NULL}, {0, 2591, DN, false, NULL}},
	 2,
	 {{0}},
	 0,
	 0,
	 997409,
	 0,
	 2591,
	 0,
	 false,
	 -1,
	 {{0, 2591, false, NULL}},
	 1},
	{"planned downtime stays in the denominator",
	 0,
	 1000000,
	 {{0, 1000000, UP, false, NULL},
	  {500000, 502000, DN, true, "maint"},
	  {600000, 601000, DN, false, "fault"}},
	 3,
	 {{0}},
	 0,
	 0,
	 997000,
	 2000,
	 1000,
	 0,
	 false,
	 2590 - 3000,
	 {{500000, 502000, true, "maint"}, {600000, 601000, false, "fault"}},
	 2},
	{"configurable target 99%",
	 0,
	 1000000,
	 {{0, 1000000, UP, false, NULL}, {0, 5000, DN, false, NULL}},
	 2,
	 {{0}},
	 0,
	 990000,
	 995000,
	 0,
	 5000,
	 0,
	 true,
	 5000,
	 {{0, 5000, false, NULL}},
	 1},
	/* March 2024, WIB: 1 h unplanned, 2 h planned (window), 30 min unknown. */
	{"a month in WIB",
	 MAR_FROM,
	 MAR_TO,
	 {{MAR_FROM - 86400, MAR_TO + 86400, UP, false, NULL},
	  {MAR_FROM + 86400, MAR_FROM + 86400 + 3600, DN, false, "PLN outage"},
	  {MAR_FROM + 10 * 86400, MAR_FROM + 10 * 86400 + 7200, DN, false, NULL},
	  {MAR_FROM + 20 * 86400, MAR_FROM + 20 * 86400 + 1800, UNK, false, "agent gone"}},
	 4,
	 {{MAR_FROM + 10 * 86400 - 600, MAR_FROM + 10 * 86400 + 7200, "genset test"}},
	 1,
	 0,
	 2678400 - 12600,
	 7200,
	 3600,
	 1800,
	 false,
	 6937 - 12600,
	 {{MAR_FROM + 86400, MAR_FROM + 86400 + 3600, false, "PLN outage"},
	  {MAR_FROM + 10 * 86400, MAR_FROM + 10 * 86400 + 7200, true, "genset test"}},
	 2},
};

static void check_case(const struct sla_case *c)
{
	struct sla_result r;
	int rc = sla_compute(c->from, c->to, c->iv, c->n, c->win, c->nwin, c->target_ppm, &r);
	if (rc != 0)
		TEST_FAIL_("%s: sla_compute returned %d", c->name, rc);
	if (r.up != c->up || r.down_planned != c->down_planned ||
	    r.down_unplanned != c->down_unplanned || r.unknown != c->unknown)
		TEST_FAIL_("%s: up %lld planned %lld unplanned %lld unknown %lld, want %lld %lld "
			   "%lld %lld",
			   c->name, (long long)r.up, (long long)r.down_planned,
			   (long long)r.down_unplanned, (long long)r.unknown, (long long)c->up,
			   (long long)c->down_planned, (long long)c->down_unplanned,
			   (long long)c->unknown);
	ASSERT_EQ_INT(r.period, c->to - c->from);
	ASSERT_EQ_INT(r.up + r.down_planned + r.down_unplanned + r.unknown, r.period);
	if (r.target_met != c->met || r.budget_left != c->budget_left)
		TEST_FAIL_("%s: met %d budget %lld, want %d %lld", c->name, r.target_met,
			   (long long)r.budget_left, c->met, (long long)c->budget_left);
	if (r.noutages != c->nout)
		TEST_FAIL_("%s: %zu outages, want %zu", c->name, r.noutages, c->nout);
	for (size_t i = 0; i < c->nout; i++) {
		const struct sla_outage *o = &r.outages[i];
		const struct want_outage *w = &c->out[i];
		if (o->start != w->start || o->end != w->end || o->planned != w->planned ||
		    (o->cause == NULL) != (w->cause == NULL) ||
		    (o->cause && strcmp(o->cause, w->cause) != 0))
			TEST_FAIL_("%s: outage %zu is [%lld, %lld) planned %d cause %s", c->name, i,
				   (long long)o->start, (long long)o->end, o->planned,
				   o->cause ? o->cause : "(none)");
	}
	sla_result_free(&r);
}

TEST(sla_table)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_case(&cases[i]);
}

TEST(availability_percentages)
{
	const struct sla_case *c = &cases[16]; /* planned downtime stays in the denominator */
	struct sla_result r;
	ASSERT_EQ_INT(sla_compute(c->from, c->to, c->iv, c->n, NULL, 0, 0, &r), 0);
	ASSERT_NEAR(r.availability, 99.7, 1e-12);
	/* 997000 / (1000000 - 2000) */
	ASSERT_NEAR(r.availability_excl_planned, 100.0 * 997000.0 / 998000.0, 1e-12);
	ASSERT_EQ_UINT(r.target_ppm, SLA_TARGET_TIER2_PPM);
	sla_result_free(&r);
}

TEST(bad_input_is_refused)
{
	struct sla_result r;
	struct sla_interval iv = {0, 10, UP, false, NULL};
	ASSERT_EQ_INT(sla_compute(10, 0, &iv, 1, NULL, 0, 0, &r), -EINVAL);
	ASSERT_EQ_INT(sla_compute(0, 10, &iv, 1, NULL, 0, 1000001, &r), -EINVAL);
	struct sla_redundancy g;
	struct sla_member m = {&iv, 1};
	ASSERT_EQ_INT(sla_redundancy(0, 10, &m, 1, 0, &g), -EINVAL);
}

TEST(timeline_covers_the_period_without_overlap)
{
	struct sla_interval iv[] = {{5, 15, DN, false, NULL},
				    {0, 30, UP, false, NULL},
				    {12, 20, DN, true, NULL},
				    {25, 40, UNK, false, NULL}};
	struct sla_segment *seg;
	size_t n;
	ASSERT_EQ_INT(sla_timeline(0, 30, iv, 4, NULL, 0, &seg, &n), 0);
	/* up 0-5, down 5-12, planned 12-20, up 20-25, unknown 25-30 */
	static const struct sla_segment want[] = {{0, 5, UP, false},
						  {5, 12, DN, false},
						  {12, 20, DN, true},
						  {20, 25, UP, false},
						  {25, 30, UNK, false}};
	ASSERT_EQ_UINT(n, 5);
	for (size_t i = 0; i < n; i++) {
		ASSERT_EQ_INT(seg[i].start, want[i].start);
		ASSERT_EQ_INT(seg[i].end, want[i].end);
		ASSERT_EQ_INT(seg[i].state, want[i].state);
		ASSERT_EQ_INT(seg[i].planned, want[i].planned);
	}
	free(seg);
}

struct group_case {
	const char *name;
	struct sla_interval m[3][3];
	size_t n[3];
	unsigned required;
	int64_t above, at_n, below, unknown;
};

/* Three units over [0, 100), two needed (N+1 = 3). */
static const struct group_case groups[] = {
	{"all up: redundant",
	 {{{0, 100, UP, false, NULL}}, {{0, 100, UP, false, NULL}}, {{0, 100, UP, false, NULL}}},
	 {1, 1, 1},
	 2,
	 100,
	 0,
	 0,
	 0},
	{"one down for 10 s, two down for 3 s",
	 {{{0, 100, UP, false, NULL}, {10, 20, DN, false, NULL}},
	  {{0, 100, UP, false, NULL}, {15, 18, DN, false, NULL}},
	  {{0, 100, UP, false, NULL}}},
	 {2, 2, 1},
	 2,
	 90,
	 7,
	 3,
	 0},
	{"an unknown member makes only ambiguous time unknown",
	 {{{0, 100, UP, false, NULL}, {40, 60, UNK, false, NULL}},
	  {{0, 100, UP, false, NULL}, {50, 70, DN, false, NULL}},
	  {{0, 100, UP, false, NULL}}},
	 /* 0-40 3 up; 40-50 2 up + 1 unknown: unknown; 50-60 1 up + 1 unknown: N or
	  * below, unknown; 60-70 2 up: N; 70-100 3 up */
	 {2, 2, 1},
	 2,
	 70,
	 10,
	 0,
	 20},
	{"a member never reported is unknown; N=1 still decidable",
	 {{{0, 100, UP, false, NULL}}, {{0, 100, UP, false, NULL}}, {{0}}},
	 {1, 1, 0},
	 1,
	 100,
	 0,
	 0,
	 0},
	{"gaps count as unknown, down members as down",
	 {{{0, 50, UP, false, NULL}}, {{0, 100, DN, false, NULL}}, {{0, 100, DN, false, NULL}}},
	 {1, 1, 1},
	 1,
	 0,
	 50,
	 0,
	 50},
};

TEST(redundancy_levels)
{
	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
		const struct group_case *c = &groups[i];
		struct sla_member m[3];
		for (size_t k = 0; k < 3; k++)
			m[k] = (struct sla_member){c->m[k], c->n[k]};
		struct sla_redundancy r;
		ASSERT_EQ_INT(sla_redundancy(0, 100, m, 3, c->required, &r), 0);
		if (r.above != c->above || r.at_n != c->at_n || r.below != c->below ||
		    r.unknown != c->unknown)
			TEST_FAIL_("%s: above %lld at_n %lld below %lld unknown %lld", c->name,
				   (long long)r.above, (long long)r.at_n, (long long)r.below,
				   (long long)r.unknown);
		ASSERT_EQ_INT(r.above + r.at_n + r.below + r.unknown, 100);
	}
}

TEST(calendar_periods_in_wib)
{
	int64_t from, to;
	ASSERT_EQ_INT(sla_period(SLA_MONTH, 2024, 2, SLA_TZ_JAKARTA, &from, &to), 0);
	ASSERT_EQ_INT(from, 1706720400); /* 2024-02-01T00:00+07:00 */
	ASSERT_EQ_INT(to, 1709226000);	 /* leap February: 29 days */
	ASSERT_EQ_INT(sla_period(SLA_QUARTER, 2024, 4, SLA_TZ_JAKARTA, &from, &to), 0);
	ASSERT_EQ_INT(from, 1727715600);
	ASSERT_EQ_INT(to, 1735664400);
	ASSERT_EQ_INT(sla_period_parse("2024", SLA_TZ_JAKARTA, &from, &to), 0);
	ASSERT_EQ_INT(from, 1704042000);
	ASSERT_EQ_INT(to - from, 366 * 86400);
	ASSERT_EQ_INT(sla_period_parse("2024-Q1", SLA_TZ_JAKARTA, &from, &to), 0);
	ASSERT_EQ_INT(to - from, (31 + 29 + 31) * 86400);
	ASSERT_EQ_INT(sla_period_parse("2024-12", 0, &from, &to), 0);
	ASSERT_EQ_INT(to, 1735689600); /* 2025-01-01T00:00Z */
	static const char *const bad[] = {"2024-13", "2024-Q5", "2024-00", "24",
					  "2024-1",  "2024-Q",	"x",	   ""};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (sla_period_parse(bad[i], 0, &from, &to) != -EINVAL)
			TEST_FAIL_("period '%s' accepted", bad[i]);
}

TEST(time_parse_and_format)
{
	int64_t t;
	ASSERT_EQ_INT(sla_time_parse("2024-03-01", SLA_TZ_JAKARTA, &t), 0);
	ASSERT_EQ_INT(t, 1709226000);
	ASSERT_EQ_INT(sla_time_parse("2024-03-01T00:00:00Z", SLA_TZ_JAKARTA, &t), 0);
	ASSERT_EQ_INT(t, 1709251200);
	ASSERT_EQ_INT(sla_time_parse("2024-03-01 07:30+08:00", SLA_TZ_JAKARTA, &t), 0);
	ASSERT_EQ_INT(t, 1709226000 + 23400); /* 2024-02-29T23:30Z */
	char s[40];
	ASSERT_TRUE(sla_time_format(1709226000, SLA_TZ_JAKARTA, s, sizeof(s)) > 0);
	ASSERT_EQ_STR(s, "2024-03-01T00:00:00+07:00");
	ASSERT_TRUE(sla_time_format(-3600, 0, s, sizeof(s)) > 0);
	ASSERT_EQ_STR(s, "1969-12-31T23:00:00+00:00");
	ASSERT_TRUE(sla_time_format(0, -(5 * 3600 + 1800), s, sizeof(s)) > 0);
	ASSERT_EQ_STR(s, "1969-12-31T18:30:00-05:30");
	ASSERT_EQ_INT(sla_time_format(0, 0, s, 10), -ENOSPC);
	static const char *const bad[] = {
		"2023-02-29",	 "2024-02-30",	 "2024-3-01",	 "2024-03-01T24:00",
		"2024-03-01T10", "2024-03-01Tx", "2024-03-01+7", "2024-03-01 10:00 junk"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (sla_time_parse(bad[i], 0, &t) != -EINVAL)
			TEST_FAIL_("time '%s' accepted", bad[i]);
	int32_t off;
	ASSERT_EQ_INT(sla_tz_offset("Asia/Jakarta", &off), 0);
	ASSERT_EQ_INT(off, 25200);
	ASSERT_EQ_INT(sla_tz_offset("WITA", &off), 0);
	ASSERT_EQ_INT(off, 28800);
	ASSERT_EQ_INT(sla_tz_offset("Europe/Nowhere", &off), -EINVAL);
}

TEST(civil_days_round_trip)
{
	for (int64_t z = -800000; z <= 2933000; z += 997) {
		int y;
		unsigned m, d;
		sla_civil_from_days(z, &y, &m, &d);
		ASSERT_EQ_INT(sla_days_from_civil(y, m, d), z);
	}
}

TEST_MAIN(sla_table, availability_percentages, bad_input_is_refused,
	  timeline_covers_the_period_without_overlap, redundancy_levels, calendar_periods_in_wib,
	  time_parse_and_format, civil_days_round_trip)
