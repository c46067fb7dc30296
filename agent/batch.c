#include "batch.h"
#include "agent.h"
#include "log.h"
#include "send.h"
#include "spool.h"
#include "wire.h"

#include <errno.h>
#include <stdlib.h>

void batch_rec_free(struct batch_rec *r)
{
	free(r->ids);
	free(r->ts_ms);
	free(r->values);
	free(r);
}

static void on_flush_timer(uv_timer_t *t)
{
	batch_flush(t->data);
}

int batch_init(struct batch *b, struct agent *a, struct spool *sp)
{
	*b = (struct batch){.agent = a, .spool = sp};
	b->max_samples = (size_t)a->cfg.batch_max_samples;
	b->max_delay_ms = a->cfg.batch_max_delay_ms;
	int rc = uv_timer_init(a->loop, &b->flush_timer);
	b->flush_timer.data = b;
	return rc;
}

int batch_rec_reserve(struct batch_rec *r, size_t cap)
{
	uint32_t *ids = realloc(r->ids, cap * sizeof(*ids));
	if (!ids)
		return -ENOMEM;
	r->ids = ids;
	int64_t *ts = realloc(r->ts_ms, cap * sizeof(*ts));
	if (!ts)
		return -ENOMEM;
	r->ts_ms = ts;
	double *v = realloc(r->values, cap * sizeof(*v));
	if (!v)
		return -ENOMEM;
	r->values = v;
	r->cap = cap;
	return 0;
}

int batch_add(struct batch *b, uint32_t series, int64_t ts_ms, double value)
{
	struct batch_rec *r = b->open;
	b->samples_added++;
	if (!r) {
		r = b->open = calloc(1, sizeof(*r));
		if (!r) {
			b->samples_dropped++;
			return -ENOMEM;
		}
		uv_timer_start(&b->flush_timer, on_flush_timer, b->max_delay_ms, 0);
	}
	if (r->n == r->cap && batch_rec_reserve(r, r->cap ? r->cap * 2 : 256) < 0) {
		b->samples_dropped++;
		return -ENOMEM;
	}
	r->ids[r->n] = series;
	r->ts_ms[r->n] = ts_ms;
	r->values[r->n] = value;
	r->n++;
	if (r->n >= b->max_samples)
		batch_flush(b);
	return 0;
}

void batch_flush(struct batch *b)
{
	struct batch_rec *r = b->open;
	uv_timer_stop(&b->flush_timer);
	if (!r)
		return;
	b->open = NULL;
	spool_append(b->spool, r);
	if (b->agent->send)
		send_kick(b->agent->send);
}

void batch_poll_done(struct batch *b)
{
	if (b->open)
		uv_timer_start(&b->flush_timer, on_flush_timer, 0, 0);
}

static int encode_defs(const struct batch_rec *r, struct series_table *t,
		       Pantau__SeriesDef ***defs_out, size_t *ndefs)
{
	Pantau__SeriesDef **defs = NULL;
	size_t n = 0;
	for (size_t i = 0; i < r->n; i++) {
		struct series *s = series_get(t, r->ids[i]);
		if (!s || s->defined)
			continue;
		Pantau__SeriesDef **p = realloc(defs, (n + 1) * sizeof(*p));
		Pantau__SeriesDef *d = malloc(sizeof(*d));
		Pantau__Label **labels = malloc((s->nlabels + 1) * sizeof(*labels));
		Pantau__Label *lv = malloc((s->nlabels + 1) * sizeof(*lv));
		if (p)
			defs = p;
		if (!p || !d || !labels || !lv) {
			free(d);
			free(labels);
			free(lv);
			*defs_out = defs;
			*ndefs = n;
			return -ENOMEM;
		}
		pantau__series_def__init(d);
		d->id = s->id;
		d->device = s->device;
		d->device_kind = s->device_kind;
		d->metric = s->metric;
		d->unit = s->unit;
		d->kind = (Pantau__SeriesKind)s->kind;
		labels[0] = &lv[0]; /* free_defs finds lv here, even with no labels */
		for (size_t k = 0; k < s->nlabels; k++) {
			pantau__label__init(&lv[k]);
			lv[k].key = s->label_keys[k];
			lv[k].value = s->label_values[k];
			labels[k] = &lv[k];
		}
		d->labels = labels;
		d->n_labels = s->nlabels;
		defs[n++] = d;
		s->defined = true;
	}
	*defs_out = defs;
	*ndefs = n;
	return 0;
}

static void free_defs(Pantau__SeriesDef **defs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(defs[i]->labels[0]);
		free(defs[i]->labels);
		free(defs[i]);
	}
	free(defs);
}

int batch_encode(const struct batch_rec *r, struct series_table *t, struct buf *out,
		 uint32_t max_frame)
{
	Pantau__Batch pb = PANTAU__BATCH__INIT;
	Pantau__Envelope env = PANTAU__ENVELOPE__INIT;
	int64_t *dt = malloc((r->n ? r->n : 1) * sizeof(*dt));
	if (!dt)
		return -ENOMEM;
	pb.seq = r->seq;
	pb.base_ms = r->n ? r->ts_ms[0] : 0;
	for (size_t i = 0; i < r->n; i++)
		dt[i] = r->ts_ms[i] - pb.base_ms;
	int rc = encode_defs(r, t, &pb.series, &pb.n_series);
	if (rc == 0) {
		pb.series_ids = r->ids;
		pb.n_series_ids = r->n;
		pb.dt_ms = dt;
		pb.n_dt_ms = r->n;
		pb.values = r->values;
		pb.n_values = r->n;
		env.body_case = PANTAU__ENVELOPE__BODY_BATCH;
		env.batch = &pb;
		rc = wire_encode(&env, out, max_frame);
	}
	if (rc < 0) {
		/* Not sent: the definitions must go with the next attempt. */
		for (size_t i = 0; i < pb.n_series; i++)
			series_get(t, pb.series[i]->id)->defined = false;
	}
	free_defs(pb.series, pb.n_series);
	free(dt);
	return rc;
}

int batch_encode_losses(struct batch *b, struct buf *out, uint32_t max_frame)
{
	enum spool_loss why;
	uint64_t total;
	int64_t ts;
	int n = 0;
	while (spool_next_loss(b->spool, &why, &total, &ts) > 0) {
		Pantau__Loss loss = PANTAU__LOSS__INIT;
		Pantau__Envelope env = PANTAU__ENVELOPE__INIT;
		loss.stream = spool_stream(b->spool);
		loss.reason = (char *)spool_loss_names[why];
		loss.samples = total;
		loss.ts_ms = ts;
		env.body_case = PANTAU__ENVELOPE__BODY_LOSS;
		env.loss = &loss;
		int rc = wire_encode(&env, out, max_frame);
		if (rc < 0)
			return rc;
		n++;
	}
	return n;
}

void batch_ack(struct batch *b, uint64_t seq)
{
	spool_ack(b->spool, seq);
}

static void on_timer_closed(uv_handle_t *h)
{
	(void)h;
}

void batch_close(struct batch *b)
{
	batch_flush(b);
	uv_close((uv_handle_t *)&b->flush_timer, on_timer_closed);
}
