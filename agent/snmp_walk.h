/* OIDs as text and the rule that ends a walk. Pure functions: no I/O, no
 * net-snmp session, so the walker's termination logic is unit-tested on its
 * own. A walk must end on a lying agent too, so every step is checked. */
#ifndef PANTAU_SNMP_WALK_H
#define PANTAU_SNMP_WALK_H

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/types.h>

#include <stdbool.h>
#include <stddef.h>

/* Longest OID text: 128 sub-identifiers of up to 10 digits plus dots. */
enum { SNMP_WALK_OID_TEXT = 128 * 11 + 1 };

/* Parses a numeric OID ("1.3.6.1.2.1.1.1.0", a leading dot allowed) into
 * out[0..max). 0, -EINVAL if it is not a numeric OID of at least two
 * sub-identifiers each below 2^32, or -E2BIG if longer than max. */
int snmp_walk_parse_oid(const char *text, oid *out, size_t max, size_t *len);

/* Writes the OID as dotted text without a leading dot into buf (always
 * NUL-terminated when size > 0). Returns the length it needed, like
 * snprintf: a result >= size means the text was cut short. */
size_t snmp_walk_format_oid(const oid *o, size_t len, char *buf, size_t size);

/* True if o lies strictly inside the subtree root (root is a proper prefix). */
bool snmp_walk_in_subtree(const oid *root, size_t rootlen, const oid *o, size_t len);

/* True if o starts with prefix (o may equal prefix). */
bool snmp_walk_has_prefix(const oid *o, size_t len, const oid *prefix, size_t plen);

/* -1, 0 or 1 as a sorts before, equal to, or after b (lexicographic). */
int snmp_walk_compare(const oid *a, size_t alen, const oid *b, size_t blen);

enum snmp_walk_verdict {
	SNMP_WALK_VALUE, /* a new object of the column: use it and go on */
	SNMP_WALK_END,	 /* left the subtree, endOfMibView or an exception */
	SNMP_WALK_LOOP,	 /* the agent went backwards or repeated itself */
};

/* Judges one varbind of a GETNEXT/GETBULK walk of root. last is the previous
 * OID of this walk (root itself before the first step); got and type are what
 * the agent returned. */
enum snmp_walk_verdict snmp_walk_step(const oid *root, size_t rootlen, const oid *last,
				      size_t lastlen, const oid *got, size_t gotlen,
				      unsigned char type);

#endif
