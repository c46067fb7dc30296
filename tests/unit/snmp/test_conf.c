/* A device's `snmp:` section and `profiles:` list. */
#include "snmp_conf.h"
#include "test.h"

#include <errno.h>
#include <stdlib.h>

static struct perr err;
static struct conf_doc doc;

/* Parses a device mapping given as YAML; returns snmp_conf_parse's result. */
static int parse(const char *yaml, struct snmp_conf *c)
{
	err.msg[0] = '\0';
	if (conf_load_string("dev.yaml", yaml, strlen(yaml), &doc, &err) != 0)
		TEST_FAIL_("bad test YAML: %s", err.msg);
	int rc = snmp_conf_parse(c, conf_get(doc.root, "snmp"), doc.root, PANTAU_SOURCE_PROFILES,
				 &err);
	conf_doc_free(&doc);
	return rc;
}

static void expect_error(const char *yaml, const char *msg)
{
	struct snmp_conf c;
	if (parse(yaml, &c) == 0) {
		snmp_conf_free(&c);
		TEST_FAIL_("parsed, expected \"%s\"", msg);
	}
	ASSERT_CONTAINS(err.msg, msg);
}

TEST(split_addresses)
{
	char *host = NULL;
	unsigned port = 0;
	ASSERT_EQ_INT(snmp_conf_split_address("127.0.0.1:1161", &host, &port), 0);
	ASSERT_EQ_STR(host, "127.0.0.1");
	ASSERT_EQ_UINT(port, 1161);
	free(host);
	ASSERT_EQ_INT(snmp_conf_split_address("ups-a.dc.local", &host, &port), 0);
	ASSERT_EQ_STR(host, "ups-a.dc.local");
	ASSERT_EQ_UINT(port, 161);
	free(host);
	ASSERT_EQ_INT(snmp_conf_split_address("[fe80::1]:16100", &host, &port), 0);
	ASSERT_EQ_STR(host, "fe80::1");
	ASSERT_EQ_UINT(port, 16100);
	free(host);
	ASSERT_EQ_INT(snmp_conf_split_address("::1", &host, &port), 0);
	ASSERT_EQ_STR(host, "::1");
	ASSERT_EQ_UINT(port, 161);
	free(host);
	static const char *const bad[] = {"",	  ":161", "h:0",    "h:65536", "h:x",
					  "[::1", "[]:1", "[::1]x", "h:"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (snmp_conf_split_address(bad[i], &host, &port) != -EINVAL)
			TEST_FAIL_("'%s' accepted", bad[i]);
}

TEST(defaults_and_named_profiles)
{
	struct snmp_conf c;
	int rc = parse("name: ups-a\n"
		       "snmp: { address: 127.0.0.1:1161 }\n"
		       "profiles: [system, ups-mib]\n",
		       &c);
	if (rc != 0)
		TEST_FAIL_("%s", err.msg);
	ASSERT_EQ_INT(c.version, SNMP_CONF_V2C);
	ASSERT_EQ_STR(c.community, "public");
	ASSERT_EQ_UINT(c.timeout_ms, 2000);
	ASSERT_EQ_INT(c.retries, 1);
	ASSERT_EQ_INT(c.max_repetitions, 25);
	ASSERT_TRUE(c.bulk);
	ASSERT_EQ_INT(c.max_oids, 32);
	ASSERT_TRUE(!c.auto_select);
	ASSERT_EQ_UINT(c.nnamed, 2);
	ASSERT_EQ_STR(c.named[1]->name, "ups-mib");
	ASSERT_EQ_STR(c.host, "127.0.0.1");
	ASSERT_EQ_UINT(c.port, 1161);
	snmp_conf_free(&c);
}

TEST(everything_set)
{
	struct snmp_conf c;
	int rc = parse(
		"snmp: { address: 10.0.0.10, version: 1, community: private, timeout: 500ms,\n"
		"        retries: 3, max_repetitions: 10, bulk: false, budget: 20s, "
		"max_oids: 8 }\n",
		&c);
	if (rc != 0)
		TEST_FAIL_("%s", err.msg);
	ASSERT_EQ_INT(c.version, SNMP_CONF_V1);
	ASSERT_EQ_STR(c.community, "private");
	ASSERT_EQ_UINT(c.timeout_ms, 500);
	ASSERT_EQ_INT(c.retries, 3);
	ASSERT_EQ_UINT(c.budget_ms, 20000);
	ASSERT_TRUE(!c.bulk);
	ASSERT_TRUE(c.auto_select); /* no profiles: means [auto] */
	snmp_conf_free(&c);
}

TEST(snmpv3_levels)
{
	struct snmp_conf c;
	int rc = parse("snmp: { address: 127.0.0.1:16100, version: 3, user: mon, auth: SHA-256,\n"
		       "        auth_pass: authpass1, priv: AES-128, priv_pass: privpass1, "
		       "context: ctx }\n",
		       &c);
	if (rc != 0)
		TEST_FAIL_("%s", err.msg);
	ASSERT_EQ_INT(c.version, SNMP_CONF_V3);
	ASSERT_EQ_INT(c.auth, SNMP_CONF_AUTH_SHA256);
	ASSERT_EQ_INT(c.priv, SNMP_CONF_PRIV_AES128);
	ASSERT_EQ_STR(c.context, "ctx");
	/* Keys are derived at parse time, off the loop: SHA-256 gives 32 bytes. */
	ASSERT_EQ_UINT(c.auth_key_len, 32);
	ASSERT_EQ_UINT(c.priv_key_len, 32);
	snmp_conf_free(&c);
	rc = parse("snmp: { address: h, version: 3, user: mon }\n", &c);
	ASSERT_EQ_INT(rc, 0);
	ASSERT_EQ_INT(c.auth, SNMP_CONF_AUTH_NONE);
	snmp_conf_free(&c);
}

TEST(errors)
{
	expect_error("snmp: { version: 2c }\n", "[dev.yaml:1] snmp: required key 'address'");
	expect_error("snmp: { address: h, version: 2 }\n",
		     "[dev.yaml:1] snmp.version: '2' is not one of: 1, 2c, 3");
	expect_error("snmp: { address: h, comunity: x }\n",
		     "[dev.yaml:1] unknown key 'comunity' in snmp");
	expect_error("snmp:\n  address: h\n  retries: 11\n",
		     "[dev.yaml:3] snmp.retries: 11 is out of range");
	expect_error("snmp: { address: 'h:99999' }\n", "snmp.address: 'h:99999' is not host");
	expect_error("snmp: { address: h }\nprofiles: [auto, upsmib]\n",
		     "[dev.yaml:2] profiles: unknown SNMP profile 'upsmib' (known: auto, ");
	expect_error("snmp: { address: h }\nprofiles: ups-mib\n", "profiles must be a list");
	expect_error("snmp: { address: h, user: mon }\n", "add version: 3");
	expect_error("snmp: { address: h, version: 3 }\n", "SNMPv3 needs a user");
	expect_error("snmp: { address: h, version: 3, user: u, auth: SHA }\n",
		     "auth SHA needs an auth_pass of 8 characters");
	expect_error("snmp: { address: h, version: 3, user: u, auth: MD5, auth_pass: short }\n",
		     "auth MD5 needs an auth_pass of 8 characters");
	expect_error("snmp: { address: h, version: 3, user: u, priv: DES, priv_pass: 12345678 }\n",
		     "priv needs auth as well");
	expect_error("snmp: { address: h, version: 3, user: u, auth: SHA-512, auth_pass: 12345678,"
		     " priv: AES-512 }\n",
		     "snmp.priv: 'AES-512' is not one of");
}

TEST_MAIN(split_addresses, defaults_and_named_profiles, everything_set, snmpv3_levels, errors)
