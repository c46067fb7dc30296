/* Mutual TLS 1.3 between agent and collector (OpenSSL), over any byte
 * stream: the daemons keep their libuv TCP code and pass bytes through a
 * tls_conn, which holds two memory BIOs. Ciphertext that must go on the wire
 * leaves through the tls_send_fn callback; ciphertext read from the wire goes
 * in with tls_conn_feed and comes out as plaintext from tls_conn_read (a
 * pull, so the caller keeps its backpressure: what it does not read stays in
 * the connection's memory BIO, and it stops reading the socket).
 *
 * Both ends always verify the peer against the configured CA bundle; the
 * server refuses a client without a certificate, checks revocation when a
 * CRL file is configured (X509_V_FLAG_CRL_CHECK) and rereads that file when
 * it changes. The client checks the server certificate's subjectAltName
 * against the name or IP address it dialled.
 *
 * The peer's identity is the common name (CN) of its certificate's subject:
 * `pantauctl certs agent ID` issues CN=ID, and the collector requires it to
 * equal the agent_id of the Hello. Agent certificates carry the clientAuth
 * extended key usage and collector certificates serverAuth, so one cannot
 * stand in for the other. No key material is ever logged. */
#ifndef PANTAU_TLS_H
#define PANTAU_TLS_H

#include "perr.h"

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Why a handshake or a peer was refused: the label of the collector's
 * connections_refused_total (identity_mismatch is set by the caller). */
enum tls_reason {
	TLS_R_NONE,
	TLS_R_UNKNOWN_CA,	 /* not signed by the configured CA */
	TLS_R_EXPIRED,		 /* notAfter is past */
	TLS_R_NOT_YET_VALID,	 /* notBefore is ahead */
	TLS_R_REVOKED,		 /* listed in the CRL */
	TLS_R_BAD_CERTIFICATE,	 /* none sent, wrong usage, bad signature, CRL problem */
	TLS_R_IDENTITY_MISMATCH, /* name or IP (client), CN vs Hello (collector) */
	TLS_R_HANDSHAKE,	 /* not TLS 1.3, garbage, timeout, peer alert */
	TLS_R_COUNT_
};

/* The label text, e.g. "unknown_ca". */
const char *tls_reason_name(enum tls_reason r);

/* File names from a config's `tls:` section; strings owned by the config. */
struct tls_files {
	char *ca;   /* PEM CA bundle the peer must chain to */
	char *cert; /* PEM certificate (chain) of this end */
	char *key;  /* PEM private key of cert */
	char *crl;  /* PEM CRL(s); NULL or "" = no revocation check */
};

/* Makes *path absolute relative to the directory of config_path (a config
 * names its certificates beside itself). 0 or -ENOMEM. */
int tls_resolve_path(char **path, const char *config_path);

/* TLS_SERVER asks every client for a certificate signed by files->ca (the
 * agent link); TLS_SERVER_WEB only proves the server (HTTPS for browsers
 * and scripts that authenticate with a token): files->ca and crl unused. */
enum tls_role { TLS_CLIENT, TLS_SERVER, TLS_SERVER_WEB };

struct tls_ctx;

/* Loads the files into a TLS 1.3-only context. 0, or a negative errno with a
 * message naming the file and the reason in err. Free with tls_ctx_free. */
int tls_ctx_new(enum tls_role role, const struct tls_files *files, struct tls_ctx **out,
		struct perr *err);
void tls_ctx_free(struct tls_ctx *ctx);

/* Ciphertext to put on the wire. Takes over data (free() it). 0 or -errno. */
typedef int tls_send_fn(void *arg, char *data, size_t len);

struct tls_conn;

/* A connection in the role of ctx. server_name (client only, else NULL) is
 * the DNS name or IP address the server certificate must carry. The client
 * sends its ClientHello at once. 0 or -errno (then *out is NULL). */
int tls_conn_new(struct tls_ctx *ctx, const char *server_name, tls_send_fn *send, void *arg,
		 struct tls_conn **out);
void tls_conn_free(struct tls_conn *c);

/* Takes n bytes read from the wire and advances the handshake. 1 if the
 * handshake completed in this call (the peer is verified), 0 otherwise, or
 * -EPROTO on failure (see tls_conn_reason and tls_conn_error); the alert for
 * the peer has then already gone to the send callback. Call tls_conn_read
 * afterwards in every case but failure: plaintext may be waiting. */
int tls_conn_feed(struct tls_conn *c, const void *data, size_t n);

/* Copies up to cap decrypted bytes into buf: their count, 0 when more input
 * is needed, -EPIPE when the peer closed the session cleanly, -EPROTO on
 * failure (a peer's alert included). */
ssize_t tls_conn_read(struct tls_conn *c, void *buf, size_t cap);

/* Encrypts n bytes and sends them through the callback. Only once ready.
 * 0, -ENOTCONN before the handshake completed, -EPROTO or the callback's error. */
int tls_conn_write(struct tls_conn *c, const void *data, size_t n);

/* Sends close_notify (best effort) before the caller closes the socket. */
void tls_conn_shutdown(struct tls_conn *c);

bool tls_conn_ready(const struct tls_conn *c);

/* After a failure: why, and a one-line description (no key material),
 * e.g. "certificate expired (CN=agent-a, notAfter 2026-01-01 00:00:00Z)". */
enum tls_reason tls_conn_reason(const struct tls_conn *c);
const char *tls_conn_error(const struct tls_conn *c);

/* Marks the connection failed with a caller-side reason (the collector's
 * identity check, a handshake timeout) so the same fields describe it. */
void tls_conn_set_failure(struct tls_conn *c, enum tls_reason r, const char *msg);

/* The verified peer's identity (its certificate's CN, sanitised to printable
 * ASCII), valid once ready; "" before. */
const char *tls_conn_peer_id(const struct tls_conn *c);

#endif
