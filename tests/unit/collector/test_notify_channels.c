/* Notification channels (pure parts): their configuration in the rules
 * file, the e-mail message (headers, folded and encoded subject, CRLF),
 * the Telegram body and the WhatsApp gateway's default template. */
#include "alert_rule.h"
#include "notify_channels.h"
#include "test.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char rules_text[] =
	"rules:\n"
	"  - { name: hot, metric: t, above: 27, clear_below: 26 }\n"
	"notify:\n"
	"  email:\n"
	"    - { name: mail, url: \"smtp://127.0.0.1:25\", from: pantau@x.go.id,\n"
	"        to: [a@x.go.id, b@x.go.id], username: u, password: p, starttls: true }\n"
	"  telegram:\n"
	"    - { name: tg, bot_token: \"1:AB\", chat_id: \"-100\" }\n"
	"  whatsapp:\n"
	"    - { name: wa, url: \"https://gw.example/send\", to: \"+62 81\\\"x\", token: t }\n";

static struct alert_change change(const char *summary)
{
	static char rule[] = "hot", dev[] = "ems-1", agent[] = "a1", labels[] = "{}";
	struct alert_change c = {0};
	c.rule_name = rule;
	c.device = dev;
	c.agent = agent;
	c.labels_json = labels;
	c.summary = (char *)summary;
	c.to = ALERT_FIRING;
	c.severity = ALERT_CRITICAL;
	c.notify = ALERT_NOTIFY_FIRE;
	c.ts_ms = 1767225600000; /* 2026-01-01T00:00:00Z */
	c.value = 28.5;
	c.has_value = true;
	return c;
}

static const struct alert_webhook *find(const struct alert_rules *rs, const char *name)
{
	for (size_t i = 0; i < rs->nwebhooks; i++)
		if (strcmp(rs->webhooks[i].name, name) == 0)
			return &rs->webhooks[i];
	return NULL;
}

static char *render(const struct alert_webhook *w, const struct alert_change *c)
{
	struct buf b;
	buf_init(&b, 1 << 20);
	ASSERT_EQ_INT(notify_channel_body(w, c, 1767225600, &b), 0);
	buf_putc(&b, '\0');
	return (char *)b.data;
}

TEST(channels_are_configured)
{
	struct alert_rules rs;
	struct perr err = {{0}};
	int rc = alert_rules_parse("n.yaml", rules_text, strlen(rules_text), &rs, &err);
	if (rc < 0)
		printf("# %s\n", err.msg);
	ASSERT_EQ_INT(rc, 0);
	ASSERT_EQ_UINT(rs.nwebhooks, 3);
	const struct alert_webhook *m = find(&rs, "mail"), *t = find(&rs, "tg"),
				   *w = find(&rs, "wa");
	ASSERT_TRUE(m && t && w);
	ASSERT_EQ_INT(m->kind, NOTIFY_EMAIL);
	ASSERT_EQ_STR(m->mail_to, "a@x.go.id,b@x.go.id");
	ASSERT_TRUE(m->starttls);
	ASSERT_EQ_INT(t->kind, NOTIFY_TELEGRAM);
	ASSERT_EQ_STR(t->url, "https://api.telegram.org");
	ASSERT_EQ_INT(w->kind, NOTIFY_WHATSAPP);
	ASSERT_CONTAINS(w->body, "{\"to\":\"+62 81\\\"x\",\"type\":\"text\"");
	alert_rules_free(&rs);
}

