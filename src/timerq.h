/* timerq.h: a min-heap of timers keyed by due time. Pure (no clock): the
 * event loop feeds it the time, tests feed it a fake one. */
#ifndef HAFD_TIMERQ_H
#define HAFD_TIMERQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct timer;
typedef void (*timer_cb)(struct timer *t, void *arg);

struct timer {
	uint64_t due_us;        /* CLOCK_MONOTONIC microseconds */
	uint64_t seq;           /* arm order: equal due times fire first-armed first */
	size_t idx;             /* position in the heap; SIZE_MAX when not armed */
	timer_cb cb;
	void *arg;
};

struct timerq {
	struct timer **heap;
	size_t n, cap;
	uint64_t seq;
};

void timer_init(struct timer *t, timer_cb cb, void *arg);
bool timer_armed(const struct timer *t);

void timerq_init(struct timerq *q);
void timerq_free(struct timerq *q);
/* Arm (or re-arm) t at due_us. 0, or -1 with ENOMEM. */
int timerq_arm(struct timerq *q, struct timer *t, uint64_t due_us);
/* Disarm t; harmless when it is not armed. */
void timerq_cancel(struct timerq *q, struct timer *t);
/* The earliest armed timer, or NULL. */
struct timer *timerq_peek(const struct timerq *q);
/* Remove and return the earliest timer due at or before now_us, or NULL. */
struct timer *timerq_pop_due(struct timerq *q, uint64_t now_us);

#endif
