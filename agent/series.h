/* The agent's series registry: each distinct (device, metric, labels) gets a
 * small integer id that samples carry on the wire instead of names. The
 * definition is sent once per connection, the first time a batch uses it. */
#ifndef PANTAU_SERIES_H
#define PANTAU_SERIES_H

#include "device.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct series {
	uint32_t id;		  /* 1-based */
	const struct device *dev; /* borrowed; devices outlive the table */
	char *metric;
	char *unit;
	enum series_kind kind;
	char **label_keys; /* sorted by key */
	char **label_values;
	size_t nlabels;
	char *key;    /* canonical identity, owned */
	bool defined; /* definition sent on the current connection */
};

struct series_table;

struct series_table *series_table_new(void);
void series_table_free(struct series_table *t);

/* Finds or creates the series of a sample. 0 with *id set, or -ENOMEM, or
 * -ENOSPC past 2^31 series. */
int series_lookup(struct series_table *t, const struct device *dev, const struct sample_in *s,
		  uint32_t *id);

/* Borrowed pointer to series id (1-based), NULL if unknown. */
struct series *series_get(struct series_table *t, uint32_t id);

size_t series_count(const struct series_table *t);

/* Forgets which definitions were sent (a new connection starts clean). */
void series_forget_defined(struct series_table *t);

#endif
