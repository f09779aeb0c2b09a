/* nft_priv.h: shared by nft.c (the context, the socket), nft_want.c (what
 * the tables should hold, from the glue's description) and nft_build.c
 * (the netlink messages of one batch). */
#ifndef HAFD_NFT_PRIV_H
#define HAFD_NFT_PRIV_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "nft.h"

struct mnl_nlmsg_batch;

#define IPPROTO_VRRP_ 112
#define NFT_COPY_SLOTS 32               /* addresses in one unicast renewal (8U) */

/* The address sets hafd fills. vip4_standby is also in the arp table;
 * vip4 and vip6 are only in the netdev table, with the leases. */
enum nft_set_idx {
	NSET_STANDBY4, NSET_STANDBY6,   /* VIPs of instances that are not master */
	NSET_VIP4, NSET_VIP6,           /* with vip_lease, every VIP but those a
					 * former master drains (else empty) */
	NSET_NOACCEPT4, NSET_NOACCEPT6, /* VIPs of non-owner masters, accept_mode = no */
	NSET_PEER4, NSET_PEER6,         /* unicast peers */
	NSET_KNOWN4, NSET_KNOWN6,       /* VRRP sources exempt from the cap */
	NSET_DRAIN4, NSET_DRAIN6,       /* VIPs a former master drains (drain.h):
					 * TCP without SYN to them is accepted */
	NSET_N,
};

struct nft_addrs {
	struct hafd_addr *a;            /* sorted, no duplicates */
	size_t n, cap;
};

/* fence_port: the elements of vip4_fence / vip6_fence, a VIP and a TCP
 * port whose connections the prerouting chain resets (nft_build.c). */
struct nft_fence {
	struct hafd_addr a;
	uint16_t port;
};

struct nft_fences {
	struct nft_fence *f;            /* sorted, no duplicates */
	size_t n, cap;
};

/* The instances of one family on one device whose adverts renew leases of
 * the same length: one renewal rule for each address an advert carries. */
struct nft_lclass {
	int family;
	unsigned ms;                    /* the lease (nft.h, lease_ms) */
	unsigned n_addrs;               /* the most VIPs an instance of it has */
	uint8_t vrids[32];              /* bitmap */
};

/* A device whose netdev chains (ingress and egress) hold the lease rules:
 * the interface of an instance. */
struct nft_dev {
	char name[IFNAMSIZ];
	int ifindex;                    /* nft.c: 0 while it does not exist
					 * (no chain: the kernel refuses one) */
	struct nft_lclass *cls;         /* sorted by family and length */
	size_t n_cls;
};

/* What the tables should hold. */
struct nft_want {
	struct nft_addrs set[NSET_N];
	unsigned rate_pps;              /* VRRP packets/s per source; burst twice that */
	uint8_t vrids[2][32];           /* VRIDs run here, IPv4 and IPv6: bitmaps */
	unsigned cap_pps;               /* VRRP packets/s from unknown sources, per
					 * family, for our VRIDs and for the others;
					 * 0: no cap */
	unsigned cap_burst;             /* the burst of the cap on our VRIDs */
	bool lease;                     /* the lease sets and rules are in */
	struct nft_dev *devs;           /* with the lease: sorted by name, no
					 * duplicates */
	size_t n_devs;
	/* Rules 8U, in the chain `unicast` on lo's egress: the lease classes
	 * of the instances with unicast peers (their VRIDs unused: a
	 * renewal's destination tells the length, nft_lease_dst()); name "lo",
	 * ifindex set by nft.c. Empty while lo is down (lo_up, from the
	 * description): those instances have no lease then. */
	struct nft_dev uni;
	bool lo_up;
	bool uni_nolo;                  /* an instance has no lease for that */
	/* fence_port: whether any instance has one (the fence-DEV chains
	 * and the fence sets exist only then), and the elements of
	 * vip4_fence and vip6_fence: for each instance neither master nor
	 * draining, each VIP with each of its fence ports, less the VIPs
	 * a master instance holds here. */
	bool fence;
	struct nft_fences fences[2];
	struct nft_dev *fence_devs;     /* the interfaces of the fenced instances,
					 * sorted by name; nft.c sets ifindex */
	size_t n_fence_devs;
};

