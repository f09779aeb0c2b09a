/* ctl_http.c: /metrics over HTTP on metrics_listen, so Prometheus scrapes
 * hafd itself and a dead hafd shows as a failed scrape (up == 0) instead
 * of a textfile that keeps saying MASTER (issue 21).
 *
 * It answers GET /metrics and nothing else (404 for other targets, 405
 * for other methods on it), one request per connection. Nothing a client
 * does can stall the loop or grow hafd: sockets are non-blocking, the
 * request head is read by http_req.c within HTTP_REQ_MAX bytes, each
 * connection has one deadline (CTL_HTTP_DEADLINE_US) for the whole
 * exchange, the answer is buffered and written as the client reads it,
 * and at most CTL_HTTP_MAX_CLIENTS are served at once (more get a 503 in
 * one non-blocking send and are closed). Bad requests are answered with
 * their status, counted and dropped. */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "config.h"
#include "ctl.h"
#include "ctl_priv.h"
#include "hafd.h"
#include "http_req.h"
#include "json.h"
#include "log.h"
#include "loop.h"

#define LINGER_US 1000000u      /* after the answer: wait this long for the close */

struct hclient {
	struct ctl_http *s;
	int fd;
	enum { HC_READ, HC_WRITE, HC_LINGER } phase;
	struct http_req req;
	struct sbuf out;
	size_t sent;
	uint64_t deadline_us;
	struct timer deadline;
	struct hclient *next;
};

struct ctl_http {
	struct hafd *h;
	int fd;
	struct hclient *clients;
	size_t n_clients;
	uint64_t start_us;
	time_t start_wall;
	struct timer resume_timer;
	struct log_ratelimit warn_log;
	struct ctl_http_stats stats;
};

static void hclient_free(struct hclient *cl)
{
	struct ctl_http *s = cl->s;

	for (struct hclient **pp = &s->clients; *pp; pp = &(*pp)->next) {
		if (*pp == cl) {
			*pp = cl->next;
			break;
		}
	}
	s->n_clients--;
	loop_timer_cancel(s->h->loop, &cl->deadline);
	loop_fd_del(s->h->loop, cl->fd);
	close(cl->fd);
	sbuf_free(&cl->out);
	free(cl);
}

static void on_deadline(struct timer *t, void *arg)
{
	struct hclient *cl = arg;

	(void)t;
	if (cl->phase != HC_LINGER) {
		cl->s->stats.timeouts++;
		log_debug("metrics: a client took longer than %llus, dropped",
			  CTL_HTTP_DEADLINE_US / 1000000ull);
	}
	hclient_free(cl);
}

static void count(struct ctl_http *s, int status)
{
	switch (status) {
	case 200: s->stats.ok++; break;
	case 404: s->stats.not_found++; break;
	case 405: s->stats.bad_method++; break;
	default: s->stats.bad_request++; break;
	}
}

/* The answer to a complete (or refused) request, into cl->out. */
static void respond(struct hclient *cl, int status)
{
	struct ctl_http *s = cl->s;
	struct sbuf body;

	count(s, status);
	sbuf_init(&body, CTL_ANSWER_MAX);
	if (status == 200) {
		struct ctl_view v = {
			.h = s->h, .now_us = loop_now(s->h->loop), .start_us = s->start_us,
			.start_wall = s->start_wall, .now_wall = ctl_wall_now(),
			.http = &s->stats,
		};

		ctl_metrics(&v, &body);
		if (body.failed) {
			sbuf_free(&body);
			status = 503;
		}
	}
	if (status != 200)
		sbuf_printf(&body, "%d %s\n", status, http_req_reason(status));
	sbuf_init(&cl->out, CTL_ANSWER_MAX + 512);
	sbuf_printf(&cl->out, "HTTP/1.1 %d %s\r\n"
		    "Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"
		    "Content-Length: %zu\r\nConnection: close\r\n%s\r\n",
		    status, http_req_reason(status), body.len,
		    status == 405 ? "Allow: GET\r\n" : "");
	sbuf_add(&cl->out, body.p, body.len);
	sbuf_free(&body);
}

