/* The shared, reference-counted profiles of one directory (see
 * snmp_profile.h). Every SNMP device names the directory it was configured
 * with; devices of one agent share a single copy. The list lives here rather
 * than in struct agent so that adding the SNMP poller touched no core file;
 * it holds nothing once the last device's configuration is freed. */
#include "profile_dir.h"
#include "snmp_profile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void set_free(struct profile_cached *base)
{
	struct snmp_profile_set *s = (struct snmp_profile_set *)base;
	for (size_t i = 0; i < s->n; i++)
		snmp_profile_free(&s->profiles[i]);
	free(s->profiles);
}

static int check_unique(const struct snmp_profile_set *s, const struct snmp_profile *p,
			struct perr *err)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->profiles[i].name, p->name) == 0)
			return perr_set(err, "[%s:1] profile name '%s' is already used by %s",
					p->file, p->name, s->profiles[i].file);
	return 0;
}

static int load_set(const char *dir, struct profile_cached *base, struct perr *err)
{
	struct snmp_profile_set *s = (struct snmp_profile_set *)base;
	char path[4096];
	if ((size_t)snprintf(path, sizeof(path), "%s/snmp", dir) >= sizeof(path))
		return perr_set(err, "[%s] profile directory name too long", dir);
	char **names = NULL;
	size_t n = 0;
	int rc = profile_dir_list(path, "SNMP", false, &names, &n, err);
	if (rc < 0)
		return rc;
	s->profiles = calloc(n ? n : 1, sizeof(s->profiles[0]));
	if (!s->profiles)
		rc = perr_setc(err, -ENOMEM, "out of memory");
	for (size_t i = 0; rc == 0 && i < n; i++) {
		char file[4096];
		if ((size_t)snprintf(file, sizeof(file), "%s/%s", path, names[i]) >= sizeof(file)) {
			rc = perr_set(err, "[%s] profile file name too long", path);
			break;
		}
		struct snmp_profile *p = &s->profiles[s->n];
		rc = snmp_profile_load_file(file, p, err);
		if (rc == 0 && (rc = check_unique(s, p, err)) < 0)
			snmp_profile_free(p);
		if (rc == 0)
			s->n++;
	}
	profile_dir_free(names, n);
	return rc;
}

static struct profile_cache cache = {
	.size = sizeof(struct snmp_profile_set), .load = load_set, .free_set = set_free};

int snmp_profile_set_get(const char *dir, struct snmp_profile_set **out, struct perr *err)
{
	struct profile_cached *s;
	int rc = profile_cache_get(&cache, dir, &s, err);
	*out = rc == 0 ? (struct snmp_profile_set *)s : NULL;
	return rc;
}

void snmp_profile_set_put(struct snmp_profile_set *set)
{
	profile_cache_put(&cache, set ? &set->base : NULL);
}

const struct snmp_profile *snmp_profile_set_find(const struct snmp_profile_set *set,
						 const char *name)
{
	for (size_t i = 0; i < set->n; i++)
		if (strcmp(set->profiles[i].name, name) == 0)
			return &set->profiles[i];
	return NULL;
}
