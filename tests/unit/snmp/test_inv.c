/* Inventory tables and interface rates through a whole poll against the
 * in-process fake agent, with the shipped if-mib, entity-mib and lldp-mib
 * profiles: records per row, same-name fallbacks (ifHighSpeed/ifSpeed,
 * ifHCInOctets/ifInOctets counters), hex MACs, state names, LLDP lookups and management
 * addresses; then rates over two and three polls, a 32-bit wrap and a
 * reboot. */
#include "fake_agent.h"
#include "snmp_fetch.h"
#include "snmp_link.h"
#include "test.h"

#include <stdio.h>
#include <stdlib.h>

#define LEN(a) (sizeof(a) / sizeof((a)[0]))
#define IF "1.3.6.1.2.1.2.2.1."
#define IFX "1.3.6.1.2.1.31.1.1.1."
#define REM "1.0.8802.1.1.2.1.4.1.1."

/* Interface 1 has ifXTable with HC counters; interface 2 only ifTable. */
#define SWITCH_VARS(uptime, in1, hcin1, in2)                                                       \
	{"1.3.6.1.2.1.1.1.0", ASN_OCTET_STR, "pantau test switch"},                                \
	{"1.3.6.1.2.1.1.2.0", ASN_OBJECT_ID, "1.3.6.1.4.1.99999.2"},                               \
	{"1.3.6.1.2.1.1.3.0", ASN_TIMETICKS, uptime},                                              \
	{IF "2.1", ASN_OCTET_STR, "GigabitEthernet0/1"}, {IF "2.2", ASN_OCTET_STR, "uplink"},      \
	{IF "3.1", ASN_INTEGER, "6"}, {IF "3.2", ASN_INTEGER, "24"},                               \
	{IF "5.1", ASN_GAUGE, "4294967295"}, {IF "5.2", ASN_GAUGE, "100000000"},                    \
	{IF "6.1", ASN_OCTET_STR, "AbCdEf"}, {IF "6.2", ASN_OCTET_STR, ""},                         \
	{IF "7.1", ASN_INTEGER, "1"}, {IF "7.2", ASN_INTEGER, "2"},                                \
	{IF "8.1", ASN_INTEGER, "1"}, {IF "8.2", ASN_INTEGER, "7"},                                \
	{IF "10.1", ASN_COUNTER, in1}, {IF "10.2", ASN_COUNTER, in2},                              \
	{IFX "1.1", ASN_OCTET_STR, "Gi0/1"}, {IFX "6.1", ASN_COUNTER64, hcin1},                    \
	{IFX "15.1", ASN_GAUGE, "10000"},                                                          \
	{"1.3.6.1.2.1.47.1.1.1.1.5.1", ASN_INTEGER, "3"},                                          \
	{"1.3.6.1.2.1.47.1.1.1.1.11.1", ASN_OCTET_STR, "SER123"},                                  \
	{"1.3.6.1.2.1.47.1.1.1.1.13.1", ASN_OCTET_STR, "SW-48"},                                   \
	{"1.0.8802.1.1.2.1.3.7.1.4.7", ASN_OCTET_STR, "Gi0/7"},                                    \
	{REM "5.0.7.1", ASN_OCTET_STR, "core-1"}, {REM "9.0.7.1", ASN_OCTET_STR, "core-1.lan"},    \
	{"1.0.8802.1.1.2.1.4.2.1.3.0.7.1.1.4.10.0.0.9", ASN_INTEGER, "2"}

static const struct fake_var poll1[] = {SWITCH_VARS("100000", "4294966296", "1000", "10")};
static const struct fake_var poll2[] = {SWITCH_VARS("106000", "704", "7001000", "610")};
static const struct fake_var poll3[] = {SWITCH_VARS("3000", "5", "50", "20")};

static char lines[64][512];
static size_t nlines;

static void keep(const char *text)
{
	if (nlines == LEN(lines))
		TEST_FAIL_("too many lines");
	snprintf(lines[nlines++], sizeof(lines[0]), "%s", text);
}

static int64_t stamp; /* the Unix time the fake agent's answers carry */

