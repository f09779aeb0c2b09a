/* test_drain_rules.c: the decisions of a drain (drain_rules.h): when the
 * old master ends it, which plans a backup takes, how long forwarding
 * outlives the old master's last word. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "drain_rules.h"

#define S 1000000ull

/* Planned, then draining until no connection is left or the time runs
 * out; a move no one acknowledged ends at once, whatever is left. */
static void test_step(void **state)
{
	(void)state;
	assert_int_equal(drain_rules_step(false, false, -1, 5 * S, 0), DRAIN_STEP_PLAN);
	assert_int_equal(drain_rules_step(false, true, 3, 5 * S, 0), DRAIN_STEP_PLAN);
	assert_int_equal(drain_rules_step(true, true, 3, 5 * S, 60 * S), DRAIN_STEP_DRAIN);
	assert_int_equal(drain_rules_step(true, true, 0, 5 * S, 60 * S), DRAIN_STEP_END_EMPTY);
	assert_int_equal(drain_rules_step(true, true, 3, 60 * S, 60 * S), DRAIN_STEP_END_TIME);
	assert_int_equal(drain_rules_step(true, false, 3, 5 * S, 60 * S), DRAIN_STEP_END_UNACKED);
	/* A count that failed neither ends the drain nor holds it past its
	 * time. */
	assert_int_equal(drain_rules_step(true, true, -1, 5 * S, 60 * S), DRAIN_STEP_DRAIN);
	assert_int_equal(drain_rules_step(true, true, -1, 61 * S, 60 * S), DRAIN_STEP_END_TIME);
	assert_string_equal(drain_rules_reason(DRAIN_STEP_END_EMPTY), "no connection left");
	assert_string_equal(drain_rules_reason(DRAIN_STEP_END_TIME), "time ran out");
	assert_non_null(strstr(drain_rules_reason(DRAIN_STEP_END_UNACKED),
			       "drain needs hafd on both sides"));
}

static struct hafd_addr ip(const char *s)
{
	struct hafd_addr a;

	assert_int_equal(addr_parse_host(s, &a), 0);
	return a;
}

/* A plan is a request to forward to its sender: only the master this
 * backup follows may make it, and only where there are tables. */
static void test_plan_ok(void **state)
{
	struct drain_follow f = { .backup = true, .following = true, .master = ip("10.0.0.11"),
				  .tables = true };
	struct hafd_addr a = ip("10.0.0.11"), other = ip("10.0.0.13"), ll = ip("fe80::11");

	(void)state;
	assert_true(drain_rules_plan_ok(&f, &a));
	assert_false(drain_rules_plan_ok(&f, &other));          /* a stranger */
	assert_false(drain_rules_plan_ok(&f, &ll));             /* another family */
	f.backup = false;                                       /* master, or FAULT */
	assert_false(drain_rules_plan_ok(&f, &a));
	f.backup = true;
	f.following = false;                                    /* no master heard */
	assert_false(drain_rules_plan_ok(&f, &a));
	f.following = true;
	f.tables = false;                                       /* nft_table = none */
	assert_false(drain_rules_plan_ok(&f, &a));
	f = (struct drain_follow){ .backup = true, .following = true, .master = ll,
				   .tables = true };
	assert_true(drain_rules_plan_ok(&f, &ll));              /* IPv6: link-local */
}

/* Three of the sender's intervals and a tick; 1 s intervals when it gave
 * none. */
static void test_lapse(void **state)
{
	(void)state;
	assert_int_equal(drain_rules_lapse_us(100, 100000), 400000);
	assert_int_equal(drain_rules_lapse_us(1000, 100000), 3100000);
	assert_int_equal(drain_rules_lapse_us(0, 100000), 3100000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_step),
		cmocka_unit_test(test_plan_ok),
		cmocka_unit_test(test_lapse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
