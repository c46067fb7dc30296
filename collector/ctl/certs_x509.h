/* The OpenSSL side of pantauctl certs: keys, certificates, the index of
 * issued certificates and the CRL. Functions return 0 or -errno (OpenSSL
 * failures leave their reason on OpenSSL's error queue: x509_report prints
 * and clears it); pointer results are NULL on failure. */
#ifndef PANTAU_CTL_CERTS_X509_H
#define PANTAU_CTL_CERTS_X509_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

enum x509_kind { X509_KIND_CA, X509_KIND_AGENT, X509_KIND_COLLECTOR };

struct x509_validity {
	time_t not_before, not_after;
};

/* "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM:SSZ" (UTC). 0 or -EINVAL. */
int x509_parse_time(const char *s, time_t *out);
/* "YYYY-MM-DD HH:MM:SSZ" */
void x509_format_time(time_t t, char *out, size_t size);

/* A new ECDSA P-256 key. Free with EVP_PKEY_free. */
EVP_PKEY *x509_new_key(void);

/* Issues a certificate for key with subject CN=cn: self-signed when ca is
 * NULL (kind CA), else signed by ca/cakey. names go into subjectAltName
 * (IP or DNS entries; collector only). Free with X509_free. */
X509 *x509_issue(enum x509_kind kind, const char *cn, const char *const *names, size_t nnames,
		 EVP_PKEY *key, X509 *ca, EVP_PKEY *cakey, const struct x509_validity *v);

/* PEM files, written to a temporary name and renamed into place; the key
 * with mode 0600. */
int x509_write_key(const char *path, EVP_PKEY *key);
int x509_write_cert(const char *path, X509 *x);
EVP_PKEY *x509_read_key(const char *path);
X509 *x509_read_cert(const char *path);

/* dir/index.tsv: appends a valid certificate; marks every valid one of an
 * agent id revoked (their count, or -errno). */
int x509_index_add(const char *dir, X509 *x, enum x509_kind kind, const char *id);
int x509_index_revoke(const char *dir, const char *id);

/* Writes dir/crl.pem listing every revoked certificate of the index. */
int x509_write_crl(const char *dir, X509 *ca, EVP_PKEY *cakey);

/* Prints OpenSSL's queued errors (or errno's text) after "what: ". */
void x509_report(const char *what);

#endif
