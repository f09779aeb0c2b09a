/* ctl.c: the control socket (protocol in ctl.h), the SIGUSR1 dump and the
 * systemd STATUS= line. What is served is rendered in ctl_status.c and
 * ctl_metrics.c. */
#include "ctl.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "anycast.h"
#include "config.h"
#include "check_run.h"
#include "ctl_priv.h"
#include "hafd.h"
#include "handover.h"
#include "json.h"
#include "log.h"
#include "loop.h"
#include "reload.h"
#include "sdnotify.h"
#include "vrrp.h"

#define ACCEPT_BURST 16
#define SUMMARY_PERIOD_US 1000000u
#define ACCEPT_PAUSE_US 1000000u

struct client {
	struct ctl *c;
	int fd;
	char req[CTL_REQUEST_MAX];
	size_t req_len;
	uid_t uid;                      /* the peer's (SO_PEERCRED); -1 when unknown */
	bool answering;                 /* the answer is being written */
	bool waiting;                   /* for a handover's outcome (handover.h) */
	bool in_answer;                 /* answer() runs: the outcome came at once */
	struct sbuf out;
	size_t sent;
	struct timer deadline;
	struct client *next;
};

struct ctl {
	struct hafd *h;
	int fd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	dev_t dev;                      /* of the socket file we made */
	ino_t ino;
	struct client *clients;
	size_t n_clients;
	struct ctl_http *http;          /* metrics_listen; NULL when none */
	bool has_group;                 /* control_group */
	gid_t gid;
	uint64_t start_us;
	time_t start_wall;
	struct timer summary_timer;
	struct timer resume_timer;      /* accepting again after EMFILE */
	char summary[128];              /* last STATUS= sent */
	struct log_ratelimit warn_log;
};

/* ---- clients ------------------------------------------------------------ */

static void client_free(struct client *cl)
{
	struct ctl *c = cl->c;

	for (struct client **pp = &c->clients; *pp; pp = &(*pp)->next) {
		if (*pp == cl) {
			*pp = cl->next;
			break;
		}
	}
	c->n_clients--;
	if (cl->waiting)
		handover_forget(c->h, cl);
	loop_timer_cancel(c->h->loop, &cl->deadline);
	loop_fd_del(c->h->loop, cl->fd);
	close(cl->fd);
	sbuf_free(&cl->out);
	free(cl);
}

static void on_deadline(struct timer *t, void *arg)
{
	struct client *cl = arg;

	(void)t;
	log_debug("control socket: a client took longer than %llus, dropped",
		  CTL_DEADLINE_US / 1000000ull);
	client_free(cl);
}

static struct ctl_view view_of(const struct ctl *c)
{
	return (struct ctl_view){
		.h = c->h, .now_us = loop_now(c->h->loop), .start_us = c->start_us,
		.start_wall = c->start_wall, .now_wall = ctl_wall_now(),
		.http = ctl_http_stats(c->http),
	};
}

static void answer_reload(struct ctl *c, struct sbuf *out)
{
	struct config_errors errs = { 0 };

	log_notice("reload requested on the control socket");
	if (hafd_reload(c->h, &errs) == 0) {
		sbuf_printf(out, "ok\nconfiguration reloaded from %s\n", c->h->opts.config_file);
	} else {
		sbuf_puts(out, "error\n");
		for (size_t i = 0; i < errs.n; i++)
			sbuf_printf(out, "%s\n", errs.msgs[i]);
		if (!errs.n)
			sbuf_puts(out, "reload failed (see the log)\n");
	}
	config_errors_free(&errs);
}

double ctl_wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

bool ctl_read_only(const char *req)
{
	static const char *const reads[] = { "status", "status --json", "metrics", "version" };

	for (size_t i = 0; i < sizeof(reads) / sizeof(reads[0]); i++)
		if (!strcmp(req, reads[i]))
			return true;
	return false;
}

/* "handover ARGS" or "resume ARGS" for an anycast instance (anycast.h),
 * answered at once: true when answered here, false for the VRRP path
 * (which also answers a malformed request). --all reaches the anycast
 * instances too, and is answered here only when there is no VRRP
 * instance to move. */
