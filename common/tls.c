#include "tls.h"
#include "log.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

enum { CRL_CHECK_EVERY_MS = 1000 };

static const char *const reason_names[TLS_R_COUNT_] = {
	[TLS_R_NONE] = "none",
	[TLS_R_UNKNOWN_CA] = "unknown_ca",
	[TLS_R_EXPIRED] = "expired",
	[TLS_R_NOT_YET_VALID] = "not_yet_valid",
	[TLS_R_REVOKED] = "revoked",
	[TLS_R_BAD_CERTIFICATE] = "bad_certificate",
	[TLS_R_IDENTITY_MISMATCH] = "identity_mismatch",
	[TLS_R_HANDSHAKE] = "handshake",
};

struct tls_ctx {
	enum tls_role role;
	SSL_CTX *ssl;
	/* Kept to rebuild the context when the CRL file changes (server). */
	char *ca, *cert, *key, *crl;
	struct timespec crl_mtime;
	off_t crl_size;
	uint64_t crl_checked_ms;
};

struct tls_conn {
	SSL *ssl;
	BIO *rbio, *wbio; /* owned by ssl */
	tls_send_fn *send;
	void *arg;
	bool ready, failed;
	int verify_err;	    /* first X509_V_ERR_* the verify callback saw */
	char cert_desc[200]; /* the certificate it was about */
	enum tls_reason reason;
	char msg[400];
	char peer_id[128];
};

const char *tls_reason_name(enum tls_reason r)
{
	return (unsigned)r < TLS_R_COUNT_ ? reason_names[r] : "unknown";
}

int tls_resolve_path(char **path, const char *config_path)
{
	if (!*path || !(*path)[0] || (*path)[0] == '/')
		return 0;
	const char *slash = strrchr(config_path, '/');
	if (!slash)
		return 0;
	size_t dlen = (size_t)(slash - config_path);
	size_t n = dlen + 1 + strlen(*path) + 1;
	char *joined = malloc(n);
	if (!joined)
		return -ENOMEM;
	snprintf(joined, n, "%.*s/%s", (int)dlen, config_path, *path);
	free(*path);
	*path = joined;
	return 0;
}

/* The reason text of the newest OpenSSL error, then clears the queue. */
static const char *ssl_reason(void)
{
	unsigned long e = ERR_peek_last_error();
	const char *r = e ? ERR_reason_error_string(e) : NULL;
	ERR_clear_error();
	return r ? r : "unknown error";
}

/* ---- contexts ---- */

static int check_readable(const char *what, const char *path, struct perr *err)
{
	if (access(path, R_OK) < 0)
		return perr_setc(err, -errno, "tls.%s: cannot read %s: %s", what, path,
				 strerror(errno));
	return 0;
}

/* Adds every CRL in path to the store and turns on the revocation check. */
static int load_crl(SSL_CTX *ctx, const char *path, struct perr *err)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return perr_setc(err, -errno, "tls.crl: cannot read %s: %s", path, strerror(errno));
	X509_STORE *store = SSL_CTX_get_cert_store(ctx);
	int n = 0;
	X509_CRL *crl;
	while ((crl = PEM_read_X509_CRL(f, NULL, NULL, NULL))) {
		int ok = X509_STORE_add_crl(store, crl);
		X509_CRL_free(crl);
		if (!ok) {
			fclose(f);
			return perr_set(err, "tls.crl: %s: %s", path, ssl_reason());
		}
		n++;
	}
	fclose(f);
	ERR_clear_error(); /* the end of the file reads as "no start line" */
	if (n == 0)
		return perr_set(err, "tls.crl: %s holds no PEM CRL (make one with pantauctl certs init)",
				path);
	X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK);
	return 0;
}

static int verify_cb(int ok, X509_STORE_CTX *xs);

