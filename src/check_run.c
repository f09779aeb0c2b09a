/* check_run.c: one runner per [check]: the schedule, and the script and
 * file checks (rules in check_run.h); the network checks are in
 * check_net.c. What a check's state contributes is check.h's rule; what
 * the contributions do to the instances is the glue's (vrrp.c). */
#include "check_run.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_priv.h"
#include "config.h"
#include "hafd.h"
#include "loop.h"
#include "proc.h"
#include "script.h"

struct check_run_ctx {
	struct hafd *h;
	check_run_changed_fn *changed;  /* the glue, told of new contributions */
	struct check_runner **runners;  /* one per cfg->checks[i]; pointers, so a
					 * reload can keep a running check */
	size_t n;
	bool user_ok;                   /* user is resolved and allowed */
	struct proc_user user;
	char state_dir[300];            /* HAFD_STATE_DIR for scripts, "" = none */
};

static const char *const type_names[] = {
	[CHECK_SCRIPT] = "script", [CHECK_HTTP] = "http", [CHECK_TCP] = "tcp",
	[CHECK_FILE] = "file", [CHECK_GPU] = "gpu", [CHECK_METRICS] = "metrics",
};

struct loop *check_run_loop(const struct check_runner *r)
{
	return r->t->h->loop;
}

struct proc_ctx *check_run_proc(const struct check_runner *r)
{
	return r->t->h->proc;
}

/* The glue re-sums this check into the instances that track it. */
static void contrib_changed(const struct check_runner *r)
{
	r->t->changed(r->t->h, r->idx);
}

/* ---- results ------------------------------------------------------------ */

void check_run_done(struct check_runner *r, enum check_result res, enum check_kind kind,
		    const char *fmt, ...)
{
	struct loop *l = check_run_loop(r);
	uint64_t now = loop_update_now(l);
	char raw[2 * CHECK_REASON_MAX], reason[CHECK_REASON_MAX];
	struct check_outcome run = { .result = res, .kind = kind, .reason = reason,
				  .factor = r->factor, .weighted = r->weighted,
				  .weight = r->weight };
	enum check_state from;
	uint64_t ignored;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	/* Reasons carry what scripts print and what servers answer: escaped
	 * once here, they reach the log and `hafctl status` with no control
	 * character a terminal would act on. */
	script_escape(reason, sizeof(reason), raw);
	r->busy = false;
	r->proc = NULL;
	r->factor = 0;
	r->weighted = false;
	run.latency_us = now - r->started_us;
	ignored = r->check.c.ignored;
	/* The logs say what check_record() made of the run (a slow pass is
	 * degraded, a run of timeouts fails): its result and reason. */
	if (check_record(&r->check, &run, now, &from))
		log_notice("check %s: %s -> %s (%s)", r->cfg->name, check_state_name(from),
			   check_state_name(r->check.state), r->check.reason);
	else
		log_debug("check %s: %s in %llu ms (%s)%s", r->cfg->name,
			  check_result_name(r->check.last),
			  (unsigned long long)(run.latency_us / 1000), r->check.reason,
			  r->check.c.ignored != ignored ? ", ignored in the startup grace" : "");
	if (!check_grace_due(&r->check))
		loop_timer_cancel(l, &r->grace);
	contrib_changed(r);
	if (r->late) {
		/* A tick came while this run was in flight (timeout > interval):
		 * run again now, so detection takes fall x timeout, not more. */
		r->late = false;
		loop_timer_at(l, &r->tick, now);
	}
}

static void on_grace(struct timer *tm, void *arg)
{
	struct check_runner *r = arg;

	(void)tm;
	if (r->check.state == CHECK_ST_INIT)
		log_notice("check %s: startup grace over without a pass: %s counts as down",
			   r->cfg->name, check_state_name(r->check.state));
	contrib_changed(r);
}

/* ---- script ------------------------------------------------------------- */

