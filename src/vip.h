/* vip.h: the VIPs hafd adds and removes. A VIP is journaled before it is
 * added (<runtime_dir>/vips, journal.c), so that VIPs left by a run that
 * died are removed by the crash guard or at the next start, and is
 * remembered, so that the primary address search (ifcache_primary) passes
 * over it. */
#ifndef HAFD_VIP_H
#define HAFD_VIP_H

#include <stdbool.h>

#include "addr.h"

struct ifcache;
struct loop;
struct vip_ctx;

/* Ready to add VIPs on the links ifc knows. journal_path: the journal
 * (NULL: none); the VIPs it lists that are still in place are adopted as
 * ours. 0 or -1/errno. */
int vip_open(struct vip_ctx **out, struct ifcache *ifc, struct loop *loop,
	     const char *journal_path);
/* Rewrites a journal still due; leaves the VIPs where they are. */
void vip_close(struct vip_ctx *v);

/* Add a VIP (journal first; IPv6 without DAD). Adding one that is already
 * there succeeds. 0 or -1/errno. */
int vip_add(struct vip_ctx *v, int ifindex, const struct hafd_addr *a);
/* Remove a VIP (then drop it from the journal). Removing one that is
 * absent succeeds. 0 or -1/errno. */
int vip_del(struct vip_ctx *v, int ifindex, const struct hafd_addr *a);
/* Whether hafd added a on ifindex (or adopted it from the journal). */
bool vip_held(const struct vip_ctx *v, int ifindex, const struct hafd_addr *a);

/* Remove every VIP listed in the journal at path from its interface and
 * drop its line (a line stays when its removal failed). Uses its own
 * netlink socket: safe before vip_open() and from the crash guard.
 * Returns the number removed, or -1/errno. */
int vip_journal_cleanup(const char *path);

#endif
