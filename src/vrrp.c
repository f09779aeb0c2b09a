/* vrrp.c: per-instance glue. Packets, timers and netlink events become FSM
 * events; FSM actions become adverts, VIP changes, GARPs and log lines.
 * This file holds the FSM glue, sync groups, faults, and the routers' life
 * (start, stop, reload); vrrp_tx.c, vrrp_rx.c and vrrp_if.c the rest. */
#include "vrrp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_run.h"
#include "config.h"
#include "hafd.h"
#include "drain.h"
#include "handover.h"
#include "haproxy_sync.h"
#include "ifcache.h"
#include "log.h"
#include "loop.h"
#include "nft.h"
#include "notify.h"
#include "vmac.h"
#include "vrrp_priv.h"
#include "vrrp_sock.h"

static void router_fsm_timer(struct timer *t, void *arg);
static const struct vrrp_inst_ops router_ops;

/* ---- priority and parameters ------------------------------------------ */

/* Base priority plus tracking deltas, within 1..254; an owner stays 255. */
static uint8_t effective_priority(const struct vrrp_router *r)
{
	int p = r->cfg->priority;

	if (p == 255)
		return 255;
	if (r->yielding)
		return 1;       /* any backup preempts; we never do */
	p += r->track_if_delta + r->check_delta;
	return (uint8_t)(p < 1 ? 1 : p > 254 ? 254 : p);
}

/* The instance tracks a request = patroni check, alone in no sync group:
 * Patroni's leader lock lets one member pass at a time, so leaving FAULT
 * needs no Master_Down_Interval as Backup (vrrp_params.exclusive). A
 * group's members leave FAULT together, as the group decides. */
static bool exclusive_of(const struct hafd_config *cfg, const struct cfg_instance *c)
{
	if (c->group >= 0)
		return false;
	for (size_t k = 0; k < c->n_tracks; k++)
		if (c->tracks[k] < cfg->n_checks &&
		    cfg->checks[c->tracks[k]].request == CHECK_REQ_PATRONI)
			return true;
	return false;
}

static void params_init(struct vrrp_router *r)
{
	const struct cfg_instance *c = r->cfg;
	struct vrrp_params *p = &r->inst.params;

	p->version = c->version;
	p->priority = effective_priority(r);
	p->adver_int_cs = c->advert_interval_cs;
	p->preempt = c->preempt || c->priority == 255;  /* item 29: the owner preempts */
	p->preempt_delay_us = c->preempt_delay_us;
	p->pair = c->pair;
	p->preempt_blocked = false;
	p->exclusive = exclusive_of(r->h->cfg, c);
}

/* ---- the instance's operations (order and rules in vrrp_inst.c) ------ */

static struct vrrp_router *router_of(struct vrrp_inst *i)
{
	return i->owner;
}

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

static void op_vmac_up(struct vrrp_inst *i)
{
	struct vrrp_router *r = router_of(i);

	if (r->vmac)
		vmac_activate(r->vmac, r->h->vip, &r->if_primary);
}

static void op_send(struct vrrp_inst *i, uint8_t priority)
{
	struct vrrp_router *r = router_of(i);

	/* As master (priority above zero), the advert renews its VIPs'
	 * lease in the kernel as it leaves (nft.h): nothing to do here. */
	vrrp_advert_send(r, priority);
}

static void op_vips_add(struct vrrp_inst *i)
{
	struct vrrp_router *r = router_of(i);

	nft_schedule(r->h->nft, r->h);  /* before the first GARPs / NAs it lets out */
	vrrp_vips_add(r);
}

/* The nft batch that marks them standby comes with the state change. */
static void op_vips_del(struct vrrp_inst *i)
{
	vrrp_vips_del(router_of(i));
}

static void op_vmac_down(struct vrrp_inst *i)
{
	vrrp_vmac_down(router_of(i));
}

static void op_announce(struct vrrp_inst *i)
{
	struct vrrp_router *r = router_of(i);

	/* Another master's clients come back: once the timers due now have
	 * run, as for the first burst (garp_start), so after the advert
	 * sent with it. A master back from a stall has a lapsed lease that
	 * only that advert renews, and its GARPs leave through the lease's
	 * egress chain: sent first, they would be dropped. */
	if (r->vips_up)
		loop_timer_soon(r->h->loop, &r->announce_timer);
}

static void on_announce(struct timer *t, void *arg)
{
	struct vrrp_router *r = arg;

	(void)t;
	if (r->vips_up)
		vrrp_garp_burst(r);
}

