/* pantauctl certs: a small private CA for mutual TLS between agents and the
 * collector, with the OpenSSL C API.
 *
 *   pantauctl certs init --dir DIR [--days N] [--name NAME]
 *   pantauctl certs agent ID --dir DIR [--days N | --not-before T --not-after T]
 *   pantauctl certs collector HOST_OR_IP... --dir DIR [--days N | ...]
 *   pantauctl certs revoke ID --dir DIR
 *
 * DIR holds ca.key (0600), ca.pem, crl.pem, index.tsv (one line per issued
 * certificate: status V or R, serial, kind, id, revocation time), the
 * collector's collector.pem/collector.key and agents/ID.pem/agents/ID.key.
 * Keys are ECDSA P-256, which OpenSSL's TLS 1.3 signs and verifies on both
 * ends. An agent certificate has CN=ID and the clientAuth usage; a collector
 * certificate has every HOST_OR_IP in its subjectAltName and serverAuth.
 * Revoking an ID revokes every certificate issued to it and rewrites the CRL,
 * which the collector rereads when the file changes. */
#include "ctl.h"
#include "certs_x509.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

enum {
	CA_DAYS = 3650,
	LEAF_DAYS = 825,
	MAX_NAMES = 32,
};

struct certs_opts {
	const char *dir;
	long days; /* 0 = the default for the kind */
	const char *ca_name;
	const char *not_before, *not_after;
	const char *names[MAX_NAMES];
	size_t nnames;
};

static void certs_usage(FILE *f)
{
	fprintf(f,
		"usage:\n"
		"  pantauctl certs init --dir DIR [--days N] [--name NAME]\n"
		"      a new CA: DIR/ca.key (mode 0600), DIR/ca.pem, an empty DIR/crl.pem\n"
		"  pantauctl certs agent ID --dir DIR [--days N]\n"
		"      DIR/agents/ID.pem and ID.key: CN=ID, usage clientAuth\n"
		"  pantauctl certs collector HOST_OR_IP... --dir DIR [--days N]\n"
		"      DIR/collector.pem and collector.key: every name in subjectAltName\n"
		"  pantauctl certs revoke ID --dir DIR\n"
		"      revokes every certificate issued to agent ID; rewrites DIR/crl.pem\n"
		"options for agent and collector certificates:\n"
		"  --days N                     valid from now for N days (default %d; CA %d)\n"
		"  --not-before T --not-after T explicit validity, T = YYYY-MM-DD or\n"
		"                               YYYY-MM-DDTHH:MM:SSZ (UTC), e.g. for tests\n",
		LEAF_DAYS, CA_DAYS);
}

static int parse_opts(int argc, char **argv, struct certs_opts *o)
{
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		bool has_val = i + 1 < argc;
		if (strcmp(a, "--dir") == 0 && has_val) {
			o->dir = argv[++i];
		} else if (strcmp(a, "--name") == 0 && has_val) {
			o->ca_name = argv[++i];
		} else if (strcmp(a, "--not-before") == 0 && has_val) {
			o->not_before = argv[++i];
		} else if (strcmp(a, "--not-after") == 0 && has_val) {
			o->not_after = argv[++i];
		} else if (strcmp(a, "--days") == 0 && has_val) {
			char *end;
			errno = 0;
			o->days = strtol(argv[++i], &end, 10);
			if (errno || *end || o->days < 1 || o->days > 36500) {
				fprintf(stderr, "pantauctl certs: --days wants 1..36500, got '%s'\n",
					argv[i]);
				return -EINVAL;
			}
		} else if (a[0] == '-') {
			fprintf(stderr, "pantauctl certs: unknown option '%s'%s\n", a,
				has_val ? "" : " (or its value is missing)");
			return -EINVAL;
		} else if (o->nnames < MAX_NAMES) {
			o->names[o->nnames++] = a;
		} else {
			fprintf(stderr, "pantauctl certs: more than %d names\n", MAX_NAMES);
			return -EINVAL;
		}
	}
	if (!o->dir) {
		fprintf(stderr, "pantauctl certs: --dir DIR is required\n");
		return -EINVAL;
	}
	if ((o->not_before || o->not_after) && o->days) {
		fprintf(stderr, "pantauctl certs: give --days or --not-before/--not-after, not both\n");
		return -EINVAL;
	}
	return 0;
}

/* An agent id becomes a CN and a file name: letters, digits, '.', '_', '-'. */
static bool valid_id(const char *id)
{
	size_t n = strlen(id);
	if (n == 0 || n > 64 || id[0] == '.' || id[0] == '-')
		return false;
	for (const char *p = id; *p; p++) {
		char c = *p;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return false;
	}
	return true;
}

static void path_in(char *out, size_t size, const char *dir, const char *name)
{
	snprintf(out, size, "%s/%s", dir, name);
}

