/* The spool at run time: appending, the send cursor, acks, eviction and
 * durability. Opening and recovery live in spool_recover.c.
 *
 * Why plain write() on the loop thread but fdatasync on the threadpool: a
 * write() of one record (a few KiB) lands in the page cache in microseconds
 * and survives kill -9 of the agent; what can stall for milliseconds to
 * seconds is forcing it to the device. So every append is a write() here,
 * and durability is batched: a timer (fsync: 1s, the default) or each append
 * (fsync: always) queues one fdatasync of a dup()ed descriptor on the
 * threadpool, and only its completion advances durable_seq. With fsync:
 * always a batch is sent only once it is durable. Reads of records being
 * re-sent are pread()s of recently written, normally cached pages. */
#include "spool.h"
#include "spool_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *const spool_loss_names[SPOOL_NLOSS] = {"spool_full", "disk_full", "io_error",
						   "corrupt"};

_Static_assert((int)SPOOL_NLOSS == (int)SPOOL_STATE_LOSSES,
	       "the state file keeps one total per reason");

struct sync_work {
	uv_work_t req;
	struct spool *sp;
	int fd, dir_fd;
	uint64_t upto; /* 0: closing an old segment, no durable_seq update */
	bool datasync;
};

/* ---- durability ---- */

static void sync_work(uv_work_t *req)
{
	struct sync_work *w = req->data;
	if (w->datasync && w->fd >= 0)
		fdatasync(w->fd);
	if (w->dir_fd >= 0)
		fsync(w->dir_fd);
	if (w->fd >= 0)
		close(w->fd);
}

static void sync_done(uv_work_t *req, int status)
{
	struct sync_work *w = req->data;
	struct spool *sp = w->sp;
	(void)status;
	sp->workers--;
	if (w->upto) {
		sp->sync_busy = false;
		if (w->upto > sp->durable_seq)
			sp->durable_seq = w->upto;
		if (!sp->closing && sp->sync_again) {
			sp->sync_again = false;
			spool_start_sync(sp);
		}
		if (!sp->closing && sp->on_durable)
			sp->on_durable(sp->cb_data);
	}
	free(w);
	spool_maybe_free(sp);
}

static int submit_sync(struct spool *sp, int fd, uint64_t upto)
{
	struct sync_work *w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->sp = sp;
	w->fd = fd;
	w->dir_fd = sp->sync_dir ? sp->dir_fd : -1;
	w->upto = upto;
	w->datasync = sp->opt.fsync != SPOOL_FSYNC_NEVER;
	w->req.data = w;
	int rc = uv_queue_work(sp->loop, &w->req, sync_work, sync_done);
	if (rc < 0) {
		free(w);
		return rc;
	}
	sp->sync_dir = false;
	sp->workers++;
	return 0;
}

void spool_start_sync(struct spool *sp)
{
	if (sp->sync_busy) {
		sp->sync_again = true;
		return;
	}
	sp->dirty = false;
	uint64_t upto = sp->written_seq ? sp->written_seq : 1;
	int fd = sp->wfd >= 0 ? dup(sp->wfd) : -1;
	if (submit_sync(sp, fd, upto) < 0) {
		if (fd >= 0)
			close(fd);
		sp->dirty = true;
		return;
	}
	sp->sync_busy = true;
}

void spool_on_timer(uv_timer_t *t)
{
	struct spool *sp = t->data;
	if (sp->dirty || sp->sync_dir)
		spool_start_sync(sp);
}

/* Closes the active segment: its descriptor is synced and closed on the
 * threadpool; the segment stays readable through the read descriptor. */
static void roll(struct spool *sp)
{
	if (!sp->active)
		return;
	sp->active = NULL;
	if (sp->wfd >= 0 && submit_sync(sp, sp->wfd, 0) < 0)
		close(sp->wfd);
	sp->wfd = -1;
}

/* ---- segments ---- */

void spool_seg_name(uint64_t num, char *out, size_t n)
{
	snprintf(out, n, "%016" PRIx64 ".seg", num);
}

static struct spool_flight *flight_find_seg(struct spool *sp, struct spool_seg *seg, size_t *i)
{
	for (; *i < sp->nflight; (*i)++) {
		if (sp->flight[*i].seg == seg)
			return &sp->flight[(*i)++];
	}
	return NULL;
}

