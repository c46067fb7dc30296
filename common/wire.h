/* Envelope encoding and checked decoding, on top of protobuf-c. The decoder
 * is the single gate for untrusted bytes from the network: everything it
 * returns has been checked (version, body, array lengths, string sizes). */
#ifndef PANTAU_WIRE_H
#define PANTAU_WIRE_H

#include "buf.h"
#include "perr.h"
#include "pantau.pb-c.h"

#include <stddef.h>
#include <stdint.h>

enum {
	WIRE_VERSION = PANTAU__PROTOCOL_VERSION__PROTOCOL_VERSION,
	WIRE_MAX_STRING = 1024,	    /* bytes in any name, unit or label */
	WIRE_MAX_LABELS = 32,	    /* labels on one series */
	WIRE_MAX_SAMPLES = 1 << 20, /* samples in one batch */
	WIRE_MAX_SERIES_DEFS = 1 << 16,
	WIRE_MAX_ITEMS = 1 << 16, /* inventory items */
};

/* Serialises env (its version is set to WIRE_VERSION) as one frame appended
 * to out. 0, -EMSGSIZE if larger than max_frame, or a buf error. */
int wire_encode(Pantau__Envelope *env, struct buf *out, uint32_t max_frame);

/* Unpacks and checks one message. On success *env must be freed with
 * wire_free. On failure err says what was wrong and -EBADMSG is returned. */
int wire_decode(const uint8_t *data, size_t len, Pantau__Envelope **env, struct perr *err);

void wire_free(Pantau__Envelope *env);

#endif
