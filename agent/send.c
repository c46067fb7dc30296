#include "send.h"
#include "agent.h"
#include "batch.h"
#include "series.h"
#include "spool.h"
#include "wire.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

enum {
	BACKOFF_MIN_MS = 1000,
	BACKOFF_MAX_MS = 60000,
	SEND_WINDOW = 16,
	MAX_QUEUED_MSGS = 4096,
};

struct send_msg {
	struct buf frame;
	struct send_msg *next;
};

struct wreq {
	uv_write_t req;
	struct buf data;
	struct send *s;
};

static void resolve(struct send *s);
static void disconnect(struct send *s, const char *why);

/* Splits "host:port" or "[v6]:port". 0 or -EINVAL. */
static int split_address(const char *addr, char **host, char **port)
{
	const char *colon = strrchr(addr, ':');
	if (!colon || colon == addr || !colon[1])
		return -EINVAL;
	const char *h = addr;
	size_t hlen = (size_t)(colon - addr);
	if (h[0] == '[') {
		if (hlen < 2 || h[hlen - 1] != ']')
			return -EINVAL;
		h++;
		hlen -= 2;
	}
	*host = strndup(h, hlen);
	*port = strdup(colon + 1);
	if (!*host || !*port) {
		free(*host);
		free(*port);
		return -ENOMEM;
	}
	return 0;
}

static void on_retry(uv_timer_t *t)
{
	resolve(t->data);
}

static void schedule_retry(struct send *s)
{
	if (s->stopping)
		return;
	s->state = SEND_IDLE;
	uint64_t wait = s->backoff_ms;
	/* +-20 % jitter so many agents do not reconnect in lockstep. */
	wait = wait * 4 / 5 + (uint64_t)rand() % (wait * 2 / 5 + 1);
	s->backoff_ms = s->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : s->backoff_ms * 2;
	uv_timer_start(&s->retry, on_retry, wait, 0);
}

static void on_tcp_closed(uv_handle_t *h)
{
	struct send *s = h->data;
	s->tcp_open = false;
	tls_conn_free(s->tconn);
	s->tconn = NULL;
	schedule_retry(s);
}

static void fail(struct send *s, const char *what, int err)
{
	log_complain(&s->complaint, LL_WARN, "send", "collector %s:%s: %s: %s (retrying)", s->host,
		     s->port, what, uv_strerror(err));
	if (s->tcp_open && !uv_is_closing((uv_handle_t *)&s->tcp))
		uv_close((uv_handle_t *)&s->tcp, on_tcp_closed);
	else if (!s->tcp_open)
		schedule_retry(s);
}

static void on_write(uv_write_t *req, int status)
{
	struct wreq *w = (struct wreq *)req;
	struct send *s = w->s;
	buf_free(&w->data);
	free(w);
	if (status < 0 && status != UV_ECANCELED && s->state == SEND_CONNECTED)
		disconnect(s, uv_strerror(status));
}

struct cipher_wreq {
	uv_write_t req;
	char *data;
	struct send *s;
};

static void on_cipher_write(uv_write_t *req, int status)
{
	struct cipher_wreq *w = (struct cipher_wreq *)req;
	struct send *s = w->s;
	free(w->data);
	free(w);
	if (status < 0 && status != UV_ECANCELED && s->state == SEND_CONNECTED)
		disconnect(s, uv_strerror(status));
}

/* tls_send_fn: TLS records to the socket; takes over data. */
static int send_cipher(void *arg, char *data, size_t len)
{
	struct send *s = arg;
	struct cipher_wreq *w = malloc(sizeof(*w));
	if (!w) {
		free(data);
		return -ENOMEM;
	}
	w->data = data;
	w->s = s;
	uv_buf_t b = uv_buf_init(data, (unsigned)len);
	int rc = uv_write(&w->req, (uv_stream_t *)&s->tcp, &b, 1, on_cipher_write);
	if (rc < 0) {
		free(data);
		free(w);
	}
	return rc;
}

