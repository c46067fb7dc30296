/* The SNMP poller: its vtable and a device's runtime life (resolve the
 * address, open a link, run one fetch per poll within a time budget). What a
 * poll asks and how answers become samples is snmp_fetch.c; the libuv
 * driving of net-snmp is snmp_link.c. */
#include "agent.h"
#include "device.h"
#include "log.h"
#include "poller.h"
#include "snmp_conf.h"
#include "snmp_fetch.h"
#include "snmp_link.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef PANTAU_PROFILE_DIR
#define PANTAU_PROFILE_DIR "/usr/share/pantau/profiles"
#endif

struct snmp_state {
	struct device *dev;	     /* borrowed */
	const struct snmp_conf *cfg; /* borrowed from dev->cfg */
	struct snmp_link link;
	bool link_open;
	uv_getaddrinfo_t gai;
	bool resolving;
	char ip[INET6_ADDRSTRLEN];
	bool have_ip;
	uv_timer_t kick;   /* starts a poll on the next loop turn */
	uv_timer_t budget; /* ends a poll that runs too long */
	uint64_t budget_ms;
	struct snmp_fetch fetch;
	bool polling;
	bool stopping;
	int closing; /* handles and requests still to finish */
	void (*done)(struct device *dev);
	struct log_complaint partial; /* polls that answered only in part */
	struct perr err;
};

static int poll_snmp_parse(struct device *dev, const struct conf_node *node,
			   const struct conf_node *dev_node, struct perr *err)
{
	struct snmp_conf *c = calloc(1, sizeof(*c));
	if (!c)
		return perr_setc(err, -ENOMEM, "out of memory");
	const char *dir = PANTAU_PROFILE_DIR;
	if (dev->agent && dev->agent->cfg.profile_dir && *dev->agent->cfg.profile_dir)
		dir = dev->agent->cfg.profile_dir;
	int rc = snmp_conf_parse(c, node, dev_node, dir, err);
	if (rc < 0) {
		free(c);
		return rc;
	}
	dev->cfg = c;
	return 0;
}

static void poll_snmp_free_cfg(void *cfg)
{
	if (!cfg)
		return;
	snmp_conf_free(cfg);
	free(cfg);
}

static void sink_sample(void *arg, const struct sample_in *s)
{
	device_emit(arg, s);
}

static void sink_inventory(void *arg, const char *kind, const char *id, const struct label *fields,
			   size_t n)
{
	device_emit_inventory(arg, kind, id, fields, n);
}

/* Without a configured budget a poll gets five timeouts, and never less than
 * one request's full round of retries plus a second. */
static uint64_t poll_budget(const struct snmp_conf *c)
{
	if (c->budget_ms)
		return c->budget_ms;
	uint64_t one = c->timeout_ms * (uint64_t)(c->retries + 1) + 1000;
	uint64_t five = 5 * c->timeout_ms;
	return five > one ? five : one;
}

static bool numeric_host(const char *host, char *ip)
{
	unsigned char addr[sizeof(struct in6_addr)];
	if (inet_pton(AF_INET, host, addr) != 1 && inet_pton(AF_INET6, host, addr) != 1)
		return false;
	snprintf(ip, INET6_ADDRSTRLEN, "%s", host);
	return true;
}

static int poll_snmp_start(struct device *dev)
{
	snmp_link_library_init();
	struct snmp_state *st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	st->dev = dev;
	st->cfg = dev->cfg;
	st->budget_ms = poll_budget(st->cfg);
	uv_timer_init(dev->agent->loop, &st->kick);
	uv_timer_init(dev->agent->loop, &st->budget);
	st->kick.data = st;
	st->budget.data = st;
	struct snmp_sink sink = {sink_sample, sink_inventory, dev};
	snmp_fetch_init(&st->fetch, st->cfg, &sink, dev->name);
	st->have_ip = numeric_host(st->cfg->host, st->ip);
	dev->state = st;
	return 0;
}

/* Ends the poll; device_poll_done may stop the device, so it comes last. */
static void finish(struct snmp_state *st)
{
	uv_timer_stop(&st->budget);
	uv_timer_stop(&st->kick);
	st->polling = false;
	const char *reason = NULL;
	int status = snmp_fetch_result(&st->fetch, &reason);
	if (status < 0) {
		snmp_fetch_forget(&st->fetch);
	} else if (reason) {
		log_complain(&st->partial, LL_WARN, "snmp", "%s: poll ended early: %s (%zu values)",
			     st->dev->name, reason, st->fetch.values);
	} else {
		log_release(&st->partial, "snmp", "%s: polls complete again", st->dev->name);
	}
	device_poll_done(st->dev, status, status < 0 ? reason : NULL);
}

static void advance(struct snmp_state *st)
{
	netsnmp_pdu *pdu = snmp_fetch_next(&st->fetch);
	if (!pdu) {
		finish(st);
		return;
	}
	int rc = snmp_link_send(&st->link, pdu);
	if (rc < 0) {
		snmp_fetch_abort(&st->fetch, rc, "cannot send");
		finish(st);
	}
}

