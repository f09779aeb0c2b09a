/* drain_net.c: the UDP messages of a drain and the count of connections
 * left (see drain_net.h). */
#include "drain_net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const char *const op_names[] = {
	[DRAIN_OP_PLAN] = "plan", [DRAIN_OP_ACK] = "ack",
	[DRAIN_OP_DRAIN] = "drain", [DRAIN_OP_END] = "end",
};

size_t drain_msg_format(const struct drain_msg *m, char *buf, size_t len)
{
	int n = snprintf(buf, len, "hafd-drain/1 %s %u %d %u %u", op_names[m->op], m->vrid,
			 m->family == AF_INET ? 4 : 6, m->interval_ms, m->left);

	return n < 0 ? 0 : (size_t)n < len ? (size_t)n : len - 1;
}

int drain_msg_parse(const char *buf, size_t len, struct drain_msg *m)
{
	char text[DRAIN_MSG_MAX + 1], op[8];
	unsigned vrid, fam, ival, left;
	int end = 0;

	if (len > DRAIN_MSG_MAX)
		return -1;
	memcpy(text, buf, len);
	text[len] = '\0';
	if (sscanf(text, "hafd-drain/1 %7s %u %u %u %u%n", op, &vrid, &fam, &ival, &left,
		   &end) != 5 || (size_t)end != len || vrid < 1 || vrid > 255 ||
	    (fam != 4 && fam != 6) || ival > 3600000)
		return -1;
	for (size_t i = 0; i < sizeof(op_names) / sizeof(op_names[0]); i++)
		if (!strcmp(op, op_names[i])) {
			m->op = (enum drain_op)i;
			m->vrid = (uint8_t)vrid;
			m->family = fam == 4 ? AF_INET : AF_INET6;
			m->interval_ms = ival;
			m->left = left;
			return 0;
		}
	return -1;
}

int drain_sock_open(int family)
{
	int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
	int one = 1, ttl = 255;
	struct sockaddr_storage ss = { 0 };
	socklen_t sl;

	if (fd < 0)
		return -1;
	if (family == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(DRAIN_PORT);
		sl = sizeof(*s4);
		if (setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one)) < 0 ||
		    setsockopt(fd, IPPROTO_IP, IP_RECVTTL, &one, sizeof(one)) < 0 ||
		    setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl)) < 0 ||
		    setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof(ttl)) < 0)
			goto fail;
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(DRAIN_PORT);
		sl = sizeof(*s6);
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0 ||
		    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one)) < 0 ||
		    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &one, sizeof(one)) < 0 ||
		    setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &ttl, sizeof(ttl)) < 0 ||
		    setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &ttl, sizeof(ttl)) < 0)
			goto fail;
	}
	/* Our own multicast must not come back to us. */
	if ((family == AF_INET ?
	     setsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &(int){ 0 }, sizeof(int)) :
	     setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &(int){ 0 }, sizeof(int))) < 0 ||
	    bind(fd, (struct sockaddr *)&ss, sl) < 0)
		goto fail;
	return fd;
fail:
	close(fd);
	return -1;
}

int drain_sock_join(int fd, int family, int ifindex)
{
	int rc;

	if (family == AF_INET) {
		struct ip_mreqn mr = { .imr_ifindex = ifindex };

		inet_pton(AF_INET, "224.0.0.18", &mr.imr_multiaddr);
		rc = setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr, sizeof(mr));
	} else {
		struct ipv6_mreq mr = { .ipv6mr_interface = (unsigned)ifindex };

		inet_pton(AF_INET6, "ff02::12", &mr.ipv6mr_multiaddr);
		rc = setsockopt(fd, IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP, &mr, sizeof(mr));
	}
	return rc < 0 && errno != EADDRINUSE ? -1 : 0;
}

int drain_sock_send(int fd, const struct hafd_addr *src, int ifindex,
		    const struct hafd_addr *dst, const struct drain_msg *m)
{
	char text[DRAIN_MSG_MAX];
	union {
		char b[CMSG_SPACE(sizeof(struct in6_pktinfo))];
		struct cmsghdr align;
	} cbuf;
	struct sockaddr_storage ss = { 0 };
	struct iovec iov;
	struct msghdr mh = { .msg_name = &ss, .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = cbuf.b };
	struct cmsghdr *c;

	memset(&cbuf, 0, sizeof(cbuf));
	iov.iov_base = text;
	iov.iov_len = drain_msg_format(m, text, sizeof(text));
	c = (struct cmsghdr *)cbuf.b;
	if (dst->family == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
		struct in_pktinfo pi = { .ipi_ifindex = ifindex, .ipi_spec_dst = src->u.v4 };

		s4->sin_family = AF_INET;
		s4->sin_port = htons(DRAIN_PORT);
		s4->sin_addr = dst->u.v4;
		mh.msg_namelen = sizeof(*s4);
		mh.msg_controllen = CMSG_SPACE(sizeof(pi));
		c->cmsg_level = IPPROTO_IP;
		c->cmsg_type = IP_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(c), &pi, sizeof(pi));
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
		struct in6_pktinfo pi = { .ipi6_addr = src->u.v6, .ipi6_ifindex = (unsigned)ifindex };

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(DRAIN_PORT);
		s6->sin6_addr = dst->u.v6;
		if (IN6_IS_ADDR_LINKLOCAL(&dst->u.v6) || IN6_IS_ADDR_MULTICAST(&dst->u.v6))
			s6->sin6_scope_id = (uint32_t)ifindex;
		mh.msg_namelen = sizeof(*s6);
		mh.msg_controllen = CMSG_SPACE(sizeof(pi));
		c->cmsg_level = IPPROTO_IPV6;
		c->cmsg_type = IPV6_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(c), &pi, sizeof(pi));
	}
	return sendmsg(fd, &mh, 0) < 0 ? -1 : 0;
}