/* Writes an encoded frame; takes over data's storage. */
static int write_frame(struct send *s, struct buf *data)
{
	if (s->tconn) {
		int rc = tls_conn_write(s->tconn, data->data, data->len);
		if (rc == 0)
			s->bytes_sent += data->len;
		buf_free(data);
		return rc;
	}
	struct wreq *w = malloc(sizeof(*w));
	if (!w) {
		buf_free(data);
		return -ENOMEM;
	}
	w->data = *data;
	w->s = s;
	buf_init(data, data->max);
	uv_buf_t b = uv_buf_init((char *)w->data.data, (unsigned)w->data.len);
	int rc = uv_write(&w->req, (uv_stream_t *)&s->tcp, &b, 1, on_write);
	if (rc < 0) {
		buf_free(&w->data);
		free(w);
		return rc;
	}
	s->bytes_sent += b.len;
	return 0;
}

static int send_hello(struct send *s)
{
	struct agent *a = s->agent;
	Pantau__Hello hello = PANTAU__HELLO__INIT;
	Pantau__Envelope env = PANTAU__ENVELOPE__INIT;
	hello.agent_id = a->cfg.id;
	hello.site = a->cfg.site;
	hello.software = "pantau-agent " PANTAU_VERSION;
	hello.stream = spool_stream(a->spool);
	hello.clock_ms = log_wall_ms();
	env.body_case = PANTAU__ENVELOPE__BODY_HELLO;
	env.hello = &hello;
	struct buf out;
	buf_init(&out, s->max_frame + FRAME_HEADER_LEN);
	int rc = wire_encode(&env, &out, s->max_frame);
	return rc < 0 ? rc : write_frame(s, &out);
}

static void write_pending(struct send *s)
{
	if (s->state != SEND_CONNECTED)
		return;
	while (s->msgs_head) {
		struct send_msg *m = s->msgs_head;
		s->msgs_head = m->next;
		if (!s->msgs_head)
			s->msgs_tail = NULL;
		s->nmsgs--;
		int rc = write_frame(s, &m->frame);
		free(m);
		if (rc < 0) {
			disconnect(s, "write failed");
			return;
		}
	}
	/* Running totals of dropped samples first (never silent), then
	 * batches from the spool (read from disk), oldest first, while the
	 * window has room. */
	struct buf losses;
	buf_init(&losses, 4096);
	int lrc = batch_encode_losses(s->agent->batch, &losses, s->max_frame);
	if (lrc > 0)
		lrc = write_frame(s, &losses);
	else
		buf_free(&losses);
	if (lrc < 0) {
		disconnect(s, "cannot write a loss report");
		return;
	}
	struct spool *sp = s->agent->spool;
	while (s->state == SEND_CONNECTED && spool_inflight(sp) < s->window) {
		const struct batch_rec *r;
		int rc = spool_next(sp, &r);
		if (rc == 0)
			break;
		struct buf out;
		buf_init(&out, (size_t)s->max_frame + FRAME_HEADER_LEN);
		if (rc > 0)
			rc = batch_encode(r, s->agent->series, &out, s->max_frame);
		if (rc == 0) {
			s->agent->batch->samples_sent += r->n;
			rc = write_frame(s, &out);
		} else {
			buf_free(&out);
		}
		if (rc < 0) {
			disconnect(s, "cannot read, encode or write a batch");
			return;
		}
	}
}

static void handle_frame(struct send *s, const uint8_t *msg, size_t len)
{
	struct perr err;
	Pantau__Envelope *env = NULL;
	if (wire_decode(msg, len, &env, &err) < 0) {
		disconnect(s, err.msg);
		return;
	}
	if (env->body_case == PANTAU__ENVELOPE__BODY_ACK) {
		if (env->ack->stream == spool_stream(s->agent->spool))
			batch_ack(s->agent->batch, env->ack->seq);
	} else {
		log_debug("send", "ignoring message type %d from the collector", env->body_case);
	}
	wire_free(env);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *b)
{
	static char slab[65536]; /* loop thread only; consumed before the next read */
	(void)h;
	(void)suggested;
	*b = uv_buf_init(slab, sizeof(slab));
}

/* Bytes of the wire protocol from the collector (decrypted or plaintext). */
static void take_bytes(struct send *s, const char *data, size_t n)
{
	if (frame_reader_feed(&s->reader, data, n) < 0) {
		disconnect(s, "collector sent more than a frame");
		return;
	}
	const uint8_t *msg;
	size_t len;
	int rc = 0;
	while (s->state == SEND_CONNECTED && (rc = frame_reader_next(&s->reader, &msg, &len)) > 0)
		handle_frame(s, msg, len);
	if (s->state == SEND_CONNECTED && rc < 0) {
		disconnect(s, "bad frame from the collector");
		return;
	}
	write_pending(s);
}

