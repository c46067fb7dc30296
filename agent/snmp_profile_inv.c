/* Inventory records from tables: the profile side (see snmp_profile_inv.h). */
#include "snmp_profile_inv.h"

#include "snmp_walk.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct inv_conf {
	char *kind, *table, *id;
	const struct conf_node *fields;
};

static const struct conf_option inv_opts[] = {
	{"kind", CONF_T_STRING, offsetof(struct inv_conf, kind), true},
	{"table", CONF_T_STRING, offsetof(struct inv_conf, table), true},
	{"id", CONF_T_STRING, offsetof(struct inv_conf, id)},
	{"fields", CONF_T_NODE, offsetof(struct inv_conf, fields), true},
};

struct field_conf {
	char *name, *oid;
	int64_t column, index, lookup;
	bool prefix, address, hex, is_volatile;
	double scale, divide;
	const struct conf_node *states, *names, *invalid;
};

static const struct conf_option field_opts[] = {
	{"name", CONF_T_STRING, offsetof(struct field_conf, name), true},
	{"oid", CONF_T_STRING, offsetof(struct field_conf, oid)},
	{"column", CONF_T_INT, offsetof(struct field_conf, column), .min = 0, .max = UINT32_MAX},
	{"index", CONF_T_INT, offsetof(struct field_conf, index), .min = 0, .max = 128},
	{"lookup", CONF_T_INT, offsetof(struct field_conf, lookup), .min = 0, .max = 128},
	{"prefix", CONF_T_BOOL, offsetof(struct field_conf, prefix), .dflt = "false"},
	{"address", CONF_T_BOOL, offsetof(struct field_conf, address), .dflt = "false"},
	{"hex", CONF_T_BOOL, offsetof(struct field_conf, hex), .dflt = "false"},
	{"volatile", CONF_T_BOOL, offsetof(struct field_conf, is_volatile), .dflt = "false"},
	{"scale", CONF_T_DOUBLE, offsetof(struct field_conf, scale), .dflt = "1"},
	{"divide", CONF_T_DOUBLE, offsetof(struct field_conf, divide), .dflt = "1"},
	{"states", CONF_T_NODE, offsetof(struct field_conf, states)},
	{"names", CONF_T_NODE, offsetof(struct field_conf, names)},
	{"invalid", CONF_T_NODE, offsetof(struct field_conf, invalid)},
};

bool snmp_profile_inv_is_table(const struct conf_node *record)
{
	return conf_get(record, "table") != NULL;
}

static bool valid_state_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == '-' || *s == '.'))
			return false;
	return true;
}

static char *take(char **s)
{
	char *v = *s;
	*s = NULL;
	return v;
}

static int parse_oid(const struct conf_node *at, const char *text, const char *what,
		     struct snmp_profile_oid *out, struct perr *err)
{
	oid tmp[MAX_OID_LEN];
	size_t len;
	if (snmp_walk_parse_oid(text, tmp, MAX_OID_LEN - 1, &len) < 0)
		return conf_error(err, at,
				  "%s: '%s' is not a numeric OID such as 1.3.6.1.2.1.2.2.1", what,
				  text);
	out->sub = malloc((len + 1) * sizeof(oid));
	if (!out->sub)
		return perr_setc(err, -ENOMEM, "out of memory");
	memcpy(out->sub, tmp, len * sizeof(oid));
	out->len = len;
	return 0;
}

static int parse_states(const struct conf_node *n, const char *what,
			struct snmp_profile_inv_field *f, struct perr *err)
{
	if (n->kind != CONF_MAP || n->n > SNMP_PROFILE_MAX_STATES)
		return conf_error(err, n, "%s.states must be a mapping of value: name", what);
	f->states = calloc(n->n ? n->n : 1, sizeof(f->states[0]));
	if (!f->states)
		return perr_setc(err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < n->n; i++) {
		const struct conf_pair *pr = &n->pairs[i];
		struct conf_node at = {.file = n->file, .line = pr->line};
		int64_t v;
		if (conf_parse_int(pr->key, &v) < 0 || v < INT32_MIN || v > UINT32_MAX)
			return conf_error(err, &at, "%s.states: '%s' is not an integer value",
					  what, pr->key);
		if (pr->value->kind != CONF_SCALAR || !valid_state_name(pr->value->scalar))
			return conf_error(err, &at,
					  "%s.states: the name of %lld must be one word of "
					  "letters, digits, '.', _ or -",
					  what, (long long)v);
		f->states[i].value = (long)v;
		f->states[i].name = strdup(pr->value->scalar);
		f->nstates = i + 1;
		if (!f->states[i].name)
			return perr_setc(err, -ENOMEM, "out of memory");
	}
	return 0;
}

/* `names: { value: name }`: the values are matched as text, so an OID
 * value such as jnxContainersType gets its MIB name without loading MIBs. */
