/* The alert state machine (see alert_eval.h): instances, conditions and
 * publishing. Conditions are evaluated per instance as samples arrive;
 * alert_eng_publish then derives the state the NOC sees from the condition
 * and the context (agent lost, device or dependency down, stale data) and
 * records a change when it differs. Reachability, groups, time and restore
 * are in alert_reach.c. */
#include "alert_engine.h"
#include "alert_text.h"

#include <errno.h>
#include <fnmatch.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- small containers ---- */

int alert_eng_push(void ***v, size_t *n, size_t *cap, void *p)
{
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 8;
		void **nv = realloc(*v, c * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		*v = nv;
		*cap = c;
	}
	(*v)[(*n)++] = p;
	return 0;
}

char *alert_eng_dup(const char *s)
{
	return strdup(s ? s : "");
}

int64_t alert_eng_ewma(int64_t old, int64_t delta, int64_t floor_ms)
{
	int64_t v = old ? (3 * old + delta) / 4 : delta;
	return v < floor_ms ? floor_ms : v;
}

/* ---- changes ---- */

void alert_change_clear(struct alert_change *c)
{
	free(c->rule_name);
	free(c->agent);
	free(c->device);
	free(c->labels_json);
	free(c->summary);
	free(c->cause);
	memset(c, 0, sizeof(*c));
}

void alert_changes_free(struct alert_change *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		alert_change_clear(&c[i]);
	free(c);
}

size_t alert_engine_take(struct alert_engine *e, struct alert_change **out)
{
	size_t n = e->nchanges;
	*out = e->changes;
	e->changes = NULL;
	e->nchanges = e->cap_changes = 0;
	return n;
}

uint64_t alert_engine_evaluations(const struct alert_engine *e)
{
	return e->evals;
}

static void fill_value_text(struct alert_engine *e, struct ainst *in)
{
	const struct alert_rule *r = in->rule;
	if (!r || !in->has_value || r->type == ALERT_DEVICE_DOWN || r->type == ALERT_AGENT_DOWN ||
	    r->type == ALERT_REDUNDANCY)
		return; /* set by their events */
	const char *name = NULL;
	if (in->series && (r->type == ALERT_STATE || r->type == ALERT_CHANGE))
		name = alert_rules_state_name(e->rs, in->series->metric, (int64_t)in->value);
	if (name)
		snprintf(in->value_text, sizeof(in->value_text), "%s", name);
	else
		snprintf(in->value_text, sizeof(in->value_text), "%.6g", in->value);
}

/* Records a firing; true if the instance fired flap_count times within
 * the window (now included). */
static bool flaps(struct alert_engine *e, struct ainst *in)
{
	const struct alert_settings *st = &e->rs->settings;
	if (st->flap_count <= 0)
		return false;
	in->fires[in->nfires++ % ALERT_FLAP_MAX] = e->now_ms;
	if (in->nfires < (unsigned)st->flap_count)
		return false;
	int64_t oldest = in->fires[(in->nfires - (unsigned)st->flap_count) % ALERT_FLAP_MAX];
	return e->now_ms - oldest <= (int64_t)st->flap_window_ms;
}

/* Fire once, resolve once; quiet while flapping (see alert_eval.h). */
static void decide_notify(struct alert_engine *e, struct ainst *in, struct alert_change *c,
			  enum alert_state to)
{
	if (to == ALERT_FIRING && in->pub == ALERT_NONE && flaps(e, in) && !in->flapping) {
		in->flapping = true;
		c->flapping = true;
		if (!in->notified) {
			c->notify = ALERT_NOTIFY_FIRE;
			in->notified = true;
		}
		return;
	}
	c->flapping = in->flapping;
	if (in->flapping)
		return;
	if (to == ALERT_FIRING && !in->notified) {
		c->notify = ALERT_NOTIFY_FIRE;
		in->notified = true;
	} else if (to == ALERT_RESOLVED && in->notified) {
		c->notify = ALERT_NOTIFY_RESOLVE;
		in->notified = false;
	}
}

