/* Internals of the alert engine shared by alert_eval.c (instances,
 * publishing, samples) and alert_reach.c (device and agent reachability,
 * groups, time, restore). Not for other modules: see alert_eval.h. */
#ifndef PANTAU_COLLECTOR_ALERT_ENGINE_H
#define PANTAU_COLLECTOR_ALERT_ENGINE_H

#include "alert_eval.h"
#include "alert_map.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum cond { C_OK, C_PENDING, C_ACTIVE };
enum { MAX_DEPTH = 16, MIN_INTERVAL_MS = 100, MIN_AGENT_INTERVAL_MS = 1000 };

struct adevice {
	char *name, *agent, *kind, *reason;
	bool down;
	int64_t down_ts;
	struct ainst **insts; /* every instance on this device */
	size_t ninsts, cap;
};

struct aagent {
	char *id;
	bool connected, lost;
	int64_t last_seen_ms, closed_ms, last_batch_ts, interval_ms;
};

struct ainst {
	const struct alert_rule *rule; /* NULL: a restored alert whose rule is gone */
	char *rule_name, *agent, *device, *labels_json;
	struct alert_series *series; /* sample rules; NULL until the series shows up */
	struct adevice *dev;
	enum cond cond;
	int64_t pending_since, changed_ts, prev_ts;
	double value, prev;
	bool has_value, has_prev;
	int64_t *codes; /* state rules: the codes of the named states for this metric */
	size_t ncodes;
	int64_t *from; /* state rules with from: the codes it must come from */
	size_t nfrom;
	enum alert_state pub;
	bool notified; /* its firing was sent: its resolution will be */
	bool flapping;
	int64_t fires[ALERT_FLAP_MAX]; /* collector times of its last firings, a ring */
	unsigned nfires;	       /* firings recorded in total */
	char value_text[96];
};

struct alert_series {
	char *agent, *device, *kind, *metric, *unit, *labels_json;
	struct adevice *dev;
	struct ainst **insts;
	size_t ninsts;
	int64_t last_ts, last_seen_ms, interval_ms;
	bool stale;
};

struct alert_engine {
	const struct alert_rules *rs;
	struct alert_map series, devices, agents, restored;
	struct alert_series **all_series;
	size_t nseries, cap_series;
	struct ainst **insts;
	size_t ninsts, cap_insts;
	struct alert_change *changes;
	size_t nchanges, cap_changes;
	uint64_t evals;
	int64_t start_ms, now_ms;
	bool groups_dirty;
};

/* Appends p to the vector (*v, *n, *cap). 0 or -ENOMEM. */
int alert_eng_push(void ***v, size_t *n, size_t *cap, void *p);
/* strdup of s, "" for NULL. */
char *alert_eng_dup(const char *s);
/* Moving average of an interval, never below floor_ms. */
int64_t alert_eng_ewma(int64_t old, int64_t delta, int64_t floor_ms);
/* Records a change of in to `to` (and sets its published state; to =
 * ALERT_NONE records a notification only). The change, or NULL on ENOMEM. */
struct alert_change *alert_eng_emit(struct alert_engine *e, struct ainst *in, enum alert_state to,
				    const char *cause, int64_t ts_ms);
/* Derives in's published state from its condition and context; records a
 * change if it differs. */
void alert_eng_publish(struct alert_engine *e, struct ainst *in, int64_t ts_ms);
void alert_eng_publish_all(struct alert_engine *e, int64_t ts_ms);
struct adevice *alert_eng_device(struct alert_engine *e, const char *name);
struct adevice *alert_eng_device_ensure(struct alert_engine *e, const char *agent, const char *name,
					const char *kind);
/* Creates the device_down instances of d that do not exist yet. */
void alert_eng_device_down_insts(struct alert_engine *e, struct adevice *d);
struct aagent *alert_eng_agent_ensure(struct alert_engine *e, const char *id, int64_t now_ms);
struct ainst *alert_eng_inst_new(struct alert_engine *e, const struct alert_rule *r,
				 const char *rule_name, const char *agent, const char *device,
				 const char *labels_json);
void alert_eng_inst_free(struct ainst *in);
/* rule \0 device \0 labels into out; its length or -1 if it does not fit. */
int alert_eng_restored_key(const char *rule, const char *device, const char *labels, char *out,
			   size_t size);
/* Ends flapping of instances that have not fired for a whole window. */
void alert_eng_check_flapping(struct alert_engine *e, int64_t now_ms);
/* Re-judges redundancy groups when a unit may have changed. */
void alert_eng_update_groups(struct alert_engine *e, int64_t ts_ms);

#endif
