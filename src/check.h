/* check.h: the state of one check, from its results. Pure: no I/O,
 * no clock; the caller passes the time (CLOCK_MONOTONIC microseconds).
 *
 * Each run of a check gives a result: PASS, DEGRADED or FAIL. The check's
 * state follows the results with hysteresis:
 *  - INIT until decided. Outside the startup grace INIT counts as DOWN for
 *    the instance: a node whose service is unproven must not win an
 *    election or preempt ("a broken standby never preempts").
 *  - Startup grace (startup_grace > 0): from start until the first PASS or
 *    until the grace expires, non-passes (FAIL and DEGRADED) are ignored
 *    (not counted towards fall, not logged as failures) and INIT counts as
 *    UP, so a pair booting with loading servers keeps its configured
 *    master. The first PASS ends the grace; the check keeps counting as UP
 *    while it goes on passing towards `rise` (a pair booting together must
 *    not flap), and counts as DOWN at the first non-pass after it.
 *  - `rise` PASSes in a row -> UP (from INIT, DOWN or DEGRADED).
 *  - DEGRADED and FAIL reset the pass count and are non-passes. After `fall`
 *    non-passes in a row the state is DOWN if the latest result is FAIL and
 *    DEGRADED if it is DEGRADED; while that run of non-passes goes on, the
 *    state follows the latest result. Fewer than `fall` leave it unchanged.
 *
 * What one check contributes to an instance that tracks it:
 *   state          weight 0     weight < 0    weight > 0
 *   UP             0            0             +weight
 *   INIT (grace)   0            0             +weight     (counts as UP)
 *   INIT, DOWN     FAULT        weight x f    0
 *   DEGRADED       degrade_weight in every case, never FAULT
 * A run may carry a weight of its own (a metrics check: the rules that
 * fired, metrics_eval.h); while its non-pass holds the state DOWN or
 * DEGRADED, that weight stands for weight or degrade_weight above.
 * f is the factor of the last failed run: 1, or for a file check the
 * integer it read (keepalived's track_file); weight x f is kept within
 * -254..254, and a product below -254 puts the instance in FAULT.
 * The instance's check delta is the sum over its checks; it is in fault
 * when any of its weight-0 checks is DOWN (or INIT outside the grace).
 */
#ifndef HAFD_CHECK_H
#define HAFD_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum check_result {
	CHECK_RES_NONE,         /* no run finished yet */
	CHECK_RES_PASS,
	CHECK_RES_DEGRADED,
	CHECK_RES_FAIL,
};

enum check_state {
	CHECK_ST_INIT,
	CHECK_ST_UP,
	CHECK_ST_DEGRADED,
	CHECK_ST_DOWN,
};

/* What happened in one run, for the counters (the result decides). */
enum check_kind {
	CHECK_KIND_OK,          /* the service answered as expected */
	CHECK_KIND_EXIT,        /* a script exited non-zero */
	CHECK_KIND_TIMEOUT,     /* no answer within the timeout */
	CHECK_KIND_KILLED,      /* a script killed by a signal (ours or not) */
	CHECK_KIND_REFUSED,     /* connection refused */
	CHECK_KIND_RESET,       /* connection reset or closed too early */
	CHECK_KIND_BAD_STATUS, /* HTTP status not expected */
	CHECK_KIND_BAD_BODY,    /* expect_body not found */
	CHECK_KIND_BAD_REPLY,   /* malformed HTTP response, bad file content */
	CHECK_KIND_ERROR,       /* could not run the check (fork, socket, file) */
	CHECK_KIND_SLOW,        /* it passed, slower than slow_after */
	CHECK_KIND_RULE,        /* a metrics rule fired */
	CHECK_KIND_N,
};