struct alert_change *alert_eng_emit(struct alert_engine *e, struct ainst *in, enum alert_state to,
				    const char *cause, int64_t ts_ms)
{
	if (e->nchanges == e->cap_changes) {
		size_t c = e->cap_changes ? e->cap_changes * 2 : 16;
		struct alert_change *nc = realloc(e->changes, c * sizeof(*nc));
		if (!nc)
			return NULL; /* out of memory: the next event tries again (pub unchanged) */
		e->changes = nc;
		e->cap_changes = c;
	}
	struct alert_change *c = &e->changes[e->nchanges];
	char summary[512];
	memset(c, 0, sizeof(*c));
	fill_value_text(e, in);
	const struct alert_series *s = in->series;
	if (in->rule && to == ALERT_RESOLVED)
		alert_render_summary("{device}: {rule} resolved ({value})", in->rule, in->agent,
				     in->device, s ? s->metric : "", s ? s->unit : "",
				     in->labels_json, in->value_text, summary, sizeof(summary));
	else if (in->rule && to == ALERT_NONE)
		alert_render_summary("{device}: {rule} stopped flapping; resolved ({value})",
				     in->rule, in->agent, in->device, s ? s->metric : "",
				     s ? s->unit : "", in->labels_json, in->value_text, summary,
				     sizeof(summary));
	else if (in->rule)
		alert_render_summary(in->rule->summary, in->rule, in->agent, in->device,
				     s ? s->metric : "", s ? s->unit : "", in->labels_json,
				     in->value_text, summary, sizeof(summary));
	else
		snprintf(summary, sizeof(summary), "%s: rule %s is no longer in the rules file",
			 in->device, in->rule_name);
	c->rule = in->rule;
	c->rule_name = alert_eng_dup(in->rule_name);
	c->agent = alert_eng_dup(in->agent);
	c->device = alert_eng_dup(in->device);
	c->labels_json = alert_eng_dup(in->labels_json);
	c->summary = alert_eng_dup(summary);
	c->cause = cause ? strdup(cause) : NULL;
	c->from = in->pub;
	c->to = to;
	c->value = in->value;
	c->has_value = in->has_value;
	c->ts_ms = ts_ms;
	c->severity = in->rule ? in->rule->severity : ALERT_INFO;
	if (!c->rule_name || !c->agent || !c->device || !c->labels_json || !c->summary) {
		alert_change_clear(c);
		return NULL;
	}
	decide_notify(e, in, c, to);
	e->nchanges++;
	if (to == ALERT_NONE)
		return c; /* a notification only */
	in->pub = to == ALERT_RESOLVED ? ALERT_NONE : to;
	if (in->rule && in->rule->fails_unit)
		e->groups_dirty = true;
	return c;
}

/* ---- context ---- */

struct adevice *alert_eng_device(struct alert_engine *e, const char *name)
{
	return alert_map_get(&e->devices, name, strlen(name));
}

static bool agent_lost(struct alert_engine *e, const char *agent)
{
	struct aagent *a =
		agent && agent[0] ? alert_map_get(&e->agents, agent, strlen(agent)) : NULL;
	return a && a->lost;
}

/* True if in's series has a sample taken at or after its device was
 * reported down: that poll failed, yet this value is real (a backup job's
 * poll reads its files and then reports the backup not good). */
static bool fresh_since_down(const struct ainst *in)
{
	return in->series && in->series->last_ts && in->series->last_ts >= in->dev->down_ts;
}

/* The farthest device down on the way from in's device through
 * depends_on; NULL if none is down. The device itself counts except for
 * its own device_down rule and for series with a value as fresh as the
 * down report. */
