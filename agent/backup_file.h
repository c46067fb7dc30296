/* A file backup check, the blocking part: list the directory, pick the
 * newest matching file, verify its SHA-256 against FILE.sha256. Runs on a
 * worker thread (agent_workq), never on the loop. */
#ifndef PANTAU_BACKUP_FILE_H
#define PANTAU_BACKUP_FILE_H

#include "backup_check.h"
#include "backup_config.h"

#include <stdint.h>

/* The last verified file, so an unchanged backup is hashed once, not on
 * every poll. Owned by the job's state; touched by one job at a time. */
struct backup_sum_cache {
	bool valid;
	char file[BACKUP_PATTERN_MAX];
	int64_t mtime_ms, side_mtime_ms;
	uint64_t size, side_size;
	int sum; /* enum backup_sum */
	char detail[160];
};

struct backup_file_result {
	struct backup_found found;
	char file[BACKUP_PATTERN_MAX]; /* base name of the newest match */
	bool timed_out;		       /* the checksum was cut short */
	bool cached;		       /* the checksum result came from the cache */
	size_t matches;		       /* files matching the pattern */
	char detail[160];	       /* why it is unreadable or mismatched */
};

/* Checks cfg's directory. deadline_ms is a log_mono_ms() time after which
 * the checksum reading gives up. Reads at most 1 MiB at a time. */
void backup_file_check(const struct backup_cfg *cfg, struct backup_sum_cache *cache,
		       uint64_t deadline_ms, struct backup_file_result *out);

#endif
