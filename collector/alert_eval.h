/* The alert state machine: pure functions over rules, samples, device and
 * agent reachability and the clock the caller passes in. No I/O, no global
 * state: the caller feeds events and takes the resulting state changes.
 *
 * A rule instance is keyed by (rule, device, labels). Each instance has a
 * condition (ok, pending while a `for` runs, active) and a published state,
 * the open alert the NOC sees: none, firing, acknowledged, unknown or
 * suppressed. The published state follows from the condition and context:
 *
 *   - the agent is lost (connection closed past the grace, or silent for
 *     agent_silent_intervals)      -> an open alert turns unknown
 *   - the device, or what it depends on, is down -> suppressed (root cause
 *     named in the change); a new condition is kept suppressed too
 *   - no data for stale_intervals  -> an open alert turns unknown
 *   - otherwise active -> firing (an acknowledged alert stays acknowledged),
 *     and ok -> resolved. Only fresh data showing ok or a device reported up
 *     resolves: silence never does.
 *
 * Times: ts_ms are sample or report times (unix ms, the agent's clock) and
 * drive `for` durations and rates; now_ms is the collector's wall clock and
 * drives staleness and agent loss. */
#ifndef PANTAU_COLLECTOR_ALERT_EVAL_H
#define PANTAU_COLLECTOR_ALERT_EVAL_H

#include "alert_rule.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum alert_state {
	ALERT_NONE, /* no open alert */
	ALERT_FIRING,
	ALERT_ACKED, /* stored as "acknowledged" */
	ALERT_UNKNOWN,
	ALERT_SUPPRESSED,
	ALERT_RESOLVED, /* only as the target of a change */
};

/* "firing", "acknowledged", ...; "none" for ALERT_NONE. */
const char *alert_state_name(enum alert_state s);
/* The state for a stored name; ALERT_NONE if unknown. */
enum alert_state alert_state_parse(const char *s);

/* What a transition tells people: an alert fires once (firing after
 * nothing was sent) and resolves once (only if its firing was sent).
 * unknown, suppressed and acknowledged tell nobody. An instance that fired
 * flap_count times within flap_window is flapping: the firing that starts
 * it is sent (flagged), then nothing until it has not fired for a whole
 * window; if it is resolved then, one resolution is sent (a change with
 * to = ALERT_NONE: a notification only, no state change). */
enum alert_notify {
	ALERT_NOTIFY_NONE,
	ALERT_NOTIFY_FIRE,
	ALERT_NOTIFY_RESOLVE,
	ALERT_NOTIFY_ESCALATE, /* unacknowledged past escalate_after (alert_escalate.c) */
};

/* One transition of one instance, owned by whoever took it. */
struct alert_change {
	const struct alert_rule *rule; /* borrowed from the rules */
	char *rule_name;	       /* owned copy (a restored alert may outlive its rule) */
	char *agent, *device, *labels_json, *summary;
	char *cause; /* suppressed: the device down at the root; unknown: why; else NULL */
	enum alert_state from, to;
	double value;
	bool has_value;
	int64_t ts_ms; /* when the transition happened */
	enum alert_severity severity;
	enum alert_notify notify;
	bool flapping; /* the instance is flapping (see above) */
	bool planned;  /* set by alert_db: raised inside a maintenance window */
	/* Not an alert: agent liveness for availability (evaluate.c). to is
	 * ALERT_UNKNOWN when the agent was lost at ts_ms (cause says how),
	 * ALERT_RESOLVED when it is back; only agent, ts_ms, cause are set. */
	bool liveness;
};

void alert_change_clear(struct alert_change *c);
void alert_changes_free(struct alert_change *c, size_t n);

/* A series as the engine sees it (strings borrowed for the call). */
struct alert_series_in {
	const char *agent, *device, *device_kind, *metric, *unit;
	const char *labels_json; /* canonical {"k":"v",...} */
};

/* An open alert read back from the database at start. */
struct alert_restored {
	const char *rule, *device, *labels_json, *agent;
	enum alert_state state;
	double value;
	int64_t started_ms;
};

struct alert_engine;
struct alert_series; /* the engine's entry for one series, stable while the engine lives */

/* rs is borrowed and must outlive the engine. 0 or -ENOMEM. */
int alert_engine_new(const struct alert_rules *rs, int64_t now_ms, struct alert_engine **out);
void alert_engine_free(struct alert_engine *e);

/* Seeds an open alert before any event, so it is neither fired nor
 * notified again. 0 or -ENOMEM. */
int alert_engine_restore(struct alert_engine *e, const struct alert_restored *a);

/* The engine's entry for a series (created on first sight, with the rules
 * that match it); NULL only on ENOMEM. Cheap to call again. */
struct alert_series *alert_engine_series(struct alert_engine *e, const struct alert_series_in *s);
/* Rules matching this series (0: samples of it cost one lookup). */
size_t alert_series_nrules(const struct alert_series *s);

/* One sample of a series, taken after it was stored. */
void alert_engine_sample(struct alert_engine *e, struct alert_series *s, int64_t ts_ms,
			 double value, int64_t now_ms);

/* The agent reports device up or down. */
void alert_engine_device_state(struct alert_engine *e, const char *agent, const char *device,
			       const char *device_kind, bool up, const char *reason, int64_t ts_ms,
			       int64_t now_ms);

/* A batch from agent was stored; batch_ts_ms is its newest sample time. */
void alert_engine_agent_seen(struct alert_engine *e, const char *agent, int64_t batch_ts_ms,
			     int64_t now_ms);
/* An agent's connection closed (it may come back within the grace). */
void alert_engine_agent_closed(struct alert_engine *e, const char *agent, int64_t now_ms);
/* At start: agent delivered data recently, so it is expected to connect;
 * one that does not within the grace is lost, as if its connection had
 * closed at now_ms. -ENOMEM or 0. */
int alert_engine_agent_expected(struct alert_engine *e, const char *agent, int64_t now_ms);
/* True if the engine judges agent lost (closed past the grace, or silent);
 * *since_ms is when contact ended: the close, or the last message. */
bool alert_engine_agent_lost(const struct alert_engine *e, const char *agent, int64_t *since_ms);

/* Time passes: staleness, agent loss, restored alerts nobody claimed. */
void alert_engine_tick(struct alert_engine *e, int64_t now_ms);

/* Hands over the changes since the last call (caller frees with
 * alert_changes_free); returns how many. */
size_t alert_engine_take(struct alert_engine *e, struct alert_change **out);

/* Rule evaluations done so far (one rule on one sample). */
uint64_t alert_engine_evaluations(const struct alert_engine *e);

/* Renders a summary template into out: {device} {value} {unit} {metric}
 * {rule} {agent} {severity} {label.KEY}; unknown placeholders stay as
 * written. Pure; used by the engine and its tests. */
void alert_render_summary(const char *tmpl, const struct alert_rule *r, const char *agent,
			  const char *device, const char *metric, const char *unit,
			  const char *labels_json, const char *value_text, char *out, size_t size);

#endif
