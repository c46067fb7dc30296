/* The connection to the collector: resolve, connect, Hello, then batches in
 * order with a window of unacknowledged ones; reconnect with backoff; replay
 * every unacknowledged batch after a reconnect. */
#ifndef PANTAU_SEND_H
#define PANTAU_SEND_H

#include "buf.h"
#include "frame.h"
#include "log.h"
#include "tls.h"

#include <uv.h>
#include <stdbool.h>
#include <stdint.h>

struct agent;

enum send_state {
	SEND_IDLE,
	SEND_RESOLVING,
	SEND_CONNECTING,
	SEND_HANDSHAKING, /* TCP up, TLS handshake under way */
	SEND_CONNECTED,
	SEND_CLOSED
};

struct send_msg;

struct send {
	struct agent *agent; /* borrowed */
	enum send_state state;
	char *host, *port;
	uv_getaddrinfo_t gai;
	uv_connect_t connect_req;
	uv_tcp_t tcp;
	bool tcp_open;
	struct tls_ctx *tls;	 /* owned; NULL with plaintext: true */
	struct tls_conn *tconn;	 /* owned; the current connection's TLS session */
	const char *server_name; /* borrowed: tls.server_name or host */
	uv_timer_t retry;
	uint64_t backoff_ms;
	struct frame_reader reader;
	struct log_complaint complaint;
	struct send_msg *msgs_head, *msgs_tail; /* non-batch messages waiting */
	size_t nmsgs;
	uint32_t max_frame;
	unsigned window; /* unacknowledged batches on the wire */
	uint64_t connects;
	uint64_t bytes_sent;
	uint64_t msgs_dropped;
	bool stopping;
	void (*stopped_cb)(struct send *s);
};

/* Parses a->cfg.collector_address, loads the TLS files (unless plaintext:
 * mutual TLS 1.3, the collector's certificate checked against
 * tls.server_name or the address's host) and starts connecting. 0 or -errno
 * (a TLS file problem is logged). */
int send_start(struct send *s, struct agent *a);

/* New batches are waiting: write what the window allows. */
void send_kick(struct send *s);

/* Queues an encoded non-batch frame (device state, inventory); best effort
 * until the spool keeps them: the oldest is dropped past 4096 waiting.
 * Takes over frame's storage. */
void send_message(struct send *s, struct buf *frame);

/* Closes the connection and handles; done(s) runs once all are closed. */
void send_stop(struct send *s, void (*done)(struct send *s));

#endif
