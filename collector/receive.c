#include "receive.h"

#include "config.h"
#include "frame.h"
#include "pgcopy.h"
#include "retain.h"
#include "series.h"
#include "wire.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rx_conn {
	uv_tcp_t tcp;
	uv_timer_t hello_timer;
	struct receive *rx;
	struct rx_conn *prev, *next; /* in rx->conns while open */
	struct frame_reader fr;
	struct tls_conn *tls; /* NULL on a plaintext listener */
	char peer[64];
	char *agent_id, *site, *software; /* from Hello */
	uint64_t stream;
	bool hello, closing;
	struct series_table series;
	uint64_t batch_stamp; /* tags the defs a batch being built has used */
	size_t pending;       /* store items in flight that point here */
	int handles_open;
};

struct ack_write {
	uv_write_t req;
	struct buf data;
};

struct cipher_write {
	uv_write_t req;
	char *data;
};

static void conn_read_start(struct rx_conn *conn);
static void conn_drain(struct rx_conn *conn);

/* ---- connection lifetime ---- */

static void conn_maybe_free(struct rx_conn *conn)
{
	if (conn->handles_open > 0 || conn->pending > 0)
		return;
	struct receive *rx = conn->rx;
	frame_reader_free(&conn->fr);
	series_table_free(&conn->series);
	tls_conn_free(conn->tls);
	free(conn->agent_id);
	free(conn->site);
	free(conn->software);
	free(conn);
	rx->nalive--;
	if (rx->closed_cb && rx->nalive == 0 && rx->server_closed)
		rx->closed_cb(rx);
}

static void on_conn_handle_closed(uv_handle_t *h)
{
	struct rx_conn *conn = h->data;
	conn->handles_open--;
	conn_maybe_free(conn);
}

static void conn_close(struct rx_conn *conn)
{
	if (conn->closing)
		return;
	struct receive *rx = conn->rx;
	conn->closing = true;
	if (conn->prev)
		conn->prev->next = conn->next;
	else
		rx->conns = conn->next;
	if (conn->next)
		conn->next->prev = conn->prev;
	rx->metrics->connections_active--;
	if (conn->hello && rx->on_agent_closed)
		rx->on_agent_closed(rx->hook_arg, conn->agent_id);
	uv_close((uv_handle_t *)&conn->tcp, on_conn_handle_closed);
	uv_close((uv_handle_t *)&conn->hello_timer, on_conn_handle_closed);
}

/* Counts the error, logs it (with backoff per reason, so a peer that keeps
 * misbehaving cannot flood the log) and closes this connection only. */
