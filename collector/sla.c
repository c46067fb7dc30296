/* SLA arithmetic (see sla.h): a sweep over interval boundaries. Each
 * interval clipped to the period becomes two events; between consecutive
 * event times the covering counts decide the state of every second. */
#include "sla.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

enum cover { C_UP, C_UNKNOWN, C_DOWN, C_DOWN_PLANNED, C_WINDOW, C_KINDS };

struct event {
	int64_t t;
	int delta; /* +1 entering, -1 leaving */
	enum cover kind;
};

static const char *const state_names[] = {"unknown", "up", "down"};

const char *sla_state_name(enum sla_state s)
{
	return (unsigned)s < 3 ? state_names[s] : "unknown";
}

int sla_state_parse(const char *name, enum sla_state *out)
{
	for (unsigned i = 0; i < 3; i++)
		if (name && strcmp(name, state_names[i]) == 0) {
			*out = (enum sla_state)i;
			return 0;
		}
	return -EINVAL;
}

static int cmp_event(const void *a, const void *b)
{
	const struct event *x = a, *y = b;
	return (x->t > y->t) - (x->t < y->t);
}

static enum cover cover_of(const struct sla_interval *iv)
{
	if (iv->state == SLA_DOWN)
		return iv->planned ? C_DOWN_PLANNED : C_DOWN;
	return iv->state == SLA_UP ? C_UP : C_UNKNOWN;
}

/* Adds the two events of [start, end) clipped to [from, to), if any. */
static void add_events(struct event *ev, size_t *n, int64_t start, int64_t end, int64_t from,
		       int64_t to, enum cover kind)
{
	if (start < from)
		start = from;
	if (end > to)
		end = to;
	if (end <= start)
		return;
	ev[(*n)++] = (struct event){start, +1, kind};
	ev[(*n)++] = (struct event){end, -1, kind};
}

static struct sla_segment resolve(const long count[C_KINDS])
{
	struct sla_segment s = {0};
	if (count[C_DOWN_PLANNED] > 0 || (count[C_DOWN] > 0 && count[C_WINDOW] > 0)) {
		s.state = SLA_DOWN;
		s.planned = true;
	} else if (count[C_DOWN] > 0) {
		s.state = SLA_DOWN;
	} else if (count[C_UP] > 0 && count[C_UNKNOWN] == 0) {
		s.state = SLA_UP;
	} else {
		s.state = SLA_UNKNOWN; /* an unknown report, or a gap */
	}
	return s;
}

/* Appends [start, end) with state s, merging with an equal neighbour. */
static void push_segment(struct sla_segment *seg, size_t *n, int64_t start, int64_t end,
			 struct sla_segment s)
{
	if (end <= start)
		return;
	if (*n > 0) {
		struct sla_segment *last = &seg[*n - 1];
		if (last->end == start && last->state == s.state && last->planned == s.planned) {
			last->end = end;
			return;
		}
	}
	s.start = start;
	s.end = end;
	seg[(*n)++] = s;
}

int sla_timeline(int64_t from, int64_t to, const struct sla_interval *iv, size_t n,
		 const struct sla_window *win, size_t nwin, struct sla_segment **out, size_t *nout)
{
	*out = NULL;
	*nout = 0;
	if (to < from || n > SIZE_MAX / 4 || nwin > SIZE_MAX / 4 - n)
		return -EINVAL;
	size_t cap = 2 * (n + nwin);
	struct event *ev = malloc((cap ? cap : 1) * sizeof(*ev));
	/* Each event time starts at most one segment, plus the first one. */
	struct sla_segment *seg = malloc((cap + 1) * sizeof(*seg));
	if (!ev || !seg) {
		free(ev);
		free(seg);
		return -ENOMEM;
	}
	size_t nev = 0, nseg = 0;
	for (size_t i = 0; i < n; i++)
		add_events(ev, &nev, iv[i].start, iv[i].end, from, to, cover_of(&iv[i]));
	for (size_t i = 0; i < nwin; i++)
		add_events(ev, &nev, win[i].start, win[i].end, from, to, C_WINDOW);
	qsort(ev, nev, sizeof(*ev), cmp_event);
	long count[C_KINDS] = {0};
	int64_t pos = from;
	for (size_t i = 0; i < nev;) {
		int64_t t = ev[i].t;
		push_segment(seg, &nseg, pos, t, resolve(count));
		for (; i < nev && ev[i].t == t; i++)
			count[ev[i].kind] += ev[i].delta;
		pos = t;
	}
	push_segment(seg, &nseg, pos, to, resolve(count));
	free(ev);
	*out = seg;
	*nout = nseg;
	return 0;
}

