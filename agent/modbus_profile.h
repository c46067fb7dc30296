/* Modbus device profiles: YAML files that hold a device model's register
 * map (the format is documented in agent/profiles/README.md). A device
 * names one with `modbus: { profile: NAME }` and may add fields of its own.
 *
 * The profiles of one directory, <dir>/modbus/\*.yaml, are loaded once and
 * shared by every Modbus device configured with that directory; the set is
 * reference-counted and freed with its last device's configuration, so
 * nothing needs freeing at exit. Loading happens while the configuration is
 * read, before the loop runs. */
#ifndef PANTAU_MODBUS_PROFILE_H
#define PANTAU_MODBUS_PROFILE_H

#include "conf.h"
#include "modbus_field.h"
#include "perr.h"
#include "profile_dir.h"

#include <stddef.h>
#include <stdint.h>

struct modbus_profile {
	char *name;	   /* owned: lower-case letters, digits, - _ . */
	char *description; /* owned; "" if none */
	char *file;	   /* owned: where it was loaded from */
	/* Read limits the model needs; 0 when the profile leaves the default. */
	int64_t max_registers_per_read;
	int64_t max_bits_per_read;
	int64_t max_gap;
	struct modbus_field *fields; /* owned */
	size_t nfields;
};

/* Parses one profile document (root borrowed). On failure p owns nothing
 * and err reads "[file:line] ...". */
int modbus_profile_parse(const struct conf_node *root, struct modbus_profile *p,
			 struct perr *err);

/* Loads and parses one file. Free p with modbus_profile_free. */
int modbus_profile_load_file(const char *path, struct modbus_profile *p, struct perr *err);

void modbus_profile_free(struct modbus_profile *p);

struct modbus_profile_set {
	struct profile_cached base; /* first: directory, references */
	struct modbus_profile *profiles; /* sorted by file name */
	size_t n;
};

/* Returns the set of <dir>/modbus/\*.yaml with one more reference, loading
 * it the first time. A directory that does not exist is an empty set; a
 * broken profile fails the whole set with "[file:line] ..." in err. */
int modbus_profile_set_get(const char *dir, struct modbus_profile_set **out, struct perr *err);

/* Drops a reference; the last one frees the set. NULL is ignored. */
void modbus_profile_set_put(struct modbus_profile_set *set);

/* The profile called name, or NULL. */
const struct modbus_profile *modbus_profile_set_find(const struct modbus_profile_set *set,
						     const char *name);

#endif
