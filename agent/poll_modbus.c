/* The Modbus poller (TCP now, RTU through the same path).
 *
 * libmodbus blocks, so every libmodbus call runs on the agent's worker pool
 * (agent_workq): a poll submits one job per device, the job walks the read
 * plan computed at parse time, and its completion runs back on the loop
 * thread, where the values are decoded and emitted. The loop thread never
 * waits on a device.
 *
 * Ownership: the modbus_t context and the result buffers live in the
 * device's state and are touched only by the job while it runs (busy) and
 * by the loop thread while it does not. The context is kept across polls;
 * any transport error closes it and the next attempt reconnects.
 *
 * Outcome of a poll: status 0 when at least one value was read; the fields
 * whose request got a Modbus exception are just missing (logged once, with
 * backoff, and once more on recovery). When nothing was read, the status is
 * the transport error (-ETIMEDOUT, -ECONNREFUSED, ...), -EHOSTUNREACH when a
 * gateway said its target did not answer, or -EPROTO when every request got
 * an exception. A transport error that outlives the retries ends the poll:
 * the device is not answering, and waiting one timeout per remaining
 * request would only delay it more.
 *
 * Values that came before such an error still count (status 0, the rest
 * logged as missing).
 *
 * Retries: each request gets 1 + retries attempts after a transport error,
 * reconnecting in between so a late answer is never taken for the next one.
 * A kept connection the peer closed between polls (reset, broken pipe) is
 * reopened once without using up a retry.
 *
 * Samples carry the labels `table`, `address` and, for one bit of a
 * register, `bit`. There is no unit id label: a device is one unit, so its
 * name already says which. Strings are reported as inventory (kind
 * "modbus", id the metric, with `value`, `table` and `address`), not as
 * samples. Floats that decode to NaN or infinity (often "sensor absent")
 * are skipped and logged like a failed field; a raw value listed in the
 * field's `invalid` is skipped silently. A state field's sample carries the
 * name of its value when the field names it (`states`). */
#include "agent.h"
#include "modbus_config.h"
#include "modbus_decode.h"
#include "modbus_link.h"
#include "poller.h"

#include <modbus.h>

#ifndef PANTAU_PROFILE_DIR
#define PANTAU_PROFILE_DIR "/usr/local/share/pantau/profiles"
#endif

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define container_of(p, type, member) ((type *)(void *)((char *)(p)-offsetof(type, member)))

struct mb_state {
	struct device *dev;	      /* borrowed */
	const struct modbus_cfg *cfg; /* borrowed from dev->cfg */
	struct workq *wq;	      /* borrowed from the agent */
	struct workq_job job;
	bool busy; /* a job is queued or running */
	bool stopping;
	void (*stop_done)(struct device *dev);
	struct modbus_link *link; /* one reference; shared with devices on the same line */
	struct modbus_link_waiter wait;
	/* Touched by the job while busy, by the loop thread otherwise. */
	uint16_t *regs; /* owned: plan.total_registers */
	uint8_t *bits;	/* owned: plan.total_bits */
	int *status;	/* owned: per request, 0 or -errno */
	/* Loop thread only. */
	struct log_complaint partial; /* fields missing from answered polls */
	char reason[160];
};

/* ---- worker side: libmodbus calls ------------------------------------ */

static bool is_exception(int rc)
{
	return rc <= -(MODBUS_ENOBASE + 1) && rc >= -EMBXGTAR;
}

/* A gateway that could not reach its target: the device did not answer. */
static bool is_gateway_miss(int rc)
{
	return rc == -EMBXGPATH || rc == -EMBXGTAR;
}

/* The peer closed a kept-alive connection between polls. */
static bool is_stale(int rc)
{
	return rc == -ECONNRESET || rc == -EPIPE || rc == -ENOTCONN || rc == -EBADF;
}

static void set_timeouts(modbus_t *ctx, uint64_t ms)
{
	modbus_set_response_timeout(ctx, (uint32_t)(ms / 1000), (uint32_t)(ms % 1000) * 1000);
	/* Gaps inside one answer: half a second is libmodbus's own default. */
	uint64_t byte_ms = ms < 500 ? ms : 500;
	modbus_set_byte_timeout(ctx, (uint32_t)(byte_ms / 1000), (uint32_t)(byte_ms % 1000) * 1000);
}

