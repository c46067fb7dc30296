/* The alert engine's reachability side: device states, agents heard from
 * or lost, redundancy groups, the clock, and alerts restored at start. */
#include "alert_engine.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- groups ---- */

static bool unit_failed(struct alert_engine *e, const char *name)
{
	struct adevice *d = alert_eng_device(e, name);
	if (!d)
		return false;
	if (d->down)
		return true;
	for (size_t i = 0; i < d->ninsts; i++) {
		const struct ainst *in = d->insts[i];
		if (in->rule && in->rule->fails_unit &&
		    (in->pub == ALERT_FIRING || in->pub == ALERT_ACKED ||
		     in->pub == ALERT_SUPPRESSED))
			return true;
	}
	return false;
}

void alert_eng_update_groups(struct alert_engine *e, int64_t ts_ms)
{
	for (int round = 0; round < 4 && e->groups_dirty; round++) {
		e->groups_dirty = false;
		for (size_t i = 0; i < e->ninsts; i++) {
			struct ainst *in = e->insts[i];
			if (!in->rule || in->rule->type != ALERT_REDUNDANCY)
				continue;
			const struct alert_group *g = NULL;
			for (size_t k = 0; k < e->rs->ngroups && !g; k++)
				if (strcmp(e->rs->groups[k].name, in->rule->group) == 0)
					g = &e->rs->groups[k];
			size_t up = 0;
			for (size_t k = 0; g && k < g->ndevices; k++)
				up += !unit_failed(e, g->devices[k]);
			in->cond = g && (int64_t)up < g->min_up ? C_ACTIVE : C_OK;
			in->value = (double)up;
			in->has_value = true;
			snprintf(in->value_text, sizeof(in->value_text), "%zu of %zu units working",
				 up, g ? g->ndevices : 0);
			alert_eng_publish(e, in, ts_ms);
		}
	}
}

void alert_engine_device_state(struct alert_engine *e, const char *agent, const char *device,
			       const char *device_kind, bool up, const char *reason, int64_t ts_ms,
			       int64_t now_ms)
{
	e->now_ms = now_ms;
	struct adevice *d = alert_eng_device_ensure(e, agent, device, device_kind);
	if (!d)
		return;
	if (d->kind[0] == '\0' && device_kind && device_kind[0]) {
		char *k = strdup(device_kind);
		if (k) {
			free(d->kind);
			d->kind = k;
		}
	}
	alert_eng_device_down_insts(e, d);
	char *r = strdup(reason ? reason : "");
	if (r) {
		free(d->reason);
		d->reason = r;
	}
	bool changed = d->down != !up;
	d->down = !up;
	if (!up)
		d->down_ts = ts_ms;
	for (size_t i = 0; i < d->ninsts; i++) {
		struct ainst *in = d->insts[i];
		if (!in->rule || in->rule->type != ALERT_DEVICE_DOWN)
			continue;
		in->cond = up ? C_OK : C_ACTIVE;
		in->value = up ? 1 : 0;
		in->has_value = true;
		snprintf(in->value_text, sizeof(in->value_text), "%s",
			 up		? "reachable"
			 : d->reason[0] ? d->reason
					: "unreachable");
	}
	e->groups_dirty |= changed;
	if (changed)
		alert_eng_publish_all(
			e, ts_ms); /* dependencies: anything may sit behind this device */
	else
		for (size_t i = 0; i < d->ninsts; i++)
			alert_eng_publish(e, d->insts[i], ts_ms);
	alert_eng_update_groups(e, ts_ms);
}

static void agent_set_lost(struct alert_engine *e, struct aagent *a, bool lost, int64_t now_ms)
{
	a->lost = lost;
	for (size_t i = 0; i < e->ninsts; i++) {
		struct ainst *in = e->insts[i];
		if (in->rule && in->rule->type == ALERT_AGENT_DOWN &&
		    strcmp(in->device, a->id) == 0) {
			in->cond = lost ? C_ACTIVE : C_OK;
			in->value = (double)(now_ms - a->last_seen_ms) / 1000.0;
			in->has_value = true;
			snprintf(in->value_text, sizeof(in->value_text),
				 lost ? "silent for %.0f s" : "back after %.0f s", in->value);
		}
	}
	alert_eng_publish_all(e, now_ms);
}

