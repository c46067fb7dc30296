/* Deliveries with retry and a delivery log (see notify.h); what each
 * channel sends and how is notify_channels.c. */
#include "notify.h"
#include "log.h"
#include "notify_channels.h"

#include <curl/curl.h>
#include <errno.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct notify_job {
	struct notify_job *next;
	const struct alert_webhook *hook; /* borrowed from the rules */
	char *body, *rule, *device, *labels, *transition;
	int attempt;	 /* attempts made */
	uint64_t due_ms; /* monotonic */
};

/* ---- rendering ---- */

static int put_escaped(struct buf *b, const char *s)
{
	int rc = 0;
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); rc == 0 && *p; p++) {
		if (*p == '"' || *p == '\\')
			rc = buf_printf(b, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			rc = buf_printf(b, "\\u%04x", *p);
		else
			rc = buf_putc(b, (char)*p);
	}
	return rc;
}

static const char *transition_name(const struct alert_change *c)
{
	return c->notify == ALERT_NOTIFY_RESOLVE    ? "resolve"
	       : c->notify == ALERT_NOTIFY_ESCALATE ? "escalate"
						    : "fire";
}

/* The text of placeholder name, escaped into out (or not: plain text
 * templates); 1 if known, 0 if not. */
static int placeholder(struct buf *out, const char *name, size_t len, const struct alert_change *c,
		       bool escape)
{
	char tmp[64];
#define IS(w) (len == sizeof(w) - 1 && memcmp(name, w, len) == 0)
	const char *text = IS("rule")	      ? c->rule_name
			   : IS("device")     ? c->device
			   : IS("state")      ? alert_state_name(c->to)
			   : IS("transition") ? transition_name(c)
			   : IS("severity")   ? alert_severity_name(c->severity)
			   : IS("summary")    ? c->summary
			   : IS("agent")      ? c->agent
			   : IS("cause")      ? (c->cause ? c->cause : "")
					      : NULL;
	if (IS("labels"))
		return buf_puts(out, c->labels_json) < 0 ? -1 : 1;
	if (IS("value")) {
		if (c->has_value)
			snprintf(tmp, sizeof(tmp), "%.6g", c->value);
		else
			tmp[0] = '\0';
		text = tmp;
	}
	if (IS("at")) {
		time_t t = (time_t)(c->ts_ms / 1000);
		struct tm tm;
		gmtime_r(&t, &tm);
		snprintf(tmp, sizeof(tmp), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
			 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
			 (int)(c->ts_ms % 1000));
		text = tmp;
	}
#undef IS
	if (!text)
		return 0;
	return (escape ? put_escaped(out, text) : buf_puts(out, text)) < 0 ? -1 : 1;
}

static int render(const char *tmpl, const struct alert_change *c, struct buf *out, bool escape)
{
	for (const char *p = tmpl; *p;) {
		const char *close = *p == '{' ? strchr(p + 1, '}') : NULL;
		int known = close ? placeholder(out, p + 1, (size_t)(close - p - 1), c, escape) : 0;
		if (known < 0)
			return -ENOMEM;
		if (known) {
			p = close + 1;
			continue;
		}
		if (buf_putc(out, *p++) < 0)
			return -ENOMEM;
	}
	return 0;
}

int notify_render(const char *tmpl, const struct alert_change *c, struct buf *out)
{
	return render(tmpl, c, out, true);
}

int notify_render_text(const char *tmpl, const struct alert_change *c, struct buf *out)
{
	return render(tmpl, c, out, false);
}

/* ---- the delivery log ---- */

static const char log_sql[] =
	"INSERT INTO pantau.notifications (channel, rule, device, labels, transition, attempt,"
	" outcome, http_status, error) VALUES ($1, $2, $3, $4, $5, $6::int, $7, $8::int, $9)";

