/* A fixed pool of worker threads for blocking work (libmodbus calls, libpq
 * writes), whose completions run on the libuv loop thread. Concurrency is
 * bounded by the number of threads; the queue itself is bounded by the
 * callers (each keeps at most one job per device or connection in flight). */
#ifndef PANTAU_WORKQ_H
#define PANTAU_WORKQ_H

#include <uv.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

struct workq_job;
typedef void (*workq_work_fn)(struct workq_job *job); /* runs on a worker thread */
typedef void (*workq_done_fn)(struct workq_job *job); /* runs on the loop thread */

/* Embed in the caller's struct; owned by the caller, borrowed by the queue
 * from workq_submit until its done callback. */
struct workq_job {
	workq_work_fn work;
	workq_done_fn done;
	struct workq_job *next;
};

struct workq {
	uv_loop_t *loop;
	uv_async_t async;
	pthread_mutex_t mu;
	pthread_cond_t cond;
	struct workq_job *todo_head, *todo_tail;
	struct workq_job *done_head, *done_tail;
	pthread_t *threads;
	size_t nthreads;
	size_t pending; /* submitted, done callback not yet run */
	bool stopping;
	void (*closed_cb)(struct workq *q);
};

/* Starts nthreads workers. 0 or -errno. */
int workq_start(struct workq *q, uv_loop_t *loop, size_t nthreads);

/* Queues a job. The done callback always runs, on the loop thread. */
void workq_submit(struct workq *q, struct workq_job *job, workq_work_fn work, workq_done_fn done);

/* Jobs submitted whose done callback has not yet run. */
size_t workq_pending(const struct workq *q);

/* Waits for the running jobs, joins the threads, runs the remaining done
 * callbacks, then closes the async handle and calls closed_cb (may be NULL).
 * Jobs still queued run before the threads exit. Call on the loop thread. */
void workq_stop(struct workq *q, void (*closed_cb)(struct workq *q));

#endif
