/* vrrp_fsm.h: the VRRP state machine (RFC 9568 §6.4, checklist 1.4-1.5) plus
 * hafd's extensions. Pure: the caller passes the event and the time, and
 * gets back what to do. No I/O and no clock reads, so tests and the
 * simulator can run any number of routers on a virtual clock.
 *
 * Times are CLOCK_MONOTONIC microseconds (uint64_t, 0 = "not armed").
 *
 * Beyond the RFC:
 *  - Fast preemption: a Backup with preempt that hears its master advertise a
 *    priority lower than its own (but not 0) takes over after its
 *    Skew_Time (plus preempt_delay) instead of waiting out the master-down
 *    interval; an advert at or above its priority in that window cancels
 *    it, so of several backups only the best takes over. With `pair` (the
 *    only backup) it takes over at once. A Backup whose own priority rises
 *    above its master's takes over at once (or after preempt_delay).
 *  - Pair mode: the only backup of a master takes over at once on a
 *    priority-0 advert instead of after Skew_Time.
 *  - Stall: before a timer decides a takeover, or on a Master's timer an
 *    interval or more late, the caller reads the adverts already waiting
 *    (vrrp_fsm_timer_decisive): the loop runs timers before sockets, and
 *    after a stall those adverts say who is master now. A Master that was
 *    silent longer than its backups' Active_Down_Interval and finds a lower
 *    router advertising as master takes over again at once (preempt) or
 *    follows it (preempt = no, cause "stalled"). A Backup whose down timer
 *    fires more than an interval late listens one interval more.
 *  - Re-announce: a Master that hears another router advertise (a lower
 *    priority, or 0) re-announces its VIPs (GARP / NA): that router was a
 *    master too, and clients may have followed its announcements. Up to
 *    eight announcements (the takeover's own included) go at once within
 *    an Active_Down_Interval (a steady run of adverts from the router last
 *    answered adds none); one more due in it is sent when it ends.
 *    The advert a Master sends at once on a losing one (RFC 9568) goes at
 *    most once per 10 ms, so a flood cannot make it a reflector; one due
 *    within those 10 ms is sent when they end, never dropped.
 *    A Master that yields to a better advert sends one advert of its own
 *    first, so that a winner that never heard it (a healed split) learns
 *    of it and re-announces.
 *  - Fault: a tracked check or interface is down; the router leaves Master
 *    with a priority-0 advert and does not take part until cleared.
 *  - Sync groups: the glue forces members to follow each other with
 *    VRRP_EV_GROUP_MASTER / VRRP_EV_GROUP_BACKUP, and sets preempt_blocked
 *    on a member whose siblings are held by a better master.
 */
#ifndef HAFD_VRRP_FSM_H
#define HAFD_VRRP_FSM_H

#include <stdbool.h>
#include <stdint.h>

#include "addr.h"

enum vrrp_state {
	VRRP_STATE_INIT,
	VRRP_STATE_BACKUP,
	VRRP_STATE_MASTER,
	VRRP_STATE_FAULT,
};

/* The router's parameters as they are now (the effective priority moves
 * with health checks; send VRRP_EV_PRIORITY after changing it). */
struct vrrp_params {
	uint8_t version;                /* 2 or 3 */
	uint8_t priority;               /* effective priority, 1..255 (255 = owner) */
	uint16_t adver_int_cs;          /* Advertisement_Interval, centiseconds */
	bool preempt;
	uint64_t preempt_delay_us;
	bool pair;                      /* only backup: no Skew_Time on priority 0 */
	bool preempt_blocked;           /* sync group: do not preempt now */
	bool unproven;                  /* a tracked check has not passed yet: a
					 * node whose engine may still be loading
					 * never preempts a master it hears */
	struct hafd_addr primary;       /* our primary address (tie-break) */
	/* What puts the instance in FAULT passes on one node at a time
	 * (request = patroni: Patroni's leader lock): leaving FAULT goes
	 * MASTER at once, unless an advert with a priority was heard in the
	 * last Active_Down_Interval (or FAULT began less than one ago). */
	bool exclusive;
};

struct vrrp_fsm {
	enum vrrp_state state;
	bool fault;                     /* a fault is set; state is FAULT unless INIT */
	uint16_t master_adver_int_cs;   /* Active_Adver_Interval (item 22) */
	uint64_t skew_us;               /* Skew_Time (item 23, 26) */
	uint64_t master_down_us;        /* Active_Down_Interval (item 24, 26) */
	uint64_t down_due_us;           /* Active_Down_Timer (Backup) */
	uint64_t adver_due_us;          /* Adver_Timer (Master) */
	uint64_t preempt_due_us;        /* pending delayed preemption (Backup) */
	uint8_t master_prio;            /* priority of the master last heard, 0 = none */
	struct hafd_addr master_addr;   /* address of the master last heard (Backup) */
	uint64_t announce_due_us;       /* a deferred re-announce (Master) */
	/* private to vrrp_fsm.c */
	bool down_prio_zero;            /* down timer armed by a priority-0 advert */
	bool down_late;                 /* the down timer already waited out a stall */
	uint64_t master_heard_us;       /* when the master we follow was last heard */
	uint64_t announce_win_us;       /* end of the re-announce window (Master) */
	unsigned announces;             /* announcements made in that window */
	struct hafd_addr announce_for;  /* the router the last one answered */
	uint64_t announce_for_us;       /* when it last advertised */
	uint64_t assert_ok_us;          /* no answering advert before this (Master) */
	uint64_t assert_due_us;         /* an answering advert held back by that */
	uint64_t last_sent_us;          /* our last advert as Master */
	uint64_t fault_heard_us;        /* FAULT: when it began, or an advert with a
					 * priority came since (p->exclusive) */
};

