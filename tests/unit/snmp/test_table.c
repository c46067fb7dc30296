/* Table walks in detail: label columns, multi-part indexes, invalid and
 * wrongly typed values, Counter64, and a walk past the end of the MIB. */
#include "fake_agent.h"
#include "snmp_fetch.h"
#include "snmp_link.h"
#include "test.h"

#include <stdio.h>
#include <stdlib.h>

#define LEN(a) (sizeof(a) / sizeof((a)[0]))

static const char profile_text[] =
	"name: sensors\n"
	"select: { sysobjectid: [1.3.6.1.4.1.99999.7] }\n"
	"tables:\n"
	"  - name: probes\n"
	"    oid: 1.3.6.1.4.1.99999.7.1.1\n"
	"    index: [probe]\n"
	"    columns:\n"
	"      - { metric: env.temperature, column: 3, unit: celsius, divide: 10, invalid: [-9999] "
	"}\n"
	"      - { metric: env.bytes, column: 4, kind: counter, unit: B }\n"
	"    labels:\n"
	"      - { name: probe_name, column: 2 }\n"
	"  - name: outlets\n"
	"    oid: 1.3.6.1.4.1.99999.7.2.1\n"
	"    index: [bank, outlet]\n"
	"    columns:\n"
	"      - { metric: pdu.outlet.current, column: 3, unit: A, divide: 100 }\n"
	"  - name: free\n"
	"    oid: 1.3.6.1.4.1.99999.7.3.1\n"
	"    columns:\n"
	"      - { metric: x.level, column: 2 }\n";

static const struct fake_var vars[] = {
	{"1.3.6.1.2.1.1.2.0", ASN_OBJECT_ID, "1.3.6.1.4.1.99999.7.5"},
	{"1.3.6.1.4.1.99999.7.1.1.2.1", ASN_OCTET_STR, "Cold aisle"},
	{"1.3.6.1.4.1.99999.7.1.1.2.3", ASN_OCTET_STR, "Hot aisle"},
	{"1.3.6.1.4.1.99999.7.1.1.3.1", ASN_INTEGER, "215"},
	{"1.3.6.1.4.1.99999.7.1.1.3.2", ASN_INTEGER, "-9999"},
	{"1.3.6.1.4.1.99999.7.1.1.3.3", ASN_OCTET_STR, "355 dC"},
	{"1.3.6.1.4.1.99999.7.1.1.3.4", ASN_OCTET_STR, "broken"},
	{"1.3.6.1.4.1.99999.7.1.1.4.1", ASN_COUNTER64, "18446744073709551615"},
	{"1.3.6.1.4.1.99999.7.2.1.3.1.1", ASN_GAUGE, "125"},
	{"1.3.6.1.4.1.99999.7.2.1.3.1.2", ASN_GAUGE, "0"},
	{"1.3.6.1.4.1.99999.7.2.1.3.2.1", ASN_GAUGE, "99"},
	{"1.3.6.1.4.1.99999.7.3.1.2.5.6.7", ASN_INTEGER, "8"},
};

static char out[64][256];
static size_t nout;

static void on_sample(void *arg, const struct sample_in *s)
{
	if (nout == LEN(out))
		TEST_FAIL_("too many samples");
	size_t used = (size_t)snprintf(out[nout], 256, "%s=%.17g", s->metric, s->value);
	for (size_t i = 0; i < s->nlabels; i++)
		used += (size_t)snprintf(out[nout] + used, 256 - used, " %s=%s", s->labels[i].key,
					 s->labels[i].value);
	nout++;
}

static void on_inventory(void *arg, const char *kind, const char *id, const struct label *fields,
			 size_t n)
{
}

static void expect(const char *line)
{
	for (size_t i = 0; i < nout; i++)
		if (strcmp(out[i], line) == 0)
			return;
	for (size_t i = 0; i < nout; i++)
		printf("#   got: %s\n", out[i]);
	TEST_FAIL_("missing: %s", line);
}

static void run(bool v1, bool bulk)
{
	snmp_link_library_init();
	struct perr err;
	struct conf_doc doc;
	ASSERT_EQ_INT(
		conf_load_string("sensors.yaml", profile_text, strlen(profile_text), &doc, &err),
		0);
	struct snmp_profile prof;
	if (snmp_profile_parse(doc.root, &prof, &err) != 0)
		TEST_FAIL_("%s", err.msg);
	conf_doc_free(&doc);
	struct snmp_profile_set set = {.profiles = &prof, .n = 1, .base.refs = 1};
	struct snmp_conf conf = {.version = v1 ? SNMP_CONF_V1 : SNMP_CONF_V2C,
				 .max_oids = 32,
				 .max_repetitions = 3,
				 .bulk = bulk,
				 .set = &set,
				 .auto_select = true};
	struct fake_agent agent;
	fake_agent_init(&agent, vars, LEN(vars));
	agent.v1 = v1;
	struct snmp_sink sink = {on_sample, on_inventory, NULL};
	struct snmp_fetch f;
	snmp_fetch_init(&f, &conf, &sink, "env");
	nout = 0;
	ASSERT_EQ_INT(snmp_fetch_begin(&f, 1), 0);
	netsnmp_pdu *pdu;
	while ((pdu = snmp_fetch_next(&f))) {
		netsnmp_pdu *resp = fake_agent_answer(&agent, pdu);
		snmp_free_pdu(pdu);
		snmp_fetch_reply_at(&f, 0, resp, 1, 0);
		snmp_free_pdu(resp);
		if (agent.requests > 100)
			TEST_FAIL_("the poll does not end");
	}
	const char *reason;
	ASSERT_EQ_INT(snmp_fetch_result(&f, &reason), 0);
	expect("env.temperature=21.5 oid=1.3.6.1.4.1.99999.7.1.1.3.1 probe=1 probe_name=Cold "
	       "aisle");
	expect("env.temperature=35.5 oid=1.3.6.1.4.1.99999.7.1.1.3.3 probe=3 probe_name=Hot aisle");
	expect("env.bytes=1.8446744073709552e+19 oid=1.3.6.1.4.1.99999.7.1.1.4.1 probe=1 "
	       "probe_name=Cold aisle");
	expect("pdu.outlet.current=1.25 oid=1.3.6.1.4.1.99999.7.2.1.3.1.1 bank=1 outlet=1");
	expect("pdu.outlet.current=0 oid=1.3.6.1.4.1.99999.7.2.1.3.1.2 bank=1 outlet=2");
	expect("pdu.outlet.current=0.98999999999999999 oid=1.3.6.1.4.1.99999.7.2.1.3.2.1 bank=2 "
	       "outlet=1");
	expect("x.level=8 oid=1.3.6.1.4.1.99999.7.3.1.2.5.6.7 index=5.6.7");
	/* -9999 is invalid and "broken" is no number: neither is a sample. */
	ASSERT_EQ_UINT(nout, 7);
	snmp_fetch_free(&f);
	fake_agent_free(&agent);
	snmp_profile_free(&prof);
}

TEST(v2c_bulk)
{
	run(false, true);
}

TEST(v2c_getnext)
{
	run(false, false);
}

TEST(v1)
{
	run(true, true);
}

TEST_MAIN(v2c_bulk, v2c_getnext, v1)
