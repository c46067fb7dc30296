/* A device the agent polls: its schedule, its poller and what it emits. */
#ifndef PANTAU_DEVICE_H
#define PANTAU_DEVICE_H

#include "log.h"
#include "poller.h"

#include <uv.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct agent;
struct inv_item;

enum series_kind { SERIES_GAUGE = 0, SERIES_COUNTER = 1, SERIES_STATE = 2 };

struct label {
	const char *key;
	const char *value;
};

/* One value a poller read. Everything is borrowed for the duration of the
 * device_emit() call. */
struct sample_in {
	const char *metric; /* "ups.battery.charge" */
	const char *unit;   /* "%", "V", "celsius", ...; NULL or "" if none */
	enum series_kind kind;
	const struct label *labels; /* e.g. {"oid", "1.3.6.1.2.1.33.1.2.4.0"} */
	size_t nlabels;
	double value;
	int64_t ts_ms;	  /* unix milliseconds; 0 = the poll's start time */
	const char *text; /* state name of a STATE value, or NULL */
};

struct device_stats {
	uint64_t polls;
	uint64_t failures;
	uint64_t overruns; /* a poll was due while the previous one still ran */
	uint64_t samples;
	uint64_t last_duration_ms;
};

struct device {
	struct agent *agent; /* borrowed */
	char *name;
	char *kind; /* ups, cooling, genset, ... */
	uint64_t interval_ms;
	const struct poller_ops *ops;
	void *cfg;   /* owned, freed by ops->free_cfg */
	void *state; /* owned by the poller between start and stop */
	uv_timer_t timer;
	bool polling;
	bool failed;	    /* last poll failed */
	int64_t poll_ts_ms; /* wall-clock start of the current poll */
	uint64_t poll_start_mono;
	struct log_complaint complaint;
	struct device_stats stats;
	void (*stopped_cb)(struct device *dev);
	struct inv_item *inv;              /* inventory gathered during this poll */
	size_t ninv;
};

/* Starts the poller and the device's schedule (with --once, one poll now).
 * 0 or -errno. */
int device_start(struct device *dev);

/* Stops the schedule and the poller; done(dev) runs when all is closed. */
void device_stop(struct device *dev, void (*done)(struct device *dev));

/* Hands one value to the agent (batching, or stdout with --once). */
void device_emit(struct device *dev, const struct sample_in *s);

/* Hands one inventory record to the agent: item_kind is "system",
 * "entity", "interface", "neighbour", ...; item_id its index ("" for system). */
void device_emit_inventory(struct device *dev, const char *item_kind, const char *item_id,
			   const struct label *fields, size_t nfields);

/* Ends the current poll. status 0 or -errno; reason says why in a few words
 * ("timeout", "connection refused", "3 of 20 objects failed"); NULL if ok.
 * A partial failure that still produced values is status 0 with a reason
 * logged by the poller itself. */
void device_poll_done(struct device *dev, int status, const char *reason);

#endif
