/* Alert rules: the rules file (YAML) turned into plain structs. Parsing is
 * kept apart from evaluation (alert_eval.h): after alert_rules_load nothing
 * looks at YAML again. Every error reads "[file:line] what is wrong".
 *
 * The file has six top-level sections, all optional except rules:
 *
 *   settings: { stale_intervals: 3, default_interval: 60s, agent_grace: 60s,
 *               agent_silent_intervals: 5, flap_count: 5, flap_window: 1h,
 *               escalate_after: 30m }
 *   states:   { ups.output.source: { 3: normal, 5: battery }, ... }
 *   devices:  [ { name: ups-a, depends_on: switch-core-1 }, ... ]
 *   groups:   [ { name: crac-room1, devices: [crac-1, crac-2, crac-3],
 *                 min_up: 3, depends_on: switch-core-1 }, ... ]
 *   rules:    [ { name: ..., type: threshold|state|change|rate|device_down|
 *                 agent_down|redundancy, ... }, ... ]
 *   notify:   { webhooks: [ { name, url, body, timeout, max_attempts,
 *                             retry_first, retry_max, min_severity, resolved,
 *                             tier } ] }
 *
 * The wire carries a state series' integer code, not its name; `states`
 * names the codes per metric (copied from the agent profiles) so that a
 * rule can say `state: battery`. */
#ifndef PANTAU_COLLECTOR_ALERT_RULE_H
#define PANTAU_COLLECTOR_ALERT_RULE_H

#include "perr.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum alert_rule_type {
	ALERT_THRESHOLD,   /* above / below with clear thresholds */
	ALERT_RATE,	   /* the same on the per-second change of the value */
	ALERT_STATE,	   /* the state code is one of the named states */
	ALERT_CHANGE,	   /* the state changed (fires once, resolves when stable) */
	ALERT_DEVICE_DOWN, /* the agent reports the device unreachable */
	ALERT_AGENT_DOWN,  /* the collector stopped hearing from an agent */
	ALERT_REDUNDANCY,  /* fewer than min_up units of a group are working */
};

enum alert_severity { ALERT_INFO, ALERT_WARNING, ALERT_CRITICAL };

enum { ALERT_FLAP_MAX = 20 }; /* largest settings.flap_count */

/* One label matcher: the series must have a label whose key matches the
 * key glob (usually a plain name) and whose value matches the value glob,
 * ignoring case (label values are names people typed into devices). */
struct alert_matcher {
	char *key, *glob;
};

struct alert_rule {
	char *name;
	enum alert_rule_type type;
	enum alert_severity severity;
	char *summary;	/* template: {device} {value} {metric} {rule} {agent} {label.K} */
	char **metrics; /* globs; NULL-terminated; empty = none (event rules) */
	char **kinds;	/* device_kind globs; NULL-terminated; empty = any */
	char **devices; /* device name globs; NULL-terminated; empty = any */
	struct alert_matcher *labels;
	size_t nlabels;
	/* threshold and rate */
	bool has_above, has_below;
	double above, below;		 /* fires when value > above or < below */
	double clear_below, clear_above; /* clears when value < clear_below and > clear_above */
	/* state */
	char **states; /* state names, NULL-terminated */
	char **from;   /* state: fire only on entering states from one of these (NULL: any) */
	uint64_t for_ms;
	int64_t stale_intervals; /* 0 = settings.stale_intervals */
	bool fails_unit;	 /* a firing instance makes its device a failed group unit */
	char *group;		 /* redundancy: the group's name */
	int line;		 /* where the rule starts, for messages */
};

/* A state name of a metric: code -> name. */
struct alert_state_name {
	char *metric, *name;
	int64_t code;
};

struct alert_device {
	char *name;
	char *depends_on; /* "" = none */
};

struct alert_group {
	char *name;
	char **devices; /* NULL-terminated */
	size_t ndevices;
	int64_t min_up;
	char *depends_on;
};

/* notify.webhooks[]: where transitions are POSTed (collector/notify.h). */
struct alert_webhook {
	char *name, *url;
	char *body;			       /* JSON template; placeholders are JSON-escaped */
	uint64_t timeout_ms;		       /* one attempt */
	int64_t max_attempts;		       /* then the delivery is logged failed */
	uint64_t retry_first_ms, retry_max_ms; /* exponential backoff between attempts */
	int min_severity; /* enum alert_severity: quieter alerts are not sent */
	bool resolved;	  /* also send resolutions */
	int64_t tier;	  /* 1: fire and resolve; 2: escalations (PK 43 Tier 2) */
	/* The channel kind and its own settings (collector/notify_channels.c):
	 * notify.email, notify.telegram and notify.whatsapp share the fields
	 * above (url: smtp(s):// server, Telegram API base, gateway URL; body:
	 * the text template for e-mail and Telegram). */
	int kind;	   /* enum notify_kind; 0 = webhook */
	char *mail_from;   /* email: envelope and From: address */
	char *mail_to;	   /* email: recipients, comma-separated; whatsapp: the number */
	char *subject;	   /* email: subject template */
	char *username;	   /* email: SMTP AUTH user ("" = none) */
	char *password;	   /* email: SMTP AUTH password; never logged */
	bool starttls;	   /* email: require STARTTLS on smtp:// */
	char *bot_token;   /* telegram: never logged */
	char *chat_id;	   /* telegram */
	char *auth_token;  /* whatsapp: sent as Authorization: Bearer ("" = none) */
};

struct alert_settings {
	int64_t stale_intervals;      /* instance unknown after this many intervals without data */
	uint64_t default_interval_ms; /* until two samples show a series' interval */
	uint64_t agent_grace_ms;      /* connection closed this long, no reconnect: agent down */
	int64_t agent_silent_intervals; /* or no batch for this many of its intervals */
	int64_t flap_count; /* fired this often within flap_window: flapping (0 = off) */
	uint64_t flap_window_ms;
	uint64_t escalate_after_ms; /* unacknowledged this long: escalated to Tier 2 (0 = never) */
};

struct alert_rules {
	char *file;
	struct alert_settings settings;
	struct alert_rule *rules;
	size_t nrules;
	struct alert_state_name *states;
	size_t nstates;
	struct alert_device *devices;
	size_t ndevices;
	struct alert_group *groups;
	size_t ngroups;
	struct alert_webhook *webhooks;
	size_t nwebhooks;
};

/* Reads and checks a rules file. 0 or -errno with "[file:line] ..." in err.
 * Free with alert_rules_free (also after an error). */
int alert_rules_load(const char *path, struct alert_rules *rs, struct perr *err);
/* The same from text; name stands for the file in messages. */
int alert_rules_parse(const char *name, const char *text, size_t len, struct alert_rules *rs,
		      struct perr *err);
void alert_rules_free(struct alert_rules *rs);

/* The code of state name for metric; 0 and *code, or -ENOENT. */
int alert_rules_state_code(const struct alert_rules *rs, const char *metric, const char *name,
			   int64_t *code);
/* The name of code for metric, borrowed; NULL if unnamed. */
const char *alert_rules_state_name(const struct alert_rules *rs, const char *metric, int64_t code);
/* What name depends on (device entry, else its group's); NULL if nothing. */
const char *alert_rules_depends_on(const struct alert_rules *rs, const char *device);

/* True if s matches one of the NULL-terminated globs (an empty list: any). */
bool alert_globs_match(char *const *globs, const char *s);

const char *alert_severity_name(enum alert_severity s);
const char *alert_rule_type_name(enum alert_rule_type t);

#endif
