/* Per-row metric features: attribute columns, when/unless row tests,
 * decimal digits and divisors taken from another column, °F per row, state
 * names from a text column, and labels joined from a table whose index is a
 * prefix of the row's. Parsing errors come with [file:line]. */
#include "fake_agent.h"
#include "snmp_emit.h"
#include "snmp_fetch.h"
#include "snmp_link.h"
#include "test.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#define LEN(a) (sizeof(a) / sizeof((a)[0]))

static struct perr err;

static int parse(const char *text, struct snmp_profile *p)
{
	struct conf_doc doc;
	memset(p, 0, sizeof(*p));
	err.msg[0] = '\0';
	int rc = conf_load_string("t.yaml", text, strlen(text), &doc, &err);
	if (rc < 0)
		return rc;
	rc = snmp_profile_parse(doc.root, p, &err);
	conf_doc_free(&doc);
	return rc;
}

static void expect_error(const char *text, const char *msg)
{
	struct snmp_profile p;
	if (parse(text, &p) == 0) {
		snmp_profile_free(&p);
		TEST_FAIL_("parsed, expected \"%s\"", msg);
	}
	ASSERT_CONTAINS(err.msg, msg);
}

static char out[64][256];
static size_t nout;

static void on_sample(void *arg, const struct sample_in *s)
{
	if (nout == LEN(out))
		TEST_FAIL_("too many samples");
	size_t used = (size_t)snprintf(out[nout], 256, "%s=%.10g", s->metric, s->value);
	if (s->text)
		used += (size_t)snprintf(out[nout] + used, 256 - used, " (%s)", s->text);
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

static const char rows_profile[] =
	"name: rows\n"
	"tables:\n"
	"  - name: sensors\n"
	"    oid: 1.3.6.1.4.1.99999.9.1\n"
	"    index: [kind, id]\n"
	"    columns:\n"
	"      - { metric: s.current, column: 4, unit: A, digits: digits, when: { kind: \"1\" },\n"
	"          unless: { available: \"2\" } }\n"
	"      - { metric: s.temp, column: 4, unit: celsius, divide: 10, when: { kind: \"10\" },\n"
	"          fahrenheit: { units: [\"*F\", \"fahr*\"] } }\n"
	"      - { metric: s.flow, column: 4, divide_by: scale, when: { kind: \"12\" } }\n"
	"      - { metric: s.mode, column: 5, kind: state, state_text: text, states: { 9: nine } }\n"
	"    labels:\n"
	"      - { name: name, column: 2 }\n"
	"    attributes:\n"
	"      - { name: digits, column: 7 }\n"
	"      - { name: available, column: 8 }\n"
	"      - { name: units, column: 9 }\n"
	"      - { name: scale, column: 10 }\n"
	"      - { name: text, column: 11 }\n";

TEST(parse_row_features)
{
	struct snmp_profile p;
	if (parse(rows_profile, &p) != 0)
		TEST_FAIL_("%s", err.msg);
	const struct snmp_profile_table *t = &p.tables[0];
	ASSERT_EQ_UINT(t->nattrs, 5);
	ASSERT_EQ_INT(t->attrs[0].role, SNMP_PROFILE_ATTR);
	ASSERT_EQ_UINT(t->attrs[4].oid.len, 10);
	ASSERT_EQ_STR(t->columns[0].digits, "digits");
	ASSERT_EQ_UINT(t->columns[0].nwhen, 1);
	ASSERT_EQ_STR(t->columns[0].when[0].attr, "kind");
	ASSERT_EQ_STR(t->columns[0].unless[0].patterns[0], "2");
	ASSERT_EQ_UINT(t->columns[1].nfahrenheit_if, 1);
	ASSERT_EQ_UINT(t->columns[1].fahrenheit_if[0].npatterns, 2);
	ASSERT_TRUE(!t->columns[1].fahrenheit);
	ASSERT_EQ_STR(t->columns[2].divide_by, "scale");
	ASSERT_EQ_STR(t->columns[3].state_text, "text");
	snmp_profile_free(&p);
	/* fahrenheit: true on a scalar: a device that always reads °F. */
	if (parse("name: f\nscalars:\n  - { metric: a.t, oid: 1.3.6.1.4.1.9.1.0, unit: celsius, "
		  "fahrenheit: true }\n",
		  &p) != 0)
		TEST_FAIL_("%s", err.msg);
	ASSERT_TRUE(p.scalars[0].fahrenheit);
	snmp_profile_free(&p);
}

TEST(parse_row_errors)
{
	static const char head[] = "name: e\ntables:\n  - name: t\n    oid: 1.3.6.1.4.1.9.1\n"
				   "    index: [id]\n    columns:\n";
	char text[1024];
	snprintf(text, sizeof(text), "%s      - { metric: a.b, column: 2, when: { nope: \"1\" } }\n",
		 head);
	expect_error(text, "t.yaml:7] tables[0].columns[0]: 'nope' is no index name, label or "
			   "attribute of this table");
	snprintf(text, sizeof(text), "%s      - { metric: a.b, column: 2, digits: dd }\n", head);
	expect_error(text, "'dd' is no index name, label or attribute");
	snprintf(text, sizeof(text), "%s      - { metric: a.b, column: 2, when: { id: [] } }\n", head);
	expect_error(text, "t.yaml:7] tables[0].columns[0].when.id: give a text pattern or a list");
	snprintf(text, sizeof(text), "%s      - { metric: a.b, column: 2, when: [1] }\n", head);
	expect_error(text, "tables[0].columns[0].when must map label or attribute names");
	snprintf(text, sizeof(text),
		 "%s      - { metric: a.b, column: 2, kind: state, digits: id }\n", head);
	expect_error(text, "a state takes no digits, divide_by or fahrenheit");
	snprintf(text, sizeof(text), "%s      - { metric: a.b, column: 2, state_text: id }\n", head);
	expect_error(text, "state_text needs kind: state");
	snprintf(text, sizeof(text), "%s      - { metric: a.b, column: 2, fahrenheit: maybe }\n",
		 head);
	expect_error(text, "fahrenheit: true, false or a mapping of row tests");
	snprintf(text, sizeof(text),
		 "%s      - { metric: a.b, column: 2 }\n    attributes:\n      - { name: id, "
		 "column: 3 }\n",
		 head);
	expect_error(text, "t.yaml:9] tables[0].attributes[0]: name 'id' is used twice");
	expect_error("name: s\nscalars:\n  - { metric: a.b, oid: 1.3.6.1.4.1.9.1.0, when: { x: "
		     "\"1\" } }\n",
		     "t.yaml:3] scalars[0]: when, unless, digits and conditional fahrenheit need "
		     "a table row");
}

/* snmp_emit_row_sample on its own: every row test and conversion. */
TEST(emit_row_values)
{
	struct snmp_profile p;
	if (parse(rows_profile, &p) != 0)
		TEST_FAIL_("%s", err.msg);
	const struct snmp_profile_object *cur = &p.tables[0].columns[0];
	const struct snmp_profile_object *temp = &p.tables[0].columns[1];
	const struct snmp_profile_object *flow = &p.tables[0].columns[2];
	const struct snmp_profile_object *mode = &p.tables[0].columns[3];
	struct snmp_sink sink = {on_sample, on_inventory, NULL};
	struct label l1[] = {{"kind", "1"}, {"id", "4"}};
	struct label a1[] = {{"digits", "3"}, {"available", "1"}};
	nout = 0;
	ASSERT_EQ_INT(snmp_emit_row_sample(&sink, cur, 680, "o", l1, 2, a1, 2), 0);
	expect("s.current=0.68 oid=o kind=1 id=4");
	/* No digits column in this row: the value is read as it is. */
	ASSERT_EQ_INT(snmp_emit_row_sample(&sink, cur, 7, "o", l1, 2, a1 + 1, 1), 0);
	expect("s.current=7 oid=o kind=1 id=4");
	/* Digits that are not a count of digits drop the sample. */
	struct label bad[] = {{"digits", "x"}, {"available", "1"}};
	ASSERT_EQ_INT(snmp_emit_row_sample(&sink, cur, 7, "o", l1, 2, bad, 2), -ERANGE);
	struct label neg[] = {{"digits", "-1"}};
	ASSERT_EQ_INT(snmp_emit_row_sample(&sink, cur, 7, "o", l1, 2, neg, 1), -ERANGE);
	/* unless: the row's sensor is not available; when: wrong kind. */
	struct label off[] = {{"digits", "3"}, {"available", "2"}};
	ASSERT_EQ_INT(snmp_emit_row_sample(&sink, cur, 680, "o", l1, 2, off, 2), -ENOENT);
	struct label l10[] = {{"kind", "10"}, {"id", "4"}};
	ASSERT_EQ_INT(snmp_emit_row_sample(&sink, cur, 680, "o", l10, 2, a1, 2), -ENOENT);
	/* A row test on a missing text never holds: no when, no sample. */
	ASSERT_EQ_INT(snmp_emit_row_sample(&sink, cur, 680, "o", NULL, 0, a1, 2), -ENOENT);
	/* °F only in the rows whose units match a pattern. */
	struct label uf[] = {{"units", "deg F"}};
	struct label uc[] = {{"units", "deg C"}};
	struct label uf2[] = {{"units", "fahrenheit"}};
	ASSERT_EQ_INT(snmp_emit_row_sample(&sink, temp, 950, "t", l10, 2, uf, 1), 0);
	expect("s.temp=35 oid=t kind=10 id=4");
	ASSERT_EQ_INT(snmp_emit_row_sample(&sink, temp, 212, "t", l10, 2, uc, 1), 0);
	expect("s.temp=21.2 oid=t kind=10 id=4");
	ASSERT_EQ_INT(snmp_emit_row_sample(&sink, temp, 320, "t2", l10, 2, uf2, 1), 0);
	expect("s.temp=0 oid=t2 kind=10 id=4");
	/* divide_by: 0 or an absent divisor leaves the value as it is. */
	struct label l12[] = {{"kind", "12"}, {"id", "1"}};
	struct label s10[] = {{"scale", "10"}};
	struct label s0[] = {{"scale", "0"}};
	ASSERT_EQ_INT(snmp_emit_row_sample(&sink, flow, 2296, "f", l12, 2, s10, 1), 0);
	expect("s.flow=229.6 oid=f kind=12 id=1");
	ASSERT_EQ_INT(snmp_emit_row_sample(&sink, flow, 2296, "f0", l12, 2, s0, 1), 0);
	expect("s.flow=2296 oid=f0 kind=12 id=1");
	/* A state: the profile's names first, the row's text otherwise. */
	struct label tx[] = {{"text", "Active"}};
	ASSERT_EQ_INT(snmp_emit_row_sample(&sink, mode, 6, "m", l1, 2, tx, 1), 0);
	expect("s.mode=6 (Active) oid=m kind=1 id=4");
	ASSERT_EQ_INT(snmp_emit_row_sample(&sink, mode, 9, "m9", l1, 2, tx, 1), 0);
	expect("s.mode=9 (nine) oid=m9 kind=1 id=4");
	snmp_profile_free(&p);
}

/* Through a real table walk against the fake agent: attribute columns are
 * walked but never become labels, and an outlet-name column indexed by
 * (pdu, outlet) labels the sensor rows indexed by (pdu, outlet, sensor). */
static const char walk_profile[] =
	"name: pdu\n"
	"select: { sysobjectid: [1.3.6.1.4.1.99999.8] }\n"
	"tables:\n"
	"  - name: outletSensors\n"
	"    oid: 1.3.6.1.4.1.99999.8.5.1\n"
	"    index: [pdu, outlet, sensor]\n"
	"    columns:\n"
	"      - { metric: pdu.outlet.current, column: 4, unit: A, digits: digits,\n"
	"          when: { sensor: \"1\" }, unless: { available: \"2\" } }\n"
	"      - { metric: pdu.outlet.power, column: 4, unit: W, digits: digits,\n"
	"          when: { sensor: \"5\" }, unless: { available: \"2\" } }\n"
	"    labels:\n"
	"      - { name: outlet_name, oid: 1.3.6.1.4.1.99999.8.3.1.3 }\n"
	"    attributes:\n"
	"      - { name: available, column: 2 }\n"
	"      - { name: digits, oid: 1.3.6.1.4.1.99999.8.4.1.7 }\n";

static const struct fake_var walk_vars[] = {
	{"1.3.6.1.2.1.1.2.0", ASN_OBJECT_ID, "1.3.6.1.4.1.99999.8.1"},
	{"1.3.6.1.4.1.99999.8.3.1.3.1.1", ASN_OCTET_STR, "db-01"},
	{"1.3.6.1.4.1.99999.8.3.1.3.1.3", ASN_OCTET_STR, "db-03"},
	{"1.3.6.1.4.1.99999.8.4.1.7.1.1.1", ASN_GAUGE, "3"},
	{"1.3.6.1.4.1.99999.8.4.1.7.1.1.5", ASN_GAUGE, "0"},
	{"1.3.6.1.4.1.99999.8.4.1.7.1.2.1", ASN_GAUGE, "3"},
	{"1.3.6.1.4.1.99999.8.4.1.7.1.3.1", ASN_GAUGE, "2"},
	{"1.3.6.1.4.1.99999.8.5.1.2.1.1.1", ASN_INTEGER, "1"},
	{"1.3.6.1.4.1.99999.8.5.1.2.1.1.5", ASN_INTEGER, "1"},
	{"1.3.6.1.4.1.99999.8.5.1.2.1.2.1", ASN_INTEGER, "2"},
	{"1.3.6.1.4.1.99999.8.5.1.2.1.3.1", ASN_INTEGER, "1"},
	{"1.3.6.1.4.1.99999.8.5.1.4.1.1.1", ASN_GAUGE, "1870"},
	{"1.3.6.1.4.1.99999.8.5.1.4.1.1.5", ASN_GAUGE, "412"},
	{"1.3.6.1.4.1.99999.8.5.1.4.1.2.1", ASN_GAUGE, "0"},
	{"1.3.6.1.4.1.99999.8.5.1.4.1.3.1", ASN_GAUGE, "55"},
};

static void walk(bool v1, bool bulk)
{
	snmp_link_library_init();
	struct conf_doc doc;
	ASSERT_EQ_INT(conf_load_string("pdu.yaml", walk_profile, strlen(walk_profile), &doc, &err),
		      0);
	struct snmp_profile prof;
	if (snmp_profile_parse(doc.root, &prof, &err) != 0)
		TEST_FAIL_("%s", err.msg);
	conf_doc_free(&doc);
	struct snmp_profile_set set = {.profiles = &prof, .n = 1, .base.refs = 1};
	struct snmp_conf conf = {.version = v1 ? SNMP_CONF_V1 : SNMP_CONF_V2C,
				 .max_oids = 32,
				 .max_repetitions = 2,
				 .bulk = bulk,
				 .set = &set,
				 .auto_select = true};
	struct fake_agent agent;
	fake_agent_init(&agent, walk_vars, LEN(walk_vars));
	agent.v1 = v1;
	struct snmp_sink sink = {on_sample, on_inventory, NULL};
	struct snmp_fetch f;
	snmp_fetch_init(&f, &conf, &sink, "pdu");
	nout = 0;
	ASSERT_EQ_INT(snmp_fetch_begin(&f, 1), 0);
	netsnmp_pdu *pdu;
	while ((pdu = snmp_fetch_next(&f))) {
		netsnmp_pdu *resp = fake_agent_answer(&agent, pdu);
		snmp_free_pdu(pdu);
		snmp_fetch_reply_at(&f, 0, resp, 1, 0);
		snmp_free_pdu(resp);
		if (agent.requests > 200)
			TEST_FAIL_("the poll does not end");
	}
	const char *reason;
	ASSERT_EQ_INT(snmp_fetch_result(&f, &reason), 0);
	expect("pdu.outlet.current=1.87 oid=1.3.6.1.4.1.99999.8.5.1.4.1.1.1 pdu=1 outlet=1 "
	       "sensor=1 outlet_name=db-01");
	expect("pdu.outlet.power=412 oid=1.3.6.1.4.1.99999.8.5.1.4.1.1.5 pdu=1 outlet=1 sensor=5 "
	       "outlet_name=db-01");
	/* Outlet 2's sensor is not available (and outlet 2 has no name). */
	expect("pdu.outlet.current=0.55 oid=1.3.6.1.4.1.99999.8.5.1.4.1.3.1 pdu=1 outlet=3 "
	       "sensor=1 outlet_name=db-03");
	ASSERT_EQ_UINT(nout, 3);
	snmp_fetch_free(&f);
	fake_agent_free(&agent);
	snmp_profile_free(&prof);
}

TEST(walk_v2c_bulk)
{
	walk(false, true);
}

TEST(walk_v1)
{
	walk(true, false);
}

TEST_MAIN(parse_row_features, parse_row_errors, emit_row_values, walk_v2c_bulk, walk_v1)