static void conn_fail(struct rx_conn *conn, enum metrics_error reason, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void conn_fail(struct rx_conn *conn, enum metrics_error reason, const char *fmt, ...)
{
	struct receive *rx = conn->rx;
	char text[600];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	rx->metrics->errors[reason]++;
	log_complain(&rx->complaints[reason], LL_WARN, "receive",
		     "closing connection from %s (agent %s): %s: %s", conn->peer,
		     conn->agent_id ? conn->agent_id : "unknown", metrics_error_name(reason), text);
	conn_close(conn);
}

/* The host part of "1.2.3.4:5" or "[::1]:5": refusals are remembered per
 * address, not per connection (an agent reconnects from a new port). */
static void peer_host(const char *peer, char *out, size_t size)
{
	const char *colon = strrchr(peer, ':');
	size_t n = colon ? (size_t)(colon - peer) : strlen(peer);
	snprintf(out, size, "%.*s", (int)n, peer);
}

/* True if this refusal should be logged now: the first from a peer address
 * for a reason, then once an hour with the count of muted repeats. */
static bool refusal_log_due(struct receive *rx, const char *peer, enum tls_reason r,
			    uint32_t *muted)
{
	char host[48];
	peer_host(peer, host, sizeof(host));
	uint64_t now = log_mono_ms();
	for (unsigned i = 0; i < RECEIVE_REFUSAL_MEMORY; i++) {
		struct rx_refusal *f = &rx->refusals[i];
		if (f->logged_ms == 0 || f->reason != r || strcmp(f->host, host) != 0)
			continue;
		if (now - f->logged_ms < 3600 * 1000) {
			f->muted++;
			return false;
		}
		*muted = f->muted;
		f->muted = 0;
		f->logged_ms = now;
		return true;
	}
	struct rx_refusal *f = &rx->refusals[rx->refusal_next++ % RECEIVE_REFUSAL_MEMORY];
	snprintf(f->host, sizeof(f->host), "%s", host);
	f->reason = r;
	f->logged_ms = now ? now : 1;
	f->muted = 0;
	*muted = 0;
	return true;
}

/* Refuses a connection for a TLS or identity reason: counted by reason,
 * logged once per peer address and reason (then hourly), closed. */
static void conn_refuse(struct rx_conn *conn, enum tls_reason reason, const char *why)
{
	struct receive *rx = conn->rx;
	uint32_t muted = 0;
	rx->metrics->connections_refused[reason]++;
	if (refusal_log_due(rx, conn->peer, reason, &muted))
		log_warn("receive", "refused %s: %s [%s]%s", conn->peer, why,
			 tls_reason_name(reason),
			 muted ? " (and earlier refusals of this address muted)" : "");
	else
		log_debug("receive", "refused %s again: %s", conn->peer, why);
	conn_close(conn);
}

/* ---- writing ---- */

static void on_cipher_written(uv_write_t *req, int status)
{
	struct cipher_write *w = (struct cipher_write *)req;
	free(w->data);
	free(w);
}

/* tls_send_fn: puts TLS records on the socket; takes over data. */
static int conn_send_cipher(void *arg, char *data, size_t len)
{
	struct rx_conn *conn = arg;
	struct cipher_write *w = malloc(sizeof(*w));
	if (!w) {
		free(data);
		return -ENOMEM;
	}
	w->data = data;
	uv_buf_t b = uv_buf_init(data, (unsigned)len);
	int rc = conn->closing ? UV_ECANCELED
			       : uv_write(&w->req, (uv_stream_t *)&conn->tcp, &b, 1,
					  on_cipher_written);
	if (rc < 0) {
		free(data);
		free(w);
	}
	return rc;
}

/* ---- acks ---- */

static void on_ack_written(uv_write_t *req, int status)
{
	struct ack_write *w = (struct ack_write *)req;
	buf_free(&w->data);
	free(w);
}

static void send_ack(struct rx_conn *conn, uint64_t seq)
{
	Pantau__Ack ack = PANTAU__ACK__INIT;
	Pantau__Envelope env = PANTAU__ENVELOPE__INIT;
	ack.seq = seq;
	ack.stream = conn->stream;
	env.body_case = PANTAU__ENVELOPE__BODY_ACK;
	env.ack = &ack;
	struct ack_write *w = calloc(1, sizeof(*w));
	if (!w)
		return; /* the agent sends the batch again and gets it acked then */
	buf_init(&w->data, 256);
	if (wire_encode(&env, &w->data, 256) < 0) {
		on_ack_written(&w->req, 0);
		return;
	}
	if (conn->tls) {
		int rc = tls_conn_write(conn->tls, w->data.data, w->data.len);
		on_ack_written(&w->req, 0);
		if (rc < 0)
			conn_fail(conn, ME_READ, "TLS write: %s", tls_conn_error(conn->tls));
		return;
	}
	uv_buf_t b = uv_buf_init((char *)w->data.data, (unsigned)w->data.len);
	if (uv_write(&w->req, (uv_stream_t *)&conn->tcp, &b, 1, on_ack_written) < 0) {
		on_ack_written(&w->req, 0);
		conn_close(conn);
	}
}

static void on_item_done(struct store_item *it)
{
	struct rx_conn *conn = it->owner;
	struct receive *rx = conn->rx;
	struct metrics *m = rx->metrics;
	m->store_commit_seconds += it->commit_seconds;
	if (it->kind == STORE_BATCH && it->result == STORE_STORED) {
		m->batches_stored++;
		m->samples_stored += it->n;
	} else if (it->kind == STORE_BATCH && it->result == STORE_DUPLICATE) {
		m->batches_duplicate++;
	}
	if (it->kind == STORE_BATCH && it->result != STORE_ABANDONED && !conn->closing)
		send_ack(conn, it->seq);
	if (it->result == STORE_STORED && rx->on_stored)
		rx->on_stored(rx->hook_arg, it); /* committed and fresh: evaluate */
	conn->pending--;
	store_item_free(it);
	conn_maybe_free(conn);
	receive_check_pressure(rx);
}

static void submit(struct rx_conn *conn, struct store_item *it)
{
	it->owner = conn;
	it->done = on_item_done;
	conn->pending++;
	store_submit(conn->rx->store, it);
	receive_check_pressure(conn->rx);
}

/* ---- messages ---- */

static int take_defs(struct rx_conn *conn, const Pantau__Batch *b)
{
	for (size_t i = 0; i < b->n_series; i++) {
		const Pantau__SeriesDef *d = b->series[i];
		struct series_def *def;
		int rc = series_def_new(conn->agent_id, d, &def);
		if (rc == -EINVAL) {
			conn_fail(conn, ME_BAD_SERIES, "series %u repeats a label key", d->id);
			return rc;
		}
		if (rc < 0) {
			conn_fail(conn, ME_READ, "out of memory");
			return rc;
		}
		struct series_def *old = series_table_get(&conn->series, d->id);
		if (old) {
			bool same = series_def_same(old, def);
			series_def_release(def);
			if (same)
				continue;
			conn_fail(conn, ME_SERIES_CONFLICT,
				  "series %u redefined as %s/%s, was %s/%s", d->id, d->device,
				  d->metric, old->device, old->metric);
			return -EINVAL;
		}
		if (conn->series.n >= RECEIVE_MAX_SERIES) {
			series_def_release(def);
			conn_fail(conn, ME_TOO_MANY_SERIES, "more than %d series", RECEIVE_MAX_SERIES);
			return -ENOSPC;
		}
		if (series_table_put(&conn->series, d->id, def) < 0) {
			series_def_release(def);
			conn_fail(conn, ME_READ, "out of memory");
			return -ENOMEM;
		}
	}
	return 0;
}

/* Copies the samples into it: defs looked up, timestamps checked. Samples
 * out of range are counted and left out; an undefined id fails the batch. */
static int fill_samples(struct rx_conn *conn, const Pantau__Batch *b, struct store_item *it)
{
	uint64_t stamp = ++conn->batch_stamp;
	int64_t now = log_wall_ms();
	int64_t cutoff = retain_cutoff_ms(now, conn->rx->keep_samples_ms);
	size_t k = 0;
	for (size_t i = 0; i < b->n_series_ids; i++) {
		struct series_def *def = series_table_get(&conn->series, b->series_ids[i]);
		if (!def) {
			conn_fail(conn, ME_UNDEFINED_SERIES, "batch %llu: sample uses series %u, "
				  "which this connection has not defined",
				  (unsigned long long)b->seq, b->series_ids[i]);
			return -EINVAL;
		}
		int64_t ms;
		if (__builtin_add_overflow(b->base_ms, b->dt_ms[i], &ms) ||
		    !pgcopy_ts_valid(ms, now)) {
			conn->rx->metrics->samples_rejected[MR_TIMESTAMP]++;
			continue;
		}
		if (ms < cutoff) {
			conn->rx->metrics->samples_rejected[MR_RETENTION]++;
			continue;
		}
		if (def->batch_stamp != stamp) {
			def->batch_stamp = stamp;
			def->batch_idx = (uint32_t)it->nrefs;
			series_def_retain(def);
			it->refs[it->nrefs++] = def;
		}
		it->ref[k] = def->batch_idx;
		it->ts_us[k] = pgcopy_ts_from_unix_ms(ms);
		it->values[k] = b->values[i];
		k++;
	}
	it->n = k;
	return 0;
}

static void take_batch(struct rx_conn *conn, const Pantau__Batch *b)
{
	struct metrics *m = conn->rx->metrics;
	m->batches_received++;
	m->samples_received += b->n_series_ids;
	if (take_defs(conn, b) < 0)
		return;
	struct store_item *it =
		store_item_new(STORE_BATCH, conn->agent_id, conn->site, conn->software);
	size_t nrefs = b->n_series_ids < conn->series.n ? b->n_series_ids : conn->series.n;
	if (!it || store_item_reserve(it, b->n_series_ids, nrefs) < 0) {
		store_item_free(it);
		conn_fail(conn, ME_READ, "out of memory");
		return;
	}
	it->stream = conn->stream;
	it->seq = b->seq;
	if (fill_samples(conn, b, it) < 0) {
		store_item_free(it);
		return;
	}
	submit(conn, it);
}

static int take_hello(struct rx_conn *conn, const Pantau__Hello *h)
{
	if (conn->hello) {
		conn_fail(conn, ME_UNEXPECTED, "a second Hello");
		return -EINVAL;
	}
	if (conn->tls && strcmp(tls_conn_peer_id(conn->tls), h->agent_id) != 0) {
		char why[400];
		char id[80];
		snprintf(id, sizeof(id), "%s", h->agent_id);
		for (char *p = id; *p; p++)
			*p = (*p >= 0x20 && *p < 0x7f) ? *p : '?';
		snprintf(why, sizeof(why),
			 "certificate is for agent '%s' (CN) but its Hello says agent '%s'",
			 tls_conn_peer_id(conn->tls), id);
		conn_refuse(conn, TLS_R_IDENTITY_MISMATCH, why);
		return -EPERM;
	}
	conn->agent_id = strdup(h->agent_id);
	conn->site = strdup(h->site);
	conn->software = strdup(h->software);
	if (!conn->agent_id || !conn->site || !conn->software) {
		conn_fail(conn, ME_READ, "out of memory");
		return -ENOMEM;
	}
	conn->stream = h->stream;
	conn->hello = true;
	uv_timer_stop(&conn->hello_timer);
	log_info("receive", "agent %s (site %s, %s) connected from %s, stream %llu",
		 conn->agent_id, conn->site, conn->software, conn->peer,
		 (unsigned long long)conn->stream);
	return 0;
}

/* Hands the decoded env to its handler; takes env over. */
static void take_message(struct rx_conn *conn, Pantau__Envelope *env)
{
	enum store_kind kind = STORE_INVENTORY;
	switch (env->body_case) {
	case PANTAU__ENVELOPE__BODY_HELLO:
		take_hello(conn, env->hello);
		break;
	case PANTAU__ENVELOPE__BODY_BATCH:
		take_batch(conn, env->batch);
		break;
	case PANTAU__ENVELOPE__BODY_LOSS:
	case PANTAU__ENVELOPE__BODY_DEVICE_STATE:
		kind = env->body_case == PANTAU__ENVELOPE__BODY_LOSS ? STORE_LOSS
								     : STORE_DEVICE_STATE;
		if (kind == STORE_LOSS)
			log_warn("receive",
				 "agent %s reports %llu samples lost on stream %llu (%s) in total",
				 conn->agent_id, (unsigned long long)env->loss->samples,
				 (unsigned long long)env->loss->stream, env->loss->reason);
		/* fall through */
	case PANTAU__ENVELOPE__BODY_INVENTORY: {
		struct store_item *it =
			store_item_new(kind, conn->agent_id, conn->site, conn->software);
		if (!it) {
			conn_fail(conn, ME_READ, "out of memory");
			break;
		}
		it->env = env;
		submit(conn, it);
		return;
	}
	default:
		conn_fail(conn, ME_UNEXPECTED, "an agent does not send message type %d",
			  (int)env->body_case);
	}
	wire_free(env);
}

static void take_frame(struct rx_conn *conn, const uint8_t *msg, size_t len)
{
	Pantau__Envelope *env;
	struct perr err;
	conn->rx->metrics->frames_received++;
	if (wire_decode(msg, len, &env, &err) < 0) {
		conn_fail(conn, ME_DECODE, "%s", err.msg);
		return;
	}
	if (!conn->hello && env->body_case != PANTAU__ENVELOPE__BODY_HELLO) {
		conn_fail(conn, ME_NO_HELLO, "first message is type %d, not Hello",
			  (int)env->body_case);
		wire_free(env);
		return;
	}
	take_message(conn, env);
}

/* ---- libuv callbacks ---- */

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *out)
{
	struct rx_conn *conn = h->data;
	*out = uv_buf_init(conn->rx->readbuf, sizeof(conn->rx->readbuf));
}

