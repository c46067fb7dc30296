/* Backup checks: one pseudo-device per job of the agent's `backups:` section
 * (config.c makes them; this poller is not a device key).
 *
 * A file job lists a directory, takes the newest file matching the pattern
 * and reports its age and size; with `checksum: sha256` it also verifies the
 * file against FILE.sha256. Directory listing and hashing block (a backup
 * may be tens of GB on a slow disk or NFS), so the whole check runs on the
 * agent's worker pool (agent_workq), one job at a time per backup job, cut
 * short at `timeout`; an unchanged file is not hashed again.
 *
 * A command job runs argv (no shell) with uv_spawn, its stdout and stderr on
 * one pipe, and reports the exit status and the last line of output. The
 * command gets its own session so that a timeout kills it and everything it
 * started.
 *
 * Samples (no labels: the device is the job): backup.ok (state: 1 ok, 0 not
 * ok, with the status name), backup.status (state: enum backup_status),
 * backup.age (s), backup.size (B), backup.files and (with an rpo or
 * max_age) backup.rpo (s) for file jobs,
 * backup.exit_status and backup.duration (s) for command jobs. The file
 * name, the command and its last output line go out as an inventory item of
 * kind "backup". A job that is not ok ends its poll with a failure, so the
 * pseudo-device's state is down while the backup is not good. */
#include "agent.h"
#include "backup_check.h"
#include "backup_config.h"
#include "backup_file.h"
#include "poller.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define container_of(p, type, member) ((type *)(void *)((char *)(p)-offsetof(type, member)))

enum { TAIL_MAX = 4096, GRACE_MS = 500 };

struct bk_state {
	struct device *dev;	      /* borrowed */
	const struct backup_cfg *cfg; /* borrowed from dev->cfg */
	bool stopping;
	void (*stop_done)(struct device *dev);
	char reason[300];
	/* file jobs: touched by the worker while busy */
	struct workq *wq;
	struct workq_job job;
	bool busy;
	uint64_t deadline_ms;
	struct backup_sum_cache cache;
	struct backup_file_result res;
	/* command jobs: loop thread only */
	uv_process_t proc;
	uv_pipe_t out;
	uv_timer_t timer;
	int open_handles; /* proc and out of the current run */
	bool running;
	bool exited, timed_out;
	int spawn_err;
	int64_t exit_status;
	int term_signal;
	uint64_t start_ms;
	char tail[TAIL_MAX];
	size_t tail_len;
};

static void emit(struct device *dev, const char *metric, const char *unit, enum series_kind kind,
		 double value, const char *text)
{
	struct sample_in s = {
		.metric = metric, .unit = unit, .kind = kind, .value = value, .text = text};
	device_emit(dev, &s);
}

static void emit_status(struct device *dev, enum backup_status status)
{
	const char *name = backup_status_names[status];
	emit(dev, "backup.ok", "", SERIES_STATE, status == BACKUP_OK, name);
	emit(dev, "backup.status", "", SERIES_STATE, status, name);
}

static void poll_done(struct bk_state *st, enum backup_status status)
{
	if (status == BACKUP_OK)
		device_poll_done(st->dev, 0, NULL);
	else
		device_poll_done(st->dev, -EIO, st->reason);
}

/* ---- file jobs ----------------------------------------------------------- */

static void file_work(struct workq_job *job)
{
	struct bk_state *st = container_of(job, struct bk_state, job);
	backup_file_check(st->cfg, &st->cache, st->deadline_ms, &st->res);
}

