/* Parsing of a device's `probe:` section; see probe_config.h. */
#include "probe_config.h"

#include "probe_http.h"
#include "tls.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const up_names[] = {"all", "any", NULL};

/* Splits "host:port" or "[v6]:port"; host and port point into buf. */
static int split_host_port(char *buf, char **host, char **port)
{
	if (buf[0] == '[') {
		char *end = strchr(buf, ']');
		if (!end || end[1] != ':')
			return -EINVAL;
		*end = '\0';
		*host = buf + 1;
		*port = end + 2;
		return 0;
	}
	char *colon = strrchr(buf, ':');
	if (!colon || strchr(buf, ':') != colon)
		return -EINVAL; /* none, or an IPv6 address without brackets */
	*colon = '\0';
	*host = buf;
	*port = colon + 1;
	return 0;
}

static int parse_port(const char *s, uint16_t *port)
{
	char *end;
	if (!*s || strspn(s, "0123456789") != strlen(s))
		return -EINVAL;
	unsigned long v = strtoul(s, &end, 10);
	if (v == 0 || v > 65535)
		return -EINVAL;
	*port = (uint16_t)v;
	return 0;
}

static int fill_ip(const char *host, uint16_t port, struct probe_addr *out)
{
	struct sockaddr_in *v4 = (struct sockaddr_in *)&out->sa;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&out->sa;
	memset(&out->sa, 0, sizeof(out->sa));
	if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons(port);
		out->salen = sizeof(*v4);
		out->ipv6 = false;
	} else if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons(port);
		out->salen = sizeof(*v6);
		out->ipv6 = true;
	} else {
		return -EINVAL;
	}
	/* Labels carry the canonical form: "::0001" and "::1" are one target. */
	const void *bin = out->ipv6 ? (const void *)&v6->sin6_addr : (const void *)&v4->sin_addr;
	if (!inet_ntop(out->ipv6 ? AF_INET6 : AF_INET, bin, out->host, sizeof(out->host)))
		return -EINVAL;
	return 0;
}

/* A DNS name: labels of letters, digits and hyphens (not at either end),
 * 1..63 bytes each, dot-separated, 253 bytes in all; a trailing dot is
 * allowed. Not all digits (a mistyped address is not a name). */
static bool is_hostname(const char *s)
{
	size_t n = strlen(s), label = 0;
	if (n == 0 || n > 253 || strspn(s, "0123456789.") == n)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '.') {
			if (label == 0 || s[i - 1] == '-')
				return false;
			label = 0;
			continue;
		}
		bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
		if (!alnum && (c != '-' || label == 0))
			return false;
		if (++label > 63)
			return false;
	}
	return s[n - 1] != '-';
}

static int fill_host(const char *host, uint16_t port, struct probe_addr *out)
{
	if (fill_ip(host, port, out) == 0)
		return 0;
	if (!is_hostname(host))
		return -EINVAL;
	*out = (struct probe_addr){.is_name = true};
	snprintf(out->host, sizeof(out->host), "%s", host);
	return 0;
}

int probe_parse_address(const char *text, bool with_port, struct probe_addr *out)
{
	char buf[272];
	if (!text || strlen(text) >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, text, strlen(text) + 1);
	*out = (struct probe_addr){0};
	if (!with_port) {
		char *host = buf;
		size_t n = strlen(buf);
		if (n > 2 && buf[0] == '[' && buf[n - 1] == ']') {
			buf[n - 1] = '\0';
			host = buf + 1;
		}
		return host == buf ? fill_host(host, 0, out) : fill_ip(host, 0, out);
	}
	char *host, *port;
	uint16_t p;
	if (split_host_port(buf, &host, &port) < 0 || parse_port(port, &p) < 0)
		return -EINVAL;
	int rc = host == buf ? fill_host(host, p, out) : fill_ip(host, p, out);
	if (rc == 0)
		snprintf(out->port, sizeof(out->port), "%u", (unsigned)p);
	return rc;
}

struct icmp_raw {
	char *address;
	struct probe_icmp_cfg c;
};

static const struct conf_option icmp_options[] = {
	{"address", CONF_T_STRING, offsetof(struct icmp_raw, address), .required = true},
	{"count", CONF_T_INT, offsetof(struct icmp_raw, c.count), .dflt = "3", .min = 1,
	 .max = 100},
	{"interval", CONF_T_DURATION, offsetof(struct icmp_raw, c.interval_ms), .dflt = "200ms",
	 .min = 10, .max = 10000},
	{"timeout", CONF_T_DURATION, offsetof(struct icmp_raw, c.timeout_ms), .dflt = "1s",
	 .min = 10, .max = 60000},
};

struct tcp_raw {
	char *address;
	struct probe_tcp_cfg c;
};

static const struct conf_option tcp_options[] = {
	{"address", CONF_T_STRING, offsetof(struct tcp_raw, address), .required = true},
	{"timeout", CONF_T_DURATION, offsetof(struct tcp_raw, c.timeout_ms), .dflt = "2s",
	 .min = 10, .max = 60000},
};