static bool anycast_request(struct hafd *h, bool handover, const char *args, struct sbuf *out)
{
	char name[CTL_REQUEST_MAX] = "", text[512] = "";
	bool all;
	int r;

	if (sscanf(args, "%255s", name) != 1)
		return false;
	all = !strcmp(name, "--all");
	r = handover ? anycast_handover(h, all ? NULL : name, text, sizeof(text)) :
	    anycast_resume(h, all ? NULL : name, text, sizeof(text));
	if (all && anycast_count(h) && !h->n_routers) {
		sbuf_printf(out, "ok\nevery anycast instance %s\n", handover ?
			    "drains, then withdraws" : "is announced by its checks again");
		return true;
	}
	if (r <= 0)
		return false;
	sbuf_printf(out, "ok\n%s", text);
	return true;
}

static void client_send(struct client *cl);

/* A handover's outcome, for the client that asked. */
static void handover_answer(void *arg, bool ok, const char *text)
{
	struct client *cl = arg;

	sbuf_puts(&cl->out, ok ? "ok\n" : "error\n");
	sbuf_puts(&cl->out, text);
	cl->waiting = false;
	if (!cl->in_answer)
		client_send(cl);
}

/* An instance name as a request gives it: printable, so that an answer
 * that names it (no such instance) stays text. */
static bool name_ok(const char *name)
{
	for (const char *p = name; *p; p++)
		if (*p < 0x21 || *p > 0x7e)
			return false;
	return *name != '\0';
}

/* "handover NAME|--all [WAIT_MS [DRAIN_MS]]": the answer comes when the
 * instances moved (and drained), or the wait ran out (handover.h); the
 * client waits that long. */
static void answer_handover(struct client *cl, const char *args, struct sbuf *out)
{
	char name[CTL_REQUEST_MAX] = "";
	unsigned long long wait_ms = 0, drain_ms = 0;
	uint64_t deadline;

	if (sscanf(args, "%255s %llu %llu", name, &wait_ms, &drain_ms) < 1 ||
	    wait_ms > 3600000ull || drain_ms > 3600000ull || !name_ok(name)) {
		sbuf_puts(out, "error\nusage: handover NAME|--all [WAIT_MS [DRAIN_MS]]\n");
		return;
	}
	cl->waiting = true;
	if (handover_start(cl->c->h, strcmp(name, "--all") ? name : NULL, wait_ms * 1000u,
			   drain_ms * 1000u, handover_answer, cl) < 0) {
		cl->waiting = false;
		sbuf_printf(out, "error\n%s\n", errno == EBUSY ? "a handover is already running" :
			    strerror(errno));
		return;
	}
	/* The deadline of a client covers the wait, and a second more. */
	deadline = (wait_ms ? wait_ms * 1000u : 3600u * 1000000u) + drain_ms * 1000u + 1000000u;
	if (cl->waiting)
		loop_timer_in(cl->c->h->loop, &cl->deadline,
			      deadline > CTL_DEADLINE_US ? deadline : CTL_DEADLINE_US);
}

static void answer_resume(struct ctl *c, const char *args, struct sbuf *out)
{
	char name[CTL_REQUEST_MAX] = "", text[2048];

	if (sscanf(args, "%255s", name) != 1 || !name_ok(name)) {
		sbuf_puts(out, "error\nusage: resume NAME|--all\n");
		return;
	}
	if (anycast_request(c->h, false, name, out))
		return;
	if (handover_resume(c->h, strcmp(name, "--all") ? name : NULL, text, sizeof(text)) < 0)
		sbuf_printf(out, "error\n%s", text);
	else
		sbuf_printf(out, "ok\n%s", text);
}

/* "check NAME|--all": run the check now (Patroni's on_role_change). It
 * changes nothing a scheduled run would not, so control_group may ask it:
 * Patroni's callback runs as postgres, not as root. */
static void answer_check(struct ctl *c, const char *args, struct sbuf *out)
{
	char name[CTL_REQUEST_MAX] = "";
	int n;

	if (sscanf(args, "%255s", name) != 1 || !name_ok(name)) {
		sbuf_puts(out, "error\nusage: check NAME|--all\n");
		return;
	}
	n = check_run_now(c->h, strcmp(name, "--all") ? name : NULL);
	if (n < 0)
		sbuf_printf(out, "error\nno check named %s\n", name);
	else
		sbuf_printf(out, "ok\n%d check%s run now\n", n, n == 1 ? "" : "s");
}

