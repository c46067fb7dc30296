/* ICMP echo packets and round-trip statistics: the pure part of the probe
 * poller (no sockets), so it is testable on its own.
 *
 * A request carries, after the 8-byte ICMP header, a 16-byte payload:
 * "PNTU", a 32-bit nonce chosen per target, the sequence number again and
 * four bytes of padding. The nonce tells our replies from other programs'
 * on a raw socket (which sees every ICMP packet) and on loopback, where the
 * kernel rewrites the identifier of unprivileged (datagram) ICMP sockets. */
#ifndef PANTAU_PROBE_ICMP_H
#define PANTAU_PROBE_ICMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
	PROBE_ICMP_HDR = 8,
	PROBE_ICMP_PAYLOAD = 16,
	PROBE_ICMP_PACKET = PROBE_ICMP_HDR + PROBE_ICMP_PAYLOAD,
	PROBE_ICMP_MAX_COUNT = 100, /* echo requests per target per poll */
};

/* The Internet checksum (RFC 1071) over len bytes: the value to store in a
 * packet whose checksum field is zero; 0 when checking a packet that
 * carries its checksum. */
uint16_t probe_icmp_checksum(const void *data, size_t len);

/* Writes an echo request (IPv4 type 8, or IPv6 type 128) into out, which
 * holds PROBE_ICMP_PACKET bytes. The IPv4 checksum is filled in; the
 * kernel computes the IPv6 one (it covers a pseudo-header). Returns the
 * packet length. */
size_t probe_icmp_build(uint8_t *out, bool ipv6, uint16_t id, uint16_t seq, uint32_t nonce);

/* What probe_icmp_parse found. */
struct probe_icmp_reply {
	uint16_t id;
	uint16_t seq;
};

/* Reads a received packet. ip_header: the packet starts with an IPv4 header
 * (IPv4 raw sockets). Returns 0 for an echo reply carrying nonce (*out
 * filled), -ENOMSG for any other packet (someone else's, a request, an
 * error message), -EBADMSG for a truncated packet or a wrong IPv4 checksum. */
int probe_icmp_parse(const uint8_t *buf, size_t len, bool ipv6, bool ip_header, uint32_t nonce,
		     struct probe_icmp_reply *out);

/* Outcome of one target's poll. */
struct probe_icmp_stats {
	unsigned sent, received;
	double loss_pct;		  /* 0..100; 100 when nothing was sent */
	double rtt_min, rtt_avg, rtt_max; /* seconds; 0 when nothing came back */
};

/* Summarises count requests: got[i] says whether request i was answered,
 * rtt_s[i] its round trip in seconds. */
void probe_icmp_summarize(const bool *got, const double *rtt_s, unsigned count,
			  struct probe_icmp_stats *out);

#endif
