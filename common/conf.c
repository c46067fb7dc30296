#include "conf.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

enum { CONF_MAX_DEPTH = 32, CONF_MAX_FILE = 4 << 20 };

struct conf_parser {
	yaml_parser_t yaml;
	const char *file;
	struct perr *err;
};

static void node_free(struct conf_node *n)
{
	if (!n)
		return;
	free(n->scalar);
	for (size_t i = 0; i < n->n; i++) {
		if (n->kind == CONF_MAP) {
			free(n->pairs[i].key);
			node_free(n->pairs[i].value);
		} else if (n->kind == CONF_SEQ) {
			node_free(n->items[i]);
		}
	}
	free(n->pairs);
	free(n->items);
	free(n);
}

void conf_doc_free(struct conf_doc *doc)
{
	node_free(doc->root);
	free(doc->file);
	doc->root = NULL;
	doc->file = NULL;
}

int conf_error(struct perr *err, const struct conf_node *at, const char *fmt, ...)
{
	char text[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (at)
		snprintf(err->msg, sizeof(err->msg), "[%s:%d] %s", at->file, at->line, text);
	else
		snprintf(err->msg, sizeof(err->msg), "%s", text);
	return -EINVAL;
}

static int next_event(struct conf_parser *p, yaml_event_t *ev)
{
	if (yaml_parser_parse(&p->yaml, ev))
		return 0;
	const char *what = p->yaml.problem ? p->yaml.problem : "syntax error";
	return perr_set(p->err, "[%s:%zu] %s", p->file, p->yaml.problem_mark.line + 1, what);
}

static struct conf_node *node_new(struct conf_parser *p, enum conf_kind kind,
				  const yaml_event_t *ev)
{
	struct conf_node *n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	n->kind = kind;
	n->line = (int)ev->start_mark.line + 1;
	n->file = p->file;
	return n;
}

static int parse_node(struct conf_parser *p, yaml_event_t *ev, int depth, struct conf_node **out);

static int grow(void **arr, size_t n, size_t elem)
{
	/* Grows by powers of two: n is the count before the new element. */
	if (n & (n - 1))
		return 0;
	void *q = realloc(*arr, (n ? n * 2 : 1) * elem);
	if (!q)
		return -ENOMEM;
	*arr = q;
	return 0;
}

static int parse_map(struct conf_parser *p, struct conf_node *map, int depth)
{
	for (;;) {
		yaml_event_t ev;
		int rc = next_event(p, &ev);
		if (rc < 0)
			return rc;
		if (ev.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&ev);
			return 0;
		}
		if (ev.type != YAML_SCALAR_EVENT) {
			int line = (int)ev.start_mark.line + 1;
			yaml_event_delete(&ev);
			return perr_set(p->err, "[%s:%d] mapping keys must be plain words", p->file,
					line);
		}
		char *key = strdup((const char *)ev.data.scalar.value);
		int line = (int)ev.start_mark.line + 1;
		yaml_event_delete(&ev);
		if (!key)
			return -ENOMEM;
		for (size_t i = 0; i < map->n; i++) {
			if (strcmp(map->pairs[i].key, key) == 0) {
				rc = perr_set(p->err,
					      "[%s:%d] duplicate key '%s' (first at line %d)",
					      p->file, line, key, map->pairs[i].line);
				free(key);
				return rc;
			}
		}
		struct conf_node *value = NULL;
		rc = next_event(p, &ev);
		if (rc == 0)
			rc = parse_node(p, &ev, depth + 1, &value);
		if (rc == 0)
			rc = grow((void **)&map->pairs, map->n, sizeof(map->pairs[0]));
		if (rc < 0) {
			free(key);
			node_free(value);
			return rc;
		}
		map->pairs[map->n++] = (struct conf_pair){.key = key, .line = line, .value = value};
	}
}

static int parse_seq(struct conf_parser *p, struct conf_node *seq, int depth)
{
	for (;;) {
		yaml_event_t ev;
		int rc = next_event(p, &ev);
		if (rc < 0)
			return rc;
		if (ev.type == YAML_SEQUENCE_END_EVENT) {
			yaml_event_delete(&ev);
			return 0;
		}
		struct conf_node *item = NULL;
		rc = parse_node(p, &ev, depth + 1, &item);
		if (rc == 0)
			rc = grow((void **)&seq->items, seq->n, sizeof(seq->items[0]));
		if (rc < 0) {
			node_free(item);
			return rc;
		}
		seq->items[seq->n++] = item;
	}
}

/* Consumes ev (deletes it) and everything that belongs to the node it starts. */
static int parse_node(struct conf_parser *p, yaml_event_t *ev, int depth, struct conf_node **out)
{
	int line = (int)ev->start_mark.line + 1;
	int rc = 0;
	struct conf_node *n = NULL;
	if (depth > CONF_MAX_DEPTH) {
		rc = perr_set(p->err, "[%s:%d] nesting deeper than %d levels", p->file, line,
			      CONF_MAX_DEPTH);
		goto out;
	}
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		n = node_new(p, CONF_SCALAR, ev);
		if (!n || !(n->scalar = strdup((const char *)ev->data.scalar.value))) {
			rc = -ENOMEM;
			break;
		}
		n->quoted = ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
		break;
	case YAML_MAPPING_START_EVENT:
		n = node_new(p, CONF_MAP, ev);
		rc = n ? parse_map(p, n, depth) : -ENOMEM;
		break;
	case YAML_SEQUENCE_START_EVENT:
		n = node_new(p, CONF_SEQ, ev);
		rc = n ? parse_seq(p, n, depth) : -ENOMEM;
		break;
	case YAML_ALIAS_EVENT:
		rc = perr_set(p->err, "[%s:%d] YAML aliases are not supported", p->file, line);
		break;
	default:
		rc = perr_set(p->err, "[%s:%d] unexpected YAML event", p->file, line);
		break;
	}
