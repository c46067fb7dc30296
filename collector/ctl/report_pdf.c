/* pantauctl report --format pdf: the A4 report drawn with cairo (see
 * report_pdf.h for the evidence design). Labels and number formats come
 * from report_pdf_layout.c; this file only draws.
 *
 * The report: a title block (period, zone, generation time, default
 * target, the denominator note), the summary table per subject
 * (availability against its target, met or not, planned and unplanned
 * downtime, unknown time, outages), a bar chart of availability per subject
 * with each subject's target line, a state timeline per subject, and the
 * outage list. Every table and chart continues on new pages with its
 * header repeated; every page carries the evidence footer.
 *
 * report_pdf_render_doc draws the table reports (backups, redundancy) with
 * the same title block, tables, pages, footer, metadata and seal. */
#include "evidence.h"
#include "report_pdf.h"
#include "report_pdf_layout.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <errno.h>
#include <fontconfig/fontconfig.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A4 in points, and the printable area. */
#define PAGE_W	   595.276
#define PAGE_H	   841.890
#define MARGIN	   42.0
#define CONTENT_W  (PAGE_W - 2 * MARGIN)
#define BOTTOM	   (PAGE_H - 64.0) /* the footer lives below */
#define FONT	   "DejaVu Sans"
#define TITLE_H	   22.0
#define LABEL_W	   122.0 /* subject column of the charts */
#define CHART_X0   (MARGIN + LABEL_W + 4)
#define CHART_X1   (PAGE_W - MARGIN - 56)
#define TEXT_SIZE  7.0
#define CELL_BYTES 160

enum align { LEFT, CENTER, RIGHT };

/* One subject's figures, computed once for every section. */
struct subject_view {
	const struct report_subject *s;
	struct sla_result r;
	struct sla_segment *seg;
	size_t nseg;
};

struct outage_ref {
	size_t subject, outage;
};

struct pdf {
	cairo_t *cr;
	const struct report_pdf_job *job;
	bool en;
	double y;
	int page;
	char hash_hex[65], key_hex[65];
	struct subject_view *v;
	size_t nv;
	struct outage_ref *out;
	size_t nout;
	double axis_min;
	const struct report_pdf_doc *doc;   /* report_pdf_render_doc */
	const struct report_pdf_table *tab; /* the doc's table being drawn */
};

struct table_col {
	enum rpl_label label;
	double w;
	enum align align;
};

/* A table or a chart: rows drawn by a callback, paginated here. */
struct table {
	enum rpl_label title;
	const struct table_col *cols; /* NULL for charts: head() draws the header */
	size_t ncols;
	size_t nrows;
	double row_h, head_h;
	enum rpl_label empty; /* the line shown when there are no rows */
	void (*head)(struct pdf *p, double y);
	void (*row)(struct pdf *p, size_t i, double y);
};

