/* Batching: samples are gathered into batches (closed when full or after a
 * delay), numbered, and kept until the collector acknowledges them. Until the
 * durable spool exists this outbox is in memory and bounded: past max_buffer
 * the oldest batch is evicted and every evicted sample is counted. */
#ifndef PANTAU_BATCH_H
#define PANTAU_BATCH_H

#include "buf.h"
#include "series.h"

#include <uv.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct agent;

struct batch_rec {
	uint64_t seq;
	uint32_t *ids;
	int64_t *ts_ms;
	double *values;
	size_t n, cap;
	bool sent; /* written on the current connection */
	struct batch_rec *next;
};

struct batch {
	struct agent *agent;	       /* borrowed */
	struct batch_rec *open;	       /* being filled, NULL when empty */
	struct batch_rec *head, *tail; /* closed, unacknowledged, in seq order */
	uint64_t stream;	       /* random per process until the spool keeps one */
	uint64_t next_seq;
	size_t queued_bytes;
	size_t max_bytes;
	size_t max_samples;
	uint64_t max_delay_ms;
	uv_timer_t flush_timer;
	uint64_t samples_added;
	uint64_t samples_acked;
	uint64_t samples_evicted;
	uint64_t batches_acked;
};

/* 0 or -errno. Uses a->cfg for the limits and a->loop for the timer. */
int batch_init(struct batch *b, struct agent *a);

/* Adds one sample to the open batch; closes it when full. 0 or -ENOMEM. */
int batch_add(struct batch *b, uint32_t series, int64_t ts_ms, double value);

/* Closes the open batch (if any) and tells the sender. */
void batch_flush(struct batch *b);

/* Encodes record r as one frame appended to out, with a definition for every
 * series it uses that is not yet defined on this connection (marking them). */
int batch_encode(const struct batch_rec *r, struct series_table *t, struct buf *out,
		 uint32_t max_frame);

/* The collector acknowledged every batch up to seq: frees them. Returns how
 * many records were freed. */
size_t batch_ack(struct batch *b, uint64_t seq);

/* Closes the timer; frees every record once it is closed. */
void batch_close(struct batch *b);

#endif
