/* A device's SNMP configuration: the `snmp:` section and the `profiles:`
 * list beside it, turned into a plain struct at parse time. */
#ifndef PANTAU_SNMP_CONF_H
#define PANTAU_SNMP_CONF_H

#include "conf.h"
#include "perr.h"
#include "snmp_profile.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/types.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum snmp_conf_version { SNMP_CONF_V1, SNMP_CONF_V2C, SNMP_CONF_V3 };

enum snmp_conf_auth {
	SNMP_CONF_AUTH_NONE,
	SNMP_CONF_AUTH_MD5,
	SNMP_CONF_AUTH_SHA,
	SNMP_CONF_AUTH_SHA224,
	SNMP_CONF_AUTH_SHA256,
	SNMP_CONF_AUTH_SHA384,
	SNMP_CONF_AUTH_SHA512,
};

enum snmp_conf_priv {
	SNMP_CONF_PRIV_NONE,
	SNMP_CONF_PRIV_DES,
	SNMP_CONF_PRIV_AES128,
	SNMP_CONF_PRIV_AES192,
	SNMP_CONF_PRIV_AES256,
	SNMP_CONF_PRIV_AES192C, /* Cisco's key extension */
	SNMP_CONF_PRIV_AES256C,
};

struct snmp_conf {
	/* As written in the `snmp:` section. */
	char *address;	     /* host, host:port, [v6] or [v6]:port */
	int version;	     /* enum snmp_conf_version */
	char *community;     /* v1 and v2c */
	uint64_t timeout_ms; /* per request, before a retry */
	int64_t retries;
	int64_t max_repetitions; /* GETBULK repetitions per column */
	bool bulk;		 /* v2c/v3: GETBULK, else GETNEXT */
	uint64_t budget_ms;	 /* whole poll; 0 = derived from timeout and retries */
	int64_t max_oids;	 /* varbinds in one GET */
	char *user;		 /* v3 USM */
	int auth;		 /* enum snmp_conf_auth */
	char *auth_pass;
	int priv; /* enum snmp_conf_priv */
	char *priv_pass;
	char *context;
	/* Derived. */
	unsigned char auth_key[USM_AUTH_KU_LEN]; /* USM Ku of auth_pass (not yet localised) */
	size_t auth_key_len;
	unsigned char priv_key[USM_PRIV_KU_LEN]; /* USM Ku of priv_pass */
	size_t priv_key_len;
	char *host; /* address without port or brackets */
	unsigned port;
	/* Profiles: `auto` selects by sysObjectID and detection at the first
	 * poll; named ones always apply. */
	struct snmp_profile_set *set; /* one reference held */
	bool auto_select;
	const struct snmp_profile **named; /* borrowed from set */
	size_t nnamed;
};

/* Parses the `snmp:` mapping (node) and the `profiles:` list of the device
 * mapping (dev_node), loading the profiles of profile_dir. Errors read
 * "[file:line] ...". On failure c holds nothing to free. */
int snmp_conf_parse(struct snmp_conf *c, const struct conf_node *node,
		    const struct conf_node *dev_node, const char *profile_dir, struct perr *err);

/* Frees what snmp_conf_parse allocated and drops the profile reference. */
void snmp_conf_free(struct snmp_conf *c);

/* The net-snmp protocol OID of an auth or priv setting (borrowed, static). */
void snmp_conf_auth_proto(int auth, const oid **proto, size_t *len);
void snmp_conf_priv_proto(int priv, const oid **proto, size_t *len);

/* Splits "host:port", "[v6]:port", "host" or "[v6]" (port 161 if absent).
 * *host is malloc'd. 0 or -EINVAL/-ENOMEM. */
int snmp_conf_split_address(const char *address, char **host, unsigned *port);

#endif
