/* check.c: rise/fall hysteresis, startup grace and the contribution of a
 * check to its instances (the rules are in check.h). */
#include "check.h"

#include <stdio.h>
#include <string.h>

void check_init(struct check *h, const struct check_params *p, uint64_t now_us)
{
	memset(h, 0, sizeof(*h));
	h->p = *p;
	if (h->p.rise < 1)
		h->p.rise = 1;
	if (h->p.fall < 1)
		h->p.fall = 1;
	h->state = CHECK_ST_INIT;
	h->factor = 1;
	h->grace_end_us = p->grace_us ? now_us + p->grace_us : 0;
	h->grace_over = !p->grace_us;
	h->since_us = now_us;
}

bool check_unproven(const struct check *h)
{
	return h->state == CHECK_ST_INIT;
}

bool check_saturated(const struct check *h)
{
	return h->state == CHECK_ST_DEGRADED;
}

bool check_in_grace(const struct check *h, uint64_t now_us)
{
	return !h->grace_over && now_us < h->grace_end_us;
}

uint64_t check_grace_due(const struct check *h)
{
	return h->grace_over ? 0 : h->grace_end_us;
}

static void note_run(struct check *h, const struct check_outcome *run, uint64_t now_us)
{
	h->c.runs++;
	if (run->kind < CHECK_KIND_N)
		h->c.kinds[run->kind]++;
	h->last = run->result;
	h->last_kind = run->kind;
	h->latency_us = run->latency_us;
	h->last_run_us = now_us;
	if (run->result != CHECK_RES_PASS) {
		h->run_weighted = run->weighted;
		h->run_weight = run->weight < -254 ? -254 : run->weight > 254 ? 254 : run->weight;
	}
	if (run->result == CHECK_RES_FAIL)
		h->factor = run->factor == 0 ? 1 : run->factor > 254 ? 254 :
			run->factor < -254 ? -254 : (int)run->factor;
	snprintf(h->reason, sizeof(h->reason), "%s", run->reason ? run->reason : "");
}

static void on_pass(struct check *h)
{
	h->c.passes++;
	h->nonpasses = 0;
	if (h->passes < h->p.rise)
		h->passes++;
	if (h->passes >= h->p.rise)
		h->state = CHECK_ST_UP;
}

static void on_nonpass(struct check *h, enum check_result r)
{
	if (r == CHECK_RES_DEGRADED)
		h->c.degraded++;
	else
		h->c.fails++;
	h->passes = 0;
	if (h->nonpasses < h->p.fall)
		h->nonpasses++;
	if (h->nonpasses >= h->p.fall)
		h->state = r == CHECK_RES_DEGRADED ? CHECK_ST_DEGRADED : CHECK_ST_DOWN;
}

/* What the service's answer means beyond what the runner saw: a pass slower
 * than slow_after is saturation (DEGRADED), and a run of degraded timeouts
 * as long as timeout_fall is a wedge (FAIL). out->reason may point at buf. */
static void outcome_judge(struct check *h, const struct check_outcome *run,
			  struct check_outcome *out, char *buf, size_t len)
{
	const char *why = run->reason ? run->reason : "";

	*out = *run;
	h->timeouts = run->kind == CHECK_KIND_TIMEOUT ? h->timeouts + 1 : 0;
	if (run->result == CHECK_RES_PASS && h->p.slow_after_us &&
	    run->latency_us > h->p.slow_after_us) {
		out->result = CHECK_RES_DEGRADED;
		out->kind = CHECK_KIND_SLOW;
		snprintf(buf, len, "%s%sslow: %llu ms, slow_after %llu ms", why, *why ? ", " : "",
			 (unsigned long long)(run->latency_us / 1000),
			 (unsigned long long)(h->p.slow_after_us / 1000));
		out->reason = buf;
	} else if (run->result == CHECK_RES_DEGRADED && run->kind == CHECK_KIND_TIMEOUT &&
		   h->p.timeout_fall && h->timeouts >= h->p.timeout_fall) {
		out->result = CHECK_RES_FAIL;
		snprintf(buf, len, "%s (%d timeouts in a row)", why, h->timeouts);
		out->reason = buf;
	}
}

