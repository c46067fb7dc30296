#include "wire_build.h"

int wb_hello(struct buf *out, uint32_t max_frame, const struct wb_hello *h)
{
	Pantau__Hello m = PANTAU__HELLO__INIT;
	m.agent_id = (char *)h->agent_id;
	m.site = (char *)h->site;
	m.software = (char *)h->software;
	m.stream = h->stream;
	m.clock_ms = h->clock_ms;
	Pantau__Envelope env = PANTAU__ENVELOPE__INIT;
	env.body_case = PANTAU__ENVELOPE__BODY_HELLO;
	env.hello = &m;
	return wire_encode(&env, out, max_frame);
}

void wb_series_def(Pantau__SeriesDef *d, uint32_t id, const char *device, const char *metric,
		   const char *unit, const char *device_kind, Pantau__Label **labels,
		   size_t nlabels)
{
	pantau__series_def__init(d);
	d->id = id;
	d->device = (char *)device;
	d->metric = (char *)metric;
	d->unit = (char *)unit;
	d->device_kind = (char *)device_kind;
	d->labels = labels;
	d->n_labels = nlabels;
}

int wb_batch(struct buf *out, uint32_t max_frame, const struct wb_batch *b)
{
	Pantau__Batch m = PANTAU__BATCH__INIT;
	m.seq = b->seq;
	m.base_ms = b->base_ms;
	m.series = b->defs;
	m.n_series = b->ndefs;
	m.series_ids = b->ids;
	m.dt_ms = b->dt_ms;
	m.values = b->values;
	m.n_series_ids = m.n_dt_ms = m.n_values = b->n;
	Pantau__Envelope env = PANTAU__ENVELOPE__INIT;
	env.body_case = PANTAU__ENVELOPE__BODY_BATCH;
	env.batch = &m;
	return wire_encode(&env, out, max_frame);
}

int wb_device_down(struct buf *out, uint32_t max_frame, const char *device, const char *device_kind,
		   int64_t ts_ms, const char *reason)
{
	Pantau__DeviceState m = PANTAU__DEVICE_STATE__INIT;
	m.device = (char *)device;
	m.ts_ms = ts_ms;
	m.state = PANTAU__DEVICE_STATE__STATE__STATE_DOWN;
	m.reason = (char *)reason;
	m.device_kind = (char *)device_kind;
	Pantau__Envelope env = PANTAU__ENVELOPE__INIT;
	env.body_case = PANTAU__ENVELOPE__BODY_DEVICE_STATE;
	env.device_state = &m;
	return wire_encode(&env, out, max_frame);
}

int wb_inventory(struct buf *out, uint32_t max_frame, const char *device, int64_t ts_ms,
		 const char *sys_descr)
{
	Pantau__Label sys = PANTAU__LABEL__INIT, ifname = PANTAU__LABEL__INIT;
	sys.key = "sysDescr";
	sys.value = (char *)sys_descr;
	ifname.key = "ifName";
	ifname.value = "eth0";
	Pantau__Label *sysp[] = {&sys}, *fields[] = {&ifname};
	Pantau__InventoryItem it = PANTAU__INVENTORY_ITEM__INIT;
	it.kind = "interface";
	it.id = "1";
	it.fields = fields;
	it.n_fields = 1;
	Pantau__InventoryItem *items[] = {&it};
	Pantau__Inventory m = PANTAU__INVENTORY__INIT;
	m.device = (char *)device;
	m.ts_ms = ts_ms;
	m.system = sysp;
	m.n_system = 1;
	m.items = items;
	m.n_items = 1;
	Pantau__Envelope env = PANTAU__ENVELOPE__INIT;
	env.body_case = PANTAU__ENVELOPE__BODY_INVENTORY;
	env.inventory = &m;
	return wire_encode(&env, out, max_frame);
}

int wb_ack(struct buf *out, uint32_t max_frame, uint64_t stream, uint64_t seq)
{
	Pantau__Ack m = PANTAU__ACK__INIT;
	m.seq = seq;
	m.stream = stream;
	Pantau__Envelope env = PANTAU__ENVELOPE__INIT;
	env.body_case = PANTAU__ENVELOPE__BODY_ACK;
	env.ack = &m;
	return wire_encode(&env, out, max_frame);
}
