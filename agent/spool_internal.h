/* Shared between spool.c (run time) and spool_recover.c (open, recovery,
 * sequence leases, close). Not for other modules. */
#ifndef PANTAU_SPOOL_INTERNAL_H
#define PANTAU_SPOOL_INTERNAL_H

#include "spool.h"

/* Sequence numbers are reserved on disk in leases of this many, so a seq is
 * never handed out twice even if the agent dies without writing anything. */
#define SPOOL_SEQ_LEASE ((uint64_t)1 << 20)

void spool_seg_name(uint64_t num, char *out, size_t n);
int spool_write_all(int fd, const void *data, size_t n);
void spool_count_loss(struct spool *sp, enum spool_loss why, uint64_t samples, const char *what);
void spool_start_sync(struct spool *sp);
void spool_on_timer(uv_timer_t *t);
/* The next sequence number, renewing the lease on disk as needed. */
uint64_t spool_take_seq(struct spool *sp);
/* Writes the state file on the threadpool (running loss totals, acked
 * position, and a new sequence lease when the current one is half used). */
void spool_save_state(struct spool *sp);
/* Frees everything once closing and no job or handle is outstanding. */
void spool_maybe_free(struct spool *sp);

#endif
