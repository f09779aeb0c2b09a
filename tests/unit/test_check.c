/* A check's state (check.c): rise/fall, DEGRADED, startup grace, contributions,
 * counters. Pure, on a fake clock (microseconds). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "check.h"

#define S 1000000ull

static uint64_t now;

static void init(struct check *h, int rise, int fall, int weight, int dweight, uint64_t grace)
{
	struct check_params p = {
		.rise = rise, .fall = fall, .weight = weight, .degrade_weight = dweight,
		.grace_us = grace,
	};

	now = 1000 * S;
	check_init(h, &p, now);
}

/* Feed one result a second later; returns whether the state changed. */
static bool feed(struct check *h, enum check_result r)
{
	struct check_outcome run = {
		.result = r, .latency_us = 1234,
		.kind = r == CHECK_RES_PASS ? CHECK_KIND_OK : CHECK_KIND_REFUSED,
		.reason = r == CHECK_RES_PASS ? "ok" : "connection refused",
	};

	now += S;
	return check_record(h, &run, now, NULL);
}

static void feed_n(struct check *h, enum check_result r, int n)
{
	while (n-- > 0)
		feed(h, r);
}

static void expect_contrib(const struct check *h, int delta, bool fault)
{
	int d;
	bool f;

	check_contrib(h, now, &d, &f);
	assert_int_equal(d, delta);
	assert_int_equal(f, fault);
}

#define P CHECK_RES_PASS
#define D CHECK_RES_DEGRADED
#define F CHECK_RES_FAIL

static void test_rise_from_init(void **state)
{
	struct check h;

	(void)state;
	init(&h, 3, 2, 0, 0, 0);
	assert_int_equal(h.state, CHECK_ST_INIT);
	assert_false(feed(&h, P));
	assert_false(feed(&h, P));
	assert_int_equal(h.state, CHECK_ST_INIT);
	assert_true(feed(&h, P));
	assert_int_equal(h.state, CHECK_ST_UP);
	assert_false(feed(&h, P));
	assert_int_equal(h.state, CHECK_ST_UP);
}

static void test_fall_to_down(void **state)
{
	struct check h;
	enum check_state from;
	struct check_outcome run = {
		.result = F, .kind = CHECK_KIND_TIMEOUT, .reason = "timed out",
	};

	(void)state;
	init(&h, 1, 3, 0, 0, 0);
	feed(&h, P);
	assert_int_equal(h.state, CHECK_ST_UP);
	assert_false(feed(&h, F));
	assert_false(feed(&h, F));
	assert_int_equal(h.state, CHECK_ST_UP);
	now += S;
	assert_true(check_record(&h, &run, now, &from));
	assert_int_equal(from, CHECK_ST_UP);
	assert_int_equal(h.state, CHECK_ST_DOWN);
	assert_string_equal(h.reason, "timed out");
	assert_int_equal(h.last_kind, CHECK_KIND_TIMEOUT);
}

static void test_pass_interrupts_fall(void **state)
{
	struct check h;

	(void)state;
	init(&h, 1, 2, 0, 0, 0);
	feed(&h, P);
	feed(&h, F);
	feed(&h, P);            /* resets the non-pass run */
	feed(&h, F);
	assert_int_equal(h.state, CHECK_ST_UP);
	feed(&h, F);
	assert_int_equal(h.state, CHECK_ST_DOWN);
}

static void test_nonpass_interrupts_rise(void **state)
{
	struct check h;

	(void)state;
	init(&h, 3, 5, -10, 0, 0);
	feed_n(&h, F, 5);
	assert_int_equal(h.state, CHECK_ST_DOWN);
	feed_n(&h, P, 2);
	feed(&h, D);            /* DEGRADED resets the pass count too */
	feed_n(&h, P, 2);
	assert_int_equal(h.state, CHECK_ST_DOWN);
	feed(&h, P);
	assert_int_equal(h.state, CHECK_ST_UP);
}

static void test_degraded_after_fall(void **state)
{
	struct check h;

	(void)state;
	init(&h, 2, 2, 0, -20, 0);
	feed_n(&h, P, 2);
	feed(&h, D);
	assert_int_equal(h.state, CHECK_ST_UP);
	assert_true(feed(&h, D));
	assert_int_equal(h.state, CHECK_ST_DEGRADED);
	/* A mixed run counts as one run of non-passes: state follows the latest. */
	assert_true(feed(&h, F));
	assert_int_equal(h.state, CHECK_ST_DOWN);
	assert_true(feed(&h, D));
	assert_int_equal(h.state, CHECK_ST_DEGRADED);
	/* rise passes bring it UP from DEGRADED. */
	feed(&h, P);
	assert_int_equal(h.state, CHECK_ST_DEGRADED);
	feed(&h, P);
	assert_int_equal(h.state, CHECK_ST_UP);
}

