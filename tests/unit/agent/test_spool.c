/* The spool: record format, recovery (torn tail, bad CRC), sequence
 * numbers across restarts, eviction accounting, a full disk (simulated with
 * a write hook that behaves like a small filesystem) and I/O errors. */
#include "batch.h"
#include "series.h"
#include "spool.h"
#include "spool_internal.h"
#include "spool_record.h"
#include "test.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[256];
static uv_loop_t loop;

static void rm_dir(const char *d)
{
	DIR *dp = opendir(d);
	struct dirent *e;
	char path[512];
	while (dp && (e = readdir(dp))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", d, e->d_name);
		unlink(path);
	}
	if (dp)
		closedir(dp);
	rmdir(d);
}

static void fresh_dir(void)
{
	if (dir[0])
		rm_dir(dir);
	snprintf(dir, sizeof(dir), "/tmp/pantau-spool-test.XXXXXX");
	if (!mkdtemp(dir))
		abort();
}

static struct device dev_a = {.name = "ups-a", .kind = "ups"};

/* A series table with n series: metric m<i>, label idx=<i>. */
static struct series_table *make_series(size_t n)
{
	struct series_table *t = series_table_new();
	for (size_t i = 0; i < n; i++) {
		char metric[32], idx[16];
		snprintf(metric, sizeof(metric), "m%zu", i);
		snprintf(idx, sizeof(idx), "%zu", i);
		struct label l = {"idx", idx};
		struct sample_in s = {.metric = metric, .unit = "V", .labels = &l, .nlabels = 1};
		uint32_t id;
		if (series_lookup(t, &dev_a, &s, &id) < 0)
			abort();
	}
	return t;
}

static struct batch_rec *make_batch(size_t n, uint32_t nseries, int64_t ts, double base)
{
	struct batch_rec *r = calloc(1, sizeof(*r));
	if (!r || batch_rec_reserve(r, n) < 0)
		abort();
	for (size_t i = 0; i < n; i++) {
		r->ids[i] = (uint32_t)(i % nseries) + 1;
		r->ts_ms[i] = ts + (int64_t)(i / nseries) * 1000;
		r->values[i] = base + (double)i / 3.0; /* stored raw: 9 bytes */
	}
	r->n = n;
	return r;
}

static struct spool_options opts(enum spool_fsync f)
{
	return (struct spool_options){
		.dir = dir, .max_size = 1 << 30, .fsync = f, .fsync_ms = 1000, .mem_max = 1 << 20};
}

static void open_ok(struct spool *sp, const struct spool_options *o, struct series_table *t)
{
	struct perr err = {{0}};
	int rc = spool_open(sp, &loop, o, t, &err);
	if (rc < 0)
		printf("# %s\n", err.msg);
	ASSERT_EQ_INT(rc, 0);
}

static void close_run(struct spool *sp)
{
	spool_close(sp);
	uv_run(&loop, UV_RUN_DEFAULT);
}

/* Paths of the segment files, oldest first (at most 64). */
static size_t segments(char paths[][512])
{
	DIR *dp = opendir(dir);
	struct dirent *e;
	size_t n = 0;
	while (dp && (e = readdir(dp)) && n < 64) {
		size_t len = strlen(e->d_name);
		if (len > 4 && strcmp(e->d_name + len - 4, ".seg") == 0)
			snprintf(paths[n++], 512, "%s/%s", dir, e->d_name);
	}
	closedir(dp);
	for (size_t i = 1; i < n; i++) /* insertion sort by name */
		for (size_t j = i; j > 0 && strcmp(paths[j - 1], paths[j]) > 0; j--) {
			char tmp[512];
			memcpy(tmp, paths[j], 512);
			memcpy(paths[j], paths[j - 1], 512);
			memcpy(paths[j - 1], tmp, 512);
		}
	return n;
}

static off_t file_size(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? st.st_size : -1;
}

