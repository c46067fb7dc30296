/* pantauctl report --format pdf: labels, number formats and pagination
 * (see report_pdf_layout.h). */
#include "report_pdf_layout.h"
#include "sla.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* Indonesian first (the default), then English. */
static const char *const labels[RPL_NLABELS][2] = {
	[RPL_TITLE_SLA] = {"Laporan Ketersediaan Layanan (SLA)", "Availability (SLA) Report"},
	[RPL_TITLE_OUTAGES] = {"Laporan Gangguan", "Outage Report"},
	[RPL_PERIOD] = {"Periode", "Period"},
	[RPL_GENERATED] = {"Dibuat pada", "Generated at"},
	[RPL_DEFAULT_TARGET] = {"Target bawaan", "Default target"},
	[RPL_NOTE] = {"Penyebut = seluruh periode; waktu henti terencana dan waktu tidak diketahui "
		      "dilaporkan terpisah dan tidak dikeluarkan dari penyebut.",
		      "Denominator = the whole period; planned downtime and unknown time are "
		      "reported separately and never removed from it."},
	[RPL_SUBJECT] = {"Subjek", "Subject"},
	[RPL_KIND] = {"Jenis", "Kind"},
	[RPL_AVAILABILITY] = {"Ketersediaan", "Availability"},
	[RPL_TARGET] = {"Target", "Target"},
	[RPL_STATUS] = {"Status", "Status"},
	[RPL_MET] = {"Terpenuhi", "Met"},
	[RPL_NOT_MET] = {"Tidak terpenuhi", "Not met"},
	[RPL_DOWN_PLANNED] = {"Waktu henti terencana", "Planned downtime"},
	[RPL_DOWN_UNPLANNED] = {"Waktu henti tidak terencana", "Unplanned downtime"},
	[RPL_UNKNOWN] = {"Tidak diketahui", "Unknown"},
	[RPL_UP] = {"Aktif", "Up"},
	[RPL_OUTAGES] = {"Gangguan", "Outages"},
	[RPL_START] = {"Mulai", "Start"},
	[RPL_END] = {"Selesai", "End"},
	[RPL_DURATION] = {"Durasi", "Duration"},
	[RPL_PLANNED] = {"Terencana", "Planned"},
	[RPL_CAUSE] = {"Penyebab", "Cause"},
	[RPL_YES] = {"ya", "yes"},
	[RPL_NO] = {"tidak", "no"},
	[RPL_SUMMARY] = {"Ringkasan per subjek", "Summary per subject"},
	[RPL_CHART_AVAILABILITY] = {"Ketersediaan per subjek terhadap target",
				    "Availability per subject against the target"},
	[RPL_CHART_TIMELINE] = {"Linimasa status", "State timeline"},
	[RPL_OUTAGE_LIST] = {"Daftar gangguan", "Outage list"},
	[RPL_NO_DATA] = {"Tidak ada data ketersediaan pada periode ini.",
			 "No availability data in this period."},
	[RPL_NO_OUTAGES] = {"Tidak ada gangguan pada periode ini.", "No outages in this period."},
	[RPL_PAGE] = {"Halaman", "Page"},
	[RPL_EVIDENCE] = {"Bukti", "Evidence"},
	[RPL_SIGNER] = {"kunci penandatangan", "signing key"},
	[RPL_CONTINUED] = {"(lanjutan)", "(continued)"},
	[RPL_TITLE_BACKUPS] = {"Laporan Pencadangan Data", "Backup Report"},
	[RPL_BACKUP_NOTE] =
		{"Kepatuhan RPO = bagian periode ketika cadangan baik terbaru lebih "
		 "muda dari RPO; umur dihitung sampai akhir periode.",
		 "RPO adherence = share of the period in which the newest good backup "
		 "was younger than the RPO; ages are counted to the end of the period."},
	[RPL_BACKUP_RPO_TABLE] = {"Kepatuhan RPO per tugas cadangan",
				  "RPO adherence per backup job"},
	[RPL_BACKUP_RUNS_TABLE] = {"Tingkat keberhasilan per tugas cadangan",
				   "Success rate per backup job"},
	[RPL_BACKUP_LAST_TABLE] = {"Cadangan baik terakhir dan uji pemulihan",
				   "Last good backup and restore test"},
	[RPL_BASIS] = {"Dasar", "Basis"},
	[RPL_NO_JOBS] = {"Tidak ada tugas cadangan pada periode ini.",
			 "No backup jobs in this period."},
	[RPL_JOB] = {"Tugas cadangan", "Backup job"},
	[RPL_RPO] = {"RPO", "RPO"},
	[RPL_WITHIN_RPO] = {"Dalam RPO", "Within RPO"},
	[RPL_RPO_BREACH] = {"Melewati RPO", "RPO breached"},
	[RPL_LONGEST_BREACH] = {"Pelanggaran terlama", "Longest breach"},
	[RPL_RPO_ADHERENCE] = {"Kepatuhan RPO", "RPO adherence"},
	[RPL_CHECKS_OK] = {"Pemeriksaan ok/total", "Checks ok/total"},
	[RPL_RUNS_OK] = {"Eksekusi ok/total", "Runs ok/total"},
	[RPL_SUCCESS_RATE] = {"Tingkat keberhasilan", "Success rate"},
	[RPL_LAST_GOOD] = {"Cadangan baik terakhir", "Last good backup"},
	[RPL_AGE] = {"Umur", "Age"},
	[RPL_LAST_RESTORE] = {"Uji pemulihan terakhir", "Last restore test"},
	[RPL_SIZE_BREACHES] = {"Pelanggaran ukuran", "Size breaches"},
	[RPL_TITLE_REDUNDANCY] = {"Laporan Redundansi", "Redundancy Report"},
	[RPL_REDUNDANCY_NOTE] = {"N = jumlah unit yang dibutuhkan beban. Penyebut = seluruh "
				 "periode; waktu tidak diketahui dilaporkan terpisah.",
				 "N = the units the load needs. Denominator = the whole period; "
				 "unknown time is reported separately."},
	[RPL_GROUP_TABLE] = {"Grup redundan", "Redundant group"},
	[RPL_LEVEL_TABLE] = {"Waktu per tingkat redundansi", "Time per redundancy level"},
	[RPL_GROUP] = {"Grup", "Group"},
	[RPL_MEMBERS] = {"Anggota", "Members"},
	[RPL_REQUIRED_N] = {"Unit dibutuhkan (N)", "Units needed (N)"},
	[RPL_LEVEL] = {"Tingkat", "Level"},
	[RPL_N_PLUS_1] = {"N+1 atau lebih", "N+1 or more"},
	[RPL_AT_N] = {"Tepat N", "Exactly N"},
	[RPL_BELOW_N] = {"Di bawah N", "Below N"},
	[RPL_SECONDS] = {"Detik", "Seconds"},
	[RPL_SHARE] = {"Porsi periode", "Share of period"},
	[RPL_PERIOD_TOTAL] = {"Seluruh periode", "Whole period"},
};

