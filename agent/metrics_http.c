#include "metrics_http.h"
#include "agent.h"
#include "batch.h"
#include "log.h"
#include "send.h"
#include "spool.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int counter(struct buf *b, const char *name, const char *help, uint64_t v)
{
	return buf_printf(b, "# HELP %s %s\n# TYPE %s counter\n%s %" PRIu64 "\n", name, help, name,
			  name, v);
}

static int gauge(struct buf *b, const char *name, const char *help, uint64_t v)
{
	return buf_printf(b, "# HELP %s %s\n# TYPE %s gauge\n%s %" PRIu64 "\n", name, help, name,
			  name, v);
}

int metrics_http_render(const struct agent *a, struct buf *b)
{
	const struct batch *bt = a->batch;
	const struct spool *sp = a->spool;
	const struct spool_stats *st = &sp->stats;
	int rc = counter(b, "pantau_agent_samples_polled_total",
			 "Samples read from devices and handed to the batcher.", bt->samples_added);
	rc = rc ? rc
		: counter(b, "pantau_agent_samples_spooled_total",
			  "Samples written to the disk spool.", st->samples_spooled);
	rc = rc ? rc
		: counter(b, "pantau_agent_samples_sent_total",
			  "Samples written to the collector, replays included.", bt->samples_sent);
	rc = rc ? rc
		: counter(b, "pantau_agent_samples_acked_total",
			  "Samples the collector acknowledged as stored.", st->samples_acked);
	rc = rc ? rc
		: buf_printf(b, "# HELP pantau_agent_samples_evicted_total Samples dropped "
				"before the collector stored them, by reason.\n"
				"# TYPE pantau_agent_samples_evicted_total counter\n");
	for (int i = 0; rc == 0 && i < SPOOL_NLOSS; i++)
		rc = buf_printf(b,
				"pantau_agent_samples_evicted_total{reason=\"%s\"} %" PRIu64 "\n",
				spool_loss_names[i], st->samples_evicted[i]);
	rc = rc ? rc
		: buf_printf(b,
			     "pantau_agent_samples_evicted_total{reason=\"no_memory\"} "
			     "%" PRIu64 "\n",
			     bt->samples_dropped);
	rc = rc ? rc
		: counter(b, "pantau_agent_batches_acked_total",
			  "Batches the collector acknowledged.", st->batches_acked);
	rc = rc ? rc
		: counter(b, "pantau_agent_spool_written_bytes_total",
			  "Bytes appended to spool segments.", st->bytes_written);
	rc = rc ? rc
		: counter(b, "pantau_agent_spool_write_errors_total",
			  "Failed spool writes (disk full, I/O error).", st->write_errors);
	rc = rc ? rc
		: gauge(b, "pantau_agent_spool_bytes", "Bytes in spool segment files.",
			sp->total_bytes);
	rc = rc ? rc
		: gauge(b, "pantau_agent_spool_pending_samples",
			"Samples spooled and not yet acknowledged.", spool_pending_samples(sp));
	rc = rc ? rc
		: gauge(b, "pantau_agent_spool_memory_bytes",
			"Bytes of batches kept in memory while the disk refuses them.",
			sp->mem_bytes);
	rc = rc ? rc
		: counter(b, "pantau_agent_collector_connects_total",
			  "Connections established to the collector.", a->send->connects);
	return rc;
}

static int render(void *arg, const char *path, struct buf *body, const char **content_type)
{
	struct metrics_http *m = arg;
	if (strcmp(path, "/metrics") != 0)
		return -ENOENT;
	*content_type = "text/plain; version=0.0.4";
	return metrics_http_render(m->agent, body) < 0 ? 500 : 200;
}

static int parse_listen(const char *listen, struct sockaddr_storage *ss)
{
	const char *colon = strrchr(listen, ':');
	char host[64];
	if (!colon || colon == listen || (size_t)(colon - listen) >= sizeof(host))
		return -EINVAL;
	char *end;
	unsigned long port = strtoul(colon + 1, &end, 10);
	if (*end || port == 0 || port > 65535)
		return -EINVAL;
	size_t hlen = (size_t)(colon - listen);
	if (listen[0] == '[' && hlen >= 2 && listen[hlen - 1] == ']') {
		memcpy(host, listen + 1, hlen - 2);
		host[hlen - 2] = '\0';
		return uv_ip6_addr(host, (int)port, (struct sockaddr_in6 *)ss);
	}
	memcpy(host, listen, hlen);
	host[hlen] = '\0';
	return uv_ip4_addr(host, (int)port, (struct sockaddr_in *)ss);
}

int metrics_http_start(struct metrics_http *m, struct agent *a, const char *listen)
{
	struct sockaddr_storage ss;
	*m = (struct metrics_http){.agent = a};
	int rc = parse_listen(listen, &ss);
	if (rc < 0) {
		log_error("agent", "agent.metrics_listen '%s' is not HOST:PORT with an IP address",
			  listen);
		return -EINVAL;
	}
	rc = http_start(&m->http, a->loop, (const struct sockaddr *)&ss, render, m);
	if (rc < 0) {
		log_error("agent", "cannot listen on %s for /metrics: %s", listen, uv_strerror(rc));
		return rc;
	}
	m->open = true;
	log_info("agent", "serving /metrics on http://%s/metrics", listen);
	return 0;
}

static void on_closed(struct http *h)
{
	(void)h;
}

void metrics_http_stop(struct metrics_http *m)
{
	if (!m->open)
		return;
	m->open = false;
	http_close(&m->http, on_closed);
}
