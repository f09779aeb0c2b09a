/* check_gpu.c: the runner of type = gpu: the NVML helper with its
 * watchdog, and the kernel log's Xid lines. What a run means is gpu.c's
 * (pure); this file only starts, watches, reads and reports.
 *
 * The helper (libexec/hafd-nvml, see there why a program of its own) runs
 * through proc.c like a check script, as hafd, with a deadline of the
 * check's timeout. An NVML call can block inside the driver in an
 * uninterruptible sleep, where no signal reaches it, so the runner does
 * not wait for the helper to be reaped:
 *  - at the timeout the watchdog reports the run as a FAIL (timeout) at
 *    once; proc.c sends the helper's group SIGTERM then, and SIGKILL a
 *    second later;
 *  - a helper not reaped yet is "stuck": every later run is a FAIL that
 *    says so, and starts no second helper. When it is finally reaped (the
 *    driver call returned and the pending SIGKILL ended it), its answer
 *    is dropped and the next run queries again. A process in "D" state
 *    cannot be killed by anyone: at most one helper per check is ever
 *    left waiting in the driver, and hafd's stop gives it a second, then
 *    leaves it to init.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_priv.h"
#include "config.h"
#include "gpu.h"
#include "log.h"
#include "loop.h"
#include "proc.h"
#include "script.h"

#ifndef LIBEXECDIR
#define LIBEXECDIR "/usr/libexec/hafd"
#endif

/* The helper's answer for 32 GPUs, each with a long PCI address, is one
 * line that proc.c must keep whole: a line cut short would name fewer
 * GPUs, or a wrong address, and fail the check on a healthy host. */
_Static_assert(PROC_LINE_MAX >= GPU_ANSWER_MAX, "PROC_LINE_MAX too short for hafd-nvml's answer");

struct check_gpu {
	struct check_runner *r;
	struct gpu_state st;
	struct proc *helper;            /* in flight or stuck; NULL when none */
	bool reported;                  /* its run already ended (timeout) */
	bool stuck_logged;              /* said once that it blocks new queries */
	uint64_t helper_started_us;
	struct timer watchdog;
	char helper_path[256];
	int xid_fd;                     /* -1 when none */
	char buf[8192];                 /* a line being read from a FIFO */
	size_t len;
	bool overlong;                  /* dropping the rest of a line too long */
};

/* gpu.c's parameters from the configuration, at each use: a reload that
 * keeps the runner hands it a new cfg_check. */
static struct gpu_params params_of(const struct cfg_check *c)
{
	return (struct gpu_params){
		.min_gpus = c->min_gpus, .per_gpu = c->gpu_weight != 0,
		.fatal = c->xid_fatal, .n_fatal = c->n_xid_fatal,
		.degrade = c->xid_degrade, .n_degrade = c->n_xid_degrade,
		.window_us = c->xid_window_us,
	};
}

/* A run that learnt nothing of the GPUs (NVML hung, failed, or could not
 * be asked): with gpu_weight, as if every GPU were lost. */
static void run_failed(struct check_gpu *g)
{
	struct check_runner *r = g->r;

	r->factor = r->cfg->gpu_weight ? GPU_FACTOR_FATAL : 0;
}

/* ---- the helper ---------------------------------------------------------- */

