/* Profile loading: the shipped profiles, and broken ones that must fail
 * with "[file:line] ...". */
#include "snmp_profile.h"
#include "test.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static struct perr err;

/* Parses text as file "t.yaml"; returns the result code. */
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
	int rc = parse(text, &p);
	if (rc == 0) {
		snmp_profile_free(&p);
		TEST_FAIL_("parsed, expected \"%s\"", msg);
	}
	ASSERT_CONTAINS(err.msg, msg);
}

TEST(minimal_profile)
{
	struct snmp_profile p;
	int rc = parse(
		"name: t\n"
		"scalars:\n"
		"  - { metric: room.temp, oid: .1.3.6.1.4.1.9.1.0, unit: celsius, divide: 10 }\n",
		&p);
	if (rc != 0)
		TEST_FAIL_("%s", err.msg);
	ASSERT_EQ_STR(p.name, "t");
	ASSERT_EQ_UINT(p.nscalars, 1);
	ASSERT_EQ_STR(p.scalars[0].unit, "celsius");
	ASSERT_EQ_UINT(p.scalars[0].oid.len, 9);
	ASSERT_NEAR(p.scalars[0].scale.divide, 10, 0);
	ASSERT_NEAR(p.scalars[0].scale.scale, 1, 0);
	ASSERT_EQ_INT(p.scalars[0].kind, SERIES_GAUGE);
	ASSERT_TRUE(!p.always && p.nsysobjectid == 0 && p.ndetect == 0);
	snmp_profile_free(&p);
}

TEST(states_tables_labels_and_selection)
{
	struct snmp_profile p;
	int rc = parse("name: vendor-x\n"
		       "select: { sysobjectid: [1.3.6.1.4.1.99], detect: [1.3.6.1.4.1.99.2] }\n"
		       "scalars:\n"
		       "  - metric: x.status\n"
		       "    oid: 1.3.6.1.4.1.99.1.0\n"
		       "    kind: state\n"
		       "    states: { 1: ok, 2: warning, -1: broken }\n"
		       "tables:\n"
		       "  - name: sensors\n"
		       "    oid: 1.3.6.1.4.1.99.2.1\n"
		       "    index: [sensor]\n"
		       "    columns:\n"
		       "      - { metric: x.temp, column: 3, unit: celsius, invalid: [-999] }\n"
		       "      - { metric: x.flow, oid: 1.3.6.1.4.1.99.3.1.7, kind: counter }\n"
		       "    labels:\n"
		       "      - { name: sensor_name, column: 2 }\n",
		       &p);
	if (rc != 0)
		TEST_FAIL_("%s", err.msg);
	ASSERT_EQ_STR(snmp_profile_state_name(&p.scalars[0], 2), "warning");
	ASSERT_EQ_STR(snmp_profile_state_name(&p.scalars[0], -1), "broken");
	ASSERT_TRUE(snmp_profile_state_name(&p.scalars[0], 3) == NULL);
	const struct snmp_profile_table *t = &p.tables[0];
	ASSERT_EQ_UINT(t->ncolumns, 2);
	ASSERT_EQ_UINT(t->columns[0].oid.len, 10);
	ASSERT_EQ_UINT(t->columns[0].oid.sub[9], 3);
	ASSERT_TRUE(snmp_profile_is_invalid(&t->columns[0], -999));
	ASSERT_TRUE(!snmp_profile_is_invalid(&t->columns[0], 999));
	ASSERT_EQ_INT(t->columns[1].kind, SERIES_COUNTER);
	ASSERT_EQ_UINT(t->nlabels, 1);
	ASSERT_EQ_STR(t->labels[0].name, "sensor_name");
	ASSERT_EQ_UINT(t->labels[0].oid.sub[9], 2);
	oid id[] = {1, 3, 6, 1, 4, 1, 99, 5, 1};
	oid other[] = {1, 3, 6, 1, 4, 1, 990};
	ASSERT_TRUE(snmp_profile_matches_sysobjectid(&p, id, 9));
	ASSERT_TRUE(!snmp_profile_matches_sysobjectid(&p, other, 7));
	ASSERT_TRUE(!snmp_profile_matches_sysobjectid(&p, id, 6));
	snmp_profile_free(&p);
}

