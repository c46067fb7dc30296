/* The probe poller: is a server or a service reachable?
 *
 * ICMP echo: each target has its own non-blocking ICMP socket, watched with
 * uv_poll_t. The poller first asks for an unprivileged ICMP datagram socket
 * (allowed when the agent's group is inside net.ipv4.ping_group_range; the
 * kernel then rewrites the echo identifier and delivers only this socket's
 * replies) and falls back to a raw socket (needs CAP_NET_RAW; it sees every
 * ICMP packet, so replies are matched by identifier, nonce and source). A
 * poll sends `count` requests `interval` apart and waits `timeout` after
 * the last one; it ends early once every request is answered.
 *
 * TCP connect: uv_tcp_connect with a timer; the connect time is measured
 * with uv_hrtime from the call to the callback. The connection is closed
 * at once, without sending anything.
 *
 * Every target answers every poll with a reading: a target that does not
 * answer gives up = 0, never a missing sample. Only a probe that could not
 * be made at all (no ICMP socket allowed) is missing, because then nothing
 * is known. The device's state follows its targets: with `up: all` (the
 * default) it is up when every target answers, with `up: any` when one
 * does; the poll's reason names the targets that did not.
 *
 * Names: a poll first looks up every target given as a DNS name
 * (uv_getaddrinfo, on libuv's threads), at most PROBE_RESOLVE_TIMEOUT_MS,
 * then starts all targets, so DNS time never counts as RTT. A name that
 * does not resolve is a target that is down. An ICMP target keeps the
 * address family of the socket it opened first.
 *
 * Nothing here blocks: sockets are non-blocking, sends that would block
 * count as lost, lookups run on libuv's threads, and every wait is a libuv
 * timer. */
#include "agent.h"
#include "poller.h"
#include "probe_config.h"
#include "probe_http.h"
#include "probe_icmp.h"

#include <openssl/x509.h>

#include <errno.h>
#include <stdarg.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct probe_state;

/* One name lookup in flight. It belongs to the poll until answered or
 * abandoned (timeout, stop); an abandoned one frees itself when libuv's
 * thread returns. */
struct lookup {
	uv_getaddrinfo_t req;
	struct probe_state *st; /* NULL once abandoned */
	struct probe_addr *addr;
	int *err;
	struct lookup **self; /* the run's pointer to this lookup */
};

struct icmp_run {
	struct probe_state *st;
	const struct probe_icmp_cfg *cfg;
	struct probe_addr addr; /* cfg's, or for a name the address found this poll */
	struct lookup *lk;
	int resolve_err; /* this poll: the name was not found (a getaddrinfo error) */
	int fd;		 /* -1 until opened */
	bool raw, sock_v6;
	uv_poll_t io;
	bool io_init;
	uv_timer_t timer;
	uint32_t nonce;
	uint16_t id;   /* identifier we send (the kernel replaces it on datagram sockets) */
	uint16_t next; /* next sequence number */
	uint16_t seq0; /* sequence number of this poll's first request */
	unsigned sent;
	unsigned answered;
	bool active;
	int open_err; /* this poll: no socket */
	int send_err; /* this poll: the last failed send */
	struct probe_icmp_stats stats;
	uint64_t sent_ns[PROBE_ICMP_MAX_COUNT];
	double rtt[PROBE_ICMP_MAX_COUNT];
	bool got[PROBE_ICMP_MAX_COUNT];
};

struct tcp_run {
	struct probe_state *st;
	const struct probe_tcp_cfg *cfg;
	struct probe_addr addr; /* cfg's, or for a name the address found this poll */
	struct lookup *lk;
	int resolve_err;
	uv_tcp_t tcp;
	uv_connect_t req;
	uv_timer_t timer;
	bool tcp_open;
	bool finished;
	uint64_t start_ns;
	int result; /* 0 or a libuv error */
	double connect_s;
};

struct http_target {
	struct http_run run;	/* probe_http.c */
	struct probe_addr addr; /* cfg's, or for a name the address found this poll */
	struct lookup *lk;
	int resolve_err;
};

struct probe_state {
	struct device *dev;
	const struct probe_cfg *cfg;
	struct icmp_run *icmp;
	struct tcp_run *tcp;
	struct http_target *http;
	size_t pending; /* targets of the current poll not yet finished */
	size_t lookups; /* names of the current poll not yet looked up */
	uv_timer_t resolve_timer;
	bool polling;
	bool stopping;
	size_t closing; /* handles still closing during stop */
	void (*stop_done)(struct device *dev);
	struct log_complaint sock_complaint;
	char reason[400];
};

