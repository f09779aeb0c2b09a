/* Timer queue: ordering, cancel, re-arm, on a fake clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "timerq.h"

/* Fired timers append their tag here, in firing order. */
struct fired {
	int tags[64];
	size_t n;
};

struct tagged {
	struct timer t;
	int tag;
	struct fired *log;
};

static void record(struct timer *t, void *arg)
{
	struct tagged *tt = arg;

	(void)t;
	tt->log->tags[tt->log->n++] = tt->tag;
}

/* Pop and fire everything due at now, as the loop does. */
static void run_due(struct timerq *q, uint64_t now)
{
	struct timer *t;

	while ((t = timerq_pop_due(q, now)) != NULL)
		t->cb(t, t->arg);
}

static void setup_tags(struct tagged *tt, size_t n, struct fired *log)
{
	for (size_t i = 0; i < n; i++) {
		tt[i].tag = (int)i;
		tt[i].log = log;
		timer_init(&tt[i].t, record, &tt[i]);
	}
}

static void test_order_by_due_time(void **state)
{
	struct timerq q;
	struct fired log = { 0 };
	struct tagged tt[5];
	const uint64_t due[5] = { 500, 100, 300, 200, 400 };

	(void)state;
	timerq_init(&q);
	setup_tags(tt, 5, &log);
	for (int i = 0; i < 5; i++)
		assert_int_equal(timerq_arm(&q, &tt[i].t, due[i]), 0);
	assert_int_equal(timerq_peek(&q)->due_us, 100);
	run_due(&q, 250);               /* only 100 and 200 are due */
	assert_int_equal(log.n, 2);
	assert_int_equal(log.tags[0], 1);
	assert_int_equal(log.tags[1], 3);
	run_due(&q, 1000);
	assert_int_equal(log.n, 5);
	assert_int_equal(log.tags[2], 2);
	assert_int_equal(log.tags[3], 4);
	assert_int_equal(log.tags[4], 0);
	assert_null(timerq_peek(&q));
	timerq_free(&q);
}

static void test_equal_due_fires_in_arm_order(void **state)
{
	struct timerq q;
	struct fired log = { 0 };
	struct tagged tt[8];

	(void)state;
	timerq_init(&q);
	setup_tags(tt, 8, &log);
	for (int i = 0; i < 8; i++)
		timerq_arm(&q, &tt[i].t, 42);
	run_due(&q, 42);
	assert_int_equal(log.n, 8);
	for (int i = 0; i < 8; i++)
		assert_int_equal(log.tags[i], i);
	timerq_free(&q);
}

static void test_cancel_is_idempotent(void **state)
{
	struct timerq q;
	struct fired log = { 0 };
	struct tagged tt[3];

	(void)state;
	timerq_init(&q);
	setup_tags(tt, 3, &log);
	timerq_cancel(&q, &tt[0].t);    /* never armed: harmless */
	for (int i = 0; i < 3; i++)
		timerq_arm(&q, &tt[i].t, (uint64_t)(10 * (i + 1)));
	timerq_cancel(&q, &tt[1].t);
	timerq_cancel(&q, &tt[1].t);
	assert_false(timer_armed(&tt[1].t));
	assert_true(timer_armed(&tt[0].t));
	run_due(&q, 100);
	assert_int_equal(log.n, 2);
	assert_int_equal(log.tags[0], 0);
	assert_int_equal(log.tags[1], 2);
	assert_false(timer_armed(&tt[0].t));
	timerq_free(&q);
}

static void test_rearm_moves_timer(void **state)
{
	struct timerq q;
	struct fired log = { 0 };
	struct tagged tt[2];

	(void)state;
	timerq_init(&q);
	setup_tags(tt, 2, &log);
	timerq_arm(&q, &tt[0].t, 100);
	timerq_arm(&q, &tt[1].t, 200);
	timerq_arm(&q, &tt[0].t, 300);  /* later: now fires second */
	assert_int_equal(q.n, 2);
	run_due(&q, 250);
	assert_int_equal(log.n, 1);
	assert_int_equal(log.tags[0], 1);
	timerq_arm(&q, &tt[0].t, 50);   /* earlier than now: due at once */
	run_due(&q, 250);
	assert_int_equal(log.n, 2);
	assert_int_equal(log.tags[1], 0);
	timerq_free(&q);
}

/* A callback that re-arms itself runs once per pass, not in a loop. */
static void rearm_self(struct timer *t, void *arg)
{
	struct timerq *q = arg;

	timerq_arm(q, t, t->due_us + 10);
}

static void test_periodic_rearm_in_callback(void **state)
{
	struct timerq q;
	struct timer t;
	unsigned fires = 0;
	struct timer *due;

	(void)state;
	timerq_init(&q);
	timer_init(&t, rearm_self, &q);
	timerq_arm(&q, &t, 10);
	while ((due = timerq_pop_due(&q, 55)) != NULL) {
		due->cb(due, due->arg);
		fires++;
	}
	assert_int_equal(fires, 5);     /* 10, 20, 30, 40, 50 */
	assert_int_equal(timerq_peek(&q)->due_us, 60);
	timerq_free(&q);
}

/* Many random operations against a brute-force model. */
static void test_random_against_model(void **state)
{
	enum { N = 200 };
	static struct timer t[N];
	uint64_t model[N];              /* 0 = not armed */
	struct timerq q;
	unsigned seed = 12345;

	(void)state;
	timerq_init(&q);
	for (int i = 0; i < N; i++) {
		timer_init(&t[i], NULL, NULL);
		model[i] = 0;
	}
	for (int step = 0; step < 20000; step++) {
		int i = (int)(rand_r(&seed) % N);

		if (rand_r(&seed) % 3) {
			model[i] = 1 + (uint64_t)(rand_r(&seed) % 1000);
			timerq_arm(&q, &t[i], model[i]);
		} else {
			model[i] = 0;
			timerq_cancel(&q, &t[i]);
		}
		if (step % 97 == 0) {
			uint64_t min = 0;
			struct timer *p = timerq_peek(&q);

			for (int k = 0; k < N; k++)
				if (model[k] && (!min || model[k] < min))
					min = model[k];
			if (!min)
				assert_null(p);
			else
				assert_int_equal(p->due_us, min);
		}
	}
	timerq_free(&q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order_by_due_time),
		cmocka_unit_test(test_equal_due_fires_in_arm_order),
		cmocka_unit_test(test_cancel_is_idempotent),
		cmocka_unit_test(test_rearm_moves_timer),
		cmocka_unit_test(test_periodic_rearm_in_callback),
		cmocka_unit_test(test_random_against_model),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
