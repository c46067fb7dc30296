/* The channels' configuration (see notify_channels.h): kept apart from
 * delivery so that whatever reads a rules file (pantauctl too) needs
 * neither libcurl nor the notifier. */
#include "notify_channels.h"
#include "json.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* ---- configuration ---- */

struct chan_raw {
	struct alert_webhook w;
	const struct conf_node *to;
};

static const char *const severity_names[] = {"info", "warning", "critical", NULL};

#define W(f) offsetof(struct chan_raw, w.f)
#define COMMON_OPTIONS                                                                             \
	{"name", CONF_T_STRING, W(name), true, NULL},                                              \
		{"body", CONF_T_STRING, W(body), false, NULL},                                     \
		{"timeout", CONF_T_DURATION, W(timeout_ms), false, "10s", 100, 600000},            \
		{"max_attempts", CONF_T_INT, W(max_attempts), false, "10", 1, 1000},               \
		{"retry_first", CONF_T_DURATION, W(retry_first_ms), false, "2s", 10, 3600000},     \
		{"retry_max", CONF_T_DURATION, W(retry_max_ms), false, "10m", 10, 86400000},       \
		{"min_severity", CONF_T_ENUM, W(min_severity), false, "warning", 0, 0,             \
		 severity_names},                                                                  \
		{"resolved", CONF_T_BOOL, W(resolved), false, "true"},                             \
	{                                                                                          \
		"tier", CONF_T_INT, W(tier), false, "1", 1, 2                                      \
	}

static const struct conf_option email_options[] = {
	COMMON_OPTIONS,
	{"url", CONF_T_STRING, W(url), true, NULL},
	{"from", CONF_T_STRING, W(mail_from), true, NULL},
	{"to", CONF_T_NODE, offsetof(struct chan_raw, to), true, NULL},
	{"subject", CONF_T_STRING, W(subject), false,
	 "[pantau] {severity} {transition}: {summary}"},
	{"username", CONF_T_STRING, W(username), false, ""},
	{"password", CONF_T_STRING, W(password), false, ""},
	{"starttls", CONF_T_BOOL, W(starttls), false, "false"},
};

static const struct conf_option telegram_options[] = {
	COMMON_OPTIONS,
	{"api_url", CONF_T_STRING, W(url), false, "https://api.telegram.org"},
	{"bot_token", CONF_T_STRING, W(bot_token), true, NULL},
	{"chat_id", CONF_T_STRING, W(chat_id), true, NULL},
};

static const struct conf_option whatsapp_options[] = {
	COMMON_OPTIONS,
	{"url", CONF_T_STRING, W(url), true, NULL},
	{"to", CONF_T_STRING, W(mail_to), true, NULL},
	{"token", CONF_T_STRING, W(auth_token), false, ""},
};
#undef W

static const char email_body[] = "{summary}\n\n"
				 "rule:      {rule}\n"
				 "device:    {device}\n"
				 "state:     {state} ({transition})\n"
				 "severity:  {severity}\n"
				 "value:     {value}\n"
				 "agent:     {agent}\n"
				 "cause:     {cause}\n"
				 "at:        {at}\n"
				 "labels:    {labels}\n\n"
				 "-- pantau\n";

static const char telegram_body[] =
	"[{severity}] {transition}: {summary}\n{device} · {rule} · {at}";

/* A gateway's default body: the number JSON-escaped into the template. */
static char *whatsapp_body(const char *to)
{
	struct buf b;
	buf_init(&b, 8192);
	int rc = buf_puts(&b, "{\"to\":");
	if (rc == 0)
		rc = json_put_string(&b, to);
	if (rc == 0)
		rc = buf_puts(&b, ",\"type\":\"text\",\"text\":\"[{severity}] {transition}: "
				  "{summary} ({device}, {at})\"}");
	if (rc == 0)
		rc = buf_putc(&b, '\0');
	if (rc < 0) {
		buf_free(&b);
		return NULL;
	}
	return (char *)b.data;
}

static bool has_crlf(const char *s)
{
	return s && strpbrk(s, "\r\n") != NULL;
}

/* email.to: one address or a list, kept comma-separated. */
static int email_recipients(struct alert_webhook *w, const struct conf_node *to, struct perr *err)
{
	struct buf b;
	buf_init(&b, 64 * 1024);
	size_t n = to->kind == CONF_SEQ ? to->n : 1;
	for (size_t i = 0; i < n; i++) {
		const struct conf_node *it = to->kind == CONF_SEQ ? to->items[i] : to;
		if (it->kind != CONF_SCALAR || !strchr(it->scalar, '@') || has_crlf(it->scalar) ||
		    strchr(it->scalar, ',')) {
			buf_free(&b);
			return conf_error(err, it,
					  "email %s: 'to' must be addresses such as "
					  "noc@example.go.id",
					  w->name);
		}
		if ((i && buf_putc(&b, ',') < 0) || buf_puts(&b, it->scalar) < 0) {
			buf_free(&b);
			return perr_setc(err, -ENOMEM, "out of memory");
		}
	}
	if (n == 0 || buf_putc(&b, '\0') < 0) {
		buf_free(&b);
		return conf_error(err, to, "email %s: 'to' needs at least one address", w->name);
	}
	w->mail_to = (char *)b.data;
	return 0;
}

