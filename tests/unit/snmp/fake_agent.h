/* An SNMP agent in the test process: answers GET, GETNEXT and GETBULK PDUs
 * from a table of objects, like snmpsim serves a recording, and can be told
 * to misbehave (SNMPv1 errors, tooBig, an OID that never increases). */
#ifndef PANTAU_TEST_FAKE_AGENT_H
#define PANTAU_TEST_FAKE_AGENT_H

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include <stdbool.h>
#include <stddef.h>

/* One object, written like a snmprec line: "1.3.6.1.2.1.1.1.0", ASN type,
 * value as text (decimal, string, or dotted OID). */
struct fake_var {
	const char *oid;
	u_char type;
	const char *value;
};

struct fake_entry {
	oid name[MAX_OID_LEN];
	size_t len;
	u_char type;
	union {
		unsigned char bytes[256];
		oid objid[32];
		long integer;
	} val;
	size_t vlen;
};

struct fake_agent {
	struct fake_entry *vars; /* sorted by OID */
	size_t n;
	bool v1;		   /* errors as SNMPv1 does: noSuchName */
	size_t max_varbinds;	   /* 0, or tooBig (GET/GETNEXT) / truncation (GETBULK) above it */
	size_t bulk_max_columns;   /* 0, or genErr for a GETBULK of more varbinds */
	oid lie_root[MAX_OID_LEN]; /* GETNEXT inside this subtree repeats its first object */
	size_t lie_len;
	unsigned requests, gets, getnexts, getbulks;
	long last_repetitions;
	size_t last_varbinds; /* varbinds in the last request */
};

/* Copies and sorts vars. Fails the test on a bad entry. */
void fake_agent_init(struct fake_agent *a, const struct fake_var *vars, size_t n);
void fake_agent_free(struct fake_agent *a);

/* The response to req (free with snmp_free_pdu). */
netsnmp_pdu *fake_agent_answer(struct fake_agent *a, const netsnmp_pdu *req);

#endif
