/* pantauctl report --format pdf: the pure part of the layout. Labels in
 * Indonesian and English, numbers, percentages and durations the way each
 * language writes them, the y axis of the availability chart and table
 * pagination. No cairo and no I/O here, so unit tests cover all of it. */
#ifndef PANTAU_CTL_REPORT_PDF_LAYOUT_H
#define PANTAU_CTL_REPORT_PDF_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum rpl_label {
	RPL_TITLE_SLA,
	RPL_TITLE_OUTAGES,
	RPL_PERIOD,
	RPL_GENERATED,
	RPL_DEFAULT_TARGET,
	RPL_NOTE,
	RPL_SUBJECT,
	RPL_KIND,
	RPL_AVAILABILITY,
	RPL_TARGET,
	RPL_STATUS,
	RPL_MET,
	RPL_NOT_MET,
	RPL_DOWN_PLANNED,
	RPL_DOWN_UNPLANNED,
	RPL_UNKNOWN,
	RPL_UP,
	RPL_OUTAGES,
	RPL_START,
	RPL_END,
	RPL_DURATION,
	RPL_PLANNED,
	RPL_CAUSE,
	RPL_YES,
	RPL_NO,
	RPL_SUMMARY,
	RPL_CHART_AVAILABILITY,
	RPL_CHART_TIMELINE,
	RPL_OUTAGE_LIST,
	RPL_NO_DATA,
	RPL_NO_OUTAGES,
	RPL_PAGE,
	RPL_EVIDENCE,
	RPL_SIGNER,
	RPL_CONTINUED,
	/* report backups */
	RPL_TITLE_BACKUPS,
	RPL_BACKUP_NOTE,
	RPL_BACKUP_RPO_TABLE,
	RPL_BACKUP_RUNS_TABLE,
	RPL_BACKUP_LAST_TABLE,
	RPL_BASIS,
	RPL_NO_JOBS,
	RPL_JOB,
	RPL_RPO,
	RPL_WITHIN_RPO,
	RPL_RPO_BREACH,
	RPL_LONGEST_BREACH,
	RPL_RPO_ADHERENCE,
	RPL_CHECKS_OK,
	RPL_RUNS_OK,
	RPL_SUCCESS_RATE,
	RPL_LAST_GOOD,
	RPL_AGE,
	RPL_LAST_RESTORE,
	RPL_SIZE_BREACHES,
	/* report redundancy */
	RPL_TITLE_REDUNDANCY,
	RPL_REDUNDANCY_NOTE,
	RPL_GROUP_TABLE,
	RPL_LEVEL_TABLE,
	RPL_GROUP,
	RPL_MEMBERS,
	RPL_REQUIRED_N,
	RPL_LEVEL,
	RPL_N_PLUS_1,
	RPL_AT_N,
	RPL_BELOW_N,
	RPL_SECONDS,
	RPL_SHARE,
	RPL_PERIOD_TOTAL,
	RPL_NLABELS
};

/* The label in Indonesian (en false) or English; never NULL. */
const char *rpl_label(enum rpl_label l, bool en);

/* 2678400 -> "2.678.400" (id) or "2,678,400" (en). Returns the length, or
 * -ENOSPC when it does not fit (out is then ""). */
int rpl_fmt_int(int64_t v, bool en, char *out, size_t size);

/* A percentage with `decimals` places (0-6): 99.44 -> "99,4400%" (id) or
 * "99.4400%" (en), rounded the way printf rounds. -ENOSPC as above. */
int rpl_fmt_pct(double pct, int decimals, bool en, char *out, size_t size);

/* Seconds as "H:MM:SS", with days in front when there are any:
 * 93784 -> "1 hari 02:03:04" (id) or "1 d 02:03:04" (en). Negative values
 * get a leading '-'. -ENOSPC as above. */
int rpl_fmt_duration(int64_t seconds, bool en, char *out, size_t size);

/* Local time of t (unix seconds) in a zone offset: "2024-03-02 10:00:00".
 * -ENOSPC as above. */
int rpl_fmt_time(int64_t t, int32_t tz_offset, char *out, size_t size);

/* Copies in to out (size > 0) replacing every byte that is not part of a
 * valid UTF-8 sequence (and every control character) by '?', so text from
 * the database can go to cairo; cuts at a character boundary when out is
 * too small. Returns the length written. */
size_t rpl_utf8_clean(const char *in, char *out, size_t size);

/* The left end of the availability chart's axis, in percent: the largest
 * of 99.9, 99.5, 99, 98, 95, 90, 80, 50 and 0 that lies below both the
 * lowest availability and the lowest target by a visible margin, so every
 * bar and the target line show. */
double rpl_axis_min(double lowest);

/* How many rows of row_h fit in avail points below a header of head_h;
 * 0 when not even the header and one row fit. */
size_t rpl_rows_fit(double avail, double head_h, double row_h);

/* Table pagination: rows of row_h points under a header of head_h on
 * pages whose usable height is first_h on the current page and page_h on
 * each new one. Writes the number of rows that go on page i (0 = current)
 * into per_page[0..max) and returns the number of pages, or -EINVAL when
 * not even one row fits on a fresh page, or -ENOSPC when max is too small.
 * Zero rows take one page (for the "no data" line). */
int rpl_paginate(size_t rows, double row_h, double head_h, double first_h, double page_h,
		 size_t *per_page, size_t max);

#endif