/* Fills v from the options: now .. now + days, or the explicit dates. */
static int validity(const struct certs_opts *o, long dflt_days, struct x509_validity *v)
{
	time_t now = time(NULL);
	v->not_before = now - 60; /* a minute of slack for clocks a little behind */
	v->not_after = now + (o->days ? o->days : dflt_days) * 86400L;
	if (o->not_before && x509_parse_time(o->not_before, &v->not_before) < 0) {
		fprintf(stderr, "pantauctl certs: --not-before '%s' is not YYYY-MM-DD or "
				"YYYY-MM-DDTHH:MM:SSZ\n", o->not_before);
		return -EINVAL;
	}
	if (o->not_after && x509_parse_time(o->not_after, &v->not_after) < 0) {
		fprintf(stderr, "pantauctl certs: --not-after '%s' is not YYYY-MM-DD or "
				"YYYY-MM-DDTHH:MM:SSZ\n", o->not_after);
		return -EINVAL;
	}
	if (v->not_after <= v->not_before) {
		fprintf(stderr, "pantauctl certs: the certificate would end before it starts\n");
		return -EINVAL;
	}
	return 0;
}

static int cmd_init(const struct certs_opts *o)
{
	char key[4096], cert[4096], crl[4096];
	path_in(key, sizeof(key), o->dir, "ca.key");
	path_in(cert, sizeof(cert), o->dir, "ca.pem");
	path_in(crl, sizeof(crl), o->dir, "crl.pem");
	struct stat st;
	if (stat(key, &st) == 0) {
		fprintf(stderr, "pantauctl certs init: %s exists; refusing to replace a CA "
				"(every certificate it issued would stop working)\n", key);
		return CTL_FAILED;
	}
	if (mkdir(o->dir, 0755) < 0 && errno != EEXIST) {
		fprintf(stderr, "pantauctl certs init: cannot create %s: %s\n", o->dir,
			strerror(errno));
		return CTL_FAILED;
	}
	struct x509_validity v;
	struct certs_opts ca_opts = *o;
	if (validity(&ca_opts, CA_DAYS, &v) < 0)
		return CTL_USAGE;
	const char *name = o->ca_name ? o->ca_name : "pantau CA";
	EVP_PKEY *pk = x509_new_key();
	X509 *x = pk ? x509_issue(X509_KIND_CA, name, NULL, 0, pk, NULL, NULL, &v) : NULL;
	int rc = x ? 0 : -EIO;
	if (rc == 0)
		rc = x509_write_key(key, pk);
	if (rc == 0)
		rc = x509_write_cert(cert, x);
	if (rc == 0)
		rc = x509_write_crl(o->dir, x, pk);
	X509_free(x);
	EVP_PKEY_free(pk);
	if (rc < 0) {
		x509_report("pantauctl certs init");
		return CTL_FAILED;
	}
	printf("CA '%s' made:\n  %s (private key, mode 0600: keep it off the network)\n"
	       "  %s (give to the collector and every agent as tls.ca)\n"
	       "  %s (revocation list, give to the collector as tls.crl)\n",
	       name, key, cert, crl);
	return CTL_OK;
}

static int load_ca(const char *dir, X509 **ca, EVP_PKEY **cakey)
{
	char key[4096], cert[4096];
	path_in(key, sizeof(key), dir, "ca.key");
	path_in(cert, sizeof(cert), dir, "ca.pem");
	*ca = x509_read_cert(cert);
	*cakey = *ca ? x509_read_key(key) : NULL;
	if (!*ca || !*cakey) {
		x509_report("pantauctl certs");
		fprintf(stderr, "pantauctl certs: no usable CA in %s (make one with "
				"'pantauctl certs init --dir %s')\n", dir, dir);
		X509_free(*ca);
		return -ENOENT;
	}
	return 0;
}

/* Issues a leaf certificate and writes base.pem and base.key. */
static int issue_leaf(const struct certs_opts *o, enum x509_kind kind, const char *cn,
		      const char *const *names, size_t nnames, const char *base)
{
	struct x509_validity v;
	if (validity(o, LEAF_DAYS, &v) < 0)
		return CTL_USAGE;
	X509 *ca;
	EVP_PKEY *cakey;
	if (load_ca(o->dir, &ca, &cakey) < 0)
		return CTL_FAILED;
	char key[4300], cert[4300];
	snprintf(key, sizeof(key), "%s.key", base);
	snprintf(cert, sizeof(cert), "%s.pem", base);
	EVP_PKEY *pk = x509_new_key();
	X509 *x = pk ? x509_issue(kind, cn, names, nnames, pk, ca, cakey, &v) : NULL;
	int rc = x ? 0 : -EIO;
	if (rc == 0)
		rc = x509_write_key(key, pk);
	if (rc == 0)
		rc = x509_write_cert(cert, x);
	if (rc == 0)
		rc = x509_index_add(o->dir, x, kind, cn);
	X509_free(x);
	EVP_PKEY_free(pk);
	X509_free(ca);
	EVP_PKEY_free(cakey);
	if (rc < 0) {
		x509_report("pantauctl certs");
		return CTL_FAILED;
	}
	char nb[32], na[32];
	x509_format_time(v.not_before, nb, sizeof(nb));
	x509_format_time(v.not_after, na, sizeof(na));
	printf("%s certificate for %s, valid %s .. %s:\n  %s\n  %s (private key, mode 0600)\n",
	       kind == X509_KIND_AGENT ? "agent" : "collector", cn, nb, na, cert, key);
	return CTL_OK;
}