static void log_attempt(struct notify *n, PGconn **pg, const struct notify_job *j,
			const char *outcome, long status, const char *error)
{
	static const char *const keys[] = {"dbname", "connect_timeout", "application_name", NULL};
	const char *values[] = {n->dsn, "5", "pantau-collector-notify", NULL};
	if (!*pg || PQstatus(*pg) != CONNECTION_OK) {
		PQfinish(*pg);
		*pg = PQconnectdbParams(keys, values, 1);
	}
	char attempt[16], code[16];
	snprintf(attempt, sizeof(attempt), "%d", j->attempt);
	snprintf(code, sizeof(code), "%ld", status);
	const char *params[9] = {j->hook->name, j->rule, j->device, j->labels,
				 j->transition, attempt, outcome,   status ? code : NULL,
				 error};
	PGresult *res = PQexecParams(*pg, log_sql, 9, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		log_warn("notify", "delivery log: %s", PQresultErrorMessage(res));
	PQclear(res);
}

/* ---- deliveries ---- */

static void job_free(struct notify_job *j)
{
	if (!j)
		return;
	free(j->body);
	free(j->rule);
	free(j->device);
	free(j->labels);
	free(j->transition);
	free(j);
}

static uint64_t backoff_ms(const struct notify_job *j)
{
	uint64_t d = j->hook->retry_first_ms;
	for (int i = 1; i < j->attempt && d < j->hook->retry_max_ms; i++)
		d *= 2;
	return d < j->hook->retry_max_ms ? d : j->hook->retry_max_ms;
}

/* Tries j once; returns it to retry (due set) or NULL when finished. */
static struct notify_job *deliver(struct notify *n, PGconn **pg, struct notify_job *j)
{
	char why[CURL_ERROR_SIZE + 32] = "";
	long status = 0;
	j->attempt++;
	if (notify_channel_send(j->hook, j->body, &status, why, sizeof(why)) == 0) {
		atomic_fetch_add(&n->sent, 1);
		log_attempt(n, pg, j, "sent", status, NULL);
		log_info("notify", "%s: %s %s on %s sent (attempt %d)", j->hook->name,
			 j->transition, j->rule, j->device, j->attempt);
		job_free(j);
		return NULL;
	}
	if (j->attempt >= j->hook->max_attempts) {
		atomic_fetch_add(&n->failed, 1);
		log_attempt(n, pg, j, "failed", status, why);
		log_warn("notify", "%s: %s %s on %s failed after %d attempts: %s", j->hook->name,
			 j->transition, j->rule, j->device, j->attempt, why);
		job_free(j);
		return NULL;
	}
	atomic_fetch_add(&n->retries, 1);
	log_attempt(n, pg, j, "retry", status, why);
	log_debug("notify", "%s: attempt %d failed (%s); retrying", j->hook->name, j->attempt, why);
	j->due_ms = log_mono_ms() + backoff_ms(j);
	return j;
}

/* The job due first, unlinked; NULL if none. Called with mu held. */
static struct notify_job *take_earliest(struct notify *n)
{
	struct notify_job **best = NULL;
	for (struct notify_job **p = &n->jobs; *p; p = &(*p)->next)
		if (!best || (*p)->due_ms < (*best)->due_ms)
			best = p;
	if (!best)
		return NULL;
	struct notify_job *j = *best;
	*best = j->next;
	j->next = NULL;
	return j;
}

static void wait_until_ms(struct notify *n, uint64_t mono_ms)
{
	uint64_t now = log_mono_ms();
	if (mono_ms <= now)
		return;
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	uint64_t ms = mono_ms - now;
	until.tv_sec += (time_t)(ms / 1000);
	until.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_cond_timedwait(&n->cond, &n->mu, &until);
}

static void *notify_main(void *arg)
{
	struct notify *n = arg;
	PGconn *pg = NULL;
	pthread_mutex_lock(&n->mu);
	for (;;) {
		uint64_t now = log_mono_ms();
		if (n->stopping && (!n->jobs || now >= n->deadline_ms))
			break;
		struct notify_job *j = take_earliest(n);
		if (!j) {
			pthread_cond_wait(&n->cond, &n->mu);
			continue;
		}
		if (j->due_ms > now) {
			j->next = n->jobs;
			n->jobs = j;
			wait_until_ms(n, n->stopping && n->deadline_ms < j->due_ms ? n->deadline_ms
										   : j->due_ms);
			continue;
		}
		pthread_mutex_unlock(&n->mu);
		j = deliver(n, &pg, j);
		pthread_mutex_lock(&n->mu);
		if (j) {
			j->next = n->jobs;
			n->jobs = j;
		}
	}
	struct notify_job *left = n->jobs;
	n->jobs = NULL;
	pthread_mutex_unlock(&n->mu);
	for (struct notify_job *j = left, *next; j; j = next) {
		next = j->next;
		log_attempt(n, &pg, j, "abandoned", 0, "collector stopping");
		log_warn("notify", "%s: %s %s on %s not delivered: collector stopping",
			 j->hook->name, j->transition, j->rule, j->device);
		job_free(j);
	}
	PQfinish(pg);
	return NULL;
}

int notify_start(struct notify *n, const char *dsn)
{
	memset(n, 0, sizeof(*n));
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return -EIO;
	if (!(n->dsn = strdup(dsn))) {
		curl_global_cleanup();
		return -ENOMEM;
	}
	pthread_mutex_init(&n->mu, NULL);
	pthread_cond_init(&n->cond, NULL);
	int rc = pthread_create(&n->thread, NULL, notify_main, n);
	if (rc != 0) {
		pthread_mutex_destroy(&n->mu);
		pthread_cond_destroy(&n->cond);
		free(n->dsn);
		curl_global_cleanup();
		return -rc;
	}
	n->started = true;
	return 0;
}

static struct notify_job *job_new(const struct alert_webhook *w, const struct alert_change *c)
{
	struct notify_job *j = calloc(1, sizeof(*j));
	if (!j)
		return NULL;
	struct buf body;
	buf_init(&body, 1 << 20);
	j->hook = w;
	j->rule = strdup(c->rule_name);
	j->device = strdup(c->device);
	j->labels = strdup(c->labels_json);
	j->transition = strdup(transition_name(c));
	j->due_ms = log_mono_ms();
	if (notify_channel_body(w, c, (int64_t)time(NULL), &body) < 0 || buf_putc(&body, '\0') < 0 ||
	    !j->rule ||
	    !j->device || !j->labels || !j->transition) {
		buf_free(&body);
		job_free(j);
		return NULL;
	}
	j->body = (char *)body.data; /* taken over from the buf */
	return j;
}

void notify_change(struct notify *n, const struct alert_rules *rs, const struct alert_change *c)
{
	if (!n->started || c->notify == ALERT_NOTIFY_NONE)
		return;
	for (size_t i = 0; i < rs->nwebhooks; i++) {
		const struct alert_webhook *w = &rs->webhooks[i];
		/* Tier 1 channels hear fire and resolve; Tier 2 ones escalations. */
		bool escalation = c->notify == ALERT_NOTIFY_ESCALATE;
		if ((int)c->severity < w->min_severity || escalation != (w->tier == 2) ||
		    (c->notify == ALERT_NOTIFY_RESOLVE && !w->resolved))
			continue;
		struct notify_job *j = job_new(w, c);
		if (!j) {
			log_error("notify", "out of memory: %s of %s not sent to %s",
				  transition_name(c), c->rule_name, w->name);
			continue;
		}
		pthread_mutex_lock(&n->mu);
		j->next = n->jobs;
		n->jobs = j;
		pthread_cond_signal(&n->cond);
		pthread_mutex_unlock(&n->mu);
	}
}

void notify_stop(struct notify *n, uint64_t grace_ms)
{
	if (!n->started)
		return;
	pthread_mutex_lock(&n->mu);
	n->stopping = true;
	n->deadline_ms = log_mono_ms() + grace_ms;
	pthread_cond_signal(&n->cond);
	pthread_mutex_unlock(&n->mu);
	pthread_join(n->thread, NULL);
	pthread_mutex_destroy(&n->mu);
	pthread_cond_destroy(&n->cond);
	free(n->dsn);
	curl_global_cleanup();
	n->started = false;
}
