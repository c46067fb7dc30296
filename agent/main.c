/* pantau-agent: polls devices on a schedule and streams what it reads to the
 * collector; --once polls every device once and prints JSON lines. */
#include "agent.h"
#include "batch.h"
#include "config.h"
#include "send.h"
#include "series.h"
#include "spool.h"
#include "metrics_http.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <sys/resource.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { EXIT_DEVICE_FAILED = 1, EXIT_CONFIG = 2, EXIT_RUNTIME = 3 };
enum { SHUTDOWN_GRACE_MS = 3000 };

struct workq *agent_workq(struct agent *a)
{
	if (!a->workq_started) {
		int rc = workq_start(&a->workq, a->loop, (size_t)a->cfg.workers);
		if (rc < 0) {
			log_error("agent", "cannot start worker threads: %s", strerror(-rc));
			return NULL;
		}
		a->workq_started = true;
	}
	return &a->workq;
}

static void on_workq_closed(struct workq *q)
{
	(void)q;
}

static void on_send_stopped(struct send *s)
{
	(void)s;
}

static void finish(struct agent *a)
{
	if (a->batch)
		batch_close(a->batch);
	if (a->spool)
		spool_close(a->spool);
	if (a->metrics)
		metrics_http_stop(a->metrics);
	if (a->send)
		send_stop(a->send, on_send_stopped);
	if (a->workq_started) {
		a->workq_started = false;
		workq_stop(&a->workq, on_workq_closed);
	}
	uv_close((uv_handle_t *)&a->sigint, NULL);
	uv_close((uv_handle_t *)&a->sigterm, NULL);
}

static void on_grace(uv_timer_t *t)
{
	struct agent *a = t->data;
	uint64_t waited = uv_now(a->loop) - a->stop_started;
	uint64_t pending = spool_pending_samples(a->spool);
	if (pending && a->send->state == SEND_CONNECTED && waited < SHUTDOWN_GRACE_MS)
		return;
	if (pending)
		log_info("agent",
			 "stopping with %llu samples not yet acknowledged by the collector; "
			 "they stay in the spool (%s) and are sent after the next start",
			 (unsigned long long)pending, a->cfg.spool_dir);
	uv_close((uv_handle_t *)t, NULL);
	finish(a);
}

static void on_spool_durable(void *data)
{
	struct agent *a = data;
	if (a->send)
		send_kick(a->send);
}

static void close_rest(struct agent *a)
{
	if (!a->batch) {
		finish(a);
		return;
	}
	/* Give the collector a moment to acknowledge what is in flight. */
	batch_flush(a->batch);
	a->stop_started = uv_now(a->loop);
	uv_timer_init(a->loop, &a->grace);
	a->grace.data = a;
	uv_timer_start(&a->grace, on_grace, 0, 100);
}

static void on_device_stopped(struct device *dev)
{
	if (--dev->agent->devices_running == 0)
		close_rest(dev->agent);
}

void agent_stop(struct agent *a)
{
	if (a->stopping)
		return;
	a->stopping = true;
	/* A start that failed half way stops only what it started: a device
	 * whose handles were never initialised cannot be closed. */
	a->devices_running = a->devices_started;
	if (a->devices_started == 0) {
		close_rest(a);
		return;
	}
	for (size_t i = 0; i < a->devices_started; i++)
		device_stop(a->devices[i], on_device_stopped);
}

static void on_signal(uv_signal_t *sig, int signum)
{
	struct agent *a = sig->data;
	log_info("agent", "signal %d: stopping", signum);
	agent_stop(a);
}

static void usage(FILE *out)
{
	fprintf(out, "usage: pantau-agent [--config FILE] [--check | --once] [--log-level LEVEL]\n"
		     "  --config FILE   configuration (default /etc/pantau/agent.yaml)\n"
		     "  --check         validate the configuration and exit (2 if invalid)\n"
		     "  --once          poll every device once, print one JSON object per\n"
		     "                  sample or inventory record, exit 1 if a device failed\n"
		     "  --log-level L   error, warn, info or debug (overrides the config)\n"
		     "  --version\n");
}

struct options {
	const char *config;
	const char *log_level;
	bool check, once;
};

