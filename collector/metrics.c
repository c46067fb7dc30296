#include "metrics.h"

#include <stddef.h>

static const char *const error_names[ME_COUNT_] = {
	[ME_FRAME_TOO_LARGE] = "frame_too_large",
	[ME_BAD_FRAME] = "bad_frame",
	[ME_DECODE] = "decode",
	[ME_NO_HELLO] = "no_hello",
	[ME_HELLO_TIMEOUT] = "hello_timeout",
	[ME_UNDEFINED_SERIES] = "undefined_series",
	[ME_SERIES_CONFLICT] = "series_conflict",
	[ME_BAD_SERIES] = "bad_series",
	[ME_UNEXPECTED] = "unexpected_message",
	[ME_READ] = "read",
	[ME_TOO_MANY_SERIES] = "too_many_series",
};

static const char *const reject_names[MR_COUNT_] = {
	[MR_TIMESTAMP] = "timestamp",
	[MR_RETENTION] = "retention",
};

const char *metrics_error_name(enum metrics_error e)
{
	return (unsigned)e < ME_COUNT_ ? error_names[e] : "unknown";
}

/* One simple metric: HELP, TYPE and the value. */
struct metric_line {
	const char *name;
	const char *type;
	const char *help;
	size_t offset; /* of a uint64_t in struct metrics */
};

#define ML(n, t, h, f) {n, t, h, offsetof(struct metrics, f)}

static const struct metric_line lines[] = {
	ML("frames_received_total", "counter", "Frames received from agents.", frames_received),
	ML("bytes_received_total", "counter", "Bytes received from agents.", bytes_received),
	ML("batches_received_total", "counter", "Batches received from agents.", batches_received),
	ML("batches_stored_total", "counter", "Batches committed to PostgreSQL.", batches_stored),
	ML("batches_duplicate_total", "counter",
	   "Batches received again after they were stored; acknowledged, not stored twice.",
	   batches_duplicate),
	ML("samples_received_total", "counter", "Samples received in batches.", samples_received),
	ML("samples_stored_total", "counter", "Samples committed to PostgreSQL.", samples_stored),
	ML("connections_total", "counter", "Agent connections accepted.", connections),
	ML("connections_active", "gauge", "Agent connections open now.", connections_active),
	ML("tls_handshakes_total", "counter",
	   "TLS handshakes completed with a verified agent certificate.", tls_handshakes),
	ML("store_queue_depth", "gauge", "Items waiting for or being written by the writer.",
	   store_queue_depth),
	ML("retain_runs_total", "counter", "Runs of the rollup and retention job.", retain_runs),
	ML("retain_failures_total", "counter",
	   "Runs of the rollup and retention job that stopped on a database error.",
	   retain_failures),
	ML("rollup_rows_total", "counter", "5-minute and hourly rollup rows written.", rollup_rows),
	ML("partitions_dropped_total", "counter",
	   "Daily sample and monthly or yearly rollup partitions dropped past their retention.",
	   partitions_dropped),
	ML("batch_records_deleted_total", "counter",
	   "Records of stored batches (duplicate detection) deleted past retention.batches.",
	   batch_records_deleted),
};

static int render_labelled(struct buf *out, const char *name, const char *help,
			   const char *const *names, const uint64_t *values, unsigned n)
{
	int rc = buf_printf(out, "# HELP pantau_collector_%s %s\n# TYPE pantau_collector_%s counter\n",
			    name, help, name);
	for (unsigned i = 0; rc == 0 && i < n; i++)
		rc = buf_printf(out, "pantau_collector_%s{reason=\"%s\"} %llu\n", name, names[i],
				(unsigned long long)values[i]);
	return rc;
}

/* Refusals by the TLS layer's reasons (common/tls.h), "none" left out. */
static int render_refused(struct buf *out, const struct metrics *m)
{
	const char *names[TLS_R_COUNT_];
	for (unsigned i = 0; i < TLS_R_COUNT_; i++)
		names[i] = tls_reason_name((enum tls_reason)i);
	return render_labelled(out, "connections_refused_total",
			       "Agent connections refused before or at Hello: certificate, "
			       "identity or handshake problems, by reason.",
			       names + 1, m->connections_refused + 1, TLS_R_COUNT_ - 1);
}

int metrics_render(const struct metrics *m, struct buf *out)
{
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < sizeof(lines) / sizeof(lines[0]); i++) {
		const struct metric_line *l = &lines[i];
		uint64_t v = *(const uint64_t *)((const char *)m + l->offset);
		rc = buf_printf(out,
				"# HELP pantau_collector_%s %s\n# TYPE pantau_collector_%s %s\n"
				"pantau_collector_%s %llu\n",
				l->name, l->help, l->name, l->type, l->name,
				(unsigned long long)v);
	}
	if (rc == 0)
		rc = render_labelled(out, "samples_rejected_total",
				     "Samples dropped from stored batches, by reason.", reject_names,
				     m->samples_rejected, MR_COUNT_);
	if (rc == 0)
		rc = render_labelled(out, "errors_total",
				     "Protocol and storage errors, by reason; each closed a "
				     "connection or dropped an item.",
				     error_names, m->errors, ME_COUNT_);
	if (rc == 0)
		rc = render_refused(out, m);
	if (rc == 0)
		rc = buf_printf(out,
				"# HELP pantau_collector_store_commit_seconds_total Seconds spent "
				"in PostgreSQL transactions that stored batches.\n"
				"# TYPE pantau_collector_store_commit_seconds_total counter\n"
				"pantau_collector_store_commit_seconds_total %.6f\n",
				m->store_commit_seconds);
	if (rc == 0)
		rc = buf_printf(out,
				"# HELP pantau_collector_retain_seconds_total Seconds spent in "
				"rollup and retention runs.\n"
				"# TYPE pantau_collector_retain_seconds_total counter\n"
				"pantau_collector_retain_seconds_total %.6f\n",
				m->retain_seconds);
	return rc;
}