void alert_engine_agent_seen(struct alert_engine *e, const char *agent, int64_t batch_ts_ms,
			     int64_t now_ms)
{
	e->now_ms = now_ms;
	struct aagent *a = alert_eng_agent_ensure(e, agent, now_ms);
	if (!a)
		return;
	if (a->last_batch_ts && batch_ts_ms > a->last_batch_ts)
		a->interval_ms = alert_eng_ewma(a->interval_ms, batch_ts_ms - a->last_batch_ts,
						MIN_AGENT_INTERVAL_MS);
	if (batch_ts_ms > a->last_batch_ts)
		a->last_batch_ts = batch_ts_ms;
	a->connected = true;
	if (a->lost)
		agent_set_lost(e, a, false, now_ms);
	a->last_seen_ms = now_ms;
}

void alert_engine_agent_closed(struct alert_engine *e, const char *agent, int64_t now_ms)
{
	e->now_ms = now_ms;
	struct aagent *a = alert_eng_agent_ensure(e, agent, now_ms);
	if (!a)
		return;
	a->connected = false;
	a->closed_ms = now_ms;
}

int alert_engine_agent_expected(struct alert_engine *e, const char *agent, int64_t now_ms)
{
	/* A new agent starts disconnected, closed now: check_agents judges it
	 * lost after agent_grace unless it connects first. */
	return alert_eng_agent_ensure(e, agent, now_ms) ? 0 : -ENOMEM;
}

bool alert_engine_agent_lost(const struct alert_engine *e, const char *agent, int64_t *since_ms)
{
	struct aagent *a = alert_map_get(&e->agents, agent, strlen(agent));
	if (!a || !a->lost)
		return false;
	*since_ms = a->connected ? a->last_seen_ms : a->closed_ms;
	return true;
}

/* True if the agent reported every device it has down: it then has no
 * samples to send, and its silence is not a sign it is gone. */
static bool all_devices_down(struct alert_engine *e, const char *agent)
{
	size_t n = 0;
	for (size_t i = 0; i < e->devices.cap; i++) {
		struct adevice *d = e->devices.slots[i].key ? e->devices.slots[i].value : NULL;
		if (!d || strcmp(d->agent, agent) != 0)
			continue;
		if (!d->down)
			return false;
		n++;
	}
	return n > 0;
}

static void check_agents(struct alert_engine *e, int64_t now_ms)
{
	const struct alert_settings *st = &e->rs->settings;
	for (size_t i = 0; i < e->agents.cap; i++) {
		struct aagent *a = e->agents.slots[i].key ? e->agents.slots[i].value : NULL;
		if (!a || a->lost)
			continue;
		int64_t iv = a->interval_ms ? a->interval_ms : (int64_t)st->default_interval_ms;
		bool silent = now_ms - a->last_seen_ms > st->agent_silent_intervals * iv &&
			      !(a->connected && all_devices_down(e, a->id));
		bool gone = !a->connected && now_ms - a->closed_ms >= (int64_t)st->agent_grace_ms;
		if (silent || gone)
			agent_set_lost(e, a, true, now_ms);
	}
}

void alert_eng_check_flapping(struct alert_engine *e, int64_t now_ms)
{
	for (size_t i = 0; i < e->ninsts; i++) {
		struct ainst *in = e->insts[i];
		if (!in->flapping || in->nfires == 0)
			continue;
		int64_t last = in->fires[(in->nfires - 1) % ALERT_FLAP_MAX];
		if (now_ms - last <= (int64_t)e->rs->settings.flap_window_ms)
			continue;
		in->flapping = false;
		if (in->pub == ALERT_NONE && in->notified) {
			/* Resolved while flapping: say so now, once. */
			struct alert_change *c = alert_eng_emit(e, in, ALERT_NONE, NULL, now_ms);
			if (c) {
				c->notify = ALERT_NOTIFY_RESOLVE;
				in->notified = false;
			}
		}
	}
}