TEST(record_roundtrip_keeps_every_value)
{
	uint32_t ids[] = {3, 1, 7, 7, 2};
	int64_t ts[] = {1700000000123, 1700000000123, 1699999999000, 1700000005000, 1700000005000};
	double v[] = {42, 23.5, -0.0, NAN, 2301 * 0.1};
	struct spool_batch_view b = {99, 5, ids, ts, v};
	struct buf out;
	buf_init(&out, 1 << 20);
	ASSERT_EQ_INT(spool_rec_put_batch(&out, &b), 0);
	const uint8_t *pl;
	size_t plen, n;
	uint64_t seq;
	ASSERT_EQ_INT(spool_rec_check(out.data, out.len, &pl, &plen), (long)out.len);
	ASSERT_EQ_INT(spool_batch_peek(pl, plen, &seq, &n), 0);
	ASSERT_EQ_UINT(seq, 99);
	ASSERT_EQ_UINT(n, 5);
	uint32_t ids2[5];
	int64_t ts2[5];
	double v2[5];
	ASSERT_EQ_INT(spool_batch_decode(pl, plen, ids2, ts2, v2, n), 0);
	for (size_t i = 0; i < 5; i++) {
		ASSERT_EQ_UINT(ids2[i], ids[i]);
		ASSERT_EQ_INT(ts2[i], ts[i]);
		ASSERT_TRUE(memcmp(&v2[i], &v[i], 8) == 0);
	}
	/* 42, 23.5 and raw x 0.1 take at most 3 bytes; -0 and NaN nine. */
	ASSERT_TRUE(out.len <= SPOOL_REC_HEADER_LEN + 21 + 5 * 4 + 3 * 3 + 2 * 9);
	buf_free(&out);
}

TEST(record_values_roundtrip_bit_exact)
{
	/* Values devices produce: raw x scale, integers, and awkward doubles. */
	double v[64];
	size_t n = 0;
	double scales[] = {1, 0.1, 0.01, 0.001, 0.5, 1.0 / 3};
	for (size_t s = 0; s < 6; s++)
		for (int raw = -3; raw < 5; raw++)
			v[n++] = (raw * 12345 + 7) * scales[s];
	v[n++] = 1e300;
	v[n++] = -1e-300;
	v[n++] = INFINITY;
	v[n++] = 4000000000.0 * 1000;
	v[n++] = 230.10000000000002;
	uint32_t ids[64];
	int64_t ts[64];
	for (size_t i = 0; i < n; i++) {
		ids[i] = 1;
		ts[i] = 0;
	}
	struct spool_batch_view b = {1, n, ids, ts, v};
	struct buf out;
	buf_init(&out, 1 << 20);
	ASSERT_EQ_INT(spool_rec_put_batch(&out, &b), 0);
	const uint8_t *pl;
	size_t plen;
	ASSERT_TRUE(spool_rec_check(out.data, out.len, &pl, &plen) > 0);
	uint32_t ids2[64];
	int64_t ts2[64];
	double v2[64];
	ASSERT_EQ_INT(spool_batch_decode(pl, plen, ids2, ts2, v2, n), 0);
	for (size_t i = 0; i < n; i++) {
		if (memcmp(&v2[i], &v[i], 8) != 0)
			TEST_FAIL_("value %zu: %.17g came back as %.17g", i, v[i], v2[i]);
	}
	buf_free(&out);
}

TEST(record_def_roundtrip)
{
	struct spool_label labels[] = {{"idx", "4"}, {"oid", "1.3.6.1.2.1.33.1.2.4.0"}};
	struct spool_def d = {.id = 12,
			      .kind = 1,
			      .device = "ups-a",
			      .device_kind = "ups",
			      .metric = "ups.battery.charge",
			      .unit = "%",
			      .nlabels = 2,
			      .labels = labels};
	struct buf out;
	buf_init(&out, 1 << 20);
	ASSERT_EQ_INT(spool_rec_put_def(&out, &d), 0);
	const uint8_t *pl;
	size_t plen;
	ASSERT_TRUE(spool_rec_check(out.data, out.len, &pl, &plen) > 0);
	struct spool_def e;
	char *arena = NULL;
	ASSERT_EQ_INT(spool_def_decode(pl, plen, &e, &arena), 0);
	ASSERT_EQ_UINT(e.id, 12);
	ASSERT_EQ_INT(e.kind, 1);
	ASSERT_EQ_STR(e.device, "ups-a");
	ASSERT_EQ_STR(e.device_kind, "ups");
	ASSERT_EQ_STR(e.metric, "ups.battery.charge");
	ASSERT_EQ_STR(e.unit, "%");
	ASSERT_EQ_UINT(e.nlabels, 2);
	ASSERT_EQ_STR(e.labels[1].value, "1.3.6.1.2.1.33.1.2.4.0");
	free(e.labels);
	free(arena);
	buf_free(&out);
}

