/* libFuzzer target: the API's strict JSON reader (collector/api_json.c),
 * which reads request bodies from anyone holding a token. Besides
 * surviving every input: a success means every required key is there and
 * every string is valid UTF-8 without NUL or raw control bytes beyond
 * escaped ones, within the length cap; reading the same bytes twice gives
 * the same answer. */
#include "api_json.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct api_json_field table[] = {
	{"job", API_JSON_STRING, true},		{"by", API_JSON_STRING, false},
	{"comment", API_JSON_STRING, false},	{"size_bytes", API_JSON_INT, false},
	{"restore_test", API_JSON_BOOL, false},
};
enum { N = sizeof(table) / sizeof(table[0]) };

static void check_utf8(const unsigned char *s)
{
	size_t n = strlen((const char *)s);
	if (n > API_JSON_MAX_STRING)
		abort();
	for (size_t i = 0; i < n;) {
		unsigned c = s[i];
		size_t len = c < 0x80		  ? 1
			     : (c & 0xe0) == 0xc0 ? 2
			     : (c & 0xf0) == 0xe0 ? 3
			     : (c & 0xf8) == 0xf0 ? 4
						  : 0;
		if (len == 0 || i + len > n)
			abort();
		for (size_t k = 1; k < len; k++)
			if ((s[i + k] & 0xc0) != 0x80)
				abort();
		i += len;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct api_json_field a[N], b[N];
	struct perr err;
	memcpy(a, table, sizeof(table));
	memcpy(b, table, sizeof(table));
	int rc = api_json_read((const char *)data, size, a, N, &err);
	if (rc != 0 && rc != -EINVAL && rc != -ENOMEM)
		abort();
	if (rc != 0 && !err.msg[0])
		abort();
	int rc2 = api_json_read((const char *)data, size, b, N, &err);
	if (rc2 != rc)
		abort();
	for (size_t i = 0; rc == 0 && i < N; i++) {
		if (a[i].required && !a[i].present)
			abort();
		if (a[i].present != b[i].present || a[i].i != b[i].i || a[i].b != b[i].b)
			abort();
		if (a[i].type == API_JSON_STRING && a[i].present) {
			if (!a[i].s || strcmp(a[i].s, b[i].s) != 0)
				abort();
			check_utf8((const unsigned char *)a[i].s);
		}
	}
	api_json_free(a, N);
	api_json_free(b, N);
	return 0;
}