static int parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{"config", required_argument, NULL, 'c'},
		{"check", no_argument, NULL, 'k'},
		{"once", no_argument, NULL, 'o'},
		{"log-level", required_argument, NULL, 'l'},
		{"version", no_argument, NULL, 'V'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;
	while ((c = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			o->config = optarg;
			break;
		case 'k':
			o->check = true;
			break;
		case 'o':
			o->once = true;
			break;
		case 'l':
			o->log_level = optarg;
			break;
		case 'V':
			printf("pantau-agent %s\n", PANTAU_VERSION);
			exit(0);
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return -EINVAL;
	}
	return 0;
}

static int setup_logging(struct agent *a, const struct options *o)
{
	enum log_level level;
	const char *want = o->log_level ? o->log_level : a->cfg.log_level;
	if (log_level_parse(want, &level) < 0) {
		fprintf(stderr, "[%s] log_level '%s' is not error, warn, info or debug\n",
			a->config_path, want);
		return -EINVAL;
	}
	/* --once keeps stderr quiet unless asked: stdout is the product. */
	if (o->once && !o->log_level && level > LL_WARN)
		level = LL_WARN;
	log_setup("pantau-agent", level);
	return 0;
}

static int open_spool(struct agent *a, struct spool *sp)
{
	struct spool_options o = {
		.dir = a->cfg.spool_dir,
		.max_size = a->cfg.spool_max_size,
		.fsync = (enum spool_fsync)a->cfg.spool_fsync_mode,
		.fsync_ms = a->cfg.spool_fsync_ms,
		.mem_max = a->cfg.max_buffer,
	};
	struct perr err = {{0}};
	int rc = spool_open(sp, a->loop, &o, a->series, &err);
	if (rc < 0) {
		log_error("agent", "%s", err.msg);
		return rc;
	}
	a->spool = sp;
	sp->on_durable = on_spool_durable;
	sp->cb_data = a;
	return 0;
}

static int start_runtime(struct agent *a, struct batch *batch, struct send *send,
			 struct spool *sp, struct metrics_http *mh)
{
	int rc;
	a->series = series_table_new();
	if (!a->series)
		return -ENOMEM;
	/* Signals first: a failed start still stops through agent_stop. */
	uv_signal_init(a->loop, &a->sigint);
	uv_signal_init(a->loop, &a->sigterm);
	a->sigint.data = a->sigterm.data = a;
	if (!a->once) {
		if ((rc = open_spool(a, sp)) < 0)
			return rc;
		if ((rc = batch_init(batch, a, sp)) < 0)
			return rc;
		a->batch = batch;
		if ((rc = send_start(send, a)) < 0)
			return rc;
		a->send = send;
		if (a->cfg.metrics_listen[0]) {
			if ((rc = metrics_http_start(mh, a, a->cfg.metrics_listen)) < 0)
				return rc;
			a->metrics = mh;
		}
	}
	uv_signal_start(&a->sigint, on_signal, SIGINT);
	uv_signal_start(&a->sigterm, on_signal, SIGTERM);
	for (size_t i = 0; i < a->ndevices; i++) {
		struct device *dev = a->devices[i];
		if ((rc = device_start(dev)) < 0) {
			log_error("agent", "%s: cannot start: %s", dev->name, uv_strerror(rc));
			return rc;
		}
		a->devices_started = i + 1;
	}
	if (a->once && a->ndevices == 0)
		agent_stop(a);
	return 0;
}

/* Each SNMP device has its own UDP socket and each Modbus TCP device its
 * own connection, so a site of a few thousand devices needs more than the
 * usual soft limit of 1024 descriptors. The soft limit is raised to the
 * hard limit, which an administrator controls (LimitNOFILE= in systemd). */
static void raise_fd_limit(size_t ndevices)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == rl.rlim_max)
		return;
	rlim_t had = rl.rlim_cur;
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0 && ndevices + 64 > (size_t)had)
		log_warn("agent", "%zu devices but only %llu open files allowed: %s", ndevices,
			 (unsigned long long)had, strerror(errno));
}

static int check_spool(struct agent *a)
{
	struct perr err = {{0}};
	int rc = spool_check_dir(a->cfg.spool_dir, &err);
	if (rc < 0)
		fprintf(stderr, "[%s] %s\n", a->config_path, err.msg);
	return rc;
}

int main(int argc, char **argv)
{
	struct options o = {.config = "/etc/pantau/agent.yaml"};
	if (parse_args(argc, argv, &o) < 0)
		return EXIT_CONFIG;
	signal(SIGPIPE, SIG_IGN);
	srand((unsigned)(log_mono_ms() ^ (uint64_t)getpid()));

	struct agent a = {.once = o.once};
	struct perr err = {{0}};
	uv_loop_t loop;
	uv_loop_init(&loop);
	a.loop = &loop;
	if (agent_config_load(&a, o.config, o.once || o.check, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		agent_config_free(&a);
		uv_loop_close(&loop);
		return EXIT_CONFIG;
	}
	if (setup_logging(&a, &o) < 0) {
		agent_config_free(&a);
		uv_loop_close(&loop);
		return EXIT_CONFIG;
	}
	if (o.check && a.cfg.collector_address && !a.cfg.collector_plaintext) {
		/* The certificate files must load too, or the agent would fail later. */
		struct tls_ctx *tls;
		if (tls_ctx_new(TLS_CLIENT, &a.cfg.tls, &tls, &err) < 0) {
			fprintf(stderr, "%s: %s\n", o.config, err.msg);
			agent_config_free(&a);
			uv_loop_close(&loop);
			return EXIT_CONFIG;
		}
		tls_ctx_free(tls);
	}
	if (o.check && !o.once && check_spool(&a) < 0) {
		agent_config_free(&a);
		uv_loop_close(&loop);
		return EXIT_CONFIG;
	}
	if (o.check) {
		printf("%s: configuration OK (%zu devices)\n", o.config, a.ndevices);
		agent_config_free(&a);
		uv_loop_close(&loop);
		return 0;
	}
	raise_fd_limit(a.ndevices);
	struct batch batch;
	struct send send;
	struct spool spool;
	struct metrics_http mh;
	int rc = start_runtime(&a, &batch, &send, &spool, &mh);
	if (rc < 0)
		agent_stop(&a);
	else if (!a.once)
		log_info("agent", "%s: polling %zu devices, sending to %s", a.cfg.id, a.ndevices,
			 a.cfg.collector_address);
	uv_run(&loop, UV_RUN_DEFAULT);
	series_table_free(a.series);
	agent_config_free(&a);
	if (uv_loop_close(&loop) != 0)
		log_warn("agent", "handles left open at exit");
	if (rc < 0)
		return EXIT_RUNTIME;
	return a.once_failed ? EXIT_DEVICE_FAILED : 0;
}
