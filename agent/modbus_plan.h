/* Modbus read planning: which read requests cover a device's fields.
 *
 * Pure: the plan is computed once when the configuration is parsed and
 * reused by every poll. Fields are grouped by table and sorted by address;
 * a request grows over the next field while
 *   - the field starts at most `max_gap` addresses after the request's end
 *     (overlapping and adjacent fields always join), and
 *   - the request stays within the table's limit (max_registers_per_read
 *     for registers, max_bits_per_read for bits).
 * So a hole of up to max_gap registers (default 8: 16 bytes, about what the
 * headers of one more TCP request cost) is read and thrown away rather than
 * paying a round trip. For bit tables the hole may be 16 × max_gap bits,
 * which costs the same bytes. A field is never split across requests; a
 * field wider than the limit is refused. Greedy in address order gives the
 * fewest requests under these rules, since every split it makes is forced. */
#ifndef PANTAU_MODBUS_PLAN_H
#define PANTAU_MODBUS_PLAN_H

#include "modbus_decode.h"
#include "perr.h"

#include <stddef.h>
#include <stdint.h>

/* The span one field occupies: width registers (register tables) or bits
 * (bit tables) from address. */
struct modbus_span {
	enum modbus_table table;
	uint32_t address;
	uint32_t width;
};

struct modbus_plan_limits {
	uint32_t max_registers; /* 1..125 */
	uint32_t max_bits;	/* 1..2000 */
	uint32_t max_gap;	/* registers of hole bridged; bits: 16 × this */
};

/* One read request and the fields it covers. */
struct modbus_request {
	enum modbus_table table;
	uint16_t address;
	uint16_t count; /* registers or bits */
	size_t first;	/* index into modbus_plan.fields */
	size_t nfields;
	size_t offset; /* where its data starts in the poll's result buffer:
			* in registers for register tables, bits for bit tables */
};

struct modbus_plan {
	struct modbus_request *reqs; /* owned */
	size_t nreqs;
	size_t *fields; /* owned: field indices, request by request */
	size_t nfields;
	size_t total_registers; /* sum of counts of register requests */
	size_t total_bits;	/* sum of counts of bit requests */
};

/* Plans reads for n spans. On success fills *plan (free with
 * modbus_plan_free) and returns 0. A span wider than its table's limit or
 * past address 65535 gives -E2BIG / -ERANGE with err naming the span's
 * index ("field 3: ..."); the caller adds the file and line. spans borrowed. */
int modbus_plan_build(const struct modbus_span *spans, size_t n,
		      const struct modbus_plan_limits *lim, struct modbus_plan *plan,
		      struct perr *err);

void modbus_plan_free(struct modbus_plan *plan);

#endif
