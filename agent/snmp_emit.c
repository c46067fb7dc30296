/* Turning raw readings into samples (see snmp_emit.h). */
#include "snmp_emit.h"

#include "log.h"

#include <errno.h>
#include <fnmatch.h>
#include <math.h>
#include <string.h>

enum { DIGITS_MAX = 15 }; /* 10^15 is still exact in a double */

static const char *row_text(const char *name, const struct label *labels, size_t nlabels,
			    const struct label *attrs, size_t nattrs)
{
	for (size_t i = 0; i < nlabels; i++)
		if (strcmp(labels[i].key, name) == 0)
			return labels[i].value;
	for (size_t i = 0; i < nattrs; i++)
		if (strcmp(attrs[i].key, name) == 0)
			return attrs[i].value;
	return NULL;
}

bool snmp_emit_cond_holds(const struct snmp_profile_cond *c, const struct label *labels,
			  size_t nlabels, const struct label *attrs, size_t nattrs)
{
	const char *text = row_text(c->attr, labels, nlabels, attrs, nattrs);
	if (!text)
		return false;
	for (size_t i = 0; i < c->npatterns; i++)
		if (fnmatch(c->patterns[i], text, 0) == 0)
			return true;
	return false;
}

static bool all_hold(const struct snmp_profile_cond *c, size_t n, const struct label *labels,
		     size_t nlabels, const struct label *attrs, size_t nattrs)
{
	for (size_t i = 0; i < n; i++)
		if (!snmp_emit_cond_holds(&c[i], labels, nlabels, attrs, nattrs))
			return false;
	return true;
}

static bool any_holds(const struct snmp_profile_cond *c, size_t n, const struct label *labels,
		      size_t nlabels, const struct label *attrs, size_t nattrs)
{
	for (size_t i = 0; i < n; i++)
		if (snmp_emit_cond_holds(&c[i], labels, nlabels, attrs, nattrs))
			return true;
	return false;
}

static double fahrenheit_to_celsius(double f)
{
	return (f - 32.0) * 5.0 / 9.0;
}

/* The value in the profile's units: scaling, then the row's decimal digits,
 * then °F -> °C. -ERANGE if the digits attribute is not a sane number. */
static int row_value(const struct snmp_profile_object *o, double raw, const struct label *labels,
		     size_t nlabels, const struct label *attrs, size_t nattrs, double *out)
{
	double v = snmp_value_apply(&o->scale, raw);
	if (o->digits) {
		const char *t = row_text(o->digits, labels, nlabels, attrs, nattrs);
		double d;
		/* A row without digits is read as it is (0 digits). */
		if (t && *t) {
			if (snmp_value_parse_leading(t, strlen(t), &d) < 0 || d != floor(d) ||
			    d < 0 || d > DIGITS_MAX)
				return -ERANGE;
			v /= pow(10.0, d);
		}
	}
	if (o->divide_by) {
		const char *t = row_text(o->divide_by, labels, nlabels, attrs, nattrs);
		double d;
		/* A row without a divisor, or with 0, is read as it is. */
		if (t && *t) {
			if (snmp_value_parse_leading(t, strlen(t), &d) < 0)
				return -ERANGE;
			if (d != 0)
				v /= d;
		}
	}
	if (o->fahrenheit ||
	    any_holds(o->fahrenheit_if, o->nfahrenheit_if, labels, nlabels, attrs, nattrs))
		v = fahrenheit_to_celsius(v);
	*out = v;
	return 0;
}

int snmp_emit_row_sample(const struct snmp_sink *sink, const struct snmp_profile_object *o,
			 double raw, const char *oid_text, const struct label *extra,
			 size_t nextra, const struct label *attrs, size_t nattrs)
{
	if (!all_hold(o->when, o->nwhen, extra, nextra, attrs, nattrs) ||
	    any_holds(o->unless, o->nunless, extra, nextra, attrs, nattrs))
		return -ENOENT;
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
		.ts_ms = sink->ts_ms,
	};
	if (o->kind == SERIES_STATE) {
		if (raw != floor(raw) || fabs(raw) > 4294967295.0) {
			log_debug("snmp", "%s: %s holds %.17g, not a state number", o->name,
				  oid_text, raw);
			return -EINVAL;
		}
		s.value = raw;
		s.text = snmp_profile_state_name(o, (long)raw);
		if (!s.text && o->state_text)
			s.text = row_text(o->state_text, extra, nextra, attrs, nattrs);
	} else if (row_value(o, raw, extra, nextra, attrs, nattrs, &s.value) < 0) {
		log_debug("snmp", "%s: %s: the row's digits or divisor is not a number", o->name,
			  oid_text);
		return -ERANGE;
	}
	sink->sample(sink->arg, &s);
	return 0;
}

int snmp_emit_sample(const struct snmp_sink *sink, const struct snmp_profile_object *o, double raw,
		     const char *oid_text, const struct label *extra, size_t nextra)
{
	return snmp_emit_row_sample(sink, o, raw, oid_text, extra, nextra, NULL, 0);
}