static int new_context(struct mb_state *st)
{
	const struct modbus_cfg *c = st->cfg;
	modbus_t *ctx;
	if (c->host) {
		ctx = modbus_new_tcp_pi(c->host, c->port);
	} else {
		static const char parity[] = {'N', 'E', 'O'};
		ctx = modbus_new_rtu(c->serial.device, (int)c->serial.baud,
				     parity[c->serial.parity], (int)c->serial.data_bits,
				     (int)c->serial.stop_bits);
	}
	if (!ctx)
		return errno ? -errno : -ENOMEM;
	st->link->ctx = ctx;
	return 0;
}

/* Points the link's context at this device: its unit id and timeouts,
 * since devices sharing a line differ in both. */
static int use_link(struct mb_state *st)
{
	int rc = st->link->ctx ? 0 : new_context(st);
	if (rc < 0)
		return rc;
	set_timeouts(st->link->ctx, st->cfg->timeout_ms);
	if (modbus_set_slave(st->link->ctx, (int)st->cfg->unit) < 0)
		return errno ? -errno : -EINVAL;
	return 0;
}

static void drop_connection(struct mb_state *st)
{
	struct modbus_link *l = st->link;
	if (l->ctx && l->connected)
		modbus_close(l->ctx);
	l->connected = false;
}

static int ensure_connected(struct mb_state *st)
{
	struct modbus_link *l = st->link;
	if (!l->ctx)
		return -ENOTCONN;
	if (l->connected)
		return 0;
	if (modbus_connect(l->ctx) < 0)
		return errno ? -errno : -EIO;
	l->connected = true;
	return 0;
}

/* The silence before an RTU frame: `frame_gap`, or 3.5 character times
 * (1.75 ms above 19200 baud, as the Modbus serial line spec says), so that
 * slaves on the bus see the end of the previous frame. */
static void serial_frame_gap(const struct modbus_cfg *c)
{
	if (c->host)
		return;
	uint64_t us = c->serial.frame_gap_ms * 1000;
	if (us == 0) {
		uint64_t bits = 1 + (uint64_t)c->serial.data_bits + (c->serial.parity ? 1 : 0) +
				(uint64_t)c->serial.stop_bits;
		us = c->serial.baud > 19200 ? 1750 : (bits * 3500000 + 999) / (uint64_t)c->serial.baud;
	}
	struct timespec ts = {(time_t)(us / 1000000), (long)(us % 1000000) * 1000};
	nanosleep(&ts, NULL);
}

static int read_once(struct mb_state *st, const struct modbus_request *q)
{
	modbus_t *ctx = st->link->ctx;
	int rc;
	serial_frame_gap(st->cfg);
	switch (q->table) {
	case MODBUS_TABLE_COIL:
		rc = modbus_read_bits(ctx, q->address, q->count, st->bits + q->offset);
		break;
	case MODBUS_TABLE_DISCRETE:
		rc = modbus_read_input_bits(ctx, q->address, q->count, st->bits + q->offset);
		break;
	case MODBUS_TABLE_INPUT:
		rc = modbus_read_input_registers(ctx, q->address, q->count,
						 st->regs + q->offset);
		break;
	default:
		rc = modbus_read_registers(ctx, q->address, q->count, st->regs + q->offset);
		break;
	}
	if (rc == q->count)
		return 0;
	return rc < 0 && errno ? -errno : -EMBBADDATA;
}

/* One request with its retries. *reused says the connection was kept from
 * an earlier poll: if the peer closed it meanwhile, reconnecting once is
 * not counted as a retry. */
static int read_with_retries(struct mb_state *st, const struct modbus_request *q, bool *reused)
{
	int rc = 0;
	for (int64_t attempt = 0; attempt <= st->cfg->retries;) {
		rc = ensure_connected(st);
		if (rc == 0) {
			rc = read_once(st, q);
			if (rc == 0 || (is_exception(rc) && !is_gateway_miss(rc))) {
				*reused = false; /* it answered: the connection is live */
				return rc;
			}
			/* A late answer must not be taken for the next one. */
			drop_connection(st);
		}
		if (*reused && is_stale(rc)) {
			*reused = false;
			continue;
		}
		*reused = false;
		attempt++;
	}
	return rc;
}

