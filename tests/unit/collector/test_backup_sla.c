/* Backup SLA arithmetic (collector/backup_sla.c): table-driven, exact to
 * the second. */
#include "backup_sla.h"
#include "test.h"

#include <errno.h>

#define NONE BACKUP_SLA_NONE
#define H    3600
#define D    86400

/* A check at ts that saw a backup made `age` seconds earlier. */
#define CHK(ts, age, ok, st, size)                                                                 \
	{                                                                                          \
		BACKUP_OBS_CHECK, (ts), (ts) - (age), (ok), (st), (size), false, 0                 \
	}
/* A check that found no file. */
#define MISS(ts)                                                                                   \
	{                                                                                          \
		BACKUP_OBS_CHECK, (ts), NONE, false, 5, -1, false, 0                               \
	}
/* A run that ended at ts. */
#define RUN(ts, ok, size, restore)                                                                 \
	{                                                                                          \
		BACKUP_OBS_RUN, (ts), (ts), (ok), -1, (size), (restore), 0                         \
	}

struct bcase {
	const char *name;
	int64_t from, to;
	struct backup_obs obs[8];
	size_t n;
	struct backup_job_limits lim;
	int64_t within, breach, longest;
	uint64_t checks, checks_ok, runs, runs_ok;
	double success; /* -1: none */
	int64_t last_good, last_restore;
	uint64_t size_breaches;
};

/* March 2024 in WIB (UTC+7). */
#define F INT64_C(1709226000)

static const struct bcase cases[] = {
	{"nothing seen: the whole period is a breach",
	 F,
	 F + 10 * D,
	 {{0}},
	 0,
	 {26 * H, -1, -1},
	 0,
	 10 * D,
	 10 * D,
	 0,
	 0,
	 0,
	 0,
	 -1,
	 NONE,
	 NONE,
	 0},
	{"daily runs, rpo 26 h: always within",
	 F,
	 F + 3 * D,
	 {RUN(F - 2 * H, true, 100, false), RUN(F + 22 * H, true, 100, false),
	  RUN(F + 46 * H, true, 100, true), RUN(F + 70 * H, true, 100, false)},
	 4,
	 {26 * H, -1, -1},
	 3 * D,
	 0,
	 0,
	 0,
	 0,
	 3,
	 3,
	 100.0,
	 F + 70 * H,
	 F + 46 * H,
	 0},
	{"a failed run opens a breach until the next good one",
	 F,
	 F + 3 * D,
	 {RUN(F - 2 * H, true, 100, false), RUN(F + 22 * H, false, 0, false),
	  RUN(F + 46 * H, true, 100, false)},
	 3,
	 {24 * H, -1, -1}, /* the run before the period is not counted in the rate */
	 /* covered [F-2h, F+22h) and [F+46h, F+70h) = 22 h + 24 h; breach 24 h + 2 h */
	 46 * H,
	 26 * H,
	 24 * H,
	 0,
	 0,
	 2,
	 1,
	 50.0,
	 F + 46 * H,
	 NONE,
	 0},
	{"checks: the backup made 5 h before a check covers from then",
	 F,
	 F + D,
	 {CHK(F + 6 * H, 5 * H, true, 0, 500), CHK(F + 7 * H, 6 * H, true, 0, 500),
	  CHK(F + 20 * H, 3 * H, true, 0, 500)},
	 3,
	 {12 * H, -1, -1},
	 /* made F+1h -> [F+1h, F+13h); made F+17h -> [F+17h, F+29h): 12 h + 7 h */
	 19 * H,
	 5 * H,
	 4 * H,
	 3,
	 3,
	 0,
	 0,
	 100.0,
	 F + 17 * H,
	 NONE,
	 0},
	{"not ok checks count against the success rate, not the coverage",
	 F,
	 F + D,
	 {CHK(F + H, H, true, 0, 500), CHK(F + 2 * H, 2 * H, false, 1, 500), MISS(F + 3 * H),
	  CHK(F + 4 * H, 4 * H, false, 4, 500)},
	 4,
	 {D, -1, -1},
	 D,
	 0,
	 0,
	 4,
	 1,
	 0,
	 0,
	 25.0,
	 F,
	 NONE,
	 0},
	{"size breaches: once per backup from checks, every run outside the range",
	 F,
	 F + D,
	 {CHK(F + H, H, false, 2, 10), CHK(F + 2 * H, 2 * H, false, 2, 10),
	  CHK(F + 3 * H, H, false, 3, 9000), RUN(F + 4 * H, true, 50, false),
	  RUN(F + 5 * H, true, 5000, false), RUN(F + 6 * H, true, 100, false),
	  RUN(F + 7 * H, true, -1, false)},
	 7,
	 {2 * H, 100, 1000},
	 /* only the runs are ok: [4h,6h) [5h,7h) [6h,8h) [7h,9h) -> 5 h from F+4h */
	 5 * H,
	 19 * H,
	 15 * H,
	 3,
	 0,
	 4,
	 4,
	 100.0,
	 F + 7 * H,
	 NONE,
	 4},
	{"observations outside the period: counted for last good, not for rates",
	 F,
	 F + D,
	 {RUN(F - 3 * D, true, 1, true), RUN(F + D, true, 1, true),
	  RUN(F + 2 * D, false, 1, false)},
	 3,
	 {D, -1, -1},
	 0,
	 D,
	 D,
	 0,
	 0,
	 0,
	 0,
	 -1,
	 F - 3 * D,
	 F - 3 * D,
	 0},
	{"the boundary second: made exactly rpo before the period covers nothing",
	 F,
	 F + 100,
	 {RUN(F - 100, true, 1, false), RUN(F + 99, true, 1, false)},
	 2,
	 {100, -1, -1},
	 1,
	 99,
	 99,
	 0,
	 0,
	 1,
	 1,
	 100.0,
	 F + 99,
	 NONE,
	 0},
	{"overlapping coverage is counted once",
	 F,
	 F + 1000,
	 {RUN(F + 100, true, 1, false), RUN(F + 150, true, 1, false), RUN(F + 120, true, 1, false),
	  RUN(F + 900, true, 1, false)},
	 4,
	 {300, -1, -1},
	 /* [100, 450) and [900, 1000): 350 + 100 */
	 450,
	 550,
	 450,
	 0,
	 0,
	 4,
	 4,
	 100.0,
	 F + 900,
	 NONE,
	 0},
	{"a run with a failed restore test is not a restore test",
	 F,
	 F + D,
	 {RUN(F + H, false, 1, true), RUN(F + 2 * H, true, 1, false)},
	 2,
	 {D, -1, -1},
	 D - 2 * H,
	 2 * H,
	 2 * H,
	 0,
	 0,
	 2,
	 1,
	 50.0,
	 F + 2 * H,
	 NONE,
	 0},
};

