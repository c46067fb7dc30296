/* SNMP device profiles: YAML into plain structs (see snmp_profile.h). */
#include "snmp_profile.h"

#include "snmp_profile_inv.h"
#include "snmp_rate.h"
#include "snmp_walk.h"

#include <net-snmp/library/asn1.h>

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_names[] = {"gauge", "counter", "state", NULL};

/* What a metric (a scalar or a table column) may say. */
struct metric_conf {
	char *metric;
	char *oid;
	int64_t column;
	char *unit;
	int kind;
	double scale, divide, offset;
	const struct conf_node *states, *invalid;
	const struct conf_node *when, *unless, *fahrenheit;
	char *digits, *divide_by, *state_text;
};

static const struct conf_option metric_opts[] = {
	{"metric", CONF_T_STRING, offsetof(struct metric_conf, metric), true},
	{"oid", CONF_T_STRING, offsetof(struct metric_conf, oid)},
	{"column", CONF_T_INT, offsetof(struct metric_conf, column), .min = 0, .max = UINT32_MAX},
	{"unit", CONF_T_STRING, offsetof(struct metric_conf, unit), .dflt = ""},
	{"kind", CONF_T_ENUM, offsetof(struct metric_conf, kind), .dflt = "gauge",
	 .names = kind_names},
	{"scale", CONF_T_DOUBLE, offsetof(struct metric_conf, scale), .dflt = "1"},
	{"divide", CONF_T_DOUBLE, offsetof(struct metric_conf, divide), .dflt = "1"},
	{"offset", CONF_T_DOUBLE, offsetof(struct metric_conf, offset), .dflt = "0"},
	{"states", CONF_T_NODE, offsetof(struct metric_conf, states)},
	{"invalid", CONF_T_NODE, offsetof(struct metric_conf, invalid)},
	{"when", CONF_T_NODE, offsetof(struct metric_conf, when)},
	{"unless", CONF_T_NODE, offsetof(struct metric_conf, unless)},
	{"fahrenheit", CONF_T_NODE, offsetof(struct metric_conf, fahrenheit)},
	{"digits", CONF_T_STRING, offsetof(struct metric_conf, digits)},
	{"divide_by", CONF_T_STRING, offsetof(struct metric_conf, divide_by)},
	{"state_text", CONF_T_STRING, offsetof(struct metric_conf, state_text)},
};

/* An inventory field or a label column. */
struct text_conf {
	char *name;
	char *oid;
	int64_t column;
	double divide;
	bool is_volatile;
};

static const struct conf_option field_opts[] = {
	{"name", CONF_T_STRING, offsetof(struct text_conf, name), true},
	{"oid", CONF_T_STRING, offsetof(struct text_conf, oid), true},
	{"divide", CONF_T_DOUBLE, offsetof(struct text_conf, divide), .dflt = "1"},
	{"volatile", CONF_T_BOOL, offsetof(struct text_conf, is_volatile), .dflt = "false"},
};

static const struct conf_option label_opts[] = {
	{"name", CONF_T_STRING, offsetof(struct text_conf, name), true},
	{"oid", CONF_T_STRING, offsetof(struct text_conf, oid)},
	{"column", CONF_T_INT, offsetof(struct text_conf, column), .min = 0, .max = UINT32_MAX},
};

/* Names of metrics: lower-case words joined by dots ("ups.input.voltage"). */
static bool valid_metric(const char *s)
{
	bool word_start = true;
	if (!*s)
		return false;
	for (; *s; s++) {
		bool alnum = (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_';
		if (*s == '.') {
			if (word_start)
				return false;
			word_start = true;
		} else if (!alnum || (word_start && *s >= '0' && *s <= '9')) {
			return false;
		} else {
			word_start = false;
		}
	}
	return !word_start;
}

static bool valid_state_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == '-'))
			return false;
	return true;
}

/* Profile names are also file-like words: "ups-mib", "eaton.xups". */
static bool valid_profile_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_' ||
		      *s == '-' || *s == '.'))
			return false;
	return true;
}

static char *take(char **s)
{
	char *v = *s;
	*s = NULL;
	return v;
}

