/* One net-snmp session to one agent, driven by the libuv loop: a uv_poll_t on
 * the session's UDP socket and a uv_timer_t on net-snmp's retransmission
 * schedule. No call here blocks, and thousands of links share one loop.
 *
 * A link has at most one request in flight. Its reply (or timeout) reaches
 * the owner in two steps: on_reply runs inside net-snmp, while the response
 * PDU is valid, and may only read it; on_step runs right after net-snmp has
 * returned, and may send the next request, close the link or end the poll. */
#ifndef PANTAU_SNMP_LINK_H
#define PANTAU_SNMP_LINK_H

#include "perr.h"
#include "snmp_conf.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include <uv.h>
#include <stdbool.h>

struct snmp_link;

/* status: 0 with the response PDU, -EAGAIN with an SNMPv3 report PDU,
 * -ETIMEDOUT after the last retry, or another -errno (pdu NULL). The PDU is
 * borrowed for this call only. */
typedef void (*snmp_link_reply_fn)(struct snmp_link *l, int status, netsnmp_pdu *pdu, void *arg);
typedef void (*snmp_link_step_fn)(struct snmp_link *l, void *arg);

struct snmp_link {
	uv_loop_t *loop;
	void *sessp; /* net-snmp single session, owned */
	int fd;
	uv_poll_t poll;
	uv_timer_t timer;
	netsnmp_large_fd_set fds; /* just fd, for snmp_sess_read2 */
	bool fds_init;
	int reqid;    /* request in flight, 0 if none */
	bool replied; /* on_reply ran during the current net-snmp call */
	bool polling; /* poll handle started */
	bool closing;
	int open_handles; /* handles still to be closed */
	snmp_link_reply_fn on_reply;
	snmp_link_step_fn on_step;
	void *arg;
	void (*closed)(struct snmp_link *l);
};

/* Prepares net-snmp once per process: no MIB files, no configuration or
 * persistent files, library logs go to pantau's log at debug level. */
void snmp_link_library_init(void);

/* Opens a session to the numeric address ip (IPv4 or IPv6 text) on port with
 * the device's settings and starts watching its socket. 0 or -errno with the
 * reason in err; on failure nothing needs closing. */
int snmp_link_open(struct snmp_link *l, uv_loop_t *loop, const struct snmp_conf *c, const char *ip,
		   unsigned port, snmp_link_reply_fn on_reply, snmp_link_step_fn on_step, void *arg,
		   struct perr *err);

/* Sends pdu (taken over, freed on failure too) as the one request in flight.
 * 0 or -errno; on failure neither callback runs for it. Never call from
 * on_reply. */
int snmp_link_send(struct snmp_link *l, netsnmp_pdu *pdu);

/* Forgets the request in flight: its reply, if one comes, is dropped. */
void snmp_link_abandon(struct snmp_link *l);

/* Closes the session and the handles; closed(l) runs once all are closed,
 * always after this returns. No callback runs after this call. */
void snmp_link_close(struct snmp_link *l, void (*closed)(struct snmp_link *l));

#endif