/* Write what the socket takes; then wait for the client's close. */
static void hclient_write(struct hclient *cl)
{
	struct loop *l = cl->s->h->loop;

	while (cl->sent < cl->out.len) {
		ssize_t n = send(cl->fd, cl->out.p + cl->sent, cl->out.len - cl->sent,
				 MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;         /* EPOLLOUT brings us back */
		if (n <= 0) {
			hclient_free(cl);
			return;
		}
		cl->sent += (size_t)n;
	}
	/* Closing with unread bytes (a body we never read) would reset the
	 * connection, and the client could lose the answer: say we are done,
	 * then read and drop until it closes, for a second at most. */
	shutdown(cl->fd, SHUT_WR);
	cl->phase = HC_LINGER;
	if (loop_fd_mod(l, cl->fd, EPOLLIN) < 0 ||
	    (cl->deadline_us > loop_now(l) + LINGER_US &&
	     loop_timer_in(l, &cl->deadline, LINGER_US) < 0))
		hclient_free(cl);
}

static void hclient_answer(struct hclient *cl, int status)
{
	respond(cl, status);
	cl->phase = HC_WRITE;
	if (loop_fd_mod(cl->s->h->loop, cl->fd, EPOLLOUT) < 0) {
		hclient_free(cl);
		return;
	}
	hclient_write(cl);
}

static void hclient_read(struct hclient *cl)
{
	char buf[1024];

	for (;;) {
		ssize_t n = recv(cl->fd, buf, sizeof(buf), MSG_DONTWAIT);
		enum http_req_status st;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {
			if (cl->phase == HC_READ && cl->req.head_bytes)
				cl->s->stats.bad_request++;     /* half a request */
			hclient_free(cl);
			return;
		}
		if (cl->phase == HC_LINGER)
			continue;
		st = http_req_feed(&cl->req, buf, (size_t)n);
		if (st == HTTP_REQ_MORE)
			continue;
		if (st == HTTP_REQ_ERROR)
			log_debug("metrics: bad request (%d, %s)", cl->req.error_status, cl->req.error);
		hclient_answer(cl, st == HTTP_REQ_DONE ? http_req_route(&cl->req, "/metrics") :
			       cl->req.error_status);
		return;
	}
}

static void on_client(int fd, uint32_t events, void *arg)
{
	struct hclient *cl = arg;

	(void)fd;
	if (cl->phase == HC_WRITE)
		hclient_write(cl);
	else if (events & (EPOLLIN | EPOLLHUP | EPOLLERR))
		hclient_read(cl);
}

/* Over the limit: a 503 in one non-blocking send, then close. */
static void hclient_refuse(struct ctl_http *s, int fd)
{
	static const char busy[] = "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n"
		"Connection: close\r\nRetry-After: 1\r\n\r\n";

	s->stats.refused++;
	if (log_ratelimit_allow(&s->warn_log, loop_now(s->h->loop), NULL))
		log_warnx("metrics: more than %d clients at once, closing one",
			  CTL_HTTP_MAX_CLIENTS);
	send(fd, busy, sizeof(busy) - 1, MSG_DONTWAIT | MSG_NOSIGNAL);
	close(fd);
}

static void hclient_new(struct ctl_http *s, int fd)
{
	struct loop *l = s->h->loop;
	struct hclient *cl;

	if (s->n_clients >= CTL_HTTP_MAX_CLIENTS || !(cl = calloc(1, sizeof(*cl)))) {
		hclient_refuse(s, fd);
		return;
	}
	cl->s = s;
	cl->fd = fd;
	http_req_init(&cl->req);
	timer_init(&cl->deadline, on_deadline, cl);
	cl->deadline_us = loop_now(l) + CTL_HTTP_DEADLINE_US;
	if (loop_fd_add(l, fd, EPOLLIN, on_client, cl) < 0 ||
	    loop_timer_at(l, &cl->deadline, cl->deadline_us) < 0) {
		loop_fd_del(l, fd);
		close(fd);
		free(cl);
		return;
	}
	cl->next = s->clients;
	s->clients = cl;
	s->n_clients++;
}

static void on_resume(struct timer *t, void *arg)
{
	struct ctl_http *s = arg;

	(void)t;
	loop_fd_mod(s->h->loop, s->fd, EPOLLIN);
}

static void hclient_take(void *arg, int cfd)
{
	hclient_new(arg, cfd);
}

static void on_accept(int fd, uint32_t events, void *arg)
{
	struct ctl_http *s = arg;

	(void)events;
	ctl_accept_burst(s->h->loop, fd, &s->resume_timer, &s->warn_log, "metrics",
			 hclient_take, s);
}

static int listen_open(struct ctl_http *s, const struct cfg_global *g)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t len;
	int one = 1;

	if (g->metrics_addr.family == AF_INET6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons(g->metrics_port);
		memcpy(&a->sin6_addr, &g->metrics_addr.u.v6, sizeof(a->sin6_addr));
		len = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;

		a->sin_family = AF_INET;
		a->sin_port = htons(g->metrics_port);
		memcpy(&a->sin_addr, &g->metrics_addr.u.v4, sizeof(a->sin_addr));
		len = sizeof(*a);
	}
	s->fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0)
		return -1;
	/* A restart must not wait for the last run's TIME_WAIT connections. */
	if (setsockopt(s->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    (ss.ss_family == AF_INET6 &&
	     setsockopt(s->fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0) ||
	    bind(s->fd, (struct sockaddr *)&ss, len) < 0 ||
	    listen(s->fd, CTL_HTTP_MAX_CLIENTS) < 0 ||
	    loop_fd_add(s->h->loop, s->fd, EPOLLIN, on_accept, s) < 0)
		return -1;
	return 0;
}

int ctl_http_open(struct ctl_http **out, struct hafd *h, uint64_t start_us, time_t start_wall)
{
	struct ctl_http *s = calloc(1, sizeof(*s));

	if (!s)
		return -1;
	s->h = h;
	s->fd = -1;
	s->start_us = start_us;
	s->start_wall = start_wall;
	s->warn_log.burst = 5;
	s->warn_log.period_us = 10000000;
	timer_init(&s->resume_timer, on_resume, s);
	if (listen_open(s, &h->cfg->global) < 0) {
		int saved = errno;

		if (s->fd >= 0)
			close(s->fd);
		free(s);
		errno = saved;
		return -1;
	}
	*out = s;
	return 0;
}

void ctl_http_close(struct ctl_http *s)
{
	if (!s)
		return;
	while (s->clients)
		hclient_free(s->clients);
	loop_timer_cancel(s->h->loop, &s->resume_timer);
	loop_fd_del(s->h->loop, s->fd);
	close(s->fd);
	free(s);
}

const struct ctl_http_stats *ctl_http_stats(const struct ctl_http *s)
{
	return s ? &s->stats : NULL;
}
