/* notify: alert transitions to people. For each change the engine marks
 * (alert_change.notify: fire once, resolve once) every Tier 1 webhook of
 * the rules file whose min_severity it meets gets one POST of its JSON body
 * template; escalations (alert_escalate.c) go to the Tier 2 webhooks.
 * Deliveries run on their own thread (libcurl, blocking there, never on the
 * loop), retry with exponential backoff up to max_attempts, and every
 * attempt is written to the delivery log pantau.notifications over the
 * thread's own libpq connection. URLs may hold tokens: they are never
 * logged, the channel is named by its `name`. */
#ifndef PANTAU_COLLECTOR_NOTIFY_H
#define PANTAU_COLLECTOR_NOTIFY_H

#include "alert_eval.h"
#include "alert_rule.h"
#include "buf.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

struct notify_job;

struct notify {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cond;
	struct notify_job *jobs; /* under mu; any order, the earliest due goes first */
	bool stopping;		 /* under mu */
	uint64_t deadline_ms;	 /* under mu: when stopping, give up after this */
	bool started;
	char *dsn;
	atomic_ulong sent, retries, failed;
};

/* Renders a webhook body template for change c into out: {rule} {device}
 * {state} {transition} {severity} {summary} {value} {agent} {cause} {at}
 * are JSON-escaped (for use inside quotes), {labels} is the labels object.
 * Unknown placeholders stay as written. 0 or a buf error. Pure. */
int notify_render(const char *tmpl, const struct alert_change *c, struct buf *out);

/* Starts the delivery thread (dsn copied, for the delivery log). 0 or -errno. */
int notify_start(struct notify *n, const char *dsn);

/* Queues the deliveries change c asks for (none unless c->notify is set).
 * rs must outlive the notifier. Loop thread; cheap. */
void notify_change(struct notify *n, const struct alert_rules *rs, const struct alert_change *c);

/* Delivers what is due within grace_ms, logs the rest as abandoned, joins
 * the thread and frees everything. */
void notify_stop(struct notify *n, uint64_t grace_ms);

#endif
