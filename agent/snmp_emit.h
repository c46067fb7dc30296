/* Where an SNMP poll's results go, and the one place that turns a raw
 * reading into a sample (invalid values, scaling, state names, the oid
 * label). The sink is a pair of callbacks so the fetch logic is tested
 * without a device or an agent core. */
#ifndef PANTAU_SNMP_EMIT_H
#define PANTAU_SNMP_EMIT_H

#include "device.h"
#include "snmp_profile.h"

#include <stdbool.h>
#include <stddef.h>

struct snmp_sink {
	void (*sample)(void *arg, const struct sample_in *s);
	void (*inventory)(void *arg, const char *kind, const char *id, const struct label *fields,
			  size_t n);
	void *arg;
	int64_t ts_ms; /* when the values were read (unix ms); 0 = the poll's start */
};

/* Emits raw (read from the object at OID text oid_text) as a sample with the
 * labels oid plus extra[0..nextra). 0 if emitted, -ERANGE if raw is one of the
 * object's invalid values, -EINVAL if a state value is not an integer. */
int snmp_emit_sample(const struct snmp_sink *sink, const struct snmp_profile_object *o, double raw,
		     const char *oid_text, const struct label *extra, size_t nextra);

/* A table row's cell: like snmp_emit_sample, but first the metric's row tests
 * (when, unless), digits and fahrenheit conditions are resolved against the
 * row's labels extra[] and its attribute columns attrs[] (which are not
 * emitted). -ENOENT if a row test drops the row. */
int snmp_emit_row_sample(const struct snmp_sink *sink, const struct snmp_profile_object *o,
			 double raw, const char *oid_text, const struct label *extra,
			 size_t nextra, const struct label *attrs, size_t nattrs);

/* True if a row test holds: the text of c->attr, found in labels[] or
 * attrs[], matches one of its patterns. */
bool snmp_emit_cond_holds(const struct snmp_profile_cond *c, const struct label *labels,
			  size_t nlabels, const struct label *attrs, size_t nattrs);

#endif