static void describe_file(struct bk_state *st, enum backup_status status, int64_t now)
{
	const struct backup_file_result *r = &st->res;
	const struct backup_limits *lim = &st->cfg->lim;
	double age = backup_age_s(r->found.mtime_ms, now);
	switch (status) {
	case BACKUP_MISSING:
		snprintf(st->reason, sizeof(st->reason), "missing: no file matches %s",
			 st->cfg->path);
		break;
	case BACKUP_TOO_OLD:
		snprintf(st->reason, sizeof(st->reason), "too_old: %s is %.0f s old, rpo %.0f s",
			 r->file, age, (double)lim->rpo_ms / 1000);
		break;
	case BACKUP_TOO_SMALL:
	case BACKUP_TOO_LARGE:
		snprintf(st->reason, sizeof(st->reason), "%s: %s is %llu bytes, %s %llu",
			 backup_status_names[status], r->file, (unsigned long long)r->found.size,
			 status == BACKUP_TOO_SMALL ? "min_size" : "max_size",
			 (unsigned long long)(status == BACKUP_TOO_SMALL ? lim->min_size
									 : lim->max_size));
		break;
	default:
		snprintf(st->reason, sizeof(st->reason), "%s: %.100s%s%.160s",
			 backup_status_names[status], r->file, r->file[0] ? ": " : "", r->detail);
		break;
	}
}

static void file_done(struct workq_job *job)
{
	struct bk_state *st = container_of(job, struct bk_state, job);
	st->busy = false;
	if (st->stopping) {
		void (*done)(struct device *) = st->stop_done;
		struct device *dev = st->dev;
		free(st);
		dev->state = NULL;
		done(dev);
		return;
	}
	struct device *dev = st->dev;
	const struct backup_file_result *r = &st->res;
	int64_t now = log_wall_ms();
	enum backup_status status =
		r->timed_out ? BACKUP_TIMEOUT : backup_evaluate(&st->cfg->lim, &r->found, now);
	describe_file(st, status, now);
	emit_status(dev, status);
	emit(dev, "backup.files", "", SERIES_GAUGE, (double)r->matches, NULL);
	if (r->found.found) {
		emit(dev, "backup.age", "s", SERIES_GAUGE, backup_age_s(r->found.mtime_ms, now),
		     NULL);
		emit(dev, "backup.size", "B", SERIES_GAUGE, (double)r->found.size, NULL);
	}
	/* The job's RPO beside its age: reports and rules compare the two. */
	if (st->cfg->lim.rpo_ms)
		emit(dev, "backup.rpo", "s", SERIES_GAUGE, (double)st->cfg->lim.rpo_ms / 1000, NULL);
	static const char *const sums[] = {"not checked", "ok", "mismatch", "unreadable"};
	struct label f[5] = {
		{"path", st->cfg->path},
		{"file", r->file},
		{"status", backup_status_names[status]},
		{"checksum", r->timed_out ? "timeout" : sums[r->found.sum]},
		{"detail", status == BACKUP_OK ? "" : st->reason},
	};
	device_emit_inventory(dev, "backup", "", f, 5);
	poll_done(st, status);
}

static int file_poll(struct bk_state *st)
{
	if (st->busy)
		return -EBUSY;
	st->busy = true;
	st->deadline_ms = log_mono_ms() + st->cfg->timeout_ms;
	workq_submit(st->wq, &st->job, file_work, file_done);
	return 0;
}

/* ---- command jobs -------------------------------------------------------- */

static void command_text(const struct backup_cfg *cfg, char *out, size_t size)
{
	size_t used = 0;
	out[0] = '\0';
	for (size_t i = 0; cfg->argv[i] && used + 1 < size; i++) {
		int w = snprintf(out + used, size - used, "%s%s", i ? " " : "", cfg->argv[i]);
		if (w < 0)
			break;
		used += (size_t)w;
	}
}