static void on_reply(struct snmp_link *l, int status, netsnmp_pdu *pdu, void *arg)
{
	struct snmp_state *st = arg;
	if (st->polling)
		snmp_fetch_reply(&st->fetch, status, pdu);
}

static void on_step(struct snmp_link *l, void *arg)
{
	struct snmp_state *st = arg;
	if (st->polling && !st->stopping)
		advance(st);
}

static void open_and_advance(struct snmp_state *st)
{
	if (!st->link_open) {
		int rc = snmp_link_open(&st->link, st->dev->agent->loop, st->cfg, st->ip,
					st->cfg->port, on_reply, on_step, st, &st->err);
		if (rc < 0) {
			log_debug("snmp", "%s: %s", st->dev->name, st->err.msg);
			snmp_fetch_abort(&st->fetch, rc, "cannot open an SNMP session");
			finish(st);
			return;
		}
		st->link_open = true;
	}
	advance(st);
}

static void maybe_closed(struct snmp_state *st);

static void on_resolved(uv_getaddrinfo_t *req, int status, struct addrinfo *res)
{
	struct snmp_state *st = req->data;
	st->resolving = false;
	if (status == 0 && res) {
		const void *a =
			res->ai_family == AF_INET6
				? (const void *)&((struct sockaddr_in6 *)res->ai_addr)->sin6_addr
				: (const void *)&((struct sockaddr_in *)res->ai_addr)->sin_addr;
		st->have_ip = inet_ntop(res->ai_family, a, st->ip, sizeof(st->ip)) != NULL;
	}
	uv_freeaddrinfo(res);
	if (st->stopping) {
		maybe_closed(st);
		return;
	}
	if (!st->polling)
		return; /* the budget ran out first; the address is kept for next time */
	if (!st->have_ip) {
		snmp_fetch_abort(&st->fetch, -EHOSTUNREACH, "cannot resolve the address");
		finish(st);
		return;
	}
	open_and_advance(st);
}

static void on_kick(uv_timer_t *t)
{
	struct snmp_state *st = t->data;
	if (!st->polling)
		return;
	if (st->have_ip) {
		open_and_advance(st);
		return;
	}
	if (st->resolving)
		return; /* an earlier lookup is still running; it will continue */
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_DGRAM};
	st->gai.data = st;
	int rc = uv_getaddrinfo(st->dev->agent->loop, &st->gai, on_resolved, st->cfg->host, NULL,
				&hints);
	if (rc < 0) {
		snmp_fetch_abort(&st->fetch, -EHOSTUNREACH, "cannot resolve the address");
		finish(st);
		return;
	}
	st->resolving = true;
}

static void on_budget(uv_timer_t *t)
{
	struct snmp_state *st = t->data;
	if (!st->polling)
		return;
	snmp_link_abandon(&st->link);
	snmp_fetch_abort(&st->fetch, -ETIMEDOUT, "poll budget exceeded");
	finish(st);
}

static int poll_snmp_poll(struct device *dev)
{
	struct snmp_state *st = dev->state;
	if (!st || st->stopping)
		return -ESHUTDOWN;
	if (st->polling)
		return -EBUSY;
	int rc = snmp_fetch_begin(&st->fetch, log_mono_ms());
	if (rc < 0)
		return rc;
	st->polling = true;
	/* The first request leaves on the next loop turn, so device_poll_done
	 * never runs inside this call. */
	uv_timer_start(&st->kick, on_kick, 0, 0);
	uv_timer_start(&st->budget, on_budget, st->budget_ms, 0);
	return 0;
}

static void maybe_closed(struct snmp_state *st)
{
	if (--st->closing > 0)
		return;
	struct device *dev = st->dev;
	void (*done)(struct device *) = st->done;
	snmp_fetch_free(&st->fetch);
	free(st);
	dev->state = NULL;
	if (done)
		done(dev);
}

static void on_handle_closed(uv_handle_t *h)
{
	maybe_closed(h->data);
}

static void on_link_closed(struct snmp_link *l)
{
	maybe_closed(l->arg);
}

static void poll_snmp_stop(struct device *dev, void (*done)(struct device *dev))
{
	struct snmp_state *st = dev->state;
	if (!st) {
		if (done)
			done(dev);
		return;
	}
	st->stopping = true;
	st->polling = false;
	st->done = done;
	st->closing = 2;
	uv_close((uv_handle_t *)&st->kick, on_handle_closed);
	uv_close((uv_handle_t *)&st->budget, on_handle_closed);
	if (st->link_open) {
		st->closing++;
		snmp_link_close(&st->link, on_link_closed);
	}
	if (st->resolving) {
		/* Its callback runs either way (UV_ECANCELED if cancelled). */
		st->closing++;
		uv_cancel((uv_req_t *)&st->gai);
	}
}

const struct poller_ops poll_snmp_ops = {
	.name = "snmp",
	.parse = poll_snmp_parse,
	.start = poll_snmp_start,
	.poll = poll_snmp_poll,
	.stop = poll_snmp_stop,
	.free_cfg = poll_snmp_free_cfg,
};