TEST(inventory_fields)
{
	struct snmp_profile p;
	int rc = parse(
		"name: s\n"
		"inventory:\n"
		"  - kind: system\n"
		"    fields:\n"
		"      - { name: descr, oid: 1.3.6.1.2.1.1.1.0 }\n"
		"      - { name: uptime, oid: 1.3.6.1.2.1.1.3.0, divide: 100, volatile: true }\n"
		"  - { kind: ups, id: main, fields: [ { name: model, oid: 1.3.6.1.2.1.33.1.1.2.0 } "
		"] }\n",
		&p);
	if (rc != 0)
		TEST_FAIL_("%s", err.msg);
	ASSERT_EQ_UINT(p.nscalars, 3);
	ASSERT_EQ_UINT(p.ninventory, 2);
	ASSERT_EQ_STR(p.inventory[1].id, "main");
	ASSERT_EQ_INT(p.scalars[1].role, SNMP_PROFILE_FIELD);
	ASSERT_TRUE(p.scalars[1].is_volatile);
	ASSERT_EQ_UINT(p.scalars[2].group, 1);
	snmp_profile_free(&p);
}

TEST(errors_name_file_and_line)
{
	expect_error("description: no name\nscalars: []\n",
		     "[t.yaml:1] profile: required key 'name' is missing");
	expect_error("name: t\nscalar:\n  - { metric: a.b, oid: 1.3.6.1 }\n",
		     "[t.yaml:2] unknown key 'scalar' in profile");
	expect_error("name: t\nscalars:\n  - { metric: a.b, oid: 1.3.6.x }\n",
		     "[t.yaml:3] scalars[0]: '1.3.6.x' is not a numeric OID");
	expect_error("name: t\nscalars:\n  - { metric: a.b, oid: 1.3.6.1, colour: red }\n",
		     "[t.yaml:3] unknown key 'colour' in scalars[0]");
	expect_error("name: t\nscalars:\n  - { oid: 1.3.6.1 }\n",
		     "[t.yaml:3] scalars[0]: required key 'metric' is missing");
	expect_error("name: t\nscalars:\n\n  - { metric: Ups.Charge, oid: 1.3.6.1 }\n",
		     "[t.yaml:4] scalars[0].metric: 'Ups.Charge' must be lower-case");
	expect_error("name: t\nscalars:\n  - { metric: a.b, oid: 1.3.6.1, divide: 0 }\n",
		     "[t.yaml:3] scalars[0].divide must not be 0");
	expect_error("name: t\nscalars:\n  - { metric: a.b, oid: 1.3.6.1, kind: level }\n",
		     "[t.yaml:3] scalars[0].kind: 'level' is not one of: gauge, counter, state");
	expect_error(
		"name: t\nscalars:\n  - { metric: a.b, oid: 1.3.6.1, kind: state, divide: 10 }\n",
		"a state takes no scale");
	expect_error("name: t\nscalars:\n  - { metric: a.b, oid: 1.3.6.1, states: {1: on} }\n",
		     "states need kind: state");
	expect_error("name: t\nscalars:\n  - metric: a.b\n    oid: 1.3.6.1\n    kind: state\n"
		     "    states: { one: on }\n",
		     "[t.yaml:6] scalars[0].states: 'one' is not an integer");
	expect_error("name: t\nscalars:\n  - { metric: a.b, column: 3 }\n",
		     "[t.yaml:3] scalars[0]: required key 'oid' is missing");
	expect_error("name: T X\nscalars:\n  - { metric: a.b, oid: 1.3.6.1 }\n",
		     "[t.yaml:1] profile.name: 'T X' must be");
	expect_error("name: t\n", "[t.yaml:1] profile t reads nothing");
	expect_error("name: t\nselect: { sysobjectid: [enterprises.9] }\nscalars:\n"
		     "  - { metric: a.b, oid: 1.3.6.1 }\n",
		     "[t.yaml:2] select.sysobjectid: 'enterprises.9' is not a numeric OID");
}

TEST(table_errors)
{
	expect_error("name: t\ntables:\n  - name: x\n    oid: 1.3.6.1.4.1.9.1\n    columns: []\n",
		     "[t.yaml:5] tables[0].columns: a table needs at least one column");
	expect_error("name: t\ntables:\n  - name: x\n    oid: 1.3.6.1.4.1.9.1\n    columns:\n"
		     "      - { metric: a.b, oid: 1.3.6.1.4.1.9.1.2, column: 2 }\n",
		     "[t.yaml:6] tables[0].columns[0]: give either oid or column, not both");
	expect_error("name: t\ntables:\n  - name: x\n    oid: 1.3.6.1.4.1.9.1\n    index: [line]\n"
		     "    columns:\n      - { metric: a.b, column: 2 }\n"
		     "    labels:\n      - { name: line, column: 3 }\n",
		     "[t.yaml:9] tables[0].labels[0]: label 'line' is used twice");
	expect_error("name: t\ntables:\n  - name: x\n    index: [line]\n"
		     "    columns:\n      - { metric: a.b, column: 2 }\n",
		     "tables[0]: required key 'oid' is missing");
	expect_error("name: t\ntables:\n  - name: x\n    oid: 1.3.6.1.4.1.9.1\n    index: [Line]\n"
		     "    columns:\n      - { metric: a.b, column: 2 }\n",
		     "[t.yaml:5] tables[0].index: index names are lower-case words");
}

