/* The rules file: option tables (common/conf.h) per section, then checks
 * the tables cannot express (thresholds that contradict each other, state
 * names nobody defined, groups that do not exist). */
#include "alert_rule.h"
#include "conf.h"
#include "notify_channels.h"

#include <errno.h>
#include <fnmatch.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const type_names[] = {"threshold",	"rate",	      "state",	    "change",
					 "device_down", "agent_down", "redundancy", NULL};
static const char *const severity_names[] = {"info", "warning", "critical", NULL};

const char *alert_severity_name(enum alert_severity s)
{
	return severity_names[s];
}

const char *alert_rule_type_name(enum alert_rule_type t)
{
	return type_names[t];
}

struct top {
	const struct conf_node *settings, *states, *devices, *groups, *rules, *notify;
};

static const struct conf_option top_options[] = {
	{"settings", CONF_T_NODE, offsetof(struct top, settings), false, NULL},
	{"states", CONF_T_NODE, offsetof(struct top, states), false, NULL},
	{"devices", CONF_T_NODE, offsetof(struct top, devices), false, NULL},
	{"groups", CONF_T_NODE, offsetof(struct top, groups), false, NULL},
	{"rules", CONF_T_NODE, offsetof(struct top, rules), true, NULL},
	{"notify", CONF_T_NODE, offsetof(struct top, notify), false, NULL},
};

struct notify_raw {
	const struct conf_node *webhooks;
	const struct conf_node *email, *telegram, *whatsapp; /* notify_channels.c */
};

static const struct conf_option notify_options[] = {
	{"webhooks", CONF_T_NODE, offsetof(struct notify_raw, webhooks), false, NULL},
	{"email", CONF_T_NODE, offsetof(struct notify_raw, email), false, NULL},
	{"telegram", CONF_T_NODE, offsetof(struct notify_raw, telegram), false, NULL},
	{"whatsapp", CONF_T_NODE, offsetof(struct notify_raw, whatsapp), false, NULL},
};

static const char default_body[] =
	"{\"rule\":\"{rule}\",\"device\":\"{device}\",\"state\":\"{state}\","
	"\"severity\":\"{severity}\",\"summary\":\"{summary}\",\"value\":\"{value}\","
	"\"agent\":\"{agent}\",\"labels\":{labels},\"cause\":\"{cause}\",\"at\":\"{at}\"}";

static const struct conf_option webhook_options[] = {
	{"name", CONF_T_STRING, offsetof(struct alert_webhook, name), true, NULL},
	{"url", CONF_T_STRING, offsetof(struct alert_webhook, url), true, NULL},
	{"body", CONF_T_STRING, offsetof(struct alert_webhook, body), false, default_body},
	{"timeout", CONF_T_DURATION, offsetof(struct alert_webhook, timeout_ms), false, "10s", 100,
	 600000},
	{"max_attempts", CONF_T_INT, offsetof(struct alert_webhook, max_attempts), false, "10", 1,
	 1000},
	{"retry_first", CONF_T_DURATION, offsetof(struct alert_webhook, retry_first_ms), false,
	 "2s", 10, 3600000},
	{"retry_max", CONF_T_DURATION, offsetof(struct alert_webhook, retry_max_ms), false, "10m",
	 10, 86400000},
	{"min_severity", CONF_T_ENUM, offsetof(struct alert_webhook, min_severity), false,
	 "warning", 0, 0, severity_names},
	{"resolved", CONF_T_BOOL, offsetof(struct alert_webhook, resolved), false, "true"},
	{"tier", CONF_T_INT, offsetof(struct alert_webhook, tier), false, "1", 1, 2},
};