TEST(record_check_catches_bit_flips_and_torn_records)
{
	uint32_t ids[] = {1, 2};
	int64_t ts[] = {1000, 1000};
	double v[] = {1.5, 2.5};
	struct spool_batch_view b = {1, 2, ids, ts, v};
	struct buf out;
	buf_init(&out, 1 << 20);
	ASSERT_EQ_INT(spool_rec_put_batch(&out, &b), 0);
	size_t first = out.len;
	b.seq = 2;
	ASSERT_EQ_INT(spool_rec_put_batch(&out, &b), 0);
	const uint8_t *pl;
	size_t plen;
	for (size_t i = 0; i < first; i++) {
		for (int bit = 0; bit < 8; bit++) {
			out.data[i] ^= (uint8_t)(1 << bit);
			long rc = spool_rec_check(out.data, first, &pl, &plen);
			out.data[i] ^= (uint8_t)(1 << bit);
			if (rc > 0)
				TEST_FAIL_("flip of bit %d in byte %zu not caught", bit, i);
		}
	}
	ASSERT_EQ_INT(spool_rec_check(out.data, first - 1, &pl, &plen), 0);
	out.data[10] ^= 0x40;
	ASSERT_EQ_INT(spool_rec_check(out.data, out.len, &pl, &plen), -EBADMSG);
	ASSERT_EQ_UINT(spool_rec_resync(out.data, out.len), first);
	buf_free(&out);
}

TEST(state_and_header_roundtrip)
{
	struct spool_state st = {
		.stream = 0xdeadbeefcafe, .seq_reserved = 1 << 21, .acked_seq = 77};
	struct spool_state got;
	uint8_t raw[SPOOL_STATE_LEN];
	spool_state_encode(&st, raw);
	ASSERT_EQ_INT(spool_state_decode(raw, sizeof(raw), &got), 0);
	ASSERT_EQ_UINT(got.stream, st.stream);
	ASSERT_EQ_UINT(got.seq_reserved, st.seq_reserved);
	ASSERT_EQ_UINT(got.acked_seq, 77);
	raw[20] ^= 1;
	ASSERT_EQ_INT(spool_state_decode(raw, sizeof(raw), &got), -EBADMSG);
}

TEST(restart_continues_stream_and_restores_series)
{
	fresh_dir();
	struct series_table *t = make_series(10);
	struct spool sp;
	struct spool_options o = opts(SPOOL_FSYNC_NEVER);
	open_ok(&sp, &o, t);
	uint64_t stream = spool_stream(&sp);
	for (int i = 0; i < 5; i++)
		spool_append(&sp, make_batch(30, 10, 1700000000000 + i * 10000, i));
	ASSERT_EQ_UINT(spool_pending_samples(&sp), 150);
	const struct batch_rec *r;
	ASSERT_EQ_INT(spool_next(&sp, &r), 1);
	uint64_t first = r->seq;
	ASSERT_EQ_INT(spool_next(&sp, &r), 1);
	spool_ack(&sp, first + 1);
	uint64_t last_seq = sp.next_seq - 1;
	close_run(&sp);
	series_table_free(t);

	/* A new process: an empty series table, as after a config change. */
	t = series_table_new();
	open_ok(&sp, &o, t);
	ASSERT_EQ_UINT(spool_stream(&sp), stream);
	ASSERT_EQ_UINT(spool_pending_samples(&sp), 90);
	ASSERT_TRUE(sp.next_seq > last_seq);
	ASSERT_EQ_UINT(series_count(t), 10);
	struct series *s = series_get(t, 4);
	ASSERT_TRUE(s != NULL);
	ASSERT_EQ_STR(s->metric, "m3");
	ASSERT_EQ_STR(s->device, "ups-a");
	ASSERT_EQ_STR(s->device_kind, "ups");
	ASSERT_EQ_INT(spool_next(&sp, &r), 1);
	ASSERT_EQ_UINT(r->seq, first + 2);
	ASSERT_EQ_UINT(r->n, 30);
	ASSERT_TRUE(r->values[3] == 2 + 3 / 3.0);
	/* A series polled again keeps its old id. */
	struct label l = {"idx", "3"};
	struct sample_in in = {.metric = "m3", .unit = "V", .labels = &l, .nlabels = 1};
	uint32_t id;
	ASSERT_EQ_INT(series_lookup(t, &dev_a, &in, &id), 0);
	ASSERT_EQ_UINT(id, 4);
	close_run(&sp);
	series_table_free(t);
}

