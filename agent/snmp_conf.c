/* A device's SNMP configuration (see snmp_conf.h). */
#include "snmp_conf.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/library/keytools.h>
#include <net-snmp/library/transform_oids.h>

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const version_names[] = {"1", "2c", "3", NULL};
static const char *const auth_names[] = {"none",    "MD5",     "SHA",	  "SHA-224",
					 "SHA-256", "SHA-384", "SHA-512", NULL};
static const char *const priv_names[] = {"none",    "DES",	     "AES-128",	      "AES-192",
					 "AES-256", "AES-192-CISCO", "AES-256-CISCO", NULL};

static const struct conf_option snmp_opts[] = {
	{"address", CONF_T_STRING, offsetof(struct snmp_conf, address), true},
	{"version", CONF_T_ENUM, offsetof(struct snmp_conf, version), .dflt = "2c",
	 .names = version_names},
	{"community", CONF_T_STRING, offsetof(struct snmp_conf, community), .dflt = "public"},
	{"timeout", CONF_T_DURATION, offsetof(struct snmp_conf, timeout_ms), .dflt = "2s",
	 .min = 10, .max = 60000},
	{"retries", CONF_T_INT, offsetof(struct snmp_conf, retries), .dflt = "1", .min = 0,
	 .max = 10},
	{"max_repetitions", CONF_T_INT, offsetof(struct snmp_conf, max_repetitions), .dflt = "25",
	 .min = 1, .max = 1000},
	{"bulk", CONF_T_BOOL, offsetof(struct snmp_conf, bulk), .dflt = "true"},
	{"budget", CONF_T_DURATION, offsetof(struct snmp_conf, budget_ms), .dflt = "0s", .min = 0,
	 .max = 3600000},
	{"max_oids", CONF_T_INT, offsetof(struct snmp_conf, max_oids), .dflt = "32", .min = 1,
	 .max = 128},
	{"user", CONF_T_STRING, offsetof(struct snmp_conf, user)},
	{"auth", CONF_T_ENUM, offsetof(struct snmp_conf, auth), .dflt = "none",
	 .names = auth_names},
	{"auth_pass", CONF_T_STRING, offsetof(struct snmp_conf, auth_pass)},
	{"priv", CONF_T_ENUM, offsetof(struct snmp_conf, priv), .dflt = "none",
	 .names = priv_names},
	{"priv_pass", CONF_T_STRING, offsetof(struct snmp_conf, priv_pass)},
	{"context", CONF_T_STRING, offsetof(struct snmp_conf, context), .dflt = ""},
};

int snmp_conf_split_address(const char *address, char **host, unsigned *port)
{
	const char *h = address, *hend, *colon = NULL;
	if (*address == '[') {
		h = address + 1;
		hend = strchr(h, ']');
		if (!hend || hend == h || (hend[1] != '\0' && hend[1] != ':'))
			return -EINVAL;
		colon = hend[1] == ':' ? hend + 1 : NULL;
	} else {
		colon = strchr(address, ':');
		/* A bare IPv6 address has several colons and no port. */
		if (colon && strchr(colon + 1, ':'))
			colon = NULL;
		hend = colon ? colon : address + strlen(address);
	}
	if (hend == h)
		return -EINVAL;
	*port = 161;
	if (colon) {
		int64_t v;
		if (conf_parse_int(colon + 1, &v) < 0 || v < 1 || v > 65535 || colon[1] == '0')
			return -EINVAL;
		*port = (unsigned)v;
	}
	*host = strndup(h, (size_t)(hend - h));
	return *host ? 0 : -ENOMEM;
}

/* SNMPv3: what is set decides the security level; half a setting is an error. */
static int check_v3(struct snmp_conf *c, const struct conf_node *node, struct perr *err)
{
	if (c->version != SNMP_CONF_V3) {
		if (c->user || c->auth || c->priv || c->auth_pass || c->priv_pass)
			return conf_error(err, node,
					  "snmp: user, auth and priv are SNMPv3 settings; add "
					  "version: 3");
		return 0;
	}
	if (!c->user || !*c->user)
		return conf_error(err, node, "snmp: SNMPv3 needs a user");
	if (c->auth == SNMP_CONF_AUTH_NONE && c->auth_pass)
		return conf_error(err, node, "snmp: auth_pass is set but auth is not");
	if (c->auth != SNMP_CONF_AUTH_NONE && (!c->auth_pass || strlen(c->auth_pass) < 8))
		return conf_error(err, node,
				  "snmp: auth %s needs an auth_pass of 8 characters "
				  "or more",
				  auth_names[c->auth]);
	if (c->priv != SNMP_CONF_PRIV_NONE && c->auth == SNMP_CONF_AUTH_NONE)
		return conf_error(err, node, "snmp: priv needs auth as well (authPriv)");
	if (c->priv == SNMP_CONF_PRIV_NONE && c->priv_pass)
		return conf_error(err, node, "snmp: priv_pass is set but priv is not");
	if (c->priv != SNMP_CONF_PRIV_NONE && (!c->priv_pass || strlen(c->priv_pass) < 8))
		return conf_error(err, node,
				  "snmp: priv %s needs a priv_pass of 8 characters "
				  "or more",
				  priv_names[c->priv]);
	return 0;
}

static int set_key(const oid *auth_proto, size_t auth_len, const char *pass, u_char *key,
		   size_t *key_len)
{
	*key_len = USM_AUTH_KU_LEN;
	if (generate_Ku(auth_proto, (u_int)auth_len, (const u_char *)pass, strlen(pass), key,
			key_len) != SNMPERR_SUCCESS)
		return -EINVAL;
	return 0;
}