static const struct conf_option settings_options[] = {
	{"stale_intervals", CONF_T_INT, offsetof(struct alert_settings, stale_intervals), false,
	 "3", 1, 1000},
	{"default_interval", CONF_T_DURATION, offsetof(struct alert_settings, default_interval_ms),
	 false, "60s", 100, 86400000},
	{"agent_grace", CONF_T_DURATION, offsetof(struct alert_settings, agent_grace_ms), false,
	 "60s", 0, 86400000},
	{"agent_silent_intervals", CONF_T_INT,
	 offsetof(struct alert_settings, agent_silent_intervals), false, "5", 1, 1000},
	{"flap_count", CONF_T_INT, offsetof(struct alert_settings, flap_count), false, "5", 0,
	 ALERT_FLAP_MAX},
	{"flap_window", CONF_T_DURATION, offsetof(struct alert_settings, flap_window_ms), false,
	 "1h", 1000, 604800000},
	{"escalate_after", CONF_T_DURATION, offsetof(struct alert_settings, escalate_after_ms),
	 false, "30m", 0, 604800000},
};

/* What a rule mapping holds before conversion. */
struct rule_raw {
	char *name, *summary, *group;
	int type, severity;
	const struct conf_node *metric, *device_kind, *device, *labels, *state, *from;
	double above, below, clear_below, clear_above;
	uint64_t for_ms;
	int64_t stale_intervals;
	bool fails_unit;
};

static const struct conf_option rule_options[] = {
	{"name", CONF_T_STRING, offsetof(struct rule_raw, name), true, NULL},
	{"type", CONF_T_ENUM, offsetof(struct rule_raw, type), false, "threshold", 0, 0,
	 type_names},
	{"severity", CONF_T_ENUM, offsetof(struct rule_raw, severity), false, "warning", 0, 0,
	 severity_names},
	{"summary", CONF_T_STRING, offsetof(struct rule_raw, summary), false,
	 "{device}: {rule} ({value})"},
	{"metric", CONF_T_NODE, offsetof(struct rule_raw, metric), false, NULL},
	{"device_kind", CONF_T_NODE, offsetof(struct rule_raw, device_kind), false, NULL},
	{"device", CONF_T_NODE, offsetof(struct rule_raw, device), false, NULL},
	{"labels", CONF_T_NODE, offsetof(struct rule_raw, labels), false, NULL},
	{"state", CONF_T_NODE, offsetof(struct rule_raw, state), false, NULL},
	{"from", CONF_T_NODE, offsetof(struct rule_raw, from), false, NULL},
	{"above", CONF_T_DOUBLE, offsetof(struct rule_raw, above), false, NULL},
	{"below", CONF_T_DOUBLE, offsetof(struct rule_raw, below), false, NULL},
	{"clear_below", CONF_T_DOUBLE, offsetof(struct rule_raw, clear_below), false, NULL},
	{"clear_above", CONF_T_DOUBLE, offsetof(struct rule_raw, clear_above), false, NULL},
	{"for", CONF_T_DURATION, offsetof(struct rule_raw, for_ms), false, "0s", 0, 604800000},
	{"stale_intervals", CONF_T_INT, offsetof(struct rule_raw, stale_intervals), false, "0", 0,
	 1000},
	{"fails_unit", CONF_T_BOOL, offsetof(struct rule_raw, fails_unit), false, "false"},
	{"group", CONF_T_STRING, offsetof(struct rule_raw, group), false, ""},
};

struct group_raw {
	char *name, *depends_on;
	const struct conf_node *devices;
	int64_t min_up;
};

static const struct conf_option group_options[] = {
	{"name", CONF_T_STRING, offsetof(struct group_raw, name), true, NULL},
	{"devices", CONF_T_NODE, offsetof(struct group_raw, devices), true, NULL},
	{"min_up", CONF_T_INT, offsetof(struct group_raw, min_up), false, "0", 0, 100000},
	{"depends_on", CONF_T_STRING, offsetof(struct group_raw, depends_on), false, ""},
};

static const struct conf_option device_options[] = {
	{"name", CONF_T_STRING, offsetof(struct alert_device, name), true, NULL},
	{"depends_on", CONF_T_STRING, offsetof(struct alert_device, depends_on), false, ""},
};

bool alert_globs_match(char *const *globs, const char *s)
{
	if (!globs || !globs[0])
		return true;
	for (; *globs; globs++)
		if (fnmatch(*globs, s, 0) == 0)
			return true;
	return false;
}

