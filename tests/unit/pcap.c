/* pcap.c: classic pcap reader for the golden captures (see pcap.h). */
#include "pcap.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define PCAP_MAGIC_US 0xa1b2c3d4u
#define PCAP_MAGIC_NS 0xa1b23c4du
#define PCAP_GLOBAL_LEN 24
#define PCAP_REC_LEN 16
#define LINKTYPE_ETHERNET 1
#define ETH_HLEN 14

static uint16_t get16be(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const struct pcap_reader *r, const uint8_t *p)
{
	if (r->big_endian)
		return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

int pcap_open_mem(struct pcap_reader *r, const uint8_t *data, size_t len)
{
	uint32_t magic;

	memset(r, 0, sizeof(*r));
	if (len < PCAP_GLOBAL_LEN)
		goto bad;
	r->data = data;
	r->len = len;
	/* The magic, read little-endian first, tells the byte order and the unit. */
	magic = get32(r, data);
	if (magic == PCAP_MAGIC_US || magic == PCAP_MAGIC_NS) {
		r->big_endian = false;
	} else {
		r->big_endian = true;
		magic = get32(r, data);
		if (magic != PCAP_MAGIC_US && magic != PCAP_MAGIC_NS)
			goto bad;
	}
	r->nsec = magic == PCAP_MAGIC_NS;
	r->linktype = get32(r, data + 20) & 0x0fffffff;   /* high bits: FCS info */
	if (r->linktype != LINKTYPE_ETHERNET)
		goto bad;
	r->off = PCAP_GLOBAL_LEN;
	return 0;
bad:
	memset(r, 0, sizeof(*r));
	errno = EINVAL;
	return -1;
}

int pcap_open(struct pcap_reader *r, const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (!f)
		return -1;
	do {
		if (len == cap) {
			uint8_t *nb = realloc(buf, cap = cap ? cap * 2 : 4096);

			if (!nb) {
				free(buf);
				fclose(f);
				return -1;
			}
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n > 0);
	fclose(f);
	if (pcap_open_mem(r, buf, len) < 0) {
		free(buf);
		return -1;
	}
	r->owned = buf;
	return 0;
}

void pcap_close(struct pcap_reader *r)
{
	free(r->owned);
	memset(r, 0, sizeof(*r));
}

/* IPv4: header length from IHL, payload length from the total length
 * (Ethernet may pad short frames). Returns the protocol, or -1. */
static int parse_ip4(const uint8_t *p, size_t n, const uint8_t **pl, size_t *plen,
		     struct vrrp_pkt_info *info)
{
	size_t ihl, tot;

	if (n < 20 || p[0] >> 4 != 4)
		return -1;
	ihl = (size_t)(p[0] & 0x0f) * 4;
	tot = get16be(p + 2);
	if (ihl < 20 || tot < ihl || tot > n)
		return -1;
	info->family = AF_INET;
	info->ttl = p[8];
	addr_from_bytes(&info->src, AF_INET, p + 12);
	addr_from_bytes(&info->dst, AF_INET, p + 16);
	*pl = p + ihl;
	*plen = tot - ihl;
	return p[9];
}

/* IPv6 without extension headers. Returns the next header, or -1. */
static int parse_ip6(const uint8_t *p, size_t n, const uint8_t **pl, size_t *plen,
		     struct vrrp_pkt_info *info)
{
	size_t paylen;

	if (n < 40 || p[0] >> 4 != 6)
		return -1;
	paylen = get16be(p + 4);
	if (paylen > n - 40)
		return -1;
	info->family = AF_INET6;
	info->ttl = p[7];
	addr_from_bytes(&info->src, AF_INET6, p + 8);
	addr_from_bytes(&info->dst, AF_INET6, p + 24);
	*pl = p + 40;
	*plen = paylen;
	return p[6];
}

/* One Ethernet II frame: 1 if it carries VRRP, else 0. */
static int parse_frame(const uint8_t *f, size_t n, const uint8_t **pl, size_t *plen,
		       struct vrrp_pkt_info *info)
{
	size_t off = ETH_HLEN;
	uint16_t type;
	int proto = -1;

	if (n < ETH_HLEN)
		return 0;
	type = get16be(f + 12);
	while ((type == 0x8100 || type == 0x88a8) && n >= off + 4) {   /* 802.1Q/ad */
		type = get16be(f + off + 2);
		off += 4;
	}
	memset(info, 0, sizeof(*info));
	if (type == 0x0800)
		proto = parse_ip4(f + off, n - off, pl, plen, info);
	else if (type == 0x86dd)
		proto = parse_ip6(f + off, n - off, pl, plen, info);
	return proto == VRRP_IPPROTO;
}

int pcap_next_vrrp(struct pcap_reader *r, const uint8_t **payload, size_t *len,
		   struct vrrp_pkt_info *info)
{
	while (r->off < r->len) {
		const uint8_t *rec = r->data + r->off;
		uint32_t caplen;

		if (r->len - r->off < PCAP_REC_LEN)
			return -1;
		caplen = get32(r, rec + 8);
		if (caplen > r->len - r->off - PCAP_REC_LEN)
			return -1;
		r->off += PCAP_REC_LEN + caplen;
		if (parse_frame(rec + PCAP_REC_LEN, caplen, payload, len, info))
			return 1;
	}
	return 0;
}
