/* Device scheduling and the path from a poller's values to the batcher (or
 * to stdout with --once). */
#include "device.h"
#include "agent.h"
#include "batch.h"
#include "once.h"
#include "send.h"
#include "series.h"
#include "wire.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void device_emit(struct device *dev, const struct sample_in *s)
{
	struct agent *a = dev->agent;
	int64_t ts = s->ts_ms ? s->ts_ms : dev->poll_ts_ms;
	dev->stats.samples++;
	if (a->once) {
		once_print_sample(dev, s, ts);
		return;
	}
	uint32_t id;
	int rc = series_lookup(a->series, dev, s, &id);
	if (rc == 0)
		rc = batch_add(a->batch, id, ts, s->value);
	if (rc < 0)
		log_error("device", "%s: cannot queue %s: %s", dev->name, s->metric, strerror(-rc));
}

static void queue_envelope(struct agent *a, Pantau__Envelope *env)
{
	struct buf frame;
	buf_init(&frame, (size_t)FRAME_MAX_DEFAULT + FRAME_HEADER_LEN);
	int rc = wire_encode(env, &frame, FRAME_MAX_DEFAULT);
	if (rc < 0) {
		log_error("device", "cannot encode a message: %s", strerror(-rc));
		buf_free(&frame);
		return;
	}
	send_message(a->send, &frame);
}

/* One inventory record kept until the poll ends, so the collector gets the
 * device's whole inventory in one message (it replaces what it had). */
struct inv_item {
	char *kind, *id;
	Pantau__Label **labels;
	size_t n;
};

static void inv_item_clear(struct inv_item *it)
{
	for (size_t i = 0; i < it->n; i++) {
		free(it->labels[i]->key);
		free(it->labels[i]->value);
		free(it->labels[i]);
	}
	free(it->labels);
	free(it->kind);
	free(it->id);
}

static void inv_clear(struct device *dev)
{
	for (size_t i = 0; i < dev->ninv; i++)
		inv_item_clear(&dev->inv[i]);
	free(dev->inv);
	dev->inv = NULL;
	dev->ninv = 0;
}

static int inv_copy(struct inv_item *it, const char *kind, const char *id,
		    const struct label *fields, size_t n)
{
	*it = (struct inv_item){.kind = strdup(kind), .id = strdup(id ? id : "")};
	it->labels = calloc(n + 1, sizeof(*it->labels));
	if (!it->kind || !it->id || !it->labels)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		Pantau__Label *l = malloc(sizeof(*l));
		if (!l)
			return -ENOMEM;
		pantau__label__init(l);
		l->key = strdup(fields[i].key);
		l->value = strdup(fields[i].value ? fields[i].value : "");
		it->labels[it->n++] = l;
		if (!l->key || !l->value)
			return -ENOMEM;
	}
	return 0;
}

void device_emit_inventory(struct device *dev, const char *item_kind, const char *item_id,
			   const struct label *fields, size_t nfields)
{
	if (dev->agent->once) {
		once_print_inventory(dev, item_kind, item_id, fields, nfields);
		return;
	}
	struct inv_item *p = realloc(dev->inv, (dev->ninv + 1) * sizeof(*p));
	if (!p)
		return;
	dev->inv = p;
	struct inv_item *it = &dev->inv[dev->ninv++];
	if (inv_copy(it, item_kind, item_id, fields, nfields) < 0) {
		log_error("device", "%s: out of memory keeping inventory", dev->name);
		inv_item_clear(it);
		dev->ninv--;
	}
}

/* Sends what the poll gathered as one Inventory message. */
static void flush_inventory(struct device *dev)
{
	Pantau__Inventory inv = PANTAU__INVENTORY__INIT;
	Pantau__Envelope env = PANTAU__ENVELOPE__INIT;
	Pantau__InventoryItem *items = calloc(dev->ninv, sizeof(*items));
	Pantau__InventoryItem **ptrs = calloc(dev->ninv, sizeof(*ptrs));
	if (!items || !ptrs)
		goto out;
	inv.device = dev->name;
	inv.ts_ms = dev->poll_ts_ms;
	for (size_t i = 0; i < dev->ninv; i++) {
		struct inv_item *it = &dev->inv[i];
		if (strcmp(it->kind, "system") == 0 && !inv.n_system) {
			inv.system = it->labels;
			inv.n_system = it->n;
			continue;
		}
		pantau__inventory_item__init(&items[inv.n_items]);
		items[inv.n_items].kind = it->kind;
		items[inv.n_items].id = it->id;
		items[inv.n_items].fields = it->labels;
		items[inv.n_items].n_fields = it->n;
		ptrs[inv.n_items] = &items[inv.n_items];
		inv.n_items++;
	}
	inv.items = ptrs;
	env.body_case = PANTAU__ENVELOPE__BODY_INVENTORY;
	env.inventory = &inv;
	queue_envelope(dev->agent, &env);
out:
	free(items);
	free(ptrs);
	inv_clear(dev);
}

