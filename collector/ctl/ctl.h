/* pantauctl: the operator and auditor CLI. One function per subcommand,
 * listed in the dispatcher's table in pantauctl.c. Each takes the arguments
 * after its own name and returns the process exit code: 0 done, 1 failed
 * (a message on stderr), 2 usage error. */
#ifndef PANTAU_CTL_H
#define PANTAU_CTL_H

#include <libpq-fe.h>

enum { CTL_OK = 0, CTL_FAILED = 1, CTL_USAGE = 2 };

/* pantauctl certs init|agent|collector|revoke ... (certs.c) */
int ctl_certs(int argc, char **argv);

/* pantauctl alerts [--all] [--state S] [--device GLOB] [--rule R] [--json] (alerts.c) */
int ctl_alerts(int argc, char **argv);
/* pantauctl ack ID --by WHO [--comment TEXT] (alerts.c) */
int ctl_ack(int argc, char **argv);
/* pantauctl maintenance add|list|end ... (maintenance.c) */
int ctl_maintenance(int argc, char **argv);

/* Connects to dsn (a libpq connection string; NULL or "" is refused, since
 * alerts, ack and maintenance must name their database) with
 * application_name pantauctl. The connection (PQfinish it), or NULL after
 * printing why. (alerts.c) */
PGconn *ctl_connect(const char *dsn);

/* pantauctl api token NAME [--role R] (api.c): tokens for the collector's HTTP API */
int ctl_api(int argc, char **argv);

/* pantauctl report sla|outages ... (report.c): signed SLA and outage exports */
int ctl_report(int argc, char **argv);
/* pantauctl evidence keygen|verify ... (evidence_cli.c) */
int ctl_evidence(int argc, char **argv);
/* pantauctl report backups ... (report_backups.c): backup SLA per job */
int ctl_report_backups(int argc, char **argv);
/* pantauctl report redundancy --group G ... (report_redundancy.c) */
int ctl_report_redundancy(int argc, char **argv);
/* pantauctl evidence audit [--verify] (audit.c): the audit log and its chain */
int ctl_evidence_audit(int argc, char **argv);

#include <openssl/evp.h>
#include <stddef.h>
/* Loads an Ed25519 private key (PEM) into *key (free with EVP_PKEY_free).
 * 0, or -errno/-EINVAL with err set. (evidence_cli.c) */
int evidence_key_load(const char *path, EVP_PKEY **key, char *err, size_t errlen);

#endif
