/* The agent's one context struct, passed down to every module. */
#ifndef PANTAU_AGENT_H
#define PANTAU_AGENT_H

#include "conf.h"
#include "device.h"
#include "tls.h"
#include "workq.h"

#include <uv.h>
#include <stdbool.h>
#include <stdint.h>

struct send;
struct batch;
struct series_table;
struct spool;

struct agent_config {
	char *id;
	char *site;
	uint64_t interval_ms; /* default poll interval */
	char *profile_dir;    /* where SNMP and Modbus profiles live */
	int64_t workers;      /* threads for blocking protocol calls */
	char *log_level;
	char *metrics_listen; /* "" = off; else host:port of the Prometheus endpoint */
	/* spool */
	char *spool_dir;
	uint64_t spool_max_size;
	char *spool_fsync;	 /* "always", "never" or a duration, as written */
	int spool_fsync_mode;	 /* enum spool_fsync */
	uint64_t spool_fsync_ms;
	/* collector */
	char *collector_address;  /* host:port */
	bool collector_plaintext; /* no TLS: allowed only with a loopback collector */
	uint64_t batch_max_delay_ms;
	int64_t batch_max_samples;
	uint64_t max_buffer;		  /* bytes kept in memory while the spool's disk fails */
	const struct conf_node *tls_node; /* collector.tls, while loading */
	struct tls_files tls;		  /* ca, cert, key, crl (paths made absolute) */
	char *tls_server_name; /* name the collector certificate must carry; "" = address host */
};

struct agent {
	uv_loop_t *loop;
	const char *config_path;
	struct conf_doc doc; /* kept: pollers may point into it */
	struct agent_config cfg;
	struct device **devices; /* owned */
	size_t ndevices;
	bool once;	     /* --once: poll every device once, print JSON */
	size_t once_pending; /* devices whose --once poll has not finished */
	size_t once_failed;
	struct series_table *series;
	struct batch *batch;
	struct spool *spool;
	struct metrics_http *metrics;
	struct send *send;
	struct workq workq;
	bool workq_started;
	bool stopping;
	uv_signal_t sigint, sigterm;
	size_t devices_started; /* devices[0..devices_started) were started */
	size_t devices_running; /* devices not yet stopped while stopping */
	uv_timer_t grace;	/* waits for the last acks at shutdown */
	uint64_t stop_started;
};

/* The shared pool for blocking calls (libmodbus), started on first use.
 * NULL if it could not be started. */
struct workq *agent_workq(struct agent *a);

/* Stops polling, delivers what it can, closes every handle; uv_run returns. */
void agent_stop(struct agent *a);

#endif
