/* Backup checks, the pure part: which file is the newest backup, what a
 * sha256sum sidecar says, the last line of a command's output, and whether a
 * backup meets its RPO and size range. No I/O here, so all of it is tested
 * table by table. */
#ifndef PANTAU_BACKUP_CHECK_H
#define PANTAU_BACKUP_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The value of `backup.status`; also the reason of `backup.ok`. The
 * numbers are part of the wire contract (state series carry the number):
 * append, never renumber. */
enum backup_status {
	BACKUP_OK = 0,
	BACKUP_TOO_OLD = 1,
	BACKUP_TOO_SMALL = 2,
	BACKUP_TOO_LARGE = 3,
	BACKUP_CHECKSUM_MISMATCH = 4,
	BACKUP_MISSING = 5,
	BACKUP_FAILED = 6,     /* the command exited non-zero or by a signal */
	BACKUP_TIMEOUT = 7,    /* the command or the checksum ran out of time */
	BACKUP_UNREADABLE = 8, /* no permission, I/O error, no sidecar line */
	BACKUP_STATUS_COUNT
};

/* "ok", "too_old", ... indexed by enum backup_status. */
extern const char *const backup_status_names[];

/* Checksum outcome of a file check. */
enum backup_sum { BACKUP_SUM_NONE = 0, BACKUP_SUM_OK, BACKUP_SUM_MISMATCH, BACKUP_SUM_UNREADABLE };

/* What a file check found. */
struct backup_found {
	bool found;
	int64_t mtime_ms; /* unix milliseconds */
	uint64_t size;	  /* bytes */
	int sum;	  /* enum backup_sum */
	bool unreadable;  /* the directory or the file could not be read */
};

/* A job's expectations; 0 = no limit. */
struct backup_limits {
	uint64_t rpo_ms;
	uint64_t min_size;
	uint64_t max_size;
};

/* The status of a file backup at now_ms. Precedence: missing, unreadable,
 * checksum mismatch, too old, too small, too large. A file dated in the
 * future counts as age 0. */
enum backup_status backup_evaluate(const struct backup_limits *lim, const struct backup_found *f,
				   int64_t now_ms);

/* Age in seconds of a file at now_ms (0 when dated in the future). */
double backup_age_s(int64_t mtime_ms, int64_t now_ms);

/* One directory entry as the scanner saw it. */
struct backup_entry {
	const char *name;
	int64_t mtime_ms;
	uint64_t size;
	bool regular; /* a regular file (after following a symlink) */
};

/* Index of the newest regular entry whose name matches the fnmatch pattern
 * (ties: the greater name, so the choice does not depend on directory
 * order), or -1. skip_suffix (e.g. ".sha256", or NULL) excludes sidecars. */
long backup_pick_newest(const struct backup_entry *e, size_t n, const char *pattern,
			const char *skip_suffix);

/* Splits "/backup/simpeg/db-*.dump" into a directory and a pattern for the last
 * component. Wildcards in the directory part are refused. 0 or -EINVAL. */
int backup_split_path(const char *path, char *dir, size_t dir_size, char *pattern,
		      size_t pattern_size);

/* Finds the SHA-256 for file (a base name) in sha256sum output
 * ("<64 hex>  name" or "<64 hex> *name", one per line). A sidecar with one
 * line and no name, or one line for another name, is taken as the file's
 * (it sits beside it). Writes 64 lower-case hex digits and a NUL to hex.
 * 0, -ENOENT (no line for the file), -EBADMSG (not sha256sum output). */
int backup_sidecar_find(const char *text, size_t len, const char *file, char hex[65]);

/* The last non-empty line of output (trailing CR, LF and spaces dropped),
 * cut to size - 1 bytes; "" when there is none. */
void backup_last_line(const char *buf, size_t len, char *out, size_t size);

#endif
