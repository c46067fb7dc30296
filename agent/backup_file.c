/* The blocking part of a file backup check; see backup_file.h. */
#include "backup_file.h"
#include "log.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum {
	MAX_MATCHES = 100000,	 /* a runaway directory must not eat the agent's memory */
	CHUNK = 1 << 20,	 /* bytes per read while hashing */
	SIDECAR_MAX = 64 * 1024, /* a sha256sum file for one backup is tiny */
};

static int64_t mtime_ms(const struct stat *st)
{
	return (int64_t)st->st_mtim.tv_sec * 1000 + st->st_mtim.tv_nsec / 1000000;
}

struct scan {
	struct backup_entry *e;
	size_t n, cap;
};

static int scan_add(struct scan *s, const char *name, const struct stat *st)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		struct backup_entry *p = realloc(s->e, cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		s->e = p;
		s->cap = cap;
	}
	char *copy = strdup(name);
	if (!copy)
		return -ENOMEM;
	s->e[s->n++] = (struct backup_entry){copy, mtime_ms(st), (uint64_t)st->st_size,
					     S_ISREG(st->st_mode)};
	return 0;
}

static void scan_free(struct scan *s)
{
	for (size_t i = 0; i < s->n; i++)
		free((char *)s->e[i].name);
	free(s->e);
}

/* Lists the entries matching the pattern, with their stat (following links). */
static int scan_dir(const struct backup_cfg *cfg, struct scan *s)
{
	DIR *d = opendir(cfg->dir);
	if (!d)
		return -errno;
	int rc = 0;
	struct dirent *de;
	while (rc == 0 && s->n < MAX_MATCHES && (de = readdir(d))) {
		if (fnmatch(cfg->pattern, de->d_name, FNM_PERIOD) != 0)
			continue;
		struct stat st;
		if (fstatat(dirfd(d), de->d_name, &st, 0) < 0)
			continue; /* deleted meanwhile, or a dangling link */
		rc = scan_add(s, de->d_name, &st);
	}
	closedir(d);
	return rc;
}

static void hex_of(const unsigned char *md, char hex[65])
{
	static const char digits[] = "0123456789abcdef";
	for (int i = 0; i < 32; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	hex[64] = '\0';
}

/* SHA-256 of an open file, giving up at deadline_ms. 0, -ETIMEDOUT or -errno. */
static int hash_fd(int fd, uint64_t deadline_ms, char hex[65])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char *buf = malloc(CHUNK);
	int rc = ctx && buf && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) ? 0 : -ENOMEM;
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	while (rc == 0) {
		ssize_t n = read(fd, buf, CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			rc = -errno;
		else if (n == 0)
			break;
		else if (!EVP_DigestUpdate(ctx, buf, (size_t)n))
			rc = -EIO;
		else if (log_mono_ms() > deadline_ms)
			rc = -ETIMEDOUT;
	}
	unsigned char md[32];
	unsigned len = 0;
	if (rc == 0 && !EVP_DigestFinal_ex(ctx, md, &len))
		rc = -EIO;
	if (rc == 0)
		hex_of(md, hex);
	/* A backup read once for its checksum should not push out hot pages. */
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	EVP_MD_CTX_free(ctx);
	free(buf);
	return rc;
}

