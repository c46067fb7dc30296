/* SNMP device profiles: YAML files that map OIDs to metrics, inventory
 * fields and labels (the format is documented in agent/profiles/README.md).
 * Loading is kept apart from polling: profiles are read once into the plain
 * structs below, then never looked at as YAML again.
 *
 * The profiles of one directory are shared by every device that uses that
 * directory: snmp_profile_set_get() loads <dir>/snmp/\*.yaml the first time and
 * returns the same set, with one more reference, after that. The set is freed
 * when its last reference is dropped with snmp_profile_set_put() (each SNMP
 * device's free_cfg drops its own), so nothing needs freeing at exit. */
#ifndef PANTAU_SNMP_PROFILE_H
#define PANTAU_SNMP_PROFILE_H

#include "conf.h"
#include "device.h"
#include "perr.h"
#include "profile_dir.h"
#include "snmp_value.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/types.h>

#include <stdbool.h>
#include <stddef.h>

enum {
	SNMP_PROFILE_MAX_LABELS = 16, /* labels on one table metric, oid included */
	SNMP_PROFILE_MAX_STATES = 256,
};

struct snmp_rate_rule;	       /* snmp_rate.h */
struct snmp_profile_inv_table; /* snmp_profile_inv.h */

struct snmp_profile_oid {
	oid *sub; /* owned */
	size_t len;
};

enum snmp_profile_role {
	SNMP_PROFILE_METRIC, /* a number emitted as a sample */
	SNMP_PROFILE_FIELD,  /* text of an inventory record */
	SNMP_PROFILE_LABEL,  /* text of a table column that labels its row */
	SNMP_PROFILE_ATTR,   /* text of a table column that metrics of its row test */
};

struct snmp_profile_state {
	long value;
	char *name;
};

/* A test on a row: the text of the row label or attribute `attr` (an index
 * name, a label column or an attribute column) matches one of the fnmatch(3)
 * patterns. A row without that text never matches. */
struct snmp_profile_cond {
	char *attr;
	char **patterns;
	size_t npatterns;
};

/* One object read from the device: a scalar, a table column, an inventory
 * field or a label column. For a table column, oid is the column (the entry
 * OID plus the column number) and the row index follows it. */
struct snmp_profile_object {
	enum snmp_profile_role role;
	char *name;	       /* metric, field or label name */
	char *unit;	       /* metrics: "" if none */
	enum series_kind kind; /* metrics */
	struct snmp_profile_oid oid;
	struct snmp_value_scale scale;
	struct snmp_profile_state *states; /* kind state: value -> name */
	size_t nstates;
	double *invalid; /* raw values that mean "no reading" */
	size_t ninvalid;
	/* Table metrics: emit a row only if every `when` test holds and no
	 * `unless` test does. */
	struct snmp_profile_cond *when, *unless;
	size_t nwhen, nunless;
	char *digits;	    /* attribute whose number n divides the value by 10^n */
	char *divide_by;    /* attribute whose number (if not 0) divides the value */
	char *state_text;   /* kind state: attribute that names the row's state */
	bool fahrenheit;    /* the device reads in °F: convert to °C */
	struct snmp_profile_cond *fahrenheit_if; /* ... only in the rows that match */
	size_t nfahrenheit_if;
	bool is_volatile; /* fields: changes on every poll (sysUpTime) */
	size_t group;	  /* fields: index into snmp_profile.inventory */
	int line;	  /* where it is defined, for logs */
	bool hex;	  /* table fields: an OCTET STRING always as lower-case hex */
	const struct snmp_rate_rule *rate; /* counters: the rate derived from it */
};

struct snmp_profile_table {
	char *name;
	struct snmp_profile_oid entry;
	char **index; /* names of the index labels */
	size_t nindex;
	struct snmp_profile_object *columns; /* SNMP_PROFILE_METRIC */
	size_t ncolumns;
	struct snmp_profile_object *labels; /* SNMP_PROFILE_LABEL */
	size_t nlabels;
	struct snmp_profile_object *attrs; /* SNMP_PROFILE_ATTR: read, not labels */
	size_t nattrs;
};

struct snmp_profile_inventory {
	char *kind; /* "system", "ups", ... */
	char *id;   /* "" for a record of which a device has one */
};

struct snmp_profile {
	char *name;
	char *description;
	char *file;
	bool always;			      /* selected by `auto` on every device */
	struct snmp_profile_oid *sysobjectid; /* prefixes that select it */
	size_t nsysobjectid;
	struct snmp_profile_oid *detect; /* subtrees whose presence selects it */
	size_t ndetect;
	struct snmp_profile_object *scalars; /* METRIC and FIELD objects */
	size_t nscalars;
	struct snmp_profile_inventory *inventory;
	size_t ninventory;
	struct snmp_profile_table *tables;
	size_t ntables;
	struct snmp_profile_inv_table *inv_tables; /* inventory records from tables */
	size_t ninv_tables;
	struct snmp_rate_rule *rates; /* counters that also give a rate */
	size_t nrates;
};

/* Parses one profile document. 0 or -EINVAL/-ENOMEM with "[file:line] ..."
 * in err. On failure p holds nothing that needs freeing. */
int snmp_profile_parse(const struct conf_node *root, struct snmp_profile *p, struct perr *err);

/* Loads and parses one file. Free p with snmp_profile_free. */
int snmp_profile_load_file(const char *path, struct snmp_profile *p, struct perr *err);

void snmp_profile_free(struct snmp_profile *p);

/* True if one of the profile's sysObjectID prefixes matches id. */
bool snmp_profile_matches_sysobjectid(const struct snmp_profile *p, const oid *id, size_t len);

/* The state name of a raw value, NULL if the profile does not name it. */
const char *snmp_profile_state_name(const struct snmp_profile_object *o, long value);

/* True if raw is one of the object's invalid values. */
bool snmp_profile_is_invalid(const struct snmp_profile_object *o, double raw);

/* Every profile of one directory, shared and reference-counted. */
struct snmp_profile_set {
	struct profile_cached base; /* first: directory, references */
	struct snmp_profile *profiles; /* sorted by file name */
	size_t n;
};

/* Returns the set of <dir>/snmp/\*.yaml with one more reference, loading it the
 * first time. 0, or -errno with "[file:line] ..." in err (a broken profile
 * fails the whole set, so --check reports it). Loop thread or before it. */
int snmp_profile_set_get(const char *dir, struct snmp_profile_set **out, struct perr *err);

/* Drops a reference; the last one frees the set. NULL is ignored. */
void snmp_profile_set_put(struct snmp_profile_set *set);

/* The profile called name, or NULL. */
const struct snmp_profile *snmp_profile_set_find(const struct snmp_profile_set *set,
						 const char *name);

/* Shared by the profile parsers (snmp_profile_cond.c). */
/* A label, field or index name: one lower-case word (a-z, 0-9, _). */
bool snmp_profile_valid_word(const char *s);
/* A mapping of row tests, { status: ["1", "2"], unit: "*F" }, into a new
 * array *out of *count tests (free with snmp_profile_conds_free); what names
 * the key in errors. 0 or -errno with err set. */
int snmp_profile_conds_parse(const struct conf_node *n, const char *what,
			     struct snmp_profile_cond **out, size_t *count, struct perr *err);
void snmp_profile_conds_free(struct snmp_profile_cond *c, size_t n);

#endif
