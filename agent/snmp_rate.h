/* Rates derived from counters (interface bits, packets and errors per
 * second): the profile's `rates:` rules, the per-device memory of the last
 * reading of each counter, and the arithmetic that turns two readings into a
 * rate. A counter that went backwards is told apart:
 *
 *   - the device restarted (sysUpTime went backwards, or advanced by less
 *     than the wall time since the last poll): no rate for that interval;
 *   - the interface's counters were reset (its ifCounterDiscontinuityTime,
 *     or the rule's `discontinuity` column, changed): no rate;
 *   - a Counter32 wrapped: the rate counts the wrap (new + 2^32 - old);
 *   - a Counter64 (or a number of unknown width) went backwards: a reset, no
 *     rate. A 64-bit counter cannot wrap within any polling interval (2^64
 *     octets at 100 Gbit/s is 46 years).
 *
 * A reboot or reset therefore never produces a spike. The arithmetic is pure
 * (snmp_rate_compute) and table-tested; the state is a small hash table. */
#ifndef PANTAU_SNMP_RATE_H
#define PANTAU_SNMP_RATE_H

#include "conf.h"
#include "perr.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct snmp_profile;
struct snmp_profile_object;

/* One reading of a counter. */
struct snmp_rate_reading {
	double raw;	    /* the counter's value */
	unsigned bits;	    /* 32 (Counter32), 64 (Counter64), 0 (another type) */
	uint64_t t_ms;	    /* monotonic time of the poll */
	bool has_uptime;    /* uptime_cs is known */
	uint32_t uptime_cs; /* sysUpTime of the same poll, hundredths of a second */
	bool has_disc;	    /* disc is known */
	double disc;	    /* the counter's discontinuity marker (TimeTicks) */
};

enum snmp_rate_verdict {
	SNMP_RATE_OK,		   /* a rate: the counter grew */
	SNMP_RATE_WRAPPED,	   /* a rate: a Counter32 wrapped once */
	SNMP_RATE_FIRST,	   /* no earlier reading */
	SNMP_RATE_NO_TIME,	   /* no time passed between the readings */
	SNMP_RATE_REBOOT,	   /* the device restarted in between */
	SNMP_RATE_DISCONTINUITY,   /* the counter's discontinuity marker changed */
	SNMP_RATE_RESET,	   /* a counter that cannot wrap went backwards */
};

/* The rate per second from prev to cur (prev NULL: the first reading).
 * *per_second is set for SNMP_RATE_OK and SNMP_RATE_WRAPPED only. */
enum snmp_rate_verdict snmp_rate_compute(const struct snmp_rate_reading *prev,
					 const struct snmp_rate_reading *cur, double *per_second);

/* Name of a verdict for logs and tests ("reboot", ...). */
const char *snmp_rate_verdict_name(enum snmp_rate_verdict v);

/* The last reading of every counter of one device, keyed by text (the rate
 * metric and the counter's OID). */
struct snmp_rate_entry;
struct snmp_rate_state {
	struct snmp_rate_entry **slots;
	size_t nslots, n;
};

void snmp_rate_state_init(struct snmp_rate_state *s);
void snmp_rate_state_free(struct snmp_rate_state *s);

/* Records cur under key and computes the rate from the reading before it.
 * Returns the verdict, or -ENOMEM (the reading is then lost, not the state). */
int snmp_rate_feed(struct snmp_rate_state *s, const char *key, const struct snmp_rate_reading *cur,
		   double *per_second);

/* Forgets counters not read for max_age_ms (an interface that went away). */
void snmp_rate_sweep(struct snmp_rate_state *s, uint64_t now_ms, uint64_t max_age_ms);

/* What one poll knows for the rates of its counters. */
struct snmp_rate_poll {
	struct snmp_rate_state *state; /* NULL: no rates */
	uint64_t now_ms;
	bool has_uptime;
	uint32_t uptime_cs;
};

/* A profile's `rates:` rule: the counter metric `from` also yields the
 * gauge `metric` = delta(from) / seconds x scale. */
struct snmp_rate_rule {
	char *from;
	char *discontinuity; /* metric of the same table row, or NULL */
	struct snmp_profile_object *obj; /* the derived metric (name, unit, scale) */
};

/* Parses the profile's `rates:` list (n may be NULL) into p->rates and
 * points each counter metric it names at its rule. Call after the profile's
 * scalars and tables are parsed. 0 or -EINVAL/-ENOMEM with "[file:line] ...". */
int snmp_rate_parse_rules(const struct conf_node *n, struct snmp_profile *p, struct perr *err);

void snmp_rate_free_rules(struct snmp_profile *p);

struct label;
struct snmp_sink;
struct snmp_table_walk;
struct snmp_table_cell;

/* After the counter o of a table row (cell of walk w) was emitted: feeds it
 * to w->rates and emits the rule's rate with the same OID and labels when
 * there is one. Returns the samples emitted (0 or 1). */
size_t snmp_rate_emit_cell(const struct snmp_table_walk *w, const struct snmp_table_cell *cell,
			   const struct snmp_profile_object *o, const char *oid_text,
			   const struct label *labels, size_t nlabels, const struct snmp_sink *sink);

/* The same for a scalar counter of ASN type type. */
size_t snmp_rate_emit_scalar(const struct snmp_rate_poll *p, const struct snmp_profile_object *o,
			     double raw, unsigned char type, const char *oid_text,
			     const struct snmp_sink *sink);

#endif
