/* OIDs as text and the rule that ends a walk (see snmp_walk.h). */
#include "snmp_walk.h"

#include <net-snmp/library/snmp.h>

#include <errno.h>
#include <stdint.h>

int snmp_walk_parse_oid(const char *text, oid *out, size_t max, size_t *len)
{
	const char *p = text;
	size_t n = 0;
	if (*p == '.')
		p++;
	for (;;) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		uint64_t v = 0;
		while (*p >= '0' && *p <= '9') {
			v = v * 10 + (uint64_t)(*p - '0');
			if (v > UINT32_MAX)
				return -EINVAL;
			p++;
		}
		if (n == max)
			return -E2BIG;
		out[n++] = (oid)v;
		if (*p == '\0')
			break;
		if (*p != '.')
			return -EINVAL;
		p++;
	}
	if (n < 2 || out[0] > 2)
		return -EINVAL;
	*len = n;
	return 0;
}

/* Writes v in decimal just before end and returns where it starts. */
static char *format_subid(unsigned long v, char *end)
{
	char *p = end;
	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return p;
}

size_t snmp_walk_format_oid(const oid *o, size_t len, char *buf, size_t size)
{
	size_t need = 0;
	for (size_t i = 0; i < len; i++) {
		char tmp[24];
		char *end = tmp + sizeof(tmp);
		char *start = format_subid((unsigned long)o[i], end);
		if (i > 0) {
			if (need + 1 < size)
				buf[need] = '.';
			need++;
		}
		for (char *c = start; c < end; c++, need++)
			if (need + 1 < size)
				buf[need] = *c;
	}
	if (size > 0)
		buf[need < size ? need : size - 1] = '\0';
	return need;
}

bool snmp_walk_has_prefix(const oid *o, size_t len, const oid *prefix, size_t plen)
{
	if (len < plen)
		return false;
	for (size_t i = 0; i < plen; i++)
		if (o[i] != prefix[i])
			return false;
	return true;
}

bool snmp_walk_in_subtree(const oid *root, size_t rootlen, const oid *o, size_t len)
{
	return len > rootlen && snmp_walk_has_prefix(o, len, root, rootlen);
}

int snmp_walk_compare(const oid *a, size_t alen, const oid *b, size_t blen)
{
	size_t n = alen < blen ? alen : blen;
	for (size_t i = 0; i < n; i++) {
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	}
	if (alen == blen)
		return 0;
	return alen < blen ? -1 : 1;
}

enum snmp_walk_verdict snmp_walk_step(const oid *root, size_t rootlen, const oid *last,
				      size_t lastlen, const oid *got, size_t gotlen,
				      unsigned char type)
{
	if (type == SNMP_ENDOFMIBVIEW || type == SNMP_NOSUCHOBJECT || type == SNMP_NOSUCHINSTANCE)
		return SNMP_WALK_END;
	if (!snmp_walk_in_subtree(root, rootlen, got, gotlen))
		return SNMP_WALK_END;
	/* An agent that answers GETNEXT with the same or an earlier OID would
	 * make a naive walker loop forever. */
	if (snmp_walk_compare(got, gotlen, last, lastlen) <= 0)
		return SNMP_WALK_LOOP;
	return SNMP_WALK_VALUE;
}
