/* Counter rates: wraps, reboots, resets and discontinuities, table-driven
 * over snmp_rate_compute, plus the state kept between polls. */
#include "snmp_rate.h"
#include "test.h"

#include <errno.h>

#define U32 4294967296.0

struct rate_case {
	const char *name;
	struct snmp_rate_reading prev, cur;
	enum snmp_rate_verdict want;
	double per_second; /* when want is OK or WRAPPED */
};

/* Readings 60 s apart; uptime in hundredths. */
#define R32(v, t, up) {.raw = (v), .bits = 32, .t_ms = (t), .has_uptime = true, .uptime_cs = (up)}
#define R64(v, t, up) {.raw = (v), .bits = 64, .t_ms = (t), .has_uptime = true, .uptime_cs = (up)}

static const struct rate_case cases[] = {
	{"grows", R32(1000, 0, 100000), R32(7000, 60000, 106000), SNMP_RATE_OK, 100},
	{"unchanged", R64(5, 0, 100000), R64(5, 60000, 106000), SNMP_RATE_OK, 0},
	{"32-bit wrap", R32(U32 - 600, 0, 100000), R32(5400, 60000, 106000), SNMP_RATE_WRAPPED,
	 100},
	{"64-bit backwards is a reset", R64(1e12, 0, 100000), R64(10, 60000, 106000),
	 SNMP_RATE_RESET, 0},
	{"unknown width backwards", {.raw = 50, .t_ms = 0}, {.raw = 10, .t_ms = 60000},
	 SNMP_RATE_RESET, 0},
	{"reboot: uptime backwards", R32(U32 - 600, 0, 900000), R32(5400, 60000, 3000),
	 SNMP_RATE_REBOOT, 0},
	{"reboot: 64-bit counter restarts", R64(1e12, 0, 900000), R64(900, 60000, 3000),
	 SNMP_RATE_REBOOT, 0},
	{"reboot with larger uptime after a long gap", R32(5000, 0, 1000),
	 R32(9000, 3600000, 60000), SNMP_RATE_REBOOT, 0},
	{"sysUpTime wrapped after 497 days", R32(1000, 0, 4294967000u),
	 R32(7000, 60000, 5704), SNMP_RATE_OK, 100},
	{"no uptime: a 32-bit decrease is a wrap", {.raw = U32 - 100, .bits = 32, .t_ms = 0},
	 {.raw = 900, .bits = 32, .t_ms = 10000}, SNMP_RATE_WRAPPED, 100},
	{"discontinuity marker changed",
	 {.raw = 100, .bits = 64, .t_ms = 0, .has_disc = true, .disc = 0},
	 {.raw = 500, .bits = 64, .t_ms = 60000, .has_disc = true, .disc = 4242},
	 SNMP_RATE_DISCONTINUITY, 0},
	{"same marker", {.raw = 100, .bits = 64, .t_ms = 0, .has_disc = true, .disc = 7},
	 {.raw = 700, .bits = 64, .t_ms = 60000, .has_disc = true, .disc = 7}, SNMP_RATE_OK, 10},
	{"no time passed", R32(1, 5000, 100), R32(2, 5000, 100), SNMP_RATE_NO_TIME, 0},
	{"uptime jitter within the slack", R32(0, 0, 100000), R32(600, 60000, 105900),
	 SNMP_RATE_OK, 10},
};

TEST(compute_table)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct rate_case *c = &cases[i];
		double ps = -1;
		enum snmp_rate_verdict v = snmp_rate_compute(&c->prev, &c->cur, &ps);
		if (v != c->want)
			TEST_FAIL_("%s: verdict %s, want %s", c->name, snmp_rate_verdict_name(v),
				   snmp_rate_verdict_name(c->want));
		if ((v == SNMP_RATE_OK || v == SNMP_RATE_WRAPPED) &&
		    fabs(ps - c->per_second) > 1e-9 * (1 + c->per_second))
			TEST_FAIL_("%s: %.17g per second, want %.17g", c->name, ps, c->per_second);
	}
}

TEST(first_reading_has_no_rate)
{
	struct snmp_rate_reading cur = R32(5, 1000, 100);
	double ps = -1;
	ASSERT_EQ_INT(snmp_rate_compute(NULL, &cur, &ps), SNMP_RATE_FIRST);
	ASSERT_NEAR(ps, -1, 0);
}

/* Polls of one interface through a reboot: rates before and after, none
 * for the interval that holds the reboot, and never a spike. */
TEST(state_across_a_reboot)
{
	struct snmp_rate_state s;
	snmp_rate_state_init(&s);
	static const struct {
		double raw;
		uint32_t up;
		int want;
		double ps;
	} polls[] = {
		{1000, 100000, SNMP_RATE_FIRST, 0},  {2000, 101000, SNMP_RATE_OK, 100},
		{3000, 102000, SNMP_RATE_OK, 100},   {50, 500, SNMP_RATE_REBOOT, 0},
		{1050, 1500, SNMP_RATE_OK, 100},
	};
	for (size_t i = 0; i < sizeof(polls) / sizeof(polls[0]); i++) {
		struct snmp_rate_reading r = R64(polls[i].raw, i * 10000, polls[i].up);
		double ps = -1;
		int v = snmp_rate_feed(&s, "if.in.bits_rate 1.3.6.1.2.1.31.1.1.1.6.3", &r, &ps);
		ASSERT_EQ_INT(v, polls[i].want);
		if (v == SNMP_RATE_OK)
			ASSERT_NEAR(ps, polls[i].ps, 1e-9);
	}
	snmp_rate_state_free(&s);
}

TEST(keys_are_separate_and_swept)
{
	struct snmp_rate_state s;
	snmp_rate_state_init(&s);
	char key[64];
	double ps;
	for (int i = 0; i < 500; i++) { /* grows the table several times */
		snprintf(key, sizeof(key), "m 1.3.6.%d", i);
		struct snmp_rate_reading r = R32(i, 1000, 100);
		ASSERT_EQ_INT(snmp_rate_feed(&s, key, &r, &ps), SNMP_RATE_FIRST);
	}
	ASSERT_EQ_UINT(s.n, 500);
	struct snmp_rate_reading r = R32(17 + 20, 11000, 1100);
	ASSERT_EQ_INT(snmp_rate_feed(&s, "m 1.3.6.17", &r, &ps), SNMP_RATE_OK);
	ASSERT_NEAR(ps, 2, 1e-12);
	snmp_rate_sweep(&s, 15000, 5000); /* all but 1.3.6.17 are older than 5 s */
	ASSERT_EQ_UINT(s.n, 1);
	snmp_rate_state_free(&s);
}

TEST_MAIN(compute_table, first_reading_has_no_rate, state_across_a_reboot,
	  keys_are_separate_and_swept)