static int load_files(SSL_CTX *ctx, enum tls_role role, const struct tls_files *f,
		      struct perr *err)
{
	int rc;
	bool web = role == TLS_SERVER_WEB;
	if ((!web && (rc = check_readable("ca", f->ca, err)) < 0) ||
	    (rc = check_readable("cert", f->cert, err)) < 0 ||
	    (rc = check_readable("key", f->key, err)) < 0)
		return rc;
	if (!web && SSL_CTX_load_verify_locations(ctx, f->ca, NULL) != 1)
		return perr_set(err, "tls.ca: %s: %s", f->ca, ssl_reason());
	if (SSL_CTX_use_certificate_chain_file(ctx, f->cert) != 1)
		return perr_set(err, "tls.cert: %s: %s", f->cert, ssl_reason());
	if (SSL_CTX_use_PrivateKey_file(ctx, f->key, SSL_FILETYPE_PEM) != 1)
		return perr_set(err, "tls.key: %s: %s", f->key, ssl_reason());
	if (SSL_CTX_check_private_key(ctx) != 1)
		return perr_set(err, "tls.key: %s does not belong to the certificate in %s", f->key,
				f->cert);
	if (!web && f->crl && f->crl[0] && (rc = load_crl(ctx, f->crl, err)) < 0)
		return rc;
	SSL_CTX_set_verify(ctx, web ? SSL_VERIFY_NONE
				    : SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
			   web ? NULL : verify_cb);
	if (role != TLS_CLIENT) {
		/* Nobody resumes: a session ticket would only be bytes on the wire. */
		SSL_CTX_set_num_tickets(ctx, 0);
		SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	}
	return 0;
}

static int build(enum tls_role role, const struct tls_files *f, SSL_CTX **out, struct perr *err)
{
	ERR_clear_error();
	SSL_CTX *ctx = SSL_CTX_new(role == TLS_CLIENT ? TLS_client_method() : TLS_server_method());
	if (!ctx)
		return perr_setc(err, -ENOMEM, "tls: cannot create a context: %s", ssl_reason());
	if (SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) != 1 ||
	    SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) != 1) {
		SSL_CTX_free(ctx);
		return perr_set(err, "tls: this OpenSSL does not offer TLS 1.3");
	}
	SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
	int rc = load_files(ctx, role, f, err);
	if (rc < 0) {
		SSL_CTX_free(ctx);
		return rc;
	}
	*out = ctx;
	return 0;
}

static void crl_stat(struct tls_ctx *c, struct timespec *mtime, off_t *size)
{
	struct stat st;
	memset(mtime, 0, sizeof(*mtime));
	*size = -1;
	if (c->crl && stat(c->crl, &st) == 0) {
		*mtime = st.st_mtim;
		*size = st.st_size;
	}
}

int tls_ctx_new(enum tls_role role, const struct tls_files *files, struct tls_ctx **out,
		struct perr *err)
{
	*out = NULL;
	struct tls_ctx *c = calloc(1, sizeof(*c));
	if (!c)
		return perr_setc(err, -ENOMEM, "out of memory");
	c->role = role;
	bool has_crl = role != TLS_SERVER_WEB && files->crl && files->crl[0];
	c->ca = strdup(files->ca ? files->ca : "");
	c->cert = strdup(files->cert);
	c->key = strdup(files->key);
	c->crl = has_crl ? strdup(files->crl) : NULL;
	if (!c->ca || !c->cert || !c->key || (has_crl && !c->crl)) {
		tls_ctx_free(c);
		return perr_setc(err, -ENOMEM, "out of memory");
	}
	crl_stat(c, &c->crl_mtime, &c->crl_size);
	int rc = build(role, files, &c->ssl, err);
	if (rc < 0) {
		tls_ctx_free(c);
		return rc;
	}
	c->crl_checked_ms = log_mono_ms();
	*out = c;
	return 0;
}

void tls_ctx_free(struct tls_ctx *c)
{
	if (!c)
		return;
	SSL_CTX_free(c->ssl);
	free(c->ca);
	free(c->cert);
	free(c->key);
	free(c->crl);
	free(c);
}

/* A revocation takes effect without a restart: the server rereads its files
 * when the CRL file changed (checked at most once a second, on accept).
 * Connections already open keep the context they started with. */
static void refresh_crl(struct tls_ctx *c)
{
	uint64_t now = log_mono_ms();
	if (!c->crl || now - c->crl_checked_ms < CRL_CHECK_EVERY_MS)
		return;
	c->crl_checked_ms = now;
	struct timespec mt;
	off_t size;
	crl_stat(c, &mt, &size);
	if (mt.tv_sec == c->crl_mtime.tv_sec && mt.tv_nsec == c->crl_mtime.tv_nsec &&
	    size == c->crl_size)
		return;
	struct tls_files f = {c->ca, c->cert, c->key, c->crl};
	struct perr err;
	SSL_CTX *fresh;
	if (build(c->role, &f, &fresh, &err) < 0) {
		log_warn("tls", "%s changed but cannot be used, keeping the previous one: %s",
			 c->crl, err.msg);
		c->crl_mtime = mt;
		c->crl_size = size;
		return;
	}
	SSL_CTX_free(c->ssl);
	c->ssl = fresh;
	c->crl_mtime = mt;
	c->crl_size = size;
	log_info("tls", "reloaded the certificate revocation list %s", c->crl);
}

