/* check_net.c: the http and tcp checks. One non-blocking socket per run and
 * one deadline for the whole exchange (connect, request, response). A
 * metrics check is an http exchange whose body check_metrics.c reads. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "http_parse.h"
#include "loop.h"
#include "patroni.h"
#include "check_priv.h"

static void on_deadline(struct timer *tm, void *arg);
static void net_connect(struct check_runner *r);

/* The steps of request = generate: the model list when no model is known,
 * then the one-token completion. */
enum { GEN_MODELS, GEN_POST };

/* The socket only: a generate run's second request keeps the deadline. */
static void net_close_fd(struct check_runner *r)
{
	struct loop *l = check_run_loop(r);

	if (r->fd >= 0) {
		loop_fd_del(l, r->fd);
		close(r->fd);
		r->fd = -1;
	}
}

static void net_close(struct check_runner *r)
{
	loop_timer_cancel(check_run_loop(r), &r->deadline);
	net_close_fd(r);
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
 * Content-Length are always ours. ctype and auth (a bearer token) are
 * added when not NULL. */
static int request_make(struct check_runner *r, const char *method, const char *path,
			const char *ctype, const char *body, const char *auth)
{
	const struct cfg_check *c = r->cfg;
	size_t blen = body ? strlen(body) : 0;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return -1;
	fprintf(f, "%s %s HTTP/1.1\r\n", method, path);
	if (!has_header(c, "Host")) {
		fprintf(f, "Host: %s", c->http_host);
		if (c->http_port != 80)
			fprintf(f, ":%u", c->http_port);
		fputs("\r\n", f);
	}
	if (!has_header(c, "User-Agent"))
		fprintf(f, "User-Agent: hafd/%s\r\n", PACKAGE_VERSION);
	fputs("Connection: close\r\nAccept: */*\r\n", f);
	if (ctype)
		fprintf(f, "Content-Type: %s\r\n", ctype);
	if (auth)
		fprintf(f, "Authorization: Bearer %s\r\n", auth);
	for (size_t i = 0; i < c->n_headers; i++)
		if (strncasecmp(c->headers[i], "Connection:", 11) &&
		    strncasecmp(c->headers[i], "Content-Length:", 15))
			fprintf(f, "%s\r\n", c->headers[i]);
	if (blen || !strcmp(method, "POST"))
		fprintf(f, "Content-Length: %zu\r\n", blen);
	fputs("\r\n", f);
	if (blen)
		fwrite(body, 1, blen, f);
	if (fclose(f) != 0) {
		free(buf);
		return -1;
	}
	free(r->req);
	r->req = buf;
	r->req_len = len;
	return 0;
}

static int request_build(struct check_runner *r)
{
	const struct cfg_check *c = r->cfg;

	return request_make(r, c->method, c->http_path, NULL, c->body, NULL);
}

/* The key from api_key_file, read at each run so that a new key needs no
 * reload: its first line, blanks trimmed. The file is checked again as at
 * load (config_check.c): a key others could read is not sent. 0, or -1
 * with the reason in why. */
static int key_read(const char *path, char *key, size_t len, char *why, size_t wlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);
	struct stat st;
	ssize_t n;
	size_t k = 0;

	if (fd < 0) {
		snprintf(why, wlen, "api_key_file %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (st.st_mode & (S_IRWXG | S_IRWXO)) ||
	    (st.st_uid != 0 && st.st_uid != geteuid())) {
		snprintf(why, wlen, "api_key_file %s: not a regular file of root's that only "
			 "root may read: not sending it", path);
		close(fd);
		return -1;
	}
	n = read(fd, key, len - 1);
	close(fd);
	if (n < 0) {
		snprintf(why, wlen, "api_key_file %s: %s", path, strerror(errno));
		return -1;
	}
	key[n] = '\0';
	key[strcspn(key, "\r\n")] = '\0';
	for (char *q = key; *q; q++)
		if (*q != ' ' && *q != '\t' && (unsigned char)*q >= 0x20 && *q != 0x7f)
			key[k++] = *q;
	key[k] = '\0';
	if (!k) {
		snprintf(why, wlen, "api_key_file %s holds no key", path);
		return -1;
	}
	return 0;
}

static const char *gen_path(const struct cfg_check *c)
{
	return c->endpoint == CHECK_EP_CHAT ? "/v1/chat/completions" : "/v1/completions";
}

/* The request of the current step of a generate run. The model id has no
 * quote or backslash (config_keys.c, http_parse.c), so it goes in as it is. */
static int gen_build(struct check_runner *r, char *why, size_t wlen)
{
	const struct cfg_check *c = r->cfg;
	char key[4096], path[512], body[512];
	const char *auth = NULL;
	int rc;

	if (c->api_key_file) {
		if (key_read(c->api_key_file, key, sizeof(key), why, wlen) < 0)
			return -1;
		auth = key;
	}
	snprintf(path, sizeof(path), "%s%s", c->gen_base ? c->gen_base : "",
		 r->step == GEN_MODELS ? "/v1/models" : gen_path(c));
	if (r->step == GEN_MODELS) {
		rc = request_make(r, "GET", path, NULL, NULL, auth);
	} else {
		if (c->endpoint == CHECK_EP_CHAT)
			snprintf(body, sizeof(body), "{\"model\":\"%s\",\"messages\":[{\"role\":"
				 "\"user\",\"content\":\"ping\"}],\"max_tokens\":1,"
				 "\"temperature\":0,\"stream\":%s}", r->model,
				 c->stream ? "true" : "false");
		else
			snprintf(body, sizeof(body), "{\"model\":\"%s\",\"prompt\":\"ping\","
				 "\"max_tokens\":1,\"temperature\":0,\"stream\":%s}", r->model,
				 c->stream ? "true" : "false");
		rc = request_make(r, "POST", path, "application/json", body, auth);
	}
	explicit_bzero(key, sizeof(key));
	if (rc < 0)
		snprintf(why, wlen, "building the request: %s", strerror(errno));
	return rc;
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
	if (r->cfg->request == CHECK_REQ_GENERATE) {
		/* The model is asked at the first run, not here: no I/O before
		 * the loop runs. */
		snprintf(r->model, sizeof(r->model), "%s", r->cfg->model ? r->cfg->model : "");
		return 0;
	}
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

/* A status that is not up: saturation (degrade_status; a 5xx whose body
 * says the queue is full, degrade_body) is DEGRADED, anything else FAILs.
 * what names the request of a generate run ("" for a GET check). */
static void status_fail(struct check_runner *r, int st, const char *what)
{
	const struct cfg_check *c = r->cfg;

	if (in_ranges(c->degrade_status, c->n_degrade_status, st)) {
		net_finish(r, CHECK_RES_DEGRADED, CHECK_KIND_BAD_STATUS, "%sstatus %d", what, st);
		return;
	}
	for (size_t i = 0; st >= 500 && i < c->n_degrade_body; i++)
		if (http_parse_body_contains_ci(r->http, c->degrade_body[i])) {
			net_finish(r, CHECK_RES_DEGRADED, CHECK_KIND_BAD_STATUS,
				   "%sstatus %d, saturated: \"%.60s\"", what, st, c->degrade_body[i]);
			return;
		}
	if (st == 401)
		net_finish(r, CHECK_RES_FAIL, CHECK_KIND_BAD_STATUS, "%sstatus 401: %s", what,
			   c->api_key_file ? "the server refused the key in api_key_file" :
			   "the server wants an API key (api_key_file)");
	else
		net_finish(r, CHECK_RES_FAIL, CHECK_KIND_BAD_STATUS, "%sstatus %d", what, st);
}

static void gen_start(struct check_runner *r);

/* "POST /v1/completions (MODEL): " */
static const char *gen_what(const struct check_runner *r, char *buf, size_t len)
{
	if (r->step == GEN_MODELS)
		snprintf(buf, len, "GET /v1/models: ");
	else
		snprintf(buf, len, "POST %s (%.60s): ", gen_path(r->cfg), r->model);
	return buf;
}

static void gen_evaluate(struct check_runner *r)
{
	const struct cfg_check *c = r->cfg;
	struct http_parser *p = r->http;
	int st = p->status;
	char what[128];

	gen_what(r, what, sizeof(what));
	if (r->step == GEN_MODELS) {
		if (st < 200 || st > 299) {
			status_fail(r, st, what);
		} else if (oai_models_first_id(p->body, p->body_len, r->model, sizeof(r->model))) {
			r->model[0] = '\0';
			net_finish(r, CHECK_RES_FAIL, CHECK_KIND_BAD_BODY, "%sstatus %d, no model "
				   "listed", what, st);
		} else {
			/* Same deadline: both requests fit in the check's timeout. */
			net_close_fd(r);
			r->step = GEN_POST;
			gen_start(r);
		}
		return;
	}
	if (!in_ranges(c->expect_status, c->n_expect_status, st)) {
		/* The listed model went away (an adapter unloaded, a new
		 * model): ask the list again next run. A configured one stays. */
		if (st == 404 && !c->model && http_parse_body_contains_ci(p, "model")) {
			r->model[0] = '\0';
			net_finish(r, CHECK_RES_FAIL, CHECK_KIND_BAD_STATUS, "%sstatus 404, model not "
				   "found: asking /v1/models again", what);
			return;
		}
		status_fail(r, st, what);
	} else if (c->stream) {
		net_finish(r, CHECK_RES_FAIL, CHECK_KIND_BAD_BODY, "%sstatus %d, the stream %s "
			   "without a token", what, st, p->body_truncated ||
			   p->body_len == HTTP_BODY_KEEP ? "went 64 KiB" : "ended");
	} else if (!oai_has_choices(p->body, p->body_len)) {
		net_finish(r, CHECK_RES_FAIL, CHECK_KIND_BAD_BODY, "%sstatus %d without choices",
			   what, st);
	} else {
		net_finish(r, CHECK_RES_PASS, CHECK_KIND_OK, "%.60s generated a token", r->model);
	}
}

/* A stream that answered 2xx: decided at its first token or error event.
 * Returns true when the run ended. */
static bool gen_stream(struct check_runner *r)
{
	struct http_parser *p = r->http;
	const char *err = NULL;
	size_t elen = 0;
	char what[128];

	switch (oai_sse_scan(p->body, p->body_len, &r->sse_off, &err, &elen)) {
	case OAI_SSE_TOKEN:
		net_finish(r, CHECK_RES_PASS, CHECK_KIND_OK, "%.60s streamed a first token",
			   r->model);
		return true;
	case OAI_SSE_ERROR:
		/* SGLang answers a full queue this way on a stream: 200, then
		 * an error event. The event's text decides, as a 5xx body's. */
		gen_what(r, what, sizeof(what));
		for (size_t i = 0; i < r->cfg->n_degrade_body; i++)
			if (http_parse_body_contains_ci(p, r->cfg->degrade_body[i])) {
				net_finish(r, CHECK_RES_DEGRADED, CHECK_KIND_BAD_BODY,
					   "%serror event, saturated: \"%.60s\"", what,
					   r->cfg->degrade_body[i]);
				return true;
			}
		net_finish(r, CHECK_RES_FAIL, CHECK_KIND_BAD_BODY, "%serror event: %.*s", what,
			   (int)(elen < 80 ? elen : 80), err);
		return true;
	case OAI_SSE_END:
		gen_what(r, what, sizeof(what));
		net_finish(r, CHECK_RES_FAIL, CHECK_KIND_BAD_BODY, "%sthe stream ended without a "
			   "token", what);
		return true;
	default:
		return false;
	}
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
	if (c->request == CHECK_REQ_GENERATE) {
		gen_evaluate(r);
	} else if (c->request == CHECK_REQ_PATRONI) {
		char why[CHECK_REASON_MAX];
		enum check_kind kind;
		enum check_result res = patroni_judge(st, r->http->body, r->http->body_len, &kind,
						      why, sizeof(why));

		net_finish(r, res, kind, "%s", why);
	} else if (in_ranges(c->expect_status, c->n_expect_status, st)) {
		if (c->expect_body && !http_parse_body_contains(r->http, c->expect_body))
			net_finish(r, CHECK_RES_FAIL, CHECK_KIND_BAD_BODY,
				   "status %d, body lacks \"%.60s\"%s", st, c->expect_body,
				   r->http->body_truncated ? " in its first 64 KiB" : "");
		else
			net_finish(r, CHECK_RES_PASS, CHECK_KIND_OK, "status %d", st);
	} else {
		status_fail(r, st, "");
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
	if (r->cfg->request == CHECK_REQ_GENERATE && r->cfg->stream && r->step == GEN_POST &&
	    http_parse_headers_done(p) &&
	    in_ranges(r->cfg->expect_status, r->cfg->n_expect_status, p->status) && gen_stream(r))
		return true;
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

	char what[128] = "";

	(void)tm;
	if (r->cfg->request == CHECK_REQ_GENERATE)
		gen_what(r, what, sizeof(what));
	net_finish(r, timeout_result(r), CHECK_KIND_TIMEOUT, "%stimed out after %llu ms %s",
		   what, (unsigned long long)(r->cfg->timeout_us / 1000), phase);
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

/* Connect for the request in r->req; the deadline is already armed. */
static void net_connect(struct check_runner *r)
{
	const struct cfg_check *c = r->cfg;
	bool http = c->type == CHECK_HTTP || c->type == CHECK_METRICS;
	const struct hafd_addr *a = http ? &c->http_addr : &c->tcp_addr;
	struct sockaddr_storage ss;
	socklen_t len = sockaddr_make(a, http ? c->http_port : c->tcp_port, &ss);
	struct loop *l = check_run_loop(r);

	r->connected = false;
	r->req_off = 0;
	r->sse_off = 0;
	if (http)
		http_parse_init(r->http, !strcmp(c->method ? c->method : "GET", "HEAD"));
	if (c->type == CHECK_METRICS)
		check_metrics_start(r);
	r->fd = socket(a->family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (r->fd < 0) {
		int err = errno;

		net_finish(r, CHECK_RES_FAIL, CHECK_KIND_ERROR, "socket: %s", strerror(err));
		return;
	}
	if (connect(r->fd, (struct sockaddr *)&ss, len) < 0 && errno != EINPROGRESS) {
		connect_failed(r, errno);
		return;
	}
	if (loop_fd_add(l, r->fd, EPOLLOUT, on_io, r) < 0) {
		int err = errno;

		net_finish(r, CHECK_RES_FAIL, CHECK_KIND_ERROR, "epoll: %s", strerror(err));
	}
}

/* A step of a generate run: build its request and connect. The POST's
 * latency is its own: the run's clock starts again there, so slow_after
 * judges the completion (with stream = yes, the time to the first token),
 * not the model list before it. */
static void gen_start(struct check_runner *r)
{
	char why[CHECK_REASON_MAX];

	if (r->step == GEN_POST)
		r->started_us = loop_update_now(check_run_loop(r));
	if (gen_build(r, why, sizeof(why)) < 0) {
		net_finish(r, CHECK_RES_FAIL, CHECK_KIND_ERROR, "%s", why);
		return;
	}
	net_connect(r);
}

void check_net_run(struct check_runner *r)
{
	loop_timer_in(check_run_loop(r), &r->deadline, r->cfg->timeout_us);
	if (r->cfg->type == CHECK_HTTP && r->cfg->request == CHECK_REQ_GENERATE) {
		r->step = r->model[0] ? GEN_POST : GEN_MODELS;
		gen_start(r);
		return;
	}
	net_connect(r);
}
