/* drain_rules.c: the decisions of a drain (drain_rules.h). Pure. */
#include "drain_rules.h"

#define LAPSE_INTERVALS 3

enum drain_step drain_rules_step(bool moved, bool acked, long left, uint64_t now_us,
				 uint64_t until_us)
{
	if (!moved)
		return DRAIN_STEP_PLAN;
	/* Nobody forwards (a keepalived or FRR master): the clients'
	 * segments get the new master's resets, and keeping the VIPs on lo
	 * would only wait for that. */
	if (!acked)
		return DRAIN_STEP_END_UNACKED;
	if (left == 0)
		return DRAIN_STEP_END_EMPTY;
	if (now_us >= until_us)
		return DRAIN_STEP_END_TIME;
	return DRAIN_STEP_DRAIN;
}

const char *drain_rules_reason(enum drain_step s)
{
	switch (s) {
	case DRAIN_STEP_END_UNACKED:
		return "not acknowledged by the new master: drain needs hafd on both sides";
	case DRAIN_STEP_END_EMPTY:
		return "no connection left";
	case DRAIN_STEP_END_TIME:
		return "time ran out";
	case DRAIN_STEP_PLAN:
	case DRAIN_STEP_DRAIN:
		break;
	}
	return "running";
}

bool drain_rules_plan_ok(const struct drain_follow *f, const struct hafd_addr *from)
{
	return f->tables && f->backup && f->following && addr_equal(&f->master, from);
}

uint64_t drain_rules_lapse_us(unsigned interval_ms, uint64_t tick_us)
{
	return (uint64_t)(interval_ms ? interval_ms : 1000u) * 1000u * LAPSE_INTERVALS + tick_us;
}
