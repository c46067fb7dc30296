/* The collector's counters, kept on the loop thread (the writer thread
 * reports through its completions), and their Prometheus text rendering. */
#ifndef PANTAU_COLLECTOR_METRICS_H
#define PANTAU_COLLECTOR_METRICS_H

#include "buf.h"
#include "tls.h"

#include <stdint.h>

/* Why a connection was closed or a message refused: the label of errors_total. */
enum metrics_error {
	ME_FRAME_TOO_LARGE,  /* announced length over max_frame */
	ME_BAD_FRAME,        /* zero-length frame */
	ME_DECODE,           /* bytes that are not a valid Envelope */
	ME_NO_HELLO,         /* first message was not Hello */
	ME_HELLO_TIMEOUT,    /* no Hello within 30 s */
	ME_UNDEFINED_SERIES, /* sample referencing an undefined series id */
	ME_SERIES_CONFLICT,  /* series id redefined with different content */
	ME_BAD_SERIES,       /* a definition we cannot store (duplicate label keys) */
	ME_UNEXPECTED,       /* a message the collector does not take (Ack, 2nd Hello) */
	ME_READ,             /* socket read error */
	ME_TOO_MANY_SERIES,  /* more series on one connection than we keep */
	ME_COUNT_
};

/* Why samples were dropped from a batch that was otherwise stored. */
enum metrics_reject {
	MR_TIMESTAMP, /* before 2000-01-01 or more than 24 h ahead */
	MR_RETENTION, /* older than retention.samples: its partition is gone */
	MR_COUNT_
};

struct metrics {
	uint64_t frames_received;
	uint64_t bytes_received;
	uint64_t batches_received;
	uint64_t batches_stored;
	uint64_t batches_duplicate;
	uint64_t samples_received;
	uint64_t samples_stored;
	uint64_t samples_rejected[MR_COUNT_];
	uint64_t errors[ME_COUNT_];
	uint64_t connections;
	uint64_t connections_active;
	uint64_t connections_refused[TLS_R_COUNT_]; /* TLS or identity, by reason */
	uint64_t tls_handshakes;		    /* completed and verified */
	uint64_t store_queue_depth;
	double store_commit_seconds;
	/* Rollups and retention (collector/retain.c). */
	uint64_t retain_runs, retain_failures;
	uint64_t rollup_rows;		/* 5-minute and hourly rows written */
	uint64_t partitions_dropped;	/* of samples and rollups, past their retention */
	uint64_t batch_records_deleted; /* pantau.batches rows past retention.batches */
	double retain_seconds;		/* spent in rollup and retention runs */
};

/* The label value of an error reason, e.g. "frame_too_large". */
const char *metrics_error_name(enum metrics_error e);

/* Appends the Prometheus text exposition of m to out. 0 or a buf error. */
int metrics_render(const struct metrics *m, struct buf *out);

#endif
