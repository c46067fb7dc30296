/* Typed option tables applied to a parsed YAML mapping. */
#include "conf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *type_word(enum conf_type t)
{
	switch (t) {
	case CONF_T_STRING:
		return "a string";
	case CONF_T_BOOL:
		return "true or false";
	case CONF_T_INT:
		return "an integer";
	case CONF_T_DOUBLE:
		return "a number";
	case CONF_T_DURATION:
		return "a duration such as 500ms, 10s, 5m, 26h or 1d";
	case CONF_T_SIZE:
		return "a size such as 512MiB or 1GiB";
	case CONF_T_ENUM:
		return "one of the listed words";
	case CONF_T_NODE:
		break;
	}
	return "a value";
}

static int check_bounds(const struct conf_option *o, int64_t v, const struct conf_node *at,
			const char *section, struct perr *err)
{
	if (o->min == 0 && o->max == 0)
		return 0;
	if (v < o->min || v > o->max)
		return conf_error(err, at, "%s.%s: %lld is out of range (%lld to %lld)", section,
				  o->name, (long long)v, (long long)o->min, (long long)o->max);
	return 0;
}

static int enum_error(const struct conf_option *o, const char *s, const struct conf_node *at,
		      const char *section, struct perr *err)
{
	char list[200] = "";
	size_t used = 0;
	for (const char *const *n = o->names; *n && used < sizeof(list) - 40; n++) {
		int w = snprintf(list + used, sizeof(list) - used, "%s%s", used ? ", " : "", *n);
		if (w < 0)
			break;
		used += (size_t)w;
	}
	return conf_error(err, at, "%s.%s: '%s' is not one of: %s", section, o->name, s, list);
}

/* Converts text (a YAML scalar or a default) into the target field. */
static int set_value(const struct conf_option *o, const char *s, const struct conf_node *at,
		     const char *section, void *target, struct perr *err)
{
	char *field = (char *)target + o->offset;
	int64_t i;
	uint64_t u;
	switch (o->type) {
	case CONF_T_STRING: {
		char *copy = strdup(s);
		if (!copy)
			return perr_setc(err, -ENOMEM, "out of memory");
		free(*(char **)field);
		*(char **)field = copy;
		return 0;
	}
	case CONF_T_BOOL:
		if (conf_parse_bool(s, (bool *)field) == 0)
			return 0;
		break;
	case CONF_T_INT:
		if (conf_parse_int(s, &i) == 0) {
			*(int64_t *)field = i;
			return check_bounds(o, i, at, section, err);
		}
		break;
	case CONF_T_DOUBLE:
		if (conf_parse_double(s, (double *)field) == 0)
			return 0;
		break;
	case CONF_T_DURATION:
	case CONF_T_SIZE: {
		int rc = o->type == CONF_T_DURATION ? conf_parse_duration_ms(s, &u)
						    : conf_parse_size(s, &u);
		if (rc == 0 && u <= INT64_MAX) {
			*(uint64_t *)field = u;
			return check_bounds(o, (int64_t)u, at, section, err);
		}
		break;
	}
	case CONF_T_ENUM:
		for (int k = 0; o->names[k]; k++) {
			if (strcmp(o->names[k], s) == 0) {
				*(int *)field = k;
				return 0;
			}
		}
		return enum_error(o, s, at, section, err);
	case CONF_T_NODE:
		return 0;
	}
	return conf_error(err, at, "%s.%s: '%s' is not %s", section, o->name, s,
			  type_word(o->type));
}

static const struct conf_option *find_option(const struct conf_option *table, size_t n,
					     const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(table[i].name, key) == 0)
			return &table[i];
	return NULL;
}

static int unknown_key(const struct conf_option *table, size_t n, const struct conf_pair *pair,
		       const char *section, struct perr *err)
{
	char list[240] = "";
	size_t used = 0;
	for (size_t i = 0; i < n && used < sizeof(list) - 40; i++) {
		int w = snprintf(list + used, sizeof(list) - used, "%s%s", used ? ", " : "",
				 table[i].name);
		if (w < 0)
			break;
		used += (size_t)w;
	}
	struct conf_node at = {.file = pair->value->file, .line = pair->line};
	return conf_error(err, &at, "unknown key '%s' in %s (known: %s)", pair->key, section, list);
}

int conf_apply(const struct conf_option *table, size_t n, const struct conf_node *map,
	       const char *section, void *target, struct perr *err)
{
	if (map && map->kind != CONF_MAP)
		return conf_error(err, map, "%s must be a mapping of key: value", section);
	for (size_t i = 0; i < n; i++) {
		if (table[i].dflt) {
			int rc = set_value(&table[i], table[i].dflt, NULL, section, target, err);
			if (rc < 0)
				return rc;
		}
	}
	for (size_t i = 0; map && i < map->n; i++) {
		const struct conf_pair *pair = &map->pairs[i];
		const struct conf_option *o = find_option(table, n, pair->key);
		if (!o)
			return unknown_key(table, n, pair, section, err);
		if (o->type == CONF_T_NODE) {
			*(const struct conf_node **)((char *)target + o->offset) = pair->value;
			continue;
		}
		if (pair->value->kind != CONF_SCALAR)
			return conf_error(err, pair->value, "%s.%s must be %s, not a %s", section,
					  o->name, type_word(o->type),
					  pair->value->kind == CONF_MAP ? "mapping" : "list");
		int rc = set_value(o, pair->value->scalar, pair->value, section, target, err);
		if (rc < 0)
			return rc;
	}
	/* A missing section (map NULL) is the caller's to judge: it only gets
	 * its defaults here. */
	for (size_t i = 0; map && i < n; i++) {
		if (table[i].required && !conf_get(map, table[i].name)) {
			return conf_error(err, map, "%s: required key '%s' is missing", section,
					  table[i].name);
		}
	}
	return 0;
}

void conf_release(const struct conf_option *table, size_t n, void *target)
{
	for (size_t i = 0; i < n; i++) {
		if (table[i].type == CONF_T_STRING) {
			char **field = (char **)((char *)target + table[i].offset);
			free(*field);
			*field = NULL;
		}
	}
}

int conf_parse_numbers(const struct conf_node *seq, const char *what, size_t max, double **out,
		       size_t *n, struct perr *err)
{
	*out = NULL;
	*n = 0;
	if (seq->kind != CONF_SEQ || seq->n == 0 || seq->n > max)
		return conf_error(err, seq, "%s must be a list of 1 to %zu numbers", what, max);
	double *v = calloc(seq->n, sizeof(*v));
	if (!v)
		return perr_setc(err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < seq->n; i++) {
		const struct conf_node *item = seq->items[i];
		if (item->kind != CONF_SCALAR || !item->scalar ||
		    conf_parse_double(item->scalar, &v[i]) < 0) {
			free(v);
			return conf_error(err, item, "%s: not a number", what);
		}
	}
	*out = v;
	*n = seq->n;
	return 0;
}
