/* The alert state machine, driven by scripts of events: each step feeds
 * one event and lists the changes it must produce (rule:device:to), in
 * order, "" for none. */
#include "alert_eval.h"
#include "test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char rules_text[] =
	"settings: { stale_intervals: 3, default_interval: 10s, agent_grace: 30s,"
	"            agent_silent_intervals: 5 }\n"
	"states:\n"
	"  ups.output.source: { 3: normal, 4: bypass, 5: battery }\n"
	"  cooling.general_error: { 0: ok, 1: error }\n"
	"  ats.selected_source: { 1: sourceA, 2: sourceB }\n"
	"  if.oper_status: { 1: up, 2: down }\n"
	"  env.contact.alarm: { 1: normal, 2: warning, 3: critical }\n"
	"devices:\n"
	"  - { name: srv-1, depends_on: sw-1 }\n"
	"  - { name: sw-1, depends_on: core-1 }\n"
	"groups:\n"
	"  - { name: crac-room1, devices: [crac-1, crac-2, crac-3], min_up: 3 }\n"
	"rules:\n"
	"  - { name: inlet_hot, metric: env.temperature, device_kind: ems, labels: { sensor: "
	"\"inlet*\" },\n"
	"      above: 27, clear_below: 26, summary: \"{device}: inlet {value} C at "
	"{label.sensor}\" }\n"
	"  - { name: slow_hot, metric: slow.temperature, above: 27, for: 60s }\n"
	"  - { name: on_battery, type: state, metric: ups.output.source, state: battery,\n"
	"      severity: critical, summary: \"{device}: UPS on battery ({value})\" }\n"
	"  - { name: errors_rising, type: rate, metric: if.in.errors, above: 1, clear_below: 0.1 "
	"}\n"
	"  - { name: unreachable, type: device_down, summary: \"{device} unreachable ({value})\" "
	"}\n"
	"  - { name: agent_lost, type: agent_down }\n"
	"  - { name: cooling_alarm, type: state, metric: cooling.general_error, state: error,\n"
	"      fails_unit: true }\n"
	"  - { name: cooling_n1, type: redundancy, group: crac-room1 }\n"
	"  - { name: ats_switched, type: change, metric: ats.selected_source }\n"
	"  - { name: if_down, type: state, metric: if.oper_status, state: down, from: up }\n"
	"  - { name: leak, type: state, metric: env.contact.alarm, state: [warning, critical],\n"
	"      labels: { \"*_name\": \"*leak*\" } }\n";

enum ev { SAMPLE, DOWN, UP, SEEN, CLOSED, TICK, END };

struct step {
	enum ev ev;
	const char *device, *metric, *labels;
	int64_t ts_s; /* sample or report time, seconds */
	double value;
	int64_t now_s;	  /* collector clock, seconds (0: same as ts_s) */
	const char *want; /* "rule:device:state,..." */
};

static struct alert_rules rs;
static struct alert_engine *eng;
static char got[2048];

static void setup(void)
{
	struct perr err = {{0}};
	int rc = alert_rules_parse("t.yaml", rules_text, strlen(rules_text), &rs, &err);
	if (rc < 0)
		printf("# %s\n", err.msg);
	ASSERT_EQ_INT(rc, 0);
	ASSERT_EQ_INT(alert_engine_new(&rs, 0, &eng), 0);
}

static void teardown(void)
{
	alert_engine_free(eng);
	alert_rules_free(&rs);
}

/* The changes since the last call as "rule:device:state,...". */
static const char *drain(char *last_summary, size_t size)
{
	struct alert_change *c;
	size_t n = alert_engine_take(eng, &c);
	size_t used = 0;
	got[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		int w = snprintf(got + used, sizeof(got) - used, "%s%s:%s:%s", i ? "," : "",
				 c[i].rule_name, c[i].device, alert_state_name(c[i].to));
		used += w > 0 ? (size_t)w : 0;
		if (last_summary)
			snprintf(last_summary, size, "%s", c[i].summary);
	}
	alert_changes_free(c, n);
	return got;
}

static const char *kind_of(const char *device)
{
	return strncmp(device, "ems", 3) == 0	? "ems"
	       : strncmp(device, "ups", 3) == 0 ? "ups"
						: "other";
}

