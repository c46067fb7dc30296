/* The collector's alert stage (see evaluate.h): the thin I/O around the
 * pure engine in alert_eval.c. */
#include "evaluate.h"
#include "log.h"
#include "pantau.pb-c.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

enum { TICK_MS = 1000 };

/* PostgreSQL timestamps count microseconds from 2000-01-01. */
static int64_t unix_ms(int64_t pg_us)
{
	return pg_us / 1000 + 946684800000LL;
}

static void flush(struct evaluate *ev)
{
	struct alert_change *c;
	size_t n = alert_engine_take(ev->engine, &c);
	for (size_t i = 0; i < n; i++) {
		log_info("alerts", "%s %s -> %s: %s%s%s", c[i].rule_name,
			 alert_state_name(c[i].from), alert_state_name(c[i].to), c[i].summary,
			 c[i].cause ? "; " : "", c[i].cause ? c[i].cause : "");
	}
	ev->changes += n;
	alert_db_submit(&ev->db, c, n);
}

/* The tracked entry of agent id, made on first sight; NULL on ENOMEM. */
static struct evaluate_agent *agent_entry(struct evaluate *ev, const char *id)
{
	for (size_t i = 0; i < ev->nagents; i++)
		if (!strcmp(ev->agents[i].id, id))
			return &ev->agents[i];
	if (ev->nagents == ev->agents_cap) {
		size_t cap = ev->agents_cap ? 2 * ev->agents_cap : 16;
		struct evaluate_agent *p = realloc(ev->agents, cap * sizeof(*p));
		if (!p)
			return NULL;
		ev->agents = p;
		ev->agents_cap = cap;
	}
	char *copy = strdup(id);
	if (!copy)
		return NULL;
	ev->agents[ev->nagents] = (struct evaluate_agent){copy, false};
	return &ev->agents[ev->nagents++];
}

/* Agent liveness for availability: when the engine judges an agent lost
 * (connection closed past agent_grace, or silent for agent_silent_intervals)
 * its devices' availability turns unknown from the moment contact ended;
 * when data arrives again their last known state resumes. Written in order
 * with the alert changes by alert_db's thread. */
static void liveness(struct evaluate *ev, struct evaluate_agent *a, int64_t now)
{
	int64_t since = now;
	bool lost = alert_engine_agent_lost(ev->engine, a->id, &since);
	if (lost == a->lost)
		return;
	struct alert_change *c = calloc(1, sizeof(*c));
	if (!c || !(c->agent = strdup(a->id)) ||
	    (lost && !(c->cause = strdup("connection closed past the grace, or silent")))) {
		if (c)
			alert_change_clear(c);
		free(c);
		log_error("alerts", "out of memory: availability of agent %s not updated", a->id);
		return;
	}
	a->lost = lost;
	c->liveness = true;
	c->to = lost ? ALERT_UNKNOWN : ALERT_RESOLVED;
	c->ts_ms = lost ? since : now;
	log_info("alerts", "agent %s %s: its devices' availability %s", a->id,
		 lost ? "lost" : "back", lost ? "unknown" : "resumes");
	alert_db_submit(&ev->db, c, 1);
}

static void on_tick(uv_timer_t *t)
{
	struct evaluate *ev = t->data;
	int64_t now = log_wall_ms();
	alert_engine_tick(ev->engine, now);
	flush(ev);
	for (size_t i = 0; i < ev->nagents; i++)
		liveness(ev, &ev->agents[i], now);
}

/* alert_db's thread, after a commit: a transition or an escalation to tell
 * the webhooks about (notify_change is safe from any thread). */
static void tell(void *arg, const struct alert_change *c)
{
	struct evaluate *ev = arg;
	notify_change(&ev->notify, &ev->rules, c);
}

int evaluate_start(struct evaluate *ev, uv_loop_t *loop, const char *rules_path, const char *dsn,
		   struct perr *err)
{
	memset(ev, 0, sizeof(*ev));
	int rc = alert_rules_load(rules_path, &ev->rules, err);
	if (rc < 0)
		return rc;
	if ((rc = alert_engine_new(&ev->rules, log_wall_ms(), &ev->engine)) < 0)
		return perr_setc(err, rc, "alerts: out of memory");
	if ((rc = alert_db_load(dsn, ev->engine, err)) < 0)
		return rc;
	log_info("alerts", "%zu rules from %s; %d open alerts restored", ev->rules.nrules,
		 rules_path, rc);
	/* The notifier first: the writer's thread may escalate at once. */
	if (ev->rules.nwebhooks && (rc = notify_start(&ev->notify, dsn)) < 0)
		return perr_setc(err, rc, "alerts: cannot start the notifier");
	ev->db.rules = &ev->rules;
	ev->db.notify = tell;
	ev->db.notify_arg = ev;
	ev->db.escalate_after_ms = ev->rules.settings.escalate_after_ms;
	if ((rc = alert_db_start(&ev->db, dsn)) < 0)
		return perr_setc(err, rc, "alerts: cannot start the writer thread");
	flush(ev); /* restored alerts whose rule is gone resolve now */
	uv_timer_init(loop, &ev->tick);
	ev->tick.data = ev;
	ev->tick_open = true;
	uv_timer_start(&ev->tick, on_tick, TICK_MS, TICK_MS);
	return 0;
}

