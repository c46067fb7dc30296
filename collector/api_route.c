/* API routing and request reading (pure; see api.h). Parameters are put
 * in the order the statements of api_sql.c bind them. */
#include "api.h"
#include "api_json.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Copies the digits of an ID segment [s, s+n) into id. 0 or -ENOENT. */
static int take_id(const char *s, size_t n, char *id, size_t size)
{
	if (n == 0 || n >= size || n > 18 || s[0] == '0')
		return -ENOENT;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return -ENOENT;
	memcpy(id, s, n);
	id[n] = '\0';
	return 0;
}

/* "/api/v1/" base "/ID/" verb: 0 with the id, or -ENOENT. */
static int id_path(const char *path, const char *base, const char *verb, char *id, size_t size)
{
	size_t bl = strlen(base), vl = strlen(verb);
	if (strncmp(path, base, bl) != 0 || path[bl] != '/')
		return -ENOENT;
	const char *s = path + bl + 1;
	const char *slash = strchr(s, '/');
	if (!slash || strcmp(slash + 1, verb) != 0 || vl == 0)
		return -ENOENT;
	return take_id(s, (size_t)(slash - s), id, size);
}

static int want(const char *method, const char *allowed, struct api_route *r, enum api_endpoint ep,
		enum api_need need)
{
	bool get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
	if (strcmp(allowed, "GET") == 0 ? !get : strcmp(method, allowed) != 0)
		return -EOPNOTSUPP;
	r->ep = ep;
	r->need = need;
	return 0;
}

int api_route_match(const char *method, const char *path, struct api_route *r)
{
	bool post = strcmp(method, "POST") == 0;
	memset(r, 0, sizeof(*r));
	if (strcmp(path, "/api/v1/alerts") == 0)
		return want(method, "GET", r, API_ALERTS_LIST, API_NEED_READ);
	if (strcmp(path, "/api/v1/maintenance") == 0)
		return post ? want(method, "POST", r, API_MAINT_ADD, API_NEED_WRITE)
			    : want(method, "GET", r, API_MAINT_LIST, API_NEED_READ);
	if (strcmp(path, "/api/v1/backups/runs") == 0)
		return want(method, "POST", r, API_BACKUP_RUN, API_NEED_BACKUP);
	if (id_path(path, "/api/v1/alerts", "ack", r->id, sizeof(r->id)) == 0)
		return want(method, "POST", r, API_ALERT_ACK, API_NEED_WRITE);
	if (id_path(path, "/api/v1/maintenance", "end", r->id, sizeof(r->id)) == 0)
		return want(method, "POST", r, API_MAINT_END, API_NEED_WRITE);
	return -ENOENT;
}

/* ---- parameters ---- */

static int add(struct api_call *c, const char *v, struct perr *err)
{
	if (c->np >= API_MAX_PARAMS)
		return perr_set(err, "internal: too many parameters");
	if (v && !(c->p[c->np] = strdup(v)))
		return perr_setc(err, -ENOMEM, "out of memory");
	c->np++;
	return 0;
}

/* Takes a string over from the JSON reader (NULL stays SQL NULL). */
static int take(struct api_call *c, struct api_json_field *f, struct perr *err)
{
	if (c->np >= API_MAX_PARAMS)
		return perr_set(err, "internal: too many parameters");
	c->p[c->np++] = f->s;
	f->s = NULL;
	return 0;
}

static bool one_of(const char *v, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(v, *list) == 0)
			return true;
	return false;
}

static int query_param(const struct http_request *req, const char *key, char *out, size_t size,
		       struct perr *err)
{
	int rc = http_query_get(req->query, key, out, size);
	if (rc < 0)
		return perr_set(err, "query parameter '%s' is not valid", key);
	return rc;
}

static int bool_param(const struct http_request *req, const char *key, const char **out,
		      struct perr *err)
{
	char v[8];
	int rc = query_param(req, key, v, sizeof(v), err);
	*out = "false";
	if (rc <= 0)
		return rc;
	if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0 || !v[0])
		*out = "true";
	else if (strcmp(v, "false") != 0 && strcmp(v, "0") != 0)
		return perr_set(err, "'%s' must be true or false", key);
	return 0;
}

