/* vrrp.h: one virtual router per configured instance, and the glue between
 * sockets, timers, netlink events, checks and the pure FSM. */
#ifndef HAFD_VRRP_H
#define HAFD_VRRP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "log.h"
#include "timerq.h"
#include "vrrp_fsm.h"
#include "vrrp_inst.h"
#include "vrrp_pkt.h"

struct hafd;
struct config_match;
struct hafd_config;
struct cfg_instance;
struct vrrp_sock;
struct vmac;

struct vrrp_router {
	struct hafd *h;
	const struct cfg_instance *cfg;
	unsigned id;                    /* index in hafd.routers */
	char label[80];                 /* "NAME/VRID N", for logs */
	int ifindex;                    /* 0 while the interface is missing */
	unsigned char mac[6];           /* source MAC of GARP / NA */
	struct vrrp_sock *sock;
	struct vmac *vmac;              /* use_vmac: the macvlan, NULL without */
	struct vrrp_inst inst;          /* FSM, params, faults, sync group */
	struct hafd_addr if_primary;    /* the interface's address: GARP / NA, VMAC */
	struct timer fsm_timer;         /* the FSM's earliest timer */
	struct timer garp_timer;        /* both bursts, then refresh */
	struct timer announce_timer;    /* one burst, after this turn's nft batch */
	bool garp_first_done;           /* the burst on becoming master */
	bool garp_second_done;
	bool state_pending;             /* becoming master: reported after the first GARP */
	struct vrrp_actions pending_state;
	enum vrrp_state reported;       /* the state last reported (log, hooks):
					 * behind inst's while state_pending */
	bool vips_up;                   /* the VIPs are ours to keep */
	bool yielding;                  /* hafctl handover / maintenance:
					 * priority 1 (handover.h) */
	bool handing_over;              /* in the running handover, still master */
	int track_if_delta;             /* priority change from tracked interfaces */
	int check_delta;                /* priority change from checks */
	int sat_delta;                  /* its part from degraded checks, as
					 * applied (held after a move) */
	uint64_t moved_us;              /* last entered or left MASTER; 0 never */
	struct timer hold_timer;        /* hold_down ends: apply the checks */
	uint64_t state_since_us;
	bool begun;                     /* STARTUP has been fed */
	struct vrrp_router_stats stats;
	struct log_ratelimit warn_log;  /* per-router packet warnings */
};

/* Build a router per instance (in INIT; faults and priority deltas set
 * now are in place before they start). */
int vrrp_create(struct hafd *h);
/* Start them: sockets, initial faults, STARTUP. */
void vrrp_begin(struct hafd *h);
/* Reload, step 1: move the routers to ncfg (before it replaces h->cfg),
 * as m (config_match's instances) pairs them. A KEPT instance keeps its
 * router: same state, no flap, no GARP, no notify. REMOVED and CHANGED
 * ones stop gracefully (priority 0, VIPs removed); new ones are created in
 * INIT. 0 or -1/errno. */
int vrrp_reload(struct hafd *h, const struct hafd_config *ncfg, const struct config_match *m);
/* Step 2, once h->cfg is ncfg and checks are re-applied: start the new
 * routers; kept ones take the new priority (advertised at once if it
 * changed), preemption and tracked interfaces. */
void vrrp_reload_begin(struct hafd *h, const struct hafd_config *ncfg);
/* Graceful stop, step 1: every router removes its VIPs and resigns
 * (priority 0); step 2 frees them. */
void vrrp_resign(struct hafd *h);
void vrrp_stop(struct hafd *h);

/* netlink events (struct vip_events callbacks; arg is struct hafd). */
void vrrp_link_change(void *arg, int ifindex, const char *ifname, bool exists, bool up);
void vrrp_addr_deleted(void *arg, int ifindex, const struct hafd_addr *a);
void vrrp_addr_change(void *arg, int ifindex);

/* Set or clear one fault reason (enum vrrp_fault). */
void vrrp_fault_update(struct vrrp_router *r, unsigned reason, bool on);

/* Checks (check_run.h): check may contribute something new; re-sum it into
 * the instances that track it, fault first and out of fault last. Given
 * to check_run_start(). */
void vrrp_check_changed(struct hafd *h, size_t check);
/* The same for every instance and all its checks: at start, once the
 * runners exist (an unproven check already holds its instances), and
 * after a reload. */
void vrrp_checks_apply(struct hafd *h);

/* nftables (nft.h): every instance as nft needs it now; given to
 * nft_open(). */
struct nft_desc;
int vrrp_nft_describe(struct hafd *h, struct nft_desc *d);

#endif
