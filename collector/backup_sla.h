/* Backup SLA arithmetic: pure functions over backup observations, exact to
 * the second. No I/O; `pantauctl report backups` feeds what it read from
 * PostgreSQL, the unit tests feed tables.
 *
 * An observation is either a check by the agent (one backup.ok sample with
 * the backup.age, backup.size and backup.status of the same poll) or a run
 * that backup software reported (pantau.backup_runs). Each says when the
 * backup it saw was made: a check at ts with age a saw a backup made at
 * ts - a; a run made its backup when it finished.
 *
 * RPO adherence: at time t the newest good backup made at or before t is
 * within the RPO while t - made < rpo. A good backup made at g therefore
 * covers [g, g + rpo); the seconds of [from, to) covered by the union of
 * those ranges are within the RPO, every other second (also before the
 * first backup anyone saw) is a breach. Backups made before `from` count.
 * Times are unix seconds, ranges half-open. */
#ifndef PANTAU_COLLECTOR_BACKUP_SLA_H
#define PANTAU_COLLECTOR_BACKUP_SLA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* No such time (never made, never tested). */
#define BACKUP_SLA_NONE INT64_MIN

/* backup.status codes the agent sends (agent/backup_check.h). */
enum backup_sla_status {
	BACKUP_SLA_OK = 0,
	BACKUP_SLA_TOO_OLD = 1,
	BACKUP_SLA_TOO_SMALL = 2,
	BACKUP_SLA_TOO_LARGE = 3,
	BACKUP_SLA_FAILED = 6,
};

enum backup_obs_kind { BACKUP_OBS_CHECK, BACKUP_OBS_RUN };

struct backup_obs {
	enum backup_obs_kind kind;
	int64_t ts;	   /* when it was observed: the sample's time, or the run's end */
	int64_t made;	   /* when the backup was made; BACKUP_SLA_NONE if none was found */
	bool ok;	   /* backup.ok = 1, or a run with status ok */
	int status;	   /* checks: backup.status (-1 unknown); runs: ignored */
	int64_t size;	   /* bytes; -1 unknown */
	bool restore_test; /* runs: the run included a restore test */
	uint64_t count;	   /* identical observations this one stands for; 0 means 1 */
};

struct backup_job_limits {
	int64_t rpo;	  /* seconds, > 0 */
	int64_t min_size; /* bytes; -1 = no lower bound */
	int64_t max_size; /* bytes; -1 = no upper bound */
};

struct backup_sla {
	int64_t period;		/* seconds in [from, to) */
	int64_t within_rpo;	/* seconds the newest good backup was younger than the RPO */
	int64_t breach;		/* period - within_rpo */
	int64_t longest_breach; /* the longest run of breach seconds */
	/* within_rpo * 100 / period, 0 for an empty period. */
	double adherence_pct;
	/* Observed in [from, to): checks and runs, and how many were ok. */
	uint64_t checks, checks_ok, runs, runs_ok;
	/* runs_ok / runs when runs were reported, else checks_ok / checks; -1
	 * when there was neither. */
	double success_pct;
	bool success_from_runs;
	int64_t last_good;	   /* newest good backup made before to; BACKUP_SLA_NONE */
	int64_t last_restore_test; /* end of the newest ok run with a restore test before to */
	/* Backups in [from, to) outside the expected size range: checks with
	 * status too_small/too_large (once per backup), and runs whose size is
	 * outside [min_size, max_size]. */
	uint64_t size_breaches;
};

/* Computes the figures of [from, to). 0, -EINVAL (to < from, rpo <= 0, obs
 * NULL with n > 0) or -ENOMEM. Observations may be unsorted. */
int backup_sla_compute(int64_t from, int64_t to, const struct backup_obs *obs, size_t n,
		       const struct backup_job_limits *lim, struct backup_sla *r);

#endif
