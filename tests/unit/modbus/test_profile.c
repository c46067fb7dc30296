/* Modbus profiles: parsing with [file:line] errors, states and invalid
 * values, a directory's set, and a device that names a profile (fields
 * merged, read limits overridden, duplicates refused). */
#include "modbus_config.h"
#include "modbus_profile.h"
#include "test.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const genset =
	"name: test-genset\n"
	"description: two registers and a state\n"
	"max_registers_per_read: 4\n"
	"fields:\n"
	"  - metric: genset.engine.state\n"
	"    table: holding\n"
	"    address: 10\n"
	"    states: { 0: stopped, 1: running, 7: fault }\n"
	"  - { metric: genset.oil.pressure, unit: kPa, table: holding, address: 11, "
	"invalid: [65535, 65534] }\n"
	"  - { metric: genset.run.hours, unit: s, table: holding, address: 20, type: uint32, "
	"kind: counter }\n";

static struct conf_doc doc;

static int parse_profile(const char *text, struct modbus_profile *p, struct perr *err)
{
	conf_doc_free(&doc);
	int rc = conf_load_string("p.yaml", text, strlen(text), &doc, err);
	return rc < 0 ? rc : modbus_profile_parse(doc.root, p, err);
}

static void profile_refused(const char *text, const char *want)
{
	struct modbus_profile p;
	struct perr err = {{0}};
	int rc = parse_profile(text, &p, &err);
	printf("# %s\n", err.msg);
	ASSERT_EQ_INT(rc, -EINVAL);
	ASSERT_CONTAINS(err.msg, want);
}

TEST(profile_parses_fields_states_and_invalid)
{
	struct modbus_profile p;
	struct perr err = {{0}};
	ASSERT_EQ_INT(parse_profile(genset, &p, &err), 0);
	ASSERT_EQ_STR(p.name, "test-genset");
	ASSERT_EQ_STR(p.file, "p.yaml");
	ASSERT_EQ_INT(p.max_registers_per_read, 4);
	ASSERT_EQ_INT(p.max_bits_per_read, 0);
	ASSERT_EQ_UINT(p.nfields, 3);
	const struct modbus_field *st = &p.fields[0];
	ASSERT_EQ_INT(st->kind, MODBUS_KIND_STATE);
	ASSERT_EQ_UINT(st->nstates, 3);
	ASSERT_EQ_STR(modbus_field_state_name(st, 7), "fault");
	ASSERT_EQ_STR(modbus_field_state_name(st, 1), "running");
	ASSERT_TRUE(modbus_field_state_name(st, 2) == NULL);
	ASSERT_TRUE(modbus_field_is_invalid(&p.fields[1], 65535));
	ASSERT_TRUE(modbus_field_is_invalid(&p.fields[1], 65534));
	ASSERT_TRUE(!modbus_field_is_invalid(&p.fields[1], 65533));
	ASSERT_EQ_INT(p.fields[2].kind, MODBUS_KIND_COUNTER);
	ASSERT_EQ_UINT(p.fields[2].width, 2);
	modbus_profile_free(&p);
}

