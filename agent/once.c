#include "once.h"
#include "buf.h"
#include "json.h"
#include "log.h"

#include <stdio.h>

static int put_head(struct buf *b, const struct device *dev, int64_t ts_ms)
{
	char when[32];
	log_format_time(ts_ms, when, sizeof(when));
	int rc = buf_puts(b, "{\"device\":");
	rc = rc ? rc : json_put_string(b, dev->name);
	rc = rc ? rc : buf_puts(b, ",\"kind\":");
	rc = rc ? rc : json_put_string(b, dev->kind);
	rc = rc ? rc : buf_puts(b, ",\"ts\":");
	rc = rc ? rc : json_put_string(b, when);
	return rc;
}

static int put_labels(struct buf *b, const struct label *labels, size_t n)
{
	int rc = buf_putc(b, '{');
	for (size_t i = 0; rc == 0 && i < n; i++) {
		rc = i ? buf_putc(b, ',') : 0;
		rc = rc ? rc : json_put_string(b, labels[i].key);
		rc = rc ? rc : buf_putc(b, ':');
		rc = rc ? rc : json_put_string(b, labels[i].value ? labels[i].value : "");
	}
	return rc ? rc : buf_putc(b, '}');
}

static void emit_line(struct buf *b, int rc)
{
	if (rc == 0)
		rc = buf_puts(b, "}\n");
	if (rc == 0)
		fwrite(b->data, 1, b->len, stdout);
	else
		log_error("once", "cannot format a record: out of memory");
	buf_free(b);
}

void once_print_sample(const struct device *dev, const struct sample_in *s, int64_t ts_ms)
{
	struct buf b;
	buf_init(&b, 1 << 20);
	int rc = put_head(&b, dev, ts_ms);
	rc = rc ? rc : buf_puts(&b, ",\"metric\":");
	rc = rc ? rc : json_put_string(&b, s->metric);
	rc = rc ? rc : buf_puts(&b, ",\"value\":");
	rc = rc ? rc : json_put_double(&b, s->value);
	rc = rc ? rc : buf_puts(&b, ",\"unit\":");
	rc = rc ? rc : json_put_string(&b, s->unit ? s->unit : "");
	if (rc == 0 && s->text) {
		rc = buf_puts(&b, ",\"state\":");
		rc = rc ? rc : json_put_string(&b, s->text);
	}
	rc = rc ? rc : buf_puts(&b, ",\"labels\":");
	rc = rc ? rc : put_labels(&b, s->labels, s->nlabels);
	emit_line(&b, rc);
}

void once_print_inventory(const struct device *dev, const char *item_kind, const char *item_id,
			  const struct label *fields, size_t nfields)
{
	struct buf b;
	buf_init(&b, 1 << 20);
	int rc = put_head(&b, dev, log_wall_ms());
	rc = rc ? rc : buf_puts(&b, ",\"inventory\":{\"type\":");
	rc = rc ? rc : json_put_string(&b, item_kind);
	rc = rc ? rc : buf_puts(&b, ",\"id\":");
	rc = rc ? rc : json_put_string(&b, item_id ? item_id : "");
	rc = rc ? rc : buf_puts(&b, ",\"fields\":");
	rc = rc ? rc : put_labels(&b, fields, nfields);
	rc = rc ? rc : buf_putc(&b, '}');
	emit_line(&b, rc);
}