static void helper_done(const struct proc_result *res, void *arg)
{
	struct check_gpu *g = arg;
	struct check_runner *r = g->r;
	struct gpu_params p = params_of(r->cfg);
	struct gpu_answer a;
	struct gpu_verdict v;
	char why[PROC_LINE_MAX];

	g->helper = NULL;
	loop_timer_cancel(check_run_loop(r), &g->watchdog);
	if (res->killed)
		r->sigkilled++;
	if (g->reported) {      /* its run was reported down at the timeout */
		log_notice("check %s: the stuck NVML helper ended after %llu ms%s", r->cfg->name,
			   (unsigned long long)(res->duration_us / 1000),
			   res->killed ? " (SIGKILL)" : "");
		return;
	}
	if (res->timed_out) {
		run_failed(g);
		check_run_done(r, CHECK_RES_FAIL, CHECK_KIND_TIMEOUT,
			       "NVML query timed out after %llu ms",
			       (unsigned long long)(r->cfg->timeout_us / 1000));
		return;
	}
	if (res->signo) {
		run_failed(g);
		check_run_done(r, CHECK_RES_FAIL, CHECK_KIND_KILLED,
			       "NVML helper killed by signal %d", res->signo);
		return;
	}
	if (gpu_answer_parse(res->line, &a, why, sizeof(why)) < 0) {
		run_failed(g);
		if (res->exit_code == 127 || res->exit_code == 126)
			check_run_done(r, CHECK_RES_FAIL, CHECK_KIND_ERROR, "cannot run %s (exit %d)",
				       g->helper_path, res->exit_code);
		else
			check_run_done(r, CHECK_RES_FAIL, CHECK_KIND_ERROR, "NVML: %s", why);
		return;
	}
	gpu_verdict(&g->st, &p, &a, loop_update_now(check_run_loop(r)), &v);
	if (v.result == CHECK_RES_FAIL)
		r->factor = v.factor;
	check_run_done(r, v.result, v.kind, "%s", v.reason);
}

static void on_watchdog(struct timer *t, void *arg)
{
	struct check_gpu *g = arg;
	struct check_runner *r = g->r;

	(void)t;
	if (!g->helper || g->reported)
		return;
	/* Not waiting for the reaping: a helper in the driver's uninterruptible
	 * sleep may never be; proc.c signals it now. */
	g->reported = true;
	run_failed(g);
	check_run_done(r, CHECK_RES_FAIL, CHECK_KIND_TIMEOUT,
		       "NVML query timed out after %llu ms (helper pid %ld signalled)",
		       (unsigned long long)(r->cfg->timeout_us / 1000), (long)proc_pid(g->helper));
}

void check_gpu_run(struct check_runner *r)
{
	struct check_gpu *g = r->gpu;
	struct loop *l = check_run_loop(r);
	const char *args[] = { g->helper_path, r->cfg->nvml_library, NULL };
	struct proc_spec s = {
		/* The helper, not a shell: "$0" is its path, "$1" the library. */
		.command = "exec \"$0\" \"$@\"", .args = args,
		.timeout_us = r->cfg->timeout_us, .capture = true, .kill_group_on_exit = true,
	};

	if (g->helper) {
		if (!g->stuck_logged)
			log_warnx("check %s: NVML helper pid %ld still running after SIGTERM: no new "
				  "query until it ends", r->cfg->name, (long)proc_pid(g->helper));
		g->stuck_logged = true;
		run_failed(g);
		check_run_done(r, CHECK_RES_FAIL, CHECK_KIND_TIMEOUT,
			       "NVML helper pid %ld stuck for %llu s (in the driver?): no new query "
			       "until it ends", (long)proc_pid(g->helper),
			       (unsigned long long)((loop_now(l) - g->helper_started_us) / 1000000));
		return;
	}
	g->reported = false;
	g->stuck_logged = false;
	g->helper_started_us = loop_now(l);
	g->helper = proc_run(check_run_proc(r), &s, helper_done, g);
	if (!g->helper) {
		run_failed(g);
		check_run_done(r, CHECK_RES_FAIL, CHECK_KIND_ERROR, "cannot start %s: %s",
			       g->helper_path, strerror(errno));
		return;
	}
	loop_timer_in(l, &g->watchdog, r->cfg->timeout_us);
}

/* ---- Xid lines ----------------------------------------------------------- */

static void xid_line(struct check_gpu *g, const char *line)
{
	struct check_runner *r = g->r;
	struct gpu_params p = params_of(r->cfg);
	struct loop *l = check_run_loop(r);
	char text[CHECK_REASON_MAX], pci[16];
	enum gpu_xid_class cls;
	struct gpu_xid x;

	if (gpu_xid_parse(gpu_kmsg_text(line), &x) < 0)
		return;
	cls = gpu_xid_note(&g->st, &p, &x, loop_now(l));
	/* Kernel text, escaped before it reaches the log. */
	script_escape(text, sizeof(text), gpu_kmsg_text(line));
	gpu_pci_text(&x.pci, pci, sizeof(pci));
	if (cls == GPU_XID_IGNORED) {
		log_info("check %s: Xid %u on %s, not listed: %s", r->cfg->name, x.code, pci, text);
		return;
	}
	log_warnx("check %s: %s Xid %u on %s: %s", r->cfg->name,
		  cls == GPU_XID_FATAL ? "fatal" : "degrading", x.code, pci, text);
	/* Judge at once rather than at the next interval. */
	if (!r->busy)
		loop_timer_at(l, &r->tick, loop_now(l));
}

