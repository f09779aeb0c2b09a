/* vrrp_priv.h: what the parts of the per-instance glue share. vrrp.c: the
 * FSM, sync groups, faults, start, stop and reload; vrrp_tx.c: adverts,
 * VIPs and announcements; vrrp_rx.c: received adverts; vrrp_if.c:
 * interfaces and addresses. */
#ifndef HAFD_VRRP_PRIV_H
#define HAFD_VRRP_PRIV_H

#include <stddef.h>
#include <stdint.h>

#include "vrrp.h"

struct timer;
struct vrrp_sock;
struct vrrp_pkt_info;

/* vrrp.c */
void vrrp_router_event(struct vrrp_router *r, enum vrrp_event_type type);
/* Re-derive the effective priority; a change is an FSM event. */
void vrrp_priority_update(struct vrrp_router *r);

/* The lease on the instance's VIPs, in ms (nft.h). */
unsigned vrrp_lease_ms(const struct cfg_instance *c);

/* Report a state change held back for the first GARP burst, if any. */
void vrrp_state_report_pending(struct vrrp_router *r);

/* vrrp_tx.c */
void vrrp_advert_send(struct vrrp_router *r, uint8_t priority);
/* Give the crash guard our priority-0 adverts while master (or take them back). */
void vrrp_guard_update(struct vrrp_router *r);
/* The interface the VIPs live on: the macvlan with use_vmac, else ours. */
int vrrp_vips_ifindex(const struct vrrp_router *r);
void vrrp_garp_burst(struct vrrp_router *r);
void vrrp_garp_timer(struct timer *t, void *arg);
void vrrp_vips_add(struct vrrp_router *r);
void vrrp_vips_del(struct vrrp_router *r);        /* the addresses */
void vrrp_vmac_down(struct vrrp_router *r);

/* vrrp_rx.c: the receive callback of every VRRP socket (arg: struct hafd). */
void vrrp_rx_packet(void *arg, struct vrrp_sock *s, const uint8_t *pkt, size_t len,
		    const struct vrrp_pkt_info *info);

/* vrrp_if.c */
void vrrp_router_attach(struct vrrp_router *r, int ifindex);
void vrrp_router_detach(struct vrrp_router *r);
void vrrp_primary_refresh(struct vrrp_router *r);
void vrrp_track_if_update(struct vrrp_router *r);

#endif
