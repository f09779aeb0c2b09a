/* vrrp_sock.c: raw VRRP sockets shared per (interface, family). */
#include "vrrp_sock.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/ip.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "loop.h"

/* Packets read per wakeup: a flood must not starve timers (they run first
 * in each loop turn, so bounding this bounds their delay). */
#define RX_BURST 64
#define RX_DRAIN_MAX 4096       /* a full queue (SO_RCVBUF 256 KiB: some 700
				 * adverts) and more */

void vrrp_sock_group(int family, struct hafd_addr *out)
{
	static const uint8_t g6[16] = { 0xff, 0x02, [15] = 0x12 };
	const uint8_t g4[4] = { 224, 0, 0, 18 };

	addr_from_bytes(out, family, family == AF_INET ? (const void *)g4 : (const void *)g6);
}

static int setopt_int(int fd, int level, int name, int value)
{
	return setsockopt(fd, level, name, &value, sizeof(value));
}

static int sock_setup4(int fd, int ifindex)
{
	struct ip_mreqn mreq = { .imr_ifindex = ifindex };

	mreq.imr_multiaddr.s_addr = htonl(0xe0000012);  /* 224.0.0.18 */
	if (setopt_int(fd, IPPROTO_IP, IP_PKTINFO, 1) < 0 ||
	    setopt_int(fd, IPPROTO_IP, IP_TTL, VRRP_TTL) < 0 ||
	    setopt_int(fd, IPPROTO_IP, IP_MULTICAST_TTL, VRRP_TTL) < 0 ||
	    setopt_int(fd, IPPROTO_IP, IP_MULTICAST_LOOP, 0) < 0)
		return -1;
	if (setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &mreq, sizeof(mreq)) < 0)
		return -1;
	return setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mreq, sizeof(mreq));
}

static int sock_setup6(int fd, int ifindex)
{
	struct ipv6_mreq mreq = { .ipv6mr_interface = (unsigned)ifindex };
	struct hafd_addr g;

	vrrp_sock_group(AF_INET6, &g);
	mreq.ipv6mr_multiaddr = g.u.v6;
	if (setopt_int(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1) < 0 ||
	    setopt_int(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1) < 0 ||
	    setopt_int(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, VRRP_TTL) < 0 ||
	    setopt_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, VRRP_TTL) < 0 ||
	    setopt_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, 0) < 0 ||
	    setopt_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, ifindex) < 0)
		return -1;
	return setsockopt(fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &mreq, sizeof(mreq));
}

static int sock_open(int ifindex, const char *ifname, int family)
{
	int fd = socket(family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, VRRP_IPPROTO);
	int rc;

	if (fd < 0)
		return -1;
	/* Only this interface's packets: instances are per interface. */
	rc = setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, (socklen_t)strlen(ifname));
	if (rc == 0)
		rc = setopt_int(fd, SOL_SOCKET, SO_RCVBUF, 1 << 18);
	if (rc == 0)
		rc = family == AF_INET ? sock_setup4(fd, ifindex) : sock_setup6(fd, ifindex);
	if (rc < 0) {
		int saved = errno;

		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

/* IPv4 raw sockets deliver the IP header: take TTL, addresses and the
 * payload from it. Returns the payload offset or -1. */
static int parse_ip4(const uint8_t *buf, size_t len, struct vrrp_pkt_info *info)
{
	const struct iphdr *ip = (const void *)buf;
	size_t hl;

	if (len < sizeof(*ip) || ip->version != 4)
		return -1;
	hl = (size_t)ip->ihl * 4;
	if (hl < sizeof(*ip) || hl > len || ntohs(ip->tot_len) < hl || ntohs(ip->tot_len) > len)
		return -1;
	info->ttl = ip->ttl;
	addr_from_bytes(&info->src, AF_INET, &ip->saddr);
	addr_from_bytes(&info->dst, AF_INET, &ip->daddr);
	return (int)hl;
}

/* A control record that holds a datum of size bytes, inside the buffer:
 * the kernel truncates control data it has no room for (MSG_CTRUNC), and
 * nothing is read past a record or the buffer. */
static bool cmsg_holds(const struct msghdr *mh, const struct cmsghdr *c, size_t size)
{
	const uint8_t *end = (const uint8_t *)mh->msg_control + mh->msg_controllen;

	return c->cmsg_len >= CMSG_LEN(size) &&
	       (size_t)(end - (const uint8_t *)c) >= CMSG_LEN(size);
}

static void cmsg_read6(struct msghdr *mh, struct vrrp_pkt_info *info)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level != IPPROTO_IPV6)
			continue;
		if (c->cmsg_type == IPV6_HOPLIMIT && cmsg_holds(mh, c, sizeof(int))) {
			int hl;

			memcpy(&hl, CMSG_DATA(c), sizeof(hl));
			info->ttl = hl;
		} else if (c->cmsg_type == IPV6_PKTINFO &&
			   cmsg_holds(mh, c, sizeof(struct in6_pktinfo))) {
			struct in6_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			addr_from_bytes(&info->dst, AF_INET6, &pi.ipi6_addr);
		}
	}
}

