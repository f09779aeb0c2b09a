/* check_net.c: the http and tcp checks. One non-blocking socket per run and
 * one deadline for the whole exchange (connect, request, response). A
 * metrics check is an http exchange whose body check_metrics.c reads. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "config.h"
#include "http_parse.h"
#include "loop.h"
#include "check_priv.h"

static void on_deadline(struct timer *tm, void *arg);

static void net_close(struct check_runner *r)
{
	struct loop *l = check_run_loop(r);

	loop_timer_cancel(l, &r->deadline);
	if (r->fd >= 0) {
		loop_fd_del(l, r->fd);
		close(r->fd);
		r->fd = -1;
	}
}

/* Close first: check_run_done() may start nothing, but the socket is done. */
#define net_finish(r, res, kind, ...) \
	do { net_close(r); check_run_done(r, res, kind, __VA_ARGS__); } while (0)

static enum check_result timeout_result(const struct check_runner *r)
{
	return r->cfg->on_timeout == CHECK_TIMEOUT_DEGRADE ? CHECK_RES_DEGRADED :
		CHECK_RES_FAIL;
}

/* ---- the request -------------------------------------------------------- */

static bool has_header(const struct cfg_check *c, const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; i < c->n_headers; i++)
		if (!strncasecmp(c->headers[i], name, n) && c->headers[i][n] == ':')
			return true;
	return false;
}

/* Configured Host and User-Agent replace ours; Connection and
 * Content-Length are always ours. */
static int request_build(struct check_runner *r)
{
	const struct cfg_check *c = r->cfg;
	size_t body = c->body ? strlen(c->body) : 0;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return -1;
	fprintf(f, "%s %s HTTP/1.1\r\n", c->method, c->http_path);
	if (!has_header(c, "Host")) {
		fprintf(f, "Host: %s", c->http_host);
		if (c->http_port != 80)
			fprintf(f, ":%u", c->http_port);
		fputs("\r\n", f);
	}
	if (!has_header(c, "User-Agent"))
		fprintf(f, "User-Agent: hafd/%s\r\n", PACKAGE_VERSION);
	fputs("Connection: close\r\nAccept: */*\r\n", f);
	for (size_t i = 0; i < c->n_headers; i++)
		if (strncasecmp(c->headers[i], "Connection:", 11) &&
		    strncasecmp(c->headers[i], "Content-Length:", 15))
			fprintf(f, "%s\r\n", c->headers[i]);
	if (body || !strcmp(c->method, "POST"))
		fprintf(f, "Content-Length: %zu\r\n", body);
	fputs("\r\n", f);
	if (body)
		fwrite(c->body, 1, body, f);
	if (fclose(f) != 0) {
		free(buf);
		return -1;
	}
	r->req = buf;
	r->req_len = len;
	return 0;
}

int check_net_prepare(struct check_runner *r)
{
	timer_init(&r->deadline, on_deadline, r);
	if (r->cfg->type != CHECK_HTTP && r->cfg->type != CHECK_METRICS)
		return 0;
	r->http = malloc(sizeof(*r->http));
	if (!r->http)
		return -1;
	if (r->cfg->type == CHECK_METRICS && check_metrics_prepare(r) < 0)
		return -1;
	return request_build(r);
}

void check_net_free(struct check_runner *r)
{
	check_net_abort(r);
	check_metrics_free(r);
	free(r->http);
	free(r->req);
	r->http = NULL;
	r->req = NULL;
}

void check_net_abort(struct check_runner *r)
{
	if (r->cfg && (r->cfg->type == CHECK_HTTP || r->cfg->type == CHECK_TCP ||
		       r->cfg->type == CHECK_METRICS))
		net_close(r);
}

/* ---- the response ------------------------------------------------------- */

static bool in_ranges(const struct cfg_range *rg, size_t n, int status)
{
	for (size_t i = 0; i < n; i++)
		if (status >= rg[i].lo && status <= rg[i].hi)
			return true;
	return false;
}

static void http_evaluate(struct check_runner *r)
{
	const struct cfg_check *c = r->cfg;
	int st = r->http->status;

	if (c->type == CHECK_METRICS) {
		net_close(r);
		check_metrics_judge(r, st);
		return;
	}
	if (in_ranges(c->expect_status, c->n_expect_status, st)) {
		if (c->expect_body && !http_parse_body_contains(r->http, c->expect_body))
			net_finish(r, CHECK_RES_FAIL, CHECK_KIND_BAD_BODY,
				   "status %d, body lacks \"%.60s\"%s", st, c->expect_body,
				   r->http->body_truncated ? " in its first 64 KiB" : "");
		else
			net_finish(r, CHECK_RES_PASS, CHECK_KIND_OK, "status %d", st);
	} else if (in_ranges(c->degrade_status, c->n_degrade_status, st)) {
		net_finish(r, CHECK_RES_DEGRADED, CHECK_KIND_BAD_STATUS, "status %d", st);
	} else {
		net_finish(r, CHECK_RES_FAIL, CHECK_KIND_BAD_STATUS, "status %d", st);
	}
}

/* After the parser said something: finish the run when it is decided. */
static bool http_progress(struct check_runner *r, enum http_status st)
{
	struct http_parser *p = r->http;

	if (st == HTTP_ERROR) {
		bool closed = !strncmp(p->error, "connection closed", 17);

		net_finish(r, CHECK_RES_FAIL, closed ? CHECK_KIND_RESET : CHECK_KIND_BAD_REPLY,
			   "%s%s", closed ? "" : "bad response: ", p->error);
		return true;
	}
	/* Done, or the kept part of the body is full: nothing more to learn
	 * (a metrics check reads its whole body, through the sink). */
	if (st == HTTP_DONE || (http_parse_headers_done(p) && p->body_len == HTTP_BODY_KEEP &&
				!p->sink)) {
		http_evaluate(r);
		return true;
	}
	return false;
}

