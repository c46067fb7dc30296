/* Reading the canonical labels JSON ({"k":"v",...}, as series.c writes it)
 * for label matchers and summaries. Pure. */
#ifndef PANTAU_COLLECTOR_ALERT_TEXT_H
#define PANTAU_COLLECTOR_ALERT_TEXT_H

#include <stddef.h>

/* Reads the next "key":"value" pair at *p (advancing it). 1 with key and
 * value (truncated to their sizes), 0 at the end, -1 on malformed text. */
int alert_label_next(const char **p, char *key, size_t ksize, char *val, size_t vsize);

/* The value of label key into out. 0, or -1 if absent. */
int alert_label_get(const char *json, const char *key, char *out, size_t size);

#endif