static const char *down_root(struct alert_engine *e, const struct ainst *in)
{
	const char *root = NULL;
	if (in->dev && in->dev->down && in->rule && in->rule->type != ALERT_DEVICE_DOWN &&
	    !fresh_since_down(in))
		root = in->dev->name;
	const char *d = in->device;
	for (int depth = 0; depth < MAX_DEPTH && (d = alert_rules_depends_on(e->rs, d)); depth++) {
		struct adevice *dd = alert_eng_device(e, d);
		if (dd && dd->down)
			root = dd->name;
	}
	return root;
}

static bool inst_stale(struct alert_engine *e, const struct ainst *in)
{
	if (in->series)
		return in->series->stale;
	int64_t n = e->rs->settings.stale_intervals;
	return e->now_ms - e->start_ms > n * (int64_t)e->rs->settings.default_interval_ms;
}

static enum alert_state desired(struct alert_engine *e, struct ainst *in, char *cause, size_t csize)
{
	bool open = in->pub != ALERT_NONE;
	bool active = in->cond == C_ACTIVE;
	if (!in->rule)
		return ALERT_NONE;
	if (in->rule->type == ALERT_AGENT_DOWN || in->rule->type == ALERT_REDUNDANCY)
		return active ? ALERT_FIRING : ALERT_NONE;
	if (agent_lost(e, in->agent)) {
		snprintf(cause, csize, "agent %s not heard from", in->agent);
		return open ? ALERT_UNKNOWN : ALERT_NONE;
	}
	const char *root = down_root(e, in);
	if (root) {
		/* Kept suppressed while active, or while open without fresh data to
		 * show it cleared (silence never resolves). */
		bool unknown = in->rule->type != ALERT_DEVICE_DOWN && inst_stale(e, in);
		snprintf(cause, csize, "%s is down", root);
		return active || (open && unknown) ? ALERT_SUPPRESSED : ALERT_NONE;
	}
	if (in->rule->type == ALERT_DEVICE_DOWN)
		return active ? ALERT_FIRING : ALERT_NONE;
	if (inst_stale(e, in)) {
		snprintf(cause, csize, "no data");
		return open ? ALERT_UNKNOWN : ALERT_NONE;
	}
	return active ? ALERT_FIRING : ALERT_NONE;
}

void alert_eng_publish(struct alert_engine *e, struct ainst *in, int64_t ts_ms)
{
	char cause[200] = "";
	enum alert_state d = desired(e, in, cause, sizeof(cause));
	if (d == ALERT_FIRING && in->pub == ALERT_ACKED)
		d = ALERT_ACKED;
	if (d == in->pub)
		return;
	alert_eng_emit(e, in, d == ALERT_NONE ? ALERT_RESOLVED : d, cause[0] ? cause : NULL, ts_ms);
}

void alert_eng_publish_all(struct alert_engine *e, int64_t ts_ms)
{
	for (size_t i = 0; i < e->ninsts; i++)
		alert_eng_publish(e, e->insts[i], ts_ms);
}

/* ---- instances ---- */

struct adevice *alert_eng_device_ensure(struct alert_engine *e, const char *agent, const char *name,
					const char *kind)
{
	struct adevice *d = alert_eng_device(e, name);
	if (d) {
		if (agent && agent[0] && strcmp(d->agent, agent) != 0) {
			char *a = strdup(agent);
			if (a) {
				free(d->agent);
				d->agent = a;
			}
		}
		return d;
	}
	if (!(d = calloc(1, sizeof(*d))))
		return NULL;
	d->name = alert_eng_dup(name);
	d->agent = alert_eng_dup(agent);
	d->kind = alert_eng_dup(kind);
	d->reason = alert_eng_dup("");
	if (!d->name || !d->agent || !d->kind || !d->reason ||
	    alert_map_put(&e->devices, name, strlen(name), d) < 0) {
		free(d->name);
		free(d->agent);
		free(d->kind);
		free(d->reason);
		free(d);
		return NULL;
	}
	return d;
}

