/* Rates derived from counters (see snmp_rate.h). */
#include "snmp_rate.h"

#include "log.h"
#include "snmp_emit.h"
#include "snmp_profile.h"
#include "snmp_table.h"
#include "snmp_value.h"
#include "snmp_walk.h"

#include <net-snmp/library/asn1.h>

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
	/* sysUpTime may lag or lead the agent's clock by the time a poll
	 * takes; a restart is called only beyond this slack. */
	UPTIME_SLACK_CS = 200,
};

static const double two32 = 4294967296.0;

const char *snmp_rate_verdict_name(enum snmp_rate_verdict v)
{
	static const char *const names[] = {"ok",	"wrapped",	 "first", "no time",
					    "reboot", "discontinuity", "reset"};
	return (unsigned)v < sizeof(names) / sizeof(names[0]) ? names[v] : "?";
}

/* True if the device restarted between the two readings. sysUpTime is a
 * TimeTicks that itself wraps after 497 days; a value that went backwards by
 * just that wrap is not a restart. */
static bool restarted(const struct snmp_rate_reading *prev, const struct snmp_rate_reading *cur,
		      uint64_t dt_ms)
{
	if (!prev->has_uptime || !cur->has_uptime)
		return false;
	double elapsed_cs = (double)dt_ms / 10.0;
	double slack = UPTIME_SLACK_CS + elapsed_cs / 20.0;
	double expected = (double)prev->uptime_cs + elapsed_cs;
	if (cur->uptime_cs < prev->uptime_cs) {
		bool uptime_wrapped = expected >= two32 &&
				      fabs((double)cur->uptime_cs - (expected - two32)) <= slack;
		return !uptime_wrapped;
	}
	/* Up for less time than has passed since the last poll: the device
	 * went down and up in between, even if its uptime is now larger. */
	return (double)cur->uptime_cs + slack < elapsed_cs;
}

enum snmp_rate_verdict snmp_rate_compute(const struct snmp_rate_reading *prev,
					 const struct snmp_rate_reading *cur, double *per_second)
{
	if (!prev)
		return SNMP_RATE_FIRST;
	if (cur->t_ms <= prev->t_ms)
		return SNMP_RATE_NO_TIME;
	uint64_t dt_ms = cur->t_ms - prev->t_ms;
	if (restarted(prev, cur, dt_ms))
		return SNMP_RATE_REBOOT;
	if (prev->has_disc && cur->has_disc && prev->disc != cur->disc)
		return SNMP_RATE_DISCONTINUITY;
	double delta = cur->raw - prev->raw;
	enum snmp_rate_verdict v = SNMP_RATE_OK;
	if (delta < 0) {
		/* Only a Counter32 wraps within a polling interval. */
		if (cur->bits != 32 || prev->bits != 32 || prev->raw >= two32)
			return SNMP_RATE_RESET;
		delta += two32;
		v = SNMP_RATE_WRAPPED;
	}
	*per_second = delta * 1000.0 / (double)dt_ms;
	return v;
}

struct snmp_rate_entry {
	struct snmp_rate_entry *next;
	uint64_t hash;
	struct snmp_rate_reading last;
	char key[]; /* NUL-terminated */
};

void snmp_rate_state_init(struct snmp_rate_state *s)
{
	memset(s, 0, sizeof(*s));
}

void snmp_rate_state_free(struct snmp_rate_state *s)
{
	for (size_t i = 0; i < s->nslots; i++) {
		struct snmp_rate_entry *e = s->slots[i];
		while (e) {
			struct snmp_rate_entry *next = e->next;
			free(e);
			e = next;
		}
	}
	free(s->slots);
	memset(s, 0, sizeof(*s));
}

static uint64_t hash_key(const char *k)
{
	uint64_t h = 14695981039346656037ull;
	for (; *k; k++)
		h = (h ^ (unsigned char)*k) * 1099511628211ull;
	return h;
}

