/* Varbind values turned into numbers and text (see snmp_value.h). */
#include "snmp_value.h"

#include "snmp_walk.h"

#include <net-snmp/library/asn1.h>
#include <net-snmp/library/snmp.h>
#include <net-snmp/library/snmp_impl.h>

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { NUMBER_TEXT_MAX = 64 };

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Length of the decimal number at the start of s[0..len), 0 if none. */
static size_t number_span(const char *s, size_t len)
{
	size_t i = 0, digits = 0;
	if (i < len && (s[i] == '+' || s[i] == '-'))
		i++;
	while (i < len && is_digit(s[i]))
		i++, digits++;
	if (i < len && s[i] == '.') {
		size_t j = i + 1, frac = 0;
		while (j < len && is_digit(s[j]))
			j++, frac++;
		if (frac > 0 || digits > 0) {
			digits += frac;
			i = j;
		}
	}
	if (digits == 0)
		return 0;
	/* An exponent counts only with digits after it: "5 e" is 5. */
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		size_t j = i + 1;
		if (j < len && (s[j] == '+' || s[j] == '-'))
			j++;
		if (j < len && is_digit(s[j])) {
			while (j < len && is_digit(s[j]))
				j++;
			i = j;
		}
	}
	return i;
}

int snmp_value_parse_leading(const char *text, size_t len, double *out)
{
	size_t i = 0;
	while (i < len && (text[i] == ' ' || text[i] == '\t'))
		i++;
	if (i < len && text[i] == '"')
		i++;
	size_t n = number_span(text + i, len - i);
	if (n == 0 || n >= NUMBER_TEXT_MAX)
		return -EINVAL;
	char tmp[NUMBER_TEXT_MAX];
	memcpy(tmp, text + i, n);
	tmp[n] = '\0';
	errno = 0;
	double v = strtod(tmp, NULL);
	if (errno == ERANGE || !isfinite(v))
		return -EINVAL;
	*out = v;
	return 0;
}

static uint32_t unsigned32(const netsnmp_variable_list *vb)
{
	return (uint32_t)(unsigned long)*vb->val.integer;
}

static uint64_t counter64(const netsnmp_variable_list *vb)
{
	const struct counter64 *c = vb->val.counter64;
	return (uint64_t)(c->high & 0xffffffffUL) << 32 | (uint64_t)(c->low & 0xffffffffUL);
}

static int opaque_number(const netsnmp_variable_list *vb, double *out)
{
	switch (vb->type) {
#ifdef NETSNMP_WITH_OPAQUE_SPECIAL_TYPES
	case ASN_OPAQUE_FLOAT:
		if (vb->val_len < sizeof(float))
			return -EINVAL;
		*out = *vb->val.floatVal;
		return isfinite(*out) ? 0 : -EINVAL;
	case ASN_OPAQUE_DOUBLE:
		if (vb->val_len < sizeof(double))
			return -EINVAL;
		*out = *vb->val.doubleVal;
		return isfinite(*out) ? 0 : -EINVAL;
	case ASN_OPAQUE_U64:
		if (vb->val_len < sizeof(struct counter64))
			return -EINVAL;
		*out = (double)counter64(vb);
		return 0;
	case ASN_OPAQUE_I64:
		if (vb->val_len < sizeof(struct counter64))
			return -EINVAL;
		*out = (double)(int64_t)counter64(vb);
		return 0;
#endif
	default:
		return -EINVAL;
	}
}

int snmp_value_number(const netsnmp_variable_list *vb, double *out)
{
	switch (vb->type) {
	case SNMP_NOSUCHOBJECT:
	case SNMP_NOSUCHINSTANCE:
	case SNMP_ENDOFMIBVIEW:
		return -ENOENT;
	case ASN_INTEGER:
		if (!vb->val.integer || vb->val_len < sizeof(long))
			return -EINVAL;
		*out = (double)*vb->val.integer;
		return 0;
	case ASN_COUNTER:
	case ASN_GAUGE:
	case ASN_TIMETICKS:
	case ASN_UINTEGER:
		if (!vb->val.integer || vb->val_len < sizeof(long))
			return -EINVAL;
		*out = (double)unsigned32(vb);
		return 0;
	case ASN_COUNTER64:
		if (!vb->val.counter64 || vb->val_len < sizeof(struct counter64))
			return -EINVAL;
		*out = (double)counter64(vb);
		return 0;
	case ASN_OCTET_STR:
		if (!vb->val.string && vb->val_len > 0)
			return -EINVAL;
		return snmp_value_parse_leading((const char *)vb->val.string, vb->val_len, out);
	default:
		return vb->val.string ? opaque_number(vb, out) : -EINVAL;
	}
}

