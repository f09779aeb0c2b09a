/* handover.h: planned moves of the VIPs away from this node.
 *
 *   hafctl handover [NAME|--all]   yield: the instances' priority drops to 1,
 *                                  a backup preempts, and they stay yielding
 *                                  (no preempting back) until `hafctl resume`
 *                                  or a restart; safe: when no router takes
 *                                  over within the wait, the priority comes
 *                                  back, the VIPs stay, and it says so
 *   hafctl maintenance on|off      every instance yields, and keeps yielding
 *                                  across restarts (a file in runtime_dir)
 *
 * A yielding instance advertises priority 1 (an address owner, 255, never
 * yields: it would preempt back at once). Glue: it changes routers. */
#ifndef HAFD_HANDOVER_H
#define HAFD_HANDOVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hafd;
struct vrrp_router;

/* The outcome of a handover: ok, and what to tell the operator. */
typedef void handover_done_fn(void *arg, bool ok, const char *text);

/* Start a handover of instance `name` (NULL: all). done is called once,
 * maybe before this returns, with the outcome; wait_us (0: the default,
 * 4 advert intervals and at least 2 s) bounds the wait for a backup.
 * drain_us > 0: a drain of up to that long (drain.h) follows the move,
 * and done comes when it ended. 0, or -1 with errno EBUSY (one is
 * running) and done not called. */
int handover_start(struct hafd *h, const char *name, uint64_t wait_us, uint64_t drain_us,
		   handover_done_fn *done, void *arg);
/* A drain ended (drain.c): text for the requester; last: none is left. */
void handover_drained(struct hafd *h, const char *text, bool last);
/* A handover (with its drain) is under way. */
bool handover_running(const struct hafd *h);
/* The requester went away: no done call for arg. */
void handover_forget(struct hafd *h, void *arg);
/* Stop yielding (NULL: all); text says what changed. 0, or -1 (no such
 * instance). */
int handover_resume(struct hafd *h, const char *name, char *text, size_t len);
/* Maintenance on or off: every instance yields, and the file
 * runtime_dir/maintenance keeps it so across restarts. 0 or -1/errno. */
int handover_maintenance(struct hafd *h, bool on);
/* At start: maintenance mode from the file. */
void handover_init(struct hafd *h);
/* A router changed state (vrrp.c): a handover may be complete. */
void handover_state(struct hafd *h, struct vrrp_router *r);
/* Free what a running handover holds (stop). */
void handover_stop(struct hafd *h);

#endif
