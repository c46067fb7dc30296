/* The API's pure parts: the strict JSON reader, the token check, routing
 * and roles, and turning requests into SQL parameters. */
#include "api.h"
#include "api_json.h"
#include "test.h"

#include <errno.h>
#include <stdlib.h>

static struct api_json_field ack_fields[3];

static int read_ack(const char *s, struct perr *err)
{
	struct api_json_field f[] = {
		{"by", API_JSON_STRING, true},
		{"size", API_JSON_INT, false},
		{"flag", API_JSON_BOOL, false},
	};
	api_json_free(ack_fields, 3);
	memcpy(ack_fields, f, sizeof(f));
	return api_json_read(s, strlen(s), ack_fields, 3, err);
}

TEST(json_reads_a_flat_object)
{
	struct perr err;
	ASSERT_EQ_INT(
		read_ack(" {\"by\" : \"bu\\u00e9di\\n\", \"size\": -42, \"flag\": true}\n", &err),
		0);
	ASSERT_EQ_STR(ack_fields[0].s, "bu\xc3\xa9"
				       "di\n");
	ASSERT_EQ_INT(ack_fields[1].i, -42);
	ASSERT_TRUE(ack_fields[2].present && ack_fields[2].b);
	ASSERT_EQ_INT(read_ack("{\"by\":\"\\ud83d\\ude00\",\"size\":null}", &err), 0);
	ASSERT_EQ_STR(ack_fields[0].s, "\xf0\x9f\x98\x80");
	ASSERT_TRUE(!ack_fields[1].present);
	ASSERT_EQ_INT(read_ack("{\"by\":\"x\",\"size\":9223372036854775807}", &err), 0);
	ASSERT_EQ_INT(ack_fields[1].i, INT64_MAX);
	ASSERT_EQ_INT(read_ack("{\"by\":\"x\",\"size\":-9223372036854775808}", &err), 0);
	ASSERT_EQ_INT(ack_fields[1].i, INT64_MIN);
}

TEST(json_refuses_what_is_not_strictly_valid)
{
	static const char *const bad[] = {
		"",
		"[]",
		"{",
		"{\"by\":\"x\"",
		"{\"by\":\"x\",}",
		"{\"by\":\"x\"} x",
		"{\"by\":'x'}",
		"{by:\"x\"}",
		"{\"by\":\"x\",\"by\":\"y\"}",
		"{\"by\":\"x\",\"other\":1}",
		"{\"by\":{\"a\":1}}",
		"{\"by\":[\"x\"]}",
		"{\"by\":1}",
		"{\"by\":\"x\",\"size\":1.5}",
		"{\"by\":\"x\",\"size\":1e3}",
		"{\"by\":\"x\",\"size\":01}",
		"{\"by\":\"x\",\"size\":9223372036854775808}",
		"{\"by\":\"x\",\"size\":-}",
		"{\"by\":\"x\",\"flag\":1}",
		"{\"by\":\"x\",\"flag\":tru}",
		"{\"by\":\"a\\u0000b\"}",
		"{\"by\":\"\\ud83d\"}",
		"{\"by\":\"\\ude00\"}",
		"{\"by\":\"\\x41\"}",
		"{\"by\":\"tab\there\"}",
		"{\"by\":\"\xc3\"}",
		"{\"by\":\"\xc0\xaf\"}",
		"{\"by\":\"\xed\xa0\x80\"}",
		"{\"by\":null}",
		"{}",
	};
	struct perr err;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = read_ack(bad[i], &err);
		if (rc != -EINVAL)
			TEST_FAIL_("accepted (%d): %s", rc, bad[i]);
	}
	ASSERT_EQ_INT(read_ack("{\"by\":\"x\",\"zzz\":1}", &err), -EINVAL);
	ASSERT_CONTAINS(err.msg, "unknown key 'zzz'");
	ASSERT_EQ_INT(read_ack("{\"size\":1}", &err), -EINVAL);
	ASSERT_CONTAINS(err.msg, "'by' is required");
	api_json_free(ack_fields, 3);
}

