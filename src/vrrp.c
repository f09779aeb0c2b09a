/* vrrp.c: per-instance glue. Packets, timers and netlink events become FSM
 * events; FSM actions become adverts, VIP changes, GARPs and log lines. */
#include "vrrp.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "config.h"
#include "garp.h"
#include "guard.h"
#include "hafd.h"
#include "log.h"
#include "loop.h"
#include "nft.h"
#include "notify.h"
#include "vip.h"
#include "vmac.h"
#include "vrrp_group.h"
#include "vrrp_sock.h"

static void router_fsm_timer(struct timer *t, void *arg);
static void router_garp_timer(struct timer *t, void *arg);
static void router_step(struct vrrp_router *r, const struct vrrp_event *ev);
static void router_event(struct vrrp_router *r, enum vrrp_event_type type);

/* ---- priority and parameters ------------------------------------------ */

/* Base priority plus tracking deltas, within 1..254; an owner stays 255. */
static uint8_t effective_priority(const struct vrrp_router *r)
{
	int p = r->cfg->priority;

	if (p == 255)
		return 255;
	p += r->track_if_delta + r->check_delta;
	return (uint8_t)(p < 1 ? 1 : p > 254 ? 254 : p);
}

static void params_init(struct vrrp_router *r)
{
	const struct cfg_instance *c = r->cfg;

	r->params.version = c->version;
	r->params.priority = effective_priority(r);
	r->params.adver_int_cs = c->advert_interval_cs;
	r->params.preempt = c->preempt || c->priority == 255;  /* item 29: the owner preempts */
	r->params.preempt_delay_us = c->preempt_delay_us;
	r->params.pair = c->pair;
	r->params.preempt_blocked = false;
}

/* ---- sending ------------------------------------------------------------ */

/* Build the advert for destination i (the group, or unicast peer i).
 * Returns its length, or -1. */
static ssize_t advert_build(const struct vrrp_router *r, uint8_t priority, size_t i,
			    uint8_t *buf, size_t cap, struct hafd_addr *src, struct hafd_addr *dst)
{
	const struct cfg_instance *c = r->cfg;
	struct vrrp_pkt_params p = {
		.version = c->version, .vrid = c->vrid, .priority = priority,
		.adver_int_cs = c->advert_interval_cs, .family = c->family,
		.addrs = c->vips, .n_addrs = c->n_vips,
		.csum_form = r->h->cfg->global.v3_checksum == CFG_CSUM_RFC9568 ?
			VRRP_CSUM_RFC9568 : VRRP_CSUM_RFC5798,
	};

	p.src = c->has_unicast_src ? c->unicast_src : r->params.primary;
	if (c->n_peers)
		p.dst = c->peers[i];
	else
		vrrp_sock_group(c->family, &p.dst);
	*src = p.src;
	*dst = p.dst;
	return vrrp_pkt_build(buf, cap, &p);
}

static size_t advert_destinations(const struct vrrp_router *r)
{
	return r->cfg->n_peers ? r->cfg->n_peers : 1;
}

static void advert_send(struct vrrp_router *r, uint8_t priority)
{
	uint8_t buf[VRRP_PKT_MAX];

	if (!r->sock)
		return;
	for (size_t i = 0; i < advert_destinations(r); i++) {
		struct hafd_addr src, dst;
		ssize_t len = advert_build(r, priority, i, buf, sizeof(buf), &src, &dst);

		if (len < 0 || vmac_send(r->vmac, r->sock, &src, &dst, buf, (size_t)len) < 0) {
			r->stats.send_errors++;
			if (log_ratelimit_allow(&r->warn_log, loop_now(r->h->loop), NULL))
				log_warn("[%s] sending advert", r->label);
			continue;
		}
		r->stats.sent_advertisements++;
		if (priority == 0)
			r->stats.sent_pri_zero++;
	}
}

/* While master, the crash guard holds our priority-0 adverts, ready to
 * send them if hafd dies. */
