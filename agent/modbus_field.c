/* Parsing of one Modbus field; see modbus_field.h. */
#include "modbus_field.h"

#include "log.h"

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_names[] = {"gauge", "counter", "state", NULL};

/* `states` and `invalid` are read by hand into the field. */
struct field_raw {
	struct modbus_field f;
	const struct conf_node *states;
	const struct conf_node *invalid;
};

#define FLD(n, t, m, d)                                                                            \
	{                                                                                          \
		.name = n, .type = t, .offset = offsetof(struct field_raw, f.m), .dflt = d         \
	}

static const struct conf_option field_options[] = {
	{.name = "metric",
	 .type = CONF_T_STRING,
	 .offset = offsetof(struct field_raw, f.metric),
	 .required = true},
	FLD("unit", CONF_T_STRING, unit, NULL),
	{.name = "table",
	 .type = CONF_T_ENUM,
	 .offset = offsetof(struct field_raw, f.table),
	 .required = true,
	 .names = modbus_table_names},
	{.name = "address",
	 .type = CONF_T_INT,
	 .offset = offsetof(struct field_raw, f.address),
	 .required = true,
	 .min = 0,
	 .max = 65535},
	{.name = "type",
	 .type = CONF_T_ENUM,
	 .offset = offsetof(struct field_raw, f.type),
	 .names = modbus_type_names},
	{.name = "byte_order",
	 .type = CONF_T_ENUM,
	 .offset = offsetof(struct field_raw, f.byte_order),
	 .dflt = "big",
	 .names = modbus_order_names},
	{.name = "word_order",
	 .type = CONF_T_ENUM,
	 .offset = offsetof(struct field_raw, f.word_order),
	 .dflt = "big",
	 .names = modbus_order_names},
	{.name = "bit",
	 .type = CONF_T_INT,
	 .offset = offsetof(struct field_raw, f.bit),
	 .min = 0,
	 .max = 15},
	{.name = "bits",
	 .type = CONF_T_INT,
	 .offset = offsetof(struct field_raw, f.bits),
	 .dflt = "1",
	 .min = 1,
	 .max = 16},
	{.name = "length",
	 .type = CONF_T_INT,
	 .offset = offsetof(struct field_raw, f.length),
	 .min = 1,
	 .max = 125},
	FLD("scale", CONF_T_DOUBLE, scale, "1"),
	FLD("divide", CONF_T_DOUBLE, divide, "1"),
	FLD("offset", CONF_T_DOUBLE, offset, "0"),
	{.name = "kind",
	 .type = CONF_T_ENUM,
	 .offset = offsetof(struct field_raw, f.kind),
	 .names = kind_names},
	{.name = "states", .type = CONF_T_NODE, .offset = offsetof(struct field_raw, states)},
	{.name = "invalid", .type = CONF_T_NODE, .offset = offsetof(struct field_raw, invalid)},
};

int64_t modbus_field_notation_hint(int table, int64_t address)
{
	switch (table) {
	case MODBUS_TABLE_HOLDING:
		return address >= 40001 && address <= 49999 ? address - 40001 : -1;
	case MODBUS_TABLE_INPUT:
		return address >= 30001 && address <= 39999 ? address - 30001 : -1;
	case MODBUS_TABLE_DISCRETE:
		return address >= 10001 && address <= 19999 ? address - 10001 : -1;
	default:
		return -1;
	}
}

static bool has(const struct conf_node *map, const char *key)
{
	return conf_get(map, key) != NULL;
}

/* The keys that only make sense for numbers. */
static int check_numeric_only(const struct modbus_field *f, const struct conf_node *map,
			      struct perr *err)
{
	static const char *const numeric_only[] = {"scale", "divide", "offset", "invalid"};
	if (f->type != MODBUS_T_BOOL && f->type != MODBUS_T_STRING)
		return 0;
	for (size_t i = 0; i < CONF_COUNT(numeric_only); i++)
		if (has(map, numeric_only[i]))
			return conf_error(err, conf_get(map, numeric_only[i]),
					  "%s is only for numeric types, not %s", numeric_only[i],
					  modbus_type_names[f->type]);
	return 0;
}

