/* The rules file: what it accepts and the [file:line] errors it gives. */
#include "alert_rule.h"
#include "test.h"

#include <stdlib.h>
#include <string.h>

static int parse(const char *text, struct alert_rules *rs, struct perr *err)
{
	return alert_rules_parse("rules.yaml", text, strlen(text), rs, err);
}

TEST(full_file_parses)
{
	static const char text[] =
		"settings: { stale_intervals: 4, default_interval: 10s, agent_grace: 30s }\n"
		"states:\n"
		"  ups.output.source: { 3: normal, 4: bypass, 5: battery }\n"
		"devices:\n"
		"  - { name: ups-a, depends_on: switch-core-1 }\n"
		"groups:\n"
		"  - { name: crac-room1, devices: [crac-1, crac-2, crac-3], min_up: 3 }\n"
		"rules:\n"
		"  - name: inlet_hot\n"
		"    metric: [env.temperature, ems.temperature]\n"
		"    device_kind: ems\n"
		"    labels: { sensor: \"inlet*\" }\n"
		"    above: 27\n"
		"    clear_below: 26\n"
		"    for: 5m\n"
		"    severity: critical\n"
		"    summary: \"{device}: inlet {value} C\"\n"
		"  - { name: on_battery, type: state, metric: ups.output.source, state: battery }\n"
		"  - { name: errors, type: rate, metric: if.in.errors, above: 1, clear_below: 0.1 "
		"}\n"
		"  - { name: unreachable, type: device_down }\n"
		"  - { name: cooling_n1, type: redundancy, group: crac-room1 }\n";
	struct alert_rules rs;
	struct perr err = {{0}};
	int rc = parse(text, &rs, &err);
	if (rc < 0)
		printf("# %s\n", err.msg);
	ASSERT_EQ_INT(rc, 0);
	ASSERT_EQ_INT(rs.settings.stale_intervals, 4);
	ASSERT_EQ_UINT(rs.settings.default_interval_ms, 10000);
	ASSERT_EQ_UINT(rs.settings.agent_grace_ms, 30000);
	ASSERT_EQ_INT(rs.settings.agent_silent_intervals, 5);
	ASSERT_EQ_UINT(rs.nrules, 5);
	const struct alert_rule *r = &rs.rules[0];
	ASSERT_EQ_INT(r->type, ALERT_THRESHOLD);
	ASSERT_EQ_INT(r->severity, ALERT_CRITICAL);
	ASSERT_TRUE(r->has_above && !r->has_below);
	ASSERT_NEAR(r->above, 27, 1e-12);
	ASSERT_NEAR(r->clear_below, 26, 1e-12);
	ASSERT_EQ_UINT(r->for_ms, 300000);
	ASSERT_EQ_STR(r->metrics[1], "ems.temperature");
	ASSERT_EQ_STR(r->labels[0].glob, "inlet*");
	ASSERT_EQ_INT(rs.rules[1].type, ALERT_STATE);
	ASSERT_EQ_STR(rs.rules[1].states[0], "battery");
	ASSERT_EQ_INT(rs.rules[1].severity, ALERT_WARNING);
	ASSERT_NEAR(rs.rules[2].clear_below, 0.1, 1e-12);
	int64_t code = 0;
	ASSERT_EQ_INT(alert_rules_state_code(&rs, "ups.output.source", "battery", &code), 0);
	ASSERT_EQ_INT(code, 5);
	ASSERT_EQ_STR(alert_rules_state_name(&rs, "ups.output.source", 4), "bypass");
	ASSERT_EQ_STR(alert_rules_depends_on(&rs, "ups-a"), "switch-core-1");
	ASSERT_TRUE(alert_rules_depends_on(&rs, "crac-1") == NULL);
	ASSERT_EQ_INT(rs.groups[0].min_up, 3);
	alert_rules_free(&rs);
}

TEST(clear_defaults_to_the_fire_threshold)
{
	struct alert_rules rs;
	struct perr err;
	ASSERT_EQ_INT(parse("rules:\n  - { name: v, metric: ups.input.voltage, below: 198 }\n", &rs,
			    &err),
		      0);
	ASSERT_NEAR(rs.rules[0].clear_above, 198, 1e-12);
	ASSERT_EQ_UINT(rs.settings.default_interval_ms, 60000);
	alert_rules_free(&rs);
}

