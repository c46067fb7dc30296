/* A whole SNMP poll against the in-process fake agent: what is asked, what
 * comes out, and that misbehaving agents end the poll. */
#include "fake_agent.h"
#include "snmp_fetch.h"
#include "snmp_link.h"
#include "test.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#define LEN(a) (sizeof(a) / sizeof((a)[0]))

/* A three-phase UPS, the same objects as tests/fixtures/snmp/ups-rfc1628. */
static const struct fake_var ups[] = {
	{"1.3.6.1.2.1.1.1.0", ASN_OCTET_STR, "pantau test UPS"},
	{"1.3.6.1.2.1.1.2.0", ASN_OBJECT_ID, "1.3.6.1.4.1.99999.1.33"},
	{"1.3.6.1.2.1.1.3.0", ASN_TIMETICKS, "123456"},
	{"1.3.6.1.2.1.1.4.0", ASN_OCTET_STR, "noc@example.go.id"},
	{"1.3.6.1.2.1.1.5.0", ASN_OCTET_STR, "ups-a"},
	{"1.3.6.1.2.1.1.6.0", ASN_OCTET_STR, "Room 1"},
	{"1.3.6.1.2.1.33.1.1.1.0", ASN_OCTET_STR, "PANTAU"},
	{"1.3.6.1.2.1.33.1.1.2.0", ASN_OCTET_STR, "SIM-3P 40kVA"},
	{"1.3.6.1.2.1.33.1.2.1.0", ASN_INTEGER, "2"},
	{"1.3.6.1.2.1.33.1.2.2.0", ASN_INTEGER, "0"},
	{"1.3.6.1.2.1.33.1.2.3.0", ASN_INTEGER, "42"},
	{"1.3.6.1.2.1.33.1.2.4.0", ASN_INTEGER, "97"},
	{"1.3.6.1.2.1.33.1.2.5.0", ASN_INTEGER, "4081"},
	{"1.3.6.1.2.1.33.1.2.6.0", ASN_INTEGER, "-12"},
	{"1.3.6.1.2.1.33.1.2.7.0", ASN_INTEGER, "24"},
	{"1.3.6.1.2.1.33.1.3.1.0", ASN_COUNTER, "3"},
	{"1.3.6.1.2.1.33.1.3.2.0", ASN_INTEGER, "3"},
	{"1.3.6.1.2.1.33.1.3.3.1.2.1", ASN_INTEGER, "499"},
	{"1.3.6.1.2.1.33.1.3.3.1.2.2", ASN_INTEGER, "500"},
	{"1.3.6.1.2.1.33.1.3.3.1.2.3", ASN_INTEGER, "501"},
	{"1.3.6.1.2.1.33.1.3.3.1.3.1", ASN_INTEGER, "229"},
	{"1.3.6.1.2.1.33.1.3.3.1.3.2", ASN_INTEGER, "231"},
	{"1.3.6.1.2.1.33.1.3.3.1.3.3", ASN_INTEGER, "230"},
	{"1.3.6.1.2.1.33.1.3.3.1.4.1", ASN_INTEGER, "152"},
	{"1.3.6.1.2.1.33.1.3.3.1.4.2", ASN_INTEGER, "148"},
	{"1.3.6.1.2.1.33.1.3.3.1.4.3", ASN_INTEGER, "160"},
	{"1.3.6.1.2.1.33.1.4.1.0", ASN_INTEGER, "3"},
	{"1.3.6.1.2.1.33.1.4.2.0", ASN_INTEGER, "500"},
	{"1.3.6.1.2.1.33.1.4.3.0", ASN_INTEGER, "3"},
	{"1.3.6.1.2.1.33.1.4.4.1.2.1", ASN_INTEGER, "230"},
	{"1.3.6.1.2.1.33.1.4.4.1.2.2", ASN_INTEGER, "230"},
	{"1.3.6.1.2.1.33.1.4.4.1.2.3", ASN_INTEGER, "231"},
	{"1.3.6.1.2.1.33.1.4.4.1.5.1", ASN_INTEGER, "31"},
	{"1.3.6.1.2.1.33.1.4.4.1.5.2", ASN_INTEGER, "30"},
	{"1.3.6.1.2.1.33.1.4.4.1.5.3", ASN_INTEGER, "33"},
	{"1.3.6.1.2.1.33.1.6.1.0", ASN_GAUGE, "0"},
};

