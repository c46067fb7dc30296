/* pantauctl: the operator and auditor CLI.
 *
 *   pantauctl SUBCOMMAND [ARGS...]
 *   pantauctl help | --help | --version
 *
 * Subcommands are listed in one table; each lives in its own file. */
#include "ctl.h"

#include <stdio.h>
#include <string.h>

struct ctl_command {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv);
};

static const struct ctl_command commands[] = {
	{"certs", "make a CA, issue agent and collector certificates, revoke them", ctl_certs},
	{"alerts", "list open (or all) alerts, filtered by state, device, rule", ctl_alerts},
	{"ack", "acknowledge an alert: who, when, comment", ctl_ack},
	{"maintenance", "add, list and end maintenance windows (device, group, site)",
	 ctl_maintenance},
	{"api", "make a token for the collector's HTTP API (prints its config line)", ctl_api},
	{"report", "SLA figures and outages as signed evidence (csv, json)", ctl_report},
	{"evidence", "make the signing key; verify an exported file", ctl_evidence},
};

static void usage(FILE *f)
{
	fprintf(f, "usage: pantauctl SUBCOMMAND [ARGS...]\n\nsubcommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\n'pantauctl SUBCOMMAND --help' describes one.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return CTL_USAGE;
	}
	const char *name = argv[1];
	if (strcmp(name, "help") == 0 || strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
		usage(stdout);
		return CTL_OK;
	}
	if (strcmp(name, "--version") == 0) {
		printf("pantauctl %s\n", PANTAU_VERSION);
		return CTL_OK;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(commands[i].name, name) == 0)
			return commands[i].run(argc - 2, argv + 2);
	}
	fprintf(stderr, "pantauctl: unknown subcommand '%s'\n", name);
	usage(stderr);
	return CTL_USAGE;
}
