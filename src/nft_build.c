/* nft_build.c: the netlink messages of hafd's nftables batches (libnftnl
 * objects in a libmnl batch). nft.c decides what goes in and sends it.
 *
 * The rule set. nftables tables belong to one family, so there are three
 * tables named TABLE (nft_table, "hafd" by default):
 *
 *   table inet TABLE
 *     set vip4_standby, vip6_standby    VIPs of the instances that are not
 *                                       master (BACKUP, FAULT, INIT), less
 *                                       any VIP a master instance holds
 *     set vip4_noaccept, vip6_noaccept  VIPs of non-owner masters with
 *                                       accept_mode = no
 *     set peer4, peer6                  every unicast_peer
 *     set vrrp_known4, vrrp_known6      the VRRP sources hafd knows: every
 *                                       unicast_peer, and the master each
 *                                       backup instance follows
 *     set vip4_drain, vip6_drain        VIPs this node drains as a former
 *                                       master (drain.h); also in vipN_standby
 *     set vrrp_rate4, vrrp_rate6        dynamic: one token bucket per source
 *     chain input   hook input, priority filter - 10, policy accept
 *       1 VRRP sent to this host (pkttype host) from an address not in
 *         peerN: drop; only while an instance of that family is unicast
 *         (multicast adverts are not addressed to the host)
 *       2 VRRP from one source beyond RATE/s, burst 2*RATE: drop
 *       2a VRRP for a VRID run here from a source not in vrrp_knownN
 *         beyond CAP/s, burst BURST, all such sources together: drop
 *       2b VRRP for any other VRID from a source not in vrrp_knownN beyond
 *         CAP/s, burst CAP, all together: drop
 *         (2a and 2b only with nft_vrrp_cap > 0; the VRIDs run here are an
 *         anonymous set in rule 2a, 2b matches the others)
 *       3D TCP without SYN to a vipN_drain address: accept; a former
 *         master drains its established connections after a planned
 *         handover (drain.h): before 3, which drops the rest (its VIPs
 *         are out of vipN, so 3L, 6L and 7L leave them to 3, 6 and 7)
 *       3 anything to a vipN_standby address: drop; a node never serves a
 *         VIP it does not own, even one left on an interface
 *       4 IPv6 Neighbor Solicitations and Advertisements to vip6_noaccept:
 *         accept (RFC 9568: ND keeps working without Accept_Mode)
 *       5 anything but VRRP to a vipN_noaccept address: drop (Accept_Mode)
 *     chain output  hook output, priority filter - 10, policy accept
 *       6 Neighbor Advertisements whose target is in vip6_standby: drop
 *     with fence_port only (its own block below, "fence_port"):
 *     set vip4_fence, vip6_fence        VIP . port of instances not master
 *     chain fence-DEV  hook ingress device DEV, priority -20 (before 3L)
 *       F TCP to an element of vipN_fence: reject with tcp reset
 *   table arp TABLE
 *     set vip4_standby                  the same elements as inet's
 *     chain output  hook output, priority filter - 10, policy accept
 *       7 ARP whose sender address is in vip4_standby (replies, requests,
 *         announcements): drop; a node never claims a VIP it does not own
 *   table netdev TABLE (the lease: its sets and chains with vip_lease only)
 *     set vip4, vip6                    every VIP (but a draining one's)
 *     set lease4, lease6                flags dynamic, timeout: the VIPs
 *                                       whose lease runs, filled by 8L
 *     chain in-DEV   hook ingress device DEV, priority -10, policy accept
 *       3L IPv4 / IPv6 to a vipN address not in leaseN: drop
 *     chain out-DEV  hook egress device DEV, priority -10, policy accept
 *       6L Neighbor Advertisements whose target is in vip6 and not in
 *          lease6: drop
 *       7L ARP whose sender address is in vip4 and not in lease4: drop
 *       8L a VRRP advert to 224.0.0.18 / ff02::12 with a priority above
 *          zero (of the VRIDs of a class: the instances of a family there
 *          with one advert interval; any VRID when there is one class):
 *          update @leaseN { its k-th address timeout LEASE }, one rule
 *          for each k below the most VIPs an instance of the class has
 *     one pair of chains for each interface an instance runs on (that
 *     exists: the kernel hooks a device, not a name); a vmac's frames pass
 *     its lower interface both ways, so that one covers it.
 *     chain unicast  hook egress device lo, priority -10, policy accept
 *       (with instances that have unicast peers, while lo is up)
 *       8U a renewal (nft_lease_renew: the VIPs of the unicast adverts
 *          with a priority above zero sent this loop turn, up to 32 a
 *          packet) to 127.224.0.0 + LEASE in ms (127.240.0.0 + LEASE:
 *          IPv6 addresses): update @leaseN { each address timeout LEASE }
 *       8D any renewal (VRRP to 127.224.0.0/11): drop; none is delivered
 *
 * The lease (3L, 6L, 7L). Rules 3, 6 and 7 follow hafd's decisions, so
 * they hold only while hafd runs: a hafd killed with its guard, or frozen
 * (SIGSTOP, a cgroup freeze, D state), leaves its VIPs answering while a
 * backup takes over. A VIP is served only while its element in leaseN
 * lives; each advert its master sends renews it as it leaves (8L: the
 * kernel does it, from the advert's own address list), and the kernel lets
 * it lapse on its own when the adverts stop, with no process left. Only a
 * master sends adverts with a priority above zero, and a master back from
 * a stall sends one only after it has read the adverts that waited
 * (vrrp_inst_timer): a renewal is never made for an instance that is not
 * master. A unicast advert leaves only once its peer's neighbour entry
 * resolves (with the peer's host down, never): hafd lists its VIPs in a
 * renewal it sends to lo once the loop turn's timers have run, which no
 * neighbour holds back (8U); one packet serves up to 32 VIPs of the
 * adverts sent in that turn (at 255 x 10 ms, one packet per advert cost
 * the master a quarter more CPU).
 * LEASE is 5/2 of the master's advert interval: a backup takes
 * over after its Master_Down_Interval, 3 x interval + Skew_Time, counted
 * from the last advert it heard, which renewed the lease as it left, so
 * the old master stops answering at least half an interval before the new
 * one starts; an advert may come an interval and a half late before the
 * lease lapses under a live master. hafd sends no renewal at all: at 255
 * instances x 10 ms, renewals sent as nftables batches (one element update
 * per VIP per advert) cost a quarter more CPU than no lease; in the
 * egress hook they cost a hash update per advert. The lease rules have a
 * table of their own because a rule can only look up a set of its table,
 * and only the netdev family sees IP, IPv6 and ARP alike. The protocol
 * is matched in the IP header (8L), not by meta l4proto: `nft list` can
 * print a transport-header field only behind a protocol it knows.
 *
 * RATE (nft.c) is 100/s, or twice the adverts per second that all the
 * instances together send when that is more: a legitimate peer never meets
 * it, a flood from one source cannot starve the daemon.
 *
 * Rule 2 alone does not hold a flood from forged sources: each sends a few
 * packets, far below RATE, and once vrrp_rateN is full (4096 sources) a
 * new source is not tracked at all and its packets pass. Rules 2a and 2b
 * hold whatever the number of sources: what reaches the daemon from sources
 * it does not know is CAP/s per family and bucket (nft_vrrp_cap, 1000 by
 * default), while the adverts of the masters its backups follow and of its
 * unicast peers never meet them. What meets 2a legitimately is a master
 * hafd has not heard yet (start, failover): BURST, CAP or the adverts all
 * the instances send in a second when that is more, covers start-up
 * whatever the number of instances. 2b keeps VRIDs hafd does not run
 * (other routers on a busy segment, or a flood on them) from spending
 * 2a's budget: with one shared bucket, 3000/s of legitimate VRRP from
 * other routers left a new master unheard and two masters for seconds.
 * Under a forged flood a new master is heard later, and one that forges a
 * known address meets only rule 2.
 *
 * Every drop counts, and each rule carries a comment saying what it is for.
 *
 * hafd's own GARPs leave through AF_PACKET and never meet rule 7; its NAs
 * leave through a raw ICMPv6 socket and do meet rule 6, which is why vrrp.c
 * updates the table before the VIPs move. */
