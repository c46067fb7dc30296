/* A deterministic test agent for the collector's integration tests and the
 * ingest benchmark. It speaks the wire protocol over plain TCP with blocking
 * sockets (it is a test tool, not a daemon) and checks the acks.
 *
 *   fake_agent --connect 127.0.0.1:7400 [--agent ID] [--stream N]
 *              [--batches B] [--samples K] [--series M] [--base-ms T]
 *              [--window W] [--resend 1] [--mode MODE] [--max-frame BYTES]
 *              [--timeout SECONDS] [--pause-ms MS] [--extras 1]
 *              [--tls-ca CA --tls-cert CERT --tls-key KEY [--server-name NAME]]
 *
 * Sample g (counting from 0 over the whole run, g = (seq - 1) * K + j) is
 * series (g % M) + 1, at base_ms + (g / M) * 1000, with value g + 0.25.
 * Series s is device "dev-NNN" ((s-1) / 10), metric "m.N" ((s-1) % 10), unit "u", label
 * idx=s. Modes: normal; oversize (a frame over the cap after Hello);
 * garbage (undecodable bytes after Hello); nohello (a Batch first);
 * undefined (a sample using an undefined series). In the error modes it
 * exits 0 when the collector closes the connection.
 *
 * With --tls-ca/--tls-cert/--tls-key it speaks mutual TLS 1.3 through
 * common/tls.h (the agent's own TLS layer, on this blocking socket); the
 * collector's certificate must name --server-name (default: the address
 * dialled). At the end it prints what it sent: frame bytes (plaintext
 * frames), batch frame bytes, and bytes on the wire each way (TLS records
 * included), so a benchmark can divide by the samples sent. */
#include "frame.h"
#include "tls.h"
#include "wire_build.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct opts {
	const char *host;
	int port;
	const char *agent;
	uint64_t stream;
	uint64_t batches, samples, series, window;
	int64_t base_ms;
	bool resend;
	const char *mode;
	uint32_t max_frame;
	int timeout_s;
	int pause_ms; /* between batches, to keep a connection open a while */
	bool extras;  /* a DeviceState and an Inventory for dev-000 before the batches */
	struct tls_files tls; /* all NULL: plaintext */
	const char *server_name;
};

enum { MAX_ENCODE = 60u << 20 };

/* Bytes this run sent and received. */
struct traffic {
	uint64_t frame_bytes;	    /* plaintext frames handed to the transport */
	uint64_t batch_frame_bytes; /* of which Batch frames */
	uint64_t samples;	    /* samples in those batches */
	uint64_t wire_out, wire_in; /* TCP payload each way (TLS records if TLS) */
};