struct check_params {
	int rise, fall;                 /* >= 1 */
	int weight;                     /* -254..254; 0 = DOWN means FAULT */
	int degrade_weight;
	uint64_t grace_us;              /* startup_grace; 0 = none */
	int timeout_fall;               /* a degraded timeout this many times in a
					 * row is a FAIL (a wedge); 0 = never */
	uint64_t slow_after_us;         /* a PASS slower than this is DEGRADED
					 * (saturated, not dead); 0 = off */
};

/* One finished run. */
struct check_outcome {
	enum check_result result;       /* PASS, DEGRADED or FAIL */
	enum check_kind kind;
	const char *reason;             /* short text, copied; NULL = none */
	uint64_t latency_us;
	long factor;                    /* weight multiplier of a FAIL; 0 means 1 */
	bool weighted;                  /* FAIL, DEGRADED: weight replaces the
					 * check's weight, degrade_weight */
	int weight;
};

struct check_counters {
	uint64_t runs;                  /* every finished run */
	uint64_t passes, fails, degraded;       /* counted results */
	uint64_t ignored;               /* non-passes ignored during the grace */
	uint64_t kinds[CHECK_KIND_N];   /* every run, by what happened */
	uint64_t transitions;           /* state changes */
};

#define CHECK_REASON_MAX 160

struct check {
	struct check_params p;
	enum check_state state;
	int passes;                     /* PASSes in a row */
	int nonpasses;                  /* DEGRADED/FAIL in a row */
	int timeouts;                   /* timeouts in a row */
	uint64_t grace_end_us;          /* 0 = no grace */
	bool grace_over;                /* ended by the first PASS or by time */
	bool grace_passed;              /* the first PASS came inside the grace */
	enum check_result last;
	enum check_kind last_kind;
	int factor;                     /* of the last FAIL, within -254..254 */
	bool run_weighted;              /* the last non-pass carried a weight */
	int run_weight;
	char reason[CHECK_REASON_MAX]; /* of the last run */
	uint64_t latency_us;            /* of the last run */
	uint64_t last_run_us;           /* when the last run finished */
	uint64_t since_us;              /* when the state last changed */
	struct check_counters c;
};

/* Start in INIT at now_us; the grace (if any) runs from now_us. */
void check_init(struct check *h, const struct check_params *p, uint64_t now_us);

/* Record one finished run at now_us. Returns true when the state changed
 * (the old state is in *from when from is not NULL). */
bool check_record(struct check *h, const struct check_outcome *run, uint64_t now_us,
		  enum check_state *from);

/* The check has not reached a state yet (INIT): its service is unproven.
 * Whatever INIT counts as for the priority, an instance that tracks an
 * unproven check does not preempt a master it hears (vrrp_fsm.h,
 * unproven): in the grace INIT counts as UP so that a cold start still
 * elects a master, but a node booting beside a live master waits for its
 * checks to rise. */
bool check_unproven(const struct check *h);
/* The check is DEGRADED: what it contributes is saturation (an engine that
 * answers slowly or says it is full), which hold_down may keep from moving
 * a VIP; a dead engine's contribution never waits. */
bool check_saturated(const struct check *h);

/* The grace is running at now_us (non-passes are ignored). */
bool check_in_grace(const struct check *h, uint64_t now_us);

/* When the grace will expire by time, so the caller can re-evaluate the
 * contribution then; 0 when there is no grace or it is already over. */
uint64_t check_grace_due(const struct check *h);

/* What the check contributes to a tracking instance at now_us: a priority
 * delta and whether it puts the instance in FAULT. */
void check_contrib(const struct check *h, uint64_t now_us, int *delta, bool *fault);

/* Sum of check_contrib() over n checks (an instance's tracked checks). */
void check_sum(const struct check *const *checks, size_t n, uint64_t now_us,
	       int *delta, bool *fault);

const char *check_state_name(enum check_state s);       /* "INIT", "UP", ... */
const char *check_result_name(enum check_result r);     /* "none", "pass", ... */
const char *check_kind_name(enum check_kind k);         /* "ok", "timeout", ... */

#endif