/* ---- describing certificates and failures ---- */

/* Copies s into out keeping printable ASCII only: certificate fields come
 * from the peer and go into logs. */
static void sanitise(const char *s, char *out, size_t size)
{
	size_t k = 0;
	for (; *s && k + 1 < size; s++)
		out[k++] = (*s >= 0x20 && *s < 0x7f) ? *s : '?';
	out[k] = '\0';
}

static void name_cn(const X509_NAME *name, char *out, size_t size)
{
	char raw[256];
	out[0] = '\0';
	if (name && X509_NAME_get_text_by_NID((X509_NAME *)name, NID_commonName, raw,
					      sizeof(raw)) > 0)
		sanitise(raw, out, size);
}

static void format_time(const ASN1_TIME *t, char *out, size_t size)
{
	struct tm tm;
	if (!t || ASN1_TIME_to_tm(t, &tm) != 1 || !strftime(out, size, "%Y-%m-%d %H:%M:%SZ", &tm))
		snprintf(out, size, "?");
}

static void describe_cert(X509 *x, int verr, char *out, size_t size)
{
	char cn[128], extra[160], when[40];
	if (!x) {
		snprintf(out, size, "no certificate");
		return;
	}
	name_cn(X509_get_subject_name(x), cn, sizeof(cn));
	extra[0] = '\0';
	if (verr == X509_V_ERR_CERT_HAS_EXPIRED) {
		format_time(X509_get0_notAfter(x), when, sizeof(when));
		snprintf(extra, sizeof(extra), ", notAfter %s", when);
	} else if (verr == X509_V_ERR_CERT_NOT_YET_VALID) {
		format_time(X509_get0_notBefore(x), when, sizeof(when));
		snprintf(extra, sizeof(extra), ", notBefore %s", when);
	} else {
		char issuer[128];
		name_cn(X509_get_issuer_name(x), issuer, sizeof(issuer));
		snprintf(extra, sizeof(extra), ", issuer CN=%s", issuer);
	}
	snprintf(out, size, "CN=%s%s", cn[0] ? cn : "(none)", extra);
}

static int verify_cb(int ok, X509_STORE_CTX *xs)
{
	if (ok)
		return 1;
	SSL *ssl = X509_STORE_CTX_get_ex_data(xs, SSL_get_ex_data_X509_STORE_CTX_idx());
	struct tls_conn *c = ssl ? SSL_get_app_data(ssl) : NULL;
	if (c && !c->verify_err) {
		c->verify_err = X509_STORE_CTX_get_error(xs);
		describe_cert(X509_STORE_CTX_get_current_cert(xs), c->verify_err, c->cert_desc,
			      sizeof(c->cert_desc));
	}
	return 0;
}

static enum tls_reason verify_reason(int verr)
{
	switch (verr) {
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
	case X509_V_ERR_CERT_SIGNATURE_FAILURE:
		return TLS_R_UNKNOWN_CA;
	case X509_V_ERR_CERT_HAS_EXPIRED:
		return TLS_R_EXPIRED;
	case X509_V_ERR_CERT_NOT_YET_VALID:
		return TLS_R_NOT_YET_VALID;
	case X509_V_ERR_CERT_REVOKED:
		return TLS_R_REVOKED;
	case X509_V_ERR_HOSTNAME_MISMATCH:
	case X509_V_ERR_IP_ADDRESS_MISMATCH:
		return TLS_R_IDENTITY_MISMATCH;
	default:
		return TLS_R_BAD_CERTIFICATE;
	}
}

static const char *verify_text(enum tls_reason r, int verr)
{
	switch (r) {
	case TLS_R_UNKNOWN_CA:
		return "certificate not issued by a trusted CA";
	case TLS_R_EXPIRED:
		return "certificate expired";
	case TLS_R_NOT_YET_VALID:
		return "certificate not yet valid";
	case TLS_R_REVOKED:
		return "certificate revoked";
	case TLS_R_IDENTITY_MISMATCH:
		return "certificate does not name the address dialled";
	default:
		return X509_verify_cert_error_string(verr);
	}
}

