#include "profile_dir.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_yaml(const char *name)
{
	size_t n = strlen(name);
	return name[0] != '.' && ((n > 5 && strcmp(name + n - 5, ".yaml") == 0) ||
				  (n > 4 && strcmp(name + n - 4, ".yml") == 0));
}

void profile_dir_free(char **names, size_t count)
{
	for (size_t i = 0; names && i < count; i++)
		free(names[i]);
	free(names);
}

static int add_name(char ***names, size_t *n, size_t *cap, const char *name)
{
	if (*n == *cap) {
		size_t want = *cap ? *cap * 2 : 16;
		char **more = realloc(*names, want * sizeof(**names));
		if (!more)
			return -ENOMEM;
		*names = more;
		*cap = want;
	}
	if (!((*names)[*n] = strdup(name)))
		return -ENOMEM;
	(*n)++;
	return 0;
}

int profile_dir_list(const char *path, const char *what, bool missing_ok, char ***names,
		     size_t *count, struct perr *err)
{
	*names = NULL;
	*count = 0;
	DIR *d = opendir(path);
	if (!d && errno == ENOENT && missing_ok)
		return 0;
	if (!d)
		return perr_setc(err, -errno, "[%s] cannot open the %s profile directory: %s",
				 path, what, strerror(errno));
	char **list = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;
	struct dirent *e;
	while (rc == 0 && (e = readdir(d)))
		if (is_yaml(e->d_name))
			rc = add_name(&list, &n, &cap, e->d_name);
	closedir(d);
	if (rc < 0) {
		profile_dir_free(list, n);
		return perr_setc(err, rc, "out of memory");
	}
	if (n)
		qsort(list, n, sizeof(*list), cmp_names);
	*names = list;
	*count = n;
	return 0;
}

/* ---- the cache of loaded sets ------------------------------------------- */

static void cached_free(struct profile_cache *c, struct profile_cached *s)
{
	c->free_set(s);
	free(s->dir);
	free(s);
}

int profile_cache_get(struct profile_cache *c, const char *dir, struct profile_cached **out,
		      struct perr *err)
{
	for (struct profile_cached *s = c->sets; s; s = s->next) {
		if (strcmp(s->dir, dir) == 0) {
			s->refs++;
			*out = s;
			return 0;
		}
	}
	struct profile_cached *s = calloc(1, c->size);
	if (!s || !(s->dir = strdup(dir))) {
		free(s);
		return perr_setc(err, -ENOMEM, "out of memory");
	}
	int rc = c->load(dir, s, err);
	if (rc < 0) {
		cached_free(c, s);
		return rc;
	}
	s->refs = 1;
	s->next = c->sets;
	c->sets = s;
	*out = s;
	return 0;
}

void profile_cache_put(struct profile_cache *c, struct profile_cached *set)
{
	if (!set || --set->refs > 0)
		return;
	for (struct profile_cached **pp = &c->sets; *pp; pp = &(*pp)->next) {
		if (*pp == set) {
			*pp = set->next;
			break;
		}
	}
	cached_free(c, set);
}