struct down_ref {
	int64_t start, end;
	const char *cause;
};

static int cmp_down(const void *a, const void *b)
{
	const struct down_ref *x = a, *y = b;
	return (x->start > y->start) - (x->start < y->start);
}

/* The down intervals with a cause, clipped, sorted by start; maxend[i] is
 * the largest end among the first i+1, so a scan for intervals overlapping
 * a later outage can start where maxend passes the outage's start. */
static int collect_causes(int64_t from, int64_t to, const struct sla_interval *iv, size_t n,
			  struct down_ref **out, int64_t **maxend, size_t *nout)
{
	size_t k = 0;
	struct down_ref *d = malloc((n ? n : 1) * sizeof(*d));
	int64_t *m = malloc((n ? n : 1) * sizeof(*m));
	if (!d || !m) {
		free(d);
		free(m);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		int64_t s = iv[i].start < from ? from : iv[i].start;
		int64_t e = iv[i].end > to ? to : iv[i].end;
		if (iv[i].state == SLA_DOWN && e > s && iv[i].cause && iv[i].cause[0])
			d[k++] = (struct down_ref){s, e, iv[i].cause};
	}
	qsort(d, k, sizeof(*d), cmp_down);
	for (size_t i = 0; i < k; i++)
		m[i] = i == 0 || d[i].end > m[i - 1] ? d[i].end : m[i - 1];
	*out = d;
	*maxend = m;
	*nout = k;
	return 0;
}

static const char *window_cause(const struct sla_outage *o, const struct sla_window *win,
				size_t nwin)
{
	for (size_t i = 0; i < nwin; i++)
		if (win[i].start < o->end && win[i].end > o->start && win[i].cause &&
		    win[i].cause[0])
			return win[i].cause;
	return NULL;
}

/* Outages are the down segments (already merged); each gets a cause. */
static int build_outages(int64_t from, int64_t to, const struct sla_interval *iv, size_t n,
			 const struct sla_window *win, size_t nwin, const struct sla_segment *seg,
			 size_t nseg, struct sla_result *r)
{
	size_t count = 0;
	for (size_t i = 0; i < nseg; i++)
		count += seg[i].state == SLA_DOWN;
	if (count == 0)
		return 0;
	struct down_ref *d;
	int64_t *maxend;
	size_t nd;
	r->outages = calloc(count, sizeof(*r->outages));
	if (!r->outages || collect_causes(from, to, iv, n, &d, &maxend, &nd) < 0) {
		free(r->outages);
		r->outages = NULL;
		return -ENOMEM;
	}
	size_t lo = 0;
	for (size_t i = 0; i < nseg; i++) {
		if (seg[i].state != SLA_DOWN)
			continue;
		struct sla_outage *o = &r->outages[r->noutages++];
		*o = (struct sla_outage){seg[i].start, seg[i].end, seg[i].planned, NULL};
		while (lo < nd && maxend[lo] <= o->start)
			lo++;
		for (size_t j = lo; j < nd && d[j].start < o->end && !o->cause; j++)
			if (d[j].end > o->start)
				o->cause = d[j].cause;
		if (!o->cause && o->planned)
			o->cause = window_cause(o, win, nwin);
	}
	free(d);
	free(maxend);
	return 0;
}

static void tally(struct sla_result *r, const struct sla_segment *seg, size_t nseg)
{
	for (size_t i = 0; i < nseg; i++) {
		int64_t len = seg[i].end - seg[i].start;
		if (seg[i].state == SLA_UP)
			r->up += len;
		else if (seg[i].state == SLA_UNKNOWN)
			r->unknown += len;
		else if (seg[i].planned)
			r->down_planned += len;
		else
			r->down_unplanned += len;
	}
	if (r->period > 0)
		r->availability = 100.0 * (double)r->up / (double)r->period;
	int64_t rest = r->period - r->down_planned;
	if (rest > 0)
		r->availability_excl_planned = 100.0 * (double)r->up / (double)rest;
	/* Integers only; sla_compute caps the period at SLA_MAX_PERIOD so the
	 * products stay below 2^63. */
	r->target_met = (uint64_t)r->up * 1000000u >= (uint64_t)r->target_ppm * (uint64_t)r->period;
	int64_t allowed = (int64_t)((uint64_t)r->period * (1000000u - r->target_ppm) / 1000000u);
	r->budget_left = allowed - (r->period - r->up);
}

