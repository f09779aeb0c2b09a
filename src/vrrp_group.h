/* vrrp_group.h: sync-group rules. Pure: the daemon glue (vrrp.c) and the
 * simulator keep the members and feed the events these functions name.
 *
 * A sync group ties VRRP instances of one router so that they are Master
 * together (e.g. the client-side and the backend-side VIP of one AI server):
 *  - Fault: the group is in fault while any member has its own fault; each
 *    member's effective fault is its own fault or the group's. After any
 *    change of an own fault, ask vrrp_group_fault_event() for every member.
 *  - Follow: after feeding an event to one member, ask vrrp_group_follow()
 *    what each sibling must be fed. A member that became Master by its own
 *    election pulls its Backup siblings up (VRRP_EV_GROUP_MASTER); one that
 *    lost an election (higher priority advert, stall) pushes its Master
 *    siblings down (VRRP_EV_GROUP_BACKUP). Transitions caused by the group
 *    itself (VRRP_CAUSE_GROUP) do not propagate, so one pass settles.
 *  - Preemption: set params.preempt_blocked from vrrp_group_preempt_blocked()
 *    before every step of a member. A member must not preempt while a
 *    sibling is legitimately held in Backup by a better master: that
 *    sibling would be pulled up, lose, and push the group down again.
 */
#ifndef HAFD_VRRP_GROUP_H
#define HAFD_VRRP_GROUP_H

#include <stdbool.h>
#include <stddef.h>

#include "vrrp_fsm.h"

/* One member as the rules see it; the caller owns the array. */
struct vrrp_group_member {
	const struct vrrp_fsm *fsm;
	const struct vrrp_params *params;
	bool own_fault;                 /* this member's own checks say fault */
};

/* Any member has its own fault. */
bool vrrp_group_fault(const struct vrrp_group_member *m, size_t n);

/* Own fault or group fault for member i. */
bool vrrp_group_member_fault(const struct vrrp_group_member *m, size_t n, size_t i);

/* Whether member i's FSM must be fed a fault event to match its effective
 * fault: true with *ev = VRRP_EV_FAULT_SET or VRRP_EV_FAULT_CLEAR. */
bool vrrp_group_fault_event(const struct vrrp_group_member *m, size_t n, size_t i,
			    enum vrrp_event_type *ev);

/* After a member's step produced *a, the event for a sibling now in state
 * sibling: true with *ev = VRRP_EV_GROUP_MASTER or VRRP_EV_GROUP_BACKUP. */
bool vrrp_group_follow(const struct vrrp_actions *a, enum vrrp_state sibling,
		       enum vrrp_event_type *ev);

/* Member i must not preempt: some sibling is Backup under a master whose
 * priority (not 0) is at least the sibling's own. */
bool vrrp_group_preempt_blocked(const struct vrrp_group_member *m, size_t n, size_t i);

#endif
