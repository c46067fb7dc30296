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
	const struct device *dev; /* borrowed; devices outlive the table; NULL when
				   * restored from the spool and not (yet) polled */
	char *device;		  /* device name, owned (outlives a device gone from the config) */
	char *device_kind;	  /* owned */
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

/* The highest id in use (ids restored from the spool may leave holes). */
size_t series_count(const struct series_table *t);

/* Re-registers a definition read back from the spool under its old id, so
 * spooled batches stay decodable and a series polled again keeps its id.
 * labels are key/value pairs in any order (copied). 0 if registered or
 * already present with the same identity, -EEXIST if the id or the identity
 * is taken by another series, -ENOMEM. */
int series_restore(struct series_table *t, uint32_t id, const char *device,
		   const char *device_kind, const char *metric, const char *unit,
		   enum series_kind kind, const struct label *labels, size_t nlabels);

/* Forgets which definitions were sent (a new connection starts clean). */
void series_forget_defined(struct series_table *t);

#endif