int sla_compute(int64_t from, int64_t to, const struct sla_interval *iv, size_t n,
		const struct sla_window *win, size_t nwin, uint32_t target_ppm,
		struct sla_result *r)
{
	memset(r, 0, sizeof(*r));
	if (target_ppm > 1000000u || to < from || to - from > SLA_MAX_PERIOD)
		return -EINVAL;
	struct sla_segment *seg;
	size_t nseg;
	int rc = sla_timeline(from, to, iv, n, win, nwin, &seg, &nseg);
	if (rc < 0)
		return rc;
	r->period = to - from;
	r->target_ppm = target_ppm ? target_ppm : SLA_TARGET_TIER2_PPM;
	tally(r, seg, nseg);
	rc = build_outages(from, to, iv, n, win, nwin, seg, nseg, r);
	free(seg);
	if (rc < 0)
		memset(r, 0, sizeof(*r));
	return rc;
}

void sla_result_free(struct sla_result *r)
{
	if (!r)
		return;
	free(r->outages);
	r->outages = NULL;
	r->noutages = 0;
}

/* Level events of one member's timeline: up and unknown segments count. */
static void member_events(const struct sla_segment *seg, size_t nseg, struct event *ev, size_t *nev)
{
	for (size_t i = 0; i < nseg; i++) {
		if (seg[i].state == SLA_DOWN)
			continue;
		enum cover k = seg[i].state == SLA_UP ? C_UP : C_UNKNOWN;
		ev[(*nev)++] = (struct event){seg[i].start, +1, k};
		ev[(*nev)++] = (struct event){seg[i].end, -1, k};
	}
}

static int64_t *level_bucket(struct sla_redundancy *r, long up, long unknown, unsigned required)
{
	long lo = up, hi = up + unknown, n = (long)required;
	int a = lo > n ? 2 : lo == n ? 1 : 0;
	int b = hi > n ? 2 : hi == n ? 1 : 0;
	if (a != b)
		return &r->unknown;
	return a == 2 ? &r->above : a == 1 ? &r->at_n : &r->below;
}

/* Builds every member's events into one array (*ev, malloc'ed). */
static int group_events(int64_t from, int64_t to, const struct sla_member *m, size_t nmembers,
			struct event **out, size_t *nout)
{
	size_t cap = 0, nev = 0;
	struct event *ev = NULL;
	for (size_t i = 0; i < nmembers; i++) {
		struct sla_segment *seg;
		size_t nseg;
		int rc = sla_timeline(from, to, m[i].iv, m[i].n, NULL, 0, &seg, &nseg);
		if (rc == 0 && nev + 2 * nseg > cap) {
			size_t want = (nev + 2 * nseg) * 2;
			struct event *p = realloc(ev, want * sizeof(*ev));
			rc = p ? 0 : -ENOMEM;
			if (p) {
				ev = p;
				cap = want;
			}
		}
		if (rc == 0)
			member_events(seg, nseg, ev, &nev);
		free(seg);
		if (rc < 0) {
			free(ev);
			return rc;
		}
	}
	*out = ev;
	*nout = nev;
	return 0;
}

int sla_redundancy(int64_t from, int64_t to, const struct sla_member *m, size_t nmembers,
		   unsigned required, struct sla_redundancy *r)
{
	memset(r, 0, sizeof(*r));
	if (to < from || required == 0)
		return -EINVAL;
	struct event *ev;
	size_t nev;
	int rc = group_events(from, to, m, nmembers, &ev, &nev);
	if (rc < 0)
		return rc;
	if (nev)
		qsort(ev, nev, sizeof(*ev), cmp_event);
	r->period = to - from;
	long count[C_KINDS] = {0};
	int64_t pos = from;
	for (size_t i = 0; i < nev;) {
		int64_t t = ev[i].t;
		*level_bucket(r, count[C_UP], count[C_UNKNOWN], required) += t - pos;
		for (; i < nev && ev[i].t == t; i++)
			count[ev[i].kind] += ev[i].delta;
		pos = t;
	}
	*level_bucket(r, count[C_UP], count[C_UNKNOWN], required) += to - pos;
	free(ev);
	return 0;
}