static void on_sample(void *arg, const struct sample_in *s)
{
	char b[512];
	const char *oid_text = "";
	for (size_t i = 0; i < s->nlabels; i++)
		if (strcmp(s->labels[i].key, "oid") == 0)
			oid_text = s->labels[i].value;
	snprintf(b, sizeof(b), "%s %s=%.10g", s->metric, oid_text, s->value);
	keep(b);
	if (s->ts_ms != stamp)
		TEST_FAIL_("%s stamped %lld, its answer came at %lld", s->metric,
			   (long long)s->ts_ms, (long long)stamp);
}

static void on_inventory(void *arg, const char *kind, const char *id, const struct label *fields,
			 size_t n)
{
	char b[512];
	size_t used = (size_t)snprintf(b, sizeof(b), "%s[%s]", kind, id);
	for (size_t i = 0; i < n && used < sizeof(b); i++)
		used += (size_t)snprintf(b + used, sizeof(b) - used, " %s=%s", fields[i].key,
					 fields[i].value);
	keep(b);
}

static bool has(const char *text)
{
	for (size_t i = 0; i < nlines; i++)
		if (strcmp(lines[i], text) == 0)
			return true;
	return false;
}

static bool has_prefix(const char *text)
{
	for (size_t i = 0; i < nlines; i++)
		if (strncmp(lines[i], text, strlen(text)) == 0)
			return true;
	return false;
}

#define ASSERT_LINE(t)                                                                             \
	do {                                                                                       \
		if (!has(t)) {                                                                     \
			for (size_t i_ = 0; i_ < nlines; i_++)                                     \
				printf("#     %s\n", lines[i_]);                                   \
			TEST_FAIL_("missing: %s", t);                                              \
		}                                                                                  \
	} while (0)

static struct perr err;
static struct snmp_profile_set *set;
static struct snmp_conf conf;
static struct fake_agent agent;
static struct snmp_fetch fetch;

/* One poll started at now_ms whose answers come at reply_ms (later after a
 * retransmission), Unix time wall_ms. */
static void poll_late(const struct fake_var *vars, size_t n, uint64_t now_ms, uint64_t reply_ms,
		      int64_t wall_ms)
{
	fake_agent_free(&agent);
	fake_agent_init(&agent, vars, n);
	nlines = 0;
	ASSERT_EQ_INT(snmp_fetch_begin(&fetch, now_ms), 0);
	netsnmp_pdu *pdu;
	unsigned guard = 0;
	while ((pdu = snmp_fetch_next(&fetch))) {
		netsnmp_pdu *resp = fake_agent_answer(&agent, pdu);
		snmp_free_pdu(pdu);
		stamp = wall_ms;
		snmp_fetch_reply_at(&fetch, 0, resp, reply_ms, wall_ms);
		snmp_free_pdu(resp);
		if (++guard > 1000)
			TEST_FAIL_("the poll does not end");
	}
	const char *reason;
	ASSERT_EQ_INT(snmp_fetch_result(&fetch, &reason), 0);
}

static void poll_with(const struct fake_var *vars, size_t n, uint64_t now_ms)
{
	poll_late(vars, n, now_ms, now_ms, 0);
}

static void setup(void)
{
	snmp_link_library_init();
	if (!set && snmp_profile_set_get(PANTAU_SOURCE_PROFILES, &set, &err) != 0)
		TEST_FAIL_("%s", err.msg);
	memset(&conf, 0, sizeof(conf));
	conf.version = SNMP_CONF_V2C;
	conf.max_oids = 32;
	conf.max_repetitions = 25;
	conf.bulk = true;
	conf.set = set;
	conf.auto_select = true;
	struct snmp_sink sink = {on_sample, on_inventory, NULL};
	snmp_fetch_free(&fetch);
	snmp_fetch_init(&fetch, &conf, &sink, "sw-a");
}