TEST(a_crash_never_reuses_a_sequence_number)
{
	fresh_dir();
	struct series_table *t = make_series(4);
	struct spool sp;
	struct spool_options o = opts(SPOOL_FSYNC_NEVER);
	open_ok(&sp, &o, t);
	uint64_t reserved = sp.st.seq_reserved;
	for (int i = 0; i < 3; i++)
		spool_append(&sp, make_batch(4, 4, 1700000000000 + i, 1));
	uint64_t handed = sp.next_seq - 1;
	/* Power loss: the last segment never reached the disk. */
	char segs[64][512];
	size_t n = segments(segs);
	ASSERT_TRUE(n >= 1);
	ASSERT_EQ_INT(truncate(segs[n - 1], 0), 0);
	int dir_fd = sp.dir_fd; /* keep spool_close from writing a new state */
	sp.dir_fd = -1;
	close_run(&sp);
	close(dir_fd);
	open_ok(&sp, &o, t);
	ASSERT_TRUE(sp.next_seq > handed);
	ASSERT_TRUE(sp.next_seq >= reserved);
	close_run(&sp);
	series_table_free(t);
}

TEST(torn_tail_is_truncated_and_counted)
{
	fresh_dir();
	struct series_table *t = make_series(5);
	struct spool sp;
	struct spool_options o = opts(SPOOL_FSYNC_NEVER);
	open_ok(&sp, &o, t);
	for (int i = 0; i < 3; i++)
		spool_append(&sp, make_batch(20, 5, 1700000000000 + i * 1000, 0.5));
	close_run(&sp);
	char segs[64][512];
	ASSERT_EQ_UINT(segments(segs), 1);
	off_t size = file_size(segs[0]);
	ASSERT_EQ_INT(truncate(segs[0], size - 7), 0);
	open_ok(&sp, &o, t);
	ASSERT_EQ_UINT(spool_pending_samples(&sp), 40);
	ASSERT_EQ_UINT(sp.stats.samples_evicted[SPOOL_LOSS_CORRUPT], 20);
	ASSERT_TRUE(file_size(segs[0]) < size - 7);
	ASSERT_EQ_UINT((uint64_t)file_size(segs[0]), sp.total_bytes);
	close_run(&sp);
	/* The repaired segment recovers cleanly. */
	open_ok(&sp, &o, t);
	ASSERT_EQ_UINT(sp.stats.samples_evicted[SPOOL_LOSS_CORRUPT], 0);
	ASSERT_EQ_UINT(spool_pending_samples(&sp), 40);
	close_run(&sp);
	series_table_free(t);
}

