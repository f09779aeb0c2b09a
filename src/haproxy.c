/* haproxy.c: HAProxy's runtime API, one command line per connection
 * (haproxy.h). Nothing here waits: the socket is non-blocking and the
 * exchange ends at its deadline at the latest. */
#include "haproxy.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "config.h"
#include "loop.h"

static void on_deadline(struct timer *tm, void *arg);

void haproxy_conn_init(struct haproxy_conn *c, struct loop *l)
{
	memset(c, 0, sizeof(*c));
	c->loop = l;
	c->fd = -1;
	timer_init(&c->deadline, on_deadline, c);
}

bool haproxy_busy(const struct haproxy_conn *c)
{
	return c->fd >= 0 || timer_armed(&c->deadline);
}

void haproxy_abort(struct haproxy_conn *c)
{
	loop_timer_cancel(c->loop, &c->deadline);
	if (c->fd >= 0) {
		loop_fd_del(c->loop, c->fd);
		close(c->fd);
		c->fd = -1;
	}
}

static void finish(struct haproxy_conn *c, int err, const char *text)
{
	haproxy_abort(c);
	c->done(c->arg, err, text);
}

static void on_deadline(struct timer *tm, void *arg)
{
	struct haproxy_conn *c = arg;

	(void)tm;
	if (c->early_err)
		finish(c, c->early_err, "connect");
	else
		finish(c, ETIMEDOUT, c->connected ? "no answer" : "connecting");
}

/* HAProxy closed: empty lines only mean every command worked. */
static void judge(struct haproxy_conn *c)
{
	char *p = c->in;
	size_t n;

	c->in[c->in_len] = '\0';
	p += strspn(p, " \r\n");
	if (!*p) {
		finish(c, 0, "");
		return;
	}
	n = strcspn(p, "\r\n");
	p[n] = '\0';
	finish(c, EPROTO, p);
}

static void on_io(int fd, uint32_t events, void *arg)
{
	struct haproxy_conn *c = arg;
	int err = 0;
	socklen_t len = sizeof(err);

	if (!c->connected) {
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
			err = errno;
		if (err) {
			finish(c, err, "connect");
			return;
		}
		if (!(events & EPOLLOUT))
			return;
		c->connected = true;
	}
	while ((events & EPOLLOUT) && c->out_off < c->out_len) {
		ssize_t n = send(fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n < 0) {
			finish(c, errno, "send");
			return;
		}
		c->out_off += (size_t)n;
		if (c->out_off == c->out_len)
			loop_fd_mod(c->loop, fd, EPOLLIN);
	}
	if (!(events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
		return;
	for (;;) {
		char buf[1024];
		ssize_t n = recv(fd, buf, sizeof(buf), 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n < 0) {
			finish(c, errno, "recv");
			return;
		}
		if (n == 0) {
			if (c->out_off < c->out_len)
				finish(c, ECONNRESET, "closed before the command was sent");
			else
				judge(c);
			return;
		}
		/* Keep the start: the reason of a failure is its first line. */
		size_t room = sizeof(c->in) - 1 - c->in_len;
		size_t k = (size_t)n < room ? (size_t)n : room;

		memcpy(c->in + c->in_len, buf, k);
		c->in_len += k;
	}
}

int haproxy_send(struct haproxy_conn *c, const struct cfg_haproxy_socket *sk, const char *line,
		 uint64_t timeout_us, haproxy_done_fn *done, void *arg)
{
	struct sockaddr_storage ss;
	socklen_t slen;
	size_t n = strlen(line);
	if (haproxy_busy(c)) {
		errno = EBUSY;
		return -1;
	}
	if (n >= sizeof(c->out)) {
		errno = EINVAL;
		return -1;
	}
	memcpy(c->out, line, n);
	c->out_len = n;
	c->out_off = 0;
	c->in_len = 0;
	c->connected = false;
	c->early_err = 0;
	c->done = done;
	c->arg = arg;
	memset(&ss, 0, sizeof(ss));
	if (sk->is_unix) {
		struct sockaddr_un *su = (struct sockaddr_un *)&ss;

		su->sun_family = AF_UNIX;
		snprintf(su->sun_path, sizeof(su->sun_path), "%s", sk->path);
		slen = sizeof(*su);
	} else if (sk->addr.family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(sk->port);
		s6->sin6_addr = sk->addr.u.v6;
		slen = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(sk->port);
		s4->sin_addr = sk->addr.u.v4;
		slen = sizeof(*s4);
	}
	/* The deadline first: every way out below goes through it or finish(),
	 * and done is always called from the loop. */
	loop_timer_in(c->loop, &c->deadline, timeout_us);
	c->fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		goto fail;
	if (connect(c->fd, (struct sockaddr *)&ss, slen) < 0 && errno != EINPROGRESS)
		goto fail;
	if (loop_fd_add(c->loop, c->fd, EPOLLOUT, on_io, c) < 0)
		goto fail;
	return 0;
fail:
	/* Reported from the loop: an immediate failure (refused, no such
	 * file, a UNIX socket's full backlog) is a result like any other,
	 * and the caller is not re-entered from within this call. */
	c->early_err = errno;
	if (c->fd >= 0) {
		close(c->fd);
		c->fd = -1;
	}
	loop_timer_in(c->loop, &c->deadline, 0);
	return 0;
}