static void feed(const struct step *s)
{
	int64_t now = (s->now_s ? s->now_s : s->ts_s) * 1000;
	int64_t ts = s->ts_s * 1000;
	switch (s->ev) {
	case SAMPLE: {
		struct alert_series_in in = {"agent-1", s->device, kind_of(s->device),
					     s->metric, "",	   s->labels ? s->labels : "{}"};
		struct alert_series *ser = alert_engine_series(eng, &in);
		ASSERT_TRUE(ser != NULL);
		alert_engine_agent_seen(eng, "agent-1", ts, now);
		alert_engine_sample(eng, ser, ts, s->value, now);
		break;
	}
	case DOWN:
	case UP:
		alert_engine_device_state(eng, "agent-1", s->device, kind_of(s->device),
					  s->ev == UP, "timeout", ts, now);
		break;
	case SEEN:
		alert_engine_agent_seen(eng, "agent-1", ts, now);
		break;
	case CLOSED:
		alert_engine_agent_closed(eng, "agent-1", now);
		break;
	case TICK:
		alert_engine_tick(eng, now);
		break;
	case END:
		break;
	}
}

static void run(const struct step *steps)
{
	for (size_t i = 0; steps[i].ev != END; i++) {
		feed(&steps[i]);
		const char *g = drain(NULL, 0);
		if (strcmp(g, steps[i].want) != 0)
			printf("# step %zu\n", i);
		ASSERT_EQ_STR(g, steps[i].want);
	}
}

#define T(ts, v, want)                                                                             \
	{                                                                                          \
		SAMPLE, "ems-1", "env.temperature", "{\"sensor\":\"inlet-1\"}", ts, v, 0, want     \
	}

TEST(hysteresis_fires_once)
{
	static const struct step steps[] = {
		T(10, 26.5, ""), T(20, 27.5, "inlet_hot:ems-1:firing"),
		T(30, 26.8, ""), /* inside the band: still firing */
		T(40, 27.2, ""), T(50, 26.1, ""),
		T(60, 27.9, ""), T(70, 25.9, "inlet_hot:ems-1:resolved"),
		T(80, 26.5, ""), T(90, 27.1, "inlet_hot:ems-1:firing"),
		{END},
	};
	setup();
	run(steps);
	teardown();
}

TEST(matchers_select_series)
{
	static const struct step steps[] = {
		/* wrong label value, wrong device kind, wrong metric: no rule */
		{SAMPLE, "ems-1", "env.temperature", "{\"sensor\":\"outlet-1\"}", 10, 40, 0, ""},
		{SAMPLE, "ups-1", "env.temperature", "{\"sensor\":\"inlet-1\"}", 10, 40, 0, ""},
		{SAMPLE, "ems-1", "env.humidity", "{\"sensor\":\"inlet-1\"}", 10, 90, 0, ""},
		{SAMPLE, "ems-1", "env.temperature", "{}", 10, 40, 0, ""},
		T(10, 40, "inlet_hot:ems-1:firing"),
		{END},
	};
	setup();
	run(steps);
	teardown();
}

TEST(for_duration_waits)
{
	static const struct step steps[] = {
		{SAMPLE, "x", "slow.temperature", "{}", 0, 28, 0, ""},
		{SAMPLE, "x", "slow.temperature", "{}", 30, 28, 0, ""},
		{SAMPLE, "x", "slow.temperature", "{}", 40, 26, 0,
		 ""}, /* back: the wait restarts */
		{SAMPLE, "x", "slow.temperature", "{}", 50, 28, 0, ""},
		{SAMPLE, "x", "slow.temperature", "{}", 100, 28, 0, ""},
		{SAMPLE, "x", "slow.temperature", "{}", 110, 28, 0, "slow_hot:x:firing"},
		{SAMPLE, "x", "slow.temperature", "{}", 120, 27, 0, "slow_hot:x:resolved"},
		{END},
	};
	setup();
	run(steps);
	teardown();
}

