/* nft.h: hafd's own nftables tables (inet, arp and netdev, all named
 * nft_table), through libnftnl and libmnl. Created at start (replacing any a crashed
 * run left), changed in one atomic batch when what they should hold
 * changes, deleted on exit. They drop traffic to and ARP / NA claims for
 * the VIPs of instances that are not master, traffic to the VIPs of
 * non-owner masters with accept_mode = no (VRRP and ND aside), VRRP from
 * addresses that are not unicast peers, and VRRP floods. With vip_lease,
 * serving a VIP at all needs a lease: a set element with a timeout that
 * each advert of its master renews as it leaves, so that the kernel stops
 * answering for the VIPs of a hafd that was killed or frozen. The rule set is described
 * at the top of nft_build.c and in hafd.conf(5).
 *
 * nft knows nothing of routers or of the configuration: the glue that owns
 * the routers describes each instance (struct nft_inst) whenever nft asks,
 * through the nft_describe_fn it was opened with; nft_want.c turns that
 * into what the tables should hold, nft_build.c into messages. */
#ifndef HAFD_NFT_H
#define HAFD_NFT_H

#include <stdbool.h>
#include <stddef.h>

#include "addr.h"

struct hafd;
struct nft_ctx;

/* One instance as nft needs it, now. */
struct nft_inst {
	int family;                     /* AF_INET or AF_INET6 */
	uint8_t vrid;
	bool master;                    /* in MASTER state here: holds its VIPs */
	bool draining;                  /* not master, but drains its established
					 * TCP flows here (drain.h): its VIPs go
					 * into vipN_drain too */
	bool accept;                    /* as master, takes traffic to its VIPs: the
					 * address owner, or accept_mode = yes */
	unsigned adverts_per_s;         /* the adverts it sends a second, rounded up */
	const char *ifname;             /* its interface (a vmac's lower one): the
					 * lease rules hook there */
	const struct hafd_addr *vips;   /* its virtual IPs (prefixes are ignored) */
	size_t n_vips;
	const struct hafd_addr *peers;  /* its unicast peers */
	size_t n_peers;
	/* The master this instance follows as a backup, or NULL: the source
	 * of the adverts it accepted last (same family). */
	const struct hafd_addr *followed;
	/* The lease on its VIPs, in ms (0: none). Each advert this node
	 * sends for the instance with a priority above zero, which only a
	 * master sends, renews it in the kernel as the advert leaves
	 * (nft_build.c, rule 8L): no batch, no clock of ours. A master
	 * that stalled renews only once its advert goes out, after it has
	 * read the adverts waiting for it (vrrp_inst_timer). */
	unsigned lease_ms;
	/* fence_port: while not master (and not draining), TCP to its VIPs
	 * on these ports is answered with a reset, the address held here or
	 * not (nft_build.c, rule F). */
	const uint16_t *fence_ports;
	size_t n_fence_ports;
};

/* Every instance. */
struct nft_desc {
	struct nft_inst *inst;
	size_t n_inst;
	unsigned cap_pps;               /* nft_vrrp_cap: VRRP/s from unknown
					 * sources, per family and bucket; 0: none */
	bool lease;                     /* vip_lease: the lease rules are in */
	bool lo_up;                     /* lo is up: unicast instances' leases
					 * can be renewed through it
					 * (nft_lease_renew) */
};

/* The glue's answer to "what should the tables hold now": fills d, inst
 * allocated with malloc() (nft frees it), the addresses it points to
 * valid until the loop runs again. 0, or -1/errno. */
typedef int nft_describe_fn(struct hafd *h, struct nft_desc *d);

/* Open netlink and create the tables, empty (a leftover of that name is
 * replaced in the same batch). table NULL (nft_table = none): a context
 * that does nothing. describe is asked at each nft_apply(). 0 or
 * -1/errno. */
int nft_open(struct nft_ctx **out, const char *table, nft_describe_fn *describe);
/* Make the tables hold what the glue describes, in one batch; nothing is
 * sent when nothing changed. A failure is logged and retried every
 * second. 0 or -1/errno. Does nothing once h->stopping is set. */
int nft_apply(struct nft_ctx *n, struct hafd *h);
/* nft_apply() once the timers due now have run: state changes that come
 * together (many routers at start-up or in a mass failover) make one
 * batch. Timers armed for now after this call run after the batch (GARPs
 * that the old table would drop). */
void nft_schedule(struct nft_ctx *n, struct hafd *h);
/* A unicast instance's advert may never leave its interface (the
 * kernel holds it while the peer's neighbour entry is unresolved, then
 * drops it), so it cannot renew the lease there: for each one it sends as
 * master (a priority above zero), its VIPs are renewed through lo, in a
 * packet to nft_lease_dst() that rules 8U (nft_build.c) read and drop,
 * sent once the timers due now have run, for all the adverts they sent.
 * Sends nothing while those rules are not in the kernel. 0, or -1/errno
 * (a renewal that had to go at once failed). */
int nft_lease_renew(struct nft_ctx *n, int family, unsigned lease_ms,
		    const struct hafd_addr *vips, size_t n_vips);
/* A renewal's destination, host order: in 127.224.0.0/11, the family of
 * the addresses it lists in bit 20 (set: IPv6), the lease length in ms
 * in the 20 bits below (the longest lease, 5/2 x 255 s, fits). */
#define NFT_LEASE_NET 0x7fe00000u
#define NFT_LEASE_MASK 0x001fffffu
#define NFT_LEASE_V6 0x00100000u
static inline uint32_t nft_lease_dst(int family, unsigned lease_ms)
{
	return NFT_LEASE_NET | (family == AF_INET6 ? NFT_LEASE_V6 : 0) |
	       (lease_ms & (NFT_LEASE_V6 - 1));
}

/* Delete the tables and free n. */
void nft_close(struct nft_ctx *n);
/* What the tables hold, read back from the kernel, as one JSON object:
 *   {"table":"hafd","ok":true,"vip_standby":["10.0.0.1"],"vip_noaccept":[],
 *    "unicast_peers":[],"vrrp_rate_pps":100,"vrrp_burst":200,
 *    "vip_lease":["10.0.0.2"],"vip_fence":null}
 * (vip_fence: the fence_port elements, "10.0.0.3 . 5432", null without)
 * ("table":null when disabled; ok: the last change was applied). Returns
 * the length, or -1 with errno (ENOSPC: buf is too small). */
int nft_status(struct nft_ctx *n, char *buf, size_t len);

#endif