static void send_state(struct device *dev, bool up, const char *reason)
{
	Pantau__DeviceState st = PANTAU__DEVICE_STATE__INIT;
	Pantau__Envelope env = PANTAU__ENVELOPE__INIT;
	st.device = dev->name;
	st.device_kind = dev->kind;
	st.ts_ms = dev->poll_ts_ms;
	st.state = up ? PANTAU__DEVICE_STATE__STATE__STATE_UP
		      : PANTAU__DEVICE_STATE__STATE__STATE_DOWN;
	st.reason = (char *)(uintptr_t)(reason ? reason : "");
	env.body_case = PANTAU__ENVELOPE__BODY_DEVICE_STATE;
	env.device_state = &st;
	queue_envelope(dev->agent, &env);
}

void device_poll_done(struct device *dev, int status, const char *reason)
{
	struct agent *a = dev->agent;
	bool was_failed = dev->failed;
	bool first = dev->stats.polls == 0;
	dev->polling = false;
	dev->stats.polls++;
	dev->stats.last_duration_ms = log_mono_ms() - dev->poll_start_mono;
	dev->failed = status < 0;
	if (status < 0) {
		dev->stats.failures++;
		log_complain(&dev->complaint, LL_WARN, dev->ops->name, "%s: poll failed: %s",
			     dev->name, reason ? reason : strerror(-status));
	} else {
		log_release(&dev->complaint, dev->ops->name, "%s: answering again", dev->name);
	}
	if (a->once) {
		a->once_failed += status < 0;
		if (--a->once_pending == 0)
			agent_stop(a);
		return;
	}
	batch_poll_done(a->batch);
	if (first || was_failed != dev->failed)
		send_state(dev, status >= 0, status < 0 ? reason : NULL);
	if (dev->ninv)
		flush_inventory(dev);
}

static void poll_now(struct device *dev)
{
	if (dev->polling) {
		dev->stats.overruns++;
		log_debug(dev->ops->name, "%s: still polling after %llu ms; skipping this turn",
			  dev->name, (unsigned long long)(log_mono_ms() - dev->poll_start_mono));
		return;
	}
	dev->polling = true;
	dev->poll_ts_ms = log_wall_ms();
	dev->poll_start_mono = log_mono_ms();
	int rc = dev->ops->poll(dev);
	if (rc < 0) {
		/* The poller could not even start; account for it like a failed poll. */
		device_poll_done(dev, rc, strerror(-rc));
	}
}

static void on_timer(uv_timer_t *t)
{
	poll_now(t->data);
}

int device_start(struct device *dev)
{
	struct agent *a = dev->agent;
	int rc = uv_timer_init(a->loop, &dev->timer);
	if (rc < 0)
		return rc;
	dev->timer.data = dev;
	if ((rc = dev->ops->start(dev)) < 0)
		return rc;
	if (a->once) {
		a->once_pending++;
		return uv_timer_start(&dev->timer, on_timer, 0, 0);
	}
	/* Spread the first polls so devices do not all fire in the same tick. */
	uint64_t spread = dev->interval_ms < 10000 ? dev->interval_ms : 10000;
	uint64_t first = (uint64_t)rand() % (spread ? spread : 1);
	return uv_timer_start(&dev->timer, on_timer, first, dev->interval_ms);
}

static void on_timer_closed(uv_handle_t *h)
{
	struct device *dev = h->data;
	if (dev->stopped_cb)
		dev->stopped_cb(dev);
}

static void on_poller_stopped(struct device *dev)
{
	uv_close((uv_handle_t *)&dev->timer, on_timer_closed);
}

void device_stop(struct device *dev, void (*done)(struct device *dev))
{
	inv_clear(dev);
	dev->stopped_cb = done;
	uv_timer_stop(&dev->timer);
	dev->ops->stop(dev, on_poller_stopped);
}