static void guard_update(struct vrrp_router *r)
{
	uint8_t buf[VRRP_PKT_MAX];

	if (!r->h->guard)
		return;
	if (r->fsm.state != VRRP_STATE_MASTER || !r->sock) {
		guard_disarm(r->h->guard, r->id);
		return;
	}
	for (size_t i = 0; i < advert_destinations(r); i++) {
		struct hafd_addr src, dst;
		ssize_t len = advert_build(r, 0, i, buf, sizeof(buf), &src, &dst);

		if (len > 0)
			guard_arm(r->h->guard, r->id, vmac_tx_ifindex(r->vmac, r->ifindex, &dst),
				  r->cfg->family, &src, &dst,
				  buf, (size_t)len, i == 0);
	}
}

/* Where the VIPs live and GARPs leave: the macvlan with use_vmac. */
static int vips_ifindex(const struct vrrp_router *r)
{
	return r->vmac ? vmac_ifindex(r->vmac) : r->ifindex;
}

static void garp_burst(struct vrrp_router *r)
{
	const struct cfg_instance *c = r->cfg;

	for (int n = 0; n < c->garp_repeat; n++) {
		for (size_t i = 0; i < c->n_vips; i++) {
			if (garp_send(r->h->garp, vips_ifindex(r), r->mac, &c->vips[i],
				      &r->params.primary, false) < 0) {
				r->stats.send_errors++;
				continue;
			}
			if (c->family == AF_INET)
				r->stats.garp_sent++;
			else
				r->stats.na_sent++;
		}
	}
}

/* First burst now; the second after garp_delay; then every garp_refresh. */
static void garp_start(struct vrrp_router *r)
{
	garp_burst(r);
	r->garp_second_done = r->cfg->garp_delay_us == 0;
	if (!r->garp_second_done)
		loop_timer_in(r->h->loop, &r->garp_timer, r->cfg->garp_delay_us);
	else if (r->cfg->garp_refresh_us)
		loop_timer_in(r->h->loop, &r->garp_timer, r->cfg->garp_refresh_us);
}

static void router_garp_timer(struct timer *t, void *arg)
{
	struct vrrp_router *r = arg;

	(void)t;
	if (!r->vips_up)
		return;
	garp_burst(r);
	r->garp_second_done = true;
	if (r->cfg->garp_refresh_us)
		loop_timer_in(r->h->loop, &r->garp_timer, r->cfg->garp_refresh_us);
}

/* ---- VIPs --------------------------------------------------------------- */

static void vips_add(struct vrrp_router *r)
{
	const struct cfg_instance *c = r->cfg;
	char buf[ADDR_STRLEN];

	r->vips_up = true;
	for (size_t i = 0; i < c->n_vips; i++)
		if (vip_add(r->h->vip, vips_ifindex(r), &c->vips[i]) < 0)
			log_warn("[%s] adding %s on %s", r->label,
				 addr_format(&c->vips[i], buf, sizeof(buf)), c->ifname);
	garp_start(r);
}

static void vips_del(struct vrrp_router *r)
{
	const struct cfg_instance *c = r->cfg;
	char buf[ADDR_STRLEN];

	r->vips_up = false;     /* first, so our own deletions are not "stolen" */
	loop_timer_cancel(r->h->loop, &r->garp_timer);
	for (size_t i = 0; i < c->n_vips; i++)
		if (r->ifindex && vip_del(r->h->vip, vips_ifindex(r), &c->vips[i]) < 0)
			log_warn("[%s] removing %s from %s", r->label,
				 addr_format(&c->vips[i], buf, sizeof(buf)), c->ifname);
	if (r->vmac)
		vmac_deactivate(r->vmac, r->h->vip);
}

/* ---- the FSM ------------------------------------------------------------ */

static enum vrrp_new_master_reason master_reason(enum vrrp_cause cause)
{
	switch (cause) {
	case VRRP_CAUSE_MASTER_DOWN:
	case VRRP_CAUSE_PRIO_ZERO:
		return VRRP_NMR_MASTER_NO_RESPONSE;
	case VRRP_CAUSE_PREEMPT:
		return VRRP_NMR_PREEMPTED;
	default:
		return VRRP_NMR_PRIORITY;
	}
}