TEST(bad_channels_are_refused)
{
	static const char *const bad[] = {
		"  email:\n    - { name: m, url: \"http://x\", from: a@b, to: c@d }\n",
		"  email:\n    - { name: m, url: \"smtp://x\", from: nobody, to: c@d }\n",
		"  email:\n    - { name: m, url: \"smtp://x\", from: a@b, to: [] }\n",
		"  email:\n    - { name: m, url: \"smtp://x\", from: a@b, to: [\"x,y@z\"] }\n",
		"  telegram:\n    - { name: t, chat_id: \"1\" }\n",
		"  whatsapp:\n    - { name: w, url: \"ftp://x\", to: \"1\" }\n",
		/* one text with two sections (parenthesised for clang) */
		("  webhooks:\n    - { name: x, url: \"http://a\" }\n"
		 "  telegram:\n    - { name: x, bot_token: a, chat_id: b }\n"),
	};
	const char *why[] = {"smtp://",	  "'from'",  "at least one", "addresses",
			     "bot_token", "http://", "used twice"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char text[1024];
		snprintf(text, sizeof(text),
			 "rules:\n  - { name: h, metric: t, above: 1 }\nnotify:\n%s", bad[i]);
		struct alert_rules rs;
		struct perr err = {{0}};
		ASSERT_EQ_INT(alert_rules_parse("n.yaml", text, strlen(text), &rs, &err), -EINVAL);
		ASSERT_CONTAINS(err.msg, why[i]);
		ASSERT_CONTAINS(err.msg, "[n.yaml:");
		alert_rules_free(&rs);
	}
}

TEST(email_message_is_well_formed)
{
	struct alert_rules rs;
	struct perr err;
	ASSERT_EQ_INT(alert_rules_parse("n.yaml", rules_text, strlen(rules_text), &rs, &err), 0);
	struct alert_change c = change("hot\r\nBcc: evil@x.example\nline");
	char *msg = render(find(&rs, "mail"), &c);
	ASSERT_CONTAINS(msg, "Date: Thu, 01 Jan 2026 00:00:00 +0000\r\n");
	ASSERT_CONTAINS(msg, "From: pantau@x.go.id\r\nTo: a@x.go.id, b@x.go.id\r\n");
	/* The summary's line breaks cannot start a header of their own. */
	ASSERT_CONTAINS(msg, "Subject: [pantau] critical fire: hot  Bcc: evil@x.example line\r\n");
	ASSERT_CONTAINS(msg,
			"\r\n\r\nhot\r\nBcc: evil@x.example\r\nline\r\n\r\nrule:      hot\r\n");
	ASSERT_CONTAINS(msg, "value:     28.5\r\n");
	ASSERT_TRUE(strstr(msg, "\n\n") == NULL); /* every line ends in CRLF */
	free(msg);
	c = change("Suhu ruang server tinggi — 28,5 °C di ruang UPS lantai dua gedung B");
	msg = render(find(&rs, "mail"), &c);
	ASSERT_CONTAINS(msg, "Subject: =?UTF-8?B?");
	ASSERT_CONTAINS(msg, "?=\r\n =?UTF-8?B?"); /* folded into several encoded words */
	free(msg);
	alert_rules_free(&rs);
}

TEST(telegram_and_whatsapp_bodies_are_json)
{
	struct alert_rules rs;
	struct perr err;
	ASSERT_EQ_INT(alert_rules_parse("n.yaml", rules_text, strlen(rules_text), &rs, &err), 0);
	struct alert_change c = change("say \"hi\"\nnow");
	char *tg = render(find(&rs, "tg"), &c);
	ASSERT_EQ_STR(tg,
		      "{\"chat_id\":\"-100\",\"text\":\"[critical] fire: say \\\"hi\\\"\\nnow\\n"
		      "ems-1 \xc2\xb7 hot \xc2\xb7 2026-01-01T00:00:00.000Z\","
		      "\"disable_web_page_preview\":true}");
	free(tg);
	char *wa = render(find(&rs, "wa"), &c);
	ASSERT_EQ_STR(wa, "{\"to\":\"+62 81\\\"x\",\"type\":\"text\",\"text\":\"[critical] fire: "
			  "say \\\"hi\\\"\\u000anow (ems-1, 2026-01-01T00:00:00.000Z)\"}");
	free(wa);
	alert_rules_free(&rs);
}

TEST_MAIN(channels_are_configured, bad_channels_are_refused, email_message_is_well_formed,
	  telegram_and_whatsapp_bodies_are_json)