static void test_mixed_run_reaches_fall(void **state)
{
	struct check h;

	(void)state;
	init(&h, 1, 2, 0, 0, 0);
	feed(&h, P);
	feed(&h, F);
	feed(&h, D);            /* second non-pass, latest is DEGRADED */
	assert_int_equal(h.state, CHECK_ST_DEGRADED);

	init(&h, 1, 2, 0, 0, 0);
	feed(&h, P);
	feed(&h, D);
	feed(&h, F);
	assert_int_equal(h.state, CHECK_ST_DOWN);
}

static void test_short_run_after_pass_keeps_state(void **state)
{
	struct check h;

	(void)state;
	init(&h, 2, 2, 0, 0, 0);
	feed_n(&h, F, 2);
	assert_int_equal(h.state, CHECK_ST_DOWN);
	feed(&h, P);
	feed(&h, D);            /* new run of one: below fall, state stays DOWN */
	assert_int_equal(h.state, CHECK_ST_DOWN);
}

static void test_fall_from_init(void **state)
{
	struct check h;

	(void)state;
	init(&h, 2, 2, 0, 0, 0);
	feed(&h, F);
	assert_int_equal(h.state, CHECK_ST_INIT);
	assert_true(feed(&h, F));
	assert_int_equal(h.state, CHECK_ST_DOWN);
}

static void test_contrib_weight_zero(void **state)
{
	struct check h;

	(void)state;
	init(&h, 1, 1, 0, -30, 0);
	expect_contrib(&h, 0, true);            /* INIT outside grace: FAULT */
	feed(&h, P);
	expect_contrib(&h, 0, false);           /* UP */
	feed(&h, D);
	expect_contrib(&h, -30, false);         /* DEGRADED: never FAULT */
	feed(&h, F);
	expect_contrib(&h, 0, true);            /* DOWN */
}

static void test_contrib_negative_weight(void **state)
{
	struct check h;

	(void)state;
	init(&h, 1, 1, -50, -10, 0);
	expect_contrib(&h, -50, false);         /* INIT counts as DOWN */
	feed(&h, P);
	expect_contrib(&h, 0, false);
	feed(&h, D);
	expect_contrib(&h, -10, false);
	feed(&h, F);
	expect_contrib(&h, -50, false);
}

static void test_contrib_positive_weight(void **state)
{
	struct check h;

	(void)state;
	init(&h, 1, 1, 40, 5, 0);
	expect_contrib(&h, 0, false);           /* INIT: no bonus */
	feed(&h, P);
	expect_contrib(&h, 40, false);
	feed(&h, D);
	expect_contrib(&h, 5, false);
	feed(&h, F);
	expect_contrib(&h, 0, false);
}

/* Feed a FAIL that reports a factor (a file check's value). */
static void feed_factor(struct check *h, long factor)
{
	struct check_outcome run = {
		.result = F, .kind = CHECK_KIND_BAD_REPLY, .reason = "value", .factor = factor,
	};

	now += S;
	check_record(h, &run, now, NULL);
}

/* keepalived's track_file: the value read multiplies a negative weight. */
static void test_contrib_file_factor(void **state)
{
	struct check h;

	(void)state;
	init(&h, 1, 1, -20, -5, 0);
	feed_factor(&h, 3);
	expect_contrib(&h, -60, false);
	feed_factor(&h, 0);                     /* 0: a plain failure */
	expect_contrib(&h, -20, false);
	feed_factor(&h, -2);                    /* as keepalived: it raises */
	expect_contrib(&h, 40, false);
	feed(&h, D);                            /* DEGRADED keeps its own weight */
	expect_contrib(&h, -5, false);
	feed_factor(&h, 12);                    /* -240 */
	expect_contrib(&h, -240, false);
	feed_factor(&h, 13);                    /* -260, below -254: FAULT */
	expect_contrib(&h, -254, true);
	feed_factor(&h, 1L << 40);              /* no overflow */
	expect_contrib(&h, -254, true);
	feed(&h, P);
	expect_contrib(&h, 0, false);

	init(&h, 1, 1, -254, 0, 0);             /* -254 itself is a priority change */
	feed(&h, F);
	expect_contrib(&h, -254, false);
	feed_factor(&h, 1);
	expect_contrib(&h, -254, false);

	init(&h, 1, 1, 0, 0, 0);                /* weight 0: FAULT whatever the value */
	feed_factor(&h, 5);
	expect_contrib(&h, 0, true);
	init(&h, 1, 1, 30, 0, 0);               /* positive: a bonus while up, only */
	feed_factor(&h, 5);
	expect_contrib(&h, 0, false);
	feed(&h, P);
	expect_contrib(&h, 30, false);
}