static void command_finished(struct bk_state *st)
{
	struct device *dev = st->dev;
	char last[200], cmd[300], code[24];
	enum backup_status status = BACKUP_OK;
	st->running = false;
	backup_last_line(st->tail, st->tail_len, last, sizeof(last));
	int64_t shown = st->term_signal ? 128 + st->term_signal : st->exit_status;
	if (st->spawn_err) {
		status = BACKUP_FAILED;
		snprintf(st->reason, sizeof(st->reason), "failed: cannot run %s: %s",
			 st->cfg->argv[0], uv_strerror(st->spawn_err));
	} else if (st->timed_out) {
		status = BACKUP_TIMEOUT;
		snprintf(st->reason, sizeof(st->reason), "timeout: killed after %llu ms%s%s",
			 (unsigned long long)st->cfg->timeout_ms, last[0] ? "; last output: " : "",
			 last);
	} else if (shown != 0) {
		status = BACKUP_FAILED;
		snprintf(st->reason, sizeof(st->reason), "failed: %s %lld%s%s",
			 st->term_signal ? "killed by signal, status" : "exit status",
			 (long long)shown, last[0] ? "; last output: " : "", last);
	}
	emit_status(dev, status);
	if (!st->spawn_err) {
		emit(dev, "backup.exit_status", "", SERIES_GAUGE, (double)shown, NULL);
		emit(dev, "backup.duration", "s", SERIES_GAUGE,
		     (double)(log_mono_ms() - st->start_ms) / 1000.0, NULL);
	}
	command_text(st->cfg, cmd, sizeof(cmd));
	snprintf(code, sizeof(code), "%lld", (long long)shown);
	struct label f[4] = {
		{"command", cmd},
		{"exit_status", st->spawn_err ? "" : code},
		{"output", last},
		{"status", backup_status_names[status]},
	};
	device_emit_inventory(dev, "backup", "", f, 4);
	poll_done(st, status);
}

static void stop_finish(struct bk_state *st);

static void on_run_handle_closed(uv_handle_t *h)
{
	struct bk_state *st = h->data;
	if (--st->open_handles > 0)
		return;
	uv_timer_stop(&st->timer);
	if (st->stopping)
		stop_finish(st);
	else
		command_finished(st);
}

static void close_out(struct bk_state *st)
{
	if (!uv_is_closing((uv_handle_t *)&st->out))
		uv_close((uv_handle_t *)&st->out, on_run_handle_closed);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	struct bk_state *st = h->data;
	(void)suggested;
	/* Keep the last TAIL_MAX bytes: make room by dropping the oldest half. */
	if (st->tail_len > TAIL_MAX / 2) {
		size_t keep = TAIL_MAX / 2;
		memmove(st->tail, st->tail + st->tail_len - keep, keep);
		st->tail_len = keep;
	}
	*buf = uv_buf_init(st->tail + st->tail_len, (unsigned)(TAIL_MAX - st->tail_len));
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
	struct bk_state *st = s->data;
	(void)buf;
	if (n > 0)
		st->tail_len += (size_t)n;
	else if (n < 0)
		close_out(st); /* EOF: every writer closed its end */
}

static void on_run_timer(uv_timer_t *t)
{
	struct bk_state *st = t->data;
	if (st->exited) {
		close_out(st); /* the grace after exit is over */
		return;
	}
	st->timed_out = true;
	/* The whole session: the command and whatever it started. */
	if (kill(-st->proc.pid, SIGKILL) < 0)
		uv_process_kill(&st->proc, SIGKILL);
}

static void on_child_exit(uv_process_t *p, int64_t exit_status, int term_signal)
{
	struct bk_state *st = p->data;
	st->exited = true;
	st->exit_status = exit_status;
	st->term_signal = term_signal;
	uv_close((uv_handle_t *)p, on_run_handle_closed);
	/* Output still in the pipe arrives before EOF; a grandchild that keeps
	 * the pipe open gets a short grace, then the pipe is closed anyway. */
	if (!uv_is_closing((uv_handle_t *)&st->out))
		uv_timer_start(&st->timer, on_run_timer, GRACE_MS, 0);
}

static int spawn(struct bk_state *st, uv_file child_end)
{
	uv_stdio_container_t stdio[3] = {
		{.flags = UV_IGNORE},
		{.flags = UV_INHERIT_FD, .data.fd = child_end},
		{.flags = UV_INHERIT_FD, .data.fd = child_end},
	};
	uv_process_options_t o = {
		.exit_cb = on_child_exit,
		.file = st->cfg->argv[0],
		.args = st->cfg->argv,
		.stdio = stdio,
		.stdio_count = 3,
		.flags = UV_PROCESS_DETACHED, /* its own session, killed as a group */
	};
	st->proc.data = st;
	return uv_spawn(st->dev->agent->loop, &st->proc, &o);
}

