/* drain_net.h: what a drain (drain.h) needs of the system: the UDP
 * messages between hafd peers, and the count of the TCP connections still
 * open on a set of local addresses (netlink sock_diag).
 *
 * The messages. One text datagram each, to UDP port DRAIN_PORT, sent with
 * TTL / hop limit 255 and accepted only with 255 (as VRRP: from the link,
 * never routed), from the instance's own address (its VRRP source):
 *
 *   hafd-drain/1 OP VRID FAMILY INTERVAL_MS LEFT
 *
 * OP is "plan" (a planned handover with drain is coming: follow me into
 * it), "ack" (a hafd backup will forward), "drain" (still draining: keep
 * forwarding), "end" (done: stop forwarding); FAMILY is 4 or 6;
 * INTERVAL_MS how often the sender repeats itself; LEFT the connections
 * still open ("end"). Edge: no decisions. */
#ifndef HAFD_DRAIN_NET_H
#define HAFD_DRAIN_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"

#define DRAIN_PORT 10112                /* "112": VRRP's protocol number */
#define DRAIN_MSG_MAX 128

enum drain_op { DRAIN_OP_PLAN, DRAIN_OP_ACK, DRAIN_OP_DRAIN, DRAIN_OP_END };

struct drain_msg {
	enum drain_op op;
	uint8_t vrid;
	int family;                     /* AF_INET or AF_INET6 */
	unsigned interval_ms;
	unsigned left;
};

/* Text of m into buf; its length. */
size_t drain_msg_format(const struct drain_msg *m, char *buf, size_t len);
/* Parse one datagram. 0, or -1 (not a drain message). */
int drain_msg_parse(const char *buf, size_t len, struct drain_msg *m);

/* The UDP socket of one family, bound to DRAIN_PORT on every address,
 * non-blocking. The descriptor, or -1/errno. */
int drain_sock_open(int family);
/* Receive the multicast group of that family (224.0.0.18, ff02::12) on
 * ifindex as well. 0 or -1/errno (joining twice is no error). */
int drain_sock_join(int fd, int family, int ifindex);
/* Send m from src out of ifindex to dst (the VRRP group or a peer);
 * 0 or -1/errno. */
int drain_sock_send(int fd, const struct hafd_addr *src, int ifindex,
		    const struct hafd_addr *dst, const struct drain_msg *m);
/* Read one datagram: 1 with m, its source and the interface it came in on;
 * 2 when it was no drain message or came with a TTL / hop limit below 255
 * (read on); 0 when there is nothing (more); -1/errno. */
int drain_sock_recv(int fd, struct drain_msg *m, struct hafd_addr *from, int *ifindex);

/* TCP connections on any of addrs (local addresses, any port) that may
 * still send: ESTABLISHED, SYN_RECV, FIN_WAIT1, CLOSE_WAIT. The count, or
 * -1/errno. */
long drain_conns_count(const struct hafd_addr *addrs, size_t n);

#endif
