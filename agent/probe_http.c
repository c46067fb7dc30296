/* HTTP and HTTPS probes (see probe_http.h). The connection is a uv_tcp_t;
 * TLS runs through OpenSSL memory BIOs, so nothing blocks: bytes read are
 * fed to the SSL object, and what it wants to send is written with
 * uv_write. The certificate is checked after the handshake (verification
 * mode NONE, then SSL_get_verify_result), so that an invalid or expired
 * certificate still shows its dates. */
#include "probe_http.h"

#include "log.h"

#include <errno.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- URLs (pure) ---- */

int probe_http_parse_url(const char *url, struct probe_http_cfg *cfg)
{
	const char *rest;
	if (strncmp(url, "https://", 8) == 0) {
		cfg->tls = true;
		rest = url + 8;
	} else if (strncmp(url, "http://", 7) == 0) {
		cfg->tls = false;
		rest = url + 7;
	} else {
		return -EINVAL;
	}
	if (strlen(url) >= sizeof(cfg->url))
		return -EINVAL;
	size_t hostport = strcspn(rest, "/?#");
	const char *path = rest + hostport;
	if (hostport == 0 || hostport >= 270 || strpbrk(path, " \r\n\t"))
		return -EINVAL;
	char hp[280];
	memcpy(hp, rest, hostport);
	hp[hostport] = '\0';
	if (strchr(hp, '@'))
		return -EINVAL; /* credentials do not belong in a monitoring config */
	/* No port: the scheme's. A bracketed IPv6 host has colons of its own. */
	const char *close = hp[0] == '[' ? strchr(hp, ']') : NULL;
	bool has_port = close ? close[1] == ':' : strchr(hp, ':') != NULL;
	if (!has_port) {
		size_t n = strlen(hp);
		snprintf(hp + n, sizeof(hp) - n, ":%s", cfg->tls ? "443" : "80");
	}
	if (probe_parse_address(hp, true, &cfg->addr) < 0)
		return -EINVAL;
	snprintf(cfg->url, sizeof(cfg->url), "%s", url);
	/* "" and "?q" get their leading slash; a #fragment is not sent. */
	size_t n = strcspn(path, "#"), lead = path[0] != '/';
	if (n + lead + 1 > sizeof(cfg->path))
		return -EINVAL;
	cfg->path[0] = '/';
	memcpy(cfg->path + lead, path, n);
	cfg->path[lead + n] = '\0';
	return 0;
}

bool probe_http_status_ok(const struct probe_http_cfg *cfg, int status)
{
	return cfg->expect ? status == cfg->expect : status >= 200 && status < 400;
}

/* ---- the run ---- */

int http_run_init(struct http_run *r, uv_loop_t *loop, const struct probe_http_cfg *cfg,
		  void (*done)(struct http_run *r), void *arg, struct perr *err)
{
	memset(r, 0, sizeof(*r));
	r->cfg = cfg;
	r->loop = loop;
	r->done = done;
	r->arg = arg;
	if (cfg->tls) {
		r->ctx = SSL_CTX_new(TLS_client_method());
		if (!r->ctx)
			return perr_setc(err, -ENOMEM, "%s: cannot make a TLS context", cfg->url);
		SSL_CTX_set_min_proto_version(r->ctx, TLS1_2_VERSION);
		SSL_CTX_set_verify(r->ctx, SSL_VERIFY_NONE, NULL); /* judged after the handshake */
		int ok = cfg->ca ? SSL_CTX_load_verify_locations(r->ctx, cfg->ca, NULL)
				 : SSL_CTX_set_default_verify_paths(r->ctx);
		if (ok != 1) {
			SSL_CTX_free(r->ctx);
			r->ctx = NULL;
			return perr_setc(err, -EINVAL, "%s: cannot load CA certificates%s%s", cfg->url,
					 cfg->ca ? " from " : "", cfg->ca ? cfg->ca : "");
		}
	}
	uv_timer_init(loop, &r->timer);
	r->timer.data = r;
	return 0;
}

static void on_tcp_closed(uv_handle_t *h)
{
	struct http_run *r = h->data;
	r->tcp_open = false;
	if (r->closed)
		r->closed(r);
	else if (r->done)
		r->done(r);
}

static void on_timeout(uv_timer_t *t);

/* The poll of this target is over: keep what was found, close the
 * connection; done() comes when it is closed (or on the next turn). */