static const struct snmp_profile *shipped(struct snmp_profile_set *set, const char *name)
{
	const struct snmp_profile *p = snmp_profile_set_find(set, name);
	if (!p)
		TEST_FAIL_("profile %s not found", name);
	return p;
}

static const struct snmp_profile_object *scalar(const struct snmp_profile *p, const char *name)
{
	for (size_t i = 0; i < p->nscalars; i++)
		if (strcmp(p->scalars[i].name, name) == 0)
			return &p->scalars[i];
	TEST_FAIL_("%s has no %s", p->name, name);
	return NULL;
}

TEST(shipped_profiles_load)
{
	struct snmp_profile_set *set = NULL;
	if (snmp_profile_set_get(PANTAU_SOURCE_PROFILES, &set, &err) != 0)
		TEST_FAIL_("%s", err.msg);
	const struct snmp_profile *sys = shipped(set, "system");
	ASSERT_TRUE(sys->always);
	ASSERT_NEAR(scalar(sys, "snmp.uptime")->scale.divide, 100, 0);
	const struct snmp_profile *ups = shipped(set, "ups-mib");
	ASSERT_EQ_UINT(ups->ntables, 3);
	ASSERT_EQ_STR(ups->tables[0].index[0], "line");
	ASSERT_NEAR(ups->tables[0].columns[0].scale.divide, 10, 0); /* 0.1 Hz */
	ASSERT_EQ_STR(ups->tables[0].columns[0].unit, "Hz");
	ASSERT_NEAR(scalar(ups, "ups.battery.runtime")->scale.scale, 60, 0);
	ASSERT_EQ_STR(snmp_profile_state_name(scalar(ups, "ups.output.source"), 5), "battery");
	ASSERT_EQ_STR(snmp_profile_state_name(scalar(ups, "ups.battery.status"), 3), "batteryLow");
	/* A second device shares the set; the last put frees it. */
	struct snmp_profile_set *again = NULL;
	ASSERT_EQ_INT(snmp_profile_set_get(PANTAU_SOURCE_PROFILES, &again, &err), 0);
	ASSERT_TRUE(again == set);
	ASSERT_EQ_UINT(set->base.refs, 2);
	snmp_profile_set_put(again);
	snmp_profile_set_put(set);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (!f)
		TEST_FAIL_("cannot write %s", path);
	fputs(text, f);
	fclose(f);
}

TEST(directory_errors)
{
	char dir[] = "/tmp/pantau-snmp-test-XXXXXX";
	ASSERT_TRUE(mkdtemp(dir) != NULL);
	char sub[64], a[128], b[128];
	snprintf(sub, sizeof(sub), "%s/snmp", dir);
	snprintf(a, sizeof(a), "%s/a.yaml", sub);
	snprintf(b, sizeof(b), "%s/b.yaml", sub);
	struct snmp_profile_set *set = NULL;
	ASSERT_EQ_INT(snmp_profile_set_get(dir, &set, &err), -ENOENT);
	ASSERT_CONTAINS(err.msg, "cannot open the SNMP profile directory");
	ASSERT_EQ_INT(mkdir(sub, 0700), 0);
	write_file(a, "name: same\nscalars: [ { metric: a.b, oid: 1.3.6.1 } ]\n");
	write_file(b, "name: same\nscalars: [ { metric: a.c, oid: 1.3.6.2 } ]\n");
	ASSERT_EQ_INT(snmp_profile_set_get(dir, &set, &err), -EINVAL);
	ASSERT_CONTAINS(err.msg, "b.yaml:1] profile name 'same' is already used by");
	write_file(b,
		   "name: other\nscalars: [ { metric: a.c, oid: 1.3.6.2, unit: V } ]\n\nfoo: 1\n");
	ASSERT_EQ_INT(snmp_profile_set_get(dir, &set, &err), -EINVAL);
	ASSERT_CONTAINS(err.msg, "b.yaml:4] unknown key 'foo' in profile");
	unlink(b);
	ASSERT_EQ_INT(snmp_profile_set_get(dir, &set, &err), 0);
	ASSERT_EQ_UINT(set->n, 1);
	snmp_profile_set_put(set);
	unlink(a);
	rmdir(sub);
	rmdir(dir);
}

TEST_MAIN(minimal_profile, states_tables_labels_and_selection, inventory_fields,
	  errors_name_file_and_line, table_errors, shipped_profiles_load, directory_errors)
