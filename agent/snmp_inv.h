/* The inventory of one poll: the records of scalar fields and the records
 * of inventory tables (one per row), sent together. The collector treats an
 * Inventory message as the device's whole inventory and removes what it no
 * longer lists, so records go out only after a complete poll, all of them
 * at once: at the first poll, whenever a non-volatile field of any record
 * changed (an interface went down, a neighbour appeared), and hourly. A poll
 * that ended early sends none, so a walk cut short never deletes rows. */
#ifndef PANTAU_SNMP_INV_H
#define PANTAU_SNMP_INV_H

#include "device.h"
#include "snmp_profile_inv.h"
#include "snmp_table.h"

#include <stdbool.h>
#include <stddef.h>

struct snmp_fetch;
struct snmp_fetch_table;

typedef void (*snmp_inv_record_fn)(void *arg, const char *kind, const char *id,
				   const struct label *fields, size_t n);

/* Calls fn for each record of a finished walk of it (row order); returns
 * how many. Fields that read nothing are left out; of several fields with
 * one name the first that has a value wins; volatile fields only if
 * with_volatile. */
size_t snmp_inv_table_records(const struct snmp_profile_inv_table *it,
			      const struct snmp_table_walk *w, const char *kind,
			      bool with_volatile, snmp_inv_record_fn fn, void *arg);

/* Keeps the finished walk w of inventory table tab until the poll ends
 * (w is taken over and left empty). 0 or -ENOMEM (w is then freed). */
int snmp_inv_keep(struct snmp_fetch *f, const struct snmp_fetch_table *tab,
		  struct snmp_table_walk *w);

/* The poll read everything: sends the whole inventory if it is due (see
 * above), then drops the kept walks. */
void snmp_inv_finish(struct snmp_fetch *f);

/* The poll ended early: drops the kept walks and sends nothing. */
void snmp_inv_drop(struct snmp_fetch *f);

#endif
