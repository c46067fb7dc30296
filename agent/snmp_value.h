/* Varbind values turned into numbers and text. Pure: these functions read a
 * net-snmp variable_list and nothing else, so every SNMP type is tested
 * without an agent. */
#ifndef PANTAU_SNMP_VALUE_H
#define PANTAU_SNMP_VALUE_H

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/types.h>

#include <stddef.h>

/* Scaling from a profile: value = raw * scale / divide + offset. */
struct snmp_value_scale {
	double scale;  /* multiplier, 1 if none */
	double divide; /* divisor, 1 if none; never 0 */
	double offset;
};

/* The number a varbind holds: INTEGER (signed), Counter32, Gauge32/Unsigned32,
 * TimeTicks (raw hundredths), Counter64 (rounded to the nearest double above
 * 2^53), Opaque float/double/I64/U64, or an OCTET STRING that starts with a
 * decimal number ("70 F" -> 70, " -3.5C" -> -3.5). 0, -ENOENT if the varbind
 * is an exception (noSuchObject, noSuchInstance, endOfMibView: absent, never a
 * value), -EINVAL if it holds no number (text, OID, IpAddress, NULL, ...). */
int snmp_value_number(const netsnmp_variable_list *vb, double *out);

/* The leading decimal number of len bytes of text: optional blanks and one
 * opening quote, a sign, digits, an optional fraction and exponent. Rejects
 * "inf", "nan", hex and empty text. 0 or -EINVAL. */
int snmp_value_parse_leading(const char *text, size_t len, double *out);

/* Applies a profile's scaling to a raw number. */
double snmp_value_apply(const struct snmp_value_scale *s, double raw);

/* The varbind as text for inventory and labels, written to buf (always
 * NUL-terminated, cut at size - 1 on a character boundary): an OCTET STRING
 * that is valid UTF-8 without control characters other than tab, CR and LF
 * is copied with trailing NULs and blanks trimmed, any other OCTET STRING
 * becomes lower-case hex; numbers are decimal; an OID is dotted without a
 * leading dot; an IpAddress is a dotted quad. 0, -ENOENT for an exception,
 * -EINVAL for a type without a text form. */
int snmp_value_text(const netsnmp_variable_list *vb, char *buf, size_t size);

#endif