/* The session is up (TCP, and TLS when configured): Hello, then batches. */
static void session_ready(struct send *s)
{
	s->state = SEND_CONNECTED;
	s->connects++;
	if (!s->tconn) {
		s->backoff_ms = BACKOFF_MIN_MS;
		log_release(&s->complaint, "send", "collector %s:%s: connected again", s->host,
			    s->port);
	}
	if (!s->complaint.active)
		log_info("send", "connected to collector %s:%s%s", s->host, s->port,
			 s->tconn ? " (mutual TLS 1.3)" : " (plaintext)");
	int rc = send_hello(s);
	if (rc < 0) {
		disconnect(s, uv_strerror(rc));
		return;
	}
	write_pending(s);
}

/* A TLS failure: logged once (then with backoff) with its reason; the
 * connection is dropped and retried later. In TLS 1.3 the collector judges
 * our certificate after our side finished the handshake, so its refusal
 * (an alert naming the reason) arrives on an established session. */
static void tls_failed(struct send *s)
{
	log_complain(&s->complaint, LL_WARN, "send", "collector %s:%s: %s [%s] (retrying)",
		     s->host, s->port, tls_conn_error(s->tconn),
		     tls_reason_name(tls_conn_reason(s->tconn)));
	if (s->state == SEND_CONNECTED) {
		disconnect(s, NULL);
		return;
	}
	s->state = SEND_IDLE;
	if (!uv_is_closing((uv_handle_t *)&s->tcp))
		uv_close((uv_handle_t *)&s->tcp, on_tcp_closed);
}

static void tls_input(struct send *s, const char *data, size_t n)
{
	static char plain[16384]; /* loop thread only; consumed at once */
	int rc = tls_conn_feed(s->tconn, data, n);
	if (rc < 0) {
		tls_failed(s);
		return;
	}
	if (rc == 1)
		session_ready(s);
	while (s->tconn && s->state == SEND_CONNECTED) {
		ssize_t got = tls_conn_read(s->tconn, plain, sizeof(plain));
		if (got == 0)
			return;
		if (got == -EPIPE) {
			disconnect(s, "closed by the collector (TLS close_notify)");
			return;
		}
		if (got < 0) {
			tls_failed(s);
			return;
		}
		/* The collector answered over TLS: it accepted our certificate. */
		s->backoff_ms = BACKOFF_MIN_MS;
		log_release(&s->complaint, "send", "collector %s:%s: connected again", s->host,
			    s->port);
		take_bytes(s, plain, (size_t)got);
	}
}

static void on_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *b)
{
	struct send *s = stream->data;
	if (nread == 0)
		return;
	if (nread < 0) {
		if (s->state == SEND_HANDSHAKING) {
			fail(s, "TLS handshake", (int)nread);
			return;
		}
		disconnect(s,
			   nread == UV_EOF ? "closed by the collector" : uv_strerror((int)nread));
		return;
	}
	if (s->tconn)
		tls_input(s, b->base, (size_t)nread);
	else
		take_bytes(s, b->base, (size_t)nread);
}

static void disconnect(struct send *s, const char *why)
{
	if (s->state != SEND_CONNECTED)
		return;
	if (why) /* NULL: the caller has logged it */
		log_warn("send", "collector %s:%s: connection lost: %s", s->host, s->port, why);
	s->state = SEND_IDLE;
	spool_rewind(s->agent->spool);
	series_forget_defined(s->agent->series);
	frame_reader_free(&s->reader);
	frame_reader_init(&s->reader, s->max_frame);
	if (!uv_is_closing((uv_handle_t *)&s->tcp))
		uv_close((uv_handle_t *)&s->tcp, on_tcp_closed);
}

static void on_connect(uv_connect_t *req, int status)
{
	struct send *s = req->data;
	if (s->stopping)
		return;
	if (status < 0) {
		fail(s, "connect", status);
		return;
	}
	int rc = uv_read_start((uv_stream_t *)&s->tcp, on_alloc, on_read);
	if (rc < 0) {
		fail(s, "read", rc);
		return;
	}
	if (!s->tls) {
		session_ready(s);
		return;
	}
	s->state = SEND_HANDSHAKING;
	rc = tls_conn_new(s->tls, s->server_name, send_cipher, s, &s->tconn);
	if (rc < 0)
		fail(s, "TLS setup", rc == -EINVAL ? UV_EINVAL : rc);
}