/* A run that carries its own weight (a metrics check: the rules that
 * fired) stands for weight or degrade_weight while it holds the state;
 * INIT stays unproven at the check's own weight, and a run without one
 * goes back to the check's. */
static void feed_weighted(struct check *h, enum check_result r, int weight)
{
	struct check_outcome run = {
		.result = r, .kind = CHECK_KIND_RULE, .reason = "rule",
		.weighted = true, .weight = weight,
	};

	now += S;
	check_record(h, &run, now, NULL);
}

static void test_contrib_run_weight(void **state)
{
	struct check h;

	(void)state;
	init(&h, 1, 2, 0, -10, 0);
	feed_weighted(&h, F, -40);
	expect_contrib(&h, 0, true);            /* INIT: unproven, weight 0 */
	feed_weighted(&h, F, -40);
	expect_contrib(&h, -40, false);         /* DOWN by a rule of weight -40 */
	feed_weighted(&h, F, 0);
	expect_contrib(&h, 0, true);            /* a rule of weight 0: FAULT */
	feed_weighted(&h, D, -25);
	expect_contrib(&h, -25, false);         /* DEGRADED (the run of non-passes
						 * goes on) at the run's -25 */
	feed_weighted(&h, D, -30);
	expect_contrib(&h, -30, false);         /* follows the latest run */
	feed_n(&h, D, 2);
	expect_contrib(&h, -10, false);         /* unweighted: degrade_weight */
	feed(&h, P);
	expect_contrib(&h, 0, false);
	init(&h, 1, 1, 20, -10, 0);
	feed(&h, P);
	expect_contrib(&h, 20, false);          /* UP: the check's positive weight */
	feed_weighted(&h, F, -60);
	expect_contrib(&h, -60, false);
	feed_weighted(&h, F, 500);              /* kept within -254..254 */
	expect_contrib(&h, 0, false);
	assert_int_equal(h.run_weight, 254);
}

static void test_grace_ignores_failures(void **state)
{
	struct check h;

	(void)state;
	init(&h, 2, 1, 0, -5, 60 * S);
	assert_true(check_in_grace(&h, now));
	expect_contrib(&h, 0, false);           /* INIT counts as UP in the grace */
	feed_n(&h, F, 5);
	feed(&h, D);
	assert_int_equal(h.state, CHECK_ST_INIT);
	assert_int_equal(h.c.ignored, 6);
	assert_int_equal(h.c.fails, 0);
	assert_int_equal(h.c.degraded, 0);
	assert_int_equal(h.c.runs, 6);
	assert_int_equal(h.c.kinds[CHECK_KIND_REFUSED], 6);
	assert_string_equal(h.reason, "connection refused");  /* still shown */
	expect_contrib(&h, 0, false);
}

static void test_grace_positive_weight_counts_up(void **state)
{
	struct check h;

	(void)state;
	init(&h, 2, 1, 25, 0, 10 * S);
	expect_contrib(&h, 25, false);
	now += 11 * S;
	expect_contrib(&h, 0, false);           /* expired: INIT is DOWN */
}

static void test_grace_expires_by_time(void **state)
{
	struct check h;

	(void)state;
	init(&h, 2, 2, 0, 0, 10 * S);
	assert_int_equal(check_grace_due(&h), now + 10 * S);
	feed_n(&h, F, 9);                       /* t+1..t+9: ignored */
	assert_int_equal(h.c.ignored, 9);
	now += S;                               /* t+10: over, no run yet */
	assert_false(check_in_grace(&h, now));
	expect_contrib(&h, 0, true);            /* INIT outside grace: FAULT */
	feed(&h, F);
	assert_int_equal(h.state, CHECK_ST_INIT);       /* first counted failure */
	assert_int_equal(check_grace_due(&h), 0);
	assert_true(feed(&h, F));
	assert_int_equal(h.state, CHECK_ST_DOWN);
}

static void test_first_pass_ends_grace(void **state)
{
	struct check h;

	(void)state;
	init(&h, 3, 1, 0, 0, 600 * S);
	feed(&h, F);
	feed(&h, P);                            /* grace over */
	assert_false(check_in_grace(&h, now));
	assert_int_equal(check_grace_due(&h), 0);
	/* Still INIT but passing towards rise: counts as UP, no flap to FAULT. */
	expect_contrib(&h, 0, false);
	feed(&h, P);
	expect_contrib(&h, 0, false);
	assert_true(feed(&h, P));
	assert_int_equal(h.state, CHECK_ST_UP);
}