struct rec {
	char metric[64], unit[16], oid[160], labels[160], text[32];
	double value;
	int kind;
};

static struct rec recs[256];
static size_t nrecs;
static char inventory[8][512];
static size_t ninventory;

static void on_sample(void *arg, const struct sample_in *s)
{
	if (nrecs == LEN(recs))
		TEST_FAIL_("too many samples");
	struct rec *r = &recs[nrecs++];
	memset(r, 0, sizeof(*r));
	snprintf(r->metric, sizeof(r->metric), "%s", s->metric);
	snprintf(r->unit, sizeof(r->unit), "%s", s->unit ? s->unit : "");
	snprintf(r->text, sizeof(r->text), "%s", s->text ? s->text : "");
	r->value = s->value;
	r->kind = (int)s->kind;
	size_t used = 0;
	for (size_t i = 0; i < s->nlabels; i++) {
		if (strcmp(s->labels[i].key, "oid") == 0) {
			snprintf(r->oid, sizeof(r->oid), "%s", s->labels[i].value);
			continue;
		}
		used += (size_t)snprintf(r->labels + used, sizeof(r->labels) - used, "%s%s=%s",
					 used ? "," : "", s->labels[i].key, s->labels[i].value);
	}
	if (s->ts_ms != 0)
		TEST_FAIL_("ts_ms must be 0 (the poll's start)");
}

static void on_inventory(void *arg, const char *kind, const char *id, const struct label *fields,
			 size_t n)
{
	if (ninventory == LEN(inventory))
		TEST_FAIL_("too many inventory records");
	char *out = inventory[ninventory++];
	size_t used = (size_t)snprintf(out, 512, "%s[%s]", kind, id);
	for (size_t i = 0; i < n; i++)
		used += (size_t)snprintf(out + used, 512 - used, " %s=%s", fields[i].key,
					 fields[i].value);
}

static const struct rec *find(const char *metric, const char *oid_text)
{
	for (size_t i = 0; i < nrecs; i++)
		if (strcmp(recs[i].metric, metric) == 0 && strcmp(recs[i].oid, oid_text) == 0)
			return &recs[i];
	TEST_FAIL_("no sample %s at %s", metric, oid_text);
	return NULL;
}

static bool has_metric(const char *metric)
{
	for (size_t i = 0; i < nrecs; i++)
		if (strcmp(recs[i].metric, metric) == 0)
			return true;
	return false;
}

static struct perr err;
static struct snmp_profile_set *set;
static struct snmp_conf conf;
static struct fake_agent agent;
static struct snmp_fetch fetch;

/* A v2c device with the shipped profiles, auto-selected. */
static void setup(void)
{
	snmp_link_library_init();
	nrecs = ninventory = 0;
	if (!set && snmp_profile_set_get(PANTAU_SOURCE_PROFILES, &set, &err) != 0)
		TEST_FAIL_("%s", err.msg);
	memset(&conf, 0, sizeof(conf));
	conf.version = SNMP_CONF_V2C;
	conf.max_oids = 32;
	conf.max_repetitions = 25;
	conf.bulk = true;
	conf.set = set;
	conf.auto_select = true;
	fake_agent_free(&agent);
	fake_agent_init(&agent, ups, LEN(ups));
	struct snmp_sink sink = {on_sample, on_inventory, NULL};
	snmp_fetch_free(&fetch);
	snmp_fetch_init(&fetch, &conf, &sink, "ups-a");
}