void alert_engine_tick(struct alert_engine *e, int64_t now_ms)
{
	e->now_ms = now_ms;
	check_agents(e, now_ms);
	alert_eng_check_flapping(e, now_ms);
	for (size_t i = 0; i < e->nseries; i++) {
		struct alert_series *s = e->all_series[i];
		if (s->stale || s->ninsts == 0 || !s->last_seen_ms)
			continue;
		int64_t n = e->rs->settings.stale_intervals;
		int64_t iv = s->interval_ms ? s->interval_ms
					    : (int64_t)e->rs->settings.default_interval_ms;
		for (size_t k = 0; k < s->ninsts; k++)
			if (s->insts[k]->rule->stale_intervals)
				n = s->insts[k]->rule->stale_intervals;
		if (now_ms - s->last_seen_ms <= n * iv)
			continue;
		s->stale = true;
		for (size_t k = 0; k < s->ninsts; k++)
			alert_eng_publish(e, s->insts[k], now_ms);
	}
	/* Restored alerts whose series has not come back. */
	for (size_t i = 0; i < e->ninsts; i++)
		if (!e->insts[i]->series && e->insts[i]->rule &&
		    e->insts[i]->rule->type <= ALERT_CHANGE)
			alert_eng_publish(e, e->insts[i], now_ms);
	alert_eng_update_groups(e, now_ms);
}

static const struct alert_rule *rule_by_name(const struct alert_rules *rs, const char *name)
{
	for (size_t i = 0; i < rs->nrules; i++)
		if (strcmp(rs->rules[i].name, name) == 0)
			return &rs->rules[i];
	return NULL;
}

/* Event rules get their device or agent context now (a device restored as
 * down stays down until it answers; an agent restored as lost until it
 * sends). Every restored instance waits in the restored table until an
 * agent, device or series claims it. */
static int restore_event(struct alert_engine *e, struct ainst *in, const struct alert_restored *a)
{
	const struct alert_rule *r = in->rule;
	if (r->type == ALERT_REDUNDANCY) {
		for (size_t i = 0; i < e->ninsts; i++)
			if (e->insts[i] != in && e->insts[i]->rule == r) {
				e->insts[i]->pub = in->pub;
				e->insts[i]->notified = in->notified;
				e->insts[i]->cond = C_ACTIVE;
			}
		return 1; /* merged into the instance made at start */
	}
	if (r->type == ALERT_AGENT_DOWN) {
		struct aagent *ag = alert_eng_agent_ensure(e, a->device, e->now_ms);
		if (!ag)
			return -ENOMEM;
		ag->lost = true;
		return 0;
	}
	struct adevice *d = alert_eng_device_ensure(e, a->agent, a->device, "");
	if (!d)
		return -ENOMEM;
	d->down = true;
	d->down_ts = a->started_ms;
	alert_eng_device_down_insts(e, d);
	return 0;
}

int alert_engine_restore(struct alert_engine *e, const struct alert_restored *a)
{
	const struct alert_rule *r = rule_by_name(e->rs, a->rule);
	struct ainst *in = alert_eng_inst_new(e, r, a->rule, a->agent, a->device, a->labels_json);
	if (!in)
		return -ENOMEM;
	in->pub = a->state == ALERT_RESOLVED ? ALERT_NONE : a->state;
	in->notified =
		a->state == ALERT_FIRING || a->state == ALERT_ACKED || a->state == ALERT_UNKNOWN;
	in->value = a->value;
	in->has_value = true;
	in->cond = C_ACTIVE;
	if (!r) {
		alert_eng_emit(e, in, ALERT_RESOLVED, "rule removed", e->now_ms);
		return 0;
	}
	char key[1024];
	int n = alert_eng_restored_key(a->rule, a->device, a->labels_json, key, sizeof(key));
	if (n < 0)
		return -EINVAL;
	if (r->type != ALERT_REDUNDANCY && alert_map_put(&e->restored, key, (size_t)n, in) < 0)
		return -ENOMEM;
	if (r->type <= ALERT_CHANGE)
		return 0;
	int rc = restore_event(e, in, a);
	if (rc == 1) {
		e->ninsts--; /* the instance just added is the last one */
		alert_eng_inst_free(in);
	}
	return rc < 0 ? rc : 0;
}
