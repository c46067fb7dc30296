/* The writer thread, its queue and its completions on the loop thread. The
 * SQL itself lives in store_write.c. */
#include "store.h"
#include "store_write.h"
#include "log.h"
#include "wire.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum {
	GROUP_MAX_ITEMS = 256,
	GROUP_MAX_SAMPLES = 1 << 20,
	BACKOFF_FIRST_MS = 100,
	BACKOFF_MAX_MS = 10000,
};

struct store_item *store_item_new(enum store_kind kind, const char *agent_id, const char *site,
				  const char *software)
{
	struct store_item *it = calloc(1, sizeof(*it));
	if (!it)
		return NULL;
	it->kind = kind;
	it->agent_id = strdup(agent_id);
	it->site = strdup(site);
	it->software = strdup(software);
	if (!it->agent_id || !it->site || !it->software) {
		store_item_free(it);
		return NULL;
	}
	return it;
}

int store_item_reserve(struct store_item *it, size_t n, size_t nrefs)
{
	it->ref = malloc((n ? n : 1) * sizeof(*it->ref));
	it->ts_us = malloc((n ? n : 1) * sizeof(*it->ts_us));
	it->values = malloc((n ? n : 1) * sizeof(*it->values));
	it->refs = calloc(nrefs ? nrefs : 1, sizeof(*it->refs));
	return it->ref && it->ts_us && it->values && it->refs ? 0 : -ENOMEM;
}

void store_item_free(struct store_item *it)
{
	if (!it)
		return;
	for (size_t i = 0; i < it->nrefs; i++)
		series_def_release(it->refs[i]);
	free(it->refs);
	free(it->ref);
	free(it->ts_us);
	free(it->values);
	wire_free(it->env);
	free(it->agent_id);
	free(it->site);
	free(it->software);
	free(it);
}

/* Detaches the next group from the queue: the oldest item, then as many
 * following ones as fit. Called with mu held; NULL if the queue is empty. */
static struct store_item *take_group(struct store *s, size_t *count)
{
	struct store_item *head = s->queue_head, *last = head;
	if (!head)
		return NULL;
	size_t n = 1, samples = head->n;
	while (last->next && n < GROUP_MAX_ITEMS && samples + last->next->n <= GROUP_MAX_SAMPLES) {
		last = last->next;
		samples += last->n;
		n++;
	}
	s->queue_head = last->next;
	if (!s->queue_head)
		s->queue_tail = NULL;
	last->next = NULL;
	*count = n;
	return head;
}

/* Waits up to ms or until stop is requested. Called with mu held. */
static void nap(struct store *s, uint32_t ms)
{
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += ms / 1000;
	until.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	if (!s->stopping)
		pthread_cond_timedwait(&s->cond, &s->mu, &until);
}

static bool give_up(struct store *s)
{
	pthread_mutex_lock(&s->mu);
	bool over = s->stopping && log_mono_ms() >= s->deadline_ms;
	pthread_mutex_unlock(&s->mu);
	return over;
}

/* Stores one group, retrying until it commits or the stop grace runs out. */
static void write_group(struct store *s, struct store_item **items, size_t n)
{
	uint32_t backoff = BACKOFF_FIRST_MS;
	for (;;) {
		int rc = store_write_connect(s->w);
		atomic_store(&s->connected, rc == 0);
		if (rc == 0 && (rc = store_write_group(s->w, items, n)) == 0)
			return;
		atomic_store(&s->connected, store_write_connected(s->w));
		if (give_up(s)) {
			log_warn("store", "stopping with %zu items not stored (the agents keep "
					  "them and send them again)", n);
			for (size_t i = 0; i < n; i++)
				items[i]->result = STORE_ABANDONED;
			return;
		}
		pthread_mutex_lock(&s->mu);
		nap(s, backoff);
		pthread_mutex_unlock(&s->mu);
		backoff = backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : backoff * 2;
	}
}

static void *writer_main(void *arg)
{
	struct store *s = arg;
	struct store_item *group[GROUP_MAX_ITEMS];
	/* Connect early so /health tells the truth before the first batch. */
	atomic_store(&s->connected, store_write_connect(s->w) == 0);
	pthread_mutex_lock(&s->mu);
	for (;;) {
		while (!s->queue_head && !s->stopping)
			pthread_cond_wait(&s->cond, &s->mu);
		size_t n = 0;
		struct store_item *it = take_group(s, &n);
		if (!it)
			break; /* stopping and the queue is empty */
		pthread_mutex_unlock(&s->mu);
		for (size_t i = 0; i < n; i++, it = it->next)
			group[i] = it;
		write_group(s, group, n);
		pthread_mutex_lock(&s->mu);
		for (size_t i = 0; i < n; i++) {
			group[i]->next = NULL;
			if (s->done_tail)
				s->done_tail->next = group[i];
			else
				s->done_head = group[i];
			s->done_tail = group[i];
		}
		uv_async_send(&s->async);
	}
	s->finished = true;
	pthread_mutex_unlock(&s->mu);
	uv_async_send(&s->async);
	return NULL;
}

static void on_closed(uv_handle_t *h)
{
	struct store *s = h->data;
	store_write_free(s->w);
	s->w = NULL;
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cond);
	if (s->stopped_cb)
		s->stopped_cb(s);
}

static void on_async(uv_async_t *a)
{
	struct store *s = a->data;
	pthread_mutex_lock(&s->mu);
	struct store_item *it = s->done_head;
	s->done_head = s->done_tail = NULL;
	bool finished = s->finished;
	pthread_mutex_unlock(&s->mu);
	while (it) {
		struct store_item *next = it->next;
		s->depth--;
		it->done(it);
		it = next;
	}
	if (finished && !uv_is_closing((uv_handle_t *)&s->async)) {
		pthread_join(s->thread, NULL);
		uv_close((uv_handle_t *)&s->async, on_closed);
	}
}

int store_start(struct store *s, uv_loop_t *loop, const char *dsn)
{
	memset(s, 0, sizeof(*s));
	s->loop = loop;
	atomic_init(&s->connected, false);
	s->w = store_write_new(dsn);
	if (!s->w)
		return -ENOMEM;
	int rc = uv_async_init(loop, &s->async, on_async);
	if (rc < 0) {
		store_write_free(s->w);
		return rc;
	}
	s->async.data = s;
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cond, NULL);
	rc = -pthread_create(&s->thread, NULL, writer_main, s);
	if (rc < 0) {
		s->finished = true; /* nothing to join: close right away */
		uv_close((uv_handle_t *)&s->async, NULL);
		pthread_mutex_destroy(&s->mu);
		pthread_cond_destroy(&s->cond);
		store_write_free(s->w);
	}
	return rc;
}

void store_submit(struct store *s, struct store_item *it)
{
	it->next = NULL;
	s->depth++;
	pthread_mutex_lock(&s->mu);
	if (s->queue_tail)
		s->queue_tail->next = it;
	else
		s->queue_head = it;
	s->queue_tail = it;
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->mu);
}

size_t store_depth(const struct store *s)
{
	return s->depth;
}

bool store_connected(const struct store *s)
{
	return atomic_load(&((struct store *)s)->connected);
}

void store_stop(struct store *s, uint64_t grace_ms, void (*cb)(struct store *s))
{
	s->stopped_cb = cb;
	pthread_mutex_lock(&s->mu);
	s->stopping = true;
	s->deadline_ms = log_mono_ms() + grace_ms;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->mu);
}
