/* The walk of one profile table (see snmp_table.h). */
#include "snmp_table.h"

#include "log.h"
#include "snmp_value.h"
#include "snmp_walk.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

enum {
	TEXT_MAX = 256,		/* bytes kept of one label value */
	TEXT_BUF_MAX = 4 << 20, /* all label values of one table */
	STALLS_MAX = 3,
};

int snmp_table_begin(struct snmp_table_walk *w, const struct snmp_profile_table *t)
{
	memset(w, 0, sizeof(*w));
	w->t = t;
	w->ncols = t->ncolumns + t->nlabels + t->nattrs;
	w->cols = calloc(w->ncols, sizeof(w->cols[0]));
	if (!w->cols)
		return -ENOMEM;
	for (size_t i = 0; i < w->ncols; i++) {
		struct snmp_table_col *c = &w->cols[i];
		if (i < t->ncolumns)
			c->obj = &t->columns[i];
		else if (i < t->ncolumns + t->nlabels)
			c->obj = &t->labels[i - t->ncolumns];
		else
			c->obj = &t->attrs[i - t->ncolumns - t->nlabels];
		memcpy(c->last, c->obj->oid.sub, c->obj->oid.len * sizeof(oid));
		c->last_len = c->obj->oid.len;
	}
	buf_init(&w->text, TEXT_BUF_MAX);
	w->reps_limit = ~0u;
	w->cols_limit = SNMP_TABLE_MAX_REQ_COLS;
	return 0;
}

void snmp_table_end(struct snmp_table_walk *w)
{
	for (size_t i = 0; i < w->ncols; i++)
		free(w->cols[i].cells);
	free(w->cols);
	free(w->sfx);
	buf_free(&w->text);
	memset(w, 0, sizeof(*w));
}

bool snmp_table_done(const struct snmp_table_walk *w)
{
	for (size_t i = 0; i < w->ncols; i++)
		if (!w->cols[i].done)
			return false;
	return true;
}

static void end_all(struct snmp_table_walk *w)
{
	for (size_t i = 0; i < w->ncols; i++)
		w->cols[i].done = true;
}

size_t snmp_table_pending(const struct snmp_table_walk *w, size_t max_cols)
{
	if (max_cols > w->cols_limit)
		max_cols = w->cols_limit;
	size_t n = 0;
	for (size_t i = 0; i < w->ncols && n < max_cols; i++)
		n += !w->cols[i].done;
	return n;
}

int snmp_table_add(struct snmp_table_walk *w, netsnmp_pdu *pdu, unsigned reps, size_t max_cols,
		   size_t pos)
{
	if (max_cols > w->cols_limit)
		max_cols = w->cols_limit;
	w->nreq = 0;
	w->pos = pos;
	w->reps = reps;
	for (size_t i = 0; i < w->ncols && w->nreq < max_cols; i++) {
		struct snmp_table_col *c = &w->cols[i];
		if (c->done)
			continue;
		if (!snmp_add_null_var(pdu, c->last, c->last_len)) {
			end_all(w);
			w->nreq = 0;
			return -ENOMEM;
		}
		w->req[w->nreq++] = i;
	}
	return (int)w->nreq;
}

static int add_suffix(struct snmp_table_walk *w, const oid *sfx, size_t len, uint32_t *off)
{
	if (w->nsfx + len > w->capsfx) {
		size_t cap = w->capsfx ? w->capsfx * 2 : 256;
		while (cap < w->nsfx + len)
			cap *= 2;
		oid *q = realloc(w->sfx, cap * sizeof(oid));
		if (!q)
			return -ENOMEM;
		w->sfx = q;
		w->capsfx = cap;
	}
	memcpy(w->sfx + w->nsfx, sfx, len * sizeof(oid));
	*off = (uint32_t)w->nsfx;
	w->nsfx += len;
	return 0;
}