static int parse_names(const struct conf_node *n, const char *what,
		       struct snmp_profile_inv_field *f, struct perr *err)
{
	if (n->kind != CONF_MAP || n->n == 0)
		return conf_error(err, n, "%s.names must be a mapping of value: name", what);
	f->names = calloc(n->n, sizeof(f->names[0]));
	if (!f->names)
		return perr_setc(err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < n->n; i++) {
		const struct conf_pair *pr = &n->pairs[i];
		struct conf_node at = {.file = n->file, .line = pr->line};
		if (pr->value->kind != CONF_SCALAR || !*pr->value->scalar)
			return conf_error(err, &at, "%s.names: the name of '%s' must be text",
					  what, pr->key);
		f->names[i].value = strdup(pr->key);
		f->names[i].name = strdup(pr->value->scalar);
		f->nnames = i + 1;
		if (!f->names[i].value || !f->names[i].name)
			return perr_setc(err, -ENOMEM, "out of memory");
	}
	return 0;
}

static int parse_invalid(const struct conf_node *n, const char *what,
			 struct snmp_profile_inv_field *f, struct perr *err)
{
	char key[160];
	snprintf(key, sizeof(key), "%s.invalid", what);
	return conf_parse_numbers(n, key, 64, &f->invalid, &f->ninvalid, err);
}

/* Which source the keys say; exactly one of column/oid, index. */
static int field_source(const struct conf_node *n, const char *what, const struct field_conf *c,
			struct snmp_profile_inv_field *f, struct perr *err)
{
	bool reads = c->oid || c->column;
	if (c->oid && c->column)
		return conf_error(err, n, "%s: give either oid or column, not both", what);
	if (c->index && (reads || c->lookup || c->prefix))
		return conf_error(err, n, "%s: index takes no oid, column, lookup or prefix",
				  what);
	if (!c->index && !reads)
		return conf_error(err, n, "%s: give oid, column or index", what);
	if (c->lookup && c->prefix)
		return conf_error(err, n, "%s: give lookup or prefix, not both", what);
	if (c->address && !c->prefix)
		return conf_error(err, n, "%s: address needs prefix: true", what);
	f->source = c->index	? SNMP_INV_INDEX
		    : c->lookup ? SNMP_INV_LOOKUP
		    : c->prefix ? SNMP_INV_PREFIX
				: SNMP_INV_COLUMN;
	f->part = (unsigned)(c->index ? c->index : c->lookup);
	f->tail_address = c->address;
	return 0;
}

/* Adds the column the field reads to it->walk.labels. */
static int add_column(const struct conf_node *n, const char *what, struct field_conf *c,
		      struct snmp_profile_inv_table *it, struct snmp_profile_inv_field *f,
		      struct perr *err)
{
	struct snmp_profile_table *t = &it->walk;
	struct snmp_profile_object *o = &t->labels[t->nlabels];
	*o = (struct snmp_profile_object){.role = SNMP_PROFILE_FIELD, .line = n->line};
	int rc;
	if (c->oid) {
		rc = parse_oid(n, c->oid, what, &o->oid, err);
	} else {
		/* The entry's OID is at most MAX_OID_LEN - 1 long (parse_oid). */
		o->oid.sub = malloc((t->entry.len + 1) * sizeof(oid));
		rc = o->oid.sub ? 0 : perr_setc(err, -ENOMEM, "out of memory");
		if (rc == 0) {
			memcpy(o->oid.sub, t->entry.sub, t->entry.len * sizeof(oid));
			o->oid.sub[t->entry.len] = (oid)c->column;
			o->oid.len = t->entry.len + 1;
		}
	}
	if (rc == 0 && !(o->name = strdup(c->name)))
		rc = perr_setc(err, -ENOMEM, "out of memory");
	o->hex = c->hex;
	f->col = t->nlabels++;
	return rc;
}

static int parse_field(const struct conf_node *n, const char *what,
		       struct snmp_profile_inv_table *it, struct perr *err)
{
	struct field_conf c = {0};
	struct snmp_profile_inv_field *f = &it->fields[it->nfields++];
	int rc = conf_apply(field_opts, CONF_COUNT(field_opts), n, what, &c, err);
	if (rc == 0 && !snmp_profile_valid_word(c.name))
		rc = conf_error(err, n, "%s.name: '%s' must be one lower-case word", what, c.name);
	if (rc == 0 && (c.divide == 0 || c.scale == 0))
		rc = conf_error(err, n, "%s: scale and divide must not be 0", what);
	if (rc == 0)
		rc = field_source(n, what, &c, f, err);
	if (rc == 0 && f->source != SNMP_INV_INDEX)
		rc = add_column(n, what, &c, it, f, err);
	if (rc == 0 && c.states)
		rc = parse_states(c.states, what, f, err);
	if (rc == 0 && c.names)
		rc = parse_names(c.names, what, f, err);
	if (rc == 0 && c.invalid)
		rc = parse_invalid(c.invalid, what, f, err);
	if (rc == 0) {
		f->name = take(&c.name);
		f->scale = (struct snmp_value_scale){c.scale, c.divide, 0};
		f->scaled = c.scale != 1 || c.divide != 1;
		f->is_volatile = c.is_volatile;
	}
	conf_release(field_opts, CONF_COUNT(field_opts), &c);
	return rc;
}

