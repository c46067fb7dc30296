#include "http.h"
#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct http_client {
	uv_tcp_t tcp;
	uv_timer_t timer;
	uv_write_t wreq;
	struct http *h;
	struct http_client *prev, *next;
	struct buf out;
	size_t len;
	int handles_open;
	bool responded, closing;
	char head[HTTP_MAX_HEAD];
};

/* ---- the pure parser ---- */

static bool is_token_char(char c)
{
	return c >= 'A' && c <= 'Z';
}

/* Bytes allowed in a head: printable ASCII, tab, CR, LF and UTF-8 high bytes. */
static bool is_head_byte(unsigned char c)
{
	return c >= 0x20 ? c != 0x7f : (c == '\t' || c == '\r' || c == '\n');
}

static int parse_request_line(const char *p, size_t n, struct http_request *req)
{
	size_t i = 0;
	while (i < n && is_token_char(p[i]))
		i++;
	if (i == 0 || i >= sizeof(req->method) || i >= n || p[i] != ' ')
		return -EBADMSG;
	memcpy(req->method, p, i);
	req->method[i] = '\0';
	const char *target = p + i + 1;
	const char *sp = memchr(target, ' ', n - i - 1);
	if (!sp || target[0] != '/')
		return -EBADMSG;
	size_t tlen = (size_t)(sp - target);
	/* The target is not NUL-terminated: look for '?' only inside it. */
	const char *query = memchr(target, '?', tlen);
	size_t plen = query ? (size_t)(query - target) : tlen;
	if (plen >= sizeof(req->path))
		return -EBADMSG;
	memcpy(req->path, target, plen);
	req->path[plen] = '\0';
	size_t vlen = n - (size_t)(sp + 1 - p);
	if (vlen != 8 || (memcmp(sp + 1, "HTTP/1.1", 8) != 0 && memcmp(sp + 1, "HTTP/1.0", 8) != 0))
		return -EBADMSG;
	return 0;
}

/* Each header line must be "name: value" with a non-empty token name. */
static int check_headers(const char *p, const char *end)
{
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((eol ? eol : end) - p);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (n == 0)
			break;
		const char *colon = memchr(p, ':', n);
		if (!colon || colon == p || memchr(p, ' ', (size_t)(colon - p)))
			return -EBADMSG;
		p = eol ? eol + 1 : end;
	}
	return 0;
}

int http_parse_head(const char *data, size_t len, size_t max, struct http_request *req)
{
	for (size_t i = 0; i < len; i++)
		if (!is_head_byte((unsigned char)data[i]))
			return -EBADMSG;
	/* The request line can be judged as soon as it is complete. */
	const char *eol = memchr(data, '\n', len);
	const char *end = NULL;
	for (size_t i = 0; i + 1 < len && !end; i++) {
		if (data[i] == '\n' && data[i + 1] == '\n')
			end = data + i + 2;
		else if (data[i] == '\n' && data[i + 1] == '\r' && i + 2 < len && data[i + 2] == '\n')
			end = data + i + 3;
	}
	if (eol) {
		size_t n = (size_t)(eol - data);
		if (n > 0 && data[n - 1] == '\r')
			n--;
		int rc = parse_request_line(data, n, req);
		if (rc < 0)
			return rc;
	}
	if (!end)
		return len >= max ? -E2BIG : 0;
	if ((size_t)(end - data) > max)
		return -E2BIG;
	if (check_headers(eol + 1, end) < 0)
		return -EBADMSG;
	req->head_len = (size_t)(end - data);
	return 1;
}

/* ---- clients ---- */

static void maybe_done(struct http *h)
{
	if (h->closing && h->server_closed && h->nclients == 0 && h->closed_cb)
		h->closed_cb(h);
}

static void on_client_closed(uv_handle_t *handle)
{
	struct http_client *c = handle->data;
	if (--c->handles_open > 0)
		return;
	struct http *h = c->h;
	buf_free(&c->out);
	free(c);
	h->nclients--;
	maybe_done(h);
}

static void client_close(struct http_client *c)
{
	if (c->closing)
		return;
	c->closing = true;
	struct http *h = c->h;
	if (c->prev)
		c->prev->next = c->next;
	else
		h->clients = c->next;
	if (c->next)
		c->next->prev = c->prev;
	uv_close((uv_handle_t *)&c->tcp, on_client_closed);
	uv_close((uv_handle_t *)&c->timer, on_client_closed);
}

static void on_written(uv_write_t *req, int status)
{
	client_close(req->data);
}

static const char *reason_phrase(int status)
{
	switch (status) {
	case 200:
		return "OK";
	case 400:
		return "Bad Request";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 408:
		return "Request Timeout";
	case 431:
		return "Request Header Fields Too Large";
	case 503:
		return "Service Unavailable";
	default:
		return "Internal Server Error";
	}
}