static int copy_oid(const oid *sub, size_t len, struct snmp_profile_oid *out, struct perr *err)
{
	out->sub = malloc(len * sizeof(oid));
	if (!out->sub)
		return perr_setc(err, -ENOMEM, "out of memory");
	memcpy(out->sub, sub, len * sizeof(oid));
	out->len = len;
	return 0;
}

static int parse_oid(const struct conf_node *at, const char *text, const char *what,
		     struct snmp_profile_oid *out, struct perr *err)
{
	oid tmp[MAX_OID_LEN];
	size_t len;
	int rc = snmp_walk_parse_oid(text, tmp, MAX_OID_LEN, &len);
	if (rc == -E2BIG)
		return conf_error(err, at, "%s: OID '%s' is longer than %d sub-identifiers", what,
				  text, MAX_OID_LEN);
	if (rc < 0)
		return conf_error(err, at,
				  "%s: '%s' is not a numeric OID such as 1.3.6.1.2.1.1.1.0", what,
				  text);
	return copy_oid(tmp, len, out, err);
}

/* The object's OID: `oid` as written, or a `column` of the table's entry. */
static int object_oid(const struct conf_node *at, const char *section, const char *text,
		      int64_t column, const struct snmp_profile_oid *entry,
		      struct snmp_profile_oid *out, struct perr *err)
{
	if (text && column)
		return conf_error(err, at, "%s: give either oid or column, not both", section);
	if (text)
		return parse_oid(at, text, section, out, err);
	if (!column || !entry)
		return conf_error(err, at, "%s: required key '%s' is missing", section,
				  entry ? "oid (or column)" : "oid");
	if (entry->len + 1 > MAX_OID_LEN)
		return conf_error(err, at, "%s: column OID is too long", section);
	oid tmp[MAX_OID_LEN];
	memcpy(tmp, entry->sub, entry->len * sizeof(oid));
	tmp[entry->len] = (oid)column;
	return copy_oid(tmp, entry->len + 1, out, err);
}

static int parse_states(const struct conf_node *n, const char *section,
			struct snmp_profile_object *o, struct perr *err)
{
	if (n->kind != CONF_MAP)
		return conf_error(err, n, "%s.states must be a mapping of value: name", section);
	if (n->n > SNMP_PROFILE_MAX_STATES)
		return conf_error(err, n, "%s.states: more than %d states", section,
				  SNMP_PROFILE_MAX_STATES);
	o->states = calloc(n->n ? n->n : 1, sizeof(o->states[0]));
	if (!o->states)
		return perr_setc(err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < n->n; i++) {
		const struct conf_pair *pr = &n->pairs[i];
		int64_t v;
		struct conf_node at = {.file = n->file, .line = pr->line};
		if (conf_parse_int(pr->key, &v) < 0 || v < INT32_MIN || v > UINT32_MAX)
			return conf_error(err, &at, "%s.states: '%s' is not an integer value",
					  section, pr->key);
		/* State names keep the MIB's spelling (batteryNormal). */
		if (pr->value->kind != CONF_SCALAR || !valid_state_name(pr->value->scalar))
			return conf_error(
				err, &at,
				"%s.states: the name of %lld must be one word of letters, "
				"digits, _ or - (such as batteryNormal)",
				section, (long long)v);
		o->states[i].value = (long)v;
		o->states[i].name = strdup(pr->value->scalar);
		o->nstates = i + 1;
		if (!o->states[i].name)
			return perr_setc(err, -ENOMEM, "out of memory");
	}
	return 0;
}

static int parse_invalid(const struct conf_node *n, const char *section,
			 struct snmp_profile_object *o, struct perr *err)
{
	char what[160];
	snprintf(what, sizeof(what), "%s.invalid", section);
	return conf_parse_numbers(n, what, 64, &o->invalid, &o->ninvalid, err);
}

