/* Option tables for the collector, applied with common/conf.h. */
#include "config.h"
#include "conf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const level_names[] = {"error", "warn", "info", "debug", NULL};

static const struct conf_option collector_options[] = {
	{"listen", CONF_T_STRING, offsetof(struct collector_config, listen), false,
	 "127.0.0.1:7400"},
	{"plaintext", CONF_T_BOOL, offsetof(struct collector_config, plaintext), false, "false"},
	{"http", CONF_T_STRING, offsetof(struct collector_config, http), false, "127.0.0.1:7480"},
	{"state_dir", CONF_T_STRING, offsetof(struct collector_config, state_dir), false,
	 "/var/lib/pantau"},
	{"max_frame", CONF_T_SIZE, offsetof(struct collector_config, max_frame), false, "8MiB",
	 1024, 256 << 20},
	{"log_level", CONF_T_ENUM, offsetof(struct collector_config, log_level), false, "info", 0,
	 0, level_names},
	{"tls", CONF_T_NODE, offsetof(struct collector_config, tls_node), false, NULL},
	{"http_tls", CONF_T_NODE, offsetof(struct collector_config, http_tls_node), false, NULL},
};

/* collector.http_tls: HTTPS for /health, /metrics and the API (the server's
 * certificate only; API clients authenticate with their token). */
static const struct conf_option http_tls_options[] = {
	{"cert", CONF_T_STRING, offsetof(struct collector_config, http_tls.cert), true, NULL},
	{"key", CONF_T_STRING, offsetof(struct collector_config, http_tls.key), true, NULL},
};

/* collector.tls: mutual TLS 1.3, the default (see common/tls.h). */
static const struct conf_option tls_options[] = {
	{"ca", CONF_T_STRING, offsetof(struct collector_config, tls.ca), true, NULL},
	{"cert", CONF_T_STRING, offsetof(struct collector_config, tls.cert), true, NULL},
	{"key", CONF_T_STRING, offsetof(struct collector_config, tls.key), true, NULL},
	{"crl", CONF_T_STRING, offsetof(struct collector_config, tls.crl), false, ""},
};

static const struct conf_option database_options[] = {
	{"dsn", CONF_T_STRING, offsetof(struct collector_config, dsn), false, ""},
	{"max_queue", CONF_T_INT, offsetof(struct collector_config, max_queue), false, "64", 2,
	 100000},
};

/* alerts: the rule engine (collector/evaluate.h); no rules file, no alerts. */
static const struct conf_option alerts_options[] = {
	{"rules", CONF_T_STRING, offsetof(struct collector_config, alerts_rules), false, ""},
};

/* retention: how long raw samples, rollups and batch records are kept
 * (collector/retain.h); "0" keeps them forever. */
#define DAY_MS (86400LL * 1000)
static const struct conf_option retention_options[] = {
	{"samples", CONF_T_DURATION, offsetof(struct collector_config, retention.samples_ms), false,
	 "90d", 0, 100LL * 365 * DAY_MS},
	{"rollups_5m", CONF_T_DURATION, offsetof(struct collector_config, retention.rollups_5m_ms),
	 false, "400d", 0, 100LL * 365 * DAY_MS},
	{"rollups_1h", CONF_T_DURATION, offsetof(struct collector_config, retention.rollups_1h_ms),
	 false, "1830d", 0, 100LL * 365 * DAY_MS},
	{"batches", CONF_T_DURATION, offsetof(struct collector_config, retention.batches_ms), false,
	 "30d", 0, 100LL * 365 * DAY_MS},
	{"every", CONF_T_DURATION, offsetof(struct collector_config, retention.every_ms), false,
	 "5m", 1000, DAY_MS},
};

struct sections {
	const struct conf_node *collector;
	const struct conf_node *database;
	const struct conf_node *alerts;
	const struct conf_node *api;
	const struct conf_node *retention;
};

