/* pantauctl api token NAME [--role operator|viewer|backup]: a new random
 * API token for the collector's HTTP API (collector/api.h). The token is
 * printed once and stored nowhere; the collector config gets only its
 * SHA-256 hash, in the line printed after it. */
#include "ctl.h"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>

static void usage(FILE *f)
{
	fprintf(f, "usage: pantauctl api token NAME [--role operator|viewer|backup]\n"
		   "  prints a new token (give it to NAME; shown once) and the line for the\n"
		   "  collector config's api: tokens: list (its SHA-256 hash, never the token)\n");
}

static void hex(const unsigned char *p, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = '\0';
}

/* NAME goes into YAML unquoted: keep it to a safe alphabet. */
static int check_name(const char *name)
{
	if (!name[0] || strlen(name) > 64)
		return -1;
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.'))
			return -1;
	return 0;
}

static int cmd_token(int argc, char **argv)
{
	const char *name = NULL, *role = "operator";
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--role") == 0 && i + 1 < argc)
			role = argv[++i];
		else if (!name && argv[i][0] != '-')
			name = argv[i];
		else
			return usage(stderr), CTL_USAGE;
	}
	if (!name || check_name(name) < 0 ||
	    (strcmp(role, "operator") != 0 && strcmp(role, "viewer") != 0 &&
	     strcmp(role, "backup") != 0)) {
		usage(stderr);
		return CTL_USAGE;
	}
	unsigned char raw[32], digest[32];
	char token[8 + 65], hash[65];
	unsigned dlen = sizeof(digest);
	if (RAND_bytes(raw, sizeof(raw)) != 1) {
		fprintf(stderr, "pantauctl: no random bytes from OpenSSL\n");
		return CTL_FAILED;
	}
	memcpy(token, "pantau_", 7);
	hex(raw, sizeof(raw), token + 7);
	if (EVP_Digest(token, strlen(token), digest, &dlen, EVP_sha256(), NULL) != 1) {
		fprintf(stderr, "pantauctl: SHA-256 failed\n");
		return CTL_FAILED;
	}
	hex(digest, sizeof(digest), hash);
	printf("%s\n", token);
	printf("  - { name: %s, sha256: %s, role: %s }\n", name, hash, role);
	fprintf(stderr,
		"pantauctl: line 1 is the token for %s (shown only now); line 2 goes "
		"under 'api: tokens:' in the collector config\n",
		name);
	return CTL_OK;
}

int ctl_api(int argc, char **argv)
{
	if (argc >= 1 && strcmp(argv[0], "token") == 0)
		return cmd_token(argc - 1, argv + 1);
	if (argc == 1 && strcmp(argv[0], "--help") == 0) {
		usage(stdout);
		return CTL_OK;
	}
	usage(stderr);
	return CTL_USAGE;
}
