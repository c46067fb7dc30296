/* Configuration: YAML parsed into a small tree that remembers line numbers,
 * and typed option tables applied to that tree. Every error reads
 * "[file:line] what is wrong". Parsing is kept apart from runtime code: the
 * daemons turn the tree into plain structs, then never look at YAML again. */
#ifndef PANTAU_CONF_H
#define PANTAU_CONF_H

#include "perr.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum conf_kind { CONF_SCALAR, CONF_MAP, CONF_SEQ };

struct conf_node;

struct conf_pair {
	char *key;
	int line;
	struct conf_node *value;
};

struct conf_node {
	enum conf_kind kind;
	int line;
	const char *file; /* borrowed from the conf_doc */
	char *scalar;	  /* CONF_SCALAR */
	bool quoted;	  /* scalar was quoted: never a number or a null */
	size_t n;	  /* entries in pairs (MAP) or items (SEQ) */
	struct conf_pair *pairs;
	struct conf_node **items;
};

struct conf_doc {
	char *file;
	struct conf_node *root; /* NULL for an empty document */
};

/* Parses a YAML file. 0 or a negative errno with err set. Free with conf_doc_free. */
int conf_load_file(const char *path, struct conf_doc *doc, struct perr *err);
/* Parses YAML text; name is used in error messages. */
int conf_load_string(const char *name, const char *text, size_t len, struct conf_doc *doc,
		     struct perr *err);
void conf_doc_free(struct conf_doc *doc);

/* Looks up a key in a mapping; NULL if absent or node is not a mapping. */
const struct conf_node *conf_get(const struct conf_node *map, const char *key);

/* Formats "[file:line] message" into err; returns -EINVAL. */
int conf_error(struct perr *err, const struct conf_node *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Scalar converters with [file:line] errors. */
int conf_parse_duration_ms(const char *s, uint64_t *ms); /* "10s", "500ms", "2m", "26h", "1d", "0" */
int conf_parse_size(const char *s, uint64_t *bytes);	 /* "1GiB", "512MiB", "10kB", "100" */
int conf_parse_int(const char *s, int64_t *v);
int conf_parse_double(const char *s, double *v);
int conf_parse_bool(const char *s, bool *v);

/* A YAML list of 1..max numbers (such as `invalid: [65535, -1]`) into a new
 * array *out (free() it) of *n values; what names the key in errors, which
 * read "[file:line] what: ...". 0 or -errno with err set. */
int conf_parse_numbers(const struct conf_node *seq, const char *what, size_t max, double **out,
		       size_t *n, struct perr *err);

enum conf_type {
	CONF_T_STRING,	 /* char *, malloc'd */
	CONF_T_BOOL,	 /* bool */
	CONF_T_INT,	 /* int64_t, bounds min..max */
	CONF_T_DOUBLE,	 /* double */
	CONF_T_DURATION, /* uint64_t milliseconds, bounds min..max */
	CONF_T_SIZE,	 /* uint64_t bytes, bounds min..max */
	CONF_T_ENUM,	 /* int: index into names */
	CONF_T_NODE,	 /* const struct conf_node *: handled by the caller */
};

/* One option of a mapping: the table is the single place that says what a
 * section accepts, its type, bounds and default. */
struct conf_option {
	const char *name;
	enum conf_type type;
	size_t offset; /* offsetof() into the target struct */
	bool required;
	const char *dflt;	  /* default as text, parsed like the YAML value; NULL = none */
	int64_t min, max;	  /* for INT, DURATION, SIZE; both 0 = unbounded */
	const char *const *names; /* for ENUM, NULL-terminated */
};

/* Applies a table to a mapping node: sets defaults, converts every present
 * key, refuses unknown keys and missing required ones. map may be NULL (all
 * defaults; required keys are then not checked: whether a missing section
 * is an error is the caller's decision). 0 or -EINVAL with "[file:line] ..." in err. */
int conf_apply(const struct conf_option *table, size_t n, const struct conf_node *map,
	       const char *section, void *target, struct perr *err);

/* Frees the strings a table allocated in target. */
void conf_release(const struct conf_option *table, size_t n, void *target);

#define CONF_COUNT(t) (sizeof(t) / sizeof((t)[0]))

#endif