out:
	yaml_event_delete(ev);
	if (rc < 0) {
		if (rc == -ENOMEM)
			perr_set(p->err, "[%s:%d] out of memory", p->file, line);
		node_free(n);
		return rc;
	}
	*out = n;
	return 0;
}

static int parse_document(struct conf_parser *p, struct conf_node **root)
{
	yaml_event_t ev;
	int rc;
	*root = NULL;
	for (;;) {
		if ((rc = next_event(p, &ev)) < 0)
			return rc;
		yaml_event_type_t t = ev.type;
		if (t == YAML_STREAM_END_EVENT || t == YAML_DOCUMENT_END_EVENT) {
			yaml_event_delete(&ev);
			return 0;
		}
		if (t == YAML_STREAM_START_EVENT || t == YAML_DOCUMENT_START_EVENT) {
			yaml_event_delete(&ev);
			continue;
		}
		if (*root) {
			int line = (int)ev.start_mark.line + 1;
			yaml_event_delete(&ev);
			return perr_set(p->err, "[%s:%d] more than one document", p->file, line);
		}
		if ((rc = parse_node(p, &ev, 0, root)) < 0)
			return rc;
	}
}

int conf_load_string(const char *name, const char *text, size_t len, struct conf_doc *doc,
		     struct perr *err)
{
	doc->root = NULL;
	doc->file = strdup(name);
	if (!doc->file)
		return perr_setc(err, -ENOMEM, "out of memory");
	struct conf_parser p = {.file = doc->file, .err = err};
	if (!yaml_parser_initialize(&p.yaml)) {
		conf_doc_free(doc);
		return perr_setc(err, -ENOMEM, "out of memory");
	}
	yaml_parser_set_input_string(&p.yaml, (const unsigned char *)text, len);
	int rc = parse_document(&p, &doc->root);
	yaml_parser_delete(&p.yaml);
	if (rc < 0)
		conf_doc_free(doc);
	return rc;
}

int conf_load_file(const char *path, struct conf_doc *doc, struct perr *err)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return perr_setc(err, -errno, "[%s] cannot open: %s", path, strerror(errno));
	char *text = malloc(CONF_MAX_FILE + 1);
	size_t len = text ? fread(text, 1, CONF_MAX_FILE + 1, f) : 0;
	int bad = ferror(f);
	fclose(f);
	if (!text)
		return perr_setc(err, -ENOMEM, "[%s] out of memory", path);
	if (bad || len > CONF_MAX_FILE) {
		free(text);
		return perr_set(err, "[%s] %s", path,
				bad ? "read error" : "file larger than 4 MiB");
	}
	int rc = conf_load_string(path, text, len, doc, err);
	free(text);
	return rc;
}

const struct conf_node *conf_get(const struct conf_node *map, const char *key)
{
	if (!map || map->kind != CONF_MAP)
		return NULL;
	for (size_t i = 0; i < map->n; i++)
		if (strcmp(map->pairs[i].key, key) == 0)
			return map->pairs[i].value;
	return NULL;
}

int conf_parse_int(const char *s, int64_t *v)
{
	char *end;
	errno = 0;
	long long x = strtoll(s, &end, 0);
	if (errno || end == s || *end != '\0')
		return -EINVAL;
	*v = x;
	return 0;
}

int conf_parse_double(const char *s, double *v)
{
	char *end;
	errno = 0;
	double x = strtod(s, &end);
	if (errno || end == s || *end != '\0' || !isfinite(x))
		return -EINVAL;
	*v = x;
	return 0;
}

int conf_parse_bool(const char *s, bool *v)
{
	static const char *const yes[] = {"true", "yes", "on"};
	static const char *const no[] = {"false", "no", "off"};
	for (unsigned i = 0; i < 3; i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*v = true;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*v = false;
			return 0;
		}
	}
	return -EINVAL;
}

struct unit {
	const char *suffix;
	double factor;
};

static int parse_with_units(const char *s, const struct unit *units, size_t n, uint64_t *out)
{
	char *end;
	errno = 0;
	double x = strtod(s, &end);
	if (errno || end == s || x < 0 || !isfinite(x))
		return -EINVAL;
	while (*end == ' ')
		end++;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(end, units[i].suffix) == 0) {
			double r = x * units[i].factor;
			if (r >= 18446744073709551615.0)
				return -ERANGE;
			*out = (uint64_t)(r + 0.5);
			return 0;
		}
	}
	return -EINVAL;
}

int conf_parse_duration_ms(const char *s, uint64_t *ms)
{
	static const struct unit units[] = {
		{"ms", 1}, {"s", 1000}, {"m", 60000}, {"h", 3600000}, {"d", 86400000},
	};
	if (strcmp(s, "0") == 0) {
		*ms = 0; /* zero needs no unit ("keep forever", "off") */
		return 0;
	}
	return parse_with_units(s, units, CONF_COUNT(units), ms);
}

int conf_parse_size(const char *s, uint64_t *bytes)
{
	static const struct unit units[] = {
		{"", 1},
		{"B", 1},
		{"kB", 1e3},
		{"KB", 1e3},
		{"MB", 1e6},
		{"GB", 1e9},
		{"TB", 1e12},
		{"KiB", 1024.0},
		{"MiB", 1048576.0},
		{"GiB", 1073741824.0},
		{"TiB", 1099511627776.0},
	};
	return parse_with_units(s, units, CONF_COUNT(units), bytes);
}