static void free_list(char **l)
{
	for (size_t i = 0; l && l[i]; i++)
		free(l[i]);
	free(l);
}

/* A scalar or a sequence of scalars into a NULL-terminated list (an
 * absent node gives an empty list). */
static int string_list(const struct conf_node *n, const char *what, char ***out, size_t *count,
		       struct perr *err)
{
	size_t k = !n ? 0 : n->kind == CONF_SCALAR ? 1 : n->n;
	if (n && n->kind == CONF_MAP)
		return conf_error(err, n, "%s must be a name or a list of names", what);
	char **l = calloc(k + 1, sizeof(*l));
	if (!l)
		return perr_setc(err, -ENOMEM, "out of memory");
	*out = l;
	for (size_t i = 0; i < k; i++) {
		const struct conf_node *s = n->kind == CONF_SCALAR ? n : n->items[i];
		if (s->kind != CONF_SCALAR || !s->scalar || !s->scalar[0])
			return conf_error(err, s, "%s: each entry must be a non-empty name", what);
		if (!(l[i] = strdup(s->scalar)))
			return perr_setc(err, -ENOMEM, "out of memory");
	}
	if (count)
		*count = k;
	return 0;
}

static int parse_labels(struct alert_rule *r, const struct conf_node *n, struct perr *err)
{
	if (!n)
		return 0;
	if (n->kind != CONF_MAP)
		return conf_error(err, n, "rule %s: labels must be a mapping of key: glob",
				  r->name);
	if (!(r->labels = calloc(n->n ? n->n : 1, sizeof(*r->labels))))
		return perr_setc(err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < n->n; i++) {
		const struct conf_node *v = n->pairs[i].value;
		if (v->kind != CONF_SCALAR || !v->scalar)
			return conf_error(err, v, "rule %s: label %s needs a glob", r->name,
					  n->pairs[i].key);
		r->labels[i].key = strdup(n->pairs[i].key);
		r->labels[i].glob = strdup(v->scalar);
		r->nlabels++;
		if (!r->labels[i].key || !r->labels[i].glob)
			return perr_setc(err, -ENOMEM, "out of memory");
	}
	return 0;
}

/* Thresholds: at least one side; a clear threshold on the safe side of its
 * fire threshold; by default it equals the fire threshold (no hysteresis). */
static int check_thresholds(struct alert_rule *r, const struct conf_node *map,
			    const struct rule_raw *raw, struct perr *err)
{
	r->has_above = conf_get(map, "above") != NULL;
	r->has_below = conf_get(map, "below") != NULL;
	if (!r->has_above && !r->has_below)
		return conf_error(err, map, "rule %s: a %s rule needs 'above' or 'below'", r->name,
				  type_names[r->type]);
	r->above = raw->above;
	r->below = raw->below;
	r->clear_below = conf_get(map, "clear_below") ? raw->clear_below : raw->above;
	r->clear_above = conf_get(map, "clear_above") ? raw->clear_above : raw->below;
	if (conf_get(map, "clear_below") && !r->has_above)
		return conf_error(err, conf_get(map, "clear_below"),
				  "rule %s: clear_below belongs to an 'above' threshold", r->name);
	if (conf_get(map, "clear_above") && !r->has_below)
		return conf_error(err, conf_get(map, "clear_above"),
				  "rule %s: clear_above belongs to a 'below' threshold", r->name);
	if (r->has_above && r->clear_below > r->above)
		return conf_error(err, conf_get(map, "clear_below"),
				  "rule %s: clear_below %g is above the fire threshold %g", r->name,
				  r->clear_below, r->above);
	if (r->has_below && r->clear_above < r->below)
		return conf_error(err, conf_get(map, "clear_above"),
				  "rule %s: clear_above %g is below the fire threshold %g", r->name,
				  r->clear_above, r->below);
	if (r->has_above && r->has_below && r->clear_above >= r->clear_below)
		return conf_error(err, map, "rule %s: the clear band [%g, %g] is empty", r->name,
				  r->clear_above, r->clear_below);
	return 0;
}