/* A TLS alert from the peer refusing our certificate, mapped to a reason. */
static enum tls_reason alert_reason(int r)
{
	switch (r) {
	case SSL_R_SSLV3_ALERT_CERTIFICATE_REVOKED:
		return TLS_R_REVOKED;
	case SSL_R_SSLV3_ALERT_CERTIFICATE_EXPIRED:
		return TLS_R_EXPIRED;
	case SSL_R_TLSV1_ALERT_UNKNOWN_CA:
		return TLS_R_UNKNOWN_CA;
	case SSL_R_SSLV3_ALERT_BAD_CERTIFICATE:
	case SSL_R_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE:
	case SSL_R_SSLV3_ALERT_CERTIFICATE_UNKNOWN:
	case SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED:
		return TLS_R_BAD_CERTIFICATE;
	default:
		return TLS_R_HANDSHAKE;
	}
}

static void fail_from_openssl(struct tls_conn *c, int ssl_err)
{
	c->failed = true;
	if (c->verify_err) {
		c->reason = verify_reason(c->verify_err);
		snprintf(c->msg, sizeof(c->msg), "%s (%s)", verify_text(c->reason, c->verify_err),
			 c->cert_desc);
		ERR_clear_error();
		return;
	}
	unsigned long e = ERR_peek_last_error();
	if (!e) {
		c->reason = TLS_R_HANDSHAKE;
		snprintf(c->msg, sizeof(c->msg), "TLS %s failed (%s)",
			 c->ready ? "session" : "handshake",
			 ssl_err == SSL_ERROR_SYSCALL ? "unexpected end of data" : "no detail");
		return;
	}
	int r = ERR_GET_REASON(e);
	c->reason = ERR_GET_LIB(e) == ERR_LIB_SSL ? alert_reason(r) : TLS_R_HANDSHAKE;
	const char *text = ssl_reason();
	if (c->reason != TLS_R_HANDSHAKE)
		snprintf(c->msg, sizeof(c->msg), "the peer refused this end's certificate (%s)",
			 text);
	else if (ERR_GET_LIB(e) == ERR_LIB_SSL && r == SSL_R_WRONG_VERSION_NUMBER)
		snprintf(c->msg, sizeof(c->msg), "TLS handshake failed: %s (not TLS: a plaintext "
			 "peer?)", text);
	else
		snprintf(c->msg, sizeof(c->msg), "TLS %s failed: %s",
			 c->ready ? "session" : "handshake", text);
}

void tls_conn_set_failure(struct tls_conn *c, enum tls_reason r, const char *msg)
{
	c->failed = true;
	c->reason = r;
	snprintf(c->msg, sizeof(c->msg), "%s", msg);
}

/* ---- connections ---- */

/* Hands whatever OpenSSL wrote (records, alerts) to the send callback. */
static int flush(struct tls_conn *c)
{
	size_t n = BIO_ctrl_pending(c->wbio);
	if (n == 0)
		return 0;
	char *p = malloc(n);
	if (!p)
		return -ENOMEM;
	int got = BIO_read(c->wbio, p, (int)n);
	if (got <= 0) {
		free(p);
		return 0;
	}
	return c->send(c->arg, p, (size_t)got);
}

static void take_peer_id(struct tls_conn *c)
{
#if OPENSSL_VERSION_MAJOR >= 3
	X509 *x = SSL_get0_peer_certificate(c->ssl);
	name_cn(x ? X509_get_subject_name(x) : NULL, c->peer_id, sizeof(c->peer_id));
#else
	X509 *x = SSL_get_peer_certificate(c->ssl);
	name_cn(x ? X509_get_subject_name(x) : NULL, c->peer_id, sizeof(c->peer_id));
	X509_free(x);
#endif
}

static int set_server_name(SSL *ssl, const char *name)
{
	X509_VERIFY_PARAM *p = SSL_get0_param(ssl);
	unsigned char addr[16];
	if (inet_pton(AF_INET, name, addr) == 1 || inet_pton(AF_INET6, name, addr) == 1)
		return X509_VERIFY_PARAM_set1_ip_asc(p, name) == 1 ? 0 : -EINVAL;
	/* The subjectAltName only: a CN that looks like a host name does not count. */
	X509_VERIFY_PARAM_set_hostflags(p, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS |
						   X509_CHECK_FLAG_NEVER_CHECK_SUBJECT);
	if (X509_VERIFY_PARAM_set1_host(p, name, 0) != 1)
		return -EINVAL;
	return SSL_set_tlsext_host_name(ssl, name) == 1 ? 0 : -EINVAL;
}