static void http_recv(struct check_runner *r)
{
	char buf[16384];

	for (;;) {
		ssize_t n = recv(r->fd, buf, sizeof(buf), 0);

		if (n > 0 && http_progress(r, http_parse_feed(r->http, buf, (size_t)n)))
			return;
		if (n == 0 && http_progress(r, http_parse_eof(r->http)))
			return;
		int err = errno;

		if (n >= 0 || err == EINTR)
			continue;
		if (err == EAGAIN)
			return;
		if (err == ECONNRESET)
			net_finish(r, CHECK_RES_FAIL, CHECK_KIND_RESET, "connection reset");
		else
			net_finish(r, CHECK_RES_FAIL, CHECK_KIND_ERROR, "recv: %s", strerror(err));
		return;
	}
}

/* Returns false when the run ended. */
static bool http_send(struct check_runner *r)
{
	while (r->req_off < r->req_len) {
		ssize_t n = send(r->fd, r->req + r->req_off, r->req_len - r->req_off,
				 MSG_NOSIGNAL);
		int err = errno;

		if (n < 0 && err == EINTR)
			continue;
		if (n < 0 && err == EAGAIN)
			return true;
		if (n < 0 && err != EPIPE && err != ECONNRESET) {
			net_finish(r, CHECK_RES_FAIL, CHECK_KIND_ERROR, "send: %s", strerror(err));
			return false;
		}
		if (n < 0) {
			/* The server may have answered and closed: read what it said. */
			r->req_off = r->req_len;
			return true;
		}
		r->req_off += (size_t)n;
	}
	loop_fd_mod(check_run_loop(r), r->fd, EPOLLIN);
	return true;
}

/* ---- connecting --------------------------------------------------------- */

static void connect_failed(struct check_runner *r, int err)
{
	if (err == ECONNREFUSED)
		net_finish(r, CHECK_RES_FAIL, CHECK_KIND_REFUSED, "connection refused");
	else if (err == ECONNRESET)
		net_finish(r, CHECK_RES_FAIL, CHECK_KIND_RESET, "connection reset");
	else if (err == ETIMEDOUT)
		net_finish(r, timeout_result(r), CHECK_KIND_TIMEOUT, "connect: %s", strerror(err));
	else
		net_finish(r, CHECK_RES_FAIL, CHECK_KIND_ERROR, "connect: %s", strerror(err));
}

static void on_io(int fd, uint32_t events, void *arg)
{
	struct check_runner *r = arg;

	if (!r->connected) {
		int err = 0;
		socklen_t len = sizeof(err);

		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
			err = errno;
		if (err) {
			connect_failed(r, err);
			return;
		}
		if (!(events & EPOLLOUT))
			return;
		r->connected = true;
		if (r->cfg->type == CHECK_TCP) {
			net_finish(r, CHECK_RES_PASS, CHECK_KIND_OK, "connected");
			return;
		}
		loop_fd_mod(check_run_loop(r), fd, EPOLLIN | EPOLLOUT);
	}
	if ((events & EPOLLOUT) && !http_send(r))
		return;
	if (events & (EPOLLIN | EPOLLHUP | EPOLLERR))
		http_recv(r);
}

static void on_deadline(struct timer *tm, void *arg)
{
	struct check_runner *r = arg;
	const char *phase = !r->connected ? "connecting" :
		r->req_off < r->req_len ? "sending the request" :
		r->http && r->http->status ? "reading the response" : "waiting for the response";

	(void)tm;
	net_finish(r, timeout_result(r), CHECK_KIND_TIMEOUT, "timed out after %llu ms %s",
		   (unsigned long long)(r->cfg->timeout_us / 1000), phase);
}

static socklen_t sockaddr_make(const struct hafd_addr *a, uint16_t port,
			       struct sockaddr_storage *ss)
{
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	if (a->family == AF_INET6) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		s6->sin6_addr = a->u.v6;
		return sizeof(*s6);
	}
	s4->sin_family = AF_INET;
	s4->sin_port = htons(port);
	s4->sin_addr = a->u.v4;
	return sizeof(*s4);
}

void check_net_run(struct check_runner *r)
{
	const struct cfg_check *c = r->cfg;
	bool http = c->type == CHECK_HTTP || c->type == CHECK_METRICS;
	const struct hafd_addr *a = http ? &c->http_addr : &c->tcp_addr;
	struct sockaddr_storage ss;
	socklen_t len = sockaddr_make(a, http ? c->http_port : c->tcp_port, &ss);
	struct loop *l = check_run_loop(r);

	r->connected = false;
	r->req_off = 0;
	if (http)
		http_parse_init(r->http, !strcmp(c->method, "HEAD"));
	if (c->type == CHECK_METRICS)
		check_metrics_start(r);
	r->fd = socket(a->family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (r->fd < 0) {
		int err = errno;

		check_run_done(r, CHECK_RES_FAIL, CHECK_KIND_ERROR, "socket: %s", strerror(err));
		return;
	}
	loop_timer_in(l, &r->deadline, c->timeout_us);
	if (connect(r->fd, (struct sockaddr *)&ss, len) < 0 && errno != EINPROGRESS) {
		connect_failed(r, errno);
		return;
	}
	if (loop_fd_add(l, r->fd, EPOLLOUT, on_io, r) < 0) {
		int err = errno;

		net_finish(r, CHECK_RES_FAIL, CHECK_KIND_ERROR, "epoll: %s", strerror(err));
	}
}