TEST(json_caps_string_length)
{
	size_t n = API_JSON_MAX_STRING + 20;
	char *s = malloc(n + 16);
	memcpy(s, "{\"by\":\"", 7);
	memset(s + 7, 'a', n);
	memcpy(s + 7 + n, "\"}", 3);
	struct perr err;
	ASSERT_EQ_INT(read_ack(s, &err), -EINVAL);
	ASSERT_CONTAINS(err.msg, "too long");
	free(s);
	api_json_free(ack_fields, 3);
}

/* SHA-256("pantau_test") and another hash. */
static struct api_tokens two_tokens(struct api_token *v)
{
	memset(v, 0, 2 * sizeof(*v));
	char hex[65];
	api_token_hash_hex("pantau_test", hex);
	for (int i = 0; i < 32; i++) {
		unsigned x;
		sscanf(hex + 2 * i, "%2x", &x);
		v[1].sha256[i] = (uint8_t)x;
	}
	v[0].name = "other";
	v[0].role = API_ROLE_OPERATOR;
	v[0].sha256[0] = 1;
	v[1].name = "noc";
	v[1].role = API_ROLE_VIEWER;
	return (struct api_tokens){.v = v, .n = 2};
}

TEST(tokens_are_checked_by_hash)
{
	struct api_token v[2];
	struct api_tokens t = two_tokens(v);
	char hex[65];
	api_token_hash_hex("abc", hex);
	ASSERT_EQ_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	const char *ok = "Bearer pantau_test";
	ASSERT_TRUE(api_auth(&t, ok, strlen(ok)) == &v[1]);
	ASSERT_TRUE(api_auth(&t, "bearer pantau_test", 18) == &v[1]);
	ASSERT_TRUE(api_auth(&t, "Bearer pantau_tesT", 18) == NULL);
	ASSERT_TRUE(api_auth(&t, "Bearer pantau_tes", 17) == NULL);
	ASSERT_TRUE(api_auth(&t, "Basic pantau_test", 17) == NULL);
	ASSERT_TRUE(api_auth(&t, "Bearer ", 7) == NULL);
	ASSERT_TRUE(api_auth(&t, NULL, 0) == NULL);
	struct api_tokens none = {0};
	ASSERT_TRUE(api_auth(&none, ok, strlen(ok)) == NULL);
}

TEST(tokens_config_is_checked)
{
	static const char good[] =
		"api:\n  tokens:\n"
		"    - { name: a, sha256: "
		"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad, "
		"role: viewer }\n";
	static const char dup[] =
		"api:\n  tokens:\n"
		"    - { name: a, sha256: "
		"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad, "
		"role: viewer }\n"
		"    - { name: a, sha256: "
		"aa7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad, "
		"role: operator }\n";
	static const char short_hash[] =
		"api:\n  tokens:\n    - { name: a, sha256: abcd, role: viewer }\n";
	static const char bad_role[] =
		"api:\n  tokens:\n"
		"    - { name: a, sha256: "
		"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad, "
		"role: root }\n";
	struct conf_doc doc;
	struct api_tokens t;
	struct perr err;
	ASSERT_EQ_INT(conf_load_string("c.yaml", good, sizeof(good) - 1, &doc, &err), 0);
	ASSERT_EQ_INT(api_tokens_parse(conf_get(doc.root, "api"), &t, &err), 0);
	ASSERT_EQ_UINT(t.n, 1);
	ASSERT_EQ_STR(t.v[0].name, "a");
	ASSERT_EQ_INT(t.v[0].role, API_ROLE_VIEWER);
	ASSERT_TRUE(api_auth(&t, "Bearer abc", 10) == &t.v[0]);
	api_tokens_free(&t);
	conf_doc_free(&doc);
	const char *bads[] = {dup, short_hash, bad_role};
	const char *why[] = {"used twice", "64 hex digits", "role"};
	for (int i = 0; i < 3; i++) {
		ASSERT_EQ_INT(conf_load_string("c.yaml", bads[i], strlen(bads[i]), &doc, &err), 0);
		ASSERT_EQ_INT(api_tokens_parse(conf_get(doc.root, "api"), &t, &err), -EINVAL);
		ASSERT_CONTAINS(err.msg, why[i]);
		ASSERT_CONTAINS(err.msg, "[c.yaml:");
		api_tokens_free(&t);
		conf_doc_free(&doc);
	}
}

