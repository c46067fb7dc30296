/* The agents' side of the collector: a libuv TCP server. Each connection
 * reads frames (common/frame.h, capped at max_frame), decodes every one with
 * wire_decode, checks that the first message is Hello, turns batches into
 * store items (series resolved through the connection's table, timestamps
 * checked and converted) and sends Ack{seq, stream} once the writer has
 * committed the batch. A protocol error closes that connection only.
 *
 * Backpressure: when the writer holds max_queue items or more, reading
 * stops on every connection; it resumes below half of that. Nothing is
 * dropped: TCP flow control holds the agents back.
 *
 * With a TLS context (the default) every connection first completes a
 * mutual TLS 1.3 handshake (common/tls.h) within the Hello timeout; the CN
 * of the agent's certificate must equal the agent_id of its Hello. A refused
 * connection is counted by reason (metrics connections_refused) and logged
 * once per peer address and reason per hour: "refused ADDR: WHY". */
#ifndef PANTAU_COLLECTOR_RECEIVE_H
#define PANTAU_COLLECTOR_RECEIVE_H

#include "log.h"
#include "metrics.h"
#include "store.h"
#include "tls.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <uv.h>

enum {
	RECEIVE_HELLO_TIMEOUT_MS = 30000,
	RECEIVE_MAX_CONNS = 1024,
	RECEIVE_MAX_SERIES = 1 << 20, /* definitions kept per connection */
	RECEIVE_REFUSAL_MEMORY = 64,  /* peers whose refusal was logged recently */
};

/* A refusal already logged: repeats from the same peer address for the
 * same reason are muted for an hour. */
struct rx_refusal {
	char host[48];
	enum tls_reason reason;
	uint64_t logged_ms;
	uint32_t muted;
};

struct rx_conn;

struct receive {
	uv_loop_t *loop;
	struct metrics *metrics; /* borrowed */
	struct store *store;     /* borrowed */
	struct tls_ctx *tls;     /* borrowed; NULL = plaintext (loopback only) */
	uint32_t max_frame;
	size_t max_queue;
	uv_tcp_t server;
	struct rx_conn *conns; /* open connections */
	size_t nalive;         /* connections allocated, open or closing */
	bool paused, stopping, server_closed;
	struct log_complaint complaints[ME_COUNT_];
	void (*closed_cb)(struct receive *rx);
	/* Optional hooks, set by the owner after receive_start (loop thread):
	 * an item the writer committed (not duplicates or abandoned ones), and
	 * the connection of an agent that had said Hello closing. */
	void (*on_stored)(void *arg, const struct store_item *it);
	void (*on_agent_closed)(void *arg, const char *agent_id);
	void *hook_arg;
	/* retention.samples (0 = forever): samples older than the retention
	 * cutoff (retain_cutoff_ms) are counted and left out. */
	uint64_t keep_samples_ms;
	struct rx_refusal refusals[RECEIVE_REFUSAL_MEMORY];
	unsigned refusal_next;
	char readbuf[65536]; /* every read lands here, then is copied into a frame reader */
	char plainbuf[16384]; /* decrypted bytes on their way to a frame reader */
};

/* Binds and listens on addr. metrics, store and tls (NULL for plaintext)
 * are borrowed and must outlive the receiver. 0 or a negative libuv error. */
int receive_start(struct receive *rx, uv_loop_t *loop, const struct sockaddr *addr,
		  uint32_t max_frame, size_t max_queue, struct metrics *metrics,
		  struct store *store, struct tls_ctx *tls);

/* Stops accepting and reading; open connections stay open so that acks for
 * batches still in the writer can be sent. */
void receive_stop(struct receive *rx);

/* Closes every connection and the server, then calls cb. Call after the
 * store has stopped (no item may still point at a connection). */
void receive_close(struct receive *rx, void (*cb)(struct receive *rx));

/* Pauses or resumes reading by the writer's queue depth. */
void receive_check_pressure(struct receive *rx);

#endif