/* Which keys may go with which table and type. */
static int check_combination(const struct modbus_field *f, const struct conf_node *map,
			     struct perr *err)
{
	bool bits = modbus_table_is_bits(f->table);
	const char *table = modbus_table_names[f->table], *type = modbus_type_names[f->type];
	unsigned regs = modbus_type_registers(f->type);
	if (bits && f->type != MODBUS_T_BOOL)
		return conf_error(err, conf_get(map, "type"),
				  "a %s holds one bit: type must be bool, not %s", table, type);
	if (has(map, "bit") && bits)
		return conf_error(err, conf_get(map, "bit"),
				  "bit picks a bit of a register; a %s is already one bit", table);
	if (has(map, "bits") && (!has(map, "bit") || f->type != MODBUS_T_UINT16 || f->bits < 2))
		return conf_error(err, conf_get(map, "bits"),
				  "bits (2..16) needs bit and type uint16: a field of several "
				  "bits of a register");
	if (has(map, "bit") && f->type != MODBUS_T_BOOL && !has(map, "bits"))
		return conf_error(err, conf_get(map, "bit"), "bit needs type bool, not %s", type);
	if (f->bit >= 0 && f->bit + f->bits > 16)
		return conf_error(err, conf_get(map, "bits"),
				  "bits %lld to %lld run past bit 15", (long long)f->bit,
				  (long long)(f->bit + f->bits - 1));
	if (has(map, "length") != (f->type == MODBUS_T_STRING))
		return conf_error(err, has(map, "length") ? conf_get(map, "length") : map,
				  f->type == MODBUS_T_STRING
					  ? "type string needs length (in registers)"
					  : "length is only for type string");
	if (has(map, "byte_order") && (bits || has(map, "bit")))
		return conf_error(err, conf_get(map, "byte_order"),
				  "byte_order has no meaning for a single bit");
	if (has(map, "word_order") && regs < 2)
		return conf_error(err, conf_get(map, "word_order"),
				  "word_order needs a type of two or more registers, not %s", type);
	int rc = check_numeric_only(f, map, err);
	if (rc < 0)
		return rc;
	if (f->type == MODBUS_T_STRING && (has(map, "kind") || has(map, "states")))
		return conf_error(err, conf_get(map, has(map, "kind") ? "kind" : "states"),
				  "a string is reported as inventory and has no kind or states");
	if (has(map, "states") && f->kind != MODBUS_KIND_STATE)
		return conf_error(err, conf_get(map, "states"),
				  "states name the values of kind state, not %s",
				  kind_names[f->kind]);
	if (f->kind == MODBUS_KIND_STATE &&
	    (f->type == MODBUS_T_FLOAT32 || f->type == MODBUS_T_FLOAT64))
		return conf_error(err, has(map, "kind") ? conf_get(map, "kind") : map,
				  "kind state needs an integer type, not %s", type);
	if (f->kind == MODBUS_KIND_STATE &&
	    (has(map, "scale") || has(map, "divide") || has(map, "offset")))
		return conf_error(err,
				  conf_get(map, has(map, "scale")    ? "scale"
						: has(map, "divide") ? "divide"
								     : "offset"),
				  "a state takes no scale, divide or offset");
	if (f->divide == 0 || !isfinite(f->divide))
		return conf_error(err, conf_get(map, "divide"), "divide must be a non-zero number");
	return 0;
}

/* 2307 × 0.1 is 230.70000000000002 in binary floating point, but 2307 ÷ 10
 * is exactly 230.7 (the nearest double, as printed). A scale of 0.1, 0.01,
 * ... 1e-9 therefore becomes the matching divisor, so values print as users
 * expect and the spool stores them in a few bytes. */
