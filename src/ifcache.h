/* vip.h: addresses and links through libnl-route. Adds and removes VIPs,
 * reports link and address events, finds an interface's primary addresses,
 * and keeps a journal of the VIPs hafd added, so that VIPs left by a run
 * that died are removed at the next start (or by the crash guard). */
#ifndef HAFD_IFCACHE_H
#define HAFD_IFCACHE_H

#include <stdbool.h>

#include "addr.h"

struct loop;
struct vip_ctx;

/* Callbacks into the daemon; any may be NULL. Called from the loop. */
struct vip_events {
	/* A link appeared, changed, or went away (exists = false). up means
	 * IFF_UP and IFF_RUNNING (carrier). */
	void (*link_change)(void *arg, int ifindex, const char *ifname, bool exists, bool up);
	/* An address was removed from ifindex (by anyone, hafd included). */
	void (*addr_deleted)(void *arg, int ifindex, const struct hafd_addr *a);
	/* Any address was added or removed on ifindex (primary may have moved). */
	void (*addr_change)(void *arg, int ifindex);
	void *arg;
};

/* Open netlink, fill link and address caches, watch for changes through the
 * loop. journal_path: file recording the VIPs hafd added (NULL: none). */
int vip_open(struct vip_ctx **out, struct loop *loop, const char *journal_path,
	     const struct vip_events *ev);
void vip_close(struct vip_ctx *v);

/* Interface lookups from the cache: 0 / false / -1 (ENODEV) when unknown. */
int vip_ifindex(struct vip_ctx *v, const char *ifname);
bool vip_link_up(struct vip_ctx *v, int ifindex);
int vip_link_mac(struct vip_ctx *v, int ifindex, unsigned char mac[6]);

/* IPv4: the interface's primary address (the first non-secondary one that
 * is not a VIP hafd added). IPv6: its link-local address. 0, or -1 with
 * EADDRNOTAVAIL. */
int vip_primary(struct vip_ctx *v, int ifindex, int family, struct hafd_addr *out);

/* Add a VIP (journal first; IPv6 without DAD). Adding one that is already
 * there succeeds. 0 or -1/errno. */
int vip_add(struct vip_ctx *v, int ifindex, const struct hafd_addr *a);
/* Remove a VIP (then drop it from the journal). Removing one that is
 * absent succeeds. 0 or -1/errno. */
int vip_del(struct vip_ctx *v, int ifindex, const struct hafd_addr *a);
/* Whether the address is on the interface now (from the cache). */
bool vip_present(struct vip_ctx *v, int ifindex, const struct hafd_addr *a);

/* Remove every VIP listed in the journal at path from its interface and
 * empty the journal. Uses its own netlink socket: safe before vip_open()
 * and from the crash guard. Returns the number removed, or -1/errno. */
int vip_journal_cleanup(const char *path);

#endif
