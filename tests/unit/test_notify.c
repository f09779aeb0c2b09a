/* The notify hooks (notify.c) in process, with processes and the loop
 * replaced by fakes defined here: proc_run() records each hook instead of
 * starting it, and the test ends it. What is checked: the hooks a state
 * change runs, in order, with their environment and arguments; a queue
 * that collapses transitions while a hook runs; a sync group's hooks
 * driven by what the event says the group is. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cfgtext.h"
#include "config.h"
#include "hafd.h"
#include "loop.h"
#include "notify.h"
#include "proc.h"
#include "vrrp_fsm.h"

/* ---- fakes --------------------------------------------------------------- */

int loop_timer_in(struct loop *l, struct timer *t, uint64_t delay_us)
{
	(void)l, (void)t, (void)delay_us;
	return 0;
}

void loop_timer_cancel(struct loop *l, struct timer *t)
{
	(void)l, (void)t;
}

int loop_run(struct loop *l)
{
	(void)l;
	fail_msg("notify_stop() ran the loop with hooks in flight");
	return -1;
}

void loop_stop(struct loop *l)
{
	(void)l;
}

struct proc {
	int unused;
};

/* Each hook started: its command, its arguments and its environment, one
 * per line. */
struct started {
	char command[200];
	char args[200];
	char env[1000];
	proc_done_cb cb;
	void *arg;
};

static struct proc the_proc;
static struct started runs[16];
static size_t n_runs;

struct proc *proc_run(struct proc_ctx *c, const struct proc_spec *s, proc_done_cb cb, void *arg)
{
	struct started *r = &runs[n_runs++];

	(void)c;
	assert_true(n_runs <= sizeof(runs) / sizeof(runs[0]));
	memset(r, 0, sizeof(*r));
	snprintf(r->command, sizeof(r->command), "%s", s->command);
	for (size_t i = 0; s->args && s->args[i]; i++)
		snprintf(r->args + strlen(r->args), sizeof(r->args) - strlen(r->args), "%s%s",
			 i ? " " : "", s->args[i]);
	for (size_t i = 0; s->env && s->env[i]; i++)
		snprintf(r->env + strlen(r->env), sizeof(r->env) - strlen(r->env), "%s\n",
			 s->env[i]);
	r->cb = cb;
	r->arg = arg;
	return &the_proc;
}

void proc_cancel(struct proc *p)
{
	(void)p;
}

int proc_user_resolve(const char *name, bool script_security, struct proc_user *u, char *why,
		      size_t why_len)
{
	(void)name, (void)script_security, (void)why, (void)why_len;
	memset(u, 0, sizeof(*u));
	return 0;
}

/* The hook started k-th ends with exit 0. */
static void hook_exits(size_t k)
{
	struct proc_result res = { .exited = true };

	assert_true(k < n_runs);
	runs[k].cb(&res, runs[k].arg);
}

static void assert_env(size_t k, const char *line)
{
	char want[200];

	snprintf(want, sizeof(want), "%s\n", line);
	if (!strstr(runs[k].env, want))
		fail_msg("hook %zu: no %s in\n%s", k, line, runs[k].env);
}

/* ---- set-up -------------------------------------------------------------- */

static struct hafd h;

static void start(const char *text)
{
	char full[2048];

	snprintf(full, sizeof(full),
		 "[global]\nrouter_id = node-a\nscript_security = no\nnft_table = none\n%s", text);
	memset(&h, 0, sizeof(h));
	h.cfg = cfg_text_ok(full);
	n_runs = 0;
	assert_int_equal(notify_start(&h), 0);
}

static int stop(void **state)
{
	(void)state;
	while (n_runs && h.notify) {    /* let every queue go idle */
		size_t n = n_runs;

		hook_exits(n - 1);
		if (n_runs == n)
			break;
	}
	notify_stop(&h);
	config_free(h.cfg);
	h.cfg = NULL;
	return 0;
}

static void event(size_t instance, enum vrrp_state from, enum vrrp_state to, int priority)
{
	struct notify_event ev = {
		.instance = instance, .from = from, .to = to, .cause = VRRP_CAUSE_PREEMPT,
		.priority = priority,
	};

	notify_state(&h, &ev);
}

#define WEB "[instance web]\ninterface = eth9\nvrid = 7\nvirtual_ip = 192.0.2.1/24\n"

/* ---- tests --------------------------------------------------------------- */