static void exact_decimal_scale(struct modbus_field *f)
{
	double p = 1;
	for (int n = 1; n <= 9; n++) {
		p *= 10;
		if (fabs(f->scale * p - 1) < 1e-12) {
			f->divide *= p;
			f->scale = 1;
			return;
		}
	}
}

static int parse_states(struct modbus_field *f, const struct conf_node *map, struct perr *err)
{
	if (map->kind != CONF_MAP || map->n == 0 || map->n > MODBUS_FIELD_MAX_STATES)
		return conf_error(err, map,
				  "states must be a mapping of 1 to %d entries such as "
				  "{ 0: stopped, 1: running }",
				  MODBUS_FIELD_MAX_STATES);
	f->states = calloc(map->n, sizeof(*f->states));
	if (!f->states)
		return perr_setc(err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < map->n; i++) {
		const struct conf_pair *p = &map->pairs[i];
		struct conf_node at = {.file = map->file, .line = p->line};
		int64_t v;
		if (conf_parse_int(p->key, &v) < 0)
			return conf_error(err, &at, "states: '%s' is not an integer", p->key);
		if (p->value->kind != CONF_SCALAR || !p->value->scalar || !p->value->scalar[0])
			return conf_error(err, &at, "states: %lld needs a name", (long long)v);
		for (size_t j = 0; j < f->nstates; j++)
			if (f->states[j].value == v)
				return conf_error(err, &at, "states: %lld is named twice",
						  (long long)v);
		if (!(f->states[f->nstates].name = strdup(p->value->scalar)))
			return perr_setc(err, -ENOMEM, "out of memory");
		f->states[f->nstates++].value = v;
	}
	return 0;
}

static int parse_invalid(struct modbus_field *f, const struct conf_node *seq, struct perr *err)
{
	return conf_parse_numbers(seq, "invalid", MODBUS_FIELD_MAX_INVALID, &f->invalid,
				  &f->ninvalid, err);
}

/* Fills what follows from the keys: default type and kind, width, labels. */
static int complete_field(struct modbus_field *f, const struct conf_node *map, int64_t max_regs,
			  int64_t max_bits, struct perr *err)
{
	if (!has(map, "type"))
		f->type = modbus_table_is_bits(f->table) ? MODBUS_T_BOOL : MODBUS_T_UINT16;
	if (!has(map, "kind"))
		f->kind = f->type == MODBUS_T_BOOL || has(map, "states") ? MODBUS_KIND_STATE
									 : MODBUS_KIND_GAUGE;
	int rc = check_combination(f, map, err);
	if (rc < 0)
		return rc;
	exact_decimal_scale(f);
	f->width =
		f->type == MODBUS_T_STRING ? (uint32_t)f->length : modbus_type_registers(f->type);
	if (f->address + f->width > 65536)
		return conf_error(err, conf_get(map, "address"),
				  "%s at address %lld is %u wide and runs past 65535", f->metric,
				  (long long)f->address, f->width);
	bool bits = modbus_table_is_bits(f->table);
	int64_t limit = bits ? max_bits : max_regs;
	if (f->width > limit)
		return conf_error(err, map,
				  "%s is %u %s wide but %s is %lld: a field is never split "
				  "across reads",
				  f->metric, f->width, bits ? "bits" : "registers",
				  bits ? "max_bits_per_read" : "max_registers_per_read",
				  (long long)limit);
	/* Bounds were checked by the option table: address 0..65535, bit 0..15. */
	snprintf(f->address_text, sizeof(f->address_text), "%u", (unsigned)(f->address & 0xffff));
	if (f->bit >= 0)
		snprintf(f->bit_text, sizeof(f->bit_text), "%u", (unsigned)(f->bit & 15));
	return 0;
}

static void warn_notation(const struct modbus_field *f, const struct conf_node *map,
			  unsigned *nwarnings)
{
	int64_t hint = modbus_field_notation_hint(f->table, f->address);
	if (hint < 0)
		return;
	const struct conf_node *at = conf_get(map, "address");
	log_warn("modbus",
		 "[%s:%d] %s: %s address %lld looks like 1-based register notation; "
		 "addresses are 0-based protocol addresses (register %lld is address %lld)",
		 at->file, at->line, f->metric, modbus_table_names[f->table], (long long)f->address,
		 (long long)f->address, (long long)hint);
	(*nwarnings)++;
}