TEST(bad_crc_in_the_middle_drops_only_that_record)
{
	fresh_dir();
	struct series_table *t = make_series(5);
	struct spool sp;
	struct spool_options o = opts(SPOOL_FSYNC_NEVER);
	open_ok(&sp, &o, t);
	uint64_t seqs[3];
	for (int i = 0; i < 3; i++) {
		spool_append(&sp, make_batch(50, 5, 1700000000000 + i * 1000, 0.5));
		seqs[i] = sp.next_seq - 1;
	}
	close_run(&sp);
	char segs[64][512];
	ASSERT_EQ_UINT(segments(segs), 1);
	off_t size = file_size(segs[0]);
	/* Flip a value byte in the middle record (records are ~equal size). */
	int fd = open(segs[0], O_RDWR);
	uint8_t c;
	off_t at = size - (size - SPOOL_SEG_HEADER_LEN) / 3 - 100;
	ASSERT_EQ_INT(pread(fd, &c, 1, at), 1);
	c ^= 0x10;
	ASSERT_EQ_INT(pwrite(fd, &c, 1, at), 1);
	close(fd);
	open_ok(&sp, &o, t);
	ASSERT_EQ_UINT(sp.stats.samples_evicted[SPOOL_LOSS_CORRUPT], 50);
	ASSERT_EQ_UINT(spool_pending_samples(&sp), 100);
	const struct batch_rec *r;
	ASSERT_EQ_INT(spool_next(&sp, &r), 1);
	ASSERT_EQ_UINT(r->seq, seqs[0]);
	ASSERT_EQ_INT(spool_next(&sp, &r), 1);
	ASSERT_EQ_UINT(r->seq, seqs[2]);
	ASSERT_EQ_INT(spool_next(&sp, &r), 0);
	close_run(&sp);
	series_table_free(t);
}

TEST(acks_delete_segments_and_rewind_replays)
{
	fresh_dir();
	struct series_table *t = make_series(50);
	struct spool sp;
	struct spool_options o = opts(SPOOL_FSYNC_NEVER);
	o.segment_size = 64 * 1024;
	open_ok(&sp, &o, t);
	for (int i = 0; i < 100; i++)
		spool_append(&sp, make_batch(200, 50, 1700000000000 + i * 4000, 0.1));
	char segs[64][512];
	size_t before = segments(segs);
	ASSERT_TRUE(before >= 3);
	const struct batch_rec *r;
	uint64_t seqs[100];
	for (int i = 0; i < 100; i++) {
		ASSERT_EQ_INT(spool_next(&sp, &r), 1);
		seqs[i] = r->seq;
	}
	ASSERT_EQ_INT(spool_next(&sp, &r), 0);
	ASSERT_EQ_UINT(spool_inflight(&sp), 100);
	spool_ack(&sp, seqs[59]);
	ASSERT_EQ_UINT(spool_inflight(&sp), 40);
	ASSERT_EQ_UINT(sp.stats.samples_acked, 60 * 200);
	ASSERT_TRUE(segments(segs) < before);
	spool_rewind(&sp);
	ASSERT_EQ_UINT(spool_inflight(&sp), 0);
	for (int i = 60; i < 100; i++) {
		ASSERT_EQ_INT(spool_next(&sp, &r), 1);
		ASSERT_EQ_UINT(r->seq, seqs[i]);
	}
	spool_ack(&sp, seqs[99]);
	ASSERT_EQ_UINT(sp.stats.samples_acked, 100 * 200);
	ASSERT_EQ_UINT(spool_pending_samples(&sp), 0);
	ASSERT_EQ_UINT(segments(segs), 1); /* the active one stays */
	close_run(&sp);
	series_table_free(t);
}

/* A spool of 300 KiB in 64 KiB segments, on a fresh dir, for eviction tests. */
static struct spool_options small_spool(void)
{
	fresh_dir();
	struct spool_options o = opts(SPOOL_FSYNC_NEVER);
	o.max_size = 300 * 1024;
	o.segment_size = 64 * 1024;
	return o;
}

