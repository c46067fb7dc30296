/* Minimal JSON writing into a buf (for --once output, /health and logs of
 * structured data). */
#ifndef PANTAU_JSON_H
#define PANTAU_JSON_H

#include "buf.h"

/* Appends s as a quoted JSON string with every control character escaped. */
int json_put_string(struct buf *b, const char *s);

/* Appends a number; NaN and infinities become null (JSON has no such numbers). */
int json_put_double(struct buf *b, double v);

#endif