TEST(records_from_tables)
{
	setup();
	poll_with(poll1, LEN(poll1), 1000);
	ASSERT_LINE("interface[1] name=Gi0/1 descr=GigabitEthernet0/1 type=ethernetCsmacd "
		    "speed=10000000000 mac=416243644566 admin_status=up oper_status=up");
	ASSERT_LINE("interface[2] name=uplink descr=uplink type=softwareLoopback speed=100000000 "
		    "mac= admin_status=down oper_status=lowerLayerDown");
	ASSERT_LINE("entity[1] class=chassis serial=SER123 model=SW-48");
	ASSERT_LINE("neighbour[0.7.1] local_port_num=7 local_port=Gi0/7 chassis_id=core-1 "
		    "system_name=core-1.lan mgmt_address=10.0.0.9");
	/* 64-bit where present, 32-bit where not; one sample per interface. */
	ASSERT_LINE("if.in.octets 1.3.6.1.2.1.31.1.1.1.6.1=1000");
	ASSERT_LINE("if.in.octets 1.3.6.1.2.1.2.2.1.10.2=10");
	ASSERT_TRUE(!has_prefix("if.in.octets 1.3.6.1.2.1.2.2.1.10.1="));
	ASSERT_TRUE(!has_prefix("if.in.bits_rate")); /* the first poll has no rate */
	ASSERT_LINE("if.oper_status 1.3.6.1.2.1.2.2.1.8.2=7");
}

TEST(rates_wrap_and_reboot)
{
	setup();
	poll_with(poll1, LEN(poll1), 1000);
	poll_with(poll2, LEN(poll2), 61000); /* 60 s later */
	/* HC: 7,000,000 octets in 60 s = 933,333.33 bit/s. */
	ASSERT_LINE("if.in.bits_rate 1.3.6.1.2.1.31.1.1.1.6.1=933333.3333");
	/* 32-bit: 10 -> 610 is 600 octets = 80 bit/s. */
	ASSERT_LINE("if.in.bits_rate 1.3.6.1.2.1.2.2.1.10.2=80");
	/* Unchanged inventory is not sent again. */
	ASSERT_TRUE(!has_prefix("interface["));
	poll_with(poll3, LEN(poll3), 121000); /* the switch restarted: uptime 30 s */
	ASSERT_TRUE(!has_prefix("if.in.bits_rate"));
	ASSERT_LINE("if.in.octets 1.3.6.1.2.1.2.2.1.10.2=20");
	poll_with(poll1, LEN(poll1), 181000); /* uptime 1000 s: not a reboot, counters grew */
	ASSERT_LINE("if.in.bits_rate 1.3.6.1.2.1.31.1.1.1.6.1=126.6666667");
}

/* The second poll's first try was lost: its answers came 6 s after it
 * began. The counters were read then, so the rate divides by 66 s, not 60,
 * and the samples carry the time of the answer. */
TEST(rates_divide_by_the_time_the_values_were_read)
{
	setup();
	poll_with(poll1, LEN(poll1), 1000);
	poll_late(poll2, LEN(poll2), 61000, 67000, 1790000067000);
	/* 7,000,000 octets x 8 in 66 s. */
	ASSERT_LINE("if.in.bits_rate 1.3.6.1.2.1.31.1.1.1.6.1=848484.8485");
	ASSERT_LINE("if.in.bits_rate 1.3.6.1.2.1.2.2.1.10.2=72.72727273");
}

/* ifInOctets on interface 2 wraps: 4294966296 + 1000 -> 704 (Counter32). */
TEST(counter32_wrap)
{
	static const struct fake_var a[] = {SWITCH_VARS("100000", "1", "1", "4294966296")};
	static const struct fake_var b[] = {SWITCH_VARS("106000", "1", "1", "704")};
	setup();
	poll_with(a, LEN(a), 1000);
	poll_with(b, LEN(b), 61000);
	/* 1704 octets in 60 s = 227.2 bit/s, not minus billions. */
	ASSERT_LINE("if.in.bits_rate 1.3.6.1.2.1.2.2.1.10.2=227.2");
	snmp_fetch_free(&fetch);
	fake_agent_free(&agent);
	snmp_profile_set_put(set);
	set = NULL;
}

TEST_MAIN(records_from_tables, rates_wrap_and_reboot,
	  rates_divide_by_the_time_the_values_were_read, counter32_wrap)
