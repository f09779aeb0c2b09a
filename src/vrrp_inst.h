/* vrrp_inst.h: one virtual router as the daemon and the simulator both run
 * it. Pure: it feeds events to the state machine (vrrp_fsm.c), applies the
 * sync-group rules, and carries out the resulting actions in their one
 * correct order through a small table of operations that the caller
 * provides (real sockets and netlink in the daemon, a virtual segment in
 * tests/sim). No I/O and no clock: the caller passes the time.
 *
 * The order of actions on every step:
 *   1. use_vmac: the macvlan comes up (before the first advert as master)
 *   2. the advert with our priority (as a new master, or the last one of a
 *      master that yields: the winner already holds the VIPs)
 *   3. the VIPs are removed (we stop holding them BEFORE we resign, so that
 *      a backup that takes over on our priority-0 advert never shares them)
 *   4. the priority-0 advert
 *   5. use_vmac: the macvlan goes down (our adverts left from its MAC)
 *   6. the VIPs are added (their first GARP / NA burst follows)
 *   7. a re-announcement (GARP / NA) while we hold them
 *   8. the state change (log, counters, notify, crash guard, nft; the
 *      daemon reports a new master's after its first GARP burst)
 *   9. the timer is re-armed
 *  10. sync-group siblings follow a member's own election
 *
 * Sync groups are a ring of members linked through group_next (a member
 * alone links to itself), so a group has no size limit.
 */
#ifndef HAFD_VRRP_INST_H
#define HAFD_VRRP_INST_H

#include <stdbool.h>
#include <stdint.h>

#include "addr.h"
#include "vrrp_fsm.h"

/* Why an instance is in FAULT (any bit set). */
enum vrrp_fault {
	VRRP_FAULT_LINK = 1u << 0,      /* its interface is down or missing */
	VRRP_FAULT_NO_ADDR = 1u << 1,   /* no primary address to send from */
	VRRP_FAULT_TRACK_IF = 1u << 2,  /* a tracked interface (weight 0) is down */
	VRRP_FAULT_CHECK = 1u << 3,     /* a tracked check (weight 0) failed */
	VRRP_FAULT_GROUP = 1u << 4,     /* a sync-group sibling is in fault */
	VRRP_FAULT_SOCKET = 1u << 5,    /* the VRRP socket could not be opened */
	VRRP_FAULT_VMAC = 1u << 6,      /* use_vmac: the macvlan could not be made */
};

struct vrrp_inst;

/* What the caller does for an instance. Every pointer may be NULL. */
struct vrrp_inst_ops {
	void (*vmac_up)(struct vrrp_inst *i);
	void (*send)(struct vrrp_inst *i, uint8_t priority);
	void (*vips_del)(struct vrrp_inst *i);
	void (*vmac_down)(struct vrrp_inst *i);
	void (*vips_add)(struct vrrp_inst *i);
	void (*announce)(struct vrrp_inst *i);
	void (*state)(struct vrrp_inst *i, const struct vrrp_actions *a);
	void (*arm)(struct vrrp_inst *i, uint64_t due);    /* 0: no timer */
	/* Read the adverts already waiting for this instance, feeding each
	 * to vrrp_inst_advert(), before a timer decides on a takeover or a
	 * stalled master decides anything: they may say it need not. */
	void (*drain)(struct vrrp_inst *i);
	/* Fault reasons that changed (to on), for the log. */
	void (*fault_log)(struct vrrp_inst *i, unsigned changed, bool on);
};

struct vrrp_inst {
	struct vrrp_fsm fsm;
	struct vrrp_params params;
	unsigned faults;                /* enum vrrp_fault bits */
	struct vrrp_inst *group_next;   /* sync-group ring; itself when alone */
	const struct vrrp_inst_ops *ops;
	void *owner;                    /* the caller's router */
	uint64_t armed_us;              /* the due time last given to ops->arm */
	bool timer_running;             /* in vrrp_inst_timer: it re-arms at the end */
	/* Inside an op: the event being handled and what it asked for (for
	 * callers that log or check them, as the simulator does). */
	const struct vrrp_event *ev;
	const struct vrrp_actions *acts;
};

/* In INIT, alone, no faults; params are the caller's to fill. */
void vrrp_inst_init(struct vrrp_inst *i, const struct vrrp_inst_ops *ops, void *owner);

/* Sync groups: put i into g's ring (i must be alone), or take it out. */
void vrrp_inst_group_join(struct vrrp_inst *i, struct vrrp_inst *g);
void vrrp_inst_group_leave(struct vrrp_inst *i);

/* The address our adverts carry as their source, which is also what the
 * §6.4.3 tie-break compares a peer's advert source with: unicast_src when
 * set (NULL when not), else the interface's primary address. */
struct hafd_addr vrrp_inst_source(const struct hafd_addr *unicast_src,
				  const struct hafd_addr *if_primary);

/* Events. now is CLOCK_MONOTONIC microseconds. */
void vrrp_inst_event(struct vrrp_inst *i, enum vrrp_event_type type, uint64_t now);
void vrrp_inst_advert(struct vrrp_inst *i, uint8_t priority, uint16_t interval_cs,
		      const struct hafd_addr *src, uint64_t now);
/* The armed timer is due. */
void vrrp_inst_timer(struct vrrp_inst *i, uint64_t now);
/* Set (on) or clear one fault reason; the group's fault follows. */
void vrrp_inst_fault(struct vrrp_inst *i, unsigned reason, bool on, uint64_t now);
/* A new effective priority (or preempt / pair settings in params). */
void vrrp_inst_priority(struct vrrp_inst *i, uint8_t priority, uint64_t now);
/* Whether a check the instance tracks has not passed yet (struct
 * vrrp_params, unproven). Takes effect at the next event: a backup that
 * is proven preempts at the next advert of a worse master. */
void vrrp_inst_unproven(struct vrrp_inst *i, bool unproven);

/* Sync-group rules, exposed for tests. */
bool vrrp_inst_group_fault(const struct vrrp_inst *i);        /* any member's own fault */
bool vrrp_inst_preempt_blocked(const struct vrrp_inst *i);
bool vrrp_inst_group_follow(const struct vrrp_actions *a, enum vrrp_state sibling,
			    enum vrrp_event_type *ev);

#endif
