/* HTTP and HTTPS probes: is a web service answering, with which status, how
 * fast, and how long until its certificate expires?
 *
 *   probe:
 *     http: [ "https://simpeg.example.go.id/health",
 *             { url: "http://10.0.0.30:8080/", expect: 200, timeout: 5s },
 *             { url: "https://intranet.example.go.id/", ca: /etc/pantau/pemda-ca.pem } ]
 *
 * One GET per poll (HTTP/1.1, Connection: close); only the status line is
 * read. The service is up when the status is `expect` (default: any 2xx or
 * 3xx) and, over HTTPS with `verify: true` (the default), the certificate
 * chain reaches a trusted CA (the system's, or `ca`) and names the host.
 * The certificate's remaining life is reported even when it does not
 * verify: an expired certificate is exactly what must be seen. */
#ifndef PANTAU_PROBE_HTTP_H
#define PANTAU_PROBE_HTTP_H

#include "probe_config.h"

#include <openssl/ssl.h>
#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

enum { PROBE_HTTP_HEAD_MAX = 4096 }; /* bytes of the answer read for its status line */

/* Splits "http[s]://host[:port][/path]" (host a name, IPv4 or [IPv6]) into
 * cfg's tls, addr (host, port) and path. 0 or -EINVAL. Pure. */
int probe_http_parse_url(const char *url, struct probe_http_cfg *cfg);

/* The status of an answer's head (bytes from the server): 1 with *status
 * set from "HTTP/1.x NNN ...\n", 0 if no full first line yet, -1 if it is
 * not HTTP. Pure. */
int probe_http_status_line(const char *head, size_t n, int *status);

/* True if status counts as up for cfg. */
bool probe_http_status_ok(const struct probe_http_cfg *cfg, int status);

/* What one poll found. */
struct probe_http_result {
	int err;	 /* 0, or a libuv error (connect, timeout, TLS, bad answer) */
	int status;	 /* HTTP status, 0 if none */
	double seconds;	 /* connect to status line */
	bool has_expiry; /* HTTPS: a certificate came */
	double expiry_s; /* its notAfter minus now (negative once expired) */
	long verify;	 /* X509_V_OK or the verification error */
	char why[160];	 /* what went wrong, for the poll's reason */
};

/* One target's state between polls. */
struct http_run {
	const struct probe_http_cfg *cfg;
	SSL_CTX *ctx; /* HTTPS: trusts cfg->ca or the system store */
	uv_loop_t *loop;
	uv_tcp_t tcp;
	uv_connect_t connect;
	uv_timer_t timer;
	bool tcp_open, active;
	SSL *ssl;
	BIO *rbio, *wbio;
	bool handshaken, sent;
	char head[PROBE_HTTP_HEAD_MAX];
	size_t nhead;
	uint64_t start_ns;
	struct probe_http_result res;
	void (*done)(struct http_run *r); /* the poll of this target is over */
	void (*closed)(struct http_run *r);
	void *arg;
};

/* Prepares a run (the timer, the TLS context). 0 or -errno with err set. */
int http_run_init(struct http_run *r, uv_loop_t *loop, const struct probe_http_cfg *cfg,
		  void (*done)(struct http_run *r), void *arg, struct perr *err);

/* Starts one poll against addr (cfg's, or the address its name has now);
 * done() runs on a later loop turn, once, with r->res filled. */
void http_run_begin(struct http_run *r, const struct probe_addr *addr);

/* Ends a poll early with err (a failed name lookup): done() on a later turn. */
void http_run_fail(struct http_run *r, int err, const char *why);

/* Closes the run's handles; closed() runs once for each of its two handles
 * (timer, connection) still open: returns how many will come. */
int http_run_close(struct http_run *r, void (*closed)(struct http_run *r));

#endif
