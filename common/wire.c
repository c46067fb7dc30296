#include "wire.h"
#include "frame.h"

#include <errno.h>
#include <string.h>

int wire_encode(Pantau__Envelope *env, struct buf *out, uint32_t max_frame)
{
	env->version = WIRE_VERSION;
	size_t len = pantau__envelope__get_packed_size(env);
	int rc = frame_put_header(out, len, max_frame);
	if (rc < 0)
		return rc;
	if ((rc = buf_reserve(out, len)) < 0) {
		out->len -= FRAME_HEADER_LEN;
		return rc;
	}
	size_t n = pantau__envelope__pack(env, out->data + out->len);
	out->len += n;
	return n == len ? 0 : -EIO;
}

static int check_string(const char *s, const char *what, struct perr *err)
{
	/* protobuf-c already rejects strings that are not valid UTF-8. */
	if (s && strlen(s) > WIRE_MAX_STRING)
		return perr_setc(err, -EBADMSG, "%s longer than %d bytes", what, WIRE_MAX_STRING);
	return 0;
}

static int check_labels(Pantau__Label **labels, size_t n, struct perr *err)
{
	if (n > WIRE_MAX_LABELS)
		return perr_setc(err, -EBADMSG, "%zu labels (at most %d)", n, WIRE_MAX_LABELS);
	for (size_t i = 0; i < n; i++) {
		if (!labels[i]->key[0])
			return perr_setc(err, -EBADMSG, "label with an empty key");
		if (check_string(labels[i]->key, "label key", err) < 0 ||
		    check_string(labels[i]->value, "label value", err) < 0)
			return -EBADMSG;
	}
	return 0;
}

static int check_batch(const Pantau__Batch *b, struct perr *err)
{
	if (b->n_series_ids != b->n_dt_ms || b->n_series_ids != b->n_values)
		return perr_setc(err, -EBADMSG,
				 "batch %llu: column lengths differ (ids %zu, dt %zu, values %zu)",
				 (unsigned long long)b->seq, b->n_series_ids, b->n_dt_ms,
				 b->n_values);
	if (b->n_series_ids > WIRE_MAX_SAMPLES)
		return perr_setc(err, -EBADMSG, "batch with %zu samples (at most %d)",
				 b->n_series_ids, WIRE_MAX_SAMPLES);
	if (b->n_series > WIRE_MAX_SERIES_DEFS)
		return perr_setc(err, -EBADMSG, "batch defines %zu series (at most %d)",
				 b->n_series, WIRE_MAX_SERIES_DEFS);
	if (b->seq == 0)
		return perr_setc(err, -EBADMSG, "batch sequence number 0");
	for (size_t i = 0; i < b->n_series; i++) {
		const Pantau__SeriesDef *d = b->series[i];
		if (!d->device[0] || !d->metric[0])
			return perr_setc(err, -EBADMSG, "series %u without device or metric",
					 d->id);
		if (check_string(d->device, "device name", err) < 0 ||
		    check_string(d->metric, "metric name", err) < 0 ||
		    check_string(d->unit, "unit", err) < 0 ||
		    check_string(d->device_kind, "device kind", err) < 0 ||
		    check_labels(d->labels, d->n_labels, err) < 0)
			return -EBADMSG;
	}
	return 0;
}

static int check_inventory(const Pantau__Inventory *inv, struct perr *err)
{
	if (!inv->device[0])
		return perr_setc(err, -EBADMSG, "inventory without device");
	if (inv->n_items > WIRE_MAX_ITEMS)
		return perr_setc(err, -EBADMSG, "inventory with %zu items", inv->n_items);
	if (check_string(inv->device, "device name", err) < 0 ||
	    check_labels(inv->system, inv->n_system, err) < 0)
		return -EBADMSG;
	for (size_t i = 0; i < inv->n_items; i++) {
		const Pantau__InventoryItem *it = inv->items[i];
		if (check_string(it->kind, "item kind", err) < 0 ||
		    check_string(it->id, "item id", err) < 0 ||
		    check_labels(it->fields, it->n_fields, err) < 0)
			return -EBADMSG;
	}
	return 0;
}

static int check_envelope(const Pantau__Envelope *env, struct perr *err)
{
	if (env->version != WIRE_VERSION)
		return perr_setc(err, -EBADMSG, "protocol version %u (this side speaks %d)",
				 env->version, WIRE_VERSION);
	switch (env->body_case) {
	case PANTAU__ENVELOPE__BODY_HELLO:
		if (!env->hello->agent_id[0])
			return perr_setc(err, -EBADMSG, "hello without agent id");
		if (check_string(env->hello->agent_id, "agent id", err) < 0 ||
		    check_string(env->hello->site, "site", err) < 0 ||
		    check_string(env->hello->software, "software", err) < 0)
			return -EBADMSG;
		return 0;
	case PANTAU__ENVELOPE__BODY_BATCH:
		return check_batch(env->batch, err);
	case PANTAU__ENVELOPE__BODY_ACK:
		return 0;
	case PANTAU__ENVELOPE__BODY_INVENTORY:
		return check_inventory(env->inventory, err);
	case PANTAU__ENVELOPE__BODY_DEVICE_STATE:
		if (!env->device_state->device[0])
			return perr_setc(err, -EBADMSG, "device state without device");
		if (check_string(env->device_state->device, "device name", err) < 0 ||
		    check_string(env->device_state->reason, "reason", err) < 0 ||
		    check_string(env->device_state->device_kind, "device kind", err) < 0)
			return -EBADMSG;
		return 0;
	case PANTAU__ENVELOPE__BODY_LOSS:
		if (!env->loss->reason[0])
			return perr_setc(err, -EBADMSG, "loss without reason");
		return check_string(env->loss->reason, "loss reason", err) < 0 ? -EBADMSG : 0;
	default:
		return perr_setc(err, -EBADMSG, "envelope without a known body");
	}
}

int wire_decode(const uint8_t *data, size_t len, Pantau__Envelope **env, struct perr *err)
{
	Pantau__Envelope *e = pantau__envelope__unpack(NULL, len, data);
	if (!e)
		return perr_setc(err, -EBADMSG, "not a valid protobuf Envelope (%zu bytes)", len);
	int rc = check_envelope(e, err);
	if (rc < 0) {
		pantau__envelope__free_unpacked(e, NULL);
		return rc;
	}
	*env = e;
	return 0;
}

void wire_free(Pantau__Envelope *env)
{
	if (env)
		pantau__envelope__free_unpacked(env, NULL);
}
