/* Notifications: which transitions tell people (once per fire, once per
 * resolve, never for unknown or suppressed), and the webhook body template. */
#include "alert_eval.h"
#include "notify.h"
#include "test.h"

#include <stdlib.h>
#include <string.h>

static const char rules_text[] =
	"settings: { stale_intervals: 3, default_interval: 10s, agent_grace: 30s,\n"
	"            flap_count: 3, flap_window: 100s }\n"
	"devices:\n"
	"  - { name: ems-1, depends_on: sw-1 }\n"
	"rules:\n"
	"  - { name: hot, metric: t, above: 27, clear_below: 26 }\n"
	"  - { name: down, type: device_down }\n"
	"notify:\n"
	"  webhooks:\n"
	"    - { name: noc, url: \"http://127.0.0.1:9/hook\", retry_first: 1s, retry_max: 1m }\n";

static struct alert_rules rs;
static struct alert_engine *eng;
static char got[512];

static void setup(void)
{
	struct perr err = {{0}};
	int rc = alert_rules_parse("n.yaml", rules_text, strlen(rules_text), &rs, &err);
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

/* "to/notify,..." for the changes since the last call. */
static const char *drain(void)
{
	static const char *const nn[] = {"-", "fire", "resolve"};
	struct alert_change *c;
	size_t n = alert_engine_take(eng, &c);
	size_t used = 0;
	got[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		int w = snprintf(got + used, sizeof(got) - used, "%s%s/%s", i ? "," : "",
				 alert_state_name(c[i].to), nn[c[i].notify]);
		used += w > 0 ? (size_t)w : 0;
	}
	alert_changes_free(c, n);
	return got;
}

static void sample(struct alert_series *s, int64_t t, double v)
{
	alert_engine_agent_seen(eng, "a", t * 1000, t * 1000);
	alert_engine_sample(eng, s, t * 1000, v, t * 1000);
}

TEST(fire_once_resolve_once)
{
	setup();
	struct alert_series_in in = {"a", "ems-1", "ems", "t", "", "{}"};
	struct alert_series *s = alert_engine_series(eng, &in);
	sample(s, 10, 30);
	ASSERT_EQ_STR(drain(), "firing/fire");
	alert_engine_tick(eng, 60000);
	ASSERT_EQ_STR(drain(), "unknown/-");
	sample(s, 70, 30);
	ASSERT_EQ_STR(drain(), "firing/-"); /* back from unknown: already told */
	sample(s, 80, 20);
	ASSERT_EQ_STR(drain(), "resolved/resolve");
	teardown();
}

TEST(suppressed_alerts_tell_nobody)
{
	setup();
	alert_engine_device_state(eng, "a", "sw-1", "switch", false, "timeout", 10, 10);
	ASSERT_EQ_STR(drain(), "firing/fire");
	alert_engine_device_state(eng, "a", "ems-1", "ems", false, "timeout", 11, 11);
	ASSERT_EQ_STR(drain(), "suppressed/-");
	alert_engine_device_state(eng, "a", "ems-1", "ems", true, "", 12, 12);
	ASSERT_EQ_STR(drain(), "resolved/-");
	alert_engine_device_state(eng, "a", "sw-1", "switch", true, "", 13, 13);
	ASSERT_EQ_STR(drain(), "resolved/resolve");
	teardown();
}

TEST(restored_alerts_resolve_with_a_notification_but_never_fire_again)
{
	setup();
	struct alert_restored r = {"hot", "ems-1", "{}", "a", ALERT_FIRING, 30, 0};
	ASSERT_EQ_INT(alert_engine_restore(eng, &r), 0);
	struct alert_series_in in = {"a", "ems-1", "ems", "t", "", "{}"};
	struct alert_series *s = alert_engine_series(eng, &in);
	sample(s, 10, 30);
	ASSERT_EQ_STR(drain(), "");
	sample(s, 20, 20);
	ASSERT_EQ_STR(drain(), "resolved/resolve");
	teardown();
}

TEST(flapping_holds_notifications_until_it_settles)
{
	setup();
	struct alert_series_in in = {"a", "ems-1", "ems", "t", "", "{}"};
	struct alert_series *s = alert_engine_series(eng, &in);
	sample(s, 10, 30);
	ASSERT_EQ_STR(drain(), "firing/fire");
	sample(s, 20, 20);
	ASSERT_EQ_STR(drain(), "resolved/resolve");
	sample(s, 30, 30);
	ASSERT_EQ_STR(drain(), "firing/fire");
	sample(s, 40, 20);
	ASSERT_EQ_STR(drain(), "resolved/resolve");
	sample(s, 50, 30); /* third firing within 100 s: flapping, already told */
	struct alert_change *c;
	size_t n = alert_engine_take(eng, &c);
	ASSERT_EQ_UINT(n, 1);
	ASSERT_TRUE(c[0].flapping);
	ASSERT_EQ_INT(c[0].notify, ALERT_NOTIFY_FIRE);
	alert_changes_free(c, n);
	sample(s, 60, 20);
	ASSERT_EQ_STR(drain(), "resolved/-");
	sample(s, 70, 30);
	ASSERT_EQ_STR(drain(), "firing/-");
	sample(s, 80, 20);
	ASSERT_EQ_STR(drain(), "resolved/-");
	alert_engine_tick(eng, 150000); /* 80 s since the last firing */
	ASSERT_EQ_STR(drain(), "");
	alert_engine_tick(eng, 171000); /* a whole window: settled, resolved: say so once */
	ASSERT_EQ_STR(drain(), "none/resolve");
	alert_engine_tick(eng, 200000);
	ASSERT_EQ_STR(drain(), "");
	sample(s, 210, 30);
	ASSERT_EQ_STR(drain(), "firing/fire");
	teardown();
}

TEST(webhook_defaults_and_body)
{
	setup();
	ASSERT_EQ_UINT(rs.nwebhooks, 1);
	ASSERT_EQ_INT(rs.webhooks[0].max_attempts, 10);
	ASSERT_EQ_INT(rs.webhooks[0].min_severity, ALERT_WARNING);
	ASSERT_TRUE(rs.webhooks[0].resolved);
	struct alert_change c = {0};
	c.rule_name = "ups_on_battery";
	c.device = "ups-\"a\"";
	c.agent = "ag";
	c.labels_json = "{\"line\":\"1\"}";
	c.summary = "ups-a: on battery\n(battery)";
	c.to = ALERT_FIRING;
	c.severity = ALERT_CRITICAL;
	c.notify = ALERT_NOTIFY_FIRE;
	c.value = 5;
	c.has_value = true;
	c.ts_ms = 1700000000123;
	struct buf b;
	buf_init(&b, 4096);
	ASSERT_EQ_INT(notify_render(rs.webhooks[0].body, &c, &b), 0);
	ASSERT_EQ_INT(buf_putc(&b, '\0'), 0);
	ASSERT_EQ_STR(
		(char *)b.data,
		"{\"rule\":\"ups_on_battery\",\"device\":\"ups-\\\"a\\\"\",\"state\":\"firing\","
		"\"severity\":\"critical\",\"summary\":\"ups-a: on battery\\u000a(battery)\","
		"\"value\":\"5\",\"agent\":\"ag\",\"labels\":{\"line\":\"1\"},\"cause\":\"\","
		"\"at\":\"2023-11-14T22:13:20.123Z\"}");
	buf_reset(&b);
	ASSERT_EQ_INT(notify_render("{transition} {nope} {", &c, &b), 0);
	ASSERT_EQ_INT(buf_putc(&b, '\0'), 0);
	ASSERT_EQ_STR((char *)b.data, "fire {nope} {");
	buf_free(&b);
	teardown();
}

TEST(bad_webhooks_say_where)
{
	static const char *const bad[][2] = {
		{"rules:\n  - { name: d, type: device_down }\nnotify:\n  webhooks:\n"
		 "    - { name: x, url: \"ftp://h/\" }\n",
		 "[w.yaml:5] webhook x: url must start with http:// or https://"},
		{"rules:\n  - { name: d, type: device_down }\nnotify:\n  webhooks:\n"
		 "    - { name: x, url: \"http://h/\", retry_first: 1m, retry_max: 1s }\n",
		 "[w.yaml:5] webhook x: retry_max is shorter than retry_first"},
		{"rules:\n  - { name: d, type: device_down }\nnotify:\n  webhooks:\n"
		 "    - { url: \"http://h/\" }\n",
		 "name"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct alert_rules r;
		struct perr err = {{0}};
		int rc = alert_rules_parse("w.yaml", bad[i][0], strlen(bad[i][0]), &r, &err);
		ASSERT_TRUE(rc < 0);
		ASSERT_CONTAINS(err.msg, bad[i][1]);
		alert_rules_free(&r);
	}
}

TEST_MAIN(fire_once_resolve_once, suppressed_alerts_tell_nobody,
	  restored_alerts_resolve_with_a_notification_but_never_fire_again,
	  webhook_defaults_and_body, flapping_holds_notifications_until_it_settles,
	  bad_webhooks_say_where)