struct http_raw {
	char *url, *ca;
	struct probe_http_cfg c;
};

static const struct conf_option http_options[] = {
	{"url", CONF_T_STRING, offsetof(struct http_raw, url), .required = true},
	{"expect", CONF_T_INT, offsetof(struct http_raw, c.expect), .dflt = "0", .min = 0,
	 .max = 599},
	{"timeout", CONF_T_DURATION, offsetof(struct http_raw, c.timeout_ms), .dflt = "5s",
	 .min = 10, .max = 60000},
	{"verify", CONF_T_BOOL, offsetof(struct http_raw, c.verify), .dflt = "true"},
	{"ca", CONF_T_STRING, offsetof(struct http_raw, ca), .dflt = ""},
};

/* A target is a scalar (its address) or a mapping with `address`. */
static int apply_target(const struct conf_option *table, size_t n, const struct conf_node *item,
			const char *section, void *raw, char **address, struct perr *err)
{
	if (item->kind == CONF_SCALAR) {
		int rc = conf_apply(table, n, NULL, section, raw, err);
		if (rc < 0)
			return rc;
		*address = strdup(item->scalar);
		return *address ? 0 : perr_setc(err, -ENOMEM, "out of memory");
	}
	if (item->kind != CONF_MAP)
		return conf_error(err, item,
				  "%s: a target is an address or a mapping with 'address'",
				  section);
	return conf_apply(table, n, item, section, raw, err);
}

static int parse_icmp(const struct conf_node *item, struct probe_icmp_cfg *out, struct perr *err)
{
	struct icmp_raw raw = {0};
	int rc = apply_target(icmp_options, CONF_COUNT(icmp_options), item, "probe.icmp", &raw,
			      &raw.address, err);
	if (rc == 0 && probe_parse_address(raw.address, false, &raw.c.addr) < 0)
		rc = conf_error(err, item,
				"probe.icmp: '%s' is neither an IPv4 or IPv6 address nor a host "
				"name",
				raw.address);
	if (rc == 0)
		*out = raw.c;
	free(raw.address);
	return rc;
}

static int parse_tcp(const struct conf_node *item, struct probe_tcp_cfg *out, struct perr *err)
{
	struct tcp_raw raw = {0};
	int rc = apply_target(tcp_options, CONF_COUNT(tcp_options), item, "probe.tcp", &raw,
			      &raw.address, err);
	if (rc == 0 && probe_parse_address(raw.address, true, &raw.c.addr) < 0)
		rc = conf_error(err, item,
				"probe.tcp: '%s' is not HOST:PORT (10.0.0.5:443, "
				"[2001:db8::5]:443 or db.example.go.id:5432)",
				raw.address);
	if (rc == 0)
		*out = raw.c;
	free(raw.address);
	return rc;
}

static int parse_http(const struct conf_node *item, struct probe_http_cfg *out, struct perr *err)
{
	struct http_raw raw = {0};
	int rc = apply_target(http_options, CONF_COUNT(http_options), item, "probe.http", &raw,
			      &raw.url, err);
	if (rc == 0 && probe_http_parse_url(raw.url, &raw.c) < 0)
		rc = conf_error(err, item,
				"probe.http: '%s' is not an http:// or https:// URL with a host "
				"(https://db.example.go.id/health, http://10.0.0.5:8080/)",
				raw.url);
	if (rc == 0 && raw.c.expect && raw.c.expect < 100)
		rc = conf_error(err, item, "probe.http: expect is an HTTP status, 100 to 599");
	if (rc == 0 && raw.ca[0] && !raw.c.tls)
		rc = conf_error(err, item, "probe.http: 'ca' needs an https:// URL");
	if (rc == 0 && raw.ca[0] && tls_resolve_path(&raw.ca, item->file) < 0)
		rc = perr_setc(err, -ENOMEM, "out of memory");
	if (rc == 0 && raw.ca[0] && access(raw.ca, R_OK) < 0)
		rc = conf_error(err, item, "probe.http: cannot read ca %s: %s", raw.ca,
				strerror(errno));
	if (rc == 0) {
		*out = raw.c;
		out->ca = raw.ca[0] ? raw.ca : NULL;
		if (out->ca)
			raw.ca = NULL;
	}
	free(raw.url);
	free(raw.ca);
	return rc;
}

/* Items of a key that is one target or a list of them. */
static size_t items_of(const struct conf_node *n)
{
	return !n ? 0 : n->kind == CONF_SEQ ? n->n : 1;
}

static const struct conf_node *item_at(const struct conf_node *n, size_t i)
{
	return n->kind == CONF_SEQ ? n->items[i] : n;
}

struct probe_raw {
	const struct conf_node *icmp, *tcp, *http;
	int up_rule;
};

static const struct conf_option probe_options[] = {
	{"icmp", CONF_T_NODE, offsetof(struct probe_raw, icmp)},
	{"tcp", CONF_T_NODE, offsetof(struct probe_raw, tcp)},
	{"http", CONF_T_NODE, offsetof(struct probe_raw, http)},
	{"up", CONF_T_ENUM, offsetof(struct probe_raw, up_rule), .dflt = "all", .names = up_names},
};