void snmp_conf_auth_proto(int auth, const oid **proto, size_t *len)
{
	switch (auth) {
	case SNMP_CONF_AUTH_MD5:
		*proto = usmHMACMD5AuthProtocol;
		break;
	case SNMP_CONF_AUTH_SHA:
		*proto = usmHMACSHA1AuthProtocol;
		break;
	case SNMP_CONF_AUTH_SHA224:
		*proto = usmHMAC128SHA224AuthProtocol;
		break;
	case SNMP_CONF_AUTH_SHA256:
		*proto = usmHMAC192SHA256AuthProtocol;
		break;
	case SNMP_CONF_AUTH_SHA384:
		*proto = usmHMAC256SHA384AuthProtocol;
		break;
	default:
		*proto = usmHMAC384SHA512AuthProtocol;
		break;
	}
	*len = USM_AUTH_PROTO_MD5_LEN;
}

void snmp_conf_priv_proto(int priv, const oid **proto, size_t *len)
{
	*len = USM_PRIV_PROTO_AES_LEN;
	switch (priv) {
	case SNMP_CONF_PRIV_DES:
		*proto = usmDESPrivProtocol;
		break;
	case SNMP_CONF_PRIV_AES128:
		*proto = usmAESPrivProtocol;
		break;
	case SNMP_CONF_PRIV_AES192:
		*proto = usmAES192PrivProtocol;
		*len = OID_LENGTH(usmAES192PrivProtocol);
		break;
	case SNMP_CONF_PRIV_AES256:
		*proto = usmAES256PrivProtocol;
		*len = OID_LENGTH(usmAES256PrivProtocol);
		break;
	case SNMP_CONF_PRIV_AES192C:
		*proto = usmAES192CiscoPrivProtocol;
		*len = OID_LENGTH(usmAES192CiscoPrivProtocol);
		break;
	default:
		*proto = usmAES256CiscoPrivProtocol;
		*len = OID_LENGTH(usmAES256CiscoPrivProtocol);
		break;
	}
}

/* Password to key (RFC 3414 A.2) hashes a megabyte per key: done here,
 * before the loop runs, rather than when a session opens on it. */
static int derive_keys(struct snmp_conf *c, const struct conf_node *node, struct perr *err)
{
	if (c->version != SNMP_CONF_V3 || c->auth == SNMP_CONF_AUTH_NONE)
		return 0;
	const oid *proto;
	size_t len;
	snmp_conf_auth_proto(c->auth, &proto, &len);
	if (set_key(proto, len, c->auth_pass, c->auth_key, &c->auth_key_len) < 0)
		return conf_error(err, node, "snmp: cannot derive the SNMPv3 auth key");
	/* USM derives the privacy key with the authentication hash too. */
	if (c->priv != SNMP_CONF_PRIV_NONE &&
	    set_key(proto, len, c->priv_pass, c->priv_key, &c->priv_key_len) < 0)
		return conf_error(err, node, "snmp: cannot derive the SNMPv3 priv key");
	return 0;
}

static int unknown_profile(const struct snmp_profile_set *set, const struct conf_node *at,
			   struct perr *err)
{
	char known[256] = "";
	size_t used = 0;
	for (size_t i = 0; i < set->n && used < sizeof(known) - 40; i++) {
		int w = snprintf(known + used, sizeof(known) - used, "%s%s", used ? ", " : "",
				 set->profiles[i].name);
		if (w < 0)
			break;
		used += (size_t)w;
	}
	return conf_error(err, at, "profiles: unknown SNMP profile '%s' (known: auto%s%s)",
			  at->scalar, used ? ", " : "", known);
}

static int parse_profiles(struct snmp_conf *c, const struct conf_node *list, struct perr *err)
{
	if (!list) {
		c->auto_select = true;
		return 0;
	}
	if (list->kind != CONF_SEQ || list->n == 0)
		return conf_error(err, list,
				  "profiles must be a list such as [auto] or "
				  "[system, ups-mib]");
	c->named = calloc(list->n, sizeof(c->named[0]));
	if (!c->named)
		return perr_setc(err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < list->n; i++) {
		const struct conf_node *v = list->items[i];
		if (v->kind != CONF_SCALAR)
			return conf_error(err, v, "profiles: expected a profile name");
		if (strcmp(v->scalar, "auto") == 0) {
			c->auto_select = true;
			continue;
		}
		const struct snmp_profile *p = snmp_profile_set_find(c->set, v->scalar);
		if (!p)
			return unknown_profile(c->set, v, err);
		c->named[c->nnamed++] = p;
	}
	return 0;
}

int snmp_conf_parse(struct snmp_conf *c, const struct conf_node *node,
		    const struct conf_node *dev_node, const char *profile_dir, struct perr *err)
{
	memset(c, 0, sizeof(*c));
	int rc = conf_apply(snmp_opts, CONF_COUNT(snmp_opts), node, "snmp", c, err);
	if (rc == 0)
		rc = check_v3(c, node, err);
	if (rc == 0)
		rc = derive_keys(c, node, err);
	if (rc == 0 && snmp_conf_split_address(c->address, &c->host, &c->port) < 0)
		rc = conf_error(err, conf_get(node, "address"),
				"snmp.address: '%s' is not host, host:port or [IPv6]:port",
				c->address);
	if (rc == 0)
		rc = snmp_profile_set_get(profile_dir, &c->set, err);
	if (rc == 0)
		rc = parse_profiles(c, conf_get(dev_node, "profiles"), err);
	if (rc < 0)
		snmp_conf_free(c);
	return rc;
}

void snmp_conf_free(struct snmp_conf *c)
{
	conf_release(snmp_opts, CONF_COUNT(snmp_opts), c);
	free(c->host);
	free(c->named);
	snmp_profile_set_put(c->set);
	memset(c, 0, sizeof(*c));
}
