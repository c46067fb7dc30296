/* Where an SNMP poll's results go, and the one place that turns a raw
 * reading into a sample (invalid values, scaling, state names, the oid
 * label). The sink is a pair of callbacks so the fetch logic is tested
 * without a device or an agent core. */
#ifndef PANTAU_SNMP_EMIT_H
#define PANTAU_SNMP_EMIT_H

#include "device.h"
#include "snmp_profile.h"

#include <stddef.h>

struct snmp_sink {
	void (*sample)(void *arg, const struct sample_in *s);
	void (*inventory)(void *arg, const char *kind, const char *id, const struct label *fields,
			  size_t n);
	void *arg;
};

/* Emits raw (read from the object at OID text oid_text) as a sample with the
 * labels oid plus extra[0..nextra). 0 if emitted, -ERANGE if raw is one of the
 * object's invalid values, -EINVAL if a state value is not an integer. */
int snmp_emit_sample(const struct snmp_sink *sink, const struct snmp_profile_object *o, double raw,
		     const char *oid_text, const struct label *extra, size_t nextra);

#endif
