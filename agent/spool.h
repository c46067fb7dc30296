/* The durable spool: every closed batch is appended to a segment file in
 * spool.dir before it is sent, and a segment is deleted only once every
 * batch in it is acknowledged. The spool also owns the stream id and the
 * sequence numbers (file "state"), so a restarted agent continues its stream
 * and the collector's (agent, stream, seq) dedupe recognises replays.
 *
 * Memory stays bounded whatever the backlog: only per-segment summaries and
 * the batches in flight are in RAM; (re)sending reads records back from the
 * segment files. When the disk fails (ENOSPC, EIO) the spool evicts its
 * oldest segment and retries, else keeps a bounded in-memory tail; every
 * sample it has to drop is counted by reason and logged. */
#ifndef PANTAU_SPOOL_H
#define PANTAU_SPOOL_H

#include "batch.h"
#include "log.h"
#include "perr.h"
#include "series.h"
#include "spool_record.h"

#include <uv.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum spool_loss {
	SPOOL_LOSS_FULL,
	SPOOL_LOSS_DISK,
	SPOOL_LOSS_IO,
	SPOOL_LOSS_CORRUPT,
	SPOOL_NLOSS /* == SPOOL_STATE_LOSSES */
};

/* "spool_full", "disk_full", "io_error", "corrupt". */
extern const char *const spool_loss_names[SPOOL_NLOSS];

enum spool_fsync { SPOOL_FSYNC_INTERVAL, SPOOL_FSYNC_ALWAYS, SPOOL_FSYNC_NEVER };

struct spool_options {
	const char *dir;   /* borrowed */
	uint64_t max_size; /* bytes of segment files */
	enum spool_fsync fsync;
	uint64_t fsync_ms;     /* SPOOL_FSYNC_INTERVAL: data durable within this */
	uint64_t segment_size; /* 0: max_size / 16, within 64 KiB .. 64 MiB */
	size_t mem_max;	       /* bytes of the in-memory tail while the disk fails */
	/* Tests only: replaces the write of segment bytes (NULL: write(2)). */
	int (*write_fn)(void *arg, int fd, const void *data, size_t n);
	void *write_arg;
};

struct spool_seg {
	uint64_t num;		      /* file name: %016llx.seg */
	uint64_t size;		      /* valid bytes in the file */
	uint64_t first_seq, last_seq; /* 0 when it holds no batch */
	uint64_t samples;	      /* in its batch records */
	uint64_t acked_samples;
	struct spool_seg *next;
};

struct spool_flight {
	uint64_t seq;
	size_t n;
	struct spool_seg *seg; /* NULL once evicted, or for the memory tail */
	bool evicted;	       /* dropped from the spool while in flight */
	enum spool_loss why;   /* when evicted */
};

struct spool_stats {
	uint64_t samples_spooled; /* written to a segment (or kept in memory) */
	uint64_t samples_acked;
	uint64_t batches_acked;
	uint64_t samples_evicted[SPOOL_NLOSS];
	uint64_t bytes_written;
	uint64_t write_errors;
};

struct spool {
	uv_loop_t *loop;
	struct series_table *series; /* borrowed */
	struct spool_options opt;
	char *dir;
	int dir_fd, lock_fd, wfd, rfd;
	uint64_t rfd_num;
	struct spool_state st;	    /* as last written to "state" */
	uint64_t loss[SPOOL_NLOSS]; /* running totals since the spool began (persisted) */
	int64_t loss_ms;
	uint64_t loss_reported[SPOOL_NLOSS]; /* totals sent on this connection */
	uint64_t next_seq, acked_seq;
	struct spool_seg *head, *tail; /* oldest first; wfd writes to active */
	struct spool_seg *active;      /* == tail while open for writing, else NULL */
	uint64_t next_num;
	uint64_t seg_size;
	uint64_t total_bytes;
	uint8_t *seg_defined; /* series ids with a def record in the active segment */
	size_t seg_defined_cap;
	uint32_t *new_defs; /* marked for the record being written */
	size_t nnew_defs, new_defs_cap;
	struct batch_rec *mem_head, *mem_tail; /* batches the disk refused */
	size_t mem_bytes;
	/* send cursor */
	struct spool_seg *cur_seg; /* NULL: start at head */
	uint64_t cur_off;
	uint64_t sent_upto; /* highest seq handed out on this connection */
	struct spool_flight *flight;
	size_t nflight, flight_cap;
	struct batch_rec read_rec;
	struct buf wbuf, rbuf;
	/* durability */
	uint64_t written_seq, durable_seq;
	bool dirty, sync_dir, sync_busy, sync_again, lease_busy, save_again, closing, timer_open;
	unsigned workers;      /* threadpool jobs whose done callback has not run */
	uint64_t lease_target; /* seq_reserved being written by a lease job */
	uv_timer_t timer;
	void (*on_durable)(void *data); /* new batches may be sent */
	void *cb_data;
	struct log_complaint disk_complaint, evict_complaint;
	struct spool_stats stats;
};

/* Checks that dir exists and is writable, or can be created (--check).
 * 0 or -errno with err set. Creates nothing. */
int spool_check_dir(const char *dir, struct perr *err);

/* Opens (creating) the spool directory, takes its lock, recovers every
 * segment (keeping complete records, truncating a torn tail, counting what
 * was dropped), re-registers the series definitions the segments need in t
 * and reserves a range of sequence numbers on disk. Runs before the loop.
 * 0 or -errno with err set. */
int spool_open(struct spool *sp, uv_loop_t *loop, const struct spool_options *o,
	       struct series_table *t, struct perr *err);

uint64_t spool_stream(const struct spool *sp);

/* Numbers r, appends it and takes it over (freed, or kept in the memory tail
 * when the disk refuses it). Never fails: a batch that cannot be kept is
 * counted as evicted. */
void spool_append(struct spool *sp, struct batch_rec *r);

/* The next batch to send on this connection: 1 with *r set (borrowed until
 * the next call), 0 when none is ready, -errno on a read error. The batch is
 * then in flight until acked or spool_rewind. */
int spool_next(struct spool *sp, const struct batch_rec **r);

size_t spool_inflight(const struct spool *sp);

/* The collector acknowledged every batch up to seq. */
void spool_ack(struct spool *sp, uint64_t seq);

/* The connection was lost: the next spool_next starts again at the oldest
 * unacknowledged batch. */
void spool_rewind(struct spool *sp);

/* A reason whose running total of dropped samples grew since it was last
 * reported on this connection: 1 with *why and *total set (and marked
 * reported), 0 when every total is reported. */
int spool_next_loss(struct spool *sp, enum spool_loss *why, uint64_t *total, int64_t *ts_ms);

/* Samples and batches appended and not yet acknowledged. */
uint64_t spool_pending_samples(const struct spool *sp);

/* Syncs and records the acknowledged position, closes the timer; the
 * segments stay for the next start. */
void spool_close(struct spool *sp);

#endif
