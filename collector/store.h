/* The writer: a dedicated thread holding a blocking libpq connection, so the
 * loop never waits on PostgreSQL. Items (batches, inventory, device states)
 * are queued in order; the writer takes everything waiting (group commit),
 * stores it in one transaction and hands each item back to the loop thread
 * with its result. On a database error it rolls back, reconnects if needed
 * and retries with backoff: an item is never dropped and never reported
 * stored before its transaction committed. */
#ifndef PANTAU_COLLECTOR_STORE_H
#define PANTAU_COLLECTOR_STORE_H

#include "series.h"
#include "pantau.pb-c.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

enum store_kind { STORE_BATCH, STORE_INVENTORY, STORE_DEVICE_STATE, STORE_LOSS };

enum store_result {
	STORE_STORED,    /* committed */
	STORE_DUPLICATE, /* batch (agent, stream, seq) was committed before: not stored again */
	STORE_ABANDONED, /* collector stopping while the database failed: not stored */
};

struct store_item {
	struct store_item *next; /* queue link, the store's while queued */
	enum store_kind kind;
	char *agent_id, *site, *software; /* owned; from the connection's Hello */
	/* STORE_BATCH: samples already checked and converted. */
	uint64_t stream, seq;
	size_t n;        /* samples kept */
	uint32_t *ref;   /* per sample: index into refs */
	int64_t *ts_us;  /* per sample: PostgreSQL microseconds */
	double *values;  /* per sample */
	struct series_def **refs; /* defs this batch uses, one reference each */
	size_t nrefs;
	/* STORE_INVENTORY, STORE_DEVICE_STATE: the decoded message, owned. */
	Pantau__Envelope *env;
	/* Set by the writer before done runs. */
	enum store_result result;
	double commit_seconds; /* share of the group's transaction time */
	/* The submitter's: runs on the loop thread, exactly once. */
	void (*done)(struct store_item *it);
	void *owner;
};

/* Allocates an item for agent (strings copied). NULL on ENOMEM. */
struct store_item *store_item_new(enum store_kind kind, const char *agent_id, const char *site,
				  const char *software);
/* Reserves room for n samples and nrefs defs. 0 or -ENOMEM. */
int store_item_reserve(struct store_item *it, size_t n, size_t nrefs);
/* Frees everything the item owns, releasing its defs. NULL is fine. */
void store_item_free(struct store_item *it);

struct store_writer;

struct store {
	uv_loop_t *loop;
	uv_async_t async;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cond;
	struct store_item *queue_head, *queue_tail; /* under mu */
	struct store_item *done_head, *done_tail; /* under mu */
	bool stopping;         /* under mu */
	bool finished;         /* under mu: the thread has left its loop */
	uint64_t deadline_ms;  /* under mu: when stopping, give up retrying after this */
	size_t depth;          /* loop thread: submitted, done not yet run */
	atomic_bool connected; /* the writer holds a working connection */
	struct store_writer *w; /* writer thread only */
	void (*stopped_cb)(struct store *s);
};

/* Starts the writer thread; it connects with dsn (copied) in the background
 * and keeps retrying. 0 or -errno. */
int store_start(struct store *s, uv_loop_t *loop, const char *dsn);

/* Queues it (taken over until its done callback, which always runs on the
 * loop thread, exactly once). */
void store_submit(struct store *s, struct store_item *it);

/* Items submitted whose done callback has not run yet. */
size_t store_depth(const struct store *s);

bool store_connected(const struct store *s);

/* Stores what is queued (giving up after grace_ms if the database keeps
 * failing: those items complete as STORE_ABANDONED), joins the thread,
 * closes the async handle, then calls cb. Call once, on the loop thread. */
void store_stop(struct store *s, uint64_t grace_ms, void (*cb)(struct store *s));

#endif