static void state_changed(struct vrrp_router *r, const struct vrrp_actions *a)
{
	r->state_since_us = loop_now(r->h->loop);
	if (a->from == VRRP_STATE_MASTER || a->to == VRRP_STATE_MASTER)
		guard_update(r);
	log_notice("[%s] %s -> %s (%s)", r->label, vrrp_state_name(a->from),
		   vrrp_state_name(a->to), vrrp_cause_name(a->cause));
	if (a->to == VRRP_STATE_MASTER) {
		r->stats.master_transitions++;
		r->stats.new_master_reason = master_reason(a->cause);
	} else if (a->from == VRRP_STATE_MASTER) {
		r->stats.new_master_reason = VRRP_NMR_NOT_MASTER;
	}
	notify_state(r, a);
}

static void actions_run(struct vrrp_router *r, const struct vrrp_actions *a)
{
	/* Up before the first advert as master: it leaves from the VMAC. */
	if ((a->flags & VRRP_ACT_VIPS_ADD) && r->vmac)
		vmac_activate(r->vmac, r->h->vip, &r->params.primary);
	if (a->flags & VRRP_ACT_SEND_PRIO0)
		advert_send(r, 0);
	if (a->flags & VRRP_ACT_SEND_ADVERT)
		advert_send(r, r->params.priority);
	if (a->flags & VRRP_ACT_STATE)  /* before the VIPs move: the first NAs must pass */
		nft_apply(r->h->nft, r->h);
	if (a->flags & VRRP_ACT_VIPS_DEL)
		vips_del(r);
	if (a->flags & VRRP_ACT_VIPS_ADD)
		vips_add(r);
	if ((a->flags & VRRP_ACT_ANNOUNCE) && r->vips_up)
		garp_burst(r);  /* another master's clients come back */
	if (a->flags & VRRP_ACT_STATE)
		state_changed(r, a);
}

static void router_rearm(struct vrrp_router *r)
{
	uint64_t due = vrrp_fsm_next_due(&r->fsm);

	if (due)
		loop_timer_at(r->h->loop, &r->fsm_timer, due);
	else
		loop_timer_cancel(r->h->loop, &r->fsm_timer);
}

/* ---- sync groups (rules in vrrp_group.c) ------------------------------ */

/* The routers of r's group, as the pure rules see them; n = 0 if none. */
static size_t group_members(struct vrrp_router *r, struct vrrp_router **rs,
			    struct vrrp_group_member *m, size_t cap)
{
	size_t n = 0;

	if (r->cfg->group < 0)
		return 0;
	for (size_t i = 0; i < r->h->n_routers && n < cap; i++) {
		struct vrrp_router *s = r->h->routers[i];

		if (s->cfg->group != r->cfg->group)
			continue;
		rs[n] = s;
		m[n] = (struct vrrp_group_member){
			.fsm = &s->fsm, .params = &s->params,
			.own_fault = (s->faults & ~(unsigned)VRRP_FAULT_GROUP) != 0,
		};
		n++;
	}
	return n;
}

#define GROUP_MAX 64

static void group_block_preempt(struct vrrp_router *r)
{
	struct vrrp_router *rs[GROUP_MAX];
	struct vrrp_group_member m[GROUP_MAX];
	size_t n = group_members(r, rs, m, GROUP_MAX);

	r->params.preempt_blocked = false;
	for (size_t i = 0; i < n; i++)
		if (rs[i] == r)
			r->params.preempt_blocked = vrrp_group_preempt_blocked(m, n, i);
}

/* A member's own election moves its siblings with it. */
static void group_follow(struct vrrp_router *r, const struct vrrp_actions *a)
{
	struct vrrp_router *rs[GROUP_MAX];
	struct vrrp_group_member m[GROUP_MAX];
	size_t n = group_members(r, rs, m, GROUP_MAX);
	enum vrrp_event_type ev;

	for (size_t i = 0; i < n; i++)
		if (rs[i] != r && vrrp_group_follow(a, rs[i]->fsm.state, &ev))
			router_event(rs[i], ev);
}

