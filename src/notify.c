/* notify.c: notify hooks, one queue per instance and per sync group (the
 * ordering rules are in notify.h). A queue holds the transition whose hooks
 * are running and at most one pending transition, always the latest. */
#include "notify.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "hafd.h"
#include "log.h"
#include "loop.h"
#include "proc.h"
#include "script.h"

enum { ENV_N = 11, ENV_LEN = 200 };

struct job {                    /* one transition */
	char state[8], prev[8];
	char member[64];        /* instance that caused it */
	char cause[64];
	int priority;
};

struct notify_ctx;

/* A queue owns its strings, so it can outlive a reload's old configuration
 * while its hook runs. */
struct queue {
	struct notify_ctx *n;
	bool group;
	bool orphan;                    /* its instance is gone: free when idle */
	char *name;
	char *group_name;               /* a member instance's group, or NULL */
	int vrid;                       /* instances */
	char *ifname;
	char *hook[4];                  /* MASTER, BACKUP, FAULT, STOP: NULL = none */
	char *notify;                   /* `PROG "$@"`, NULL = none */
	struct job running, pending;
	bool has_pending;
	int step;                       /* of running: 0 state hook, 1 notify, 2 done */
	struct proc *proc;
	const char *last_state;         /* groups: the last state notified */
};

struct notify_ctx {
	struct hafd *h;
	struct queue **inst, **grp;     /* in the order of the configuration */
	size_t n_inst, n_grp;
	struct proc_user user;
	bool user_ok;
	bool draining;
	struct timer drain_timer;
	uint64_t skipped;
};

static const char *state_word(enum vrrp_state s)
{
	return s == VRRP_STATE_INIT ? "STOP" : vrrp_state_name(s);
}

static int hook_index(const char *state)
{
	static const char *const names[] = { "MASTER", "BACKUP", "FAULT", "STOP" };

	for (int i = 0; i < 4; i++)
		if (!strcmp(state, names[i]))
			return i;
	return -1;
}

static bool all_idle(const struct notify_ctx *n)
{
	for (size_t i = 0; i < n->n_inst; i++)
		if (n->inst[i]->proc || n->inst[i]->has_pending)
			return false;
	for (size_t i = 0; i < n->n_grp; i++)
		if (n->grp[i]->proc || n->grp[i]->has_pending)
			return false;
	return true;
}

/* ---- running one hook --------------------------------------------------- */

static void queue_next(struct queue *q);
static void queue_free(struct queue *q);

static void hook_done(const struct proc_result *res, void *arg)
{
	struct queue *q = arg;
	struct notify_ctx *n = q->n;

	q->proc = NULL;
	if (res->timed_out)
		log_warnx("[%s] notify hook for %s killed after %llu s", q->name, q->running.state,
			  (unsigned long long)(NOTIFY_TIMEOUT_US / 1000000));
	else if (res->signo)
		log_warnx("[%s] notify hook for %s killed by signal %d", q->name,
			  q->running.state, res->signo);
	else if (res->exit_code)
		log_warnx("[%s] notify hook for %s exited %d", q->name, q->running.state,
			  res->exit_code);
	if (q->orphan) {
		queue_free(q);
		return;
	}
	queue_next(q);
	if (n->draining && all_idle(n))
		loop_stop(n->h->loop);
}

static void env_add(char env[ENV_N][ENV_LEN], const char **ptrs, size_t *k,
		    const char *name, const char *value)
{
	if (!value || *k >= ENV_N)
		return;
	snprintf(env[*k], ENV_LEN, "%s=%s", name, value);
	ptrs[*k] = env[*k];
	(*k)++;
}

static void env_build(const struct queue *q, char env[ENV_N][ENV_LEN], const char **ptrs)
{
	const struct job *j = &q->running;
	char prio[16], vrid[16];
	size_t k = 0;

	snprintf(prio, sizeof(prio), "%d", j->priority);
	snprintf(vrid, sizeof(vrid), "%d", q->vrid);
	env_add(env, ptrs, &k, "HAFD_TYPE", q->group ? "GROUP" : "INSTANCE");
	env_add(env, ptrs, &k, "HAFD_INSTANCE", j->member);
	env_add(env, ptrs, &k, "HAFD_GROUP", q->group ? q->name : q->group_name);
	env_add(env, ptrs, &k, "HAFD_STATE", j->state);
	env_add(env, ptrs, &k, "HAFD_PREV_STATE", j->prev);
	env_add(env, ptrs, &k, "HAFD_PRIORITY", prio);
	env_add(env, ptrs, &k, "HAFD_VRID", q->group ? NULL : vrid);
	env_add(env, ptrs, &k, "HAFD_INTERFACE", q->ifname);
	env_add(env, ptrs, &k, "HAFD_CAUSE", j->cause);
	env_add(env, ptrs, &k, "HAFD_ROUTER_ID", q->n->h->cfg->global.router_id);
	ptrs[k] = NULL;
}

