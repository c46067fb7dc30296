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
 * are skipped and logged like a failed field. */
#include "agent.h"
#include "modbus_config.h"
#include "modbus_decode.h"
#include "poller.h"

#include <modbus.h>

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define container_of(p, type, member) ((type *)(void *)((char *)(p)-offsetof(type, member)))

struct mb_state {
	struct device *dev;	      /* borrowed */
	const struct modbus_cfg *cfg; /* borrowed from dev->cfg */
	struct workq *wq;	      /* borrowed from the agent */
	struct workq_job job;
	bool busy; /* a job is queued or running */
	bool stopping;
	void (*stop_done)(struct device *dev);
	/* Touched by the job while busy, by the loop thread otherwise. */
	modbus_t *ctx; /* owned */
	bool connected;
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
	if (c->host) {
		st->ctx = modbus_new_tcp_pi(c->host, c->port);
	} else {
		static const char parity[] = {'N', 'E', 'O'};
		st->ctx = modbus_new_rtu(c->serial.device, (int)c->serial.baud,
					 parity[c->serial.parity], (int)c->serial.data_bits,
					 (int)c->serial.stop_bits);
	}
	if (!st->ctx)
		return errno ? -errno : -ENOMEM;
	set_timeouts(st->ctx, c->timeout_ms);
	if (modbus_set_slave(st->ctx, (int)c->unit) < 0) {
		int rc = -errno;
		modbus_free(st->ctx);
		st->ctx = NULL;
		return rc;
	}
	return 0;
}

static void drop_connection(struct mb_state *st)
{
	if (st->ctx && st->connected)
		modbus_close(st->ctx);
	st->connected = false;
}

static int ensure_connected(struct mb_state *st)
{
	if (!st->ctx) {
		int rc = new_context(st);
		if (rc < 0)
			return rc;
	}
	if (st->connected)
		return 0;
	if (modbus_connect(st->ctx) < 0)
		return errno ? -errno : -EIO;
	st->connected = true;
	return 0;
}

static int read_once(struct mb_state *st, const struct modbus_request *q)
{
	int rc;
	switch (q->table) {
	case MODBUS_TABLE_COIL:
		rc = modbus_read_bits(st->ctx, q->address, q->count, st->bits + q->offset);
		break;
	case MODBUS_TABLE_DISCRETE:
		rc = modbus_read_input_bits(st->ctx, q->address, q->count, st->bits + q->offset);
		break;
	case MODBUS_TABLE_INPUT:
		rc = modbus_read_input_registers(st->ctx, q->address, q->count,
						 st->regs + q->offset);
		break;
	default:
		rc = modbus_read_registers(st->ctx, q->address, q->count, st->regs + q->offset);
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
	bool reused = st->connected;
	size_t r = 0;
	for (; r < plan->nreqs; r++) {
		int rc = read_with_retries(st, &plan->reqs[r], &reused);
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
	struct modbus_raw raw;
	if (modbus_decode_number((enum modbus_type)f->type, regs, f->width,
				 (enum modbus_order)f->byte_order, (enum modbus_order)f->word_order,
				 &raw) < 0) {
		note_missing(m, f, "cannot decode");
		return 0;
	}
	double v = modbus_raw_to_double(&raw) * f->scale + f->offset;
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
	if (st->ctx) {
		drop_connection(st);
		modbus_free(st->ctx);
	}
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

static void job_done(struct workq_job *job)
{
	struct mb_state *st = container_of(job, struct mb_state, job);
	st->busy = false;
	if (st->stopping)
		finish_stop(st);
	else
		finish_poll(st);
}

static int mb_parse(struct device *dev, const struct conf_node *node,
		    const struct conf_node *dev_node, struct perr *err)
{
	struct modbus_cfg *cfg;
	int rc = modbus_config_parse(node, &cfg, err);
	if (rc < 0)
		return rc;
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
	/* +1: calloc(0) may return NULL. */
	st->regs = calloc(cfg->plan.total_registers + 1, sizeof(*st->regs));
	st->bits = calloc(cfg->plan.total_bits + 1, sizeof(*st->bits));
	st->status = calloc(cfg->plan.nreqs + 1, sizeof(*st->status));
	if (!st->regs || !st->bits || !st->status) {
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
	workq_submit(st->wq, &st->job, job_work, job_done);
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
	/* A running job cannot be interrupted; its completion finishes the stop. */
	if (!st->busy)
		finish_stop(st);
}

static void mb_free_cfg(void *cfg)
{
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