#include "nft_priv.h"

#include <errno.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/netfilter.h>
#include <linux/netfilter_arp.h>
#include <linux/netfilter/nf_tables.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>

#define CHAIN_PRIO (-10)                /* just before the usual filter chains */
#define RATE_SET_SIZE 4096              /* sources tracked at once */
#define RATE_SET_TIMEOUT_MS 60000       /* a quiet source is forgotten */
#define ELEMS_PER_MSG 256               /* an element list stays under 64 KiB */
#define MSG_ROOM 1024                   /* any message but an element list */
#define MSGS_FIXED 64                   /* tables, sets, chains, rules */
#define ELEM_ROOM 64                    /* one element in a list */
#define SLACK (ELEMS_PER_MSG * ELEM_ROOM + MSG_ROOM)  /* a message past the limit */
#define ND_NS 135
#define ND_NA 136
/* nft's datatype numbers, so that `nft list` prints addresses. */
#define NFT_TYPE_INTEGER 4
#define NFT_TYPE_IPADDR 7
#define NFT_TYPE_IP6ADDR 8
#define LEASE_SET_SIZE 65535            /* 255 VIPs x 255 VRIDs: never full */

static const struct {
	const char *name;
	int family;
} sets[NSET_N] = {
	[NSET_STANDBY4] = { "vip4_standby", AF_INET },
	[NSET_STANDBY6] = { "vip6_standby", AF_INET6 },
	[NSET_VIP4] = { "vip4", AF_INET },      /* netdev table */
	[NSET_VIP6] = { "vip6", AF_INET6 },     /* netdev table */
	[NSET_NOACCEPT4] = { "vip4_noaccept", AF_INET },
	[NSET_NOACCEPT6] = { "vip6_noaccept", AF_INET6 },
	[NSET_PEER4] = { "peer4", AF_INET },
	[NSET_PEER6] = { "peer6", AF_INET6 },
	[NSET_KNOWN4] = { "vrrp_known4", AF_INET },
	[NSET_KNOWN6] = { "vrrp_known6", AF_INET6 },
	[NSET_DRAIN4] = { "vip4_drain", AF_INET },
	[NSET_DRAIN6] = { "vip6_drain", AF_INET6 },
};

const char *nft_set_name(enum nft_set_idx i)
{
	return sets[i].name;
}

const char *nft_lease_set_name(int af)
{
	return af == AF_INET ? "lease4" : "lease6";
}

/* The set the arp table has too: its rule 7 looks it up. */
static bool in_arp_table(enum nft_set_idx i)
{
	return i == NSET_STANDBY4;
}

/* vip4 and vip6 are the lease's, in the netdev table. */
static bool in_netdev_table(enum nft_set_idx i)
{
	return i == NSET_VIP4 || i == NSET_VIP6;
}

int nft_set_family(enum nft_set_idx i)
{
	return sets[i].family;
}

/* ---- the batch ---------------------------------------------------------- */

int nft_batch_init(struct nft_batch *b, size_t addrs, uint32_t seq)
{
	size_t limit = MSGS_FIXED * MSG_ROOM + 2 * addrs * ELEM_ROOM;

	memset(b, 0, sizeof(*b));
	b->buf = malloc(limit + SLACK);
	if (!b->buf)
		return -1;
	b->b = mnl_nlmsg_batch_start(b->buf, limit);
	if (!b->b) {
		free(b->buf);
		errno = ENOMEM;
		return -1;
	}
	b->seq0 = seq;
	nftnl_batch_begin(mnl_nlmsg_batch_current(b->b), seq);
	mnl_nlmsg_batch_next(b->b);
	return 0;
}

static void batch_fail(struct nft_batch *b, int err)
{
	if (!b->err)
		b->err = err;
}

static struct nlmsghdr *msg_start(struct nft_batch *b, uint16_t type, int family,
				  uint16_t flags, const char *what)
{
	uint32_t seq = b->seq0 + 1 + b->n_msgs;

	if (b->n_msgs < NFT_WHAT_MAX)
		b->what[b->n_msgs] = what;
	b->n_msgs++;
	return nftnl_nlmsg_build_hdr(mnl_nlmsg_batch_current(b->b), type, (uint16_t)family,
				     flags | NLM_F_ACK, seq);
}

/* Past the limit the message stays where it is (inside the slack) and the
 * batch is not sent. */
static void msg_end(struct nft_batch *b)
{
	if (!mnl_nlmsg_batch_next(b->b))
		batch_fail(b, EMSGSIZE);
}

int nft_batch_end(struct nft_batch *b)
{
	nftnl_batch_end(mnl_nlmsg_batch_current(b->b), b->seq0 + 1 + b->n_msgs);
	msg_end(b);
	if (b->err) {
		errno = b->err;
		return -1;
	}
	return 0;
}

const void *nft_batch_data(const struct nft_batch *b, size_t *len)
{
	*len = mnl_nlmsg_batch_size(b->b);
	return mnl_nlmsg_batch_head(b->b);
}

void nft_batch_free(struct nft_batch *b)
{
	if (b->b)
		mnl_nlmsg_batch_stop(b->b);
	free(b->buf);
	b->b = NULL;
	b->buf = NULL;
}

/* ---- tables, sets, chains ----------------------------------------------- */

static void table_msg(struct nft_batch *b, uint16_t type, uint16_t flags, int family,
		      const char *table, const char *what)
{
	struct nftnl_table *t = nftnl_table_alloc();

	if (!t || nftnl_table_set_str(t, NFTNL_TABLE_NAME, table) < 0) {
		batch_fail(b, ENOMEM);
	} else {
		nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, (uint32_t)family);
		nftnl_table_nlmsg_build_payload(msg_start(b, type, family, flags, what), t);
		msg_end(b);
	}
	if (t)
		nftnl_table_free(t);
}

void nft_build_tables(struct nft_batch *b, const char *table, bool recreate)
{
	static const int families[] = { NFPROTO_INET, NFPROTO_ARP, NFPROTO_NETDEV };

	for (size_t i = 0; i < sizeof(families) / sizeof(families[0]); i++) {
		table_msg(b, NFT_MSG_NEWTABLE, NLM_F_CREATE, families[i], table, "add table");
		table_msg(b, NFT_MSG_DELTABLE, 0, families[i], table, "delete table");
		if (recreate)
			table_msg(b, NFT_MSG_NEWTABLE, NLM_F_CREATE | NLM_F_EXCL, families[i],
				  table, "create table");
	}
}