TEST(max_size_evicts_oldest_and_counts_every_sample)
{
	struct spool_options o = small_spool();
	struct series_table *t = make_series(50);
	struct spool sp;
	open_ok(&sp, &o, t);
	uint64_t added = 0;
	for (int i = 0; i < 400; i++) {
		spool_append(&sp, make_batch(200, 50, 1700000000000 + i * 4000, 0.1));
		added += 200;
		ASSERT_TRUE(sp.total_bytes <= o.max_size);
	}
	uint64_t evicted = sp.stats.samples_evicted[SPOOL_LOSS_FULL];
	ASSERT_TRUE(evicted > 0);
	ASSERT_EQ_UINT(spool_pending_samples(&sp) + evicted, added);
	/* What is left is the newest, in order, and decodable. */
	const struct batch_rec *r;
	uint64_t n = 0, prev = 0;
	while (spool_next(&sp, &r) == 1) {
		ASSERT_TRUE(r->seq > prev);
		prev = r->seq;
		n += r->n;
	}
	ASSERT_EQ_UINT(n, spool_pending_samples(&sp));
	ASSERT_EQ_UINT(prev, sp.next_seq - 1);
	close_run(&sp);
	series_table_free(t);
}

TEST(loss_totals_persist_and_are_reported_on_every_connection)
{
	struct spool_options o = small_spool();
	struct series_table *t = make_series(50);
	struct spool sp;
	open_ok(&sp, &o, t);
	for (int i = 0; i < 300; i++)
		spool_append(&sp, make_batch(200, 50, 1700000000000 + i * 4000, 0.1));
	uint64_t lost = sp.stats.samples_evicted[SPOOL_LOSS_FULL];
	ASSERT_TRUE(lost > 0);
	enum spool_loss why;
	uint64_t total;
	int64_t ts;
	ASSERT_EQ_INT(spool_next_loss(&sp, &why, &total, &ts), 1);
	ASSERT_EQ_INT(why, SPOOL_LOSS_FULL);
	ASSERT_EQ_UINT(total, lost);
	ASSERT_TRUE(ts > 0);
	ASSERT_EQ_INT(spool_next_loss(&sp, &why, &total, &ts), 0);
	spool_rewind(&sp); /* a new connection hears it again */
	ASSERT_EQ_INT(spool_next_loss(&sp, &why, &total, &ts), 1);
	close_run(&sp);
	open_ok(&sp, &o, t);
	ASSERT_EQ_UINT(sp.stats.samples_evicted[SPOOL_LOSS_FULL], 0); /* this process */
	ASSERT_EQ_INT(spool_next_loss(&sp, &why, &total, &ts), 1);
	ASSERT_EQ_UINT(total, lost); /* since the spool began */
	spool_append(&sp, make_batch(200, 50, 1800000000000, 0.1));
	for (int i = 0; i < 100; i++)
		spool_append(&sp, make_batch(200, 50, 1800000000000 + i * 4000, 0.1));
	ASSERT_EQ_INT(spool_next_loss(&sp, &why, &total, &ts), 1);
	ASSERT_EQ_UINT(total, lost + sp.stats.samples_evicted[SPOOL_LOSS_FULL]);
	close_run(&sp);
	series_table_free(t);
}

/* Holds every thread of libuv's pool until released, so that work queued
 * meanwhile runs only after what the main thread does next. */
struct pool_gate {
	uv_sem_t started, release;
	uv_work_t req[128];
	int n;
};

static void gate_work(uv_work_t *req)
{
	struct pool_gate *g = req->data;
	uv_sem_post(&g->started);
	uv_sem_wait(&g->release);
}

static void gate_done(uv_work_t *req, int status)
{
	(void)req;
	(void)status;
}

static void gate_close(struct pool_gate *g)
{
	const char *env = getenv("UV_THREADPOOL_SIZE");
	g->n = env ? atoi(env) : 4; /* libuv's own rule */
	if (g->n < 1)
		g->n = 1;
	if (g->n > 128)
		abort();
	if (uv_sem_init(&g->started, 0) || uv_sem_init(&g->release, 0))
		abort();
	for (int i = 0; i < g->n; i++) {
		g->req[i].data = g;
		if (uv_queue_work(&loop, &g->req[i], gate_work, gate_done))
			abort();
	}
	for (int i = 0; i < g->n; i++)
		uv_sem_wait(&g->started);
}

