/* nft_fwd.h: the new master's half of a drain (drain.h): packets of TCP
 * flows this host does not know, sent to a VIP that a former master is
 * draining, go on to that former master with their destination kept.
 *
 * nftables' dup statement exists only in the ip, ip6 and netdev families,
 * not in inet, so these rules live in tables of their own, named like
 * hafd's (nft_table) in the ip and ip6 families, present only while a
 * drain is forwarded:
 *
 *   table ip TABLE                        (ip6 alike)
 *     chain drain_fwd  hook input, priority filter - 20, policy accept
 *       F1 TCP without SYN to VIP with an established socket here: accept
 *          (a connection of ours, even one conntrack met late)
 *       F2 TCP without SYN to VIP, conntrack state new or invalid: dup to
 *          OLD device IF, drop (a mid-flow segment no one here knows: the
 *          old master's; the copy keeps the destination address and goes
 *          to OLD's MAC, the original never reaches our stack and its
 *          RST). Invalid: conntrack picks up a flow in its middle from an
 *          ACK (new), but calls a FIN or RST with no flow invalid, and the
 *          old master needs the client's FIN to close
 *
 * A SYN never matches: new connections are ours. The handshake's last
 * ACK of a connection of ours is conntrack state established (the SYN
 * went through it), so it is not forwarded either. Edge: sends what it is
 * given. */
#ifndef HAFD_NFT_FWD_H
#define HAFD_NFT_FWD_H

#include <stddef.h>

#include "addr.h"

struct nft_fwd {
	struct hafd_addr vip;           /* the destination to forward */
	struct hafd_addr to;            /* the former master's address */
	int ifindex;                    /* where it lives */
};

/* Replace the tables with rules for f[0..n) (n = 0: no tables at all), in
 * one batch. 0, or -1/errno (the kernel's answer to the first message
 * that failed). */
int nft_fwd_apply(const char *table, const struct nft_fwd *f, size_t n);

#endif