static struct snmp_table_cell *new_cell(struct snmp_table_col *c)
{
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 8;
		struct snmp_table_cell *q = realloc(c->cells, cap * sizeof(*q));
		if (!q)
			return NULL;
		c->cells = q;
		c->cap = cap;
	}
	return &c->cells[c->n];
}

/* An OCTET STRING as lower-case hex, whatever its bytes (a MAC address
 * whose bytes happen to be printable stays a MAC address). */
static void hex_text(const netsnmp_variable_list *vb, char *buf, size_t size)
{
	static const char hex[] = "0123456789abcdef";
	size_t used = 0;
	for (size_t i = 0; vb->val.string && i < vb->val_len && used + 2 < size; i++) {
		buf[used++] = hex[vb->val.string[i] >> 4];
		buf[used++] = hex[vb->val.string[i] & 15];
	}
	buf[used] = '\0';
}

/* Keeps the value of one row of column c. 1 if kept, 0 if the value had the
 * wrong type, -ENOMEM. */
static int keep(struct snmp_table_walk *w, struct snmp_table_col *c,
		const netsnmp_variable_list *vb)
{
	struct snmp_table_cell *cell = new_cell(c);
	if (!cell)
		return -ENOMEM;
	*cell = (struct snmp_table_cell){.type = vb->type};
	if (c->obj->role == SNMP_PROFILE_METRIC) {
		if (snmp_value_number(vb, &cell->value) < 0) {
			log_debug("snmp", "%s: a row of %s is not a number (ASN type %u); ignored",
				  w->t->name, c->obj->name, vb->type);
			return 0;
		}
	} else {
		char text[TEXT_MAX];
		if (c->obj->hex && vb->type == ASN_OCTET_STR)
			hex_text(vb, text, sizeof(text));
		else if (snmp_value_text(vb, text, sizeof(text)) < 0)
			return 0;
		cell->text = (uint32_t)w->text.len;
		if (buf_append(&w->text, text, strlen(text) + 1) < 0)
			return -ENOMEM;
	}
	size_t base = c->obj->oid.len;
	int rc = add_suffix(w, vb->name + base, vb->name_length - base, &cell->sfx);
	if (rc < 0)
		return rc;
	cell->sfx_len = (uint32_t)(vb->name_length - base);
	c->n++;
	return 1;
}

/* One varbind for column c: 1 if the column moved on, 0 if it ended. */
static int step(struct snmp_table_walk *w, struct snmp_table_col *c,
		const netsnmp_variable_list *vb, int *added)
{
	enum snmp_walk_verdict v = snmp_walk_step(c->obj->oid.sub, c->obj->oid.len, c->last,
						  c->last_len, vb->name, vb->name_length, vb->type);
	if (v == SNMP_WALK_LOOP)
		log_debug("snmp",
			  "%s: the agent answered %s with an OID that does not increase; "
			  "column ended",
			  w->t->name, c->obj->name);
	if (v != SNMP_WALK_VALUE) {
		c->done = true;
		return 0;
	}
	memcpy(c->last, vb->name, vb->name_length * sizeof(oid));
	c->last_len = vb->name_length;
	int rc = keep(w, c, vb);
	if (rc < 0) {
		c->done = true;
		return 0;
	}
	*added += rc;
	if (c->n >= SNMP_TABLE_MAX_ROWS) {
		log_warn("snmp", "%s: %s has more than %d rows; the rest is not read", w->t->name,
			 c->obj->name, SNMP_TABLE_MAX_ROWS);
		c->done = true;
	}
	return 1;
}

/* A response with an error status: v1 ends a column with noSuchName, tooBig
 * asks for less, anything else ends the columns asked for. */