void alert_eng_inst_free(struct ainst *in)
{
	free(in->rule_name);
	free(in->agent);
	free(in->device);
	free(in->labels_json);
	free(in->codes);
	free(in->from);
	free(in);
}

struct ainst *alert_eng_inst_new(struct alert_engine *e, const struct alert_rule *r,
				 const char *rule_name, const char *agent, const char *device,
				 const char *labels_json)
{
	struct ainst *in = calloc(1, sizeof(*in));
	if (!in)
		return NULL;
	in->rule = r;
	in->rule_name = alert_eng_dup(rule_name);
	in->agent = alert_eng_dup(agent);
	in->device = alert_eng_dup(device);
	in->labels_json = alert_eng_dup(labels_json);
	if (!in->rule_name || !in->agent || !in->device || !in->labels_json ||
	    alert_eng_push((void ***)&e->insts, &e->ninsts, &e->cap_insts, in) < 0) {
		alert_eng_inst_free(in);
		return NULL;
	}
	return in;
}

int alert_eng_restored_key(const char *rule, const char *device, const char *labels, char *out,
			   size_t size)
{
	int n = snprintf(out, size, "%s%c%s%c%s", rule, 0, device, 0, labels ? labels : "{}");
	return n < 0 || (size_t)n >= size ? -1 : n;
}

/* The restored instance for (rule, device, labels), taken out of the
 * restored table; NULL if none. */
static struct ainst *claim(struct alert_engine *e, const char *rule, const char *device,
			   const char *labels)
{
	char key[1024];
	int n = alert_eng_restored_key(rule, device, labels, key, sizeof(key));
	if (n < 0 || e->restored.n == 0)
		return NULL;
	struct ainst *in = alert_map_get(&e->restored, key, (size_t)n);
	if (in)
		alert_map_del(&e->restored, key, (size_t)n);
	return in;
}

/* An event instance (device_down, agent_down, redundancy): the restored
 * one if the database had it open, else a new one. */
static struct ainst *event_inst(struct alert_engine *e, const struct alert_rule *r,
				const char *agent, const char *device, struct adevice *dev)
{
	struct ainst *in = claim(e, r->name, device, "{}");
	if (!in)
		in = alert_eng_inst_new(e, r, r->name, agent, device, "{}");
	if (in && dev && alert_eng_push((void ***)&dev->insts, &dev->ninsts, &dev->cap, in) < 0)
		return NULL;
	if (in)
		in->dev = dev;
	return in;
}

void alert_eng_device_down_insts(struct alert_engine *e, struct adevice *d)
{
	for (size_t i = 0; i < e->rs->nrules; i++) {
		const struct alert_rule *r = &e->rs->rules[i];
		if (r->type != ALERT_DEVICE_DOWN || !alert_globs_match(r->kinds, d->kind) ||
		    !alert_globs_match(r->devices, d->name))
			continue;
		bool have = false;
		for (size_t k = 0; k < d->ninsts; k++)
			have |= d->insts[k]->rule == r;
		if (!have)
			event_inst(e, r, d->agent, d->name, d);
	}
}

struct aagent *alert_eng_agent_ensure(struct alert_engine *e, const char *id, int64_t now_ms)
{
	struct aagent *a = alert_map_get(&e->agents, id, strlen(id));
	if (a)
		return a;
	if (!(a = calloc(1, sizeof(*a))) || !(a->id = strdup(id)) ||
	    alert_map_put(&e->agents, id, strlen(id), a) < 0) {
		if (a)
			free(a->id);
		free(a);
		return NULL;
	}
	a->last_seen_ms = a->closed_ms = now_ms;
	for (size_t i = 0; i < e->rs->nrules; i++)
		if (e->rs->rules[i].type == ALERT_AGENT_DOWN &&
		    alert_globs_match(e->rs->rules[i].devices, id))
			event_inst(e, &e->rs->rules[i], id, id, NULL);
	return a;
}

/* ---- matching a series to rules ---- */

