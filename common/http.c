#include "http.h"
#include "log.h"
#include "tls.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct http_exchange {
	struct http_client *client;
};

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
	bool api;	   /* the request is for the handler */
	bool reading_body; /* head parsed, body bytes still to come */
	bool pending;	   /* handed to the handler, not yet answered */
	struct http_exchange x;
	struct http_request req;
	struct tls_conn *tls; /* HTTPS */
	unsigned writes;      /* ciphertext writes not yet completed */
	bool close_when_written;
	char cipher[16384]; /* HTTPS: bytes from the wire before decryption */
	char *body; /* content_length bytes, malloc'd */
	size_t body_len;
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
	size_t qlen = query ? tlen - plen - 1 : 0;
	if (plen >= sizeof(req->path) || qlen >= sizeof(req->query))
		return -EBADMSG;
	memcpy(req->path, target, plen);
	req->path[plen] = '\0';
	if (qlen)
		memcpy(req->query, query + 1, qlen);
	req->query[qlen] = '\0';
	size_t vlen = n - (size_t)(sp + 1 - p);
	if (vlen != 8 || (memcmp(sp + 1, "HTTP/1.1", 8) != 0 && memcmp(sp + 1, "HTTP/1.0", 8) != 0))
		return -EBADMSG;
	return 0;
}

static bool name_is(const char *p, size_t n, const char *name)
{
	if (strlen(name) != n)
		return false;
	for (size_t i = 0; i < n; i++) {
		char a = p[i], b = name[i];
		if (a >= 'A' && a <= 'Z')
			a = (char)(a - 'A' + 'a');
		if (b >= 'A' && b <= 'Z')
			b = (char)(b - 'A' + 'a');
		if (a != b)
			return false;
	}
	return true;
}

/* A Content-Length value: 1 to 18 decimal digits, nothing else. */
static int parse_length(const char *v, size_t n, int64_t *out)
{
	if (n == 0 || n > 18)
		return -EBADMSG;
	int64_t x = 0;
	for (size_t i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -EBADMSG;
		x = x * 10 + (v[i] - '0');
	}
	*out = x;
	return 0;
}

static void trim(const char **v, size_t *n)
{
	while (*n > 0 && (**v == ' ' || **v == '\t')) {
		(*v)++;
		(*n)--;
	}
	while (*n > 0 && ((*v)[*n - 1] == ' ' || (*v)[*n - 1] == '\t'))
		(*n)--;
}

/* Notes what the server needs from one header line. */
static int note_header(const char *p, const char *colon, size_t n, struct http_request *req)
{
	size_t nlen = (size_t)(colon - p);
	const char *v = colon + 1;
	size_t vlen = n - nlen - 1;
	trim(&v, &vlen);
	if (name_is(p, nlen, "transfer-encoding"))
		req->transfer_encoding = true;
	if (!name_is(p, nlen, "content-length"))
		return 0;
	int64_t len;
	if (parse_length(v, vlen, &len) < 0)
		return -EBADMSG;
	/* Two different lengths are a request-smuggling attempt. */
	if (req->content_length >= 0 && req->content_length != len)
		return -EBADMSG;
	req->content_length = len;
	return 0;
}

/* Each header line must be "name: value" with a non-empty token name. */
static int check_headers(const char *p, const char *end, struct http_request *req)
{
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((eol ? eol : end) - p);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (n == 0)
			break;
		const char *colon = memchr(p, ':', n);
		if (!colon || colon == p || memchr(p, ' ', (size_t)(colon - p)) ||
		    memchr(p, '\t', (size_t)(colon - p)))
			return -EBADMSG;
		if (note_header(p, colon, n, req) < 0)
			return -EBADMSG;
		p = eol ? eol + 1 : end;
	}
	return 0;
}

const char *http_header(const struct http_request *req, const char *name, size_t *len)
{
	const char *end = req->head + req->head_len;
	const char *p = memchr(req->head, '\n', req->head_len);
	for (p = p ? p + 1 : end; p < end;) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((eol ? eol : end) - p);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		const char *colon = n ? memchr(p, ':', n) : NULL;
		if (colon && name_is(p, (size_t)(colon - p), name)) {
			const char *v = colon + 1;
			size_t vlen = n - (size_t)(colon - p) - 1;
			trim(&v, &vlen);
			*len = vlen;
			return v;
		}
		p = eol ? eol + 1 : end;
	}
	return NULL;
}

