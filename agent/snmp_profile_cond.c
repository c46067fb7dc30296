/* Row tests of SNMP profiles (when, unless, conditional fahrenheit) and the
 * word rule for label and attribute names, shared by the metric and the
 * inventory parsers. */
#include "snmp_profile.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Names of labels, fields and index parts: one lower-case word. */
bool snmp_profile_valid_word(const char *s)
{
	if (!*s || (*s >= '0' && *s <= '9'))
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}

void snmp_profile_conds_free(struct snmp_profile_cond *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(c[i].attr);
		for (size_t k = 0; k < c[i].npatterns; k++)
			free(c[i].patterns[k]);
		free(c[i].patterns);
	}
	free(c);
}

/* One test: `name: pattern` or `name: [pattern, ...]`. */
static int parse_cond(const struct conf_pair *pr, const char *file, const char *what,
		      struct snmp_profile_cond *c, struct perr *err)
{
	struct conf_node at = {.file = file, .line = pr->line};
	const struct conf_node *v = pr->value;
	if (!snmp_profile_valid_word(pr->key))
		return conf_error(err, &at, "%s: '%s' is not a label or attribute name", what,
				  pr->key);
	if (!(c->attr = strdup(pr->key)))
		return perr_setc(err, -ENOMEM, "out of memory");
	size_t n = v->kind == CONF_SEQ ? v->n : 1;
	if (v->kind == CONF_MAP || n == 0)
		return conf_error(err, &at, "%s.%s: give a text pattern or a list of them", what,
				  pr->key);
	c->patterns = calloc(n, sizeof(char *));
	if (!c->patterns)
		return perr_setc(err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		const struct conf_node *item = v->kind == CONF_SEQ ? v->items[i] : v;
		if (item->kind != CONF_SCALAR)
			return conf_error(err, item, "%s.%s: patterns are text", what, pr->key);
		if (!(c->patterns[i] = strdup(item->scalar)))
			return perr_setc(err, -ENOMEM, "out of memory");
		c->npatterns = i + 1;
	}
	return 0;
}

/* A mapping of row tests: { status: ["1", "2"], unit: "*F" }. */
int snmp_profile_conds_parse(const struct conf_node *n, const char *what,
			     struct snmp_profile_cond **out, size_t *count, struct perr *err)
{
	if (n->kind != CONF_MAP || n->n == 0)
		return conf_error(err, n, "%s must map label or attribute names to patterns", what);
	*out = calloc(n->n, sizeof(**out));
	if (!*out)
		return perr_setc(err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < n->n; i++) {
		*count = i + 1;
		int rc = parse_cond(&n->pairs[i], n->file, what, &(*out)[i], err);
		if (rc < 0)
			return rc;
	}
	return 0;
}