/* Takes the complete frames buffered on conn, stopping early when the
 * writer's queue fills up (the rest waits in the frame reader until
 * receive_check_pressure resumes this connection). */
static void conn_drain(struct rx_conn *conn)
{
	const uint8_t *msg;
	size_t len;
	int rc = 0;
	while (!conn->closing && !conn->rx->paused &&
	       (rc = frame_reader_next(&conn->fr, &msg, &len)) == 1)
		take_frame(conn, msg, len);
	if (conn->closing || rc >= 0)
		return;
	if (rc == -EMSGSIZE)
		conn_fail(conn, ME_FRAME_TOO_LARGE, "frame longer than max_frame (%u bytes)",
			  conn->rx->max_frame);
	else if (rc == -EBADMSG)
		conn_fail(conn, ME_BAD_FRAME, "frame of length 0");
	else
		conn_fail(conn, ME_READ, "%s", strerror(-rc));
}

/* Frames the bytes of the wire protocol (decrypted, or read in plaintext). */
static void conn_take_plain(struct rx_conn *conn, const char *data, size_t n)
{
	if (frame_reader_feed(&conn->fr, data, n) < 0) {
		/* More bytes than one frame at the cap plus a read's worth. */
		conn_fail(conn, ME_FRAME_TOO_LARGE, "frame longer than max_frame (%u bytes)",
			  conn->rx->max_frame);
		return;
	}
	conn_drain(conn);
}

