/* What one SNMP poll asks and what it makes of the answers (see
 * snmp_fetch.h). Selection and the plan built from it live in
 * snmp_fetch_plan.c. */
#include "snmp_fetch.h"

#include "log.h"
#include "snmp_fetch_plan.h"
#include "snmp_inv.h"
#include "snmp_value.h"
#include "snmp_walk.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
	RESENDS_MAX = 3,
	FIELD_TEXT_MAX = 512,
	RATE_MAX_AGE_MS = 25 * 3600 * 1000, /* forget a counter not read for a day */
};

static const oid sysobjectid_base[] = {1, 3, 6, 1, 2, 1, 1, 2};
static const oid sysobjectid_0[] = {1, 3, 6, 1, 2, 1, 1, 2, 0};
static const oid sysuptime_0[] = {1, 3, 6, 1, 2, 1, 1, 3, 0};

void snmp_fetch_init(struct snmp_fetch *f, const struct snmp_conf *cfg,
		     const struct snmp_sink *sink, const char *name)
{
	memset(f, 0, sizeof(*f));
	f->cfg = cfg;
	f->sink = *sink;
	f->name = name;
	f->phase = SNMP_FETCH_DONE;
}

static void clear_texts(struct snmp_fetch *f)
{
	for (size_t i = 0; f->texts && i < f->ngets; i++) {
		free(f->texts[i]);
		f->texts[i] = NULL;
	}
}

static void end_walks(struct snmp_fetch *f)
{
	for (size_t i = 0; f->walks && i < f->ntabs; i++)
		if (f->walks[i].t)
			snmp_table_end(&f->walks[i]);
	free(f->walks);
	f->walks = NULL;
	f->nreqw = 0;
}

void snmp_fetch_free(struct snmp_fetch *f)
{
	end_walks(f);
	snmp_inv_drop(f);
	snmp_rate_state_free(&f->rates);
	clear_texts(f);
	snmp_fetch_plan_free(f);
	free(f->sel);
	free(f->det);
	free(f->found);
	memset(f, 0, sizeof(*f));
}

void snmp_fetch_forget(struct snmp_fetch *f)
{
	f->selected = false;
	f->one_table = false;
}

int snmp_fetch_begin(struct snmp_fetch *f, uint64_t now_ms)
{
	end_walks(f);
	snmp_inv_drop(f);
	clear_texts(f);
	f->now_ms = now_ms;
	snmp_rate_sweep(&f->rates, now_ms, RATE_MAX_AGE_MS);
	f->rate_poll = (struct snmp_rate_poll){.state = &f->rates, .now_ms = now_ms};
	f->reply_mono_ms = now_ms;
	f->reply_wall_ms = 0;
	f->sink.ts_ms = 0;
	f->answered = false;
	f->status = 0;
	f->reason = NULL;
	f->values = f->absent = 0;
	f->resends = 0;
	f->cursor = 0;
	f->limit = (size_t)f->cfg->max_oids;
	bool stale = now_ms - f->selected_ms >= SNMP_FETCH_REFRESH_MS;
	if (f->cfg->auto_select && (!f->selected || stale)) {
		int rc = snmp_fetch_plan_detect(f);
		if (rc < 0)
			return rc;
		f->phase = SNMP_FETCH_IDENTIFY;
	} else {
		if (!f->selected) {
			int rc = snmp_fetch_plan_select(f);
			if (rc < 0)
				return rc;
		}
		f->phase = SNMP_FETCH_GET;
	}
	size_t nitems = f->phase == SNMP_FETCH_IDENTIFY ? f->ndet + 1 : f->ngets;
	return snmp_fetch_plan_reset_skip(f, nitems);
}

/* Emits a table's rows stamped with the time its first answer came. */
static size_t emit_walk(struct snmp_fetch *f, const struct snmp_table_walk *w)
{
	f->rate_poll.now_ms = w->read_mono_ms ? w->read_mono_ms : f->now_ms;
	f->sink.ts_ms = w->read_wall_ms;
	return snmp_table_emit(w, &f->sink);
}

