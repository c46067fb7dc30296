/* pantau-collector: receives batches from agents and stores them in
 * PostgreSQL. Usage:
 *
 *   pantau-collector --config FILE [--check] [--migrate] [--version]
 *
 * At start it makes sure the database exists (the embedded cluster when
 * database.dsn is empty) and applies pending schema migrations; --migrate
 * does only that and exits. SIGINT and SIGTERM stop it gracefully: no new
 * connections, the writer's queue is flushed and acked, then it exits. */
#include "collector.h"
#include "json.h"
#include "log.h"
#include "migrate.h"

#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

enum { STOP_GRACE_MS = 10000 };

static int render(void *arg, const char *path, struct buf *body, const char **ctype)
{
	struct collector *c = arg;
	c->metrics.store_queue_depth = store_depth(&c->store);
	if (strcmp(path, "/metrics") == 0) {
		*ctype = "text/plain; version=0.0.4; charset=utf-8";
		return metrics_render(&c->metrics, body) == 0 ? 200 : -ENOMEM;
	}
	if (strcmp(path, "/health") != 0)
		return -ENOENT;
	bool db = store_connected(&c->store);
	*ctype = "application/json";
	int rc = buf_printf(body,
			    "{\"status\":\"%s\",\"database\":{\"connected\":%s},"
			    "\"queue_depth\":%llu,\"connections\":%llu,\"version\":",
			    db ? "ok" : "degraded", db ? "true" : "false",
			    (unsigned long long)c->metrics.store_queue_depth,
			    (unsigned long long)c->metrics.connections_active);
	if (rc == 0)
		rc = json_put_string(body, PANTAU_VERSION);
	if (rc == 0)
		rc = buf_puts(body, "}\n");
	return rc < 0 ? -ENOMEM : db ? 200 : 503;
}

/* The signal handlers stay until the very end: a second SIGINT or SIGTERM
 * during a graceful stop must not fall back to the default action, which
 * would kill the collector before it stops its PostgreSQL. */
static void close_signals(struct collector *c)
{
	if (!c->signals_open)
		return;
	c->signals_open = false;
	uv_close((uv_handle_t *)&c->sig_int, NULL);
	uv_close((uv_handle_t *)&c->sig_term, NULL);
}

static void on_receive_closed(struct receive *rx)
{
	struct collector *c =
		(struct collector *)((char *)rx - offsetof(struct collector, receive));
	close_signals(c);
	log_info("collector", "stopped");
}

static void on_store_stopped(struct store *s)
{
	struct collector *c = (struct collector *)((char *)s - offsetof(struct collector, store));
	if (c->receive_open)
		receive_close(&c->receive, on_receive_closed);
	else
		close_signals(c);
}

static void collector_stop(struct collector *c)
{
	if (c->stopping)
		return;
	c->stopping = true;
	log_info("collector", "stopping: storing %zu queued items first",
		 c->store_open ? store_depth(&c->store) : 0);
	if (c->receive_open)
		receive_stop(&c->receive);
	if (c->http_open)
		http_close(&c->http, NULL);
	if (c->api_open) {
		c->api_open = false;
		api_stop(&c->api); /* answers the calls in flight to clients still there */
	}
	if (c->evaluate_open)
		evaluate_close(&c->evaluate);
	if (c->retain_open) {
		c->retain_open = false;
		retain_stop(&c->retain, NULL); /* a run in flight ends at its next step */
	}
	if (c->store_open)
		store_stop(&c->store, STOP_GRACE_MS, on_store_stopped);
	else if (c->receive_open)
		receive_close(&c->receive, on_receive_closed);
	else
		close_signals(c);
}

static void on_signal(uv_signal_t *s, int signum)
{
	struct collector *c = s->data;
	if (c->stopping) {
		log_info("collector", "signal %d received; already stopping", signum);
		return;
	}
	log_info("collector", "signal %d received", signum);
	collector_stop(c);
}

static int start_signals(struct collector *c)
{
	uv_signal_init(&c->loop, &c->sig_int);
	uv_signal_init(&c->loop, &c->sig_term);
	c->sig_int.data = c->sig_term.data = c;
	c->signals_open = true;
	int rc = uv_signal_start(&c->sig_int, on_signal, SIGINT);
	return rc < 0 ? rc : uv_signal_start(&c->sig_term, on_signal, SIGTERM);
}

/* Loads the rules and the open alerts (before the loop runs), then hooks
 * evaluation to what the writer commits. */
static int start_alerts(struct collector *c)
{
	struct perr err;
	int rc = evaluate_start(&c->evaluate, &c->loop, c->cfg.alerts_rules, c->dsn, &err);
	c->evaluate_open = true; /* evaluate_free cleans up a half start too */
	if (rc < 0) {
		log_error("collector", "cannot start alerts: %s", err.msg);
		return rc;
	}
	c->receive.on_stored = evaluate_stored;
	c->receive.on_agent_closed = evaluate_agent_closed;
	c->receive.hook_arg = &c->evaluate;
	return 0;
}

