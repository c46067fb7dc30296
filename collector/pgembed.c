#include "pgembed.h"
#include "log.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static bool on_path(const char *prog)
{
	const char *path = getenv("PATH");
	char dir[512], full[1024];
	while (path && *path) {
		size_t n = strcspn(path, ":");
		if (n > 0 && n < sizeof(dir)) {
			memcpy(dir, path, n);
			dir[n] = '\0';
			snprintf(full, sizeof(full), "%s/%s", dir, prog);
			if (access(full, X_OK) == 0)
				return true;
		}
		path += n + (path[n] == ':');
	}
	return false;
}

int pgembed_find_bindir(char *out, size_t size)
{
	if (on_path("initdb") && on_path("pg_ctl")) {
		snprintf(out, size, "%s", "");
		return 0;
	}
	DIR *d = opendir("/usr/lib/postgresql");
	if (!d)
		return -ENOENT;
	long best = -1;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		char *end;
		long v = strtol(e->d_name, &end, 10);
		char probe[512];
		snprintf(probe, sizeof(probe), "/usr/lib/postgresql/%s/bin/pg_ctl", e->d_name);
		if (end != e->d_name && *end == '\0' && v > best && access(probe, X_OK) == 0)
			best = v;
	}
	closedir(d);
	if (best < 0)
		return -ENOENT;
	snprintf(out, size, "/usr/lib/postgresql/%ld/bin", best);
	return 0;
}

int pgembed_conninfo_quote(char *out, size_t size, const char *value)
{
	size_t len = strlen(out);
	if (len + 3 > size)
		return -ENOSPC;
	out[len++] = '\'';
	for (const char *p = value; *p; p++) {
		if (len + 4 > size)
			return -ENOSPC;
		if (*p == '\'' || *p == '\\')
			out[len++] = '\\';
		out[len++] = *p;
	}
	out[len++] = '\'';
	out[len] = '\0';
	return 0;
}

/* Runs bindir/prog with args (NULL-terminated, args[0] unused) and waits.
 * Its stdout goes to /dev/null, its stderr to ours. 0 or -errno. */
static int run(const struct pgembed *pg, const char *prog, char **args)
{
	char exe[640];
	if (pg->bindir[0])
		snprintf(exe, sizeof(exe), "%s/%s", pg->bindir, prog);
	else
		snprintf(exe, sizeof(exe), "%s", prog);
	args[0] = exe;
	pid_t pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		if (null >= 0)
			dup2(null, STDOUT_FILENO);
		if (pg->bindir[0])
			execv(exe, args);
		else
			execvp(exe, args);
		_exit(127);
	}
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -ECHILD;
}

static int make_dir(const char *path, struct perr *err)
{
	if (mkdir(path, 0700) == 0 || errno == EEXIST)
		return 0;
	return perr_setc(err, -errno, "cannot create %s: %s", path, strerror(errno));
}

/* Creates state_dir and its parents as needed. */
static int make_dirs(const char *path, struct perr *err)
{
	char tmp[512];
	snprintf(tmp, sizeof(tmp), "%s", path);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
			return perr_setc(err, -errno, "cannot create %s: %s", tmp, strerror(errno));
		*p = '/';
	}
	return make_dir(tmp, err);
}

static int append_settings(const struct pgembed *pg, struct perr *err)
{
	char conf[600];
	snprintf(conf, sizeof(conf), "%s/postgresql.conf", pg->data_dir);
	if (strchr(pg->run_dir, '\'') || strchr(pg->run_dir, '\\'))
		return perr_set(err, "state_dir must not contain quotes or backslashes");
	FILE *f = fopen(conf, "a");
	if (!f)
		return perr_setc(err, -errno, "cannot open %s: %s", conf, strerror(errno));
	fprintf(f, "\n# Added by pantau-collector: a private cluster on a Unix socket only.\n"
		   "listen_addresses = ''\nunix_socket_directories = '%s'\n"
		   "max_wal_size = 2GB\n",
		pg->run_dir);
	return fclose(f) == 0 ? 0 : perr_setc(err, -EIO, "cannot write %s", conf);
}

static int init_cluster(struct pgembed *pg, struct perr *err)
{
	char version[600];
	snprintf(version, sizeof(version), "%s/PG_VERSION", pg->data_dir);
	if (access(version, F_OK) == 0)
		return 0;
	log_info("pgembed", "creating a PostgreSQL cluster in %s", pg->data_dir);
	char *args[] = {NULL, "-D", pg->data_dir, "--auth=peer", "-E", "UTF8", "--locale=C",
			NULL};
	if (run(pg, "initdb", args) < 0)
		return perr_setc(err, -EIO, "initdb -D %s failed (see its messages above)",
				 pg->data_dir);
	return append_settings(pg, err);
}

/* True if postmaster.pid names a live process. */
static bool is_running(const struct pgembed *pg)
{
	char path[600];
	snprintf(path, sizeof(path), "%s/postmaster.pid", pg->data_dir);
	FILE *f = fopen(path, "r");
	if (!f)
		return false;
	long pid = 0;
	int n = fscanf(f, "%ld", &pid);
	fclose(f);
	return n == 1 && pid > 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM);
}

