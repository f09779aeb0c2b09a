/* garp.h: gratuitous ARP for IPv4 VIPs and unsolicited Neighbor
 * Advertisements for IPv6 VIPs (RFC 9568 items 32-34), so switches and
 * clients learn the new master at once. */
#ifndef HAFD_GARP_H
#define HAFD_GARP_H

#include <stdbool.h>

#include "addr.h"

struct garp_ctx;

int garp_open(struct garp_ctx **out);
void garp_close(struct garp_ctx *g);

/* One announcement of vip on ifindex from mac: a gratuitous ARP request
 * (sender = target = VIP) for IPv4, an unsolicited NA to ff02::1 (R=1,
 * S=0, O=1, target link-layer option = mac) from src_ll for IPv6.
 * RFC 9568 6.4.2 sets R on every such NA. 0 or -1/errno. */
int garp_send(struct garp_ctx *g, int ifindex, const unsigned char mac[6],
	      const struct hafd_addr *vip, const struct hafd_addr *src_ll);

#endif
