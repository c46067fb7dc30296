/* Inventory records read from a table (entities, interfaces, LLDP
 * neighbours, SSIDs): one record per row, its id the row index, its fields
 * from columns of that row, from parts of the index, or from related tables.
 * The profile format is in agent/profiles/README.md ("Inventory from
 * tables"). Parsing is here; building the records of a poll is snmp_inv.c. */
#ifndef PANTAU_SNMP_PROFILE_INV_H
#define PANTAU_SNMP_PROFILE_INV_H

#include "conf.h"
#include "perr.h"
#include "snmp_profile.h"

#include <stdbool.h>
#include <stddef.h>

enum { SNMP_PROFILE_INV_MAX_FIELDS = 64 };

enum snmp_profile_inv_source {
	SNMP_INV_COLUMN, /* the column at the record's row index */
	SNMP_INV_INDEX,	 /* one sub-identifier of the row index (`index: N`) */
	SNMP_INV_LOOKUP, /* a column of another table, at index part N (`lookup: N`) */
	SNMP_INV_PREFIX, /* the first row of a column whose index extends the record's */
};

struct snmp_profile_inv_name {
	char *value, *name;
};

struct snmp_profile_inv_field {
	char *name;
	enum snmp_profile_inv_source source;
	unsigned part;	   /* INDEX, LOOKUP: 1-based part of the row index */
	bool tail_address; /* PREFIX: the value is the rest of that row's index,
			    * read as an InetAddressType, length, octets */
	size_t col;	   /* COLUMN, LOOKUP, PREFIX: which of walk.labels */
	struct snmp_value_scale scale;
	bool scaled; /* scale or divide given: the text is a number to scale */
	struct snmp_profile_state *states;
	size_t nstates;
	/* `names`: a value read as text (an OID value such as a vendor's type
	 * identifier) -> the name shown instead; other values stay as read. */
	struct snmp_profile_inv_name *names;
	size_t nnames;
	double *invalid;
	size_t ninvalid;
	bool is_volatile;
};

struct snmp_profile_inv_table {
	size_t group; /* the record's kind: snmp_profile.inventory[group] */
	/* What is walked: the entry OID and one column (role FIELD, in
	 * walk.labels) per field that reads a column. */
	struct snmp_profile_table walk;
	struct snmp_profile_inv_field *fields;
	size_t nfields;
};

/* True if the inventory record node has a `table` key. */
bool snmp_profile_inv_is_table(const struct conf_node *record);

/* Parses the table record n (inventory[group]) into p->inventory[group]
 * and a new p->inv_tables entry. 0 or -EINVAL/-ENOMEM with "[file:line] ...". */
int snmp_profile_inv_parse(const struct conf_node *n, size_t group, struct snmp_profile *p,
			   struct perr *err);

/* Frees p->inv_tables. */
void snmp_profile_inv_free(struct snmp_profile *p);

#endif