/* when, unless, fahrenheit and digits; tables only, except fahrenheit: true. */
static int parse_row_tests(const struct conf_node *n, const char *section,
			   const struct snmp_profile_oid *entry, struct metric_conf *c,
			   struct snmp_profile_object *o, struct perr *err)
{
	char what[128];
	if (!entry && (c->when || c->unless || c->digits || c->divide_by || c->state_text ||
		       (c->fahrenheit && c->fahrenheit->kind != CONF_SCALAR)))
		return conf_error(err, n,
				  "%s: when, unless, digits and conditional fahrenheit need a "
				  "table row",
				  section);
	if ((c->digits || c->divide_by || c->fahrenheit) && c->kind == SERIES_STATE)
		return conf_error(err, n, "%s: a state takes no digits, divide_by or fahrenheit",
				  section);
	if (c->state_text && c->kind != SERIES_STATE)
		return conf_error(err, n, "%s: state_text needs kind: state", section);
	int rc = 0;
	snprintf(what, sizeof(what), "%s.when", section);
	if (c->when)
		rc = snmp_profile_conds_parse(c->when, what, &o->when, &o->nwhen, err);
	snprintf(what, sizeof(what), "%s.unless", section);
	if (rc == 0 && c->unless)
		rc = snmp_profile_conds_parse(c->unless, what, &o->unless, &o->nunless, err);
	snprintf(what, sizeof(what), "%s.fahrenheit", section);
	if (rc == 0 && c->fahrenheit && c->fahrenheit->kind == CONF_SCALAR) {
		if (strcmp(c->fahrenheit->scalar, "true") == 0)
			o->fahrenheit = true;
		else if (strcmp(c->fahrenheit->scalar, "false") != 0)
			rc = conf_error(err, c->fahrenheit,
					"%s: true, false or a mapping of row tests", what);
	} else if (rc == 0 && c->fahrenheit) {
		rc = snmp_profile_conds_parse(c->fahrenheit, what, &o->fahrenheit_if, &o->nfahrenheit_if,
				 err);
	}
	char **names[] = {&c->digits, &c->divide_by, &c->state_text};
	static const char *const keys[] = {"digits", "divide_by", "state_text"};
	for (size_t i = 0; rc == 0 && i < 3; i++)
		if (*names[i] && !snmp_profile_valid_word(*names[i]))
			rc = conf_error(err, n, "%s.%s: '%s' is not a label or attribute name",
					section, keys[i], *names[i]);
	if (rc == 0) {
		o->digits = take(&c->digits);
		o->divide_by = take(&c->divide_by);
		o->state_text = take(&c->state_text);
	}
	return rc;
}

static int check_metric(const struct conf_node *n, const char *section, const struct metric_conf *c,
			struct perr *err)
{
	if (!valid_metric(c->metric))
		return conf_error(err, n,
				  "%s.metric: '%s' must be lower-case words joined by dots "
				  "(such as ups.input.voltage)",
				  section, c->metric);
	if (c->divide == 0)
		return conf_error(err, n, "%s.divide must not be 0", section);
	if (c->kind == SERIES_STATE && (c->scale != 1 || c->divide != 1 || c->offset != 0))
		return conf_error(err, n, "%s: a state takes no scale, divide or offset", section);
	if (c->states && c->kind != SERIES_STATE)
		return conf_error(err, n, "%s: states need kind: state", section);
	return 0;
}

static int parse_metric(const struct conf_node *n, const char *section,
			const struct snmp_profile_oid *entry, struct snmp_profile_object *o,
			struct perr *err)
{
	struct metric_conf c = {0};
	int rc = conf_apply(metric_opts, CONF_COUNT(metric_opts), n, section, &c, err);
	if (rc == 0)
		rc = check_metric(n, section, &c, err);
	if (rc == 0)
		rc = object_oid(n, section, c.oid, c.column, entry, &o->oid, err);
	if (rc == 0 && c.states)
		rc = parse_states(c.states, section, o, err);
	if (rc == 0 && c.invalid)
		rc = parse_invalid(c.invalid, section, o, err);
	if (rc == 0)
		rc = parse_row_tests(n, section, entry, &c, o, err);
	if (rc == 0) {
		o->role = SNMP_PROFILE_METRIC;
		o->name = take(&c.metric);
		o->unit = take(&c.unit);
		o->kind = (enum series_kind)c.kind;
		o->scale = (struct snmp_value_scale){c.scale, c.divide, c.offset};
		o->line = n->line;
	}
	conf_release(metric_opts, CONF_COUNT(metric_opts), &c);
	return rc;
}