/* Start cmd (generic: with NAME STATE PRIORITY as $1..$3). 0 or -1. */
static int hook_start(struct queue *q, const char *cmd, bool generic)
{
	struct notify_ctx *n = q->n;
	char env[ENV_N][ENV_LEN], prio[16];
	const char *ptrs[ENV_N + 1];
	const char *args[] = { "hafd-notify", q->name, q->running.state, prio, NULL };
	struct proc_spec s = {
		.command = cmd, .args = generic ? args : NULL, .env = ptrs, .user = &n->user,
		.timeout_us = NOTIFY_TIMEOUT_US,
	};

	snprintf(prio, sizeof(prio), "%d", q->running.priority);
	env_build(q, env, ptrs);
	log_debug("[%s] notify %s: %s", q->name, q->running.state, cmd);
	q->proc = proc_run(n->h->proc, &s, hook_done, q);
	if (!q->proc)
		log_warn("[%s] notify hook for %s", q->name, q->running.state);
	return q->proc ? 0 : -1;
}

/* Start the next hook of this queue, if any: the pending transition
 * replaces what is left of the running one. */
static void queue_next(struct queue *q)
{
	if (!q->n->user_ok) {
		q->has_pending = false;
		return;
	}
	for (;;) {
		const char *cmd = NULL;
		bool generic = false;

		if (q->has_pending) {
			q->running = q->pending;
			q->has_pending = false;
			q->step = 0;
		}
		while (!cmd && q->step < 2) {
			int i = hook_index(q->running.state);

			generic = q->step == 1;
			cmd = generic ? q->notify : i >= 0 ? q->hook[i] : NULL;
			q->step++;
		}
		if (!cmd)
			return;
		if (hook_start(q, cmd, generic) == 0)
			return;
	}
}

static void queue_push(struct queue *q, const struct job *j)
{
	if (q->has_pending)
		q->n->skipped++;
	q->pending = *j;
	q->has_pending = true;
	if (!q->proc)
		queue_next(q);
}

/* ---- transitions -------------------------------------------------------- */

/* The group's hooks run when the group as a whole changes state; a first
 * STOP (the group never started) is not one. */
static void group_update(struct notify_ctx *n, size_t gi, const struct notify_event *ev,
			 const struct job *member)
{
	struct queue *q = n->grp[gi];
	const char *st = state_word(ev->group_state);
	struct job j = *member;

	if (!ev->group_agrees || (q->last_state && !strcmp(st, q->last_state)) ||
	    (!q->last_state && !strcmp(st, "STOP")))
		return;
	snprintf(j.prev, sizeof(j.prev), "%s", q->last_state ? q->last_state : "INIT");
	snprintf(j.state, sizeof(j.state), "%s", st);
	j.priority = 0;
	q->last_state = st;
	queue_push(q, &j);
}

void notify_state(struct hafd *h, const struct notify_event *ev)
{
	struct notify_ctx *n = h->notify;
	struct job j = { .priority = ev->priority };
	long g;

	if (!n || ev->instance >= n->n_inst)
		return;
	snprintf(j.state, sizeof(j.state), "%s", state_word(ev->to));
	snprintf(j.prev, sizeof(j.prev), "%s", vrrp_state_name(ev->from));
	snprintf(j.member, sizeof(j.member), "%s", n->inst[ev->instance]->name);
	snprintf(j.cause, sizeof(j.cause), "%s", vrrp_cause_name(ev->cause));
	queue_push(n->inst[ev->instance], &j);
	g = h->cfg->instances[ev->instance].group;
	if (g >= 0 && (size_t)g < n->n_grp)
		group_update(n, (size_t)g, ev, &j);
}

/* ---- start and stop ----------------------------------------------------- */