TEST(state_rule_by_name_with_summary)
{
	static const struct step steps[] = {
		{SAMPLE, "ups-a", "ups.output.source", "{}", 10, 3, 0, ""},
		{SAMPLE, "ups-a", "ups.output.source", "{}", 20, 5, 0, "on_battery:ups-a:firing"},
		{SAMPLE, "ups-a", "ups.output.source", "{}", 30, 5, 0, ""},
		{END},
	};
	setup();
	run(steps);
	feed(&(struct step){SAMPLE, "ups-a", "ups.output.source", "{}", 40, 3, 0, ""});
	char summary[200];
	ASSERT_EQ_STR(drain(summary, sizeof(summary)), "on_battery:ups-a:resolved");
	ASSERT_EQ_STR(summary, "ups-a: on_battery resolved (normal)");
	feed(&(struct step){SAMPLE, "ups-a", "ups.output.source", "{}", 50, 5, 0, ""});
	ASSERT_EQ_STR(drain(summary, sizeof(summary)), "on_battery:ups-a:firing");
	ASSERT_EQ_STR(summary, "ups-a: UPS on battery (battery)");
	teardown();
}

TEST(rate_rule_and_counter_reset)
{
	static const struct step steps[] = {
		{SAMPLE, "sw-9", "if.in.errors", "{}", 0, 0, 0, ""},
		{SAMPLE, "sw-9", "if.in.errors", "{}", 10, 100, 0, "errors_rising:sw-9:firing"},
		{SAMPLE, "sw-9", "if.in.errors", "{}", 20, 110, 0, ""}, /* 1/s: above clear */
		{SAMPLE, "sw-9", "if.in.errors", "{}", 30, 5, 0, ""},	/* reset: no rate */
		{SAMPLE, "sw-9", "if.in.errors", "{}", 40, 5, 0, "errors_rising:sw-9:resolved"},
		{END},
	};
	setup();
	run(steps);
	teardown();
}

TEST(no_data_is_unknown_never_resolved)
{
	static const struct step steps[] = {
		T(10, 30, "inlet_hot:ems-1:firing"),
		T(20, 30, ""),
		{SEEN, NULL, NULL, NULL, 45, 0, 0, ""},
		{TICK, NULL, NULL, NULL, 0, 0, 45, ""}, /* 25 s of silence: within 3 x 10 s */
		{SEEN, NULL, NULL, NULL, 60, 0, 0, ""},
		{TICK, NULL, NULL, NULL, 0, 0, 60, "inlet_hot:ems-1:unknown"},
		{TICK, NULL, NULL, NULL, 0, 0, 61, ""},
		T(70, 29, "inlet_hot:ems-1:firing"),
		T(80, 20, "inlet_hot:ems-1:resolved"),
		{END},
	};
	setup();
	run(steps);
	teardown();
}

TEST(healthy_series_going_silent_stay_quiet)
{
	static const struct step steps[] = {
		T(10, 20, ""),
		T(20, 20, ""),
		{SEEN, NULL, NULL, NULL, 100, 0, 0, ""},
		{TICK, NULL, NULL, NULL, 0, 0, 100, ""},
		{END},
	};
	setup();
	run(steps);
	teardown();
}

TEST(dependency_down_suppresses_and_names_the_root)
{
	static const struct step steps[] = {
		{DOWN, "sw-1", NULL, NULL, 10, 0, 0, "unreachable:sw-1:firing"},
		{DOWN, "srv-1", NULL, NULL, 11, 0, 0, "unreachable:srv-1:suppressed"},
		{DOWN, "core-1", NULL, NULL, 12, 0, 0,
		 "unreachable:sw-1:suppressed,unreachable:core-1:firing"},
		{UP, "core-1", NULL, NULL, 20, 0, 0,
		 "unreachable:sw-1:firing,unreachable:core-1:resolved"},
		{UP, "sw-1", NULL, NULL, 30, 0, 0,
		 "unreachable:sw-1:resolved,unreachable:srv-1:firing"},
		{UP, "srv-1", NULL, NULL, 40, 0, 0, "unreachable:srv-1:resolved"},
		{END},
	};
	setup();
	run(steps);
	teardown();
}