static bool matcher_holds(const struct alert_matcher *m, const char *labels_json)
{
	char k[128], v[256];
	const char *p = labels_json;
	while (alert_label_next(&p, k, sizeof(k), v, sizeof(v)) == 1)
		if (fnmatch(m->key, k, 0) == 0 && fnmatch(m->glob, v, FNM_CASEFOLD) == 0)
			return true;
	return false;
}

static bool labels_match(const struct alert_rule *r, const char *labels_json)
{
	for (size_t i = 0; i < r->nlabels; i++)
		if (!matcher_holds(&r->labels[i], labels_json))
			return false;
	return true;
}

/* The codes of r's state names for metric; 0 if none is named there. */
static size_t state_codes(const struct alert_rules *rs, char **names, const char *metric,
			  int64_t **out)
{
	size_t n = 0;
	while (names[n])
		n++;
	int64_t *codes = calloc(n ? n : 1, sizeof(*codes));
	size_t k = 0;
	for (size_t i = 0; codes && i < n; i++)
		if (alert_rules_state_code(rs, metric, names[i], &codes[k]) == 0)
			k++;
	if (k == 0) {
		free(codes);
		codes = NULL;
	}
	*out = codes;
	return k;
}

static bool rule_matches(const struct alert_rule *r, const struct alert_series *s)
{
	return r->type <= ALERT_CHANGE && alert_globs_match(r->metrics, s->metric) &&
	       alert_globs_match(r->kinds, s->kind) && alert_globs_match(r->devices, s->device) &&
	       labels_match(r, s->labels_json);
}

static int attach_rule(struct alert_engine *e, struct alert_series *s, const struct alert_rule *r,
		       size_t *cap)
{
	int64_t *codes = NULL, *from = NULL;
	size_t ncodes = 0, nfrom = 0;
	if (r->type == ALERT_STATE &&
	    (ncodes = state_codes(e->rs, r->states, s->metric, &codes)) == 0)
		return 0; /* none of the rule's states is named for this metric */
	if (r->type == ALERT_STATE && r->from &&
	    (nfrom = state_codes(e->rs, r->from, s->metric, &from)) == 0) {
		free(codes);
		return 0;
	}
	struct ainst *in = claim(e, r->name, s->device, s->labels_json);
	if (!in)
		in = alert_eng_inst_new(e, r, r->name, s->agent, s->device, s->labels_json);
	if (!in || alert_eng_push((void ***)&s->insts, &s->ninsts, cap, in) < 0 ||
	    alert_eng_push((void ***)&s->dev->insts, &s->dev->ninsts, &s->dev->cap, in) < 0) {
		free(codes);
		free(from);
		return -ENOMEM;
	}
	in->series = s;
	in->dev = s->dev;
	in->codes = codes;
	in->ncodes = ncodes;
	in->from = from;
	in->nfrom = nfrom;
	return 0;
}

static void series_free(struct alert_series *s)
{
	free(s->agent);
	free(s->device);
	free(s->kind);
	free(s->metric);
	free(s->unit);
	free(s->labels_json);
	free(s->insts);
	free(s);
}

static struct alert_series *series_new(struct alert_engine *e, const struct alert_series_in *in)
{
	struct alert_series *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->agent = alert_eng_dup(in->agent);
	s->device = alert_eng_dup(in->device);
	s->kind = alert_eng_dup(in->device_kind);
	s->metric = alert_eng_dup(in->metric);
	s->unit = alert_eng_dup(in->unit);
	s->labels_json =
		alert_eng_dup(in->labels_json && in->labels_json[0] ? in->labels_json : "{}");
	s->dev = alert_eng_device_ensure(e, in->agent, in->device, in->device_kind);
	size_t cap = 0;
	bool ok = s->agent && s->device && s->kind && s->metric && s->unit && s->labels_json &&
		  s->dev;
	for (size_t i = 0; ok && i < e->rs->nrules; i++)
		if (rule_matches(&e->rs->rules[i], s))
			ok = attach_rule(e, s, &e->rs->rules[i], &cap) == 0;
	if (!ok) {
		series_free(s);
		return NULL;
	}
	return s;
}

