/* loop.c: epoll loop with one timerfd for every timer and a signalfd. */
#include "loop.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

struct loop_fd {
	int fd;
	loop_fd_cb cb;
	void *arg;
	struct loop_fd *next;
};

struct loop_sig {
	int signo;
	loop_sig_cb cb;
	void *arg;
};

struct loop {
	int epfd;
	int tfd;                        /* timerfd: armed at the earliest timer */
	int sfd;                        /* signalfd, -1 until the first signal */
	sigset_t sigs;
	struct loop_sig sighandlers[NSIG];
	struct loop_fd *fds;
	struct loop_fd *dead;           /* removed this turn, freed after it */
	struct timerq timers;
	uint64_t now_us;
	uint64_t tfd_due_us;            /* what tfd is armed for, 0 = disarmed */
	bool stop;
};

/* Tags that tell our own descriptors apart in epoll data. */
static struct loop_fd tag_timer, tag_signal;

static void fds_reap(struct loop *l);

static uint64_t clock_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

int loop_create(struct loop **out)
{
	struct loop *l = calloc(1, sizeof(*l));
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &tag_timer };

	if (!l)
		return -1;
	l->sfd = -1;
	sigemptyset(&l->sigs);
	timerq_init(&l->timers);
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	l->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (l->epfd < 0 || l->tfd < 0 || epoll_ctl(l->epfd, EPOLL_CTL_ADD, l->tfd, &ev) < 0) {
		int saved = errno;

		loop_destroy(l);
		errno = saved;
		return -1;
	}
	l->now_us = clock_us();
	*out = l;
	return 0;
}

void loop_destroy(struct loop *l)
{
	if (!l)
		return;
	while (l->fds) {
		struct loop_fd *f = l->fds;

		l->fds = f->next;
		free(f);
	}
	fds_reap(l);
	timerq_free(&l->timers);
	if (l->sfd >= 0) {
		close(l->sfd);
		sigprocmask(SIG_UNBLOCK, &l->sigs, NULL);
	}
	if (l->tfd >= 0)
		close(l->tfd);
	if (l->epfd >= 0)
		close(l->epfd);
	free(l);
}

static struct loop_fd *fd_find(struct loop *l, int fd, struct loop_fd ***link)
{
	struct loop_fd **pp;

	for (pp = &l->fds; *pp; pp = &(*pp)->next) {
		if ((*pp)->fd == fd) {
			if (link)
				*link = pp;
			return *pp;
		}
	}
	return NULL;
}

int loop_fd_add(struct loop *l, int fd, uint32_t events, loop_fd_cb cb, void *arg)
{
	struct loop_fd *f = calloc(1, sizeof(*f));
	struct epoll_event ev = { .events = events };

	if (!f)
		return -1;
	f->fd = fd;
	f->cb = cb;
	f->arg = arg;
	ev.data.ptr = f;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		free(f);
		return -1;
	}
	f->next = l->fds;
	l->fds = f;
	return 0;
}

int loop_fd_mod(struct loop *l, int fd, uint32_t events)
{
	struct loop_fd *f = fd_find(l, fd, NULL);
	struct epoll_event ev = { .events = events, .data.ptr = f };

	if (!f) {
		errno = ENOENT;
		return -1;
	}
	return epoll_ctl(l->epfd, EPOLL_CTL_MOD, fd, &ev);
}

void loop_fd_del(struct loop *l, int fd)
{
	struct loop_fd **link, *f = fd_find(l, fd, &link);

	if (!f)
		return;
	epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
	*link = f->next;
	/* Events of this turn may still point at f: free it after the turn. */
	f->cb = NULL;
	f->next = l->dead;
	l->dead = f;
}

static void fds_reap(struct loop *l)
{
	while (l->dead) {
		struct loop_fd *f = l->dead;

		l->dead = f->next;
		free(f);
	}
}

/* Before each wait: point the timerfd at the earliest timer (absolute
 * time, so no drift). Lazily: one armed for the same time or earlier stays,
 * and its wakeup re-arms it; a backup pushes a down timer back on every
 * advert, and that must not cost a system call each time. */