/* Runs one poll against the fake agent; returns its status. */
static int poll_once(uint64_t now_ms, const char **reason)
{
	nrecs = ninventory = 0;
	ASSERT_EQ_INT(snmp_fetch_begin(&fetch, now_ms), 0);
	unsigned guard = 0;
	netsnmp_pdu *pdu;
	while ((pdu = snmp_fetch_next(&fetch))) {
		netsnmp_pdu *resp = fake_agent_answer(&agent, pdu);
		snmp_free_pdu(pdu);
		snmp_fetch_reply_at(&fetch, 0, resp, now_ms, 0);
		snmp_free_pdu(resp);
		if (++guard > 1000)
			TEST_FAIL_("the poll does not end");
	}
	return snmp_fetch_result(&fetch, reason);
}

TEST(v2c_ups_all_values)
{
	setup();
	const char *reason = "x";
	ASSERT_EQ_INT(poll_once(1000, &reason), 0);
	ASSERT_TRUE(reason == NULL);
	const struct rec *r = find("ups.input.frequency", "1.3.6.1.2.1.33.1.3.3.1.2.2");
	ASSERT_NEAR(r->value, 50.0, 0);
	ASSERT_EQ_STR(r->unit, "Hz");
	ASSERT_EQ_STR(r->labels, "line=2");
	ASSERT_NEAR(find("ups.input.frequency", "1.3.6.1.2.1.33.1.3.3.1.2.1")->value, 49.9, 1e-12);
	ASSERT_NEAR(find("ups.input.current", "1.3.6.1.2.1.33.1.3.3.1.4.3")->value, 16.0, 1e-12);
	ASSERT_NEAR(find("ups.input.voltage", "1.3.6.1.2.1.33.1.3.3.1.3.2")->value, 231, 0);
	ASSERT_NEAR(find("ups.output.load", "1.3.6.1.2.1.33.1.4.4.1.5.3")->value, 33, 0);
	ASSERT_NEAR(find("ups.battery.runtime", "1.3.6.1.2.1.33.1.2.3.0")->value, 2520, 0);
	ASSERT_TRUE(find("ups.battery.voltage", "1.3.6.1.2.1.33.1.2.5.0")->value == 408.1);
	ASSERT_NEAR(find("ups.battery.current", "1.3.6.1.2.1.33.1.2.6.0")->value, -1.2, 1e-12);
	ASSERT_NEAR(find("snmp.uptime", "1.3.6.1.2.1.1.3.0")->value, 1234.56, 1e-12);
	r = find("ups.output.source", "1.3.6.1.2.1.33.1.4.1.0");
	ASSERT_EQ_STR(r->text, "normal");
	ASSERT_EQ_INT(r->kind, SERIES_STATE);
	ASSERT_NEAR(r->value, 3, 0);
	ASSERT_EQ_STR(find("ups.battery.status", "1.3.6.1.2.1.33.1.2.1.0")->text, "batteryNormal");
	ASSERT_EQ_INT(find("ups.input.line_bads", "1.3.6.1.2.1.33.1.3.1.0")->kind, SERIES_COUNTER);
	/* Absent objects are absent, never zero. */
	ASSERT_TRUE(!has_metric("ups.bypass.frequency"));
	ASSERT_TRUE(!has_metric("ups.output.current"));
	/* 13 UPS scalars + uptime, input 3x3, output 2x3 (columns 2 and 5). */
	ASSERT_EQ_UINT(nrecs, 13 + 1 + 9 + 6);
	ASSERT_EQ_UINT(ninventory, 2);
	ASSERT_EQ_STR(inventory[0],
		      "system[] descr=pantau test UPS object_id=1.3.6.1.4.1.99999.1.33 "
		      "uptime=1234.56 contact=noc@example.go.id name=ups-a "
		      "location=Room 1");
	ASSERT_EQ_STR(inventory[1], "ups[] manufacturer=PANTAU model=SIM-3P 40kVA");
}