struct alert_series *alert_engine_series(struct alert_engine *e, const struct alert_series_in *in)
{
	char key[2048];
	int n = snprintf(key, sizeof(key), "%s%c%s%c%s", in->device, 0, in->metric, 0,
			 in->labels_json ? in->labels_json : "{}");
	size_t len = n < 0 ? 0 : (size_t)n >= sizeof(key) ? sizeof(key) - 1 : (size_t)n;
	struct alert_series *s = alert_map_get(&e->series, key, len);
	if (s)
		return s;
	if (!(s = series_new(e, in)))
		return NULL;
	if (alert_map_put(&e->series, key, len, s) < 0 ||
	    alert_eng_push((void ***)&e->all_series, &e->nseries, &e->cap_series, s) < 0) {
		alert_map_del(&e->series, key, len);
		series_free(
			s); /* its instances stay in e->insts, unattached and freed at the end */
		return NULL;
	}
	return s;
}

size_t alert_series_nrules(const struct alert_series *s)
{
	return s->ninsts;
}

/* ---- conditions ---- */

static void eval_threshold(struct ainst *in, double v, int64_t ts_ms)
{
	const struct alert_rule *r = in->rule;
	bool fire = (r->has_above && v > r->above) || (r->has_below && v < r->below);
	bool clear =
		(!r->has_above || v <= r->clear_below) && (!r->has_below || v >= r->clear_above);
	switch (in->cond) {
	case C_OK:
		if (fire && r->for_ms == 0)
			in->cond = C_ACTIVE;
		else if (fire) {
			in->cond = C_PENDING;
			in->pending_since = ts_ms;
		}
		break;
	case C_PENDING:
		if (!fire)
			in->cond = C_OK;
		else if (ts_ms - in->pending_since >= (int64_t)r->for_ms)
			in->cond = C_ACTIVE;
		break;
	case C_ACTIVE:
		if (clear)
			in->cond = C_OK;
		break;
	}
}

static bool code_in(const int64_t *codes, size_t n, double v)
{
	for (size_t i = 0; i < n; i++)
		if (v == (double)codes[i])
			return true;
	return false;
}

/* With `from`, only entering the states from one of those fires (a port
 * that was never up is not "down"). */
static void eval_state(struct ainst *in, double v, int64_t ts_ms)
{
	bool fire = code_in(in->codes, in->ncodes, v);
	const struct alert_rule *r = in->rule;
	if (fire && in->cond == C_OK && in->nfrom &&
	    !(in->has_prev && code_in(in->from, in->nfrom, in->prev)))
		fire = false;
	if (!fire)
		in->cond = C_OK;
	else if (in->cond == C_OK && r->for_ms > 0) {
		in->cond = C_PENDING;
		in->pending_since = ts_ms;
	} else if (in->cond != C_PENDING || ts_ms - in->pending_since >= (int64_t)r->for_ms)
		in->cond = C_ACTIVE;
}

/* A change fires at once and resolves when the state has held for `for`
 * (at the next sample by default). */
static void eval_change(struct ainst *in, double v, int64_t ts_ms)
{
	if (in->has_prev && v != in->prev) {
		in->cond = C_ACTIVE;
		in->changed_ts = ts_ms;
	} else if (in->cond == C_ACTIVE && ts_ms - in->changed_ts >= (int64_t)in->rule->for_ms &&
		   in->has_prev) {
		in->cond = C_OK;
	}
}

