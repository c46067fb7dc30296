/* The embedded PostgreSQL cluster used when database.dsn is empty: a
 * private cluster under state_dir/pg (data in data/, Unix socket in run/,
 * no TCP), created with initdb once, started with pg_ctl if it is not
 * running, and stopped on exit only if this process started it.
 *
 * Everything here blocks and spawns processes (fork/exec, never system()),
 * so it runs before the event loop starts or after it has ended. */
#ifndef PANTAU_COLLECTOR_PGEMBED_H
#define PANTAU_COLLECTOR_PGEMBED_H

#include "perr.h"

#include <stdbool.h>
#include <stddef.h>

struct pgembed {
	char bindir[512];   /* where initdb and pg_ctl are; "" = on PATH */
	char data_dir[512]; /* state_dir/pg/data */
	char run_dir[512];  /* state_dir/pg/run: the Unix socket */
	char log_file[512]; /* state_dir/pg/postgresql.log */
	char dsn[1200];     /* libpq conninfo for database pantau */
	bool started;       /* we started the server: stop it on exit */
};

/* Makes sure the cluster exists, runs and has database pantau; fills
 * pg->dsn. Refuses to run as root. 0 or -errno with err set. */
int pgembed_start(struct pgembed *pg, const char *state_dir, struct perr *err);

/* Stops the server if pgembed_start started it. */
void pgembed_stop(struct pgembed *pg);

/* Finds the directory holding initdb and pg_ctl: "" if they are on PATH,
 * else the newest /usr/lib/postgresql/N/bin. 0 or -ENOENT. */
int pgembed_find_bindir(char *out, size_t size);

/* Appends value to a conninfo string, single-quoted and escaped. 0 or -ENOSPC. */
int pgembed_conninfo_quote(char *out, size_t size, const char *value);

#endif