TEST(device_down_summary_and_cause)
{
	setup();
	feed(&(struct step){DOWN, "sw-1", NULL, NULL, 10, 0, 0, ""});
	char summary[200];
	ASSERT_EQ_STR(drain(summary, sizeof(summary)), "unreachable:sw-1:firing");
	ASSERT_EQ_STR(summary, "sw-1 unreachable (timeout)");
	feed(&(struct step){DOWN, "srv-1", NULL, NULL, 11, 0, 0, ""});
	struct alert_change *c;
	size_t n = alert_engine_take(eng, &c);
	ASSERT_EQ_UINT(n, 1);
	ASSERT_EQ_INT(c[0].to, ALERT_SUPPRESSED);
	ASSERT_EQ_STR(c[0].cause, "sw-1 is down");
	alert_changes_free(c, n);
	teardown();
}

TEST(stopped_agent_is_unknown_not_down)
{
	static const struct step steps[] = {
		T(10, 30, "inlet_hot:ems-1:firing"),
		{SAMPLE, "ups-a", "ups.output.source", "{}", 10, 3, 0, ""},
		{CLOSED, NULL, NULL, NULL, 0, 0, 15, ""},
		{TICK, NULL, NULL, NULL, 0, 0, 30, ""}, /* within the 30 s grace */
		{TICK, NULL, NULL, NULL, 0, 0, 46,
		 "inlet_hot:ems-1:unknown,agent_lost:agent-1:firing"},
		{TICK, NULL, NULL, NULL, 0, 0, 500, ""},
		{SEEN, NULL, NULL, NULL, 510, 0, 0, "agent_lost:agent-1:resolved"},
		T(520, 25, "inlet_hot:ems-1:resolved"),
		{END},
	};
	setup();
	run(steps);
	teardown();
}

TEST(silent_agent_is_lost)
{
	static const struct step steps[] = {
		{SEEN, NULL, NULL, NULL, 0, 0, 0, ""},
		{SEEN, NULL, NULL, NULL, 10, 0, 0, ""},
		{SEEN, NULL, NULL, NULL, 20, 0, 0, ""},
		{TICK, NULL, NULL, NULL, 0, 0, 60, ""},
		{TICK, NULL, NULL, NULL, 0, 0, 71, "agent_lost:agent-1:firing"},
		{END},
	};
	setup();
	run(steps);
	teardown();
}

/* A device's own down report suppresses its other alerts only where no
 * value is as fresh as the report: a poll that failed after reading (a
 * backup job whose files are there but too old) still judges what it read;
 * a device that stopped answering keeps its last values suppressed. */
TEST(own_down_spares_values_as_fresh_as_the_report)
{
	static const struct step steps[] = {
		{SAMPLE, "ups-9", "ups.output.source", NULL, 90, 3, 0, ""},
		{DOWN, "ups-9", NULL, NULL, 100, 0, 0, "unreachable:ups-9:firing"},
		{SAMPLE, "ups-9", "ups.output.source", NULL, 100, 5, 0, "on_battery:ups-9:firing"},
		{SAMPLE, "ups-8", "ups.output.source", NULL, 90, 5, 0, "on_battery:ups-8:firing"},
		{DOWN, "ups-8", NULL, NULL, 100, 0, 0,
		 "on_battery:ups-8:suppressed,unreachable:ups-8:firing"},
		{END},
	};
	setup();
	run(steps);
	teardown();
}

/* After a collector restart, agents that delivered data lately are
 * expected: one that never connects is lost after the grace (30 s), one
 * that connects in time is not. */
TEST(an_expected_agent_that_never_connects_is_lost)
{
	setup();
	ASSERT_EQ_INT(alert_engine_agent_expected(eng, "agent-1", 1000), 0);
	ASSERT_EQ_INT(alert_engine_agent_expected(eng, "agent-2", 1000), 0);
	alert_engine_tick(eng, 20000);
	ASSERT_EQ_STR(drain(NULL, 0), "");
	alert_engine_agent_seen(eng, "agent-2", 25000, 25000);
	alert_engine_tick(eng, 31000);
	ASSERT_EQ_STR(drain(NULL, 0), "agent_lost:agent-1:firing");
	alert_engine_tick(eng, 40000);
	ASSERT_EQ_STR(drain(NULL, 0), "");
	teardown();
}

