/* E-mail, Telegram and WhatsApp-gateway channels (see notify_channels.h):
 * what each sends and how; the configuration is notify_channels_conf.c. */
#include "notify_channels.h"
#include "json.h"
#include "notify.h"

#include <curl/curl.h>
#include <errno.h>
#include <openssl/evp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- what is sent ---- */

/* A subject as one header line: control bytes become spaces; non-ASCII
 * text is sent as RFC 2047 encoded words (UTF-8, base64), split between
 * characters. */
static int put_subject(struct buf *out, const char *s)
{
	bool ascii = true;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		ascii &= *p < 0x80;
	if (ascii) {
		for (const unsigned char *p = (const unsigned char *)s; *p; p++)
			if (buf_putc(out, (char)(*p < 0x20 || *p == 0x7f ? ' ' : *p)) < 0)
				return -ENOMEM;
		return 0;
	}
	size_t n = strlen(s);
	for (size_t i = 0; i < n;) {
		size_t k = n - i < 45 ? n - i : 45;
		while (i + k < n && k > 0 && ((unsigned char)s[i + k] & 0xc0) == 0x80)
			k--; /* never cut a UTF-8 sequence */
		if (k == 0)
			k = n - i < 45 ? n - i : 45;
		unsigned char chunk[48], enc[68];
		for (size_t j = 0; j < k; j++) {
			unsigned char c = (unsigned char)s[i + j];
			chunk[j] = c < 0x20 || c == 0x7f ? ' ' : c;
		}
		EVP_EncodeBlock(enc, chunk, (int)k);
		if (buf_printf(out, "%s=?UTF-8?B?%s?=", i ? "\r\n " : "", (const char *)enc) < 0)
			return -ENOMEM;
		i += k;
	}
	return 0;
}

static int email_message(const struct alert_webhook *w, const struct alert_change *c, int64_t now_s,
			 struct buf *out)
{
	char date[64];
	struct tm tm;
	time_t t = (time_t)now_s;
	gmtime_r(&t, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	struct buf text;
	buf_init(&text, 1 << 20);
	int rc = buf_printf(out, "Date: %s\r\nFrom: %s\r\nTo: ", date, w->mail_from);
	for (const char *p = w->mail_to; rc == 0 && *p; p++)
		rc = *p == ',' ? buf_puts(out, ", ") : buf_putc(out, *p);
	if (rc == 0)
		rc = buf_puts(out, "\r\nSubject: ");
	if (rc == 0 && (rc = notify_render_text(w->subject, c, &text)) == 0 &&
	    (rc = buf_putc(&text, '\0')) == 0)
		rc = put_subject(out, (const char *)text.data);
	if (rc == 0)
		rc = buf_printf(out,
				"\r\nMessage-ID: <%lld.%s.%lld@pantau>\r\nMIME-Version: 1.0\r\n"
				"Content-Type: text/plain; charset=UTF-8\r\n"
				"Content-Transfer-Encoding: 8bit\r\n\r\n",
				(long long)c->ts_ms, c->notify == ALERT_NOTIFY_RESOLVE ? "r" : "f",
				(long long)now_s);
	buf_reset(&text);
	if (rc == 0)
		rc = notify_render_text(w->body, c, &text);
	/* Lines end in CRLF on the wire; curl dot-stuffs lines starting with '.'. */
	for (size_t i = 0; rc == 0 && i < text.len; i++) {
		char ch = (char)text.data[i];
		if (ch == '\n' && (i == 0 || text.data[i - 1] != '\r'))
			rc = buf_putc(out, '\r');
		if (rc == 0)
			rc = buf_putc(out, ch);
	}
	if (rc == 0 && (text.len == 0 || text.data[text.len - 1] != '\n'))
		rc = buf_puts(out, "\r\n");
	buf_free(&text);
	return rc < 0 ? -ENOMEM : 0;
}

static int telegram_message(const struct alert_webhook *w, const struct alert_change *c,
			    struct buf *out)
{
	struct buf text;
	buf_init(&text, 1 << 20);
	int rc = notify_render_text(w->body, c, &text);
	if (rc == 0)
		rc = buf_putc(&text, '\0');
	if (rc == 0)
		rc = buf_puts(out, "{\"chat_id\":");
	if (rc == 0)
		rc = json_put_string(out, w->chat_id);
	if (rc == 0)
		rc = buf_puts(out, ",\"text\":");
	if (rc == 0)
		rc = json_put_string(out, (const char *)text.data);
	if (rc == 0)
		rc = buf_puts(out, ",\"disable_web_page_preview\":true}");
	buf_free(&text);
	return rc < 0 ? -ENOMEM : 0;
}

int notify_channel_body(const struct alert_webhook *w, const struct alert_change *c, int64_t now_s,
			struct buf *out)
{
	switch (w->kind) {
	case NOTIFY_EMAIL:
		return email_message(w, c, now_s, out);
	case NOTIFY_TELEGRAM:
		return telegram_message(w, c, out);
	default:
		return notify_render(w->body, c, out) < 0 ? -ENOMEM : 0;
	}
}

/* ---- delivery ---- */

static size_t discard(char *p, size_t size, size_t n, void *arg)
{
	return size * n;
}

struct reader {
	const char *p;
	size_t left;
};

static size_t read_message(char *dst, size_t size, size_t n, void *arg)
{
	struct reader *r = arg;
	size_t k = size * n < r->left ? size * n : r->left;
	memcpy(dst, r->p, k);
	r->p += k;
	r->left -= k;
	return k;
}

/* The URL w posts to; Telegram's holds the bot token (never logged). */
static int target_url(const struct alert_webhook *w, char *out, size_t size)
{
	int n = w->kind == NOTIFY_TELEGRAM
			? snprintf(out, size, "%s/bot%s/sendMessage", w->url, w->bot_token)
			: snprintf(out, size, "%s", w->url);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

static void setup_http(CURL *h, const struct alert_webhook *w, const char *body,
		       struct curl_slist **hdr)
{
	char auth[600];
	*hdr = curl_slist_append(NULL, "Content-Type: application/json");
	if (w->kind == NOTIFY_WHATSAPP && w->auth_token && w->auth_token[0]) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", w->auth_token);
		*hdr = curl_slist_append(*hdr, auth);
	}
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, *hdr);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "pantau-collector/" PANTAU_VERSION);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
}

