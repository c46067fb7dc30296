/* The probe poller's pure parts: ICMP packets, statistics, addresses and
 * the `probe:` section. */
#include "conf.h"
#include "probe_config.h"
#include "probe_http.h"
#include "probe_icmp.h"
#include "test.h"

#include <errno.h>
#include <stdlib.h>

TEST(checksum_matches_rfc1071_and_verifies_to_zero)
{
	/* RFC 1071 section 3's example: the one's complement sum is 0xddf2. */
	static const uint8_t data[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
	ASSERT_EQ_UINT(probe_icmp_checksum(data, sizeof(data)), 0x220d);
	/* An odd length pads with a zero byte. */
	static const uint8_t odd[] = {0x01, 0x02, 0x03};
	ASSERT_EQ_UINT(probe_icmp_checksum(odd, 3), (uint16_t)~0x0402);
	uint8_t pkt[PROBE_ICMP_PACKET];
	probe_icmp_build(pkt, false, 0x1234, 7, 0xdeadbeef);
	ASSERT_EQ_UINT(probe_icmp_checksum(pkt, sizeof(pkt)), 0);
}

TEST(build_writes_type_id_seq_and_payload)
{
	uint8_t pkt[PROBE_ICMP_PACKET];
	ASSERT_EQ_UINT(probe_icmp_build(pkt, false, 0xabcd, 0x0102, 0x11223344), 24);
	ASSERT_EQ_UINT(pkt[0], 8);
	ASSERT_EQ_UINT(pkt[1], 0);
	ASSERT_EQ_UINT(pkt[4] << 8 | pkt[5], 0xabcd);
	ASSERT_EQ_UINT(pkt[6] << 8 | pkt[7], 0x0102);
	ASSERT_TRUE(memcmp(pkt + 8, "PNTU", 4) == 0);
	ASSERT_EQ_UINT(pkt[12], 0x11);
	probe_icmp_build(pkt, true, 1, 2, 3);
	ASSERT_EQ_UINT(pkt[0], 128);
	ASSERT_EQ_UINT(pkt[2] << 8 | pkt[3], 0); /* the kernel fills the v6 checksum */
}

/* Turns a request into the reply a host would send: type, then checksum. */
static void make_reply(uint8_t *pkt, bool ipv6)
{
	pkt[0] = ipv6 ? 129 : 0;
	pkt[2] = pkt[3] = 0;
	if (!ipv6) {
		uint16_t c = probe_icmp_checksum(pkt, PROBE_ICMP_PACKET);
		pkt[2] = (uint8_t)(c >> 8);
		pkt[3] = (uint8_t)c;
	}
}

TEST(parse_table)
{
	struct {
		const char *what;
		bool ipv6, ip_header;
		int mutate; /* 0 none, 1 other nonce, 2 leave as request, 3 flip a byte, 4 truncate,
			       5 payload seq differs */
		int want;
	} cases[] = {
		{"v4 datagram reply", false, false, 0, 0},
		{"v4 raw reply with IP header", false, true, 0, 0},
		{"v6 reply", true, false, 0, 0},
		{"someone else's reply", false, false, 1, -ENOMSG},
		{"our own request on loopback", false, true, 2, -ENOMSG},
		{"v6 request", true, false, 2, -ENOMSG},
		{"corrupted v4 payload", false, false, 3, -EBADMSG},
		{"truncated header", false, false, 4, -EBADMSG},
		{"payload seq differs", true, false, 5, -ENOMSG},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t buf[20 + PROBE_ICMP_PACKET] = {0};
		uint8_t *pkt = buf + (cases[i].ip_header ? 20 : 0);
		size_t len = PROBE_ICMP_PACKET + (cases[i].ip_header ? 20 : 0);
		if (cases[i].ip_header) {
			buf[0] = 0x45;
			buf[9] = 1;
		}
		probe_icmp_build(pkt, cases[i].ipv6, 0x4242, 300, 0xcafef00d);
		if (cases[i].mutate == 5)
			pkt[17] ^= 1;
		if (cases[i].mutate != 2)
			make_reply(pkt, cases[i].ipv6);
		if (cases[i].mutate == 3)
			pkt[20] ^= 0x40;
		if (cases[i].mutate == 4)
			len = (cases[i].ip_header ? 20 : 0) + 5;
		uint32_t nonce = cases[i].mutate == 1 ? 0xcafef00e : 0xcafef00d;
		struct probe_icmp_reply rep = {0};
		int rc = probe_icmp_parse(buf, len, cases[i].ipv6, cases[i].ip_header, nonce, &rep);
		printf("# %s: %d\n", cases[i].what, rc);
		ASSERT_EQ_INT(rc, cases[i].want);
		if (rc == 0) {
			ASSERT_EQ_UINT(rep.id, 0x4242);
			ASSERT_EQ_UINT(rep.seq, 300);
		}
	}
}

TEST(raw_v4_ignores_non_icmp_and_bad_headers)
{
	uint8_t buf[20 + PROBE_ICMP_PACKET] = {0x45};
	buf[9] = 6; /* TCP */
	struct probe_icmp_reply rep;
	ASSERT_EQ_INT(probe_icmp_parse(buf, sizeof(buf), false, true, 1, &rep), -ENOMSG);
	buf[0] = 0x42; /* IHL 2: shorter than a header */
	ASSERT_EQ_INT(probe_icmp_parse(buf, sizeof(buf), false, true, 1, &rep), -EBADMSG);
}

TEST(summarize_table)
{
	struct {
		unsigned count;
		bool got[4];
		double rtt[4];
		unsigned received;
		double loss, min, avg, max;
	} cases[] = {
		{3, {1, 1, 1}, {0.001, 0.003, 0.002}, 3, 0, 0.001, 0.002, 0.003},
		{3, {0, 0, 0}, {9, 9, 9}, 0, 100, 0, 0, 0},
		{4, {1, 0, 1, 0}, {0.010, 5, 0.030, 5}, 2, 50, 0.010, 0.020, 0.030},
		{1, {1}, {0.5}, 1, 0, 0.5, 0.5, 0.5},
		{0, {0}, {0}, 0, 100, 0, 0, 0},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct probe_icmp_stats s;
		probe_icmp_summarize(cases[i].got, cases[i].rtt, cases[i].count, &s);
		ASSERT_EQ_UINT(s.sent, cases[i].count);
		ASSERT_EQ_UINT(s.received, cases[i].received);
		ASSERT_NEAR(s.loss_pct, cases[i].loss, 1e-12);
		ASSERT_NEAR(s.rtt_min, cases[i].min, 1e-12);
		ASSERT_NEAR(s.rtt_avg, cases[i].avg, 1e-12);
		ASSERT_NEAR(s.rtt_max, cases[i].max, 1e-12);
	}
}

TEST(address_table)
{
	struct {
		const char *text;
		bool with_port;
		int rc;
		bool ipv6;
		const char *host, *port;
		bool is_name;
	} cases[] = {
		{"10.0.0.5", false, 0, false, "10.0.0.5", ""},
		{"::1", false, 0, true, "::1", ""},
		{"[2001:db8::5]", false, 0, true, "2001:db8::5", ""},
		{"10.0.0.5:443", true, 0, false, "10.0.0.5", "443"},
		{"[::1]:5432", true, 0, true, "::1", "5432"},
		{"[0:0::0001]:80", true, 0, true, "::1", "80"},
		{"10.0.0.5", true, -EINVAL, 0, NULL, NULL},
		{"10.0.0.5:0", true, -EINVAL, 0, NULL, NULL},
		{"10.0.0.5:65536", true, -EINVAL, 0, NULL, NULL},
		{"10.0.0.5:44x", true, -EINVAL, 0, NULL, NULL},
		{"::1:443", true, -EINVAL, 0, NULL, NULL},
		{"db.example.go.id:443", true, 0, false, "db.example.go.id", "443", true},
		{"db.example.go.id", false, 0, false, "db.example.go.id", "", true},
		{"localhost.", false, 0, false, "localhost.", "", true},
		{"simpeg-web", false, 0, false, "simpeg-web", "", true},
		{"db.example.go.id", true, -EINVAL, 0, NULL, NULL, false}, /* no port */
		{"[db.example.go.id]:443", true, -EINVAL, 0, NULL, NULL, false},
		{"-web.example", false, -EINVAL, 0, NULL, NULL, false},
		{"web-.example", false, -EINVAL, 0, NULL, NULL, false},
		{"a..b", false, -EINVAL, 0, NULL, NULL, false},
		{"exa mple", false, -EINVAL, 0, NULL, NULL, false},
		{"web_1.example", false, -EINVAL, 0, NULL, NULL, false},
		{"10.0.0.256", false, -EINVAL, 0, NULL, NULL, false}, /* a mistyped address */
		{"10.0.0", false, -EINVAL, 0, NULL, NULL, false},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct probe_addr a;
		int rc = probe_parse_address(cases[i].text, cases[i].with_port, &a);
		printf("# %s -> %d\n", cases[i].text, rc);
		ASSERT_EQ_INT(rc, cases[i].rc);
		if (rc)
			continue;
		ASSERT_EQ_INT(a.ipv6, cases[i].ipv6);
		ASSERT_EQ_STR(a.host, cases[i].host);
		ASSERT_EQ_STR(a.port, cases[i].port);
		ASSERT_EQ_INT(a.is_name, cases[i].is_name);
	}
	/* A label of 64 bytes, or a name over 253, is not a name. */
	char name[300];
	memset(name, 'a', 64);
	strcpy(name + 64, ".example");
	struct probe_addr a;
	ASSERT_EQ_INT(probe_parse_address(name, false, &a), -EINVAL);
	for (size_t i = 0; i < 254; i++)
		name[i] = i % 2 ? '.' : 'a';
	name[254] = 'a';
	name[255] = '\0';
	ASSERT_EQ_INT(probe_parse_address(name, false, &a), -EINVAL);
	name[253] = '\0'; /* "a.a. ... a": 253 bytes */
	ASSERT_EQ_INT(probe_parse_address(name, false, &a), 0);
}

TEST(url_table)
{
	struct {
		const char *url;
		int rc;
		bool tls;
		const char *host, *port, *path;
		bool is_name, ipv6;
	} cases[] = {
		{"https://simpeg.example.go.id/health", 0, true, "simpeg.example.go.id", "443",
		 "/health", true, false},
		{"http://10.0.0.5:8080", 0, false, "10.0.0.5", "8080", "/", false, false},
		{"https://[2001:db8::5]/x?y=1#top", 0, true, "2001:db8::5", "443", "/x?y=1", false,
		 true},
		{"http://[::1]:81/", 0, false, "::1", "81", "/", false, true},
		{"http://web?q=1", 0, false, "web", "80", "/?q=1", true, false},
		{"ftp://web/", -EINVAL, false, NULL, NULL, NULL, false, false},
		{"https://", -EINVAL, false, NULL, NULL, NULL, false, false},
		{"https:///path", -EINVAL, false, NULL, NULL, NULL, false, false},
		{"http://user:pw@web/", -EINVAL, false, NULL, NULL, NULL, false, false},
		{"http://web:0/", -EINVAL, false, NULL, NULL, NULL, false, false},
		{"http://web/a b", -EINVAL, false, NULL, NULL, NULL, false, false},
		{"http://2001:db8::5/", -EINVAL, false, NULL, NULL, NULL, false, false},
		{"HTTP://web/", -EINVAL, false, NULL, NULL, NULL, false, false},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct probe_http_cfg c = {0};
		int rc = probe_http_parse_url(cases[i].url, &c);
		printf("# %s -> %d\n", cases[i].url, rc);
		ASSERT_EQ_INT(rc, cases[i].rc);
		if (rc)
			continue;
		ASSERT_EQ_INT(c.tls, cases[i].tls);
		ASSERT_EQ_STR(c.addr.host, cases[i].host);
		ASSERT_EQ_STR(c.addr.port, cases[i].port);
		ASSERT_EQ_STR(c.path, cases[i].path);
		ASSERT_EQ_INT(c.addr.is_name, cases[i].is_name);
		ASSERT_EQ_INT(c.addr.ipv6, cases[i].ipv6);
		ASSERT_EQ_STR(c.url, cases[i].url);
	}
	struct probe_http_cfg c = {0};
	ASSERT_TRUE(probe_http_status_ok(&c, 200) && probe_http_status_ok(&c, 302));
	ASSERT_TRUE(!probe_http_status_ok(&c, 404) && !probe_http_status_ok(&c, 199));
	c.expect = 401; /* a login page that must ask for credentials */
	ASSERT_TRUE(probe_http_status_ok(&c, 401) && !probe_http_status_ok(&c, 200));
}

static int parse_text(const char *yaml, struct probe_cfg **cfg, struct perr *err)
{
	struct conf_doc doc;
	int rc = conf_load_string("t.yaml", yaml, strlen(yaml), &doc, err);
	if (rc == 0) {
		rc = probe_config_parse(conf_get(doc.root, "probe"), cfg, err);
		conf_doc_free(&doc);
	}
	return rc;
}

TEST(config_both_shapes)
{
	struct probe_cfg *c;
	struct perr err = {{0}};
	int rc =
		parse_text("probe:\n"
			   "  icmp: { address: 10.0.0.5, count: 5, timeout: 500ms }\n"
			   "  tcp: [ \"10.0.0.5:443\", { address: \"[::1]:5432\", timeout: 3s } ]\n"
			   "  up: any\n",
			   &c, &err);
	if (rc)
		printf("# %s\n", err.msg);
	ASSERT_EQ_INT(rc, 0);
	ASSERT_EQ_UINT(c->nicmp, 1);
	ASSERT_EQ_INT(c->icmp[0].count, 5);
	ASSERT_EQ_UINT(c->icmp[0].timeout_ms, 500);
	ASSERT_EQ_UINT(c->icmp[0].interval_ms, 200);
	ASSERT_EQ_UINT(c->ntcp, 2);
	ASSERT_EQ_UINT(c->tcp[0].timeout_ms, 2000);
	ASSERT_EQ_STR(c->tcp[1].addr.port, "5432");
	ASSERT_EQ_UINT(c->tcp[1].timeout_ms, 3000);
	ASSERT_EQ_INT(c->up_rule, PROBE_UP_ANY);
	/* 4 requests 200 ms apart, then 500 ms; TCP at most 3 s. */
	ASSERT_EQ_UINT(probe_config_budget_ms(c), 3000);
	probe_config_free(c);
	rc = parse_text("probe: { icmp: [ 10.0.0.5, \"::1\" ] }\n", &c, &err);
	ASSERT_EQ_INT(rc, 0);
	ASSERT_EQ_UINT(c->nicmp, 2);
	ASSERT_EQ_INT(c->icmp[0].count, 3);
	ASSERT_TRUE(c->icmp[1].addr.ipv6);
	ASSERT_EQ_UINT(probe_config_budget_ms(c), 1400);
	probe_config_free(c);
	rc = parse_text("probe:\n  http: [ \"https://x.example/\", { url: \"http://10.0.0.5:81/\", "
			"expect: 204, timeout: 1s, verify: false } ]\n",
			&c, &err);
	ASSERT_EQ_INT(rc, 0);
	ASSERT_EQ_UINT(c->nhttp, 2);
	ASSERT_TRUE(c->http[0].tls && c->http[0].verify && c->http[0].ca == NULL);
	ASSERT_EQ_UINT(c->http[0].timeout_ms, 5000);
	ASSERT_EQ_INT(c->http[1].expect, 204);
	ASSERT_TRUE(!c->http[1].verify);
	ASSERT_EQ_UINT(probe_config_budget_ms(c), 5000 + PROBE_RESOLVE_TIMEOUT_MS);
	probe_config_free(c);
	/* A name adds the time its lookup may take. */
	rc = parse_text("probe: { tcp: [ \"db.example.go.id:5432\" ] }\n", &c, &err);
	ASSERT_EQ_INT(rc, 0);
	ASSERT_TRUE(c->tcp[0].addr.is_name);
	ASSERT_EQ_UINT(probe_config_budget_ms(c), 2000 + PROBE_RESOLVE_TIMEOUT_MS);
	probe_config_free(c);
}

TEST(config_errors_say_where)
{
	struct {
		const char *yaml, *msg;
	} cases[] = {
		{"probe: {}\n", "[t.yaml:1] probe needs at least one icmp, tcp or http target"},
		{"probe:\n  icmp: server_1.local\n",
		 "[t.yaml:2] probe.icmp: 'server_1.local' is neither"},
		{"probe:\n  tcp: [ 10.0.0.5 ]\n", "[t.yaml:2] probe.tcp: '10.0.0.5' is not HOST:PORT"},
		{"probe:\n  icmp: { address: 10.0.0.5, count: 0 }\n", "count"},
		{"probe:\n  icmp: { address: 10.0.0.5, colour: red }\n", "colour"},
		{"probe:\n  tcp: [ \"10.0.0.5:443\", \"10.0.0.5:443\" ]\n", "listed twice"},
		{"probe:\n  icmp: 10.0.0.5\n  up: most\n", "[t.yaml:3]"},
		{"probe: 10.0.0.5\n", "probe must be a mapping"},
		{"probe:\n  http: [ \"ftp://x/\" ]\n", "[t.yaml:2] probe.http: 'ftp://x/' is not"},
		{"probe:\n  http: { url: \"http://x/\", ca: /etc/ssl/certs/ca-certificates.crt }\n",
		 "[t.yaml:2] probe.http: 'ca' needs an https:// URL"},
		{"probe:\n  http: { url: \"https://x/\", ca: /nonexistent/ca.pem }\n",
		 "[t.yaml:2] probe.http: cannot read ca /nonexistent/ca.pem"},
		{"probe:\n  http: { url: \"https://x/\", expect: 42 }\n", "expect is an HTTP status"},
		{"probe:\n  http: [ \"http://x/\", \"http://x/\" ]\n", "http://x/ is listed twice"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct probe_cfg *c = NULL;
		struct perr err = {{0}};
		int rc = parse_text(cases[i].yaml, &c, &err);
		printf("# case %zu -> %s\n", i, err.msg);
		ASSERT_EQ_INT(rc, -EINVAL);
		ASSERT_TRUE(c == NULL);
		ASSERT_CONTAINS(err.msg, cases[i].msg);
	}
}

TEST_MAIN(checksum_matches_rfc1071_and_verifies_to_zero, build_writes_type_id_seq_and_payload,
	  parse_table, raw_v4_ignores_non_icmp_and_bad_headers, summarize_table, address_table,
	  url_table,
	  config_both_shapes, config_errors_say_where)