const char *rpl_label(enum rpl_label l, bool en)
{
	if ((unsigned)l >= RPL_NLABELS || !labels[l][en])
		return "";
	return labels[l][en];
}

static int fit(int n, char *out, size_t size)
{
	if (n < 0 || (size_t)n >= size) {
		if (size)
			out[0] = '\0';
		return -ENOSPC;
	}
	return n;
}

int rpl_fmt_int(int64_t v, bool en, char *out, size_t size)
{
	char digits[24], tmp[40];
	uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	int nd = snprintf(digits, sizeof(digits), "%" PRIu64, mag);
	size_t k = 0;
	if (v < 0)
		tmp[k++] = '-';
	for (int i = 0; i < nd; i++) {
		if (i && (nd - i) % 3 == 0)
			tmp[k++] = en ? ',' : '.';
		tmp[k++] = digits[i];
	}
	tmp[k] = '\0';
	return fit(snprintf(out, size, "%s", tmp), out, size);
}

int rpl_fmt_pct(double pct, int decimals, bool en, char *out, size_t size)
{
	if (decimals < 0 || decimals > 6)
		decimals = 4;
	int n = fit(snprintf(out, size, "%.*f%%", decimals, pct), out, size);
	char *dot = n > 0 ? strchr(out, '.') : NULL;
	if (dot && !en)
		*dot = ',';
	return n;
}