/* Any member's own fault holds the whole group in FAULT. */
static void group_fault_sync(struct vrrp_router *r)
{
	struct vrrp_router *rs[GROUP_MAX];
	struct vrrp_group_member m[GROUP_MAX];
	size_t n = group_members(r, rs, m, GROUP_MAX);
	bool gf = vrrp_group_fault(m, n);

	for (size_t i = 0; i < n; i++)
		if (rs[i] != r)
			vrrp_fault_update(rs[i], VRRP_FAULT_GROUP, gf);
}

static void router_step(struct vrrp_router *r, const struct vrrp_event *ev)
{
	struct vrrp_actions a;

	group_block_preempt(r);
	vrrp_fsm_step(&r->fsm, &r->params, ev, loop_now(r->h->loop), &a);
	actions_run(r, &a);
	router_rearm(r);
	group_follow(r, &a);
}

static void router_event(struct vrrp_router *r, enum vrrp_event_type type)
{
	struct vrrp_event ev = { .type = type };

	router_step(r, &ev);
}

static void router_fsm_timer(struct timer *t, void *arg)
{
	(void)t;
	router_event(arg, VRRP_EV_TIMER);
}

/* Say why an instance is (or is no longer) held in FAULT: the state line
 * only says "fault". */
static void fault_log(const struct vrrp_router *r, unsigned reason, bool on)
{
	static const char *const why[] = {
		"its interface is down or missing", "no primary address to send from",
		"a tracked interface is down", "a tracked check failed",
		"a sync group sibling is in fault", "no VRRP socket",
		"its use_vmac macvlan could not be made",
	};

	for (unsigned b = 0; b < sizeof(why) / sizeof(why[0]); b++)
		if (reason & (1u << b))
			log_notice("[%s] %s: %s", r->label, on ? "fault" : "fault cleared", why[b]);
}

void vrrp_fault_update(struct vrrp_router *r, unsigned reason, bool on)
{
	unsigned before = r->faults;

	r->faults = on ? r->faults | reason : r->faults & ~reason;
	if (before ^ r->faults)
		fault_log(r, before ^ r->faults, on);
	if (reason != VRRP_FAULT_GROUP && (before ^ r->faults))
		group_fault_sync(r);
	if (!before == !r->faults)
		return;
	router_event(r, r->faults ? VRRP_EV_FAULT_SET : VRRP_EV_FAULT_CLEAR);
}

static void priority_update(struct vrrp_router *r)
{
	uint8_t p = effective_priority(r);

	if (p == r->params.priority)
		return;
	log_info("[%s] priority %u -> %u", r->label, r->params.priority, p);
	r->params.priority = p;
	router_event(r, VRRP_EV_PRIORITY);
}

void vrrp_check_delta_set(struct vrrp_router *r, int delta)
{
	r->check_delta = delta;
	priority_update(r);
}

/* ---- receiving ---------------------------------------------------------- */

static struct vrrp_router *router_by_vrid(struct hafd *h, const struct vrrp_sock *s, uint8_t vrid)
{
	for (size_t i = 0; i < h->n_routers; i++) {
		struct vrrp_router *r = h->routers[i];

		if (r->sock == s && r->cfg->vrid == vrid)
			return r;
	}
	return NULL;
}

static void rx_log_drop(struct hafd *h, struct vrrp_sock *s, enum vrrp_rx_err err,
			const struct vrrp_pkt_info *info, const struct vrrp_advert *adv)
{
	char src[ADDR_STRLEN];
	uint64_t missed;

	/* Foreign VRIDs are normal on a shared segment: not worth a warning. */
	if (err == VRRP_RX_VRID) {
		log_debug("%s: advert for VRID %u from %s ignored (not configured here)",
			  s->ifname, adv->vrid, addr_ntop(&info->src, src, sizeof(src)));
		return;
	}
	if (!log_ratelimit_allow(&h->rx_log, loop_now(h->loop), &missed))
		return;
	log_warnx("%s: dropped VRRP packet from %s (VRID %u): %s%s", s->ifname,
		  addr_ntop(&info->src, src, sizeof(src)), adv->vrid, vrrp_rx_err_str(err),
		  missed ? " (and earlier drops not logged)" : "");
}

