/* pantauctl report: reading availability intervals (report_sql.c) and
 * writing signed evidence exports of SLA figures and outages (report.c). */
#ifndef PANTAU_CTL_REPORT_H
#define PANTAU_CTL_REPORT_H

#include "sla.h"

#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

/* One subject's intervals in the period, strings owned. */
struct report_subject {
	char *kind, *name, *agent;
	struct sla_interval *iv; /* causes owned (free()d with the subject) */
	size_t n, cap;
	uint32_t target_ppm; /* from report.sla_targets; 0 = the default */
	/* Maintenance occurrences of the subject (its own, its site's; report.
	 * availability_windows): down time inside one is planned. Causes owned. */
	struct sla_window *win;
	size_t nwin, wcap;
};

struct report_data {
	struct report_subject *s;
	size_t n, cap;
};

struct report_filter {
	int64_t from, to;    /* unix seconds, [from, to) */
	const char *kind;    /* "" = every kind */
	const char *subject; /* "" = every subject */
	const char *groups;  /* {"device": ["group", ...]} (JSON) or NULL: whose
			      * group windows reach member devices */
};

/* Reads report.availability, report.sla_targets and the maintenance
 * windows (report.availability_windows) with parameterized
 * queries. Open intervals end at the database's now(). Times are truncated
 * to whole seconds. 0, or -EIO with err set. */
int report_load(PGconn *pg, const struct report_filter *f, struct report_data *d, char *err,
		size_t errlen);
void report_data_free(struct report_data *d);

/* "99.741" (up to 4 decimals, 0 < pct <= 100) -> 997410. 0 or -EINVAL. */
int report_parse_pct(const char *s, uint32_t *ppm);

#endif
