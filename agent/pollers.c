/* The list of protocols the agent speaks. Adding one is a line here. */
#include "poller.h"

#include <stddef.h>

const struct poller_ops *const pollers[] = {
	&poll_snmp_ops,
	&poll_modbus_ops,
	&poll_probe_ops,
	NULL,
};