static void job_work(struct workq_job *job)
{
	struct mb_state *st = container_of(job, struct mb_state, job);
	const struct modbus_plan *plan = &st->cfg->plan;
	bool reused = st->link->connected;
	size_t r = 0;
	int rc = use_link(st);
	if (rc < 0) {
		for (; r < plan->nreqs; r++)
			st->status[r] = r ? -ECANCELED : rc;
		return;
	}
	for (; r < plan->nreqs; r++) {
		rc = read_with_retries(st, &plan->reqs[r], &reused);
		st->status[r] = rc;
		if (rc < 0 && !is_exception(rc))
			break;
		if (is_gateway_miss(rc))
			break;
	}
	for (r++; r < plan->nreqs; r++)
		st->status[r] = -ECANCELED;
}

/* ---- loop side: decode and emit --------------------------------------- */

/* Collects the names of fields that were not read, for one log line. */
struct missing {
	size_t n;
	size_t used;
	char text[400];
};

static void note_missing(struct missing *m, const struct modbus_field *f, const char *why)
{
	m->n++;
	if (m->used >= sizeof(m->text) - 1)
		return;
	int w = snprintf(m->text + m->used, sizeof(m->text) - m->used, "%s%s (%s %s: %s)",
			 m->used ? ", " : "", f->metric, modbus_table_names[f->table],
			 f->address_text, why);
	if (w > 0)
		m->used += (size_t)w;
	if (m->used >= sizeof(m->text) - 1)
		m->used = sizeof(m->text) - 1;
}

static void emit_value(struct device *dev, const struct modbus_field *f, double value)
{
	struct label labels[3] = {
		{"table", modbus_table_names[f->table]},
		{"address", f->address_text},
		{"bit", f->bit_text},
	};
	static const enum series_kind kinds[] = {SERIES_GAUGE, SERIES_COUNTER, SERIES_STATE};
	struct sample_in s = {
		.metric = f->metric,
		.unit = f->unit,
		.kind = kinds[f->kind],
		.labels = labels,
		.nlabels = f->bit_text[0] ? 3 : 2,
		.value = value,
		.text = f->nstates ? modbus_field_state_name(f, (int64_t)value) : NULL,
	};
	device_emit(dev, &s);
}

static void emit_string(struct device *dev, const struct modbus_field *f, const uint16_t *regs)
{
	char text[2 * 125 + 1];
	modbus_decode_string(regs, (size_t)f->length, (enum modbus_order)f->byte_order, text,
			     sizeof(text));
	struct label fields[3] = {
		{"value", text},
		{"table", modbus_table_names[f->table]},
		{"address", f->address_text},
	};
	device_emit_inventory(dev, "modbus", f->metric, fields, 3);
}

/* Decodes one field of an answered request. Returns 1 if a value was
 * emitted, 0 if it was skipped (and noted). */
static int emit_field(struct mb_state *st, const struct modbus_request *q,
		      const struct modbus_field *f, struct missing *m)
{
	size_t at = q->offset + (size_t)(f->address - q->address);
	if (modbus_table_is_bits((enum modbus_table)f->table)) {
		emit_value(st->dev, f, st->bits[at] ? 1.0 : 0.0);
		return 1;
	}
	const uint16_t *regs = st->regs + at;
	if (f->type == MODBUS_T_STRING) {
		emit_string(st->dev, f, regs);
		return 1;
	}
	if (f->type == MODBUS_T_BOOL) {
		bool v = f->bit >= 0 ? modbus_decode_bit(regs[0], (unsigned)f->bit) : regs[0] != 0;
		emit_value(st->dev, f, v ? 1.0 : 0.0);
		return 1;
	}
	double rawv;
	if (f->bit >= 0) { /* bits bit..bit+bits-1 of a register, unsigned */
		rawv = (double)((regs[0] >> f->bit) & ((1u << f->bits) - 1));
	} else {
		struct modbus_raw raw;
		if (modbus_decode_number((enum modbus_type)f->type, regs, f->width,
					 (enum modbus_order)f->byte_order,
					 (enum modbus_order)f->word_order, &raw) < 0) {
			note_missing(m, f, "cannot decode");
			return 0;
		}
		rawv = modbus_raw_to_double(&raw);
	}
	/* A sentinel such as 0xFFFF "not available" is no reading, not a
	 * failure: nothing is emitted and nothing logged, as for SNMP. */
	if (modbus_field_is_invalid(f, rawv))
		return 0;
	double v = rawv * f->scale / f->divide + f->offset;
	if (!isfinite(v)) {
		note_missing(m, f, "not a number");
		return 0;
	}
	emit_value(st->dev, f, v);
	return 1;
}