#define C(dev, ts, v)                                                                              \
	{                                                                                          \
		SAMPLE, dev, "cooling.general_error", "{}", ts, v, 0, ""                           \
	}

TEST(redundancy_lost_when_a_unit_fails)
{
	static const struct step steps[] = {
		C("crac-1", 10, 0),
		C("crac-2", 10, 0),
		C("crac-3", 10, 0),
		{SAMPLE, "crac-2", "cooling.general_error", "{}", 20, 1, 0,
		 "cooling_alarm:crac-2:firing,cooling_n1:crac-room1:firing"},
		{SAMPLE, "crac-2", "cooling.general_error", "{}", 30, 0, 0,
		 "cooling_alarm:crac-2:resolved,cooling_n1:crac-room1:resolved"},
		{DOWN, "crac-3", NULL, NULL, 40, 0, 0,
		 "unreachable:crac-3:firing,cooling_n1:crac-room1:firing"},
		{END},
	};
	setup();
	run(steps);
	teardown();
}

TEST(change_rule_fires_on_each_switch)
{
	static const struct step steps[] = {
		{SAMPLE, "ats-1", "ats.selected_source", "{}", 10, 1, 0, ""},
		{SAMPLE, "ats-1", "ats.selected_source", "{}", 20, 2, 0,
		 "ats_switched:ats-1:firing"},
		{SAMPLE, "ats-1", "ats.selected_source", "{}", 30, 2, 0,
		 "ats_switched:ats-1:resolved"},
		{END},
	};
	setup();
	run(steps);
	teardown();
}

TEST(state_from_fires_only_on_leaving_it)
{
	static const struct step steps[] = {
		{SAMPLE, "sw-9", "if.oper_status", "{\"if\":\"1\"}", 10, 2, 0, ""}, /* never up */
		{SAMPLE, "sw-9", "if.oper_status", "{\"if\":\"1\"}", 20, 2, 0, ""},
		{SAMPLE, "sw-9", "if.oper_status", "{\"if\":\"1\"}", 30, 1, 0, ""},
		{SAMPLE, "sw-9", "if.oper_status", "{\"if\":\"1\"}", 40, 2, 0,
		 "if_down:sw-9:firing"},
		{SAMPLE, "sw-9", "if.oper_status", "{\"if\":\"1\"}", 50, 2, 0, ""},
		{SAMPLE, "sw-9", "if.oper_status", "{\"if\":\"1\"}", 60, 1, 0,
		 "if_down:sw-9:resolved"},
		{END},
	};
	setup();
	run(steps);
	teardown();
}

TEST(label_key_globs_and_value_case)
{
	static const struct step steps[] = {
		{SAMPLE, "ems-2", "env.contact.alarm", "{\"contact_name\":\"Door\"}", 10, 3, 0, ""},
		{SAMPLE, "ems-2", "env.contact.alarm", "{\"contact_name\":\"Water LEAK row 3\"}",
		 10, 3, 0, "leak:ems-2:firing"},
		{SAMPLE, "ems-3", "env.contact.alarm", "{\"input_name\":\"leak\"}", 10, 2, 0,
		 "leak:ems-3:firing"},
		{END},
	};
	setup();
	run(steps);
	teardown();
}

