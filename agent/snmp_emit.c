/* Turning raw readings into samples (see snmp_emit.h). */
#include "snmp_emit.h"

#include "log.h"

#include <errno.h>
#include <math.h>

int snmp_emit_sample(const struct snmp_sink *sink, const struct snmp_profile_object *o, double raw,
		     const char *oid_text, const struct label *extra, size_t nextra)
{
	if (snmp_profile_is_invalid(o, raw)) {
		log_debug("snmp", "%s: %s holds %.17g, which the profile calls invalid", o->name,
			  oid_text, raw);
		return -ERANGE;
	}
	struct label labels[SNMP_PROFILE_MAX_LABELS];
	size_t n = 0;
	labels[n++] = (struct label){"oid", oid_text};
	for (size_t i = 0; i < nextra && n < SNMP_PROFILE_MAX_LABELS; i++)
		labels[n++] = extra[i];
	struct sample_in s = {
		.metric = o->name,
		.unit = o->unit,
		.kind = o->kind,
		.labels = labels,
		.nlabels = n,
	};
	if (o->kind == SERIES_STATE) {
		if (raw != floor(raw) || fabs(raw) > 4294967295.0) {
			log_debug("snmp", "%s: %s holds %.17g, not a state number", o->name,
				  oid_text, raw);
			return -EINVAL;
		}
		s.value = raw;
		s.text = snmp_profile_state_name(o, (long)raw);
	} else {
		s.value = snmp_value_apply(&o->scale, raw);
	}
	sink->sample(sink->arg, &s);
	return 0;
}
