/* API tokens: the `api:` config section and the Bearer check (api.h). */
#include "api.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct token_raw {
	char *name, *sha256;
	int role;
};

static const char *const role_names[] = {"viewer", "backup", "operator", NULL};

static const struct conf_option token_options[] = {
	{"name", CONF_T_STRING, offsetof(struct token_raw, name), true, NULL},
	{"sha256", CONF_T_STRING, offsetof(struct token_raw, sha256), true, NULL},
	{"role", CONF_T_ENUM, offsetof(struct token_raw, role), true, NULL, 0, 0, role_names},
};

struct api_raw {
	const struct conf_node *tokens;
};

static const struct conf_option api_options[] = {
	{"tokens", CONF_T_NODE, offsetof(struct api_raw, tokens), false, NULL},
};

static int hex_value(char c)
{
	return c >= '0' && c <= '9'   ? c - '0'
	       : c >= 'a' && c <= 'f' ? c - 'a' + 10
	       : c >= 'A' && c <= 'F' ? c - 'A' + 10
				      : -1;
}

static int parse_hash(const char *hex, uint8_t out[32])
{
	if (strlen(hex) != 64)
		return -EINVAL;
	for (size_t i = 0; i < 32; i++) {
		int hi = hex_value(hex[2 * i]), lo = hex_value(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -EINVAL;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

static int parse_token(const struct conf_node *item, struct api_tokens *t, struct perr *err)
{
	struct token_raw raw = {0};
	int rc = conf_apply(token_options, CONF_COUNT(token_options), item, "api.tokens[]", &raw,
			    err);
	struct api_token *tok = &t->v[t->n];
	if (rc == 0 && !raw.name[0])
		rc = conf_error(err, item, "api.tokens[]: name must not be empty");
	for (size_t i = 0; rc == 0 && i < t->n; i++)
		if (strcmp(t->v[i].name, raw.name) == 0)
			rc = conf_error(err, item, "api.tokens[]: the name '%s' is used twice",
					raw.name);
	if (rc == 0 && parse_hash(raw.sha256, tok->sha256) < 0)
		rc = conf_error(err, conf_get(item, "sha256"),
				"api.tokens[]: sha256 must be 64 hex digits (the hash that "
				"'pantauctl api token %s' prints, never the token itself)",
				raw.name);
	if (rc == 0) {
		tok->name = raw.name;
		tok->role = raw.role;
		raw.name = NULL;
		t->n++;
	}
	conf_release(token_options, CONF_COUNT(token_options), &raw);
	return rc;
}

int api_tokens_parse(const struct conf_node *node, struct api_tokens *t, struct perr *err)
{
	struct api_raw raw = {0};
	memset(t, 0, sizeof(*t));
	int rc = conf_apply(api_options, CONF_COUNT(api_options), node, "api", &raw, err);
	if (rc < 0 || !raw.tokens)
		return rc;
	if (raw.tokens->kind != CONF_SEQ)
		return conf_error(err, raw.tokens,
				  "api.tokens must be a list of { name, sha256, role }");
	if (raw.tokens->n == 0)
		return 0;
	if (!(t->v = calloc(raw.tokens->n, sizeof(*t->v))))
		return perr_setc(err, -ENOMEM, "out of memory");
	for (size_t i = 0; rc == 0 && i < raw.tokens->n; i++)
		rc = parse_token(raw.tokens->items[i], t, err);
	return rc;
}

void api_tokens_free(struct api_tokens *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i].name);
	free(t->v);
	memset(t, 0, sizeof(*t));
}

static void sha256(const void *data, size_t len, uint8_t out[32])
{
	unsigned n = 32;
	if (EVP_Digest(data, len, out, &n, EVP_sha256(), NULL) != 1)
		memset(out, 0, 32); /* matches no configured hash but by chance */
}

void api_token_hash_hex(const char *token, char out[65])
{
	uint8_t h[32];
	static const char digits[] = "0123456789abcdef";
	sha256(token, strlen(token), h);
	for (size_t i = 0; i < 32; i++) {
		out[2 * i] = digits[h[i] >> 4];
		out[2 * i + 1] = digits[h[i] & 15];
	}
	out[64] = '\0';
}

const struct api_token *api_auth(const struct api_tokens *t, const char *value, size_t len)
{
	static const char scheme[] = "Bearer ";
	size_t sl = sizeof(scheme) - 1;
	if (!value || len <= sl || len - sl > API_MAX_TOKEN || strncasecmp(value, scheme, sl) != 0)
		return NULL;
	const char *tok = value + sl;
	size_t tlen = len - sl;
	while (tlen > 0 && *tok == ' ') {
		tok++;
		tlen--;
	}
	if (tlen == 0)
		return NULL;
	uint8_t h[32];
	sha256(tok, tlen, h);
	/* No early exit: the time taken does not depend on which token matched. */
	const struct api_token *found = NULL;
	for (size_t i = 0; i < t->n; i++) {
		bool same = CRYPTO_memcmp(h, t->v[i].sha256, sizeof(h)) == 0;
		found = same && !found ? &t->v[i] : found;
	}
	return found;
}

bool api_role_allows(int role, enum api_need need)
{
	switch (role) {
	case API_ROLE_OPERATOR:
		return true;
	case API_ROLE_VIEWER:
		return need == API_NEED_READ;
	case API_ROLE_BACKUP:
		return need == API_NEED_BACKUP;
	default:
		return false;
	}
}