static void finish_poll(struct probe_state *st);

/* One handle closed during stop; the last one frees the state. */
static void stop_step(struct probe_state *st)
{
	if (--st->closing)
		return;
	void (*done)(struct device *) = st->stop_done;
	struct device *dev = st->dev;
	free(st->icmp);
	free(st->tcp);
	free(st->http);
	free(st);
	dev->state = NULL;
	done(dev);
}

static void target_finished(struct probe_state *st)
{
	if (st->stopping || !st->polling)
		return;
	if (--st->pending == 0)
		finish_poll(st);
}

/* ---- ICMP ---------------------------------------------------------------- */

static int open_icmp(struct icmp_run *r)
{
	int family = r->addr.ipv6 ? AF_INET6 : AF_INET;
	int proto = r->addr.ipv6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
	int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
	r->raw = false;
	if (fd < 0 && (errno == EACCES || errno == EPERM || errno == EPROTONOSUPPORT)) {
		fd = socket(family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
		r->raw = true;
	}
	if (fd < 0)
		return -errno;
	r->fd = fd;
	r->sock_v6 = r->addr.ipv6;
	return 0;
}

static void on_icmp_readable(uv_poll_t *h, int status, int events);

static int ensure_socket(struct icmp_run *r)
{
	if (r->fd >= 0)
		return 0;
	int rc = open_icmp(r);
	if (rc < 0)
		return rc;
	rc = uv_poll_init(r->st->dev->agent->loop, &r->io, r->fd);
	if (rc < 0) {
		close(r->fd);
		r->fd = -1;
		return rc;
	}
	r->io.data = r;
	r->io_init = true;
	log_info("probe", "%s: ICMP to %s through %s", r->st->dev->name, r->addr.host,
		 r->raw ? "a raw socket (CAP_NET_RAW)" : "an unprivileged ICMP socket");
	return 0;
}

static void icmp_send_one(struct icmp_run *r)
{
	uint8_t pkt[PROBE_ICMP_PACKET];
	uint16_t seq = (uint16_t)(r->seq0 + r->sent);
	size_t len = probe_icmp_build(pkt, r->addr.ipv6, r->id, seq, r->nonce);
	r->sent_ns[r->sent] = uv_hrtime();
	r->got[r->sent] = false;
	r->sent++;
	ssize_t n = sendto(r->fd, pkt, len, MSG_DONTWAIT, (const struct sockaddr *)&r->addr.sa,
			   r->addr.salen);
	if (n < 0)
		r->send_err = -errno; /* no route, interface down, ...: counts as lost */
}

static void icmp_end(struct icmp_run *r)
{
	if (!r->active)
		return;
	r->active = false;
	uv_timer_stop(&r->timer);
	if (r->io_init)
		uv_poll_stop(&r->io);
	if (!r->open_err && !r->resolve_err)
		probe_icmp_summarize(r->got, r->rtt, r->sent, &r->stats);
	target_finished(r->st);
}

static bool from_target(const struct icmp_run *r, const struct sockaddr_storage *from)
{
	if (r->addr.ipv6) {
		const struct sockaddr_in6 *a = (const void *)from;
		const struct sockaddr_in6 *b = (const void *)&r->addr.sa;
		return a->sin6_family == AF_INET6 &&
		       memcmp(&a->sin6_addr, &b->sin6_addr, sizeof(a->sin6_addr)) == 0;
	}
	const struct sockaddr_in *a = (const void *)from;
	const struct sockaddr_in *b = (const void *)&r->addr.sa;
	return a->sin_family == AF_INET && a->sin_addr.s_addr == b->sin_addr.s_addr;
}

static void icmp_take(struct icmp_run *r, const uint8_t *buf, size_t len,
		      const struct sockaddr_storage *from, uint64_t now)
{
	struct probe_icmp_reply rep;
	bool ip_header = r->raw && !r->addr.ipv6;
	if (probe_icmp_parse(buf, len, r->addr.ipv6, ip_header, r->nonce, &rep) < 0)
		return;
	if (!from_target(r, from) || (r->raw && rep.id != r->id))
		return;
	uint16_t i = (uint16_t)(rep.seq - r->seq0);
	if (i >= r->sent || r->got[i])
		return; /* late (from an earlier poll) or a duplicate */
	r->got[i] = true;
	r->rtt[i] = (double)(now - r->sent_ns[i]) / 1e9;
	r->answered++;
}

static void on_icmp_readable(uv_poll_t *h, int status, int events)
{
	struct icmp_run *r = h->data;
	(void)events;
	/* Bounded: a flood of foreign ICMP on a raw socket cannot hold the loop. */
	for (int k = 0; status == 0 && k < 64; k++) {
		uint8_t buf[1500];
		struct sockaddr_storage from;
		socklen_t flen = sizeof(from);
		ssize_t n = recvfrom(r->fd, buf, sizeof(buf), MSG_DONTWAIT,
				     (struct sockaddr *)&from, &flen);
		if (n < 0)
			break;
		if (r->active)
			icmp_take(r, buf, (size_t)n, &from, uv_hrtime());
	}
	if (r->active && r->sent == (unsigned)r->cfg->count && r->answered == r->sent)
		icmp_end(r);
}

static void on_icmp_timer(uv_timer_t *t)
{
	struct icmp_run *r = t->data;
	if (!r->active)
		return;
	if (r->open_err || r->resolve_err || r->sent == (unsigned)r->cfg->count) {
		icmp_end(r);
		return;
	}
	icmp_send_one(r);
	bool last = r->sent == (unsigned)r->cfg->count;
	uv_timer_start(&r->timer, on_icmp_timer, last ? r->cfg->timeout_ms : r->cfg->interval_ms,
		       0);
}

static void icmp_begin(struct icmp_run *r)
{
	r->active = true;
	r->sent = r->answered = 0;
	r->send_err = 0;
	r->stats = (struct probe_icmp_stats){0};
	r->open_err = r->resolve_err ? 0 : ensure_socket(r);
	if (r->open_err == 0 && !r->resolve_err) {
		r->seq0 = r->next;
		r->next = (uint16_t)(r->next + r->cfg->count);
		if (uv_poll_start(&r->io, UV_READABLE, on_icmp_readable) < 0)
			r->open_err = -EIO;
	}
	/* Even a failure ends through the timer, never inside poll(). */
	uv_timer_start(&r->timer, on_icmp_timer, 0, 0);
}

/* ---- TCP ----------------------------------------------------------------- */

static void on_tcp_closed(uv_handle_t *h)
{
	struct tcp_run *r = h->data;
	struct probe_state *st = r->st;
	r->tcp_open = false;
	if (st->stopping)
		stop_step(st);
	else
		target_finished(st);
}

static void tcp_end(struct tcp_run *r, int result)
{
	if (r->finished)
		return;
	r->finished = true;
	r->result = result;
	if (r->st->stopping)
		return; /* pr_stop closes the handle */
	if (result == 0)
		r->connect_s = (double)(uv_hrtime() - r->start_ns) / 1e9;
	uv_timer_stop(&r->timer);
	uv_close((uv_handle_t *)&r->tcp, on_tcp_closed);
}

static void on_tcp_connect(uv_connect_t *req, int status)
{
	tcp_end(req->data, status);
}

static void on_tcp_timer(uv_timer_t *t)
{
	struct tcp_run *r = t->data;
	if (!r->tcp_open) { /* uv_tcp_init failed: nothing to close */
		target_finished(r->st);
		return;
	}
	tcp_end(r, UV_ETIMEDOUT);
}

static void tcp_begin(struct tcp_run *r)
{
	r->finished = false;
	r->result = 0;
	r->connect_s = 0;
	int rc = r->resolve_err ? r->resolve_err : uv_tcp_init(r->st->dev->agent->loop, &r->tcp);
	if (rc < 0) {
		/* Nothing to close: finish through the timer. */
		r->finished = true;
		r->result = rc;
		uv_timer_start(&r->timer, on_tcp_timer, 0, 0);
		return;
	}
	r->tcp.data = r;
	r->req.data = r;
	r->tcp_open = true;
	r->start_ns = uv_hrtime();
	rc = uv_tcp_connect(&r->req, &r->tcp, (const struct sockaddr *)&r->addr.sa,
			    on_tcp_connect);
	if (rc < 0) {
		tcp_end(r, rc);
		return;
	}
	uv_timer_start(&r->timer, on_tcp_timer, r->cfg->timeout_ms, 0);
}

/* ---- results ------------------------------------------------------------- */

static void emit(struct device *dev, const char *metric, const char *unit, enum series_kind kind,
		 const struct label *labels, size_t nlabels, double value, const char *text)
{
	struct sample_in s = {
		.metric = metric,
		.unit = unit,
		.kind = kind,
		.labels = labels,
		.nlabels = nlabels,
		.value = value,
		.text = text,
	};
	device_emit(dev, &s);
}

/* Appends "; what" to the poll's reason, truncating quietly. */
static void note(struct probe_state *st, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void note(struct probe_state *st, const char *fmt, ...)
{
	size_t used = strlen(st->reason);
	if (used + 3 >= sizeof(st->reason))
		return;
	if (used)
		used += (size_t)snprintf(st->reason + used, sizeof(st->reason) - used, "; ");
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(st->reason + used, sizeof(st->reason) - used, fmt, ap);
	va_end(ap);
}

/* Emits one ICMP target; returns 1 up, 0 down, -1 unknown (no socket). */
static int emit_icmp(struct probe_state *st, const struct icmp_run *r)
{
	struct device *dev = st->dev;
	const char *addr = r->cfg->addr.host;
	if (r->resolve_err) {
		/* A name that does not resolve is a service nobody can reach. */
		struct label l[1] = {{"address", addr}};
		emit(dev, "probe.icmp.up", "", SERIES_STATE, l, 1, 0, "down");
		emit(dev, "probe.icmp.loss", "%", SERIES_GAUGE, l, 1, 100, NULL);
		note(st, "icmp %s: cannot resolve the name: %s", addr, uv_strerror(r->resolve_err));
		return 0;
	}
	if (r->open_err) {
		bool denied = r->open_err == -EPERM || r->open_err == -EACCES;
		note(st, "icmp %s: cannot open an ICMP socket: %s%s", addr, strerror(-r->open_err),
		     denied ? " (allow the agent's group in net.ipv4.ping_group_range or grant "
			      "CAP_NET_RAW)"
			    : "");
		return -1;
	}
	const struct probe_icmp_stats *s = &r->stats;
	struct label l[1] = {{"address", addr}};
	bool up = s->received > 0;
	emit(dev, "probe.icmp.up", "", SERIES_STATE, l, 1, up, up ? "up" : "down");
	emit(dev, "probe.icmp.loss", "%", SERIES_GAUGE, l, 1, s->loss_pct, NULL);
	if (up) {
		emit(dev, "probe.icmp.rtt", "s", SERIES_GAUGE, l, 1, s->rtt_avg, NULL);
		emit(dev, "probe.icmp.rtt_min", "s", SERIES_GAUGE, l, 1, s->rtt_min, NULL);
		emit(dev, "probe.icmp.rtt_max", "s", SERIES_GAUGE, l, 1, s->rtt_max, NULL);
		return 1;
	}
	if (r->send_err)
		note(st, "icmp %s: %s", addr, strerror(-r->send_err));
	else
		note(st, "icmp %s: no reply to %u echo requests", addr, s->sent);
	return 0;
}

static int emit_tcp(struct probe_state *st, const struct tcp_run *r)
{
	const struct probe_addr *a = &r->cfg->addr;
	struct label l[2] = {{"address", a->host}, {"port", a->port}};
	bool up = r->result == 0;
	emit(st->dev, "probe.tcp.up", "", SERIES_STATE, l, 2, up, up ? "up" : "down");
	if (up) {
		emit(st->dev, "probe.tcp.connect_time", "s", SERIES_GAUGE, l, 2, r->connect_s,
		     NULL);
		return 1;
	}
	if (r->resolve_err)
		note(st, "tcp %s:%s: cannot resolve the name: %s", a->host, a->port,
		     uv_strerror(r->resolve_err));
	else
		note(st, "tcp %s%s%s:%s: %s", a->ipv6 ? "[" : "", a->host, a->ipv6 ? "]" : "",
		     a->port, r->result == UV_ETIMEDOUT ? "no answer" : uv_strerror(r->result));
	return 0;
}

/* Emits one HTTP target; returns 1 up, 0 down. */
static int emit_http(struct probe_state *st, const struct http_target *t)
{
	const struct probe_http_cfg *c = t->run.cfg;
	const struct probe_http_result *res = &t->run.res;
	struct label l[1] = {{"url", c->url}};
	bool trusted = !c->tls || !c->verify || res->verify == X509_V_OK;
	bool up = res->err == 0 && probe_http_status_ok(c, res->status) && trusted;
	emit(st->dev, "probe.http.up", "", SERIES_STATE, l, 1, up, up ? "up" : "down");
	if (res->status) {
		emit(st->dev, "probe.http.status", "", SERIES_GAUGE, l, 1, res->status, NULL);
		emit(st->dev, "probe.http.time", "s", SERIES_GAUGE, l, 1, res->seconds, NULL);
	}
	if (res->has_expiry)
		emit(st->dev, "probe.tls.cert_expiry", "s", SERIES_GAUGE, l, 1, res->expiry_s,
		     NULL);
	if (res->err)
		note(st, "http %s: %s", c->url, res->why);
	else if (!probe_http_status_ok(c, res->status))
		note(st, "http %s: status %d", c->url, res->status);
	else if (!trusted)
		note(st, "http %s: certificate not trusted: %s", c->url,
		     X509_verify_cert_error_string(res->verify));
	return up;
}

static void finish_poll(struct probe_state *st)
{
	const struct probe_cfg *c = st->cfg;
	size_t up = 0, down = 0, unknown = 0;
	st->polling = false;
	st->reason[0] = '\0';
	for (size_t i = 0; i < c->nicmp; i++) {
		int v = emit_icmp(st, &st->icmp[i]);
		up += v == 1;
		down += v == 0;
		unknown += v < 0;
	}
	for (size_t i = 0; i < c->ntcp; i++) {
		if (emit_tcp(st, &st->tcp[i]))
			up++;
		else
			down++;
	}
	for (size_t i = 0; i < c->nhttp; i++) {
		if (emit_http(st, &st->http[i]))
			up++;
		else
			down++;
	}
	bool ok = c->up_rule == PROBE_UP_ANY ? up > 0 : down == 0 && unknown == 0;
	if (unknown && !down && !up)
		device_poll_done(st->dev, -EPERM, st->reason);
	else
		device_poll_done(st->dev, ok ? 0 : -EHOSTUNREACH, ok ? NULL : st->reason);
}

/* ---- names --------------------------------------------------------------- */

/* Every target starts once every name of the poll is looked up (or given
 * up on): the probes themselves are then timed without DNS in them. */
static void begin_targets(struct probe_state *st)
{
	for (size_t i = 0; i < st->cfg->nicmp; i++)
		icmp_begin(&st->icmp[i]);
	for (size_t i = 0; i < st->cfg->ntcp; i++)
		tcp_begin(&st->tcp[i]);
	for (size_t i = 0; i < st->cfg->nhttp; i++) {
		struct http_target *t = &st->http[i];
		if (t->resolve_err) {
			char why[128];
			snprintf(why, sizeof(why), "cannot resolve the name: %s",
				 uv_strerror(t->resolve_err));
			http_run_fail(&t->run, t->resolve_err, why);
		} else {
			http_run_begin(&t->run, &t->addr);
		}
	}
}

static void lookup_done(struct probe_state *st)
{
	if (--st->lookups > 0)
		return;
	uv_timer_stop(&st->resolve_timer);
	begin_targets(st);
}

static void on_resolved(uv_getaddrinfo_t *req, int status, struct addrinfo *res)
{
	struct lookup *lk = req->data;
	struct probe_state *st = lk->st;
	if (st) {
		*lk->self = NULL;
		*lk->err = status < 0 ? status : res ? 0 : UV_EAI_NONAME;
		if (*lk->err == 0) {
			struct probe_addr *a = lk->addr;
			memcpy(&a->sa, res->ai_addr, res->ai_addrlen);
			a->salen = (socklen_t)res->ai_addrlen;
			a->ipv6 = res->ai_family == AF_INET6;
		}
	}
	uv_freeaddrinfo(res);
	free(lk);
	if (st)
		lookup_done(st);
}

/* Lets go of a lookup still in flight: its answer will be dropped. */
static void abandon(struct lookup **slot)
{
	if (*slot) {
		(*slot)->st = NULL;
		*slot = NULL;
	}
}

static void on_resolve_timeout(uv_timer_t *t)
{
	struct probe_state *st = t->data;
	for (size_t i = 0; i < st->cfg->nicmp; i++)
		if (st->icmp[i].lk) {
			abandon(&st->icmp[i].lk);
			st->icmp[i].resolve_err = UV_EAI_AGAIN;
		}
	for (size_t i = 0; i < st->cfg->ntcp; i++)
		if (st->tcp[i].lk) {
			abandon(&st->tcp[i].lk);
			st->tcp[i].resolve_err = UV_EAI_AGAIN;
		}
	for (size_t i = 0; i < st->cfg->nhttp; i++)
		if (st->http[i].lk) {
			abandon(&st->http[i].lk);
			st->http[i].resolve_err = UV_EAI_AGAIN;
		}
	st->lookups = 0;
	begin_targets(st);
}

/* Starts the lookup of a target's name: family is AF_UNSPEC, or the family
 * of the socket the target already has. 0, or a libuv error in *err. */
static void resolve(struct probe_state *st, const struct probe_addr *cfg, struct probe_addr *addr,
		    int family, int socktype, struct lookup **slot, int *err)
{
	*err = 0;
	*addr = *cfg;
	if (!cfg->is_name)
		return;
	struct lookup *lk = calloc(1, sizeof(*lk));
	if (!lk) {
		*err = UV_ENOMEM;
		return;
	}
	*lk = (struct lookup){.st = st, .addr = addr, .err = err, .self = slot};
	lk->req.data = lk;
	struct addrinfo hints = {.ai_family = family, .ai_socktype = socktype};
	int rc = uv_getaddrinfo(st->dev->agent->loop, &lk->req, on_resolved, cfg->host,
				cfg->port[0] ? cfg->port : NULL, &hints);
	if (rc < 0) {
		free(lk);
		*err = rc;
		return;
	}
	*slot = lk;
	st->lookups++;
}

/* ---- the vtable ---------------------------------------------------------- */

static int pr_parse(struct device *dev, const struct conf_node *node,
		    const struct conf_node *dev_node, struct perr *err)
{
	(void)dev_node;
	struct probe_cfg *cfg;
	int rc = probe_config_parse(node, &cfg, err);
	if (rc < 0)
		return rc;
	uint64_t budget = probe_config_budget_ms(cfg);
	if (budget >= dev->interval_ms) {
		probe_config_free(cfg);
		return conf_error(err, node,
				  "probe: a poll may take %llu ms (count, interval and timeout) "
				  "but device '%s' is polled every %llu ms; shorten the timeouts "
				  "or set a longer interval",
				  (unsigned long long)budget, dev->name,
				  (unsigned long long)dev->interval_ms);
	}
	dev->cfg = cfg;
	return 0;
}

static void on_http_done(struct http_run *r)
{
	target_finished(r->arg);
}

static int pr_start(struct device *dev)
{
	const struct probe_cfg *cfg = dev->cfg;
	struct probe_state *st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	st->dev = dev;
	st->cfg = cfg;
	st->icmp = calloc(cfg->nicmp + 1, sizeof(*st->icmp));
	st->tcp = calloc(cfg->ntcp + 1, sizeof(*st->tcp));
	st->http = calloc(cfg->nhttp + 1, sizeof(*st->http));
	if (!st->icmp || !st->tcp || !st->http) {
		free(st->icmp);
		free(st->tcp);
		free(st->http);
		free(st);
		return -ENOMEM;
	}
	uv_loop_t *loop = dev->agent->loop;
	for (size_t i = 0; i < cfg->nhttp; i++) {
		struct perr err;
		if (http_run_init(&st->http[i].run, loop, &cfg->http[i], on_http_done, st, &err) <
		    0) {
			/* Unusable CA file: said at start, and the target reads down. */
			log_error("probe", "%s: %s", dev->name, err.msg);
			st->http[i].run.ctx = NULL;
		}
	}
	uv_timer_init(loop, &st->resolve_timer);
	st->resolve_timer.data = st;
	for (size_t i = 0; i < cfg->nicmp; i++) {
		struct icmp_run *r = &st->icmp[i];
		r->st = st;
		r->cfg = &cfg->icmp[i];
		r->addr = r->cfg->addr;
		r->fd = -1;
		/* Tells our packets from other programs' on raw sockets. */
		r->nonce = (uint32_t)rand() ^ (uint32_t)(uv_hrtime() >> 7) ^ (uint32_t)i;
		r->id = (uint16_t)(r->nonce ^ (r->nonce >> 16));
		r->next = (uint16_t)rand();
		uv_timer_init(loop, &r->timer);
		r->timer.data = r;
	}
	for (size_t i = 0; i < cfg->ntcp; i++) {
		struct tcp_run *r = &st->tcp[i];
		r->st = st;
		r->cfg = &cfg->tcp[i];
		r->addr = r->cfg->addr;
		uv_timer_init(loop, &r->timer);
		r->timer.data = r;
	}
	dev->state = st;
	return 0;
}

static int pr_poll(struct device *dev)
{
	struct probe_state *st = dev->state;
	if (!st || st->stopping)
		return -ESHUTDOWN;
	if (st->polling)
		return -EBUSY;
	st->polling = true;
	st->pending = st->cfg->nicmp + st->cfg->ntcp + st->cfg->nhttp;
	st->lookups = 1; /* held while the lookups are started */
	for (size_t i = 0; i < st->cfg->nicmp; i++) {
		struct icmp_run *r = &st->icmp[i];
		int family = r->fd < 0 ? AF_UNSPEC : r->sock_v6 ? AF_INET6 : AF_INET;
		resolve(st, &r->cfg->addr, &r->addr, family, SOCK_RAW, &r->lk, &r->resolve_err);
	}
	for (size_t i = 0; i < st->cfg->ntcp; i++) {
		struct tcp_run *r = &st->tcp[i];
		resolve(st, &r->cfg->addr, &r->addr, AF_UNSPEC, SOCK_STREAM, &r->lk,
			&r->resolve_err);
	}
	for (size_t i = 0; i < st->cfg->nhttp; i++) {
		struct http_target *t = &st->http[i];
		resolve(st, &st->cfg->http[i].addr, &t->addr, AF_UNSPEC, SOCK_STREAM, &t->lk,
			&t->resolve_err);
	}
	if (st->lookups > 1)
		uv_timer_start(&st->resolve_timer, on_resolve_timeout, PROBE_RESOLVE_TIMEOUT_MS, 0);
	lookup_done(st); /* without names, the targets start now */
	return 0;
}

static void on_closed(uv_handle_t *h)
{
	stop_step(h->data);
}

static void on_io_closed(uv_handle_t *h)
{
	struct icmp_run *r = h->data;
	/* The descriptor outlives its uv_poll_t, as libuv asks. */
	close(r->fd);
	r->fd = -1;
	stop_step(r->st);
}

static void on_http_closed(struct http_run *r)
{
	stop_step(r->arg);
}

static void pr_stop(struct device *dev, void (*done)(struct device *dev))
{
	struct probe_state *st = dev->state;
	if (!st) {
		done(dev);
		return;
	}
	st->stopping = true;
	st->stop_done = done;
	st->closing = 2; /* held until every close below is started; the resolve timer */
	uv_close((uv_handle_t *)&st->resolve_timer, on_closed);
	for (size_t i = 0; i < st->cfg->nicmp; i++) {
		struct icmp_run *r = &st->icmp[i];
		abandon(&r->lk);
		st->closing++;
		r->timer.data = st;
		uv_close((uv_handle_t *)&r->timer, on_closed);
		if (r->io_init) {
			st->closing++;
			uv_close((uv_handle_t *)&r->io, on_io_closed);
		}
	}
	for (size_t i = 0; i < st->cfg->ntcp; i++) {
		struct tcp_run *r = &st->tcp[i];
		abandon(&r->lk);
		st->closing++;
		r->timer.data = st;
		uv_close((uv_handle_t *)&r->timer, on_closed);
		if (!r->tcp_open)
			continue;
		/* A close already under way ends in on_tcp_closed, which counts it. */
		st->closing++;
		if (!uv_is_closing((uv_handle_t *)&r->tcp))
			uv_close((uv_handle_t *)&r->tcp, on_tcp_closed);
	}
	for (size_t i = 0; i < st->cfg->nhttp; i++) {
		abandon(&st->http[i].lk);
		st->closing += (size_t)http_run_close(&st->http[i].run, on_http_closed);
	}
	stop_step(st);
}

static void pr_free_cfg(void *cfg)
{
	probe_config_free(cfg);
}

const struct poller_ops poll_probe_ops = {
	.name = "probe",
	.parse = pr_parse,
	.start = pr_start,
	.poll = pr_poll,
	.stop = pr_stop,
	.free_cfg = pr_free_cfg,
};