static void answer_maintenance(struct ctl *c, const char *arg, struct sbuf *out)
{
	bool on = !strcmp(arg, "on");

	if (!on && strcmp(arg, "off")) {
		sbuf_puts(out, "error\nusage: maintenance on|off\n");
		return;
	}
	if (handover_maintenance(c->h, on) < 0) {
		sbuf_printf(out, "error\nmaintenance %s: %s\n", arg, strerror(errno));
		return;
	}
	anycast_maintenance(c->h, on);  /* anycast instances drain, then withdraw */
	sbuf_printf(out, "ok\nmaintenance %s%s\n", arg, on ?
		    ": every instance yields (priority 1), also after a restart; a backup with "
		    "preempt takes the VIPs over" : ": configured priorities again");
	if (anycast_count(c->h))
		sbuf_printf(out, "anycast instances: %s\n", on ? "less preferred for their drain, "
			    "then withdrawn" : "announced as their checks say");
}

/* The request line (without its newline) into an answer. */
static void answer(struct client *cl, const char *req, uid_t uid, struct sbuf *out)
{
	struct ctl *c = cl->c;
	struct ctl_view v = view_of(c);

	/* Only control_group lets anyone but root connect: what changes
	 * state stays root's, and so does whatever is added later. */
	if (uid != 0 && !ctl_read_only(req) && strncmp(req, "check ", 6)) {
		if (log_ratelimit_allow(&c->warn_log, v.now_us, NULL))
			log_notice("control socket: a request from uid %ld refused: only root may "
				   "change state", (long)uid);
		sbuf_printf(out, "error\nonly root may do that: members of control_group may "
			    "only read (status, status --json, metrics, version)\n");
	} else if (!strcmp(req, "status")) {
		sbuf_puts(out, "ok\n");
		ctl_status_text(&v, out);
	} else if (!strcmp(req, "status --json")) {
		sbuf_puts(out, "ok\n");
		ctl_status_json(&v, out);
	} else if (!strcmp(req, "metrics")) {
		sbuf_puts(out, "ok\n");
		ctl_metrics(&v, out);
	} else if (!strcmp(req, "reload")) {
		answer_reload(c, out);
	} else if (!strcmp(req, "version")) {
		sbuf_printf(out, "ok\nhafd %s\n", PACKAGE_VERSION);
	} else if (!strncmp(req, "handover ", 9)) {
		if (!anycast_request(c->h, true, req + 9, out))
			answer_handover(cl, req + 9, out);
	} else if (!strncmp(req, "resume ", 7)) {
		answer_resume(c, req + 7, out);
	} else if (!strncmp(req, "check ", 6)) {
		answer_check(c, req + 6, out);
	} else if (!strncmp(req, "maintenance ", 12)) {
		answer_maintenance(c, req + 12, out);
	} else {
		sbuf_puts(out, "error\nunknown request '");
		for (const char *p = req; *p && p - req < 40; p++)
			sbuf_printf(out, "%c", *p >= 0x20 && *p < 0x7f ? *p : '?');
		sbuf_puts(out, "' (allowed: status, status --json, metrics, reload, version, "
			  "handover, resume, maintenance)\n");
	}
}

/* Write what the socket takes; free the client when all is sent or the
 * client went away. */
static void client_write(struct client *cl)
{
	while (cl->sent < cl->out.len) {
		ssize_t n = send(cl->fd, cl->out.p + cl->sent, cl->out.len - cl->sent,
				 MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;         /* EPOLLOUT brings us back */
		if (n <= 0) {
			client_free(cl);
			return;
		}
		cl->sent += (size_t)n;
	}
	client_free(cl);
}

static void client_answer(struct client *cl)
{
	char *req = cl->req;
	size_t n = cl->req_len;

	while (n && (req[n - 1] == '\n' || req[n - 1] == '\r' || req[n - 1] == ' '))
		n--;
	req[n] = '\0';
	sbuf_init(&cl->out, CTL_ANSWER_MAX);
	cl->in_answer = true;
	answer(cl, req, cl->uid, &cl->out);
	cl->in_answer = false;
	shutdown(cl->fd, SHUT_RD);
	if (cl->waiting) {              /* handover_answer() sends it */
		loop_fd_mod(cl->c->h->loop, cl->fd, 0);
		return;
	}
	client_send(cl);
}

/* The answer is in cl->out: write it, then close. */
static void client_send(struct client *cl)
{
	if (cl->out.failed) {
		sbuf_free(&cl->out);
		sbuf_puts(&cl->out, "error\nthe answer is too large, or hafd is out of memory\n");
	}
	cl->answering = true;
	if (loop_fd_mod(cl->c->h->loop, cl->fd, EPOLLOUT) < 0) {
		client_free(cl);
		return;
	}
	client_write(cl);
}

/* Read until the first newline (or end of file); more is not wanted. */
static void client_read(struct client *cl)
{
	size_t room = sizeof(cl->req) - 1;

	for (;;) {
		ssize_t n = recv(cl->fd, cl->req + cl->req_len, room - cl->req_len, MSG_DONTWAIT);
		char *nl;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n < 0 || (n == 0 && cl->req_len == 0)) {
			client_free(cl);
			return;
		}
		cl->req_len += (size_t)n;
		if ((nl = memchr(cl->req, '\n', cl->req_len)) != NULL)
			cl->req_len = (size_t)(nl - cl->req);
		else if (n > 0 && cl->req_len < room)
			continue;
		else if (n > 0)
			cl->req_len = 0;        /* too long: answered as unknown */
		client_answer(cl);
		return;
	}
}

