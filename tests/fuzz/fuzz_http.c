/* libFuzzer target: the collector's HTTP request-head parser, which reads
 * whatever anyone who reaches the HTTP port sends. Besides surviving every
 * input, the parser must agree with itself: a head that parses from the
 * whole input parses the same from exactly its own bytes (body framing
 * included), and every prefix of it asks for more bytes (or is already
 * known to be bad). Header lookup and query decoding, which the API runs
 * on every request, stay inside the head and their buffers. */
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
	    !memchr(req->path, '\0', sizeof(req->path)) || req->path[0] != '/' ||
	    !memchr(req->query, '\0', sizeof(req->query)) || req->content_length < -1)
		abort();
}

/* Header values lie inside the head; decoded query values fit and hold no
 * control bytes. */
static void check_lookups(const struct http_request *req)
{
	static const char *const names[] = {"authorization", "Content-Length", "Host", "X"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		size_t n = 0;
		const char *v = http_header(req, names[i], &n);
		if (v && (v < req->head || v + n > req->head + req->head_len))
			abort();
	}
	static const char *const keys[] = {"state", "device", "a", ""};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		char out[64];
		int rc = http_query_get(req->query, keys[i], out, sizeof(out));
		if (rc != 0 && rc != 1 && rc != -EINVAL)
			abort();
		if (rc == 1) {
			size_t n = strnlen(out, sizeof(out));
			if (n == sizeof(out))
				abort();
			for (size_t k = 0; k < n; k++)
				if ((unsigned char)out[k] < 0x20 || out[k] == 0x7f)
					abort();
		}
	}
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
	    strcmp(again.method, req.method) != 0 || strcmp(again.query, req.query) != 0 ||
	    again.content_length != req.content_length ||
	    again.transfer_encoding != req.transfer_encoding)
		abort();
	check_lookups(&req);
	for (size_t cut = 0; cut < req.head_len; cut += 1 + cut / 8) {
		struct http_request part;
		int prc = http_parse_head(text, cut, HTTP_MAX_HEAD, &part);
		if (prc == 1)
			abort(); /* a complete head cannot end before its blank line */
	}
	return 0;
}