enum vrrp_event_type {
	VRRP_EV_STARTUP,        /* leave INIT */
	VRRP_EV_SHUTDOWN,       /* back to INIT (priority 0 if Master) */
	VRRP_EV_ADVERT,         /* a valid advert for this router */
	VRRP_EV_TIMER,          /* now >= vrrp_fsm_next_due() */
	VRRP_EV_PRIORITY,       /* params changed (priority, preempt...) */
	VRRP_EV_FAULT_SET,
	VRRP_EV_FAULT_CLEAR,
	VRRP_EV_GROUP_MASTER,   /* a sync-group sibling became Master */
	VRRP_EV_GROUP_BACKUP,   /* a sync-group sibling left Master for Backup */
};

struct vrrp_event {
	enum vrrp_event_type type;
	/* VRRP_EV_ADVERT only */
	uint8_t adv_priority;
	uint16_t adv_interval_cs;
	struct hafd_addr adv_src;
};

enum vrrp_cause {
	VRRP_CAUSE_NONE,
	VRRP_CAUSE_STARTUP,             /* INIT -> BACKUP */
	VRRP_CAUSE_OWNER,               /* priority 255 starts as Master */
	VRRP_CAUSE_MASTER_DOWN,         /* master down timer */
	VRRP_CAUSE_PRIO_ZERO,           /* master resigned (priority 0), pair takeover */
	VRRP_CAUSE_PREEMPT,             /* lower-priority master, we preempt */
	VRRP_CAUSE_HIGHER_PRIO,         /* Master hears a better master */
	VRRP_CAUSE_FAULT,
	VRRP_CAUSE_FAULT_CLEARED,
	VRRP_CAUSE_SHUTDOWN,
	VRRP_CAUSE_GROUP,               /* sync group sibling */
	VRRP_CAUSE_STALL,               /* stalled Master finds a lower one (preempt = no) */
};

/* Actions, in the order the caller carries them out. */
#define VRRP_ACT_SEND_ADVERT    0x01u   /* send an advert with params->priority now */
#define VRRP_ACT_SEND_PRIO0     0x02u   /* send an advert with priority 0 now */
#define VRRP_ACT_VIPS_ADD       0x04u   /* add the VIPs, then GARP / NA them */
#define VRRP_ACT_VIPS_DEL       0x08u   /* remove the VIPs */
#define VRRP_ACT_STATE          0x10u   /* state changed: from -> to, cause */
#define VRRP_ACT_ANNOUNCE       0x20u   /* GARP / NA the VIPs again (Master) */

struct vrrp_actions {
	unsigned flags;
	enum vrrp_state from, to;
	enum vrrp_cause cause;
	bool learned_interval_mismatch; /* v3 master advertises a different interval */
};

/* INIT with no timers; Skew/down computed from p at the first event. */
void vrrp_fsm_init(struct vrrp_fsm *f);

/* Feed one event at now_us. *out is cleared first. */
void vrrp_fsm_step(struct vrrp_fsm *f, const struct vrrp_params *p,
		   const struct vrrp_event *ev, uint64_t now_us, struct vrrp_actions *out);

/* Earliest armed timer (0 when none): call step with VRRP_EV_TIMER then. */
uint64_t vrrp_fsm_next_due(const struct vrrp_fsm *f);

/* Whether the timer event due at now may decide a state change: a
 * Backup's takeover, or a Master an interval or more late. Read the
 * adverts already waiting before feeding it. */
bool vrrp_fsm_timer_decisive(const struct vrrp_fsm *f, const struct vrrp_params *p,
			     uint64_t now);

/* Skew_Time and Active_Down_Interval in microseconds (items 23, 24, 26).
 * v3 uses the master's interval; v2 uses whole seconds and ignores it. */
uint64_t vrrp_fsm_skew_us(uint8_t version, uint8_t priority, uint16_t master_adver_int_cs);
uint64_t vrrp_fsm_master_down_us(uint8_t version, uint8_t priority,
				 uint16_t master_adver_int_cs);

const char *vrrp_state_name(enum vrrp_state s);   /* "INIT", "BACKUP", "MASTER", "FAULT" */
const char *vrrp_cause_name(enum vrrp_cause c);   /* "master down timer", ... */

#endif
