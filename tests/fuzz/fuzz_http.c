/* libFuzzer target: the collector's HTTP request-head parser, which reads
 * whatever anyone who reaches the HTTP port sends. Besides surviving every
 * input, the parser must agree with itself: a head that parses from the
 * whole input parses the same from exactly its own bytes, and every prefix
 * of it asks for more bytes (or is already known to be bad). */
#include "http.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_result(int rc, const struct http_request *req, size_t len)
{
	if (rc != 1 && rc != 0 && rc != -E2BIG && rc != -EBADMSG)
		abort();
	if (rc != 1)
		return;
	if (req->head_len == 0 || req->head_len > len || req->head_len > HTTP_MAX_HEAD)
		abort();
	if (!memchr(req->method, '\0', sizeof(req->method)) ||
	    !memchr(req->path, '\0', sizeof(req->path)) || req->path[0] != '/')
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct http_request req;
	memset(&req, 0, sizeof(req));
	int rc = http_parse_head(text, size, HTTP_MAX_HEAD, &req);
	check_result(rc, &req, size);
	if (rc != 1)
		return 0;

	struct http_request again;
	memset(&again, 0, sizeof(again));
	if (http_parse_head(text, req.head_len, HTTP_MAX_HEAD, &again) != 1 ||
	    again.head_len != req.head_len || strcmp(again.path, req.path) != 0 ||
	    strcmp(again.method, req.method) != 0)
		abort();
	for (size_t cut = 0; cut < req.head_len; cut += 1 + cut / 8) {
		struct http_request part;
		int prc = http_parse_head(text, cut, HTTP_MAX_HEAD, &part);
		if (prc == 1)
			abort(); /* a complete head cannot end before its blank line */
	}
	return 0;
}
