/* libFuzzer target: the control socket's request handling (ctl.c: the
 * read until newline or end of file, the 255-byte cap, the trimming, the
 * dispatch and the echo of an unknown request), through ctl_open() on a
 * socket in a temporary directory and the daemon's own event loop.
 *
 * Input: one control byte, then what the client writes. The client writes
 * (byte & 63) + 1 bytes per loop turn, then shuts its side down; with bit
 * 6 set it hangs up instead of reading the answer (the server must cope
 * with a client that went away). The daemon has no instances running and
 * reload is a stub here, so only the request path is exercised.
 *
 * Checks: every answer is "ok\n..." or "error\n...", "ok" for exactly the
 * known requests, and an "error" answer holds printable text only. */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#include "config.h"
#include "ctl.h"
#include "hafd.h"
#include "json.h"
#include "log.h"
#include "loop.h"
#include "reload.h"

#include "harness.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct hafd h;
static char dir[64], sock_path[96];
static unsigned reloads;

/* reload.c needs the whole daemon: its answer alternates here. */
int hafd_reload(struct hafd *hd, struct config_errors *errs)
{
	(void)hd;
	memset(errs, 0, sizeof(*errs));
	return reloads++ % 2 ? -1 : 0;
}

struct client {
	int fd;
	const uint8_t *data;
	size_t size, off, step;
	bool hangup, done;
	struct timer writer, turns, safety;
	int turns_left;
	char ans[8192];
	size_t ans_len;
};

static void on_readable(int fd, uint32_t events, void *arg)
{
	struct client *cl = arg;

	(void)events;
	for (;;) {
		ssize_t n = recv(fd, cl->ans + cl->ans_len, sizeof(cl->ans) - 1 - cl->ans_len,
				 MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n > 0) {
			cl->ans_len += (size_t)n;
			if (cl->ans_len < sizeof(cl->ans) - 1)
				continue;
			/* A long answer (status): what we have is enough. */
		}
		cl->done = true;
		loop_stop(h.loop);
		return;
	}
}

static void on_writer(struct timer *t, void *arg)
{
	struct client *cl = arg;
	size_t n = cl->size - cl->off < cl->step ? cl->size - cl->off : cl->step;

	(void)t;
	if (n && send(cl->fd, cl->data + cl->off, n, MSG_DONTWAIT | MSG_NOSIGNAL) == (ssize_t)n) {
		cl->off += n;
		if (cl->off < cl->size) {
			loop_timer_in(h.loop, &cl->writer, 1);  /* the next turn */
			return;
		}
	}
	/* All written, or the server stopped listening: the end of the request. */
	if (cl->hangup) {
		loop_fd_del(h.loop, cl->fd);
		close(cl->fd);
		cl->fd = -1;
		loop_timer_in(h.loop, &cl->turns, 1);
	} else {
		shutdown(cl->fd, SHUT_WR);
	}
}

/* After a hang-up: a few turns for the server to notice, then stop. */
static void on_turns(struct timer *t, void *arg)
{
	struct client *cl = arg;

	(void)t;
	if (--cl->turns_left > 0) {
		loop_timer_in(h.loop, &cl->turns, 100);
		return;
	}
	cl->done = true;
	loop_stop(h.loop);
}

static void on_safety(struct timer *t, void *arg)
{
	(void)t;
	(void)arg;
	__builtin_trap();               /* no answer, and no close, within 6 s */
}