struct agent {
	const struct opts *o;
	int fd;
	bool *defined; /* per series, on this connection */
	struct frame_reader fr;
	uint64_t acked;
	struct buf out; /* frames being built */
	struct tls_ctx *tctx; /* NULL: plaintext */
	struct tls_conn *tconn;
	struct traffic t;
};

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void die(const char *what)
{
	fprintf(stderr, "fake_agent: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int dial(const struct opts *o)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)o->port)};
	if (inet_pton(AF_INET, o->host, &sa.sin_addr) != 1) {
		fprintf(stderr, "fake_agent: bad address %s\n", o->host);
		exit(2);
	}
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		die("connect");
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

/* Sends all of b; false if the peer closed the connection. */
static bool send_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	while (len > 0) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

/* tls_send_fn: TLS records to the socket; takes over data. */
static int send_cipher(void *arg, char *data, size_t len)
{
	struct agent *a = arg;
	bool ok = send_all(a->fd, data, len);
	free(data);
	if (!ok)
		return -EPIPE;
	a->t.wire_out += len;
	return 0;
}

/* Sends plaintext bytes, through TLS when it is on; false if the peer is gone. */
static bool xmit(struct agent *a, const void *data, size_t len)
{
	a->t.frame_bytes += len;
	if (a->tconn)
		return tls_conn_write(a->tconn, data, len) == 0;
	if (!send_all(a->fd, data, len))
		return false;
	a->t.wire_out += len;
	return true;
}

static void check_encoded(int rc)
{
	if (rc < 0) {
		fprintf(stderr, "fake_agent: encode failed: %s\n", strerror(-rc));
		exit(1);
	}
}

/* Sends the frames built in a->out. */
static bool flush_out(struct agent *a)
{
	bool ok = xmit(a, a->out.data, a->out.len);
	buf_reset(&a->out);
	return ok;
}

/* Up to cap bytes of plaintext from the collector: their count, 0 when the
 * connection ended (or TLS failed), -1 when nothing came within timeout_ms. */
static ssize_t read_some(struct agent *a, char *buf, size_t cap, int timeout_ms)
{
	for (;;) {
		if (a->tconn) {
			ssize_t n = tls_conn_read(a->tconn, buf, cap);
			if (n > 0)
				return n;
			if (n == -EPROTO)
				fprintf(stderr, "fake_agent: TLS: %s\n", tls_conn_error(a->tconn));
			if (n < 0)
				return 0;
		}
		struct pollfd p = {.fd = a->fd, .events = POLLIN};
		if (poll(&p, 1, timeout_ms) <= 0)
			return -1;
		ssize_t n = recv(a->fd, buf, cap, 0);
		if (n <= 0)
			return 0;
		a->t.wire_in += (uint64_t)n;
		if (!a->tconn)
			return n;
		if (tls_conn_feed(a->tconn, buf, (size_t)n) < 0) {
			fprintf(stderr, "fake_agent: TLS: %s\n", tls_conn_error(a->tconn));
			return 0;
		}
	}
}

/* Completes the TLS handshake on a fresh connection (exits on failure). */
static void tls_handshake(struct agent *a)
{
	const char *name = a->o->server_name ? a->o->server_name : a->o->host;
	if (tls_conn_new(a->tctx, name, send_cipher, a, &a->tconn) < 0) {
		fprintf(stderr, "fake_agent: cannot start TLS\n");
		exit(1);
	}
	char buf[16384];
	while (!tls_conn_ready(a->tconn)) {
		struct pollfd p = {.fd = a->fd, .events = POLLIN};
		ssize_t n = -1;
		if (poll(&p, 1, a->o->timeout_s * 1000) > 0)
			n = recv(a->fd, buf, sizeof(buf), 0);
		if (n <= 0) {
			fprintf(stderr, "fake_agent: TLS handshake: connection %s\n",
				n == 0 ? "closed" : "timed out or failed");
			exit(1);
		}
		a->t.wire_in += (uint64_t)n;
		if (tls_conn_feed(a->tconn, buf, (size_t)n) < 0) {
			fprintf(stderr, "fake_agent: TLS handshake: %s\n",
				tls_conn_error(a->tconn));
			exit(1);
		}
	}
}

static bool send_hello(struct agent *a)
{
	check_encoded(wb_hello(&a->out, MAX_ENCODE,
			       &(struct wb_hello){.agent_id = a->o->agent,
						  .site = "test-site",
						  .software = "fake_agent",
						  .stream = a->o->stream,
						  .clock_ms = now_ms()}));
	return flush_out(a);
}

/* Storage for one batch's series definitions. */
struct defs {
	Pantau__SeriesDef *defs;
	Pantau__SeriesDef **ptrs;
	Pantau__Label *labels;
	Pantau__Label **label_ptrs;
	char (*names)[3][32]; /* device, metric, label value */
	size_t n;
};

static void add_def(struct defs *d, uint32_t s)
{
	size_t i = d->n++;
	Pantau__SeriesDef *def = &d->defs[i];
	pantau__label__init(&d->labels[i]);
	snprintf(d->names[i][0], 32, "dev-%03u", (s - 1) / 10);
	snprintf(d->names[i][1], 32, "m.%u", (s - 1) % 10);
	snprintf(d->names[i][2], 32, "%u", s);
	d->labels[i].key = "idx";
	d->labels[i].value = d->names[i][2];
	d->label_ptrs[i] = &d->labels[i];
	wb_series_def(def, s, d->names[i][0], d->names[i][1], "u", "ups", &d->label_ptrs[i], 1);
	d->ptrs[i] = def;
}

static bool send_batch(struct agent *a, uint64_t seq, bool undefined)
{
	const struct opts *o = a->o;
	size_t k = o->samples;
	struct wb_batch b = {.seq = seq, .base_ms = o->base_ms, .n = k};
	struct defs d = {0};
	d.defs = calloc(k, sizeof(*d.defs));
	d.ptrs = calloc(k, sizeof(*d.ptrs));
	d.labels = calloc(k, sizeof(*d.labels));
	d.label_ptrs = calloc(k, sizeof(*d.label_ptrs));
	d.names = calloc(k, sizeof(*d.names));
	b.ids = calloc(k, sizeof(*b.ids));
	b.dt_ms = calloc(k, sizeof(*b.dt_ms));
	b.values = calloc(k, sizeof(*b.values));
	if (!d.defs || !d.ptrs || !d.labels || !d.label_ptrs || !d.names || !b.ids || !b.dt_ms ||
	    !b.values)
		die("calloc");
	for (size_t j = 0; j < k; j++) {
		uint64_t g = (seq - 1) * k + j;
		uint32_t s = (uint32_t)(g % o->series) + 1;
		if (!a->defined[s]) {
			a->defined[s] = true;
			add_def(&d, s);
		}
		b.ids[j] = undefined ? (uint32_t)o->series + 1000 : s;
		b.dt_ms[j] = (int64_t)(g / o->series) * 1000;
		b.values[j] = (double)g + 0.25;
	}
	b.defs = d.ptrs;
	b.ndefs = d.n;
	check_encoded(wb_batch(&a->out, MAX_ENCODE, &b));
	a->t.batch_frame_bytes += a->out.len;
	a->t.samples += k;
	bool ok = flush_out(a);
	free(d.defs);
	free(d.ptrs);
	free(d.labels);
	free(d.label_ptrs);
	free(d.names);
	free(b.ids);
	free(b.dt_ms);
	free(b.values);
	return ok;
}

/* dev-000 went down ("timeout") at base_ms, and its inventory: a system
 * group and one interface. */
static bool send_extras(struct agent *a)
{
	check_encoded(
		wb_device_down(&a->out, MAX_ENCODE, "dev-000", "ups", a->o->base_ms, "timeout"));
	check_encoded(wb_inventory(&a->out, MAX_ENCODE, "dev-000", a->o->base_ms, "Fake UPS 3000"));
	return flush_out(a);
}

/* Reads until one ack arrives (1), the peer closes (0) or the time is up (-1). */
static int read_ack(struct agent *a, int timeout_ms)
{
	for (;;) {
		const uint8_t *msg;
		size_t len;
		int rc = frame_reader_next(&a->fr, &msg, &len);
		if (rc == 1) {
			Pantau__Envelope *env;
			struct perr err;
			if (wire_decode(msg, len, &env, &err) < 0) {
				fprintf(stderr, "fake_agent: bad reply: %s\n", err.msg);
				exit(1);
			}
			bool ack = env->body_case == PANTAU__ENVELOPE__BODY_ACK &&
				   env->ack->stream == a->o->stream;
			wire_free(env);
			if (ack)
				return 1;
			continue;
		}
		if (rc < 0) {
			fprintf(stderr, "fake_agent: bad frame from the collector\n");
			exit(1);
		}
		char buf[65536];
		ssize_t n = read_some(a, buf, sizeof(buf), timeout_ms);
		if (n <= 0)
			return n == 0 ? 0 : -1;
		if (frame_reader_feed(&a->fr, buf, (size_t)n) < 0)
			return -1;
	}
}

/* Sends batches seq 1..B with at most `window` unacked; true if all acked. */
static bool run_batches(struct agent *a)
{
	const struct opts *o = a->o;
	uint64_t sent = 0, acked = 0;
	while (acked < o->batches) {
		while (sent < o->batches && sent - acked < o->window) {
			if (!send_batch(a, sent + 1, false))
				return false;
			sent++;
			if (o->pause_ms > 0)
				usleep((useconds_t)o->pause_ms * 1000);
		}
		int rc = read_ack(a, o->timeout_s * 1000);
		if (rc <= 0) {
			fprintf(stderr, "fake_agent: %s after %llu of %llu acks\n",
				rc == 0 ? "connection closed" : "timed out",
				(unsigned long long)acked, (unsigned long long)o->batches);
			return false;
		}
		acked++;
	}
	a->acked += acked;
	return true;
}

/* Ends the current connection (TLS close_notify first). */
static void hang_up(struct agent *a)
{
	if (a->tconn) {
		tls_conn_shutdown(a->tconn);
		tls_conn_free(a->tconn);
		a->tconn = NULL;
	}
	close(a->fd);
	a->fd = -1;
}

static void connect_agent(struct agent *a)
{
	a->fd = dial(a->o);
	if (a->tctx)
		tls_handshake(a);
	memset(a->defined, 0, (a->o->series + 1) * sizeof(bool));
	frame_reader_free(&a->fr);
	frame_reader_init(&a->fr, 1 << 20);
}

/* True if the collector closes the connection within the timeout. */
static bool wait_closed(struct agent *a)
{
	char buf[4096];
	for (int i = 0; i < a->o->timeout_s * 10; i++) {
		if (read_some(a, buf, sizeof(buf), 100) == 0)
			return true;
	}
	return false;
}

static int run_error_mode(struct agent *a)
{
	const char *mode = a->o->mode;
	bool hello = strcmp(mode, "nohello") != 0;
	if (hello && !send_hello(a))
		return 1;
	if (strcmp(mode, "oversize") == 0) {
		uint8_t hdr[4];
		uint32_t len = a->o->max_frame + 1;
		hdr[0] = (uint8_t)(len >> 24);
		hdr[1] = (uint8_t)(len >> 16);
		hdr[2] = (uint8_t)(len >> 8);
		hdr[3] = (uint8_t)len;
		static const uint8_t zeros[1024];
		xmit(a, hdr, sizeof(hdr));
		xmit(a, zeros, sizeof(zeros));
	} else if (strcmp(mode, "garbage") == 0) {
		uint8_t frame[36] = {0, 0, 0, 32};
		memset(frame + 4, 0xff, 32);
		xmit(a, frame, sizeof(frame));
	} else if (strcmp(mode, "nohello") == 0 || strcmp(mode, "undefined") == 0) {
		send_batch(a, 1, strcmp(mode, "undefined") == 0);
	} else {
		fprintf(stderr, "fake_agent: unknown mode %s\n", mode);
		return 2;
	}
	bool closed = wait_closed(a);
	printf("fake_agent: mode=%s closed_by_collector=%s\n", mode, closed ? "yes" : "no");
	return closed ? 0 : 1;
}

static uint64_t num(const char *s)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s || *end) {
		fprintf(stderr, "fake_agent: '%s' is not a number\n", s);
		exit(2);
	}
	return v;
}

