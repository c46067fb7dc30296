#include "config.h"
#include "log.h"
#include "spool.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#ifndef PANTAU_PROFILE_DIR
#define PANTAU_PROFILE_DIR "/usr/local/share/pantau/profiles"
#endif

/* deploy/rules/tier2.yaml's device_unreachable names these kinds (every
 * kind but the backup pseudo-devices): keep the two lists together. */
const char *const agent_device_kinds[] = {
	"ups",	  "cooling", "genset",	 "ats",	   "ems",   "pdu", "router",
	"switch", "ap",	     "firewall", "server", "other", NULL,
};

#define A(field) offsetof(struct agent_config, field)

static const struct conf_option agent_options[] = {
	{"id", CONF_T_STRING, A(id), .required = true},
	{"site", CONF_T_STRING, A(site), .dflt = ""},
	{"interval", CONF_T_DURATION, A(interval_ms), .dflt = "10s", .min = 100, .max = 86400000},
	{"profile_dir", CONF_T_STRING, A(profile_dir), .dflt = PANTAU_PROFILE_DIR},
	{"workers", CONF_T_INT, A(workers), .dflt = "4", .min = 1, .max = 256},
	{"log_level", CONF_T_STRING, A(log_level), .dflt = "info"},
	{"metrics_listen", CONF_T_STRING, A(metrics_listen), .dflt = ""},
};

#ifndef PANTAU_SPOOL_DIR
#define PANTAU_SPOOL_DIR "/var/lib/pantau/spool"
#endif

static const struct conf_option spool_options[] = {
	{"dir", CONF_T_STRING, A(spool_dir), .dflt = PANTAU_SPOOL_DIR},
	{"max_size", CONF_T_SIZE, A(spool_max_size), .dflt = "1GiB", .min = 256 * 1024,
	 .max = (int64_t)1 << 50},
	{"fsync", CONF_T_STRING, A(spool_fsync), .dflt = "1s"},
};

static const struct conf_option collector_options[] = {
	{"address", CONF_T_STRING, A(collector_address), .required = true},
	{"plaintext", CONF_T_BOOL, A(collector_plaintext), .dflt = "false"},
	{"batch_max_delay", CONF_T_DURATION, A(batch_max_delay_ms), .dflt = "1s", .min = 1,
	 .max = 60000},
	{"batch_max_samples", CONF_T_INT, A(batch_max_samples), .dflt = "5000", .min = 1,
	 .max = 100000},
	{"max_buffer", CONF_T_SIZE, A(max_buffer), .dflt = "64MiB", .min = 65536,
	 .max = (int64_t)1 << 40},
	{"tls", CONF_T_NODE, A(tls_node)},
};

/* collector.tls: mutual TLS 1.3, the default (see common/tls.h). */
static const struct conf_option tls_options[] = {
	{"ca", CONF_T_STRING, A(tls.ca), .required = true},
	{"cert", CONF_T_STRING, A(tls.cert), .required = true},
	{"key", CONF_T_STRING, A(tls.key), .required = true},
	{"crl", CONF_T_STRING, A(tls.crl), .dflt = ""},
	{"server_name", CONF_T_STRING, A(tls_server_name), .dflt = ""},
};

#undef A

static bool is_loopback_host(const char *addr)
{
	return strncmp(addr, "127.", 4) == 0 || strncmp(addr, "localhost:", 10) == 0 ||
	       strncmp(addr, "[::1]:", 6) == 0;
}

/* Mutual TLS unless plaintext: true with a loopback collector address.
 * Relative certificate paths are taken from the config file's directory. */
