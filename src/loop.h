/* loop.h: the one event loop: epoll for descriptors, one timerfd for all
 * timers, signalfd for signals. loop_now() is the daemon's only clock. */
#ifndef HAFD_LOOP_H
#define HAFD_LOOP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/epoll.h>

#include "timerq.h"

struct loop;

typedef void (*loop_fd_cb)(int fd, uint32_t events, void *arg);
typedef void (*loop_sig_cb)(int signo, void *arg);

int loop_create(struct loop **out);
void loop_destroy(struct loop *l);

/* Watch fd for events (EPOLLIN...). One watcher per fd. 0 or -1/errno. */
int loop_fd_add(struct loop *l, int fd, uint32_t events, loop_fd_cb cb, void *arg);
int loop_fd_mod(struct loop *l, int fd, uint32_t events);
/* Stop watching fd; harmless when it is not watched. */
void loop_fd_del(struct loop *l, int fd);

/* Timers. Arming an armed timer moves it; cancel is idempotent. */
int loop_timer_at(struct loop *l, struct timer *t, uint64_t due_us);
int loop_timer_in(struct loop *l, struct timer *t, uint64_t delay_us);
void loop_timer_cancel(struct loop *l, struct timer *t);
/* Run t once the timers already due this turn have run (and before those
 * armed for now later): work many events would each ask for is done once.
 * An armed t is left as it is. */
int loop_timer_soon(struct loop *l, struct timer *t);

/* Deliver signo through the loop (it is blocked for the process). */
int loop_signal_add(struct loop *l, int signo, loop_sig_cb cb, void *arg);

/* CLOCK_MONOTONIC in microseconds, read once per loop turn. */
uint64_t loop_now(const struct loop *l);
/* Read the clock again (after something slow). */
uint64_t loop_update_now(struct loop *l);

/* Run until loop_stop(). 0, or -1/errno on a failing epoll_wait. */
int loop_run(struct loop *l);
void loop_stop(struct loop *l);

#endif