static int limit_param(const struct http_request *req, char *out, size_t size, struct perr *err)
{
	char v[16];
	int rc = query_param(req, "limit", v, sizeof(v), err);
	if (rc < 0)
		return rc;
	long long n = API_LIST_LIMIT;
	char *end = NULL;
	if (rc == 1 && (!v[0] || (n = strtoll(v, &end, 10)) < 1 || n > API_LIST_MAX || *end))
		return perr_set(err, "limit must be 1..%d", API_LIST_MAX);
	snprintf(out, size, "%lld", n);
	return 0;
}

/* GET /api/v1/alerts?all=&state=&device=GLOB&rule=&limit= */
static int build_alerts_list(const struct http_request *req, struct api_call *c, struct perr *err)
{
	static const char *const states[] = {"firing",	   "acknowledged", "unknown",
					     "suppressed", "resolved",	   NULL};
	char state[32], device[256], rule[256], limit[16];
	const char *all;
	int rc, hs, hd, hr;
	if ((rc = bool_param(req, "all", &all, err)) < 0 ||
	    (hs = query_param(req, "state", state, sizeof(state), err)) < 0 ||
	    (hd = query_param(req, "device", device, sizeof(device), err)) < 0 ||
	    (hr = query_param(req, "rule", rule, sizeof(rule), err)) < 0 ||
	    (rc = limit_param(req, limit, sizeof(limit), err)) < 0)
		return -EINVAL;
	if (hs && !one_of(state, states))
		return perr_set(err, "state must be firing, acknowledged, unknown, suppressed or "
				     "resolved");
	/* Asking for resolved alerts implies looking past the open ones. */
	if (hs && strcmp(state, "resolved") == 0)
		all = "true";
	if ((rc = add(c, all, err)) < 0 || (rc = add(c, hs ? state : NULL, err)) < 0 ||
	    (rc = add(c, hd ? device : NULL, err)) < 0 || (rc = add(c, hr ? rule : NULL, err)) < 0)
		return rc;
	return add(c, limit, err);
}

static int build_maint_list(const struct http_request *req, struct api_call *c, struct perr *err)
{
	const char *all;
	if (bool_param(req, "all", &all, err) < 0)
		return -EINVAL;
	return add(c, all, err);
}

/* A non-empty string of at most max bytes, or absent. */
static int check_text(const struct api_json_field *f, size_t max, struct perr *err)
{
	if (!f->present)
		return 0;
	if (!f->s[0] || strlen(f->s) > max)
		return perr_set(err, "'%s' must be 1..%zu bytes", f->name, max);
	return 0;
}

static int read_body(const struct http_request *req, struct api_json_field *f, size_t n,
		     struct perr *err)
{
	if (req->body_len == 0)
		return perr_set(err, "a JSON object body is required");
	return api_json_read(req->body, req->body_len, f, n, err);
}

/* POST /api/v1/alerts/ID/ack {"by", "comment"}: id, by, comment, token. */
static int build_ack(const struct api_route *r, const struct http_request *req,
		     const struct api_token *t, struct api_call *c, struct perr *err)
{
	struct api_json_field f[] = {
		{"by", API_JSON_STRING, false},
		{"comment", API_JSON_STRING, false},
	};
	int rc = read_body(req, f, 2, err);
	if (rc == 0 && (rc = check_text(&f[0], 200, err)) == 0 && f[1].present &&
	    strlen(f[1].s) > 2000)
		rc = perr_set(err, "'comment' must be at most 2000 bytes");
	if (rc == 0 && (rc = add(c, r->id, err)) == 0 && (rc = take(c, &f[0], err)) == 0 &&
	    (rc = add(c, f[1].present ? f[1].s : "", err)) == 0)
		rc = add(c, t->name, err);
	api_json_free(f, 2);
	return rc;
}

/* POST /api/v1/maintenance: scope, target, from, to, for, every, until,
 * reason, by, token. */
static int check_maint(struct api_json_field *f, struct perr *err)
{
	static const char *const scopes[] = {"device", "group", "site", NULL};
	static const char *const every[] = {"daily", "weekly", "monthly", NULL};
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < 9; i++)
		rc = check_text(&f[i], i == 7 ? 2000 : 200, err);
	if (rc < 0)
		return rc;
	if (!one_of(f[0].s, scopes))
		return perr_set(err, "scope must be device, group or site");
	if (f[3].present == f[4].present)
		return perr_set(err, "give exactly one of 'to' and 'for'");
	if (f[5].present && !one_of(f[5].s, every))
		return perr_set(err, "every must be daily, weekly or monthly");
	if (f[6].present && !f[5].present)
		return perr_set(err, "'until' needs 'every'");
	return 0;
}

