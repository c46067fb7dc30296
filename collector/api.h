/* The collector's JSON HTTP API (under /api/v1/ on collector.http): what
 * pantauctl does for alerts and maintenance windows, and backup runs
 * reported by backup software. Every request carries
 * "Authorization: Bearer TOKEN"; the config holds only SHA-256 hashes of
 * the tokens (`api: { tokens: [ { name, sha256, role } ] }`, made with
 * `pantauctl api token NAME`), compared in constant time and never logged.
 * Roles: viewer (read), backup (report backup runs only), operator
 * (everything). Authentication, routing and body parsing are pure and run
 * on the loop thread; the SQL runs on one worker thread with its own libpq
 * connection (api.c, api_sql.c). */
#ifndef PANTAU_COLLECTOR_API_H
#define PANTAU_COLLECTOR_API_H

#include "api_token.h"
#include "buf.h"
#include "http.h"
#include "perr.h"
#include "workq.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
	API_MAX_BODY = 64 * 1024,
	API_MAX_PARAMS = 10,
	API_LIST_LIMIT = 1000, /* default rows of a list; ?limit= up to API_LIST_MAX */
	API_LIST_MAX = 10000,
};

enum api_endpoint {
	API_ALERTS_LIST, /* GET  /api/v1/alerts */
	API_ALERT_ACK,	 /* POST /api/v1/alerts/ID/ack */
	API_MAINT_LIST,	 /* GET  /api/v1/maintenance */
	API_MAINT_ADD,	 /* POST /api/v1/maintenance */
	API_MAINT_END,	 /* POST /api/v1/maintenance/ID/end */
	API_BACKUP_RUN,	 /* POST /api/v1/backups/runs */
};

enum api_need { API_NEED_READ, API_NEED_WRITE, API_NEED_BACKUP };

struct api_route {
	enum api_endpoint ep;
	enum api_need need;
	char id[24]; /* the ID in the path, digits only */
};

/* Matches method and path. 0 with r filled; -ENOENT for an unknown path
 * (404); -EOPNOTSUPP for a known path and another method (405). HEAD is
 * GET. Pure. */
int api_route_match(const char *method, const char *path, struct api_route *r);

/* May a token of role do what route needs? Pure. */
bool api_role_allows(int role, enum api_need need);

/* A request turned into SQL parameters: what the worker needs, copied. */
struct api_call {
	enum api_endpoint ep;
	char *p[API_MAX_PARAMS]; /* malloc'd; NULL = SQL NULL */
	int np;
};

/* Reads the query string or JSON body of an authenticated request for
 * route into call (parameters in the order api_sql.c binds them); token
 * is who asked. 0, or -EINVAL with a message for the client in err. Free
 * with api_call_free (also on error). Pure. */
int api_call_build(const struct api_route *r, const struct http_request *req,
		   const struct api_token *token, struct api_call *call, struct perr *err);
void api_call_free(struct api_call *call);

/* The answer of a call, rendered by the worker: status and JSON body. */
struct api_result {
	int status;
	struct buf body;
};

/* Runs call on pg (reconnecting from dsn when needed; *pg may be NULL).
 * Worker thread; blocking. (api_sql.c) */
void api_sql_run(const char *dsn, void **pg, const struct api_call *call, struct api_result *out);
/* Closes what api_sql_run opened. */
void api_sql_close(void **pg);

struct api {
	uv_loop_t *loop;
	const struct api_tokens *tokens; /* borrowed from the config */
	char *dsn;
	struct workq q; /* one thread: the connection is its own */
	void *pg;	/* PGconn, touched by the worker thread only */
	bool started;
};

/* Starts the worker and routes /api/ of h to the API. tokens and h are
 * borrowed. 0 or -errno. */
int api_start(struct api *a, uv_loop_t *loop, struct http *h, const struct api_tokens *tokens,
	      const char *dsn);

/* Finishes the queued calls (their answers go to clients still there),
 * joins the worker and closes the connection. Loop thread. */
void api_stop(struct api *a);

#endif
