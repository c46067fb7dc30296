/* Series definitions as the collector keeps them: an agent-local id on one
 * connection maps to a series_def; the writer maps the def's key (agent,
 * device, metric, labels) to database ids through a cache. */
#ifndef PANTAU_COLLECTOR_SERIES_H
#define PANTAU_COLLECTOR_SERIES_H

#include "buf.h"
#include "pantau.pb-c.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One definition. Shared between the loop thread (the connection's table,
 * batches being built) and the writer thread (batches being stored), hence
 * the atomic reference count. Immutable after series_def_new except for the
 * fields marked as belonging to one thread. */
struct series_def {
	atomic_int refs;
	int kind; /* Pantau__SeriesKind */
	const char *agent_id, *device, *device_kind, *metric, *unit;
	const char *labels_json; /* canonical: keys sorted, e.g. {"oid":"1.3.6"} */
	const char *key;         /* agent \0 device \0 metric \0 labels_json */
	size_t key_len;
	/* Loop thread only: which batch last used this def, at which index. */
	uint64_t batch_stamp;
	uint32_t batch_idx;
	/* Writer thread only: database ids once resolved (0 = not yet). */
	int64_t db_id;
	int64_t device_id;
};

/* Appends the canonical labels JSON (keys sorted bytewise) to out.
 * 0, -EINVAL if two labels share a key, or a buf error. */
int series_labels_json(Pantau__Label *const *labels, size_t n, struct buf *out);

/* Builds the identity key of a series: agent \0 device \0 metric \0 labels.
 * Two definitions are the same series iff their keys are equal. */
int series_key_build(const char *agent_id, const Pantau__SeriesDef *d, struct buf *out);

/* Creates a def with one reference (the caller's). 0, -EINVAL (duplicate
 * label keys) or -ENOMEM. Release with series_def_release. */
int series_def_new(const char *agent_id, const Pantau__SeriesDef *d, struct series_def **out);

/* True if d describes exactly the same series as def (key, unit, kind, device kind). */
bool series_def_same(const struct series_def *def, const struct series_def *d);

void series_def_retain(struct series_def *def);
void series_def_release(struct series_def *def);

/* A connection's table: agent-local id -> def (holds one reference each). */
struct series_table {
	struct series_slot *slots;
	size_t cap, n;
};

void series_table_init(struct series_table *t);
/* Releases every def and frees the table. */
void series_table_free(struct series_table *t);
/* The def for id, borrowed; NULL if undefined. */
struct series_def *series_table_get(const struct series_table *t, uint32_t id);
/* Adds id -> def, taking over the caller's reference. 0 or -ENOMEM. */
int series_table_put(struct series_table *t, uint32_t id, struct series_def *def);

/* The writer's cache: key bytes -> two database ids. */
struct series_cache {
	struct series_cache_entry *entries;
	size_t cap, n;
};

void series_cache_init(struct series_cache *c);
void series_cache_free(struct series_cache *c);
/* 1 and the ids if found, 0 if not. */
int series_cache_get(const struct series_cache *c, const char *key, size_t len, int64_t *a,
		     int64_t *b);
/* Adds or replaces. 0 or -ENOMEM. */
int series_cache_put(struct series_cache *c, const char *key, size_t len, int64_t a, int64_t b);
/* Forgets everything (after the database may have changed under us). */
void series_cache_clear(struct series_cache *c);

#endif
