/* The agent's optional local Prometheus endpoint (agent.metrics_listen):
 * GET /metrics answers the issue-5 counters (samples polled, spooled, sent,
 * acknowledged, evicted by reason) and the spool's size, over the shared
 * HTTP server in common/http.c. */
#ifndef PANTAU_METRICS_HTTP_H
#define PANTAU_METRICS_HTTP_H

#include "buf.h"
#include "http.h"

struct agent;

struct metrics_http {
	struct http http;
	struct agent *agent; /* borrowed */
	bool open;
};

/* Listens on "host:port" (IPv4 or [IPv6]). 0 or -errno (logged). */
int metrics_http_start(struct metrics_http *m, struct agent *a, const char *listen);

/* Closes the listener and its clients. */
void metrics_http_stop(struct metrics_http *m);

/* Appends the Prometheus text for a to body. 0 or a buf error. */
int metrics_http_render(const struct agent *a, struct buf *body);

#endif