static void on_client(int fd, uint32_t events, void *arg)
{
	struct client *cl = arg;

	(void)fd;
	if (cl->answering)
		client_write(cl);
	else if (events & EPOLLIN)
		client_read(cl);
	else if (events & (EPOLLHUP | EPOLLERR))
		client_free(cl);
}

/* A client turned away: tell it why, in one non-blocking send, then close.
 * What it already sent is read first: closing a unix socket with unread
 * data resets it, and the client would see "Connection reset by peer"
 * instead of the answer. */
static void client_refuse(int fd)
{
	char buf[CTL_REQUEST_MAX];
	int n;

	for (int i = 0; i < 64 && recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0; i++)
		;
	n = snprintf(buf, sizeof(buf), "busy\nhafd is busy: more than %d control clients "
		     "at once; try again\n", CTL_MAX_CLIENTS);
	send(fd, buf, (size_t)n, MSG_DONTWAIT | MSG_NOSIGNAL);
	close(fd);
}

/* Who is at the other end; -1 (never root) when the kernel cannot say. */
static uid_t peer_uid(int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 || len != sizeof(cred))
		return (uid_t)-1;
	return cred.uid;
}

static void client_new(struct ctl *c, int fd)
{
	struct client *cl;

	if (c->n_clients >= CTL_MAX_CLIENTS || !(cl = calloc(1, sizeof(*cl)))) {
		if (log_ratelimit_allow(&c->warn_log, loop_now(c->h->loop), NULL))
			log_warnx("control socket: more than %d clients at once, closing one",
				  CTL_MAX_CLIENTS);
		client_refuse(fd);
		return;
	}
	cl->c = c;
	cl->fd = fd;
	cl->uid = peer_uid(fd);
	timer_init(&cl->deadline, on_deadline, cl);
	if (loop_fd_add(c->h->loop, fd, EPOLLIN, on_client, cl) < 0 ||
	    loop_timer_in(c->h->loop, &cl->deadline, CTL_DEADLINE_US) < 0) {
		loop_fd_del(c->h->loop, fd);
		close(fd);
		free(cl);
		return;
	}
	cl->next = c->clients;
	c->clients = cl;
	c->n_clients++;
}

static void on_resume(struct timer *t, void *arg)
{
	struct ctl *c = arg;

	(void)t;
	loop_fd_mod(c->h->loop, c->fd, EPOLLIN);
}

void ctl_accept_burst(struct loop *l, int fd, struct timer *resume,
		      struct log_ratelimit *rl, const char *what,
		      void (*take)(void *arg, int cfd), void *arg)
{
	for (int i = 0; i < ACCEPT_BURST; i++) {
		int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (cfd >= 0) {
			take(arg, cfd);
			continue;
		}
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ||
		    errno == ECONNABORTED)
			return;
		if (log_ratelimit_allow(rl, loop_now(l), NULL))
			log_warn("%s: accept (pausing for 1s)", what);
		/* Out of descriptors or memory: the socket stays readable, so
		 * stop watching it for a while rather than spin. */
		loop_fd_mod(l, fd, 0);
		loop_timer_in(l, resume, ACCEPT_PAUSE_US);
		return;
	}
}

static void client_take(void *arg, int cfd)
{
	client_new(arg, cfd);
}

static void on_accept(int fd, uint32_t events, void *arg)
{
	struct ctl *c = arg;

	(void)events;
	ctl_accept_burst(c->h->loop, fd, &c->resume_timer, &c->warn_log, "control socket",
			 client_take, c);
}

