/* Calendar periods and times in fixed-offset zones for SLA reports (see
 * sla.h). Pure: no tzdata, no locale, no libc time functions, so the
 * results do not depend on the host's TZ. */
#include "sla.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Howard Hinnant's days_from_civil: proleptic Gregorian, exact for any
 * year an SLA report can name. */
int64_t sla_days_from_civil(int y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

void sla_civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int)(yoe + era * 400) + (*m <= 2);
}

static const struct {
	const char *name;
	int32_t offset;
} zones[] = {
	{"Asia/Jakarta", 7 * 3600},
	{"Asia/Pontianak", 7 * 3600},
	{"WIB", 7 * 3600},
	{"Asia/Makassar", 8 * 3600},
	{"WITA", 8 * 3600},
	{"Asia/Jayapura", 9 * 3600},
	{"WIT", 9 * 3600},
	{"UTC", 0},
	{"Z", 0},
};

/* Reads exactly n digits at *s into *v and advances. */
static int digits(const char **s, int n, int *v)
{
	int x = 0;
	for (int i = 0; i < n; i++) {
		char c = (*s)[i];
		if (c < '0' || c > '9')
			return -EINVAL;
		x = x * 10 + (c - '0');
	}
	*s += n;
	*v = x;
	return 0;
}

/* "+HH:MM" or "-HH:MM" (or "+HHMM"), the whole string. */
static int parse_offset(const char *s, int32_t *offset)
{
	int sign = s[0] == '+' ? 1 : s[0] == '-' ? -1 : 0, h, m;
	s++;
	if (!sign || digits(&s, 2, &h) < 0)
		return -EINVAL;
	if (*s == ':')
		s++;
	if (digits(&s, 2, &m) < 0 || *s || h > 14 || m > 59)
		return -EINVAL;
	*offset = sign * (h * 3600 + m * 60);
	return 0;
}

int sla_tz_offset(const char *name, int32_t *offset)
{
	if (!name)
		return -EINVAL;
	for (size_t i = 0; i < sizeof(zones) / sizeof(zones[0]); i++)
		if (strcmp(zones[i].name, name) == 0) {
			*offset = zones[i].offset;
			return 0;
		}
	return parse_offset(name, offset);
}

static int64_t local_midnight(int y, unsigned m, int32_t tz)
{
	return sla_days_from_civil(y, m, 1) * 86400 - tz;
}

int sla_period(enum sla_period_kind kind, int year, int index, int32_t tz_offset, int64_t *from,
	       int64_t *to)
{
	if (year < 1970 || year > 9999)
		return -EINVAL;
	unsigned first, months;
	if (kind == SLA_MONTH && index >= 1 && index <= 12) {
		first = (unsigned)index;
		months = 1;
	} else if (kind == SLA_QUARTER && index >= 1 && index <= 4) {
		first = (unsigned)(index - 1) * 3 + 1;
		months = 3;
	} else if (kind == SLA_YEAR) {
		first = 1;
		months = 12;
	} else {
		return -EINVAL;
	}
	unsigned end = first + months; /* 13 = January next year */
	*from = local_midnight(year, first, tz_offset);
	*to = end > 12 ? local_midnight(year + 1, end - 12, tz_offset)
		       : local_midnight(year, end, tz_offset);
	return 0;
}

int sla_period_parse(const char *spec, int32_t tz_offset, int64_t *from, int64_t *to)
{
	const char *s = spec;
	int year, idx;
	if (!s || digits(&s, 4, &year) < 0)
		return -EINVAL;
	if (!*s)
		return sla_period(SLA_YEAR, year, 0, tz_offset, from, to);
	if (*s++ != '-')
		return -EINVAL;
	if (*s == 'Q' || *s == 'q') {
		s++;
		if (digits(&s, 1, &idx) < 0 || *s)
			return -EINVAL;
		return sla_period(SLA_QUARTER, year, idx, tz_offset, from, to);
	}
	if (digits(&s, 2, &idx) < 0 || *s)
		return -EINVAL;
	return sla_period(SLA_MONTH, year, idx, tz_offset, from, to);
}

static bool valid_date(int y, int m, int d)
{
	static const unsigned char mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (y < 1970 || y > 9999 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return false;
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return !(m == 2 && d == 29 && !leap);
}

/* Optional "THH:MM[:SS]" after a date. */
static int parse_clock(const char **s, int *h, int *mi, int *sec)
{
	*h = *mi = *sec = 0;
	if (**s != 'T' && **s != ' ')
		return 0;
	(*s)++;
	if (digits(s, 2, h) < 0 || *(*s)++ != ':' || digits(s, 2, mi) < 0)
		return -EINVAL;
	if (**s == ':') {
		(*s)++;
		if (digits(s, 2, sec) < 0)
			return -EINVAL;
	}
	return *h > 23 || *mi > 59 || *sec > 59 ? -EINVAL : 0;
}

int sla_time_parse(const char *str, int32_t tz_offset, int64_t *t)
{
	const char *s = str;
	int y, m, d, h, mi, sec;
	if (!s || digits(&s, 4, &y) < 0 || *s++ != '-' || digits(&s, 2, &m) < 0 || *s++ != '-' ||
	    digits(&s, 2, &d) < 0 || !valid_date(y, m, d))
		return -EINVAL;
	if (parse_clock(&s, &h, &mi, &sec) < 0)
		return -EINVAL;
	int32_t tz = tz_offset;
	if (*s && sla_tz_offset(s, &tz) < 0)
		return -EINVAL;
	*t = sla_days_from_civil(y, (unsigned)m, (unsigned)d) * 86400 + h * 3600 + mi * 60 + sec -
	     tz;
	return 0;
}

int sla_time_format(int64_t t, int32_t tz_offset, char *out, size_t size)
{
	int64_t local = t + tz_offset;
	int64_t days = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
	int64_t rem = local - days * 86400;
	int y;
	unsigned m, d;
	sla_civil_from_days(days, &y, &m, &d);
	int32_t off = tz_offset < 0 ? -tz_offset : tz_offset;
	int n = snprintf(out, size, "%04d-%02u-%02uT%02d:%02d:%02d%c%02d:%02d", y, m, d,
			 (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60),
			 tz_offset < 0 ? '-' : '+', (int)(off / 3600), (int)(off / 60 % 60));
	return n < 0 || (size_t)n >= size ? -ENOSPC : n;
}
