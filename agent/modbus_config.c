/* Parsing of a device's `modbus:` section; see modbus_config.h. */
#include "modbus_config.h"

#include "log.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const parity_names[] = {"N", "E", "O", NULL};

/* The section's own keys. `address` and `serial` are checked by hand since
 * exactly one of them must be present. */
struct dev_raw {
	struct modbus_cfg cfg;
	char *address;
	const struct conf_node *serial;
	const struct conf_node *fields;
	char *profile;
};

#define DEV_OPT(n, t, f, d, lo, hi)                                                                \
	{                                                                                          \
		.name = n, .type = t, .offset = offsetof(struct dev_raw, cfg.f), .dflt = d,        \
		.min = lo, .max = hi                                                               \
	}

static const struct conf_option dev_options[] = {
	{.name = "address", .type = CONF_T_STRING, .offset = offsetof(struct dev_raw, address)},
	{.name = "serial", .type = CONF_T_NODE, .offset = offsetof(struct dev_raw, serial)},
	{.name = "fields", .type = CONF_T_NODE, .offset = offsetof(struct dev_raw, fields)},
	{.name = "profile", .type = CONF_T_STRING, .offset = offsetof(struct dev_raw, profile)},
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
	SER_OPT("frame_gap", CONF_T_DURATION, frame_gap_ms, "0ms", 0, 1000),
};

int64_t modbus_config_notation_hint(int table, int64_t address)
{
	return modbus_field_notation_hint(table, address);
}

/* Adds the profile's fields, each checked against this device's limits. */
static int copy_profile_fields(struct modbus_cfg *cfg, const struct modbus_profile *p,
			       const struct conf_node *at, struct perr *err)
{
	for (size_t i = 0; i < p->nfields; i++) {
		const struct modbus_field *f = &p->fields[i];
		bool bits = modbus_table_is_bits(f->table);
		int64_t limit = bits ? cfg->max_bits_per_read : cfg->max_registers_per_read;
		if (f->width > limit)
			return conf_error(err, at,
					  "profile %s: %s ([%s:%d]) is %u %s wide but %s is %lld",
					  p->name, f->metric, p->file, f->line, f->width,
					  bits ? "bits" : "registers",
					  bits ? "max_bits_per_read" : "max_registers_per_read",
					  (long long)limit);
		if (modbus_field_copy(&cfg->fields[cfg->nfields], f) < 0)
			return perr_setc(err, -ENOMEM, "out of memory");
		cfg->nfields++;
	}
	return 0;
}

/* Where an earlier field was written, for "same field as" messages. */
static void describe_line(const struct modbus_cfg *cfg, size_t j, char *buf, size_t size)
{
	size_t from_profile = cfg->profile ? cfg->profile->nfields : 0;
	if (j < from_profile)
		snprintf(buf, size, "%s:%d (profile %s)", cfg->profile->file, cfg->fields[j].line,
			 cfg->profile->name);
	else
		snprintf(buf, size, "line %d", cfg->fields[j].line);
}

static int parse_fields(struct modbus_cfg *cfg, const struct conf_node *seq,
			const struct conf_node *node, struct perr *err)
{
	size_t own = seq ? seq->n : 0, from_profile = cfg->profile ? cfg->profile->nfields : 0;
	if (seq && (seq->kind != CONF_SEQ || (seq->n == 0 && !cfg->profile)))
		return conf_error(err, seq, "modbus.fields must be a non-empty list of fields");
	if (!seq && !cfg->profile)
		return conf_error(err, node, "modbus needs fields, a profile, or both");
	cfg->fields = calloc(own + from_profile + 1, sizeof(*cfg->fields));
	if (!cfg->fields)
		return perr_setc(err, -ENOMEM, "out of memory");
	int rc = cfg->profile ? copy_profile_fields(cfg, cfg->profile, conf_get(node, "profile"), err)
			      : 0;
	for (size_t i = 0; rc == 0 && i < own; i++) {
		struct modbus_field *f = &cfg->fields[cfg->nfields];
		rc = modbus_field_parse(seq->items[i], cfg->max_registers_per_read,
					cfg->max_bits_per_read, f, &cfg->nwarnings, err);
		if (rc < 0)
			break;
		cfg->nfields++;
		for (size_t j = 0; j + 1 < cfg->nfields; j++) {
			if (!modbus_field_same_series(&cfg->fields[j], f))
				continue;
			char where[300];
			describe_line(cfg, j, where, sizeof(where));
			return conf_error(err, seq->items[i], "%s is the same field as %s",
					  f->metric, where);
		}
	}
	return rc;
}

/* Lists the set's profile names into buf. */
static void list_names(const struct modbus_profile_set *set, char *buf, size_t size)
{
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < set->n && used + 1 < size; i++) {
		int w = snprintf(buf + used, size - used, "%s%s", used ? ", " : "",
				 set->profiles[i].name);
		used = w > 0 && used + (size_t)w < size ? used + (size_t)w : size - 1;
	}
}

/* Loads the directory's profiles (so --check sees a broken one even when no
 * device names it) and finds the named one; read limits the device leaves
 * unset come from it. */
static int apply_profile(struct modbus_cfg *cfg, const char *name, const char *dir,
			 const struct conf_node *node, struct perr *err)
{
	const struct conf_node *at = conf_get(node, "profile");
	if (!dir)
		return name ? conf_error(err, at, "modbus.profile: no profile directory is set")
			    : 0;
	int rc = modbus_profile_set_get(dir, &cfg->profiles, err);
	if (rc < 0 || !name)
		return rc;
	cfg->profile = modbus_profile_set_find(cfg->profiles, name);
	if (!cfg->profile) {
		char known[256];
		list_names(cfg->profiles, known, sizeof(known));
		return conf_error(err, at,
				  "modbus.profile: unknown Modbus profile '%s' in %s/modbus "
				  "(known: %s)",
				  name, dir, known[0] ? known : "none");
	}
	const struct modbus_profile *p = cfg->profile;
	if (p->max_registers_per_read && !conf_get(node, "max_registers_per_read"))
		cfg->max_registers_per_read = p->max_registers_per_read;
	if (p->max_bits_per_read && !conf_get(node, "max_bits_per_read"))
		cfg->max_bits_per_read = p->max_bits_per_read;
	if (p->max_gap && !conf_get(node, "max_gap"))
		cfg->max_gap = p->max_gap;
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

int modbus_config_parse(const struct conf_node *node, const char *profile_dir,
			struct modbus_cfg **out, struct perr *err)
{
	*out = NULL;
	struct dev_raw raw = {0};
	int rc = conf_apply(dev_options, CONF_COUNT(dev_options), node, "modbus", &raw, err);
	struct modbus_cfg *cfg = malloc(sizeof(*cfg));
	if (!cfg) {
		free(raw.address);
		free(raw.profile);
		return perr_setc(err, -ENOMEM, "out of memory");
	}
	*cfg = raw.cfg;
	if (rc == 0)
		rc = parse_transport(cfg, &raw, node, err);
	free(raw.address);
	if (rc == 0)
		rc = apply_profile(cfg, raw.profile, profile_dir, node, err);
	free(raw.profile);
	if (rc == 0)
		rc = parse_fields(cfg, raw.fields, node, err);
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
		modbus_field_free(&cfg->fields[i]);
	free(cfg->fields);
	conf_release(serial_options, CONF_COUNT(serial_options), &cfg->serial);
	free(cfg->host);
	modbus_plan_free(&cfg->plan);
	modbus_profile_set_put(cfg->profiles);
	free(cfg);
}