static void font(struct pdf *p, double size, bool bold)
{
	cairo_select_font_face(p->cr, FONT, CAIRO_FONT_SLANT_NORMAL,
			       bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
	cairo_set_font_size(p->cr, size);
}

static double width(struct pdf *p, const char *s)
{
	cairo_text_extents_t e;
	cairo_text_extents(p->cr, s, &e);
	return e.x_advance;
}

/* Draws s (UTF-8, cleaned here) with its baseline at y, cut with an
 * ellipsis to maxw when maxw > 0. */
static void text(struct pdf *p, double x, double y, double size, bool bold, const char *s,
		 enum align a, double maxw)
{
	char t[CELL_BYTES + 4];
	size_t n = rpl_utf8_clean(s, t, CELL_BYTES);
	font(p, size, bold);
	while (maxw > 0 && n > 0 && width(p, t) > maxw) {
		do /* back to the previous character boundary */
			n--;
		while (n > 0 && ((unsigned char)t[n] & 0xc0) == 0x80);
		memcpy(t + n, "\xe2\x80\xa6", 4); /* U+2026 and the NUL */
	}
	double w = width(p, t);
	double dx = a == RIGHT ? -w : a == CENTER ? -w / 2 : 0;
	cairo_move_to(p->cr, x + dx, y);
	cairo_show_text(p->cr, t);
}

/* Word-wraps s into lines of at most maxw; returns the y after the last. */
static double paragraph(struct pdf *p, double x, double y, double size, const char *s, double maxw)
{
	char line[CELL_BYTES];
	const char *start = s, *end = s; /* the line so far: [start, end) */
	font(p, size, false);
	while (*end) {
		const char *next = end + (end > start) + strcspn(end + (end > start), " ");
		snprintf(line, sizeof(line), "%.*s", (int)(next - start), start);
		if (end > start && (width(p, line) > maxw || next - start >= CELL_BYTES)) {
			snprintf(line, sizeof(line), "%.*s", (int)(end - start), start);
			text(p, x, y, size, false, line, LEFT, 0);
			y += size * 1.35;
			start = end + 1; /* past the space */
			end = start;
		} else {
			end = next;
		}
	}
	if (end > start) {
		snprintf(line, sizeof(line), "%.*s", (int)(end - start), start);
		text(p, x, y, size, false, line, LEFT, 0);
		y += size * 1.35;
	}
	return y;
}

static void rgb(struct pdf *p, double r, double g, double b)
{
	cairo_set_source_rgb(p->cr, r, g, b);
}

static void rect(struct pdf *p, double x, double y, double w, double h)
{
	cairo_rectangle(p->cr, x, y, w, h);
	cairo_fill(p->cr);
}

static void footer(struct pdf *p)
{
	double y = PAGE_H - 48;
	rgb(p, 0.6, 0.6, 0.6);
	cairo_set_line_width(p->cr, 0.5);
	cairo_move_to(p->cr, MARGIN, y);
	cairo_line_to(p->cr, PAGE_W - MARGIN, y);
	cairo_stroke(p->cr);
	rgb(p, 0.25, 0.25, 0.25);
	char line[256];
	snprintf(line, sizeof(line), "%s: %s SHA-256 %s", rpl_label(RPL_EVIDENCE, p->en),
		 p->job->sidecar_name, p->hash_hex);
	text(p, MARGIN, y + 11, 6.0, false, line, LEFT, CONTENT_W);
	snprintf(line, sizeof(line), "%s Ed25519 %s", rpl_label(RPL_SIGNER, p->en), p->key_hex);
	text(p, MARGIN, y + 20, 6.0, false, line, LEFT, CONTENT_W - 70);
	snprintf(line, sizeof(line), "%s %d", rpl_label(RPL_PAGE, p->en), p->page);
	text(p, PAGE_W - MARGIN, y + 20, 7.0, false, line, RIGHT, 0);
	rgb(p, 0, 0, 0);
}

static void new_page(struct pdf *p)
{
	if (p->page > 0)
		cairo_show_page(p->cr);
	p->page++;
	p->y = MARGIN;
	footer(p);
}

static void section_title(struct pdf *p, enum rpl_label l, bool continued)
{
	char t[160];
	snprintf(t, sizeof(t), "%s%s%s", rpl_label(l, p->en), continued ? " " : "",
		 continued ? rpl_label(RPL_CONTINUED, p->en) : "");
	text(p, MARGIN, p->y + 12, 11.0, true, t, LEFT, CONTENT_W);
	p->y += TITLE_H;
}

/* Column labels in bold, wrapped onto two lines when they are wide. */
static void column_heads(struct pdf *p, const struct table *t, double y)
{
	rgb(p, 0.9, 0.92, 0.95);
	rect(p, MARGIN, y, CONTENT_W, t->head_h - 2);
	rgb(p, 0, 0, 0);
	double x = MARGIN;
	for (size_t c = 0; c < t->ncols; c++) {
		const struct table_col *col = &t->cols[c];
		const char *l = rpl_label(col->label, p->en);
		double ax = col->align == RIGHT ? x + col->w - 3 : x + 2;
		font(p, TEXT_SIZE, true);
		const char *sp = strrchr(l, ' ');
		if (width(p, l) > col->w - 4 && sp) {
			/* break before the last word that still leaves line 1 fitting */
			char first[96];
			size_t cut = (size_t)(sp - l);
			snprintf(first, sizeof(first), "%.*s", (int)cut, l);
			while (width(p, first) > col->w - 4 && (sp = strrchr(first, ' '))) {
				cut = (size_t)(sp - first);
				first[cut] = '\0';
			}
			text(p, ax, y + 9, TEXT_SIZE, true, first, col->align, col->w - 4);
			text(p, ax, y + 18, TEXT_SIZE, true, l + cut + 1, col->align, col->w - 4);
		} else {
			text(p, ax, y + 13, TEXT_SIZE, true, l, col->align, col->w - 4);
		}
		x += col->w;
	}
}

static void cells(struct pdf *p, const struct table *t, char (*c)[CELL_BYTES], double y)
{
	double x = MARGIN;
	for (size_t i = 0; i < t->ncols; i++) {
		const struct table_col *col = &t->cols[i];
		double ax = col->align == RIGHT ? x + col->w - 3 : x + 2;
		text(p, ax, y + t->row_h - 3.5, TEXT_SIZE, false, c[i], col->align, col->w - 5);
		x += col->w;
	}
}

/* Draws t from p->y on, starting new pages as needed. */
static void draw_table(struct pdf *p, const struct table *t)
{
	size_t fit = rpl_rows_fit(BOTTOM - p->y - TITLE_H, t->head_h, t->row_h);
	if (fit == 0)
		new_page(p);
	section_title(p, t->title, false);
	if (t->nrows == 0) {
		text(p, MARGIN, p->y + 8, 8.0, false, rpl_label(t->empty, p->en), LEFT, CONTENT_W);
		p->y += 22;
		return;
	}
	for (size_t i = 0; i < t->nrows;) {
		fit = rpl_rows_fit(BOTTOM - p->y, t->head_h, t->row_h);
		t->head(p, p->y);
		p->y += t->head_h;
		for (size_t k = 0; k < fit && i < t->nrows; k++, i++) {
			if (i % 2) { /* zebra stripes for reading across */
				rgb(p, 0.965, 0.965, 0.965);
				rect(p, MARGIN, p->y, CONTENT_W, t->row_h);
			}
			rgb(p, 0, 0, 0);
			t->row(p, i, p->y);
			p->y += t->row_h;
		}
		if (i < t->nrows) {
			new_page(p);
			section_title(p, t->title, true);
		}
	}
	p->y += 12;
}

/* --- the sections ------------------------------------------------------ */

static const struct table_col summary_cols[] = {
	{RPL_SUBJECT, 100, LEFT}, {RPL_AVAILABILITY, 60, RIGHT}, {RPL_TARGET, 44, RIGHT},
	{RPL_STATUS, 68, LEFT},	  {RPL_DOWN_PLANNED, 60, RIGHT}, {RPL_DOWN_UNPLANNED, 72, RIGHT},
	{RPL_UNKNOWN, 58, RIGHT}, {RPL_OUTAGES, 49, RIGHT},
};

static const struct table_col outage_cols[] = {
	{RPL_SUBJECT, 100, LEFT},  {RPL_START, 86, LEFT},   {RPL_END, 86, LEFT},
	{RPL_DURATION, 64, RIGHT}, {RPL_PLANNED, 50, LEFT}, {RPL_CAUSE, 125, LEFT},
};

static void subject_name(const struct report_subject *s, char *out, size_t n)
{
	if (strcmp(s->kind, "device") == 0)
		snprintf(out, n, "%s", s->name);
	else
		snprintf(out, n, "%s: %s", s->kind, s->name);
}

static void summary_head(struct pdf *p, double y)
{
	struct table t = {.cols = summary_cols, .ncols = 8, .head_h = 24};
	column_heads(p, &t, y);
}

static void summary_row(struct pdf *p, size_t i, double y)
{
	const struct sla_result *r = &p->v[i].r;
	char c[8][CELL_BYTES];
	subject_name(p->v[i].s, c[0], CELL_BYTES);
	rpl_fmt_pct(r->availability, 4, p->en, c[1], CELL_BYTES);
	rpl_fmt_pct(r->target_ppm / 10000.0, 3, p->en, c[2], CELL_BYTES);
	snprintf(c[3], CELL_BYTES, "%s", rpl_label(r->target_met ? RPL_MET : RPL_NOT_MET, p->en));
	rpl_fmt_duration(r->down_planned, p->en, c[4], CELL_BYTES);
	rpl_fmt_duration(r->down_unplanned, p->en, c[5], CELL_BYTES);
	rpl_fmt_duration(r->unknown, p->en, c[6], CELL_BYTES);
	rpl_fmt_int((int64_t)r->noutages, p->en, c[7], CELL_BYTES);
	struct table t = {.cols = summary_cols, .ncols = 8, .row_h = 13};
	if (!r->target_met)
		rgb(p, 0.75, 0.1, 0.1);
	cells(p, &t, c, y);
	rgb(p, 0, 0, 0);
}

static double bar_x(const struct pdf *p, double pct)
{
	double v = pct < p->axis_min ? p->axis_min : pct > 100 ? 100 : pct;
	return CHART_X0 + (CHART_X1 - CHART_X0) * (v - p->axis_min) / (100 - p->axis_min);
}

static void bars_head(struct pdf *p, double y)
{
	char t[32];
	for (int k = 0; k <= 4; k++) {
		double pct = p->axis_min + (100 - p->axis_min) * k / 4;
		rpl_fmt_pct(pct, p->axis_min >= 99 ? 2 : 1, p->en, t, sizeof(t));
		text(p, bar_x(p, pct), y + 16, 6.5, false, t, k == 4 ? RIGHT : CENTER, 0);
	}
	rgb(p, 0.15, 0.55, 0.25);
	rect(p, MARGIN, y + 2, 8, 6);
	rgb(p, 0, 0, 0);
	text(p, MARGIN + 11, y + 8, 6.5, false, rpl_label(RPL_AVAILABILITY, p->en), LEFT, 0);
	rect(p, MARGIN + 70, y + 1, 1.5, 8);
	text(p, MARGIN + 75, y + 8, 6.5, false, rpl_label(RPL_TARGET, p->en), LEFT, 0);
}

static void bars_row(struct pdf *p, size_t i, double y)
{
	const struct sla_result *r = &p->v[i].r;
	char name[CELL_BYTES], v[32];
	subject_name(p->v[i].s, name, sizeof(name));
	text(p, MARGIN, y + 10, TEXT_SIZE, false, name, LEFT, LABEL_W - 4);
	rgb(p, 0.93, 0.93, 0.93);
	rect(p, CHART_X0, y + 2, CHART_X1 - CHART_X0, 10);
	if (r->target_met)
		rgb(p, 0.15, 0.55, 0.25);
	else
		rgb(p, 0.8, 0.15, 0.15);
	rect(p, CHART_X0, y + 2, bar_x(p, r->availability) - CHART_X0, 10);
	rgb(p, 0, 0, 0);
	rect(p, bar_x(p, r->target_ppm / 10000.0) - 0.75, y, 1.5, 14);
	rpl_fmt_pct(r->availability, 4, p->en, v, sizeof(v));
	text(p, PAGE_W - MARGIN, y + 10, TEXT_SIZE, false, v, RIGHT, 0);
}

static void state_color(struct pdf *p, const struct sla_segment *s)
{
	if (s->state == SLA_UP)
		rgb(p, 0.55, 0.8, 0.55);
	else if (s->state == SLA_UNKNOWN)
		rgb(p, 0.62, 0.62, 0.62);
	else if (s->planned)
		rgb(p, 0.95, 0.6, 0.1);
	else
		rgb(p, 0.8, 0.12, 0.12);
}

static void timeline_head(struct pdf *p, double y)
{
	static const enum rpl_label legend[] = {RPL_UP, RPL_DOWN_PLANNED, RPL_DOWN_UNPLANNED,
						RPL_UNKNOWN};
	static const struct sla_segment kinds[] = {{0, 0, SLA_UP, false},
						   {0, 0, SLA_DOWN, true},
						   {0, 0, SLA_DOWN, false},
						   {0, 0, SLA_UNKNOWN, false}};
	double x = MARGIN;
	for (size_t k = 0; k < 4; k++) {
		state_color(p, &kinds[k]);
		rect(p, x, y + 2, 8, 6);
		rgb(p, 0, 0, 0);
		const char *l = rpl_label(legend[k], p->en);
		text(p, x + 11, y + 8, 6.5, false, l, LEFT, 0);
		x += 11 + width(p, l) + 12;
	}
	const struct report_pdf_job *j = p->job;
	for (int k = 0; k <= 4; k++) {
		int64_t t = j->from + (j->to - j->from) * k / 4;
		char s[32];
		rpl_fmt_time(t, j->tz_offset, s, sizeof(s));
		s[j->to - j->from >= 2 * 86400 ? 10 : 16] = '\0'; /* the day, or the minute */
		double px = CHART_X0 + (CHART_X1 - CHART_X0) * k / 4;
		text(p, px, y + 20, 6.0, false, s, k == 0 ? LEFT : k == 4 ? RIGHT : CENTER, 0);
	}
}

static void timeline_row(struct pdf *p, size_t i, double y)
{
	const struct subject_view *v = &p->v[i];
	const struct report_pdf_job *j = p->job;
	char name[CELL_BYTES];
	subject_name(v->s, name, sizeof(name));
	text(p, MARGIN, y + 10, TEXT_SIZE, false, name, LEFT, LABEL_W - 4);
	double span = (double)(j->to - j->from), w = CHART_X1 - CHART_X0;
	for (size_t k = 0; k < v->nseg; k++) {
		const struct sla_segment *s = &v->seg[k];
		double x0 = CHART_X0 + w * (double)(s->start - j->from) / span;
		double x1 = CHART_X0 + w * (double)(s->end - j->from) / span;
		if (s->state != SLA_UP && x1 - x0 < 1.0) /* short outages stay visible */
			x1 = x0 + 1.0;
		state_color(p, s);
		rect(p, x0, y + 2, x1 - x0, 10);
	}
	rgb(p, 0, 0, 0);
}

static void outages_head(struct pdf *p, double y)
{
	struct table t = {.cols = outage_cols, .ncols = 6, .head_h = 16};
	column_heads(p, &t, y);
}

static void outages_row(struct pdf *p, size_t i, double y)
{
	const struct outage_ref *o = &p->out[i];
	const struct sla_outage *x = &p->v[o->subject].r.outages[o->outage];
	char c[6][CELL_BYTES];
	subject_name(p->v[o->subject].s, c[0], CELL_BYTES);
	rpl_fmt_time(x->start, p->job->tz_offset, c[1], CELL_BYTES);
	rpl_fmt_time(x->end, p->job->tz_offset, c[2], CELL_BYTES);
	rpl_fmt_duration(x->end - x->start, p->en, c[3], CELL_BYTES);
	snprintf(c[4], CELL_BYTES, "%s", rpl_label(x->planned ? RPL_YES : RPL_NO, p->en));
	snprintf(c[5], CELL_BYTES, "%s", x->cause ? x->cause : "");
	struct table t = {.cols = outage_cols, .ncols = 6, .row_h = 12};
	cells(p, &t, c, y);
}

/* The title, the period and the generation time. */
static void title_head(struct pdf *p, enum rpl_label title)
{
	const struct report_pdf_job *j = p->job;
	char from[32], to[32], now[32], line[256];
	text(p, MARGIN, p->y + 16, 16.0, true, rpl_label(title, p->en), LEFT, CONTENT_W);
	p->y += 30;
	rpl_fmt_time(j->from, j->tz_offset, from, sizeof(from));
	rpl_fmt_time(j->to, j->tz_offset, to, sizeof(to));
	rpl_fmt_time(j->generated_at, j->tz_offset, now, sizeof(now));
	snprintf(line, sizeof(line), "%s: %s \xe2\x80\x93 %s (%s)", rpl_label(RPL_PERIOD, p->en),
		 from, to, j->tz);
	text(p, MARGIN, p->y + 9, 9.0, false, line, LEFT, CONTENT_W);
	snprintf(line, sizeof(line), "%s: %s (%s)", rpl_label(RPL_GENERATED, p->en), now, j->tz);
	text(p, MARGIN, p->y + 21, 9.0, false, line, LEFT, CONTENT_W);
	p->y += 24;
}

/* One more line of the title block. */
static void title_line(struct pdf *p, const char *s)
{
	text(p, MARGIN, p->y + 9, 9.0, false, s, LEFT, CONTENT_W);
	p->y += 12;
}

static void title_note(struct pdf *p, enum rpl_label note)
{
	p->y = paragraph(p, MARGIN, p->y + 10, 8.0, rpl_label(note, p->en), CONTENT_W) + 8;
}

static void title_block(struct pdf *p)
{
	const struct report_pdf_job *j = p->job;
	char target[24], line[256];
	title_head(p, j->outages ? RPL_TITLE_OUTAGES : RPL_TITLE_SLA);
	rpl_fmt_pct(j->default_target_ppm / 10000.0, 3, p->en, target, sizeof(target));
	snprintf(line, sizeof(line), "%s: %s", rpl_label(RPL_DEFAULT_TARGET, p->en), target);
	title_line(p, line);
	title_note(p, RPL_NOTE);
}

static void draw_report(struct pdf *p)
{
	const struct table summary = {RPL_SUMMARY, summary_cols, 8,	     p->nv, 13, 24,
				      RPL_NO_DATA, summary_head, summary_row};
	const struct table bars = {
		RPL_CHART_AVAILABILITY, NULL, 0, p->nv, 15, 22, RPL_NO_DATA, bars_head, bars_row};
	const struct table timeline = {
		RPL_CHART_TIMELINE, NULL,	   0,		p->nv, 15, 26,
		RPL_NO_DATA,	    timeline_head, timeline_row};
	const struct table outages = {RPL_OUTAGE_LIST, outage_cols,  6,		 p->nout, 12, 16,
				      RPL_NO_OUTAGES,  outages_head, outages_row};
	new_page(p);
	title_block(p);
	if (p->job->outages) {
		draw_table(p, &outages);
		draw_table(p, &timeline);
		draw_table(p, &summary);
	} else {
		draw_table(p, &summary);
		draw_table(p, &bars);
		draw_table(p, &timeline);
		draw_table(p, &outages);
	}
	cairo_show_page(p->cr);
}

/* --- table reports (report_pdf_render_doc) ------------------------------ */

static size_t doc_cols(const struct report_pdf_table *tab, struct table_col *cols)
{
	size_t n = tab->ncols < REPORT_PDF_MAX_COLS ? tab->ncols : REPORT_PDF_MAX_COLS;
	for (size_t c = 0; c < n; c++)
		cols[c] = (struct table_col){tab->cols[c].label, tab->cols[c].w,
					     tab->cols[c].right ? RIGHT : LEFT};
	return n;
}

static void doc_head(struct pdf *p, double y)
{
	struct table_col cols[REPORT_PDF_MAX_COLS];
	struct table t = {.cols = cols, .ncols = doc_cols(p->tab, cols), .head_h = 24};
	column_heads(p, &t, y);
}

static void doc_row(struct pdf *p, size_t i, double y)
{
	struct table_col cols[REPORT_PDF_MAX_COLS];
	char c[REPORT_PDF_MAX_COLS][CELL_BYTES];
	struct table t = {.cols = cols, .ncols = doc_cols(p->tab, cols), .row_h = 13};
	for (size_t k = 0; k < t.ncols; k++) {
		const char *v = p->tab->cells[i * p->tab->ncols + k];
		snprintf(c[k], CELL_BYTES, "%s", v ? v : "");
	}
	if (p->tab->alert && p->tab->alert[i])
		rgb(p, 0.75, 0.1, 0.1);
	cells(p, &t, c, y);
	rgb(p, 0, 0, 0);
}

static void draw_doc(struct pdf *p)
{
	const struct report_pdf_doc *d = p->doc;
	new_page(p);
	title_head(p, d->title);
	for (size_t i = 0; i < d->ninfo; i++)
		title_line(p, d->info[i]);
	title_note(p, d->note);
	for (size_t i = 0; i < d->ntables; i++) {
		p->tab = &d->tables[i];
		const struct table t = {p->tab->title, NULL,	 0,	 p->tab->nrows, 13, 24,
					p->tab->empty, doc_head, doc_row};
		draw_table(p, &t);
	}
	cairo_show_page(p->cr);
}

/* --- data and the surface ------------------------------------------------ */

static void views_free(struct pdf *p)
{
	for (size_t i = 0; i < p->nv; i++) {
		sla_result_free(&p->v[i].r);
		free(p->v[i].seg);
	}
	free(p->v);
	free(p->out);
}

static int views_build(struct pdf *p, const struct report_data *d)
{
	const struct report_pdf_job *j = p->job;
	p->v = calloc(d->n ? d->n : 1, sizeof(*p->v));
	if (!p->v)
		return -ENOMEM;
	double lowest = 100;
	for (size_t i = 0; i < d->n; i++, p->nv++) {
		const struct report_subject *s = &d->s[i];
		struct subject_view *v = &p->v[i];
		v->s = s;
		uint32_t target = s->target_ppm ? s->target_ppm : j->default_target_ppm;
		/* the same inputs as the CSV rows: intervals and maintenance windows */
		int rc = sla_compute(j->from, j->to, s->iv, s->n, s->win, s->nwin, target, &v->r);
		if (rc < 0)
			return rc;
		rc = sla_timeline(j->from, j->to, s->iv, s->n, s->win, s->nwin, &v->seg, &v->nseg);
		if (rc < 0) {
			sla_result_free(&v->r);
			return rc;
		}
		lowest = v->r.availability < lowest ? v->r.availability : lowest;
		double t = v->r.target_ppm / 10000.0;
		lowest = t < lowest ? t : lowest;
		p->nout += v->r.noutages;
	}
	p->axis_min = rpl_axis_min(lowest);
	p->out = calloc(p->nout ? p->nout : 1, sizeof(*p->out));
	if (!p->out)
		return -ENOMEM;
	size_t k = 0;
	for (size_t i = 0; i < p->nv; i++)
		for (size_t o = 0; o < p->v[i].r.noutages; o++)
			p->out[k++] = (struct outage_ref){i, o};
	return 0;
}

static cairo_status_t write_buf(void *closure, const unsigned char *data, unsigned int len)
{
	return buf_append(closure, data, len) == 0 ? CAIRO_STATUS_SUCCESS
						   : CAIRO_STATUS_WRITE_ERROR;
}

static int fingerprints(struct pdf *p, const void *sidecar, size_t len, EVP_PKEY *key)
{
	uint8_t h[32], pub[32];
	unsigned hn = 0;
	size_t pn = sizeof(pub);
	if (!EVP_Digest(sidecar, len, h, &hn, EVP_sha256(), NULL) || hn != 32 ||
	    EVP_PKEY_get_raw_public_key(key, pub, &pn) != 1 || pn != 32)
		return -EIO;
	evidence_hex(h, 32, p->hash_hex);
	evidence_hex(pub, 32, p->key_hex);
	return 0;
}

static void metadata(cairo_surface_t *s, const struct pdf *p, enum rpl_label title)
{
	const struct report_pdf_job *j = p->job;
	char kw[256], subject[160];
	snprintf(kw, sizeof(kw), "pantau-evidence-sha256=%s pantau-evidence-key=%s", p->hash_hex,
		 p->key_hex);
	snprintf(subject, sizeof(subject), "%s: %s", rpl_label(RPL_EVIDENCE, p->en),
		 j->sidecar_name);
	cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_TITLE, rpl_label(title, p->en));
	cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_SUBJECT, subject);
	cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_KEYWORDS, kw);
	cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATOR, "pantauctl " PANTAU_VERSION);
}