/* Emits every field of answered requests. Returns how many values went
 * out; *first_err is the first transport error (or 0), *exceptions counts
 * requests answered with an exception. */
static size_t emit_all(struct mb_state *st, struct missing *m, int *first_err, size_t *exceptions)
{
	const struct modbus_plan *plan = &st->cfg->plan;
	size_t values = 0;
	*first_err = 0;
	*exceptions = 0;
	for (size_t r = 0; r < plan->nreqs; r++) {
		const struct modbus_request *q = &plan->reqs[r];
		int rc = st->status[r];
		if (is_exception(rc) && !is_gateway_miss(rc))
			(*exceptions)++;
		else if (rc < 0 && rc != -ECANCELED && !*first_err)
			*first_err = is_gateway_miss(rc) ? -EHOSTUNREACH : rc;
		for (size_t k = 0; k < q->nfields; k++) {
			const struct modbus_field *f = &st->cfg->fields[plan->fields[q->first + k]];
			if (rc == 0)
				values += (size_t)emit_field(st, q, f, m);
			else
				note_missing(m, f,
					     rc == -ECANCELED
						     ? "not tried: the device stopped answering"
						     : modbus_strerror(-rc));
		}
	}
	return values;
}

static void finish_poll(struct mb_state *st)
{
	struct device *dev = st->dev;
	struct missing m = {0};
	int first_err;
	size_t exceptions;
	size_t values = emit_all(st, &m, &first_err, &exceptions);
	if (values > 0) {
		if (m.n > 0)
			log_complain(&st->partial, LL_WARN, "modbus",
				     "%s: %zu of %zu fields not read: %s", dev->name, m.n,
				     st->cfg->nfields, m.text);
		else
			log_release(&st->partial, "modbus", "%s: every field read again",
				    dev->name);
		device_poll_done(dev, 0, NULL);
		return;
	}
	int status = first_err ? first_err : -EPROTO;
	if (first_err)
		snprintf(st->reason, sizeof(st->reason), "%s", modbus_strerror(-first_err));
	else
		snprintf(st->reason, sizeof(st->reason), "%zu of %zu reads got Modbus exceptions",
			 exceptions, st->cfg->plan.nreqs);
	device_poll_done(dev, status, st->reason);
}

/* ---- the vtable -------------------------------------------------------- */

static void free_state(struct mb_state *st)
{
	modbus_link_put(st->link);
	free(st->regs);
	free(st->bits);
	free(st->status);
	free(st);
}

static void finish_stop(struct mb_state *st)
{
	struct device *dev = st->dev;
	void (*done)(struct device *) = st->stop_done;
	dev->state = NULL;
	free_state(st);
	done(dev);
}

static void job_done(struct workq_job *job);

static void submit(struct mb_state *st)
{
	workq_submit(st->wq, &st->job, job_work, job_done);
}

static void job_done(struct workq_job *job)
{
	struct mb_state *st = container_of(job, struct mb_state, job);
	st->busy = false;
	/* The next device on this line goes first: its turn does not wait
	 * for this one's decoding. */
	struct modbus_link_waiter *w = modbus_link_release(st->link);
	if (w)
		submit(container_of(w, struct mb_state, wait));
	if (st->stopping)
		finish_stop(st);
	else
		finish_poll(st);
}

/* RTU configurations parsed so far, so that two devices on one serial line
 * cannot ask for different line settings. Configuration time only. */
static struct serial_user {
	const struct modbus_cfg *cfg;
	const char *device; /* borrowed: the device's name */
} *serial_users;
static size_t nserial_users;

static bool same_line_settings(const struct modbus_serial *a, const struct modbus_serial *b)
{
	return a->baud == b->baud && a->parity == b->parity && a->data_bits == b->data_bits &&
	       a->stop_bits == b->stop_bits;
}

