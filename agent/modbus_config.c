/* Parsing of a device's `modbus:` section; see modbus_config.h. */
#include "modbus_config.h"

#include "log.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const parity_names[] = {"N", "E", "O", NULL};
static const char *const kind_names[] = {"gauge", "counter", "state", NULL};

/* The section's own keys. `address` and `serial` are checked by hand since
 * exactly one of them must be present. */
struct dev_raw {
	struct modbus_cfg cfg;
	char *address;
	const struct conf_node *serial;
	const struct conf_node *fields;
};

#define DEV_OPT(n, t, f, d, lo, hi)                                                                \
	{                                                                                          \
		.name = n, .type = t, .offset = offsetof(struct dev_raw, cfg.f), .dflt = d,        \
		.min = lo, .max = hi                                                               \
	}

static const struct conf_option dev_options[] = {
	{.name = "address", .type = CONF_T_STRING, .offset = offsetof(struct dev_raw, address)},
	{.name = "serial", .type = CONF_T_NODE, .offset = offsetof(struct dev_raw, serial)},
	{.name = "fields",
	 .type = CONF_T_NODE,
	 .offset = offsetof(struct dev_raw, fields),
	 .required = true},
	DEV_OPT("unit", CONF_T_INT, unit, "1", 0, 255),
	DEV_OPT("timeout", CONF_T_DURATION, timeout_ms, "1s", 10, 60000),
	DEV_OPT("retries", CONF_T_INT, retries, "1", 0, 10),
	DEV_OPT("max_registers_per_read", CONF_T_INT, max_registers_per_read, "125", 1, 125),
	DEV_OPT("max_bits_per_read", CONF_T_INT, max_bits_per_read, "2000", 1, 2000),
	DEV_OPT("max_gap", CONF_T_INT, max_gap, "8", 0, 125),
};

#define SER_OPT(n, t, f, d, lo, hi)                                                                \
	{                                                                                          \
		.name = n, .type = t, .offset = offsetof(struct modbus_serial, f), .dflt = d,      \
		.min = lo, .max = hi                                                               \
	}

static const struct conf_option serial_options[] = {
	{.name = "device",
	 .type = CONF_T_STRING,
	 .offset = offsetof(struct modbus_serial, device),
	 .required = true},
	SER_OPT("baud", CONF_T_INT, baud, "9600", 300, 921600),
	{.name = "parity",
	 .type = CONF_T_ENUM,
	 .offset = offsetof(struct modbus_serial, parity),
	 .dflt = "N",
	 .names = parity_names},
	SER_OPT("data_bits", CONF_T_INT, data_bits, "8", 5, 8),
	SER_OPT("stop_bits", CONF_T_INT, stop_bits, "1", 1, 2),
};

#define FLD(n, t, f, d)                                                                            \
	{                                                                                          \
		.name = n, .type = t, .offset = offsetof(struct modbus_field, f), .dflt = d        \
	}

static const struct conf_option field_options[] = {
	{.name = "metric",
	 .type = CONF_T_STRING,
	 .offset = offsetof(struct modbus_field, metric),
	 .required = true},
	FLD("unit", CONF_T_STRING, unit, NULL),
	{.name = "table",
	 .type = CONF_T_ENUM,
	 .offset = offsetof(struct modbus_field, table),
	 .required = true,
	 .names = modbus_table_names},
	{.name = "address",
	 .type = CONF_T_INT,
	 .offset = offsetof(struct modbus_field, address),
	 .required = true,
	 .min = 0,
	 .max = 65535},
	{.name = "type",
	 .type = CONF_T_ENUM,
	 .offset = offsetof(struct modbus_field, type),
	 .names = modbus_type_names},
	{.name = "byte_order",
	 .type = CONF_T_ENUM,
	 .offset = offsetof(struct modbus_field, byte_order),
	 .dflt = "big",
	 .names = modbus_order_names},
	{.name = "word_order",
	 .type = CONF_T_ENUM,
	 .offset = offsetof(struct modbus_field, word_order),
	 .dflt = "big",
	 .names = modbus_order_names},
	{.name = "bit",
	 .type = CONF_T_INT,
	 .offset = offsetof(struct modbus_field, bit),
	 .min = 0,
	 .max = 15},
	{.name = "length",
	 .type = CONF_T_INT,
	 .offset = offsetof(struct modbus_field, length),
	 .min = 1,
	 .max = 125},
	FLD("scale", CONF_T_DOUBLE, scale, "1"),
	FLD("offset", CONF_T_DOUBLE, offset, "0"),
	{.name = "kind",
	 .type = CONF_T_ENUM,
	 .offset = offsetof(struct modbus_field, kind),
	 .names = kind_names},
};