static void on_xid(int fd, uint32_t events, void *arg)
{
	struct check_gpu *g = arg;

	(void)events;
	for (;;) {
		ssize_t n = read(fd, g->buf + g->len, sizeof(g->buf) - 1 - g->len);
		char *nl, *start;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EPIPE)    /* /dev/kmsg: records overwritten */
			continue;
		if (n <= 0)
			return;         /* EAGAIN; a FIFO we hold open never ends */
		g->len += (size_t)n;
		g->buf[g->len] = '\0';
		start = g->buf;
		while ((nl = strchr(start, '\n'))) {
			*nl = '\0';
			/* /dev/kmsg's continuation lines (" KEY=value") are not text. */
			if (!g->overlong && *start != ' ')
				xid_line(g, start);
			g->overlong = false;
			start = nl + 1;
		}
		g->len -= (size_t)(start - g->buf);
		memmove(g->buf, start, g->len);
		if (g->len == sizeof(g->buf) - 1) {     /* no newline in 8 KiB: drop it */
			g->overlong = true;
			g->len = 0;
		}
	}
}

/* Open the source of Xid lines: /dev/kmsg from its end (what the driver
 * logged before is NVML's to tell), or a FIFO held open for writing too,
 * so that a writer closing it never reads as the end. At start this runs
 * as root before caps_restrict() drops CAP_SYSLOG, which /dev/kmsg needs
 * at open under kernel.dmesg_restrict; the descriptor keeps working. */
static void xid_open(struct check_gpu *g)
{
	struct check_runner *r = g->r;
	const char *path = r->cfg->xid_source;
	struct stat st;
	int fd;

	if (!path)
		return;
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd >= 0 && fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode)) {
		close(fd);
		fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	} else if (fd >= 0 && S_ISCHR(st.st_mode)) {
		lseek(fd, 0, SEEK_END);
	}
	if (fd < 0 || loop_fd_add(check_run_loop(r), fd, EPOLLIN, on_xid, g) < 0) {
		log_warn("check %s: %s: Xid events are not read%s", r->cfg->name, path,
			 errno == EPERM || errno == EACCES ? " (a check added by a reload "
			 "needs a restart of hafd to open it)" : "");
		if (fd >= 0)
			close(fd);
		return;
	}
	g->xid_fd = fd;
}

/* ---- start and stop ------------------------------------------------------ */

int check_gpu_prepare(struct check_runner *r)
{
	struct check_gpu *g = calloc(1, sizeof(*g));
	const char *helper = getenv("HAFD_NVML_HELPER");        /* tests: the build's */

	if (!g)
		return -1;
	g->r = r;
	g->xid_fd = -1;
	timer_init(&g->watchdog, on_watchdog, g);
	snprintf(g->helper_path, sizeof(g->helper_path), "%s",
		 helper && *helper ? helper : LIBEXECDIR "/hafd-nvml");
	r->gpu = g;
	xid_open(g);
	return 0;
}

const struct gpu_state *check_gpu_state(const struct check_runner *r)
{
	return r->gpu ? &r->gpu->st : NULL;
}

void check_gpu_free(struct check_runner *r)
{
	struct check_gpu *g = r->gpu;

	if (!g)
		return;
	loop_timer_cancel(check_run_loop(r), &g->watchdog);
	proc_cancel(g->helper);         /* SIGKILL; proc.c reaps it, no callback */
	if (g->xid_fd >= 0) {
		loop_fd_del(check_run_loop(r), g->xid_fd);
		close(g->xid_fd);
	}
	free(g);
	r->gpu = NULL;
}
