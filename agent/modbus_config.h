/* A Modbus device's `modbus:` section, turned into plain structs.
 *
 * Kept apart from the poller so it is testable without an agent: the
 * poller's parse() calls modbus_config_parse() and keeps the result in
 * dev->cfg. Every error reads "[file:line] ...". Addresses are 0-based
 * protocol addresses; one that looks like 1-based register notation
 * (40001.. on holding, 30001.. on input, 10001.. on discrete) is accepted
 * with a warning.
 *
 * A device may name a profile (`profile: dse-genset`, loaded from
 * <profile_dir>/modbus/): the profile's fields come first, the device's own
 * `fields` follow, and read limits the device sets win over the profile's. */
#ifndef PANTAU_MODBUS_CONFIG_H
#define PANTAU_MODBUS_CONFIG_H

#include "conf.h"
#include "modbus_decode.h"
#include "modbus_field.h"
#include "modbus_plan.h"
#include "modbus_profile.h"
#include "perr.h"

#include <stdint.h>

/* RTU serial line; device NULL for TCP. */
struct modbus_serial {
	char *device; /* owned: /dev/ttyUSB0 */
	int64_t baud;
	int parity; /* index into "N", "E", "O" */
	int64_t data_bits;
	int64_t stop_bits;
	uint64_t frame_gap_ms; /* silence before a frame; 0: 3.5 characters */
};

struct modbus_cfg {
	char *host;   /* owned; NULL for RTU */
	char port[8]; /* TCP service, "502" by default */
	struct modbus_serial serial;
	int64_t unit;	     /* slave / unit id */
	uint64_t timeout_ms; /* per request */
	int64_t retries;     /* extra attempts after a transport error */
	int64_t max_registers_per_read;
	int64_t max_bits_per_read;
	int64_t max_gap;	     /* hole bridged in one read, in registers */
	struct modbus_field *fields; /* owned: the profile's, then the device's */
	size_t nfields;
	struct modbus_profile_set *profiles; /* one reference, or NULL */
	const struct modbus_profile *profile; /* in profiles, or NULL */
	struct modbus_plan plan; /* owned */
	unsigned nwarnings;	 /* warnings logged while parsing */
};

/* Parses the `modbus:` mapping. profile_dir is where profiles live (NULL:
 * none may be named). On success *out is a new config (free with
 * modbus_config_free). node borrowed. 0 or -errno with err set. */
int modbus_config_parse(const struct conf_node *node, const char *profile_dir,
			struct modbus_cfg **out, struct perr *err);

/* Frees a config and everything it owns; NULL is fine. */
void modbus_config_free(struct modbus_cfg *cfg);

/* If address on table looks like 1-based register notation (e.g. 40001 on
 * holding), the 0-based address it probably means; otherwise -1. */
int64_t modbus_config_notation_hint(int table, int64_t address);

#endif