static void unlink_seg(struct spool *sp, struct spool_seg *seg)
{
	char name[32];
	spool_seg_name(seg->num, name, sizeof(name));
	if (unlinkat(sp->dir_fd, name, 0) < 0 && errno != ENOENT)
		log_complain(&sp->disk_complaint, LL_WARN, "spool", "cannot delete %s/%s: %s",
			     sp->dir, name, strerror(errno));
	sp->sync_dir = true;
}

/* Removes the oldest segment from the list and the disk. */
static void drop_head(struct spool *sp)
{
	struct spool_seg *seg = sp->head;
	if (seg == sp->active)
		roll(sp);
	if (sp->rfd >= 0 && sp->rfd_num == seg->num) {
		close(sp->rfd);
		sp->rfd = -1;
	}
	if (sp->cur_seg == seg) {
		sp->cur_seg = seg->next;
		sp->cur_off = SPOOL_SEG_HEADER_LEN;
	}
	unlink_seg(sp, seg);
	sp->total_bytes -= seg->size;
	sp->head = seg->next;
	if (!sp->head)
		sp->tail = NULL;
	free(seg);
}

void spool_count_loss(struct spool *sp, enum spool_loss why, uint64_t samples, const char *what)
{
	if (!samples)
		return;
	sp->stats.samples_evicted[why] += samples;
	sp->loss[why] += samples;
	sp->loss_ms = log_wall_ms();
	if (!sp->closing && sp->dir_fd >= 0 && sp->timer_open)
		spool_save_state(sp); /* the sender reports the total on its next write */
	log_complain(&sp->evict_complaint, LL_WARN, "spool",
		     "%s: %" PRIu64 " samples evicted (%s); %" PRIu64 " evicted so far for this "
		     "reason",
		     what, samples, spool_loss_names[why], sp->stats.samples_evicted[why]);
}

/* Evicts the oldest segment, counting its unacknowledged samples. Samples in
 * flight are counted only if their ack never comes (spool_rewind). 0, or
 * -ENOENT when there is nothing to evict. */
static int evict_oldest(struct spool *sp, enum spool_loss why)
{
	struct spool_seg *seg = sp->head;
	if (!seg)
		return -ENOENT;
	uint64_t lost = seg->samples - seg->acked_samples;
	struct spool_flight *f;
	size_t i = 0;
	while ((f = flight_find_seg(sp, seg, &i))) {
		f->seg = NULL;
		f->evicted = true;
		f->why = why;
		lost -= f->n;
	}
	char what[96];
	snprintf(what, sizeof(what), "spool %s full, oldest segment dropped",
		 why == SPOOL_LOSS_FULL ? "max_size" : "disk");
	spool_count_loss(sp, why, lost, what);
	drop_head(sp);
	return 0;
}

static int seg_write(struct spool *sp, int fd, const void *data, size_t n)
{
	if (sp->opt.write_fn)
		return sp->opt.write_fn(sp->opt.write_arg, fd, data, n);
	return spool_write_all(fd, data, n);
}

