#include "certs_x509.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

enum { CRL_DAYS = 3650, SERIAL_BYTES = 16 };

int x509_parse_time(const char *s, time_t *out)
{
	struct tm tm = {0};
	const char *end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (!end || *end) {
		memset(&tm, 0, sizeof(tm));
		end = strptime(s, "%Y-%m-%d", &tm);
	}
	if (!end || *end)
		return -EINVAL;
	*out = timegm(&tm);
	return 0;
}

void x509_format_time(time_t t, char *out, size_t size)
{
	struct tm tm;
	gmtime_r(&t, &tm);
	if (!strftime(out, size, "%Y-%m-%d %H:%M:%SZ", &tm))
		snprintf(out, size, "?");
}

void x509_report(const char *what)
{
	unsigned long e;
	bool any = false;
	char line[256];
	while ((e = ERR_get_error())) {
		ERR_error_string_n(e, line, sizeof(line));
		fprintf(stderr, "%s: %s\n", what, line);
		any = true;
	}
	if (!any && errno)
		fprintf(stderr, "%s: %s\n", what, strerror(errno));
}

EVP_PKEY *x509_new_key(void)
{
	return EVP_EC_gen("P-256");
}

static int add_ext(X509 *x, X509V3_CTX *ctx, int nid, const char *value)
{
	X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, ctx, nid, value);
	if (!ext)
		return -EINVAL;
	int ok = X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	return ok ? 0 : -ENOMEM;
}

/* "DNS:a,IP:10.0.0.5,..." for subjectAltName. */
static int san_value(const char *const *names, size_t n, char *out, size_t size)
{
	size_t k = 0;
	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		unsigned char a[16];
		bool ip = inet_pton(AF_INET, names[i], a) == 1 ||
			  inet_pton(AF_INET6, names[i], a) == 1;
		int w = snprintf(out + k, size - k, "%s%s:%s", i ? "," : "", ip ? "IP" : "DNS",
				 names[i]);
		if (w < 0 || (size_t)w >= size - k)
			return -ENAMETOOLONG;
		k += (size_t)w;
	}
	return 0;
}

static int add_extensions(X509 *x, enum x509_kind kind, const char *const *names, size_t n,
			  X509 *issuer)
{
	X509V3_CTX ctx;
	X509V3_set_ctx(&ctx, issuer ? issuer : x, x, NULL, NULL, 0);
	int rc = add_ext(x, &ctx, NID_subject_key_identifier, "hash");
	if (kind == X509_KIND_CA) {
		if (rc == 0)
			rc = add_ext(x, &ctx, NID_basic_constraints, "critical,CA:TRUE,pathlen:0");
		if (rc == 0)
			rc = add_ext(x, &ctx, NID_key_usage, "critical,keyCertSign,cRLSign");
		return rc;
	}
	if (rc == 0)
		rc = add_ext(x, &ctx, NID_authority_key_identifier, "keyid:always");
	if (rc == 0)
		rc = add_ext(x, &ctx, NID_basic_constraints, "critical,CA:FALSE");
	if (rc == 0)
		rc = add_ext(x, &ctx, NID_key_usage, "critical,digitalSignature");
	if (rc == 0)
		rc = add_ext(x, &ctx, NID_ext_key_usage,
			     kind == X509_KIND_AGENT ? "clientAuth" : "serverAuth");
	if (rc == 0 && n > 0) {
		char san[4096];
		rc = san_value(names, n, san, sizeof(san));
		if (rc == 0)
			rc = add_ext(x, &ctx, NID_subject_alt_name, san);
	}
	return rc;
}

static int random_serial(X509 *x)
{
	unsigned char b[SERIAL_BYTES];
	if (RAND_bytes(b, sizeof(b)) != 1)
		return -EIO;
	b[0] &= 0x7f; /* positive */
	b[0] |= 0x01; /* and of full length */
	BIGNUM *bn = BN_bin2bn(b, sizeof(b), NULL);
	int ok = bn && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) != NULL;
	BN_free(bn);
	return ok ? 0 : -ENOMEM;
}