/* The state of r's sync group as a whole, from what its members last
 * reported: FAULT when any is in FAULT, MASTER or BACKUP when all are,
 * INIT when all have stopped. False when they differ, or without a group. */
static bool group_state(const struct vrrp_router *r, enum vrrp_state *out)
{
	const struct hafd *h = r->h;
	const struct cfg_group *g;
	size_t master = 0, backup = 0, stopped = 0;

	if (r->cfg->group < 0 || (size_t)r->cfg->group >= h->cfg->n_groups)
		return false;
	g = &h->cfg->groups[r->cfg->group];
	for (size_t k = 0; k < g->n_instances; k++) {
		size_t i = g->instances[k];
		enum vrrp_state s = i < h->n_routers ? h->routers[i]->reported : VRRP_STATE_INIT;

		if (s == VRRP_STATE_FAULT) {
			*out = VRRP_STATE_FAULT;
			return true;
		}
		master += s == VRRP_STATE_MASTER;
		backup += s == VRRP_STATE_BACKUP;
		stopped += s == VRRP_STATE_INIT;
	}
	*out = master == g->n_instances ? VRRP_STATE_MASTER :
		backup == g->n_instances ? VRRP_STATE_BACKUP : VRRP_STATE_INIT;
	return master == g->n_instances || backup == g->n_instances ||
		stopped == g->n_instances;
}

/* The notify hooks: an event with what the instance and its group are. */
static void state_notify(struct vrrp_router *r, const struct vrrp_actions *a)
{
	struct notify_event ev = {
		.instance = (size_t)(r->cfg - r->h->cfg->instances),
		.from = a->from, .to = a->to, .cause = a->cause,
		.priority = r->inst.params.priority,
	};

	ev.group_agrees = group_state(r, &ev.group_state);
	notify_state(r->h, &ev);
}

/* The log line, counters, notify hooks and crash guard of a state change. */
static void state_report(struct vrrp_router *r, const struct vrrp_actions *a)
{
	r->reported = a->to;
	if (a->from == VRRP_STATE_MASTER || a->to == VRRP_STATE_MASTER)
		vrrp_guard_update(r);
	log_notice("[%s] %s -> %s (%s)", r->label, vrrp_state_name(a->from),
		   vrrp_state_name(a->to), vrrp_cause_name(a->cause));
	if (a->to == VRRP_STATE_MASTER) {
		r->stats.master_transitions++;
		r->stats.new_master_reason = master_reason(a->cause);
	} else if (a->from == VRRP_STATE_MASTER) {
		r->stats.new_master_reason = VRRP_NMR_NOT_MASTER;
	}
	state_notify(r, a);
}

void vrrp_state_report_pending(struct vrrp_router *r)
{
	if (!r->state_pending)
		return;
	r->state_pending = false;
	state_report(r, &r->pending_state);
}

static void op_state(struct vrrp_inst *i, const struct vrrp_actions *a)
{
	struct vrrp_router *r = router_of(i);

	vrrp_state_report_pending(r);   /* an earlier change first */
	nft_schedule(r->h->nft, r->h);
	r->state_since_us = loop_now(r->h->loop);
	if (a->from == VRRP_STATE_MASTER || a->to == VRRP_STATE_MASTER)
		r->moved_us = r->state_since_us;        /* hold_down counts from here */
	drain_state(r->h, r, a->from == VRRP_STATE_MASTER, a->to == VRRP_STATE_MASTER);
	if (a->from == VRRP_STATE_MASTER)
		handover_state(r->h, r);
	/* A new master's clients wait for its first GARP / NA burst, which
	 * goes once the timers due now have run: the log write (which can
	 * block on a busy journal), the guard and the hooks come after it
	 * (vrrp_garp_timer). bench/takeover: decision -> first GARP 0.57 ->
	 * 0.37 ms. */
	if (a->to == VRRP_STATE_MASTER && r->vips_up && !r->garp_first_done) {
		r->state_pending = true;
		r->pending_state = *a;
		return;
	}
	state_report(r, a);
}

static void op_arm(struct vrrp_inst *i, uint64_t due)
{
	struct vrrp_router *r = router_of(i);

	if (due)
		loop_timer_at(r->h->loop, &r->fsm_timer, due);
	else
		loop_timer_cancel(r->h->loop, &r->fsm_timer);
}

static void op_drain(struct vrrp_inst *i)
{
	struct vrrp_router *r = router_of(i);

	if (r->sock)
		vrrp_sock_drain(r->sock);
}