static void rx_log_warnings(struct vrrp_router *r, const struct vrrp_advert *adv)
{
	char src[ADDR_STRLEN];

	if (!(adv->warn & ~VRRP_WARN_NO_LL_FIRST) ||
	    !log_ratelimit_allow(&r->warn_log, loop_now(r->h->loop), NULL))
		return;
	addr_ntop(&adv->src, src, sizeof(src));
	if (adv->warn & VRRP_WARN_INTERVAL)
		log_warnx("[%s] %s advertises every %ums, we are configured for %ums",
			  r->label, src, adv->adver_int_cs * 10u, r->cfg->advert_interval_cs * 10u);
	if (adv->warn & VRRP_WARN_ADDR_LIST)
		log_warnx("[%s] %s advertises a different virtual_ip list", r->label, src);
	if (adv->warn & VRRP_WARN_OWNER)
		log_warnx("[%s] %s advertises although we are the address owner", r->label, src);
}

/* In unicast mode adverts may cross routers, so the TTL check (V1) gives way
 * to the peer allow-list, as in keepalived. */
static bool ttl_exempt(const struct vrrp_router *r, const struct vrrp_pkt_info *info)
{
	struct hafd_addr group;

	if (!r || !r->cfg->n_peers)
		return false;
	vrrp_sock_group(info->family, &group);
	return !addr_equal(&info->dst, &group);
}

static void vrrp_rx(void *arg, struct vrrp_sock *s, const uint8_t *pkt, size_t len,
		    const struct vrrp_pkt_info *info_in)
{
	struct hafd *h = arg;
	struct vrrp_pkt_info info = *info_in;
	struct vrrp_advert adv = { 0 };
	struct vrrp_router *r = len >= 2 ? router_by_vrid(h, s, pkt[1]) : NULL;
	enum vrrp_rx_err err;

	if (ttl_exempt(r, &info))
		info.ttl = VRRP_TTL;
	err = vrrp_pkt_decode(pkt, len, &info, &adv);
	if (err == VRRP_RX_OK && !r)
		err = VRRP_RX_VRID;
	if (err == VRRP_RX_OK) {
		struct vrrp_pkt_expect exp = {
			.version = r->cfg->version, .adver_int_cs = r->cfg->advert_interval_cs,
			.owner = r->cfg->priority == 255,
			.vips = r->cfg->vips, .n_vips = r->cfg->n_vips,
			.peers = r->cfg->peers, .n_peers = r->cfg->n_peers,
		};

		err = vrrp_pkt_check(&adv, &exp);
	}
	vrrp_stats_account(err, &adv, r ? &r->stats : NULL, &h->stats);
	if (err != VRRP_RX_OK) {
		rx_log_drop(h, s, err, &info, &adv);
		return;
	}
	rx_log_warnings(r, &adv);
	router_step(r, &(struct vrrp_event){
		.type = VRRP_EV_ADVERT, .adv_priority = adv.priority,
		.adv_interval_cs = adv.adver_int_cs, .adv_src = adv.src,
	});
}

/* ---- interfaces and addresses ------------------------------------------- */

/* Re-read the primary address; without one we cannot send (FAULT). */
static void primary_refresh(struct vrrp_router *r)
{
	struct hafd_addr a;
	bool have = r->ifindex && vip_primary(r->h->vip, r->ifindex, r->cfg->family, &a) == 0;
	char buf[ADDR_STRLEN];

	if (r->cfg->has_unicast_src && r->cfg->family == AF_INET) {
		a = r->cfg->unicast_src;
		have = r->ifindex != 0;
	}
	if (have && !addr_equal(&a, &r->params.primary)) {
		r->params.primary = a;
		log_info("[%s] primary address %s", r->label, addr_ntop(&a, buf, sizeof(buf)));
		guard_update(r);        /* the resignation must leave from it */
	}
	vrrp_fault_update(r, VRRP_FAULT_NO_ADDR, !have);
}

