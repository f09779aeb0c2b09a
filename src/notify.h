/* notify.h: notify hooks of instances and sync groups.
 *
 * On entering MASTER, BACKUP or FAULT, and on a graceful stop (STOP), an
 * instance runs, in this order:
 *   notify_master / notify_backup / notify_fault / notify_stop  as
 *       /bin/sh -c COMMAND
 *   notify  as  PROG INSTANCE STATE PRIORITY   (keepalived's order of
 *       arguments, without its leading INSTANCE|GROUP word)
 * A sync group runs its hooks when the group as a whole changes state: FAULT
 * when any member is in FAULT, MASTER or BACKUP when all members are, STOP
 * when all have stopped; its notify gets  PROG GROUP STATE 0.
 *
 * Environment (besides PATH): HAFD_TYPE (INSTANCE or GROUP), HAFD_INSTANCE
 * (for a group, the member whose change completed the group's),
 * HAFD_GROUP (the group, also for a member instance), HAFD_STATE,
 * HAFD_PREV_STATE, HAFD_PRIORITY, HAFD_VRID, HAFD_INTERFACE, HAFD_CAUSE,
 * HAFD_ROUTER_ID.
 *
 * Hooks run as script_user, asynchronously, but one at a time per instance
 * (and per group), in order. Each has NOTIFY_TIMEOUT_US, then its process
 * group is killed. While one runs, new transitions collapse into one pending
 * transition, the latest: intermediate states may be skipped, none runs out
 * of order, and the last hook to run describes the current state.
 */
#ifndef HAFD_NOTIFY_H
#define HAFD_NOTIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vrrp_fsm.h"

#define NOTIFY_TIMEOUT_US (10 * 1000000ull)

struct hafd;
struct config_diff;
struct hafd_config;
struct proc_user;

/* One state change of an instance, as the glue that owns the routers
 * reports it. notify keeps no state of its own about the routers: what a
 * group as a whole is comes with the event. */
struct notify_event {
	size_t instance;                /* index in h->cfg->instances */
	enum vrrp_state from, to;       /* to INIT: a graceful stop (STOP) */
	enum vrrp_cause cause;
	int priority;                   /* the instance's priority now */
	/* Its sync group as a whole, counting this change: FAULT when any
	 * member is in FAULT, MASTER or BACKUP when all members are, INIT
	 * when all have stopped; group_agrees is false otherwise (and
	 * without a group). */
	bool group_agrees;
	enum vrrp_state group_state;
};

/* After proc_open(), before any state change. 0 or -1/errno. */
int notify_start(struct hafd *h);

/* Reload: right after h->cfg became ncfg, before any event. Queues follow
 * instances and groups by name, as d (config_match) pairs them: one whose
 * name stays (KEPT or CHANGED) keeps its order and any hook in flight; a
 * removed one finishes its running hook, then goes. Every hook from then
 * on runs as user (resolved by the caller; NULL when ncfg has no hook).
 * 0 or -1. */
int notify_reload(struct hafd *h, const struct hafd_config *ncfg, const struct config_diff *d,
		  const struct proc_user *user);

/* From the glue on every state change it reports (VRRP_ACT_STATE). */
void notify_state(struct hafd *h, const struct notify_event *ev);

/* After vrrp_stop(): run the loop until the STOP hooks have finished (each
 * within its deadline, or until a second SIGTERM), then kill what is left
 * and free. */
void notify_stop(struct hafd *h);

/* Transitions whose hooks were skipped because a later one superseded them. */
uint64_t notify_skipped(const struct hafd *h);

#endif