/* Say why an instance is (or is no longer) held in FAULT: the state line
 * only says "fault". */
static void op_fault_log(struct vrrp_inst *i, unsigned changed, bool on)
{
	static const char *const why[] = {
		"its interface is down or missing", "no primary address to send from",
		"a tracked interface is down", "a tracked check failed",
		"a sync group sibling is in fault", "no VRRP socket",
		"its use_vmac macvlan could not be made",
	};
	struct vrrp_router *r = router_of(i);

	for (unsigned b = 0; b < sizeof(why) / sizeof(why[0]); b++)
		if (changed & (1u << b))
			log_notice("[%s] %s: %s", r->label, on ? "fault" : "fault cleared", why[b]);
}

static const struct vrrp_inst_ops router_ops = {
	.vmac_up = op_vmac_up,
	.vips_del = op_vips_del,
	.vmac_down = op_vmac_down,
	.send = op_send,
	.vips_add = op_vips_add,
	.announce = op_announce,
	.state = op_state,
	.arm = op_arm,
	.drain = op_drain,
	.fault_log = op_fault_log,
};

void vrrp_router_event(struct vrrp_router *r, enum vrrp_event_type type)
{
	vrrp_inst_event(&r->inst, type, loop_now(r->h->loop));
}

static void router_fsm_timer(struct timer *t, void *arg)
{
	struct vrrp_router *r = arg;

	(void)t;
	vrrp_inst_timer(&r->inst, loop_now(r->h->loop));
}

void vrrp_fault_update(struct vrrp_router *r, unsigned reason, bool on)
{
	vrrp_inst_fault(&r->inst, reason, on, loop_now(r->h->loop));
}

void vrrp_priority_update(struct vrrp_router *r)
{
	uint8_t p = effective_priority(r);

	if (p == r->inst.params.priority)
		return;
	log_info("[%s] priority %u -> %u", r->label, r->inst.params.priority, p);
	vrrp_inst_priority(&r->inst, p, loop_now(r->h->loop));
}

/* ---- checks: what the runners' contributions do to the routers -------- */

/* Hold-down: for hold_down after r entered or left MASTER, what degraded
 * checks contribute (saturation: an engine slow or full under the load
 * that came with the VIP) stays as it was, so that load following the VIP
 * cannot bounce it between nodes; the change applies when the hold ends.
 * Failed checks and faults (a dead engine) apply at once. Returns the
 * saturation delta to apply now. */
static int router_sat_hold(struct vrrp_router *r, int sat, uint64_t now)
{
	uint64_t end = r->moved_us + r->cfg->hold_down_us;

	if (sat == r->sat_delta || !r->moved_us || now >= end) {
		loop_timer_cancel(r->h->loop, &r->hold_timer);
		r->sat_delta = sat;
		return sat;
	}
	if (!timer_armed(&r->hold_timer) || r->hold_timer.due_us != end) {
		log_info("[%s] degraded checks would change the priority by %+d, not %+d: held "
			 "for %.1f s more (hold_down after a move)", r->label, sat, r->sat_delta,
			 (double)(end - now) / 1e6);
		loop_timer_at(r->h->loop, &r->hold_timer, end);
	}
	return r->sat_delta;
}

/* Sum what r's tracked checks contribute (check_run_contrib) and apply it
 * in an order that never advertises a priority about to be overridden:
 * into fault first, then the delta, out of fault last. */
static void router_checks_apply(struct vrrp_router *r, uint64_t now)
{
	const struct cfg_instance *c = r->cfg;
	bool was_fault = r->inst.faults & VRRP_FAULT_CHECK;
	int delta = 0, sat = 0;
	bool fault = false, unproven = false;

	for (size_t k = 0; k < c->n_tracks; k++) {
		int d;
		bool f;

		if (check_run_contrib(r->h, c->tracks[k], now, &d, &f) < 0)
			continue;       /* could not start after a reload */
		if (check_run_saturated(r->h, c->tracks[k]))
			sat += d;
		else
			delta += d;
		fault |= f;
		unproven |= check_run_unproven(r->h, c->tracks[k]);
	}
	delta += router_sat_hold(r, sat, now);
	if (unproven != r->inst.params.unproven)
		log_info("[%s] %s", r->label, unproven ?
			 "a tracked check has not passed yet: no preemption" :
			 "every tracked check has passed: preemption allowed");
	vrrp_inst_unproven(&r->inst, unproven);
	if (fault && !was_fault)
		vrrp_fault_update(r, VRRP_FAULT_CHECK, true);
	if (delta != r->check_delta) {
		r->check_delta = delta;
		vrrp_priority_update(r);
	}
	if (!fault && was_fault)
		vrrp_fault_update(r, VRRP_FAULT_CHECK, false);
}

