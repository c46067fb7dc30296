/* The `modbus:` section: accepted shapes, defaults, every refused
 * combination with its [file:line], and the 4xxxx-notation warning. */
#include "modbus_config.h"
#include "test.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static struct conf_doc doc;

/* Parses text as the `modbus:` mapping of t.yaml. */
static int parse(const char *text, struct modbus_cfg **cfg, struct perr *err)
{
	conf_doc_free(&doc);
	int rc = conf_load_string("t.yaml", text, strlen(text), &doc, err);
	if (rc < 0)
		return rc;
	return modbus_config_parse(doc.root, NULL, cfg, err);
}

/* Expects text to be refused with a message containing want. */
static void refused(const char *text, const char *want)
{
	struct modbus_cfg *cfg = NULL;
	struct perr err = {{0}};
	int rc = parse(text, &cfg, &err);
	printf("# %s\n", err.msg);
	ASSERT_EQ_INT(rc, -EINVAL);
	ASSERT_TRUE(cfg == NULL);
	ASSERT_CONTAINS(err.msg, want);
}

#define HEAD "address: 127.0.0.1:1502\nfields:\n"

TEST(config_full_example)
{
	const char *y =
		"address: 10.0.0.20:502\n"
		"unit: 3\n"
		"timeout: 500ms\n"
		"retries: 2\n"
		"max_registers_per_read: 60\n"
		"fields:\n"
		"  - { metric: temperature, unit: celsius, table: input, address: 0, "
		"type: int16, scale: 0.1 }\n"
		"  - { metric: leak, table: discrete, address: 0, type: bool }\n"
		"  - { metric: energy, unit: kWh, table: holding, address: 100, type: float32,"
		" byte_order: big, word_order: little, kind: counter }\n"
		"  - { metric: locked, table: holding, address: 0, type: bool, bit: 15 }\n"
		"  - { metric: model, table: holding, address: 200, type: string, length: 8 }\n";
	struct modbus_cfg *cfg;
	struct perr err = {{0}};
	ASSERT_EQ_INT(parse(y, &cfg, &err), 0);
	ASSERT_EQ_STR(cfg->host, "10.0.0.20");
	ASSERT_EQ_STR(cfg->port, "502");
	ASSERT_EQ_INT(cfg->unit, 3);
	ASSERT_EQ_UINT(cfg->timeout_ms, 500);
	ASSERT_EQ_INT(cfg->retries, 2);
	ASSERT_EQ_INT(cfg->max_registers_per_read, 60);
	ASSERT_EQ_INT(cfg->max_bits_per_read, 2000);
	ASSERT_EQ_INT(cfg->max_gap, 8);
	ASSERT_EQ_INT(cfg->nfields, 5);
	const struct modbus_field *t = &cfg->fields[0], *e = &cfg->fields[2];
	ASSERT_EQ_STR(t->metric, "temperature");
	ASSERT_EQ_STR(t->unit, "celsius");
	ASSERT_EQ_INT(t->table, MODBUS_TABLE_INPUT);
	ASSERT_EQ_INT(t->type, MODBUS_T_INT16);
	/* scale 0.1 is kept as an exact divisor: 2307 / 10 is 230.7 exactly. */
	ASSERT_NEAR(t->scale, 1, 0);
	ASSERT_NEAR(t->divide, 10, 0);
	ASSERT_TRUE(2307 * t->scale / t->divide + t->offset == 230.7);
	ASSERT_NEAR(t->offset, 0, 1e-15);
	ASSERT_EQ_INT(t->kind, MODBUS_KIND_GAUGE);
	ASSERT_EQ_INT(t->bit, -1);
	ASSERT_EQ_INT(t->line, 7);
	ASSERT_EQ_INT(cfg->fields[1].kind, MODBUS_KIND_STATE);
	ASSERT_EQ_INT(e->byte_order, MODBUS_ORDER_BIG);
	ASSERT_EQ_INT(e->word_order, MODBUS_ORDER_LITTLE);
	ASSERT_EQ_INT(e->kind, MODBUS_KIND_COUNTER);
	ASSERT_EQ_INT(e->width, 2);
	ASSERT_EQ_STR(e->address_text, "100");
	ASSERT_EQ_STR(cfg->fields[3].bit_text, "15");
	ASSERT_EQ_INT(cfg->fields[4].width, 8);
	/* discrete 0 | input 0 | holding 0 | holding 100..101 | holding 200..207 */
	ASSERT_EQ_INT(cfg->plan.nreqs, 5);
	ASSERT_EQ_INT(cfg->nwarnings, 0);
	modbus_config_free(cfg);
}

