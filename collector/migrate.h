/* Ordered SQL migrations, embedded into the binary at build time from
 * collector/migrations/NNN_name.sql. Each is applied once, in its own
 * transaction, and recorded in pantau.schema_migrations. The collector
 * applies them at every start (and `--migrate` applies them and exits). */
#ifndef PANTAU_COLLECTOR_MIGRATE_H
#define PANTAU_COLLECTOR_MIGRATE_H

#include "perr.h"

#include <stddef.h>

struct migration {
	int version;
	const char *name; /* "001_schema" */
	const char *sql;
};

/* Generated from collector/migrations (see embed_migrations.py). */
extern const struct migration migrate_embedded[];
extern const size_t migrate_embedded_count;

/* Checks that versions start at 1 or more, strictly increase, and that each
 * name starts with its zero-padded version. 0 or -EINVAL with err set. */
int migrate_check_order(const struct migration *list, size_t n, struct perr *err);

/* Connects with dsn and applies the embedded migrations not yet applied,
 * under an advisory lock so that collectors starting together take turns.
 * *applied (may be NULL) receives how many ran. 0 or -errno with err set. */
int migrate_run(const char *dsn, int *applied, struct perr *err);

#endif