static const struct conf_option top_options[] = {
	{"collector", CONF_T_NODE, offsetof(struct sections, collector), true},
	{"database", CONF_T_NODE, offsetof(struct sections, database), false},
	{"alerts", CONF_T_NODE, offsetof(struct sections, alerts), false},
	{"api", CONF_T_NODE, offsetof(struct sections, api), false},
	{"retention", CONF_T_NODE, offsetof(struct sections, retention), false},
};

int config_parse_addr(const char *s, struct sockaddr_storage *out)
{
	char host[64];
	const char *colon = strrchr(s, ':');
	if (!colon || colon == s)
		return -EINVAL;
	size_t hlen = (size_t)(colon - s);
	const char *h = s;
	if (s[0] == '[') {
		if (colon[-1] != ']')
			return -EINVAL;
		h = s + 1;
		hlen -= 2;
	}
	if (hlen == 0 || hlen >= sizeof(host))
		return -EINVAL;
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	int64_t port;
	if (conf_parse_int(colon + 1, &port) < 0 || port < 0 || port > 65535)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	struct sockaddr_in *v4 = (struct sockaddr_in *)out;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)out;
	if (s[0] != '[' && inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons((uint16_t)port);
		return 0;
	}
	if (s[0] == '[' && inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((uint16_t)port);
		return 0;
	}
	return -EINVAL;
}

bool config_addr_is_loopback(const struct sockaddr_storage *sa)
{
	if (sa->ss_family == AF_INET) {
		const struct sockaddr_in *v4 = (const struct sockaddr_in *)sa;
		return (ntohl(v4->sin_addr.s_addr) >> 24) == 127;
	}
	if (sa->ss_family == AF_INET6) {
		const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;
		if (IN6_IS_ADDR_LOOPBACK(a))
			return true;
		return IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127;
	}
	return false;
}

void config_format_addr(const struct sockaddr_storage *sa, char *out, size_t size)
{
	char host[INET6_ADDRSTRLEN] = "?";
	unsigned port = 0;
	if (sa->ss_family == AF_INET) {
		const struct sockaddr_in *v4 = (const struct sockaddr_in *)sa;
		inet_ntop(AF_INET, &v4->sin_addr, host, sizeof(host));
		port = ntohs(v4->sin_port);
		snprintf(out, size, "%s:%u", host, port);
		return;
	}
	if (sa->ss_family == AF_INET6) {
		const struct sockaddr_in6 *v6 = (const struct sockaddr_in6 *)sa;
		inet_ntop(AF_INET6, &v6->sin6_addr, host, sizeof(host));
		port = ntohs(v6->sin6_port);
	}
	snprintf(out, size, "[%s]:%u", host, port);
}

/* Mutual TLS unless plaintext: true on a loopback listen address (the rule
 * of the wire protocol: plaintext only when both ends are on loopback and
 * the config says so). Relative certificate paths are taken from the
 * config file's directory. */
static int check_transport(struct collector_config *cfg, const struct conf_node *sec,
			   const struct conf_node *at, struct perr *err)
{
	const struct conf_node *pt = conf_get(sec, "plaintext");
	if (cfg->plaintext && !config_addr_is_loopback(&cfg->listen_addr))
		return conf_error(err, at ? at : sec,
				  "collector: plaintext is allowed only on a loopback 'listen' "
				  "address (127.0.0.0/8 or [::1]); got listen: %s. Remove "
				  "'plaintext: true' and configure tls: { ca, cert, key, crl }",
				  cfg->listen);
	if (cfg->plaintext && cfg->tls_node)
		return conf_error(err, pt ? pt : sec,
				  "collector: 'plaintext: true' and a 'tls' section contradict "
				  "each other; remove one");
	if (cfg->plaintext)
		return 0;
	if (!cfg->tls_node)
		return conf_error(err, pt ? pt : sec,
				  "collector: mutual TLS is the default and needs "
				  "tls: { ca: ca.pem, cert: collector.pem, key: collector.key, "
				  "crl: crl.pem } (make them with 'pantauctl certs'); or, on a "
				  "loopback listen address only, plaintext: true");
	if (cfg->tls_node->kind != CONF_MAP)
		return conf_error(err, cfg->tls_node,
				  "collector.tls must be a mapping with ca, cert, key and crl");
	int rc = conf_apply(tls_options, CONF_COUNT(tls_options), cfg->tls_node, "collector.tls",
			    cfg, err);
	const char *name = cfg->tls_node->file;
	if (rc == 0 && ((rc = tls_resolve_path(&cfg->tls.ca, name)) < 0 ||
			(rc = tls_resolve_path(&cfg->tls.cert, name)) < 0 ||
			(rc = tls_resolve_path(&cfg->tls.key, name)) < 0 ||
			(rc = tls_resolve_path(&cfg->tls.crl, name)) < 0))
		return perr_setc(err, rc, "out of memory");
	return rc;
}

