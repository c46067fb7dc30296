/* The inventory of one poll (see snmp_inv.h). */
#include "snmp_inv.h"

#include "snmp_fetch.h"
#include "snmp_value.h"
#include "snmp_walk.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { VALUE_TEXT = 64, SCALAR_FIELDS_MAX = 64 };

/* A row index: a slice of a walk's sfx array. */
struct row {
	const oid *sfx;
	size_t len;
};

static int cmp_rows(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	return snmp_walk_compare(x->sfx, x->len, y->sfx, y->len);
}

static const struct snmp_table_col *field_col(const struct snmp_table_walk *w,
					       const struct snmp_profile_inv_field *f)
{
	return &w->cols[w->t->ncolumns + f->col];
}

/* The first cell of c whose index is >= key (cells are in walk order,
 * which is index order). */
static size_t lower_bound(const struct snmp_table_walk *w, const struct snmp_table_col *c,
			  const oid *key, size_t len)
{
	size_t lo = 0, hi = c->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct snmp_table_cell *cell = &c->cells[mid];
		if (snmp_walk_compare(w->sfx + cell->sfx, cell->sfx_len, key, len) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static const struct snmp_table_cell *exact(const struct snmp_table_walk *w,
					   const struct snmp_table_col *c, const oid *key,
					   size_t len)
{
	size_t i = lower_bound(w, c, key, len);
	if (i < c->n &&
	    snmp_walk_compare(w->sfx + c->cells[i].sfx, c->cells[i].sfx_len, key, len) == 0)
		return &c->cells[i];
	return NULL;
}

static const char *cell_text(const struct snmp_table_walk *w, const struct snmp_table_cell *c)
{
	return (const char *)w->text.data + c->text;
}

/* The index tail as InetAddressType, length, octets ("1.4.10.0.0.1" ->
 * "10.0.0.1"); anything else stays dotted. */
static void tail_address(const oid *t, size_t len, char *out, size_t size)
{
	unsigned char b[16];
	if (len >= 2 && t[1] + 2 == len && (t[1] == 4 || t[1] == 16)) {
		bool bytes = true;
		for (size_t i = 0; i < t[1]; i++) {
			bytes = bytes && t[2 + i] <= 255;
			b[i < 16 ? i : 15] = (unsigned char)t[2 + i];
		}
		int af = t[1] == 4 ? AF_INET : AF_INET6;
		if (bytes && (t[0] == 1 || t[0] == 2 || t[0] == 3 || t[0] == 4) &&
		    inet_ntop(af, b, out, (socklen_t)size))
			return;
	}
	snmp_walk_format_oid(t, len, out, size);
}

/* The raw text of field f for the row at sfx[0..len), or NULL. */
static const char *raw_value(const struct snmp_profile_inv_field *f,
			     const struct snmp_table_walk *w, const oid *sfx, size_t len, char *buf)
{
	const struct snmp_table_col *c = f->source == SNMP_INV_INDEX ? NULL : field_col(w, f);
	const struct snmp_table_cell *cell = NULL;
	switch (f->source) {
	case SNMP_INV_COLUMN:
		cell = exact(w, c, sfx, len);
		break;
	case SNMP_INV_INDEX:
		if (f->part > len)
			return NULL;
		snprintf(buf, VALUE_TEXT, "%lu", (unsigned long)sfx[f->part - 1]);
		return buf;
	case SNMP_INV_LOOKUP:
		if (f->part > len)
			return NULL;
		cell = exact(w, c, &sfx[f->part - 1], 1);
		break;
	case SNMP_INV_PREFIX: {
		size_t i = lower_bound(w, c, sfx, len);
		if (i >= c->n || c->cells[i].sfx_len <= len ||
		    !snmp_walk_has_prefix(w->sfx + c->cells[i].sfx, c->cells[i].sfx_len, sfx, len))
			return NULL;
		cell = &c->cells[i];
		if (f->tail_address) {
			tail_address(w->sfx + cell->sfx + len, cell->sfx_len - len, buf,
				     VALUE_TEXT);
			return buf;
		}
		break;
	}
	}
	return cell ? cell_text(w, cell) : NULL;
}

/* The field's text after text names, invalid values, scaling and state
 * names; NULL if it has no value. */
static const char *field_value(const struct snmp_profile_inv_field *f,
			       const struct snmp_table_walk *w, const oid *sfx, size_t len,
			       char *buf)
{
	const char *t = raw_value(f, w, sfx, len, buf);
	if (!t)
		return NULL;
	for (size_t i = 0; i < f->nnames; i++)
		if (strcmp(f->names[i].value, t) == 0)
			return f->names[i].name;
	if (!f->ninvalid && !f->nstates && !f->scaled)
		return t;
	double v;
	if (snmp_value_parse_leading(t, strlen(t), &v) < 0)
		return f->scaled || f->ninvalid ? NULL : t;
	for (size_t i = 0; i < f->ninvalid; i++)
		if (f->invalid[i] == v)
			return NULL;
	for (size_t i = 0; i < f->nstates; i++)
		if ((double)f->states[i].value == v)
			return f->states[i].name;
	if (f->scaled) {
		snprintf(buf, VALUE_TEXT, "%.15g", snmp_value_apply(&f->scale, v));
		return buf;
	}
	return t;
}

static bool named(const struct label *fields, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(fields[i].key, name) == 0)
			return true;
	return false;
}

static void one_record(const struct snmp_profile_inv_table *it, const struct snmp_table_walk *w,
		       const struct row *r, const char *kind, bool with_volatile,
		       snmp_inv_record_fn fn, void *arg)
{
	char bufs[SNMP_PROFILE_INV_MAX_FIELDS][VALUE_TEXT];
	struct label fields[SNMP_PROFILE_INV_MAX_FIELDS];
	size_t n = 0;
	for (size_t i = 0; i < it->nfields; i++) {
		const struct snmp_profile_inv_field *f = &it->fields[i];
		if ((f->is_volatile && !with_volatile) || named(fields, n, f->name))
			continue;
		const char *v = field_value(f, w, r->sfx, r->len, bufs[n]);
		if (v)
			fields[n++] = (struct label){f->name, v};
	}
	char id[SNMP_WALK_OID_TEXT];
	snmp_walk_format_oid(r->sfx, r->len, id, sizeof(id));
	fn(arg, kind, id, fields, n);
}

size_t snmp_inv_table_records(const struct snmp_profile_inv_table *it,
			      const struct snmp_table_walk *w, const char *kind,
			      bool with_volatile, snmp_inv_record_fn fn, void *arg)
{
	size_t total = 0;
	for (size_t i = 0; i < it->nfields; i++)
		if (it->fields[i].source == SNMP_INV_COLUMN)
			total += field_col(w, &it->fields[i])->n;
	if (total == 0)
		return 0;
	struct row *rows = malloc(total * sizeof(*rows));
	if (!rows)
		return 0;
	size_t n = 0;
	for (size_t i = 0; i < it->nfields; i++) {
		if (it->fields[i].source != SNMP_INV_COLUMN)
			continue;
		const struct snmp_table_col *c = field_col(w, &it->fields[i]);
		for (size_t k = 0; k < c->n; k++)
			rows[n++] = (struct row){w->sfx + c->cells[k].sfx, c->cells[k].sfx_len};
	}
	qsort(rows, n, sizeof(*rows), cmp_rows);
	size_t records = 0;
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && cmp_rows(&rows[i - 1], &rows[i]) == 0)
			continue;
		one_record(it, w, &rows[i], kind, with_volatile, fn, arg);
		records++;
	}
	free(rows);
	return records;
}