TEST(restored_alerts_are_not_fired_again)
{
	setup();
	struct alert_restored a = {"on_battery", "ups-a", "{}", "agent-1", ALERT_FIRING, 5, 0};
	struct alert_restored k = {
		"inlet_hot", "ems-1", "{\"sensor\":\"inlet-1\"}", "agent-1", ALERT_ACKED, 30, 0};
	struct alert_restored gone = {"old_rule", "x", "{}", "agent-1", ALERT_FIRING, 1, 0};
	struct alert_restored lost = {
		"inlet_hot", "ems-9", "{\"sensor\":\"inlet-1\"}", "agent-1", ALERT_FIRING, 30, 0};
	struct alert_restored dev = {"unreachable", "sw-1", "{}", "agent-1", ALERT_FIRING, 0, 0};
	ASSERT_EQ_INT(alert_engine_restore(eng, &a), 0);
	ASSERT_EQ_INT(alert_engine_restore(eng, &k), 0);
	ASSERT_EQ_INT(alert_engine_restore(eng, &gone), 0);
	ASSERT_EQ_INT(alert_engine_restore(eng, &lost), 0);
	ASSERT_EQ_INT(alert_engine_restore(eng, &dev), 0);
	ASSERT_EQ_STR(drain(NULL, 0), "old_rule:x:resolved");
	static const struct step steps[] = {
		{SAMPLE, "ups-a", "ups.output.source", "{}", 10, 5, 0, ""},
		T(10, 31, ""), /* acknowledged stays acknowledged */
		{DOWN, "sw-1", NULL, NULL, 11, 0, 0, ""},
		{TICK, NULL, NULL, NULL, 0, 0, 20, ""},
		{TICK, NULL, NULL, NULL, 0, 0, 31, "inlet_hot:ems-9:unknown"},
		{SAMPLE, "ups-a", "ups.output.source", "{}", 40, 3, 0, "on_battery:ups-a:resolved"},
		T(40, 25, "inlet_hot:ems-1:resolved"),
		{UP, "sw-1", NULL, NULL, 41, 0, 0, "unreachable:sw-1:resolved"},
		{END},
	};
	run(steps);
	teardown();
}

TEST(summary_template)
{
	char out[200];
	alert_render_summary("{device}: {value} {unit} on {label.line} {nope} {", NULL, "a",
			     "ups-a", "m", "V", "{\"line\":\"1\",\"oid\":\"1.3\"}", "230", out,
			     sizeof(out));
	ASSERT_EQ_STR(out, "ups-a: 230 V on 1 {nope} {");
	alert_render_summary("{device}{device}", NULL, "a", "abcdefgh", "", "", "{}", "", out, 10);
	ASSERT_EQ_STR(out, "abcdefgha");
	alert_render_summary("expires in {value_days} days", NULL, "a", "w", "", "s", "{}",
			     "1.2096e+06", out, sizeof(out));
	ASSERT_EQ_STR(out, "expires in 14.0 days");
	alert_render_summary("{value_days}", NULL, "a", "w", "", "", "{}", "battery", out,
			     sizeof(out));
	ASSERT_EQ_STR(out, ""); /* a state name has no days */
}

TEST(evaluations_are_counted)
{
	setup();
	feed(&(struct step)T(10, 20, ""));
	feed(&(struct step)T(20, 20, ""));
	ASSERT_EQ_UINT(alert_engine_evaluations(eng), 2);
	teardown();
}

TEST(connected_agent_with_every_device_down_is_not_lost)
{
	static const struct step steps[] = {
		{SEEN, NULL, NULL, NULL, 0, 0, 0, ""},
		{SEEN, NULL, NULL, NULL, 10, 0, 0, ""},
		{DOWN, "sw-7", NULL, NULL, 15, 0, 0, "unreachable:sw-7:firing"},
		{TICK, NULL, NULL, NULL, 0, 0, 200, ""},
		{CLOSED, NULL, NULL, NULL, 0, 0, 210, ""},
		{TICK, NULL, NULL, NULL, 0, 0, 241,
		 "agent_lost:agent-1:firing,unreachable:sw-7:unknown"},
		{END},
	};
	setup();
	run(steps);
	teardown();
}

TEST_MAIN(hysteresis_fires_once, matchers_select_series, for_duration_waits,
	  state_rule_by_name_with_summary, rate_rule_and_counter_reset,
	  no_data_is_unknown_never_resolved, healthy_series_going_silent_stay_quiet,
	  dependency_down_suppresses_and_names_the_root, device_down_summary_and_cause,
	  stopped_agent_is_unknown_not_down, silent_agent_is_lost,
	  an_expected_agent_that_never_connects_is_lost, own_down_spares_values_as_fresh_as_the_report,
	  redundancy_lost_when_a_unit_fails, change_rule_fires_on_each_switch,
	  restored_alerts_are_not_fired_again, summary_template, evaluations_are_counted,
	  state_from_fires_only_on_leaving_it, label_key_globs_and_value_case,
	  connected_agent_with_every_device_down_is_not_lost)