/* use_vmac: make the macvlan (down until master); GARPs then carry its
 * MAC. -1 leaves the router in FAULT: no VIPs on the wrong MAC. */
static int vmac_attach(struct vrrp_router *r)
{
	char name[IFNAMSIZ], mac[18];

	if (vmac_name(r->h->cfg, r->cfg, r->ifindex, name) < 0 ||
	    vmac_create(&r->vmac, r->h->cfg->global.runtime_dir, name, r->ifindex,
			r->cfg->family, r->cfg->vrid) < 0) {
		log_warn("[%s] use_vmac: macvlan %s on %s", r->label, name, r->cfg->ifname);
		r->vmac = NULL;
		return -1;
	}
	vmac_get_mac(r->vmac, r->mac);
	snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", r->mac[0], r->mac[1],
		 r->mac[2], r->mac[3], r->mac[4], r->mac[5]);
	log_info("[%s] virtual MAC %s on %s", r->label, mac, name);
	return 0;
}

/* Attach to the interface (at start, or when it appears): socket, MAC. */
static void router_attach(struct vrrp_router *r, int ifindex)
{
	struct hafd *h = r->h;

	r->ifindex = ifindex;
	if (vip_link_mac(h->vip, ifindex, r->mac) < 0)
		memset(r->mac, 0, sizeof(r->mac));
	r->sock = vrrp_sock_get(&h->socks, h->loop, ifindex, r->cfg->ifname, r->cfg->family,
				vrrp_rx, h);
	if (!r->sock)
		log_warn("[%s] VRRP socket on %s", r->label, r->cfg->ifname);
	vrrp_fault_update(r, VRRP_FAULT_SOCKET, !r->sock);
	if (r->cfg->use_vmac)
		vrrp_fault_update(r, VRRP_FAULT_VMAC, vmac_attach(r) < 0);
}

static void router_detach(struct vrrp_router *r)
{
	vmac_destroy(r->vmac);  /* gone already if the interface went */
	r->vmac = NULL;
	vrrp_sock_put(&r->h->socks, r->sock);
	r->sock = NULL;
	r->ifindex = 0;
}

static void track_if_update(struct vrrp_router *r)
{
	const struct cfg_instance *c = r->cfg;
	bool fault = false;
	int delta = 0;

	for (size_t i = 0; i < c->n_track_ifs; i++) {
		int idx = vip_ifindex(r->h->vip, c->track_ifs[i].ifname);

		if (idx && vip_link_up(r->h->vip, idx))
			continue;
		if (c->track_ifs[i].weight == 0)
			fault = true;
		else
			delta += c->track_ifs[i].weight;
	}
	r->track_if_delta = delta;
	priority_update(r);
	vrrp_fault_update(r, VRRP_FAULT_TRACK_IF, fault);
}

void vrrp_link_change(void *arg, int ifindex, const char *ifname, bool exists, bool up)
{
	struct hafd *h = arg;

	for (size_t i = 0; i < h->n_routers; i++) {
		struct vrrp_router *r = h->routers[i];
		bool mine = r->ifindex ? r->ifindex == ifindex : !strcmp(r->cfg->ifname, ifname);

		if (mine && !exists) {
			log_warnx("[%s] interface %s is gone", r->label, r->cfg->ifname);
			vrrp_fault_update(r, VRRP_FAULT_LINK, true);
			router_detach(r);
		} else if (mine) {
			if (!r->ifindex)
				router_attach(r, ifindex);
			if (up == !!(r->faults & VRRP_FAULT_LINK))
				log_notice("[%s] interface %s is %s", r->label, r->cfg->ifname,
					   up ? "up" : "down");
			primary_refresh(r);
			vrrp_fault_update(r, VRRP_FAULT_LINK, !up);
		}
		if (r->cfg->n_track_ifs)
			track_if_update(r);
	}
}