/* Every state name must be named for at least one metric of the rule. */
static int known_states(const struct alert_rules *rs, const struct alert_rule *r, char **names,
			const struct conf_node *at, struct perr *err)
{
	for (size_t i = 0; names[i]; i++) {
		bool known = false;
		for (size_t k = 0; k < rs->nstates; k++)
			if (strcmp(rs->states[k].name, names[i]) == 0 &&
			    alert_globs_match(r->metrics, rs->states[k].metric))
				known = true;
		if (!known)
			return conf_error(err, at,
					  "rule %s: no metric of this rule has a state named '%s' "
					  "(name the codes under 'states:')",
					  r->name, names[i]);
	}
	return 0;
}

static int check_states(const struct alert_rules *rs, struct alert_rule *r,
			const struct conf_node *map, const struct conf_node *state,
			struct perr *err)
{
	if (!state)
		return conf_error(err, map, "rule %s: a state rule needs 'state: NAME' (or a list)",
				  r->name);
	int rc = string_list(state, "state", &r->states, NULL, err);
	if (rc == 0)
		rc = known_states(rs, r, r->states, state, err);
	const struct conf_node *from = conf_get(map, "from");
	if (rc == 0 && from && (rc = string_list(from, "from", &r->from, NULL, err)) == 0)
		rc = known_states(rs, r, r->from, from, err);
	return rc;
}

static int check_kind(const struct alert_rules *rs, struct alert_rule *r,
		      const struct conf_node *map, const struct rule_raw *raw, struct perr *err)
{
	bool sample_rule = r->type <= ALERT_CHANGE;
	if (sample_rule && !r->metrics[0])
		return conf_error(err, map, "rule %s: a %s rule needs 'metric'", r->name,
				  type_names[r->type]);
	if (!sample_rule && r->metrics[0])
		return conf_error(err, conf_get(map, "metric"),
				  "rule %s: a %s rule takes no metric", r->name,
				  type_names[r->type]);
	if (r->type == ALERT_THRESHOLD || r->type == ALERT_RATE)
		return check_thresholds(r, map, raw, err);
	if (r->type == ALERT_STATE)
		return check_states(rs, r, map, raw->state, err);
	if (r->type == ALERT_REDUNDANCY) {
		for (size_t g = 0; g < rs->ngroups; g++)
			if (strcmp(rs->groups[g].name, r->group) == 0)
				return 0;
		return conf_error(err, conf_get(map, "group") ? conf_get(map, "group") : map,
				  "rule %s: redundancy needs 'group:' naming a group of the "
				  "groups section ('%s' is none)",
				  r->name, r->group);
	}
	return 0;
}

static int parse_rule(struct alert_rules *rs, struct alert_rule *r, const struct conf_node *map,
		      struct perr *err)
{
	struct rule_raw raw = {0};
	int rc = conf_apply(rule_options, CONF_COUNT(rule_options), map, "rule", &raw, err);
	r->name = raw.name;
	r->summary = raw.summary;
	r->group = raw.group;
	r->line = map->line;
	if (rc < 0)
		return rc;
	r->type = (enum alert_rule_type)raw.type;
	r->severity = (enum alert_severity)raw.severity;
	r->for_ms = raw.for_ms;
	r->stale_intervals = raw.stale_intervals;
	r->fails_unit = raw.fails_unit;
	for (size_t i = 0; i < (size_t)(r - rs->rules); i++)
		if (strcmp(rs->rules[i].name, r->name) == 0)
			return conf_error(err, map, "rule name '%s' is used twice (line %d)",
					  r->name, rs->rules[i].line);
	if ((rc = string_list(raw.metric, "metric", &r->metrics, NULL, err)) < 0 ||
	    (rc = string_list(raw.device_kind, "device_kind", &r->kinds, NULL, err)) < 0 ||
	    (rc = string_list(raw.device, "device", &r->devices, NULL, err)) < 0 ||
	    (rc = parse_labels(r, raw.labels, err)) < 0)
		return rc;
	if (r->type != ALERT_STATE && (raw.state || raw.from))
		return conf_error(err, raw.state ? raw.state : raw.from,
				  "rule %s: '%s' belongs to a state rule", r->name,
				  raw.state ? "state" : "from");
	return check_kind(rs, r, map, &raw, err);
}