/* Before the handshake completed a failure is a refusal (certificate,
 * protocol); after it, a broken session. */
static void conn_tls_failed(struct rx_conn *conn)
{
	if (!tls_conn_ready(conn->tls))
		conn_refuse(conn, tls_conn_reason(conn->tls), tls_conn_error(conn->tls));
	else
		conn_fail(conn, ME_READ, "%s", tls_conn_error(conn->tls));
}

/* Decrypts what the connection holds, one TLS record at a time, while the
 * writer takes more: when it pauses, the rest waits in the TLS buffer (at
 * most one read's worth, since reading the socket stops too). */
static void conn_tls_pull(struct rx_conn *conn)
{
	struct receive *rx = conn->rx;
	while (!conn->closing && !rx->paused) {
		ssize_t n = tls_conn_read(conn->tls, rx->plainbuf, sizeof(rx->plainbuf));
		if (n == 0)
			return;
		if (n == -EPIPE) {
			conn_close(conn); /* close_notify: the agent said goodbye */
			return;
		}
		if (n < 0) {
			conn_tls_failed(conn);
			return;
		}
		conn_take_plain(conn, rx->plainbuf, (size_t)n);
	}
}

static void conn_tls_input(struct rx_conn *conn, const char *data, size_t n)
{
	int rc = tls_conn_feed(conn->tls, data, n);
	if (rc < 0) {
		conn_tls_failed(conn);
		return;
	}
	if (rc == 1) {
		conn->rx->metrics->tls_handshakes++;
		log_debug("receive", "TLS 1.3 with %s: certificate CN=%s verified", conn->peer,
			  tls_conn_peer_id(conn->tls));
	}
	conn_tls_pull(conn);
}