static void script_done(const struct proc_result *res, void *arg)
{
	struct check_runner *r = arg;
	const struct cfg_check *c = r->cfg;
	const char *line = res->line;
	const char *sep = *line ? ": " : "";

	if (res->killed)
		r->sigkilled++;
	if (res->timed_out)
		check_run_done(r, c->on_timeout == CHECK_TIMEOUT_DEGRADE ? CHECK_RES_DEGRADED :
			       CHECK_RES_FAIL, CHECK_KIND_TIMEOUT, "timed out after %llu ms%s",
			       (unsigned long long)(c->timeout_us / 1000),
			       res->killed ? ", killed" : "");
	else if (res->signo)
		check_run_done(r, CHECK_RES_FAIL, CHECK_KIND_KILLED, "killed by signal %d%s%s",
			       res->signo, sep, line);
	else if (res->exit_code == 0)
		check_run_done(r, CHECK_RES_PASS, CHECK_KIND_OK, "%s", *line ? line : "exit 0");
	else if (res->exit_code == c->degrade_exit)     /* never with none (-1) */
		check_run_done(r, CHECK_RES_DEGRADED, CHECK_KIND_EXIT, "exit %d%s%s",
			       res->exit_code, sep, line);
	else
		check_run_done(r, CHECK_RES_FAIL, CHECK_KIND_EXIT, "exit %d%s%s%s", res->exit_code,
			       sep, line, *line ? "" :
			       res->exit_code == 127 ? ": command not found" :
			       res->exit_code == 126 ? ": could not run" : "");
}

static void script_run(struct check_runner *r)
{
	struct check_run_ctx *t = r->t;
	char name[200], timeout[64], state[sizeof(t->state_dir) + 20];
	const char *env[4] = { name, timeout, NULL, NULL };
	struct proc_spec s = {
		.command = r->cfg->command, .env = env, .user = &t->user,
		.timeout_us = r->cfg->timeout_us, .capture = true, .kill_group_on_exit = true,
	};

	if (r->insecure || !t->user_ok) {   /* never as root by default */
		check_run_done(r, CHECK_RES_FAIL, CHECK_KIND_ERROR,
			       "refused by script_security: %s",
			       r->insecure ? r->insecure : "script_user unknown or refused");
		return;
	}
	snprintf(name, sizeof(name), "HAFD_CHECK=%s", r->cfg->name);
	snprintf(timeout, sizeof(timeout), "HAFD_CHECK_TIMEOUT=%llu.%03llu",
		 (unsigned long long)(r->cfg->timeout_us / 1000000),
		 (unsigned long long)(r->cfg->timeout_us / 1000 % 1000));
	if (t->state_dir[0]) {
		snprintf(state, sizeof(state), "HAFD_STATE_DIR=%s", t->state_dir);
		env[2] = state;
	}
	r->proc = proc_run(t->h->proc, &s, script_done, r);
	if (!r->proc)
		check_run_done(r, CHECK_RES_FAIL, CHECK_KIND_ERROR, "cannot start: %s",
			       strerror(errno));
}

/* ---- file --------------------------------------------------------------- */