double snmp_value_apply(const struct snmp_value_scale *s, double raw)
{
	/* Multiplying by 1 and dividing by 10 keeps 2307 -> 230.7 exact to
	 * the last bit, which "raw * 0.1" would not. */
	return raw * s->scale / s->divide + s->offset;
}

/* Bytes in the UTF-8 sequence that starts at p (at most n), 0 if invalid. */
static size_t utf8_seq(const unsigned char *p, size_t n)
{
	size_t len;
	uint32_t cp;
	if (p[0] < 0x80)
		return 1;
	if ((p[0] & 0xe0) == 0xc0)
		len = 2, cp = p[0] & 0x1fu;
	else if ((p[0] & 0xf0) == 0xe0)
		len = 3, cp = p[0] & 0x0fu;
	else if ((p[0] & 0xf8) == 0xf0)
		len = 4, cp = p[0] & 0x07u;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3fu);
	}
	static const uint32_t min_cp[] = {0, 0, 0x80, 0x800, 0x10000};
	if (cp < min_cp[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

static bool is_text(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n;) {
		if (p[i] < 0x20 && p[i] != '\t' && p[i] != '\r' && p[i] != '\n')
			return false;
		if (p[i] == 0x7f)
			return false;
		size_t k = utf8_seq(p + i, n - i);
		if (k == 0)
			return false;
		i += k;
	}
	return true;
}

static void copy_text(const unsigned char *p, size_t n, char *buf, size_t size)
{
	/* Cut on a character boundary so the result stays valid UTF-8. */
	size_t used = 0;
	for (size_t i = 0; i < n;) {
		size_t k = utf8_seq(p + i, n - i);
		if (used + k >= size)
			break;
		memcpy(buf + used, p + i, k);
		used += k;
		i += k;
	}
	buf[used] = '\0';
}

static void octets_text(const unsigned char *p, size_t n, char *buf, size_t size)
{
	size_t t = n;
	while (t > 0 && (p[t - 1] == '\0' || p[t - 1] == ' '))
		t--;
	if (is_text(p, t)) {
		copy_text(p, t, buf, size);
		return;
	}
	/* Binary (a MAC address, a serial in raw bytes): every byte counts,
	 * trailing zeros included. */
	static const char hex[] = "0123456789abcdef";
	size_t used = 0;
	for (size_t i = 0; i < n && used + 2 < size; i++) {
		buf[used++] = hex[p[i] >> 4];
		buf[used++] = hex[p[i] & 15];
	}
	buf[used] = '\0';
}

int snmp_value_text(const netsnmp_variable_list *vb, char *buf, size_t size)
{
	if (size == 0)
		return -EINVAL;
	buf[0] = '\0';
	double v;
	switch (vb->type) {
	case ASN_OCTET_STR:
		if (!vb->val.string && vb->val_len > 0)
			return -EINVAL;
		octets_text(vb->val.string, vb->val_len, buf, size);
		return 0;
	case ASN_OBJECT_ID:
		if (!vb->val.objid)
			return -EINVAL;
		snmp_walk_format_oid(vb->val.objid, vb->val_len / sizeof(oid), buf, size);
		return 0;
	case ASN_IPADDRESS:
		if (!vb->val.string || vb->val_len != 4)
			return -EINVAL;
		snprintf(buf, size, "%u.%u.%u.%u", vb->val.string[0], vb->val.string[1],
			 vb->val.string[2], vb->val.string[3]);
		return 0;
	case ASN_INTEGER:
		if (!vb->val.integer)
			return -EINVAL;
		snprintf(buf, size, "%ld", *vb->val.integer);
		return 0;
	case ASN_COUNTER64:
		if (!vb->val.counter64)
			return -EINVAL;
		snprintf(buf, size, "%llu", (unsigned long long)counter64(vb));
		return 0;
	default: {
		int rc = snmp_value_number(vb, &v);
		if (rc < 0)
			return rc;
		snprintf(buf, size, "%.15g", v);
		return 0;
	}
	}
}