/* A set object naming table and set; NULL (and the batch failed) on ENOMEM. */
static struct nftnl_set *set_new(struct nft_batch *b, int family, const char *table,
				 const char *name)
{
	struct nftnl_set *s = nftnl_set_alloc();

	if (s && nftnl_set_set_str(s, NFTNL_SET_TABLE, table) == 0 &&
	    nftnl_set_set_str(s, NFTNL_SET_NAME, name) == 0) {
		nftnl_set_set_u32(s, NFTNL_SET_FAMILY, (uint32_t)family);
		return s;
	}
	if (s)
		nftnl_set_free(s);
	batch_fail(b, ENOMEM);
	return NULL;
}

enum set_kind {
	SET_PLAIN,                      /* elements the batches put in and take out */
	SET_DYNAMIC,                    /* filled by the rules (vrrp_rate4/6) */
};

static void set_msg(struct nft_batch *b, int family, const char *table, const char *name,
		    int af, enum set_kind kind)
{
	struct nftnl_set *s = set_new(b, family, table, name);

	if (!s)
		return;
	if (af == AF_INET) {
		nftnl_set_set_u32(s, NFTNL_SET_KEY_TYPE, NFT_TYPE_IPADDR);
		nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, 4);
	} else {
		nftnl_set_set_u32(s, NFTNL_SET_KEY_TYPE, NFT_TYPE_IP6ADDR);
		nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, 16);
	}
	nftnl_set_set_u32(s, NFTNL_SET_ID, b->n_msgs + 1);     /* the kernel wants one */
	if (kind == SET_DYNAMIC) {
		nftnl_set_set_u32(s, NFTNL_SET_FLAGS, NFT_SET_EVAL | NFT_SET_TIMEOUT);
		nftnl_set_set_u64(s, NFTNL_SET_TIMEOUT, RATE_SET_TIMEOUT_MS);
		nftnl_set_set_u32(s, NFTNL_SET_DESC_SIZE, RATE_SET_SIZE);
	}
	nftnl_set_nlmsg_build_payload(msg_start(b, NFT_MSG_NEWSET, family,
						NLM_F_CREATE | NLM_F_EXCL, "add set"), s);
	msg_end(b);
	nftnl_set_free(s);
}

/* The netdev table's lease4 / lease6: VIPs with a timeout, put in and
 * renewed by rules 8L as the adverts leave (dynamic). */
static void lease_set_msg(struct nft_batch *b, const char *table, int af)
{
	struct nftnl_set *s = set_new(b, NFPROTO_NETDEV, table, nft_lease_set_name(af));

	if (!s)
		return;
	nftnl_set_set_u32(s, NFTNL_SET_KEY_TYPE, af == AF_INET ? NFT_TYPE_IPADDR : NFT_TYPE_IP6ADDR);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, af == AF_INET ? 4 : 16);
	nftnl_set_set_u32(s, NFTNL_SET_ID, b->n_msgs + 1);
	nftnl_set_set_u32(s, NFTNL_SET_FLAGS, NFT_SET_EVAL | NFT_SET_TIMEOUT);
	nftnl_set_set_u32(s, NFTNL_SET_DESC_SIZE, LEASE_SET_SIZE);
	nftnl_set_nlmsg_build_payload(msg_start(b, NFT_MSG_NEWSET, NFPROTO_NETDEV,
						NLM_F_CREATE | NLM_F_EXCL, "add set"), s);
	msg_end(b);
	nftnl_set_free(s);
}

/* A base chain; dev: the device of a netdev chain, else NULL. */
static void chain_msg(struct nft_batch *b, int family, const char *table, const char *name,
		      unsigned hook, const char *dev)
{
	struct nftnl_chain *c = nftnl_chain_alloc();
	struct nlmsghdr *nlh;

	if (!c || nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, table) < 0 ||
	    nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, name) < 0 ||
	    nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, "filter") < 0 ||
	    (dev && nftnl_chain_set_str(c, NFTNL_CHAIN_DEV, dev) < 0)) {
		batch_fail(b, ENOMEM);
	} else {
		nftnl_chain_set_u32(c, NFTNL_CHAIN_FAMILY, (uint32_t)family);
		nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, hook);
		nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, CHAIN_PRIO);
		nftnl_chain_set_u32(c, NFTNL_CHAIN_POLICY, NF_ACCEPT);
		nlh = msg_start(b, NFT_MSG_NEWCHAIN, family, NLM_F_CREATE | NLM_F_EXCL, "add chain");
		nftnl_chain_nlmsg_build_payload(nlh, c);
		msg_end(b);
	}
	if (c)
		nftnl_chain_free(c);
}

/* ---- rules: expressions on register 1 ------------------------------------ */

struct rule {
	struct nftnl_rule *r;
	bool oom;
};

static struct nftnl_expr *expr_add(struct rule *ru, const char *name)
{
	struct nftnl_expr *e = ru->r ? nftnl_expr_alloc(name) : NULL;

	if (e)
		nftnl_rule_add_expr(ru->r, e);
	else
		ru->oom = true;
	return e;
}

static void cmp(struct rule *ru, enum nft_cmp_ops op, const void *data, uint32_t len)
{
	struct nftnl_expr *e = expr_add(ru, "cmp");

	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, op);
	nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, data, len);
}

static void meta_cmp(struct rule *ru, enum nft_meta_keys key, enum nft_cmp_ops op, uint8_t v)
{
	struct nftnl_expr *e = expr_add(ru, "meta");

	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, NFT_REG_1);
	cmp(ru, op, &v, 1);
}

/* meta protocol (the frame's ethertype) == proto, for netdev rules. */
static void proto_is(struct rule *ru, uint16_t proto)
{
	struct nftnl_expr *e = expr_add(ru, "meta");
	uint16_t be = htons(proto);

	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, NFT_META_PROTOCOL);
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, NFT_REG_1);
	cmp(ru, NFT_CMP_EQ, &be, sizeof(be));
}

static void load(struct rule *ru, enum nft_payload_bases base, uint32_t offset, uint32_t len)
{
	struct nftnl_expr *e = expr_add(ru, "payload");

	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, offset);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
}

/* meta nfproto, then the IPv4 / IPv6 source or destination address. */
static void load_addr(struct rule *ru, int af, bool src)
{
	meta_cmp(ru, NFT_META_NFPROTO, NFT_CMP_EQ, af == AF_INET ? NFPROTO_IPV4 : NFPROTO_IPV6);
	if (af == AF_INET)
		load(ru, NFT_PAYLOAD_NETWORK_HEADER, src ? 12 : 16, 4);
	else
		load(ru, NFT_PAYLOAD_NETWORK_HEADER, src ? 8 : 24, 16);
}

static void in_set(struct rule *ru, const char *set, bool invert)
{
	struct nftnl_expr *e = expr_add(ru, "lookup");

	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, NFT_REG_1);
	nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, set);
	if (invert)
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_FLAGS, NFT_LOOKUP_F_INV);
}

/* The address in register 1 is a VIP (in vip4 / vip6) whose lease is
 * not in lease4 / lease6. */
static void lease_lapsed(struct rule *ru, int af)
{
	in_set(ru, nft_set_name(af == AF_INET ? NSET_VIP4 : NSET_VIP6), false);
	in_set(ru, nft_lease_set_name(af), true);
}

