/* vrrp_inst.c: one virtual router driven through its operations table (see
 * vrrp_inst.h): the state machine, the sync-group rules and the order of
 * actions, shared by the daemon (vrrp.c) and the simulator. Pure. */
#include "vrrp_inst.h"

#include <string.h>

void vrrp_inst_init(struct vrrp_inst *i, const struct vrrp_inst_ops *ops, void *owner)
{
	memset(i, 0, sizeof(*i));
	vrrp_fsm_init(&i->fsm);
	i->group_next = i;
	i->ops = ops;
	i->owner = owner;
}

void vrrp_inst_group_join(struct vrrp_inst *i, struct vrrp_inst *g)
{
	if (i == g)
		return;
	i->group_next = g->group_next;
	g->group_next = i;
}

void vrrp_inst_group_leave(struct vrrp_inst *i)
{
	struct vrrp_inst *p = i;

	while (p->group_next != i)
		p = p->group_next;
	p->group_next = i->group_next;
	i->group_next = i;
}

struct hafd_addr vrrp_inst_source(const struct hafd_addr *unicast_src,
				  const struct hafd_addr *if_primary)
{
	return unicast_src ? *unicast_src : *if_primary;
}

/* ---- sync-group rules ---------------------------------------------------- */

#define FOR_SIBLINGS(s, i) for (struct vrrp_inst *s = (i)->group_next; s != (i); s = s->group_next)

static bool own_fault(const struct vrrp_inst *i)
{
	return (i->faults & ~(unsigned)VRRP_FAULT_GROUP) != 0;
}

bool vrrp_inst_group_fault(const struct vrrp_inst *i)
{
	if (own_fault(i))
		return true;
	FOR_SIBLINGS(s, (struct vrrp_inst *)i)
		if (own_fault(s))
			return true;
	return false;
}

/* A member must not preempt while a sibling is legitimately held in Backup
 * by a master at least as good as itself: the sibling would be pulled up,
 * lose, and push the whole group down again. */
bool vrrp_inst_preempt_blocked(const struct vrrp_inst *i)
{
	FOR_SIBLINGS(s, (struct vrrp_inst *)i) {
		const struct vrrp_fsm *f = &s->fsm;

		if (f->state == VRRP_STATE_BACKUP && f->master_prio &&
		    f->master_prio >= s->params.priority)
			return true;
	}
	return false;
}

/* A member that became Master by its own election pulls its Backup
 * siblings up; one that lost an election pushes its Master siblings down.
 * A fault reaches siblings through the group fault, a shutdown stops the
 * whole router, and moves caused by the group do not propagate again. */
bool vrrp_inst_group_follow(const struct vrrp_actions *a, enum vrrp_state sibling,
			    enum vrrp_event_type *ev)
{
	if (!(a->flags & VRRP_ACT_STATE) || a->cause == VRRP_CAUSE_GROUP)
		return false;
	if (a->to == VRRP_STATE_MASTER && sibling == VRRP_STATE_BACKUP) {
		*ev = VRRP_EV_GROUP_MASTER;
		return true;
	}
	if (a->from == VRRP_STATE_MASTER && a->to == VRRP_STATE_BACKUP &&
	    (a->cause == VRRP_CAUSE_HIGHER_PRIO || a->cause == VRRP_CAUSE_STALL) &&
	    sibling == VRRP_STATE_MASTER) {
		*ev = VRRP_EV_GROUP_BACKUP;
		return true;
	}
	return false;
}

/* ---- one step --------------------------------------------------------------- */

static void rearm(struct vrrp_inst *i)
{
	uint64_t due = vrrp_fsm_next_due(&i->fsm);

	/* Adverts read before a late timer's event may leave that very
	 * timer (now in the past) the earliest: the event consumes it. */
	if (i->timer_running || due == i->armed_us)
		return;
	i->armed_us = due;
	if (i->ops->arm)
		i->ops->arm(i, due);
}

static void actions_run(struct vrrp_inst *i, const struct vrrp_actions *a)
{
	const struct vrrp_inst_ops *o = i->ops;

	if ((a->flags & VRRP_ACT_VIPS_ADD) && o->vmac_up)
		o->vmac_up(i);
	if ((a->flags & VRRP_ACT_SEND_ADVERT) && o->send)
		o->send(i, i->params.priority);
	if ((a->flags & VRRP_ACT_VIPS_DEL) && o->vips_del)
		o->vips_del(i);
	if ((a->flags & VRRP_ACT_SEND_PRIO0) && o->send)
		o->send(i, 0);
	if ((a->flags & VRRP_ACT_VIPS_DEL) && o->vmac_down)
		o->vmac_down(i);
	if ((a->flags & VRRP_ACT_VIPS_ADD) && o->vips_add)
		o->vips_add(i);
	if ((a->flags & VRRP_ACT_ANNOUNCE) && !(a->flags & VRRP_ACT_VIPS_ADD) && o->announce)
		o->announce(i);
	if ((a->flags & VRRP_ACT_STATE) && o->state)
		o->state(i, a);
}