static void field_free(struct snmp_profile_inv_field *f)
{
	free(f->name);
	for (size_t i = 0; i < f->nstates; i++)
		free(f->states[i].name);
	free(f->states);
	for (size_t i = 0; i < f->nnames; i++) {
		free(f->names[i].value);
		free(f->names[i].name);
	}
	free(f->names);
	free(f->invalid);
}

static void table_free(struct snmp_profile_inv_table *it)
{
	struct snmp_profile_table *t = &it->walk;
	free(t->name);
	free(t->entry.sub);
	for (size_t i = 0; i < t->nlabels; i++) {
		free(t->labels[i].name);
		free(t->labels[i].oid.sub);
	}
	free(t->labels);
	for (size_t i = 0; i < it->nfields; i++)
		field_free(&it->fields[i]);
	free(it->fields);
}

/* Rows come from the plain columns: at least one field must be one. */
static int check_rows(const struct conf_node *n, const char *section,
		      const struct snmp_profile_inv_table *it, struct perr *err)
{
	for (size_t i = 0; i < it->nfields; i++)
		if (it->fields[i].source == SNMP_INV_COLUMN)
			return 0;
	return conf_error(err, n,
			  "%s: a table record needs a field that reads a column of the table "
			  "itself (oid or column without lookup or prefix)",
			  section);
}

static int parse_fields(const struct conf_node *fields, const char *section,
			struct snmp_profile_inv_table *it, struct perr *err)
{
	if (fields->kind != CONF_SEQ || fields->n == 0)
		return conf_error(err, fields, "%s.fields must be a list of fields", section);
	if (fields->n > SNMP_PROFILE_INV_MAX_FIELDS)
		return conf_error(err, fields, "%s: more than %d fields", section,
				  SNMP_PROFILE_INV_MAX_FIELDS);
	it->fields = calloc(fields->n, sizeof(it->fields[0]));
	it->walk.labels = calloc(fields->n, sizeof(it->walk.labels[0]));
	if (!it->fields || !it->walk.labels)
		return perr_setc(err, -ENOMEM, "out of memory");
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < fields->n; i++) {
		char what[96];
		snprintf(what, sizeof(what), "%s.fields[%zu]", section, i);
		rc = parse_field(fields->items[i], what, it, err);
	}
	return rc;
}

static int grow_tables(struct snmp_profile *p)
{
	struct snmp_profile_inv_table *q =
		realloc(p->inv_tables, (p->ninv_tables + 1) * sizeof(*q));
	if (!q)
		return -ENOMEM;
	p->inv_tables = q;
	memset(&q[p->ninv_tables], 0, sizeof(*q));
	return 0;
}

int snmp_profile_inv_parse(const struct conf_node *n, size_t group, struct snmp_profile *p,
			   struct perr *err)
{
	char section[64];
	snprintf(section, sizeof(section), "inventory[%zu]", group);
	struct inv_conf c = {0};
	int rc = conf_apply(inv_opts, CONF_COUNT(inv_opts), n, section, &c, err);
	if (rc == 0 && !snmp_profile_valid_word(c.kind))
		rc = conf_error(err, n, "%s.kind: '%s' must be one lower-case word", section,
				c.kind);
	if (rc == 0 && c.id)
		rc = conf_error(err, n, "%s: a table record's id is its row index; drop id",
				section);
	if (rc == 0 && grow_tables(p) < 0)
		rc = perr_setc(err, -ENOMEM, "out of memory");
	if (rc == 0) {
		struct snmp_profile_inv_table *it = &p->inv_tables[p->ninv_tables++];
		it->group = group;
		rc = parse_oid(n, c.table, section, &it->walk.entry, err);
		if (rc == 0 && !(it->walk.name = strdup(c.kind)))
			rc = perr_setc(err, -ENOMEM, "out of memory");
		if (rc == 0)
			rc = parse_fields(c.fields, section, it, err);
		if (rc == 0)
			rc = check_rows(n, section, it, err);
	}
	if (rc == 0) {
		p->inventory[group].kind = take(&c.kind);
		p->inventory[group].id = strdup("");
		p->ninventory = group + 1;
		if (!p->inventory[group].id)
			rc = perr_setc(err, -ENOMEM, "out of memory");
	}
	conf_release(inv_opts, CONF_COUNT(inv_opts), &c);
	return rc;
}

void snmp_profile_inv_free(struct snmp_profile *p)
{
	for (size_t i = 0; i < p->ninv_tables; i++)
		table_free(&p->inv_tables[i]);
	free(p->inv_tables);
	p->inv_tables = NULL;
	p->ninv_tables = 0;
}