static int load_transport(struct agent *a, const struct conf_node *node, struct perr *err)
{
	struct agent_config *c = &a->cfg;
	const struct conf_node *pt = conf_get(node, "plaintext");
	if (c->collector_plaintext && !is_loopback_host(c->collector_address))
		return conf_error(err, pt ? pt : node,
				  "collector: pantau only sends in plaintext to a loopback "
				  "collector (127.0.0.1:PORT, [::1]:PORT or localhost:PORT); "
				  "for %s remove 'plaintext: true' and configure "
				  "tls: { ca, cert, key }",
				  c->collector_address);
	if (c->collector_plaintext && c->tls_node)
		return conf_error(err, pt,
				  "collector: 'plaintext: true' and a 'tls' section contradict "
				  "each other; remove one");
	if (c->collector_plaintext)
		return 0;
	if (!c->tls_node)
		return conf_error(err, node,
				  "collector: mutual TLS is the default and needs "
				  "tls: { ca: ca.pem, cert: agent.pem, key: agent.key } (make them "
				  "with 'pantauctl certs'); or, with a loopback collector only, "
				  "plaintext: true");
	if (c->tls_node->kind != CONF_MAP)
		return conf_error(err, c->tls_node,
				  "collector.tls must be a mapping with ca, cert and key");
	int rc = conf_apply(tls_options, CONF_COUNT(tls_options), c->tls_node, "collector.tls", c,
			    err);
	if (rc == 0 && ((rc = tls_resolve_path(&c->tls.ca, a->config_path)) < 0 ||
			(rc = tls_resolve_path(&c->tls.cert, a->config_path)) < 0 ||
			(rc = tls_resolve_path(&c->tls.key, a->config_path)) < 0 ||
			(rc = tls_resolve_path(&c->tls.crl, a->config_path)) < 0))
		return perr_setc(err, rc, "out of memory");
	return rc;
}

static int load_collector(struct agent *a, const struct conf_node *node, bool once,
			  struct perr *err)
{
	/* Defaults apply even without the section (--once does not send). */
	int rc = conf_apply(collector_options, CONF_COUNT(collector_options) - 1, NULL, "collector",
			    &a->cfg, err);
	if (rc < 0 || (!node && once))
		return rc;
	if (!node)
		return perr_set(err,
				"[%s] collector.address is required (only --once runs "
				"without a collector)",
				a->config_path);
	rc = conf_apply(collector_options, CONF_COUNT(collector_options), node, "collector",
			&a->cfg, err);
	if (rc < 0)
		return rc;
	rc = load_transport(a, node, err);
	a->cfg.tls_node = NULL; /* points into the document */
	return rc;
}

enum { MAX_POLLERS = 8 };

struct device_section {
	char *name;
	int kind;
	uint64_t interval_ms;
	bool enabled;
	const struct conf_node *profiles;
	const struct conf_node *poller_nodes[MAX_POLLERS];
};

#define D(field) offsetof(struct device_section, field)

/* The device keys the core reads; build_device_table adds one key per poller. */
static const struct conf_option device_options[] = {
	{"name", CONF_T_STRING, D(name), .required = true},
	{"kind", CONF_T_ENUM, D(kind), .dflt = "other", .names = agent_device_kinds},
	{"interval", CONF_T_DURATION, D(interval_ms), .dflt = "0s", .min = 0, .max = 86400000},
	{"enabled", CONF_T_BOOL, D(enabled), .dflt = "true"},
	{"profiles", CONF_T_NODE, D(profiles)},
};

static size_t build_device_table(struct conf_option *table)
{
	size_t n = CONF_COUNT(device_options);
	memcpy(table, device_options, sizeof(device_options));
	for (size_t i = 0; pollers[i] && i < MAX_POLLERS; i++) {
		table[n++] = (struct conf_option){
			.name = pollers[i]->name,
			.type = CONF_T_NODE,
			.offset = D(poller_nodes) + i * sizeof(const struct conf_node *),
		};
	}
	return n;
}

#undef D

static int pick_poller(const struct device_section *sec, const struct conf_node *node,
		       size_t *which, struct perr *err)
{
	size_t found = 0;
	for (size_t i = 0; pollers[i] && i < MAX_POLLERS; i++) {
		if (!sec->poller_nodes[i])
			continue;
		if (found++)
			return conf_error(err, sec->poller_nodes[i],
					  "device '%s' has more than one protocol section; "
					  "make one device per protocol",
					  sec->name);
		*which = i;
	}
	if (!found)
		return conf_error(err, node, "device '%s' has no protocol section (snmp, modbus or probe)",
				  sec->name);
	return 0;
}

