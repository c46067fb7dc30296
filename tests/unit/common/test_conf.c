#include "conf.h"
#include "test.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>

struct opts {
	char *name;
	int64_t count;
	uint64_t interval_ms;
	uint64_t size;
	bool flag;
	int mode;
	double ratio;
};

static const char *const modes[] = {"fast", "slow", NULL};

#define O(f) offsetof(struct opts, f)
static const struct conf_option table[] = {
	{"name", CONF_T_STRING, O(name), .required = true},
	{"count", CONF_T_INT, O(count), .dflt = "3", .min = 1, .max = 10},
	{"interval", CONF_T_DURATION, O(interval_ms), .dflt = "10s"},
	{"size", CONF_T_SIZE, O(size), .dflt = "1GiB"},
	{"flag", CONF_T_BOOL, O(flag), .dflt = "false"},
	{"mode", CONF_T_ENUM, O(mode), .dflt = "fast", .names = modes},
	{"ratio", CONF_T_DOUBLE, O(ratio), .dflt = "0.5"},
};
#undef O

static int apply(const char *yaml, struct opts *o, struct perr *err)
{
	struct conf_doc doc;
	*o = (struct opts){0};
	int rc = conf_load_string("t.yaml", yaml, strlen(yaml), &doc, err);
	if (rc < 0)
		return rc;
	rc = conf_apply(table, CONF_COUNT(table), conf_get(doc.root, "s"), "s", o, err);
	conf_doc_free(&doc);
	return rc;
}

TEST(conf_applies_values_and_defaults)
{
	struct opts o;
	struct perr err;
	ASSERT_EQ_INT(
		apply("s:\n  name: ups\n  interval: 500ms\n  flag: yes\n  mode: slow\n", &o, &err),
		0);
	ASSERT_EQ_STR(o.name, "ups");
	ASSERT_EQ_INT(o.count, 3);
	ASSERT_EQ_UINT(o.interval_ms, 500);
	ASSERT_EQ_UINT(o.size, 1073741824ull);
	ASSERT_TRUE(o.flag);
	ASSERT_EQ_INT(o.mode, 1);
	ASSERT_NEAR(o.ratio, 0.5, 1e-12);
	conf_release(table, CONF_COUNT(table), &o);
}

TEST(conf_errors_name_file_and_line)
{
	struct opts o;
	struct perr err;
	ASSERT_EQ_INT(apply("s:\n  name: x\n  count: 11\n", &o, &err), -EINVAL);
	ASSERT_EQ_STR(err.msg, "[t.yaml:3] s.count: 11 is out of range (1 to 10)");
	conf_release(table, CONF_COUNT(table), &o);

	ASSERT_EQ_INT(apply("s:\n  name: x\n  colour: red\n", &o, &err), -EINVAL);
	ASSERT_CONTAINS(err.msg, "[t.yaml:3] unknown key 'colour' in s");
	conf_release(table, CONF_COUNT(table), &o);

	ASSERT_EQ_INT(apply("s:\n  count: 2\n", &o, &err), -EINVAL);
	ASSERT_CONTAINS(err.msg, "[t.yaml:2] s: required key 'name' is missing");
	conf_release(table, CONF_COUNT(table), &o);

	ASSERT_EQ_INT(apply("s:\n  name: x\n  interval: soon\n", &o, &err), -EINVAL);
	ASSERT_CONTAINS(err.msg, "[t.yaml:3] s.interval: 'soon' is not a duration");
	conf_release(table, CONF_COUNT(table), &o);

	ASSERT_EQ_INT(apply("s:\n  name: x\n  mode: medium\n", &o, &err), -EINVAL);
	ASSERT_EQ_STR(err.msg, "[t.yaml:3] s.mode: 'medium' is not one of: fast, slow");
	conf_release(table, CONF_COUNT(table), &o);

	ASSERT_EQ_INT(apply("s:\n  name: [a, b]\n", &o, &err), -EINVAL);
	ASSERT_CONTAINS(err.msg, "[t.yaml:2] s.name must be a string, not a list");
	conf_release(table, CONF_COUNT(table), &o);
}

TEST(conf_reports_yaml_syntax_and_duplicates)
{
	struct opts o;
	struct perr err;
	ASSERT_EQ_INT(apply("s:\n  name: x\n  name: y\n", &o, &err), -EINVAL);
	ASSERT_CONTAINS(err.msg, "[t.yaml:3] duplicate key 'name' (first at line 2)");
	ASSERT_EQ_INT(apply("s:\n  name: [x\n  other: 1\n", &o, &err), -EINVAL);
	ASSERT_CONTAINS(err.msg, "[t.yaml:");
	ASSERT_EQ_INT(apply("a: &x 1\nb: *x\n", &o, &err), -EINVAL);
	ASSERT_CONTAINS(err.msg, "aliases are not supported");
}

TEST(conf_parses_units)
{
	uint64_t v;
	ASSERT_EQ_INT(conf_parse_duration_ms("26h", &v), 0);
	ASSERT_EQ_UINT(v, 93600000ull);
	ASSERT_EQ_INT(conf_parse_duration_ms("1.5s", &v), 0);
	ASSERT_EQ_UINT(v, 1500);
	ASSERT_EQ_INT(conf_parse_duration_ms("10", &v), -EINVAL); /* 10 what? */
	v = 7;
	ASSERT_EQ_INT(conf_parse_duration_ms("0", &v), 0); /* zero needs no unit */
	ASSERT_EQ_UINT(v, 0);
	ASSERT_EQ_INT(conf_parse_duration_ms("00", &v), -EINVAL);
	ASSERT_EQ_INT(conf_parse_duration_ms("-1s", &v), -EINVAL);
	ASSERT_EQ_INT(conf_parse_size("512MiB", &v), 0);
	ASSERT_EQ_UINT(v, 536870912ull);
	ASSERT_EQ_INT(conf_parse_size("10kB", &v), 0);
	ASSERT_EQ_UINT(v, 10000);
	ASSERT_EQ_INT(conf_parse_size("1 GiB", &v), 0);
	ASSERT_EQ_UINT(v, 1073741824ull);
	ASSERT_EQ_INT(conf_parse_size("1GB of disk", &v), -EINVAL);
}

TEST(conf_tree_keeps_lines_and_flow_style)
{
	struct conf_doc doc;
	struct perr err;
	const char *y = "devices:\n  - { name: a, snmp: { address: \"x:1\" } }\n  - name: b\n";
	ASSERT_EQ_INT(conf_load_string("d.yaml", y, strlen(y), &doc, &err), 0);
	const struct conf_node *list = conf_get(doc.root, "devices");
	ASSERT_TRUE(list && list->kind == CONF_SEQ);
	ASSERT_EQ_INT(list->n, 2);
	ASSERT_EQ_INT(list->items[1]->line, 3);
	const struct conf_node *addr = conf_get(conf_get(list->items[0], "snmp"), "address");
	ASSERT_EQ_STR(addr->scalar, "x:1");
	ASSERT_TRUE(addr->quoted);
	ASSERT_EQ_INT(addr->line, 2);
	conf_doc_free(&doc);
}

TEST_MAIN(conf_applies_values_and_defaults, conf_errors_name_file_and_line,
	  conf_reports_yaml_syntax_and_duplicates, conf_parses_units,
	  conf_tree_keeps_lines_and_flow_style)
