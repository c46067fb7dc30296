/* Alert state in PostgreSQL: a small writer thread with its own blocking
 * libpq connection, so the loop never waits on the database. Changes are
 * queued in order and written one transaction per group (pantau.alerts
 * upserted, pantau.alert_events appended, planned set when a maintenance
 * window covers the device, its group or its site); on a database error the
 * writer rolls back, reconnects and retries with backoff, never dropping a
 * change while it runs. Notifications follow the commit. At start, alert_db_load reads the open
 * alerts back so the engine neither fires nor notifies them again. */
#ifndef PANTAU_COLLECTOR_ALERT_DB_H
#define PANTAU_COLLECTOR_ALERT_DB_H

#include "alert_eval.h"
#include "perr.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct alert_db {
	char *dsn;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cond;
	struct alert_change *queue; /* under mu */
	size_t n, cap;		    /* under mu */
	bool stopping;		    /* under mu */
	uint64_t deadline_ms;	    /* under mu: when stopping, give up retrying after this */
	bool started;
	/* Set before alert_db_start. rules (borrowed, immutable): the groups a
	 * device is in, for group maintenance windows. notify: called on the
	 * writer's thread after the commit, for each change to tell people
	 * about (not planned) and for each escalation. escalate_after_ms:
	 * checked every few seconds while idle (alert_escalate.h); 0 = off. */
	const struct alert_rules *rules;
	void (*notify)(void *arg, const struct alert_change *c);
	void *notify_arg;
	uint64_t escalate_after_ms;
	atomic_ulong written; /* changes committed */
	atomic_ulong dropped; /* changes given up at stop */
};

/* Reads every open alert (state not resolved) and hands each to the engine
 * with alert_engine_restore. Blocking: call before the loop runs. Returns
 * the number restored or -errno with err set. */
int alert_db_load(const char *dsn, struct alert_engine *e, struct perr *err);

/* Starts the writer thread (dsn copied). db must be zeroed first, except
 * for the escalation fields. 0 or -errno. */
int alert_db_start(struct alert_db *db, const char *dsn);

/* Queues n changes, taking them over (the array itself is freed). Any
 * thread; cheap. */
void alert_db_submit(struct alert_db *db, struct alert_change *c, size_t n);

/* Writes what is queued (giving up after grace_ms if the database keeps
 * failing), joins the thread, frees everything. */
void alert_db_stop(struct alert_db *db, uint64_t grace_ms);

#endif
