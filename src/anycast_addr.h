/* anycast_addr.h: the service addresses of anycast instances on their
 * interfaces, each with a kernel lifetime (valid_lft = preferred_lft =
 * the lease), so that an address hafd stops renewing, because it died or
 * froze, is deleted by the kernel and the routing daemon withdraws it
 * (hafd-anycast(7)). Each address is journaled in <runtime_dir>/anycast
 * before it is added, so that the crash guard withdraws at once when hafd
 * alone dies (anycast_journal_cleanup), without waiting for the lease.
 * Edge: one netlink socket of its own. */
#ifndef HAFD_ANYCAST_ADDR_H
#define HAFD_ANYCAST_ADDR_H

#include "addr.h"

struct anycast_addr;

/* runtime_dir: where the journal goes. 0 or -1/errno. */
int anycast_addr_open(struct anycast_addr **out, const char *runtime_dir);
void anycast_addr_close(struct anycast_addr *c);
/* Add a as a host address on ifname, or renew it, with lease_s seconds to
 * live (journaled first). 0 or -1/errno (ENODEV: no such interface). */
int anycast_addr_put(struct anycast_addr *c, const char *ifname, const struct hafd_addr *a,
		     unsigned lease_s);
/* Delete a from ifname (then its journal line); absent (or no such
 * interface) is success. 0 or -1/errno. */
int anycast_addr_del(struct anycast_addr *c, const char *ifname, const struct hafd_addr *a);

/* Delete every address the journal in runtime_dir lists and empty it:
 * for the crash guard, the next start and hafd --cleanup. Its own netlink
 * socket. The number deleted, or -1/errno. */
int anycast_journal_cleanup(const char *runtime_dir);

#endif
