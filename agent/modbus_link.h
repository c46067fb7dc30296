/* A Modbus link: one libmodbus context (a TCP connection or a serial
 * line) and the devices that take turns on it.
 *
 * Devices share a link when they name the same serial device (several unit
 * ids on one RS-485 bus). A TCP device, gateway or not, has a link of its
 * own. Only one device's job uses a link at a time: the
 * others wait in its queue, on the loop thread, instead of holding a worker
 * thread blocked on a lock, so a busy bus never starves other devices of
 * workers. Every function here runs on the loop thread; ctx and connected
 * belong to the job that holds the link (busy) while it runs. */
#ifndef PANTAU_MODBUS_LINK_H
#define PANTAU_MODBUS_LINK_H

#include "modbus_config.h"

#include <modbus.h>

#include <stdbool.h>
#include <stddef.h>

/* Embedded in whatever waits for a link. */
struct modbus_link_waiter {
	struct modbus_link_waiter *next;
	bool queued;
};

struct modbus_link {
	char *key;     /* "tcp:host:port" or "rtu:/dev/ttyUSB0" */
	modbus_t *ctx; /* owned; NULL until first used */
	bool connected;
	bool busy; /* a job holds the link */
	struct modbus_link_waiter *head, *tail;
	size_t refs;
	struct modbus_link *next;
};

/* The link for cfg's transport: for a serial line, shared with any device
 * already on it (one more reference); for TCP, a new one. NULL when out of
 * memory. */
struct modbus_link *modbus_link_get(const struct modbus_cfg *cfg);

/* Drops a reference; the last one closes and frees the link. The link must
 * not be busy then. */
void modbus_link_put(struct modbus_link *link);

/* Takes the link if it is free (true), or queues w (false). */
bool modbus_link_acquire(struct modbus_link *link, struct modbus_link_waiter *w);

/* Releases the link and hands it to the first waiter, which is returned
 * (the link stays busy for it), or NULL if nobody waits. */
struct modbus_link_waiter *modbus_link_release(struct modbus_link *link);

/* Removes w from the queue if it is there. */
void modbus_link_cancel(struct modbus_link *link, struct modbus_link_waiter *w);

/* The link key of a configuration, into buf. */
void modbus_link_key(const struct modbus_cfg *cfg, char *buf, size_t size);

#endif