TEST(profile_refusals_name_file_and_line)
{
	profile_refused("description: x\nfields:\n  - {metric: a, table: input, address: 0}\n",
			"required key 'name'");
	profile_refused("name: Bad Name\nfields:\n  - {metric: a, table: input, address: 0}\n",
			"[p.yaml:1] profile.name: 'Bad Name'");
	profile_refused("name: x\n", "required key 'fields'");
	profile_refused("name: x\nfields: []\n", "[p.yaml:2] fields must be a non-empty list");
	profile_refused("name: x\nfields:\n  - {metric: a, table: input, address: 0}\n"
			"  - {metric: b, table: input, adress: 1}\n",
			"[p.yaml:4] unknown key 'adress'");
	profile_refused("name: x\nfields:\n  - metric: a\n    table: input\n    address: 0\n"
			"    states: { zero: off }\n",
			"[p.yaml:6] states: 'zero' is not an integer");
	profile_refused("name: x\nfields:\n  - {metric: a, table: input, address: 0, "
			"kind: gauge, states: {0: off}}\n",
			"[p.yaml:3] states name the values of kind state");
	profile_refused("name: x\nfields:\n  - {metric: a, table: input, address: 0, "
			"type: float32, states: {0: off}}\n",
			"[p.yaml:3] kind state needs an integer type");
	profile_refused("name: x\nfields:\n  - {metric: a, table: input, address: 0, "
			"states: {0: off}, scale: 0.1}\n",
			"a state takes no scale, divide or offset");
	profile_refused("name: x\nfields:\n  - {metric: a, table: coil, address: 0, "
			"invalid: [1]}\n",
			"invalid is only for numeric types");
	profile_refused("name: x\nfields:\n  - {metric: a, table: input, address: 0, "
			"invalid: [nope]}\n",
			"[p.yaml:3] invalid: not a number");
	profile_refused("name: x\nfields:\n  - {metric: a, table: input, address: 0, bits: 4}\n",
			"[p.yaml:3] bits (2..16) needs bit and type uint16");
	profile_refused("name: x\nfields:\n  - {metric: a, table: input, address: 0, type: bool, "
			"bit: 0, bits: 4}\n",
			"bits (2..16) needs bit and type uint16");
	profile_refused("name: x\nfields:\n  - {metric: a, table: input, address: 0, type: uint16, "
			"bit: 14, bits: 4}\n",
			"[p.yaml:3] bits 14 to 17 run past bit 15");
	profile_refused("name: x\nfields:\n  - {metric: a, table: input, address: 0}\n"
			"  - {metric: a, table: input, address: 0}\n",
			"[p.yaml:4] a is the same field as line 3");
	profile_refused("name: x\nmax_registers_per_read: 1\nfields:\n"
			"  - {metric: a, table: input, address: 0, type: float32}\n",
			"[p.yaml:4] a is 2 registers wide but max_registers_per_read is 1");
}

/* A profile directory under /tmp with the given files in modbus/. */
static void make_dir(char *dir, size_t size, const char *const *names,
		     const char *const *texts, size_t n)
{
	snprintf(dir, size, "/tmp/pantau-mbprof-XXXXXX");
	ASSERT_TRUE(mkdtemp(dir) != NULL);
	char path[512];
	snprintf(path, sizeof(path), "%s/modbus", dir);
	ASSERT_EQ_INT(mkdir(path, 0700), 0);
	for (size_t i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/modbus/%s", dir, names[i]);
		FILE *f = fopen(path, "w");
		ASSERT_TRUE(f != NULL);
		fputs(texts[i], f);
		fclose(f);
	}
}

static void remove_dir(const char *dir, const char *const *names, size_t n)
{
	char path[512];
	for (size_t i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/modbus/%s", dir, names[i]);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/modbus", dir);
	rmdir(path);
	rmdir(dir);
}

static int parse_device(const char *text, const char *dir, struct modbus_cfg **cfg,
			struct perr *err)
{
	conf_doc_free(&doc);
	int rc = conf_load_string("a.yaml", text, strlen(text), &doc, err);
	return rc < 0 ? rc : modbus_config_parse(doc.root, dir, cfg, err);
}

