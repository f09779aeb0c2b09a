/* drain_rules.h: the decisions of a drain (drain.h), pure: what the old
 * master does at each tick, whether a new master takes a plan, and how
 * long a plan or a drain it forwards lives without news. drain.c carries
 * them out. */
#ifndef HAFD_DRAIN_RULES_H
#define HAFD_DRAIN_RULES_H

#include <stdbool.h>
#include <stdint.h>

#include "addr.h"

/* The old master's side, at each tick. */
enum drain_step {
	DRAIN_STEP_PLAN,                /* not moved yet: announce the plan again */
	DRAIN_STEP_DRAIN,               /* draining: say so, go on */
	DRAIN_STEP_END_UNACKED,         /* moved, the new master never acknowledged */
	DRAIN_STEP_END_EMPTY,           /* no connection left */
	DRAIN_STEP_END_TIME,            /* the duration ran out */
};

/* moved: the instance left MASTER; acked: its new master acknowledged
 * the plan; left: the connections counted now (-1: the count failed);
 * until_us: when the duration runs out. */
enum drain_step drain_rules_step(bool moved, bool acked, long left, uint64_t now_us,
				 uint64_t until_us);
/* Why a drain ended, for the log, hafctl and HAFD_DRAIN_REASON. */
const char *drain_rules_reason(enum drain_step s);

/* What a backup knows of the master it follows. */
struct drain_follow {
	bool backup;                    /* in BACKUP */
	bool following;                 /* it has heard a master */
	struct hafd_addr master;        /* the source of that master's adverts */
	bool tables;                    /* hafd's nftables tables exist */
};

/* Whether a plan from `from` is taken: only from the master this backup
 * follows (a plan asks to forward to its sender), and only with tables
 * to forward with. */
bool drain_rules_plan_ok(const struct drain_follow *f, const struct hafd_addr *from);

/* How long a plan or a drain lives after the last message that renewed
 * it: three of the sender's intervals (1 s when it gave none) and a tick,
 * as a backup gives a master three advert intervals. */
uint64_t drain_rules_lapse_us(unsigned interval_ms, uint64_t tick_us);

#endif