bool check_record(struct check *h, const struct check_outcome *in, uint64_t now_us,
		  enum check_state *from)
{
	enum check_state before = h->state;
	char buf[CHECK_REASON_MAX];
	struct check_outcome judged, *run = &judged;
	bool pass;

	if (from)
		*from = before;
	outcome_judge(h, in, &judged, buf, sizeof(buf));
	pass = run->result == CHECK_RES_PASS;
	note_run(h, run, now_us);
	if (!pass && check_in_grace(h, now_us)) {
		h->c.ignored++;
		return false;
	}
	if (pass && !h->grace_over) {
		h->grace_passed = now_us < h->grace_end_us;
		h->grace_over = true;
	} else if (!h->grace_over) {
		h->grace_over = true;   /* expired by time: this non-pass counts */
	}
	if (pass)
		on_pass(h);
	else
		on_nonpass(h, run->result);
	if (h->state == before)
		return false;
	h->c.transitions++;
	h->since_us = now_us;
	return true;
}

/* INIT counts as UP inside the grace, and after a PASS in the grace while
 * the check goes on passing towards rise. */
static bool init_as_up(const struct check *h, uint64_t now_us)
{
	return check_in_grace(h, now_us) || (h->grace_passed && h->passes > 0);
}

void check_contrib(const struct check *h, uint64_t now_us, int *delta, bool *fault)
{
	int weight = h->p.weight;
	bool up;

	*delta = 0;
	*fault = false;
	switch (h->state) {
	case CHECK_ST_DEGRADED:
		*delta = h->run_weighted ? h->run_weight : h->p.degrade_weight;
		return;
	case CHECK_ST_UP:
		up = true;
		break;
	case CHECK_ST_INIT:
		up = init_as_up(h, now_us);
		break;
	default:
		up = false;
		/* DOWN by a run that said what it costs (INIT stays unproven:
		 * the check's own weight). */
		if (h->run_weighted)
			weight = h->run_weight;
		break;
	}
	if (weight == 0) {
		*fault = !up;
	} else if (weight < 0) {
		int d = up ? 0 : weight * h->factor;

		/* Below -254 only through a factor: keepalived's FAULT. */
		*delta = d < -254 ? -254 : d > 254 ? 254 : d;
		*fault = d < -254;
	} else
		*delta = up ? weight : 0;
}

void check_sum(const struct check *const *checks, size_t n, uint64_t now_us,
	       int *delta, bool *fault)
{
	*delta = 0;
	*fault = false;
	for (size_t i = 0; i < n; i++) {
		int d;
		bool f;

		check_contrib(checks[i], now_us, &d, &f);
		*delta += d;
		*fault |= f;
	}
}

const char *check_state_name(enum check_state s)
{
	static const char *const names[] = {
		[CHECK_ST_INIT] = "INIT", [CHECK_ST_UP] = "UP",
		[CHECK_ST_DEGRADED] = "DEGRADED", [CHECK_ST_DOWN] = "DOWN",
	};

	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

const char *check_result_name(enum check_result r)
{
	static const char *const names[] = {
		[CHECK_RES_NONE] = "none", [CHECK_RES_PASS] = "pass",
		[CHECK_RES_DEGRADED] = "degraded", [CHECK_RES_FAIL] = "fail",
	};

	return (unsigned)r < sizeof(names) / sizeof(names[0]) ? names[r] : "?";
}

const char *check_kind_name(enum check_kind k)
{
	static const char *const names[] = {
		[CHECK_KIND_OK] = "ok", [CHECK_KIND_EXIT] = "exit",
		[CHECK_KIND_TIMEOUT] = "timeout", [CHECK_KIND_KILLED] = "killed",
		[CHECK_KIND_REFUSED] = "refused", [CHECK_KIND_RESET] = "reset",
		[CHECK_KIND_BAD_STATUS] = "bad_status", [CHECK_KIND_BAD_BODY] = "bad_body",
		[CHECK_KIND_BAD_REPLY] = "bad_reply", [CHECK_KIND_ERROR] = "error",
		[CHECK_KIND_SLOW] = "slow", [CHECK_KIND_RULE] = "rule",
	};

	return (unsigned)k < CHECK_KIND_N ? names[k] : "?";
}