static void test_state_hook_then_notify(void **state)
{
	char cause[80];

	(void)state;
	start(WEB "notify_master = on-master\nnotify = prog\n");
	event(0, VRRP_STATE_BACKUP, VRRP_STATE_MASTER, 150);
	assert_int_equal(n_runs, 1);
	assert_string_equal(runs[0].command, "on-master");
	assert_string_equal(runs[0].args, "");
	assert_env(0, "HAFD_TYPE=INSTANCE");
	assert_env(0, "HAFD_INSTANCE=web");
	assert_env(0, "HAFD_STATE=MASTER");
	assert_env(0, "HAFD_PREV_STATE=BACKUP");
	assert_env(0, "HAFD_PRIORITY=150");
	assert_env(0, "HAFD_VRID=7");
	assert_env(0, "HAFD_INTERFACE=eth9");
	assert_env(0, "HAFD_ROUTER_ID=node-a");
	snprintf(cause, sizeof(cause), "HAFD_CAUSE=%s", vrrp_cause_name(VRRP_CAUSE_PREEMPT));
	assert_env(0, cause);
	assert_null(strstr(runs[0].env, "HAFD_GROUP="));

	/* One at a time: the generic hook starts when the first has ended,
	 * with keepalived's arguments. */
	hook_exits(0);
	assert_int_equal(n_runs, 2);
	assert_string_equal(runs[1].command, "prog \"$@\"");
	assert_string_equal(runs[1].args, "hafd-notify web MASTER 150");
}

static void test_stop_is_init(void **state)
{
	(void)state;
	start(WEB "notify_stop = on-stop\n");
	event(0, VRRP_STATE_BACKUP, VRRP_STATE_INIT, 100);
	assert_int_equal(n_runs, 1);
	assert_string_equal(runs[0].command, "on-stop");
	assert_env(0, "HAFD_STATE=STOP");
}

static void test_transitions_collapse_to_the_latest(void **state)
{
	(void)state;
	start(WEB "notify_master = on-master\nnotify = prog\n");
	event(0, VRRP_STATE_BACKUP, VRRP_STATE_MASTER, 100);
	event(0, VRRP_STATE_MASTER, VRRP_STATE_FAULT, 100);
	event(0, VRRP_STATE_FAULT, VRRP_STATE_BACKUP, 100);
	assert_int_equal(n_runs, 1);
	assert_int_equal(notify_skipped(&h), 1);        /* FAULT never ran */
	hook_exits(0);
	/* The pending BACKUP replaces what was left of MASTER (its notify). */
	assert_int_equal(n_runs, 2);
	assert_string_equal(runs[1].args, "hafd-notify web BACKUP 100");
	assert_env(1, "HAFD_PREV_STATE=FAULT");
}

static void test_group_follows_the_event(void **state)
{
	struct notify_event ev = {
		.instance = 1, .from = VRRP_STATE_BACKUP, .to = VRRP_STATE_MASTER,
		.cause = VRRP_CAUSE_PREEMPT, .priority = 100,
		.group_agrees = false, .group_state = VRRP_STATE_BACKUP,   /* ignored */
	};

	(void)state;
	start(WEB "[instance db]\ninterface = eth9\nvrid = 8\nvirtual_ip = 192.0.2.2/24\n"
	      "[group g]\ninstance = web\ninstance = db\nnotify_master = grp-master\n"
	      "notify_backup = grp-backup\n");
	/* Members that differ: no group hook. */
	notify_state(&h, &ev);
	assert_int_equal(n_runs, 0);
	/* The glue says the group is MASTER as a whole. */
	ev.group_agrees = true;
	ev.group_state = VRRP_STATE_MASTER;
	notify_state(&h, &ev);
	assert_int_equal(n_runs, 1);
	assert_string_equal(runs[0].command, "grp-master");
	assert_env(0, "HAFD_TYPE=GROUP");
	assert_env(0, "HAFD_GROUP=g");
	assert_env(0, "HAFD_INSTANCE=db");
	assert_env(0, "HAFD_PREV_STATE=INIT");
	assert_env(0, "HAFD_PRIORITY=0");
	assert_null(strstr(runs[0].env, "HAFD_VRID="));
	/* The same group state again: nothing new to say. */
	notify_state(&h, &ev);
	assert_int_equal(n_runs, 1);
	hook_exits(0);
	ev.group_state = VRRP_STATE_BACKUP;
	notify_state(&h, &ev);
	assert_int_equal(n_runs, 2);
	assert_string_equal(runs[1].command, "grp-backup");
	assert_env(1, "HAFD_PREV_STATE=MASTER");
}

static void test_group_first_stop_is_silent(void **state)
{
	struct notify_event ev = {
		.instance = 0, .from = VRRP_STATE_INIT, .to = VRRP_STATE_INIT,
		.group_agrees = true, .group_state = VRRP_STATE_INIT,
	};

	(void)state;
	start(WEB "[group g]\ninstance = web\nnotify = grp\n");
	notify_state(&h, &ev);
	assert_int_equal(n_runs, 0);
}

static void test_out_of_range_instance_ignored(void **state)
{
	(void)state;
	start(WEB "notify = prog\n");
	event(3, VRRP_STATE_BACKUP, VRRP_STATE_MASTER, 100);
	assert_int_equal(n_runs, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_state_hook_then_notify, stop),
		cmocka_unit_test_teardown(test_stop_is_init, stop),
		cmocka_unit_test_teardown(test_transitions_collapse_to_the_latest, stop),
		cmocka_unit_test_teardown(test_group_follows_the_event, stop),
		cmocka_unit_test_teardown(test_group_first_stop_is_silent, stop),
		cmocka_unit_test_teardown(test_out_of_range_instance_ignored, stop),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
