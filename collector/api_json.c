/* The strict JSON object reader (see api_json.h). A hand-written
 * recursive-descent reader over one flat object: no nesting means no
 * recursion depth to bound. */
#include "api_json.h"
#include "buf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct reader {
	const char *p, *end, *start;
	struct perr *err;
};

static int fail(struct reader *r, const char *what)
{
	return perr_set(r->err, "%s at byte %zu", what, (size_t)(r->p - r->start));
}

static void skip_ws(struct reader *r)
{
	while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r'))
		r->p++;
}

static int hex4(struct reader *r, unsigned *out)
{
	if (r->end - r->p < 4)
		return fail(r, "short \\u escape");
	unsigned v = 0;
	for (int i = 0; i < 4; i++) {
		char c = r->p[i];
		int d = c >= '0' && c <= '9'   ? c - '0'
			: c >= 'a' && c <= 'f' ? c - 'a' + 10
			: c >= 'A' && c <= 'F' ? c - 'A' + 10
					       : -1;
		if (d < 0)
			return fail(r, "bad \\u escape");
		v = v << 4 | (unsigned)d;
	}
	r->p += 4;
	*out = v;
	return 0;
}

static int put_utf8(struct buf *b, unsigned cp)
{
	char u[4];
	size_t n;
	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | cp >> 6);
		u[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | cp >> 12);
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (char)(0xf0 | cp >> 18);
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	return buf_append(b, u, n);
}

/* A \uXXXX escape (the backslash and 'u' consumed), pairs joined. */
static int unicode_escape(struct reader *r, struct buf *out)
{
	unsigned cp, lo;
	if (hex4(r, &cp) < 0)
		return -EINVAL;
	if (cp >= 0xdc00 && cp <= 0xdfff)
		return fail(r, "lone low surrogate");
	if (cp >= 0xd800 && cp <= 0xdbff) {
		if (r->end - r->p < 2 || r->p[0] != '\\' || r->p[1] != 'u')
			return fail(r, "lone high surrogate");
		r->p += 2;
		if (hex4(r, &lo) < 0)
			return -EINVAL;
		if (lo < 0xdc00 || lo > 0xdfff)
			return fail(r, "high surrogate without a low one");
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
	}
	if (cp == 0)
		return fail(r, "NUL (\\u0000) in a string");
	return put_utf8(out, cp) < 0 ? fail(r, "string too long") : 0;
}

static int escape(struct reader *r, struct buf *out)
{
	if (r->p >= r->end)
		return fail(r, "unterminated string");
	char c = *r->p++;
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *at = c ? strchr(from, c) : NULL;
	if (at)
		return buf_putc(out, to[at - from]) < 0 ? fail(r, "string too long") : 0;
	if (c == 'u')
		return unicode_escape(r, out);
	r->p--;
	return fail(r, "bad escape");
}

