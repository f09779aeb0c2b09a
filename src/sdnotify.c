/* sdnotify.c: the NOTIFY_SOCKET protocol (see sdnotify.h). Stateless: a
 * socket per message, as messages are rare (start, reload, state changes,
 * stop, a watchdog ping every few seconds). */
#include "sdnotify.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "loop.h"
#include "timerq.h"

bool sd_notify_enabled(void)
{
	const char *e = getenv("NOTIFY_SOCKET");

	return e && *e;
}

/* NOTIFY_SOCKET into an address: "/path" or "@abstract". */
static int notify_addr(const char *e, struct sockaddr_un *sun, socklen_t *len)
{
	size_t n = strlen(e);

	if ((e[0] != '/' && e[0] != '@') || n < 2) {
		errno = EINVAL;
		return -1;
	}
	/* A path needs room for its NUL; an abstract name ends at the length. */
	if (n + (e[0] == '/') > sizeof(sun->sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	memcpy(sun->sun_path, e, n);
	if (e[0] == '@')
		sun->sun_path[0] = '\0';
	*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + (e[0] == '/'));
	return 0;
}

int sd_notify_send(const char *msg)
{
	const char *e = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sun;
	socklen_t len;
	ssize_t n;
	int fd, saved;

	if (!e || !*e)
		return 0;
	if (notify_addr(e, &sun, &len) < 0)
		return -1;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	n = sendto(fd, msg, strlen(msg), MSG_DONTWAIT | MSG_NOSIGNAL,
		   (const struct sockaddr *)&sun, len);
	saved = errno;
	close(fd);
	errno = saved;
	return n < 0 ? -1 : 1;
}

int sd_notify_ready(void)
{
	return sd_notify_send("READY=1");
}

/* MONOTONIC_USEC lets systemd (Type=notify-reload) tell this reload from
 * an earlier one. */
int sd_notify_reloading(void)
{
	struct timespec ts;
	char msg[64];

	clock_gettime(CLOCK_MONOTONIC, &ts);
	snprintf(msg, sizeof(msg), "RELOADING=1\nMONOTONIC_USEC=%llu",
		 (unsigned long long)ts.tv_sec * 1000000ull + (unsigned long long)ts.tv_nsec / 1000u);
	return sd_notify_send(msg);
}

int sd_notify_stopping(void)
{
	return sd_notify_send("STOPPING=1");
}

int sd_notify_status(const char *fmt, ...)
{
	char msg[256] = "STATUS=";
	va_list ap;

	if (!sd_notify_enabled())
		return 0;
	va_start(ap, fmt);
	vsnprintf(msg + 7, sizeof(msg) - 7, fmt, ap);
	va_end(ap);
	/* One line: a newline would start a new assignment. */
	for (char *p = msg; *p; p++)
		if (*p == '\n')
			*p = ' ';
	return sd_notify_send(msg);
}

/* ---- the watchdog ---------------------------------------------------------- */

struct sd_watchdog {
	struct loop *loop;
	struct timer timer;
	uint64_t every_us;              /* half of WATCHDOG_USEC */
};

/* A decimal number, all of s, above 0. */
static bool env_u64(const char *s, uint64_t *v)
{
	char *end;
	unsigned long long n;

	if (!s || *s < '0' || *s > '9')
		return false;
	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno || *end || !n)
		return false;
	*v = (uint64_t)n;
	return true;
}

uint64_t sd_watchdog_usec(void)
{
	const char *pid = getenv("WATCHDOG_PID");
	uint64_t usec, p;

	if (!sd_notify_enabled() || !env_u64(getenv("WATCHDOG_USEC"), &usec))
		return 0;
	if (pid && (!env_u64(pid, &p) || p != (uint64_t)getpid()))
		return 0;
	return usec;
}

static void watchdog_ping(struct timer *t, void *arg)
{
	struct sd_watchdog *w = arg;

	(void)t;
	/* A lost ping is not fatal: the next one comes half a period on. */
	if (sd_notify_send("WATCHDOG=1") < 0)
		log_warn("watchdog ping to NOTIFY_SOCKET");
	if (loop_timer_in(w->loop, &w->timer, w->every_us) < 0)
		log_warn("watchdog timer: no more pings, systemd will restart hafd");
}

int sd_watchdog_start(struct loop *l, struct sd_watchdog **out)
{
	uint64_t usec = sd_watchdog_usec();
	struct sd_watchdog *w;

	*out = NULL;
	if (!usec)
		return 0;
	w = calloc(1, sizeof(*w));
	if (!w)
		return -1;
	w->loop = l;
	/* Half the period, as systemd advises: one late turn is no restart. */
	w->every_us = usec / 2 ? usec / 2 : 1;
	timer_init(&w->timer, watchdog_ping, w);
	log_info("systemd watchdog: a ping every %" PRIu64 " ms", w->every_us / 1000);
	watchdog_ping(&w->timer, w);
	*out = w;
	return 0;
}

void sd_watchdog_stop(struct sd_watchdog *w)
{
	if (!w)
		return;
	loop_timer_cancel(w->loop, &w->timer);
	free(w);
}