static void gate_open(struct pool_gate *g)
{
	for (int i = 0; i < g->n; i++)
		uv_sem_post(&g->release);
}

TEST(stop_is_not_undone_by_a_state_write_in_flight)
{
	struct spool_options o = small_spool();
	struct series_table *t = make_series(50);
	struct spool sp;
	open_ok(&sp, &o, t);
	struct pool_gate g;
	gate_close(&g);
	/* The first eviction queues a state write (its loss total), held back
	 * by the gate; later evictions only raise the total in memory. */
	for (int i = 0; i < 300; i++)
		spool_append(&sp, make_batch(200, 50, 1700000000000 + i * 4000, 0.1));
	uint64_t lost = sp.stats.samples_evicted[SPOOL_LOSS_FULL];
	ASSERT_TRUE(sp.lease_busy);
	spool_close(&sp);
	gate_open(&g); /* the old state write lands now, after the stop */
	uv_run(&loop, UV_RUN_DEFAULT);
	uv_sem_destroy(&g.started);
	uv_sem_destroy(&g.release);
	open_ok(&sp, &o, t);
	enum spool_loss why;
	uint64_t total;
	int64_t ts;
	ASSERT_EQ_INT(spool_next_loss(&sp, &why, &total, &ts), 1);
	ASSERT_EQ_UINT(total, lost);
	close_run(&sp);
	series_table_free(t);
}

/* A filesystem of `cap` bytes: writes past it are cut short with ENOSPC. */
struct small_disk {
	struct spool *sp;
	uint64_t cap;
	int fail_with; /* != 0: every write fails with this */
	uint64_t partial;
};

static int disk_write(void *arg, int fd, const void *data, size_t n)
{
	struct small_disk *d = arg;
	if (d->fail_with)
		return -d->fail_with;
	uint64_t used = d->sp->total_bytes;
	if (used + n <= d->cap)
		return spool_write_all(fd, data, n);
	size_t room = used < d->cap ? (size_t)(d->cap - used) : 0;
	if (room && spool_write_all(fd, data, room / 2) == 0)
		d->partial++;
	return -ENOSPC;
}

TEST(full_disk_evicts_oldest_and_leaves_no_torn_record)
{
	fresh_dir();
	struct series_table *t = make_series(50);
	struct spool sp;
	struct small_disk disk = {.sp = &sp, .cap = 200 * 1024};
	struct spool_options o = opts(SPOOL_FSYNC_NEVER);
	o.segment_size = 64 * 1024;
	o.write_fn = disk_write;
	o.write_arg = &disk;
	open_ok(&sp, &o, t);
	uint64_t added = 0;
	for (int i = 0; i < 300; i++) {
		spool_append(&sp, make_batch(200, 50, 1700000000000 + i * 4000, 0.1));
		added += 200;
	}
	uint64_t evicted = sp.stats.samples_evicted[SPOOL_LOSS_DISK];
	ASSERT_TRUE(disk.partial > 0);
	ASSERT_TRUE(evicted > 0);
	ASSERT_EQ_UINT(sp.stats.samples_evicted[SPOOL_LOSS_FULL], 0);
	ASSERT_EQ_UINT(spool_pending_samples(&sp) + evicted, added);
	close_run(&sp);
	/* Every file ends on a record boundary: recovery finds nothing torn. */
	open_ok(&sp, &o, t);
	ASSERT_EQ_UINT(sp.stats.samples_evicted[SPOOL_LOSS_CORRUPT], 0);
	ASSERT_EQ_UINT(spool_pending_samples(&sp) + evicted, added);
	close_run(&sp);
	series_table_free(t);
}