/* Packets read with one recvmmsg(). */
#define RX_BATCH 16

struct rx_slot {
	union { struct sockaddr_in v4; struct sockaddr_in6 v6; } from;
	/* Control records are read in place (CMSG_FIRSTHDR): the buffer must
	 * be aligned as a cmsghdr is. After the 28-byte address it was not,
	 * and UBSan stopped hafd at its first IPv6 advert. */
	union {
		char b[256];
		struct cmsghdr align;
	} cbuf;
	uint8_t buf[VRRP_PKT_MAX + 128];
	struct iovec iov;
};

/* One received datagram: strip the IPv4 header (its fields checked by the
 * rx callback), or take IPv6's from the ancillary data. */
static void sock_deliver(struct vrrp_sock *s, struct rx_slot *r, struct msghdr *mh, size_t n)
{
	struct vrrp_pkt_info info = { .family = s->family, .ttl = -1 };
	int off = 0;

	if (s->family == AF_INET) {
		off = parse_ip4(r->buf, n, &info);
		if (off < 0) {
			s->rx_errors++;
			return;
		}
		n = ntohs(((const struct iphdr *)(const void *)r->buf)->tot_len);
	} else {
		/* Truncated control data may have lost the hop limit or the
		 * destination that V1 and unicast checks rely on: drop it. */
		if (mh->msg_flags & MSG_CTRUNC) {
			s->rx_errors++;
			return;
		}
		addr_from_bytes(&info.src, AF_INET6, &r->from.v6.sin6_addr);
		cmsg_read6(mh, &info);
	}
	s->rx(s->arg, s, r->buf + off, n - (size_t)off, &info);
}

/* Deliver what is queued on s, up to about `most` packets. */
static void sock_read(struct vrrp_sock *s, int most)
{
	/* Single-threaded: one set of buffers for every socket. */
	static struct rx_slot slots[RX_BATCH];
	struct mmsghdr mm[RX_BATCH];

	for (int done = 0; done < most; ) {
		int n;

		for (int i = 0; i < RX_BATCH; i++) {
			slots[i].iov = (struct iovec){ slots[i].buf, sizeof(slots[i].buf) };
			mm[i].msg_hdr = (struct msghdr){
				.msg_name = &slots[i].from, .msg_namelen = sizeof(slots[i].from),
				.msg_iov = &slots[i].iov, .msg_iovlen = 1,
				.msg_control = slots[i].cbuf.b, .msg_controllen = sizeof(slots[i].cbuf.b),
			};
		}
		n = recvmmsg(s->fd, mm, RX_BATCH, MSG_DONTWAIT, NULL);
		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR) {
				s->rx_errors++;
				log_warn("%s: VRRP receive", s->ifname);
			}
			return;
		}
		for (int i = 0; i < n; i++)
			sock_deliver(s, &slots[i], &mm[i].msg_hdr, mm[i].msg_len);
		if (n < RX_BATCH)
			return;         /* the queue is empty: no call just to hear EAGAIN */
		done += n;
	}
}

static void sock_readable(int fd, uint32_t events, void *arg)
{
	(void)fd;
	(void)events;
	sock_read(arg, RX_BURST);
}

/* All of it: a decisive timer that read only the oldest RX_BURST
 * packets of a full queue (a backup starting beside a master of 255
 * instances at 10 ms) missed the adverts of its own VRID behind them and
 * took over from a live master. RX_DRAIN_MAX bounds a flood. */
void vrrp_sock_drain(struct vrrp_sock *s)
{
	sock_read(s, RX_DRAIN_MAX);
}