static void fail(struct snmp_fetch *f, int status, const char *reason)
{
	if (f->status == 0) {
		f->status = status;
		f->reason = reason;
	}
	/* Rows already read are right, only incomplete: keep them. */
	for (size_t i = 0; f->walks && i < f->ntabs; i++)
		if (f->walks[i].t && !f->tabs[i].inv)
			f->values += emit_walk(f, &f->walks[i]);
	end_walks(f);
	/* A partial inventory would make the collector delete what it misses. */
	snmp_inv_drop(f);
	f->phase = SNMP_FETCH_DONE;
}

void snmp_fetch_abort(struct snmp_fetch *f, int status, const char *reason)
{
	if (f->phase != SNMP_FETCH_DONE)
		fail(f, status, reason);
}

int snmp_fetch_result(const struct snmp_fetch *f, const char **reason)
{
	if (!f->answered) {
		*reason = f->reason ? f->reason : "timeout";
		return f->status ? f->status : -ETIMEDOUT;
	}
	*reason = f->reason;
	return 0;
}

/* The OID of item i of the current phase. */
static void item_oid(const struct snmp_fetch *f, size_t i, const oid **o, size_t *len)
{
	if (f->phase == SNMP_FETCH_IDENTIFY) {
		if (i == 0) {
			*o = sysobjectid_base;
			*len = OID_LENGTH(sysobjectid_base);
		} else {
			*o = f->det[i - 1]->sub;
			*len = f->det[i - 1]->len;
		}
		return;
	}
	*o = f->gets[i].obj->oid.sub;
	*len = f->gets[i].obj->oid.len;
}

/* A GET (or the identifying GETNEXT) of the next items not known absent. */
static netsnmp_pdu *batch_request(struct snmp_fetch *f, int command, size_t nitems)
{
	f->nbatch = 0;
	size_t limit = f->limit < SNMP_FETCH_MAX_BATCH ? f->limit : SNMP_FETCH_MAX_BATCH;
	for (size_t i = f->cursor; i < nitems && f->nbatch < limit; i++)
		if (!f->skip[i])
			f->batch[f->nbatch++] = i;
	if (f->nbatch == 0) {
		f->cursor = nitems;
		return NULL;
	}
	netsnmp_pdu *pdu = snmp_pdu_create(command);
	for (size_t k = 0; pdu && k < f->nbatch; k++) {
		const oid *o;
		size_t len;
		item_oid(f, f->batch[k], &o, &len);
		if (!snmp_add_null_var(pdu, o, len)) {
			snmp_free_pdu(pdu);
			pdu = NULL;
		}
	}
	if (!pdu)
		fail(f, -ENOMEM, "out of memory");
	return pdu;
}

/* Repetitions for table i: one more row than it had last time sees its end
 * in one reply. 0 means GETNEXT. */
static unsigned walk_repetitions(const struct snmp_fetch *f, size_t i)
{
	const struct snmp_conf *c = f->cfg;
	if (c->version == SNMP_CONF_V1 || !c->bulk)
		return 0;
	const struct snmp_fetch_table *t = &f->tabs[i];
	size_t reps = (size_t)c->max_repetitions;
	if (t->walked && t->rows_hint + 1 < reps)
		reps = t->rows_hint + 1;
	if (reps > f->walks[i].reps_limit)
		reps = f->walks[i].reps_limit;
	return (unsigned)reps;
}

static int start_walks(struct snmp_fetch *f)
{
	f->walks = calloc(f->ntabs ? f->ntabs : 1, sizeof(f->walks[0]));
	if (!f->walks)
		return -ENOMEM;
	for (size_t i = 0; i < f->ntabs; i++) {
		if (snmp_table_begin(&f->walks[i], f->tabs[i].t) < 0) {
			end_walks(f);
			return -ENOMEM;
		}
		f->walks[i].rates = &f->rate_poll;
	}
	f->cursor = 0;
	return 0;
}

/* Table i has been walked: its samples go out (inventory is kept until the
 * poll ends), and its row count sizes the next poll's request. */