static int check_email(struct alert_webhook *w, const struct chan_raw *raw,
		       const struct conf_node *map, struct perr *err)
{
	if (strncmp(w->url, "smtp://", 7) != 0 && strncmp(w->url, "smtps://", 8) != 0)
		return conf_error(err, conf_get(map, "url"),
				  "email %s: url must be smtp://HOST[:PORT] or smtps://HOST[:PORT]",
				  w->name);
	if (!strchr(w->mail_from, '@') || has_crlf(w->mail_from))
		return conf_error(err, conf_get(map, "from"), "email %s: 'from' is not an address",
				  w->name);
	if (!w->body && !(w->body = strdup(email_body)))
		return perr_setc(err, -ENOMEM, "out of memory");
	return email_recipients(w, raw->to, err);
}

static int check_kind(struct alert_webhook *w, const struct chan_raw *raw,
		      const struct conf_node *map, struct perr *err)
{
	if (w->retry_max_ms < w->retry_first_ms)
		return conf_error(err, conf_get(map, "retry_max"),
				  "%s: retry_max is shorter than retry_first", w->name);
	if (w->kind == NOTIFY_EMAIL)
		return check_email(w, raw, map, err);
	if (strncmp(w->url, "http://", 7) != 0 && strncmp(w->url, "https://", 8) != 0)
		return conf_error(err, map, "%s: the URL must start with http:// or https://",
				  w->name);
	if (w->kind == NOTIFY_TELEGRAM && !w->body && !(w->body = strdup(telegram_body)))
		return perr_setc(err, -ENOMEM, "out of memory");
	if (w->kind == NOTIFY_WHATSAPP && !w->body && !(w->body = whatsapp_body(w->mail_to)))
		return perr_setc(err, -ENOMEM, "out of memory");
	return 0;
}

static int parse_list(struct alert_rules *rs, const struct conf_node *list, int kind,
		      const char *what, const struct conf_option *table, size_t ntable,
		      struct perr *err)
{
	if (!list)
		return 0;
	if (list->kind != CONF_SEQ)
		return conf_error(err, list, "notify.%s must be a list", what);
	struct alert_webhook *v = realloc(rs->webhooks, (rs->nwebhooks + list->n + 1) * sizeof(*v));
	if (!v)
		return perr_setc(err, -ENOMEM, "out of memory");
	rs->webhooks = v;
	for (size_t i = 0; i < list->n; i++) {
		struct chan_raw raw;
		memset(&raw, 0, sizeof(raw));
		raw.w.kind = kind;
		int rc = conf_apply(table, ntable, list->items[i], what, &raw, err);
		struct alert_webhook *w = &rs->webhooks[rs->nwebhooks++];
		*w = raw.w; /* owned by the rules from here, also after an error */
		if (rc < 0)
			return rc;
		for (size_t j = 0; j + 1 < rs->nwebhooks; j++)
			if (strcmp(rs->webhooks[j].name, w->name) == 0)
				return conf_error(err, list->items[i],
						  "notification channel name '%s' is used twice",
						  w->name);
		if ((rc = check_kind(w, &raw, list->items[i], err)) < 0)
			return rc;
	}
	return 0;
}

int notify_channels_parse(struct alert_rules *rs, const struct conf_node *email,
			  const struct conf_node *telegram, const struct conf_node *whatsapp,
			  struct perr *err)
{
	int rc = parse_list(rs, email, NOTIFY_EMAIL, "email", email_options,
			    CONF_COUNT(email_options), err);
	if (rc == 0)
		rc = parse_list(rs, telegram, NOTIFY_TELEGRAM, "telegram", telegram_options,
				CONF_COUNT(telegram_options), err);
	if (rc == 0)
		rc = parse_list(rs, whatsapp, NOTIFY_WHATSAPP, "whatsapp", whatsapp_options,
				CONF_COUNT(whatsapp_options), err);
	return rc;
}

void notify_channel_release(struct alert_webhook *w)
{
	free(w->mail_from);
	free(w->mail_to);
	free(w->subject);
	free(w->username);
	free(w->password);
	free(w->bot_token);
	free(w->chat_id);
	free(w->auth_token);
	w->mail_from = w->mail_to = w->subject = w->username = w->password = NULL;
	w->bot_token = w->chat_id = w->auth_token = NULL;
}
