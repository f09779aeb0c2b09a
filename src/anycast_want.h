/* anycast_want.h: what an anycast instance (mode = anycast, hafd-anycast(7))
 * should announce, from its checks, maintenance and the time. Pure: the
 * glue (anycast.c) carries the verdict out by putting the service
 * addresses on the announced or the less preferred interface, or on none.
 *
 *   stopping                                    withdrawn
 *   a check DOWN, or with no result yet         withdrawn
 *   maintenance (or a handover of it), drain    less preferred until
 *     running and a degraded_interface            since + drain, then
 *                                                 withdrawn
 *   a check DEGRADED                            less preferred (announced
 *                                                 without degraded_interface)
 *   otherwise                                   announced
 */
#ifndef HAFD_ANYCAST_WANT_H
#define HAFD_ANYCAST_WANT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum anycast_state {
	ANYCAST_WITHDRAWN,
	ANYCAST_LESS_PREFERRED,
	ANYCAST_ANNOUNCED,
};

struct anycast_in {
	const char *down;               /* a tracked check that is DOWN, or NULL */
	const char *unproven;           /* one with no state yet, or NULL */
	const char *degraded;           /* one that is DEGRADED, or NULL */
	size_t n_checks;
	bool have_degraded_if;          /* degraded_interface is set */
	bool maintenance;               /* hafctl maintenance on */
	bool handover;                  /* hafctl handover of this instance */
	uint64_t drain_since_us;        /* when maintenance or the handover began */
	uint64_t drain_us;
	bool stopping;
};

struct anycast_verdict {
	enum anycast_state state;
	char why[128];
	uint64_t due_us;                /* decide again then; 0: at the next change */
};

void anycast_want(const struct anycast_in *in, uint64_t now_us, struct anycast_verdict *out);
/* "announced", "less-preferred", "withdrawn" */
const char *anycast_state_name(enum anycast_state s);

#endif