TEST(config_defaults_and_transports)
{
	struct modbus_cfg *cfg;
	struct perr err = {{0}};
	ASSERT_EQ_INT(parse("address: plc.local\nfields:\n  - {metric: a, table: holding, "
			    "address: 1}\n  - {metric: b, table: coil, address: 1}\n",
			    &cfg, &err),
		      0);
	ASSERT_EQ_STR(cfg->host, "plc.local");
	ASSERT_EQ_STR(cfg->port, "502");
	ASSERT_EQ_INT(cfg->unit, 1);
	ASSERT_EQ_UINT(cfg->timeout_ms, 1000);
	ASSERT_EQ_INT(cfg->retries, 1);
	ASSERT_EQ_INT(cfg->fields[0].type, MODBUS_T_UINT16);
	ASSERT_EQ_INT(cfg->fields[1].type, MODBUS_T_BOOL);
	modbus_config_free(cfg);
	ASSERT_EQ_INT(parse("address: \"[::1]:1502\"\nfields:\n  - {metric: a, table: input, "
			    "address: 0}\n",
			    &cfg, &err),
		      0);
	ASSERT_EQ_STR(cfg->host, "::1");
	ASSERT_EQ_STR(cfg->port, "1502");
	modbus_config_free(cfg);
	ASSERT_EQ_INT(parse("serial: { device: /dev/ttyUSB0, baud: 19200, parity: E }\n"
			    "unit: 7\nfields:\n  - {metric: a, table: input, address: 0}\n",
			    &cfg, &err),
		      0);
	ASSERT_TRUE(cfg->host == NULL);
	ASSERT_EQ_STR(cfg->serial.device, "/dev/ttyUSB0");
	ASSERT_EQ_INT(cfg->serial.baud, 19200);
	ASSERT_EQ_INT(cfg->serial.parity, 1);
	ASSERT_EQ_INT(cfg->serial.data_bits, 8);
	ASSERT_EQ_INT(cfg->serial.stop_bits, 1);
	modbus_config_free(cfg);
}

TEST(config_refuses_unknown_keys)
{
	refused(HEAD "  - {metric: a, table: input, adress: 0}\n",
		"[t.yaml:3] unknown key 'adress'");
	refused("address: h:1\ntimeout_ms: 5\nfields: []\n", "[t.yaml:2] unknown key 'timeout_ms'");
	refused(HEAD "  - {metric: a, table: inputs, address: 0}\n", "[t.yaml:3]");
	refused(HEAD "  - {metric: a, table: input, address: 0, type: float16}\n", "float16");
	refused(HEAD
		"  - {metric: a, table: holding, address: 0, type: int32, byte_order: middle}\n",
		"[t.yaml:3] modbus field.byte_order: 'middle' is not one of: big, little");
	refused(HEAD "  - {table: input, address: 0}\n", "required key 'metric'");
	refused(HEAD "  - {metric: a, table: input}\n", "required key 'address'");
	refused("address: h:1\n", "needs fields, a profile, or both");
}