static void end_walk(struct snmp_fetch *f, size_t i)
{
	struct snmp_fetch_table *tab = &f->tabs[i];
	struct snmp_table_walk *w = &f->walks[i];
	tab->rows_hint = snmp_table_rows(w);
	tab->walked = true;
	if (tab->inv) {
		if (snmp_inv_keep(f, tab, w) < 0)
			fail(f, -ENOMEM, "out of memory");
	} else {
		f->values += emit_walk(f, w);
		snmp_table_end(w);
	}
}

/* One request for as many tables as fit: their unfinished columns side by
 * side, as many repetitions as the longest needs, at most max_oids columns
 * and SNMP_TABLE_MAX_BULK_VARBINDS varbinds in the answer. */
static netsnmp_pdu *walk_request(struct snmp_fetch *f)
{
	size_t max_cols = (size_t)f->cfg->max_oids;
	if (max_cols > SNMP_TABLE_MAX_REQ_COLS)
		max_cols = SNMP_TABLE_MAX_REQ_COLS;
	size_t take[SNMP_TABLE_MAX_REQ_COLS];
	size_t cols = 0;
	unsigned reps = 0;
	f->nreqw = 0;
	for (size_t i = f->cursor; i < f->ntabs && cols < max_cols; i++) {
		struct snmp_table_walk *w = &f->walks[i];
		if (!w->t)
			continue;
		size_t n = snmp_table_pending(w, max_cols - cols);
		if (n == 0) {
			end_walk(f, i);
			if (f->phase == SNMP_FETCH_DONE)
				return NULL;
			continue;
		}
		unsigned r = walk_repetitions(f, i);
		unsigned rr = r > reps ? r : reps;
		if (f->nreqw > 0 &&
		    (f->one_table || (cols + n) * rr > SNMP_TABLE_MAX_BULK_VARBINDS))
			break;
		take[f->nreqw] = n;
		f->reqw[f->nreqw++] = i;
		cols += n;
		reps = rr;
	}
	while (f->cursor < f->ntabs && !f->walks[f->cursor].t)
		f->cursor++;
	if (f->nreqw == 0) {
		snmp_inv_finish(f);
		f->phase = SNMP_FETCH_DONE;
		return NULL;
	}
	if (reps > 0 && reps > SNMP_TABLE_MAX_BULK_VARBINDS / cols)
		reps = (unsigned)(SNMP_TABLE_MAX_BULK_VARBINDS / cols > 0
					  ? SNMP_TABLE_MAX_BULK_VARBINDS / cols
					  : 1);
	netsnmp_pdu *pdu = snmp_pdu_create(reps > 0 ? SNMP_MSG_GETBULK : SNMP_MSG_GETNEXT);
	if (pdu && reps > 0) {
		pdu->non_repeaters = 0;
		pdu->max_repetitions = (long)reps;
	}
	size_t pos = 0;
	for (size_t k = 0; pdu && k < f->nreqw; k++) {
		int n = snmp_table_add(&f->walks[f->reqw[k]], pdu, reps, take[k], pos);
		if (n < 0) {
			snmp_free_pdu(pdu);
			pdu = NULL;
		} else {
			pos += (size_t)n;
		}
	}
	if (!pdu)
		fail(f, -ENOMEM, "out of memory");
	f->reqcols = pos;
	return pdu;
}

/* The answer to a walk request, shared out among its tables. */
static void walk_reply(struct snmp_fetch *f, const netsnmp_pdu *resp)
{
	if (resp->errstat != SNMP_ERR_NOERROR && f->nreqw > 1) {
		/* Which table it concerns is the agent's guess as much as ours:
		 * ask each table alone from now on, and let that error repeat
		 * where one table's walk can deal with it. */
		log_debug("snmp", "%s: error %ld (%s) for a request of %zu tables; one table a "
			  "request from now on",
			  f->name, resp->errstat, snmp_errstring((int)resp->errstat), f->nreqw);
		f->one_table = true;
		return;
	}
	for (size_t k = 0; k < f->nreqw; k++) {
		struct snmp_table_walk *w = &f->walks[f->reqw[k]];
		if (!w->read_mono_ms) {
			w->read_mono_ms = f->reply_mono_ms;
			w->read_wall_ms = f->reply_wall_ms;
		}
		snmp_table_reply(w, resp, f->reqcols);
	}
	for (size_t k = 0; k < f->nreqw && f->phase != SNMP_FETCH_DONE; k++) {
		size_t i = f->reqw[k];
		if (f->walks[i].t && snmp_table_done(&f->walks[i]))
			end_walk(f, i);
	}
	f->nreqw = 0;
}