/* A small local file: read at once (keepalived's track_file does the same). */
static void file_run(struct check_runner *r)
{
	char buf[64], *end;
	int fd = open(r->cfg->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	long v;

	if (n < 0) {
		check_run_done(r, CHECK_RES_FAIL, CHECK_KIND_ERROR, "%s: %s", r->cfg->path,
			       strerror(errno));
		if (fd >= 0)
			close(fd);
		return;
	}
	close(fd);
	buf[n] = '\0';
	errno = 0;
	v = strtol(buf, &end, 10);
	end += strspn(end, " \t\r\n");
	if (end == buf || *end || errno)
		check_run_done(r, CHECK_RES_FAIL, CHECK_KIND_BAD_REPLY, "%s: not an integer",
			       r->cfg->path);
	else if (v == 0)
		check_run_done(r, CHECK_RES_PASS, CHECK_KIND_OK, "value 0");
	else {
		r->factor = v;  /* multiplies a negative weight, as in keepalived */
		check_run_done(r, CHECK_RES_FAIL, CHECK_KIND_BAD_REPLY, "value %ld", v);
	}
}

/* ---- schedule ----------------------------------------------------------- */

static void on_tick(struct timer *tm, void *arg)
{
	struct check_runner *r = arg;
	struct loop *l = check_run_loop(r);
	uint64_t now = loop_now(l), next = tm->due_us + r->cfg->interval_us;

	/* Fixed rate; after a stall, start again from now. */
	loop_timer_at(l, &r->tick, next > now ? next : now + r->cfg->interval_us);
	if (r->busy) {
		/* Not doubled: one run at a time; the next starts when it ends. */
		r->late = true;
		r->skipped++;
		return;
	}
	r->busy = true;
	r->started_us = loop_update_now(l);
	switch (r->cfg->type) {
	case CHECK_SCRIPT:
		script_run(r);
		break;
	case CHECK_FILE:
		file_run(r);
		break;
	case CHECK_GPU:
		check_gpu_run(r);
		break;
	default:
		check_net_run(r);
		break;
	}
}

/* ---- start and stop ----------------------------------------------------- */

/* Scripts run as script_user, who may not enter the runtime directory
 * (0700): their state goes beside it, in RUNTIME_DIR-state, owned by them. */
static void state_dir_make(struct check_run_ctx *t)
{
	const char *rt = t->h->cfg->global.runtime_dir;
	size_t n = strlen(rt);
	struct stat st;
	int fd;

	while (n > 1 && rt[n - 1] == '/')
		n--;
	if (n <= 1 || snprintf(t->state_dir, sizeof(t->state_dir), "%.*s-state", (int)n, rt) >=
	    (int)sizeof(t->state_dir))
		goto none;
	if (mkdir(t->state_dir, 0700) < 0 && errno != EEXIST)
		goto fail;
	fd = open(t->state_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		goto fail;
	/* The mode first, while root may still own it, and only what
	 * differs: after start-up hafd has no CAP_FOWNER (caps.h) to chmod a
	 * directory script_user owns, as each reload comes here again. */
	if (fstat(fd, &st) < 0 || ((st.st_mode & 07777) != 0700 && fchmod(fd, 0700) < 0) ||
	    (t->user.switch_user && (st.st_uid != t->user.uid || st.st_gid != t->user.gid) &&
	     fchown(fd, t->user.uid, t->user.gid) < 0)) {
		close(fd);
		goto fail;
	}
	close(fd);
	return;
fail:
	log_warn("state directory %s for check scripts", t->state_dir);
none:
	t->state_dir[0] = '\0';
}

/* NULL when the script may run, else why not (allocated). */
static char *script_security(const struct hafd_config *cfg, const struct cfg_check *c)
{
	char why[600];

	if (!cfg->global.script_security ||
	    script_vet_command(&script_fs_sys, c->command, why, sizeof(why)) == 0)
		return NULL;
	log_warnx("check %s: not running %s (script_security; %s:%d: [check %s] command)", c->name,
		  why, cfg->path, c->command_line, c->name);
	return strdup(why);
}

/* Decide whether a script check may run (r->insecure NULL) or not. */
static void script_vet(struct check_run_ctx *t, const struct hafd_config *cfg,
		       struct check_runner *r)
{
	free(r->insecure);
	r->insecure = NULL;
	if (r->cfg->type != CHECK_SCRIPT)
		return;
	r->insecure = t->user_ok ? script_security(cfg, r->cfg) :
		strdup("script_user unknown or refused");
}

/* A new runner for check idx; its first run is now. NULL with errno. */
static struct check_runner *runner_new(struct check_run_ctx *t, const struct hafd_config *cfg,
				       size_t idx, uint64_t now)
{
	const struct cfg_check *c = &cfg->checks[idx];
	struct check_params hp = {
		.rise = c->rise, .fall = c->fall, .weight = c->weight,
		.degrade_weight = c->degrade_weight, .grace_us = c->startup_grace_us,
		.timeout_fall = c->on_timeout == CHECK_TIMEOUT_DEGRADE ? c->timeout_fall : 0,
		.slow_after_us = c->slow_after_us,
	};
	struct check_runner *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->t = t;
	r->cfg = c;
	r->idx = idx;
	r->fd = -1;
	check_init(&r->check, &hp, now);
	timer_init(&r->tick, on_tick, r);
	timer_init(&r->grace, on_grace, r);
	script_vet(t, cfg, r);
	if (((c->type == CHECK_HTTP || c->type == CHECK_TCP || c->type == CHECK_METRICS) &&
	     check_net_prepare(r) < 0) ||
	    (c->type == CHECK_GPU && check_gpu_prepare(r) < 0)) {
		free(r->insecure);
		free(r);
		return NULL;
	}
	if (c->startup_grace_us)
		loop_timer_at(t->h->loop, &r->grace, check_grace_due(&r->check));
	loop_timer_at(t->h->loop, &r->tick, now);
	return r;
}

static void runner_free(struct check_run_ctx *t, struct check_runner *r)
{
	loop_timer_cancel(t->h->loop, &r->tick);
	loop_timer_cancel(t->h->loop, &r->grace);
	proc_cancel(r->proc);
	check_net_free(r);
	check_gpu_free(r);
	free(r->insecure);
	free(r);
}

static bool have_scripts(const struct hafd_config *cfg)
{
	for (size_t i = 0; i < cfg->n_checks; i++)
		if (cfg->checks[i].type == CHECK_SCRIPT)
			return true;
	return false;
}

/* Who the scripts run as. At start (given NULL) the user is resolved here,
 * and one that cannot be only stops the scripts; a reload resolves it
 * first and is refused as a whole when it cannot (reload.c), so that no
 * check ever falls back to root. */
static void scripts_prepare(struct check_run_ctx *t, const struct hafd_config *cfg,
			    const struct proc_user *given)
{
	char why[200];

	t->user_ok = false;
	if (!have_scripts(cfg))
		return;
	if (given) {
		t->user = *given;
		t->user_ok = true;
	} else if (proc_user_resolve(cfg->global.script_user, cfg->global.script_security,
				     &t->user, why, sizeof(why)) < 0) {
		log_warnx("script_user %s: check scripts will not run: %s",
			  cfg->global.script_user, why);
	} else {
		t->user_ok = true;
	}
	if (t->user_ok && !t->user.switch_user)
		log_notice("check scripts run as root, as script_user = %s asks",
			   cfg->global.script_user);
	state_dir_make(t);
}

int check_run_start(struct hafd *h, check_run_changed_fn *changed)
{
	struct check_run_ctx *t = calloc(1, sizeof(*t));
	uint64_t now = loop_now(h->loop);

	if (!t)
		return -1;
	h->checks = t;
	t->h = h;
	t->changed = changed;
	t->runners = calloc(h->cfg->n_checks ? h->cfg->n_checks : 1, sizeof(*t->runners));
	if (!t->runners)
		return -1;
	scripts_prepare(t, h->cfg, NULL);
	for (size_t i = 0; i < h->cfg->n_checks; i++) {
		t->runners[i] = runner_new(t, h->cfg, i, now);
		if (!t->runners[i])
			return -1;
		t->n++;
	}
	return 0;
}

int check_run_reload(struct hafd *h, const struct hafd_config *ncfg, const struct config_match *m,
		     const struct proc_user *user)
{
	struct check_run_ctx *t = h->checks;
	struct check_runner **nr = calloc(ncfg->n_checks ? ncfg->n_checks : 1, sizeof(*nr));
	uint64_t now = loop_now(h->loop);

	if (!nr)
		return -1;
	scripts_prepare(t, ncfg, user);
	for (size_t i = 0; i < ncfg->n_checks; i++) {
		const struct config_pair *p = config_match_old(m, i);
		/* runners[k] runs old check k, or is NULL (it could not start). */
		struct check_runner *r = p && p->fate == CONFIG_KEPT && p->old_idx < t->n ?
					 t->runners[p->old_idx] : NULL;

		if (r) {        /* keeps its state and schedule; weights may move */
			t->runners[r->idx] = NULL;
			r->cfg = &ncfg->checks[i];
			r->idx = i;
			r->check.p.weight = r->cfg->weight;
			r->check.p.degrade_weight = r->cfg->degrade_weight;
			r->check.p.timeout_fall = r->cfg->on_timeout == CHECK_TIMEOUT_DEGRADE ?
						  r->cfg->timeout_fall : 0;
			r->check.p.slow_after_us = r->cfg->slow_after_us;
			/* Vetted again: script_security or the files may have
			 * changed, and it runs as the new user from its next run. */
			script_vet(t, ncfg, r);
		} else if (!(r = runner_new(t, ncfg, i, now))) {
			log_warn("check %s", ncfg->checks[i].name);
			continue;       /* its instances see it as absent */
		}
		nr[i] = r;
	}
	for (size_t i = 0; i < t->n; i++)
		if (t->runners[i])
			runner_free(t, t->runners[i]);
	free(t->runners);
	t->runners = nr;
	t->n = ncfg->n_checks;
	return 0;
}

void check_run_stop(struct hafd *h)
{
	struct check_run_ctx *t = h->checks;

	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++)
		if (t->runners[i])
			runner_free(t, t->runners[i]);
	free(t->runners);
	free(t);
	h->checks = NULL;
}

int check_run_now(struct hafd *h, const char *name)
{
	struct check_run_ctx *t = h->checks;
	int n = 0;

	for (size_t i = 0; t && i < t->n; i++) {
		struct check_runner *r = t->runners[i];

		if (!r || (name && strcmp(r->cfg->name, name)))
			continue;
		n++;
		if (r->busy)
			r->late = true;
		else
			loop_timer_at(h->loop, &r->tick, loop_update_now(h->loop));
	}
	if (!n) {
		errno = ENOENT;
		return -1;
	}
	return n;
}

/* ---- what the checks hand out -------------------------------------------- */

int check_run_contrib(const struct hafd *h, size_t i, uint64_t now_us, int *delta, bool *fault)
{
	const struct check_runner *r = i < check_run_count(h) ? h->checks->runners[i] : NULL;

	*delta = 0;
	*fault = false;
	if (!r) {       /* could not start after a reload: counts as absent */
		errno = ENOENT;
		return -1;
	}
	check_contrib(&r->check, now_us, delta, fault);
	return 0;
}

bool check_run_unproven(const struct hafd *h, size_t i)
{
	const struct check_runner *r = i < check_run_count(h) ? h->checks->runners[i] : NULL;

	return r && check_unproven(&r->check);
}

bool check_run_saturated(const struct hafd *h, size_t i)
{
	const struct check_runner *r = i < check_run_count(h) ? h->checks->runners[i] : NULL;

	return r && check_saturated(&r->check);
}

size_t check_run_count(const struct hafd *h)
{
	return h->checks ? h->checks->n : 0;
}

int check_run_status(const struct hafd *h, size_t i, struct check_run_status *out)
{
	const struct check_runner *r;

	if (i >= check_run_count(h)) {
		errno = ENOENT;
		return -1;
	}
	r = h->checks->runners[i];
	if (!r) {
		errno = ENOENT;
		return -1;
	}
	*out = (struct check_run_status){
		.name = r->cfg->name, .type = type_names[r->cfg->type], .check = &r->check,
		.running = r->busy, .next_run_us = r->tick.due_us, .skipped = r->skipped,
		.sigkilled = r->sigkilled, .gpu = check_gpu_state(r),
	};
	return 0;
}
