/* The spool's start and end: the directory and its lock, the state file
 * (stream id, reserved sequence numbers, acknowledged position), recovery of
 * the segments after a crash, and the final sync at stop. */
#include "spool.h"
#include "spool_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

/* ---- state file ---- */

/* Writes "state" atomically and durably (tmp file, fdatasync, rename, dir
 * fsync). Runs on the loop thread at start and stop, on the threadpool for
 * lease renewals; tmp names differ so the two never share a file. */
static int write_state(int dir_fd, const struct spool_state *st, const char *tmp)
{
	uint8_t raw[SPOOL_STATE_LEN];
	spool_state_encode(st, raw);
	int fd = openat(dir_fd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (fd < 0)
		return -errno;
	int rc = spool_write_all(fd, raw, sizeof(raw));
	if (rc == 0 && fdatasync(fd) < 0)
		rc = -errno;
	close(fd);
	if (rc == 0 && renameat(dir_fd, tmp, dir_fd, "state") < 0)
		rc = -errno;
	if (rc == 0 && fsync(dir_fd) < 0)
		rc = -errno;
	return rc;
}

struct state_work {
	uv_work_t req;
	struct spool *sp;
	struct spool_state st;
	int rc;
};

/* The state as it should be on disk now, with seq_reserved as given. */
static struct spool_state current_state(const struct spool *sp, uint64_t reserved)
{
	struct spool_state st = sp->st;
	st.seq_reserved = reserved;
	st.acked_seq = sp->acked_seq;
	for (int i = 0; i < SPOOL_NLOSS; i++)
		st.loss[i] = sp->loss[i];
	st.loss_ms = sp->loss_ms;
	return st;
}

static void state_work(uv_work_t *req)
{
	struct state_work *w = req->data;
	w->rc = write_state(w->sp->dir_fd, &w->st, "state.lease");
}

/* The state at stop: acknowledgements and loss totals as they are now, and
 * the largest lease ever promised. Blocking, once, when nothing else runs. */
static void write_final_state(struct spool *sp)
{
	if (sp->dir_fd < 0)
		return;
	uint64_t reserved = sp->st.seq_reserved;
	if (sp->lease_target > reserved)
		reserved = sp->lease_target;
	struct spool_state st = current_state(sp, reserved);
	int rc = write_state(sp->dir_fd, &st, "state.tmp");
	if (rc < 0)
		log_warn("spool", "cannot write %s/state at stop: %s", sp->dir, strerror(-rc));
}

static void state_done(uv_work_t *req, int status)
{
	struct state_work *w = req->data;
	struct spool *sp = w->sp;
	sp->workers--;
	sp->lease_busy = false;
	if (status == 0 && w->rc == 0)
		sp->st = w->st;
	else
		log_complain(&sp->disk_complaint, LL_WARN, "spool",
			     "cannot write %s/state: %s (retrying)", sp->dir,
			     strerror(w->rc ? -w->rc : ECANCELED));
	free(w);
	if (sp->closing)
		write_final_state(sp); /* deferred by spool_close: now nothing races it */
	else if (sp->save_again) {
		sp->save_again = false;
		spool_save_state(sp);
	}
	spool_maybe_free(sp);
}

void spool_save_state(struct spool *sp)
{
	if (sp->lease_busy) {
		sp->save_again = true;
		return;
	}
	struct state_work *w = calloc(1, sizeof(*w));
	if (!w)
		return;
	uint64_t reserved = sp->st.seq_reserved;
	if (sp->next_seq + SPOOL_SEQ_LEASE / 2 >= reserved)
		reserved = sp->next_seq + SPOOL_SEQ_LEASE;
	w->sp = sp;
	w->st = current_state(sp, reserved);
	w->req.data = w;
	if (uv_queue_work(sp->loop, &w->req, state_work, state_done) < 0) {
		free(w);
		return;
	}
	sp->lease_target = reserved;
	sp->lease_busy = true;
	sp->workers++;
}

uint64_t spool_take_seq(struct spool *sp)
{
	if (sp->next_seq >= sp->st.seq_reserved) {
		/* The lease ran out before its renewal landed (or the renewal
		 * failed): renew it here, the one write that blocks the loop. */
		struct spool_state st = current_state(sp, sp->next_seq + SPOOL_SEQ_LEASE);
		int rc = write_state(sp->dir_fd, &st, "state.tmp");
		if (rc == 0)
			sp->st = st;
		else
			log_complain(&sp->disk_complaint, LL_ERROR, "spool",
				     "cannot write %s/state: %s; sequence numbers may repeat "
				     "after a power loss",
				     sp->dir, strerror(-rc));
	} else if (!sp->lease_busy && !sp->closing &&
		   sp->next_seq + SPOOL_SEQ_LEASE / 2 >= sp->st.seq_reserved) {
		spool_save_state(sp);
	}
	return sp->next_seq++;
}

static int read_state(int dir_fd, struct spool_state *st)
{
	uint8_t raw[SPOOL_STATE_LEN + 1];
	int fd = openat(dir_fd, "state", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t n = read(fd, raw, sizeof(raw));
	close(fd);
	if (n < 0)
		return -errno;
	return spool_state_decode(raw, (size_t)n, st);
}

/* ---- directory ---- */

static int mkdir_p(const char *dir)
{
	char path[4096];
	if (snprintf(path, sizeof(path), "%s", dir) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(path, 0750) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

int spool_check_dir(const char *dir, struct perr *err)
{
	char path[4096];
	if (snprintf(path, sizeof(path), "%s", dir) >= (int)sizeof(path))
		return perr_setc(err, -ENAMETOOLONG, "spool.dir is too long");
	/* The nearest existing ancestor must let us create what is missing. */
	for (;;) {
		struct stat stt;
		if (stat(path, &stt) == 0) {
			if (!S_ISDIR(stt.st_mode))
				return perr_setc(err, -ENOTDIR,
						 "spool.dir %s: %s is not a directory", dir, path);
			if (access(path, W_OK | X_OK) < 0)
				return perr_setc(err, -errno,
						 "spool.dir %s is not writable (%s: %s); create it "
						 "for the agent's user or set spool.dir",
						 dir, path, strerror(errno));
			return 0;
		}
		char *slash = strrchr(path, '/');
		if (!slash)
			return perr_setc(err, -ENOENT, "spool.dir %s: cannot be created", dir);
		if (slash == path)
			slash[1] = '\0';
		else
			*slash = '\0';
	}
}

/* ---- recovery ---- */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Lists segment numbers in ascending order (*nums malloc'd); removes
 * leftover temporary files. */
static int list_segments(struct spool *sp, uint64_t **nums, size_t *n)
{
	int fd = dup(sp->dir_fd);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return -errno;
	}
	rewinddir(d);
	size_t cap = 0;
	*nums = NULL;
	*n = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		char *end;
		if (strstr(e->d_name, ".tmp") || strcmp(e->d_name, "state.lease") == 0) {
			unlinkat(sp->dir_fd, e->d_name, 0);
			continue;
		}
		if (strlen(e->d_name) != 20 || strcmp(e->d_name + 16, ".seg") != 0)
			continue;
		uint64_t num = strtoull(e->d_name, &end, 16);
		if (end != e->d_name + 16)
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			uint64_t *p = realloc(*nums, cap * sizeof(*p));
			if (!p) {
				closedir(d);
				return -ENOMEM;
			}
			*nums = p;
		}
		(*nums)[(*n)++] = num;
	}
	closedir(d);
	if (*n)
		qsort(*nums, *n, sizeof(**nums), cmp_u64);
	return 0;
}

static int read_file(int dir_fd, const char *name, struct buf *out)
{
	int fd = openat(dir_fd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	struct stat stt;
	int rc = fstat(fd, &stt) < 0 ? -errno : 0;
	buf_reset(out);
	if (rc == 0)
		rc = buf_reserve(out, (size_t)stt.st_size + 1);
	while (rc == 0) {
		ssize_t got = read(fd, out->data + out->len, out->cap - out->len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			rc = -errno;
		if (got <= 0)
			break;
		out->len += (size_t)got;
		if (out->len == out->cap)
			rc = buf_reserve(out, 65536);
	}
	close(fd);
	return rc;
}

static void restore_def(struct spool *sp, const uint8_t *pl, size_t plen)
{
	struct spool_def d;
	char *arena = NULL;
	struct label labels[64];
	int rc = spool_def_decode(pl, plen, &d, &arena);
	if (rc == 0 && d.nlabels > 64)
		rc = -E2BIG;
	for (size_t i = 0; rc == 0 && i < d.nlabels; i++)
		labels[i] = (struct label){d.labels[i].key, d.labels[i].value};
	if (rc == 0)
		rc = series_restore(sp->series, d.id, d.device, d.device_kind, d.metric, d.unit,
				    (enum series_kind)d.kind, labels, d.nlabels);
	if (rc < 0)
		log_warn("spool", "cannot restore series definition %u (%s/%s): %s", d.id,
			 d.device ? d.device : "?", d.metric ? d.metric : "?", strerror(-rc));
	free(d.labels);
	free(arena);
}

/* Samples a damaged stretch held, when its first record's header still says. */
static uint64_t damaged_samples(const uint8_t *p, size_t n)
{
	uint64_t seq;
	size_t samples;
	if (n < SPOOL_REC_HEADER_LEN + 21)
		return 0;
	size_t avail = n - SPOOL_REC_HEADER_LEN;
	if (spool_batch_peek(p + SPOOL_REC_HEADER_LEN, avail, &seq, &samples) < 0)
		return 0;
	return samples;
}

struct scan {
	struct spool_seg *seg;
	struct buf keep; /* header and every good record */
	bool dropped_middle, dropped_tail;
	uint64_t max_seq;
};

static void take_record(struct spool *sp, struct scan *sc, const uint8_t *rec, long len,
			const uint8_t *pl, size_t plen)
{
	uint64_t seq;
	size_t n;
	if (pl[0] == SPOOL_REC_DEF) {
		restore_def(sp, pl, plen);
	} else if (spool_batch_peek(pl, plen, &seq, &n) == 0) {
		struct spool_seg *seg = sc->seg;
		if (!seg->first_seq)
			seg->first_seq = seq;
		seg->last_seq = seq;
		seg->samples += n;
		if (seq <= sp->st.acked_seq)
			seg->acked_samples += n;
		if (seq > sc->max_seq)
			sc->max_seq = seq;
	}
	buf_append(&sc->keep, rec, (size_t)len);
}

static void scan_records(struct spool *sp, struct scan *sc, const uint8_t *p, size_t size)
{
	size_t off = SPOOL_SEG_HEADER_LEN;
	while (off < size) {
		const uint8_t *pl;
		size_t plen;
		long len = spool_rec_check(p + off, size - off, &pl, &plen);
		if (len > 0) {
			take_record(sp, sc, p + off, len, pl, plen);
			off += (size_t)len;
			continue;
		}
		size_t next = off + spool_rec_resync(p + off, size - off);
		uint64_t lost = damaged_samples(p + off, next - off);
		spool_count_loss(sp, SPOOL_LOSS_CORRUPT, lost,
				 "damaged record dropped at recovery");
		log_warn("spool",
			 "segment %016" PRIx64 ": dropped %zu bytes at offset %zu (%s; %" PRIu64
			 " samples)",
			 sc->seg->num, next - off, off,
			 next < size ? "corrupt record" : "torn tail", lost);
		if (next < size)
			sc->dropped_middle = true;
		else
			sc->dropped_tail = true;
		off = next;
	}
}

/* Rewrites or truncates a damaged segment so it holds only good records. */
static int repair(struct spool *sp, const char *name, struct scan *sc)
{
	if (sc->dropped_middle) {
		char tmp[40];
		snprintf(tmp, sizeof(tmp), "%s.tmp", name);
		int fd = openat(sp->dir_fd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
		if (fd < 0)
			return -errno;
		int rc = spool_write_all(fd, sc->keep.data, sc->keep.len);
		if (rc == 0 && fdatasync(fd) < 0)
			rc = -errno;
		close(fd);
		if (rc == 0 && renameat(sp->dir_fd, tmp, sp->dir_fd, name) < 0)
			rc = -errno;
		return rc;
	}
	int fd = openat(sp->dir_fd, name, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	int rc = ftruncate(fd, (off_t)sc->keep.len) < 0 ? -errno : 0;
	if (rc == 0 && fdatasync(fd) < 0)
		rc = -errno;
	close(fd);
	return rc;
}

static int recover_segment(struct spool *sp, uint64_t num, bool *have_stream, uint64_t *max_seq,
			   struct buf *file)
{
	char name[32];
	spool_seg_name(num, name, sizeof(name));
	int rc = read_file(sp->dir_fd, name, file);
	if (rc < 0)
		return rc;
	uint64_t stream = 0;
	bool bad = spool_seg_header_decode(file->data, file->len, &stream) < 0 ||
		   (*have_stream && stream != sp->st.stream);
	if (bad) {
		/* A header torn at creation, or a segment of another stream: its
		 * records cannot be sent under this stream. */
		struct scan sc = {0};
		struct spool_seg tmp = {.num = num};
		sc.seg = &tmp;
		buf_init(&sc.keep, SIZE_MAX);
		scan_records(sp, &sc, file->data, file->len < SPOOL_SEG_HEADER_LEN ? 0 : file->len);
		spool_count_loss(sp, SPOOL_LOSS_CORRUPT, tmp.samples,
				 "segment with a bad header dropped at recovery");
		log_warn("spool", "segment %s: bad header or another stream (%zu bytes): deleted",
			 name, file->len);
		buf_free(&sc.keep);
		unlinkat(sp->dir_fd, name, 0);
		return 0;
	}
	if (!*have_stream) {
		sp->st.stream = stream;
		*have_stream = true;
	}
	struct spool_seg *seg = calloc(1, sizeof(*seg));
	if (!seg)
		return -ENOMEM;
	seg->num = num;
	struct scan sc = {.seg = seg};
	buf_init(&sc.keep, SIZE_MAX);
	buf_append(&sc.keep, file->data, SPOOL_SEG_HEADER_LEN);
	scan_records(sp, &sc, file->data, file->len);
	if ((sc.dropped_middle || sc.dropped_tail) && (rc = repair(sp, name, &sc)) < 0)
		log_warn("spool", "segment %s: cannot repair: %s", name, strerror(-rc));
	seg->size = sc.keep.len;
	buf_free(&sc.keep);
	if (sc.max_seq > *max_seq)
		*max_seq = sc.max_seq;
	if (sp->tail)
		sp->tail->next = seg;
	else
		sp->head = seg;
	sp->tail = seg;
	sp->total_bytes += seg->size;
	return 0;
}

static int recover(struct spool *sp, bool have_state, struct perr *err)
{
	uint64_t *nums = NULL, max_seq = 0;
	size_t n = 0;
	bool have_stream = have_state;
	int rc = list_segments(sp, &nums, &n);
	struct buf file;
	buf_init(&file, SIZE_MAX);
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = recover_segment(sp, nums[i], &have_stream, &max_seq, &file);
	buf_free(&file);
	sp->next_num = n ? nums[n - 1] + 1 : 1;
	free(nums);
	if (rc < 0)
		return perr_setc(err, rc, "spool %s: cannot recover: %s", sp->dir, strerror(-rc));
	if (!have_stream && getrandom(&sp->st.stream, sizeof(sp->st.stream), 0) < 0)
		sp->st.stream = (uint64_t)log_wall_ms() ^ ((uint64_t)getpid() << 40);
	uint64_t next = max_seq + 1;
	if (have_state && sp->st.seq_reserved > next)
		next = sp->st.seq_reserved;
	if (!have_state && sp->head) {
		log_warn("spool",
			 "%s/state is missing: continuing stream %" PRIu64 " past the "
			 "spooled batches",
			 sp->dir, sp->st.stream);
		next += SPOOL_SEQ_LEASE;
	}
	sp->next_seq = next;
	sp->acked_seq = have_state ? sp->st.acked_seq : 0;
	sp->written_seq = sp->durable_seq = max_seq;
	return 0;
}

static int open_dir(struct spool *sp, struct perr *err)
{
	int rc = mkdir_p(sp->dir);
	if (rc < 0)
		return perr_setc(err, rc, "spool.dir %s: cannot create: %s", sp->dir,
				 strerror(-rc));
	sp->dir_fd = open(sp->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (sp->dir_fd < 0)
		return perr_setc(err, -errno, "spool.dir %s: %s", sp->dir, strerror(errno));
	sp->lock_fd = openat(sp->dir_fd, "lock", O_RDWR | O_CREAT | O_CLOEXEC, 0640);
	if (sp->lock_fd < 0)
		return perr_setc(err, -errno, "spool.dir %s is not writable: %s", sp->dir,
				 strerror(errno));
	if (flock(sp->lock_fd, LOCK_EX | LOCK_NB) < 0)
		return perr_setc(err, -errno,
				 "spool.dir %s is in use by another pantau-agent (%s); give "
				 "each agent its own spool.dir",
				 sp->dir, strerror(errno));
	return 0;
}

/* A sixteenth of max_size, and of the filesystem: a full disk then costs
 * the oldest sixteenth of the spool, not all of it. */
static uint64_t pick_seg_size(const struct spool_options *o, int dir_fd)
{
	uint64_t s = o->segment_size ? o->segment_size : o->max_size / 16;
	struct statvfs vfs;
	if (!o->segment_size && fstatvfs(dir_fd, &vfs) == 0 && vfs.f_blocks &&
	    (uint64_t)vfs.f_blocks * vfs.f_frsize / 16 < s)
		s = (uint64_t)vfs.f_blocks * vfs.f_frsize / 16;
	if (s < 64 * 1024)
		s = 64 * 1024;
	if (s > 64u << 20)
		s = 64u << 20;
	return s;
}

static int open_spool(struct spool *sp, uv_loop_t *loop, const struct spool_options *o,
		      struct series_table *t, struct perr *err);

int spool_open(struct spool *sp, uv_loop_t *loop, const struct spool_options *o,
	       struct series_table *t, struct perr *err)
{
	int rc = open_spool(sp, loop, o, t, err);
	if (rc < 0) {
		/* Nothing was started: free what the attempt allocated. */
		sp->closing = true;
		sp->timer_open = false;
		spool_maybe_free(sp);
	}
	return rc;
}

static int open_spool(struct spool *sp, uv_loop_t *loop, const struct spool_options *o,
		      struct series_table *t, struct perr *err)
{
	*sp = (struct spool){.loop = loop, .series = t, .opt = *o};
	sp->dir_fd = sp->lock_fd = sp->wfd = sp->rfd = -1;
	buf_init(&sp->wbuf, SPOOL_REC_MAX);
	buf_init(&sp->rbuf, SPOOL_REC_MAX + SPOOL_REC_HEADER_LEN);
	sp->dir = strdup(o->dir);
	if (!sp->dir)
		return perr_setc(err, -ENOMEM, "out of memory");
	sp->opt.dir = sp->dir;
	int rc = open_dir(sp, err);
	if (rc < 0)
		return rc;
	sp->seg_size = pick_seg_size(o, sp->dir_fd);
	rc = read_state(sp->dir_fd, &sp->st);
	if (rc < 0 && rc != -ENOENT)
		log_warn("spool", "%s/state is unreadable (%s): recovering from the segments",
			 sp->dir, strerror(-rc));
	bool have_state = rc == 0;
	if (!have_state)
		sp->st = (struct spool_state){0};
	for (int i = 0; i < SPOOL_NLOSS; i++)
		sp->loss[i] = sp->st.loss[i];
	sp->loss_ms = sp->st.loss_ms;
	if ((rc = recover(sp, have_state, err)) < 0)
		return rc;
	/* Reserve the next lease before handing out any number. */
	struct spool_state st = current_state(sp, sp->next_seq + SPOOL_SEQ_LEASE);
	if ((rc = write_state(sp->dir_fd, &st, "state.tmp")) < 0)
		return perr_setc(err, rc, "spool.dir %s: cannot write state: %s", sp->dir,
				 strerror(-rc));
	sp->st = st;
	if ((rc = uv_timer_init(loop, &sp->timer)) < 0)
		return perr_setc(err, rc, "spool: %s", uv_strerror(rc));
	sp->timer_open = true;
	sp->timer.data = sp;
	if (o->fsync == SPOOL_FSYNC_INTERVAL)
		uv_timer_start(&sp->timer, spool_on_timer, o->fsync_ms, o->fsync_ms);
	log_info("spool",
		 "%s: %" PRIu64 " bytes in segments, %" PRIu64 " samples not yet acknowledged, "
		 "stream %" PRIu64 ", next seq %" PRIu64,
		 sp->dir, sp->total_bytes, spool_pending_samples(sp), sp->st.stream, sp->next_seq);
	return 0;
}

/* ---- close ---- */

void spool_maybe_free(struct spool *sp)
{
	if (!sp->closing || sp->workers > 0 || sp->timer_open)
		return;
	while (sp->head) {
		struct spool_seg *s = sp->head;
		sp->head = s->next;
		free(s);
	}
	sp->tail = NULL;
	while (sp->mem_head) {
		struct batch_rec *r = sp->mem_head;
		sp->mem_head = r->next;
		batch_rec_free(r);
	}
	free(sp->read_rec.ids);
	free(sp->read_rec.ts_ms);
	free(sp->read_rec.values);
	sp->read_rec = (struct batch_rec){0};
	free(sp->flight);
	sp->flight = NULL;
	free(sp->seg_defined);
	sp->seg_defined = NULL;
	free(sp->new_defs);
	sp->new_defs = NULL;
	buf_free(&sp->wbuf);
	buf_free(&sp->rbuf);
	if (sp->dir_fd >= 0)
		close(sp->dir_fd);
	if (sp->lock_fd >= 0)
		close(sp->lock_fd); /* releases the lock */
	sp->dir_fd = sp->lock_fd = -1;
	free(sp->dir);
	sp->dir = NULL;
}

static void on_timer_closed(uv_handle_t *h)
{
	struct spool *sp = h->data;
	sp->timer_open = false;
	spool_maybe_free(sp);
}

void spool_close(struct spool *sp)
{
	if (sp->closing)
		return;
	sp->closing = true;
	/* At stop, blocking the loop for one sync is what we want: nothing
	 * else runs any more, and the data must be on disk before exit. */
	if (sp->wfd >= 0) {
		if (sp->opt.fsync != SPOOL_FSYNC_NEVER)
			fdatasync(sp->wfd);
		close(sp->wfd);
		sp->wfd = -1;
		sp->active = NULL;
	}
	if (sp->rfd >= 0)
		close(sp->rfd);
	sp->rfd = -1;
	/* A lease job still in flight would rename its older state over the
	 * final one: the final write waits for it (state_done). */
	if (!sp->lease_busy)
		write_final_state(sp);
	if (sp->timer_open) {
		uv_timer_stop(&sp->timer);
		uv_close((uv_handle_t *)&sp->timer, on_timer_closed);
	} else {
		spool_maybe_free(sp);
	}
}