X509 *x509_issue(enum x509_kind kind, const char *cn, const char *const *names, size_t nnames,
		 EVP_PKEY *key, X509 *ca, EVP_PKEY *cakey, const struct x509_validity *v)
{
	time_t nb = v->not_before, na = v->not_after;
	X509 *x = X509_new();
	X509_NAME *name = X509_NAME_new();
	bool ok = x && name && X509_set_version(x, 2) && random_serial(x) == 0 &&
		  X509_NAME_add_entry_by_NID(name, NID_commonName, MBSTRING_UTF8,
					     (const unsigned char *)cn, -1, -1, 0) &&
		  X509_set_subject_name(x, name) &&
		  X509_set_issuer_name(x, ca ? X509_get_subject_name(ca) : name) &&
		  X509_time_adj_ex(X509_getm_notBefore(x), 0, 0, &nb) &&
		  X509_time_adj_ex(X509_getm_notAfter(x), 0, 0, &na) &&
		  X509_set_pubkey(x, key) && add_extensions(x, kind, names, nnames, ca) == 0 &&
		  X509_sign(x, ca ? cakey : key, EVP_sha256()) > 0;
	X509_NAME_free(name);
	if (!ok) {
		X509_free(x);
		return NULL;
	}
	return x;
}

/* Opens path.tmp for writing with mode; the caller renames it. */
static FILE *open_tmp(const char *path, mode_t mode, char *tmp, size_t size)
{
	snprintf(tmp, size, "%s.tmp", path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0) {
		fprintf(stderr, "cannot write %s: %s\n", tmp, strerror(errno));
		return NULL;
	}
	(void)fchmod(fd, mode); /* an old file kept its mode */
	FILE *f = fdopen(fd, "w");
	if (!f)
		close(fd);
	return f;
}

static int finish_tmp(FILE *f, bool ok, const char *tmp, const char *path)
{
	if (fflush(f) != 0 || fsync(fileno(f)) != 0)
		ok = false;
	if (fclose(f) != 0)
		ok = false;
	if (ok && rename(tmp, path) == 0)
		return 0;
	int e = errno ? errno : EIO;
	fprintf(stderr, "cannot write %s\n", path);
	unlink(tmp);
	return -e;
}

int x509_write_key(const char *path, EVP_PKEY *key)
{
	char tmp[4200];
	FILE *f = open_tmp(path, 0600, tmp, sizeof(tmp));
	if (!f)
		return -errno;
	bool ok = PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL) == 1;
	return finish_tmp(f, ok, tmp, path);
}

int x509_write_cert(const char *path, X509 *x)
{
	char tmp[4200];
	FILE *f = open_tmp(path, 0644, tmp, sizeof(tmp));
	if (!f)
		return -errno;
	bool ok = PEM_write_X509(f, x) == 1;
	return finish_tmp(f, ok, tmp, path);
}

EVP_PKEY *x509_read_key(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "cannot read %s: %s\n", path, strerror(errno));
		return NULL;
	}
	EVP_PKEY *k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	return k;
}

X509 *x509_read_cert(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "cannot read %s: %s\n", path, strerror(errno));
		return NULL;
	}
	X509 *x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	return x;
}

/* ---- the index and the CRL ---- */

static const char *kind_name(enum x509_kind k)
{
	return k == X509_KIND_AGENT ? "agent" : k == X509_KIND_COLLECTOR ? "collector" : "ca";
}

int x509_index_add(const char *dir, X509 *x, enum x509_kind kind, const char *id)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/index.tsv", dir);
	BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
	char *hex = bn ? BN_bn2hex(bn) : NULL;
	BN_free(bn);
	FILE *f = hex ? fopen(path, "a") : NULL;
	if (!f) {
		if (hex)
			fprintf(stderr, "cannot append to %s: %s\n", path, strerror(errno));
		OPENSSL_free(hex);
		return -EIO;
	}
	fprintf(f, "V\t%s\t%s\t%s\t0\n", hex, kind_name(kind), id);
	OPENSSL_free(hex);
	return fclose(f) == 0 ? 0 : -EIO;
}

struct index_row {
	char status;
	char serial[80], kind[16], id[80];
	long long revoked_at;
};

