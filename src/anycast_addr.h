/* anycast_addr.h: the service addresses of anycast instances on their
 * interfaces, each with a kernel lifetime (valid_lft = preferred_lft =
 * the lease), so that an address hafd stops renewing, because it died or
 * froze, is deleted by the kernel and the routing daemon withdraws it
 * (hafd-anycast(7)). Edge: one netlink socket of its own. */
#ifndef HAFD_ANYCAST_ADDR_H
#define HAFD_ANYCAST_ADDR_H

#include "addr.h"

struct nl_sock;

/* 0 or -1/errno. */
int anycast_addr_open(struct nl_sock **out);
void anycast_addr_close(struct nl_sock *sk);
/* Add a as a host address on ifname, or renew it, with lease_s seconds to
 * live. 0 or -1/errno (ENODEV: no such interface). */
int anycast_addr_put(struct nl_sock *sk, const char *ifname, const struct hafd_addr *a,
		     unsigned lease_s);
/* Delete a from ifname; absent (or no such interface) is success. 0 or -1/errno. */
int anycast_addr_del(struct nl_sock *sk, const char *ifname, const struct hafd_addr *a);

#endif