int64_t modbus_config_notation_hint(int table, int64_t address)
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
	if (has(map, "bit") && f->type != MODBUS_T_BOOL)
		return conf_error(err, conf_get(map, "bit"), "bit needs type bool, not %s", type);
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
	if (f->type == MODBUS_T_BOOL || f->type == MODBUS_T_STRING) {
		static const char *const numeric_only[] = {"scale", "offset"};
		for (int i = 0; i < 2; i++)
			if (has(map, numeric_only[i]))
				return conf_error(err, conf_get(map, numeric_only[i]),
						  "%s is only for numeric types, not %s",
						  numeric_only[i], type);
	}
	if (f->type == MODBUS_T_STRING && has(map, "kind"))
		return conf_error(err, conf_get(map, "kind"),
				  "a string is reported as inventory and has no kind");
	return 0;
}

/* Fills what follows from the keys: default type and kind, width, labels. */
static int complete_field(struct modbus_field *f, const struct conf_node *map,
			  const struct modbus_cfg *cfg, struct perr *err)
{
	if (!has(map, "type"))
		f->type = modbus_table_is_bits(f->table) ? MODBUS_T_BOOL : MODBUS_T_UINT16;
	int rc = check_combination(f, map, err);
	if (rc < 0)
		return rc;
	if (!has(map, "kind"))
		f->kind = f->type == MODBUS_T_BOOL ? MODBUS_KIND_STATE : MODBUS_KIND_GAUGE;
	f->width =
		f->type == MODBUS_T_STRING ? (uint32_t)f->length : modbus_type_registers(f->type);
	if (f->address + f->width > 65536)
		return conf_error(err, conf_get(map, "address"),
				  "%s at address %lld is %u wide and runs past 65535", f->metric,
				  (long long)f->address, f->width);
	bool bits = modbus_table_is_bits(f->table);
	int64_t limit = bits ? cfg->max_bits_per_read : cfg->max_registers_per_read;
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

static void warn_notation(struct modbus_cfg *cfg, const struct modbus_field *f,
			  const struct conf_node *map)
{
	int64_t hint = modbus_config_notation_hint(f->table, f->address);
	if (hint < 0)
		return;
	const struct conf_node *at = conf_get(map, "address");
	log_warn("modbus",
		 "[%s:%d] %s: %s address %lld looks like 1-based register notation; "
		 "addresses are 0-based protocol addresses (register %lld is address %lld)",
		 at->file, at->line, f->metric, modbus_table_names[f->table], (long long)f->address,
		 (long long)f->address, (long long)hint);
	cfg->nwarnings++;
}

static int parse_field(struct modbus_cfg *cfg, struct modbus_field *f, const struct conf_node *map,
		       struct perr *err)
{
	*f = (struct modbus_field){.bit = -1, .line = map->line};
	int rc = conf_apply(field_options, CONF_COUNT(field_options), map, "modbus field", f, err);
	if (rc < 0)
		return rc;
	if (f->metric[0] == '\0')
		return conf_error(err, conf_get(map, "metric"), "metric must not be empty");
	rc = complete_field(f, map, cfg, err);
	if (rc < 0)
		return rc;
	warn_notation(cfg, f, map);
	return 0;
}

static bool same_series(const struct modbus_field *a, const struct modbus_field *b)
{
	return strcmp(a->metric, b->metric) == 0 && a->table == b->table &&
	       a->address == b->address && a->bit == b->bit;
}

static int parse_fields(struct modbus_cfg *cfg, const struct conf_node *seq, struct perr *err)
{
	if (seq->kind != CONF_SEQ || seq->n == 0)
		return conf_error(err, seq, "modbus.fields must be a non-empty list of fields");
	cfg->fields = calloc(seq->n, sizeof(*cfg->fields));
	if (!cfg->fields)
		return perr_setc(err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < seq->n; i++) {
		int rc = parse_field(cfg, &cfg->fields[i], seq->items[i], err);
		cfg->nfields = i + 1; /* so a half-parsed field is freed too */
		if (rc < 0)
			return rc;
		for (size_t j = 0; j < i; j++)
			if (same_series(&cfg->fields[j], &cfg->fields[i]))
				return conf_error(err, seq->items[i],
						  "%s is the same field as line %d",
						  cfg->fields[i].metric, cfg->fields[j].line);
	}
	return 0;
}

/* "host", "host:port", "[v6]:port" or "[v6]". */
static int parse_address(struct modbus_cfg *cfg, const char *text, const struct conf_node *at,
			 struct perr *err)
{
	const char *host = text, *port = NULL;
	size_t hlen = strlen(text);
	if (text[0] == '[') {
		const char *close = strchr(text, ']');
		if (!close || (close[1] != '\0' && close[1] != ':'))
			return conf_error(err, at, "modbus.address '%s' is not host:port", text);
		host = text + 1;
		hlen = (size_t)(close - host);
		port = close[1] == ':' ? close + 2 : NULL;
	} else {
		const char *colon = strchr(text, ':');
		if (colon && strchr(colon + 1, ':'))
			return conf_error(err, at,
					  "modbus.address: write an IPv6 address as [addr]:port");
		if (colon) {
			hlen = (size_t)(colon - text);
			port = colon + 1;
		}
	}
	int64_t p = 502;
	if (hlen == 0 || (port && (conf_parse_int(port, &p) < 0 || p < 1 || p > 65535)))
		return conf_error(err, at, "modbus.address '%s' is not host:port", text);
	cfg->host = strndup(host, hlen);
	if (!cfg->host)
		return perr_setc(err, -ENOMEM, "out of memory");
	snprintf(cfg->port, sizeof(cfg->port), "%lld", (long long)p);
	return 0;
}

static int parse_transport(struct modbus_cfg *cfg, const struct dev_raw *raw,
			   const struct conf_node *node, struct perr *err)
{
	if ((raw->address != NULL) == (raw->serial != NULL))
		return conf_error(err, node, "modbus needs exactly one of address or serial");
	/* libmodbus accepts unit 0..247 on TCP, plus 255 ("no unit"); on a
	 * serial line 0 is broadcast, which never answers a read. */
	if (raw->address && cfg->unit > 247 && cfg->unit != 255)
		return conf_error(err, conf_get(node, "unit"),
				  "modbus.unit must be 0..247 or 255 over TCP");
	if (raw->serial && (cfg->unit < 1 || cfg->unit > 247))
		return conf_error(err, conf_get(node, "unit") ? conf_get(node, "unit") : node,
				  "modbus.unit must be 1..247 on a serial line");
	if (raw->address)
		return parse_address(cfg, raw->address, conf_get(node, "address"), err);
	return conf_apply(serial_options, CONF_COUNT(serial_options), raw->serial, "modbus.serial",
			  &cfg->serial, err);
}

static int build_plan(struct modbus_cfg *cfg, struct perr *err)
{
	struct modbus_span *spans = calloc(cfg->nfields, sizeof(*spans));
	if (!spans)
		return perr_setc(err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < cfg->nfields; i++)
		spans[i] = (struct modbus_span){(enum modbus_table)cfg->fields[i].table,
						(uint32_t)cfg->fields[i].address,
						cfg->fields[i].width};
	struct modbus_plan_limits lim = {(uint32_t)cfg->max_registers_per_read,
					 (uint32_t)cfg->max_bits_per_read, (uint32_t)cfg->max_gap};
	int rc = modbus_plan_build(spans, cfg->nfields, &lim, &cfg->plan, err);
	free(spans);
	return rc;
}

int modbus_config_parse(const struct conf_node *node, struct modbus_cfg **out, struct perr *err)
{
	*out = NULL;
	struct dev_raw raw = {0};
	int rc = conf_apply(dev_options, CONF_COUNT(dev_options), node, "modbus", &raw, err);
	struct modbus_cfg *cfg = malloc(sizeof(*cfg));
	if (!cfg) {
		free(raw.address);
		return perr_setc(err, -ENOMEM, "out of memory");
	}
	*cfg = raw.cfg;
	if (rc == 0)
		rc = parse_transport(cfg, &raw, node, err);
	free(raw.address);
	if (rc == 0)
		rc = parse_fields(cfg, raw.fields, err);
	if (rc == 0)
		rc = build_plan(cfg, err);
	if (rc < 0) {
		modbus_config_free(cfg);
		return rc;
	}
	*out = cfg;
	return 0;
}

void modbus_config_free(struct modbus_cfg *cfg)
{
	if (!cfg)
		return;
	for (size_t i = 0; i < cfg->nfields; i++)
		conf_release(field_options, CONF_COUNT(field_options), &cfg->fields[i]);
	free(cfg->fields);
	conf_release(serial_options, CONF_COUNT(serial_options), &cfg->serial);
	free(cfg->host);
	modbus_plan_free(&cfg->plan);
	free(cfg);
}