static void router_hold_timer(struct timer *t, void *arg)
{
	struct vrrp_router *r = arg;

	(void)t;
	router_checks_apply(r, loop_now(r->h->loop));
}

static bool router_tracks(const struct vrrp_router *r, size_t check)
{
	for (size_t k = 0; k < r->cfg->n_tracks; k++)
		if (r->cfg->tracks[k] == check)
			return true;
	return false;
}

void vrrp_check_changed(struct hafd *h, size_t check)
{
	uint64_t now = loop_now(h->loop);

	for (size_t i = 0; i < h->n_routers; i++)
		if (router_tracks(h->routers[i], check))
			router_checks_apply(h->routers[i], now);
	haproxy_sync_check(h, check);   /* its server in HAProxy, if it has one */
}

void vrrp_checks_apply(struct hafd *h)
{
	uint64_t now = loop_now(h->loop);

	for (size_t i = 0; i < h->n_routers; i++)
		router_checks_apply(h->routers[i], now);
}

/* ---- what nftables should hold (nft.h) ----------------------------------- */

/* 5/2 of the advert interval, from the advert that renewed it: the
 * backups take over a Master_Down_Interval (3 x interval + Skew_Time)
 * after the last advert they heard, so the lease lapses at least half an
 * interval before; and a live master's advert may come an interval and a
 * half late before it lapses under it. */
unsigned vrrp_lease_ms(const struct cfg_instance *c)
{
	return 25u * c->advert_interval_cs;
}

int vrrp_nft_describe(struct hafd *h, struct nft_desc *d)
{
	d->n_inst = 0;
	d->cap_pps = (unsigned)h->cfg->global.nft_vrrp_cap;
	d->lease = h->cfg->global.vip_lease;
	d->lo_up = ifcache_link_up(h->ifc, ifcache_ifindex(h->ifc, "lo"));
	d->inst = calloc(h->n_routers ? h->n_routers : 1, sizeof(*d->inst));
	if (!d->inst)
		return -1;
	for (size_t i = 0; i < h->n_routers; i++) {
		const struct vrrp_router *r = h->routers[i];
		const struct cfg_instance *c = r->cfg;
		const struct vrrp_fsm *f = &r->inst.fsm;
		struct nft_inst *in = &d->inst[d->n_inst++];

		in->family = c->family;
		in->vrid = c->vrid;
		in->master = f->state == VRRP_STATE_MASTER;
		in->draining = drain_active(h, r);
		in->accept = c->priority == 255 || c->accept_mode;
		in->adverts_per_s = (100u + c->advert_interval_cs - 1) / c->advert_interval_cs;
		in->ifname = c->ifname;         /* a vmac's lower interface sees its frames */
		in->vips = c->vips;
		in->n_vips = c->n_vips;
		in->peers = c->peers;
		in->n_peers = c->n_peers;
		in->followed = !in->master && f->master_prio ? &f->master_addr : NULL;
		in->lease_ms = vrrp_lease_ms(c);
		in->fence_ports = c->fence_ports;
		in->n_fence_ports = c->n_fence_ports;
	}
	return 0;
}

/* Sync groups: a ring per configured group, rebuilt from the
 * configuration (at start and after a reload). */