static int parse_text(const struct conf_node *n, const char *section, enum snmp_profile_role role,
		      const struct snmp_profile_oid *entry, struct snmp_profile_object *o,
		      struct perr *err)
{
	const struct conf_option *opts = role == SNMP_PROFILE_FIELD ? field_opts : label_opts;
	size_t nopts = role == SNMP_PROFILE_FIELD ? CONF_COUNT(field_opts) : CONF_COUNT(label_opts);
	struct text_conf c = {.divide = 1};
	int rc = conf_apply(opts, nopts, n, section, &c, err);
	if (rc == 0 && !snmp_profile_valid_word(c.name))
		rc = conf_error(err, n, "%s.name: '%s' must be one lower-case word", section,
				c.name);
	if (rc == 0 && c.divide == 0)
		rc = conf_error(err, n, "%s.divide must not be 0", section);
	if (rc == 0)
		rc = object_oid(n, section, c.oid, c.column, entry, &o->oid, err);
	if (rc == 0) {
		o->role = role;
		o->name = take(&c.name);
		o->scale = (struct snmp_value_scale){1, c.divide, 0};
		o->is_volatile = c.is_volatile;
		o->line = n->line;
	}
	conf_release(opts, nopts, &c);
	return rc;
}

static void object_free(struct snmp_profile_object *o)
{
	free(o->name);
	free(o->unit);
	free(o->oid.sub);
	for (size_t i = 0; i < o->nstates; i++)
		free(o->states[i].name);
	free(o->states);
	free(o->invalid);
	snmp_profile_conds_free(o->when, o->nwhen);
	snmp_profile_conds_free(o->unless, o->nunless);
	snmp_profile_conds_free(o->fahrenheit_if, o->nfahrenheit_if);
	free(o->digits);
	free(o->divide_by);
	free(o->state_text);
}

/* Allocates the array for a list node (which may be absent). */
static int list_alloc(const struct conf_node *n, const char *what, size_t elem, void **arr,
		      struct perr *err)
{
	*arr = NULL;
	if (!n)
		return 0;
	if (n->kind != CONF_SEQ)
		return conf_error(err, n, "%s must be a list", what);
	*arr = calloc(n->n ? n->n : 1, elem);
	return *arr ? 0 : perr_setc(err, -ENOMEM, "out of memory");
}

struct table_conf {
	char *name;
	char *oid;
	const struct conf_node *index, *columns, *labels, *attributes;
};

static const struct conf_option table_opts[] = {
	{"name", CONF_T_STRING, offsetof(struct table_conf, name), true},
	{"oid", CONF_T_STRING, offsetof(struct table_conf, oid), true},
	{"index", CONF_T_NODE, offsetof(struct table_conf, index)},
	{"columns", CONF_T_NODE, offsetof(struct table_conf, columns), true},
	{"labels", CONF_T_NODE, offsetof(struct table_conf, labels)},
	{"attributes", CONF_T_NODE, offsetof(struct table_conf, attributes)},
};

static void table_free(struct snmp_profile_table *t)
{
	free(t->name);
	free(t->entry.sub);
	for (size_t i = 0; i < t->nindex; i++)
		free(t->index[i]);
	free(t->index);
	for (size_t i = 0; i < t->ncolumns; i++)
		object_free(&t->columns[i]);
	free(t->columns);
	for (size_t i = 0; i < t->nlabels; i++)
		object_free(&t->labels[i]);
	free(t->labels);
	for (size_t i = 0; i < t->nattrs; i++)
		object_free(&t->attrs[i]);
	free(t->attrs);
}

/* A label name may appear once per row: index parts and label columns share
 * the row's labels, and "oid" is always there. */
static bool label_taken(const struct snmp_profile_table *t, const char *name)
{
	if (strcmp(name, "oid") == 0 || (t->nindex == 0 && strcmp(name, "index") == 0))
		return true;
	for (size_t i = 0; i < t->nindex; i++)
		if (t->index[i] && strcmp(t->index[i], name) == 0)
			return true;
	for (size_t i = 0; i < t->nlabels; i++)
		if (t->labels[i].name && strcmp(t->labels[i].name, name) == 0)
			return true;
	for (size_t i = 0; i < t->nattrs; i++)
		if (t->attrs[i].name && strcmp(t->attrs[i].name, name) == 0)
			return true;
	return false;
}

