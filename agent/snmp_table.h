/* The walk of one profile table: its columns are walked side by side (one
 * GETBULK or GETNEXT carries several columns), rows are kept until every
 * column has ended, then each metric cell is emitted with its index labels
 * and the label columns of the same row. Every step goes through
 * snmp_walk_step(), so a walk ends at the end of its subtree, at
 * endOfMibView, and on an agent that goes backwards. */
#ifndef PANTAU_SNMP_TABLE_H
#define PANTAU_SNMP_TABLE_H

#include "buf.h"
#include "snmp_emit.h"
#include "snmp_profile.h"
#include "snmp_rate.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
	SNMP_TABLE_MAX_ROWS = 10000,	    /* per column and poll */
	SNMP_TABLE_MAX_BULK_VARBINDS = 256, /* columns x repetitions in one GETBULK */
	SNMP_TABLE_MAX_REQ_COLS = 128,
};

struct snmp_table_cell {
	uint32_t sfx, sfx_len; /* row index: offset and length in the walk's sfx array */
	uint32_t text;	       /* label columns: offset in the walk's text buffer */
	double value;	       /* metric columns: raw number */
	unsigned char type;    /* ASN type of the varbind (a counter's width) */
};

struct snmp_table_col {
	const struct snmp_profile_object *obj;
	oid last[MAX_OID_LEN]; /* where the walk of this column stands */
	size_t last_len;
	bool done;
	struct snmp_table_cell *cells;
	size_t n, cap;
};

struct snmp_table_walk {
	const struct snmp_profile_table *t;
	struct snmp_table_col *cols; /* metric columns, then label columns */
	size_t ncols;
	oid *sfx; /* row indexes of every cell, back to back */
	size_t nsfx, capsfx;
	struct buf text;		     /* label texts, NUL-terminated, back to back */
	size_t req[SNMP_TABLE_MAX_REQ_COLS]; /* columns of the request in flight */
	size_t nreq;
	size_t pos;	     /* varbind position of its first column in that request */
	unsigned reps;	     /* repetitions of the request in flight, 0 = GETNEXT */
	unsigned reps_limit; /* lowered by tooBig */
	size_t cols_limit;   /* lowered by tooBig */
	unsigned stalls;     /* replies that moved no column */
	const struct snmp_rate_poll *rates; /* counters' rates; NULL: none */
	uint64_t read_mono_ms; /* when the first answer for this walk came (0: none yet) */
	int64_t read_wall_ms;
};

/* Prepares the walk of t. 0 or -ENOMEM. Free with snmp_table_end. */
int snmp_table_begin(struct snmp_table_walk *w, const struct snmp_profile_table *t);

/* How many unfinished columns the next request would carry (at most
 * max_cols, and fewer after tooBig). 0 when the walk is over. */
size_t snmp_table_pending(const struct snmp_table_walk *w, size_t max_cols);

/* Appends the next unfinished columns (at most max_cols) to pdu, where they
 * stand from varbind position pos on: a GETBULK of reps repetitions, or a
 * GETNEXT (reps == 0). Several walks may share one request, each at its own
 * position. Returns the columns added, or -ENOMEM (every column ended). */
int snmp_table_add(struct snmp_table_walk *w, netsnmp_pdu *pdu, unsigned reps, size_t max_cols,
		   size_t pos);

/* Feeds the response to a request of `stride` columns in all (a GETBULK
 * answers row after row of them) to the walk whose columns it carried.
 * Returns the number of values it added (0 is fine), or -EPROTO after
 * replies that make no progress. */
int snmp_table_reply(struct snmp_table_walk *w, const netsnmp_pdu *resp, size_t stride);

/* True when every column has ended. */
bool snmp_table_done(const struct snmp_table_walk *w);

/* Emits every metric cell; returns how many samples went out. */
size_t snmp_table_emit(const struct snmp_table_walk *w, const struct snmp_sink *sink);

/* The cell of column c at row index sfx[0..len), or NULL (binary search:
 * cells are in walk order, which is index order). */
const struct snmp_table_cell *snmp_table_find(const struct snmp_table_walk *w,
					      const struct snmp_table_col *c, const oid *sfx,
					      size_t len);

/* True if an earlier metric column of the same name has a value at cell's
 * row: two columns with one metric name are a preferred source and its
 * fallback (ifHCInOctets, then ifInOctets where the 64-bit one is absent).
 * Columns with row tests (when/unless) never shadow nor are shadowed: they
 * select rows of one column by a units or status text. */
bool snmp_table_shadowed(const struct snmp_table_walk *w, const struct snmp_table_col *c,
			 const struct snmp_table_cell *cell);

/* Rows of the longest column (a hint for the next poll's repetitions). */
size_t snmp_table_rows(const struct snmp_table_walk *w);

void snmp_table_end(struct snmp_table_walk *w);

#endif