static void reply_error(struct snmp_table_walk *w, const netsnmp_pdu *resp)
{
	long k = resp->errindex;
	if (resp->errstat == SNMP_ERR_NOSUCHNAME && k >= 1 && (size_t)k <= w->nreq) {
		w->cols[w->req[k - 1]].done = true;
		return;
	}
	if (resp->errstat == SNMP_ERR_TOOBIG) {
		if (w->reps > 1)
			w->reps_limit = w->reps / 2;
		else if (w->nreq > 1)
			w->cols_limit = w->nreq / 2;
		else
			w->cols[w->req[0]].done = true;
		return;
	}
	log_debug("snmp", "%s: the agent answered error %ld (%s) at varbind %ld", w->t->name,
		  resp->errstat, snmp_errstring((int)resp->errstat), k);
	for (size_t i = 0; i < w->nreq; i++)
		w->cols[w->req[i]].done = true;
}

int snmp_table_reply(struct snmp_table_walk *w, const netsnmp_pdu *resp, size_t stride)
{
	if (w->nreq == 0)
		return 0;
	if (resp->errstat != SNMP_ERR_NOERROR) {
		reply_error(w, resp);
		return 0;
	}
	if (stride < w->pos + w->nreq)
		stride = w->pos + w->nreq;
	int added = 0;
	bool moved = false;
	size_t i = 0;
	for (const netsnmp_variable_list *vb = resp->variables; vb; vb = vb->next_variable, i++) {
		if (w->reps == 0 && i >= stride)
			break; /* GETNEXT: one varbind per column, extras are noise */
		size_t at = i % stride;
		if (at < w->pos || at >= w->pos + w->nreq)
			continue; /* another table's column */
		struct snmp_table_col *c = &w->cols[w->req[at - w->pos]];
		if (!c->done && step(w, c, vb, &added) > 0)
			moved = true;
	}
	if (!moved && !snmp_table_done(w)) {
		/* Nothing ended and nothing moved: an empty or broken response. */
		if (++w->stalls >= STALLS_MAX) {
			log_debug("snmp", "%s: replies make no progress; walk ended", w->t->name);
			end_all(w);
			return -EPROTO;
		}
	}
	return added;
}

size_t snmp_table_rows(const struct snmp_table_walk *w)
{
	size_t rows = 0;
	for (size_t i = 0; i < w->ncols; i++)
		if (w->cols[i].n > rows)
			rows = w->cols[i].n;
	return rows;
}

/* Writes the index labels of a row: each name takes one sub-identifier, the
 * last name takes the rest (dotted); without names one label "index" holds
 * the whole index. Texts go to store, which holds SNMP_WALK_OID_TEXT bytes. */
static size_t index_labels(const struct snmp_profile_table *t, const oid *sfx, size_t len,
			   struct label *out, char *store)
{
	static const char *const whole[] = {"index"};
	const char *const *names = t->nindex ? (const char *const *)t->index : whole;
	size_t nnames = t->nindex ? t->nindex : 1;
	size_t used = 0, n = 0;
	for (size_t i = 0; i < nnames && i < len; i++) {
		size_t take = i + 1 == nnames ? len - i : 1;
		size_t w = snmp_walk_format_oid(sfx + i, take, store + used,
						SNMP_WALK_OID_TEXT - used);
		out[n++] = (struct label){names[i], store + used};
		used += w + 1;
		if (used >= SNMP_WALK_OID_TEXT)
			break;
	}
	return n;
}

/* A text cell against a metric row: a text column of a table whose index is
 * a prefix of this one's (outlet names for outlet sensor rows) joins on that
 * prefix; rows of one index length move forward together, so the cursors
 * below still only go forward. */
static int cmp_row(const struct snmp_table_walk *w, const struct snmp_table_cell *text,
		   const struct snmp_table_cell *row)
{
	size_t len = row->sfx_len < text->sfx_len ? row->sfx_len : text->sfx_len;
	return snmp_walk_compare(w->sfx + text->sfx, text->sfx_len, w->sfx + row->sfx, len);
}

/* Adds the values of the text columns first..first+count for the row of
 * cell (label or attribute columns); pos[] are cursors into each of them,
 * whose cells are sorted like the metric's. */