void vrrp_addr_change(void *arg, int ifindex)
{
	struct hafd *h = arg;

	for (size_t i = 0; i < h->n_routers; i++)
		if (h->routers[i]->ifindex == ifindex)
			primary_refresh(h->routers[i]);
}

/* A VIP removed behind our back while we are master is put back at once
 * (and announced again): the VIP exists to serve, and leaving Master would
 * move it for no reason the peers can see. */
void vrrp_addr_deleted(void *arg, int ifindex, const struct hafd_addr *a)
{
	struct hafd *h = arg;
	char buf[ADDR_STRLEN];

	for (size_t i = 0; i < h->n_routers; i++) {
		struct vrrp_router *r = h->routers[i];

		if (!r->vips_up || vips_ifindex(r) != ifindex)
			continue;
		for (size_t k = 0; k < r->cfg->n_vips; k++) {
			if (!addr_equal(&r->cfg->vips[k], a))
				continue;
			log_warnx("[%s] %s was removed from %s by someone else: putting it back",
				  r->label, addr_format(a, buf, sizeof(buf)), r->cfg->ifname);
			if (vip_add(h->vip, ifindex, &r->cfg->vips[k]) < 0)
				log_warn("[%s] re-adding %s", r->label, buf);
			garp_burst(r);
		}
	}
}

/* ---- start and stop ----------------------------------------------------- */

static struct vrrp_router *router_new(struct hafd *h, const struct cfg_instance *c)
{
	struct vrrp_router *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->h = h;
	r->cfg = c;
	r->id = h->next_router_id++;
	snprintf(r->label, sizeof(r->label), "%s/VRID %u", c->name, c->vrid);
	timer_init(&r->fsm_timer, router_fsm_timer, r);
	timer_init(&r->garp_timer, router_garp_timer, r);
	r->warn_log.burst = 5;
	r->warn_log.period_us = 10000000;
	vrrp_fsm_init(&r->fsm);
	params_init(r);
	return r;
}

/* Work out the initial faults before STARTUP, so a router whose interface is
 * down starts in FAULT rather than passing through BACKUP. */
static void router_begin(struct vrrp_router *r)
{
	r->begun = true;
	int idx = vip_ifindex(r->h->vip, r->cfg->ifname);

	if (idx)
		router_attach(r, idx);
	else
		log_warnx("[%s] interface %s does not exist (yet)", r->label, r->cfg->ifname);
	/* Fault events in INIT are only remembered: STARTUP then enters FAULT. */
	vrrp_fault_update(r, VRRP_FAULT_LINK, !(idx && vip_link_up(r->h->vip, idx)));
	primary_refresh(r);
	track_if_update(r);
	r->state_since_us = loop_now(r->h->loop);
	router_event(r, VRRP_EV_STARTUP);
}

int vrrp_create(struct hafd *h)
{
	const struct hafd_config *cfg = h->cfg;

	h->routers = calloc(cfg->n_instances, sizeof(*h->routers));
	if (!h->routers)
		return -1;
	h->rx_log.burst = 10;
	h->rx_log.period_us = 10000000;
	for (size_t i = 0; i < cfg->n_instances; i++) {
		h->routers[i] = router_new(h, &cfg->instances[i]);
		if (!h->routers[i])
			return -1;
		h->n_routers++;
	}
	return 0;
}

void vrrp_begin(struct hafd *h)
{
	for (size_t i = 0; i < h->n_routers; i++)
		router_begin(h->routers[i]);
}

/* Resign (priority 0, VIPs removed) but keep the router allocated: its
 * sync-group siblings may still look at it. */
static void router_shutdown(struct vrrp_router *r)
{
	router_event(r, VRRP_EV_SHUTDOWN);
	if (r->vips_up)
		vips_del(r);
}

