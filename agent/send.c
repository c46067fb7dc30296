#include "send.h"
#include "agent.h"
#include "batch.h"
#include "series.h"
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

/* Writes an encoded frame; takes over data's storage. */
static int write_frame(struct send *s, struct buf *data)
{
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
	hello.stream = a->batch->stream;
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
	struct batch *b = s->agent->batch;
	unsigned inflight = 0;
	for (struct batch_rec *r = b->head; r; r = r->next) {
		if (r->sent) {
			inflight++;
			continue;
		}
		if (inflight >= s->window)
			break;
		struct buf out;
		buf_init(&out, (size_t)s->max_frame + FRAME_HEADER_LEN);
		int rc = batch_encode(r, s->agent->series, &out, s->max_frame);
		if (rc == 0)
			rc = write_frame(s, &out);
		else
			buf_free(&out);
		if (rc < 0) {
			disconnect(s, "cannot encode or write a batch");
			return;
		}
		r->sent = true;
		inflight++;
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
		if (env->ack->stream == s->agent->batch->stream)
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

static void on_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *b)
{
	struct send *s = stream->data;
	if (nread == 0)
		return;
	if (nread < 0) {
		disconnect(s,
			   nread == UV_EOF ? "closed by the collector" : uv_strerror((int)nread));
		return;
	}
	if (frame_reader_feed(&s->reader, b->base, (size_t)nread) < 0) {
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

static void disconnect(struct send *s, const char *why)
{
	if (s->state != SEND_CONNECTED)
		return;
	log_warn("send", "collector %s:%s: connection lost: %s", s->host, s->port, why);
	s->state = SEND_IDLE;
	for (struct batch_rec *r = s->agent->batch->head; r; r = r->next)
		r->sent = false;
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
	s->state = SEND_CONNECTED;
	s->backoff_ms = BACKOFF_MIN_MS;
	s->connects++;
	log_release(&s->complaint, "send", "collector %s:%s: connected again", s->host, s->port);
	log_info("send", "connected to collector %s:%s", s->host, s->port);
	int rc = uv_read_start((uv_stream_t *)&s->tcp, on_alloc, on_read);
	if (rc == 0)
		rc = send_hello(s);
	if (rc < 0) {
		disconnect(s, uv_strerror(rc));
		return;
	}
	write_pending(s);
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
	if (s->tcp_open && !uv_is_closing((uv_handle_t *)&s->tcp))
		uv_close((uv_handle_t *)&s->tcp, on_stop_closed);
	else
		uv_close((uv_handle_t *)&s->retry, on_stop_closed);
}