static void parse_args(int argc, char **argv, struct opts *o)
{
	static char host[64];
	for (int i = 1; i + 1 < argc; i += 2) {
		const char *k = argv[i], *v = argv[i + 1];
		if (strcmp(k, "--connect") == 0) {
			const char *colon = strrchr(v, ':');
			if (!colon || (size_t)(colon - v) >= sizeof(host))
				exit(2);
			memcpy(host, v, (size_t)(colon - v));
			host[colon - v] = '\0';
			o->host = host;
			o->port = (int)num(colon + 1);
		} else if (strcmp(k, "--agent") == 0) {
			o->agent = v;
		} else if (strcmp(k, "--stream") == 0) {
			o->stream = num(v);
		} else if (strcmp(k, "--batches") == 0) {
			o->batches = num(v);
		} else if (strcmp(k, "--samples") == 0) {
			o->samples = num(v);
		} else if (strcmp(k, "--series") == 0) {
			o->series = num(v);
		} else if (strcmp(k, "--base-ms") == 0) {
			o->base_ms = (int64_t)num(v);
		} else if (strcmp(k, "--window") == 0) {
			o->window = num(v);
		} else if (strcmp(k, "--resend") == 0) {
			o->resend = num(v) != 0;
		} else if (strcmp(k, "--mode") == 0) {
			o->mode = v;
		} else if (strcmp(k, "--max-frame") == 0) {
			o->max_frame = (uint32_t)num(v);
		} else if (strcmp(k, "--extras") == 0) {
			o->extras = num(v) != 0;
		} else if (strcmp(k, "--pause-ms") == 0) {
			o->pause_ms = (int)num(v);
		} else if (strcmp(k, "--timeout") == 0) {
			o->timeout_s = (int)num(v);
		} else if (strcmp(k, "--tls-ca") == 0) {
			o->tls.ca = (char *)v;
		} else if (strcmp(k, "--tls-cert") == 0) {
			o->tls.cert = (char *)v;
		} else if (strcmp(k, "--tls-key") == 0) {
			o->tls.key = (char *)v;
		} else if (strcmp(k, "--server-name") == 0) {
			o->server_name = v;
		} else {
			fprintf(stderr, "fake_agent: unknown option %s\n", k);
			exit(2);
		}
	}
}