/* Draws the pages with draw into out on an A4 PDF surface and seals
 * them (p's fingerprints set). 0, or -errno with err set. */
static int produce(struct pdf *p, enum rpl_label title, void (*draw)(struct pdf *p), EVP_PKEY *key,
		   struct buf *out, char *err, size_t errlen)
{
	cairo_surface_t *s = cairo_pdf_surface_create_for_stream(write_buf, out, PAGE_W, PAGE_H);
	metadata(s, p, title);
	p->cr = cairo_create(s);
	draw(p);
	cairo_status_t st = cairo_status(p->cr);
	cairo_destroy(p->cr);
	p->cr = NULL;
	cairo_surface_finish(s);
	if (st == CAIRO_STATUS_SUCCESS)
		st = cairo_surface_status(s);
	cairo_surface_destroy(s);
	/* No cairo object is left: drop cairo's and fontconfig's global font
	 * caches, which would otherwise stay until exit (and count as leaks
	 * under LeakSanitizer). Both come back by themselves when needed. */
	cairo_debug_reset_static_data();
	FcFini();
	if (st != CAIRO_STATUS_SUCCESS) {
		snprintf(err, errlen, "cairo: %s", cairo_status_to_string(st));
		return -EIO;
	}
	int rc = report_pdf_seal(out, key);
	if (rc < 0)
		snprintf(err, errlen, "signing the PDF failed");
	return rc;
}