static void on_resolved(uv_getaddrinfo_t *req, int status, struct addrinfo *ai)
{
	struct send *s = req->data;
	if (s->stopping) {
		uv_freeaddrinfo(ai);
		return;
	}
	if (status < 0) {
		fail(s, "resolve", status);
		return;
	}
	s->state = SEND_CONNECTING;
	int rc = uv_tcp_init(s->agent->loop, &s->tcp);
	if (rc == 0) {
		s->tcp_open = true;
		s->tcp.data = s;
		uv_tcp_nodelay(&s->tcp, 1);
		s->connect_req.data = s;
		rc = uv_tcp_connect(&s->connect_req, &s->tcp, ai->ai_addr, on_connect);
	}
	uv_freeaddrinfo(ai);
	if (rc < 0)
		fail(s, "connect", rc);
}

static void resolve(struct send *s)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
	s->state = SEND_RESOLVING;
	s->gai.data = s;
	int rc = uv_getaddrinfo(s->agent->loop, &s->gai, on_resolved, s->host, s->port, &hints);
	if (rc < 0)
		fail(s, "resolve", rc);
}

int send_start(struct send *s, struct agent *a)
{
	*s = (struct send){.agent = a, .backoff_ms = BACKOFF_MIN_MS, .window = SEND_WINDOW};
	s->max_frame = FRAME_MAX_DEFAULT;
	int rc = split_address(a->cfg.collector_address, &s->host, &s->port);
	if (rc < 0)
		return rc;
	if (!a->cfg.collector_plaintext) {
		struct perr err;
		if ((rc = tls_ctx_new(TLS_CLIENT, &a->cfg.tls, &s->tls, &err)) < 0) {
			log_error("send", "%s", err.msg);
			free(s->host);
			free(s->port);
			return rc;
		}
		const char *sn = a->cfg.tls_server_name;
		s->server_name = sn && sn[0] ? sn : s->host;
	}
	frame_reader_init(&s->reader, s->max_frame);
	if ((rc = uv_timer_init(a->loop, &s->retry)) < 0)
		return rc;
	s->retry.data = s;
	resolve(s);
	return 0;
}

void send_kick(struct send *s)
{
	write_pending(s);
}

void send_message(struct send *s, struct buf *frame)
{
	struct send_msg *m = malloc(sizeof(*m));
	if (!m) {
		buf_free(frame);
		s->msgs_dropped++;
		return;
	}
	m->frame = *frame;
	m->next = NULL;
	buf_init(frame, frame->max);
	if (s->msgs_tail)
		s->msgs_tail->next = m;
	else
		s->msgs_head = m;
	s->msgs_tail = m;
	if (++s->nmsgs > MAX_QUEUED_MSGS) {
		struct send_msg *old = s->msgs_head;
		s->msgs_head = old->next;
		buf_free(&old->frame);
		free(old);
		s->nmsgs--;
		s->msgs_dropped++;
	}
	write_pending(s);
}

static void on_stop_closed(uv_handle_t *h)
{
	struct send *s = h->data;
	if (h == (uv_handle_t *)&s->tcp) {
		s->tcp_open = false;
		tls_conn_free(s->tconn);
		s->tconn = NULL;
		uv_close((uv_handle_t *)&s->retry, on_stop_closed);
		return;
	}
	while (s->msgs_head) {
		struct send_msg *m = s->msgs_head;
		s->msgs_head = m->next;
		buf_free(&m->frame);
		free(m);
	}
	frame_reader_free(&s->reader);
	free(s->host);
	free(s->port);
	tls_ctx_free(s->tls);
	s->tls = NULL;
	s->state = SEND_CLOSED;
	if (s->stopped_cb)
		s->stopped_cb(s);
}

void send_stop(struct send *s, void (*done)(struct send *s))
{
	s->stopping = true;
	s->stopped_cb = done;
	if (s->state == SEND_RESOLVING)
		uv_cancel((uv_req_t *)&s->gai);
	uv_timer_stop(&s->retry);
	if (s->tconn && s->state == SEND_CONNECTED)
		tls_conn_shutdown(s->tconn); /* close_notify, best effort */
	if (s->tcp_open && !uv_is_closing((uv_handle_t *)&s->tcp))
		uv_close((uv_handle_t *)&s->tcp, on_stop_closed);
	else
		uv_close((uv_handle_t *)&s->retry, on_stop_closed);
}