TEST(profile_used_by_a_device)
{
	const char *names[] = {"genset.yaml", "notes.txt"};
	const char *texts[] = {genset, "not a profile"};
	char dir[64];
	make_dir(dir, sizeof(dir), names, texts, 2);
	struct modbus_cfg *cfg;
	struct perr err = {{0}};
	/* The profile's limit (4) applies; the device adds a field. */
	int rc = parse_device("address: h:1\nprofile: test-genset\nfields:\n"
			      "  - {metric: extra, table: input, address: 3}\n",
			      dir, &cfg, &err);
	printf("# %s\n", err.msg);
	ASSERT_EQ_INT(rc, 0);
	ASSERT_EQ_UINT(cfg->nfields, 4);
	ASSERT_EQ_STR(cfg->fields[0].metric, "genset.engine.state");
	ASSERT_EQ_STR(modbus_field_state_name(&cfg->fields[0], 0), "stopped");
	ASSERT_EQ_STR(cfg->fields[3].metric, "extra");
	ASSERT_EQ_INT(cfg->max_registers_per_read, 4);
	/* holding 10..11 in one read and 20..21 in another (the profile's
	 * limit of 4 registers keeps them apart), input 3 alone. */
	ASSERT_EQ_UINT(cfg->plan.nreqs, 3);
	modbus_config_free(cfg);

	/* The device's own limit wins; the profile alone is enough. */
	ASSERT_EQ_INT(parse_device("address: h:1\nprofile: test-genset\nmax_registers_per_read: 1\n",
				   dir, &cfg, &err),
		      -EINVAL);
	printf("# %s\n", err.msg);
	ASSERT_CONTAINS(err.msg, "[a.yaml:2] profile test-genset: genset.run.hours");
	ASSERT_CONTAINS(err.msg, "genset.yaml:10]) is 2 registers wide");
	ASSERT_EQ_INT(parse_device("address: h:1\nprofile: test-genset\nmax_registers_per_read: 60\n",
				   dir, &cfg, &err),
		      0);
	ASSERT_EQ_INT(cfg->max_registers_per_read, 60);
	ASSERT_EQ_UINT(cfg->plan.nreqs, 1);
	modbus_config_free(cfg);

	/* A device field that repeats a profile field says where that one is. */
	ASSERT_EQ_INT(parse_device("address: h:1\nprofile: test-genset\nfields:\n"
				   "  - {metric: genset.oil.pressure, table: holding, address: 11}\n",
				   dir, &cfg, &err),
		      -EINVAL);
	printf("# %s\n", err.msg);
	ASSERT_CONTAINS(err.msg, "[a.yaml:4] genset.oil.pressure is the same field as");
	ASSERT_CONTAINS(err.msg, "(profile test-genset)");

	ASSERT_EQ_INT(parse_device("address: h:1\nprofile: nope\n", dir, &cfg, &err), -EINVAL);
	printf("# %s\n", err.msg);
	ASSERT_CONTAINS(err.msg, "[a.yaml:2] modbus.profile: unknown Modbus profile 'nope'");
	ASSERT_CONTAINS(err.msg, "(known: test-genset)");
	ASSERT_EQ_INT(parse_device("address: h:1\n", dir, &cfg, &err), -EINVAL);
	ASSERT_CONTAINS(err.msg, "modbus needs fields, a profile, or both");
	remove_dir(dir, names, 2);
}

TEST(profile_set_broken_file_fails_the_set)
{
	const char *names[] = {"a.yaml", "b.yaml"};
	const char *texts[] = {genset, "name: b\nfields:\n  - {metric: x, table: holding, "
				       "address: 0, type: int17}\n"};
	char dir[64];
	make_dir(dir, sizeof(dir), names, texts, 2);
	struct modbus_profile_set *set;
	struct perr err = {{0}};
	ASSERT_EQ_INT(modbus_profile_set_get(dir, &set, &err), -EINVAL);
	printf("# %s\n", err.msg);
	ASSERT_CONTAINS(err.msg, "/modbus/b.yaml:3] modbus field.type: 'int17'");
	/* A device without a profile still fails: a typo never goes unnoticed. */
	struct modbus_cfg *cfg;
	ASSERT_EQ_INT(parse_device("address: h:1\nfields:\n  - {metric: a, table: input, "
				   "address: 0}\n",
				   dir, &cfg, &err),
		      -EINVAL);
	ASSERT_CONTAINS(err.msg, "b.yaml:3]");
	remove_dir(dir, names, 2);

	/* Two files with one name. */
	const char *dup_texts[] = {genset, genset};
	make_dir(dir, sizeof(dir), names, dup_texts, 2);
	ASSERT_EQ_INT(modbus_profile_set_get(dir, &set, &err), -EINVAL);
	ASSERT_CONTAINS(err.msg, "profile name 'test-genset' is already used by");
	remove_dir(dir, names, 2);

	/* No modbus/ folder at all: an empty set, shared by reference. */
	struct modbus_profile_set *s2;
	ASSERT_EQ_INT(modbus_profile_set_get("/nonexistent-pantau", &set, &err), 0);
	ASSERT_EQ_INT(modbus_profile_set_get("/nonexistent-pantau", &s2, &err), 0);
	ASSERT_TRUE(set == s2 && set->n == 0 && set->base.refs == 2);
	modbus_profile_set_put(s2);
	modbus_profile_set_put(set);
}

TEST(profile_cleanup)
{
	conf_doc_free(&doc);
}

TEST_MAIN(profile_parses_fields_states_and_invalid, profile_refusals_name_file_and_line,
	  profile_used_by_a_device, profile_set_broken_file_fails_the_set, profile_cleanup)
