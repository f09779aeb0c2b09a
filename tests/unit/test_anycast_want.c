/* An anycast instance's verdict (anycast_want.c): checks, degraded,
 * maintenance with its drain, stop. Pure, on a fake clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "anycast_want.h"

#define S 1000000ull

static struct anycast_verdict want(const struct anycast_in *in, uint64_t now)
{
	struct anycast_verdict v;

	memset(&v, 0xff, sizeof(v));
	anycast_want(in, now, &v);
	return v;
}

static void test_health(void **state)
{
	struct anycast_in in = { .n_checks = 2, .have_degraded_if = true };
	struct anycast_verdict v;

	(void)state;
	v = want(&in, 10 * S);
	assert_int_equal(v.state, ANYCAST_ANNOUNCED);
	assert_string_equal(v.why, "checks up");
	assert_int_equal(v.due_us, 0);
	in.degraded = "engine";
	v = want(&in, 10 * S);
	assert_int_equal(v.state, ANYCAST_LESS_PREFERRED);
	assert_string_equal(v.why, "check engine degraded");
	in.have_degraded_if = false;    /* nowhere less preferred to go */
	v = want(&in, 10 * S);
	assert_int_equal(v.state, ANYCAST_ANNOUNCED);
	assert_string_equal(v.why, "check engine degraded (no degraded_interface)");
	in.down = "gpu";                /* down beats degraded */
	v = want(&in, 10 * S);
	assert_int_equal(v.state, ANYCAST_WITHDRAWN);
	assert_string_equal(v.why, "check gpu down");
	in.down = NULL;
	in.unproven = "engine";
	v = want(&in, 10 * S);
	assert_int_equal(v.state, ANYCAST_WITHDRAWN);
	assert_string_equal(v.why, "check engine has no result yet");
	in = (struct anycast_in){ 0 };
	v = want(&in, 10 * S);
	assert_int_equal(v.state, ANYCAST_ANNOUNCED);
	assert_string_equal(v.why, "no checks");
}

static void test_drain(void **state)
{
	struct anycast_in in = {
		.n_checks = 1, .have_degraded_if = true, .maintenance = true,
		.drain_since_us = 100 * S, .drain_us = 5 * S,
	};
	struct anycast_verdict v;

	(void)state;
	v = want(&in, 100 * S);
	assert_int_equal(v.state, ANYCAST_LESS_PREFERRED);
	assert_string_equal(v.why, "maintenance: draining");
	assert_int_equal(v.due_us, 105 * S);
	v = want(&in, 105 * S - 1);
	assert_int_equal(v.state, ANYCAST_LESS_PREFERRED);
	v = want(&in, 105 * S);
	assert_int_equal(v.state, ANYCAST_WITHDRAWN);
	assert_string_equal(v.why, "maintenance");
	assert_int_equal(v.due_us, 0);
	/* A handover says so. */
	in.maintenance = false;
	in.handover = true;
	v = want(&in, 101 * S);
	assert_string_equal(v.why, "handover: draining");
	/* A dead engine does not wait for the drain. */
	in.down = "engine";
	v = want(&in, 101 * S);
	assert_int_equal(v.state, ANYCAST_WITHDRAWN);
	assert_string_equal(v.why, "check engine down");
	/* Without a less preferred interface there is nothing to drain to. */
	in.down = NULL;
	in.have_degraded_if = false;
	v = want(&in, 101 * S);
	assert_int_equal(v.state, ANYCAST_WITHDRAWN);
	assert_string_equal(v.why, "handover");
	/* drain = 0: at once. */
	in.have_degraded_if = true;
	in.drain_us = 0;
	v = want(&in, 100 * S);
	assert_int_equal(v.state, ANYCAST_WITHDRAWN);
}

static void test_stop(void **state)
{
	struct anycast_in in = { .n_checks = 1, .stopping = true, .maintenance = true,
				 .have_degraded_if = true, .drain_us = 10 * S };

	(void)state;
	assert_int_equal(want(&in, 1).state, ANYCAST_WITHDRAWN);
	assert_string_equal(want(&in, 1).why, "hafd stopping");
	assert_string_equal(anycast_state_name(ANYCAST_ANNOUNCED), "announced");
	assert_string_equal(anycast_state_name(ANYCAST_LESS_PREFERRED), "less-preferred");
	assert_string_equal(anycast_state_name(ANYCAST_WITHDRAWN), "withdrawn");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_health),
		cmocka_unit_test(test_drain),
		cmocka_unit_test(test_stop),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