/* The client TLS context when --tls-* are given; exits on a bad file. */
static struct tls_ctx *tls_setup(const struct opts *o)
{
	if (!o->tls.ca && !o->tls.cert && !o->tls.key)
		return NULL;
	if (!o->tls.ca || !o->tls.cert || !o->tls.key) {
		fprintf(stderr, "fake_agent: --tls-ca, --tls-cert and --tls-key go together\n");
		exit(2);
	}
	struct tls_ctx *ctx;
	struct perr err = {{0}};
	if (tls_ctx_new(TLS_CLIENT, &o->tls, &ctx, &err) < 0) {
		fprintf(stderr, "fake_agent: %s\n", err.msg);
		exit(2);
	}
	return ctx;
}

static void agent_free(struct agent *a)
{
	if (a->fd >= 0)
		hang_up(a);
	tls_ctx_free(a->tctx);
	frame_reader_free(&a->fr);
	buf_free(&a->out);
	free(a->defined);
}

int main(int argc, char **argv)
{
	struct opts o = {.agent = "fake-agent", .stream = 1, .batches = 3, .samples = 10,
			 .series = 5, .window = 8, .mode = "normal", .max_frame = FRAME_MAX_DEFAULT,
			 .timeout_s = 30, .base_ms = (now_ms() / 1000 - 3600) * 1000};
	parse_args(argc, argv, &o);
	if (!o.host || o.samples == 0 || o.series == 0 || o.window == 0) {
		fprintf(stderr, "usage: fake_agent --connect HOST:PORT [options]\n");
		return 2;
	}
	struct agent a = {.o = &o, .fd = -1, .tctx = tls_setup(&o)};
	a.defined = calloc(o.series + 1, sizeof(bool));
	if (!a.defined)
		die("calloc");
	buf_init(&a.out, (size_t)MAX_ENCODE + 64);
	frame_reader_init(&a.fr, 1 << 20);
	connect_agent(&a);
	if (strcmp(o.mode, "normal") != 0) {
		int rc = run_error_mode(&a);
		agent_free(&a);
		return rc;
	}
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	bool ok = send_hello(&a) && (!o.extras || send_extras(&a)) && run_batches(&a);
	if (ok && o.resend) {
		hang_up(&a);
		connect_agent(&a);
		ok = send_hello(&a) && run_batches(&a);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("fake_agent: agent=%s batches=%llu acked=%llu samples_per_batch=%llu seconds=%.3f\n",
	       o.agent, (unsigned long long)o.batches, (unsigned long long)a.acked,
	       (unsigned long long)o.samples, secs);
	printf("fake_agent: tls=%s samples_sent=%llu frame_bytes=%llu batch_frame_bytes=%llu "
	       "wire_bytes_out=%llu wire_bytes_in=%llu\n",
	       a.tctx ? "yes" : "no", (unsigned long long)a.t.samples,
	       (unsigned long long)a.t.frame_bytes, (unsigned long long)a.t.batch_frame_bytes,
	       (unsigned long long)a.t.wire_out, (unsigned long long)a.t.wire_in);
	agent_free(&a);
	return ok ? 0 : 1;
}
