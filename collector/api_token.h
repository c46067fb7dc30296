/* API tokens (collector config `api: { tokens: [...] }`): only SHA-256
 * hashes are configured; api_auth.c checks a Bearer token against them in
 * constant time. Kept apart from api.h so the config needs no libuv. */
#ifndef PANTAU_COLLECTOR_API_TOKEN_H
#define PANTAU_COLLECTOR_API_TOKEN_H

#include "conf.h"
#include "perr.h"

#include <stddef.h>
#include <stdint.h>

enum { API_MAX_TOKEN = 256 }; /* longer Authorization values are refused unhashed */

enum api_role { API_ROLE_VIEWER, API_ROLE_BACKUP, API_ROLE_OPERATOR };

struct api_token {
	char *name;
	uint8_t sha256[32];
	int role; /* enum api_role */
};

struct api_tokens {
	struct api_token *v;
	size_t n;
};

/* Reads the `api:` section (node may be NULL: no tokens). 0 or -EINVAL
 * with "[file:line] ..." in err. Free with api_tokens_free (also on error). */
int api_tokens_parse(const struct conf_node *node, struct api_tokens *t, struct perr *err);
void api_tokens_free(struct api_tokens *t);

/* The token an Authorization header value ("Bearer TOKEN") names, or NULL.
 * Every configured hash is compared, in constant time, whatever matches. */
const struct api_token *api_auth(const struct api_tokens *t, const char *value, size_t len);

/* Hex SHA-256 of token into out (65 bytes). */
void api_token_hash_hex(const char *token, char out[65]);

#endif
