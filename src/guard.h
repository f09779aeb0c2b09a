/* guard.h: the crash guard. A small child process, forked at start-up, that
 * outlives hafd. When hafd dies without cleaning up (SIGKILL, abort, the
 * OOM killer), the guard sees its socket close and at once sends the
 * priority-0 adverts hafd would have sent for each instance that was
 * master, so a backup takes over after Skew_Time instead of the master-down
 * interval, and removes every VIP in the journal, so the dead node stops
 * serving them. A graceful stop tells the guard to leave quietly. */
#ifndef HAFD_GUARD_H
#define HAFD_GUARD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "addr.h"

struct guard;

/* Fork the guard. vip_journal: where hafd records its VIPs (the guard
 * empties it with vip_journal_cleanup); runtime_dir: where use_vmac
 * macvlans are journaled (vmac_journal_cleanup). The daemon names both:
 * the guard derives no path of its own. 0 or -1/errno. */
int guard_start(struct guard **out, const char *vip_journal, const char *runtime_dir);
/* Instance id is master: these are the priority-0 adverts to send for it
 * if hafd dies (one per destination). Replaces what id had before. */
int guard_arm(struct guard *g, unsigned id, int ifindex, int family,
	      const struct hafd_addr *src, const struct hafd_addr *dst,
	      const uint8_t *pkt, size_t len, int first);
/* Instance id is no longer master. */
void guard_disarm(struct guard *g, unsigned id);
/* Graceful stop: the guard exits without acting. Frees g. */
void guard_stop(struct guard *g);
pid_t guard_pid(const struct guard *g);

#endif