/* SMTP: envelope from the config, the message from body. */
static void setup_smtp(CURL *h, const struct alert_webhook *w, struct reader *r,
		       struct curl_slist **rcpt)
{
	char addr[512];
	snprintf(addr, sizeof(addr), "<%s>", w->mail_from);
	curl_easy_setopt(h, CURLOPT_MAIL_FROM, addr);
	for (const char *p = w->mail_to; *p;) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		snprintf(addr, sizeof(addr), "<%.*s>", (int)n, p);
		*rcpt = curl_slist_append(*rcpt, addr);
		p += n + (comma != NULL);
	}
	curl_easy_setopt(h, CURLOPT_MAIL_RCPT, *rcpt);
	curl_easy_setopt(h, CURLOPT_READFUNCTION, read_message);
	curl_easy_setopt(h, CURLOPT_READDATA, r);
	curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	if (w->username[0]) {
		curl_easy_setopt(h, CURLOPT_USERNAME, w->username);
		curl_easy_setopt(h, CURLOPT_PASSWORD, w->password);
	}
	if (w->starttls)
		curl_easy_setopt(h, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
}

static bool answer_ok(const struct alert_webhook *w, long status)
{
	return w->kind == NOTIFY_EMAIL || (status >= 200 && status <= 299);
}

int notify_channel_send(const struct alert_webhook *w, const char *body, long *status, char *why,
			size_t wsize)
{
	char url[2048], err[CURL_ERROR_SIZE] = "";
	struct curl_slist *list = NULL;
	struct reader r = {body, strlen(body)};
	CURL *h = curl_easy_init();
	*status = 0;
	if (!h || target_url(w, url, sizeof(url)) < 0) {
		snprintf(why, wsize, h ? "URL too long" : "out of memory");
		curl_easy_cleanup(h);
		return -1;
	}
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)w->timeout_ms);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, err);
	if (w->kind == NOTIFY_EMAIL)
		setup_smtp(h, w, &r, &list);
	else
		setup_http(h, w, body, &list);
	CURLcode rc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
	/* curl's messages name the host at most, never the path (the bot token). */
	if (rc != CURLE_OK)
		snprintf(why, wsize, "%s", err[0] ? err : curl_easy_strerror(rc));
	else if (!answer_ok(w, *status))
		snprintf(why, wsize, "HTTP status %ld", *status);
	curl_slist_free_all(list);
	curl_easy_cleanup(h);
	return rc == CURLE_OK && answer_ok(w, *status) ? 0 : -1;
}
