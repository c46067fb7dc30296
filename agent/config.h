/* Agent configuration: the YAML file turned into struct agent_config and the
 * device list. Errors read "[file:line] what is wrong". */
#ifndef PANTAU_AGENT_CONFIG_H
#define PANTAU_AGENT_CONFIG_H

#include "agent.h"
#include "perr.h"

/* Loads path into a->cfg and a->devices (each device parsed by its poller).
 * once: the collector section is optional. 0 or -errno with err set. */
int agent_config_load(struct agent *a, const char *path, bool once, struct perr *err);

/* Frees what agent_config_load allocated (devices included). */
void agent_config_free(struct agent *a);

/* Device kinds users may write. */
extern const char *const agent_device_kinds[];

#endif
