/* The profile files of a directory, for the SNMP and Modbus profile sets:
 * every *.yaml or *.yml (no hidden files), sorted by name so the load order
 * never depends on the file system. */
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

#endif
