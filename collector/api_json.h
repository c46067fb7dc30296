/* A small, strict JSON reader for the API's request bodies: one flat
 * object whose keys are named in a table (unknown keys, duplicates, nested
 * values, trailing bytes, bad UTF-8, control characters, NUL (\u0000) and
 * lone surrogates are all refused with a message that says what and where).
 * Pure; fuzzed by tests/fuzz/fuzz_json.c. */
#ifndef PANTAU_COLLECTOR_API_JSON_H
#define PANTAU_COLLECTOR_API_JSON_H

#include "perr.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
	API_JSON_MAX_STRING = 4096, /* decoded bytes per string value */
	API_JSON_MAX_FIELDS = 32,
};

enum api_json_type {
	API_JSON_STRING, /* a string (or null) */
	API_JSON_INT,	 /* an integer without fraction or exponent, int64 (or null) */
	API_JSON_BOOL,	 /* true or false (or null) */
};

/* One accepted key: the table row (name, type, required) and what was read.
 * A null value counts as absent, so a required key cannot be null. */
struct api_json_field {
	const char *name;
	enum api_json_type type;
	bool required;
	/* filled by api_json_read */
	bool present;
	char *s; /* API_JSON_STRING: malloc'd, NUL-terminated UTF-8 */
	int64_t i;
	bool b;
};

/* Reads text (len bytes, not NUL-terminated) as one object of the keys in
 * f (at most API_JSON_MAX_FIELDS). 0, or -EINVAL (-ENOMEM) with "what is
 * wrong at byte N" in err. Free the strings with api_json_free (also after
 * an error). */
int api_json_read(const char *text, size_t len, struct api_json_field *f, size_t n,
		  struct perr *err);

void api_json_free(struct api_json_field *f, size_t n);

/* The field called name in f (NULL if the table has none). */
struct api_json_field *api_json_field(struct api_json_field *f, size_t n, const char *name);

#endif
