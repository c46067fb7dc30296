/* SLA arithmetic: pure functions over state intervals, exact to the second.
 * No I/O and no global state; `pantauctl report` feeds them what it read
 * from PostgreSQL and a benchmark feeds them synthetic years.
 *
 * Times are unix seconds; every range is half-open [start, end). Input
 * intervals may be unsorted, overlap and reach outside the period. At each
 * second of the period the state is resolved from every interval covering
 * it: down beats unknown beats up (an outage is never hidden by a report
 * that says up), and a second nothing covers (a gap) is unknown. A down
 * second is planned when a covering down interval is marked planned or a
 * maintenance window covers it; otherwise it is unplanned.
 *
 * Availability uses the whole period as the denominator (USER-ASKS #14):
 * planned downtime and unknown time are reported separately and never
 * removed from it. The figure that leaves planned downtime out is computed
 * too, but only under its own label. */
#ifndef PANTAU_COLLECTOR_SLA_H
#define PANTAU_COLLECTOR_SLA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum sla_state { SLA_UNKNOWN = 0, SLA_UP = 1, SLA_DOWN = 2 };

/* Tier II (Uptime Institute, TIA-942 Rated-2, SNI 8799 Strata II): 99.741%,
 * in parts per million of the period. */
#define SLA_TARGET_TIER2_PPM 997410

/* The longest period sla_compute accepts (about 31,700 years), so its
 * integer arithmetic cannot overflow. */
#define SLA_MAX_PERIOD INT64_C(1000000000000)

/* "up", "down", "unknown". */
const char *sla_state_name(enum sla_state s);
/* 0 and *out set, or -EINVAL for any other name. */
int sla_state_parse(const char *name, enum sla_state *out);

struct sla_interval {
	int64_t start, end; /* [start, end); end <= start is ignored */
	enum sla_state state;
	bool planned;	   /* down on purpose (maintenance); ignored unless down */
	const char *cause; /* borrowed; NULL or "" when none is known */
};

/* A maintenance window: down time inside it is planned. */
struct sla_window {
	int64_t start, end;
	const char *cause; /* borrowed; names the work, used for outages without a cause */
};

/* One outage: a maximal run of down seconds with one planned flag. Down
 * intervals that touch or overlap are merged; a run that leaves a
 * maintenance window is split where the planned part ends. */
struct sla_outage {
	int64_t start, end;
	bool planned;
	const char *cause; /* borrowed from the inputs: the earliest covering down
			    * interval with a cause, else the window's; NULL if none */
};

struct sla_result {
	int64_t period;					   /* seconds in [from, to) */
	int64_t up, down_planned, down_unplanned, unknown; /* they sum to period */
	/* up / period, in percent; 0 for an empty period. */
	double availability;
	/* up / (period - down_planned): NOT the SLA figure, reported only with
	 * its label. 0 when nothing is left. */
	double availability_excl_planned;
	uint32_t target_ppm; /* the target it was compared with */
	bool target_met;     /* up * 10^6 >= target_ppm * period, in integers */
	/* Down seconds the target still allows in this period (negative when
	 * already exceeded): floor(period * (10^6 - target_ppm) / 10^6) minus
	 * all down and unknown seconds. */
	int64_t budget_left;
	struct sla_outage *outages; /* owned; free with sla_result_free */
	size_t noutages;
};

/* Computes the result for [from, to). Windows may be NULL/0. target_ppm 0
 * means SLA_TARGET_TIER2_PPM. Returns 0, -EINVAL (to < from, a period over
 * SLA_MAX_PERIOD, a target above 10^6) or -ENOMEM; on error *r holds nothing to free. */
int sla_compute(int64_t from, int64_t to, const struct sla_interval *iv, size_t n,
		const struct sla_window *win, size_t nwin, uint32_t target_ppm,
		struct sla_result *r);
void sla_result_free(struct sla_result *r);

/* One resolved piece of a timeline: no overlaps, no gaps. */
struct sla_segment {
	int64_t start, end;
	enum sla_state state;
	bool planned;
};

/* Resolves intervals (and windows) into segments that cover [from, to)
 * exactly, in time order, neighbours with equal state and planned flag
 * merged. *out is malloc'ed (free()); 0, -EINVAL or -ENOMEM. */
int sla_timeline(int64_t from, int64_t to, const struct sla_interval *iv, size_t n,
		 const struct sla_window *win, size_t nwin, struct sla_segment **out, size_t *nout);

/* A redundancy group (UPS modules, cooling units, gensets): the members'
 * intervals and the number of working units the load needs (N). */
struct sla_member {
	const struct sla_interval *iv;
	size_t n;
};

struct sla_redundancy {
	int64_t period;
	int64_t above; /* at least N+1 members up: redundant */
	int64_t at_n;  /* exactly N up: working, no redundancy left */
	int64_t below; /* fewer than N up: the load is not covered */
	/* Members in unknown state make the level undecidable: the seconds
	 * where counting them as up or as down gives different answers. */
	int64_t unknown;
};

/* Seconds of [from, to) the group spent at each level. required >= 1.
 * 0, -EINVAL or -ENOMEM. */
int sla_redundancy(int64_t from, int64_t to, const struct sla_member *m, size_t nmembers,
		   unsigned required, struct sla_redundancy *r);

/* Calendar periods in a fixed-offset time zone (Indonesia has no DST:
 * WIB UTC+7, WITA UTC+8, WIT UTC+9). */
#define SLA_TZ_JAKARTA (7 * 3600)

/* Offset in seconds east of UTC for "Asia/Jakarta" (and the other
 * Indonesian zones), "WIB"/"WITA"/"WIT", "UTC", or "+07:00"/"-05:30".
 * 0 or -EINVAL. */
int sla_tz_offset(const char *name, int32_t *offset);

enum sla_period_kind { SLA_MONTH, SLA_QUARTER, SLA_YEAR };

/* [from, to) of the index-th month (1-12) or quarter (1-4) of year (index
 * ignored for years), local midnight in the zone. 0 or -EINVAL. */
int sla_period(enum sla_period_kind kind, int year, int index, int32_t tz_offset, int64_t *from,
	       int64_t *to);

/* Parses "2024" (year), "2024-Q2" (quarter) or "2024-03" (month) into its
 * range in the zone. 0 or -EINVAL. */
int sla_period_parse(const char *spec, int32_t tz_offset, int64_t *from, int64_t *to);

/* Parses a time: "YYYY-MM-DD" (local midnight), "YYYY-MM-DDTHH:MM[:SS]"
 * (local; a space works as the T), each optionally followed by "Z" or
 * "+HH:MM"/"-HH:MM" which overrides the zone. 0 or -EINVAL. */
int sla_time_parse(const char *s, int32_t tz_offset, int64_t *t);

/* Formats t in the zone as "YYYY-MM-DDTHH:MM:SS+07:00" (ISO 8601). Returns
 * the length, or -ENOSPC if it does not fit. */
int sla_time_format(int64_t t, int32_t tz_offset, char *out, size_t size);

/* Days since 1970-01-01 of a proleptic Gregorian date, and back. */
int64_t sla_days_from_civil(int y, unsigned m, unsigned d);
void sla_civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d);

#endif
