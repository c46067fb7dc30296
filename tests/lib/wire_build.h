/* Builders of agent-side wire messages for the test tools (fake_agent, the
 * fuzz seed generator): each fills one Envelope and appends its frame to out
 * with wire_encode. The caller owns every string and array it passes; the
 * builders keep no pointer after they return. All return 0 or wire_encode's
 * negative errno. */
#ifndef PANTAU_TEST_WIRE_BUILD_H
#define PANTAU_TEST_WIRE_BUILD_H

#include "wire.h"

#include <stddef.h>
#include <stdint.h>

struct wb_hello {
	const char *agent_id;
	const char *site;
	const char *software;
	uint64_t stream;
	int64_t clock_ms;
};

int wb_hello(struct buf *out, uint32_t max_frame, const struct wb_hello *h);

/* Fills a series definition (d is initialised first). */
void wb_series_def(Pantau__SeriesDef *d, uint32_t id, const char *device, const char *metric,
		   const char *unit, const char *device_kind, Pantau__Label **labels,
		   size_t nlabels);

struct wb_batch {
	uint64_t seq;
	int64_t base_ms;
	Pantau__SeriesDef **defs; /* new series defined by this batch */
	size_t ndefs;
	uint32_t *ids; /* n samples: series id, ms after base_ms, value */
	int64_t *dt_ms;
	double *values;
	size_t n;
};

int wb_batch(struct buf *out, uint32_t max_frame, const struct wb_batch *b);

/* DeviceState: device went down at ts_ms for reason. */
int wb_device_down(struct buf *out, uint32_t max_frame, const char *device, const char *device_kind,
		   int64_t ts_ms, const char *reason);

/* Inventory of device at ts_ms: a system group with sysDescr and one
 * interface (id 1, ifName eth0). */
int wb_inventory(struct buf *out, uint32_t max_frame, const char *device, int64_t ts_ms,
		 const char *sys_descr);

int wb_ack(struct buf *out, uint32_t max_frame, uint64_t stream, uint64_t seq);

#endif
