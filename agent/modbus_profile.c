/* Modbus profiles: YAML files into plain structs, and the shared set of one
 * directory (see modbus_profile.h). The set list lives here rather than in
 * struct agent so that profiles touched no core file. */
#include "modbus_profile.h"
#include "profile_dir.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


struct profile_raw {
	struct modbus_profile p;
	const struct conf_node *fields;
};

static const struct conf_option profile_options[] = {
	{.name = "name",
	 .type = CONF_T_STRING,
	 .offset = offsetof(struct profile_raw, p.name),
	 .required = true},
	{.name = "description",
	 .type = CONF_T_STRING,
	 .offset = offsetof(struct profile_raw, p.description),
	 .dflt = ""},
	{.name = "max_registers_per_read",
	 .type = CONF_T_INT,
	 .offset = offsetof(struct profile_raw, p.max_registers_per_read),
	 .min = 1,
	 .max = 125},
	{.name = "max_bits_per_read",
	 .type = CONF_T_INT,
	 .offset = offsetof(struct profile_raw, p.max_bits_per_read),
	 .min = 1,
	 .max = 2000},
	{.name = "max_gap",
	 .type = CONF_T_INT,
	 .offset = offsetof(struct profile_raw, p.max_gap),
	 .min = 0,
	 .max = 125},
	{.name = "fields",
	 .type = CONF_T_NODE,
	 .offset = offsetof(struct profile_raw, fields),
	 .required = true},
};

/* Lower-case letters, digits, '-', '_' and '.', starting with a letter. */
static bool valid_name(const char *s)
{
	if (!(*s >= 'a' && *s <= 'z'))
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' ||
		      *s == '_' || *s == '.'))
			return false;
	return true;
}

static int parse_fields(struct modbus_profile *p, const struct conf_node *seq, struct perr *err)
{
	if (seq->kind != CONF_SEQ || seq->n == 0)
		return conf_error(err, seq, "fields must be a non-empty list of fields");
	p->fields = calloc(seq->n, sizeof(*p->fields));
	if (!p->fields)
		return perr_setc(err, -ENOMEM, "out of memory");
	/* The device's own limits are checked when a device uses the profile;
	 * here a field only has to fit the protocol's. */
	int64_t regs = p->max_registers_per_read ? p->max_registers_per_read : 125;
	int64_t bits = p->max_bits_per_read ? p->max_bits_per_read : 2000;
	unsigned warnings = 0;
	for (size_t i = 0; i < seq->n; i++) {
		struct modbus_field *f = &p->fields[i];
		int rc = modbus_field_parse(seq->items[i], regs, bits, f, &warnings, err);
		if (rc < 0)
			return rc;
		p->nfields = i + 1;
		for (size_t j = 0; j < i; j++)
			if (modbus_field_same_series(&p->fields[j], f))
				return conf_error(err, seq->items[i], "%s is the same field as line %d",
						  f->metric, p->fields[j].line);
	}
	return 0;
}

int modbus_profile_parse(const struct conf_node *root, struct modbus_profile *p, struct perr *err)
{
	struct profile_raw raw = {0};
	*p = (struct modbus_profile){0};
	if (!root || root->kind != CONF_MAP)
		return conf_error(err, root, "a Modbus profile must be a mapping with name and fields");
	int rc = conf_apply(profile_options, CONF_COUNT(profile_options), root, "profile", &raw,
			    err);
	*p = raw.p;
	if (rc == 0 && !valid_name(p->name))
		rc = conf_error(err, conf_get(root, "name"),
				"profile.name: '%s' must be lower-case letters, digits, '-', '_' "
				"or '.', starting with a letter",
				p->name);
	if (rc == 0)
		rc = parse_fields(p, raw.fields, err);
	if (rc == 0 && !(p->file = strdup(root->file ? root->file : "")))
		rc = perr_setc(err, -ENOMEM, "out of memory");
	if (rc < 0)
		modbus_profile_free(p);
	return rc;
}

int modbus_profile_load_file(const char *path, struct modbus_profile *p, struct perr *err)
{
	struct conf_doc doc = {0};
	*p = (struct modbus_profile){0};
	int rc = conf_load_file(path, &doc, err);
	if (rc < 0)
		return rc;
	if (!doc.root) {
		struct conf_node at = {.file = path, .line = 1};
		rc = conf_error(err, &at, "empty Modbus profile");
	} else {
		rc = modbus_profile_parse(doc.root, p, err);
	}
	conf_doc_free(&doc);
	return rc;
}

void modbus_profile_free(struct modbus_profile *p)
{
	for (size_t i = 0; i < p->nfields; i++)
		modbus_field_free(&p->fields[i]);
	free(p->fields);
	free(p->name);
	free(p->description);
	free(p->file);
	*p = (struct modbus_profile){0};
}

/* ---- the set of one directory ------------------------------------------ */

static void set_free(struct profile_cached *base)
{
	struct modbus_profile_set *s = (struct modbus_profile_set *)base;
	for (size_t i = 0; i < s->n; i++)
		modbus_profile_free(&s->profiles[i]);
	free(s->profiles);
}

static int load_one(struct modbus_profile_set *s, const char *dir, const char *name,
		    struct perr *err)
{
	char file[4096];
	if ((size_t)snprintf(file, sizeof(file), "%s/%s", dir, name) >= sizeof(file))
		return perr_set(err, "[%s] profile file name too long", dir);
	struct modbus_profile *p = &s->profiles[s->n];
	int rc = modbus_profile_load_file(file, p, err);
	if (rc < 0)
		return rc;
	const struct modbus_profile *other = modbus_profile_set_find(s, p->name);
	if (other) {
		rc = perr_set(err, "[%s:1] profile name '%s' is already used by %s", p->file,
			      p->name, other->file);
		modbus_profile_free(p);
		return rc;
	}
	s->n++;
	return 0;
}

static int load_set(const char *dir, struct profile_cached *base, struct perr *err)
{
	struct modbus_profile_set *s = (struct modbus_profile_set *)base;
	char path[4096];
	if ((size_t)snprintf(path, sizeof(path), "%s/modbus", dir) >= sizeof(path))
		return perr_set(err, "[%s] profile directory name too long", dir);
	char **names = NULL;
	size_t n = 0;
	int rc = profile_dir_list(path, "Modbus", true, &names, &n, err);
	if (rc < 0)
		return rc;
	s->profiles = calloc(n ? n : 1, sizeof(s->profiles[0]));
	if (!s->profiles)
		rc = perr_setc(err, -ENOMEM, "out of memory");
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = load_one(s, path, names[i], err);
	profile_dir_free(names, n);
	return rc;
}

static struct profile_cache cache = {
	.size = sizeof(struct modbus_profile_set), .load = load_set, .free_set = set_free};

int modbus_profile_set_get(const char *dir, struct modbus_profile_set **out, struct perr *err)
{
	struct profile_cached *s;
	int rc = profile_cache_get(&cache, dir, &s, err);
	*out = rc == 0 ? (struct modbus_profile_set *)s : NULL;
	return rc;
}

void modbus_profile_set_put(struct modbus_profile_set *set)
{
	profile_cache_put(&cache, set ? &set->base : NULL);
}

const struct modbus_profile *modbus_profile_set_find(const struct modbus_profile_set *set,
						     const char *name)
{
	for (size_t i = 0; i < set->n; i++)
		if (strcmp(set->profiles[i].name, name) == 0)
			return &set->profiles[i];
	return NULL;
}
