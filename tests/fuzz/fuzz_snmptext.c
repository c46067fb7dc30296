/* libFuzzer target: the leading-number reader SNMP values go through when
 * a device reports a number as text ("70 F", " -3.5C"). The text comes
 * from the device, so any bytes; the reader must stay inside them and only
 * ever produce finite numbers. */
#include "snmp_value.h"

#include <math.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	double v = 0;
	int rc = snmp_value_parse_leading((const char *)data, size, &v);
	if (rc == 0 && !isfinite(v))
		abort();
	if (rc != 0 && rc != -22)
		abort();
	return 0;
}
