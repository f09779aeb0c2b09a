/* vmac.h: use_vmac. Each such instance gets a macvlan (mode bridge) on its
 * interface carrying the VRRP MAC 00:00:5e:00:01:VRID (00:00:5e:00:02:VRID
 * for IPv6, RFC 9568 item 30). It is created, down, when the instance
 * attaches to its interface, and is up only while the instance is master:
 * the VIPs live on it, adverts to the group, GARPs and NAs leave from it
 * with the VMAC as source (items 14, 15, 32-34), and a backup's NIC drops
 * frames for the VMAC (RFC 9568 §6.4.2). The sysctls it needs are set when
 * it is made. Macvlans are journaled (<runtime_dir>/vmacs, through
 * journal.c) so that a run that died leaves none behind once hafd starts
 * again. */
#ifndef HAFD_VMAC_H
#define HAFD_VMAC_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"

struct hafd_config;
struct cfg_instance;
struct vip_ctx;
struct vrrp_sock;
struct vmac;

/* The VRRP MAC of a VRID for a family (item 30). */
void vmac_mac(int family, uint8_t vrid, unsigned char mac[6]);

/* The macvlan's name for instance c on interface ifindex: vrrp.VRID
 * (vrrp6.VRID for IPv6), or vrrp.VRID.IFINDEX when another use_vmac
 * instance of cfg has the same VRID and family on another interface, so
 * names never collide (at most IFNAMSIZ - 1 characters). 0 or -1/ENAMETOOLONG. */
int vmac_name(const struct hafd_config *cfg, const struct cfg_instance *c, int ifindex,
	      char out[IFNAMSIZ]);

/* Create the macvlan `name` on base_ifindex, down, with the VRRP MAC and
 * its sysctls; a stale one of ours by that name is replaced. Journaled in
 * runtime_dir first. 0 or -1/errno (EEXIST: the name belongs to another
 * link). */
int vmac_create(struct vmac **out, const char *runtime_dir, const char *name,
		int base_ifindex, int family, uint8_t vrid);
/* Delete the macvlan (if it still exists) and its journal line; frees vm. */
void vmac_destroy(struct vmac *vm);

int vmac_ifindex(const struct vmac *vm);
const char *vmac_ifname(const struct vmac *vm);
void vmac_get_mac(const struct vmac *vm, unsigned char mac[6]);

/* Entering master: the link goes up and, for IPv6, gets the interface's
 * link-local address ll (through vip, so it is journaled like a VIP), the
 * source of adverts and NAs sent from the macvlan. Idempotent. 0 or -1. */
int vmac_activate(struct vmac *vm, struct vip_ctx *vip, const struct hafd_addr *ll);
/* Leaving master: ll removed, link down. Idempotent. */
void vmac_deactivate(struct vmac *vm, struct vip_ctx *vip);

/* The interface an advert to dst leaves from: the macvlan while it is up
 * and dst is the group; the base otherwise (unicast adverts leave from
 * the base, as keepalived's vmac_xmit_base, so no ARP or ND ever goes out
 * from the VMAC for the node's own address). vm may be NULL. */
int vmac_tx_ifindex(const struct vmac *vm, int base_ifindex, const struct hafd_addr *dst);
/* Send an advert on s, or from the macvlan (see above). vm may be NULL. */
int vmac_send(struct vmac *vm, struct vrrp_sock *s, const struct hafd_addr *src,
	      const struct hafd_addr *dst, const uint8_t *buf, size_t len);

/* Remove the macvlans listed in runtime_dir's journal (a run that died
 * left them), then empty it. Returns how many went, or -1/errno. */
int vmac_journal_cleanup(const char *runtime_dir);

/* Write "value" to /proc/sys/net/ipv{4,6}/conf/IFNAME/KEY. 0 or -1/errno. */
int vmac_sysctl_set(int family, const char *ifname, const char *key, const char *value);

#endif
