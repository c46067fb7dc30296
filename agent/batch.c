#include "batch.h"
#include "agent.h"
#include "log.h"
#include "send.h"
#include "wire.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/random.h>

enum { SAMPLE_BYTES = sizeof(uint32_t) + sizeof(int64_t) + sizeof(double) };

static void rec_free(struct batch_rec *r)
{
	free(r->ids);
	free(r->ts_ms);
	free(r->values);
	free(r);
}

static size_t rec_bytes(const struct batch_rec *r)
{
	return sizeof(*r) + r->cap * SAMPLE_BYTES;
}

static void on_flush_timer(uv_timer_t *t)
{
	batch_flush(t->data);
}

int batch_init(struct batch *b, struct agent *a)
{
	*b = (struct batch){.agent = a, .next_seq = 1};
	b->max_bytes = a->cfg.max_buffer;
	b->max_samples = (size_t)a->cfg.batch_max_samples;
	b->max_delay_ms = a->cfg.batch_max_delay_ms;
	if (getrandom(&b->stream, sizeof(b->stream), 0) != sizeof(b->stream))
		b->stream = (uint64_t)log_wall_ms() ^ ((uint64_t)log_mono_ms() << 32);
	int rc = uv_timer_init(a->loop, &b->flush_timer);
	b->flush_timer.data = b;
	return rc;
}

static int rec_grow(struct batch_rec *r, size_t cap)
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

/* Drops the oldest batches until the outbox fits its bound again. */
static void evict(struct batch *b)
{
	while (b->queued_bytes > b->max_bytes && b->head && b->head != b->tail) {
		struct batch_rec *r = b->head;
		b->head = r->next;
		b->queued_bytes -= rec_bytes(r);
		b->samples_evicted += r->n;
		log_warn("batch",
			 "outbox over %zu bytes: evicted batch %llu (%zu samples, %llu evicted "
			 "so far)",
			 b->max_bytes, (unsigned long long)r->seq, r->n,
			 (unsigned long long)b->samples_evicted);
		rec_free(r);
	}
}

int batch_add(struct batch *b, uint32_t series, int64_t ts_ms, double value)
{
	struct batch_rec *r = b->open;
	if (!r) {
		r = b->open = calloc(1, sizeof(*r));
		if (!r)
			return -ENOMEM;
		uv_timer_start(&b->flush_timer, on_flush_timer, b->max_delay_ms, 0);
	}
	if (r->n == r->cap && rec_grow(r, r->cap ? r->cap * 2 : 256) < 0)
		return -ENOMEM;
	r->ids[r->n] = series;
	r->ts_ms[r->n] = ts_ms;
	r->values[r->n] = value;
	r->n++;
	b->samples_added++;
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
	r->seq = b->next_seq++;
	if (b->tail)
		b->tail->next = r;
	else
		b->head = r;
	b->tail = r;
	b->queued_bytes += rec_bytes(r);
	evict(b);
	if (b->agent->send)
		send_kick(b->agent->send);
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
		d->device = s->dev->name;
		d->device_kind = s->dev->kind;
		d->metric = s->metric;
		d->unit = s->unit;
		d->kind = (Pantau__SeriesKind)s->kind;
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
		free(defs[i]->n_labels ? defs[i]->labels[0] : NULL);
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

size_t batch_ack(struct batch *b, uint64_t seq)
{
	size_t freed = 0;
	while (b->head && b->head->seq <= seq) {
		struct batch_rec *r = b->head;
		b->head = r->next;
		if (!b->head)
			b->tail = NULL;
		b->queued_bytes -= rec_bytes(r);
		b->samples_acked += r->n;
		b->batches_acked++;
		rec_free(r);
		freed++;
	}
	return freed;
}

static void on_timer_closed(uv_handle_t *h)
{
	struct batch *b = h->data;
	if (b->open)
		rec_free(b->open);
	b->open = NULL;
	while (b->head) {
		struct batch_rec *r = b->head;
		b->head = r->next;
		rec_free(r);
	}
	b->tail = NULL;
}

void batch_close(struct batch *b)
{
	uv_close((uv_handle_t *)&b->flush_timer, on_timer_closed);
}