/* Takes what a connection holds after a pause: frames, then TLS records. */
static void conn_pump(struct rx_conn *conn)
{
	conn_drain(conn);
	if (conn->tls && !conn->closing)
		conn_tls_pull(conn);
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *b)
{
	struct rx_conn *conn = s->data;
	if (nread == 0 || conn->closing)
		return;
	if (nread < 0) {
		if (nread != UV_EOF && nread != UV_ECONNRESET)
			conn_fail(conn, ME_READ, "%s", uv_strerror((int)nread));
		else
			conn_close(conn);
		return;
	}
	conn->rx->metrics->bytes_received += (uint64_t)nread;
	if (conn->tls)
		conn_tls_input(conn, b->base, (size_t)nread);
	else
		conn_take_plain(conn, b->base, (size_t)nread);
}

static void conn_read_start(struct rx_conn *conn)
{
	int rc = uv_read_start((uv_stream_t *)&conn->tcp, on_alloc, on_read);
	if (rc < 0)
		conn_fail(conn, ME_READ, "%s", uv_strerror(rc));
}

static void on_hello_timeout(uv_timer_t *t)
{
	struct rx_conn *conn = t->data;
	if (conn->tls && !tls_conn_ready(conn->tls)) {
		char why[80];
		snprintf(why, sizeof(why), "no TLS handshake within %d s",
			 RECEIVE_HELLO_TIMEOUT_MS / 1000);
		conn_refuse(conn, TLS_R_HANDSHAKE, why);
		return;
	}
	conn_fail(conn, ME_HELLO_TIMEOUT, "no Hello within %d s", RECEIVE_HELLO_TIMEOUT_MS / 1000);
}