/* Sends one response and closes the connection once it is written. */
static void respond(struct http_client *c, int status, const char *ctype, const struct buf *body,
		    bool head_only)
{
	if (c->responded || c->closing)
		return;
	c->responded = true;
	uv_timer_stop(&c->timer);
	uv_read_stop((uv_stream_t *)&c->tcp);
	size_t blen = body ? body->len : 0;
	int rc = buf_printf(&c->out,
			    "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
			    "%sCache-Control: no-store\r\nConnection: close\r\n\r\n",
			    status, reason_phrase(status), ctype, blen,
			    status == 405 ? "Allow: GET, HEAD\r\n" : "");
	if (rc == 0 && blen > 0 && !head_only)
		rc = buf_append(&c->out, body->data, blen);
	uv_buf_t b = uv_buf_init((char *)c->out.data, (unsigned)c->out.len);
	c->wreq.data = c;
	if (rc < 0 || uv_write(&c->wreq, (uv_stream_t *)&c->tcp, &b, 1, on_written) < 0)
		client_close(c);
}

static void respond_text(struct http_client *c, int status, const char *text)
{
	struct buf body;
	buf_init(&body, 1024);
	buf_puts(&body, text);
	respond(c, status, "text/plain; charset=utf-8", &body, false);
	buf_free(&body);
}

static void serve(struct http_client *c, const struct http_request *req)
{
	bool head = strcmp(req->method, "HEAD") == 0;
	if (!head && strcmp(req->method, "GET") != 0) {
		respond_text(c, 405, "only GET and HEAD\n");
		return;
	}
	struct buf body;
	buf_init(&body, 16 << 20);
	const char *ctype = "text/plain; charset=utf-8";
	int rc = c->h->render(c->h->arg, req->path, &body, &ctype);
	if (rc == -ENOENT)
		respond_text(c, 404, "not found; try /health or /metrics\n");
	else if (rc < 0)
		respond_text(c, 500, "internal error\n");
	else
		respond(c, rc, ctype, &body, head);
	buf_free(&body);
}

static void on_alloc(uv_handle_t *handle, size_t suggested, uv_buf_t *out)
{
	struct http_client *c = handle->data;
	size_t room = sizeof(c->head) - c->len;
	*out = uv_buf_init(c->head + c->len, (unsigned)room);
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *b)
{
	struct http_client *c = s->data;
	if (nread < 0) {
		client_close(c);
		return;
	}
	c->len += (size_t)nread;
	struct http_request req;
	int rc = http_parse_head(c->head, c->len, HTTP_MAX_HEAD, &req);
	if (rc == 1)
		serve(c, &req);
	else if (rc == -E2BIG)
		respond_text(c, 431, "request head larger than 8 KiB\n");
	else if (rc < 0)
		respond_text(c, 400, "bad request\n");
}

static void on_timeout(uv_timer_t *t)
{
	respond_text(t->data, 408, "request head not received within 10 s\n");
}

static void on_reject_closed(uv_handle_t *handle)
{
	free(handle);
}

static void reject(struct http *h)
{
	uv_tcp_t *t = malloc(sizeof(*t));
	if (!t || uv_tcp_init(h->loop, t) < 0) {
		free(t);
		return;
	}
	uv_accept((uv_stream_t *)&h->server, (uv_stream_t *)t);
	uv_close((uv_handle_t *)t, on_reject_closed);
}

static void on_connection(uv_stream_t *server, int status)
{
	struct http *h = server->data;
	if (status < 0 || h->closing)
		return;
	struct http_client *c = h->nclients < HTTP_MAX_CLIENTS ? calloc(1, sizeof(*c)) : NULL;
	if (!c || uv_tcp_init(h->loop, &c->tcp) < 0) {
		free(c);
		reject(h);
		return;
	}
	(void)uv_timer_init(h->loop, &c->timer); /* cannot fail */
	c->h = h;
	c->tcp.data = c;
	c->timer.data = c;
	c->handles_open = 2;
	buf_init(&c->out, 32 << 20);
	h->nclients++;
	c->next = h->clients;
	if (h->clients)
		h->clients->prev = c;
	h->clients = c;
	if (uv_accept(server, (uv_stream_t *)&c->tcp) < 0 ||
	    uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) < 0) {
		client_close(c);
		return;
	}
	uv_timer_start(&c->timer, on_timeout, HTTP_HEAD_TIMEOUT_MS, 0);
}

int http_start(struct http *h, uv_loop_t *loop, const struct sockaddr *addr,
	       http_render_fn render, void *arg)
{
	memset(h, 0, sizeof(*h));
	h->loop = loop;
	h->render = render;
	h->arg = arg;
	int rc = uv_tcp_init(loop, &h->server);
	if (rc < 0)
		return rc;
	h->server.data = h;
	rc = uv_tcp_bind(&h->server, addr, 0);
	if (rc == 0)
		rc = uv_listen((uv_stream_t *)&h->server, 64, on_connection);
	if (rc < 0)
		uv_close((uv_handle_t *)&h->server, NULL);
	return rc;
}

static void on_server_closed(uv_handle_t *handle)
{
	struct http *h = handle->data;
	h->server_closed = true;
	maybe_done(h);
}

void http_close(struct http *h, void (*cb)(struct http *h))
{
	h->closing = true;
	h->closed_cb = cb;
	while (h->clients)
		client_close(h->clients);
	uv_close((uv_handle_t *)&h->server, on_server_closed);
}