/* update @set { key limit rate over pps/second burst 2*pps packets } */
static void over_rate(struct rule *ru, const char *set, unsigned pps)
{
	struct nftnl_expr *lim = nftnl_expr_alloc("limit");
	struct nftnl_expr *e = lim ? expr_add(ru, "dynset") : NULL;

	if (!e) {
		if (lim)
			nftnl_expr_free(lim);
		ru->oom = true;
		return;
	}
	nftnl_expr_set_u64(lim, NFTNL_EXPR_LIMIT_RATE, pps);
	nftnl_expr_set_u64(lim, NFTNL_EXPR_LIMIT_UNIT, 1);
	nftnl_expr_set_u32(lim, NFTNL_EXPR_LIMIT_BURST, 2 * pps);
	nftnl_expr_set_u32(lim, NFTNL_EXPR_LIMIT_TYPE, NFT_LIMIT_PKTS);
	nftnl_expr_set_u32(lim, NFTNL_EXPR_LIMIT_FLAGS, NFT_LIMIT_F_INV);
	nftnl_expr_set_u32(e, NFTNL_EXPR_DYNSET_SREG_KEY, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_DYNSET_OP, NFT_DYNSET_OP_UPDATE);
	nftnl_expr_set_str(e, NFTNL_EXPR_DYNSET_SET_NAME, set);
	nftnl_expr_set(e, NFTNL_EXPR_DYNSET_EXPR, lim, 0);     /* e owns lim now */
}

static uint32_t vrid_set(struct nft_batch *b, int family, const char *table,
			 const uint8_t bitmap[32])
{
	struct nftnl_set *s = NULL;
	uint32_t id = b->n_msgs + 1;

	for (unsigned v = 1; v < 256; v++) {
		struct nftnl_set_elem *e;
		uint8_t key = (uint8_t)v;

		if (!(bitmap[v / 8] & (1u << (v % 8))))
			continue;
		if (!s) {
			if (!(s = set_new(b, family, table, "__set%d")))
				return 0;
			nftnl_set_set_u32(s, NFTNL_SET_KEY_TYPE, NFT_TYPE_INTEGER);
			nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, 1);
			nftnl_set_set_u32(s, NFTNL_SET_FLAGS, NFT_SET_ANONYMOUS | NFT_SET_CONSTANT);
			nftnl_set_set_u32(s, NFTNL_SET_ID, id);
			nftnl_set_nlmsg_build_payload(msg_start(b, NFT_MSG_NEWSET, family,
								NLM_F_CREATE | NLM_F_EXCL,
								"add set"), s);
			msg_end(b);
		}
		e = nftnl_set_elem_alloc();
		if (!e) {
			batch_fail(b, ENOMEM);
			nftnl_set_free(s);
			return 0;
		}
		nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, &key, 1);
		nftnl_set_elem_add(s, e);
	}
	if (!s)
		return 0;
	nftnl_set_elems_nlmsg_build_payload(msg_start(b, NFT_MSG_NEWSETELEM, family,
						      NLM_F_CREATE, "add elements"), s);
	msg_end(b);
	nftnl_set_free(s);
	return id;
}

static void in_anon_set(struct rule *ru, uint32_t id, bool invert)
{
	struct nftnl_expr *e = expr_add(ru, "lookup");

	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, NFT_REG_1);
	nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, "__set%d");
	nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SET_ID, id);
	if (invert)
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_FLAGS, NFT_LOOKUP_F_INV);
}
static void over_limit(struct rule *ru, unsigned pps, unsigned burst)
{
	struct nftnl_expr *e = expr_add(ru, "limit");

	if (!e)
		return;
	nftnl_expr_set_u64(e, NFTNL_EXPR_LIMIT_RATE, pps);
	nftnl_expr_set_u64(e, NFTNL_EXPR_LIMIT_UNIT, 1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_LIMIT_BURST, burst);
	nftnl_expr_set_u32(e, NFTNL_EXPR_LIMIT_TYPE, NFT_LIMIT_PKTS);
	nftnl_expr_set_u32(e, NFTNL_EXPR_LIMIT_FLAGS, NFT_LIMIT_F_INV);
}

/* Register 1 &= mask (len bytes, at most 16). */
static void bitwise_and(struct rule *ru, const void *mask, uint32_t len)
{
	static const uint8_t zero[16];
	struct nftnl_expr *e = expr_add(ru, "bitwise");

	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_DREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_LEN, len);
	nftnl_expr_set(e, NFTNL_EXPR_BITWISE_MASK, mask, len);
	nftnl_expr_set(e, NFTNL_EXPR_BITWISE_XOR, zero, len);
}

/* TCP without SYN: a segment of a connection, never the start of one. */
static void tcp_nosyn(struct rule *ru)
{
	static const uint8_t syn = 0x02, zero = 0;

	meta_cmp(ru, NFT_META_L4PROTO, NFT_CMP_EQ, IPPROTO_TCP);
	load(ru, NFT_PAYLOAD_TRANSPORT_HEADER, 13, 1);
	bitwise_and(ru, &syn, 1);
	cmp(ru, NFT_CMP_EQ, &zero, 1);
}

static void verdict(struct rule *ru, int v)
{
	struct nftnl_expr *e;

	if (v == NF_DROP)
		expr_add(ru, "counter");
	e = expr_add(ru, "immediate");
	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, (uint32_t)v);
}

static void rule_begin(struct rule *ru, int family, const char *table, const char *chain)
{
	ru->oom = false;
	ru->r = nftnl_rule_alloc();
	if (!ru->r || nftnl_rule_set_str(ru->r, NFTNL_RULE_TABLE, table) < 0 ||
	    nftnl_rule_set_str(ru->r, NFTNL_RULE_CHAIN, chain) < 0)
		ru->oom = true;
	else
		nftnl_rule_set_u32(ru->r, NFTNL_RULE_FAMILY, (uint32_t)family);
}

/* Append the rule with its comment (what `nft list` shows after it). */
static void rule_end(struct nft_batch *b, struct rule *ru, int family, const char *comment)
{
	struct nftnl_udata_buf *ud = nftnl_udata_buf_alloc(NFTNL_UDATA_COMMENT_MAXLEN + 8);
	struct nlmsghdr *nlh;

	if (!ud || !nftnl_udata_put_strz(ud, NFTNL_UDATA_RULE_COMMENT, comment) ||
	    (ru->r && nftnl_rule_set_data(ru->r, NFTNL_RULE_USERDATA, nftnl_udata_buf_data(ud),
					  nftnl_udata_buf_len(ud)) < 0))
		ru->oom = true;
	if (ru->oom) {
		batch_fail(b, ENOMEM);
	} else {
		nlh = msg_start(b, NFT_MSG_NEWRULE, family, NLM_F_CREATE | NLM_F_APPEND, "add rule");
		nftnl_rule_nlmsg_build_payload(nlh, ru->r);
		msg_end(b);
	}
	if (ud)
		nftnl_udata_buf_free(ud);
	if (ru->r)
		nftnl_rule_free(ru->r);
}

/* ---- the rules (numbered as in the comment at the top) ------------------- */