static int grow(struct snmp_rate_state *s)
{
	size_t n = s->nslots ? s->nslots * 2 : 64;
	struct snmp_rate_entry **slots = calloc(n, sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	for (size_t i = 0; i < s->nslots; i++) {
		struct snmp_rate_entry *e = s->slots[i];
		while (e) {
			struct snmp_rate_entry *next = e->next;
			e->next = slots[e->hash & (n - 1)];
			slots[e->hash & (n - 1)] = e;
			e = next;
		}
	}
	free(s->slots);
	s->slots = slots;
	s->nslots = n;
	return 0;
}

static struct snmp_rate_entry *find(const struct snmp_rate_state *s, const char *key, uint64_t h)
{
	if (!s->nslots)
		return NULL;
	for (struct snmp_rate_entry *e = s->slots[h & (s->nslots - 1)]; e; e = e->next)
		if (e->hash == h && strcmp(e->key, key) == 0)
			return e;
	return NULL;
}

int snmp_rate_feed(struct snmp_rate_state *s, const char *key, const struct snmp_rate_reading *cur,
		   double *per_second)
{
	uint64_t h = hash_key(key);
	struct snmp_rate_entry *e = find(s, key, h);
	if (e) {
		enum snmp_rate_verdict v = snmp_rate_compute(&e->last, cur, per_second);
		if (v != SNMP_RATE_NO_TIME)
			e->last = *cur;
		return (int)v;
	}
	if (s->n + 1 > s->nslots * 3 / 4 && grow(s) < 0)
		return -ENOMEM;
	size_t len = strlen(key);
	e = malloc(sizeof(*e) + len + 1);
	if (!e)
		return -ENOMEM;
	memcpy(e->key, key, len + 1);
	e->hash = h;
	e->last = *cur;
	e->next = s->slots[h & (s->nslots - 1)];
	s->slots[h & (s->nslots - 1)] = e;
	s->n++;
	return (int)SNMP_RATE_FIRST;
}

void snmp_rate_sweep(struct snmp_rate_state *s, uint64_t now_ms, uint64_t max_age_ms)
{
	for (size_t i = 0; i < s->nslots; i++) {
		struct snmp_rate_entry **pp = &s->slots[i];
		while (*pp) {
			struct snmp_rate_entry *e = *pp;
			if (now_ms > e->last.t_ms && now_ms - e->last.t_ms > max_age_ms) {
				*pp = e->next;
				free(e);
				s->n--;
			} else {
				pp = &e->next;
			}
		}
	}
}

/* --- the profile's `rates:` rules --- */

struct rule_conf {
	char *from, *metric, *unit, *discontinuity;
	double scale;
};

static const struct conf_option rule_opts[] = {
	{"from", CONF_T_STRING, offsetof(struct rule_conf, from), true},
	{"metric", CONF_T_STRING, offsetof(struct rule_conf, metric), true},
	{"unit", CONF_T_STRING, offsetof(struct rule_conf, unit), .dflt = ""},
	{"scale", CONF_T_DOUBLE, offsetof(struct rule_conf, scale), .dflt = "1"},
	{"discontinuity", CONF_T_STRING, offsetof(struct rule_conf, discontinuity)},
};

static char *take(char **s)
{
	char *v = *s;
	*s = NULL;
	return v;
}

/* Points every counter metric called rule->from at the rule; returns how
 * many there are. A metric of another kind is an error (-EINVAL). */
static int bind_rule(struct snmp_profile *p, const struct snmp_rate_rule *r)
{
	int n = 0;
	for (size_t i = 0; i < p->nscalars; i++) {
		struct snmp_profile_object *o = &p->scalars[i];
		if (o->role == SNMP_PROFILE_METRIC && strcmp(o->name, r->from) == 0) {
			if (o->kind != SERIES_COUNTER)
				return -EINVAL;
			o->rate = r;
			n++;
		}
	}
	for (size_t t = 0; t < p->ntables; t++) {
		for (size_t i = 0; i < p->tables[t].ncolumns; i++) {
			struct snmp_profile_object *o = &p->tables[t].columns[i];
			if (strcmp(o->name, r->from) != 0)
				continue;
			if (o->kind != SERIES_COUNTER)
				return -EINVAL;
			o->rate = r;
			n++;
		}
	}
	return n;
}

static bool valid_name(const char *s)
{
	if (!*s || *s == '.')
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_' ||
		      *s == '.'))
			return false;
	return s[-1] != '.';
}

static int parse_rule(const struct conf_node *n, const char *section, struct snmp_profile *p,
		      struct snmp_rate_rule *r, struct perr *err)
{
	struct rule_conf c = {0};
	int rc = conf_apply(rule_opts, CONF_COUNT(rule_opts), n, section, &c, err);
	if (rc == 0 && (!valid_name(c.metric) || !valid_name(c.from)))
		rc = conf_error(err, n, "%s: metric names are lower-case words joined by dots",
				section);
	if (rc == 0 && !(r->obj = calloc(1, sizeof(*r->obj))))
		rc = perr_setc(err, -ENOMEM, "out of memory");
	if (rc == 0) {
		r->from = take(&c.from);
		r->discontinuity = take(&c.discontinuity);
		r->obj->role = SNMP_PROFILE_METRIC;
		r->obj->name = take(&c.metric);
		r->obj->unit = take(&c.unit);
		r->obj->kind = SERIES_GAUGE;
		r->obj->scale = (struct snmp_value_scale){c.scale, 1, 0};
		r->obj->line = n->line;
		int b = bind_rule(p, r);
		if (b < 0)
			rc = conf_error(err, n, "%s: %s is not a counter (kind: counter)", section,
					r->from);
		else if (b == 0)
			rc = conf_error(err, n, "%s: this profile reads no metric %s", section,
					r->from);
	}
	conf_release(rule_opts, CONF_COUNT(rule_opts), &c);
	return rc;
}

