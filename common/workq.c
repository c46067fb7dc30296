#include "workq.h"

#include <errno.h>
#include <stdlib.h>

static void push(struct workq_job **head, struct workq_job **tail, struct workq_job *job)
{
	job->next = NULL;
	if (*tail)
		(*tail)->next = job;
	else
		*head = job;
	*tail = job;
}

static void *worker_main(void *arg)
{
	struct workq *q = arg;
	pthread_mutex_lock(&q->mu);
	for (;;) {
		while (!q->todo_head && !q->stopping)
			pthread_cond_wait(&q->cond, &q->mu);
		struct workq_job *job = q->todo_head;
		if (!job)
			break; /* stopping and nothing left */
		q->todo_head = job->next;
		if (!q->todo_head)
			q->todo_tail = NULL;
		pthread_mutex_unlock(&q->mu);
		job->work(job);
		pthread_mutex_lock(&q->mu);
		push(&q->done_head, &q->done_tail, job);
		uv_async_send(&q->async);
	}
	pthread_mutex_unlock(&q->mu);
	return NULL;
}

static void run_done(struct workq *q)
{
	pthread_mutex_lock(&q->mu);
	struct workq_job *job = q->done_head;
	q->done_head = q->done_tail = NULL;
	pthread_mutex_unlock(&q->mu);
	while (job) {
		struct workq_job *next = job->next;
		q->pending--;
		job->done(job);
		job = next;
	}
}

static void on_async(uv_async_t *a)
{
	run_done(a->data);
}

int workq_start(struct workq *q, uv_loop_t *loop, size_t nthreads)
{
	*q = (struct workq){.loop = loop};
	q->threads = calloc(nthreads, sizeof(*q->threads));
	if (!q->threads)
		return -ENOMEM;
	int rc = uv_async_init(loop, &q->async, on_async);
	if (rc < 0) {
		free(q->threads);
		return rc;
	}
	q->async.data = q;
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->cond, NULL);
	for (size_t i = 0; i < nthreads; i++) {
		rc = -pthread_create(&q->threads[i], NULL, worker_main, q);
		if (rc < 0)
			break;
		q->nthreads++;
	}
	if (q->nthreads == 0) {
		uv_close((uv_handle_t *)&q->async, NULL);
		free(q->threads);
		q->threads = NULL;
		return rc;
	}
	return 0;
}

void workq_submit(struct workq *q, struct workq_job *job, workq_work_fn work, workq_done_fn done)
{
	job->work = work;
	job->done = done;
	q->pending++;
	pthread_mutex_lock(&q->mu);
	push(&q->todo_head, &q->todo_tail, job);
	pthread_cond_signal(&q->cond);
	pthread_mutex_unlock(&q->mu);
}

size_t workq_pending(const struct workq *q)
{
	return q->pending;
}

static void on_closed(uv_handle_t *h)
{
	struct workq *q = h->data;
	pthread_mutex_destroy(&q->mu);
	pthread_cond_destroy(&q->cond);
	if (q->closed_cb)
		q->closed_cb(q);
}

void workq_stop(struct workq *q, void (*closed_cb)(struct workq *q))
{
	pthread_mutex_lock(&q->mu);
	q->stopping = true;
	pthread_cond_broadcast(&q->cond);
	pthread_mutex_unlock(&q->mu);
	for (size_t i = 0; i < q->nthreads; i++)
		pthread_join(q->threads[i], NULL);
	free(q->threads);
	q->threads = NULL;
	q->nthreads = 0;
	run_done(q);
	q->closed_cb = closed_cb;
	uv_close((uv_handle_t *)&q->async, on_closed);
}