netsnmp_pdu *snmp_fetch_next(struct snmp_fetch *f)
{
	for (;;) {
		netsnmp_pdu *pdu = NULL;
		switch (f->phase) {
		case SNMP_FETCH_IDENTIFY:
			pdu = batch_request(f, SNMP_MSG_GETNEXT, f->ndet + 1);
			if (!pdu && f->phase == SNMP_FETCH_IDENTIFY &&
			    snmp_fetch_plan_identified(f) < 0)
				fail(f, -ENOMEM, "out of memory");
			break;
		case SNMP_FETCH_GET:
			pdu = batch_request(f, SNMP_MSG_GET, f->ngets);
			if (!pdu && f->phase == SNMP_FETCH_GET) {
				if (start_walks(f) < 0)
					fail(f, -ENOMEM, "out of memory");
				else
					f->phase = SNMP_FETCH_WALK;
			}
			break;
		case SNMP_FETCH_WALK:
			pdu = walk_request(f);
			break;
		case SNMP_FETCH_DONE:
			return NULL;
		}
		if (pdu)
			return pdu;
	}
}

/* An error status in a GET or identifying GETNEXT: drop the item it names
 * (v1 says noSuchName for an absent object or the end of the MIB), ask for
 * less on tooBig, give up the batch on anything else. */
static void batch_error(struct snmp_fetch *f, const netsnmp_pdu *resp)
{
	long k = resp->errindex;
	if (resp->errstat == SNMP_ERR_TOOBIG) {
		if (f->nbatch > 1)
			f->limit = f->nbatch / 2;
		else
			f->skip[f->batch[0]] = true;
		return;
	}
	if (k >= 1 && (size_t)k <= f->nbatch) {
		f->skip[f->batch[k - 1]] = true;
		f->absent++;
		return;
	}
	log_debug("snmp", "%s: error %ld (%s) for a whole request; its %zu objects are skipped",
		  f->name, resp->errstat, snmp_errstring((int)resp->errstat), f->nbatch);
	for (size_t i = 0; i < f->nbatch; i++)
		f->skip[f->batch[i]] = true;
	f->absent += f->nbatch;
}

static void identify_value(struct snmp_fetch *f, size_t item, const netsnmp_variable_list *vb)
{
	bool exception = vb->type == SNMP_ENDOFMIBVIEW || vb->type == SNMP_NOSUCHOBJECT ||
			 vb->type == SNMP_NOSUCHINSTANCE;
	if (item == 0) {
		bool is_id = snmp_walk_compare(vb->name, vb->name_length, sysobjectid_0,
					       OID_LENGTH(sysobjectid_0)) == 0;
		size_t n = vb->val_len / sizeof(oid);
		if (is_id && vb->type == ASN_OBJECT_ID && vb->val.objid && n <= MAX_OID_LEN) {
			memcpy(f->sysobjectid, vb->val.objid, n * sizeof(oid));
			f->sysobjectid_len = n;
		}
		return;
	}
	const struct snmp_profile_oid *d = f->det[item - 1];
	f->found[item - 1] =
		!exception && snmp_walk_in_subtree(d->sub, d->len, vb->name, vb->name_length);
}

static void field_text(struct snmp_fetch *f, size_t item, const netsnmp_variable_list *vb)
{
	const struct snmp_profile_object *o = f->gets[item].obj;
	char text[FIELD_TEXT_MAX];
	double v;
	if (o->scale.divide != 1 && snmp_value_number(vb, &v) == 0)
		snprintf(text, sizeof(text), "%.15g", v / o->scale.divide);
	else if (snmp_value_text(vb, text, sizeof(text)) < 0)
		return;
	free(f->texts[item]);
	f->texts[item] = strdup(text);
}

