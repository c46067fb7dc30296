/* Backup checks, the pure part; see backup_check.h. */
#include "backup_check.h"

#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>

const char *const backup_status_names[] = {
	"ok",	   "too_old", "too_small", "too_large",	 "checksum_mismatch",
	"missing", "failed",  "timeout",   "unreadable", NULL,
};

double backup_age_s(int64_t mtime_ms, int64_t now_ms)
{
	return now_ms > mtime_ms ? (double)(now_ms - mtime_ms) / 1000.0 : 0.0;
}

enum backup_status backup_evaluate(const struct backup_limits *lim, const struct backup_found *f,
				   int64_t now_ms)
{
	if (f->unreadable && !f->found)
		return BACKUP_UNREADABLE;
	if (!f->found)
		return BACKUP_MISSING;
	if (f->sum == BACKUP_SUM_UNREADABLE || f->unreadable)
		return BACKUP_UNREADABLE;
	if (f->sum == BACKUP_SUM_MISMATCH)
		return BACKUP_CHECKSUM_MISMATCH;
	if (lim->rpo_ms && now_ms - f->mtime_ms > (int64_t)lim->rpo_ms)
		return BACKUP_TOO_OLD;
	if (lim->min_size && f->size < lim->min_size)
		return BACKUP_TOO_SMALL;
	if (lim->max_size && f->size > lim->max_size)
		return BACKUP_TOO_LARGE;
	return BACKUP_OK;
}

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n >= k && strcmp(s + n - k, suffix) == 0;
}

long backup_pick_newest(const struct backup_entry *e, size_t n, const char *pattern,
			const char *skip_suffix)
{
	long best = -1;
	for (size_t i = 0; i < n; i++) {
		if (!e[i].regular || fnmatch(pattern, e[i].name, FNM_PERIOD) != 0)
			continue;
		if (skip_suffix && *skip_suffix && has_suffix(e[i].name, skip_suffix))
			continue;
		if (best >= 0 &&
		    (e[i].mtime_ms < e[best].mtime_ms ||
		     (e[i].mtime_ms == e[best].mtime_ms && strcmp(e[i].name, e[best].name) < 0)))
			continue;
		best = (long)i;
	}
	return best;
}

int backup_split_path(const char *path, char *dir, size_t dir_size, char *pattern,
		      size_t pattern_size)
{
	const char *slash = strrchr(path, '/');
	if (!slash || slash[1] == '\0')
		return -EINVAL; /* no directory, or no pattern after it */
	size_t dlen = slash == path ? 1 : (size_t)(slash - path);
	if (dlen >= dir_size || strlen(slash + 1) >= pattern_size)
		return -EINVAL;
	memcpy(dir, path, dlen);
	dir[dlen] = '\0';
	if (strpbrk(dir, "*?["))
		return -EINVAL;
	snprintf(pattern, pattern_size, "%s", slash + 1);
	return 0;
}

/* Parses one sha256sum line: 64 hex digits, a space, an optional '*' (binary
 * mode) or a second space, then the name. *name is "" for a bare hash. */
static int parse_line(const char *line, size_t len, char hex[65], const char **name,
		      size_t *name_len)
{
	if (len < 64)
		return -EBADMSG;
	for (size_t i = 0; i < 64; i++) {
		if (!isxdigit((unsigned char)line[i]))
			return -EBADMSG;
		hex[i] = (char)tolower((unsigned char)line[i]);
	}
	hex[64] = '\0';
	size_t at = 64;
	if (at < len && line[at] != ' ')
		return -EBADMSG;
	if (at < len)
		at++;
	if (at < len && (line[at] == ' ' || line[at] == '*'))
		at++;
	*name = line + at;
	*name_len = len - at;
	return 0;
}

int backup_sidecar_find(const char *text, size_t len, const char *file, char hex[65])
{
	size_t lines = 0, flen = strlen(file);
	char first[65] = "";
	const char *p = text, *end = text + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		const char *next = nl ? nl + 1 : end;
		while (n && (p[n - 1] == '\r' || p[n - 1] == ' '))
			n--;
		if (n == 0 || p[0] == '#') {
			p = next;
			continue;
		}
		const char *name;
		size_t name_len;
		char h[65];
		if (parse_line(p, n, h, &name, &name_len) < 0)
			return -EBADMSG;
		/* A path in the sidecar is compared by its last component. */
		const char *base = name;
		for (const char *q = name; q < name + name_len; q++)
			if (*q == '/')
				base = q + 1;
		size_t blen = name_len - (size_t)(base - name);
		if (blen == flen && memcmp(base, file, flen) == 0) {
			memcpy(hex, h, 65);
			return 0;
		}
		if (lines++ == 0)
			memcpy(first, h, 65);
		p = next;
	}
	if (lines == 1) {
		memcpy(hex, first, 65);
		return 0;
	}
	return lines ? -ENOENT : -EBADMSG;
}

void backup_last_line(const char *buf, size_t len, char *out, size_t size)
{
	if (size == 0)
		return;
	while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r' || buf[len - 1] == ' ' ||
		       buf[len - 1] == '\t'))
		len--;
	size_t start = len;
	while (start && buf[start - 1] != '\n')
		start--;
	size_t n = len - start;
	if (n >= size)
		n = size - 1;
	memcpy(out, buf + start, n);
	out[n] = '\0';
}