static void step(struct vrrp_inst *i, const struct vrrp_event *ev, uint64_t now)
{
	struct vrrp_actions a;
	enum vrrp_event_type follow;
	const struct vrrp_event *outer_ev = i->ev;
	const struct vrrp_actions *outer_acts = i->acts;

	i->params.preempt_blocked = vrrp_inst_preempt_blocked(i);
	vrrp_fsm_step(&i->fsm, &i->params, ev, now, &a);
	i->ev = ev;
	i->acts = &a;
	actions_run(i, &a);
	i->ev = outer_ev;
	i->acts = outer_acts;
	rearm(i);
	FOR_SIBLINGS(s, i)
		if (vrrp_inst_group_follow(&a, s->fsm.state, &follow))
			step(s, &(struct vrrp_event){ .type = follow }, now);
}

void vrrp_inst_event(struct vrrp_inst *i, enum vrrp_event_type type, uint64_t now)
{
	step(i, &(struct vrrp_event){ .type = type }, now);
}

void vrrp_inst_advert(struct vrrp_inst *i, uint8_t priority, uint16_t interval_cs,
		      const struct hafd_addr *src, uint64_t now)
{
	step(i, &(struct vrrp_event){
		.type = VRRP_EV_ADVERT, .adv_priority = priority,
		.adv_interval_cs = interval_cs, .adv_src = *src,
	}, now);
}

void vrrp_inst_timer(struct vrrp_inst *i, uint64_t now)
{
	/* The loop runs timers before it reads sockets: adverts that came
	 * while we were stalled (or in this very turn) would be read only
	 * after a takeover they may have made needless. Read them first. */
	if (i->ops->drain && vrrp_fsm_timer_decisive(&i->fsm, &i->params, now)) {
		i->timer_running = true;
		i->ops->drain(i);
		i->timer_running = false;
	}
	i->armed_us = 0;        /* consumed: re-arm even at the same time */
	vrrp_inst_event(i, VRRP_EV_TIMER, now);
}

/* Bring the FSM's fault flag in line with own and group faults. */
static void fault_sync(struct vrrp_inst *i, uint64_t now)
{
	bool want = i->faults != 0;

	if (want != i->fsm.fault)
		vrrp_inst_event(i, want ? VRRP_EV_FAULT_SET : VRRP_EV_FAULT_CLEAR, now);
}

static void faults_set(struct vrrp_inst *i, unsigned reason, bool on)
{
	unsigned before = i->faults;

	i->faults = on ? i->faults | reason : i->faults & ~reason;
	if ((before ^ i->faults) && i->ops->fault_log)
		i->ops->fault_log(i, before ^ i->faults, on);
}

/* A sibling other than m has its own fault. */
static bool sibling_fault(const struct vrrp_inst *m)
{
	FOR_SIBLINGS(s, (struct vrrp_inst *)m)
		if (own_fault(s))
			return true;
	return false;
}

void vrrp_inst_fault(struct vrrp_inst *i, unsigned reason, bool on, uint64_t now)
{
	unsigned before = i->faults;

	faults_set(i, reason, on);
	if (before == i->faults)
		return;
	/* Any member's own fault holds the whole group in FAULT. Each
	 * member's group bit says whether a sibling (not itself) has one:
	 * all bits first, then the events, so that no member is fed an
	 * event while the group is half updated. */
	if (reason != VRRP_FAULT_GROUP) {
		faults_set(i, VRRP_FAULT_GROUP, sibling_fault(i));
		FOR_SIBLINGS(s, i)
			faults_set(s, VRRP_FAULT_GROUP, sibling_fault(s));
	}
	fault_sync(i, now);
	FOR_SIBLINGS(s, i)
		fault_sync(s, now);
}

void vrrp_inst_unproven(struct vrrp_inst *i, bool unproven)
{
	i->params.unproven = unproven;
}

void vrrp_inst_priority(struct vrrp_inst *i, uint8_t priority, uint64_t now)
{
	i->params.priority = priority;
	vrrp_inst_event(i, VRRP_EV_PRIORITY, now);
}
