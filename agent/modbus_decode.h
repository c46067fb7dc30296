/* Modbus register decoding: turns the 16-bit words a device returned into
 * numbers and strings, for every type and every byte and word order.
 *
 * Pure and portable: no libmodbus, no I/O, no reliance on the host's byte
 * order. A register arrives as a uint16_t whose value is (first byte on the
 * wire << 8) | second byte, which is what libmodbus hands back. The decoder
 * rebuilds the value's bytes from most to least significant, then folds them
 * into an integer; floats go through memcpy from a uint32_t/uint64_t. This
 * is deliberately not libmodbus's modbus_get_float_*(), whose behaviour
 * changed between releases and depends on the CPU (libmodbus #358, #665). */
#ifndef PANTAU_MODBUS_DECODE_H
#define PANTAU_MODBUS_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The four Modbus data tables. */
enum modbus_table {
	MODBUS_TABLE_COIL = 0,	   /* read/write bits, function 1 */
	MODBUS_TABLE_DISCRETE = 1, /* read-only bits, function 2 */
	MODBUS_TABLE_INPUT = 2,	   /* read-only registers, function 4 */
	MODBUS_TABLE_HOLDING = 3,  /* read/write registers, function 3 */
};

enum modbus_type {
	MODBUS_T_BOOL = 0,
	MODBUS_T_INT16,
	MODBUS_T_UINT16,
	MODBUS_T_INT32,
	MODBUS_T_UINT32,
	MODBUS_T_INT64,
	MODBUS_T_UINT64,
	MODBUS_T_FLOAT32,
	MODBUS_T_FLOAT64,
	MODBUS_T_STRING,
};

/* Order of the two bytes inside a register (byte_order) or of the
 * registers inside a multi-register value (word_order). BIG means the most
 * significant part comes first, which is the Modbus default. */
enum modbus_order { MODBUS_ORDER_BIG = 0, MODBUS_ORDER_LITTLE = 1 };

/* NULL-terminated names as written in the YAML, indexed by the enums. */
extern const char *const modbus_table_names[];
extern const char *const modbus_type_names[];
extern const char *const modbus_order_names[];

/* True for coil and discrete (one bit per address). */
bool modbus_table_is_bits(enum modbus_table t);

/* Registers a numeric type occupies (1, 2 or 4); bool counts 1 (one bit on
 * a bit table, or one register holding the bit); 0 for string, whose width
 * is its configured length. */
unsigned modbus_type_registers(enum modbus_type t);

/* A decoded value before scale and offset, exact for every width. */
struct modbus_raw {
	enum { MODBUS_RAW_INT, MODBUS_RAW_UINT, MODBUS_RAW_FLOAT } kind;
	int64_t i;  /* MODBUS_RAW_INT */
	uint64_t u; /* MODBUS_RAW_UINT */
	double f;   /* MODBUS_RAW_FLOAT (float32 widened exactly) */
};

/* Decodes a numeric type (int16 .. float64) from exactly
 * modbus_type_registers(t) words. 0, or -EINVAL if the type is not numeric
 * or nregs does not match. regs is borrowed. */
int modbus_decode_number(enum modbus_type t, const uint16_t *regs, size_t nregs,
			 enum modbus_order byte_order, enum modbus_order word_order,
			 struct modbus_raw *out);

/* The raw value as a double (64-bit integers above 2^53 round). */
double modbus_raw_to_double(const struct modbus_raw *r);

/* Bit 0..15 of a register's value; bit 0 is the least significant. */
bool modbus_decode_bit(uint16_t reg, unsigned bit);

/* Decodes nregs registers as text, two characters per register (first
 * character in the high byte for byte_order big, in the low byte for
 * little). Text stops at the first NUL; trailing spaces are trimmed; control
 * bytes become '?'. Writes at most size-1 characters plus a NUL into out
 * (size > 0) and returns the length written. */
size_t modbus_decode_string(const uint16_t *regs, size_t nregs, enum modbus_order byte_order,
			    char *out, size_t size);

#endif
