/* One Modbus field (a register, a run of registers or a bit that becomes a
 * metric), as written in a device's `modbus.fields` list or in a Modbus
 * profile file. Both places use the same keys, so both parse through here.
 * Every error reads "[file:line] ...". */
#ifndef PANTAU_MODBUS_FIELD_H
#define PANTAU_MODBUS_FIELD_H

#include "conf.h"
#include "modbus_decode.h"
#include "perr.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* How a field's value is reported; same order as enum series_kind. */
enum modbus_kind { MODBUS_KIND_GAUGE = 0, MODBUS_KIND_COUNTER = 1, MODBUS_KIND_STATE = 2 };

enum { MODBUS_FIELD_MAX_STATES = 256, MODBUS_FIELD_MAX_INVALID = 32 };

/* A named value of an enumeration (kind: state). */
struct modbus_state {
	int64_t value;
	char *name; /* owned */
};

struct modbus_field {
	char *metric;	 /* owned */
	char *unit;	 /* owned; NULL if none */
	int table;	 /* enum modbus_table */
	int64_t address; /* 0..65535 */
	int type;	 /* enum modbus_type */
	int byte_order;	 /* enum modbus_order */
	int word_order;	 /* enum modbus_order */
	int64_t bit;	 /* lowest bit 0..15, or -1 for the whole value */
	int64_t bits;	 /* bits from `bit` up: 1 for a bool, 2..16 for a uint16 */
	int64_t length;	 /* registers of a string; 0 otherwise */
	double scale;	 /* value = raw × scale ÷ divide + offset */
	double divide;	 /* never 0; scale 0.1, 0.01, ... become divide 10, 100, ... */
	double offset;
	int kind;		     /* enum modbus_kind */
	struct modbus_state *states; /* owned; kind state only */
	size_t nstates;
	double *invalid; /* owned: raw values that mean "no reading" */
	size_t ninvalid;
	uint32_t width;	      /* registers or bits the field occupies */
	char address_text[8]; /* the `address` label, e.g. "100" */
	char bit_text[4];     /* the `bit` label, "" if none */
	int line;	      /* where the field was written */
};

/* Parses one field mapping into *f (which need not be initialised). On
 * success f owns its strings (free with modbus_field_free); on failure it
 * owns nothing. A field wider than max_regs registers (max_bits bits on a
 * bit table) is refused. A 4xxxx-looking address is accepted with a
 * warning, counted in *nwarnings. map borrowed. */
int modbus_field_parse(const struct conf_node *map, int64_t max_regs, int64_t max_bits,
		       struct modbus_field *f, unsigned *nwarnings, struct perr *err);

/* Deep copy of src into *dst. 0 or -ENOMEM (dst then owns nothing). */
int modbus_field_copy(struct modbus_field *dst, const struct modbus_field *src);

/* Frees what a field owns; the struct itself is the caller's. */
void modbus_field_free(struct modbus_field *f);

/* The name of a state value, or NULL if the field does not name it. */
const char *modbus_field_state_name(const struct modbus_field *f, int64_t value);

/* True if raw (before scale and offset) is one of the field's invalid values. */
bool modbus_field_is_invalid(const struct modbus_field *f, double raw);

/* True if two fields would make the same series. */
bool modbus_field_same_series(const struct modbus_field *a, const struct modbus_field *b);

/* If address on table looks like 1-based register notation (e.g. 40001 on
 * holding), the 0-based address it probably means; otherwise -1. */
int64_t modbus_field_notation_hint(int table, int64_t address);

#endif
