/* A minimal HTTP/1.1 server on libuv for /health and /metrics. It is built
 * for hostile input: the request head is capped at 8 KiB (431), must arrive
 * within 10 s (408), only GET and HEAD are served (405), every response
 * closes the connection, and at most 64 clients are served at once. */
#ifndef PANTAU_HTTP_H
#define PANTAU_HTTP_H

#include "buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include <uv.h>

enum {
	HTTP_MAX_HEAD = 8192,
	HTTP_HEAD_TIMEOUT_MS = 10000,
	HTTP_MAX_CLIENTS = 64,
	HTTP_MAX_PATH = 256,
};

struct http_request {
	char method[8];
	char path[HTTP_MAX_PATH]; /* without the query string */
	size_t head_len;          /* bytes of the head, blank line included */
};

/* Parses a request head from the bytes received so far. 1 when complete
 * (req filled), 0 when more bytes are needed, -E2BIG when no complete head
 * fits in max bytes, -EBADMSG when the bytes are not an HTTP/1.x request. */
int http_parse_head(const char *data, size_t len, size_t max, struct http_request *req);

/* Fills body for path and sets *content_type (a static string). Returns
 * the HTTP status to answer with (200, or 503 when unhealthy), or -ENOENT
 * for an unknown path. Runs on the loop thread. */
typedef int (*http_render_fn)(void *arg, const char *path, struct buf *body,
			      const char **content_type);

struct http_client;

struct http {
	uv_loop_t *loop;
	uv_tcp_t server;
	http_render_fn render;
	void *arg;
	struct http_client *clients;
	size_t nclients; /* allocated, open or closing */
	bool closing, server_closed;
	void (*closed_cb)(struct http *h);
};

/* Listens on addr. render and arg are borrowed. 0 or a libuv error. */
int http_start(struct http *h, uv_loop_t *loop, const struct sockaddr *addr,
	       http_render_fn render, void *arg);

/* Closes the server and every client, then calls cb. */
void http_close(struct http *h, void (*cb)(struct http *h));

#endif