static int handshake(struct tls_conn *c)
{
	ERR_clear_error();
	int rc = SSL_do_handshake(c->ssl);
	if (rc == 1) {
		c->ready = true;
		take_peer_id(c);
		return flush(c) < 0 ? -EPIPE : 1;
	}
	int e = SSL_get_error(c->ssl, rc);
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
		return flush(c) < 0 ? -EPIPE : 0;
	fail_from_openssl(c, e);
	(void)flush(c); /* the alert tells the peer why */
	return -EPROTO;
}

int tls_conn_new(struct tls_ctx *ctx, const char *server_name, tls_send_fn *send, void *arg,
		 struct tls_conn **out)
{
	*out = NULL;
	if (ctx->role == TLS_SERVER)
		refresh_crl(ctx);
	struct tls_conn *c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->send = send;
	c->arg = arg;
	c->ssl = SSL_new(ctx->ssl);
	c->rbio = BIO_new(BIO_s_mem());
	c->wbio = BIO_new(BIO_s_mem());
	if (!c->ssl || !c->rbio || !c->wbio) {
		BIO_free(c->rbio);
		BIO_free(c->wbio);
		SSL_free(c->ssl);
		free(c);
		return -ENOMEM;
	}
	BIO_set_mem_eof_return(c->rbio, -1); /* empty = "retry", not end of stream */
	SSL_set_bio(c->ssl, c->rbio, c->wbio);
	SSL_set_app_data(c->ssl, c);
	if (ctx->role != TLS_CLIENT) {
		SSL_set_accept_state(c->ssl);
		*out = c;
		return 0;
	}
	SSL_set_connect_state(c->ssl);
	if (server_name && server_name[0] && set_server_name(c->ssl, server_name) < 0) {
		tls_conn_free(c);
		return -EINVAL;
	}
	int rc = handshake(c); /* sends the ClientHello */
	if (rc < 0) {
		tls_conn_free(c);
		return rc == -EPROTO ? -EIO : rc;
	}
	*out = c;
	return 0;
}

void tls_conn_free(struct tls_conn *c)
{
	if (!c)
		return;
	SSL_free(c->ssl); /* frees both BIOs */
	free(c);
}

int tls_conn_feed(struct tls_conn *c, const void *data, size_t n)
{
	if (c->failed)
		return -EPROTO;
	if (n > 0 && BIO_write(c->rbio, data, (int)n) != (int)n)
		return -ENOMEM;
	if (c->ready)
		return 0;
	int rc = handshake(c);
	return rc == -EPIPE ? -EPROTO : rc;
}

ssize_t tls_conn_read(struct tls_conn *c, void *buf, size_t cap)
{
	if (c->failed)
		return -EPROTO;
	if (!c->ready)
		return 0;
	ERR_clear_error();
	int n = SSL_read(c->ssl, buf, cap > INT32_MAX ? INT32_MAX : (int)cap);
	if (n > 0)
		return n;
	int e = SSL_get_error(c->ssl, n);
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
		return flush(c) < 0 ? -EPROTO : 0;
	if (e == SSL_ERROR_ZERO_RETURN)
		return -EPIPE;
	fail_from_openssl(c, e);
	return -EPROTO;
}

int tls_conn_write(struct tls_conn *c, const void *data, size_t n)
{
	if (c->failed)
		return -EPROTO;
	if (!c->ready)
		return -ENOTCONN;
	if (n == 0)
		return 0;
	ERR_clear_error();
	/* Memory BIOs grow, so the whole buffer is taken in one call. */
	int w = SSL_write(c->ssl, data, n > INT32_MAX ? INT32_MAX : (int)n);
	if (w <= 0 || (size_t)w != n) {
		fail_from_openssl(c, SSL_get_error(c->ssl, w));
		return -EPROTO;
	}
	return flush(c);
}

void tls_conn_shutdown(struct tls_conn *c)
{
	if (!c->ready || c->failed)
		return;
	ERR_clear_error();
	(void)SSL_shutdown(c->ssl);
	ERR_clear_error();
	(void)flush(c);
}

bool tls_conn_ready(const struct tls_conn *c)
{
	return c->ready;
}

enum tls_reason tls_conn_reason(const struct tls_conn *c)
{
	return c->reason;
}

const char *tls_conn_error(const struct tls_conn *c)
{
	return c->msg[0] ? c->msg : "no error";
}

const char *tls_conn_peer_id(const struct tls_conn *c)
{
	return c->peer_id;
}