static void timerfd_sync(struct loop *l)
{
	struct timer *t = timerq_peek(&l->timers);
	uint64_t due = t ? t->due_us : 0;
	struct itimerspec its = { 0 };

	if (!due || (l->tfd_due_us && l->tfd_due_us <= due))
		return;
	its.it_value.tv_sec = (time_t)(due / 1000000u);
	its.it_value.tv_nsec = (long)(due % 1000000u) * 1000;
	if (!its.it_value.tv_sec && !its.it_value.tv_nsec)
		its.it_value.tv_nsec = 1;
	if (timerfd_settime(l->tfd, TFD_TIMER_ABSTIME, &its, NULL) < 0)
		log_warn("timerfd_settime");
	l->tfd_due_us = due;
}

int loop_timer_at(struct loop *l, struct timer *t, uint64_t due_us)
{
	return timerq_arm(&l->timers, t, due_us ? due_us : 1);
}

int loop_timer_soon(struct loop *l, struct timer *t)
{
	return timer_armed(t) ? 0 : loop_timer_at(l, t, l->now_us);
}

int loop_timer_in(struct loop *l, struct timer *t, uint64_t delay_us)
{
	return loop_timer_at(l, t, l->now_us + delay_us);
}

void loop_timer_cancel(struct loop *l, struct timer *t)
{
	timerq_cancel(&l->timers, t);
}

int loop_signal_add(struct loop *l, int signo, loop_sig_cb cb, void *arg)
{
	if (signo <= 0 || signo >= NSIG) {
		errno = EINVAL;
		return -1;
	}
	sigaddset(&l->sigs, signo);
	if (sigprocmask(SIG_BLOCK, &l->sigs, NULL) < 0)
		return -1;
	if (l->sfd < 0) {
		struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &tag_signal };

		l->sfd = signalfd(-1, &l->sigs, SFD_CLOEXEC | SFD_NONBLOCK);
		if (l->sfd < 0)
			return -1;
		if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, l->sfd, &ev) < 0)
			return -1;
	} else if (signalfd(l->sfd, &l->sigs, 0) < 0) {
		return -1;
	}
	l->sighandlers[signo] = (struct loop_sig){ signo, cb, arg };
	return 0;
}

uint64_t loop_now(const struct loop *l)
{
	return l->now_us;
}

uint64_t loop_update_now(struct loop *l)
{
	l->now_us = clock_us();
	return l->now_us;
}

static void timers_run(struct loop *l, bool fired)
{
	uint64_t expirations;
	struct timer *t;

	if (fired) {
		if (read(l->tfd, &expirations, sizeof(expirations)) < 0 && errno != EAGAIN)
			log_warn("timerfd read");
		l->tfd_due_us = 0;      /* a fired timerfd stays disarmed */
	}
	while ((t = timerq_pop_due(&l->timers, l->now_us)) != NULL) {
		t->cb(t, t->arg);
		if (l->stop)
			break;
	}
}

static void signals_run(struct loop *l)
{
	struct signalfd_siginfo si;

	while (read(l->sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		struct loop_sig *h = &l->sighandlers[si.ssi_signo % NSIG];

		if (h->cb)
			h->cb((int)si.ssi_signo, h->arg);
	}
}

int loop_run(struct loop *l)
{
	struct epoll_event evs[32];

	l->stop = false;
	while (!l->stop) {
		int n;
		bool fired = false;

		timerfd_sync(l);
		n = epoll_wait(l->epfd, evs, 32, -1);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		for (int i = 0; i < n; i++)
			fired |= evs[i].data.ptr == &tag_timer;
		l->now_us = clock_us();
		/* Timers first: a due advert must not wait behind a packet burst. */
		timers_run(l, fired);
		for (int i = 0; i < n && !l->stop; i++) {
			struct loop_fd *f = evs[i].data.ptr;

			if (f == &tag_timer)
				continue;
			if (f == &tag_signal) {
				signals_run(l);
				continue;
			}
			if (f->cb)
				f->cb(f->fd, evs[i].events, f->arg);
		}
		fds_reap(l);
	}
	return 0;
}

void loop_stop(struct loop *l)
{
	l->stop = true;
}
