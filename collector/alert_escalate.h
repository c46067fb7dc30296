/* Escalation (PK 43): an alert still firing (or unknown) and not
 * acknowledged escalate_after after it started moves from the agency's
 * Service Desk Tier 1 to the ICT agency's Tier 2: escalation_level 2 in
 * pantau.alerts, an event in its history, and one notification to the
 * Tier 2 webhooks. Decided in the database (acknowledgements are made
 * there by pantauctl), so it survives restarts and never repeats. */
#ifndef PANTAU_COLLECTOR_ALERT_ESCALATE_H
#define PANTAU_COLLECTOR_ALERT_ESCALATE_H

#include "alert_eval.h"

#include <libpq-fe.h>
#include <stdint.h>

/* Called for each alert escalated (change borrowed for the call). */
typedef void (*alert_escalated_fn)(void *arg, const struct alert_change *c);

/* Escalates what is due, in one transaction. Returns how many, or -EIO
 * (the caller reconnects and tries again later). Blocking: writer thread. */
int alert_escalate_due(PGconn *pg, uint64_t after_ms, alert_escalated_fn cb, void *arg);

#endif
