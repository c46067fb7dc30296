/* Pure read planning for Modbus; the rule is described in modbus_plan.h. */
#include "modbus_plan.h"

#include <errno.h>
#include <stdlib.h>

struct sorted {
	enum modbus_table table;
	uint32_t address;
	uint32_t width;
	size_t index;
};

static int cmp_sorted(const void *a, const void *b)
{
	const struct sorted *x = a, *y = b;
	if (x->table != y->table)
		return x->table < y->table ? -1 : 1;
	if (x->address != y->address)
		return x->address < y->address ? -1 : 1;
	if (x->width != y->width)
		return x->width > y->width ? -1 : 1; /* widest first: fewer extensions */
	return x->index < y->index ? -1 : (x->index > y->index);
}

static uint32_t table_limit(const struct modbus_plan_limits *lim, enum modbus_table t)
{
	return modbus_table_is_bits(t) ? lim->max_bits : lim->max_registers;
}

static uint32_t table_gap(const struct modbus_plan_limits *lim, enum modbus_table t)
{
	return modbus_table_is_bits(t) ? lim->max_gap * 16u : lim->max_gap;
}

static int check_spans(const struct modbus_span *spans, size_t n,
		       const struct modbus_plan_limits *lim, struct perr *err)
{
	if (lim->max_registers < 1 || lim->max_bits < 1)
		return perr_set(err, "read limits must be at least 1");
	for (size_t i = 0; i < n; i++) {
		const struct modbus_span *s = &spans[i];
		if (s->width == 0 || s->address > 65535 || 65536 - s->address < s->width)
			return perr_setc(err, -ERANGE, "field %zu: %u addresses from %u pass 65535",
					 i, s->width, s->address);
		if (s->width > table_limit(lim, s->table))
			return perr_setc(
				err, -E2BIG, "field %zu: %u %s is more than one read allows (%u)",
				i, s->width, modbus_table_is_bits(s->table) ? "bits" : "registers",
				table_limit(lim, s->table));
	}
	return 0;
}

/* Walks the sorted spans and cuts them into requests. With reqs NULL it
 * only counts them. */
static size_t cut(const struct sorted *s, size_t n, const struct modbus_plan_limits *lim,
		  struct modbus_request *reqs, size_t *fields)
{
	size_t nreqs = 0;
	size_t i = 0;
	while (i < n) {
		enum modbus_table t = s[i].table;
		uint32_t start = s[i].address, end = start + s[i].width; /* end exclusive */
		size_t j = i + 1;
		for (; j < n && s[j].table == t; j++) {
			uint32_t fend = s[j].address + s[j].width;
			uint32_t new_end = fend > end ? fend : end;
			if (s[j].address > end && s[j].address - end > table_gap(lim, t))
				break;
			if (new_end - start > table_limit(lim, t))
				break;
			end = new_end;
		}
		if (reqs) {
			reqs[nreqs] = (struct modbus_request){.table = t,
							      .address = (uint16_t)start,
							      .count = (uint16_t)(end - start),
							      .first = i,
							      .nfields = j - i};
			for (size_t k = i; k < j; k++)
				fields[k] = s[k].index;
		}
		nreqs++;
		i = j;
	}
	return nreqs;
}

int modbus_plan_build(const struct modbus_span *spans, size_t n,
		      const struct modbus_plan_limits *lim, struct modbus_plan *plan,
		      struct perr *err)
{
	*plan = (struct modbus_plan){0};
	int rc = check_spans(spans, n, lim, err);
	if (rc < 0 || n == 0)
		return rc;
	struct sorted *s = calloc(n, sizeof(*s));
	if (!s)
		return perr_setc(err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++)
		s[i] = (struct sorted){spans[i].table, spans[i].address, spans[i].width, i};
	qsort(s, n, sizeof(*s), cmp_sorted);
	size_t nreqs = cut(s, n, lim, NULL, NULL);
	plan->reqs = calloc(nreqs, sizeof(*plan->reqs));
	plan->fields = calloc(n, sizeof(*plan->fields));
	if (!plan->reqs || !plan->fields) {
		free(s);
		modbus_plan_free(plan);
		return perr_setc(err, -ENOMEM, "out of memory");
	}
	plan->nreqs = cut(s, n, lim, plan->reqs, plan->fields);
	plan->nfields = n;
	free(s);
	for (size_t r = 0; r < plan->nreqs; r++) {
		struct modbus_request *q = &plan->reqs[r];
		size_t *total =
			modbus_table_is_bits(q->table) ? &plan->total_bits : &plan->total_registers;
		q->offset = *total;
		*total += q->count;
	}
	return 0;
}

void modbus_plan_free(struct modbus_plan *plan)
{
	free(plan->reqs);
	free(plan->fields);
	*plan = (struct modbus_plan){0};
}
