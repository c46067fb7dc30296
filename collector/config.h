/* The collector's configuration: the YAML sections `collector:`,
 * `database:`, `alerts:`, `api:` and `retention:` turned into one plain struct. Parsing is kept apart from the
 * runtime: after config_load the daemon never looks at YAML again. */
#ifndef PANTAU_COLLECTOR_CONFIG_H
#define PANTAU_COLLECTOR_CONFIG_H

#include "api_token.h"
#include "log.h"
#include "perr.h"
#include "tls.h"

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

struct collector_config {
	/* collector: */
	char *listen;    /* "host:port" for agent connections */
	bool plaintext;  /* no TLS: only with a loopback listen address */
	struct tls_files tls; /* collector.tls: ca, cert, key, crl (paths made absolute) */
	char *http;      /* "host:port" for /health, /metrics and /api; "" disables */
	struct tls_files http_tls; /* collector.http_tls: cert, key (absolute); none = plain HTTP */
	bool http_https;
	char *state_dir; /* holds the embedded PostgreSQL cluster */
	uint64_t max_frame;
	int log_level; /* enum log_level */
	/* database: */
	char *dsn; /* libpq conninfo; "" = embedded private cluster */
	int64_t max_queue;
	/* alerts: */
	char *alerts_rules; /* rules file (made absolute); "" = no alert evaluation */
	/* api: (collector/api.h) */
	struct api_tokens api_tokens;
	/* retention: (collector/retain.h); 0 = keep forever */
	struct retention {
		uint64_t samples_ms, rollups_5m_ms, rollups_1h_ms, batches_ms;
		uint64_t every_ms; /* how often rollups and retention run */
	} retention;

	/* Derived while loading. */
	const struct conf_node *tls_node, *http_tls_node;
	struct sockaddr_storage listen_addr;
	struct sockaddr_storage http_addr;
	bool http_enabled;
};

/* Reads and checks a config file. 0 or a negative errno with
 * "[file:line] what is wrong" in err. Free with config_free (also on error). */
int config_load(const char *path, struct collector_config *cfg, struct perr *err);

/* The same from text; name stands for the file in messages. */
int config_parse(const char *name, const char *text, size_t len, struct collector_config *cfg,
		 struct perr *err);

void config_free(struct collector_config *cfg);

/* Parses "1.2.3.4:80" or "[::1]:80" into out. 0 or -EINVAL. */
int config_parse_addr(const char *s, struct sockaddr_storage *out);

/* True for 127.0.0.0/8 and ::1 (and ::ffff:127.x.y.z). */
bool config_addr_is_loopback(const struct sockaddr_storage *sa);

/* Formats an address as "host:port" or "[v6]:port" into out. */
void config_format_addr(const struct sockaddr_storage *sa, char *out, size_t size);

#endif