static void test_failure_after_grace_pass_counts(void **state)
{
	struct check h;

	(void)state;
	init(&h, 3, 2, -20, 0, 600 * S);
	feed(&h, P);
	expect_contrib(&h, 0, false);
	feed(&h, F);                            /* counted now, and INIT is DOWN again */
	assert_int_equal(h.c.fails, 1);
	assert_int_equal(h.c.ignored, 0);
	expect_contrib(&h, -20, false);
	feed(&h, F);
	assert_int_equal(h.state, CHECK_ST_DOWN);
}

static void test_pass_after_grace_expiry_is_unproven(void **state)
{
	struct check h;

	(void)state;
	init(&h, 2, 2, 0, 0, 5 * S);
	now += 10 * S;
	feed(&h, P);                            /* after the grace: INIT stays DOWN */
	expect_contrib(&h, 0, true);
	feed(&h, P);
	expect_contrib(&h, 0, false);
	assert_int_equal(h.state, CHECK_ST_UP);
}

/* Feed one run with its own kind and latency, a second later. */
static bool feed_run(struct check *h, enum check_result r, enum check_kind k, uint64_t lat_us,
		     const char *reason)
{
	struct check_outcome run = { .result = r, .kind = k, .latency_us = lat_us,
				     .reason = reason };

	now += S;
	return check_record(h, &run, now, NULL);
}

/* Issue 16: on_timeout = degrade kept a wedged engine DEGRADED forever;
 * timeout_fall timeouts in a row are a FAIL, and the check goes DOWN. */
static void test_timeout_fall_escalates(void **state)
{
	struct check h;

	(void)state;
	init(&h, 1, 1, 0, -30, 0);
	h.p.timeout_fall = 3;
	feed(&h, P);
	feed_run(&h, D, CHECK_KIND_TIMEOUT, 2 * S, "timed out after 1000 ms");
	assert_int_equal(h.state, CHECK_ST_DEGRADED);
	expect_contrib(&h, -30, false);
	feed_run(&h, D, CHECK_KIND_TIMEOUT, 2 * S, "timed out after 1000 ms");
	assert_int_equal(h.state, CHECK_ST_DEGRADED);
	assert_true(feed_run(&h, D, CHECK_KIND_TIMEOUT, 2 * S, "timed out after 1000 ms"));
	assert_int_equal(h.state, CHECK_ST_DOWN);
	assert_int_equal(h.last, F);
	assert_string_equal(h.reason, "timed out after 1000 ms (3 timeouts in a row)");
	expect_contrib(&h, 0, true);
	/* An answer breaks the run: the next timeout is degraded again. */
	feed(&h, P);
	feed_run(&h, D, CHECK_KIND_TIMEOUT, 2 * S, "timed out");
	assert_int_equal(h.state, CHECK_ST_DEGRADED);
}

/* timeout_fall = 0 keeps the old meaning: degraded for ever. */
static void test_timeout_fall_zero(void **state)
{
	struct check h;

	(void)state;
	init(&h, 1, 1, 0, -30, 0);
	feed(&h, P);
	for (int k = 0; k < 10; k++)
		feed_run(&h, D, CHECK_KIND_TIMEOUT, 2 * S, "timed out");
	assert_int_equal(h.state, CHECK_ST_DEGRADED);
}

/* Issue 16: slow but answering is saturation, not death. */
static void test_slow_after_degrades(void **state)
{
	struct check h;

	(void)state;
	init(&h, 1, 1, 0, -30, 0);
	h.p.slow_after_us = S / 2;
	feed_run(&h, P, CHECK_KIND_OK, S / 4, "status 200");
	assert_int_equal(h.state, CHECK_ST_UP);
	assert_true(feed_run(&h, P, CHECK_KIND_OK, 800000, "status 200"));
	assert_int_equal(h.state, CHECK_ST_DEGRADED);
	assert_int_equal(h.last_kind, CHECK_KIND_SLOW);
	assert_string_equal(h.reason, "status 200, slow: 800 ms, slow_after 500 ms");
	expect_contrib(&h, -30, false);        /* never FAULT, even with weight 0 */
	assert_int_equal(h.c.kinds[CHECK_KIND_SLOW], 1);
	feed_run(&h, P, CHECK_KIND_OK, S / 4, "status 200");
	assert_int_equal(h.state, CHECK_ST_UP);
	assert_string_equal(check_kind_name(CHECK_KIND_SLOW), "slow");
}

