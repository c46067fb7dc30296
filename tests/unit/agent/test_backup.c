/* Backup checks: RPO evaluation, newest-file selection, sha256sum sidecars,
 * output lines, the job section, and a file check on a real directory. */
#include "backup_check.h"
#include "backup_config.h"
#include "backup_file.h"
#include "conf.h"
#include "log.h"
#include "test.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum { H = 3600 * 1000, NOW = 1700000000 };

TEST(evaluate_table)
{
	const int64_t now = (int64_t)NOW * 1000;
	const struct backup_limits lim = {
		.rpo_ms = 26 * (uint64_t)H, .min_size = 1000, .max_size = 5000};
	const struct backup_limits none = {0};
	struct {
		const char *what;
		const struct backup_limits *lim;
		struct backup_found f;
		enum backup_status want;
	} cases[] = {
		{"fresh, in range", &lim, {true, now - 1 * H, 2000, 0, false}, BACKUP_OK},
		{"exactly at the rpo", &lim, {true, now - 26 * H, 2000, 0, false}, BACKUP_OK},
		{"one ms past the rpo",
		 &lim,
		 {true, now - 26 * H - 1, 2000, 0, false},
		 BACKUP_TOO_OLD},
		{"too small", &lim, {true, now, 999, 0, false}, BACKUP_TOO_SMALL},
		{"min size is inclusive", &lim, {true, now, 1000, 0, false}, BACKUP_OK},
		{"max size is inclusive", &lim, {true, now, 5000, 0, false}, BACKUP_OK},
		{"too large", &lim, {true, now, 5001, 0, false}, BACKUP_TOO_LARGE},
		{"old and small: age first",
		 &lim,
		 {true, now - 30 * H, 1, 0, false},
		 BACKUP_TOO_OLD},
		{"mismatch beats age",
		 &lim,
		 {true, now - 30 * H, 2000, BACKUP_SUM_MISMATCH, false},
		 BACKUP_CHECKSUM_MISMATCH},
		{"checksum ok", &lim, {true, now, 2000, BACKUP_SUM_OK, false}, BACKUP_OK},
		{"no sidecar",
		 &lim,
		 {true, now, 2000, BACKUP_SUM_UNREADABLE, false},
		 BACKUP_UNREADABLE},
		{"nothing matches", &lim, {false, 0, 0, 0, false}, BACKUP_MISSING},
		{"directory unreadable", &lim, {false, 0, 0, 0, true}, BACKUP_UNREADABLE},
		{"future mtime", &lim, {true, now + 10 * H, 2000, 0, false}, BACKUP_OK},
		{"no limits, ancient, empty", &none, {true, 0, 0, 0, false}, BACKUP_OK},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum backup_status got = backup_evaluate(cases[i].lim, &cases[i].f, now);
		printf("# %s: %s\n", cases[i].what, backup_status_names[got]);
		ASSERT_EQ_STR(backup_status_names[got], backup_status_names[cases[i].want]);
	}
	ASSERT_NEAR(backup_age_s(now - 90000, now), 90.0, 1e-12);
	ASSERT_NEAR(backup_age_s(now + 5, now), 0.0, 1e-12);
	ASSERT_EQ_STR(backup_status_names[BACKUP_UNREADABLE], "unreadable");
	ASSERT_TRUE(backup_status_names[BACKUP_STATUS_COUNT] == NULL);
}

TEST(pick_newest_table)
{
	const struct backup_entry e[] = {
		{"simpeg-01.dump", 1000, 10, true},
		{"simpeg-03.dump", 3000, 30, true},
		{"simpeg-02.dump", 2000, 20, true},
		{"simpeg-04.dump", 9000, 40, false}, /* a directory */
		{"simpeg-03.dump.sha256", 3500, 1, true},
		{".simpeg-05.dump", 9999, 1, true}, /* hidden: a partial upload */
		{"other.dump", 8000, 1, true},
		{"tie-b.dump", 3000, 1, true},
		{"tie-a.dump", 3000, 1, true},
	};
	size_t n = sizeof(e) / sizeof(e[0]);
	struct {
		const char *pattern, *skip;
		long want;
	} cases[] = {
		{"simpeg-*.dump", NULL, 1}, {"simpeg-*", NULL, 4},
		{"simpeg-*", ".sha256", 1}, {"*.dump", NULL, 6},
		{"tie-*.dump", NULL, 7},    {"simpeg-0[12].dump", NULL, 2},
		{"nothing-*", NULL, -1},    {"*simpeg-05*", NULL, -1},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		long got = backup_pick_newest(e, n, cases[i].pattern, cases[i].skip);
		printf("# %s -> %ld\n", cases[i].pattern, got);
		ASSERT_EQ_INT(got, cases[i].want);
	}
}

