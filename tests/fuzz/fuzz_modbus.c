/* libFuzzer target: Modbus register decoding, fed what a lying or broken
 * device could return. The first byte picks type, byte order and word
 * order; the rest are the registers. Each numeric result is checked against
 * a second, deliberately naive decoder written here (bytes laid out most
 * significant first, then folded), so the target finds wrong values as well
 * as crashes. Strings must stay within their buffer and be printable. */
#include "modbus_decode.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The value's bytes, most significant first, as the device meant them. */
static void naive_bytes(const uint16_t *regs, size_t n, enum modbus_order bo,
			enum modbus_order wo, uint8_t *out)
{
	for (size_t k = 0; k < n; k++) {
		uint16_t r = regs[wo == MODBUS_ORDER_BIG ? k : n - 1 - k];
		uint8_t hi = (uint8_t)(r >> 8), lo = (uint8_t)(r & 0xff);
		out[2 * k] = bo == MODBUS_ORDER_BIG ? hi : lo;
		out[2 * k + 1] = bo == MODBUS_ORDER_BIG ? lo : hi;
	}
}

static uint64_t fold(const uint8_t *b, size_t n)
{
	uint64_t v = 0;
	for (size_t k = 0; k < n; k++)
		v = v * 256 + b[k];
	return v;
}

static void check_number(enum modbus_type t, const uint16_t *regs, enum modbus_order bo,
			 enum modbus_order wo)
{
	size_t n = modbus_type_registers(t);
	if (n == 0 || n > 4)
		abort(); /* numeric types are 1, 2 or 4 registers (and bytes[] holds 8) */
	struct modbus_raw raw;
	if (modbus_decode_number(t, regs, n, bo, wo, &raw) < 0)
		abort(); /* every numeric type decodes from the right count */
	uint8_t bytes[8];
	naive_bytes(regs, n, bo, wo, bytes);
	uint64_t u = fold(bytes, 2 * n);
	switch (t) {
	case MODBUS_T_UINT16:
	case MODBUS_T_UINT32:
	case MODBUS_T_UINT64:
		if (raw.kind != MODBUS_RAW_UINT || raw.u != u)
			abort();
		break;
	case MODBUS_T_INT16:
		if (raw.kind != MODBUS_RAW_INT || raw.i != (int16_t)u)
			abort();
		break;
	case MODBUS_T_INT32:
		if (raw.kind != MODBUS_RAW_INT || raw.i != (int32_t)u)
			abort();
		break;
	case MODBUS_T_INT64:
		if (raw.kind != MODBUS_RAW_INT || raw.i != (int64_t)u)
			abort();
		break;
	case MODBUS_T_FLOAT32: {
		uint32_t bits = (uint32_t)u;
		float f;
		memcpy(&f, &bits, sizeof(f));
		if (raw.kind != MODBUS_RAW_FLOAT || memcmp(&(double){(double)f}, &raw.f, 8) != 0)
			if (!(f != f && raw.f != raw.f)) /* NaN payloads may differ */
				abort();
		break;
	}
	case MODBUS_T_FLOAT64: {
		double d;
		memcpy(&d, &u, sizeof(d));
		if (raw.kind != MODBUS_RAW_FLOAT || memcmp(&d, &raw.f, 8) != 0)
			if (!(d != d && raw.f != raw.f))
				abort();
		break;
	}
	default:
		abort();
	}
	(void)modbus_raw_to_double(&raw);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t sel = data[0];
	size_t nregs = (size - 1) / 2;
	uint16_t *regs = malloc((nregs ? nregs : 1) * sizeof(*regs));
	for (size_t k = 0; k < nregs; k++)
		regs[k] = (uint16_t)(data[1 + 2 * k] << 8 | data[2 + 2 * k]);
	enum modbus_order bo = (sel & 1) ? MODBUS_ORDER_LITTLE : MODBUS_ORDER_BIG;
	enum modbus_order wo = (sel & 2) ? MODBUS_ORDER_LITTLE : MODBUS_ORDER_BIG;
	enum modbus_type t = (enum modbus_type)((sel >> 2) % (MODBUS_T_STRING + 1));

	if (t == MODBUS_T_STRING) {
		char out[64];
		size_t len = modbus_decode_string(regs, nregs, bo, out, sizeof(out));
		if (len >= sizeof(out) || out[len] != '\0' || strlen(out) != len)
			abort();
		for (size_t k = 0; k < len; k++)
			if ((unsigned char)out[k] < 0x20 || out[k] == 0x7f)
				abort();
	} else if (t == MODBUS_T_BOOL) {
		if (nregs > 0)
			for (unsigned bit = 0; bit < 16; bit++)
				if (modbus_decode_bit(regs[0], bit) != ((regs[0] >> bit) & 1))
					abort();
	} else if (nregs >= modbus_type_registers(t)) {
		check_number(t, regs, bo, wo);
	} else {
		struct modbus_raw raw;
		if (modbus_decode_number(t, regs, nregs, bo, wo, &raw) == 0)
			abort(); /* too few registers must be refused */
	}
	free(regs);
	return 0;
}
