/* One job of the agent's `backups:` section.
 *
 *   backups:
 *     - name: simpeg-db                   # also the pseudo-device's name
 *       path: "/backup/simpeg/db-*.dump"     # newest matching file ...
 *       rpo: 26h                          # ... at most this old (max_age is a synonym)
 *       min_size: 1MiB                    # optional size range
 *       max_size: 50GiB
 *       checksum: sha256                  # verify FILE.sha256 (sha256sum format)
 *     - name: restic-check
 *       command: [/usr/bin/restic, check] # argv, no shell
 *       timeout: 2m
 *
 * Each job is polled every `interval` (default 5m) and may take at most
 * `timeout` (default 1m, or 80% of a shorter interval; for file jobs it
 * bounds the checksum reading).
 * Errors read "[file:line] ...". */
#ifndef PANTAU_BACKUP_CONFIG_H
#define PANTAU_BACKUP_CONFIG_H

#include "backup_check.h"
#include "conf.h"
#include "perr.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { BACKUP_DIR_MAX = 1024, BACKUP_PATTERN_MAX = 256, BACKUP_ARGV_MAX = 64 };

struct backup_cfg {
	char *path; /* owned; NULL for a command job */
	char dir[BACKUP_DIR_MAX];
	char pattern[BACKUP_PATTERN_MAX];
	char **argv; /* owned, NULL-terminated; NULL for a file job */
	struct backup_limits lim;
	bool checksum;
	uint64_t interval_ms;
	uint64_t timeout_ms;
};

/* Parses one item of `backups:`. *out is new (free with backup_config_free).
 * 0 or -errno with err set. */
int backup_config_parse(const struct conf_node *node, struct backup_cfg **out, struct perr *err);

void backup_config_free(struct backup_cfg *cfg);

#endif