/* Length of the valid UTF-8 sequence at p (1..4), 0 if invalid. */
static size_t utf8_len(const unsigned char *p, const unsigned char *end)
{
	unsigned c = p[0];
	size_t n = c < 0x80		    ? 1
		   : c >= 0xc2 && c <= 0xdf ? 2
		   : c >= 0xe0 && c <= 0xef ? 3
		   : c >= 0xf0 && c <= 0xf4 ? 4
					    : 0;
	if (n == 0 || (size_t)(end - p) < n)
		return 0;
	for (size_t i = 1; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	/* Overlong forms, surrogates and code points past U+10FFFF. */
	if ((c == 0xe0 && p[1] < 0xa0) || (c == 0xed && p[1] >= 0xa0) ||
	    (c == 0xf0 && p[1] < 0x90) || (c == 0xf4 && p[1] >= 0x90))
		return 0;
	return n;
}

/* A string (the opening quote consumed) into out, NUL-terminated. */
static int string(struct reader *r, struct buf *out)
{
	while (r->p < r->end) {
		unsigned char c = (unsigned char)*r->p;
		if (c == '"') {
			r->p++;
			return buf_putc(out, '\0') < 0 ? fail(r, "string too long") : 0;
		}
		if (c == '\\') {
			r->p++;
			if (escape(r, out) < 0)
				return -EINVAL;
			continue;
		}
		if (c < 0x20)
			return fail(r, "control character in a string");
		size_t n = utf8_len((const unsigned char *)r->p, (const unsigned char *)r->end);
		if (n == 0)
			return fail(r, "invalid UTF-8");
		if (buf_append(out, r->p, n) < 0)
			return fail(r, "string too long");
		r->p += n;
	}
	return fail(r, "unterminated string");
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* A JSON number; *integer tells whether it had no fraction or exponent and
 * *v holds it then (-ERANGE past int64). */
static int number(struct reader *r, bool *integer, int64_t *v)
{
	const char *s = r->p;
	bool neg = r->p < r->end && *r->p == '-';
	r->p += neg;
	if (r->p >= r->end || !is_digit(*r->p))
		return fail(r, "bad number");
	if (*r->p == '0' && r->p + 1 < r->end && is_digit(r->p[1]))
		return fail(r, "leading zero in a number");
	uint64_t acc = 0;
	bool overflow = false;
	for (; r->p < r->end && is_digit(*r->p); r->p++) {
		unsigned d = (unsigned)(*r->p - '0');
		overflow |= acc > (UINT64_MAX - d) / 10;
		acc = acc * 10 + d;
	}
	*integer = true;
	if (r->p < r->end && *r->p == '.') {
		*integer = false;
		if (++r->p >= r->end || !is_digit(*r->p))
			return fail(r, "bad fraction");
		while (r->p < r->end && is_digit(*r->p))
			r->p++;
	}
	if (r->p < r->end && (*r->p == 'e' || *r->p == 'E')) {
		*integer = false;
		r->p++;
		if (r->p < r->end && (*r->p == '+' || *r->p == '-'))
			r->p++;
		if (r->p >= r->end || !is_digit(*r->p))
			return fail(r, "bad exponent");
		while (r->p < r->end && is_digit(*r->p))
			r->p++;
	}
	if (*integer && (overflow || acc > (uint64_t)INT64_MAX + (neg ? 1u : 0u))) {
		r->p = s;
		return fail(r, "integer out of range");
	}
	if (*integer)
		*v = neg ? (int64_t)(0 - acc) : (int64_t)acc;
	return 0;
}

static bool literal(struct reader *r, const char *word)
{
	size_t n = strlen(word);
	if ((size_t)(r->end - r->p) < n || memcmp(r->p, word, n) != 0)
		return false;
	r->p += n;
	return true;
}

static int value_string(struct reader *r, struct api_json_field *f)
{
	struct buf b;
	buf_init(&b, API_JSON_MAX_STRING + 1);
	r->p++;
	int rc = string(r, &b);
	if (rc < 0) {
		buf_free(&b);
		return rc;
	}
	f->s = b.data ? (char *)b.data : strdup("");
	return f->s ? 0 : perr_setc(r->err, -ENOMEM, "out of memory");
}

/* The value of field f (or null). */
static int value(struct reader *r, struct api_json_field *f)
{
	if (literal(r, "null"))
		return 0;
	if (r->p >= r->end)
		return fail(r, "missing value");
	char c = *r->p;
	if (c == '{' || c == '[')
		return perr_set(r->err, "'%s' must not be an object or array (byte %zu)", f->name,
				(size_t)(r->p - r->start));
	f->present = true;
	if (f->type == API_JSON_STRING) {
		if (c != '"')
			return perr_set(r->err, "'%s' must be a string", f->name);
		return value_string(r, f);
	}
	if (f->type == API_JSON_BOOL) {
		if (literal(r, "true"))
			f->b = true;
		else if (literal(r, "false"))
			f->b = false;
		else
			return perr_set(r->err, "'%s' must be true or false", f->name);
		return 0;
	}
	bool integer = false;
	if (c != '-' && !is_digit(c))
		return perr_set(r->err, "'%s' must be an integer", f->name);
	if (number(r, &integer, &f->i) < 0)
		return -EINVAL;
	return integer ? 0 : perr_set(r->err, "'%s' must be an integer", f->name);
}

/* One "key": value member; seen marks the keys read (null ones too). */
static int member(struct reader *r, struct api_json_field *f, size_t n, bool *seen)
{
	char key[64];
	struct buf b;
	if (r->p >= r->end || *r->p != '"')
		return fail(r, "expected a key");
	buf_init(&b, sizeof(key));
	r->p++;
	int rc = string(r, &b);
	if (rc == 0)
		memcpy(key, b.data, b.len);
	buf_free(&b);
	if (rc < 0)
		return rc;
	struct api_json_field *k = api_json_field(f, n, key);
	if (!k)
		return perr_set(r->err, "unknown key '%s'", key);
	size_t i = (size_t)(k - f);
	if (seen[i])
		return perr_set(r->err, "key '%s' appears twice", key);
	seen[i] = true;
	skip_ws(r);
	if (r->p >= r->end || *r->p != ':')
		return fail(r, "expected ':'");
	r->p++;
	skip_ws(r);
	return value(r, k);
}

static int members(struct reader *r, struct api_json_field *f, size_t n, bool *seen)
{
	skip_ws(r);
	if (r->p < r->end && *r->p == '}') {
		r->p++;
		return 0;
	}
	for (;;) {
		int rc = member(r, f, n, seen);
		if (rc < 0)
			return rc;
		skip_ws(r);
		if (r->p < r->end && *r->p == ',') {
			r->p++;
			skip_ws(r);
			continue;
		}
		if (r->p < r->end && *r->p == '}') {
			r->p++;
			return 0;
		}
		return fail(r, "expected ',' or '}'");
	}
}

struct api_json_field *api_json_field(struct api_json_field *f, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(f[i].name, name) == 0)
			return &f[i];
	return NULL;
}

int api_json_read(const char *text, size_t len, struct api_json_field *f, size_t n,
		  struct perr *err)
{
	struct reader r = {.p = text, .end = text + len, .start = text, .err = err};
	bool seen[API_JSON_MAX_FIELDS] = {false};
	if (n > sizeof(seen) / sizeof(seen[0]))
		return perr_set(err, "too many fields");
	for (size_t i = 0; i < n; i++) {
		f[i].present = false;
		f[i].s = NULL;
		f[i].i = 0;
		f[i].b = false;
	}
	skip_ws(&r);
	if (r.p >= r.end || *r.p != '{')
		return fail(&r, "expected a JSON object");
	r.p++;
	int rc = members(&r, f, n, seen);
	if (rc < 0)
		return rc;
	skip_ws(&r);
	if (r.p != r.end)
		return fail(&r, "trailing bytes after the object");
	for (size_t i = 0; i < n; i++)
		if (f[i].required && !f[i].present)
			return perr_set(err, "'%s' is required", f[i].name);
	return 0;
}

void api_json_free(struct api_json_field *f, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(f[i].s);
		f[i].s = NULL;
	}
}
