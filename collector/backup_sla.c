/* Backup SLA arithmetic (see backup_sla.h). */
#include "backup_sla.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct range {
	int64_t start, end;
};

static int range_cmp(const void *a, const void *b)
{
	const struct range *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start;
}

static int64_t clamp(int64_t v, int64_t lo, int64_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* Seconds of [from, to) the merged ranges cover, and the longest gap. */
static void cover(struct range *rg, size_t n, int64_t from, int64_t to, int64_t *covered,
		  int64_t *longest_gap)
{
	qsort(rg, n, sizeof(*rg), range_cmp);
	int64_t pos = from, sum = 0, gap = 0;
	for (size_t i = 0; i < n && pos < to; i++) {
		int64_t s = clamp(rg[i].start, from, to), e = clamp(rg[i].end, from, to);
		if (e <= pos)
			continue;
		if (s > pos) {
			gap = s - pos > gap ? s - pos : gap;
			pos = s;
		}
		sum += e - pos;
		pos = e;
	}
	if (to - pos > gap)
		gap = to - pos;
	*covered = sum;
	*longest_gap = gap;
}

static bool size_outside(const struct backup_obs *o, const struct backup_job_limits *lim)
{
	if (o->kind == BACKUP_OBS_CHECK)
		return o->status == BACKUP_SLA_TOO_SMALL || o->status == BACKUP_SLA_TOO_LARGE;
	if (o->size < 0)
		return false;
	return (lim->min_size >= 0 && o->size < lim->min_size) ||
	       (lim->max_size >= 0 && o->size > lim->max_size);
}

static int int64_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

/* Size breaches: every run outside the range, and each backup (by the time
 * it was made) that checks saw outside it, once however often it was
 * checked. made holds room for n times. */
static uint64_t size_breaches(int64_t from, int64_t to, const struct backup_obs *obs, size_t n,
			      const struct backup_job_limits *lim, int64_t *made)
{
	uint64_t count = 0;
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		const struct backup_obs *o = &obs[i];
		if (o->ts < from || o->ts >= to || !size_outside(o, lim))
			continue;
		if (o->kind == BACKUP_OBS_RUN || o->made == BACKUP_SLA_NONE)
			count += o->count ? o->count : 1;
		else
			made[m++] = o->made;
	}
	qsort(made, m, sizeof(*made), int64_cmp);
	for (size_t i = 0; i < m; i++)
		count += i == 0 || made[i] != made[i - 1];
	return count;
}

static void counts(int64_t from, int64_t to, const struct backup_obs *obs, size_t n,
		   struct backup_sla *r)
{
	for (size_t i = 0; i < n; i++) {
		const struct backup_obs *o = &obs[i];
		if (o->ok && o->made != BACKUP_SLA_NONE && o->made < to &&
		    (r->last_good == BACKUP_SLA_NONE || o->made > r->last_good))
			r->last_good = o->made;
		if (o->kind == BACKUP_OBS_RUN && o->ok && o->restore_test && o->ts < to &&
		    (r->last_restore_test == BACKUP_SLA_NONE || o->ts > r->last_restore_test))
			r->last_restore_test = o->ts;
		if (o->ts < from || o->ts >= to)
			continue;
		uint64_t w = o->count ? o->count : 1;
		if (o->kind == BACKUP_OBS_RUN) {
			r->runs += w;
			r->runs_ok += o->ok ? w : 0;
		} else {
			r->checks += w;
			r->checks_ok += o->ok ? w : 0;
		}
	}
	r->success_from_runs = r->runs > 0;
	if (r->runs)
		r->success_pct = 100.0 * (double)r->runs_ok / (double)r->runs;
	else if (r->checks)
		r->success_pct = 100.0 * (double)r->checks_ok / (double)r->checks;
	else
		r->success_pct = -1;
}

int backup_sla_compute(int64_t from, int64_t to, const struct backup_obs *obs, size_t n,
		       const struct backup_job_limits *lim, struct backup_sla *r)
{
	memset(r, 0, sizeof(*r));
	if (to < from || !lim || lim->rpo <= 0 || (n && !obs) || lim->rpo > INT64_MAX / 4 ||
	    to - from > INT64_MAX / 4)
		return -EINVAL;
	size_t cap = n ? n : 1;
	struct range *rg = malloc(cap * sizeof(*rg));
	int64_t *made = malloc(cap * sizeof(*made));
	if (!rg || !made) {
		free(rg);
		free(made);
		return -ENOMEM;
	}
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		const struct backup_obs *o = &obs[i];
		/* A backup made after the period ends covers none of it; one made
		 * in the far past covers nothing either (no overflow near INT64_MIN). */
		if (!o->ok || o->made == BACKUP_SLA_NONE || o->made >= to ||
		    o->made < from - lim->rpo)
			continue;
		rg[k++] = (struct range){o->made, o->made + lim->rpo};
	}
	r->period = to - from;
	r->last_good = r->last_restore_test = BACKUP_SLA_NONE;
	cover(rg, k, from, to, &r->within_rpo, &r->longest_breach);
	r->breach = r->period - r->within_rpo;
	r->adherence_pct = r->period ? 100.0 * (double)r->within_rpo / (double)r->period : 0;
	counts(from, to, obs, n, r);
	r->size_breaches = size_breaches(from, to, obs, n, lim, made);
	free(rg);
	free(made);
	return 0;
}