static int hex_digit(char c)
{
	return c >= '0' && c <= '9'	  ? c - '0'
	       : c >= 'a' && c <= 'f' ? c - 'a' + 10
	       : c >= 'A' && c <= 'F' ? c - 'A' + 10
				      : -1;
}

/* Decodes n bytes of a query value into out. 0 or -EINVAL. */
static int query_decode(const char *v, size_t n, char *out, size_t size)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];
		if (c == '+') {
			c = ' ';
		} else if (c == '%') {
			if (n - i < 3)
				return -EINVAL;
			int hi = hex_digit(v[i + 1]), lo = hex_digit(v[i + 2]);
			if (hi < 0 || lo < 0)
				return -EINVAL;
			c = (unsigned char)(hi << 4 | lo);
			i += 2;
		}
		if (c < 0x20 || c == 0x7f || o + 1 >= size)
			return -EINVAL;
		out[o++] = (char)c;
	}
	if (size == 0)
		return -EINVAL;
	out[o] = '\0';
	return 0;
}

int http_query_get(const char *query, const char *key, char *out, size_t size)
{
	size_t klen = strlen(key);
	for (const char *p = query; *p;) {
		const char *amp = strchr(p, '&');
		size_t n = amp ? (size_t)(amp - p) : strlen(p);
		if (n > klen && memcmp(p, key, klen) == 0 && p[klen] == '=')
			return query_decode(p + klen + 1, n - klen - 1, out, size) < 0 ? -EINVAL
											: 1;
		if (n == klen && memcmp(p, key, klen) == 0)
			return size > 0 ? (out[0] = '\0', 1) : -EINVAL;
		p = amp ? amp + 1 : p + n;
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
	req->head = data;
	req->content_length = -1;
	req->transfer_encoding = false;
	req->body = NULL;
	req->body_len = 0;
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
	if (check_headers(eol + 1, end, req) < 0)
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

/* Frees c once both handles closed and no handler holds it. */
static void client_release(struct http_client *c)
{
	if (c->handles_open > 0 || c->pending || c->writes > 0)
		return;
	struct http *h = c->h;
	tls_conn_free(c->tls);
	buf_free(&c->out);
	free(c->body);
	free(c);
	h->nclients--;
	maybe_done(h);
}

static void on_client_closed(uv_handle_t *handle)
{
	struct http_client *c = handle->data;
	c->handles_open--;
	client_release(c);
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

/* HTTPS: one piece of ciphertext on its way. */
struct cipher_write {
	uv_write_t req;
	struct http_client *c;
	char *data;
};

static void on_cipher_written(uv_write_t *req, int status)
{
	struct cipher_write *w = req->data;
	struct http_client *c = w->c;
	free(w->data);
	free(w);
	c->writes--;
	if (status < 0 || (c->close_when_written && c->writes == 0))
		client_close(c);
	client_release(c); /* a close may have waited for this write */
}

/* tls_send_fn: ciphertext from the TLS layer (handshake or response). */
static int send_cipher(void *arg, char *data, size_t len)
{
	struct http_client *c = arg;
	struct cipher_write *w = malloc(sizeof(*w));
	if (!w || c->closing) {
		free(w);
		free(data);
		return -EPIPE;
	}
	w->req.data = w;
	w->c = c;
	w->data = data;
	uv_buf_t b = uv_buf_init(data, (unsigned)len);
	if (uv_write(&w->req, (uv_stream_t *)&c->tcp, &b, 1, on_cipher_written) < 0) {
		free(data);
		free(w);
		return -EPIPE;
	}
	c->writes++;
	return 0;
}

static const char *reason_phrase(int status)
{
	switch (status) {
	case 200:
		return "OK";
	case 201:
		return "Created";
	case 400:
		return "Bad Request";
	case 401:
		return "Unauthorized";
	case 403:
		return "Forbidden";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 408:
		return "Request Timeout";
	case 409:
		return "Conflict";
	case 411:
		return "Length Required";
	case 413:
		return "Content Too Large";
	case 415:
		return "Unsupported Media Type";
	case 422:
		return "Unprocessable Content";
	case 431:
		return "Request Header Fields Too Large";
	case 501:
		return "Not Implemented";
	case 503:
		return "Service Unavailable";
	default:
		return "Internal Server Error";
	}
}

static const char *extra_headers(const struct http_client *c, int status)
{
	if (status == 401)
		return "WWW-Authenticate: Bearer realm=\"pantau\"\r\n";
	if (status == 405 && !c->api)
		return "Allow: GET, HEAD\r\n";
	return "";
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
			    status, reason_phrase(status), ctype, blen, extra_headers(c, status));
	if (rc == 0 && blen > 0 && !head_only)
		rc = buf_append(&c->out, body->data, blen);
	if (c->tls) {
		/* Encrypted through send_cipher; closed once every piece is out. */
		if (rc == 0 && tls_conn_ready(c->tls))
			rc = tls_conn_write(c->tls, c->out.data, c->out.len);
		else
			rc = rc < 0 ? rc : -ENOTCONN;
		if (rc == 0)
			tls_conn_shutdown(c->tls);
		c->close_when_written = true;
		if (rc < 0 || c->writes == 0)
			client_close(c);
		return;
	}
	uv_buf_t b = uv_buf_init((char *)c->out.data, (unsigned)c->out.len);
	c->wreq.data = c;
	if (rc < 0 || uv_write(&c->wreq, (uv_stream_t *)&c->tcp, &b, 1, on_written) < 0)
		client_close(c);
}

/* An error the server itself answers: JSON under the handler's prefix. */
static void respond_text(struct http_client *c, int status, const char *text)
{
	struct buf body;
	buf_init(&body, 1024);
	if (c->api) {
		size_t n = strlen(text);
		buf_printf(&body, "{\"error\":\"%.*s\"}\n", (int)(n && text[n - 1] == '\n' ? n - 1 : n),
			   text);
		respond(c, status, "application/json", &body, false);
	} else {
		buf_puts(&body, text);
		respond(c, status, "text/plain; charset=utf-8", &body, false);
	}
	buf_free(&body);
}

void http_reply(struct http_exchange *x, int status, const char *content_type,
		const struct buf *body)
{
	struct http_client *c = x->client;
	if (!c->pending)
		return; /* answered already: a handler bug, but no double free */
	c->pending = false;
	if (c->closing) {
		client_release(c);
		return;
	}
	respond(c, status, content_type, body, strcmp(c->req.method, "HEAD") == 0);
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

/* The whole request is in: the handler answers, now or later. */
static void dispatch(struct http_client *c)
{
	c->reading_body = false;
	c->req.body = c->body;
	c->req.body_len = c->body_len;
	uv_timer_stop(&c->timer);
	uv_read_stop((uv_stream_t *)&c->tcp);
	c->pending = true;
	c->h->handle(c->h->handle_arg, &c->x, &c->req);
}

static bool under_prefix(const struct http *h, const char *path)
{
	return h->handle && strncmp(path, h->prefix, strlen(h->prefix)) == 0;
}

/* A head for the handler: checks the body's framing, then reads the body. */
static void start_api(struct http_client *c)
{
	struct http_request *req = &c->req;
	bool wants_body = strcmp(req->method, "POST") == 0 || strcmp(req->method, "PUT") == 0 ||
			  strcmp(req->method, "PATCH") == 0;
	if (req->transfer_encoding) {
		respond_text(c, 501, "Transfer-Encoding is not supported; send Content-Length\n");
		return;
	}
	if (wants_body && req->content_length < 0) {
		respond_text(c, 411, "a body needs Content-Length\n");
		return;
	}
	if (req->content_length > (int64_t)c->h->max_body) {
		respond_text(c, 413, "request body too large\n");
		return;
	}
	size_t want = req->content_length > 0 ? (size_t)req->content_length : 0;
	if (want == 0) {
		dispatch(c);
		return;
	}
	if (!(c->body = malloc(want))) {
		respond_text(c, 503, "out of memory\n");
		return;
	}
	/* Body bytes that came with the head; anything past the body is dropped. */
	size_t extra = c->len - req->head_len;
	c->body_len = extra < want ? extra : want;
	memcpy(c->body, c->head + req->head_len, c->body_len);
	c->reading_body = true;
	if (c->body_len == want)
		dispatch(c);
}

static void on_alloc(uv_handle_t *handle, size_t suggested, uv_buf_t *out)
{
	struct http_client *c = handle->data;
	if (c->tls) {
		*out = uv_buf_init(c->cipher, sizeof(c->cipher));
		return;
	}
	if (c->reading_body) {
		size_t want = (size_t)c->req.content_length;
		*out = uv_buf_init(c->body + c->body_len, (unsigned)(want - c->body_len));
		return;
	}
	size_t room = sizeof(c->head) - c->len;
	*out = uv_buf_init(c->head + c->len, (unsigned)room);
}

static void take_plain(struct http_client *c, size_t nread);

/* HTTPS: decrypts what arrived into the head or body buffer, as much as
 * there is room for, and hands it on as if it had been read in clear. */
static void take_cipher(struct http_client *c, const char *data, size_t n)
{
	if (tls_conn_feed(c->tls, data, n) < 0) {
		log_debug("http", "TLS: %s", tls_conn_error(c->tls));
		client_close(c);
		return;
	}
	while (!c->responded && !c->closing && !c->pending) {
		char *dst;
		size_t room;
		if (c->reading_body) {
			dst = c->body + c->body_len;
			room = (size_t)c->req.content_length - c->body_len;
		} else {
			dst = c->head + c->len;
			room = sizeof(c->head) - c->len;
		}
		if (room == 0)
			break;
		ssize_t got = tls_conn_read(c->tls, dst, room);
		if (got == 0)
			break;
		if (got < 0) {
			client_close(c);
			return;
		}
		take_plain(c, (size_t)got);
	}
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *b)
{
	struct http_client *c = s->data;
	if (nread < 0) {
		client_close(c);
		return;
	}
	if (c->tls) {
		if (nread > 0)
			take_cipher(c, b->base, (size_t)nread);
		return;
	}
	take_plain(c, (size_t)nread);
}

/* nread bytes of the request landed in the head or body buffer. */
static void take_plain(struct http_client *c, size_t nread)
{
	if (c->reading_body) {
		c->body_len += (size_t)nread;
		if (c->body_len == (size_t)c->req.content_length)
			dispatch(c);
		return;
	}
	c->len += (size_t)nread;
	int rc = http_parse_head(c->head, c->len, HTTP_MAX_HEAD, &c->req);
	if (rc == 1 && under_prefix(c->h, c->req.path)) {
		c->api = true;
		start_api(c);
	} else if (rc == 1) {
		serve(c, &c->req);
	} else if (rc == -E2BIG) {
		respond_text(c, 431, "request head larger than 8 KiB\n");
	} else if (rc < 0) {
		respond_text(c, 400, "bad request\n");
	}
}

static void on_timeout(uv_timer_t *t)
{
	struct http_client *c = t->data;
	respond_text(c, 408, c->reading_body ? "request body not received within 10 s\n"
					     : "request head not received within 10 s\n");
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
	c->x.client = c;
	buf_init(&c->out, 32 << 20);
	h->nclients++;
	c->next = h->clients;
	if (h->clients)
		h->clients->prev = c;
	h->clients = c;
	if (h->tls && tls_conn_new(h->tls, NULL, send_cipher, c, &c->tls) < 0) {
		client_close(c);
		return;
	}
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

void http_set_tls(struct http *h, struct tls_ctx *ctx)
{
	h->tls = ctx;
}

void http_set_handler(struct http *h, const char *prefix, http_handle_fn handle, void *arg,
		      size_t max_body)
{
	h->prefix = prefix;
	h->handle = handle;
	h->handle_arg = arg;
	h->max_body = max_body;
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
