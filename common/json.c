#include "json.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

int json_put_string(struct buf *b, const char *s)
{
	int rc = buf_putc(b, '"');
	for (const unsigned char *p = (const unsigned char *)s; rc == 0 && *p; p++) {
		switch (*p) {
		case '"':
			rc = buf_puts(b, "\\\"");
			break;
		case '\\':
			rc = buf_puts(b, "\\\\");
			break;
		case '\n':
			rc = buf_puts(b, "\\n");
			break;
		case '\r':
			rc = buf_puts(b, "\\r");
			break;
		case '\t':
			rc = buf_puts(b, "\\t");
			break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				rc = buf_printf(b, "\\u%04x", *p);
			else
				rc = buf_putc(b, (char)*p);
		}
	}
	return rc == 0 ? buf_putc(b, '"') : rc;
}

int json_put_double(struct buf *b, double v)
{
	if (!isfinite(v))
		return buf_puts(b, "null");
	if (v == floor(v) && fabs(v) < 9007199254740992.0)
		return buf_printf(b, "%.0f", v);
	/* The shortest text that reads back as the same double. */
	char text[32];
	snprintf(text, sizeof(text), "%.15g", v);
	if (strtod(text, NULL) != v)
		snprintf(text, sizeof(text), "%.17g", v);
	return buf_puts(b, text);
}
