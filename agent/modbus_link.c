/* Shared Modbus links; see modbus_link.h. */
#include "modbus_link.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct modbus_link *links; /* loop thread only */

void modbus_link_key(const struct modbus_cfg *cfg, char *buf, size_t size)
{
	if (cfg->host)
		snprintf(buf, size, "tcp:%s:%s", cfg->host, cfg->port);
	else
		snprintf(buf, size, "rtu:%s", cfg->serial.device);
}

struct modbus_link *modbus_link_get(const struct modbus_cfg *cfg)
{
	char key[4200];
	modbus_link_key(cfg, key, sizeof(key));
	/* TCP devices each keep a connection of their own, gateways included:
	 * a gateway queues requests for its serial side itself, and one unit
	 * that does not answer then delays no other unit behind it. */
	for (struct modbus_link *l = links; l && !cfg->host; l = l->next) {
		if (strcmp(l->key, key) == 0) {
			l->refs++;
			return l;
		}
	}
	struct modbus_link *l = calloc(1, sizeof(*l));
	if (!l || !(l->key = strdup(key))) {
		free(l);
		return NULL;
	}
	l->refs = 1;
	l->next = links;
	links = l;
	return l;
}

void modbus_link_put(struct modbus_link *link)
{
	if (!link || --link->refs > 0)
		return;
	for (struct modbus_link **pp = &links; *pp; pp = &(*pp)->next) {
		if (*pp == link) {
			*pp = link->next;
			break;
		}
	}
	if (link->ctx) {
		if (link->connected)
			modbus_close(link->ctx);
		modbus_free(link->ctx);
	}
	free(link->key);
	free(link);
}

bool modbus_link_acquire(struct modbus_link *link, struct modbus_link_waiter *w)
{
	if (!link->busy) {
		link->busy = true;
		return true;
	}
	w->next = NULL;
	w->queued = true;
	if (link->tail)
		link->tail->next = w;
	else
		link->head = w;
	link->tail = w;
	return false;
}

struct modbus_link_waiter *modbus_link_release(struct modbus_link *link)
{
	struct modbus_link_waiter *w = link->head;
	if (!w) {
		link->busy = false;
		return NULL;
	}
	link->head = w->next;
	if (!link->head)
		link->tail = NULL;
	w->next = NULL;
	w->queued = false;
	return w;
}

void modbus_link_cancel(struct modbus_link *link, struct modbus_link_waiter *w)
{
	if (!w->queued)
		return;
	struct modbus_link_waiter *prev = NULL;
	for (struct modbus_link_waiter *p = link->head; p; prev = p, p = p->next) {
		if (p != w)
			continue;
		if (prev)
			prev->next = p->next;
		else
			link->head = p->next;
		if (link->tail == p)
			link->tail = prev;
		break;
	}
	w->next = NULL;
	w->queued = false;
}
