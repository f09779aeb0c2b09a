/* drain.h: a planned handover that keeps established TCP connections
 * (hafctl handover --drain, drain_on_stop). Glue: it follows routers.
 *
 *   old master (A)                       new master (B)
 *   handover --drain D:
 *     "plan" to the VRRP group ------>   a backup that follows A answers
 *                              <------   "ack" and keeps the plan
 *     priority 1: B preempts             MASTER: the VIPs, then the
 *                                        forwarding rules (nft_fwd.h)
 *                                        before its first GARP / NA
 *   BACKUP: the VIPs leave eth0 and
 *   come back as /32 or /128 on lo,
 *   in vipN_standby (no ARP / NA, no
 *   new connection) and vipN_drain
 *   (TCP without SYN accepted)
 *     "drain" every interval -------->   keeps forwarding; stops by itself
 *                                        3 intervals after the last one
 *                                        (A died: clients get B's RSTs)
 *   no connection left on the VIPs
 *   (sock_diag), or D ran out:
 *     "end LEFT" ---------------------->  stops forwarding
 *   the VIPs leave lo; notify_drain      notify_drain
 *
 * A client's packets: ARP / NA lead them to B. A SYN is B's. A segment of
 * a flow B knows (a socket, or conntrack saw it begin) is B's. Any other
 * TCP segment to the VIP is duplicated to A's address with its destination
 * kept (nftables dup) and dropped at B; A's stack takes it on lo's address.
 * A's answers leave from A with the VIP as source. */
#ifndef HAFD_DRAIN_H
#define HAFD_DRAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hafd;
struct vrrp_router;

/* The UDP sockets and the timer. 0 or -1/errno (logged; hafd runs on,
 * without drains). */
int drain_open(struct hafd *h);
/* Ends every drain at once ("end" sent, VIPs off lo, forwarding off). */
void drain_close(struct hafd *h);

/* r, master, is about to hand over with a drain of up to dur_us: announce
 * it. 0 or -1/errno. */
int drain_plan(struct hafd *h, struct vrrp_router *r, uint64_t dur_us);
/* The handover of r did not happen: forget the plan. */
void drain_cancel(struct hafd *h, struct vrrp_router *r);
/* A state change of r (from vrrp.c): a planned router that left MASTER
 * starts draining; a router that became MASTER forwards for the master it
 * followed if that one planned a drain. */
void drain_state(struct hafd *h, struct vrrp_router *r, bool was_master, bool is_master);
/* r drains here (its VIPs are in vipN_drain). */
bool drain_active(const struct hafd *h, const struct vrrp_router *r);
/* Drains running or planned here as the old master. */
size_t drain_busy(const struct hafd *h);
/* What runs now, a line each, for hafctl status ("" when nothing):
 *   drain: lab/VRID 51 drains here: 12 connections left, 48 s to go
 *   drain: VRID 51: forwarding to 10.0.0.11 (draining there)
 * Returns the length written. */
size_t drain_describe(const struct hafd *h, char *buf, size_t len);
/* Whether the new master of r acknowledged the plan; text for hafctl. */
bool drain_acked(const struct hafd *h, const struct vrrp_router *r);

#endif
