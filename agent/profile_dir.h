/* The profile files of a directory, for the SNMP and Modbus profile sets:
 * every *.yaml or *.yml (no hidden files), sorted by name so the load order
 * never depends on the file system; and the cache that loads each
 * directory's set once and shares it among the devices that name it. */
#ifndef PANTAU_PROFILE_DIR_H
#define PANTAU_PROFILE_DIR_H

#include "perr.h"

#include <stdbool.h>
#include <stddef.h>

/* Lists path's profile files into *names (freed with profile_dir_free) and
 * *count. what names the kind in messages ("SNMP"). A missing directory is
 * an empty list when missing_ok, else an error. 0 or -errno with err set. */
int profile_dir_list(const char *path, const char *what, bool missing_ok, char ***names,
		     size_t *count, struct perr *err);

/* Frees a list from profile_dir_list. NULL is fine. */
void profile_dir_free(char **names, size_t count);

/* The head of a kind's profile set (first member of struct snmp_profile_set
 * and struct modbus_profile_set). */
struct profile_cached {
	struct profile_cached *next;
	char *dir;
	size_t refs;
};

/* Loaded sets of one kind, one per directory. The list lives in the kind's
 * module, not in struct agent, and holds nothing once the last device's
 * configuration is freed. */
struct profile_cache {
	struct profile_cached *sets;
	size_t size; /* of the kind's set */
	/* Fills set (zeroed, dir already set) from dir; on error, what it
	 * loaded is freed by free_set. 0 or -errno with err set. */
	int (*load)(const char *dir, struct profile_cached *set, struct perr *err);
	void (*free_set)(struct profile_cached *set); /* what load made, not the set */
};

/* The set of dir with one more reference, loaded at the first call. 0 or
 * -errno with err set. */
int profile_cache_get(struct profile_cache *c, const char *dir, struct profile_cached **out,
		      struct perr *err);

/* Drops a reference; the last frees the set. NULL is fine. */
void profile_cache_put(struct profile_cache *c, struct profile_cached *set);

#endif