int rpl_fmt_duration(int64_t seconds, bool en, char *out, size_t size)
{
	uint64_t s = seconds < 0 ? (uint64_t)0 - (uint64_t)seconds : (uint64_t)seconds;
	const char *sign = seconds < 0 ? "-" : "";
	uint64_t days = s / 86400, h = s / 3600 % 24, m = s / 60 % 60, sec = s % 60;
	int n;
	if (days)
		n = snprintf(out, size, "%s%" PRIu64 " %s %02" PRIu64 ":%02" PRIu64 ":%02" PRIu64,
			     sign, days, en ? "d" : "hari", h, m, sec);
	else
		n = snprintf(out, size, "%s%" PRIu64 ":%02" PRIu64 ":%02" PRIu64, sign, h, m, sec);
	return fit(n, out, size);
}

int rpl_fmt_time(int64_t t, int32_t tz_offset, char *out, size_t size)
{
	int64_t local = t + tz_offset;
	int64_t days = local / 86400, rem = local % 86400;
	if (rem < 0) {
		rem += 86400;
		days--;
	}
	int y;
	unsigned mo, d;
	sla_civil_from_days(days, &y, &mo, &d);
	return fit(snprintf(out, size, "%04d-%02u-%02u %02d:%02d:%02d", y, mo, d, (int)(rem / 3600),
			    (int)(rem / 60 % 60), (int)(rem % 60)),
		   out, size);
}

/* Length of the valid UTF-8 sequence at s (1-4), or 0 when it is not one. */
static size_t utf8_seq(const unsigned char *s)
{
	unsigned c = s[0];
	size_t n = c < 0x80		? 1
		   : (c & 0xe0) == 0xc0 ? 2
		   : (c & 0xf0) == 0xe0 ? 3
		   : (c & 0xf8) == 0xf0 ? 4
					: 0;
	if (n == 0 || (n == 2 && c < 0xc2) || (n == 4 && c > 0xf4))
		return 0;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if (n == 3) {
		unsigned cp = (c & 0x0f) << 12 | (s[1] & 0x3fu) << 6 | (s[2] & 0x3fu);
		if (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
	}
	if (n == 4) {
		unsigned cp = (c & 0x07) << 18 | (s[1] & 0x3fu) << 12;
		if (cp < 0x10000 || cp > 0x10ffff)
			return 0;
	}
	return n;
}

size_t rpl_utf8_clean(const char *in, char *out, size_t size)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t k = 0;
	while (*s) {
		size_t n = utf8_seq(s);
		bool bad = n == 0 || *s < 0x20 || *s == 0x7f;
		size_t take = bad ? 1 : n;
		if (k + take >= size)
			break;
		if (bad) {
			out[k++] = '?';
		} else {
			memcpy(out + k, s, n);
			k += n;
		}
		s += take;
	}
	out[k] = '\0';
	return k;
}

double rpl_axis_min(double lowest)
{
	static const double steps[] = {99.9, 99.5, 99.0, 98.0, 95.0, 90.0, 80.0, 50.0};
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		/* The margin: a tenth of the axis span, so the lowest bar is visible. */
		double span = 100.0 - steps[i];
		if (lowest >= steps[i] + span / 10.0)
			return steps[i];
	}
	return 0.0;
}

size_t rpl_rows_fit(double avail, double head_h, double row_h)
{
	if (row_h <= 0 || avail < head_h + row_h)
		return 0;
	return (size_t)((avail - head_h) / row_h);
}

int rpl_paginate(size_t rows, double row_h, double head_h, double first_h, double page_h,
		 size_t *per_page, size_t max)
{
	size_t fresh = rpl_rows_fit(page_h, head_h, row_h);
	if (fresh == 0)
		return -EINVAL;
	size_t pages = 0;
	size_t first = rpl_rows_fit(first_h, head_h, row_h);
	if (first == 0 && rows > 0) { /* nothing fits here: start on a new page */
		if (pages == max)
			return -ENOSPC;
		per_page[pages++] = 0;
	}
	size_t cap = first ? first : fresh;
	do {
		if (pages == max)
			return -ENOSPC;
		size_t n = rows < cap ? rows : cap;
		per_page[pages++] = n;
		rows -= n;
		cap = fresh;
	} while (rows > 0);
	return (int)pages;
}