TEST(requests_are_few)
{
	setup();
	const char *reason;
	ASSERT_EQ_INT(poll_once(1000, &reason), 0);
	/* identify (32 detection subtrees per GETNEXT), 2 GETs (33 objects, 32
	 * per request). Tables share GETBULKs of at most 256 varbinds: with 25
	 * repetitions (no row counts yet) input and output fit in one, bypass
	 * takes another. */
	ASSERT_EQ_UINT(agent.getnexts, (fetch.ndet + 1 + 31) / 32);
	ASSERT_EQ_UINT(agent.gets, 2);
	ASSERT_EQ_UINT(agent.getbulks, 2);
	/* The next poll reuses the selection and sizes GETBULK by the rows
	 * seen: every table in one request, one more repetition than the
	 * longest (input: 3 rows). */
	agent.requests = agent.gets = agent.getnexts = agent.getbulks = 0;
	ASSERT_EQ_INT(poll_once(2000, &reason), 0);
	ASSERT_EQ_UINT(agent.getnexts, 0);
	ASSERT_EQ_UINT(agent.requests, 3);
	ASSERT_EQ_UINT(agent.getbulks, 1);
	ASSERT_EQ_INT(agent.last_repetitions, 4);
	ASSERT_EQ_UINT(nrecs, 29);
	/* Unchanged inventory is not sent again before the hour. */
	ASSERT_EQ_UINT(ninventory, 0);
	ASSERT_EQ_INT(poll_once(2000 + SNMP_FETCH_REFRESH_MS, &reason), 0);
	ASSERT_EQ_UINT(ninventory, 2);
}

TEST(an_agent_refusing_requests_of_several_tables_gets_one_table_a_request)
{
	setup();
	const char *reason;
	ASSERT_EQ_INT(poll_once(1000, &reason), 0);
	size_t widest = 0; /* the most columns one table asks */
	for (size_t i = 0; i < fetch.ntabs; i++) {
		const struct snmp_profile_table *t = fetch.tabs[i].t;
		size_t n = t->ncolumns + t->nlabels + t->nattrs;
		widest = n > widest ? n : widest;
	}
	agent.bulk_max_columns = widest;
	agent.requests = agent.gets = agent.getnexts = agent.getbulks = 0;
	ASSERT_EQ_INT(poll_once(2000, &reason), 0);
	ASSERT_TRUE(reason == NULL);
	ASSERT_EQ_UINT(nrecs, 29); /* every table read all the same */
	/* The refused request, then one per table (3); and so from then on. */
	ASSERT_EQ_UINT(agent.getbulks, 1 + 3);
	agent.getbulks = 0;
	ASSERT_EQ_INT(poll_once(3000, &reason), 0);
	ASSERT_EQ_UINT(nrecs, 29);
	ASSERT_EQ_UINT(agent.getbulks, 3);
}

TEST(v1_uses_getnext_and_survives_nosuchname)
{
	setup();
	conf.version = SNMP_CONF_V1;
	agent.v1 = true;
	const char *reason;
	ASSERT_EQ_INT(poll_once(1000, &reason), 0);
	ASSERT_EQ_UINT(agent.getbulks, 0);
	ASSERT_EQ_UINT(nrecs, 29);
	ASSERT_NEAR(find("ups.input.frequency", "1.3.6.1.2.1.33.1.3.3.1.2.3")->value, 50.1, 1e-12);
	ASSERT_EQ_UINT(ninventory, 2);
}

TEST(bulk_false_uses_getnext)
{
	setup();
	conf.bulk = false;
	const char *reason;
	ASSERT_EQ_INT(poll_once(1000, &reason), 0);
	ASSERT_EQ_UINT(agent.getbulks, 0);
	ASSERT_TRUE(agent.getnexts > 3);
	ASSERT_EQ_UINT(nrecs, 29);
}

TEST(named_profiles_skip_identification)
{
	setup();
	conf.auto_select = false;
	const struct snmp_profile *only[] = {snmp_profile_set_find(set, "ups-mib")};
	conf.named = only;
	conf.nnamed = 1;
	const char *reason;
	ASSERT_EQ_INT(poll_once(1000, &reason), 0);
	ASSERT_EQ_UINT(agent.getnexts, 0);
	ASSERT_TRUE(!has_metric("snmp.uptime"));
	ASSERT_EQ_UINT(nrecs, 28);
	conf.named = NULL;
	conf.nnamed = 0;
}