static int check_serial(const struct device *dev, const struct modbus_cfg *cfg,
			const struct conf_node *node, struct perr *err)
{
	if (cfg->host)
		return 0;
	for (size_t i = 0; i < nserial_users; i++) {
		const struct modbus_serial *o = &serial_users[i].cfg->serial;
		if (strcmp(o->device, cfg->serial.device) != 0 ||
		    same_line_settings(o, &cfg->serial))
			continue;
		return conf_error(err, conf_get(node, "serial"),
				  "modbus.serial: %s is also used by device '%s' with other "
				  "settings (%lld %c%lld%lld); devices on one line share them",
				  o->device, serial_users[i].device, (long long)o->baud,
				  "NEO"[o->parity], (long long)o->data_bits, (long long)o->stop_bits);
	}
	struct serial_user *p = realloc(serial_users, (nserial_users + 1) * sizeof(*p));
	if (!p)
		return perr_setc(err, -ENOMEM, "out of memory");
	serial_users = p;
	serial_users[nserial_users++] = (struct serial_user){cfg, dev->name};
	return 0;
}

static void forget_serial(const struct modbus_cfg *cfg)
{
	for (size_t i = 0; i < nserial_users; i++) {
		if (serial_users[i].cfg != cfg)
			continue;
		serial_users[i] = serial_users[--nserial_users];
		break;
	}
	if (nserial_users == 0) {
		free(serial_users);
		serial_users = NULL;
	}
}

static int mb_parse(struct device *dev, const struct conf_node *node,
		    const struct conf_node *dev_node, struct perr *err)
{
	struct modbus_cfg *cfg;
	const char *dir = PANTAU_PROFILE_DIR;
	if (dev->agent && dev->agent->cfg.profile_dir && *dev->agent->cfg.profile_dir)
		dir = dev->agent->cfg.profile_dir;
	int rc = modbus_config_parse(node, dir, &cfg, err);
	if (rc < 0)
		return rc;
	if ((rc = check_serial(dev, cfg, node, err)) < 0) {
		modbus_config_free(cfg);
		return rc;
	}
	dev->cfg = cfg;
	return 0;
}

static int mb_start(struct device *dev)
{
	const struct modbus_cfg *cfg = dev->cfg;
	struct workq *wq = agent_workq(dev->agent);
	if (!wq)
		return -EAGAIN;
	struct mb_state *st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	*st = (struct mb_state){.dev = dev, .cfg = cfg, .wq = wq};
	st->link = modbus_link_get(cfg);
	/* +1: calloc(0) may return NULL. */
	st->regs = calloc(cfg->plan.total_registers + 1, sizeof(*st->regs));
	st->bits = calloc(cfg->plan.total_bits + 1, sizeof(*st->bits));
	st->status = calloc(cfg->plan.nreqs + 1, sizeof(*st->status));
	if (!st->link || !st->regs || !st->bits || !st->status) {
		free_state(st);
		return -ENOMEM;
	}
	dev->state = st;
	return 0;
}

static int mb_poll(struct device *dev)
{
	struct mb_state *st = dev->state;
	if (!st || st->stopping)
		return -ESHUTDOWN;
	if (st->busy)
		return -EBUSY;
	st->busy = true;
	if (modbus_link_acquire(st->link, &st->wait))
		submit(st);
	return 0;
}

static void mb_stop(struct device *dev, void (*done)(struct device *dev))
{
	struct mb_state *st = dev->state;
	if (!st) {
		done(dev);
		return;
	}
	st->stopping = true;
	st->stop_done = done;
	if (st->wait.queued) { /* waiting for its turn on the line: just leave */
		modbus_link_cancel(st->link, &st->wait);
		st->busy = false;
	}
	/* A running job cannot be interrupted; its completion finishes the stop. */
	if (!st->busy)
		finish_stop(st);
}

static void mb_free_cfg(void *cfg)
{
	forget_serial(cfg);
	modbus_config_free(cfg);
}

const struct poller_ops poll_modbus_ops = {
	.name = "modbus",
	.parse = mb_parse,
	.start = mb_start,
	.poll = mb_poll,
	.stop = mb_stop,
	.free_cfg = mb_free_cfg,
};