TEST(config_refuses_bad_combinations)
{
	refused(HEAD "  - {metric: a, table: coil, address: 0, type: bool, bit: 3}\n",
		"[t.yaml:3] bit picks a bit of a register; a coil is already one bit");
	refused(HEAD "  - {metric: a, table: discrete, address: 0, type: int16}\n",
		"type must be bool");
	refused(HEAD "  - {metric: a, table: holding, address: 0, type: int16, bit: 3}\n",
		"bit needs type bool");
	refused(HEAD "  - {metric: a, table: holding, address: 0, type: bool, bit: 16}\n",
		"out of range (0 to 15)");
	refused(HEAD "  - {metric: a, table: holding, address: 0, type: int16, length: 4}\n",
		"[t.yaml:3] length is only for type string");
	refused(HEAD "  - {metric: a, table: holding, address: 0, type: string}\n",
		"[t.yaml:3] type string needs length");
	refused(HEAD
		"  - {metric: a, table: holding, address: 0, type: int16, word_order: little}\n",
		"word_order needs a type of two or more registers");
	refused(HEAD "  - {metric: a, table: holding, address: 0, type: bool, scale: 2}\n",
		"scale is only for numeric types");
	refused(HEAD "  - {metric: a, table: holding, address: 0, type: string, length: 2, "
		     "word_order: little}\n",
		"word_order");
	refused(HEAD "  - {metric: a, table: holding, address: 0, type: bool, bit: 1, "
		     "byte_order: little}\n",
		"byte_order has no meaning");
	refused(HEAD "  - {metric: a, table: coil, address: 0, byte_order: little}\n",
		"byte_order has no meaning");
	refused(HEAD "  - {metric: a, table: input, address: 0}\n"
		     "  - {metric: a, table: input, address: 0}\n",
		"[t.yaml:4] a is the same field as line 3");
	refused(HEAD "  - {metric: '', table: input, address: 0}\n", "metric must not be empty");
}

TEST(config_refuses_out_of_range)
{
	refused(HEAD "  - {metric: a, table: holding, address: 65535, type: float32}\n",
		"[t.yaml:3] a at address 65535 is 2 wide and runs past 65535");
	refused(HEAD "  - {metric: a, table: holding, address: 65536}\n", "out of range");
	refused(HEAD "  - {metric: a, table: holding, address: -1}\n", "out of range");
	refused("address: h:1\nmax_registers_per_read: 1\nfields:\n"
		"  - {metric: a, table: holding, address: 0, type: float32}\n",
		"[t.yaml:4] a is 2 registers wide but max_registers_per_read is 1");
	refused("address: h:1\nmax_registers_per_read: 0\nfields: []\n", "out of range (1 to 125)");
	refused("address: h:1\nmax_registers_per_read: 126\nfields: []\n", "out of range");
	refused(HEAD "  - {metric: a, table: holding, address: 0, type: string, length: 126}\n",
		"out of range (1 to 125)");
	refused("address: h:1\nfields: []\n", "non-empty list");
}

TEST(config_refuses_bad_transports)
{
	refused("fields:\n  - {metric: a, table: input, address: 0}\n",
		"[t.yaml:1] modbus needs exactly one of address or serial");
	refused("address: h:1\nserial: {device: /dev/x}\nfields:\n"
		"  - {metric: a, table: input, address: 0}\n",
		"exactly one of address or serial");
	refused("address: h:70000\nfields:\n  - {metric: a, table: input, address: 0}\n",
		"[t.yaml:1] modbus.address 'h:70000' is not host:port");
	refused("address: ':502'\nfields:\n  - {metric: a, table: input, address: 0}\n",
		"is not host:port");
	refused("address: fe80::1\nfields:\n  - {metric: a, table: input, address: 0}\n",
		"[addr]:port");
	refused("address: h\nunit: 250\nfields:\n  - {metric: a, table: input, address: 0}\n",
		"[t.yaml:2] modbus.unit must be 0..247 or 255");
	refused("serial: {device: /dev/x}\nunit: 0\nfields:\n"
		"  - {metric: a, table: input, address: 0}\n",
		"1..247 on a serial line");
	refused("serial: {device: /dev/x, parity: X}\nfields:\n"
		"  - {metric: a, table: input, address: 0}\n",
		"'X' is not one of: N, E, O");
	refused("address: h\ntimeout: 1\nfields:\n  - {metric: a, table: input, address: 0}\n",
		"timeout");
}

