/* nft.h: hafd's own nftables tables (inet and arp, both named nft_table),
 * through libnftnl and libmnl. Created at start (replacing any a crashed
 * run left), changed in one atomic batch when what they should hold
 * changes, deleted on exit. They drop traffic to and ARP / NA claims for
 * the VIPs of instances that are not master, traffic to the VIPs of
 * non-owner masters with accept_mode = no (VRRP and ND aside), VRRP from
 * addresses that are not unicast peers, and VRRP floods. The rule set is
 * described at the top of nft_build.c and in hafd.conf(5). */
#ifndef HAFD_NFT_H
#define HAFD_NFT_H

#include <stddef.h>

struct hafd;
struct nft_ctx;

/* Open netlink and create the tables, empty (a leftover of that name is
 * replaced in the same batch). table NULL (nft_table = none): a context
 * that does nothing. 0 or -1/errno. */
int nft_open(struct nft_ctx **out, const char *table);
/* Make the tables hold what the routers' states call for, in one batch;
 * nothing is sent when nothing changed. A failure is logged and retried
 * every second. 0 or -1/errno. Does nothing once h->stopping is set. */
int nft_apply(struct nft_ctx *n, struct hafd *h);
/* nft_apply() once the timers due now have run: state changes that come
 * together (many routers at start-up or in a mass failover) make one
 * batch. Timers armed for now after this call run after the batch (GARPs
 * that the old table would drop). */
void nft_schedule(struct nft_ctx *n, struct hafd *h);
/* Delete the tables and free n. */
void nft_close(struct nft_ctx *n);
/* What the tables hold, read back from the kernel, as one JSON object:
 *   {"table":"hafd","ok":true,"vip_standby":["10.0.0.1"],"vip_noaccept":[],
 *    "unicast_peers":[],"vrrp_rate_pps":100,"vrrp_burst":200}
 * ("table":null when disabled; ok: the last change was applied). Returns
 * the length, or -1 with errno (ENOSPC: buf is too small). */
int nft_status(struct nft_ctx *n, char *buf, size_t len);

#endif
