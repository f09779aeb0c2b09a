/* proc.c: fork/exec with a deadline, reaped through SIGCHLD on the loop.
 * The parent never waits: a child is finished when the SIGCHLD handler
 * finds it a zombie. Its group is killed while the zombie still holds the
 * pid, so the group id cannot have been reused by then. */
#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "loop.h"

struct proc {
	struct proc_ctx *c;
	pid_t pid;
	int out_fd;                     /* stdout pipe, -1 when none or closed */
	struct timer deadline;
	proc_done_cb cb;                /* NULL once cancelled */
	void *arg;
	uint64_t start_us;
	bool kill_group;
	bool line_done;                 /* a newline was seen, or the line is full */
	size_t line_len;
	struct proc_result res;
	struct proc *next;
};

struct proc_ctx {
	struct loop *loop;
	struct proc *procs;
	size_t n;
};

/* ---- the child ---------------------------------------------------------- */

static void close_from(int lowfd)
{
	long max = sysconf(_SC_OPEN_MAX);

	if (close_range((unsigned)lowfd, ~0u, 0) == 0)
		return;
	for (long fd = lowfd; fd < (max > 0 ? max : 65536); fd++)
		close((int)fd);
}

/* Only in the child, between fork and exec; any failure exits 126/127. */
__attribute__((noreturn))
static void child_exec(const struct proc_spec *s, int out_fd, char *const *argv,
		       char *const *envp)
{
	sigset_t none;
	int nul;

	for (int sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);   /* the parent ignores SIGPIPE, blocks others */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	setpgid(0, 0);
	nul = open("/dev/null", O_RDWR);
	if (nul < 0 || dup2(nul, 0) < 0 || dup2(out_fd >= 0 ? out_fd : nul, 1) < 0 ||
	    dup2(nul, 2) < 0)
		_exit(126);
	close_from(3);
	if (s->user && s->user->switch_user &&
	    (initgroups(s->user->name, s->user->gid) < 0 || setgid(s->user->gid) < 0 ||
	     setuid(s->user->uid) < 0))
		_exit(126);
	if (chdir("/") < 0)
		_exit(126);
	execve("/bin/sh", argv, envp);
	_exit(127);
}

/* ---- bookkeeping -------------------------------------------------------- */

static struct proc *proc_find(struct proc_ctx *c, pid_t pid, struct proc ***link)
{
	for (struct proc **pp = &c->procs; *pp; pp = &(*pp)->next) {
		if ((*pp)->pid == pid) {
			*link = pp;
			return *pp;
		}
	}
	return NULL;
}

static void pipe_close(struct proc *p)
{
	if (p->out_fd < 0)
		return;
	loop_fd_del(p->c->loop, p->out_fd);
	close(p->out_fd);
	p->out_fd = -1;
}

/* Keep the first line; read and drop the rest so the child never blocks. */
static void pipe_drain(struct proc *p)
{
	char buf[4096];
	ssize_t n;

	while (p->out_fd >= 0 && (n = read(p->out_fd, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				pipe_close(p);
			return;
		}
		for (ssize_t i = 0; i < n && !p->line_done; i++) {
			if (buf[i] == '\n' || p->line_len + 1 >= sizeof(p->res.line))
				p->line_done = true;
			else if (buf[i] != '\r')
				p->res.line[p->line_len++] = buf[i];
		}
	}
	pipe_close(p);  /* end of file */
}

static void on_pipe(int fd, uint32_t events, void *arg)
{
	(void)fd;
	(void)events;
	pipe_drain(arg);
}

static void on_deadline(struct timer *t, void *arg)
{
	struct proc *p = arg;

	(void)t;
	if (!p->res.timed_out) {
		p->res.timed_out = true;
		kill(-p->pid, SIGTERM);
		loop_timer_in(p->c->loop, &p->deadline, PROC_KILL_GRACE_US);
	} else {
		p->res.killed = true;
		kill(-p->pid, SIGKILL);
	}
}

static void proc_free(struct proc *p)
{
	pipe_close(p);
	loop_timer_cancel(p->c->loop, &p->deadline);
	free(p);
}

/* The leader is reaped: report and forget it. */
static void proc_finish(struct proc *p, struct proc **link, int wstatus)
{
	struct proc_ctx *c = p->c;

	*link = p->next;
	c->n--;
	pipe_drain(p);
	p->res.line[p->line_len] = '\0';
	p->res.wstatus = wstatus;
	p->res.exited = WIFEXITED(wstatus);
	p->res.exit_code = p->res.exited ? WEXITSTATUS(wstatus) : -1;
	p->res.signo = WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : 0;
	p->res.duration_us = loop_update_now(c->loop) - p->start_us;
	if (p->cb)
		p->cb(&p->res, p->arg);
	proc_free(p);
}

static void on_sigchld(int signo, void *arg)
{
	struct proc_ctx *c = arg;

	(void)signo;
	for (;;) {
		siginfo_t si = { 0 };
		struct proc **link, *p;
		int wstatus;

		/* Peek first: the zombie keeps its pid (and group id) reserved. */
		if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) < 0 || si.si_pid == 0)
			return;
		p = proc_find(c, si.si_pid, &link);
		if (p && (p->kill_group || p->res.timed_out || !p->cb))
			kill(-p->pid, SIGKILL);
		if (waitpid(si.si_pid, &wstatus, WNOHANG) <= 0)
			return;
		if (p)
			proc_finish(p, link, wstatus);
	}
}

/* ---- interface ---------------------------------------------------------- */

