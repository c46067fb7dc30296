/* pantauctl: the operator and auditor CLI. One function per subcommand,
 * listed in the dispatcher's table in pantauctl.c. Each takes the arguments
 * after its own name and returns the process exit code: 0 done, 1 failed
 * (a message on stderr), 2 usage error. */
#ifndef PANTAU_CTL_H
#define PANTAU_CTL_H

enum { CTL_OK = 0, CTL_FAILED = 1, CTL_USAGE = 2 };

/* pantauctl certs init|agent|collector|revoke ... (certs.c) */
int ctl_certs(int argc, char **argv);

#endif