static void test_counters_and_last(void **state)
{
	struct check h;
	struct check_outcome run = {
		.result = F, .kind = CHECK_KIND_BAD_STATUS, .reason = "status 500",
		.latency_us = 777,
	};

	(void)state;
	init(&h, 1, 1, 0, 0, 0);
	feed(&h, P);
	feed(&h, D);
	now += S;
	check_record(&h, &run, now, NULL);
	assert_int_equal(h.c.runs, 3);
	assert_int_equal(h.c.passes, 1);
	assert_int_equal(h.c.degraded, 1);
	assert_int_equal(h.c.fails, 1);
	assert_int_equal(h.c.kinds[CHECK_KIND_BAD_STATUS], 1);
	assert_int_equal(h.c.kinds[CHECK_KIND_OK], 1);
	assert_int_equal(h.c.transitions, 3);   /* INIT->UP->DEGRADED->DOWN */
	assert_int_equal(h.last, CHECK_RES_FAIL);
	assert_int_equal(h.latency_us, 777);
	assert_int_equal(h.last_run_us, now);
	assert_int_equal(h.since_us, now);
	assert_string_equal(h.reason, "status 500");
}

static void test_long_reason_truncated(void **state)
{
	struct check h;
	char big[600];
	struct check_outcome run = { .result = F, .kind = CHECK_KIND_EXIT, .reason = big };

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	init(&h, 1, 1, 0, 0, 0);
	check_record(&h, &run, now, NULL);
	assert_int_equal(strlen(h.reason), CHECK_REASON_MAX - 1);
}

static void test_sum_over_checks(void **state)
{
	struct check a, b, c;
	const struct check *all[3] = { &a, &b, &c };
	int d;
	bool f;

	(void)state;
	init(&a, 1, 1, -30, -7, 0);
	init(&b, 1, 1, 20, 0, 0);
	init(&c, 1, 1, 0, -3, 0);
	feed(&a, P);
	feed(&b, P);
	feed(&c, P);
	check_sum(all, 3, now, &d, &f);
	assert_int_equal(d, 20);
	assert_false(f);
	feed(&a, D);
	feed(&c, D);
	check_sum(all, 3, now, &d, &f);
	assert_int_equal(d, -7 + 20 - 3);
	assert_false(f);
	feed(&a, F);
	feed(&b, F);
	feed(&c, F);
	check_sum(all, 3, now, &d, &f);
	assert_int_equal(d, -30);
	assert_true(f);
	check_sum(all, 0, now, &d, &f);
	assert_int_equal(d, 0);
	assert_false(f);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(check_state_name(CHECK_ST_DEGRADED), "DEGRADED");
	assert_string_equal(check_state_name(CHECK_ST_DOWN), "DOWN");
	assert_string_equal(check_result_name(CHECK_RES_PASS), "pass");
	assert_string_equal(check_kind_name(CHECK_KIND_TIMEOUT), "timeout");
	assert_string_equal(check_kind_name(CHECK_KIND_N), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rise_from_init),
		cmocka_unit_test(test_fall_to_down),
		cmocka_unit_test(test_pass_interrupts_fall),
		cmocka_unit_test(test_nonpass_interrupts_rise),
		cmocka_unit_test(test_degraded_after_fall),
		cmocka_unit_test(test_mixed_run_reaches_fall),
		cmocka_unit_test(test_short_run_after_pass_keeps_state),
		cmocka_unit_test(test_fall_from_init),
		cmocka_unit_test(test_contrib_weight_zero),
		cmocka_unit_test(test_contrib_negative_weight),
		cmocka_unit_test(test_contrib_positive_weight),
		cmocka_unit_test(test_contrib_file_factor),
		cmocka_unit_test(test_contrib_run_weight),
		cmocka_unit_test(test_grace_ignores_failures),
		cmocka_unit_test(test_grace_positive_weight_counts_up),
		cmocka_unit_test(test_grace_expires_by_time),
		cmocka_unit_test(test_first_pass_ends_grace),
		cmocka_unit_test(test_failure_after_grace_pass_counts),
		cmocka_unit_test(test_pass_after_grace_expiry_is_unproven),
		cmocka_unit_test(test_counters_and_last),
		cmocka_unit_test(test_timeout_fall_escalates),
		cmocka_unit_test(test_timeout_fall_zero),
		cmocka_unit_test(test_slow_after_degrades),
		cmocka_unit_test(test_long_reason_truncated),
		cmocka_unit_test(test_sum_over_checks),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