static void eval_sample(struct alert_engine *e, struct ainst *in, int64_t ts_ms, double v)
{
	const struct alert_rule *r = in->rule;
	e->evals++;
	switch (r->type) {
	case ALERT_THRESHOLD:
		in->value = v;
		in->has_value = true;
		eval_threshold(in, v, ts_ms);
		break;
	case ALERT_RATE:
		/* A counter that went down was reset or wrapped: no rate this time. */
		if (in->has_prev && ts_ms > in->prev_ts && v >= in->prev) {
			in->value = (v - in->prev) * 1000.0 / (double)(ts_ms - in->prev_ts);
			in->has_value = true;
			eval_threshold(in, in->value, ts_ms);
		}
		break;
	case ALERT_STATE:
		in->value = v;
		in->has_value = true;
		eval_state(in, v, ts_ms);
		break;
	case ALERT_CHANGE:
		eval_change(in, v, ts_ms);
		in->value = v;
		in->has_value = true;
		break;
	default:
		break;
	}
	in->prev = v;
	in->prev_ts = ts_ms;
	in->has_prev = true;
}

/* ---- events ---- */

void alert_engine_sample(struct alert_engine *e, struct alert_series *s, int64_t ts_ms,
			 double value, int64_t now_ms)
{
	e->now_ms = now_ms;
	if (s->last_ts && ts_ms <= s->last_ts)
		return; /* a sample older than what was evaluated: stored, not re-judged */
	if (s->last_ts)
		s->interval_ms =
			alert_eng_ewma(s->interval_ms, ts_ms - s->last_ts, MIN_INTERVAL_MS);
	s->last_ts = ts_ms;
	s->last_seen_ms = now_ms;
	s->stale = false;
	if (s->dev->down && ts_ms > s->dev->down_ts) {
		/* Data from a device reported down (e.g. before a collector restart) means it
		 * answers again. */
		alert_engine_device_state(e, s->agent, s->device, s->kind, true, "", ts_ms, now_ms);
	}
	for (size_t i = 0; i < s->ninsts; i++) {
		struct ainst *in = s->insts[i];
		eval_sample(e, in, ts_ms, value);
		alert_eng_publish(e, in, ts_ms);
	}
	if (e->groups_dirty)
		alert_eng_update_groups(e, ts_ms);
}

/* ---- life ---- */

int alert_engine_new(const struct alert_rules *rs, int64_t now_ms, struct alert_engine **out)
{
	struct alert_engine *e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->rs = rs;
	e->start_ms = e->now_ms = now_ms;
	alert_map_init(&e->series);
	alert_map_init(&e->devices);
	alert_map_init(&e->agents);
	alert_map_init(&e->restored);
	for (size_t i = 0; i < rs->nrules; i++) {
		if (rs->rules[i].type != ALERT_REDUNDANCY)
			continue;
		if (!alert_eng_inst_new(e, &rs->rules[i], rs->rules[i].name, "", rs->rules[i].group,
					"{}")) {
			alert_engine_free(e);
			return -ENOMEM;
		}
	}
	e->groups_dirty = true;
	*out = e;
	return 0;
}

void alert_engine_free(struct alert_engine *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->ninsts; i++)
		alert_eng_inst_free(e->insts[i]);
	for (size_t i = 0; i < e->nseries; i++)
		series_free(e->all_series[i]);
	for (size_t i = 0; i < e->devices.cap; i++) {
		struct adevice *d = e->devices.slots[i].key ? e->devices.slots[i].value : NULL;
		if (!d)
			continue;
		free(d->name);
		free(d->agent);
		free(d->kind);
		free(d->reason);
		free(d->insts);
		free(d);
	}
	for (size_t i = 0; i < e->agents.cap; i++) {
		struct aagent *a = e->agents.slots[i].key ? e->agents.slots[i].value : NULL;
		if (a)
			free(a->id);
		free(a);
	}
	alert_map_free(&e->series);
	alert_map_free(&e->devices);
	alert_map_free(&e->agents);
	alert_map_free(&e->restored);
	free(e->all_series);
	free(e->insts);
	alert_changes_free(e->changes, e->nchanges);
	free(e);
}