static int add_device(struct agent *a, struct device *dev)
{
	struct device **p = realloc(a->devices, (a->ndevices + 1) * sizeof(*p));
	if (!p)
		return -ENOMEM;
	a->devices = p;
	a->devices[a->ndevices++] = dev;
	return 0;
}

static int load_device(struct agent *a, const struct conf_node *node, struct perr *err)
{
	struct conf_option table[CONF_COUNT(device_options) + MAX_POLLERS];
	size_t n = build_device_table(table);
	struct device_section sec = {0};
	int rc = conf_apply(table, n, node, "device", &sec, err);
	size_t which = 0;
	if (rc == 0)
		rc = pick_poller(&sec, node, &which, err);
	for (size_t i = 0; rc == 0 && i < a->ndevices; i++) {
		if (strcmp(a->devices[i]->name, sec.name) == 0)
			rc = conf_error(err, node, "device name '%s' is used twice", sec.name);
	}
	if (rc < 0 || !sec.enabled) {
		free(sec.name);
		return rc;
	}
	struct device *dev = calloc(1, sizeof(*dev));
	if (!dev) {
		free(sec.name);
		return perr_setc(err, -ENOMEM, "out of memory");
	}
	dev->agent = a;
	dev->name = sec.name;
	dev->kind = strdup(agent_device_kinds[sec.kind]);
	dev->interval_ms = sec.interval_ms ? sec.interval_ms : a->cfg.interval_ms;
	dev->ops = pollers[which];
	if ((rc = add_device(a, dev)) < 0 || !dev->kind) {
		free(dev->name);
		free(dev->kind);
		free(dev);
		return perr_setc(err, -ENOMEM, "out of memory");
	}
	return dev->ops->parse(dev, sec.poller_nodes[which], node, err);
}