TEST(split_path_table)
{
	struct {
		const char *path;
		int rc;
		const char *dir, *pattern;
	} cases[] = {
		{"/backup/simpeg/*.dump", 0, "/backup/simpeg", "*.dump"},
		{"/*.tar", 0, "/", "*.tar"},
		{"/backup/latest.tar.gz", 0, "/backup", "latest.tar.gz"},
		{"/backup/*/db.dump", -EINVAL, NULL, NULL},
		{"/backup/simpeg/", -EINVAL, NULL, NULL},
		{"simpeg.dump", -EINVAL, NULL, NULL},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char dir[64], pat[64];
		int rc = backup_split_path(cases[i].path, dir, sizeof(dir), pat, sizeof(pat));
		ASSERT_EQ_INT(rc, cases[i].rc);
		if (rc == 0) {
			ASSERT_EQ_STR(dir, cases[i].dir);
			ASSERT_EQ_STR(pat, cases[i].pattern);
		}
	}
}

#define HA	 "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
#define HB	 "60303AE22B998861BCE3B28F33EEC1BE758A213C86C93C076DBE9F558C11C752"
#define HB_LOWER "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752"

TEST(sidecar_table)
{
	struct {
		const char *text, *file;
		int rc;
		const char *hex;
	} cases[] = {
		{HA "  db.dump\n", "db.dump", 0, HA},
		{HA " *db.dump\n", "db.dump", 0, HA},
		{HA "\n", "db.dump", 0, HA},
		{HA "  /srv/backup/db.dump\r\n", "db.dump", 0, HA},
		{HA "  renamed.dump\n", "db.dump", 0, HA}, /* one line beside the file */
		{HA "  a.dump\n" HB "  db.dump\n", "db.dump", 0, HB_LOWER},
		{"# made by backup.sh\n" HA "  a.dump\n" HB "  b.dump\n", "db.dump", -ENOENT, NULL},
		{"not a checksum\n", "db.dump", -EBADMSG, NULL},
		{"", "db.dump", -EBADMSG, NULL},
		{"9f86d081  db.dump\n", "db.dump", -EBADMSG, NULL},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char hex[65] = "";
		int rc = backup_sidecar_find(cases[i].text, strlen(cases[i].text), cases[i].file,
					     hex);
		printf("# case %zu: %d\n", i, rc);
		ASSERT_EQ_INT(rc, cases[i].rc);
		if (rc == 0)
			ASSERT_EQ_STR(hex, cases[i].hex);
	}
}

