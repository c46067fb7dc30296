/* pantauctl evidence: the signing key and verification of exported files.
 *
 *   pantauctl evidence keygen --dir DIR
 *   pantauctl evidence verify FILE [--pubkey PEM]
 *
 * keygen writes DIR/evidence.key (Ed25519, PKCS#8 PEM, mode 0600) and
 * DIR/evidence.pub (the public key to hand to auditors); it never
 * overwrites a key. verify prints "valid ..." and exits 0, or prints where
 * the file was changed and exits 1 (see evidence.h). */
#include "ctl.h"
#include "evidence.h"
#include "report_pdf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/pem.h>

enum { EVIDENCE_MAX_FILE = 1 << 30 };

static void usage(FILE *f)
{
	fprintf(f, "usage:\n"
		   "  pantauctl evidence keygen --dir DIR\n"
		   "      DIR/evidence.key (Ed25519 signing key, mode 0600) and DIR/evidence.pub\n"
		   "  pantauctl evidence verify FILE [--pubkey PEM]\n"
		   "      checks an export's hash chain and signature; with --pubkey also that\n"
		   "      the trusted key signed it. A PDF report: its signature and its\n"
		   "      sidecar FILE.csv. Exit 0 valid, 1 not valid or unreadable.\n");
}

int evidence_key_load(const char *path, EVP_PKEY **key, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -errno;
	}
	*key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	if (!*key || EVP_PKEY_id(*key) != EVP_PKEY_ED25519) {
		snprintf(err, errlen, "%s: not an Ed25519 private key in PEM", path);
		EVP_PKEY_free(*key);
		*key = NULL;
		return -EINVAL;
	}
	return 0;
}

/* The raw 32-byte key of a PEM public key file. */
static int load_pubkey(const char *path, uint8_t out[32])
{
	FILE *f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "pantauctl evidence: %s: %s\n", path, strerror(errno));
		return -errno;
	}
	EVP_PKEY *k = PEM_read_PUBKEY(f, NULL, NULL, NULL);
	fclose(f);
	size_t n = 32;
	int ok = k && EVP_PKEY_id(k) == EVP_PKEY_ED25519 &&
		 EVP_PKEY_get_raw_public_key(k, out, &n) == 1 && n == 32;
	EVP_PKEY_free(k);
	if (!ok) {
		fprintf(stderr, "pantauctl evidence: %s: not an Ed25519 public key in PEM\n", path);
		return -EINVAL;
	}
	return 0;
}

/* Creates path (never replacing a file) with mode and writes the key. */
static int write_pem(const char *dir, const char *name, mode_t mode, EVP_PKEY *k, bool private)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (fd < 0) {
		fprintf(stderr, "pantauctl evidence: %s: %s%s\n", path, strerror(errno),
			errno == EEXIST ? " (a key is never overwritten; move it away first)" : "");
		return -1;
	}
	FILE *f = fdopen(fd, "w");
	int ok = f && (private ? PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL)
			       : PEM_write_PUBKEY(f, k));
	ok = f && fflush(f) == 0 && fsync(fd) == 0 && ok;
	if (f)
		fclose(f);
	else
		close(fd);
	if (!ok) {
		fprintf(stderr, "pantauctl evidence: writing %s failed\n", path);
		unlink(path);
		return -1;
	}
	return 0;
}

static int keygen(int argc, char **argv)
{
	const char *dir = NULL;
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc) {
			dir = argv[++i];
		} else {
			usage(stderr);
			return CTL_USAGE;
		}
	}
	if (!dir) {
		usage(stderr);
		return CTL_USAGE;
	}
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		fprintf(stderr, "pantauctl evidence: %s: %s\n", dir, strerror(errno));
		return CTL_FAILED;
	}
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	if (!k) {
		fprintf(stderr, "pantauctl evidence: Ed25519 key generation failed\n");
		return CTL_FAILED;
	}
	int rc = write_pem(dir, "evidence.key", 0600, k, true);
	if (rc == 0 && write_pem(dir, "evidence.pub", 0644, k, false) < 0) {
		char path[4096];
		snprintf(path, sizeof(path), "%s/evidence.key", dir);
		unlink(path); /* no private key without its public half */
		rc = -1;
	}
	uint8_t pub[32];
	size_t n = sizeof(pub);
	char hex[65];
	if (rc == 0 && EVP_PKEY_get_raw_public_key(k, pub, &n) == 1) {
		evidence_hex(pub, 32, hex);
		printf("%s/evidence.key and %s/evidence.pub written; public key %s\n", dir, dir,
		       hex);
	}
	EVP_PKEY_free(k);
	return rc == 0 ? CTL_OK : CTL_FAILED;
}