/* Append a (its prefix dropped) to s, unsorted. 0 or -1 (ENOMEM). */
int nft_addrs_push(struct nft_addrs *s, const struct hafd_addr *a);
/* Two sorted lists hold the same addresses. */
bool nft_addrs_equal(const struct nft_addrs *a, const struct nft_addrs *b);

/* What the tables should hold for the instances d describes: the sets,
 * the fences and the lease's renewal rules, sorted and without duplicates (a VIP that one instance holds as master
 * is nobody's standby VIP; unicast peers and the master each backup
 * follows are known sources); the per-source VRRP rate, twice the adverts
 * a second all instances send together, at least 100; the cap on unknown
 * sources, the same. 0, or -1/ENOMEM with w empty. */
int nft_want_compute(struct nft_want *w, const struct nft_desc *d);
void nft_want_free(struct nft_want *w);
/* a and b hook the same devices (names and ifindexes) with the same
 * renewal rules. */
bool nft_devs_equal(const struct nft_want *a, const struct nft_want *b);
/* a and b make the same rules (a change needs the tables rebuilt). */
bool nft_want_same_rules(const struct nft_want *a, const struct nft_want *b);
/* Addresses in all of w's sets, and the per-address parts of its rules
 * (8L's VRIDs, 8U's slots): what a batch needs room for. */
size_t nft_want_addrs(const struct nft_want *w);

/* Messages named in error logs, by sequence number; later ones are not. */
#define NFT_WHAT_MAX 64

/* One batch: BATCH_BEGIN, messages that each ask for an ack, BATCH_END. */
struct nft_batch {
	struct mnl_nlmsg_batch *b;
	char *buf;
	uint32_t seq0;                  /* sequence number of the first message */
	unsigned n_msgs;                /* messages after BATCH_BEGIN */
	const char *what[NFT_WHAT_MAX];
	int err;                        /* ENOMEM or EMSGSIZE: building failed, not sent */
};

const char *nft_set_name(enum nft_set_idx i);
int nft_set_family(enum nft_set_idx i);

/* A batch with room for about `addrs` set elements. 0 or -1/ENOMEM. */
int nft_batch_init(struct nft_batch *b, size_t addrs, uint32_t seq);
/* Close with BATCH_END. 0, or -1 with errno when building failed. */
int nft_batch_end(struct nft_batch *b);
const void *nft_batch_data(const struct nft_batch *b, size_t *len);
void nft_batch_free(struct nft_batch *b);

/* The tables (inet, arp and netdev) named `table`: add then delete, so a
 * leftover goes and a missing one is no error; with `recreate`, add them
 * again. */
void nft_build_tables(struct nft_batch *b, const char *table, bool recreate);
/* Sets, chains and rules into freshly created tables. */
void nft_build_skeleton(struct nft_batch *b, const char *table, const struct nft_want *w);
/* Set i's elements (inet and arp tables for vip4_standby, the netdev
 * table for vip4 and vip6), emptying it first when `flush`. */
void nft_build_elems(struct nft_batch *b, const char *table, enum nft_set_idx i,
		     const struct nft_addrs *a, bool flush);

/* A lease as the kernel runs it: its VIP and the ms it has left. */
struct nft_lease {
	struct hafd_addr a;
	uint64_t ms;
};
/* Add leases l[0..n) to lease4 / lease6 (af), each with the time it has
 * left: a rebuild of the tables carries them over, never lengthened. */
void nft_build_leases(struct nft_batch *b, const char *table, int af,
		      const struct nft_lease *l, size_t n);
/* The set lease4 / lease6. */
const char *nft_lease_set_name(int af);

/* ---- fence_port (nft_want.c, nft_build.c) ---- */

/* a and b hold the same (VIP . port) pairs. */
bool nft_fences_equal(const struct nft_fences *a, const struct nft_fences *b);
/* a and b hook the same fence devices (names and ifindexes). */
bool nft_fence_devs_equal(const struct nft_want *a, const struct nft_want *b);
/* The fence sets, and a chain with rule F for each fence device that
 * exists (with w->fence). */
void nft_build_fence_skeleton(struct nft_batch *b, const char *table, const struct nft_want *w);
/* The elements of vip4_fence (af AF_INET) or vip6_fence, emptying the set
 * first when `flush`. */
void nft_build_fence_elems(struct nft_batch *b, const char *table, int af,
			   const struct nft_fences *f, bool flush);
const char *nft_fence_set_name(int af);

#endif