int report_pdf_render(const struct report_pdf_job *job, const struct report_data *d,
		      const void *sidecar, size_t sidecar_len, EVP_PKEY *key, struct buf *out,
		      char *err, size_t errlen)
{
	struct pdf p = {.job = job, .en = job->en};
	int rc = fingerprints(&p, sidecar, sidecar_len, key);
	if (rc == 0)
		rc = views_build(&p, d);
	if (rc < 0)
		snprintf(err, errlen, "%s", rc == -ENOMEM ? "out of memory" : "computing failed");
	else
		rc = produce(&p, job->outages ? RPL_TITLE_OUTAGES : RPL_TITLE_SLA, draw_report, key,
			     out, err, errlen);
	views_free(&p);
	return rc;
}

int report_pdf_render_doc(const struct report_pdf_job *job, const struct report_pdf_doc *doc,
			  const void *sidecar, size_t sidecar_len, EVP_PKEY *key, struct buf *out,
			  char *err, size_t errlen)
{
	struct pdf p = {.job = job, .en = job->en, .doc = doc};
	for (size_t i = 0; i < doc->ntables; i++)
		if (doc->tables[i].ncols > REPORT_PDF_MAX_COLS) {
			snprintf(err, errlen, "a table has more than %d columns",
				 REPORT_PDF_MAX_COLS);
			return -EINVAL;
		}
	int rc = fingerprints(&p, sidecar, sidecar_len, key);
	if (rc < 0) {
		snprintf(err, errlen, "hashing the sidecar failed");
		return rc;
	}
	return produce(&p, doc->title, draw_doc, key, out, err, errlen);
}