/* Every row test and digits of the table's metrics names a row text. */
static int check_row_refs(const struct conf_node *cols, const char *section,
			  const struct snmp_profile_table *t, struct perr *err)
{
	for (size_t i = 0; i < t->ncolumns; i++) {
		const struct snmp_profile_object *o = &t->columns[i];
		const struct snmp_profile_cond *sets[] = {o->when, o->unless, o->fahrenheit_if};
		const size_t ns[] = {o->nwhen, o->nunless, o->nfahrenheit_if};
		const char *missing = NULL;
		for (size_t k = 0; k < 3 && !missing; k++)
			for (size_t j = 0; j < ns[k] && !missing; j++)
				if (strcmp(sets[k][j].attr, "oid") == 0 ||
				    !label_taken(t, sets[k][j].attr))
					missing = sets[k][j].attr;
		const char *refs[] = {o->digits, o->divide_by, o->state_text};
		for (size_t k = 0; k < 3 && !missing; k++)
			if (refs[k] && !label_taken(t, refs[k]))
				missing = refs[k];
		if (missing)
			return conf_error(err, cols->items[i],
					  "%s.columns[%zu]: '%s' is no index name, label or "
					  "attribute of this table",
					  section, i, missing);
	}
	return 0;
}

/* Attribute columns: read per row for the metrics' tests, never emitted. */
static int parse_attrs(const struct conf_node *n, const char *section,
		       struct snmp_profile_table *t, struct perr *err)
{
	char what[128];
	snprintf(what, sizeof(what), "%s.attributes", section);
	int rc = list_alloc(n, what, sizeof(t->attrs[0]), (void **)&t->attrs, err);
	if (rc == 0 && n && n->n > SNMP_PROFILE_MAX_LABELS)
		rc = conf_error(err, n, "%s: more than %d attributes", what,
				SNMP_PROFILE_MAX_LABELS);
	for (size_t i = 0; rc == 0 && n && i < n->n; i++) {
		struct snmp_profile_object o = {0};
		snprintf(what, sizeof(what), "%s.attributes[%zu]", section, i);
		rc = parse_text(n->items[i], what, SNMP_PROFILE_LABEL, &t->entry, &o, err);
		if (rc == 0 && label_taken(t, o.name))
			rc = conf_error(err, n->items[i], "%s: name '%s' is used twice", what,
					o.name);
		if (rc < 0) {
			object_free(&o);
			break;
		}
		o.role = SNMP_PROFILE_ATTR;
		t->attrs[t->nattrs++] = o;
	}
	return rc;
}

static int parse_index(const struct conf_node *n, const char *section, struct snmp_profile_table *t,
		       struct perr *err)
{
	char what[96];
	snprintf(what, sizeof(what), "%s.index", section);
	int rc = list_alloc(n, what, sizeof(char *), (void **)&t->index, err);
	for (size_t i = 0; rc == 0 && n && i < n->n; i++) {
		const struct conf_node *v = n->items[i];
		if (v->kind != CONF_SCALAR || !snmp_profile_valid_word(v->scalar))
			return conf_error(err, v, "%s: index names are lower-case words", what);
		if (label_taken(t, v->scalar))
			return conf_error(err, v, "%s: label '%s' is used twice", what, v->scalar);
		t->index[i] = strdup(v->scalar);
		t->nindex = i + 1;
		if (!t->index[i])
			return perr_setc(err, -ENOMEM, "out of memory");
	}
	return rc;
}

