/* A poller is one protocol (SNMP, Modbus, ...) behind a const vtable. Adding
 * a protocol is one file with its ops, one line in pollers.c, its tests and
 * its fake device. */
#ifndef PANTAU_POLLER_H
#define PANTAU_POLLER_H

#include "conf.h"
#include "perr.h"

struct device;

struct poller_ops {
	/* Protocol name; also the key of its section in a device's YAML. */
	const char *name;
	/* Parses the device's section of this poller (node, the value of the
	 * key `name`) and sets dev->cfg. dev_node is the whole device mapping
	 * for the few keys that sit beside the section (e.g. `profiles`).
	 * Errors read "[file:line] ...". Runs before the loop exists. */
	int (*parse)(struct device *dev, const struct conf_node *node,
		     const struct conf_node *dev_node, struct perr *err);
	/* Creates the device's runtime state (dev->state) on dev->agent->loop.
	 * 0 or -errno. */
	int (*start)(struct device *dev);
	/* Begins one poll. Returns 0 and later calls device_poll_done() exactly
	 * once, or returns -errno and never calls it. Never blocks. */
	int (*poll)(struct device *dev);
	/* Closes the runtime state; calls done(dev) once everything is closed
	 * (possibly before returning). A poll in progress is abandoned: its
	 * device_poll_done() is not called after stop. */
	void (*stop)(struct device *dev, void (*done)(struct device *dev));
	/* Frees what parse allocated in dev->cfg. */
	void (*free_cfg)(void *cfg);
};

/* NULL-terminated list of every poller, in pollers.c. */
extern const struct poller_ops *const pollers[];

extern const struct poller_ops poll_snmp_ops;
extern const struct poller_ops poll_modbus_ops;
extern const struct poller_ops poll_probe_ops;
/* Not a device key: config.c makes one device per `backups:` job. */
extern const struct poller_ops poll_backup_ops;

#endif
