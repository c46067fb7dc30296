/* The HTTP request-head parser: good requests, partial ones (slowloris),
 * oversize heads and garbage. */
#include "http.h"
#include "test.h"

#include <errno.h>
#include <stdlib.h>

static int parse(const char *s, struct http_request *req)
{
	return http_parse_head(s, strlen(s), HTTP_MAX_HEAD, req);
}

TEST(a_complete_get_is_parsed)
{
	struct http_request req;
	const char *s = "GET /metrics HTTP/1.1\r\nHost: x\r\nUser-Agent: curl/8\r\n\r\n";
	ASSERT_EQ_INT(parse(s, &req), 1);
	ASSERT_EQ_STR(req.method, "GET");
	ASSERT_EQ_STR(req.path, "/metrics");
	ASSERT_EQ_UINT(req.head_len, strlen(s));
}

TEST(query_string_is_dropped_and_bare_newlines_accepted)
{
	struct http_request req;
	ASSERT_EQ_INT(parse("HEAD /health?verbose=1 HTTP/1.0\n\n", &req), 1);
	ASSERT_EQ_STR(req.method, "HEAD");
	ASSERT_EQ_STR(req.path, "/health");
}

TEST(other_methods_parse_so_the_server_can_answer_405)
{
	struct http_request req;
	ASSERT_EQ_INT(parse("DELETE /health HTTP/1.1\r\n\r\n", &req), 1);
	ASSERT_EQ_STR(req.method, "DELETE");
}

TEST(partial_heads_need_more_bytes)
{
	struct http_request req;
	ASSERT_EQ_INT(parse("", &req), 0);
	ASSERT_EQ_INT(parse("GE", &req), 0);
	ASSERT_EQ_INT(parse("GET /metrics HTTP/1.1\r\n", &req), 0);
	ASSERT_EQ_INT(parse("GET /metrics HTTP/1.1\r\nHost: x\r\n", &req), 0);
	ASSERT_EQ_INT(parse("GET /metrics HTTP/1.1\r\nX-Slow: aaaaaaaaaaaaaaaaa", &req), 0);
}

TEST(slowloris_that_never_ends_its_head_hits_the_cap)
{
	struct http_request req;
	char *s = malloc(HTTP_MAX_HEAD + 1);
	size_t n = (size_t)snprintf(s, HTTP_MAX_HEAD, "GET / HTTP/1.1\r\n");
	while (n + 8 < HTTP_MAX_HEAD) {
		memcpy(s + n, "X-a: b\r\n", 8);
		n += 8;
	}
	while (n < HTTP_MAX_HEAD)
		s[n++] = 'a';
	ASSERT_EQ_INT(http_parse_head(s, n - 1, HTTP_MAX_HEAD, &req), 0);
	ASSERT_EQ_INT(http_parse_head(s, n, HTTP_MAX_HEAD, &req), -E2BIG);
	free(s);
}

TEST(a_head_longer_than_the_cap_is_too_big_even_when_complete)
{
	struct http_request req;
	const char *s = "GET / HTTP/1.1\r\nHost: example\r\n\r\n";
	ASSERT_EQ_INT(http_parse_head(s, strlen(s), 20, &req), -E2BIG);
}

TEST(garbage_is_refused_early)
{
	struct http_request req;
	static const char tls[] = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00};
	ASSERT_EQ_INT(http_parse_head(tls, sizeof(tls), HTTP_MAX_HEAD, &req), -EBADMSG);
	ASSERT_EQ_INT(parse("get / HTTP/1.1\r\n\r\n", &req), -EBADMSG);
	ASSERT_EQ_INT(parse("GET metrics HTTP/1.1\r\n\r\n", &req), -EBADMSG);
	ASSERT_EQ_INT(parse("GET / HTTP/2.0\r\n\r\n", &req), -EBADMSG);
	ASSERT_EQ_INT(parse("GET / HTTP/1.1 extra\r\n\r\n", &req), -EBADMSG);
	ASSERT_EQ_INT(parse("GET /\r\n\r\n", &req), -EBADMSG);
	ASSERT_EQ_INT(parse("GETTINGLONG / HTTP/1.1\r\n\r\n", &req), -EBADMSG);
	ASSERT_EQ_INT(parse("GET / HTTP/1.1\r\nno colon here\r\n\r\n", &req), -EBADMSG);
	ASSERT_EQ_INT(parse("GET / HTTP/1.1\r\nBad Name: x\r\n\r\n", &req), -EBADMSG);
	ASSERT_EQ_INT(parse("GET / HTTP/1.1\r\nX: \x01\r\n\r\n", &req), -EBADMSG);
}

