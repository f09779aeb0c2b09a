/* vrrp.c: per-instance glue. Packets, timers and netlink events become FSM
 * events; FSM actions become adverts, VIP changes, GARPs and log lines.
 * This file holds the FSM glue, sync groups, faults, and the routers' life
 * (start, stop, reload); vrrp_tx.c, vrrp_rx.c and vrrp_if.c the rest. */
#include "vrrp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "hafd.h"
#include "log.h"
#include "loop.h"
#include "nft.h"
#include "notify.h"
#include "vip.h"
#include "vmac.h"
#include "vrrp_group.h"
#include "vrrp_priv.h"

static void router_fsm_timer(struct timer *t, void *arg);

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
		vrrp_guard_update(r);
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
		vrrp_advert_send(r, 0);
	if (a->flags & VRRP_ACT_SEND_ADVERT)
		vrrp_advert_send(r, r->params.priority);
	if (a->flags & VRRP_ACT_STATE)  /* before the first GARPs / NAs, armed below */
		nft_schedule(r->h->nft, r->h);
	if (a->flags & VRRP_ACT_VIPS_DEL)
		vrrp_vips_del(r);
	if (a->flags & VRRP_ACT_VIPS_ADD)
		vrrp_vips_add(r);
	if ((a->flags & VRRP_ACT_ANNOUNCE) && r->vips_up)
		vrrp_garp_burst(r);  /* another master's clients come back */
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
			vrrp_router_event(rs[i], ev);
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

void vrrp_router_step(struct vrrp_router *r, const struct vrrp_event *ev)
{
	struct vrrp_actions a;

	group_block_preempt(r);
	vrrp_fsm_step(&r->fsm, &r->params, ev, loop_now(r->h->loop), &a);
	actions_run(r, &a);
	router_rearm(r);
	group_follow(r, &a);
}

void vrrp_router_event(struct vrrp_router *r, enum vrrp_event_type type)
{
	struct vrrp_event ev = { .type = type };

	vrrp_router_step(r, &ev);
}

static void router_fsm_timer(struct timer *t, void *arg)
{
	(void)t;
	vrrp_router_event(arg, VRRP_EV_TIMER);
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
	vrrp_router_event(r, r->faults ? VRRP_EV_FAULT_SET : VRRP_EV_FAULT_CLEAR);
}

void vrrp_priority_update(struct vrrp_router *r)
{
	uint8_t p = effective_priority(r);

	if (p == r->params.priority)
		return;
	log_info("[%s] priority %u -> %u", r->label, r->params.priority, p);
	r->params.priority = p;
	vrrp_router_event(r, VRRP_EV_PRIORITY);
}

void vrrp_check_delta_set(struct vrrp_router *r, int delta)
{
	r->check_delta = delta;
	vrrp_priority_update(r);
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
	timer_init(&r->garp_timer, vrrp_garp_timer, r);
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
		vrrp_router_attach(r, idx);
	else
		log_warnx("[%s] interface %s does not exist (yet)", r->label, r->cfg->ifname);
	/* Fault events in INIT are only remembered: STARTUP then enters FAULT. */
	vrrp_fault_update(r, VRRP_FAULT_LINK, !(idx && vip_link_up(r->h->vip, idx)));
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
	vrrp_router_event(r, VRRP_EV_SHUTDOWN);
	if (r->vips_up)
		vrrp_vips_del(r);
}

static void router_free(struct vrrp_router *r)
{
	loop_timer_cancel(r->h->loop, &r->fsm_timer);
	loop_timer_cancel(r->h->loop, &r->garp_timer);
	vrrp_router_detach(r);
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
	vrrp_track_if_update(r);     /* also re-derives the priority */
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