TEST(backup_sla_table)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct bcase *c = &cases[i];
		struct backup_sla r;
		ASSERT_EQ_INT(backup_sla_compute(c->from, c->to, c->obs, c->n, &c->lim, &r), 0);
		ASSERT_EQ_INT(r.period, c->to - c->from);
		ASSERT_EQ_INT(r.within_rpo, c->within);
		ASSERT_EQ_INT(r.breach, c->breach);
		ASSERT_EQ_INT(r.within_rpo + r.breach, r.period);
		ASSERT_EQ_INT(r.longest_breach, c->longest);
		ASSERT_EQ_UINT(r.checks, c->checks);
		ASSERT_EQ_UINT(r.checks_ok, c->checks_ok);
		ASSERT_EQ_UINT(r.runs, c->runs);
		ASSERT_EQ_UINT(r.runs_ok, c->runs_ok);
		ASSERT_NEAR(r.success_pct, c->success, 1e-9);
		ASSERT_TRUE(r.success_from_runs == (c->runs > 0));
		ASSERT_EQ_INT(r.last_good, c->last_good);
		ASSERT_EQ_INT(r.last_restore_test, c->last_restore);
		ASSERT_EQ_UINT(r.size_breaches, c->size_breaches);
	}
}

TEST(adherence_percentage)
{
	struct backup_obs o[] = {RUN(F, true, 1, false)};
	struct backup_job_limits lim = {3 * D, -1, -1};
	struct backup_sla r;
	ASSERT_EQ_INT(backup_sla_compute(F, F + 4 * D, o, 1, &lim, &r), 0);
	ASSERT_NEAR(r.adherence_pct, 75.0, 1e-12);
	ASSERT_EQ_INT(backup_sla_compute(F, F, o, 1, &lim, &r), 0);
	ASSERT_EQ_INT(r.period, 0);
	ASSERT_NEAR(r.adherence_pct, 0.0, 0);
}

TEST(count_stands_for_identical_checks)
{
	struct backup_obs o[] = {CHK(F + H, H, true, 0, 5), CHK(F + 2 * H, 2 * H, false, 2, 5)};
	o[0].count = 100;
	o[1].count = 300;
	struct backup_job_limits lim = {D, -1, -1};
	struct backup_sla r;
	ASSERT_EQ_INT(backup_sla_compute(F, F + D, o, 2, &lim, &r), 0);
	ASSERT_EQ_UINT(r.checks, 400);
	ASSERT_EQ_UINT(r.checks_ok, 100);
	ASSERT_NEAR(r.success_pct, 25.0, 1e-12);
	ASSERT_EQ_UINT(r.size_breaches, 1); /* one backup, however often checked */
}

TEST(bad_input_is_refused)
{
	struct backup_job_limits lim = {H, -1, -1}, zero = {0, -1, -1};
	struct backup_sla r;
	ASSERT_EQ_INT(backup_sla_compute(F + 1, F, NULL, 0, &lim, &r), -EINVAL);
	ASSERT_EQ_INT(backup_sla_compute(F, F + 1, NULL, 0, &zero, &r), -EINVAL);
	ASSERT_EQ_INT(backup_sla_compute(F, F + 1, NULL, 3, &lim, &r), -EINVAL);
	ASSERT_EQ_INT(backup_sla_compute(F, F + 1, NULL, 0, NULL, &r), -EINVAL);
}

TEST_MAIN(backup_sla_table, adherence_percentage, count_stands_for_identical_checks,
	  bad_input_is_refused)
