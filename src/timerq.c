/* timerq.c: binary min-heap of timers ordered by (due time, arm order). */
#include "timerq.h"

#include <errno.h>
#include <stdlib.h>

void timer_init(struct timer *t, timer_cb cb, void *arg)
{
	t->due_us = 0;
	t->seq = 0;
	t->idx = SIZE_MAX;
	t->cb = cb;
	t->arg = arg;
}

bool timer_armed(const struct timer *t)
{
	return t->idx != SIZE_MAX;
}

void timerq_init(struct timerq *q)
{
	q->heap = NULL;
	q->n = q->cap = 0;
	q->seq = 0;
}

void timerq_free(struct timerq *q)
{
	for (size_t i = 0; i < q->n; i++)
		q->heap[i]->idx = SIZE_MAX;
	free(q->heap);
	timerq_init(q);
}

static bool timer_before(const struct timer *a, const struct timer *b)
{
	return a->due_us < b->due_us || (a->due_us == b->due_us && a->seq < b->seq);
}

static void heap_set(struct timerq *q, size_t i, struct timer *t)
{
	q->heap[i] = t;
	t->idx = i;
}

static void sift_up(struct timerq *q, size_t i)
{
	struct timer *t = q->heap[i];

	while (i > 0) {
		size_t parent = (i - 1) / 2;

		if (!timer_before(t, q->heap[parent]))
			break;
		heap_set(q, i, q->heap[parent]);
		i = parent;
	}
	heap_set(q, i, t);
}

static void sift_down(struct timerq *q, size_t i)
{
	struct timer *t = q->heap[i];

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= q->n)
			break;
		if (c + 1 < q->n && timer_before(q->heap[c + 1], q->heap[c]))
			c++;
		if (!timer_before(q->heap[c], t))
			break;
		heap_set(q, i, q->heap[c]);
		i = c;
	}
	heap_set(q, i, t);
}

static void heap_remove(struct timerq *q, size_t i)
{
	struct timer *last = q->heap[--q->n];

	q->heap[i]->idx = SIZE_MAX;
	if (i == q->n)
		return;
	heap_set(q, i, last);
	sift_down(q, i);
	sift_up(q, last->idx);
}

int timerq_arm(struct timerq *q, struct timer *t, uint64_t due_us)
{
	if (timer_armed(t))
		heap_remove(q, t->idx);
	if (q->n == q->cap) {
		size_t cap = q->cap ? q->cap * 2 : 16;
		struct timer **h = realloc(q->heap, cap * sizeof(*h));

		if (!h) {
			errno = ENOMEM;
			return -1;
		}
		q->heap = h;
		q->cap = cap;
	}
	t->due_us = due_us;
	t->seq = ++q->seq;
	heap_set(q, q->n++, t);
	sift_up(q, t->idx);
	return 0;
}

void timerq_cancel(struct timerq *q, struct timer *t)
{
	if (timer_armed(t) && t->idx < q->n && q->heap[t->idx] == t)
		heap_remove(q, t->idx);
}

struct timer *timerq_peek(const struct timerq *q)
{
	return q->n ? q->heap[0] : NULL;
}

struct timer *timerq_pop_due(struct timerq *q, uint64_t now_us)
{
	struct timer *t = timerq_peek(q);

	if (!t || t->due_us > now_us)
		return NULL;
	heap_remove(q, 0);
	return t;
}
