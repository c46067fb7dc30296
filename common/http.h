/* A minimal HTTP/1.1 server on libuv for /health, /metrics and the
 * collector's JSON API. It is built for hostile input: the request head is
 * capped at 8 KiB (431) and the whole request (head and body) must arrive
 * within 10 s (408); a body needs Content-Length (411), no
 * Transfer-Encoding (501) and at most the handler's cap (413); every
 * response closes the connection, and at most 64 clients (waiting answers
 * included) are served at once. Paths under the handler's prefix go to an
 * asynchronous handler (any method, with body and headers); everything else
 * to the render callback (GET and HEAD only, else 405). */
#ifndef PANTAU_HTTP_H
#define PANTAU_HTTP_H

#include "buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <uv.h>

enum {
	HTTP_MAX_HEAD = 8192,
	HTTP_HEAD_TIMEOUT_MS = 10000,
	HTTP_MAX_CLIENTS = 64,
	HTTP_MAX_PATH = 256,
	HTTP_MAX_QUERY = 512,
	HTTP_BODY_TIMEOUT_MS = HTTP_HEAD_TIMEOUT_MS, /* the whole request, head included */
};

struct http_request {
	char method[8];
	char path[HTTP_MAX_PATH];   /* without the query string */
	char query[HTTP_MAX_QUERY]; /* after '?', still percent-encoded; "" if none */
	size_t head_len;	    /* bytes of the head, blank line included */
	const char *head;	    /* borrowed: the parsed bytes (for http_header) */
	int64_t content_length;	    /* -1 without a Content-Length header */
	bool transfer_encoding;	    /* a Transfer-Encoding header is present */
	const char *body;	    /* the server sets these once the body is in */
	size_t body_len;
};

/* Parses a request head from the bytes received so far. 1 when complete
 * (req filled; req->head points into data), 0 when more bytes are needed,
 * -E2BIG when no complete head fits in max bytes, -EBADMSG when the bytes
 * are not an HTTP/1.x request (also: a Content-Length that is not a plain
 * decimal number, or two that differ). */
int http_parse_head(const char *data, size_t len, size_t max, struct http_request *req);

/* The value of header name (case-insensitive) in a parsed head, without
 * surrounding blanks, and its length in *len; NULL if absent (the first
 * one counts). The value is not NUL-terminated. Pure. */
const char *http_header(const struct http_request *req, const char *name, size_t *len);

/* Copies the value of key from an application/x-www-form-urlencoded query
 * into out, percent- and '+'-decoded and NUL-terminated. 1 if found, 0 if
 * absent, -EINVAL for a bad escape, a decoded NUL or control byte, or a
 * value that does not fit. Pure. */
int http_query_get(const char *query, const char *key, char *out, size_t size);

/* Fills body for path and sets *content_type (a static string). Returns
 * the HTTP status to answer with (200, or 503 when unhealthy), or -ENOENT
 * for an unknown path. Runs on the loop thread. */
typedef int (*http_render_fn)(void *arg, const char *path, struct buf *body,
			      const char **content_type);

struct http_client;

/* One request handed to the handler, waiting for its answer: valid until
 * http_reply, which the handler must call exactly once, on the loop thread,
 * now or later (also when the client has gone or the server is closing). */
struct http_exchange;

/* Called on the loop thread for a request under the prefix, once its body
 * (if any) is complete; req and its head and body are valid until
 * http_reply. */
typedef void (*http_handle_fn)(void *arg, struct http_exchange *x, const struct http_request *req);

struct tls_ctx;

struct http {
	uv_loop_t *loop;
	struct tls_ctx *tls; /* borrowed; NULL = plain HTTP */
	uv_tcp_t server;
	http_render_fn render;
	void *arg;
	const char *prefix; /* borrowed; NULL = no handler */
	http_handle_fn handle;
	void *handle_arg;
	size_t max_body;
	struct http_client *clients;
	size_t nclients; /* allocated, open or closing */
	bool closing, server_closed;
	void (*closed_cb)(struct http *h);
};

/* Listens on addr. render and arg are borrowed. 0 or a libuv error. */
int http_start(struct http *h, uv_loop_t *loop, const struct sockaddr *addr,
	       http_render_fn render, void *arg);

/* Serves HTTPS with ctx (role TLS_SERVER_WEB, borrowed; it must outlive
 * the server). Call after http_start, before the loop runs. */
void http_set_tls(struct http *h, struct tls_ctx *ctx);

/* Routes paths starting with prefix (borrowed, e.g. "/api/") to handle,
 * accepting request bodies of at most max_body bytes. Call after http_start,
 * before the loop runs. */
void http_set_handler(struct http *h, const char *prefix, http_handle_fn handle, void *arg,
		      size_t max_body);

/* Answers an exchange (body borrowed, may be NULL; a 401 also carries
 * WWW-Authenticate: Bearer) and releases it. A client that has gone is
 * simply freed. */
void http_reply(struct http_exchange *x, int status, const char *content_type,
		const struct buf *body);

/* Closes the server and every client, then calls cb (once every exchange
 * was answered). */
void http_close(struct http *h, void (*cb)(struct http *h));

#endif