static int load_devices(struct agent *a, const struct conf_node *list, struct perr *err)
{
	if (!list)
		return 0;
	if (list->kind != CONF_SEQ)
		return conf_error(err, list, "devices must be a list (each item starts with '- ')");
	for (size_t i = 0; i < list->n; i++) {
		int rc = load_device(a, list->items[i], err);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int check_top_level(const struct conf_node *root, struct perr *err)
{
	static const char *const known[] = {"agent", "collector", "devices", "spool", "backups"};
	if (!root || root->kind != CONF_MAP)
		return conf_error(err, root,
				  "the configuration must be a mapping with an "
				  "'agent' section");
	for (size_t i = 0; i < root->n; i++) {
		bool ok = false;
		for (size_t k = 0; k < CONF_COUNT(known); k++)
			ok = ok || strcmp(root->pairs[i].key, known[k]) == 0;
		if (!ok) {
			struct conf_node at = {.file = root->file, .line = root->pairs[i].line};
			return conf_error(err, &at,
					  "unknown section '%s' (known: agent, collector, devices, "
					  "spool, backups)",
					  root->pairs[i].key);
		}
	}
	return 0;
}

/* spool: { dir, max_size, fsync: always | never | a duration }. Every batch
 * goes through the spool; without the section the defaults apply. */
static int load_spool(struct agent *a, const struct conf_node *node, struct perr *err)
{
	struct agent_config *c = &a->cfg;
	int rc = conf_apply(spool_options, CONF_COUNT(spool_options), node, "spool", c, err);
	if (rc < 0)
		return rc;
	const struct conf_node *at = node ? conf_get(node, "fsync") : NULL;
	if (strcmp(c->spool_fsync, "always") == 0) {
		c->spool_fsync_mode = SPOOL_FSYNC_ALWAYS;
	} else if (strcmp(c->spool_fsync, "never") == 0) {
		c->spool_fsync_mode = SPOOL_FSYNC_NEVER;
	} else if (conf_parse_duration_ms(c->spool_fsync, &c->spool_fsync_ms) == 0 &&
		   c->spool_fsync_ms >= 10 && c->spool_fsync_ms <= 3600000) {
		c->spool_fsync_mode = SPOOL_FSYNC_INTERVAL;
	} else {
		return conf_error(err, at ? at : node,
				  "spool.fsync: '%s' is not 'always', 'never' or a duration "
				  "between 10ms and 1h (e.g. 1s)",
				  c->spool_fsync);
	}
	if (!c->spool_dir[0])
		return conf_error(err, node, "spool.dir must not be empty");
	return 0;
}

/* backups: each job becomes a pseudo-device named after it, of kind
 * "backup", polled by poll_backup (see backup_config.h). */
static int load_backup(struct agent *a, const struct conf_node *item, struct perr *err)
{
	const struct conf_node *name = item->kind == CONF_MAP ? conf_get(item, "name") : NULL;
	if (!name || name->kind != CONF_SCALAR || !name->scalar[0])
		return conf_error(err, item, "every backups job needs a name");
	for (size_t i = 0; i < a->ndevices; i++) {
		if (strcmp(a->devices[i]->name, name->scalar) == 0)
			return conf_error(err, name,
					  "backups: '%s' is already the name of a device or job",
					  name->scalar);
	}
	struct device *dev = calloc(1, sizeof(*dev));
	if (!dev)
		return perr_setc(err, -ENOMEM, "out of memory");
	dev->agent = a;
	dev->name = strdup(name->scalar);
	dev->kind = strdup("backup");
	dev->interval_ms = a->cfg.interval_ms;
	dev->ops = &poll_backup_ops;
	if (!dev->name || !dev->kind || add_device(a, dev) < 0) {
		free(dev->name);
		free(dev->kind);
		free(dev);
		return perr_setc(err, -ENOMEM, "out of memory");
	}
	return dev->ops->parse(dev, item, item, err);
}

static int load_backups(struct agent *a, const struct conf_node *list, struct perr *err)
{
	if (!list)
		return 0;
	if (list->kind != CONF_SEQ)
		return conf_error(err, list, "backups must be a list (each job starts with '- ')");
	for (size_t i = 0; i < list->n; i++) {
		int rc = load_backup(a, list->items[i], err);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int agent_config_load(struct agent *a, const char *path, bool once, struct perr *err)
{
	a->config_path = path;
	int rc = conf_load_file(path, &a->doc, err);
	if (rc < 0)
		return rc;
	const struct conf_node *root = a->doc.root;
	if ((rc = check_top_level(root, err)) < 0)
		return rc;
	const struct conf_node *agent = conf_get(root, "agent");
	if (!agent)
		return conf_error(err, root, "the 'agent' section is missing");
	rc = conf_apply(agent_options, CONF_COUNT(agent_options), agent, "agent", &a->cfg, err);
	if (rc == 0)
		rc = load_spool(a, conf_get(root, "spool"), err);
	if (rc == 0)
		rc = load_collector(a, conf_get(root, "collector"), once, err);
	if (rc == 0)
		rc = load_devices(a, conf_get(root, "devices"), err);
	if (rc == 0)
		rc = load_backups(a, conf_get(root, "backups"), err);
	return rc;
}

void agent_config_free(struct agent *a)
{
	for (size_t i = 0; i < a->ndevices; i++) {
		struct device *dev = a->devices[i];
		if (dev->cfg && dev->ops->free_cfg)
			dev->ops->free_cfg(dev->cfg);
		free(dev->name);
		free(dev->kind);
		free(dev);
	}
	free(a->devices);
	a->devices = NULL;
	a->ndevices = 0;
	conf_release(agent_options, CONF_COUNT(agent_options), &a->cfg);
	conf_release(collector_options, CONF_COUNT(collector_options), &a->cfg);
	conf_release(spool_options, CONF_COUNT(spool_options), &a->cfg);
	conf_release(tls_options, CONF_COUNT(tls_options), &a->cfg);
	conf_doc_free(&a->doc);
}