TEST(io_errors_keep_a_bounded_memory_tail)
{
	fresh_dir();
	struct series_table *t = make_series(50);
	struct spool sp;
	struct small_disk disk = {.sp = &sp, .cap = 1 << 30};
	struct spool_options o = opts(SPOOL_FSYNC_NEVER);
	o.write_fn = disk_write;
	o.write_arg = &disk;
	o.mem_max = 64 * 1024;
	open_ok(&sp, &o, t);
	spool_append(&sp, make_batch(100, 50, 1700000000000, 1));
	disk.fail_with = EIO;
	uint64_t added = 0;
	for (int i = 0; i < 50; i++) {
		spool_append(&sp, make_batch(200, 50, 1700000010000 + i * 4000, 1));
		added += 200;
		ASSERT_TRUE(sp.mem_bytes <= o.mem_max + 8192);
	}
	uint64_t lost = sp.stats.samples_evicted[SPOOL_LOSS_IO];
	ASSERT_TRUE(lost > 0);
	ASSERT_EQ_UINT(spool_pending_samples(&sp) + lost, added + 100);
	/* The disk batch first, then the memory tail, in order. */
	const struct batch_rec *r;
	uint64_t prev = 0, n = 0;
	while (spool_next(&sp, &r) == 1) {
		ASSERT_TRUE(r->seq > prev);
		prev = r->seq;
		n += r->n;
	}
	ASSERT_EQ_UINT(n, spool_pending_samples(&sp));
	/* The disk heals: the tail goes to disk with the next batch. */
	disk.fail_with = 0;
	spool_append(&sp, make_batch(10, 10, 1700000900000, 1));
	ASSERT_EQ_UINT(sp.mem_bytes, 0);
	spool_ack(&sp, prev);
	ASSERT_EQ_UINT(spool_pending_samples(&sp), 10);
	close_run(&sp);
	series_table_free(t);
}

TEST(fsync_always_sends_only_durable_batches)
{
	fresh_dir();
	struct series_table *t = make_series(5);
	struct spool sp;
	struct spool_options o = opts(SPOOL_FSYNC_ALWAYS);
	open_ok(&sp, &o, t);
	spool_append(&sp, make_batch(5, 5, 1700000000000, 1));
	const struct batch_rec *r;
	ASSERT_EQ_INT(spool_next(&sp, &r), 0);
	for (int i = 0; i < 1000 && sp.durable_seq < sp.written_seq; i++)
		uv_run(&loop, UV_RUN_ONCE);
	ASSERT_EQ_INT(spool_next(&sp, &r), 1);
	close_run(&sp);
	series_table_free(t);
}

TEST(a_second_agent_on_the_same_dir_is_refused)
{
	fresh_dir();
	struct series_table *t = make_series(1);
	struct spool a, b;
	struct spool_options o = opts(SPOOL_FSYNC_NEVER);
	open_ok(&a, &o, t);
	struct perr err = {{0}};
	ASSERT_TRUE(spool_open(&b, &loop, &o, t, &err) < 0);
	ASSERT_TRUE(strstr(err.msg, "in use") != NULL);
	ASSERT_TRUE(b.dir == NULL); /* a failed open frees what it took */
	ASSERT_EQ_INT(b.lock_fd, -1);
	close_run(&a);
	series_table_free(t);
}

TEST(loop_setup)
{
	ASSERT_EQ_INT(uv_loop_init(&loop), 0);
}

TEST(cleanup)
{
	rm_dir(dir);
	ASSERT_EQ_INT(uv_loop_close(&loop), 0);
}

TEST_MAIN(loop_setup, record_roundtrip_keeps_every_value, record_values_roundtrip_bit_exact,
	  record_def_roundtrip, record_check_catches_bit_flips_and_torn_records,
	  state_and_header_roundtrip, restart_continues_stream_and_restores_series,
	  a_crash_never_reuses_a_sequence_number, torn_tail_is_truncated_and_counted,
	  bad_crc_in_the_middle_drops_only_that_record, acks_delete_segments_and_rewind_replays,
	  max_size_evicts_oldest_and_counts_every_sample,
	  loss_totals_persist_and_are_reported_on_every_connection,
	  stop_is_not_undone_by_a_state_write_in_flight,
	  full_disk_evicts_oldest_and_leaves_no_torn_record, io_errors_keep_a_bounded_memory_tail,
	  fsync_always_sends_only_durable_batches, a_second_agent_on_the_same_dir_is_refused,
	  cleanup)