static void rules_vrrp(struct nft_batch *b, const char *table, int af,
		       const struct nft_want *w)
{
	bool v4 = af == AF_INET;
	struct rule ru;

	if (w->set[v4 ? NSET_PEER4 : NSET_PEER6].n) {                          /* 1 */
		rule_begin(&ru, NFPROTO_INET, table, "input");
		meta_cmp(&ru, NFT_META_L4PROTO, NFT_CMP_EQ, IPPROTO_VRRP_);
		meta_cmp(&ru, NFT_META_PKTTYPE, NFT_CMP_EQ, PACKET_HOST);
		load_addr(&ru, af, true);
		in_set(&ru, nft_set_name(v4 ? NSET_PEER4 : NSET_PEER6), true);
		verdict(&ru, NF_DROP);
		rule_end(b, &ru, NFPROTO_INET,
			 "hafd: VRRP from an address that is not a unicast_peer");
	}
	rule_begin(&ru, NFPROTO_INET, table, "input");                          /* 2 */
	meta_cmp(&ru, NFT_META_L4PROTO, NFT_CMP_EQ, IPPROTO_VRRP_);
	load_addr(&ru, af, true);
	over_rate(&ru, v4 ? "vrrp_rate4" : "vrrp_rate6", w->rate_pps);
	verdict(&ru, NF_DROP);
	rule_end(b, &ru, NFPROTO_INET, "hafd: VRRP flood from one source");
	if (!w->cap_pps)
		return;
	for (int ours = 1; ours >= 0; ours--) {                                /* 2a, 2b */
		/* With no VRID of this family run here, 2b alone covers all. */
		uint32_t vrids = vrid_set(b, NFPROTO_INET, table, w->vrids[!v4]);

		if (ours && !vrids)
			continue;
		rule_begin(&ru, NFPROTO_INET, table, "input");
		meta_cmp(&ru, NFT_META_L4PROTO, NFT_CMP_EQ, IPPROTO_VRRP_);
		load_addr(&ru, af, true);
		in_set(&ru, nft_set_name(v4 ? NSET_KNOWN4 : NSET_KNOWN6), true);
		/* The VRID: the byte after a header without options (IPv4) or
		 * extension headers (IPv6), as VRRP is sent. Not the transport
		 * header: nft 1.0.6 cannot list a rule that matches it after
		 * l4proto. A packet with options may count against the wrong
		 * one of the two caps, never against neither. */
		if (vrids) {
			load(&ru, NFT_PAYLOAD_NETWORK_HEADER, v4 ? 21 : 41, 1);
			in_anon_set(&ru, vrids, !ours);
		}
		over_limit(&ru, w->cap_pps, ours ? w->cap_burst : w->cap_pps);
		verdict(&ru, NF_DROP);
		rule_end(b, &ru, NFPROTO_INET, ours ?
			 "hafd: VRRP beyond the cap on unknown sources" :
			 "hafd: VRRP beyond the cap on unknown sources, VRIDs not run here");
	}
}

static void rules_vips(struct nft_batch *b, const char *table, int af)
{
	bool v4 = af == AF_INET;
	struct rule ru;

	rule_begin(&ru, NFPROTO_INET, table, "input");                          /* 3D */
	load_addr(&ru, af, false);
	in_set(&ru, nft_set_name(v4 ? NSET_DRAIN4 : NSET_DRAIN6), false);
	tcp_nosyn(&ru);
	verdict(&ru, NF_ACCEPT);
	rule_end(b, &ru, NFPROTO_INET, "hafd: drain: established TCP to a VIP handed over");
	rule_begin(&ru, NFPROTO_INET, table, "input");                          /* 3 */
	load_addr(&ru, af, false);
	in_set(&ru, nft_set_name(v4 ? NSET_STANDBY4 : NSET_STANDBY6), false);
	verdict(&ru, NF_DROP);
	rule_end(b, &ru, NFPROTO_INET, "hafd: VIP of an instance that is not master here");
	if (!v4) {                                                              /* 4 */
		static const uint8_t ns = ND_NS, na = ND_NA;

		rule_begin(&ru, NFPROTO_INET, table, "input");
		load_addr(&ru, af, false);
		in_set(&ru, nft_set_name(NSET_NOACCEPT6), false);
		meta_cmp(&ru, NFT_META_L4PROTO, NFT_CMP_EQ, IPPROTO_ICMPV6);
		load(&ru, NFT_PAYLOAD_TRANSPORT_HEADER, 0, 1);
		cmp(&ru, NFT_CMP_GTE, &ns, 1);
		cmp(&ru, NFT_CMP_LTE, &na, 1);
		verdict(&ru, NF_ACCEPT);
		rule_end(b, &ru, NFPROTO_INET, "hafd: accept_mode = no: neighbor discovery");
	}
	rule_begin(&ru, NFPROTO_INET, table, "input");                          /* 5 */
	load_addr(&ru, af, false);
	in_set(&ru, nft_set_name(v4 ? NSET_NOACCEPT4 : NSET_NOACCEPT6), false);
	meta_cmp(&ru, NFT_META_L4PROTO, NFT_CMP_NEQ, IPPROTO_VRRP_);
	verdict(&ru, NF_DROP);
	rule_end(b, &ru, NFPROTO_INET, "hafd: accept_mode = no: only VRRP to the VIP");
}

/* Rule 6 (inet output): NAs whose target is in vip6_standby; or 6L
 * (`chain`: a netdev egress chain): a VIP whose lease lapsed. */
static void rule_na(struct nft_batch *b, const char *table, const char *chain)
{
	static const uint8_t na = ND_NA;
	int family = chain ? NFPROTO_NETDEV : NFPROTO_INET;
	struct rule ru;

	rule_begin(&ru, family, table, chain ? chain : "output");
	if (chain)
		proto_is(&ru, ETH_P_IPV6);
	else
		meta_cmp(&ru, NFT_META_NFPROTO, NFT_CMP_EQ, NFPROTO_IPV6);
	meta_cmp(&ru, NFT_META_L4PROTO, NFT_CMP_EQ, IPPROTO_ICMPV6);
	load(&ru, NFT_PAYLOAD_TRANSPORT_HEADER, 0, 1);
	cmp(&ru, NFT_CMP_EQ, &na, 1);
	load(&ru, NFT_PAYLOAD_TRANSPORT_HEADER, 8, 16);                  /* target address */
	if (chain)
		lease_lapsed(&ru, AF_INET6);
	else
		in_set(&ru, nft_set_name(NSET_STANDBY6), false);
	verdict(&ru, NF_DROP);
	rule_end(b, &ru, family, chain ? "hafd: NA for a VIP whose lease lapsed" :
		 "hafd: NA for a VIP that is not ours");
}

/* Rule 7 (arp output): ARP whose sender is in vip4_standby; or 7L
 * (`chain`: a netdev egress chain): a VIP whose lease lapsed. */
static void rule_arp(struct nft_batch *b, const char *table, const char *chain)
{
	static const uint8_t arp_ip_eth[4] = { 0x08, 0x00, 6, 4 };     /* ptype, hlen, plen */
	int family = chain ? NFPROTO_NETDEV : NFPROTO_ARP;
	struct rule ru;

	rule_begin(&ru, family, table, chain ? chain : "output");
	if (chain)
		proto_is(&ru, ETH_P_ARP);
	load(&ru, NFT_PAYLOAD_NETWORK_HEADER, 2, 4);
	cmp(&ru, NFT_CMP_EQ, arp_ip_eth, sizeof(arp_ip_eth));
	load(&ru, NFT_PAYLOAD_NETWORK_HEADER, 14, 4);                    /* sender address */
	if (chain)
		lease_lapsed(&ru, AF_INET);
	else
		in_set(&ru, nft_set_name(NSET_STANDBY4), false);
	verdict(&ru, NF_DROP);
	rule_end(b, &ru, family, chain ? "hafd: ARP for a VIP whose lease lapsed" :
		 "hafd: ARP for a VIP that is not ours");
}