static const char *const hook_keys[5] = {
	"notify_master", "notify_backup", "notify_fault", "notify_stop", "notify",
};

/* NULL for an empty command or one script_security refuses (then said
 * with where it is set: section is "instance NAME" or "group NAME"). */
static const char *hook_checked(struct notify_ctx *n, const char *section, int k, int line,
				const char *cmd)
{
	const struct hafd_config *cfg = n->h->cfg;
	char why[600];

	if (!cmd || !*cmd)
		return NULL;
	if (!cfg->global.script_security ||
	    script_vet_command(&script_fs_sys, cmd, why, sizeof(why)) == 0)
		return cmd;
	log_warnx("[%s] not running notify hook %s (script_security; %s:%d: [%s] %s)",
		  strchr(section, ' ') + 1, why, cfg->path, line, section, hook_keys[k]);
	return NULL;
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static void queue_strings_free(struct queue *q)
{
	free(q->name);
	free(q->group_name);
	free(q->ifname);
	free(q->notify);
	for (int i = 0; i < 4; i++)
		free(q->hook[i]);
}

/* (Re)set what a queue runs; its running and pending jobs stay. */
static int queue_set(struct notify_ctx *n, struct queue *q, const char *kind, const char *name,
		     const char *const cmds[5], const int lines[5])
{
	char section[80];
	const char *generic;

	snprintf(section, sizeof(section), "%s %s", kind, name);
	generic = hook_checked(n, section, 4, lines[4], cmds[4]);
	queue_strings_free(q);
	q->group_name = q->ifname = NULL;
	q->name = strdup(name);
	for (int i = 0; i < 4; i++)
		q->hook[i] = dup_or_null(hook_checked(n, section, i, lines[i], cmds[i]));
	if (!generic || asprintf(&q->notify, "%s \"$@\"", generic) < 0)
		q->notify = NULL;
	return q->name ? 0 : -1;
}

/* The queue of new section k: the old section's of the same name (taken
 * out of old[]; m pairs them, NULL at start) or a new one. old[i] is the
 * queue of old section i. */
static struct queue *queue_take(struct notify_ctx *n, struct queue **old, size_t nold,
				const struct config_match *m, size_t k)
{
	const struct config_pair *p = m ? config_match_old(m, k) : NULL;
	struct queue *q = NULL;

	if (p && p->old_idx < nold) {
		q = old[p->old_idx];
		old[p->old_idx] = NULL;
	}
	if (!q && (q = calloc(1, sizeof(*q)))) {
		q->n = n;
		q->step = 2;
	}
	return q;
}

static int inst_queues(struct notify_ctx *n, const struct hafd_config *cfg, struct queue **old,
		       size_t nold, const struct config_match *m)
{
	for (size_t i = 0; i < cfg->n_instances; i++) {
		const struct cfg_instance *c = &cfg->instances[i];
		const char *cmds[5] = {
			c->notify_master, c->notify_backup, c->notify_fault, c->notify_stop, c->notify,
		};
		struct queue *q = queue_take(n, old, nold, m, i);

		if (!q || queue_set(n, q, "instance", c->name, cmds, c->hook_lines) < 0)
			return -1;
		n->inst[i] = q;
		q->vrid = c->vrid;
		q->ifname = strdup(c->ifname);
		if (c->group >= 0 && (size_t)c->group < cfg->n_groups)
			q->group_name = strdup(cfg->groups[c->group].name);
		n->n_inst++;
	}
	return 0;
}

static int group_queues(struct notify_ctx *n, const struct hafd_config *cfg, struct queue **old,
			size_t nold, const struct config_match *m)
{
	for (size_t i = 0; i < cfg->n_groups; i++) {
		const struct cfg_group *g = &cfg->groups[i];
		const char *cmds[5] = {
			g->notify_master, g->notify_backup, g->notify_fault, NULL, g->notify,
		};
		struct queue *q = queue_take(n, old, nold, m, i);

		if (!q || queue_set(n, q, "group", g->name, cmds, g->hook_lines) < 0)
			return -1;
		q->group = true;
		n->grp[i] = q;
		n->n_grp++;
	}
	return 0;
}

/* Queues the new configuration no longer has: free now, or when the hook
 * they are running ends. */
static void queues_retire(struct queue **old, size_t nold)
{
	for (size_t i = 0; i < nold; i++) {
		if (!old[i])
			continue;
		old[i]->has_pending = false;
		if (old[i]->proc)
			old[i]->orphan = true;
		else
			queue_free(old[i]);
	}
}

static bool any_hook(const struct notify_ctx *n)
{
	for (size_t i = 0; i < n->n_inst + n->n_grp; i++) {
		const struct queue *q = i < n->n_inst ? n->inst[i] : n->grp[i - n->n_inst];

		if (q->notify || q->hook[0] || q->hook[1] || q->hook[2] || q->hook[3])
			return true;
	}
	return false;
}

static void on_drain_timeout(struct timer *t, void *arg)
{
	struct notify_ctx *n = arg;

	(void)t;
	log_warnx("notify hooks still running at exit: killing them");
	loop_stop(n->h->loop);
}

int notify_start(struct hafd *h)
{
	const struct hafd_config *cfg = h->cfg;
	struct notify_ctx *n = calloc(1, sizeof(*n));
	char why[200];

	if (!n)
		return -1;
	h->notify = n;
	n->h = h;
	timer_init(&n->drain_timer, on_drain_timeout, n);
	n->inst = calloc(cfg->n_instances + 1, sizeof(*n->inst));
	n->grp = calloc(cfg->n_groups + 1, sizeof(*n->grp));
	if (!n->inst || !n->grp)
		return -1;
	if (inst_queues(n, cfg, NULL, 0, NULL) < 0 || group_queues(n, cfg, NULL, 0, NULL) < 0)
		return -1;
	if (!any_hook(n))
		return 0;
	n->user_ok = proc_user_resolve(cfg->global.script_user, cfg->global.script_security,
				       &n->user, why, sizeof(why)) == 0;
	if (!n->user_ok)
		log_warnx("script_user %s: notify hooks will not run: %s", cfg->global.script_user,
			  why);
	else if (!n->user.switch_user)
		log_notice("notify hooks run as root, as script_user = %s asks",
			   cfg->global.script_user);
	return 0;
}

static void queue_free(struct queue *q)
{
	proc_cancel(q->proc);
	queue_strings_free(q);
	free(q);
}

int notify_reload(struct hafd *h, const struct hafd_config *ncfg, const struct config_diff *d,
		  const struct proc_user *user)
{
	struct notify_ctx *n = h->notify;
	struct queue **oi, **og;
	size_t noi, nog;

	if (!n)
		return 0;
	oi = n->inst, og = n->grp;
	noi = n->n_inst, nog = n->n_grp;
	n->inst = calloc(ncfg->n_instances + 1, sizeof(*n->inst));
	n->grp = calloc(ncfg->n_groups + 1, sizeof(*n->grp));
	n->n_inst = n->n_grp = 0;
	if (!n->inst || !n->grp)
		return -1;
	if (inst_queues(n, ncfg, oi, noi, &d->instances) < 0 ||
	    group_queues(n, ncfg, og, nog, &d->groups) < 0)
		return -1;
	/* Every hook from now on, of a kept queue or a new one, runs as the
	 * user the new configuration names (reload.c resolved it, or refused
	 * the reload); none runs when there is no hook to run. */
	n->user_ok = user != NULL;
	if (user) {
		n->user = *user;
		if (!user->switch_user && any_hook(n))
			log_notice("notify hooks run as root, as script_user = %s asks",
				   ncfg->global.script_user);
	}
	queues_retire(oi, noi);
	queues_retire(og, nog);
	free(oi);
	free(og);
	return 0;
}

void notify_stop(struct hafd *h)
{
	struct notify_ctx *n = h->notify;

	if (!n)
		return;
	if (!all_idle(n)) {
		/* The STOP hooks were just queued: let them run, within bounds. */
		n->draining = true;
		loop_timer_in(h->loop, &n->drain_timer, NOTIFY_TIMEOUT_US + 2 * PROC_KILL_GRACE_US);
		loop_run(h->loop);
		loop_timer_cancel(h->loop, &n->drain_timer);
	}
	for (size_t i = 0; i < n->n_inst; i++)
		queue_free(n->inst[i]);
	for (size_t i = 0; i < n->n_grp; i++)
		queue_free(n->grp[i]);
	free(n->inst);
	free(n->grp);
	free(n);
	h->notify = NULL;
}

uint64_t notify_skipped(const struct hafd *h)
{
	return h->notify ? h->notify->skipped : 0;
}
