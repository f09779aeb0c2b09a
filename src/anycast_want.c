/* anycast_want.c: an anycast instance's verdict (anycast_want.h). */
#include <stdarg.h>
#include <stdio.h>

#include "anycast_want.h"

const char *anycast_state_name(enum anycast_state s)
{
	switch (s) {
	case ANYCAST_ANNOUNCED: return "announced";
	case ANYCAST_LESS_PREFERRED: return "less-preferred";
	case ANYCAST_WITHDRAWN: break;
	}
	return "withdrawn";
}

static __attribute__((format(printf, 3, 4))) void set(struct anycast_verdict *out,
							 enum anycast_state s, const char *fmt, ...)
{
	va_list ap;

	out->state = s;
	va_start(ap, fmt);
	vsnprintf(out->why, sizeof(out->why), fmt, ap);
	va_end(ap);
}

void anycast_want(const struct anycast_in *in, uint64_t now_us, struct anycast_verdict *out)
{
	const char *what = in->handover ? "handover" : "maintenance";

	out->due_us = 0;
	if (in->stopping)
		return set(out, ANYCAST_WITHDRAWN, "hafd stopping");
	/* A dead engine is withdrawn at once, in maintenance or not: a drain
	 * would only send it more requests to fail. */
	if (in->down)
		return set(out, ANYCAST_WITHDRAWN, "check %s down", in->down);
	if (in->unproven)
		return set(out, ANYCAST_WITHDRAWN, "check %s has no result yet", in->unproven);
	if (in->maintenance || in->handover) {
		uint64_t end = in->drain_since_us + in->drain_us;

		/* Less preferred first: the routers move the traffic to the
		 * other nodes while this one still answers, then the route
		 * goes (RFC 8326's idea, by prepending). */
		if (in->have_degraded_if && now_us < end) {
			out->due_us = end;
			return set(out, ANYCAST_LESS_PREFERRED, "%s: draining", what);
		}
		return set(out, ANYCAST_WITHDRAWN, "%s", what);
	}
	if (in->degraded && in->have_degraded_if)
		return set(out, ANYCAST_LESS_PREFERRED, "check %s degraded", in->degraded);
	if (in->degraded)
		return set(out, ANYCAST_ANNOUNCED, "check %s degraded (no degraded_interface)",
			   in->degraded);
	if (!in->n_checks)
		return set(out, ANYCAST_ANNOUNCED, "no checks");
	return set(out, ANYCAST_ANNOUNCED, "checks up");
}