static void groups_link(struct hafd *h)
{
	for (size_t i = 0; i < h->n_routers; i++)
		vrrp_inst_group_leave(&h->routers[i]->inst);
	for (size_t i = 0; i < h->n_routers; i++) {
		struct vrrp_router *r = h->routers[i];

		if (r->cfg->group < 0)
			continue;
		for (size_t k = 0; k < i; k++)
			if (h->routers[k]->cfg->group == r->cfg->group) {
				vrrp_inst_group_join(&r->inst, &h->routers[k]->inst);
				break;
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
	r->yielding = h->maintenance && c->priority != 255;
	snprintf(r->label, sizeof(r->label), "%s/VRID %u", c->name, c->vrid);
	timer_init(&r->fsm_timer, router_fsm_timer, r);
	timer_init(&r->garp_timer, vrrp_garp_timer, r);
	timer_init(&r->announce_timer, on_announce, r);
	timer_init(&r->hold_timer, router_hold_timer, r);
	r->warn_log.burst = 5;
	r->warn_log.period_us = 10000000;
	vrrp_inst_init(&r->inst, &router_ops, r);
	params_init(r);
	return r;
}

/* Work out the initial faults before STARTUP, so a router whose interface is
 * down starts in FAULT rather than passing through BACKUP. */
static void router_begin(struct vrrp_router *r)
{
	r->begun = true;
	int idx = ifcache_ifindex(r->h->ifc, r->cfg->ifname);

	if (idx)
		vrrp_router_attach(r, idx);
	else
		log_warnx("[%s] interface %s does not exist (yet)", r->label, r->cfg->ifname);
	/* Fault events in INIT are only remembered: STARTUP then enters FAULT. */
	vrrp_fault_update(r, VRRP_FAULT_LINK, !(idx && ifcache_link_up(r->h->ifc, idx)));
	vrrp_primary_refresh(r);
	vrrp_track_if_update(r);
	r->state_since_us = loop_now(r->h->loop);
	vrrp_router_event(r, VRRP_EV_STARTUP);
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
	groups_link(h);
	return 0;
}

void vrrp_begin(struct hafd *h)
{
	/* The clock read again: start-up (sockets, tables, checks) may have
	 * taken tens of ms since the loop last read it, and a timer armed
	 * from that older time would end a Master_Down_Interval early (a
	 * backup starting beside a master of 255 instances at 10 ms took
	 * over from it 20 ms after INIT). */
	loop_update_now(h->loop);
	for (size_t i = 0; i < h->n_routers; i++)
		router_begin(h->routers[i]);
}

/* Resign (priority 0, VIPs removed) but keep the router allocated: its
 * sync-group siblings may still look at it. */
static void router_shutdown(struct vrrp_router *r)
{
	vrrp_state_report_pending(r);
	vrrp_router_event(r, VRRP_EV_SHUTDOWN);
	if (r->vips_up)
		vrrp_vips_del(r);
	vrrp_vmac_down(r);
}

static void router_free(struct vrrp_router *r)
{
	vrrp_inst_group_leave(&r->inst);
	loop_timer_cancel(r->h->loop, &r->fsm_timer);
	loop_timer_cancel(r->h->loop, &r->garp_timer);
	loop_timer_cancel(r->h->loop, &r->announce_timer);
	loop_timer_cancel(r->h->loop, &r->hold_timer);
	vrrp_router_detach(r);
	free(r);
}

void vrrp_resign(struct hafd *h)
{
	for (size_t i = 0; i < h->n_routers; i++)
		router_shutdown(h->routers[i]);
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

/* A kept router takes the new settings that can change live: priority
 * (advertised at once), preemption, pair, tracked interfaces. */
static void router_retune(struct vrrp_router *r, const struct cfg_instance *c)
{
	r->cfg = c;
	snprintf(r->label, sizeof(r->label), "%s/VRID %u", c->name, c->vrid);
	r->inst.params.preempt = c->preempt || c->priority == 255;
	r->inst.params.preempt_delay_us = c->preempt_delay_us;
	r->inst.params.pair = c->pair;
	vrrp_track_if_update(r);     /* also re-derives the priority */
	if (r->vips_up && !r->garp_second_done)
		return;         /* the second burst still comes */
	if (r->vips_up) {
		loop_timer_cancel(r->h->loop, &r->garp_timer);
		if (c->garp_refresh_us)
			loop_timer_in(r->h->loop, &r->garp_timer, c->garp_refresh_us);
	}
}

int vrrp_reload(struct hafd *h, const struct hafd_config *ncfg, const struct config_match *m)
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
	/* routers[k] runs old instance k (those after a failed router_new
	 * are missing, and start anew). */
	for (size_t i = 0; i < m->n_new; i++) {
		const struct config_pair *p = &m->pairs[i];

		if (p->fate == CONFIG_KEPT && p->old_idx < old_n) {
			nr[i] = old[p->old_idx];
			taken[p->old_idx] = true;
		}
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
	groups_link(h);
	free(old);
	free(taken);
	return 0;
}

void vrrp_reload_begin(struct hafd *h, const struct hafd_config *ncfg)
{
	loop_update_now(h->loop);       /* as vrrp_begin(): a reload takes time */
	for (size_t i = 0; i < h->n_routers; i++) {
		struct vrrp_router *r = h->routers[i];

		if (!r->begun)
			router_begin(r);
		else
			router_retune(r, &ncfg->instances[i]);
		r->inst.params.exclusive = exclusive_of(ncfg, &ncfg->instances[i]);
	}
}