/* ---- the listening socket ----------------------------------------------- */

/* A socket file at path: is a daemon listening there? */
static bool socket_alive(const struct sockaddr_un *sun)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool alive;

	if (fd < 0)
		return true;    /* cannot tell: do not remove it */
	alive = connect(fd, (const struct sockaddr *)sun, sizeof(*sun)) == 0 ||
		errno != ECONNREFUSED;
	close(fd);
	return alive;
}

/* Remove a stale socket at the path; refuse to touch anything else. */
static int stale_remove(const struct sockaddr_un *sun)
{
	struct stat st;

	if (lstat(sun->sun_path, &st) < 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISSOCK(st.st_mode)) {
		errno = EEXIST;
		return -1;
	}
	if (socket_alive(sun)) {
		errno = EADDRINUSE;
		return -1;
	}
	log_info("control socket: removing %s, left by an earlier run", sun->sun_path);
	return unlink(sun->sun_path) < 0 && errno != ENOENT ? -1 : 0;
}

static int listen_open(struct ctl *c)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct stat st;
	mode_t old;
	int rc;

	if (strlen(c->path) >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(sun.sun_path, c->path, strlen(c->path) + 1);
	if (stale_remove(&sun) < 0)
		return -1;
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return -1;
	old = umask(0177);      /* born 0600: no window where others may connect */
	rc = bind(c->fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (rc < 0)
		return -1;
	/* The group before the mode: no moment where another group may connect. */
	if ((c->has_group && chown(c->path, 0, c->gid) < 0) ||
	    chmod(c->path, c->has_group ? 0660 : 0600) < 0 || stat(c->path, &st) < 0 ||
	    listen(c->fd, CTL_MAX_CLIENTS) < 0 ||
	    loop_fd_add(c->h->loop, c->fd, EPOLLIN, on_accept, c) < 0) {
		int saved = errno;

		unlink(c->path);
		errno = saved;
		return -1;
	}
	c->dev = st.st_dev;
	c->ino = st.st_ino;
	return 0;
}

/* ---- systemd STATUS= ---------------------------------------------------- */

void ctl_summary(const struct hafd *h, char *buf, size_t len)
{
	size_t n[4] = { 0 };
	static const char *const names[4] = { "init", "backup", "master", "fault" };
	size_t off;

	for (size_t i = 0; i < h->n_routers; i++)
		if ((unsigned)h->routers[i]->inst.fsm.state < 4)
			n[h->routers[i]->inst.fsm.state]++;
	off = (size_t)snprintf(buf, len, "%zu instance%s", h->n_routers,
			       h->n_routers == 1 ? "" : "s");
	for (int s = 0, k = 0; s < 4 && off < len; s++) {
		static const int order[4] = { VRRP_STATE_MASTER, VRRP_STATE_BACKUP,
					      VRRP_STATE_FAULT, VRRP_STATE_INIT };

		if (!n[order[s]])
			continue;
		off += (size_t)snprintf(buf + off, len - off, "%s%zu %s", k++ ? ", " : ": ",
					n[order[s]], names[order[s]]);
	}
}

static void on_summary(struct timer *t, void *arg)
{
	struct ctl *c = arg;
	char now[sizeof(c->summary)];

	ctl_summary(c->h, now, sizeof(now));
	if (strcmp(now, c->summary) && sd_notify_status("%s", now) >= 0)
		memcpy(c->summary, now, sizeof(now));
	loop_timer_in(c->h->loop, t, SUMMARY_PERIOD_US);
}

/* ---- open, close, dump -------------------------------------------------- */

/* control_group: its gid, and runtime_dir opened to it (0710: members
 * reach hafd.sock and hafd.json by name, and cannot list the rest). */
static int group_resolve(struct ctl *c, const struct hafd_config *cfg)
{
	const struct cfg_global *g = &cfg->global;
	struct group gr, *res = NULL;
	char buf[4096];
	int rc;

	if (!g->control_group)
		return 0;
	rc = getgrnam_r(g->control_group, &gr, buf, sizeof(buf), &res);
	if (rc || !res) {
		log_warnx("%s:%d: [global] control_group: '%s': %s", cfg->path,
			  g->control_group_line, g->control_group,
			  rc ? strerror(rc) : "no such group");
		errno = rc ? rc : ENOENT;
		return -1;
	}
	c->has_group = true;
	c->gid = res->gr_gid;
	if (chown(g->runtime_dir, 0, c->gid) < 0 || chmod(g->runtime_dir, 0710) < 0) {
		log_warn("control_group: opening %s to group %s", g->runtime_dir, g->control_group);
		return -1;
	}
	return 0;
}

static int metrics_open(struct ctl *c)
{
	const struct cfg_global *g = &c->h->cfg->global;
	char a[ADDR_STRLEN];

	addr_ntop(&g->metrics_addr, a, sizeof(a));
	if (ctl_http_open(&c->http, c->h, c->start_us, c->start_wall) < 0) {
		log_warn("%s: [global] metrics_listen: %s%s%s:%u", c->h->cfg->path,
			 g->metrics_addr.family == AF_INET6 ? "[" : "", a,
			 g->metrics_addr.family == AF_INET6 ? "]" : "", g->metrics_port);
		return -1;
	}
	log_info("metrics: serving /metrics on %s%s%s:%u", g->metrics_addr.family == AF_INET6 ?
		 "[" : "", a, g->metrics_addr.family == AF_INET6 ? "]" : "", g->metrics_port);
	return 0;
}

int ctl_open(struct ctl **out, struct hafd *h)
{
	struct ctl *c = calloc(1, sizeof(*c));

	if (!c)
		return -1;
	c->h = h;
	c->fd = -1;
	c->start_us = loop_now(h->loop);
	c->start_wall = time(NULL);
	c->warn_log.burst = 5;
	c->warn_log.period_us = 10000000;
	timer_init(&c->summary_timer, on_summary, c);
	timer_init(&c->resume_timer, on_resume, c);
	snprintf(c->path, sizeof(c->path), "%s", h->cfg->global.control_socket);
	if (group_resolve(c, h->cfg) < 0 || listen_open(c) < 0) {
		int saved = errno;

		if (c->fd >= 0)
			close(c->fd);
		free(c);
		errno = saved;
		return -1;
	}
	if (h->cfg->global.metrics_listen && metrics_open(c) < 0) {
		int saved = errno;

		loop_fd_del(h->loop, c->fd);
		close(c->fd);
		unlink(c->path);        /* ours: listen_open() made it */
		free(c);
		errno = saved;
		return -1;
	}
	if (sd_notify_enabled())
		loop_timer_in(h->loop, &c->summary_timer, 0);
	*out = c;
	return 0;
}

void ctl_close(struct ctl *c)
{
	struct stat st;

	if (!c)
		return;
	while (c->clients)
		client_free(c->clients);
	ctl_http_close(c->http);
	loop_timer_cancel(c->h->loop, &c->summary_timer);
	loop_timer_cancel(c->h->loop, &c->resume_timer);
	loop_fd_del(c->h->loop, c->fd);
	close(c->fd);
	/* Only our own socket: never one a later daemon put there. */
	if (stat(c->path, &st) == 0 && st.st_dev == c->dev && st.st_ino == c->ino)
		unlink(c->path);
	free(c);
}

int ctl_dump(struct ctl *c)
{
	const char *dir = c->h->cfg->global.runtime_dir;
	struct ctl_view v = view_of(c);
	char path[512], tmp[520];
	struct sbuf b;
	int fd, rc = -1, saved;

	snprintf(path, sizeof(path), "%s/hafd.json", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	sbuf_init(&b, CTL_ANSWER_MAX);
	ctl_status_json(&v, &b);
	if (b.failed) {
		sbuf_free(&b);
		errno = ENOMEM;
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	/* control_group may read it too, as it may ask for it on the socket. */
	if (fd >= 0 && c->has_group && (fchown(fd, 0, c->gid) < 0 || fchmod(fd, 0640) < 0)) {
		close(fd);
		fd = -1;
	}
	if (fd >= 0) {
		size_t off = 0;
		ssize_t n = 0;

		while (off < b.len && (n = write(fd, b.p + off, b.len - off)) > 0)
			off += (size_t)n;
		if (off < b.len && n == 0)
			errno = ENOSPC;
		rc = off == b.len ? 0 : -1;
		if (close(fd) < 0)
			rc = -1;
		if (rc == 0)
			rc = rename(tmp, path);
	}
	saved = errno;
	if (rc < 0)
		unlink(tmp);
	sbuf_free(&b);
	errno = saved;
	return rc;
}