static void cleanup_dir(void)
{
	ctl_close(h.ctl);
	h.ctl = NULL;
	unlink(sock_path);
	{
		char m[128];    /* what "maintenance on" leaves */

		snprintf(m, sizeof(m), "%s/maintenance", dir);
		unlink(m);
	}
	rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct config_errors errs = { 0 };
	char conf[512];
	FILE *f;
	int n;

	(void)argc;
	(void)argv;
	log_init("fuzz_ctl", true, LOG_DEBUG);   /* run with -close_fd_mask=2 */
	fuzz_workdir(dir, sizeof(dir), "fuzz_ctl");
	snprintf(sock_path, sizeof(sock_path), "%s/hafd.sock", dir);
	n = snprintf(conf, sizeof(conf),
		     "[global]\nrouter_id = fuzz\nruntime_dir = %s\n"
		     "[instance a]\ninterface = lo\nvrid = 1\nvirtual_ip = 10.255.0.1/32\n", dir);
	if (!(f = fmemopen(conf, (size_t)n, "r")) ||
	    config_load_stream(f, "fuzz.conf", &h.cfg, &errs) < 0) {
		for (size_t i = 0; i < errs.n; i++)
			fprintf(stderr, "%s\n", errs.msgs[i]);
		abort();
	}
	fclose(f);
	h.opts.config_file = "fuzz.conf";
	if (loop_create(&h.loop) < 0 || ctl_open(&h.ctl, &h) < 0)
		abort();
	atexit(cleanup_dir);
	return 0;
}

static bool known(const char *req)
{
	return !strcmp(req, "status") || !strcmp(req, "status --json") ||
	       !strcmp(req, "metrics") || !strcmp(req, "version") || !strcmp(req, "reload");
}

/* Requests with arguments that may be answered ok or error (no instance
 * runs here: a handover or resume of NAME is an error, of --all ok). */
static bool with_args(const char *req)
{
	return !strncmp(req, "handover ", 9) || !strncmp(req, "resume ", 7) ||
	       !strncmp(req, "maintenance ", 12);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct client cl;
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char req[300];
	size_t rlen;

	if (size < 1)
		return 0;
	memset(&cl, 0, sizeof(cl));
	cl.step = (size_t)(data[0] & 63) + 1;
	cl.hangup = data[0] & 64;
	cl.data = data + 1;
	cl.size = size - 1;
	cl.turns_left = 4;
	timer_init(&cl.writer, on_writer, &cl);
	timer_init(&cl.turns, on_turns, &cl);
	timer_init(&cl.safety, on_safety, &cl);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", sock_path);
	cl.fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (cl.fd < 0 || connect(cl.fd, (struct sockaddr *)&sun, sizeof(sun)) < 0)
		abort();
	if (!cl.hangup && loop_fd_add(h.loop, cl.fd, EPOLLIN, on_readable, &cl) < 0)
		abort();
	loop_update_now(h.loop);
	loop_timer_in(h.loop, &cl.writer, 0);
	loop_timer_in(h.loop, &cl.safety, 6000000);
	while (!cl.done)
		if (loop_run(h.loop) < 0)
			abort();
	loop_timer_cancel(h.loop, &cl.writer);
	loop_timer_cancel(h.loop, &cl.turns);
	loop_timer_cancel(h.loop, &cl.safety);
	if (cl.fd >= 0) {
		loop_fd_del(h.loop, cl.fd);
		close(cl.fd);
	}
	if (cl.hangup)
		return 0;

	/* The request as the server saw it: the first line, at most 255 bytes
	 * (longer is no request), trailing blanks gone. */
	rlen = 0;
	while (rlen < cl.size && rlen < 255 && cl.data[rlen] != '\n')
		rlen++;
	if (rlen == 255)
		rlen = 0;
	memcpy(req, cl.data, rlen);
	while (rlen && (req[rlen - 1] == '\n' || req[rlen - 1] == '\r' || req[rlen - 1] == ' '))
		rlen--;
	req[rlen] = '\0';
	cl.ans[cl.ans_len] = '\0';
	if (!strncmp(cl.ans, "ok\n", 3)) {
		if (!known(req) && !with_args(req))
			__builtin_trap();
	} else if (!strncmp(cl.ans, "error\n", 6)) {
		if (known(req) && strcmp(req, "reload") != 0)
			__builtin_trap();
		for (size_t i = 0; i < cl.ans_len; i++)
			if (cl.ans[i] != '\n' && (cl.ans[i] < 0x20 || cl.ans[i] > 0x7e))
				__builtin_trap();
	} else if (cl.size || cl.ans_len) {
		/* Nothing written at all: the server just hangs up. */
		__builtin_trap();
	}
	return 0;
}