struct vrrp_sock *vrrp_sock_get(struct vrrp_sock **list, struct loop *loop, int ifindex,
				const char *ifname, int family, vrrp_sock_rx_fn rx, void *arg)
{
	struct vrrp_sock *s;

	for (s = *list; s; s = s->next) {
		if (s->ifindex == ifindex && s->family == family) {
			s->refs++;
			return s;
		}
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->fd = sock_open(ifindex, ifname, family);
	if (s->fd < 0 || loop_fd_add(loop, s->fd, EPOLLIN, sock_readable, s) < 0) {
		int saved = errno;

		if (s->fd >= 0)
			close(s->fd);
		free(s);
		errno = saved;
		return NULL;
	}
	s->ifindex = ifindex;
	snprintf(s->ifname, sizeof(s->ifname), "%s", ifname);
	s->family = family;
	s->refs = 1;
	s->loop = loop;
	s->rx = rx;
	s->arg = arg;
	s->next = *list;
	*list = s;
	return s;
}

void vrrp_sock_put(struct vrrp_sock **list, struct vrrp_sock *s)
{
	struct vrrp_sock **pp;

	if (!s || --s->refs > 0)
		return;
	for (pp = list; *pp; pp = &(*pp)->next) {
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	}
	loop_fd_del(s->loop, s->fd);
	close(s->fd);
	free(s);
}

int vrrp_sock_send(struct vrrp_sock *s, const struct hafd_addr *src, const struct hafd_addr *dst,
		   const uint8_t *buf, size_t len)
{
	return vrrp_sock_sendto(s->fd, s->family, s->ifindex, src, dst, buf, len);
}

int vrrp_sock_open_tx(int family)
{
	int fd = socket(family, SOCK_RAW | SOCK_CLOEXEC, VRRP_IPPROTO);
	int rc;

	if (fd < 0)
		return -1;
	if (family == AF_INET)
		rc = setopt_int(fd, IPPROTO_IP, IP_TTL, VRRP_TTL) |
		     setopt_int(fd, IPPROTO_IP, IP_MULTICAST_TTL, VRRP_TTL);
	else
		rc = setopt_int(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, VRRP_TTL) |
		     setopt_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, VRRP_TTL);
	if (rc < 0) {
		int saved = errno;

		close(fd);
		errno = saved;
		return -1;
	}
	shutdown(fd, SHUT_RD);
	return fd;
}

int vrrp_sock_sendto(int fd, int family, int ifindex, const struct hafd_addr *src,
		     const struct hafd_addr *dst, const uint8_t *buf, size_t len)
{
	union { struct sockaddr_in v4; struct sockaddr_in6 v6; } to = { 0 };
	union { char buf[CMSG_SPACE(sizeof(struct in6_pktinfo))]; struct cmsghdr align; } cbuf;
	struct iovec iov = { .iov_base = (void *)(uintptr_t)buf, .iov_len = len };
	struct msghdr mh = {
		.msg_name = &to, .msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf.buf,
	};
	struct cmsghdr *c;

	memset(&cbuf, 0, sizeof(cbuf));
	c = (struct cmsghdr *)(void *)cbuf.buf;
	/* The source address and interface go with each packet, so the
	 * checksum's pseudo-header and the wire agree (items 12, 13). */
	if (family == AF_INET) {
		struct in_pktinfo pi = { .ipi_ifindex = ifindex, .ipi_spec_dst = src->u.v4 };

		to.v4.sin_family = AF_INET;
		to.v4.sin_addr = dst->u.v4;
		mh.msg_namelen = sizeof(to.v4);
		c->cmsg_level = IPPROTO_IP;
		c->cmsg_type = IP_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(c), &pi, sizeof(pi));
		mh.msg_controllen = CMSG_SPACE(sizeof(pi));
	} else {
		struct in6_pktinfo pi = { .ipi6_ifindex = (unsigned)ifindex, .ipi6_addr = src->u.v6 };

		to.v6.sin6_family = AF_INET6;
		to.v6.sin6_addr = dst->u.v6;
		to.v6.sin6_scope_id = (uint32_t)ifindex;
		mh.msg_namelen = sizeof(to.v6);
		c->cmsg_level = IPPROTO_IPV6;
		c->cmsg_type = IPV6_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(c), &pi, sizeof(pi));
		mh.msg_controllen = CMSG_SPACE(sizeof(pi));
	}
	return sendmsg(fd, &mh, MSG_DONTWAIT) < 0 ? -1 : 0;
}
