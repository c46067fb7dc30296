/* One net-snmp session driven by the libuv loop (see snmp_link.h). */
#include "snmp_link.h"

#include "log.h"

#include <net-snmp/library/large_fd_set.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

static int log_from_library(int major, int minor, void *server_arg, void *client_arg)
{
	const struct snmp_log_message *m = server_arg;
	if (!m || !m->msg)
		return 0;
	size_t n = strlen(m->msg);
	while (n > 0 && (m->msg[n - 1] == '\n' || m->msg[n - 1] == '\r'))
		n--;
	log_debug("snmp", "net-snmp: %.*s", (int)n, m->msg);
	return 0;
}

void snmp_link_library_init(void)
{
	static bool done;
	if (done)
		return;
	done = true;
	/* pantau reads numeric OIDs only: MIB files, the user's ~/.snmp and
	 * net-snmp's persistent state under /var/lib would only cost start-up
	 * time and surprise operators. */
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_PERSIST_STATE, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_LOAD, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_SAVE, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_ALARM_DONT_USE_SIG, 1);
	netsnmp_ds_set_int(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_MIB_WARNINGS, 0);
	/* init_snmp still looks for its default MIB modules; pointing it at
	 * a directory that does not exist makes that a few failed stat()s. */
	netsnmp_ds_set_string(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_MIBDIRS, "/nonexistent");
	netsnmp_set_mib_directory("/nonexistent");
	/* Library messages go to pantau's log at debug level, not to stderr. */
	snmp_disable_log();
	netsnmp_register_loghandler(NETSNMP_LOGHANDLER_CALLBACK, LOG_DEBUG);
	snmp_register_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_LOGGING, log_from_library,
			       NULL);
	init_snmp("pantau");
}

/* SNMPv3 USM: the security level follows from what is configured; the keys
 * were derived from the passwords at parse time (snmp_conf.c). */
static void set_v3(netsnmp_session *s, const struct snmp_conf *c)
{
	s->securityName = c->user;
	s->securityNameLen = strlen(c->user);
	s->contextName = c->context;
	s->contextNameLen = strlen(c->context);
	s->securityLevel = SNMP_SEC_LEVEL_NOAUTH;
	/* Engine discovery happens on the first request, asynchronously: the
	 * probe snmp_sess_open() would make blocks. */
	s->flags |= SNMP_FLAGS_DONT_PROBE;
	if (c->auth == SNMP_CONF_AUTH_NONE)
		return;
	const oid *proto;
	size_t len;
	snmp_conf_auth_proto(c->auth, &proto, &len);
	s->securityAuthProto = (oid *)proto;
	s->securityAuthProtoLen = len;
	memcpy(s->securityAuthKey, c->auth_key, c->auth_key_len);
	s->securityAuthKeyLen = c->auth_key_len;
	s->securityLevel = SNMP_SEC_LEVEL_AUTHNOPRIV;
	if (c->priv == SNMP_CONF_PRIV_NONE)
		return;
	snmp_conf_priv_proto(c->priv, &proto, &len);
	s->securityPrivProto = (oid *)proto;
	s->securityPrivProtoLen = len;
	memcpy(s->securityPrivKey, c->priv_key, c->priv_key_len);
	s->securityPrivKeyLen = c->priv_key_len;
	s->securityLevel = SNMP_SEC_LEVEL_AUTHPRIV;
}

/* Called by net-snmp inside snmp_sess_read2/snmp_sess_timeout. */
static int on_library(int op, netsnmp_session *sp, int reqid, netsnmp_pdu *pdu, void *magic)
{
	struct snmp_link *l = magic;
	if (l->closing || reqid != l->reqid || reqid == 0)
		return 1; /* an abandoned request: drop its reply */
	if (op == NETSNMP_CALLBACK_OP_RESEND || op == NETSNMP_CALLBACK_OP_CONNECT)
		return 1; /* news only: a retransmission went out */
	/* An SNMPv3 report (unknown user, wrong key, ...) comes as a message
	 * or as a security error; the poller decides what it means. */
	bool report = (op == NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE ||
		       op == NETSNMP_CALLBACK_OP_SEC_ERROR) &&
		      pdu && pdu->command == SNMP_MSG_REPORT;
	int status = 0;
	if (op == NETSNMP_CALLBACK_OP_TIMED_OUT)
		status = -ETIMEDOUT;
	else if (report)
		status = -EAGAIN;
	else if (op != NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE || !pdu)
		status = -EIO;
	l->reqid = 0;
	l->replied = true;
	l->on_reply(l, status, status == 0 || status == -EAGAIN ? pdu : NULL, l->arg);
	return 1;
}

static void on_timer(uv_timer_t *t);

/* Arms the timer for net-snmp's next retransmission or timeout. Requests
 * abandoned by the poller still need it: net-snmp frees them on timeout. */
static void arm_timer(struct snmp_link *l)
{
	int numfds = 0, block = 1;
	struct timeval tv = {0, 0};
	snmp_sess_select_info2_flags(l->sessp, &numfds, &l->fds, &tv, &block,
				     NETSNMP_SELECT_NOALARMS);
	if (block) {
		uv_timer_stop(&l->timer);
		return;
	}
	uint64_t ms = (uint64_t)tv.tv_sec * 1000u + ((uint64_t)tv.tv_usec + 999u) / 1000u;
	uv_timer_start(&l->timer, on_timer, ms + 1, 0);
}

/* After every net-snmp call: re-arm, then let the owner act on a reply. The
 * owner's step may close the link, so nothing touches l after it. */
