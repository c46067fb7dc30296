/* Collector configuration: defaults, the TLS rule and [file:line] errors. */
#include "config.h"
#include "test.h"

#include <errno.h>

static int load(const char *text, struct collector_config *cfg, struct perr *err)
{
	return config_parse("c.yaml", text, strlen(text), cfg, err);
}

TEST(minimal_config_gets_the_documented_defaults)
{
	struct collector_config cfg;
	struct perr err;
	int rc = load("collector:\n  plaintext: true\n", &cfg, &err);
	if (rc < 0)
		TEST_FAIL_("%s", err.msg);
	ASSERT_EQ_STR(cfg.listen, "127.0.0.1:7400");
	ASSERT_EQ_STR(cfg.http, "127.0.0.1:7480");
	ASSERT_TRUE(cfg.http_enabled);
	ASSERT_EQ_STR(cfg.state_dir, "/var/lib/pantau");
	ASSERT_EQ_UINT(cfg.max_frame, 8u << 20);
	ASSERT_EQ_INT(cfg.log_level, LL_INFO);
	ASSERT_EQ_STR(cfg.dsn, "");
	ASSERT_EQ_INT(cfg.max_queue, 64);
	ASSERT_EQ_UINT(cfg.retention.samples_ms, 90ull * 86400000);
	ASSERT_EQ_UINT(cfg.retention.rollups_5m_ms, 400ull * 86400000);
	ASSERT_EQ_UINT(cfg.retention.rollups_1h_ms, 1830ull * 86400000);
	ASSERT_EQ_UINT(cfg.retention.batches_ms, 30ull * 86400000);
	ASSERT_EQ_UINT(cfg.retention.every_ms, 300000);
	config_free(&cfg);
}