static int start_server(struct pgembed *pg, struct perr *err)
{
	if (is_running(pg)) {
		/* Left by a collector that was killed: the state directory is
		 * this collector's own, so it adopts the server and stops it on
		 * exit like one it started. */
		log_info("pgembed", "PostgreSQL in %s is already running; adopting it",
			 pg->data_dir);
		pg->started = true;
		return 0;
	}
	log_info("pgembed", "starting PostgreSQL in %s (log: %s)", pg->data_dir, pg->log_file);
	char *args[] = {NULL, "-D", pg->data_dir, "-l", pg->log_file, "-w", "-t", "120",
			"start", NULL};
	if (run(pg, "pg_ctl", args) < 0)
		return perr_setc(err, -EIO, "pg_ctl start failed; see %s", pg->log_file);
	pg->started = true;
	return 0;
}

/* Waits until the server accepts connections (up to 60 s). */
static int wait_ready(const struct pgembed *pg, const char *conninfo, struct perr *err)
{
	for (int i = 0; i < 600; i++) {
		if (PQping(conninfo) == PQPING_OK)
			return 0;
		usleep(100 * 1000);
	}
	return perr_setc(err, -ETIMEDOUT, "PostgreSQL in %s does not accept connections; see %s",
			 pg->data_dir, pg->log_file);
}

static int create_database(const char *conninfo, struct perr *err)
{
	PGconn *c = PQconnectdb(conninfo);
	if (PQstatus(c) != CONNECTION_OK) {
		int rc = perr_setc(err, -ECONNREFUSED, "connecting to the embedded cluster: %s",
				   PQerrorMessage(c));
		PQfinish(c);
		return rc;
	}
	PGresult *res = PQexec(c, "SELECT 1 FROM pg_database WHERE datname = 'pantau'");
	int rc = 0;
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		rc = perr_setc(err, -EIO, "%s", PQresultErrorMessage(res));
	} else if (PQntuples(res) == 0) {
		PQclear(res);
		log_info("pgembed", "creating database pantau");
		res = PQexec(c, "CREATE DATABASE pantau");
		if (PQresultStatus(res) != PGRES_COMMAND_OK)
			rc = perr_setc(err, -EIO, "CREATE DATABASE pantau: %s",
				       PQresultErrorMessage(res));
	}
	PQclear(res);
	PQfinish(c);
	return rc;
}

static int set_paths(struct pgembed *pg, const char *state_dir, struct perr *err)
{
	char base[480];
	int n = snprintf(base, sizeof(base), "%s/pg", state_dir);
	if (n < 0 || (size_t)n >= sizeof(base) - 32)
		return perr_set(err, "state_dir is too long");
	snprintf(pg->data_dir, sizeof(pg->data_dir), "%s/data", base);
	snprintf(pg->run_dir, sizeof(pg->run_dir), "%s/run", base);
	snprintf(pg->log_file, sizeof(pg->log_file), "%s/postgresql.log", base);
	int rc = make_dirs(base, err);
	if (rc == 0)
		rc = make_dir(pg->run_dir, err);
	return rc;
}

int pgembed_start(struct pgembed *pg, const char *state_dir, struct perr *err)
{
	memset(pg, 0, sizeof(*pg));
	if (geteuid() == 0)
		return perr_setc(err, -EPERM,
				 "the embedded PostgreSQL cluster cannot run as root: run "
				 "pantau-collector as an unprivileged user such as 'pantau' "
				 "(e.g. runuser -u pantau -- pantau-collector --config FILE), "
				 "or set database.dsn to an existing PostgreSQL server");
	if (pgembed_find_bindir(pg->bindir, sizeof(pg->bindir)) < 0)
		return perr_setc(err, -ENOENT,
				 "initdb and pg_ctl are neither on PATH nor in "
				 "/usr/lib/postgresql/*/bin: install postgresql");
	int rc = set_paths(pg, state_dir, err);
	if (rc == 0)
		rc = init_cluster(pg, err);
	if (rc == 0)
		rc = start_server(pg, err);
	if (rc < 0)
		return rc;
	char admin[1200] = "dbname=postgres host=";
	snprintf(pg->dsn, sizeof(pg->dsn), "dbname=pantau host=");
	if (pgembed_conninfo_quote(admin, sizeof(admin), pg->run_dir) < 0 ||
	    pgembed_conninfo_quote(pg->dsn, sizeof(pg->dsn), pg->run_dir) < 0)
		rc = perr_set(err, "state_dir is too long");
	if (rc == 0)
		rc = wait_ready(pg, admin, err);
	if (rc == 0)
		rc = create_database(admin, err);
	if (rc < 0)
		pgembed_stop(pg);
	return rc;
}

void pgembed_stop(struct pgembed *pg)
{
	if (!pg->started)
		return;
	log_info("pgembed", "stopping PostgreSQL in %s", pg->data_dir);
	char *args[] = {NULL, "-D", pg->data_dir, "-m", "fast", "-w", "stop", NULL};
	if (run(pg, "pg_ctl", args) < 0)
		log_warn("pgembed", "pg_ctl stop failed for %s", pg->data_dir);
	pg->started = false;
}
