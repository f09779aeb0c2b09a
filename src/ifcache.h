/* ifcache.h: links and addresses through libnl-route. Keeps a cache of the
 * host's links (index, name, MAC, up) and addresses current from rtnetlink
 * events on the loop, reports link and address changes to the daemon, and
 * answers lookups from it: an interface's index, name, MAC and state, its
 * primary address, whether an address is present. Adding and removing VIPs
 * is vip.c's. */
#ifndef HAFD_IFCACHE_H
#define HAFD_IFCACHE_H

#include <net/if.h>
#include <stdbool.h>

#include "addr.h"

struct loop;
struct ifcache;

/* Callbacks into the daemon; any may be NULL. Called from the loop. */
struct ifcache_events {
	/* A link appeared, changed, or went away (exists = false). up means
	 * IFF_UP and IFF_RUNNING (carrier). */
	void (*link_change)(void *arg, int ifindex, const char *ifname, bool exists, bool up);
	/* An address was removed from ifindex (by anyone, hafd included). */
	void (*addr_deleted)(void *arg, int ifindex, const struct hafd_addr *a);
	/* Any address was added or removed on ifindex (primary may have moved). */
	void (*addr_change)(void *arg, int ifindex);
	void *arg;
};

/* Open netlink, fill the link and address caches, watch for changes
 * through the loop. 0 or -1/errno. */
int ifcache_open(struct ifcache **out, struct loop *loop, const struct ifcache_events *ev);
void ifcache_close(struct ifcache *c);

/* Interface lookups from the cache: 0 / false / -1 (ENODEV) when unknown. */
int ifcache_ifindex(struct ifcache *c, const char *ifname);
int ifcache_ifname(struct ifcache *c, int ifindex, char name[IFNAMSIZ]);
bool ifcache_link_up(struct ifcache *c, int ifindex);
int ifcache_link_mac(struct ifcache *c, int ifindex, unsigned char mac[6]);

/* Addresses the primary search passes over (the VIPs hafd holds:
 * vip_held); arg is the caller's. */
typedef bool (*ifcache_skip_fn)(void *arg, int ifindex, const struct hafd_addr *a);

/* IPv4: the interface's primary address (the first non-secondary one that
 * skip does not name; skip may be NULL). IPv6: its link-local address.
 * 0, or -1 with EADDRNOTAVAIL. */
int ifcache_primary(struct ifcache *c, int ifindex, int family, ifcache_skip_fn skip,
		    void *arg, struct hafd_addr *out);
/* Whether the address is on the interface now. */
bool ifcache_present(struct ifcache *c, int ifindex, const struct hafd_addr *a);

/* errno from a libnl error (-NLE_*), for the modules that send rtnetlink
 * requests beside the cache (vip.c); what has no errno of its own is EIO,
 * logged with libnl's words and what. Returns -1. */
int ifcache_nl_fail(const char *what, int err);

#endif
