/* Profile selection and the plan it implies (see snmp_fetch_plan.h). */
#include "snmp_fetch_plan.h"

#include "log.h"
#include "snmp_walk.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int snmp_fetch_plan_reset_skip(struct snmp_fetch *f, size_t n)
{
	if (n > f->nskip) {
		bool *q = realloc(f->skip, n * sizeof(bool));
		if (!q)
			return -ENOMEM;
		f->skip = q;
		f->nskip = n;
	}
	if (f->nskip)
		memset(f->skip, 0, f->nskip * sizeof(bool));
	return 0;
}

static bool same_oid(const struct snmp_profile_oid *a, const struct snmp_profile_oid *b)
{
	return snmp_walk_compare(a->sub, a->len, b->sub, b->len) == 0;
}

int snmp_fetch_plan_detect(struct snmp_fetch *f)
{
	/* A poll cut short may have left answers of an earlier identification. */
	f->sysobjectid_len = 0;
	if (f->det) {
		memset(f->found, 0, (f->ndet ? f->ndet : 1) * sizeof(f->found[0]));
		return 0;
	}
	const struct snmp_profile_set *set = f->cfg->set;
	size_t total = 0;
	for (size_t i = 0; i < set->n; i++)
		total += set->profiles[i].ndetect;
	f->det = calloc(total ? total : 1, sizeof(f->det[0]));
	f->found = calloc(total ? total : 1, sizeof(f->found[0]));
	if (!f->det || !f->found)
		return -ENOMEM;
	/* Profiles often share a subtree (several on UPS-MIB): ask once. */
	for (size_t i = 0; i < set->n; i++) {
		for (size_t k = 0; k < set->profiles[i].ndetect; k++) {
			const struct snmp_profile_oid *d = &set->profiles[i].detect[k];
			bool dup = false;
			for (size_t j = 0; j < f->ndet && !dup; j++)
				dup = same_oid(f->det[j], d);
			if (!dup)
				f->det[f->ndet++] = d;
		}
	}
	return 0;
}

static bool detected(const struct snmp_fetch *f, const struct snmp_profile *p)
{
	for (size_t k = 0; k < p->ndetect; k++)
		for (size_t j = 0; j < f->ndet; j++)
			if (f->found[j] && same_oid(f->det[j], &p->detect[k]))
				return true;
	return false;
}

static bool applies(const struct snmp_fetch *f, const struct snmp_profile *p, bool identified)
{
	for (size_t i = 0; i < f->cfg->nnamed; i++)
		if (f->cfg->named[i] == p)
			return true;
	if (!f->cfg->auto_select)
		return false;
	if (p->always)
		return true;
	return identified &&
	       (snmp_profile_matches_sysobjectid(p, f->sysobjectid, f->sysobjectid_len) ||
		detected(f, p));
}

void snmp_fetch_plan_free(struct snmp_fetch *f)
{
	for (size_t i = 0; f->texts && i < f->ngets; i++)
		free(f->texts[i]);
	free(f->texts);
	free(f->gets);
	free(f->tabs);
	free(f->recs);
	free(f->skip);
	f->texts = NULL;
	f->gets = NULL;
	f->tabs = NULL;
	f->recs = NULL;
	f->skip = NULL;
	f->ngets = f->ntabs = f->nrecs = f->nskip = 0;
}

static int build_plan(struct snmp_fetch *f)
{
	snmp_fetch_plan_free(f);
	size_t ngets = 0, ntabs = 0, nrecs = 0;
	for (size_t i = 0; i < f->nsel; i++) {
		ngets += f->sel[i]->nscalars;
		ntabs += f->sel[i]->ntables + f->sel[i]->ninv_tables;
		nrecs += f->sel[i]->ninventory;
	}
	f->gets = calloc(ngets ? ngets : 1, sizeof(f->gets[0]));
	f->texts = calloc(ngets ? ngets : 1, sizeof(f->texts[0]));
	f->tabs = calloc(ntabs ? ntabs : 1, sizeof(f->tabs[0]));
	f->recs = calloc(nrecs ? nrecs : 1, sizeof(f->recs[0]));
	if (!f->gets || !f->texts || !f->tabs || !f->recs)
		return -ENOMEM;
	for (size_t i = 0; i < f->nsel; i++) {
		const struct snmp_profile *p = f->sel[i];
		for (size_t k = 0; k < p->nscalars; k++)
			f->gets[f->ngets++] = (struct snmp_fetch_get){p, &p->scalars[k]};
		for (size_t k = 0; k < p->ntables; k++)
			f->tabs[f->ntabs++] = (struct snmp_fetch_table){&p->tables[k], 0};
		for (size_t k = 0; k < p->ninv_tables; k++)
			f->tabs[f->ntabs++] = (struct snmp_fetch_table){
				.t = &p->inv_tables[k].walk, .prof = p, .inv = &p->inv_tables[k]};
		for (size_t k = 0; k < p->ninventory; k++)
			f->recs[f->nrecs++] = (struct snmp_fetch_record){.prof = p, .group = k};
	}
	return 0;
}

static void log_selection(const struct snmp_fetch *f, bool identified)
{
	char names[512] = "";
	size_t used = 0;
	for (size_t i = 0; i < f->nsel && used < sizeof(names) - 64; i++) {
		int w = snprintf(names + used, sizeof(names) - used, "%s%s", i ? ", " : "",
				 f->sel[i]->name);
		if (w > 0)
			used += (size_t)w;
	}
	char id[SNMP_WALK_OID_TEXT] = "unknown";
	if (f->sysobjectid_len)
		snmp_walk_format_oid(f->sysobjectid, f->sysobjectid_len, id, sizeof(id));
	if (identified)
		log_info("snmp", "%s: sysObjectID %s; profiles: %s", f->name, id,
			 used ? names : "none");
}

/* Replaces the selection; 1 if it changed, 0 if not, -ENOMEM. */
static int select_profiles(struct snmp_fetch *f, bool identified)
{
	const struct snmp_profile_set *set = f->cfg->set;
	const struct snmp_profile **sel = calloc(set->n ? set->n : 1, sizeof(sel[0]));
	if (!sel)
		return -ENOMEM;
	size_t n = 0;
	for (size_t i = 0; i < set->n; i++)
		if (applies(f, &set->profiles[i], identified))
			sel[n++] = &set->profiles[i];
	bool changed = !f->sel || n != f->nsel || memcmp(sel, f->sel, n * sizeof(sel[0])) != 0;
	free(f->sel);
	f->sel = sel;
	f->nsel = n;
	f->selected = true;
	return changed;
}

int snmp_fetch_plan_select(struct snmp_fetch *f)
{
	int rc = select_profiles(f, false);
	if (rc < 0)
		return rc;
	f->selected_ms = f->now_ms;
	return rc > 0 || !f->gets ? build_plan(f) : 0;
}

int snmp_fetch_plan_identified(struct snmp_fetch *f)
{
	int rc = select_profiles(f, true);
	if (rc < 0)
		return rc;
	f->selected_ms = f->now_ms;
	if (rc > 0) {
		log_selection(f, true);
		rc = build_plan(f);
	} else if (!f->gets) {
		rc = build_plan(f);
	}
	if (rc < 0)
		return rc;
	f->phase = SNMP_FETCH_GET;
	f->cursor = 0;
	f->limit = (size_t)f->cfg->max_oids;
	return snmp_fetch_plan_reset_skip(f, f->ngets);
}
