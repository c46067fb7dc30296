/* Which profiles apply to a device and what a poll therefore reads: the
 * half of snmp_fetch that changes only when the selection does. Internal to
 * snmp_fetch.c. */
#ifndef PANTAU_SNMP_FETCH_PLAN_H
#define PANTAU_SNMP_FETCH_PLAN_H

#include "snmp_fetch.h"

#include <stddef.h>

/* Lists the detection subtrees of every profile (once). 0 or -ENOMEM. */
int snmp_fetch_plan_detect(struct snmp_fetch *f);

/* Selects without asking the device (named profiles, no `auto`). 0 or -ENOMEM. */
int snmp_fetch_plan_select(struct snmp_fetch *f);

/* Selects from what identification found and moves the poll to GET.
 * 0 or -ENOMEM. */
int snmp_fetch_plan_identified(struct snmp_fetch *f);

/* Clears the skip flags of n items (growing the array). 0 or -ENOMEM. */
int snmp_fetch_plan_reset_skip(struct snmp_fetch *f, size_t n);

void snmp_fetch_plan_free(struct snmp_fetch *f);

#endif
