/* Batching: samples are gathered into batches (closed when full or after a
 * delay) and handed to the spool (agent/spool.h), which numbers them, keeps
 * them on disk until the collector acknowledges them, and gives them back to
 * the sender. */
#ifndef PANTAU_BATCH_H
#define PANTAU_BATCH_H

#include "buf.h"
#include "series.h"

#include <uv.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct agent;
struct spool;

struct batch_rec {
	uint64_t seq;
	uint32_t *ids;
	int64_t *ts_ms;
	double *values;
	size_t n, cap;
	struct batch_rec *next;
};

struct batch {
	struct agent *agent;	/* borrowed */
	struct spool *spool;	/* borrowed */
	struct batch_rec *open; /* being filled, NULL when empty */
	size_t max_samples;
	uint64_t max_delay_ms;
	uv_timer_t flush_timer;
	uint64_t samples_added; /* polled: every sample handed to batch_add */
	uint64_t samples_sent;	/* written to the collector, replays included */
	uint64_t samples_dropped; /* batch_add out of memory */
};

/* 0 or -errno. Uses a->cfg for the limits and a->loop for the timer; closed
 * batches go to sp. */
int batch_init(struct batch *b, struct agent *a, struct spool *sp);

/* Frees a record and its arrays. */
void batch_rec_free(struct batch_rec *r);

/* Grows r's arrays to hold cap samples. 0 or -ENOMEM. */
int batch_rec_reserve(struct batch_rec *r, size_t cap);

/* Adds one sample to the open batch; closes it when full. 0 or -ENOMEM. */
int batch_add(struct batch *b, uint32_t series, int64_t ts_ms, double value);

/* Closes the open batch (if any), spools it and tells the sender. */
void batch_flush(struct batch *b);

/* A device poll ended: its samples are closed into a batch and spooled at
 * the start of the next loop iteration (so polls ending together share one
 * batch), not batch_max_delay later: a kill -9 loses no finished poll. */
void batch_poll_done(struct batch *b);

/* Encodes record r as one frame appended to out, with a definition for every
 * series it uses that is not yet defined on this connection (marking them). */
int batch_encode(const struct batch_rec *r, struct series_table *t, struct buf *out,
		 uint32_t max_frame);

/* Appends a Loss frame to out for every reason whose running total of
 * dropped samples grew since it was last reported on this connection.
 * Returns how many frames were appended, or a negative errno. */
int batch_encode_losses(struct batch *b, struct buf *out, uint32_t max_frame);

/* The collector acknowledged every batch up to seq. */
void batch_ack(struct batch *b, uint64_t seq);

/* Closes the timer; the open batch is spooled first (batch_flush). */
void batch_close(struct batch *b);

#endif