/* HTTPS when http_tls is given; plain HTTP only on a loopback address, where
 * a reverse proxy or the host itself is the client: API tokens and alert
 * data never cross a network in clear by accident. */
static int check_http_tls(struct collector_config *cfg, const struct conf_node *sec,
			  struct perr *err)
{
	const struct conf_node *t = cfg->http_tls_node;
	cfg->http_tls_node = NULL; /* points into the document */
	if (t) {
		if (t->kind != CONF_MAP)
			return conf_error(err, t, "collector.http_tls must be a mapping with cert "
						  "and key");
		int rc = conf_apply(http_tls_options, CONF_COUNT(http_tls_options), t,
				    "collector.http_tls", cfg, err);
		if (rc == 0 && ((rc = tls_resolve_path(&cfg->http_tls.cert, t->file)) < 0 ||
				(rc = tls_resolve_path(&cfg->http_tls.key, t->file)) < 0))
			return perr_setc(err, rc, "out of memory");
		if (rc < 0)
			return rc;
		cfg->http_https = true;
	}
	if (cfg->http_enabled && !cfg->http_https && !config_addr_is_loopback(&cfg->http_addr)) {
		const struct conf_node *h = conf_get(sec, "http");
		return conf_error(err, h ? h : sec,
				  "collector.http: %s is not a loopback address; serve it over "
				  "HTTPS (collector.http_tls: { cert, key }) or keep it on "
				  "127.0.0.1 behind a TLS reverse proxy: API tokens would cross "
				  "the network in clear",
				  cfg->http);
	}
	return 0;
}

/* Checks what the option tables cannot: addresses and the TLS rule. */
static int check_collector(struct collector_config *cfg, const struct conf_node *sec,
			   struct perr *err)
{
	const struct conf_node *at = conf_get(sec, "listen");
	if (config_parse_addr(cfg->listen, &cfg->listen_addr) < 0)
		return conf_error(err, at ? at : sec,
				  "collector.listen: '%s' is not an address such as "
				  "127.0.0.1:7400 or [::1]:7400",
				  cfg->listen);
	int rc = check_transport(cfg, sec, at, err);
	if (rc < 0)
		return rc;
	cfg->http_enabled = cfg->http[0] != '\0';
	if (cfg->http_enabled && config_parse_addr(cfg->http, &cfg->http_addr) < 0) {
		const struct conf_node *h = conf_get(sec, "http");
		return conf_error(err, h ? h : sec,
				  "collector.http: '%s' is not an address such as "
				  "127.0.0.1:7480 (or \"\" to disable)",
				  cfg->http);
	}
	if ((rc = check_http_tls(cfg, sec, err)) < 0)
		return rc;
	if (cfg->state_dir[0] != '/') {
		const struct conf_node *s = conf_get(sec, "state_dir");
		return conf_error(err, s ? s : sec, "collector.state_dir: '%s' is not an absolute path",
				  cfg->state_dir);
	}
	return 0;
}

/* Rollups are made from raw samples, hourly ones from 5-minute ones: one
 * kept shorter than what it is made from would vanish from the report views
 * while its source is still there. Raw samples must outlive the time an
 * agent may take to deliver them late (its spool), so at least a day. */