static void after_library(struct snmp_link *l)
{
	if (l->closing)
		return;
	arm_timer(l);
	if (l->replied) {
		l->replied = false;
		l->on_step(l, l->arg);
	}
}

static void on_timer(uv_timer_t *t)
{
	struct snmp_link *l = t->data;
	l->replied = false;
	snmp_sess_timeout(l->sessp);
	after_library(l);
}

static void on_readable(uv_poll_t *h, int status, int events)
{
	struct snmp_link *l = h->data;
	if (status < 0) {
		log_debug("snmp", "socket poll error: %s", uv_strerror(status));
		return;
	}
	l->replied = false;
	/* One datagram per call; the poll is level-triggered, so more waiting
	 * datagrams bring us back here. */
	snmp_sess_read2(l->sessp, &l->fds);
	after_library(l);
}

static int open_error(netsnmp_session *s, struct perr *err)
{
	int liberr = 0, syserr = 0;
	char *msg = NULL;
	snmp_error(s, &liberr, &syserr, &msg);
	perr_set(err, "cannot open SNMP session to %s: %s", s->peername, msg ? msg : "error");
	free(msg);
	return syserr > 0 ? -syserr : -EIO;
}

/* Watches the session's socket. Only uv_poll_init can fail (a bad socket),
 * and it fails before any handle exists. */
static int start_watch(struct snmp_link *l, uv_loop_t *loop)
{
	netsnmp_transport *t = snmp_sess_transport(l->sessp);
	if (!t || t->sock < 0)
		return -EBADF;
	l->fd = t->sock;
	int rc = uv_poll_init(loop, &l->poll, l->fd);
	if (rc < 0)
		return rc;
	uv_timer_init(loop, &l->timer);
	l->poll.data = l;
	l->timer.data = l;
	netsnmp_large_fd_set_init(&l->fds, l->fd + 1);
	l->fds_init = true;
	NETSNMP_LARGE_FD_SET(l->fd, &l->fds);
	/* Starting only queues the watcher; it cannot fail for a valid handle. */
	rc = uv_poll_start(&l->poll, UV_READABLE, on_readable);
	if (rc < 0)
		log_error("snmp", "cannot watch the SNMP socket: %s", uv_strerror(rc));
	l->polling = rc == 0;
	return 0;
}

int snmp_link_open(struct snmp_link *l, uv_loop_t *loop, const struct snmp_conf *c, const char *ip,
		   unsigned port, snmp_link_reply_fn on_reply, snmp_link_step_fn on_step, void *arg,
		   struct perr *err)
{
	static const long versions[] = {SNMP_VERSION_1, SNMP_VERSION_2c, SNMP_VERSION_3};
	memset(l, 0, sizeof(*l));
	l->loop = loop;
	l->on_reply = on_reply;
	l->on_step = on_step;
	l->arg = arg;
	char peer[96];
	bool v6 = strchr(ip, ':') != NULL;
	snprintf(peer, sizeof(peer), v6 ? "udp6:[%s]:%u" : "udp:%s:%u", ip, port);
	netsnmp_session s;
	snmp_sess_init(&s);
	s.peername = peer;
	s.version = versions[c->version];
	s.timeout = (long)(c->timeout_ms * 1000u);
	s.retries = (int)c->retries;
	s.community = (u_char *)c->community;
	s.community_len = strlen(c->community);
	if (c->version == SNMP_CONF_V3)
		set_v3(&s, c);
	l->sessp = snmp_sess_open(&s);
	if (!l->sessp)
		return open_error(&s, err);
	int rc = start_watch(l, loop);
	if (rc < 0) {
		perr_set(err, "cannot watch the SNMP socket: %s", uv_strerror(rc));
		snmp_sess_close(l->sessp);
		l->sessp = NULL;
		return rc;
	}
	return 0;
}

int snmp_link_send(struct snmp_link *l, netsnmp_pdu *pdu)
{
	if (l->closing || l->reqid != 0) {
		snmp_free_pdu(pdu);
		return -EBUSY;
	}
	int reqid = snmp_sess_async_send(l->sessp, pdu, on_library, l);
	if (reqid == 0) {
		/* net-snmp frees the PDU only when it was sent. */
		int liberr = 0, syserr = 0;
		char *msg = NULL;
		snmp_sess_error(l->sessp, &liberr, &syserr, &msg);
		log_debug("snmp", "send failed: %s", msg ? msg : "error");
		free(msg);
		snmp_free_pdu(pdu);
		return syserr > 0 ? -syserr : -EIO;
	}
	l->reqid = reqid;
	arm_timer(l);
	return 0;
}

void snmp_link_abandon(struct snmp_link *l)
{
	l->reqid = 0;
}

static void on_handle_closed(uv_handle_t *h)
{
	struct snmp_link *l = h->data;
	if (--l->open_handles == 0 && l->closed)
		l->closed(l);
}

void snmp_link_close(struct snmp_link *l, void (*closed)(struct snmp_link *l))
{
	l->closing = true;
	l->closed = closed;
	l->open_handles = 2;
	/* Closing the poll handle stops it at once, before the socket goes. */
	uv_close((uv_handle_t *)&l->poll, on_handle_closed);
	uv_close((uv_handle_t *)&l->timer, on_handle_closed);
	snmp_sess_close(l->sessp);
	l->sessp = NULL;
	netsnmp_large_fd_set_cleanup(&l->fds);
	l->fds_init = false;
}