/* states: { metric: { code: name, ... }, ... } */
static int parse_states(struct alert_rules *rs, const struct conf_node *n, struct perr *err)
{
	if (!n)
		return 0;
	if (n->kind != CONF_MAP)
		return conf_error(err, n, "states must map metric names to { code: name }");
	size_t total = 0;
	for (size_t i = 0; i < n->n; i++) {
		const struct conf_node *m = n->pairs[i].value;
		if (m->kind != CONF_MAP || m->n == 0)
			return conf_error(err, m,
					  "states.%s must be a mapping such as "
					  "{ 3: normal, 5: battery }",
					  n->pairs[i].key);
		total += m->n;
	}
	if (!(rs->states = calloc(total ? total : 1, sizeof(*rs->states))))
		return perr_setc(err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < n->n; i++) {
		const struct conf_node *m = n->pairs[i].value;
		for (size_t k = 0; k < m->n; k++) {
			struct alert_state_name *s = &rs->states[rs->nstates];
			const struct conf_node *v = m->pairs[k].value;
			struct conf_node at = {.file = n->file, .line = m->pairs[k].line};
			if (conf_parse_int(m->pairs[k].key, &s->code) < 0)
				return conf_error(err, &at,
						  "states.%s: '%s' is not an integer code",
						  n->pairs[i].key, m->pairs[k].key);
			if (v->kind != CONF_SCALAR || !v->scalar || !v->scalar[0])
				return conf_error(err, &at, "states.%s: code %s needs a name",
						  n->pairs[i].key, m->pairs[k].key);
			s->metric = strdup(n->pairs[i].key);
			s->name = strdup(v->scalar);
			rs->nstates++;
			if (!s->metric || !s->name)
				return perr_setc(err, -ENOMEM, "out of memory");
		}
	}
	return 0;
}

