/* ICMP echo packets and their statistics; see probe_icmp.h. */
#include "probe_icmp.h"

#include <errno.h>
#include <string.h>

enum {
	ICMP4_ECHO_REPLY = 0,
	ICMP4_ECHO_REQUEST = 8,
	ICMP6_ECHO_REQUEST_T = 128,
	ICMP6_ECHO_REPLY_T = 129,
	IPPROTO_ICMP4 = 1,
};

static const uint8_t magic[4] = {'P', 'N', 'T', 'U'};

uint16_t probe_icmp_checksum(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint32_t sum = 0;
	for (; len > 1; p += 2, len -= 2)
		sum += (uint32_t)p[0] << 8 | p[1];
	if (len)
		sum += (uint32_t)p[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

size_t probe_icmp_build(uint8_t *out, bool ipv6, uint16_t id, uint16_t seq, uint32_t nonce)
{
	memset(out, 0, PROBE_ICMP_PACKET);
	out[0] = ipv6 ? ICMP6_ECHO_REQUEST_T : ICMP4_ECHO_REQUEST;
	put16(out + 4, id);
	put16(out + 6, seq);
	uint8_t *pl = out + PROBE_ICMP_HDR;
	memcpy(pl, magic, sizeof(magic));
	put32(pl + 4, nonce);
	put16(pl + 8, seq);
	if (!ipv6)
		put16(out + 2, probe_icmp_checksum(out, PROBE_ICMP_PACKET));
	return PROBE_ICMP_PACKET;
}

/* Skips an IPv4 header; -ENOMSG if it is not ICMP, -EBADMSG if truncated. */
static int skip_ip4(const uint8_t **buf, size_t *len)
{
	if (*len < 20 || ((*buf)[0] >> 4) != 4)
		return -EBADMSG;
	size_t ihl = (size_t)((*buf)[0] & 0x0f) * 4;
	if (ihl < 20 || ihl > *len)
		return -EBADMSG;
	if ((*buf)[9] != IPPROTO_ICMP4)
		return -ENOMSG;
	*buf += ihl;
	*len -= ihl;
	return 0;
}

int probe_icmp_parse(const uint8_t *buf, size_t len, bool ipv6, bool ip_header, uint32_t nonce,
		     struct probe_icmp_reply *out)
{
	if (ip_header && !ipv6) {
		int rc = skip_ip4(&buf, &len);
		if (rc < 0)
			return rc;
	}
	if (len < PROBE_ICMP_HDR)
		return -EBADMSG;
	if (buf[0] != (ipv6 ? ICMP6_ECHO_REPLY_T : ICMP4_ECHO_REPLY) || buf[1] != 0)
		return -ENOMSG;
	if (len < PROBE_ICMP_PACKET)
		return -ENOMSG; /* an echo reply, but not one of ours */
	/* IPv6 checksums cover a pseudo-header the kernel has already checked. */
	if (!ipv6 && probe_icmp_checksum(buf, len) != 0)
		return -EBADMSG;
	const uint8_t *pl = buf + PROBE_ICMP_HDR;
	if (memcmp(pl, magic, sizeof(magic)) != 0 || get32(pl + 4) != nonce ||
	    get16(pl + 8) != get16(buf + 6))
		return -ENOMSG;
	out->id = get16(buf + 4);
	out->seq = get16(buf + 6);
	return 0;
}

void probe_icmp_summarize(const bool *got, const double *rtt_s, unsigned count,
			  struct probe_icmp_stats *out)
{
	*out = (struct probe_icmp_stats){.sent = count};
	double sum = 0;
	for (unsigned i = 0; i < count; i++) {
		if (!got[i])
			continue;
		double r = rtt_s[i];
		if (out->received == 0 || r < out->rtt_min)
			out->rtt_min = r;
		if (out->received == 0 || r > out->rtt_max)
			out->rtt_max = r;
		sum += r;
		out->received++;
	}
	if (out->received)
		out->rtt_avg = sum / out->received;
	out->loss_pct = count ? 100.0 * (count - out->received) / count : 100.0;
}