static void describe_peer(struct rx_conn *conn)
{
	struct sockaddr_storage sa;
	int len = sizeof(sa);
	snprintf(conn->peer, sizeof(conn->peer), "?");
	if (uv_tcp_getpeername(&conn->tcp, (struct sockaddr *)&sa, &len) == 0)
		config_format_addr(&sa, conn->peer, sizeof(conn->peer));
}

static void on_reject_closed(uv_handle_t *h)
{
	free(h);
}

/* Accepts and closes at once: the connection limit is reached. */
static void reject(struct receive *rx)
{
	uv_tcp_t *t = malloc(sizeof(*t));
	if (!t || uv_tcp_init(rx->loop, t) < 0) {
		free(t);
		return;
	}
	uv_accept((uv_stream_t *)&rx->server, (uv_stream_t *)t);
	uv_close((uv_handle_t *)t, on_reject_closed);
}

/* Sets up a freshly allocated conn's handles and accepts the pending
 * connection. -errno if the TCP handle could not be created (then no
 * handle is open and the caller frees conn). */
static int conn_init(struct receive *rx, struct rx_conn *conn)
{
	conn->rx = rx;
	frame_reader_init(&conn->fr, rx->max_frame);
	series_table_init(&conn->series);
	int rc = uv_tcp_init(rx->loop, &conn->tcp);
	if (rc < 0)
		return rc;
	(void)uv_timer_init(rx->loop, &conn->hello_timer); /* cannot fail */
	conn->tcp.data = conn;
	conn->hello_timer.data = conn;
	conn->handles_open = 2;
	return 0;
}