static const struct conf_node *key_or(const struct conf_node *sec, const char *key)
{
	const struct conf_node *n = conf_get(sec, key);
	return n ? n : sec;
}

static int check_retention(const struct retention *r, const struct conf_node *sec,
			   struct perr *err)
{
	if (r->samples_ms && r->samples_ms < (uint64_t)DAY_MS)
		return conf_error(err, key_or(sec, "samples"),
				  "retention.samples: keep raw samples at least 1d (0 keeps them "
				  "forever)");
	if (r->rollups_5m_ms && r->samples_ms && r->rollups_5m_ms < r->samples_ms)
		return conf_error(err, key_or(sec, "rollups_5m"),
				  "retention.rollups_5m is shorter than retention.samples");
	if (r->rollups_1h_ms && r->rollups_5m_ms && r->rollups_1h_ms < r->rollups_5m_ms)
		return conf_error(err, key_or(sec, "rollups_1h"),
				  "retention.rollups_1h is shorter than retention.rollups_5m");
	return 0;
}

static int apply(const struct conf_doc *doc, struct collector_config *cfg, struct perr *err)
{
	struct sections sec = {0};
	if (!doc->root)
		return perr_set(err, "[%s:1] the file is empty; it needs a 'collector:' section",
				doc->file);
	int rc = conf_apply(top_options, CONF_COUNT(top_options), doc->root, "top level", &sec,
			    err);
	if (rc == 0)
		rc = conf_apply(collector_options, CONF_COUNT(collector_options), sec.collector,
				"collector", cfg, err);
	if (rc == 0)
		rc = conf_apply(database_options, CONF_COUNT(database_options), sec.database,
				"database", cfg, err);
	if (rc == 0)
		rc = conf_apply(alerts_options, CONF_COUNT(alerts_options), sec.alerts, "alerts",
				cfg, err);
	if (rc == 0)
		rc = conf_apply(retention_options, CONF_COUNT(retention_options), sec.retention,
				"retention", cfg, err);
	if (rc == 0)
		rc = check_retention(&cfg->retention, sec.retention, err);
	if (rc == 0 && cfg->alerts_rules[0] && tls_resolve_path(&cfg->alerts_rules, doc->file) < 0)
		rc = perr_setc(err, -ENOMEM, "out of memory");
	if (rc == 0)
		rc = api_tokens_parse(sec.api, &cfg->api_tokens, err);
	if (rc == 0)
		rc = check_collector(cfg, sec.collector, err);
	cfg->tls_node = NULL; /* points into the document, freed after loading */
	return rc;
}

int config_parse(const char *name, const char *text, size_t len, struct collector_config *cfg,
		 struct perr *err)
{
	struct conf_doc doc;
	memset(cfg, 0, sizeof(*cfg));
	int rc = conf_load_string(name, text, len, &doc, err);
	if (rc < 0)
		return rc;
	rc = apply(&doc, cfg, err);
	conf_doc_free(&doc);
	return rc;
}

int config_load(const char *path, struct collector_config *cfg, struct perr *err)
{
	struct conf_doc doc;
	memset(cfg, 0, sizeof(*cfg));
	int rc = conf_load_file(path, &doc, err);
	if (rc < 0)
		return rc;
	rc = apply(&doc, cfg, err);
	conf_doc_free(&doc);
	return rc;
}

void config_free(struct collector_config *cfg)
{
	conf_release(collector_options, CONF_COUNT(collector_options), cfg);
	conf_release(database_options, CONF_COUNT(database_options), cfg);
	conf_release(tls_options, CONF_COUNT(tls_options), cfg);
	conf_release(http_tls_options, CONF_COUNT(http_tls_options), cfg);
	conf_release(alerts_options, CONF_COUNT(alerts_options), cfg);
	conf_release(retention_options, CONF_COUNT(retention_options), cfg);
	api_tokens_free(&cfg->api_tokens);
}