static bool parse_row(const char *line, struct index_row *r)
{
	return sscanf(line, "%c\t%79[0-9A-F]\t%15[a-z]\t%79[^\t]\t%lld", &r->status, r->serial,
		      r->kind, r->id, &r->revoked_at) == 5;
}

int x509_index_revoke(const char *dir, const char *id)
{
	char path[4096], tmp[4200], line[512];
	snprintf(path, sizeof(path), "%s/index.tsv", dir);
	FILE *in = fopen(path, "r");
	if (!in) {
		fprintf(stderr, "cannot read %s: %s\n", path, strerror(errno));
		return -ENOENT;
	}
	FILE *out = open_tmp(path, 0644, tmp, sizeof(tmp));
	if (!out) {
		fclose(in);
		return -EIO;
	}
	int n = 0;
	long long now = (long long)time(NULL);
	while (fgets(line, sizeof(line), in)) {
		struct index_row r;
		if (parse_row(line, &r) && r.status == 'V' && strcmp(r.kind, "agent") == 0 &&
		    strcmp(r.id, id) == 0) {
			fprintf(out, "R\t%s\t%s\t%s\t%lld\n", r.serial, r.kind, r.id, now);
			n++;
		} else {
			fputs(line, out);
		}
	}
	fclose(in);
	int rc = finish_tmp(out, true, tmp, path);
	return rc < 0 ? rc : n;
}

static int add_revoked(X509_CRL *crl, const struct index_row *r)
{
	X509_REVOKED *rev = X509_REVOKED_new();
	BIGNUM *bn = NULL;
	ASN1_INTEGER *serial = NULL;
	ASN1_TIME *when = ASN1_TIME_set(NULL, (time_t)r->revoked_at);
	bool ok = rev && when && BN_hex2bn(&bn, r->serial) &&
		  (serial = BN_to_ASN1_INTEGER(bn, NULL)) &&
		  X509_REVOKED_set_serialNumber(rev, serial) &&
		  X509_REVOKED_set_revocationDate(rev, when) && X509_CRL_add0_revoked(crl, rev);
	ASN1_INTEGER_free(serial);
	ASN1_TIME_free(when);
	BN_free(bn);
	if (!ok) {
		X509_REVOKED_free(rev);
		return -ENOMEM;
	}
	return 0;
}

static int fill_crl(X509_CRL *crl, const char *dir)
{
	char path[4096], line[512];
	snprintf(path, sizeof(path), "%s/index.tsv", dir);
	FILE *in = fopen(path, "r");
	if (!in)
		return errno == ENOENT ? 0 : -errno;
	int rc = 0;
	while (rc == 0 && fgets(line, sizeof(line), in)) {
		struct index_row r;
		if (parse_row(line, &r) && r.status == 'R')
			rc = add_revoked(crl, &r);
	}
	fclose(in);
	return rc;
}

int x509_write_crl(const char *dir, X509 *ca, EVP_PKEY *cakey)
{
	char path[4096], tmp[4200];
	snprintf(path, sizeof(path), "%s/crl.pem", dir);
	X509_CRL *crl = X509_CRL_new();
	time_t now = time(NULL);
	ASN1_TIME *last = ASN1_TIME_set(NULL, now);
	ASN1_TIME *next = ASN1_TIME_set(NULL, now + (time_t)CRL_DAYS * 86400);
	bool ok = crl && last && next && X509_CRL_set_version(crl, X509_CRL_VERSION_2) &&
		  X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca)) &&
		  X509_CRL_set1_lastUpdate(crl, last) && X509_CRL_set1_nextUpdate(crl, next) &&
		  fill_crl(crl, dir) == 0 && X509_CRL_sort(crl) &&
		  X509_CRL_sign(crl, cakey, EVP_sha256()) > 0;
	ASN1_TIME_free(last);
	ASN1_TIME_free(next);
	int rc = -EIO;
	if (ok) {
		FILE *f = open_tmp(path, 0644, tmp, sizeof(tmp));
		if (f)
			rc = finish_tmp(f, PEM_write_X509_CRL(f, crl) == 1, tmp, path);
	}
	X509_CRL_free(crl);
	return rc;
}