/* Rule 3L in a netdev ingress chain: traffic to a VIP whose lease lapsed. */
static void rule_lapsed(struct nft_batch *b, const char *table, const char *chain, int af)
{
	struct rule ru;

	rule_begin(&ru, NFPROTO_NETDEV, table, chain);
	proto_is(&ru, af == AF_INET ? ETH_P_IP : ETH_P_IPV6);
	if (af == AF_INET)
		load(&ru, NFT_PAYLOAD_NETWORK_HEADER, 16, 4);
	else
		load(&ru, NFT_PAYLOAD_NETWORK_HEADER, 24, 16);
	lease_lapsed(&ru, af);
	verdict(&ru, NF_DROP);
	rule_end(b, &ru, NFPROTO_NETDEV, "hafd: VIP whose lease lapsed");
}

/* update @leaseN { register 1 timeout c->ms } */
static void lease_update(struct rule *ru, const struct nft_lclass *c)
{
	struct nftnl_expr *e = expr_add(ru, "dynset");

	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_DYNSET_SREG_KEY, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_DYNSET_OP, NFT_DYNSET_OP_UPDATE);
	nftnl_expr_set_str(e, NFTNL_EXPR_DYNSET_SET_NAME, nft_lease_set_name(c->family));
	nftnl_expr_set_u64(e, NFTNL_EXPR_DYNSET_TIMEOUT, c->ms);
}

/* Rule 8L in a netdev egress chain: an advert to the group (224.0.0.18,
 * ff02::12) with a priority above zero (only a master sends one) of one
 * of the VRIDs of c (any, with `all`), that carries a k-th address,
 * renews that address's lease for c->ms. One rule for each k: the address
 * count is in the advert, and nftables reads fixed offsets. A unicast
 * advert is not one: one held back while its peer's address resolves
 * would renew late, after the other peers started counting their
 * Master_Down_Interval; its VIPs are renewed on lo, at once (8U). The
 * protocol is matched in the IP header, as `nft` writes `ip protocol
 * vrrp` (it cannot list a transport-header field behind meta l4proto 112,
 * a protocol it does not know). */
static void rule_renew(struct nft_batch *b, const char *table, const char *chain,
		       const struct nft_lclass *c, bool all, unsigned k)
{
	static const uint8_t vrrp = IPPROTO_VRRP_, zero = 0;
	static const uint8_t group4[4] = { 224, 0, 0, 18 };
	static const uint8_t group6[16] = { 0xff, 0x02, [15] = 0x12 };
	bool v4 = c->family == AF_INET;
	uint32_t vrids = all ? 0 : vrid_set(b, NFPROTO_NETDEV, table, c->vrids);
	uint8_t count = (uint8_t)k;
	struct rule ru;

	rule_begin(&ru, NFPROTO_NETDEV, table, chain);
	proto_is(&ru, v4 ? ETH_P_IP : ETH_P_IPV6);
	load(&ru, NFT_PAYLOAD_NETWORK_HEADER, v4 ? 9 : 6, 1);           /* protocol */
	cmp(&ru, NFT_CMP_EQ, &vrrp, 1);
	load(&ru, NFT_PAYLOAD_NETWORK_HEADER, v4 ? 16 : 24, v4 ? 4 : 16); /* destination */
	cmp(&ru, NFT_CMP_EQ, v4 ? group4 : group6, v4 ? 4 : 16);
	if (vrids) {
		load(&ru, NFT_PAYLOAD_TRANSPORT_HEADER, 1, 1);           /* VRID */
		in_anon_set(&ru, vrids, false);
	}
	load(&ru, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 1);                   /* priority */
	cmp(&ru, NFT_CMP_NEQ, &zero, 1);
	load(&ru, NFT_PAYLOAD_TRANSPORT_HEADER, 3, 1);                   /* address count */
	cmp(&ru, NFT_CMP_GT, &count, 1);
	load(&ru, NFT_PAYLOAD_TRANSPORT_HEADER, 8 + k * (v4 ? 4 : 16), v4 ? 4 : 16);
	lease_update(&ru, c);
	expr_add(&ru, "counter");
	rule_end(b, &ru, NFPROTO_NETDEV, "hafd: an advert renews the lease of a VIP it carries");
}

/* Rules 8L of a device: with one length for a family there, every advert
 * of that family is in it, and the rules need not look at the VRID. */
static void rules_renew(struct nft_batch *b, const char *table, const char *chain,
			const struct nft_dev *d)
{
	for (size_t i = 0; i < d->n_cls; i++) {
		const struct nft_lclass *c = &d->cls[i];
		bool all = true;

		for (size_t j = 0; j < d->n_cls; j++)
			if (j != i && d->cls[j].family == c->family)
				all = false;
		for (unsigned k = 0; k < c->n_addrs; k++)
			rule_renew(b, table, chain, c, all, k);
	}
}

/* Rule 8U (chain unicast, on lo's egress): a renewal of unicast masters'
 * leases (nft_lease_renew), sent to nft_lease_dst(c->family, c->ms),
 * always in IPv4, lists up to NFT_COPY_SLOTS addresses of c's family
 * after its IP header: each renews its lease for c->ms. One rule: it
 * stops at the first slot past the packet's end (the payload load
 * breaks), having renewed those before. */
/* A rule of the chain unicast, begun: an IPv4 VRRP packet, its
 * destination address in register 1. */
static void renewal_rule_begin(struct rule *ru, const char *table)
{
	static const uint8_t vrrp = IPPROTO_VRRP_;

	rule_begin(ru, NFPROTO_NETDEV, table, "unicast");
	proto_is(ru, ETH_P_IP);
	load(ru, NFT_PAYLOAD_NETWORK_HEADER, 9, 1);
	cmp(ru, NFT_CMP_EQ, &vrrp, 1);
	load(ru, NFT_PAYLOAD_NETWORK_HEADER, 16, 4);
}

static void rule_renew_copy(struct nft_batch *b, const char *table, const struct nft_lclass *c)
{
	uint32_t dst = htonl(nft_lease_dst(c->family, c->ms)), w = c->family == AF_INET ? 4 : 16;
	struct rule ru;

	renewal_rule_begin(&ru, table);
	cmp(&ru, NFT_CMP_EQ, &dst, 4);
	expr_add(&ru, "counter");
	for (uint32_t k = 0; k < NFT_COPY_SLOTS; k++) {
		load(&ru, NFT_PAYLOAD_TRANSPORT_HEADER, k * w, w);
		lease_update(&ru, c);
	}
	rule_end(b, &ru, NFPROTO_NETDEV, "hafd: unicast masters renew the leases of the VIPs listed");
}

/* The chain unicast on lo's egress: rules 8U, then rule 8D, which drops
 * every renewal: none is delivered. */
static void chain_unicast(struct nft_batch *b, const char *table, const struct nft_dev *lo)
{
	const uint32_t net = htonl(NFT_LEASE_NET), mask = htonl(~NFT_LEASE_MASK);
	struct rule ru;

	chain_msg(b, NFPROTO_NETDEV, table, "unicast", NF_NETDEV_EGRESS, lo->name);
	for (size_t i = 0; i < lo->n_cls; i++)
		rule_renew_copy(b, table, &lo->cls[i]);
	renewal_rule_begin(&ru, table);
	bitwise_and(&ru, &mask, 4);
	cmp(&ru, NFT_CMP_EQ, &net, 4);
	verdict(&ru, NF_DROP);
	rule_end(b, &ru, NFPROTO_NETDEV, "hafd: a unicast renewal goes no further");
}