static int parse_into(struct field_raw *raw, const struct conf_node *map, int64_t max_regs,
		      int64_t max_bits, unsigned *nwarnings, struct perr *err)
{
	struct modbus_field *f = &raw->f;
	if (map->kind != CONF_MAP)
		return conf_error(err, map, "a modbus field must be a mapping such as "
					    "{ metric: m, table: input, address: 0 }");
	int rc = conf_apply(field_options, CONF_COUNT(field_options), map, "modbus field", raw,
			    err);
	if (rc < 0)
		return rc;
	if (f->metric[0] == '\0')
		return conf_error(err, conf_get(map, "metric"), "metric must not be empty");
	if ((rc = complete_field(f, map, max_regs, max_bits, err)) < 0)
		return rc;
	if (raw->states && (rc = parse_states(f, raw->states, err)) < 0)
		return rc;
	if (raw->invalid && (rc = parse_invalid(f, raw->invalid, err)) < 0)
		return rc;
	warn_notation(f, map, nwarnings);
	return 0;
}

int modbus_field_parse(const struct conf_node *map, int64_t max_regs, int64_t max_bits,
		       struct modbus_field *f, unsigned *nwarnings, struct perr *err)
{
	struct field_raw raw = {.f = {.bit = -1, .line = map->line}};
	int rc = parse_into(&raw, map, max_regs, max_bits, nwarnings, err);
	*f = raw.f;
	if (rc < 0) {
		modbus_field_free(f);
		*f = (struct modbus_field){.bit = -1, .line = map->line};
	}
	return rc;
}

int modbus_field_copy(struct modbus_field *dst, const struct modbus_field *src)
{
	*dst = *src;
	dst->metric = strdup(src->metric);
	dst->unit = src->unit ? strdup(src->unit) : NULL;
	dst->states = src->nstates ? calloc(src->nstates, sizeof(*dst->states)) : NULL;
	dst->invalid = src->ninvalid ? calloc(src->ninvalid, sizeof(*dst->invalid)) : NULL;
	dst->nstates = 0;
	bool ok = dst->metric && (dst->unit || !src->unit) && (dst->states || !src->nstates) &&
		  (dst->invalid || !src->ninvalid);
	for (size_t i = 0; ok && i < src->nstates; i++) {
		dst->states[i].value = src->states[i].value;
		ok = (dst->states[i].name = strdup(src->states[i].name)) != NULL;
		dst->nstates += ok;
	}
	if (ok && src->ninvalid)
		memcpy(dst->invalid, src->invalid, src->ninvalid * sizeof(*dst->invalid));
	if (!ok) {
		modbus_field_free(dst);
		return -ENOMEM;
	}
	return 0;
}

void modbus_field_free(struct modbus_field *f)
{
	free(f->metric);
	free(f->unit);
	for (size_t i = 0; i < f->nstates; i++)
		free(f->states[i].name);
	free(f->states);
	free(f->invalid);
	f->metric = f->unit = NULL;
	f->states = NULL;
	f->invalid = NULL;
	f->nstates = f->ninvalid = 0;
}

const char *modbus_field_state_name(const struct modbus_field *f, int64_t value)
{
	for (size_t i = 0; i < f->nstates; i++)
		if (f->states[i].value == value)
			return f->states[i].name;
	return NULL;
}

bool modbus_field_is_invalid(const struct modbus_field *f, double raw)
{
	for (size_t i = 0; i < f->ninvalid; i++)
		if (f->invalid[i] == raw)
			return true;
	return false;
}

bool modbus_field_same_series(const struct modbus_field *a, const struct modbus_field *b)
{
	return strcmp(a->metric, b->metric) == 0 && a->table == b->table &&
	       a->address == b->address && a->bit == b->bit;
}