TEST(glob_lists)
{
	char *g[] = {"ups.*", "env.temp*", NULL};
	char *none[] = {NULL};
	ASSERT_TRUE(alert_globs_match(g, "ups.output.source"));
	ASSERT_TRUE(alert_globs_match(g, "env.temperature"));
	ASSERT_TRUE(!alert_globs_match(g, "env.humidity"));
	ASSERT_TRUE(alert_globs_match(none, "anything"));
}

/* Each bad file and the start of the message it must give. */
static const struct {
	const char *text, *want;
} bad[] = {
	{"settings: {}\n", "[rules.yaml:1] the rules file"},
	{"rules:\n  - { name: a, metric: m }\n",
	 "[rules.yaml:2] rule a: a threshold rule needs 'above' or 'below'"},
	{"rules:\n  - { name: a, above: 3 }\n",
	 "[rules.yaml:2] rule a: a threshold rule needs 'metric'"},
	{"rules:\n  - { name: a, metric: m, above: 3, clear_below: 4 }\n",
	 "[rules.yaml:2] rule a: clear_below 4 is above the fire threshold 3"},
	{"rules:\n  - { name: a, metric: m, below: 3, clear_above: 2 }\n",
	 "[rules.yaml:2] rule a: clear_above 2 is below the fire threshold 3"},
	{"rules:\n  - { name: a, metric: m, below: 3, clear_below: 2 }\n",
	 "[rules.yaml:2] rule a: clear_below belongs to an 'above' threshold"},
	{"rules:\n  - { name: a, type: state, metric: ups.output.source, state: battery }\n",
	 "[rules.yaml:2] rule a: no metric of this rule has a state named 'battery'"},
	{"rules:\n  - { name: a, type: state, metric: m }\n", "rule a: a state rule needs 'state"},
	{"rules:\n  - { name: a, type: redundancy, group: g }\n",
	 "[rules.yaml:2] rule a: redundancy needs 'group:'"},
	{"rules:\n  - { name: a, type: device_down, metric: m }\n",
	 "[rules.yaml:2] rule a: a device_down rule takes no metric"},
	{"rules:\n  - { name: a, type: loud }\n", "[rules.yaml:2] rule.type: 'loud' is not one of"},
	{"rules:\n  - { name: a, metric: m, above: 1 }\n  - { name: a, metric: m, above: 2 }\n",
	 "[rules.yaml:3] rule name 'a' is used twice (line 2)"},
	{"rules:\n  - { name: a, metric: m, above: 1, colour: red }\n",
	 "[rules.yaml:2] unknown key 'colour' in rule"},
	{"rules:\n  - { name: a, metric: m, above: 1, for: soon }\n",
	 "[rules.yaml:2] rule.for: 'soon'"},
	{"states:\n  m: { x: on }\nrules:\n  - { name: a, metric: m, above: 1 }\n",
	 "[rules.yaml:2] states.m: 'x' is not an integer code"},
	{"groups:\n  - { name: g, devices: [a], min_up: 2 }\nrules:\n  - { name: a, type: "
	 "device_down }\n",
	 "[rules.yaml:2] group g: min_up 2 is more than its 1 devices"},
	{"devices:\n  - { name: a, depends_on: b }\n  - { name: b, depends_on: a }\n"
	 "rules:\n  - { name: r, type: device_down }\n",
	 "'a' depends on itself"},
	{"rules:\n  - { name: a, metric: m, above: 1, labels: [x] }\n",
	 "[rules.yaml:2] rule a: labels must be a mapping"},
};

TEST(bad_files_say_where)
{
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct alert_rules rs;
		struct perr err = {{0}};
		int rc = parse(bad[i].text, &rs, &err);
		if (rc == 0 || !strstr(err.msg, bad[i].want))
			printf("# case %zu: rc %d, message: %s\n", i, rc, err.msg);
		ASSERT_TRUE(rc < 0);
		ASSERT_CONTAINS(err.msg, bad[i].want);
		alert_rules_free(&rs);
	}
}

TEST(shipped_pack_parses)
{
	const char *path = getenv("PANTAU_RULES_PACK");
	if (!path)
		path = PANTAU_SOURCE_ROOT "/deploy/rules/tier2.yaml";
	struct alert_rules rs;
	struct perr err = {{0}};
	int rc = alert_rules_load(path, &rs, &err);
	if (rc < 0)
		printf("# %s\n", err.msg);
	ASSERT_EQ_INT(rc, 0);
	ASSERT_TRUE(rs.nrules >= 20);
	alert_rules_free(&rs);
}

TEST_MAIN(full_file_parses, clear_defaults_to_the_fire_threshold, glob_lists, bad_files_say_where,
	  shipped_pack_parses)