TEST(retention_is_read_and_checked)
{
	struct collector_config cfg;
	struct perr err;
	int rc = load("collector:\n  plaintext: true\nretention:\n  samples: 0\n  rollups_5m: 0\n"
		      "  rollups_1h: 0\n  batches: 7d\n  every: 30s\n",
		      &cfg, &err);
	if (rc < 0)
		TEST_FAIL_("%s", err.msg);
	ASSERT_EQ_UINT(cfg.retention.samples_ms, 0); /* forever */
	ASSERT_EQ_UINT(cfg.retention.batches_ms, 7ull * 86400000);
	ASSERT_EQ_UINT(cfg.retention.every_ms, 30000);
	config_free(&cfg);
	static const struct {
		const char *text, *msg;
	} bad[] = {
		{"retention:\n  samples: 6h\n", "[c.yaml:4] retention.samples: keep raw samples"},
		{"retention:\n  samples: 30d\n  rollups_5m: 10d\n",
		 "[c.yaml:5] retention.rollups_5m is shorter than retention.samples"},
		{"retention:\n  rollups_1h: 100d\n",
		 "[c.yaml:4] retention.rollups_1h is shorter than retention.rollups_5m"},
		{"retention:\n  every: 10ms\n", "[c.yaml:4]"},
		{"retention:\n  keep: 1d\n", "[c.yaml:4]"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char text[256];
		snprintf(text, sizeof(text), "collector:\n  plaintext: true\n%s", bad[i].text);
		ASSERT_EQ_INT(load(text, &cfg, &err), -EINVAL);
		if (!strstr(err.msg, bad[i].msg))
			TEST_FAIL_("%s: %s", bad[i].text, err.msg);
		config_free(&cfg);
	}
}

TEST(full_config_is_read)
{
	struct collector_config cfg;
	struct perr err;
	int rc = load("collector:\n  listen: '[::1]:9000'\n  plaintext: yes\n  http: \"\"\n"
		      "  state_dir: /srv/pantau\n  max_frame: 1MiB\n  log_level: debug\n"
		      "database:\n  dsn: host=/run/pg dbname=x\n  max_queue: 8\n",
		      &cfg, &err);
	if (rc < 0)
		TEST_FAIL_("%s", err.msg);
	ASSERT_TRUE(!cfg.http_enabled);
	ASSERT_EQ_UINT(cfg.max_frame, 1u << 20);
	ASSERT_EQ_INT(cfg.log_level, LL_DEBUG);
	ASSERT_EQ_STR(cfg.dsn, "host=/run/pg dbname=x");
	ASSERT_EQ_INT(cfg.max_queue, 8);
	ASSERT_EQ_INT(cfg.listen_addr.ss_family, AF_INET6);
	config_free(&cfg);
}

static void expect_error(const char *text, const char *want)
{
	struct collector_config cfg;
	struct perr err;
	int rc = load(text, &cfg, &err);
	config_free(&cfg);
	if (rc != -EINVAL)
		TEST_FAIL_("expected -EINVAL, got %d for:\n%s", rc, text);
	ASSERT_CONTAINS(err.msg, want);
}

TEST(without_plaintext_the_collector_refuses_to_start)
{
	expect_error("collector:\n  listen: 127.0.0.1:7400\n", "[c.yaml:2] collector: mutual TLS");
	expect_error("collector:\n  listen: 127.0.0.1:7400\n  plaintext: false\n",
		     "[c.yaml:3] collector: mutual TLS is the default");
	expect_error("collector:\n  listen: 0.0.0.0:7400\n  tls: { ca: ca.pem, key: k.pem }\n",
		     "[c.yaml:3] collector.tls: required key 'cert' is missing");
	expect_error("collector:\n  plaintext: true\n  tls: { ca: a, cert: b, key: c }\n",
		     "[c.yaml:2] collector: 'plaintext: true' and a 'tls' section contradict");
	expect_error("collector:\n  tls: { ca: a, cert: b, key: c, colour: x }\n",
		     "unknown key 'colour' in collector.tls");
}

TEST(tls_paths_are_relative_to_the_config_file)
{
	struct collector_config cfg;
	struct perr err;
	const char *text = "collector:\n  listen: 0.0.0.0:7400\n"
			   "  tls: { ca: ca.pem, cert: /abs/c.pem, key: k/c.key, crl: crl.pem }\n";
	int rc = config_parse("/etc/pantau/collector.yaml", text, strlen(text), &cfg, &err);
	if (rc < 0)
		TEST_FAIL_("%s", err.msg);
	ASSERT_TRUE(!cfg.plaintext);
	ASSERT_EQ_STR(cfg.tls.ca, "/etc/pantau/ca.pem");
	ASSERT_EQ_STR(cfg.tls.cert, "/abs/c.pem");
	ASSERT_EQ_STR(cfg.tls.key, "/etc/pantau/k/c.key");
	ASSERT_EQ_STR(cfg.tls.crl, "/etc/pantau/crl.pem");
	config_free(&cfg);
	text = "collector:\n  listen: 0.0.0.0:7400\n  tls: { ca: /c, cert: /d, key: /e }\n";
	ASSERT_EQ_INT(config_parse("c.yaml", text, strlen(text), &cfg, &err), 0);
	ASSERT_EQ_STR(cfg.tls.crl, "");
	config_free(&cfg);
}

TEST(plaintext_needs_a_loopback_listen_address)
{
	expect_error("collector:\n  plaintext: true\n  listen: 0.0.0.0:7400\n",
		     "[c.yaml:3] collector: plaintext is allowed only on a loopback");
	expect_error("collector:\n  plaintext: true\n  listen: 10.1.2.3:7400\n", "loopback");
	struct collector_config cfg;
	struct perr err;
	ASSERT_EQ_INT(load("collector:\n  plaintext: true\n  listen: 127.9.9.9:1\n", &cfg, &err),
		      0);
	config_free(&cfg);
}

TEST(errors_name_file_and_line)
{
	expect_error("collector:\n  plaintext: true\n  colour: blue\n",
		     "[c.yaml:3] unknown key 'colour' in collector");
	expect_error("collector:\n  plaintext: true\n  max_frame: lots\n",
		     "[c.yaml:3] collector.max_frame: 'lots' is not a size");
	expect_error("collector:\n  plaintext: true\n  log_level: loud\n", "[c.yaml:3]");
	expect_error("collector:\n  plaintext: true\n  listen: localhost\n",
		     "[c.yaml:3] collector.listen: 'localhost' is not an address");
	expect_error("collector:\n  plaintext: true\n  http: nowhere:x\n", "[c.yaml:3]");
	expect_error("collector:\n  plaintext: true\ndatabase:\n  max_queue: 1\n",
		     "[c.yaml:4] database.max_queue: 1 is out of range");
	expect_error("collector:\n  plaintext: true\n  state_dir: relative/dir\n",
		     "[c.yaml:3] collector.state_dir");
	expect_error("database:\n  dsn: x\n", "required key 'collector' is missing");
	expect_error("collector: [1, 2]\n", "[c.yaml:1] collector must be a mapping");
	expect_error("collector:\n  plaintext: true\n   bad: indent\n", "[c.yaml:");
	expect_error("collector:\n  plaintext: true\n  http: 0.0.0.0:7480\n",
		     "[c.yaml:3] collector.http: 0.0.0.0:7480 is not a loopback address; serve it "
		     "over HTTPS");
	expect_error("collector:\n  plaintext: true\n  http_tls: { cert: c.pem }\n",
		     "[c.yaml:3] collector.http_tls: required key 'key' is missing");
	expect_error("collector:\n  plaintext: true\n  http_tls: c.pem\n",
		     "[c.yaml:3] collector.http_tls must be a mapping");
}

TEST(http_tls_serves_https_on_any_address)
{
	struct collector_config cfg;
	struct perr err;
	const char *text = "collector:\n  plaintext: true\n  http: '[::]:8443'\n"
			   "  http_tls: { cert: pki/noc.pem, key: /etc/pantau/noc.key }\n";
	int rc = config_parse("/etc/pantau/collector.yaml", text, strlen(text), &cfg, &err);
	if (rc < 0)
		TEST_FAIL_("%s", err.msg);
	ASSERT_TRUE(cfg.http_https && cfg.http_enabled);
	ASSERT_EQ_STR(cfg.http_tls.cert, "/etc/pantau/pki/noc.pem"); /* beside the config */
	ASSERT_EQ_STR(cfg.http_tls.key, "/etc/pantau/noc.key");
	config_free(&cfg);
	/* Plain HTTP stays the default on loopback. */
	ASSERT_EQ_INT(load("collector:\n  plaintext: true\n  http: '[::1]:7480'\n", &cfg, &err), 0);
	ASSERT_TRUE(!cfg.http_https);
	config_free(&cfg);
}

TEST(addresses_parse_and_classify)
{
	struct sockaddr_storage sa;
	char text[64];
	ASSERT_EQ_INT(config_parse_addr("127.0.0.1:7400", &sa), 0);
	ASSERT_TRUE(config_addr_is_loopback(&sa));
	config_format_addr(&sa, text, sizeof(text));
	ASSERT_EQ_STR(text, "127.0.0.1:7400");
	ASSERT_EQ_INT(config_parse_addr("[::1]:80", &sa), 0);
	ASSERT_TRUE(config_addr_is_loopback(&sa));
	config_format_addr(&sa, text, sizeof(text));
	ASSERT_EQ_STR(text, "[::1]:80");
	ASSERT_EQ_INT(config_parse_addr("[::]:80", &sa), 0);
	ASSERT_TRUE(!config_addr_is_loopback(&sa));
	ASSERT_EQ_INT(config_parse_addr("192.168.1.1:80", &sa), 0);
	ASSERT_TRUE(!config_addr_is_loopback(&sa));
	ASSERT_EQ_INT(config_parse_addr("::1:80", &sa), -EINVAL);
	ASSERT_EQ_INT(config_parse_addr("127.0.0.1:65536", &sa), -EINVAL);
	ASSERT_EQ_INT(config_parse_addr("127.0.0.1", &sa), -EINVAL);
	ASSERT_EQ_INT(config_parse_addr(":80", &sa), -EINVAL);
}

TEST_MAIN(minimal_config_gets_the_documented_defaults, retention_is_read_and_checked,
	  http_tls_serves_https_on_any_address, full_config_is_read,
	  without_plaintext_the_collector_refuses_to_start, tls_paths_are_relative_to_the_config_file,
	  plaintext_needs_a_loopback_listen_address, errors_name_file_and_line,
	  addresses_parse_and_classify)
