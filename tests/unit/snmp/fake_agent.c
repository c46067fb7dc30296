/* An SNMP agent in the test process (see fake_agent.h). */
#include "fake_agent.h"

#include "snmp_walk.h"
#include "test.h"

#include <stdint.h>
#include <stdlib.h>

static int cmp_entry(const void *a, const void *b)
{
	const struct fake_entry *x = a, *y = b;
	return snmp_walk_compare(x->name, x->len, y->name, y->len);
}

static void set_value(struct fake_entry *e, const struct fake_var *v)
{
	e->type = v->type;
	switch (v->type) {
	case ASN_INTEGER: {
		long x = strtol(v->value, NULL, 10);
		memcpy(e->val.bytes, &x, sizeof(x));
		e->vlen = sizeof(x);
		break;
	}
	case ASN_COUNTER:
	case ASN_GAUGE:
	case ASN_TIMETICKS: {
		unsigned long x = strtoul(v->value, NULL, 10);
		memcpy(e->val.bytes, &x, sizeof(x));
		e->vlen = sizeof(x);
		break;
	}
	case ASN_COUNTER64: {
		unsigned long long x = strtoull(v->value, NULL, 10);
		struct counter64 c = {(u_long)(x >> 32), (u_long)(x & 0xffffffffu)};
		memcpy(e->val.bytes, &c, sizeof(c));
		e->vlen = sizeof(c);
		break;
	}
	case ASN_OBJECT_ID: {
		size_t len;
		if (snmp_walk_parse_oid(v->value, e->val.objid, sizeof(e->val.objid) / sizeof(oid),
					&len) != 0)
			TEST_FAIL_("bad OID value %s", v->value);
		e->vlen = len * sizeof(oid);
		break;
	}
	default:
		e->vlen = strlen(v->value);
		memcpy(e->val.bytes, v->value, e->vlen);
		break;
	}
}

void fake_agent_init(struct fake_agent *a, const struct fake_var *vars, size_t n)
{
	memset(a, 0, sizeof(*a));
	a->vars = calloc(n ? n : 1, sizeof(a->vars[0]));
	a->n = n;
	for (size_t i = 0; i < n; i++) {
		if (snmp_walk_parse_oid(vars[i].oid, a->vars[i].name, MAX_OID_LEN,
					&a->vars[i].len) != 0)
			TEST_FAIL_("bad OID %s", vars[i].oid);
		set_value(&a->vars[i], &vars[i]);
	}
	qsort(a->vars, n, sizeof(a->vars[0]), cmp_entry);
}

void fake_agent_free(struct fake_agent *a)
{
	free(a->vars);
	memset(a, 0, sizeof(*a));
}

static const struct fake_entry *exact(const struct fake_agent *a, const oid *name, size_t len)
{
	for (size_t i = 0; i < a->n; i++)
		if (snmp_walk_compare(a->vars[i].name, a->vars[i].len, name, len) == 0)
			return &a->vars[i];
	return NULL;
}

static const struct fake_entry *next(const struct fake_agent *a, const oid *name, size_t len)
{
	if (a->lie_len && snmp_walk_in_subtree(a->lie_root, a->lie_len, name, len)) {
		for (size_t i = 0; i < a->n; i++)
			if (snmp_walk_in_subtree(a->lie_root, a->lie_len, a->vars[i].name,
						 a->vars[i].len))
				return &a->vars[i];
	}
	for (size_t i = 0; i < a->n; i++)
		if (snmp_walk_compare(a->vars[i].name, a->vars[i].len, name, len) > 0)
			return &a->vars[i];
	return NULL;
}

static void add(netsnmp_pdu *r, const oid *name, size_t len, const struct fake_entry *e,
		u_char exception)
{
	if (e)
		snmp_pdu_add_variable(r, e->name, e->len, e->type, e->val.bytes, e->vlen);
	else
		snmp_pdu_add_variable(r, name, len, exception, NULL, 0);
}

/* SNMPv1 fails the whole request and names the first bad varbind. */
static netsnmp_pdu *v1_error(const netsnmp_pdu *req, netsnmp_pdu *r, long status, long index)
{
	snmp_free_varbind(r->variables);
	r->variables = NULL;
	for (const netsnmp_variable_list *v = req->variables; v; v = v->next_variable)
		snmp_pdu_add_variable(r, v->name, v->name_length, ASN_NULL, NULL, 0);
	r->errstat = status;
	r->errindex = index;
	return r;
}

static netsnmp_pdu *answer_bulk(struct fake_agent *a, const netsnmp_pdu *req, netsnmp_pdu *r)
{
	size_t ncols = a->last_varbinds;
	oid(*cur)[MAX_OID_LEN] = calloc(ncols ? ncols : 1, sizeof(*cur));
	size_t *curlen = calloc(ncols ? ncols : 1, sizeof(size_t));
	size_t i = 0;
	for (const netsnmp_variable_list *v = req->variables; v; v = v->next_variable, i++) {
		memcpy(cur[i], v->name, v->name_length * sizeof(oid));
		curlen[i] = v->name_length;
	}
	a->last_repetitions = req->max_repetitions;
	size_t sent = 0;
	for (long rep = 0; rep < req->max_repetitions; rep++) {
		for (size_t c = 0; c < ncols; c++) {
			if (a->max_varbinds && sent == a->max_varbinds)
				goto out;
			const struct fake_entry *e = next(a, cur[c], curlen[c]);
			add(r, cur[c], curlen[c], e, SNMP_ENDOFMIBVIEW);
			if (e) {
				memcpy(cur[c], e->name, e->len * sizeof(oid));
				curlen[c] = e->len;
			}
			sent++;
		}
	}
out:
	free(cur);
	free(curlen);
	return r;
}

netsnmp_pdu *fake_agent_answer(struct fake_agent *a, const netsnmp_pdu *req)
{
	netsnmp_pdu *r = snmp_pdu_create(SNMP_MSG_RESPONSE);
	r->reqid = req->reqid;
	r->errstat = SNMP_ERR_NOERROR; /* snmp_pdu_create leaves -1 */
	r->errindex = 0;
	a->requests++;
	a->last_varbinds = 0;
	for (const netsnmp_variable_list *v = req->variables; v; v = v->next_variable)
		a->last_varbinds++;
	if (req->command == SNMP_MSG_GETBULK) {
		a->getbulks++;
		if (a->bulk_max_columns && a->last_varbinds > a->bulk_max_columns)
			return v1_error(req, r, SNMP_ERR_GENERR, 1);
		return answer_bulk(a, req, r);
	}
	bool is_get = req->command == SNMP_MSG_GET;
	if (is_get)
		a->gets++;
	else
		a->getnexts++;
	if (a->max_varbinds && a->last_varbinds > a->max_varbinds)
		return v1_error(req, r, SNMP_ERR_TOOBIG, 0);
	long index = 1;
	for (const netsnmp_variable_list *v = req->variables; v; v = v->next_variable, index++) {
		const struct fake_entry *e = is_get ? exact(a, v->name, v->name_length)
						    : next(a, v->name, v->name_length);
		if (!e && a->v1)
			return v1_error(req, r, SNMP_ERR_NOSUCHNAME, index);
		add(r, v->name, v->name_length, e, is_get ? SNMP_NOSUCHOBJECT : SNMP_ENDOFMIBVIEW);
	}
	return r;
}
