/* libFuzzer target: the YAML configuration reader (common/conf.c) and the
 * scalar parsers every option goes through. A broken file must give an
 * error that names the file, never a crash, a leak or a hang. */
#include "conf.h"
#include "perr.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void parse_scalar(const char *s)
{
	uint64_t u;
	int64_t i;
	double d;
	bool b;
	(void)conf_parse_duration_ms(s, &u);
	(void)conf_parse_size(s, &u);
	(void)conf_parse_int(s, &i);
	(void)conf_parse_double(s, &d);
	(void)conf_parse_bool(s, &b);
}

static void walk(const struct conf_node *n, int depth)
{
	if (!n || depth > 200)
		return;
	if (n->kind == CONF_SCALAR && n->scalar)
		parse_scalar(n->scalar);
	for (size_t k = 0; k < n->n; k++) {
		if (n->kind == CONF_MAP) {
			(void)conf_get(n, n->pairs[k].key);
			walk(n->pairs[k].value, depth + 1);
		} else if (n->kind == CONF_SEQ) {
			walk(n->items[k], depth + 1);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf_doc doc;
	struct perr err = {{0}};
	if (conf_load_string("fuzz.yaml", (const char *)data, size, &doc, &err) < 0) {
		if (!strstr(err.msg, "fuzz.yaml"))
			abort(); /* every error names the file */
		return 0;
	}
	walk(doc.root, 0);
	conf_doc_free(&doc);
	return 0;
}
