/* The collector's one context: everything the daemon holds, passed down
 * to the modules that need a part of it. No other global state (the
 * signal handles live here too). */
#ifndef PANTAU_COLLECTOR_H
#define PANTAU_COLLECTOR_H

#include "api.h"
#include "config.h"
#include "evaluate.h"
#include "http.h"
#include "metrics.h"
#include "pgembed.h"
#include "receive.h"
#include "retain.h"
#include "store.h"

#include <stdbool.h>
#include <uv.h>

struct collector {
	uv_loop_t loop;
	struct collector_config cfg;
	struct metrics metrics;
	struct pgembed pg;
	const char *dsn; /* cfg.dsn or pg.dsn, borrowed */
	struct store store;
	struct receive receive;
	struct evaluate evaluate; /* alerts; open when cfg.alerts_rules is set */
	struct http http;
	struct api api; /* /api/ on the HTTP server; open with it */
	struct retain retain; /* rollups and retention */
	struct tls_ctx *tls; /* NULL with plaintext: true */
	struct tls_ctx *http_tls; /* HTTPS for /health, /metrics, /api; NULL = plain HTTP */
	uv_signal_t sig_int, sig_term;
	bool store_open, receive_open, http_open, signals_open, evaluate_open, api_open;
	bool retain_open;
	bool stopping;
	int exit_code;
};

#endif