/* Reads a whole file (at most EVIDENCE_MAX_FILE bytes) into *out. */
static int read_file(const char *path, struct buf *out)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return -errno;
	char chunk[65536];
	size_t n;
	int rc = 0;
	while (rc == 0 && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		rc = buf_append(out, chunk, n);
	if (rc == 0 && ferror(f))
		rc = -EIO;
	fclose(f);
	return rc;
}

/* A PDF report: its signature, and its sidecar FILE.csv (report_pdf.h). */
static int verify_pdf(const char *file, const struct buf *pdf, const uint8_t *trusted)
{
	char sidecar[4096], msg[512], hex[65];
	snprintf(sidecar, sizeof(sidecar), "%s.csv", file);
	const char *base = strrchr(sidecar, '/');
	struct buf sc;
	buf_init(&sc, EVIDENCE_MAX_FILE);
	int rc = read_file(sidecar, &sc);
	if (rc < 0) {
		printf("NOT valid: %s: its sidecar %s cannot be read: %s\n", file, sidecar,
		       strerror(-rc));
		buf_free(&sc);
		return CTL_FAILED;
	}
	uint8_t pub[32];
	rc = report_pdf_verify((const char *)pdf->data, pdf->len, (const char *)sc.data, sc.len,
			       base ? base + 1 : sidecar, trusted, pub, msg, sizeof(msg));
	buf_free(&sc);
	if (rc < 0) {
		printf("NOT valid: %s: %s\n", file, msg);
		return CTL_FAILED;
	}
	evidence_hex(pub, 32, hex);
	printf("%s (signed by key %s%s)\n", msg, hex,
	       trusted ? ", the trusted key" : "; not checked against a trusted key: pass --pubkey");
	return CTL_OK;
}

static int verify_cmd(int argc, char **argv)
{
	const char *file = NULL, *pubkey = NULL;
	bool bad = false;
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--pubkey") == 0 && i + 1 < argc)
			pubkey = argv[++i];
		else if (argv[i][0] != '-' && !file)
			file = argv[i];
		else
			bad = true;
	}
	if (!file || bad) {
		usage(stderr);
		return CTL_USAGE;
	}
	uint8_t trusted[32];
	if (pubkey && load_pubkey(pubkey, trusted) < 0)
		return CTL_FAILED;
	struct buf b;
	buf_init(&b, EVIDENCE_MAX_FILE);
	int rc = read_file(file, &b);
	if (rc < 0) {
		fprintf(stderr, "pantauctl evidence: %s: %s\n", file, strerror(-rc));
		buf_free(&b);
		return CTL_FAILED;
	}
	if (report_pdf_is_pdf((const char *)b.data, b.len)) {
		rc = verify_pdf(file, &b, pubkey ? trusted : NULL);
		buf_free(&b);
		return rc;
	}
	struct evidence_report r;
	rc = evidence_verify((const char *)b.data, b.len, pubkey ? trusted : NULL, &r);
	buf_free(&b);
	if (rc == -ENOMEM) {
		fprintf(stderr, "pantauctl evidence: out of memory\n");
		return CTL_FAILED;
	}
	char hex[65];
	evidence_hex(r.pubkey, 32, hex);
	if (rc == 0) {
		printf("%s (signed by key %s%s)\n", r.message, hex,
		       pubkey ? ", the trusted key"
			      : "; not checked against a trusted key: pass --pubkey");
		return CTL_OK;
	}
	printf("NOT valid: %s: %s\n", file, r.message);
	return CTL_FAILED;
}

int ctl_evidence(int argc, char **argv)
{
	if (argc >= 1 && strcmp(argv[0], "keygen") == 0)
		return keygen(argc - 1, argv + 1);
	if (argc >= 1 && strcmp(argv[0], "verify") == 0)
		return verify_cmd(argc - 1, argv + 1);
	if (argc >= 1 && strcmp(argv[0], "audit") == 0)
		return ctl_evidence_audit(argc - 1, argv + 1);
	bool help = argc >= 1 && (strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0);
	usage(help ? stdout : stderr);
	return help ? CTL_OK : CTL_USAGE;
}