static void finish(struct http_run *r, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void finish(struct http_run *r, int err, const char *fmt, ...)
{
	if (!r->active)
		return;
	r->active = false;
	uv_timer_stop(&r->timer);
	if (err && !r->res.err) {
		r->res.err = err;
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(r->res.why, sizeof(r->res.why), fmt, ap);
		va_end(ap);
	}
	if (r->ssl) {
		SSL_free(r->ssl); /* frees both BIOs */
		r->ssl = NULL;
		r->rbio = r->wbio = NULL;
	}
	if (r->tcp_open && !uv_is_closing((uv_handle_t *)&r->tcp))
		uv_close((uv_handle_t *)&r->tcp, on_tcp_closed);
	else if (!r->tcp_open)
		uv_timer_start(&r->timer, on_timeout, 0, 0); /* done() on the next turn */
}

struct write_req {
	uv_write_t req;
	char data[];
};

static void on_written(uv_write_t *req, int status)
{
	(void)status; /* a failed write shows as no answer */
	free(req);
}

static int send_bytes(struct http_run *r, const char *data, size_t n)
{
	struct write_req *w = malloc(sizeof(*w) + n);
	if (!w)
		return UV_ENOMEM;
	memcpy(w->data, data, n);
	uv_buf_t b = uv_buf_init(w->data, (unsigned)n);
	int rc = uv_write(&w->req, (uv_stream_t *)&r->tcp, &b, 1, on_written);
	if (rc < 0)
		free(w);
	return rc;
}

/* Sends what OpenSSL has queued for the peer. */
static int flush_tls(struct http_run *r)
{
	char buf[16384];
	int n;
	while ((n = BIO_read(r->wbio, buf, sizeof(buf))) > 0) {
		int rc = send_bytes(r, buf, (size_t)n);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int send_request(struct http_run *r)
{
	char req[1024];
	const struct probe_addr *a = &r->cfg->addr;
	bool def = strcmp(a->port, r->cfg->tls ? "443" : "80") == 0;
	int n = snprintf(req, sizeof(req),
			 "GET %s HTTP/1.1\r\nHost: %s%s%s%s%s\r\nUser-Agent: pantau-agent\r\n"
			 "Accept: */*\r\nConnection: close\r\n\r\n",
			 r->cfg->path, a->ipv6 && !a->is_name ? "[" : "", a->host,
			 a->ipv6 && !a->is_name ? "]" : "", def ? "" : ":", def ? "" : a->port);
	if (n < 0 || (size_t)n >= sizeof(req))
		return UV_EINVAL;
	r->sent = true;
	if (!r->ssl)
		return send_bytes(r, req, (size_t)n);
	if (SSL_write(r->ssl, req, n) != n)
		return UV_EPROTO;
	return flush_tls(r);
}

/* The certificate's remaining life, and whether it verified. */
static void check_certificate(struct http_run *r)
{
	X509 *cert = SSL_get1_peer_certificate(r->ssl);
	r->res.verify = SSL_get_verify_result(r->ssl);
	if (!cert) {
		r->res.verify = X509_V_ERR_UNSPECIFIED;
		return;
	}
	int days = 0, secs = 0;
	if (ASN1_TIME_diff(&days, &secs, NULL, X509_get0_notAfter(cert)) == 1) {
		r->res.has_expiry = true;
		r->res.expiry_s = (double)days * 86400.0 + secs;
	}
	X509_free(cert);
}

int probe_http_status_line(const char *head, size_t n, int *status)
{
	const char *eol = memchr(head, '\n', n);
	if (!eol)
		return n >= PROBE_HTTP_HEAD_MAX ? -1 : 0;
	size_t line = (size_t)(eol - head);
	if (line < 12 || memcmp(head, "HTTP/1.", 7) != 0 || head[8] != ' ')
		return -1;
	int code = 0;
	for (int i = 9; i < 12; i++) {
		if (head[i] < '0' || head[i] > '9')
			return -1;
		code = code * 10 + (head[i] - '0');
	}
	if (code < 100 || (line > 12 && head[12] != ' ' && head[12] != '\r'))
		return -1;
	*status = code;
	return 1;
}

static int parse_status(struct http_run *r)
{
	return probe_http_status_line(r->head, r->nhead, &r->res.status);
}

static void take_plain(struct http_run *r, const char *data, size_t n)
{
	size_t room = sizeof(r->head) - r->nhead;
	n = n < room ? n : room;
	memcpy(r->head + r->nhead, data, n);
	r->nhead += n;
}

/* Moves the exchange on after bytes arrived (or the connection opened). */
static void pump(struct http_run *r)
{
	if (r->ssl && !r->handshaken) {
		int rc = SSL_do_handshake(r->ssl);
		if (flush_tls(r) < 0) {
			finish(r, UV_EPIPE, "cannot send");
			return;
		}
		if (rc != 1) {
			int e = SSL_get_error(r->ssl, rc);
			if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
				return;
			char msg[120];
			ERR_error_string_n(ERR_get_error(), msg, sizeof(msg));
			finish(r, UV_EPROTO, "TLS handshake failed: %s", msg);
			return;
		}
		r->handshaken = true;
		check_certificate(r);
	}
	if (!r->sent) {
		int rc = send_request(r);
		if (rc < 0) {
			finish(r, rc, "cannot send the request: %s", uv_strerror(rc));
			return;
		}
	}
	if (r->ssl) {
		char buf[4096];
		int n;
		while ((n = SSL_read(r->ssl, buf, sizeof(buf))) > 0)
			take_plain(r, buf, (size_t)n);
	}
	int p = parse_status(r);
	if (p < 0) {
		finish(r, UV_EPROTO, "the answer is not HTTP");
	} else if (p > 0) {
		r->res.seconds = (double)(uv_hrtime() - r->start_ns) / 1e9;
		finish(r, 0, "%s", "");
	}
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	(void)h;
	(void)suggested;
	static char slab[16384]; /* the loop thread only; consumed before the next read */
	*buf = uv_buf_init(slab, sizeof(slab));
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
	struct http_run *r = s->data;
	if (!r->active)
		return;
	if (n < 0) {
		if (n == UV_EOF && r->nhead > 0 && parse_status(r) == 1)
			finish(r, 0, "%s", "");
		else
			finish(r, (int)n, "%s",
			       n == UV_EOF ? "connection closed before an answer"
					   : uv_strerror((int)n));
		return;
	}
	if (n == 0)
		return;
	if (r->ssl) {
		if (BIO_write(r->rbio, buf->base, (int)n) != (int)n) {
			finish(r, UV_ENOMEM, "out of memory");
			return;
		}
	} else {
		take_plain(r, buf->base, (size_t)n);
	}
	pump(r);
}

static int start_tls(struct http_run *r)
{
	const struct probe_addr *a = &r->cfg->addr;
	r->ssl = SSL_new(r->ctx);
	r->rbio = BIO_new(BIO_s_mem());
	r->wbio = BIO_new(BIO_s_mem());
	if (!r->ssl || !r->rbio || !r->wbio) {
		BIO_free(r->rbio);
		BIO_free(r->wbio);
		SSL_free(r->ssl);
		r->ssl = NULL;
		return UV_ENOMEM;
	}
	SSL_set_bio(r->ssl, r->rbio, r->wbio);
	SSL_set_connect_state(r->ssl);
	if (a->is_name) {
		SSL_set_tlsext_host_name(r->ssl, a->host); /* SNI: only names */
		SSL_set1_host(r->ssl, a->host);
	} else {
		X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(r->ssl), a->host);
	}
	return 0;
}

static void on_connect(uv_connect_t *req, int status)
{
	struct http_run *r = req->data;
	if (!r->active)
		return;
	if (status < 0) {
		finish(r, status, "%s", uv_strerror(status));
		return;
	}
	int rc = r->cfg->tls ? start_tls(r) : 0;
	if (rc == 0)
		rc = uv_read_start((uv_stream_t *)&r->tcp, on_alloc, on_read);
	if (rc < 0) {
		finish(r, rc, "%s", uv_strerror(rc));
		return;
	}
	pump(r);
}

static void on_timeout(uv_timer_t *t)
{
	struct http_run *r = t->data;
	if (r->active) {
		finish(r, UV_ETIMEDOUT, "no answer within %llu ms",
		       (unsigned long long)r->cfg->timeout_ms);
		return;
	}
	if (!r->tcp_open && r->done && !r->closed)
		r->done(r); /* a poll that never opened a connection */
}

void http_run_begin(struct http_run *r, const struct probe_addr *addr)
{
	r->res = (struct probe_http_result){.verify = X509_V_OK};
	r->handshaken = r->sent = false;
	r->nhead = 0;
	r->active = true;
	r->start_ns = uv_hrtime();
	uv_timer_start(&r->timer, on_timeout, r->cfg->timeout_ms, 0);
	int rc = uv_tcp_init(r->loop, &r->tcp);
	if (rc < 0) {
		finish(r, rc, "%s", uv_strerror(rc));
		return;
	}
	r->tcp.data = r;
	r->connect.data = r;
	r->tcp_open = true;
	rc = uv_tcp_connect(&r->connect, &r->tcp, (const struct sockaddr *)&addr->sa, on_connect);
	if (rc < 0)
		finish(r, rc, "%s", uv_strerror(rc));
}

void http_run_fail(struct http_run *r, int err, const char *why)
{
	r->res = (struct probe_http_result){.verify = X509_V_OK, .err = err};
	snprintf(r->res.why, sizeof(r->res.why), "%s", why);
	r->active = false;
	uv_timer_start(&r->timer, on_timeout, 0, 0);
}

static void on_timer_closed(uv_handle_t *h)
{
	struct http_run *r = h->data;
	if (r->ctx) {
		SSL_CTX_free(r->ctx);
		r->ctx = NULL;
	}
	r->closed(r);
}

int http_run_close(struct http_run *r, void (*closed)(struct http_run *r))
{
	int n = 1;
	r->closed = closed;
	r->active = false;
	if (r->ssl) {
		SSL_free(r->ssl);
		r->ssl = NULL;
	}
	uv_close((uv_handle_t *)&r->timer, on_timer_closed);
	if (r->tcp_open) {
		n++;
		if (!uv_is_closing((uv_handle_t *)&r->tcp))
			uv_close((uv_handle_t *)&r->tcp, on_tcp_closed);
	}
	return n;
}
