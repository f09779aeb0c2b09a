/* test_drain_msg.c: the drain messages between hafd peers (drain_net.h):
 * what one side writes the other reads back, and anything else is no
 * message (a datagram from a stranger changes nothing). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <netinet/in.h>
#include <string.h>

#include "drain_net.h"

static void test_round_trip(void **state)
{
	static const enum drain_op ops[] = { DRAIN_OP_PLAN, DRAIN_OP_ACK, DRAIN_OP_DRAIN,
					     DRAIN_OP_END };
	char buf[DRAIN_MSG_MAX];

	(void)state;
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		struct drain_msg m = { .op = ops[i], .vrid = 255, .family = AF_INET6,
				       .interval_ms = 100, .left = 42 }, back;
		size_t n = drain_msg_format(&m, buf, sizeof(buf));

		assert_int_equal(drain_msg_parse(buf, n, &back), 0);
		assert_int_equal(back.op, m.op);
		assert_int_equal(back.vrid, 255);
		assert_int_equal(back.family, AF_INET6);
		assert_int_equal(back.interval_ms, 100);
		assert_int_equal(back.left, 42);
	}
	{
		struct drain_msg m = { .op = DRAIN_OP_END, .vrid = 51, .family = AF_INET,
				       .interval_ms = 1000, .left = 0 };

		drain_msg_format(&m, buf, sizeof(buf));
		assert_string_equal(buf, "hafd-drain/1 end 51 4 1000 0");
	}
}

static void test_refused(void **state)
{
	static const char *const bad[] = {
		"", "hafd-drain/1", "hafd-drain/2 plan 51 4 100 0", "hafd-drain/1 go 51 4 100 0",
		"hafd-drain/1 plan 0 4 100 0", "hafd-drain/1 plan 256 4 100 0",
		"hafd-drain/1 plan 51 5 100 0", "hafd-drain/1 plan 51 4 100 0 extra",
		"hafd-drain/1 plan 51 4 100", "hafd-drain/1 plan 51 4 3600001 0",
		"hafd-drain/1 plan 51 4 100 0\n",
	};
	struct drain_msg m;
	char big[DRAIN_MSG_MAX + 10];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(drain_msg_parse(bad[i], strlen(bad[i]), &m), -1);
	memset(big, 'a', sizeof(big));
	assert_int_equal(drain_msg_parse(big, sizeof(big), &m), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