TEST(auto_without_ups_mib_selects_system_only)
{
	setup();
	fake_agent_free(&agent);
	fake_agent_init(&agent, ups, 6); /* the system group only */
	const char *reason;
	ASSERT_EQ_INT(poll_once(1000, &reason), 0);
	ASSERT_EQ_UINT(nrecs, 1);
	ASSERT_EQ_STR(recs[0].metric, "snmp.uptime");
	ASSERT_EQ_UINT(agent.getbulks, 0);
}

TEST(small_responses_still_complete)
{
	setup();
	agent.max_varbinds = 5; /* tooBig for GET, truncated GETBULK */
	const char *reason;
	ASSERT_EQ_INT(poll_once(1000, &reason), 0);
	ASSERT_EQ_UINT(nrecs, 29);
	ASSERT_EQ_UINT(ninventory, 2);
}

TEST(lying_agent_ends_the_walk)
{
	setup();
	oid root[] = {1, 3, 6, 1, 2, 1, 33, 1, 3, 3, 1, 3};
	memcpy(agent.lie_root, root, sizeof(root));
	agent.lie_len = LEN(root);
	const char *reason;
	ASSERT_EQ_INT(poll_once(1000, &reason), 0);
	/* The voltage column repeats line 1 forever: one value, then it ends. */
	ASSERT_NEAR(find("ups.input.voltage", "1.3.6.1.2.1.33.1.3.3.1.3.1")->value, 229, 0);
	ASSERT_NEAR(find("ups.input.frequency", "1.3.6.1.2.1.33.1.3.3.1.2.3")->value, 50.1, 1e-12);
	ASSERT_EQ_UINT(nrecs, 29 - 2);
	ASSERT_TRUE(agent.requests < 10);
}

TEST(end_of_mib_view_ends_the_last_table)
{
	setup();
	/* Without upsAlarmsPresent the output table is the end of the MIB. */
	fake_agent_free(&agent);
	fake_agent_init(&agent, ups, LEN(ups) - 1);
	conf.bulk = false;
	const char *reason;
	ASSERT_EQ_INT(poll_once(1000, &reason), 0);
	ASSERT_NEAR(find("ups.output.load", "1.3.6.1.2.1.33.1.4.4.1.5.3")->value, 33, 0);
	ASSERT_EQ_UINT(nrecs, 28);
}

static int poll_with_failure(int at_request, int status)
{
	ASSERT_EQ_INT(snmp_fetch_begin(&fetch, 1000), 0);
	netsnmp_pdu *pdu;
	int n = 0;
	while ((pdu = snmp_fetch_next(&fetch))) {
		if (n++ == at_request) {
			snmp_free_pdu(pdu);
			snmp_fetch_reply_at(&fetch, status, NULL, 1000, 0);
			continue;
		}
		netsnmp_pdu *resp = fake_agent_answer(&agent, pdu);
		snmp_free_pdu(pdu);
		snmp_fetch_reply_at(&fetch, 0, resp, 1000, 0);
		snmp_free_pdu(resp);
	}
	return n;
}

TEST(timeouts)
{
	setup();
	const char *reason = NULL;
	ASSERT_EQ_INT(poll_with_failure(0, -ETIMEDOUT), 1);
	ASSERT_EQ_INT(snmp_fetch_result(&fetch, &reason), -ETIMEDOUT);
	ASSERT_EQ_STR(reason, "timeout");
	/* Identification asks 32 detection subtrees per GETNEXT. */
	unsigned identify = (unsigned)((fetch.ndet + 1 + 31) / 32);
	/* Answered, then stopped answering: the values read so far count. */
	setup();
	nrecs = 0;
	/* identify, GET, GET, input and output tables, then silence. */
	ASSERT_EQ_INT(poll_with_failure(3 + identify, -ETIMEDOUT), 4 + identify);
	ASSERT_EQ_INT(snmp_fetch_result(&fetch, &reason), 0);
	ASSERT_EQ_STR(reason, "timeout");
	ASSERT_EQ_UINT(nrecs, 14 + 9 + 6);
	/* After a failed poll the device is identified again. */
	setup();
	ASSERT_EQ_INT(poll_with_failure(0, -ETIMEDOUT), 1);
	snmp_fetch_forget(&fetch);
	ASSERT_EQ_INT(poll_once(2000, &reason), 0);
	ASSERT_EQ_UINT(agent.getnexts, identify);
}