static int parse_columns(const struct conf_node *cols, const struct conf_node *labels,
			 const char *section, struct snmp_profile_table *t, struct perr *err)
{
	char what[96];
	snprintf(what, sizeof(what), "%s.columns", section);
	int rc = list_alloc(cols, what, sizeof(t->columns[0]), (void **)&t->columns, err);
	if (rc == 0 && cols->n == 0)
		return conf_error(err, cols, "%s: a table needs at least one column", what);
	for (size_t i = 0; rc == 0 && i < cols->n; i++) {
		snprintf(what, sizeof(what), "%s.columns[%zu]", section, i);
		t->ncolumns = i + 1;
		rc = parse_metric(cols->items[i], what, &t->entry, &t->columns[i], err);
	}
	snprintf(what, sizeof(what), "%s.labels", section);
	if (rc == 0)
		rc = list_alloc(labels, what, sizeof(t->labels[0]), (void **)&t->labels, err);
	for (size_t i = 0; rc == 0 && labels && i < labels->n; i++) {
		struct snmp_profile_object o = {0};
		snprintf(what, sizeof(what), "%s.labels[%zu]", section, i);
		rc = parse_text(labels->items[i], what, SNMP_PROFILE_LABEL, &t->entry, &o, err);
		if (rc == 0 && label_taken(t, o.name))
			rc = conf_error(err, labels->items[i], "%s: label '%s' is used twice", what,
					o.name);
		if (rc < 0) {
			object_free(&o);
			break;
		}
		t->labels[t->nlabels++] = o;
	}
	/* oid, the index labels (or one "index"), the label columns. */
	if (rc == 0 && 1 + (t->nindex ? t->nindex : 1) + t->nlabels > SNMP_PROFILE_MAX_LABELS)
		rc = conf_error(err, cols, "%s: more than %d labels per row", section,
				SNMP_PROFILE_MAX_LABELS);
	return rc;
}

static int parse_table(const struct conf_node *n, const char *section, struct snmp_profile_table *t,
		       struct perr *err)
{
	struct table_conf c = {0};
	int rc = conf_apply(table_opts, CONF_COUNT(table_opts), n, section, &c, err);
	if (rc == 0)
		rc = parse_oid(n, c.oid, section, &t->entry, err);
	if (rc == 0) {
		t->name = take(&c.name);
		rc = parse_index(c.index, section, t, err);
	}
	if (rc == 0)
		rc = parse_columns(c.columns, c.labels, section, t, err);
	if (rc == 0)
		rc = parse_attrs(c.attributes, section, t, err);
	if (rc == 0)
		rc = check_row_refs(c.columns, section, t, err);
	conf_release(table_opts, CONF_COUNT(table_opts), &c);
	return rc;
}

static int parse_tables(const struct conf_node *n, struct snmp_profile *p, struct perr *err)
{
	int rc = list_alloc(n, "tables", sizeof(p->tables[0]), (void **)&p->tables, err);
	for (size_t i = 0; rc == 0 && n && i < n->n; i++) {
		char section[64];
		snprintf(section, sizeof(section), "tables[%zu]", i);
		p->ntables = i + 1;
		rc = parse_table(n->items[i], section, &p->tables[i], err);
	}
	return rc;
}

struct inventory_conf {
	char *kind;
	char *id;
	const struct conf_node *fields;
};

static const struct conf_option inventory_opts[] = {
	{"kind", CONF_T_STRING, offsetof(struct inventory_conf, kind), true},
	{"id", CONF_T_STRING, offsetof(struct inventory_conf, id), .dflt = ""},
	{"fields", CONF_T_NODE, offsetof(struct inventory_conf, fields), true},
};

static int parse_record(const struct conf_node *n, size_t group, struct snmp_profile *p,
			struct perr *err)
{
	if (snmp_profile_inv_is_table(n))
		return snmp_profile_inv_parse(n, group, p, err);
	char section[64];
	snprintf(section, sizeof(section), "inventory[%zu]", group);
	struct inventory_conf c = {0};
	int rc = conf_apply(inventory_opts, CONF_COUNT(inventory_opts), n, section, &c, err);
	if (rc == 0 && !snmp_profile_valid_word(c.kind))
		rc = conf_error(err, n, "%s.kind: '%s' must be one lower-case word", section,
				c.kind);
	if (rc == 0 && (c.fields->kind != CONF_SEQ || c.fields->n == 0))
		rc = conf_error(err, c.fields, "%s.fields must be a list of fields", section);
	for (size_t i = 0; rc == 0 && i < c.fields->n; i++) {
		char what[96];
		snprintf(what, sizeof(what), "%s.fields[%zu]", section, i);
		struct snmp_profile_object *o = &p->scalars[p->nscalars];
		rc = parse_text(c.fields->items[i], what, SNMP_PROFILE_FIELD, NULL, o, err);
		p->nscalars++;
		o->group = group;
	}
	if (rc == 0) {
		p->inventory[group].kind = take(&c.kind);
		p->inventory[group].id = take(&c.id);
		p->ninventory = group + 1;
	}
	conf_release(inventory_opts, CONF_COUNT(inventory_opts), &c);
	return rc;
}

