/* A device's `probe:` section: ICMP echo and TCP connect targets.
 *
 *   probe:
 *     icmp: 10.0.0.5                    # or { address, count, interval, timeout }, or a list
 *     tcp: [ "10.0.0.5:443", { address: "[2001:db8::5]:5432", timeout: 2s } ]
 *     http: [ "https://db.example.go.id/health", { url: ..., expect: 200, ca: ... } ]
 *     up: all                           # all (default) | any: when the device counts as up
 *
 * Addresses are IP literals (IPv4, IPv6, IPv6 in brackets with a port) or
 * DNS names, looked up at every poll (at most PROBE_RESOLVE_TIMEOUT_MS) so
 * that a changed record is followed; labels carry what was written. Errors
 * read "[file:line] ...". */
#ifndef PANTAU_PROBE_CONFIG_H
#define PANTAU_PROBE_CONFIG_H

#include "conf.h"
#include "perr.h"

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct probe_addr {
	struct sockaddr_storage sa; /* port set for TCP; for a name, set at each poll */
	socklen_t salen;
	bool ipv6;
	bool is_name;   /* host is a DNS name, looked up at every poll */
	char host[256]; /* the address or name as printed in labels, without brackets */
	char port[8];	/* "" for ICMP */
};

/* How long a poll waits for the lookup of a target's name. */
#define PROBE_RESOLVE_TIMEOUT_MS 2000

struct probe_icmp_cfg {
	struct probe_addr addr;
	int64_t count;	      /* echo requests per poll */
	uint64_t interval_ms; /* between requests */
	uint64_t timeout_ms;  /* wait for a reply after the last request */
};

struct probe_tcp_cfg {
	struct probe_addr addr;
	uint64_t timeout_ms;
};

/* An HTTP or HTTPS target (agent/probe_http.h). */
struct probe_http_cfg {
	char url[512]; /* as written: the label */
	bool tls;
	struct probe_addr addr; /* host and port from the URL */
	char path[400];
	char *ca;	/* NULL: the system's CAs (owned) */
	bool verify;	/* HTTPS: an unverified certificate is down */
	int64_t expect; /* the status that is up; 0: any 2xx or 3xx */
	uint64_t timeout_ms;
};

enum probe_up_rule { PROBE_UP_ALL = 0, PROBE_UP_ANY = 1 };

struct probe_cfg {
	struct probe_icmp_cfg *icmp; /* owned */
	size_t nicmp;
	struct probe_tcp_cfg *tcp; /* owned */
	size_t ntcp;
	struct probe_http_cfg *http; /* owned */
	size_t nhttp;
	int up_rule; /* enum probe_up_rule */
};

/* Parses "10.0.0.5", "::1", "[::1]", "db.example.go.id" (with_port false)
 * or "10.0.0.5:443", "[::1]:443", "db.example.go.id:5432" (with_port true).
 * 0 or -EINVAL. Pure. */
int probe_parse_address(const char *text, bool with_port, struct probe_addr *out);

/* Parses the `probe:` mapping. *out is new (free with probe_config_free).
 * 0 or -errno with err set. */
int probe_config_parse(const struct conf_node *node, struct probe_cfg **out, struct perr *err);

/* The longest a poll of cfg can take, in milliseconds. */
uint64_t probe_config_budget_ms(const struct probe_cfg *cfg);

/* Frees a config; NULL is fine. */
void probe_config_free(struct probe_cfg *cfg);

#endif