static int command_poll(struct bk_state *st)
{
	if (st->running)
		return -EBUSY;
	uv_file fds[2];
	int rc = uv_pipe(fds, UV_NONBLOCK_PIPE, 0);
	if (rc < 0)
		return rc;
	uv_loop_t *loop = st->dev->agent->loop;
	if ((rc = uv_pipe_init(loop, &st->out, 0)) < 0 ||
	    (rc = uv_pipe_open(&st->out, fds[0])) < 0) {
		close(fds[0]);
		close(fds[1]);
		if (rc != 0 && st->out.type == UV_NAMED_PIPE)
			uv_close((uv_handle_t *)&st->out, NULL);
		return rc;
	}
	st->out.data = st;
	st->running = true;
	st->exited = st->timed_out = false;
	st->spawn_err = 0;
	st->exit_status = 0;
	st->term_signal = 0;
	st->tail_len = 0;
	st->start_ms = log_mono_ms();
	st->open_handles = 2;
	rc = spawn(st, fds[1]);
	close(fds[1]); /* the child has its copy */
	if (rc < 0) {
		/* libuv initialised the process handle; both still need closing. */
		st->spawn_err = rc;
		st->exited = true;
		uv_close((uv_handle_t *)&st->proc, on_run_handle_closed);
		close_out(st);
		return 0;
	}
	uv_read_start((uv_stream_t *)&st->out, on_alloc, on_read);
	uv_timer_start(&st->timer, on_run_timer, st->cfg->timeout_ms, 0);
	return 0;
}

/* ---- the vtable ---------------------------------------------------------- */

static int bk_parse(struct device *dev, const struct conf_node *node,
		    const struct conf_node *dev_node, struct perr *err)
{
	(void)dev_node;
	struct backup_cfg *cfg;
	int rc = backup_config_parse(node, &cfg, err);
	if (rc < 0)
		return rc;
	dev->cfg = cfg;
	dev->interval_ms = cfg->interval_ms;
	return 0;
}

static int bk_start(struct device *dev)
{
	const struct backup_cfg *cfg = dev->cfg;
	struct bk_state *st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	st->dev = dev;
	st->cfg = cfg;
	if (cfg->path) {
		st->wq = agent_workq(dev->agent);
		if (!st->wq) {
			free(st);
			return -EAGAIN;
		}
	} else {
		uv_timer_init(dev->agent->loop, &st->timer);
		st->timer.data = st;
	}
	dev->state = st;
	return 0;
}

static int bk_poll(struct device *dev)
{
	struct bk_state *st = dev->state;
	if (!st || st->stopping)
		return -ESHUTDOWN;
	return st->cfg->path ? file_poll(st) : command_poll(st);
}

static void on_stop_timer_closed(uv_handle_t *h)
{
	struct bk_state *st = h->data;
	void (*done)(struct device *) = st->stop_done;
	struct device *dev = st->dev;
	free(st);
	dev->state = NULL;
	done(dev);
}

/* Last step of a command job's stop: the run is over, close the timer. */
static void stop_finish(struct bk_state *st)
{
	uv_close((uv_handle_t *)&st->timer, on_stop_timer_closed);
}

static void bk_stop(struct device *dev, void (*done)(struct device *dev))
{
	struct bk_state *st = dev->state;
	if (!st) {
		done(dev);
		return;
	}
	st->stopping = true;
	st->stop_done = done;
	if (st->cfg->path) {
		/* A running check cannot be interrupted; its completion frees. */
		if (!st->busy)
			file_done(&st->job);
		return;
	}
	if (!st->running) {
		stop_finish(st);
		return;
	}
	/* Abandon the run: kill it; the handles' close callbacks finish the stop. */
	if (!st->exited && kill(-st->proc.pid, SIGKILL) < 0)
		uv_process_kill(&st->proc, SIGKILL);
	close_out(st);
}

static void bk_free_cfg(void *cfg)
{
	backup_config_free(cfg);
}

const struct poller_ops poll_backup_ops = {
	.name = "backup",
	.parse = bk_parse,
	.start = bk_start,
	.poll = bk_poll,
	.stop = bk_stop,
	.free_cfg = bk_free_cfg,
};