TEST(budget_abort_keeps_rows)
{
	setup();
	ASSERT_EQ_INT(snmp_fetch_begin(&fetch, 1000), 0);
	for (int i = 0; i < 3; i++) {
		netsnmp_pdu *pdu = snmp_fetch_next(&fetch);
		netsnmp_pdu *resp = fake_agent_answer(&agent, pdu);
		snmp_free_pdu(pdu);
		snmp_fetch_reply_at(&fetch, 0, resp, 1000, 0);
		snmp_free_pdu(resp);
	}
	snmp_fetch_abort(&fetch, -ETIMEDOUT, "poll budget exceeded");
	ASSERT_TRUE(snmp_fetch_next(&fetch) == NULL);
	const char *reason;
	ASSERT_EQ_INT(snmp_fetch_result(&fetch, &reason), 0);
	ASSERT_EQ_STR(reason, "poll budget exceeded");
}

TEST(snmpv3_reports)
{
	setup();
	ASSERT_EQ_INT(snmp_fetch_begin(&fetch, 1000), 0);
	netsnmp_pdu *pdu = snmp_fetch_next(&fetch);
	snmp_free_pdu(pdu);
	/* An unknown-engine report is answered by asking again. */
	netsnmp_pdu *rep = snmp_pdu_create(SNMP_MSG_REPORT);
	static const oid unknown_engine[] = {1, 3, 6, 1, 6, 3, 15, 1, 1, 4, 0};
	long one = 1;
	snmp_pdu_add_variable(rep, unknown_engine, LEN(unknown_engine), ASN_COUNTER, (u_char *)&one,
			      sizeof(one));
	snmp_fetch_reply_at(&fetch, -EAGAIN, rep, 1000, 0);
	pdu = snmp_fetch_next(&fetch);
	ASSERT_TRUE(pdu != NULL);
	ASSERT_EQ_INT(pdu->command, SNMP_MSG_GETNEXT);
	snmp_free_pdu(pdu);
	snmp_free_pdu(rep);
	/* A wrong password is final. */
	rep = snmp_pdu_create(SNMP_MSG_REPORT);
	static const oid wrong_digest[] = {1, 3, 6, 1, 6, 3, 15, 1, 1, 5, 0};
	snmp_pdu_add_variable(rep, wrong_digest, LEN(wrong_digest), ASN_COUNTER, (u_char *)&one,
			      sizeof(one));
	snmp_fetch_reply_at(&fetch, -EAGAIN, rep, 1000, 0);
	snmp_free_pdu(rep);
	ASSERT_TRUE(snmp_fetch_next(&fetch) == NULL);
	const char *reason;
	ASSERT_EQ_INT(snmp_fetch_result(&fetch, &reason), -EACCES);
	ASSERT_CONTAINS(reason, "uthentication");
}

TEST(done)
{
	snmp_fetch_free(&fetch);
	fake_agent_free(&agent);
	snmp_profile_set_put(set);
	set = NULL;
}

TEST_MAIN(v2c_ups_all_values, requests_are_few, an_agent_refusing_requests_of_several_tables_gets_one_table_a_request,
	  v1_uses_getnext_and_survives_nosuchname,
	  bulk_false_uses_getnext, named_profiles_skip_identification,
	  auto_without_ups_mib_selects_system_only, small_responses_still_complete,
	  lying_agent_ends_the_walk, end_of_mib_view_ends_the_last_table, timeouts,
	  budget_abort_keeps_rows, snmpv3_reports, done)
