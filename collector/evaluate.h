/* evaluate: the collector's alert stage. Samples are judged on the loop
 * thread as the writer reports them committed (receive's on_stored hook),
 * device states and agent connections feed reachability, a one-second
 * timer drives staleness and agent loss, and every state change goes to
 * PostgreSQL through alert_db's writer thread and, when it fires or
 * resolves, to the webhooks through notify's thread.
 *
 *   receive -> store (commit) -> evaluate (alert_eval) -> alert_db, notify */
#ifndef PANTAU_COLLECTOR_EVALUATE_H
#define PANTAU_COLLECTOR_EVALUATE_H

#include "alert_db.h"
#include "alert_eval.h"
#include "alert_rule.h"
#include "notify.h"
#include "perr.h"
#include "store.h"

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

struct evaluate {
	struct alert_rules rules;
	struct alert_engine *engine;
	struct alert_db db;
	struct notify notify; /* started when the rules file names webhooks */
	uv_timer_t tick;
	bool tick_open;
	struct alert_series **scratch; /* per batch: def index -> engine series */
	size_t scratch_cap;
	/* Agents seen, and whether availability was last told they are lost
	 * (their devices unknown until data arrives again). */
	struct evaluate_agent {
		char *id;
		bool lost;
	} *agents;
	size_t nagents, agents_cap;
	uint64_t samples; /* samples evaluated */
	uint64_t changes; /* state changes sent to the database */
};

/* Loads the rules file, reads the open alerts back from the database
 * (blocking: call before the loop runs), starts the writer thread and the
 * tick timer. 0 or -errno with err set. */
int evaluate_start(struct evaluate *ev, uv_loop_t *loop, const char *rules_path, const char *dsn,
		   struct perr *err);

/* receive's hooks (arg is the struct evaluate): a committed store item,
 * and an agent's connection closing. */
void evaluate_stored(void *arg, const struct store_item *it);
void evaluate_agent_closed(void *arg, const char *agent_id);

/* Closes the timer (on the loop thread, before the loop ends). */
void evaluate_close(struct evaluate *ev);

/* After the loop ended: writes what is queued (up to grace_ms), frees all. */
void evaluate_free(struct evaluate *ev, uint64_t grace_ms);

#endif
