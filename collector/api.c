/* The API on the loop thread: authenticate, route, read the request, hand
 * the SQL to the worker, answer when it is done (see api.h). */
#include "api.h"
#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct api_job {
	struct workq_job job; /* first: the job is found from it */
	struct api *api;
	struct http_exchange *x;
	struct api_call call;
	struct api_result res;
	char token[64]; /* name, for the log */
};

static void reply_error(struct http_exchange *x, int status, const char *msg)
{
	struct buf b;
	buf_init(&b, 4096);
	buf_puts(&b, "{\"error\":\"");
	for (const char *p = msg; *p; p++) {
		if (*p == '"' || *p == '\\')
			buf_putc(&b, '\\');
		if ((unsigned char)*p >= 0x20)
			buf_putc(&b, *p);
	}
	buf_puts(&b, "\"}\n");
	http_reply(x, status, "application/json", &b);
	buf_free(&b);
}

static void job_work(struct workq_job *w)
{
	struct api_job *j = (struct api_job *)w;
	api_sql_run(j->api->dsn, &j->api->pg, &j->call, &j->res);
}

static const char *const endpoint_names[] = {
	[API_ALERTS_LIST] = "alert list",      [API_ALERT_ACK] = "alert ack",
	[API_MAINT_LIST] = "maintenance list", [API_MAINT_ADD] = "maintenance add",
	[API_MAINT_END] = "maintenance end",   [API_BACKUP_RUN] = "backup run",
};

static void job_done(struct workq_job *w)
{
	struct api_job *j = (struct api_job *)w;
	bool write = j->call.ep != API_ALERTS_LIST && j->call.ep != API_MAINT_LIST;
	if (write && j->res.status < 300)
		log_info("api", "%s by token %s: done", endpoint_names[j->call.ep], j->token);
	else if (j->res.status >= 500)
		log_warn("api", "%s by token %s: status %d", endpoint_names[j->call.ep], j->token,
			 j->res.status);
	http_reply(j->x, j->res.status, "application/json", &j->res.body);
	api_call_free(&j->call);
	buf_free(&j->res.body);
	free(j);
}

/* Who asks, and may they? Answers 401/403 itself; NULL then. */
static const struct api_token *authenticate(struct api *a, struct http_exchange *x,
					    const struct http_request *req)
{
	size_t len = 0;
	const char *v = http_header(req, "Authorization", &len);
	const struct api_token *t = api_auth(a->tokens, v, len);
	if (!t)
		reply_error(x, 401, v ? "invalid token" : "missing 'Authorization: Bearer TOKEN'");
	return t;
}

static void handle(void *arg, struct http_exchange *x, const struct http_request *req)
{
	struct api *a = arg;
	struct api_route r;
	struct perr err;
	const struct api_token *t = authenticate(a, x, req);
	if (!t)
		return;
	int rc = api_route_match(req->method, req->path, &r);
	if (rc == -ENOENT) {
		reply_error(x, 404, "no such API endpoint");
		return;
	}
	if (rc < 0) {
		reply_error(x, 405, "method not allowed here");
		return;
	}
	if (!api_role_allows(t->role, r.need)) {
		reply_error(x, 403, "this token's role may not do that");
		return;
	}
	struct api_job *j = calloc(1, sizeof(*j));
	if (!j) {
		reply_error(x, 503, "out of memory");
		return;
	}
	if (api_call_build(&r, req, t, &j->call, &err) < 0) {
		reply_error(x, 400, err.msg);
		api_call_free(&j->call);
		free(j);
		return;
	}
	j->api = a;
	j->x = x;
	snprintf(j->token, sizeof(j->token), "%s", t->name);
	buf_init(&j->res.body, 64 << 20);
	workq_submit(&a->q, &j->job, job_work, job_done);
}

int api_start(struct api *a, uv_loop_t *loop, struct http *h, const struct api_tokens *tokens,
	      const char *dsn)
{
	memset(a, 0, sizeof(*a));
	a->loop = loop;
	a->tokens = tokens;
	if (!(a->dsn = strdup(dsn)))
		return -ENOMEM;
	int rc = workq_start(&a->q, loop, 1);
	if (rc < 0) {
		free(a->dsn);
		return rc;
	}
	http_set_handler(h, "/api/", handle, a, API_MAX_BODY);
	a->started = true;
	if (tokens->n == 0)
		log_warn("api", "no api.tokens configured: every /api/ request is refused (401)");
	return 0;
}

void api_stop(struct api *a)
{
	if (!a->started)
		return;
	a->started = false;
	workq_stop(&a->q, NULL);
	api_sql_close(&a->pg);
	free(a->dsn);
}