/* The netdev table's sets, and a pair of chains for each device that
 * exists, with rules 3L, 6L, 7L and 8L. */
static void lease_skeleton(struct nft_batch *b, const char *table, const struct nft_want *w)
{
	set_msg(b, NFPROTO_NETDEV, table, nft_set_name(NSET_VIP4), AF_INET, SET_PLAIN);
	set_msg(b, NFPROTO_NETDEV, table, nft_set_name(NSET_VIP6), AF_INET6, SET_PLAIN);
	lease_set_msg(b, table, AF_INET);
	lease_set_msg(b, table, AF_INET6);
	for (size_t i = 0; i < w->n_devs; i++) {
		char in[IFNAMSIZ + 8], out[IFNAMSIZ + 8];

		if (!w->devs[i].ifindex)
			continue;
		snprintf(in, sizeof(in), "in-%s", w->devs[i].name);
		snprintf(out, sizeof(out), "out-%s", w->devs[i].name);
		chain_msg(b, NFPROTO_NETDEV, table, in, NF_NETDEV_INGRESS, w->devs[i].name);
		chain_msg(b, NFPROTO_NETDEV, table, out, NF_NETDEV_EGRESS, w->devs[i].name);
		rule_lapsed(b, table, in, AF_INET);                             /* 3L */
		rule_lapsed(b, table, in, AF_INET6);
		rule_na(b, table, out);                                         /* 6L */
		rule_arp(b, table, out);                                        /* 7L */
		rules_renew(b, table, out, &w->devs[i]);                        /* 8L */
	}
	if (w->uni.n_cls && w->uni.ifindex)
		chain_unicast(b, table, &w->uni);                               /* 8U, 8D */
}

void nft_build_skeleton(struct nft_batch *b, const char *table, const struct nft_want *w)
{
	for (int i = 0; i < NSET_N; i++) {
		if (in_netdev_table((enum nft_set_idx)i))
			continue;
		set_msg(b, NFPROTO_INET, table, sets[i].name, sets[i].family, SET_PLAIN);
		if (in_arp_table((enum nft_set_idx)i))
			set_msg(b, NFPROTO_ARP, table, sets[i].name, AF_INET, SET_PLAIN);
	}
	set_msg(b, NFPROTO_INET, table, "vrrp_rate4", AF_INET, SET_DYNAMIC);
	set_msg(b, NFPROTO_INET, table, "vrrp_rate6", AF_INET6, SET_DYNAMIC);
	chain_msg(b, NFPROTO_INET, table, "input", NF_INET_LOCAL_IN, NULL);
	chain_msg(b, NFPROTO_INET, table, "output", NF_INET_LOCAL_OUT, NULL);
	chain_msg(b, NFPROTO_ARP, table, "output", NF_ARP_OUT, NULL);
	rules_vrrp(b, table, AF_INET, w);
	rules_vrrp(b, table, AF_INET6, w);
	rules_vips(b, table, AF_INET);
	rules_vips(b, table, AF_INET6);
	rule_na(b, table, NULL);                                                /* 6 */
	rule_arp(b, table, NULL);                                               /* 7 */
	if (w->lease)
		lease_skeleton(b, table, w);
	if (w->fence)
		nft_build_fence_skeleton(b, table, w);  /* rule F (fence_port, below) */
}

/* ---- set elements -------------------------------------------------------- */

/* Fills element i of a list (its key, and its timeout if it has one). */
typedef void elem_fill_fn(struct nftnl_set_elem *e, size_t i, const void *list);

/* One message of type NEWSETELEM with the n elements fill() makes from
 * list, or (n = 0, DELSETELEM) none: a flush of the set. */
static void elems_build(struct nft_batch *b, uint16_t type, int family, const char *table,
			const char *set, size_t n, elem_fill_fn *fill, const void *list,
			const char *what)
{
	struct nftnl_set *s = set_new(b, family, table, set);

	if (!s)
		return;
	for (size_t i = 0; i < n; i++) {
		struct nftnl_set_elem *e = nftnl_set_elem_alloc();

		if (!e) {
			batch_fail(b, ENOMEM);
			nftnl_set_free(s);
			return;
		}
		fill(e, i, list);
		nftnl_set_elem_add(s, e);
	}
	nftnl_set_elems_nlmsg_build_payload(msg_start(b, type, family,
						      type == NFT_MSG_NEWSETELEM ? NLM_F_CREATE : 0,
						      what), s);
	msg_end(b);
	nftnl_set_free(s);
}

static void addr_fill(struct nftnl_set_elem *e, size_t i, const void *list)
{
	const struct hafd_addr *a = (const struct hafd_addr *)list + i;

	nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, a->u.b, (uint32_t)addr_len(a));
}

/* NEWSETELEM with addrs, or (n = 0, DELSETELEM) an empty list: flush. */
static void elems_msg(struct nft_batch *b, uint16_t type, int family, const char *table,
		      const char *set, const struct hafd_addr *addrs, size_t n)
{
	elems_build(b, type, family, table, set, n, addr_fill, addrs,
		    n ? "add elements" : "flush set");
}

void nft_build_elems(struct nft_batch *b, const char *table, enum nft_set_idx i,
		     const struct nft_addrs *a, bool flush)
{
	int families[2] = { in_netdev_table(i) ? NFPROTO_NETDEV : NFPROTO_INET, NFPROTO_ARP };
	size_t n_families = in_arp_table(i) ? 2 : 1;

	for (size_t f = 0; f < n_families; f++) {
		if (flush)
			elems_msg(b, NFT_MSG_DELSETELEM, families[f], table, sets[i].name, NULL, 0);
		for (size_t off = 0; off < a->n; off += ELEMS_PER_MSG) {
			size_t n = a->n - off < ELEMS_PER_MSG ? a->n - off : ELEMS_PER_MSG;

			elems_msg(b, NFT_MSG_NEWSETELEM, families[f], table, sets[i].name,
				  a->a + off, n);
		}
	}
}

/* ---- the lease's elements ------------------------------------------------ */

static void lease_fill(struct nftnl_set_elem *e, size_t i, const void *list)
{
	const struct nft_lease *l = (const struct nft_lease *)list + i;

	nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, l->a.u.b, (uint32_t)addr_len(&l->a));
	nftnl_set_elem_set_u64(e, NFTNL_SET_ELEM_TIMEOUT, l->ms);
}

void nft_build_leases(struct nft_batch *b, const char *table, int af,
		      const struct nft_lease *l, size_t n)
{
	for (size_t off = 0; off < n; off += ELEMS_PER_MSG)
		elems_build(b, NFT_MSG_NEWSETELEM, NFPROTO_NETDEV, table, nft_lease_set_name(af),
			    n - off < ELEMS_PER_MSG ? n - off : ELEMS_PER_MSG, lease_fill, l + off,
			    "carry lease");
}

/* ---- fence_port ------------------------------------------------------------ */