static void on_connection(uv_stream_t *server, int status)
{
	struct receive *rx = server->data;
	if (status < 0 || rx->stopping)
		return;
	struct rx_conn *conn = rx->nalive < RECEIVE_MAX_CONNS ? calloc(1, sizeof(*conn)) : NULL;
	if (!conn || conn_init(rx, conn) < 0) {
		if (conn)
			frame_reader_free(&conn->fr);
		if (!conn || conn->handles_open == 0)
			free(conn);
		reject(rx);
		return;
	}
	rx->nalive++;
	rx->metrics->connections++;
	rx->metrics->connections_active++;
	conn->next = rx->conns;
	if (rx->conns)
		rx->conns->prev = conn;
	rx->conns = conn;
	int rc = uv_accept((uv_stream_t *)&rx->server, (uv_stream_t *)&conn->tcp);
	if (rc < 0) {
		conn_fail(conn, ME_READ, "accept: %s", uv_strerror(rc));
		return;
	}
	describe_peer(conn);
	if (rx->tls && (rc = tls_conn_new(rx->tls, NULL, conn_send_cipher, conn, &conn->tls)) < 0) {
		conn_fail(conn, ME_READ, "cannot start TLS: %s", strerror(-rc));
		return;
	}
	uv_tcp_nodelay(&conn->tcp, 1);
	uv_timer_start(&conn->hello_timer, on_hello_timeout, RECEIVE_HELLO_TIMEOUT_MS, 0);
	if (!rx->paused)
		conn_read_start(conn);
}

/* ---- the server ---- */

int receive_start(struct receive *rx, uv_loop_t *loop, const struct sockaddr *addr,
		  uint32_t max_frame, size_t max_queue, struct metrics *metrics,
		  struct store *store, struct tls_ctx *tls)
{
	memset(rx, 0, sizeof(*rx));
	rx->tls = tls;
	rx->loop = loop;
	rx->metrics = metrics;
	rx->store = store;
	rx->max_frame = max_frame;
	rx->max_queue = max_queue;
	int rc = uv_tcp_init(loop, &rx->server);
	if (rc < 0)
		return rc;
	rx->server.data = rx;
	rc = uv_tcp_bind(&rx->server, addr, 0);
	if (rc == 0)
		rc = uv_listen((uv_stream_t *)&rx->server, 128, on_connection);
	if (rc < 0)
		uv_close((uv_handle_t *)&rx->server, NULL);
	return rc;
}

static void on_server_closed(uv_handle_t *h)
{
	struct receive *rx = h->data;
	rx->server_closed = true;
	if (rx->closed_cb && rx->nalive == 0)
		rx->closed_cb(rx);
}

void receive_stop(struct receive *rx)
{
	if (rx->stopping)
		return;
	rx->stopping = true;
	uv_close((uv_handle_t *)&rx->server, on_server_closed);
	for (struct rx_conn *c = rx->conns; c; c = c->next)
		uv_read_stop((uv_stream_t *)&c->tcp);
}

void receive_close(struct receive *rx, void (*cb)(struct receive *rx))
{
	receive_stop(rx);
	rx->closed_cb = cb;
	while (rx->conns)
		conn_close(rx->conns);
	if (rx->nalive == 0 && rx->server_closed)
		cb(rx);
}

void receive_check_pressure(struct receive *rx)
{
	size_t depth = store_depth(rx->store);
	rx->metrics->store_queue_depth = depth;
	if (!rx->paused && depth >= rx->max_queue) {
		rx->paused = true;
		log_debug("receive", "writer queue at %zu: pausing reads", depth);
		for (struct rx_conn *c = rx->conns; c; c = c->next)
			uv_read_stop((uv_stream_t *)&c->tcp);
	} else if (rx->paused && depth < rx->max_queue / 2 && !rx->stopping) {
		rx->paused = false;
		log_debug("receive", "writer queue at %zu: resuming reads", depth);
		for (struct rx_conn *c = rx->conns, *next; c && !rx->paused; c = next) {
			next = c->next;
			conn_pump(c);
			if (!c->closing && !rx->paused)
				conn_read_start(c);
		}
	}
}
