/* garp.c: gratuitous ARP (AF_PACKET) and unsolicited NA (raw ICMPv6). */
#include "garp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if_arp.h>
#include <netinet/icmp6.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "vrrp_pkt.h"

struct garp_ctx {
	int arp_fd;     /* AF_PACKET, SOCK_DGRAM: the kernel adds the Ethernet header */
	int nd_fd;      /* raw ICMPv6: the kernel fills the checksum */
};

struct arp_eth_ipv4 {
	struct arphdr h;
	uint8_t sha[6], spa[4], tha[6], tpa[4];
} __attribute__((packed));

int garp_open(struct garp_ctx **out)
{
	struct garp_ctx *g = calloc(1, sizeof(*g));
	struct icmp6_filter none;
	int hops = 255;

	if (!g)
		return -1;
	/* Nothing is read from these sockets, and nothing may queue there
	 * (it would sit in the receive buffer for the life of the daemon).
	 * Protocol 0: a packet socket that receives no frames at all; each
	 * sendto() names ETH_P_ARP. (shutdown() does nothing on packet
	 * sockets.) The raw ICMPv6 socket would get a copy of every ICMPv6
	 * message the host receives: a filter that passes no type. */
	g->arp_fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	g->nd_fd = socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMPV6);
	ICMP6_FILTER_SETBLOCKALL(&none);
	/* ND messages must carry hop limit 255 or receivers drop them. */
	if (g->arp_fd < 0 || g->nd_fd < 0 ||
	    setsockopt(g->nd_fd, IPPROTO_ICMPV6, ICMP6_FILTER, &none, sizeof(none)) < 0 ||
	    setsockopt(g->nd_fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof(hops)) < 0) {
		int saved = errno;

		garp_close(g);
		errno = saved;
		return -1;
	}
	*out = g;
	return 0;
}

void garp_close(struct garp_ctx *g)
{
	if (!g)
		return;
	if (g->arp_fd >= 0)
		close(g->arp_fd);
	if (g->nd_fd >= 0)
		close(g->nd_fd);
	free(g);
}

static int send_arp(struct garp_ctx *g, int ifindex, const unsigned char mac[6],
		    const struct hafd_addr *vip)
{
	struct arp_eth_ipv4 a = { 0 };
	struct sockaddr_ll to = {
		.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ARP),
		.sll_ifindex = ifindex, .sll_halen = ETH_ALEN,
	};

	memset(to.sll_addr, 0xff, ETH_ALEN);
	a.h.ar_hrd = htons(ARPHRD_ETHER);
	a.h.ar_pro = htons(ETH_P_IP);
	a.h.ar_hln = ETH_ALEN;
	a.h.ar_pln = 4;
	a.h.ar_op = htons(ARPOP_REQUEST);
	/* Erratum 7949: sender = target = VIP, target hardware = our MAC. */
	memcpy(a.sha, mac, 6);
	memcpy(a.tha, mac, 6);
	memcpy(a.spa, &vip->u.v4, 4);
	memcpy(a.tpa, &vip->u.v4, 4);
	if (sendto(g->arp_fd, &a, sizeof(a), 0, (struct sockaddr *)&to, sizeof(to)) < 0)
		return -1;
	return 0;
}

static int send_na(struct garp_ctx *g, int ifindex, const unsigned char mac[6],
		   const struct hafd_addr *vip, const struct hafd_addr *src_ll)
{
	uint8_t m[VRRP_NA_LEN];
	struct sockaddr_in6 to = { .sin6_family = AF_INET6, .sin6_scope_id = (uint32_t)ifindex };
	union { char buf[CMSG_SPACE(sizeof(struct in6_pktinfo))]; struct cmsghdr align; } cbuf;
	struct in6_pktinfo pi = { .ipi6_ifindex = (unsigned)ifindex };
	struct iovec iov = { .iov_base = m, .iov_len = sizeof(m) };
	struct msghdr mh = {
		.msg_name = &to, .msg_namelen = sizeof(to), .msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf.buf, .msg_controllen = sizeof(cbuf.buf),
	};
	struct cmsghdr *c;

	if (vrrp_pkt_na_build(m, sizeof(m), vip, mac) < 0)
		return -1;
	inet_pton(AF_INET6, "ff02::1", &to.sin6_addr);
	if (src_ll && src_ll->family == AF_INET6)
		pi.ipi6_addr = src_ll->u.v6;
	memset(&cbuf, 0, sizeof(cbuf));
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = IPPROTO_IPV6;
	c->cmsg_type = IPV6_PKTINFO;
	c->cmsg_len = CMSG_LEN(sizeof(pi));
	memcpy(CMSG_DATA(c), &pi, sizeof(pi));
	return sendmsg(g->nd_fd, &mh, MSG_DONTWAIT) < 0 ? -1 : 0;
}

int garp_send(struct garp_ctx *g, int ifindex, const unsigned char mac[6],
	      const struct hafd_addr *vip, const struct hafd_addr *src_ll)
{
	if (vip->family == AF_INET)
		return send_arp(g, ifindex, mac, vip);
	if (vip->family == AF_INET6)
		return send_na(g, ifindex, mac, vip, src_ll);
	errno = EAFNOSUPPORT;
	return -1;
}
