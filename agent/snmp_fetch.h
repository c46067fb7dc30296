/* What one SNMP poll asks and what it makes of the answers, without any I/O:
 * the poller sends each PDU snmp_fetch_next() builds and feeds each reply to
 * snmp_fetch_reply(), so the whole poll logic is unit-tested against a fake
 * agent in the same process.
 *
 * A poll runs in phases: IDENTIFY (only with `profiles: [auto]`, at the
 * first poll, hourly, and after a failed poll: one GETNEXT that reads
 * sysObjectID and checks each profile's detection subtrees), GET (every
 * scalar and inventory field of the selected profiles, max_oids per PDU),
 * WALK (every table at once: the columns of several tables side by side in
 * one GETBULK, sized by the rows each had last time), then DONE. */
#ifndef PANTAU_SNMP_FETCH_H
#define PANTAU_SNMP_FETCH_H

#include "snmp_conf.h"
#include "snmp_emit.h"
#include "snmp_profile.h"
#include "snmp_profile_inv.h"
#include "snmp_rate.h"
#include "snmp_table.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum snmp_fetch_phase { SNMP_FETCH_IDENTIFY, SNMP_FETCH_GET, SNMP_FETCH_WALK, SNMP_FETCH_DONE };

enum { SNMP_FETCH_MAX_BATCH = 128, SNMP_FETCH_REFRESH_MS = 3600 * 1000 };

struct snmp_fetch_get {
	const struct snmp_profile *prof;
	const struct snmp_profile_object *obj;
};

struct snmp_fetch_table {
	const struct snmp_profile_table *t;
	size_t rows_hint; /* rows seen at the last poll: sizes the next GETBULK */
	bool walked;	  /* rows_hint is known */
	const struct snmp_profile *prof;	   /* inventory tables: */
	const struct snmp_profile_inv_table *inv; /* records, not samples */
};

/* The finished walk of an inventory table, kept until the poll ends. */
struct snmp_fetch_kept {
	const struct snmp_fetch_table *tab;
	struct snmp_table_walk walk;
};

struct snmp_fetch_record {
	const struct snmp_profile *prof;
	size_t group;
	uint64_t hash; /* of the non-volatile fields last sent */
	uint64_t sent_ms;
	bool sent;
};

struct snmp_fetch {
	const struct snmp_conf *cfg; /* borrowed */
	struct snmp_sink sink;
	const char *name; /* device name for logs, borrowed */
	/* The profiles that apply, kept between polls. */
	const struct snmp_profile **sel;
	size_t nsel;
	bool selected;
	uint64_t selected_ms;
	/* What a poll reads, built from the selection. */
	struct snmp_fetch_get *gets;
	size_t ngets;
	struct snmp_fetch_table *tabs;
	size_t ntabs;
	struct snmp_fetch_record *recs;
	size_t nrecs;
	char **texts; /* per get: inventory text of this poll */
	/* Identification: item 0 is sysObjectID, then each detection subtree. */
	const struct snmp_profile_oid **det;
	size_t ndet;
	bool *found;
	oid sysobjectid[MAX_OID_LEN];
	size_t sysobjectid_len;
	/* The poll in progress. */
	enum snmp_fetch_phase phase;
	uint64_t now_ms;
	size_t cursor; /* next item (IDENTIFY, GET) or table (WALK) */
	size_t limit;  /* varbinds per request; tooBig halves it */
	size_t batch[SNMP_FETCH_MAX_BATCH];
	size_t nbatch;
	bool *skip; /* items known absent this poll */
	size_t nskip;
	struct snmp_table_walk *walks; /* WALK: one per table; t == NULL once ended */
	size_t reqw[SNMP_TABLE_MAX_REQ_COLS]; /* tables in the request in flight */
	size_t nreqw, reqcols;
	bool one_table; /* the agent refused a request of several tables */
	unsigned resends; /* SNMPv3 reports for the request in flight */
	bool answered;	  /* a response arrived this poll */
	uint64_t reply_mono_ms; /* when the answer being handled came */
	int64_t reply_wall_ms;
	int status;	  /* first fatal error of this poll */
	const char *reason;
	size_t values, absent;
	/* Inventory: table walks of this poll, and what was sent last. */
	struct snmp_fetch_kept *kept;
	size_t nkept;
	uint64_t inv_hash, inv_sent_ms;
	bool inv_sent;
	/* Rates: every counter's last reading, and this poll's sysUpTime. */
	struct snmp_rate_state rates;
	struct snmp_rate_poll rate_poll;
};

/* Prepares a fetch for one device. cfg, sink->arg and name are borrowed for
 * the fetch's life. */
void snmp_fetch_init(struct snmp_fetch *f, const struct snmp_conf *cfg,
		     const struct snmp_sink *sink, const char *name);

void snmp_fetch_free(struct snmp_fetch *f);

/* Starts a poll at monotonic time now_ms. 0 or -ENOMEM. */
int snmp_fetch_begin(struct snmp_fetch *f, uint64_t now_ms);

/* The next request to send (the caller sends and frees it), or NULL when
 * the poll is over: then see snmp_fetch_result(). */
netsnmp_pdu *snmp_fetch_next(struct snmp_fetch *f);

/* The answer to the last request: status 0 with the response, -EAGAIN with
 * an SNMPv3 report, or -ETIMEDOUT/-errno without a PDU. Values are stamped
 * with the time their answer came, not the poll's start: after a
 * retransmission they were read seconds later, and a counter's rate must
 * divide by the time that really passed. */
void snmp_fetch_reply(struct snmp_fetch *f, int status, const netsnmp_pdu *pdu);

/* The same with the clocks given (monotonic and Unix ms): for tests. */
void snmp_fetch_reply_at(struct snmp_fetch *f, int status, const netsnmp_pdu *pdu,
			 uint64_t mono_ms, int64_t wall_ms);

/* Ends the poll now (the time budget ran out), keeping what was read. */
void snmp_fetch_abort(struct snmp_fetch *f, int status, const char *reason);

/* The poll's outcome for device_poll_done(): 0 if the device answered (a
 * partial poll sets *reason), else -errno with *reason. */
int snmp_fetch_result(const struct snmp_fetch *f, const char **reason);

/* Makes the next poll identify the device again (after a failure: it may
 * have been replaced). */
void snmp_fetch_forget(struct snmp_fetch *f);

#endif