static size_t text_columns(const struct snmp_table_walk *w, const struct snmp_table_cell *cell,
			   size_t first, size_t count, size_t *pos, struct label *out)
{
	size_t n = 0;
	for (size_t l = 0; l < count; l++) {
		const struct snmp_table_col *lc = &w->cols[first + l];
		while (pos[l] < lc->n && cmp_row(w, &lc->cells[pos[l]], cell) < 0)
			pos[l]++;
		if (pos[l] < lc->n && cmp_row(w, &lc->cells[pos[l]], cell) == 0)
			out[n++] = (struct label){lc->obj->name, (const char *)w->text.data +
									 lc->cells[pos[l]].text};
	}
	return n;
}

bool snmp_table_shadowed(const struct snmp_table_walk *w, const struct snmp_table_col *c,
			 const struct snmp_table_cell *cell)
{
	/* Columns with row tests (when/unless) pick disjoint rows of one
	 * column; they are no preferred source and fallback. */
	if (c->obj->nwhen || c->obj->nunless)
		return false;
	for (const struct snmp_table_col *e = w->cols; e < c; e++) {
		if (e->obj->role != SNMP_PROFILE_METRIC || strcmp(e->obj->name, c->obj->name) != 0)
			continue;
		if (e->obj->nwhen || e->obj->nunless)
			continue;
		if (snmp_table_find(w, e, w->sfx + cell->sfx, cell->sfx_len))
			return true;
	}
	return false;
}

const struct snmp_table_cell *snmp_table_find(const struct snmp_table_walk *w,
					      const struct snmp_table_col *c, const oid *sfx,
					      size_t len)
{
	size_t lo = 0, hi = c->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct snmp_table_cell *m = &c->cells[mid];
		int cmp = snmp_walk_compare(w->sfx + m->sfx, m->sfx_len, sfx, len);
		if (cmp == 0)
			return m;
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static size_t emit_column(const struct snmp_table_walk *w, const struct snmp_table_col *c,
			  const struct snmp_sink *sink)
{
	char oid_text[SNMP_WALK_OID_TEXT];
	char index_text[SNMP_WALK_OID_TEXT];
	oid full[MAX_OID_LEN];
	size_t pos[SNMP_PROFILE_MAX_LABELS] = {0};
	size_t apos[SNMP_PROFILE_MAX_LABELS] = {0};
	size_t sent = 0;
	memcpy(full, c->obj->oid.sub, c->obj->oid.len * sizeof(oid));
	for (size_t r = 0; r < c->n; r++) {
		const struct snmp_table_cell *cell = &c->cells[r];
		if (snmp_table_shadowed(w, c, cell))
			continue;
		const oid *sfx = w->sfx + cell->sfx;
		memcpy(full + c->obj->oid.len, sfx, cell->sfx_len * sizeof(oid));
		snmp_walk_format_oid(full, c->obj->oid.len + cell->sfx_len, oid_text,
				     sizeof(oid_text));
		struct label extra[SNMP_PROFILE_MAX_LABELS];
		size_t n = index_labels(w->t, sfx, cell->sfx_len, extra, index_text);
		n += text_columns(w, cell, w->t->ncolumns, w->t->nlabels, pos, extra + n);
		struct label attrs[SNMP_PROFILE_MAX_LABELS];
		size_t na = text_columns(w, cell, w->t->ncolumns + w->t->nlabels, w->t->nattrs,
					 apos, attrs);
		if (snmp_emit_row_sample(sink, c->obj, cell->value, oid_text, extra, n, attrs,
					 na) == 0) {
			sent++;
			if (c->obj->rate && w->rates)
				sent += snmp_rate_emit_cell(w, cell, c->obj, oid_text, extra, n,
							    sink);
		}
	}
	return sent;
}

size_t snmp_table_emit(const struct snmp_table_walk *w, const struct snmp_sink *sink)
{
	size_t sent = 0;
	for (size_t i = 0; i < w->t->ncolumns; i++)
		sent += emit_column(w, &w->cols[i], sink);
	return sent;
}