static void get_value(struct snmp_fetch *f, size_t item, const netsnmp_variable_list *vb)
{
	const struct snmp_profile_object *o = f->gets[item].obj;
	if (snmp_walk_compare(vb->name, vb->name_length, o->oid.sub, o->oid.len) != 0) {
		log_debug("snmp", "%s: the agent answered another OID for %s; ignored", f->name,
			  o->name);
		return;
	}
	double raw;
	int rc = o->role == SNMP_PROFILE_FIELD ? 0 : snmp_value_number(vb, &raw);
	if (rc == -ENOENT) {
		f->absent++;
		return;
	}
	char oid_text[SNMP_WALK_OID_TEXT];
	snmp_walk_format_oid(o->oid.sub, o->oid.len, oid_text, sizeof(oid_text));
	if (rc < 0) {
		log_debug("snmp", "%s: %s (%s) is not a number (ASN type %u); ignored", f->name,
			  o->name, oid_text, vb->type);
		return;
	}
	if (snmp_walk_compare(o->oid.sub, o->oid.len, sysuptime_0, OID_LENGTH(sysuptime_0)) == 0 &&
	    vb->type == ASN_TIMETICKS && vb->val.integer) {
		/* Counters' rates tell a device restart by it. */
		f->rate_poll.has_uptime = true;
		f->rate_poll.uptime_cs = (uint32_t)(unsigned long)*vb->val.integer;
	}
	if (o->role == SNMP_PROFILE_FIELD) {
		field_text(f, item, vb);
	} else if (snmp_emit_sample(&f->sink, o, raw, oid_text, NULL, 0) == 0) {
		f->values++;
		f->values += snmp_rate_emit_scalar(&f->rate_poll, o, raw, vb->type, oid_text,
						   &f->sink);
	}
}

static void batch_reply(struct snmp_fetch *f, const netsnmp_pdu *resp)
{
	if (resp->errstat != SNMP_ERR_NOERROR) {
		batch_error(f, resp);
		return;
	}
	f->rate_poll.now_ms = f->reply_mono_ms;
	f->sink.ts_ms = f->reply_wall_ms;
	size_t k = 0;
	for (const netsnmp_variable_list *vb = resp->variables; vb && k < f->nbatch;
	     vb = vb->next_variable, k++) {
		if (f->phase == SNMP_FETCH_IDENTIFY)
			identify_value(f, f->batch[k], vb);
		else
			get_value(f, f->batch[k], vb);
	}
	/* Items the agent left out of its reply are absent. */
	f->cursor = f->batch[f->nbatch - 1] + 1;
}

static void report(struct snmp_fetch *f, const netsnmp_pdu *pdu)
{
	int type = snmpv3_get_report_type((netsnmp_pdu *)pdu);
	/* The first exchange teaches net-snmp the agent's engine ID and time;
	 * asking again is what the protocol expects. */
	if ((type == SNMPERR_UNKNOWN_ENG_ID || type == SNMPERR_NOT_IN_TIME_WINDOW) &&
	    f->resends++ < RESENDS_MAX)
		return;
	fail(f, -EACCES, snmp_api_errstring(type));
}

void snmp_fetch_reply(struct snmp_fetch *f, int status, const netsnmp_pdu *pdu)
{
	snmp_fetch_reply_at(f, status, pdu, log_mono_ms(), log_wall_ms());
}

void snmp_fetch_reply_at(struct snmp_fetch *f, int status, const netsnmp_pdu *pdu,
			 uint64_t mono_ms, int64_t wall_ms)
{
	if (f->phase == SNMP_FETCH_DONE)
		return;
	f->reply_mono_ms = mono_ms;
	f->reply_wall_ms = wall_ms;
	if (status == -EAGAIN && pdu) {
		report(f, pdu);
		return;
	}
	if (status < 0 || !pdu) {
		fail(f, status < 0 ? status : -EIO, status == -ETIMEDOUT ? "timeout" : "no answer");
		return;
	}
	f->resends = 0;
	f->answered = true;
	if (f->phase == SNMP_FETCH_WALK) {
		walk_reply(f, pdu);
		return;
	}
	batch_reply(f, pdu);
}