static int cmd_agent(const struct certs_opts *o)
{
	if (o->nnames != 1 || !valid_id(o->names[0])) {
		fprintf(stderr, "pantauctl certs agent: give one agent id (its agent.id: letters, "
				"digits, '.', '_', '-', at most 64)\n");
		return CTL_USAGE;
	}
	char dir[4096], base[4200];
	path_in(dir, sizeof(dir), o->dir, "agents");
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		fprintf(stderr, "pantauctl certs agent: cannot create %s: %s\n", dir,
			strerror(errno));
		return CTL_FAILED;
	}
	snprintf(base, sizeof(base), "%s/%s", dir, o->names[0]);
	return issue_leaf(o, X509_KIND_AGENT, o->names[0], NULL, 0, base);
}

static bool valid_host(const char *h)
{
	unsigned char a[16];
	if (inet_pton(AF_INET, h, a) == 1 || inet_pton(AF_INET6, h, a) == 1)
		return true;
	size_t n = strlen(h);
	if (n == 0 || n > 253)
		return false;
	for (const char *p = h; *p; p++) {
		char c = *p;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '-' || (c == '*' && p == h)))
			return false;
	}
	return true;
}

static int cmd_collector(const struct certs_opts *o)
{
	if (o->nnames == 0) {
		fprintf(stderr, "pantauctl certs collector: give the host names and IP addresses "
				"agents dial (e.g. noc.example.go.id 10.0.0.5)\n");
		return CTL_USAGE;
	}
	for (size_t i = 0; i < o->nnames; i++) {
		if (!valid_host(o->names[i])) {
			fprintf(stderr, "pantauctl certs collector: '%s' is neither a host name "
					"nor an IP address\n", o->names[i]);
			return CTL_USAGE;
		}
	}
	char base[4096];
	path_in(base, sizeof(base), o->dir, "collector");
	return issue_leaf(o, X509_KIND_COLLECTOR, o->names[0], o->names, o->nnames, base);
}

static int cmd_revoke(const struct certs_opts *o)
{
	if (o->nnames != 1 || !valid_id(o->names[0])) {
		fprintf(stderr, "pantauctl certs revoke: give one agent id\n");
		return CTL_USAGE;
	}
	X509 *ca;
	EVP_PKEY *cakey;
	if (load_ca(o->dir, &ca, &cakey) < 0)
		return CTL_FAILED;
	int n = x509_index_revoke(o->dir, o->names[0]);
	int rc = n < 0 ? n : x509_write_crl(o->dir, ca, cakey);
	X509_free(ca);
	EVP_PKEY_free(cakey);
	if (n == 0) {
		fprintf(stderr, "pantauctl certs revoke: no valid certificate of agent '%s' in "
				"%s/index.tsv\n", o->names[0], o->dir);
		return CTL_FAILED;
	}
	if (rc < 0) {
		x509_report("pantauctl certs revoke");
		return CTL_FAILED;
	}
	printf("revoked %d certificate(s) of agent %s; %s/crl.pem rewritten (the collector "
	       "rereads it within a second)\n", n, o->names[0], o->dir);
	return CTL_OK;
}

int ctl_certs(int argc, char **argv)
{
	if (argc < 1 || strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0 ||
	    strcmp(argv[0], "help") == 0) {
		certs_usage(argc < 1 ? stderr : stdout);
		return argc < 1 ? CTL_USAGE : CTL_OK;
	}
	struct certs_opts o = {0};
	if (parse_opts(argc - 1, argv + 1, &o) < 0) {
		certs_usage(stderr);
		return CTL_USAGE;
	}
	const char *what = argv[0];
	if (strcmp(what, "init") == 0)
		return o.nnames ? (certs_usage(stderr), CTL_USAGE) : cmd_init(&o);
	if (strcmp(what, "agent") == 0)
		return cmd_agent(&o);
	if (strcmp(what, "collector") == 0)
		return cmd_collector(&o);
	if (strcmp(what, "revoke") == 0)
		return cmd_revoke(&o);
	fprintf(stderr, "pantauctl certs: unknown action '%s'\n", what);
	certs_usage(stderr);
	return CTL_USAGE;
}