TEST(an_overlong_path_is_refused)
{
	struct http_request req;
	char s[600];
	memcpy(s, "GET /", 5);
	memset(s + 5, 'a', 300);
	snprintf(s + 305, sizeof(s) - 305, " HTTP/1.1\r\n\r\n");
	ASSERT_EQ_INT(parse(s, &req), -EBADMSG);
}

TEST(headers_and_body_framing_are_read)
{
	struct http_request req;
	const char *s = "POST /api/v1/x?a=1&b=x%2Ay+z&c HTTP/1.1\r\nHost: h\r\n"
			"authorization:   Bearer abc \r\nContent-Length: 12\r\n\r\n{\"by\":\"x\"}";
	ASSERT_EQ_INT(parse(s, &req), 1);
	ASSERT_EQ_STR(req.path, "/api/v1/x");
	ASSERT_EQ_STR(req.query, "a=1&b=x%2Ay+z&c");
	ASSERT_EQ_INT(req.content_length, 12);
	ASSERT_TRUE(!req.transfer_encoding);
	size_t n = 0;
	const char *v = http_header(&req, "Authorization", &n);
	ASSERT_TRUE(v && n == 10 && memcmp(v, "Bearer abc", 10) == 0);
	ASSERT_TRUE(http_header(&req, "X-Missing", &n) == NULL);
	char out[32];
	ASSERT_EQ_INT(http_query_get(req.query, "b", out, sizeof(out)), 1);
	ASSERT_EQ_STR(out, "x*y z");
	ASSERT_EQ_INT(http_query_get(req.query, "c", out, sizeof(out)), 1);
	ASSERT_EQ_STR(out, "");
	ASSERT_EQ_INT(http_query_get(req.query, "d", out, sizeof(out)), 0);
	ASSERT_EQ_INT(http_query_get("a=%0a", "a", out, sizeof(out)), -EINVAL);
	ASSERT_EQ_INT(http_query_get("a=%00", "a", out, sizeof(out)), -EINVAL);
	ASSERT_EQ_INT(http_query_get("a=%4", "a", out, sizeof(out)), -EINVAL);
	ASSERT_EQ_INT(http_query_get("a=12345", "a", out, 4), -EINVAL);
	ASSERT_EQ_INT(parse("GET / HTTP/1.1\r\n\r\n", &req), 1);
	ASSERT_EQ_INT(req.content_length, -1);
	ASSERT_EQ_INT(parse("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", &req), 1);
	ASSERT_TRUE(req.transfer_encoding);
	ASSERT_EQ_INT(parse("POST / HTTP/1.1\r\nContent-Length: 5\r\ncontent-length: 5\r\n\r\n",
			    &req),
		      1);
}

TEST(bad_content_lengths_are_refused)
{
	struct http_request req;
	ASSERT_EQ_INT(parse("POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
			    &req),
		      -EBADMSG);
	ASSERT_EQ_INT(parse("POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", &req), -EBADMSG);
	ASSERT_EQ_INT(parse("POST / HTTP/1.1\r\nContent-Length: 1e3\r\n\r\n", &req), -EBADMSG);
	ASSERT_EQ_INT(parse("POST / HTTP/1.1\r\nContent-Length: \r\n\r\n", &req), -EBADMSG);
	ASSERT_EQ_INT(parse("POST / HTTP/1.1\r\nContent-Length: 1234567890123456789\r\n\r\n",
			    &req),
		      -EBADMSG);
	ASSERT_EQ_INT(parse("POST / HTTP/1.1\r\nContent-Length : 5\r\n\r\n", &req), -EBADMSG);
}

TEST_MAIN(a_complete_get_is_parsed, query_string_is_dropped_and_bare_newlines_accepted,
	  other_methods_parse_so_the_server_can_answer_405, partial_heads_need_more_bytes,
	  slowloris_that_never_ends_its_head_hits_the_cap,
	  a_head_longer_than_the_cap_is_too_big_even_when_complete, garbage_is_refused_early,
	  an_overlong_path_is_refused, headers_and_body_framing_are_read,
	  bad_content_lengths_are_refused)