int snmp_rate_parse_rules(const struct conf_node *n, struct snmp_profile *p, struct perr *err)
{
	if (!n)
		return 0;
	if (n->kind != CONF_SEQ)
		return conf_error(err, n, "rates must be a list");
	p->rates = calloc(n->n ? n->n : 1, sizeof(p->rates[0]));
	if (!p->rates)
		return perr_setc(err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < n->n; i++) {
		char section[64];
		snprintf(section, sizeof(section), "rates[%zu]", i);
		p->nrates = i + 1;
		int rc = parse_rule(n->items[i], section, p, &p->rates[i], err);
		if (rc < 0)
			return rc;
	}
	return 0;
}

void snmp_rate_free_rules(struct snmp_profile *p)
{
	for (size_t i = 0; i < p->nrates; i++) {
		struct snmp_rate_rule *r = &p->rates[i];
		free(r->from);
		free(r->discontinuity);
		if (r->obj) {
			free(r->obj->name);
			free(r->obj->unit);
			free(r->obj);
		}
	}
	free(p->rates);
	p->rates = NULL;
	p->nrates = 0;
}

/* --- feeding counters as they are emitted --- */

static unsigned counter_bits(unsigned char type)
{
	return type == ASN_COUNTER64 ? 64 : type == ASN_COUNTER ? 32 : 0;
}

static size_t emit_rate(const struct snmp_rate_poll *p, const struct snmp_rate_rule *r,
			struct snmp_rate_reading *cur, const char *oid_text,
			const struct label *labels, size_t nlabels, const struct snmp_sink *sink)
{
	cur->t_ms = p->now_ms;
	cur->has_uptime = p->has_uptime;
	cur->uptime_cs = p->uptime_cs;
	char key[SNMP_WALK_OID_TEXT + 160];
	snprintf(key, sizeof(key), "%s %s", r->obj->name, oid_text);
	double per_second = 0;
	int v = snmp_rate_feed(p->state, key, cur, &per_second);
	if (v != SNMP_RATE_OK && v != SNMP_RATE_WRAPPED) {
		if (v != SNMP_RATE_FIRST)
			log_debug("snmp", "%s: no rate for %s this poll: %s", r->obj->name,
				  oid_text, v < 0 ? "out of memory" : snmp_rate_verdict_name(v));
		return 0;
	}
	return snmp_emit_sample(sink, r->obj, per_second, oid_text, labels, nlabels) == 0;
}

/* The row's discontinuity marker: a metric, label or attribute column of
 * the same table named by the rule. */
static bool row_disc(const struct snmp_table_walk *w, const struct snmp_table_cell *cell,
		     const char *name, double *out)
{
	for (size_t i = 0; i < w->ncols; i++) {
		const struct snmp_table_col *c = &w->cols[i];
		if (strcmp(c->obj->name, name) != 0)
			continue;
		const struct snmp_table_cell *d =
			snmp_table_find(w, c, w->sfx + cell->sfx, cell->sfx_len);
		if (!d)
			continue;
		if (c->obj->role == SNMP_PROFILE_METRIC) {
			*out = d->value;
			return true;
		}
		const char *t = (const char *)w->text.data + d->text;
		return snmp_value_parse_leading(t, strlen(t), out) == 0;
	}
	return false;
}

size_t snmp_rate_emit_cell(const struct snmp_table_walk *w, const struct snmp_table_cell *cell,
			   const struct snmp_profile_object *o, const char *oid_text,
			   const struct label *labels, size_t nlabels, const struct snmp_sink *sink)
{
	const struct snmp_rate_rule *r = o->rate;
	if (!r || !w->rates || !w->rates->state)
		return 0;
	struct snmp_rate_reading cur = {.raw = cell->value, .bits = counter_bits(cell->type)};
	if (r->discontinuity)
		cur.has_disc = row_disc(w, cell, r->discontinuity, &cur.disc);
	return emit_rate(w->rates, r, &cur, oid_text, labels, nlabels, sink);
}

size_t snmp_rate_emit_scalar(const struct snmp_rate_poll *p, const struct snmp_profile_object *o,
			     double raw, unsigned char type, const char *oid_text,
			     const struct snmp_sink *sink)
{
	if (!o->rate || !p || !p->state)
		return 0;
	struct snmp_rate_reading cur = {.raw = raw, .bits = counter_bits(type)};
	return emit_rate(p, o->rate, &cur, oid_text, NULL, 0, sink);
}