static void router_free(struct vrrp_router *r)
{
	loop_timer_cancel(r->h->loop, &r->fsm_timer);
	loop_timer_cancel(r->h->loop, &r->garp_timer);
	router_detach(r);
	free(r);
}

void vrrp_stop(struct hafd *h)
{
	for (size_t i = 0; i < h->n_routers; i++)
		router_shutdown(h->routers[i]);
	for (size_t i = 0; i < h->n_routers; i++)
		router_free(h->routers[i]);
	free(h->routers);
	h->routers = NULL;
	h->n_routers = 0;
}

/* The running router that can carry on as instance c, or NULL. */
static struct vrrp_router *router_reusable(struct hafd *h, const struct cfg_instance *c,
					   const bool *taken)
{
	for (size_t i = 0; i < h->n_routers; i++) {
		struct vrrp_router *r = h->routers[i];

		if (!taken[i] && !strcmp(r->cfg->name, c->name) &&
		    config_instance_compatible(r->cfg, c))
			return r;
	}
	return NULL;
}

/* A kept router takes the new settings that can change live: priority
 * (advertised at once), preemption, pair, tracked interfaces. */
static void router_retune(struct vrrp_router *r, const struct cfg_instance *c)
{
	r->cfg = c;
	snprintf(r->label, sizeof(r->label), "%s/VRID %u", c->name, c->vrid);
	r->params.preempt = c->preempt || c->priority == 255;
	r->params.preempt_delay_us = c->preempt_delay_us;
	r->params.pair = c->pair;
	track_if_update(r);     /* also re-derives the priority */
	if (r->vips_up && !r->garp_second_done)
		return;         /* the second burst still comes */
	if (r->vips_up) {
		loop_timer_cancel(r->h->loop, &r->garp_timer);
		if (c->garp_refresh_us)
			loop_timer_in(r->h->loop, &r->garp_timer, c->garp_refresh_us);
	}
}

int vrrp_reload(struct hafd *h, const struct hafd_config *ncfg)
{
	struct vrrp_router **nr = calloc(ncfg->n_instances ? ncfg->n_instances : 1, sizeof(*nr));
	bool *taken = calloc(h->n_routers ? h->n_routers : 1, sizeof(*taken));
	size_t old_n = h->n_routers;
	struct vrrp_router **old = h->routers;

	if (!nr || !taken) {
		free(nr);
		free(taken);
		return -1;
	}
	for (size_t i = 0; i < ncfg->n_instances; i++) {
		nr[i] = router_reusable(h, &ncfg->instances[i], taken);
		for (size_t k = 0; nr[i] && k < old_n; k++)
			taken[k] |= old[k] == nr[i];
	}
	/* Removed or changed beyond what can change live: stop them while
	 * the old configuration (their sync groups) still holds. */
	for (size_t k = 0; k < old_n; k++)
		if (!taken[k]) {
			log_notice("[%s] removed by the new configuration", old[k]->label);
			router_shutdown(old[k]);
		}
	for (size_t k = 0; k < old_n; k++)
		if (!taken[k])
			router_free(old[k]);
	/* Switch every router to the new configuration before any event. */
	for (size_t i = 0; i < ncfg->n_instances; i++)
		if (nr[i])
			nr[i]->cfg = &ncfg->instances[i];
	h->routers = nr;
	h->n_routers = ncfg->n_instances;
	for (size_t i = 0; i < ncfg->n_instances; i++) {
		if (!nr[i] && !(nr[i] = router_new(h, &ncfg->instances[i]))) {
			h->n_routers = i;       /* the rest are lost: say so */
			log_warn("reload: instance %s", ncfg->instances[i].name);
			break;
		}
	}
	free(old);
	free(taken);
	return 0;
}

void vrrp_reload_begin(struct hafd *h, const struct hafd_config *ncfg)
{
	for (size_t i = 0; i < h->n_routers; i++) {
		struct vrrp_router *r = h->routers[i];

		if (!r->begun)
			router_begin(r);
		else
			router_retune(r, &ncfg->instances[i]);
	}
}
