/* Escalation of unacknowledged alerts (see alert_escalate.h). */
#include "alert_escalate.h"
#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Planned alerts (maintenance) are not escalated. */
static const char escalate_sql[] =
	"WITH e AS ("
	" UPDATE pantau.alerts SET escalation_level = 2, updated_at = now()"
	" WHERE state IN ('firing', 'unknown') AND acked_at IS NULL AND escalation_level < 2"
	"   AND NOT planned AND started_at <= now() - $1::bigint * interval '1 millisecond'"
	" RETURNING id, rule, device, labels, agent, severity, state, summary, value),"
	" ev AS ("
	" INSERT INTO pantau.alert_events (alert_id, ts, from_state, to_state, value, summary, "
	"cause)"
	" SELECT id, now(), state, state, value, summary,"
	"   'escalated to Tier 2: not acknowledged within ' || ($1::bigint / 1000) || ' s' FROM e)"
	"SELECT rule, device, labels, agent, severity, state, summary, COALESCE(value, 'NaN'),"
	" (extract(epoch FROM now()) * 1000)::bigint FROM e";

static enum alert_severity severity_of(const char *s)
{
	return strcmp(s, "critical") == 0  ? ALERT_CRITICAL
	       : strcmp(s, "warning") == 0 ? ALERT_WARNING
					   : ALERT_INFO;
}

int alert_escalate_due(PGconn *pg, uint64_t after_ms, alert_escalated_fn cb, void *arg)
{
	char after[24];
	snprintf(after, sizeof(after), "%llu", (unsigned long long)after_ms);
	const char *params[1] = {after};
	PGresult *res = PQexecParams(pg, escalate_sql, 1, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		log_warn("alerts", "escalation check: %s", PQresultErrorMessage(res));
		PQclear(res);
		return -EIO;
	}
	int n = PQntuples(res);
	for (int i = 0; i < n; i++) {
		struct alert_change c = {
			.rule_name = PQgetvalue(res, i, 0),
			.device = PQgetvalue(res, i, 1),
			.labels_json = PQgetvalue(res, i, 2),
			.agent = PQgetvalue(res, i, 3),
			.severity = severity_of(PQgetvalue(res, i, 4)),
			.from = alert_state_parse(PQgetvalue(res, i, 5)),
			.to = alert_state_parse(PQgetvalue(res, i, 5)),
			.summary = PQgetvalue(res, i, 6),
			.value = strtod(PQgetvalue(res, i, 7), NULL),
			.has_value = !PQgetisnull(res, i, 7),
			.ts_ms = strtoll(PQgetvalue(res, i, 8), NULL, 10),
			.notify = ALERT_NOTIFY_ESCALATE,
		};
		log_warn("alerts", "%s on %s not acknowledged: escalated to Tier 2", c.rule_name,
			 c.device);
		if (cb)
			cb(arg, &c);
	}
	PQclear(res);
	return n;
}