/* In the inet table, with fence_port (w->fence):
 *   set vip4_fence, vip6_fence   VIP . TCP port (ipv4_addr . inet_service):
 *                                the fence_port of each instance that is
 *                                not master here (BACKUP, FAULT, INIT) and
 *                                not draining, with each of its VIPs, less
 *                                the VIPs a master instance holds here
 *   chain fence-DEV  hook ingress device DEV, priority -20, policy accept
 *     F TCP to an element of vipN_fence: counter, reject with tcp reset
 *   one chain for each interface a fenced instance runs on (that exists; a
 *   vmac's frames pass its lower interface, so that one covers it).
 *
 * Rule 3 drops traffic to a VIP that is not ours, which a client meets as
 * a connection attempt that hangs until its timeout (20 s and more for
 * libpq's default): a client whose ARP entry still points here after a
 * demotion, or any client while no node is master (during Patroni's own
 * failover). F answers it with a reset at once, so that a write through a
 * stale VIP fails fast and the client retries. It is at ingress, before
 * the lease's rule 3L (priority -10), which drops what goes to a VIP
 * without a lease, and before input: a packet to an address that is not
 * configured here (the VIP gone, the client's neighbour entry stale)
 * never reaches input. Reject from the inet family's ingress hook needs
 * Linux 5.11 (commit 117ca1f8920c, "netfilter: nft_reject_inet: allow to
 * use reject from inet ingress", with nf_reject_fill_skb_dst routing the
 * reset back to the client); Debian 12's 6.1 has it. The sets move with
 * vipN_standby, in the same batches: on the way to MASTER they empty in
 * the batch before the GARPs (vrrp.c), on the way out they fill in the
 * batch of the state change. */

#define NFT_TYPE_INET_SERVICE 13
#define NFT_TYPE_BITS 6                 /* a concatenation's types, 6 bits each */
#define FENCE_PRIO (-20)                /* before the lease's chains (CHAIN_PRIO) */

const char *nft_fence_set_name(int af)
{
	return af == AF_INET ? "vip4_fence" : "vip6_fence";
}

/* The key: the address, then the port (network order) in a 32-bit word of
 * its own, as the kernel lays out a concatenation in its registers. */
static uint32_t fence_key(const struct nft_fence *f, uint8_t key[20])
{
	uint32_t alen = (uint32_t)addr_len(&f->a);
	uint16_t port = htons(f->port);

	memset(key, 0, 20);
	memcpy(key, f->a.u.b, alen);
	memcpy(key + alen, &port, sizeof(port));
	return alen + 4;
}

static void fence_set_msg(struct nft_batch *b, const char *table, int af)
{
	struct nftnl_set *s = set_new(b, NFPROTO_INET, table, nft_fence_set_name(af));
	uint32_t addr_type = af == AF_INET ? NFT_TYPE_IPADDR : NFT_TYPE_IP6ADDR;

	if (!s)
		return;
	nftnl_set_set_u32(s, NFTNL_SET_KEY_TYPE, addr_type << NFT_TYPE_BITS | NFT_TYPE_INET_SERVICE);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, af == AF_INET ? 8 : 20);
	nftnl_set_set_u32(s, NFTNL_SET_ID, b->n_msgs + 1);
	nftnl_set_nlmsg_build_payload(msg_start(b, NFT_MSG_NEWSET, NFPROTO_INET,
						NLM_F_CREATE | NLM_F_EXCL, "add set"), s);
	msg_end(b);
	nftnl_set_free(s);
}

/* An inet chain hooking ingress on dev, before the lease's chains. */
static void fence_chain_msg(struct nft_batch *b, const char *table, const char *name,
			    const char *dev)
{
	struct nftnl_chain *c = nftnl_chain_alloc();

	if (!c || nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, table) < 0 ||
	    nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, name) < 0 ||
	    nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, "filter") < 0 ||
	    nftnl_chain_set_str(c, NFTNL_CHAIN_DEV, dev) < 0) {
		batch_fail(b, ENOMEM);
	} else {
		nftnl_chain_set_u32(c, NFTNL_CHAIN_FAMILY, NFPROTO_INET);
		nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, NF_INET_INGRESS);
		nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, FENCE_PRIO);
		nftnl_chain_set_u32(c, NFTNL_CHAIN_POLICY, NF_ACCEPT);
		nftnl_chain_nlmsg_build_payload(msg_start(b, NFT_MSG_NEWCHAIN, NFPROTO_INET,
							  NLM_F_CREATE | NLM_F_EXCL, "add chain"), c);
		msg_end(b);
	}
	if (c)
		nftnl_chain_free(c);
}

/* Rule F of one family, in chain `chain`. */
static void rule_fence(struct nft_batch *b, const char *table, const char *chain, int af)
{
	struct nftnl_expr *e;
	struct rule ru;

	rule_begin(&ru, NFPROTO_INET, table, chain);
	meta_cmp(&ru, NFT_META_NFPROTO, NFT_CMP_EQ, af == AF_INET ? NFPROTO_IPV4 : NFPROTO_IPV6);
	meta_cmp(&ru, NFT_META_L4PROTO, NFT_CMP_EQ, IPPROTO_TCP);
	if (af == AF_INET)                                      /* daddr: register 1 */
		load(&ru, NFT_PAYLOAD_NETWORK_HEADER, 16, 4);
	else
		load(&ru, NFT_PAYLOAD_NETWORK_HEADER, 24, 16);
	e = expr_add(&ru, "payload");                           /* dport, after it */
	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG,
				   af == AF_INET ? NFT_REG32_01 : NFT_REG_2);
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, NFT_PAYLOAD_TRANSPORT_HEADER);
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, 2);
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, 2);
	}
	in_set(&ru, nft_fence_set_name(af), false);
	expr_add(&ru, "counter");
	e = expr_add(&ru, "reject");
	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_REJECT_TYPE, NFT_REJECT_TCP_RST);
		nftnl_expr_set_u8(e, NFTNL_EXPR_REJECT_CODE, 0);
	}
	rule_end(b, &ru, NFPROTO_INET, "hafd: fence_port: TCP to a VIP not master here: reset");
}

void nft_build_fence_skeleton(struct nft_batch *b, const char *table, const struct nft_want *w)
{
	fence_set_msg(b, table, AF_INET);
	fence_set_msg(b, table, AF_INET6);
	for (size_t i = 0; i < w->n_fence_devs; i++) {
		char name[IFNAMSIZ + 8];

		if (!w->fence_devs[i].ifindex)
			continue;
		snprintf(name, sizeof(name), "fence-%s", w->fence_devs[i].name);
		fence_chain_msg(b, table, name, w->fence_devs[i].name);
		rule_fence(b, table, name, AF_INET);
		rule_fence(b, table, name, AF_INET6);
	}
}

static void fence_fill(struct nftnl_set_elem *e, size_t i, const void *list)
{
	uint8_t key[20];
	uint32_t len = fence_key((const struct nft_fence *)list + i, key);

	nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, key, len);
}

/* NEWSETELEM with f[0..n), or (n = 0, DELSETELEM) an empty list: flush. */
static void fence_elems_msg(struct nft_batch *b, uint16_t type, const char *table, int af,
			    const struct nft_fence *f, size_t n)
{
	elems_build(b, type, NFPROTO_INET, table, nft_fence_set_name(af), n, fence_fill, f,
		    n ? "add fence elements" : "flush fence set");
}

void nft_build_fence_elems(struct nft_batch *b, const char *table, int af,
			   const struct nft_fences *f, bool flush)
{
	if (flush)
		fence_elems_msg(b, NFT_MSG_DELSETELEM, table, af, NULL, 0);
	for (size_t off = 0; off < f->n; off += ELEMS_PER_MSG) {
		size_t n = f->n - off < ELEMS_PER_MSG ? f->n - off : ELEMS_PER_MSG;

		fence_elems_msg(b, NFT_MSG_NEWSETELEM, table, af, f->f + off, n);
	}
}