int drain_sock_recv(int fd, struct drain_msg *m, struct hafd_addr *from, int *ifindex)
{
	char text[DRAIN_MSG_MAX + 1];
	union {
		char b[256];
		struct cmsghdr align;
	} cbuf;
	struct sockaddr_storage ss;
	struct iovec iov = { .iov_base = text, .iov_len = sizeof(text) };
	struct msghdr mh = { .msg_name = &ss, .msg_namelen = sizeof(ss), .msg_iov = &iov,
			     .msg_iovlen = 1, .msg_control = cbuf.b,
			     .msg_controllen = sizeof(cbuf.b) };
	int ttl = -1;
	ssize_t n;

	n = recvmsg(fd, &mh, 0);
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
	*ifindex = 0;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL)
			memcpy(&ttl, CMSG_DATA(c), sizeof(ttl));
		else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT)
			memcpy(&ttl, CMSG_DATA(c), sizeof(ttl));
		else if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO)
			*ifindex = ((struct in_pktinfo *)(void *)CMSG_DATA(c))->ipi_ifindex;
		else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO)
			*ifindex = (int)((struct in6_pktinfo *)(void *)CMSG_DATA(c))->ipi6_ifindex;
	}
	if (ss.ss_family == AF_INET)
		addr_from_bytes(from, AF_INET, &((struct sockaddr_in *)&ss)->sin_addr);
	else
		addr_from_bytes(from, AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr);
	if (ttl != 255 || drain_msg_parse(text, (size_t)n, m) < 0 || m->family != ss.ss_family)
		return 2;       /* read, not for us: the caller reads on */
	return 1;
}

/* ---- connections left: sock_diag ------------------------------------------ */

/* The states a drain waits for: this side may still send data (or has
 * data not yet acknowledged). FIN_WAIT2, LAST_ACK, CLOSING and TIME_WAIT
 * send nothing more: an orphan in FIN_WAIT2 whose client vanished would
 * hold a drain for tcp_fin_timeout (60 s) for nothing. */
#define WAIT_STATES ((1u << TCP_ESTABLISHED) | (1u << TCP_SYN_RECV) | (1u << TCP_FIN_WAIT1) | \
		     (1u << TCP_CLOSE_WAIT))

static long count_family(int nl, int family, const struct hafd_addr *addrs, size_t n)
{
	struct {
		struct nlmsghdr nh;
		struct inet_diag_req_v2 r;
	} req = {
		.nh = { .nlmsg_len = sizeof(req), .nlmsg_type = SOCK_DIAG_BY_FAMILY,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = 1 },
		.r = { .sdiag_family = (uint8_t)family, .sdiag_protocol = IPPROTO_TCP,
		       .idiag_states = WAIT_STATES },
	};
	static char buf[32768] __attribute__((aligned(8)));
	long count = 0;

	if (send(nl, &req, sizeof(req), 0) < 0)
		return -1;
	for (;;) {
		ssize_t got = recv(nl, buf, sizeof(buf), 0);

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return -1;
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)got);
		     h = NLMSG_NEXT(h, got)) {
			const struct inet_diag_msg *d = NLMSG_DATA(h);
			struct hafd_addr a;

			if (h->nlmsg_type == NLMSG_DONE)
				return count;
			if (h->nlmsg_type == NLMSG_ERROR) {
				errno = -((struct nlmsgerr *)NLMSG_DATA(h))->error;
				return -1;
			}
			addr_from_bytes(&a, family, d->id.idiag_src);
			for (size_t i = 0; i < n; i++)
				if (addr_equal(&a, &addrs[i])) {
					count++;
					break;
				}
		}
	}
}

long drain_conns_count(const struct hafd_addr *addrs, size_t n)
{
	int nl = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	bool v4 = false, v6 = false;
	long c4 = 0, c6 = 0;

	if (nl < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		v4 |= addrs[i].family == AF_INET;
		v6 |= addrs[i].family == AF_INET6;
	}
	/* IPv4 clients of a dual-stack listener show up as IPv6 sockets with
	 * v4-mapped addresses: the IPv6 dump looks for those too. */
	if (v4)
		c4 = count_family(nl, AF_INET, addrs, n);
	if (c4 >= 0 && (v6 || v4)) {
		struct hafd_addr *all = calloc(2 * n + 1, sizeof(*all));
		size_t k = 0;

		if (!all) {
			close(nl);
			return -1;
		}
		for (size_t i = 0; i < n; i++) {
			all[k++] = addrs[i];
			if (addrs[i].family == AF_INET) {
				uint8_t m[16] = { [10] = 0xff, [11] = 0xff };

				memcpy(m + 12, addrs[i].u.b, 4);
				addr_from_bytes(&all[k++], AF_INET6, m);
			}
		}
		c6 = count_family(nl, AF_INET6, all, k);
		free(all);
	}
	close(nl);
	return c4 < 0 || c6 < 0 ? -1 : c4 + c6;
}
