/* proc.h: asynchronous child processes for check scripts and notify hooks.
 *
 * A child runs `/bin/sh -c COMMAND [ARG0 ARGS...]` in its own process
 * group, as the given user, with stdin and stderr on /dev/null, stdout on
 * /dev/null or a pipe (first line kept), every other descriptor closed, the
 * signal mask and dispositions reset, and an environment of only
 * PATH=/usr/sbin:/usr/bin:/sbin:/bin plus the caller's NAME=VALUE strings.
 *
 * At the deadline the whole group gets SIGTERM, and SIGKILL one second later
 * if the leader is still alive. The leader is reaped through SIGCHLD on the
 * loop's signalfd; nothing ever waits. This module owns SIGCHLD: every child
 * of the daemon is reaped here, so zombies never accumulate.
 */
#ifndef HAFD_PROC_H
#define HAFD_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define PROC_PATH "PATH=/usr/sbin:/usr/bin:/sbin:/bin"
/* The first line kept: a script's reason, the NVML helper's answer for
 * up to 32 GPUs (gpu.h GPU_ANSWER_MAX). */
#define PROC_LINE_MAX 1024
#define PROC_KILL_GRACE_US 1000000u     /* SIGTERM -> SIGKILL */

struct loop;
struct proc_ctx;
struct proc;

/* Who children run as; resolved once, at start. */
struct proc_user {
	bool switch_user;               /* false: run as hafd (root) */
	uid_t uid;
	gid_t gid;
	char name[64];
};

struct proc_spec {
	const char *command;            /* shell command line */
	const char *const *args;        /* $0, $1... for the command; NULL = none */
	const char *const *env;         /* extra NAME=VALUE, NULL-terminated; NULL = none */
	const struct proc_user *user;   /* NULL: run as hafd */
	uint64_t timeout_us;            /* 0: no deadline */
	bool capture;                   /* keep the first line of stdout */
	bool kill_group_on_exit;        /* SIGKILL what the leader leaves behind */
};

struct proc_result {
	int wstatus;                    /* raw wait status */
	bool exited;                    /* exit_code is valid */
	int exit_code;
	int signo;                      /* terminating signal, 0 if it exited */
	bool timed_out;                 /* the deadline passed (SIGTERM sent) */
	bool killed;                    /* still alive a second later: SIGKILL sent */
	uint64_t duration_us;
	char line[PROC_LINE_MAX];       /* first line of stdout (capture) */
};

typedef void (*proc_done_cb)(const struct proc_result *res, void *arg);

/* Take over SIGCHLD on the loop. 0 or -1/errno. */
int proc_open(struct proc_ctx **out, struct loop *l);
/* SIGKILL every group still running, reap them (briefly), free. No
 * callbacks are called. */
void proc_close(struct proc_ctx *c);

/* user "root" (or uid 0) means no switch. 0, or -1 with errno (ENOENT for
 * an unknown user). */
int proc_user_lookup(const char *name, struct proc_user *u);

/* Script security: scripts run as root only when script_user says "root".
 * NULL when u may run them, else why not (a user of uid 0 by another name). */
const char *proc_user_refused(const struct proc_user *u, bool script_security);

/* The user scripts run as: proc_user_lookup() and proc_user_refused()
 * together. 0, or -1 with errno (ENOENT: no such user; EPERM: refused by
 * script_security) and why a message saying so. */
int proc_user_resolve(const char *name, bool script_security, struct proc_user *u,
		      char *why, size_t len);

/* Start a child; cb(res, arg) is called once when it has been reaped.
 * NULL with errno when it could not be started. */
struct proc *proc_run(struct proc_ctx *c, const struct proc_spec *s, proc_done_cb cb,
		      void *arg);
/* SIGKILL the child's group now; its callback will not be called. */
void proc_cancel(struct proc *p);

/* The child's process id (its process group's too). */
pid_t proc_pid(const struct proc *p);

/* Children started and not yet reaped (cancelled ones included). */
size_t proc_count(const struct proc_ctx *c);

#endif