/* Runs a parse with stderr captured into out. */
static int parse_capturing(const char *text, struct modbus_cfg **cfg, char *out, size_t size)
{
	struct perr err = {{0}};
	fflush(stderr);
	int saved = dup(2);
	FILE *tmp = tmpfile();
	ASSERT_TRUE(saved >= 0 && tmp);
	dup2(fileno(tmp), 2);
	int rc = parse(text, cfg, &err);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(tmp);
	size_t n = fread(out, 1, size - 1, tmp);
	out[n] = '\0';
	fclose(tmp);
	return rc;
}

TEST(config_warns_about_register_notation)
{
	char log[2048];
	struct modbus_cfg *cfg;
	int rc = parse_capturing(HEAD "  - {metric: a, table: input, address: 0}\n"
				      "  - {metric: energy, table: holding, address: 40001}\n"
				      "  - {metric: t, table: input, address: 30010}\n",
				 &cfg, log, sizeof(log));
	for (const char *l = log; *l;) {
		const char *nl = strchr(l, '\n');
		int len = nl ? (int)(nl - l) : (int)strlen(l);
		printf("# %.*s\n", len, l);
		l += len + (nl ? 1 : 0);
	}
	ASSERT_EQ_INT(rc, 0); /* a warning, not an error */
	ASSERT_EQ_INT(cfg->nwarnings, 2);
	ASSERT_CONTAINS(log, "WARN modbus: [t.yaml:4] energy: holding address 40001 looks like");
	ASSERT_CONTAINS(log, "0-based protocol addresses (register 40001 is address 0)");
	ASSERT_CONTAINS(log, "[t.yaml:5] t: input address 30010");
	ASSERT_CONTAINS(log, "(register 30010 is address 9)");
	modbus_config_free(cfg);
	/* Holding 30001 and input 40001 are not the notation of their table. */
	rc = parse_capturing(HEAD "  - {metric: a, table: holding, address: 30001}\n"
				  "  - {metric: b, table: input, address: 40001}\n"
				  "  - {metric: c, table: holding, address: 40000}\n",
			     &cfg, log, sizeof(log));
	ASSERT_EQ_INT(rc, 0);
	ASSERT_EQ_INT(cfg->nwarnings, 0);
	ASSERT_EQ_STR(log, "");
	modbus_config_free(cfg);
}

TEST(config_notation_hint)
{
	ASSERT_EQ_INT(modbus_config_notation_hint(MODBUS_TABLE_HOLDING, 40001), 0);
	ASSERT_EQ_INT(modbus_config_notation_hint(MODBUS_TABLE_HOLDING, 49999), 9998);
	ASSERT_EQ_INT(modbus_config_notation_hint(MODBUS_TABLE_HOLDING, 50000), -1);
	ASSERT_EQ_INT(modbus_config_notation_hint(MODBUS_TABLE_INPUT, 30001), 0);
	ASSERT_EQ_INT(modbus_config_notation_hint(MODBUS_TABLE_INPUT, 40001), -1);
	ASSERT_EQ_INT(modbus_config_notation_hint(MODBUS_TABLE_DISCRETE, 10001), 0);
	ASSERT_EQ_INT(modbus_config_notation_hint(MODBUS_TABLE_COIL, 1), -1);
}

static void cleanup(void)
{
	conf_doc_free(&doc);
}

TEST(config_cleanup)
{
	cleanup();
	ASSERT_TRUE(doc.root == NULL);
}

TEST_MAIN(config_full_example, config_defaults_and_transports, config_refuses_unknown_keys,
	  config_refuses_bad_combinations, config_refuses_out_of_range,
	  config_refuses_bad_transports, config_warns_about_register_notation, config_notation_hint,
	  config_cleanup)