static int parse_devices(struct alert_rules *rs, const struct conf_node *n, struct perr *err)
{
	if (!n)
		return 0;
	if (n->kind != CONF_SEQ)
		return conf_error(err, n, "devices must be a list of { name, depends_on }");
	if (!(rs->devices = calloc(n->n ? n->n : 1, sizeof(*rs->devices))))
		return perr_setc(err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < n->n; i++) {
		rs->ndevices++;
		int rc = conf_apply(device_options, CONF_COUNT(device_options), n->items[i],
				    "devices entry", &rs->devices[i], err);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int parse_group(struct alert_group *g, const struct conf_node *map, struct perr *err)
{
	struct group_raw raw = {0};
	int rc = conf_apply(group_options, CONF_COUNT(group_options), map, "groups entry", &raw,
			    err);
	g->name = raw.name;
	g->depends_on = raw.depends_on;
	if (rc < 0)
		return rc;
	if ((rc = string_list(raw.devices, "devices", &g->devices, &g->ndevices, err)) < 0)
		return rc;
	if (g->ndevices == 0)
		return conf_error(err, map, "group %s has no devices", g->name);
	g->min_up = raw.min_up ? raw.min_up : (int64_t)g->ndevices;
	if (g->min_up > (int64_t)g->ndevices)
		return conf_error(err, conf_get(map, "min_up"),
				  "group %s: min_up %lld is more than its %zu devices", g->name,
				  (long long)g->min_up, g->ndevices);
	return 0;
}

static int parse_groups(struct alert_rules *rs, const struct conf_node *n, struct perr *err)
{
	if (!n)
		return 0;
	if (n->kind != CONF_SEQ)
		return conf_error(err, n, "groups must be a list of { name, devices, min_up }");
	if (!(rs->groups = calloc(n->n ? n->n : 1, sizeof(*rs->groups))))
		return perr_setc(err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < n->n; i++) {
		rs->ngroups++;
		int rc = parse_group(&rs->groups[i], n->items[i], err);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int parse_rules(struct alert_rules *rs, const struct conf_node *n, struct perr *err)
{
	if (n->kind != CONF_SEQ || n->n == 0)
		return conf_error(err, n, "rules must be a list of rules");
	if (!(rs->rules = calloc(n->n, sizeof(*rs->rules))))
		return perr_setc(err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < n->n; i++) {
		rs->nrules++;
		if (n->items[i]->kind != CONF_MAP)
			return conf_error(err, n->items[i], "a rule must be a mapping");
		int rc = parse_rule(rs, &rs->rules[i], n->items[i], err);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int parse_webhook(struct alert_webhook *w, const struct conf_node *map, struct perr *err)
{
	int rc = conf_apply(webhook_options, CONF_COUNT(webhook_options), map, "webhook", w, err);
	if (rc < 0)
		return rc;
	if (strncmp(w->url, "http://", 7) != 0 && strncmp(w->url, "https://", 8) != 0)
		return conf_error(err, conf_get(map, "url"),
				  "webhook %s: url must start with http:// or https://", w->name);
	if (w->retry_max_ms < w->retry_first_ms)
		return conf_error(err, conf_get(map, "retry_max"),
				  "webhook %s: retry_max is shorter than retry_first", w->name);
	return 0;
}

static int parse_notify(struct alert_rules *rs, const struct conf_node *n, struct perr *err)
{
	struct notify_raw raw = {0};
	if (!n)
		return 0;
	int rc = conf_apply(notify_options, CONF_COUNT(notify_options), n, "notify", &raw, err);
	if (rc < 0)
		return rc;
	if (!raw.webhooks)
		return notify_channels_parse(rs, raw.email, raw.telegram, raw.whatsapp, err);
	if (raw.webhooks->kind != CONF_SEQ)
		return conf_error(err, raw.webhooks, "notify.webhooks must be a list");
	size_t k = raw.webhooks->n;
	if (!(rs->webhooks = calloc(k ? k : 1, sizeof(*rs->webhooks))))
		return perr_setc(err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < k; i++) {
		rs->nwebhooks++;
		if ((rc = parse_webhook(&rs->webhooks[i], raw.webhooks->items[i], err)) < 0)
			return rc;
		for (size_t j = 0; j < i; j++)
			if (strcmp(rs->webhooks[j].name, rs->webhooks[i].name) == 0)
				return conf_error(err, raw.webhooks->items[i],
						  "webhook name '%s' is used twice",
						  rs->webhooks[i].name);
	}
	return notify_channels_parse(rs, raw.email, raw.telegram, raw.whatsapp, err);
}

/* A dependency chain must end: a -> b -> a would suppress both forever. */
static int check_cycles(const struct alert_rules *rs, struct perr *err)
{
	for (size_t i = 0; i < rs->ndevices; i++) {
		const char *d = rs->devices[i].name;
		size_t steps = 0;
		while ((d = alert_rules_depends_on(rs, d)) != NULL)
			if (++steps > rs->ndevices + rs->ngroups)
				return perr_set(err,
						"[%s:1] devices: '%s' depends on itself through "
						"depends_on",
						rs->file, rs->devices[i].name);
	}
	return 0;
}

static int apply(const struct conf_doc *doc, struct alert_rules *rs, struct perr *err)
{
	struct top top = {0};
	if (!(rs->file = strdup(doc->file)))
		return perr_setc(err, -ENOMEM, "out of memory");
	if (!doc->root)
		return perr_set(err, "[%s:1] the file is empty; it needs a 'rules:' list",
				doc->file);
	int rc = conf_apply(top_options, CONF_COUNT(top_options), doc->root, "the rules file", &top,
			    err);
	if (rc == 0)
		rc = conf_apply(settings_options, CONF_COUNT(settings_options), top.settings,
				"settings", &rs->settings, err);
	if (rc == 0)
		rc = parse_states(rs, top.states, err);
	if (rc == 0)
		rc = parse_devices(rs, top.devices, err);
	if (rc == 0)
		rc = parse_groups(rs, top.groups, err);
	if (rc == 0)
		rc = parse_rules(rs, top.rules, err);
	if (rc == 0)
		rc = check_cycles(rs, err);
	if (rc == 0)
		rc = parse_notify(rs, top.notify, err);
	return rc;
}

int alert_rules_parse(const char *name, const char *text, size_t len, struct alert_rules *rs,
		      struct perr *err)
{
	struct conf_doc doc;
	memset(rs, 0, sizeof(*rs));
	int rc = conf_load_string(name, text, len, &doc, err);
	if (rc < 0)
		return rc;
	rc = apply(&doc, rs, err);
	conf_doc_free(&doc);
	return rc;
}

int alert_rules_load(const char *path, struct alert_rules *rs, struct perr *err)
{
	struct conf_doc doc;
	memset(rs, 0, sizeof(*rs));
	int rc = conf_load_file(path, &doc, err);
	if (rc < 0)
		return rc;
	rc = apply(&doc, rs, err);
	conf_doc_free(&doc);
	return rc;
}

void alert_rules_free(struct alert_rules *rs)
{
	for (size_t i = 0; i < rs->nrules; i++) {
		struct alert_rule *r = &rs->rules[i];
		free(r->name);
		free(r->summary);
		free(r->group);
		free_list(r->metrics);
		free_list(r->kinds);
		free_list(r->devices);
		free_list(r->states);
		free_list(r->from);
		for (size_t k = 0; k < r->nlabels; k++) {
			free(r->labels[k].key);
			free(r->labels[k].glob);
		}
		free(r->labels);
	}
	for (size_t i = 0; i < rs->nstates; i++) {
		free(rs->states[i].metric);
		free(rs->states[i].name);
	}
	for (size_t i = 0; i < rs->ndevices; i++)
		conf_release(device_options, CONF_COUNT(device_options), &rs->devices[i]);
	for (size_t i = 0; i < rs->ngroups; i++) {
		free(rs->groups[i].name);
		free(rs->groups[i].depends_on);
		free_list(rs->groups[i].devices);
	}
	for (size_t i = 0; i < rs->nwebhooks; i++)
		conf_release(webhook_options, CONF_COUNT(webhook_options), &rs->webhooks[i]);
	for (size_t i = 0; i < rs->nwebhooks; i++)
		notify_channel_release(&rs->webhooks[i]);
	free(rs->webhooks);
	free(rs->rules);
	free(rs->states);
	free(rs->devices);
	free(rs->groups);
	free(rs->file);
	memset(rs, 0, sizeof(*rs));
}

int alert_rules_state_code(const struct alert_rules *rs, const char *metric, const char *name,
			   int64_t *code)
{
	for (size_t i = 0; i < rs->nstates; i++)
		if (strcmp(rs->states[i].metric, metric) == 0 &&
		    strcmp(rs->states[i].name, name) == 0) {
			*code = rs->states[i].code;
			return 0;
		}
	return -ENOENT;
}

const char *alert_rules_state_name(const struct alert_rules *rs, const char *metric, int64_t code)
{
	for (size_t i = 0; i < rs->nstates; i++)
		if (rs->states[i].code == code && strcmp(rs->states[i].metric, metric) == 0)
			return rs->states[i].name;
	return NULL;
}

const char *alert_rules_depends_on(const struct alert_rules *rs, const char *device)
{
	for (size_t i = 0; i < rs->ndevices; i++)
		if (strcmp(rs->devices[i].name, device) == 0 && rs->devices[i].depends_on[0])
			return rs->devices[i].depends_on;
	for (size_t g = 0; g < rs->ngroups; g++) {
		if (!rs->groups[g].depends_on[0])
			continue;
		for (size_t k = 0; k < rs->groups[g].ndevices; k++)
			if (strcmp(rs->groups[g].devices[k], device) == 0)
				return rs->groups[g].depends_on;
	}
	return NULL;
}
