/* Parsing of one `backups:` job; see backup_config.h. */
#include "backup_config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *const checksum_names[] = {"none", "sha256", NULL};

struct job_raw {
	char *name;
	char *path;
	const struct conf_node *command;
	uint64_t rpo_ms, max_age_ms;
	uint64_t min_size, max_size;
	int checksum;
	uint64_t interval_ms, timeout_ms;
};

#define J(f) offsetof(struct job_raw, f)

static const struct conf_option job_options[] = {
	{"name", CONF_T_STRING, J(name), .required = true},
	{"path", CONF_T_STRING, J(path)},
	{"command", CONF_T_NODE, J(command)},
	{"rpo", CONF_T_DURATION, J(rpo_ms), .dflt = "0s", .min = 0, .max = (int64_t)400 * 86400000},
	{"max_age", CONF_T_DURATION, J(max_age_ms), .dflt = "0s", .min = 0,
	 .max = (int64_t)400 * 86400000},
	{"min_size", CONF_T_SIZE, J(min_size), .dflt = "0", .min = 0, .max = (int64_t)1 << 60},
	{"max_size", CONF_T_SIZE, J(max_size), .dflt = "0", .min = 0, .max = (int64_t)1 << 60},
	{"checksum", CONF_T_ENUM, J(checksum), .dflt = "none", .names = checksum_names},
	{"interval", CONF_T_DURATION, J(interval_ms), .dflt = "5m", .min = 1000, .max = 86400000},
	/* 0: the default, 1m or 80% of the interval when that is shorter. */
	{"timeout", CONF_T_DURATION, J(timeout_ms), .dflt = "0s", .min = 0, .max = 86400000},
};

#undef J

static int parse_argv(struct backup_cfg *c, const struct conf_node *cmd, struct perr *err)
{
	if (cmd->kind != CONF_SEQ || cmd->n == 0 || cmd->n > BACKUP_ARGV_MAX)
		return conf_error(err, cmd,
				  "backups: command is a list of arguments, the program first "
				  "(e.g. [/usr/bin/restic, check]); no shell runs it");
	c->argv = calloc(cmd->n + 1, sizeof(*c->argv));
	if (!c->argv)
		return perr_setc(err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < cmd->n; i++) {
		const struct conf_node *a = cmd->items[i];
		if (a->kind != CONF_SCALAR)
			return conf_error(err, a, "backups: each command argument is a string");
		if (!(c->argv[i] = strdup(a->scalar)))
			return perr_setc(err, -ENOMEM, "out of memory");
	}
	if (c->argv[0][0] != '/')
		return conf_error(err, cmd->items[0],
				  "backups: the command's program '%s' must be an absolute path",
				  c->argv[0]);
	return 0;
}

/* Checks the keys that depend on each other. */
static int check_job(struct job_raw *r, const struct conf_node *node, struct perr *err)
{
	const struct conf_node *timeout = conf_get(node, "timeout");
	if (!timeout)
		r->timeout_ms = r->interval_ms / 5 * 4 < 60000 ? r->interval_ms / 5 * 4 : 60000;
	else if (r->timeout_ms < 100)
		return conf_error(err, timeout, "backups '%s': timeout must be at least 100ms",
				  r->name);
	if (!r->path == !r->command)
		return conf_error(err, node,
				  "backups '%s': give either path (newest file matching a "
				  "pattern) or command (argv list), not %s",
				  r->name, r->path ? "both" : "neither");
	if (r->rpo_ms && r->max_age_ms)
		return conf_error(err, conf_get(node, "max_age"),
				  "backups '%s': rpo and max_age are the same; keep one", r->name);
	if (r->command && (r->rpo_ms || r->max_age_ms || r->min_size || r->max_size || r->checksum))
		return conf_error(err, node,
				  "backups '%s': rpo, max_age, min_size, max_size and checksum "
				  "apply to path jobs; a command job reports its exit status",
				  r->name);
	if (r->max_size && r->min_size > r->max_size)
		return conf_error(err, conf_get(node, "min_size"),
				  "backups '%s': min_size is larger than max_size", r->name);
	if (r->timeout_ms >= r->interval_ms)
		return conf_error(err, timeout ? timeout : node,
				  "backups '%s': timeout (%llu ms) must be shorter than interval "
				  "(%llu ms)",
				  r->name, (unsigned long long)r->timeout_ms,
				  (unsigned long long)r->interval_ms);
	return 0;
}

static int fill(struct backup_cfg *c, struct job_raw *r, const struct conf_node *node,
		struct perr *err)
{
	c->lim.rpo_ms = r->rpo_ms ? r->rpo_ms : r->max_age_ms;
	c->lim.min_size = r->min_size;
	c->lim.max_size = r->max_size;
	c->checksum = r->checksum == 1;
	c->interval_ms = r->interval_ms;
	c->timeout_ms = r->timeout_ms;
	if (r->command)
		return parse_argv(c, r->command, err);
	c->path = r->path;
	r->path = NULL;
	if (c->path[0] != '/' ||
	    backup_split_path(c->path, c->dir, sizeof(c->dir), c->pattern, sizeof(c->pattern)) < 0)
		return conf_error(err, conf_get(node, "path"),
				  "backups '%s': path '%s' must be absolute, a directory then a "
				  "file pattern (/backup/simpeg/*.dump); wildcards only in the "
				  "last part",
				  r->name, c->path);
	return 0;
}

int backup_config_parse(const struct conf_node *node, struct backup_cfg **out, struct perr *err)
{
	*out = NULL;
	if (!node || node->kind != CONF_MAP)
		return conf_error(err, node,
				  "each backups item is a mapping: { name, path or command, rpo, "
				  "... }");
	struct job_raw r = {0};
	int rc = conf_apply(job_options, CONF_COUNT(job_options), node, "backups", &r, err);
	if (rc == 0)
		rc = check_job(&r, node, err);
	struct backup_cfg *c = NULL;
	if (rc == 0 && !(c = calloc(1, sizeof(*c))))
		rc = perr_setc(err, -ENOMEM, "out of memory");
	if (rc == 0)
		rc = fill(c, &r, node, err);
	free(r.name);
	free(r.path);
	if (rc < 0) {
		backup_config_free(c);
		return rc;
	}
	*out = c;
	return 0;
}

void backup_config_free(struct backup_cfg *cfg)
{
	if (!cfg)
		return;
	for (size_t i = 0; cfg->argv && cfg->argv[i]; i++)
		free(cfg->argv[i]);
	free(cfg->argv);
	free(cfg->path);
	free(cfg);
}
