/* vrrp_group.c: sync-group rules (see vrrp_group.h). Pure. */
#include "vrrp_group.h"

bool vrrp_group_fault(const struct vrrp_group_member *m, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (m[i].own_fault)
			return true;
	return false;
}

bool vrrp_group_member_fault(const struct vrrp_group_member *m, size_t n, size_t i)
{
	return m[i].own_fault || vrrp_group_fault(m, n);
}

bool vrrp_group_fault_event(const struct vrrp_group_member *m, size_t n, size_t i,
			    enum vrrp_event_type *ev)
{
	bool want = vrrp_group_member_fault(m, n, i);

	if (want == m[i].fsm->fault)
		return false;
	*ev = want ? VRRP_EV_FAULT_SET : VRRP_EV_FAULT_CLEAR;
	return true;
}

bool vrrp_group_follow(const struct vrrp_actions *a, enum vrrp_state sibling,
		       enum vrrp_event_type *ev)
{
	if (!(a->flags & VRRP_ACT_STATE) || a->cause == VRRP_CAUSE_GROUP)
		return false;
	if (a->to == VRRP_STATE_MASTER && sibling == VRRP_STATE_BACKUP) {
		*ev = VRRP_EV_GROUP_MASTER;
		return true;
	}
	/* Only a lost election pushes siblings down: a fault reaches them
	 * through the group fault, and a shutdown stops the whole router. */
	if (a->from == VRRP_STATE_MASTER && a->to == VRRP_STATE_BACKUP &&
	    (a->cause == VRRP_CAUSE_HIGHER_PRIO || a->cause == VRRP_CAUSE_STALL) &&
	    sibling == VRRP_STATE_MASTER) {
		*ev = VRRP_EV_GROUP_BACKUP;
		return true;
	}
	return false;
}

bool vrrp_group_preempt_blocked(const struct vrrp_group_member *m, size_t n, size_t i)
{
	for (size_t j = 0; j < n; j++) {
		const struct vrrp_fsm *f = m[j].fsm;

		if (j == i || f->state != VRRP_STATE_BACKUP || !f->master_prio)
			continue;
		if (f->master_prio >= m[j].params->priority)
			return true;
	}
	return false;
}