TEST(routes_and_roles)
{
	struct api_route r;
	ASSERT_EQ_INT(api_route_match("GET", "/api/v1/alerts", &r), 0);
	ASSERT_EQ_INT(r.ep, API_ALERTS_LIST);
	ASSERT_EQ_INT(api_route_match("HEAD", "/api/v1/alerts", &r), 0);
	ASSERT_EQ_INT(api_route_match("POST", "/api/v1/alerts", &r), -EOPNOTSUPP);
	ASSERT_EQ_INT(api_route_match("POST", "/api/v1/alerts/17/ack", &r), 0);
	ASSERT_EQ_INT(r.ep, API_ALERT_ACK);
	ASSERT_EQ_STR(r.id, "17");
	ASSERT_EQ_INT(r.need, API_NEED_WRITE);
	ASSERT_EQ_INT(api_route_match("GET", "/api/v1/alerts/17/ack", &r), -EOPNOTSUPP);
	ASSERT_EQ_INT(api_route_match("POST", "/api/v1/alerts/017/ack", &r), -ENOENT);
	ASSERT_EQ_INT(api_route_match("POST", "/api/v1/alerts/1x/ack", &r), -ENOENT);
	ASSERT_EQ_INT(api_route_match("POST", "/api/v1/alerts//ack", &r), -ENOENT);
	ASSERT_EQ_INT(api_route_match("POST", "/api/v1/alerts/1/ack/", &r), -ENOENT);
	ASSERT_EQ_INT(api_route_match("POST", "/api/v1/alerts/1234567890123456789/ack", &r),
		      -ENOENT);
	ASSERT_EQ_INT(api_route_match("GET", "/api/v1/maintenance", &r), 0);
	ASSERT_EQ_INT(r.ep, API_MAINT_LIST);
	ASSERT_EQ_INT(api_route_match("POST", "/api/v1/maintenance", &r), 0);
	ASSERT_EQ_INT(r.ep, API_MAINT_ADD);
	ASSERT_EQ_INT(api_route_match("DELETE", "/api/v1/maintenance", &r), -EOPNOTSUPP);
	ASSERT_EQ_INT(api_route_match("POST", "/api/v1/maintenance/9/end", &r), 0);
	ASSERT_EQ_INT(r.ep, API_MAINT_END);
	ASSERT_EQ_INT(api_route_match("POST", "/api/v1/backups/runs", &r), 0);
	ASSERT_EQ_INT(r.need, API_NEED_BACKUP);
	ASSERT_EQ_INT(api_route_match("GET", "/api/v2/alerts", &r), -ENOENT);
	ASSERT_TRUE(api_role_allows(API_ROLE_VIEWER, API_NEED_READ));
	ASSERT_TRUE(!api_role_allows(API_ROLE_VIEWER, API_NEED_WRITE));
	ASSERT_TRUE(!api_role_allows(API_ROLE_VIEWER, API_NEED_BACKUP));
	ASSERT_TRUE(api_role_allows(API_ROLE_BACKUP, API_NEED_BACKUP));
	ASSERT_TRUE(!api_role_allows(API_ROLE_BACKUP, API_NEED_READ));
	ASSERT_TRUE(api_role_allows(API_ROLE_OPERATOR, API_NEED_WRITE));
	ASSERT_TRUE(!api_role_allows(7, API_NEED_READ));
}

