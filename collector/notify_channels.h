/* Notification channels besides webhooks (notify.c does the queue, retry
 * and delivery log for all of them): e-mail over SMTP (smtp:// or smtps://,
 * STARTTLS, AUTH) and the Telegram bot API (sendMessage) through libcurl,
 * and a WhatsApp gateway, which is a webhook with its own body template
 * and an optional bearer token. In the rules file:
 *
 *   notify:
 *     email:    [ { name, url: smtp://mail:587, from, to: [a@x, b@y],
 *                   username, password, starttls: true, subject, body, ... } ]
 *     telegram: [ { name, bot_token, chat_id, api_url: https://api.telegram.org,
 *                   body, ... } ]
 *     whatsapp: [ { name, url, to, token, body, ... } ]
 *
 * plus what every webhook has (timeout, max_attempts, retry_first,
 * retry_max, min_severity, resolved, tier). Secrets (passwords, bot
 * tokens, URLs) are never logged. */
#ifndef PANTAU_COLLECTOR_NOTIFY_CHANNELS_H
#define PANTAU_COLLECTOR_NOTIFY_CHANNELS_H

#include "alert_eval.h"
#include "alert_rule.h"
#include "buf.h"
#include "conf.h"
#include "perr.h"

enum notify_kind { NOTIFY_WEBHOOK, NOTIFY_EMAIL, NOTIFY_TELEGRAM, NOTIFY_WHATSAPP };

/* Appends the channels of notify.email, .telegram and .whatsapp (each node
 * may be NULL) to rs->webhooks; names are unique across all channels.
 * 0 or -errno with "[file:line] ..." in err. */
int notify_channels_parse(struct alert_rules *rs, const struct conf_node *email,
			  const struct conf_node *telegram, const struct conf_node *whatsapp,
			  struct perr *err);

/* Frees what notify_channels_parse added to w beyond the webhook fields. */
void notify_channel_release(struct alert_webhook *w);

/* What w sends for change c into out: the JSON body (webhook, WhatsApp,
 * Telegram) or the whole RFC 5322 message (e-mail, dated now_s). 0 or
 * -ENOMEM. Pure. */
int notify_channel_body(const struct alert_webhook *w, const struct alert_change *c, int64_t now_s,
			struct buf *out);

/* One delivery attempt of body over w (blocking: the notify thread). 0 on
 * success; else -1 with the protocol status (HTTP status or SMTP reply
 * code, 0 if none) and why. */
int notify_channel_send(const struct alert_webhook *w, const char *body, long *status, char *why,
			size_t wsize);

/* Renders a text template: placeholders as notify_render, but not
 * JSON-escaped (for e-mail and Telegram text). Pure. (notify.c) */
int notify_render_text(const char *tmpl, const struct alert_change *c, struct buf *out);

#endif