/* Reads FILE.sha256 into buf (NUL-terminated). 0 or -errno. */
static int read_sidecar(int dfd, const char *side, char *buf, size_t size, struct stat *st)
{
	int fd = openat(dfd, side, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	int rc = fstat(fd, st) < 0 ? -errno : 0;
	size_t used = 0;
	while (rc == 0 && used < size - 1) {
		ssize_t n = read(fd, buf + used, size - 1 - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = n < 0 ? -errno : 0;
			break;
		}
		used += (size_t)n;
	}
	buf[used] = '\0';
	close(fd);
	return rc;
}

static void verify(const struct backup_cfg *cfg, struct backup_sum_cache *cache,
		   uint64_t deadline_ms, struct backup_file_result *out)
{
	char side[BACKUP_PATTERN_MAX + 8], want[65], got[65];
	char *text = malloc(SIDECAR_MAX);
	struct stat sst;
	int dfd = open(cfg->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	snprintf(side, sizeof(side), "%s.sha256", out->file);
	int rc = !text	   ? -ENOMEM
		 : dfd < 0 ? -errno
			   : read_sidecar(dfd, side, text, SIDECAR_MAX, &sst);
	out->found.sum = BACKUP_SUM_UNREADABLE;
	if (rc < 0) {
		snprintf(out->detail, sizeof(out->detail), "%.100s: %.50s", side, strerror(-rc));
		goto out;
	}
	if (cache->valid && strcmp(cache->file, out->file) == 0 &&
	    cache->mtime_ms == out->found.mtime_ms && cache->size == out->found.size &&
	    cache->side_mtime_ms == mtime_ms(&sst) && cache->side_size == (uint64_t)sst.st_size) {
		out->found.sum = cache->sum;
		out->cached = true;
		snprintf(out->detail, sizeof(out->detail), "%s", cache->detail);
		goto out;
	}
	rc = backup_sidecar_find(text, strlen(text), out->file, want);
	if (rc < 0) {
		snprintf(out->detail, sizeof(out->detail), "%.100s: %s", side,
			 rc == -ENOENT ? "no line for the file" : "not sha256sum output");
		goto out;
	}
	int fd = openat(dfd, out->file, O_RDONLY | O_CLOEXEC);
	rc = fd < 0 ? -errno : hash_fd(fd, deadline_ms, got);
	if (fd >= 0)
		close(fd);
	if (rc == -ETIMEDOUT) {
		out->timed_out = true;
		out->found.sum = BACKUP_SUM_NONE;
		snprintf(out->detail, sizeof(out->detail),
			 "checksum not finished within the timeout");
		goto out;
	}
	if (rc < 0) {
		snprintf(out->detail, sizeof(out->detail), "%.100s: %.50s", out->file,
			 strerror(-rc));
		goto out;
	}
	bool same = strcmp(want, got) == 0;
	out->found.sum = same ? BACKUP_SUM_OK : BACKUP_SUM_MISMATCH;
	if (!same)
		snprintf(out->detail, sizeof(out->detail), "sha256 %.16s... expected %.16s...", got,
			 want);
	*cache = (struct backup_sum_cache){.valid = true,
					   .mtime_ms = out->found.mtime_ms,
					   .size = out->found.size,
					   .side_mtime_ms = mtime_ms(&sst),
					   .side_size = (uint64_t)sst.st_size,
					   .sum = out->found.sum};
	snprintf(cache->file, sizeof(cache->file), "%s", out->file);
	snprintf(cache->detail, sizeof(cache->detail), "%s", out->detail);
out:
	if (dfd >= 0)
		close(dfd);
	free(text);
}

void backup_file_check(const struct backup_cfg *cfg, struct backup_sum_cache *cache,
		       uint64_t deadline_ms, struct backup_file_result *out)
{
	*out = (struct backup_file_result){0};
	struct scan s = {0};
	int rc = scan_dir(cfg, &s);
	if (rc < 0) {
		out->found.unreadable = true;
		snprintf(out->detail, sizeof(out->detail), "%.100s: %.50s", cfg->dir,
			 strerror(-rc));
		scan_free(&s);
		return;
	}
	const char *skip = cfg->checksum ? ".sha256" : NULL;
	long i = backup_pick_newest(s.e, s.n, cfg->pattern, skip);
	for (size_t k = 0; k < s.n; k++) {
		size_t len = strlen(s.e[k].name);
		out->matches += s.e[k].regular &&
				!(skip && len > 7 && strcmp(s.e[k].name + len - 7, skip) == 0);
	}
	if (i >= 0) {
		out->found.found = true;
		out->found.mtime_ms = s.e[i].mtime_ms;
		out->found.size = s.e[i].size;
		snprintf(out->file, sizeof(out->file), "%s", s.e[i].name);
	}
	scan_free(&s);
	if (out->found.found && cfg->checksum)
		verify(cfg, cache, deadline_ms, out);
}