static int check_duplicates(const struct probe_cfg *c, const struct conf_node *node,
			    struct perr *err)
{
	for (size_t i = 0; i < c->nicmp; i++)
		for (size_t j = i + 1; j < c->nicmp; j++)
			if (strcmp(c->icmp[i].addr.host, c->icmp[j].addr.host) == 0)
				return conf_error(err, node, "probe.icmp: %s is listed twice",
						  c->icmp[i].addr.host);
	for (size_t i = 0; i < c->ntcp; i++)
		for (size_t j = i + 1; j < c->ntcp; j++)
			if (strcmp(c->tcp[i].addr.host, c->tcp[j].addr.host) == 0 &&
			    strcmp(c->tcp[i].addr.port, c->tcp[j].addr.port) == 0)
				return conf_error(err, node,
						  "probe.tcp: %s port %s is listed twice",
						  c->tcp[i].addr.host, c->tcp[i].addr.port);
	for (size_t i = 0; i < c->nhttp; i++)
		for (size_t j = i + 1; j < c->nhttp; j++)
			if (strcmp(c->http[i].url, c->http[j].url) == 0)
				return conf_error(err, node, "probe.http: %s is listed twice",
						  c->http[i].url);
	return 0;
}

static int parse_targets(struct probe_cfg *c, const struct probe_raw *raw, struct perr *err)
{
	size_t ni = items_of(raw->icmp), nt = items_of(raw->tcp), nh = items_of(raw->http);
	c->icmp = calloc(ni + 1, sizeof(*c->icmp));
	c->tcp = calloc(nt + 1, sizeof(*c->tcp));
	c->http = calloc(nh + 1, sizeof(*c->http));
	if (!c->icmp || !c->tcp || !c->http)
		return perr_setc(err, -ENOMEM, "out of memory");
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < ni; i++, c->nicmp += rc == 0)
		rc = parse_icmp(item_at(raw->icmp, i), &c->icmp[i], err);
	for (size_t i = 0; rc == 0 && i < nt; i++, c->ntcp += rc == 0)
		rc = parse_tcp(item_at(raw->tcp, i), &c->tcp[i], err);
	for (size_t i = 0; rc == 0 && i < nh; i++, c->nhttp += rc == 0)
		rc = parse_http(item_at(raw->http, i), &c->http[i], err);
	return rc;
}

int probe_config_parse(const struct conf_node *node, struct probe_cfg **out, struct perr *err)
{
	*out = NULL;
	if (!node || node->kind != CONF_MAP)
		return conf_error(
			err, node,
			"probe must be a mapping: { icmp: HOST, tcp: [ HOST:PORT ], http: [ URL ] }");
	struct probe_raw raw = {0};
	int rc = conf_apply(probe_options, CONF_COUNT(probe_options), node, "probe", &raw, err);
	if (rc < 0)
		return rc;
	if (items_of(raw.icmp) + items_of(raw.tcp) + items_of(raw.http) == 0)
		return conf_error(err, node, "probe needs at least one icmp, tcp or http target");
	struct probe_cfg *c = calloc(1, sizeof(*c));
	if (!c)
		return perr_setc(err, -ENOMEM, "out of memory");
	c->up_rule = raw.up_rule;
	rc = parse_targets(c, &raw, err);
	if (rc == 0)
		rc = check_duplicates(c, node, err);
	if (rc < 0) {
		probe_config_free(c);
		return rc;
	}
	*out = c;
	return 0;
}

uint64_t probe_config_budget_ms(const struct probe_cfg *cfg)
{
	uint64_t budget = 0;
	for (size_t i = 0; i < cfg->nicmp; i++) {
		const struct probe_icmp_cfg *t = &cfg->icmp[i];
		uint64_t b = (uint64_t)(t->count - 1) * t->interval_ms + t->timeout_ms;
		budget = b > budget ? b : budget;
	}
	for (size_t i = 0; i < cfg->ntcp; i++)
		budget = cfg->tcp[i].timeout_ms > budget ? cfg->tcp[i].timeout_ms : budget;
	bool names = false;
	for (size_t i = 0; i < cfg->nicmp; i++)
		names |= cfg->icmp[i].addr.is_name;
	for (size_t i = 0; i < cfg->ntcp; i++)
		names |= cfg->tcp[i].addr.is_name;
	for (size_t i = 0; i < cfg->nhttp; i++) {
		names |= cfg->http[i].addr.is_name;
		budget = cfg->http[i].timeout_ms > budget ? cfg->http[i].timeout_ms : budget;
	}
	return budget + (names ? PROBE_RESOLVE_TIMEOUT_MS : 0);
}

void probe_config_free(struct probe_cfg *cfg)
{
	if (!cfg)
		return;
	free(cfg->icmp);
	free(cfg->tcp);
	for (size_t i = 0; cfg->http && i < cfg->nhttp; i++)
		free(cfg->http[i].ca);
	free(cfg->http);
	free(cfg);
}