static int build_maint_add(const struct http_request *req, const struct api_token *t,
			   struct api_call *c, struct perr *err)
{
	struct api_json_field f[] = {
		{"scope", API_JSON_STRING, true},  {"target", API_JSON_STRING, true},
		{"from", API_JSON_STRING, false},  {"to", API_JSON_STRING, false},
		{"for", API_JSON_STRING, false},   {"every", API_JSON_STRING, false},
		{"until", API_JSON_STRING, false}, {"reason", API_JSON_STRING, true},
		{"by", API_JSON_STRING, false},
	};
	size_t n = sizeof(f) / sizeof(f[0]);
	int rc = read_body(req, f, n, err);
	if (rc == 0)
		rc = check_maint(f, err);
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = take(c, &f[i], err);
	if (rc == 0)
		rc = add(c, t->name, err);
	api_json_free(f, n);
	return rc;
}

/* POST /api/v1/maintenance/ID/end {"by"}: id, by, token. */
static int build_maint_end(const struct api_route *r, const struct http_request *req,
			   const struct api_token *t, struct api_call *c, struct perr *err)
{
	struct api_json_field f[] = {{"by", API_JSON_STRING, false}};
	int rc = req->body_len ? read_body(req, f, 1, err) : 0;
	if (rc == 0)
		rc = check_text(&f[0], 200, err);
	if (rc == 0 && (rc = add(c, r->id, err)) == 0 && (rc = take(c, &f[0], err)) == 0)
		rc = add(c, t->name, err);
	api_json_free(f, 1);
	return rc;
}

/* POST /api/v1/backups/runs: job, source (the token), started_at,
 * finished_at, status, size_bytes, message, restore_test. */
static int build_backup_run(const struct http_request *req, const struct api_token *t,
			    struct api_call *c, struct perr *err)
{
	static const char *const statuses[] = {"ok", "failed", NULL};
	struct api_json_field f[] = {
		{"job", API_JSON_STRING, true},		{"started_at", API_JSON_STRING, false},
		{"finished_at", API_JSON_STRING, true}, {"status", API_JSON_STRING, true},
		{"size_bytes", API_JSON_INT, false},	{"message", API_JSON_STRING, false},
		{"restore_test", API_JSON_BOOL, false},
	};
	size_t n = sizeof(f) / sizeof(f[0]);
	char size[24];
	int rc = read_body(req, f, n, err);
	if (rc == 0 && (rc = check_text(&f[0], 200, err)) == 0 && !one_of(f[3].s, statuses))
		rc = perr_set(err, "status must be ok or failed");
	if (rc == 0 && f[4].present && f[4].i < 0)
		rc = perr_set(err, "size_bytes must not be negative");
	if (rc == 0 && f[5].present && strlen(f[5].s) > 2000)
		rc = perr_set(err, "'message' must be at most 2000 bytes");
	snprintf(size, sizeof(size), "%lld", (long long)f[4].i);
	if (rc == 0 && (rc = take(c, &f[0], err)) == 0 && (rc = add(c, t->name, err)) == 0 &&
	    (rc = take(c, &f[1], err)) == 0 && (rc = take(c, &f[2], err)) == 0 &&
	    (rc = take(c, &f[3], err)) == 0 &&
	    (rc = add(c, f[4].present ? size : NULL, err)) == 0 && (rc = take(c, &f[5], err)) == 0)
		rc = add(c, f[6].present && f[6].b ? "true" : "false", err);
	api_json_free(f, n);
	return rc;
}

int api_call_build(const struct api_route *r, const struct http_request *req,
		   const struct api_token *token, struct api_call *call, struct perr *err)
{
	memset(call, 0, sizeof(*call));
	call->ep = r->ep;
	switch (r->ep) {
	case API_ALERTS_LIST:
		return build_alerts_list(req, call, err);
	case API_ALERT_ACK:
		return build_ack(r, req, token, call, err);
	case API_MAINT_LIST:
		return build_maint_list(req, call, err);
	case API_MAINT_ADD:
		return build_maint_add(req, token, call, err);
	case API_MAINT_END:
		return build_maint_end(r, req, token, call, err);
	case API_BACKUP_RUN:
		return build_backup_run(req, token, call, err);
	}
	return perr_set(err, "internal: unknown endpoint");
}

void api_call_free(struct api_call *call)
{
	for (int i = 0; i < call->np; i++)
		free(call->p[i]);
	call->np = 0;
}