TEST(last_line_table)
{
	struct {
		const char *in;
		size_t size;
		const char *want;
	} cases[] = {
		{"one\ntwo\nthree\n", 64, "three"},
		{"one\ntwo\r\n\n\n", 64, "two"},
		{"only", 64, "only"},
		{"", 64, ""},
		{"\n\n", 64, ""},
		{"a\nlong last line", 5, "long"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char out[64];
		backup_last_line(cases[i].in, strlen(cases[i].in), out, cases[i].size);
		ASSERT_EQ_STR(out, cases[i].want);
	}
}

static int parse_job(const char *yaml, struct backup_cfg **cfg, struct perr *err)
{
	struct conf_doc doc;
	int rc = conf_load_string("b.yaml", yaml, strlen(yaml), &doc, err);
	if (rc == 0) {
		rc = backup_config_parse(conf_get(doc.root, "backups")->items[0], cfg, err);
		conf_doc_free(&doc);
	}
	return rc;
}

TEST(job_config)
{
	struct backup_cfg *c;
	struct perr err = {{0}};
	ASSERT_EQ_INT(parse_job("backups:\n  - name: db\n    path: /backup/db/*.dump\n"
				"    max_age: 26h\n    min_size: 1MiB\n    checksum: sha256\n",
				&c, &err),
		      0);
	ASSERT_EQ_STR(c->dir, "/backup/db");
	ASSERT_EQ_STR(c->pattern, "*.dump");
	ASSERT_EQ_UINT(c->lim.rpo_ms, 26 * (uint64_t)H);
	ASSERT_EQ_UINT(c->lim.min_size, 1 << 20);
	ASSERT_TRUE(c->checksum);
	ASSERT_EQ_UINT(c->interval_ms, 300000);
	backup_config_free(c);
	ASSERT_EQ_INT(
		parse_job("backups:\n  - name: restic\n    command: [/usr/bin/restic, check]\n"
			  "    timeout: 2m\n",
			  &c, &err),
		0);
	ASSERT_EQ_STR(c->argv[1], "check");
	ASSERT_TRUE(c->argv[2] == NULL);
	ASSERT_EQ_UINT(c->timeout_ms, 120000);
	backup_config_free(c);
}

TEST(job_config_errors_say_where)
{
	struct {
		const char *yaml, *msg;
	} cases[] = {
		{"backups:\n  - name: a\n", "[b.yaml:2] backups 'a': give either path"},
		{"backups:\n  - name: a\n    path: /x/*.d\n    command: [/bin/true]\n", "not both"},
		{"backups:\n  - name: a\n    path: rel/*.d\n",
		 "[b.yaml:3] backups 'a': path 'rel/*.d'"},
		{"backups:\n  - name: a\n    path: /x/*/y.d\n", "wildcards only in the last part"},
		{"backups:\n  - name: a\n    command: [true]\n",
		 "[b.yaml:3] backups: the command's"},
		{"backups:\n  - name: a\n    command: /bin/true\n", "is a list of arguments"},
		{"backups:\n  - name: a\n    command: [/bin/true]\n    rpo: 1h\n",
		 "apply to path jobs"},
		{"backups:\n  - name: a\n    path: /x/*\n    rpo: 1h\n    max_age: 2h\n",
		 "[b.yaml:5] backups 'a': rpo and max_age"},
		{"backups:\n  - name: a\n    path: /x/*\n    min_size: 2MiB\n    max_size: 1MiB\n",
		 "[b.yaml:4] backups 'a': min_size is larger"},
		{"backups:\n  - name: a\n    path: /x/*\n    interval: 1m\n    timeout: 1m\n",
		 "[b.yaml:5] backups 'a': timeout"},
		{"backups:\n  - name: a\n    path: /x/*\n    checksum: md5\n", "[b.yaml:4]"},
		{"backups:\n  - name: a\n    path: /x/*\n    rpo: soon\n", "[b.yaml:4]"},
		{"backups:\n  - path: /x/*\n", "name"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct backup_cfg *c = NULL;
		struct perr err = {{0}};
		int rc = parse_job(cases[i].yaml, &c, &err);
		printf("# -> %s\n", err.msg);
		ASSERT_EQ_INT(rc, -EINVAL);
		ASSERT_TRUE(c == NULL);
		ASSERT_CONTAINS(err.msg, cases[i].msg);
	}
}

static void write_file(const char *dir, const char *name, const char *text, time_t mtime)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	ASSERT_TRUE(f != NULL);
	fputs(text, f);
	fclose(f);
	struct timespec ts[2] = {{mtime, 0}, {mtime, 0}};
	ASSERT_EQ_INT(utimensat(AT_FDCWD, path, ts, 0), 0);
}

/* sha256("test") is HA. */
TEST(file_check_on_a_real_directory)
{
	char dir[] = "/tmp/pantau-backup-unit.XXXXXX";
	ASSERT_TRUE(mkdtemp(dir) != NULL);
	time_t now = time(NULL);
	write_file(dir, "db-1.dump", "old", now - 7200);
	write_file(dir, "db-2.dump", "test", now - 60);
	write_file(dir, "db-2.dump.sha256", HA "  db-2.dump\n", now - 50);
	struct backup_cfg cfg = {.checksum = true};
	snprintf(cfg.dir, sizeof(cfg.dir), "%s", dir);
	snprintf(cfg.pattern, sizeof(cfg.pattern), "db-*");
	struct backup_sum_cache cache = {0};
	struct backup_file_result r;
	backup_file_check(&cfg, &cache, log_mono_ms() + 60000, &r);
	ASSERT_TRUE(r.found.found);
	ASSERT_EQ_STR(r.file, "db-2.dump");
	ASSERT_EQ_UINT(r.found.size, 4);
	ASSERT_EQ_INT(r.found.mtime_ms, (int64_t)(now - 60) * 1000);
	ASSERT_EQ_INT(r.found.sum, BACKUP_SUM_OK);
	ASSERT_EQ_UINT(r.matches, 2); /* the sidecar is not a backup */
	ASSERT_TRUE(!r.cached);
	backup_file_check(&cfg, &cache, log_mono_ms() + 60000, &r);
	ASSERT_EQ_INT(r.found.sum, BACKUP_SUM_OK);
	ASSERT_TRUE(r.cached);
	/* The same size and mtime but new content: the cache would hide it,
	 * so a changed sidecar must invalidate it. */
	write_file(dir, "db-2.dump.sha256", HB "  db-2.dump\n", now - 40);
	backup_file_check(&cfg, &cache, log_mono_ms() + 60000, &r);
	ASSERT_EQ_INT(r.found.sum, BACKUP_SUM_MISMATCH);
	ASSERT_CONTAINS(r.detail, "expected 60303ae22b998861");
	/* A deadline already past: the reading gives up. */
	cache.valid = false;
	backup_file_check(&cfg, &cache, 0, &r);
	ASSERT_TRUE(r.timed_out);
	char path[512];
	snprintf(path, sizeof(path), "%s/db-2.dump.sha256", dir);
	unlink(path);
	backup_file_check(&cfg, &cache, log_mono_ms() + 60000, &r);
	ASSERT_EQ_INT(r.found.sum, BACKUP_SUM_UNREADABLE);
	ASSERT_CONTAINS(r.detail, "db-2.dump.sha256: No such file");
	snprintf(path, sizeof(path), "%s/db-1.dump", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/db-2.dump", dir);
	unlink(path);
	backup_file_check(&cfg, &cache, log_mono_ms() + 60000, &r);
	ASSERT_TRUE(!r.found.found);
	rmdir(dir);
	backup_file_check(&cfg, &cache, log_mono_ms() + 60000, &r);
	ASSERT_TRUE(r.found.unreadable);
}

TEST_MAIN(evaluate_table, pick_newest_table, split_path_table, sidecar_table, last_line_table,
	  job_config, job_config_errors_say_where, file_check_on_a_real_directory)
