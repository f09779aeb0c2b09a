/* vrrp_sock.h: raw IPPROTO 112 sockets, one per (interface, family), shared
 * by the instances on it. Joins 224.0.0.18 / ff02::12, sends and checks
 * TTL / Hop Limit 255 (RFC 9568 items 12, 13; V1), reads the destination
 * and hop limit of each packet. */
#ifndef HAFD_VRRP_SOCK_H
#define HAFD_VRRP_SOCK_H

#include <net/if.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "vrrp_pkt.h"

struct loop;
struct vrrp_sock;

/* Called for each received packet: pkt is the VRRP message (IPv4 header
 * stripped); info has the addresses and TTL. */
typedef void (*vrrp_sock_rx_fn)(void *arg, struct vrrp_sock *s, const uint8_t *pkt,
				size_t len, const struct vrrp_pkt_info *info);

struct vrrp_sock {
	struct vrrp_sock *next;
	int fd;
	int ifindex;
	char ifname[IFNAMSIZ];
	int family;
	unsigned refs;
	struct loop *loop;
	vrrp_sock_rx_fn rx;
	void *arg;
	uint64_t rx_errors;             /* recvmsg failures and malformed IP */
};

/* The socket for (ifindex, family) in *list, opened and added to the loop
 * on first use; each call takes a reference. NULL with errno on failure. */
struct vrrp_sock *vrrp_sock_get(struct vrrp_sock **list, struct loop *loop, int ifindex,
				const char *ifname, int family, vrrp_sock_rx_fn rx, void *arg);
/* Drop a reference; the last one closes the socket. */
void vrrp_sock_put(struct vrrp_sock **list, struct vrrp_sock *s);
/* Read and deliver what is queued on s now, as if it had become readable
 * (for a timer that must hear waiting adverts before it decides). */
void vrrp_sock_drain(struct vrrp_sock *s);

/* Send one advert from src to dst (the group or a unicast peer) on the
 * socket's interface, with TTL / Hop Limit 255. 0 or -1/errno. */
int vrrp_sock_send(struct vrrp_sock *s, const struct hafd_addr *src, const struct hafd_addr *dst,
		   const uint8_t *buf, size_t len);

/* A send-only raw socket with TTL / Hop Limit 255, outside any loop (the
 * crash guard's). fd or -1/errno. */
int vrrp_sock_open_tx(int family);
/* The send primitive of vrrp_sock_send() on any raw VRRP socket. */
int vrrp_sock_sendto(int fd, int family, int ifindex, const struct hafd_addr *src,
		     const struct hafd_addr *dst, const uint8_t *buf, size_t len);

/* 224.0.0.18 or ff02::12 (item 31). */
void vrrp_sock_group(int family, struct hafd_addr *out);

#endif