int proc_open(struct proc_ctx **out, struct loop *l)
{
	struct proc_ctx *c = calloc(1, sizeof(*c));

	if (!c)
		return -1;
	c->loop = l;
	/* Orphans of our scripts (a killed shell's children) come back to us
	 * to be reaped, whatever init does. */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		log_warn("PR_SET_CHILD_SUBREAPER");
	if (loop_signal_add(l, SIGCHLD, on_sigchld, c) < 0) {
		free(c);
		return -1;
	}
	*out = c;
	return 0;
}

void proc_close(struct proc_ctx *c)
{
	struct timespec tick = { 0, 10 * 1000 * 1000 };

	if (!c)
		return;
	while (c->procs) {
		struct proc *p = c->procs;

		kill(-p->pid, SIGKILL);
		/* Dead within moments; give up after a second (a D-state child). */
		for (int i = 0; i < 100 && waitpid(p->pid, NULL, WNOHANG) == 0; i++)
			nanosleep(&tick, NULL);
		c->procs = p->next;
		proc_free(p);
	}
	free(c);
}

int proc_user_lookup(const char *name, struct proc_user *u)
{
	struct passwd *pw;

	memset(u, 0, sizeof(*u));
	errno = 0;
	pw = getpwnam(name);
	if (!pw) {
		if (!errno)
			errno = ENOENT;
		return -1;
	}
	if (strlen(pw->pw_name) >= sizeof(u->name)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	snprintf(u->name, sizeof(u->name), "%s", pw->pw_name);
	u->uid = pw->pw_uid;
	u->gid = pw->pw_gid;
	u->switch_user = pw->pw_uid != 0;
	return 0;
}

const char *proc_user_refused(const struct proc_user *u, bool script_security)
{
	if (!script_security || u->switch_user || !strcmp(u->name, "root"))
		return NULL;
	return "it has uid 0, and only script_user = root runs scripts as root (script_security)";
}

int proc_user_resolve(const char *name, bool script_security, struct proc_user *u,
		      char *why, size_t len)
{
	const char *refused;

	if (proc_user_lookup(name, u) < 0) {
		int saved = errno;

		snprintf(why, len, "%s", saved == ENOENT ? "no such user" : strerror(saved));
		errno = saved;
		return -1;
	}
	if ((refused = proc_user_refused(u, script_security))) {
		snprintf(why, len, "%s", refused);
		errno = EPERM;
		return -1;
	}
	return 0;
}

/* argv and envp for execve, built before fork; freed by the caller (one
 * allocation each). */
static char **argv_build(const struct proc_spec *s)
{
	size_t n = 0;
	char **argv;

	while (s->args && s->args[n])
		n++;
	argv = calloc(n + 4, sizeof(*argv));
	if (!argv)
		return NULL;
	argv[0] = (char *)"sh";
	argv[1] = (char *)"-c";
	argv[2] = (char *)s->command;
	for (size_t i = 0; i < n; i++)
		argv[3 + i] = (char *)s->args[i];
	return argv;
}

static char **envp_build(const struct proc_spec *s)
{
	size_t n = 0;
	char **envp;

	while (s->env && s->env[n])
		n++;
	envp = calloc(n + 2, sizeof(*envp));
	if (!envp)
		return NULL;
	envp[0] = (char *)PROC_PATH;
	for (size_t i = 0; i < n; i++)
		envp[1 + i] = (char *)s->env[i];
	return envp;
}

static int pipe_open(struct proc_ctx *c, struct proc *p, int fds[2])
{
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -1;
	if (fcntl(fds[0], F_SETFL, O_NONBLOCK) < 0 ||
	    loop_fd_add(c->loop, fds[0], EPOLLIN, on_pipe, p) < 0) {
		int saved = errno;

		close(fds[0]);
		close(fds[1]);
		errno = saved;
		return -1;
	}
	p->out_fd = fds[0];
	return 0;
}

struct proc *proc_run(struct proc_ctx *c, const struct proc_spec *s, proc_done_cb cb,
		      void *arg)
{
	struct proc *p = calloc(1, sizeof(*p));
	char **argv = NULL, **envp = NULL;
	int fds[2] = { -1, -1 }, saved;

	if (!p)
		return NULL;
	p->c = c;
	p->out_fd = -1;
	p->cb = cb;
	p->arg = arg;
	p->kill_group = s->kill_group_on_exit;
	timer_init(&p->deadline, on_deadline, p);
	argv = argv_build(s);
	envp = envp_build(s);
	if (!argv || !envp)
		goto fail;
	if (s->capture && pipe_open(c, p, fds) < 0)
		goto fail;
	p->start_us = loop_update_now(c->loop);
	p->pid = fork();
	if (p->pid == 0)
		child_exec(s, fds[1], argv, envp);
	if (p->pid < 0)
		goto fail;
	setpgid(p->pid, p->pid);        /* also here: kill(-pid) works at once */
	if (fds[1] >= 0)
		close(fds[1]);
	free(argv);
	free(envp);
	if (s->timeout_us)
		loop_timer_in(c->loop, &p->deadline, s->timeout_us);
	p->next = c->procs;
	c->procs = p;
	c->n++;
	return p;
fail:
	saved = errno;
	if (fds[1] >= 0)
		close(fds[1]);
	proc_free(p);
	free(argv);
	free(envp);
	errno = saved;
	return NULL;
}

void proc_cancel(struct proc *p)
{
	if (!p)
		return;
	p->cb = NULL;
	kill(-p->pid, SIGKILL);
	pipe_close(p);
	loop_timer_cancel(p->c->loop, &p->deadline);
}

pid_t proc_pid(const struct proc *p)
{
	return p->pid;
}

size_t proc_count(const struct proc_ctx *c)
{
	return c ? c->n : 0;
}
