/* libFuzzer target: the HTTP probe's parsers. The first byte picks which:
 * even, the status line of an answer (bytes from any server the probe
 * reaches); odd, a URL from the config. Checks what they promise: a status
 * is 100..999 only when the head starts "HTTP/1.x NNN"; a parsed URL has a
 * host, a port of 1..65535 and a path starting with '/' without spaces. */
#include "probe_http.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	const char *text = (const char *)data + 1;
	size_t n = size - 1;
	if ((data[0] & 1) == 0) {
		int status = -7;
		int rc = probe_http_status_line(text, n, &status);
		if (rc == 1 && (status < 100 || status > 999 || n < 13 || memcmp(text, "HTTP/1.", 7)))
			abort();
		if (rc != 1 && status != -7)
			abort(); /* untouched unless parsed */
		return 0;
	}
	char url[600];
	if (n >= sizeof(url))
		return 0;
	memcpy(url, text, n);
	url[n] = '\0';
	struct probe_http_cfg c = {0};
	if (probe_http_parse_url(url, &c) != 0)
		return 0;
	long port = strtol(c.addr.port, NULL, 10);
	if (!c.addr.host[0] || port < 1 || port > 65535 || c.path[0] != '/' ||
	    strpbrk(c.path, " \r\n\t#") || strcmp(c.url, url) != 0)
		abort();
	return 0;
}