static void eval_batch(struct evaluate *ev, const struct store_item *it, int64_t now)
{
	if (it->nrefs > ev->scratch_cap) {
		struct alert_series **s = realloc(ev->scratch, it->nrefs * sizeof(*s));
		if (!s) {
			log_error("alerts", "out of memory: batch %llu of %s not evaluated",
				  (unsigned long long)it->seq, it->agent_id);
			return;
		}
		ev->scratch = s;
		ev->scratch_cap = it->nrefs;
	}
	for (size_t i = 0; i < it->nrefs; i++) {
		const struct series_def *d = it->refs[i];
		struct alert_series_in in = {it->agent_id, d->device, d->device_kind,
					     d->metric,	   d->unit,   d->labels_json};
		ev->scratch[i] = alert_engine_series(ev->engine, &in);
	}
	int64_t newest = 0;
	for (size_t i = 0; i < it->n; i++)
		if (unix_ms(it->ts_us[i]) > newest)
			newest = unix_ms(it->ts_us[i]);
	alert_engine_agent_seen(ev->engine, it->agent_id, newest, now);
	for (size_t i = 0; i < it->n; i++) {
		struct alert_series *s = ev->scratch[it->ref[i]];
		if (s && alert_series_nrules(s) > 0)
			alert_engine_sample(ev->engine, s, unix_ms(it->ts_us[i]), it->values[i],
					    now);
	}
	ev->samples += it->n;
}

static void eval_state(struct evaluate *ev, const struct store_item *it, int64_t now)
{
	const Pantau__DeviceState *st = it->env ? it->env->device_state : NULL;
	if (!st || st->state == PANTAU__DEVICE_STATE__STATE__STATE_UNKNOWN)
		return;
	alert_engine_device_state(ev->engine, it->agent_id, st->device, st->device_kind,
				  st->state == PANTAU__DEVICE_STATE__STATE__STATE_UP, st->reason,
				  st->ts_ms, now);
}

void evaluate_stored(void *arg, const struct store_item *it)
{
	struct evaluate *ev = arg;
	int64_t now = log_wall_ms();
	if (it->kind == STORE_BATCH) {
		eval_batch(ev, it, now);
	} else {
		/* Any message shows the agent alive; its sample times give no interval. */
		alert_engine_agent_seen(ev->engine, it->agent_id, 0, now);
		if (it->kind == STORE_DEVICE_STATE)
			eval_state(ev, it, now);
	}
	flush(ev);
	struct evaluate_agent *a = agent_entry(ev, it->agent_id);
	if (a)
		liveness(ev, a, now);
}

void evaluate_agent_closed(void *arg, const char *agent_id)
{
	struct evaluate *ev = arg;
	alert_engine_agent_closed(ev->engine, agent_id, log_wall_ms());
}

void evaluate_close(struct evaluate *ev)
{
	if (!ev->tick_open)
		return;
	ev->tick_open = false;
	uv_close((uv_handle_t *)&ev->tick, NULL);
}

void evaluate_free(struct evaluate *ev, uint64_t grace_ms)
{
	if (ev->engine) {
		struct alert_change *c;
		size_t n = alert_engine_take(ev->engine, &c);
		if (ev->db.started)
			alert_db_submit(&ev->db, c, n);
		else
			alert_changes_free(c, n);
	}
	alert_db_stop(&ev->db, grace_ms);
	notify_stop(&ev->notify, grace_ms);
	if (ev->db.written || ev->samples)
		log_info(
			"alerts",
			"%llu samples evaluated (%llu rule evaluations), %lu alert "
			"changes stored",
			(unsigned long long)ev->samples,
			(unsigned long long)(ev->engine ? alert_engine_evaluations(ev->engine) : 0),
			(unsigned long)atomic_load(&ev->db.written));
	alert_engine_free(ev->engine);
	alert_rules_free(&ev->rules);
	for (size_t i = 0; i < ev->nagents; i++)
		free(ev->agents[i].id);
	free(ev->agents);
	free(ev->scratch);
	memset(ev, 0, sizeof(*ev));
}