/* Starts every module on the loop; on failure says why and stops again. */
static int start_modules(struct collector *c)
{
	char addr[80];
	struct perr err;
	if (!c->cfg.plaintext && tls_ctx_new(TLS_SERVER, &c->cfg.tls, &c->tls, &err) < 0) {
		log_error("collector", "cannot set up TLS: %s", err.msg);
		return -EINVAL;
	}
	int rc = store_start(&c->store, &c->loop, c->dsn);
	c->store_open = rc == 0;
	if (rc == 0) {
		rc = receive_start(&c->receive, &c->loop, (struct sockaddr *)&c->cfg.listen_addr,
				   (uint32_t)c->cfg.max_frame, (size_t)c->cfg.max_queue,
				   &c->metrics, &c->store, c->tls);
		c->receive_open = rc == 0;
		c->receive.keep_samples_ms = c->cfg.retention.samples_ms;
		config_format_addr(&c->cfg.listen_addr, addr, sizeof(addr));
		if (rc < 0)
			log_error("collector", "cannot listen on %s: %s", addr, uv_strerror(rc));
		else
			log_info("collector", "listening for agents on %s (%s)", addr,
				 c->tls ? "mutual TLS 1.3" : "plaintext, loopback only");
	}
	if (rc == 0) {
		retain_start(&c->retain, &c->loop, c->dsn, &c->cfg.retention, &c->metrics);
		c->retain_open = true;
	}
	if (rc == 0 && c->cfg.alerts_rules[0])
		rc = start_alerts(c);
	if (rc == 0 && c->cfg.http_https &&
	    (rc = tls_ctx_new(TLS_SERVER_WEB, &c->cfg.http_tls, &c->http_tls, &err)) < 0)
		log_error("collector", "cannot set up HTTPS: %s", err.msg);
	if (rc == 0 && c->cfg.http_enabled) {
		rc = http_start(&c->http, &c->loop, (struct sockaddr *)&c->cfg.http_addr, render, c);
		c->http_open = rc == 0;
		config_format_addr(&c->cfg.http_addr, addr, sizeof(addr));
		if (rc < 0) {
			log_error("collector", "cannot listen for HTTP on %s: %s", addr,
				  uv_strerror(rc));
		} else {
			http_set_tls(&c->http, c->http_tls);
			log_info("collector", "serving /health, /metrics and /api/v1 on %s://%s",
				 c->http_tls ? "https" : "http", addr);
		}
	}
	if (rc == 0 && c->http_open) {
		rc = api_start(&c->api, &c->loop, &c->http, &c->cfg.api_tokens, c->dsn);
		c->api_open = rc == 0;
		if (rc < 0)
			log_error("collector", "cannot start the API: %s", strerror(-rc));
	}
	if (rc == 0)
		rc = start_signals(c);
	return rc;
}

static int run_loop(struct collector *c)
{
	int rc = uv_loop_init(&c->loop);
	if (rc < 0) {
		log_error("collector", "uv_loop_init: %s", uv_strerror(rc));
		return 1;
	}
	if (start_modules(c) < 0) {
		c->exit_code = 1;
		collector_stop(c);
	}
	uv_run(&c->loop, UV_RUN_DEFAULT);
	if (c->evaluate_open)
		evaluate_free(&c->evaluate, STOP_GRACE_MS);
	rc = uv_loop_close(&c->loop);
	tls_ctx_free(c->tls);
	c->tls = NULL;
	tls_ctx_free(c->http_tls);
	c->http_tls = NULL;
	if (rc < 0) {
		log_error("collector", "handles left open at exit: %s", uv_strerror(rc));
		return 1;
	}
	return c->exit_code;
}

/* Database first (embedded cluster, migrations), then the loop. */
static int collector_run(struct collector *c, bool migrate_only)
{
	struct perr err;
	c->dsn = c->cfg.dsn;
	if (!c->dsn[0]) {
		if (pgembed_start(&c->pg, c->cfg.state_dir, &err) < 0) {
			log_error("collector", "%s", err.msg);
			return 1;
		}
		c->dsn = c->pg.dsn;
	}
	int applied = 0;
	int code = 0;
	if (migrate_run(c->dsn, &applied, &err) < 0) {
		log_error("collector", "schema migration failed: %s", err.msg);
		code = 1;
	} else {
		log_info("collector", "database schema up to date (%d migrations applied now)",
			 applied);
		if (!migrate_only)
			code = run_loop(c);
	}
	pgembed_stop(&c->pg);
	return code;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: pantau-collector --config FILE [--check] [--migrate] [--version]\n"
		   "  --check    validate the configuration and exit\n"
		   "  --migrate  apply database migrations and exit\n");
}

int main(int argc, char **argv)
{
	const char *path = NULL;
	bool check = false, migrate_only = false;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
			path = argv[++i];
		} else if (strcmp(argv[i], "--check") == 0) {
			check = true;
		} else if (strcmp(argv[i], "--migrate") == 0) {
			migrate_only = true;
		} else if (strcmp(argv[i], "--version") == 0) {
			printf("pantau-collector %s\n", PANTAU_VERSION);
			return 0;
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 0;
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (!path) {
		usage(stderr);
		return 2;
	}
	static struct collector c; /* large (read buffers): not on the stack */
	struct perr err;
	log_setup("pantau-collector", LL_INFO);
	if (config_load(path, &c.cfg, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		config_free(&c.cfg);
		return 2;
	}
	if (check && !c.cfg.plaintext) {
		struct tls_ctx *tls;
		if (tls_ctx_new(TLS_SERVER, &c.cfg.tls, &tls, &err) < 0) {
			fprintf(stderr, "%s: %s\n", path, err.msg);
			config_free(&c.cfg);
			return 2;
		}
		tls_ctx_free(tls);
	}
	if (check && c.cfg.alerts_rules[0]) {
		struct alert_rules rules;
		int rc = alert_rules_load(c.cfg.alerts_rules, &rules, &err);
		alert_rules_free(&rules);
		if (rc < 0) {
			fprintf(stderr, "%s\n", err.msg);
			config_free(&c.cfg);
			return 2;
		}
	}
	if (check) {
		printf("%s: configuration OK\n", path);
		config_free(&c.cfg);
		return 0;
	}
	log_setup("pantau-collector", (enum log_level)c.cfg.log_level);
	signal(SIGPIPE, SIG_IGN);
	int code = collector_run(&c, migrate_only);
	config_free(&c.cfg);
	return code;
}
