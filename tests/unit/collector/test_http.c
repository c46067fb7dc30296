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

TEST_MAIN(a_complete_get_is_parsed, query_string_is_dropped_and_bare_newlines_accepted,
	  other_methods_parse_so_the_server_can_answer_405, partial_heads_need_more_bytes,
	  slowloris_that_never_ends_its_head_hits_the_cap,
	  a_head_longer_than_the_cap_is_too_big_even_when_complete, garbage_is_refused_early,
	  an_overlong_path_is_refused)