static int open_segment(struct spool *sp)
{
	char name[32];
	uint8_t hdr[SPOOL_SEG_HEADER_LEN];
	uint64_t num = sp->next_num++;
	spool_seg_name(num, name, sizeof(name));
	struct spool_seg *seg = calloc(1, sizeof(*seg));
	if (!seg)
		return -ENOMEM;
	int fd = openat(sp->dir_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
	if (fd < 0) {
		free(seg);
		return -errno;
	}
	spool_seg_header_encode(sp->st.stream, hdr);
	int rc = seg_write(sp, fd, hdr, sizeof(hdr));
	if (rc < 0) {
		close(fd);
		unlinkat(sp->dir_fd, name, 0);
		free(seg);
		return rc;
	}
	seg->num = num;
	seg->size = sizeof(hdr);
	if (sp->tail)
		sp->tail->next = seg;
	else
		sp->head = seg;
	sp->tail = sp->active = seg;
	sp->wfd = fd;
	sp->total_bytes += seg->size;
	sp->sync_dir = true;
	if (sp->seg_defined)
		memset(sp->seg_defined, 0, sp->seg_defined_cap);
	return 0;
}

int spool_write_all(int fd, const void *data, size_t n)
{
	const uint8_t *p = data;
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		if (w == 0)
			return -EIO;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* ---- appending ---- */

static bool seg_has_def(struct spool *sp, uint32_t id)
{
	return id < sp->seg_defined_cap && sp->seg_defined[id];
}

static int mark_def(struct spool *sp, uint32_t id)
{
	if (id >= sp->seg_defined_cap) {
		size_t cap = sp->seg_defined_cap ? sp->seg_defined_cap : 1024;
		while (cap <= id)
			cap *= 2;
		uint8_t *p = realloc(sp->seg_defined, cap);
		if (!p)
			return -ENOMEM;
		memset(p + sp->seg_defined_cap, 0, cap - sp->seg_defined_cap);
		sp->seg_defined = p;
		sp->seg_defined_cap = cap;
	}
	if (sp->nnew_defs == sp->new_defs_cap) {
		size_t cap = sp->new_defs_cap ? sp->new_defs_cap * 2 : 256;
		uint32_t *p = realloc(sp->new_defs, cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		sp->new_defs = p;
		sp->new_defs_cap = cap;
	}
	sp->new_defs[sp->nnew_defs++] = id;
	sp->seg_defined[id] = 1;
	return 0;
}

/* The record was not written: its defs are not in the segment either. */
static void unmark_new_defs(struct spool *sp)
{
	for (size_t i = 0; i < sp->nnew_defs; i++)
		sp->seg_defined[sp->new_defs[i]] = 0;
	sp->nnew_defs = 0;
}

static int put_def(struct spool *sp, const struct series *s)
{
	struct spool_label labels[64];
	size_t n = s->nlabels < 64 ? s->nlabels : 64;
	for (size_t i = 0; i < n; i++)
		labels[i] = (struct spool_label){s->label_keys[i], s->label_values[i]};
	struct spool_def d = {.id = s->id,
			      .kind = (int)s->kind,
			      .device = s->device,
			      .device_kind = s->device_kind,
			      .metric = s->metric,
			      .unit = s->unit,
			      .nlabels = n,
			      .labels = labels};
	return spool_rec_put_def(&sp->wbuf, &d);
}

/* Encodes into wbuf a def record for every series r uses that the active
 * segment does not define yet, then the batch record. */
static int encode_for_active(struct spool *sp, const struct batch_rec *r)
{
	buf_reset(&sp->wbuf);
	sp->nnew_defs = 0;
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < r->n; i++) {
		uint32_t id = r->ids[i];
		const struct series *s = series_get(sp->series, id);
		if (!s || seg_has_def(sp, id))
			continue;
		rc = put_def(sp, s);
		if (rc == 0)
			rc = mark_def(sp, id); /* undone by the caller if the write fails */
	}
	struct spool_batch_view v = {r->seq, r->n, r->ids, r->ts_ms, r->values};
	return rc ? rc : spool_rec_put_batch(&sp->wbuf, &v);
}

static void note_written(struct spool *sp, const struct batch_rec *r)
{
	struct spool_seg *seg = sp->active;
	seg->size += sp->wbuf.len;
	sp->total_bytes += sp->wbuf.len;
	if (!seg->first_seq)
		seg->first_seq = r->seq;
	seg->last_seq = r->seq;
	seg->samples += r->n;
	sp->written_seq = r->seq;
	sp->stats.samples_spooled += r->n;
	sp->stats.bytes_written += sp->wbuf.len;
	sp->dirty = true;
	if (sp->opt.fsync == SPOOL_FSYNC_ALWAYS)
		spool_start_sync(sp);
}

/* One try at writing wbuf to the active segment. 0, 1 to try again (after
 * a roll or an eviction), or -errno for good. */
static int write_once(struct spool *sp, const struct batch_rec *r)
{
	if (!sp->active) {
		int rc = open_segment(sp);
		if (rc == -ENOSPC || rc == -EDQUOT)
			return evict_oldest(sp, SPOOL_LOSS_DISK) == 0 ? 1 : rc;
		if (rc < 0)
			return rc;
	}
	int rc = encode_for_active(sp, r);
	if (rc < 0) {
		unmark_new_defs(sp);
		return rc;
	}
	struct spool_seg *a = sp->active;
	if (a->size > SPOOL_SEG_HEADER_LEN && a->size + sp->wbuf.len > sp->seg_size) {
		roll(sp);
		return 1;
	}
	if (sp->total_bytes + sp->wbuf.len > sp->opt.max_size && sp->head != a) {
		unmark_new_defs(sp);
		return evict_oldest(sp, SPOOL_LOSS_FULL) == 0 ? 1 : -ENOSPC;
	}
	rc = seg_write(sp, sp->wfd, sp->wbuf.data, sp->wbuf.len);
	if (rc == 0) {
		sp->nnew_defs = 0;
		note_written(sp, r);
		return 0;
	}
	unmark_new_defs(sp);
	sp->stats.write_errors++;
	/* Drop the partial record so the segment ends on a record boundary,
	 * and write the next one there (ftruncate leaves the offset alone). */
	if (ftruncate(sp->wfd, (off_t)a->size) < 0 ||
	    lseek(sp->wfd, (off_t)a->size, SEEK_SET) < 0) {
		roll(sp);
		return rc;
	}
	if ((rc == -ENOSPC || rc == -EDQUOT) && sp->head != a)
		return evict_oldest(sp, SPOOL_LOSS_DISK) == 0 ? 1 : rc;
	if ((rc == -ENOSPC || rc == -EDQUOT) && a->samples > 0) {
		evict_oldest(sp, SPOOL_LOSS_DISK); /* the active one: nothing older is left */
		return 1;
	}
	roll(sp);
	return rc;
}

static int write_batch(struct spool *sp, const struct batch_rec *r)
{
	int rc = 1;
	for (int tries = 0; rc == 1 && tries < 1024; tries++)
		rc = write_once(sp, r);
	if (rc == 0)
		return 0;
	if (sp->active)
		roll(sp);
	return rc < 0 ? rc : -EIO;
}

static size_t rec_mem(const struct batch_rec *r)
{
	return sizeof(*r) + r->cap * (sizeof(uint32_t) + sizeof(int64_t) + sizeof(double));
}

static void mem_drop_oldest(struct spool *sp, enum spool_loss why)
{
	struct batch_rec *r = sp->mem_head;
	sp->mem_head = r->next;
	if (!sp->mem_head)
		sp->mem_tail = NULL;
	sp->mem_bytes -= rec_mem(r);
	uint64_t lost = r->n;
	for (size_t i = 0; i < sp->nflight; i++) {
		struct spool_flight *f = &sp->flight[i];
		if (f->seq == r->seq && !f->evicted) {
			f->evicted = true;
			f->why = why;
			lost = 0;
		}
	}
	spool_count_loss(sp, why, lost, "disk refuses the spool and the memory tail is full");
	batch_rec_free(r);
}

static void mem_push(struct spool *sp, struct batch_rec *r, int err)
{
	enum spool_loss why = err == -ENOSPC || err == -EDQUOT ? SPOOL_LOSS_DISK : SPOOL_LOSS_IO;
	log_complain(&sp->disk_complaint, LL_WARN, "spool",
		     "cannot write to %s: %s; keeping batches in memory (up to %zu bytes)", sp->dir,
		     strerror(-err), sp->opt.mem_max);
	r->next = NULL;
	if (sp->mem_tail)
		sp->mem_tail->next = r;
	else
		sp->mem_head = r;
	sp->mem_tail = r;
	sp->mem_bytes += rec_mem(r);
	while (sp->mem_bytes > sp->opt.mem_max && sp->mem_head != r)
		mem_drop_oldest(sp, why);
}

/* Moves the memory tail to disk, oldest first, while the disk takes it. */
static int flush_mem(struct spool *sp)
{
	while (sp->mem_head) {
		struct batch_rec *r = sp->mem_head;
		int rc = write_batch(sp, r);
		if (rc < 0)
			return rc;
		sp->mem_head = r->next;
		if (!sp->mem_head)
			sp->mem_tail = NULL;
		sp->mem_bytes -= rec_mem(r);
		for (size_t i = 0; i < sp->nflight; i++) {
			if (sp->flight[i].seq == r->seq && !sp->flight[i].evicted)
				sp->flight[i].seg = sp->tail;
		}
		batch_rec_free(r);
	}
	log_release(&sp->disk_complaint, "spool", "writing to %s again", sp->dir);
	return 0;
}

void spool_append(struct spool *sp, struct batch_rec *r)
{
	r->seq = spool_take_seq(sp);
	int rc = flush_mem(sp);
	if (rc == 0)
		rc = write_batch(sp, r);
	if (rc == 0) {
		batch_rec_free(r);
		return;
	}
	mem_push(sp, r, rc);
}

/* ---- sending ---- */

static int flight_push(struct spool *sp, uint64_t seq, size_t n, struct spool_seg *seg)
{
	if (sp->nflight == sp->flight_cap) {
		size_t cap = sp->flight_cap ? sp->flight_cap * 2 : 32;
		struct spool_flight *p = realloc(sp->flight, cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		sp->flight = p;
		sp->flight_cap = cap;
	}
	sp->flight[sp->nflight++] = (struct spool_flight){.seq = seq, .n = n, .seg = seg};
	sp->sent_upto = seq;
	return 0;
}

static int read_at(struct spool *sp, struct spool_seg *seg, uint64_t off, size_t n)
{
	if (sp->rfd < 0 || sp->rfd_num != seg->num) {
		char name[32];
		if (sp->rfd >= 0)
			close(sp->rfd);
		spool_seg_name(seg->num, name, sizeof(name));
		sp->rfd = openat(sp->dir_fd, name, O_RDONLY | O_CLOEXEC);
		if (sp->rfd < 0)
			return -errno;
		sp->rfd_num = seg->num;
	}
	buf_reset(&sp->rbuf);
	int rc = buf_reserve(&sp->rbuf, n);
	if (rc < 0)
		return rc;
	ssize_t got = pread(sp->rfd, sp->rbuf.data, n, (off_t)off);
	if (got < 0)
		return -errno;
	sp->rbuf.len = (size_t)got;
	return got == (ssize_t)n ? 0 : -EIO;
}

/* Reads the record at the cursor: its length, or -errno. */
static long read_record(struct spool *sp, const uint8_t **payload, size_t *plen)
{
	int rc = read_at(sp, sp->cur_seg, sp->cur_off, SPOOL_REC_HEADER_LEN);
	if (rc < 0)
		return rc;
	size_t len = (size_t)sp->rbuf.data[0] | (size_t)sp->rbuf.data[1] << 8 |
		     (size_t)sp->rbuf.data[2] << 16 | (size_t)sp->rbuf.data[3] << 24;
	if (len > SPOOL_REC_MAX || sp->cur_off + SPOOL_REC_HEADER_LEN + len > sp->cur_seg->size)
		return -EBADMSG;
	if ((rc = read_at(sp, sp->cur_seg, sp->cur_off, SPOOL_REC_HEADER_LEN + len)) < 0)
		return rc;
	long n = spool_rec_check(sp->rbuf.data, sp->rbuf.len, payload, plen);
	return n > 0 ? n : -EBADMSG;
}

/* Decodes a batch payload into read_rec, leaving out samples whose series
 * definition was lost (counted as corrupt: the collector could not file them). */
static int load_batch(struct spool *sp, const uint8_t *pl, size_t plen, uint64_t seq, size_t n)
{
	struct batch_rec *r = &sp->read_rec;
	if (n > r->cap && batch_rec_reserve(r, n) < 0)
		return -ENOMEM;
	if (spool_batch_decode(pl, plen, r->ids, r->ts_ms, r->values, n) < 0)
		return -EBADMSG;
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (!series_get(sp->series, r->ids[i]))
			continue;
		r->ids[k] = r->ids[i];
		r->ts_ms[k] = r->ts_ms[i];
		r->values[k++] = r->values[i];
	}
	if (k < n)
		spool_count_loss(sp, SPOOL_LOSS_CORRUPT, n - k,
				 "batch uses a series whose definition was lost");
	r->seq = seq;
	r->n = k;
	return 0;
}

/* Next batch from the segment files: 1, 0 (none left), 2 (the next one is
 * not durable yet: nothing newer may go before it), or -errno. */
static int next_from_disk(struct spool *sp, const struct batch_rec **out)
{
	uint64_t floor = sp->sent_upto > sp->acked_seq ? sp->sent_upto : sp->acked_seq;
	uint64_t ready = sp->opt.fsync == SPOOL_FSYNC_ALWAYS ? sp->durable_seq : sp->written_seq;
	if (!sp->cur_seg) {
		sp->cur_seg = sp->head;
		sp->cur_off = SPOOL_SEG_HEADER_LEN;
	}
	while (sp->cur_seg) {
		struct spool_seg *seg = sp->cur_seg;
		if (sp->cur_off >= seg->size || seg->last_seq <= floor) {
			if (!seg->next)
				return 0;
			sp->cur_seg = seg->next;
			sp->cur_off = SPOOL_SEG_HEADER_LEN;
			continue;
		}
		const uint8_t *pl;
		size_t plen, n;
		uint64_t seq;
		long len = read_record(sp, &pl, &plen);
		if (len < 0) {
			log_complain(&sp->disk_complaint, LL_WARN, "spool",
				     "cannot read segment %016" PRIx64 " at %" PRIu64
				     ": %s; skipping "
				     "the rest of it",
				     seg->num, sp->cur_off, strerror((int)-len));
			sp->cur_off = seg->size;
			continue;
		}
		if (pl[0] != SPOOL_REC_BATCH || spool_batch_peek(pl, plen, &seq, &n) < 0) {
			sp->cur_off += (uint64_t)len;
			continue;
		}
		if (seq > floor && seq > ready)
			return 2; /* not durable yet (fsync: always) */
		sp->cur_off += (uint64_t)len;
		if (seq <= floor)
			continue;
		int rc = load_batch(sp, pl, plen, seq, n);
		if (rc == -EBADMSG)
			continue;
		if (rc == 0)
			rc = flight_push(sp, seq, n, seg);
		if (rc < 0)
			return rc;
		*out = &sp->read_rec;
		return 1;
	}
	return 0;
}

int spool_next(struct spool *sp, const struct batch_rec **out)
{
	int rc = next_from_disk(sp, out);
	if (rc == 2)
		return 0;
	if (rc != 0)
		return rc;
	uint64_t floor = sp->sent_upto > sp->acked_seq ? sp->sent_upto : sp->acked_seq;
	for (struct batch_rec *r = sp->mem_head; r; r = r->next) {
		if (r->seq <= floor)
			continue;
		if ((rc = flight_push(sp, r->seq, r->n, NULL)) < 0)
			return rc;
		*out = r;
		return 1;
	}
	return 0;
}

size_t spool_inflight(const struct spool *sp)
{
	return sp->nflight;
}

void spool_ack(struct spool *sp, uint64_t seq)
{
	if (seq <= sp->acked_seq || seq >= sp->next_seq)
		return;
	sp->acked_seq = seq;
	size_t k = 0;
	for (; k < sp->nflight && sp->flight[k].seq <= seq; k++) {
		struct spool_flight *f = &sp->flight[k];
		if (f->seg)
			f->seg->acked_samples += f->n;
		sp->stats.samples_acked += f->n;
		sp->stats.batches_acked++;
	}
	memmove(sp->flight, sp->flight + k, (sp->nflight - k) * sizeof(*sp->flight));
	sp->nflight -= k;
	while (sp->mem_head && sp->mem_head->seq <= seq) {
		struct batch_rec *r = sp->mem_head;
		sp->mem_head = r->next;
		if (!sp->mem_head)
			sp->mem_tail = NULL;
		sp->mem_bytes -= rec_mem(r);
		batch_rec_free(r);
	}
	for (struct spool_seg *g = sp->head; g && g->last_seq <= seq; g = g->next)
		g->acked_samples = g->samples;
	/* A segment goes once every batch in it is acknowledged. */
	while (sp->head && sp->head != sp->active && sp->head->last_seq <= seq)
		drop_head(sp);
}

void spool_rewind(struct spool *sp)
{
	for (size_t i = 0; i < sp->nflight; i++) {
		struct spool_flight *f = &sp->flight[i];
		if (f->evicted)
			spool_count_loss(sp, f->why, f->n,
					 "evicted while in flight, and the connection was lost "
					 "before its ack");
	}
	sp->nflight = 0;
	sp->sent_upto = 0;
	sp->cur_seg = NULL;
	memset(sp->loss_reported, 0, sizeof(sp->loss_reported));
}

int spool_next_loss(struct spool *sp, enum spool_loss *why, uint64_t *total, int64_t *ts_ms)
{
	for (int i = 0; i < SPOOL_NLOSS; i++) {
		if (sp->loss[i] > sp->loss_reported[i]) {
			sp->loss_reported[i] = sp->loss[i];
			*why = (enum spool_loss)i;
			*total = sp->loss[i];
			*ts_ms = sp->loss_ms;
			return 1;
		}
	}
	return 0;
}

uint64_t spool_pending_samples(const struct spool *sp)
{
	uint64_t n = 0;
	for (const struct spool_seg *s = sp->head; s; s = s->next) {
		if (s->last_seq > sp->acked_seq)
			n += s->samples - s->acked_samples;
	}
	for (const struct batch_rec *r = sp->mem_head; r; r = r->next)
		n += r->n;
	return n;
}

uint64_t spool_stream(const struct spool *sp)
{
	return sp->st.stream;
}
