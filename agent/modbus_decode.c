/* Pure decoding of Modbus register words; see modbus_decode.h. */
#include "modbus_decode.h"

#include <errno.h>
#include <string.h>

_Static_assert(sizeof(float) == 4, "float must be IEEE 754 binary32");
_Static_assert(sizeof(double) == 8, "double must be IEEE 754 binary64");

const char *const modbus_table_names[] = {"coil", "discrete", "input", "holding", NULL};
const char *const modbus_type_names[] = {"bool",    "int16",  "uint16", "int32",
					 "uint32",  "int64",  "uint64", "float32",
					 "float64", "string", NULL};
const char *const modbus_order_names[] = {"big", "little", NULL};

bool modbus_table_is_bits(enum modbus_table t)
{
	return t == MODBUS_TABLE_COIL || t == MODBUS_TABLE_DISCRETE;
}

unsigned modbus_type_registers(enum modbus_type t)
{
	switch (t) {
	case MODBUS_T_BOOL:
	case MODBUS_T_INT16:
	case MODBUS_T_UINT16:
		return 1;
	case MODBUS_T_INT32:
	case MODBUS_T_UINT32:
	case MODBUS_T_FLOAT32:
		return 2;
	case MODBUS_T_INT64:
	case MODBUS_T_UINT64:
	case MODBUS_T_FLOAT64:
		return 4;
	case MODBUS_T_STRING:
		break;
	}
	return 0;
}

/* Folds nregs registers into one unsigned integer, most significant byte
 * first. Register k of the value (k = 0 the most significant) is regs[k]
 * for word order big and regs[nregs-1-k] for little; inside a register the
 * high byte is the more significant one for byte order big. */
static uint64_t assemble(const uint16_t *regs, size_t nregs, enum modbus_order byte_order,
			 enum modbus_order word_order)
{
	uint64_t v = 0;
	for (size_t k = 0; k < nregs; k++) {
		uint16_t w = word_order == MODBUS_ORDER_BIG ? regs[k] : regs[nregs - 1 - k];
		uint8_t hi = (uint8_t)(w >> 8), lo = (uint8_t)(w & 0xff);
		uint8_t first = byte_order == MODBUS_ORDER_BIG ? hi : lo;
		uint8_t second = byte_order == MODBUS_ORDER_BIG ? lo : hi;
		v = (v << 16) | ((uint64_t)first << 8) | second;
	}
	return v;
}

/* Two's complement of the low `bits` bits, without implementation-defined
 * conversions of out-of-range unsigned values. */
static int64_t sign_extend(uint64_t v, unsigned bits)
{
	uint64_t sign = (uint64_t)1 << (bits - 1);
	if (!(v & sign))
		return (int64_t)v;
	uint64_t magnitude = bits == 64 ? ~v + 1 : (((uint64_t)1 << bits) - v);
	/* magnitude is in 1..2^(bits-1); 2^63 itself is INT64_MIN. */
	if (magnitude == sign && bits == 64)
		return INT64_MIN;
	return -(int64_t)magnitude;
}

int modbus_decode_number(enum modbus_type t, const uint16_t *regs, size_t nregs,
			 enum modbus_order byte_order, enum modbus_order word_order,
			 struct modbus_raw *out)
{
	unsigned width = modbus_type_registers(t);
	if (t == MODBUS_T_BOOL || width == 0 || nregs != width)
		return -EINVAL;
	uint64_t v = assemble(regs, nregs, byte_order, word_order);
	*out = (struct modbus_raw){.kind = MODBUS_RAW_UINT, .u = v};
	switch (t) {
	case MODBUS_T_INT16:
	case MODBUS_T_INT32:
	case MODBUS_T_INT64:
		out->kind = MODBUS_RAW_INT;
		out->i = sign_extend(v, width * 16);
		break;
	case MODBUS_T_FLOAT32: {
		uint32_t bits32 = (uint32_t)v;
		float f;
		memcpy(&f, &bits32, sizeof(f));
		out->kind = MODBUS_RAW_FLOAT;
		out->f = (double)f;
		break;
	}
	case MODBUS_T_FLOAT64:
		out->kind = MODBUS_RAW_FLOAT;
		memcpy(&out->f, &v, sizeof(out->f));
		break;
	default:
		break;
	}
	return 0;
}

double modbus_raw_to_double(const struct modbus_raw *r)
{
	switch (r->kind) {
	case MODBUS_RAW_INT:
		return (double)r->i;
	case MODBUS_RAW_UINT:
		return (double)r->u;
	case MODBUS_RAW_FLOAT:
		break;
	}
	return r->f;
}

bool modbus_decode_bit(uint16_t reg, unsigned bit)
{
	return bit < 16 && ((reg >> bit) & 1u);
}

size_t modbus_decode_string(const uint16_t *regs, size_t nregs, enum modbus_order byte_order,
			    char *out, size_t size)
{
	size_t len = 0;
	bool ended = false;
	for (size_t k = 0; k < nregs && !ended; k++) {
		uint8_t hi = (uint8_t)(regs[k] >> 8), lo = (uint8_t)(regs[k] & 0xff);
		uint8_t pair[2] = {byte_order == MODBUS_ORDER_BIG ? hi : lo,
				   byte_order == MODBUS_ORDER_BIG ? lo : hi};
		for (int j = 0; j < 2; j++) {
			if (pair[j] == 0 || len + 1 >= size) {
				ended = true;
				break;
			}
			out[len++] = (pair[j] < 0x20 || pair[j] == 0x7f) ? '?' : (char)pair[j];
		}
	}
	while (len > 0 && out[len - 1] == ' ')
		len--;
	out[len] = '\0';
	return len;
}