int snmp_inv_keep(struct snmp_fetch *f, const struct snmp_fetch_table *tab,
		  struct snmp_table_walk *w)
{
	struct snmp_fetch_kept *q = realloc(f->kept, (f->nkept + 1) * sizeof(*q));
	if (!q) {
		snmp_table_end(w);
		return -ENOMEM;
	}
	f->kept = q;
	q[f->nkept].tab = tab;
	q[f->nkept].walk = *w;
	f->nkept++;
	memset(w, 0, sizeof(*w));
	return 0;
}

void snmp_inv_drop(struct snmp_fetch *f)
{
	for (size_t i = 0; i < f->nkept; i++)
		snmp_table_end(&f->kept[i].walk);
	free(f->kept);
	f->kept = NULL;
	f->nkept = 0;
}

/* Records are walked twice: to hash them, then (if due) to send them. */
struct pass {
	struct snmp_fetch *f;
	bool send;
	uint64_t hash;
	size_t records;
};

static uint64_t fnv(uint64_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return (h ^ 0xff) * 1099511628211ull; /* a separator between strings */
}

static void on_record(void *arg, const char *kind, const char *id, const struct label *fields,
		      size_t n)
{
	struct pass *p = arg;
	if (n == 0)
		return;
	p->records++;
	if (p->send) {
		p->f->sink.inventory(p->f->sink.arg, kind, id, fields, n);
		return;
	}
	p->hash = fnv(fnv(p->hash, kind), id);
	for (size_t i = 0; i < n; i++)
		p->hash = fnv(fnv(p->hash, fields[i].key), fields[i].value);
}

/* Volatile fields (sysUpTime) are sent but not hashed: they change on every
 * poll and would otherwise send the inventory every time. */
static void scalar_records(struct pass *p)
{
	struct snmp_fetch *f = p->f;
	for (size_t r = 0; r < f->nrecs; r++) {
		struct label fields[SCALAR_FIELDS_MAX];
		size_t n = 0;
		for (size_t i = 0; i < f->ngets && n < SCALAR_FIELDS_MAX; i++) {
			const struct snmp_profile_object *o = f->gets[i].obj;
			if (f->gets[i].prof != f->recs[r].prof || o->role != SNMP_PROFILE_FIELD ||
			    o->group != f->recs[r].group || !f->texts[i])
				continue;
			if (!p->send && o->is_volatile)
				continue;
			fields[n++] = (struct label){o->name, f->texts[i]};
		}
		const struct snmp_profile_inventory *inv = &f->recs[r].prof->inventory[f->recs[r].group];
		on_record(p, inv->kind, inv->id, fields, n);
	}
}

static void table_records(struct pass *p)
{
	struct snmp_fetch *f = p->f;
	for (size_t i = 0; i < f->nkept; i++) {
		const struct snmp_fetch_table *tab = f->kept[i].tab;
		const char *kind = tab->prof->inventory[tab->inv->group].kind;
		snmp_inv_table_records(tab->inv, &f->kept[i].walk, kind, p->send, on_record, p);
	}
}

void snmp_inv_finish(struct snmp_fetch *f)
{
	struct pass p = {.f = f, .hash = 14695981039346656037ull};
	scalar_records(&p);
	table_records(&p);
	bool due = !f->inv_sent || p.hash != f->inv_hash ||
		   f->now_ms - f->inv_sent_ms >= SNMP_FETCH_REFRESH_MS;
	if (p.records > 0 && due) {
		uint64_t hash = p.hash;
		p.send = true;
		scalar_records(&p);
		table_records(&p);
		f->inv_sent = true;
		f->inv_hash = hash;
		f->inv_sent_ms = f->now_ms;
	}
	snmp_inv_drop(f);
}