/* Scalars and inventory fields share one array: both are read with GET. */
static int parse_scalars(const struct conf_node *scalars, const struct conf_node *inventory,
			 struct snmp_profile *p, struct perr *err)
{
	size_t total = scalars ? scalars->n : 0;
	if (scalars && scalars->kind != CONF_SEQ)
		return conf_error(err, scalars, "scalars must be a list");
	if (inventory && inventory->kind != CONF_SEQ)
		return conf_error(err, inventory, "inventory must be a list");
	for (size_t i = 0; inventory && i < inventory->n; i++) {
		const struct conf_node *f = conf_get(inventory->items[i], "fields");
		total += f && f->kind == CONF_SEQ ? f->n : 0;
	}
	p->scalars = calloc(total ? total : 1, sizeof(p->scalars[0]));
	p->inventory =
		calloc(inventory && inventory->n ? inventory->n : 1, sizeof(p->inventory[0]));
	if (!p->scalars || !p->inventory)
		return perr_setc(err, -ENOMEM, "out of memory");
	int rc = 0;
	for (size_t i = 0; rc == 0 && scalars && i < scalars->n; i++) {
		char section[64];
		snprintf(section, sizeof(section), "scalars[%zu]", i);
		rc = parse_metric(scalars->items[i], section, NULL, &p->scalars[i], err);
		p->nscalars++;
	}
	for (size_t g = 0; rc == 0 && inventory && g < inventory->n; g++)
		rc = parse_record(inventory->items[g], g, p, err);
	return rc;
}

struct select_conf {
	const struct conf_node *sysobjectid, *detect;
	bool always;
};

static const struct conf_option select_opts[] = {
	{"sysobjectid", CONF_T_NODE, offsetof(struct select_conf, sysobjectid)},
	{"detect", CONF_T_NODE, offsetof(struct select_conf, detect)},
	{"always", CONF_T_BOOL, offsetof(struct select_conf, always), .dflt = "false"},
};

static int parse_oid_list(const struct conf_node *n, const char *what,
			  struct snmp_profile_oid **arr, size_t *count, struct perr *err)
{
	int rc = list_alloc(n, what, sizeof(**arr), (void **)arr, err);
	for (size_t i = 0; rc == 0 && n && i < n->n; i++) {
		const struct conf_node *v = n->items[i];
		if (v->kind != CONF_SCALAR)
			return conf_error(err, v, "%s: expected an OID", what);
		rc = parse_oid(v, v->scalar, what, &(*arr)[i], err);
		if (rc == 0)
			*count = i + 1;
	}
	return rc;
}

static int parse_select(const struct conf_node *n, struct snmp_profile *p, struct perr *err)
{
	struct select_conf c = {0};
	int rc = conf_apply(select_opts, CONF_COUNT(select_opts), n, "select", &c, err);
	if (rc == 0)
		rc = parse_oid_list(c.sysobjectid, "select.sysobjectid", &p->sysobjectid,
				    &p->nsysobjectid, err);
	if (rc == 0)
		rc = parse_oid_list(c.detect, "select.detect", &p->detect, &p->ndetect, err);
	p->always = c.always;
	return rc;
}

struct profile_conf {
	char *name;
	char *description;
	const struct conf_node *select, *inventory, *scalars, *tables, *rates;
};

