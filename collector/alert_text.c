/* Text helpers of the alert engine: state names, the canonical labels JSON
 * read back, and summary templates. Pure. */
#include "alert_eval.h"
#include "alert_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const state_names[] = {"none",    "firing",	   "acknowledged",
					  "unknown", "suppressed", "resolved"};

const char *alert_state_name(enum alert_state s)
{
	return state_names[s];
}

enum alert_state alert_state_parse(const char *s)
{
	for (int i = 0; i < (int)(sizeof(state_names) / sizeof(state_names[0])); i++)
		if (strcmp(state_names[i], s) == 0)
			return (enum alert_state)i;
	return ALERT_NONE;
}

/* Reads one JSON string at *p into out (truncated to size), advancing *p
 * past it. -1 if *p is not a string. */
static int read_string(const char **p, char *out, size_t size)
{
	const char *s = *p;
	size_t n = 0;
	if (*s != '"')
		return -1;
	for (s++; *s && *s != '"'; s++) {
		char c = *s;
		if (c == '\\' && s[1]) {
			s++;
			c = *s == 'n' ? '\n' : *s == 't' ? '\t' : *s == 'r' ? '\r' : *s;
			if (*s == 'u') {
				c = '?';
				for (int k = 0; k < 4 && s[1]; k++)
					s++;
			}
		}
		if (n + 1 < size)
			out[n++] = c;
	}
	if (*s != '"')
		return -1;
	out[size ? n : 0] = '\0';
	*p = s + 1;
	return 0;
}

int alert_label_next(const char **p, char *key, size_t ksize, char *val, size_t vsize)
{
	const char *s = *p;
	while (*s == '{' || *s == ',' || *s == ' ')
		s++;
	if (*s != '"')
		return 0;
	if (read_string(&s, key, ksize) < 0 || *s++ != ':' || read_string(&s, val, vsize) < 0)
		return -1;
	*p = s;
	return 1;
}

int alert_label_get(const char *json, const char *key, char *out, size_t size)
{
	char k[128], v[256];
	const char *p = json ? json : "{}";
	int rc;
	while ((rc = alert_label_next(&p, k, sizeof(k), v, sizeof(v))) == 1) {
		if (strcmp(k, key) == 0) {
			snprintf(out, size, "%s", v);
			return 0;
		}
	}
	return -1;
}

static size_t put(char *out, size_t size, size_t n, const char *s, size_t len)
{
	for (size_t i = 0; i < len && n + 1 < size; i++)
		out[n++] = s[i];
	return n;
}

/* The text for placeholder name (between the braces), or NULL. */
static const char *placeholder(const char *name, size_t len, const struct alert_rule *r,
			       const char *agent, const char *device, const char *metric,
			       const char *unit, const char *labels_json, const char *value_text,
			       char *tmp, size_t tsize)
{
#define IS(w) (len == sizeof(w) - 1 && memcmp(name, w, len) == 0)
	if (IS("device"))
		return device;
	if (IS("value"))
		return value_text;
	if (IS("value_days")) {
		/* A value in seconds (a certificate's remaining life, a backup's
		 * age) as days, one decimal. */
		char *end;
		double v = strtod(value_text, &end);
		if (end == value_text)
			return "";
		snprintf(tmp, tsize, "%.1f", v / 86400.0);
		return tmp;
	}
	if (IS("unit"))
		return unit;
	if (IS("metric"))
		return metric;
	if (IS("rule"))
		return r ? r->name : "";
	if (IS("agent"))
		return agent;
	if (IS("severity"))
		return r ? alert_severity_name(r->severity) : "";
#undef IS
	if (len > 6 && memcmp(name, "label.", 6) == 0) {
		char key[128];
		snprintf(key, sizeof(key), "%.*s", (int)(len - 6), name + 6);
		if (alert_label_get(labels_json, key, tmp, tsize) == 0)
			return tmp;
		return "";
	}
	return NULL;
}

void alert_render_summary(const char *tmpl, const struct alert_rule *r, const char *agent,
			  const char *device, const char *metric, const char *unit,
			  const char *labels_json, const char *value_text, char *out, size_t size)
{
	size_t n = 0;
	char tmp[256];
	for (const char *p = tmpl; *p;) {
		const char *close = *p == '{' ? strchr(p, '}') : NULL;
		const char *text =
			close ? placeholder(p + 1, (size_t)(close - p - 1), r, agent ? agent : "",
					    device ? device : "", metric ? metric : "",
					    unit ? unit : "", labels_json,
					    value_text ? value_text : "", tmp, sizeof(tmp))
			      : NULL;
		if (text) {
			n = put(out, size, n, text, strlen(text));
			p = close + 1;
		} else {
			n = put(out, size, n, p, 1);
			p++;
		}
	}
	if (size)
		out[n] = '\0';
}