static int build(const char *method, const char *target, const char *body, struct api_call *c,
		 struct perr *err)
{
	char head[1024];
	struct http_request req;
	snprintf(head, sizeof(head), "%s %s HTTP/1.1\r\nContent-Length: %zu\r\n\r\n", method,
		 target, body ? strlen(body) : 0);
	if (http_parse_head(head, strlen(head), sizeof(head), &req) != 1)
		return -99;
	req.body = body;
	req.body_len = body ? strlen(body) : 0;
	struct api_route r;
	if (api_route_match(req.method, req.path, &r) < 0)
		return -98;
	struct api_token tok = {.name = "noc-1", .role = API_ROLE_OPERATOR};
	return api_call_build(&r, &req, &tok, c, err);
}

TEST(requests_become_parameters)
{
	struct api_call c;
	struct perr err;
	ASSERT_EQ_INT(
		build("GET", "/api/v1/alerts?device=ups-%2A&state=firing&limit=5", NULL, &c, &err),
		0);
	ASSERT_EQ_INT(c.np, 5);
	ASSERT_EQ_STR(c.p[0], "false");
	ASSERT_EQ_STR(c.p[1], "firing");
	ASSERT_EQ_STR(c.p[2], "ups-*");
	ASSERT_TRUE(c.p[3] == NULL);
	ASSERT_EQ_STR(c.p[4], "5");
	api_call_free(&c);
	ASSERT_EQ_INT(build("GET", "/api/v1/alerts?state=resolved", NULL, &c, &err), 0);
	ASSERT_EQ_STR(c.p[0], "true");
	ASSERT_EQ_STR(c.p[4], "1000");
	api_call_free(&c);
	ASSERT_EQ_INT(build("GET", "/api/v1/alerts?device=%zz", NULL, &c, &err), -EINVAL);
	api_call_free(&c);
	ASSERT_EQ_INT(build("GET", "/api/v1/alerts?limit=100000", NULL, &c, &err), -EINVAL);
	api_call_free(&c);
	ASSERT_EQ_INT(build("POST", "/api/v1/alerts/5/ack", "{\"comment\":\"on it\"}", &c, &err),
		      0);
	ASSERT_EQ_STR(c.p[0], "5");
	ASSERT_TRUE(c.p[1] == NULL); /* by: the token's name, in SQL */
	ASSERT_EQ_STR(c.p[2], "on it");
	ASSERT_EQ_STR(c.p[3], "noc-1");
	api_call_free(&c);
	ASSERT_EQ_INT(build("POST", "/api/v1/alerts/5/ack", NULL, &c, &err), -EINVAL);
	api_call_free(&c);
	ASSERT_EQ_INT(build("POST", "/api/v1/maintenance",
			    "{\"scope\":\"group\",\"target\":\"ups\",\"for\":\"1 hour\","
			    "\"every\":\"monthly\",\"reason\":\"r\"}",
			    &c, &err),
		      0);
	ASSERT_EQ_INT(c.np, 10);
	ASSERT_EQ_STR(c.p[5], "monthly");
	ASSERT_EQ_STR(c.p[9], "noc-1");
	api_call_free(&c);
	ASSERT_EQ_INT(build("POST", "/api/v1/maintenance",
			    "{\"scope\":\"group\",\"target\":\"ups\",\"for\":\"1 hour\","
			    "\"until\":\"2030-01-01\",\"reason\":\"r\"}",
			    &c, &err),
		      -EINVAL);
	ASSERT_CONTAINS(err.msg, "'until' needs 'every'");
	api_call_free(&c);
	ASSERT_EQ_INT(build("POST", "/api/v1/backups/runs",
			    "{\"job\":\"j\",\"finished_at\":\"2026-01-01\",\"status\":\"ok\","
			    "\"size_bytes\":12,\"restore_test\":true}",
			    &c, &err),
		      0);
	ASSERT_EQ_INT(c.np, 8);
	ASSERT_EQ_STR(c.p[1], "noc-1");
	ASSERT_EQ_STR(c.p[5], "12");
	ASSERT_EQ_STR(c.p[7], "true");
	api_call_free(&c);
}

TEST_MAIN(json_reads_a_flat_object, json_refuses_what_is_not_strictly_valid,
	  json_caps_string_length, tokens_are_checked_by_hash, tokens_config_is_checked,
	  routes_and_roles, requests_become_parameters)