static const struct conf_option profile_opts[] = {
	{"name", CONF_T_STRING, offsetof(struct profile_conf, name), true},
	{"description", CONF_T_STRING, offsetof(struct profile_conf, description), .dflt = ""},
	{"select", CONF_T_NODE, offsetof(struct profile_conf, select)},
	{"inventory", CONF_T_NODE, offsetof(struct profile_conf, inventory)},
	{"scalars", CONF_T_NODE, offsetof(struct profile_conf, scalars)},
	{"tables", CONF_T_NODE, offsetof(struct profile_conf, tables)},
	{"rates", CONF_T_NODE, offsetof(struct profile_conf, rates)},
};

int snmp_profile_parse(const struct conf_node *root, struct snmp_profile *p, struct perr *err)
{
	memset(p, 0, sizeof(*p));
	if (!root)
		return perr_set(err, "empty profile");
	struct profile_conf c = {0};
	int rc = conf_apply(profile_opts, CONF_COUNT(profile_opts), root, "profile", &c, err);
	if (rc == 0 && !valid_profile_name(c.name))
		rc = conf_error(err, conf_get(root, "name"),
				"profile.name: '%s' must be lower-case letters, digits, '-', '_' "
				"or '.'",
				c.name);
	if (rc == 0 && !(p->file = strdup(root->file)))
		rc = perr_setc(err, -ENOMEM, "out of memory");
	if (rc == 0) {
		p->name = take(&c.name);
		p->description = take(&c.description);
		rc = parse_select(c.select, p, err);
	}
	if (rc == 0)
		rc = parse_scalars(c.scalars, c.inventory, p, err);
	if (rc == 0)
		rc = parse_tables(c.tables, p, err);
	if (rc == 0)
		rc = snmp_rate_parse_rules(c.rates, p, err);
	if (rc == 0 && p->nscalars == 0 && p->ntables == 0 && p->ninv_tables == 0)
		rc = conf_error(err, root,
				"profile %s reads nothing: add scalars, tables or "
				"inventory",
				p->name);
	conf_release(profile_opts, CONF_COUNT(profile_opts), &c);
	if (rc < 0)
		snmp_profile_free(p);
	return rc;
}

int snmp_profile_load_file(const char *path, struct snmp_profile *p, struct perr *err)
{
	struct conf_doc doc;
	memset(p, 0, sizeof(*p));
	int rc = conf_load_file(path, &doc, err);
	if (rc < 0)
		return rc;
	if (!doc.root) {
		conf_doc_free(&doc);
		return perr_set(err, "[%s:1] empty profile", path);
	}
	rc = snmp_profile_parse(doc.root, p, err);
	conf_doc_free(&doc);
	return rc;
}

void snmp_profile_free(struct snmp_profile *p)
{
	free(p->name);
	free(p->description);
	free(p->file);
	for (size_t i = 0; i < p->nsysobjectid; i++)
		free(p->sysobjectid[i].sub);
	free(p->sysobjectid);
	for (size_t i = 0; i < p->ndetect; i++)
		free(p->detect[i].sub);
	free(p->detect);
	for (size_t i = 0; i < p->nscalars; i++)
		object_free(&p->scalars[i]);
	free(p->scalars);
	for (size_t i = 0; i < p->ninventory; i++) {
		free(p->inventory[i].kind);
		free(p->inventory[i].id);
	}
	free(p->inventory);
	for (size_t i = 0; i < p->ntables; i++)
		table_free(&p->tables[i]);
	free(p->tables);
	snmp_profile_inv_free(p);
	snmp_rate_free_rules(p);
	memset(p, 0, sizeof(*p));
}

bool snmp_profile_matches_sysobjectid(const struct snmp_profile *p, const oid *id, size_t len)
{
	for (size_t i = 0; i < p->nsysobjectid; i++)
		if (snmp_walk_has_prefix(id, len, p->sysobjectid[i].sub, p->sysobjectid[i].len))
			return true;
	return false;
}

const char *snmp_profile_state_name(const struct snmp_profile_object *o, long value)
{
	for (size_t i = 0; i < o->nstates; i++)
		if (o->states[i].value == value)
			return o->states[i].name;
	return NULL;
}

bool snmp_profile_is_invalid(const struct snmp_profile_object *o, double raw)
{
	for (size_t i = 0; i < o->ninvalid; i++)
		if (o->invalid[i] == raw)
			return true;
	return false;
}
