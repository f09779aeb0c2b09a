/* reload.c: parse, validate, then swap the configuration and apply the
 * difference (see reload.h). */
#include "reload.h"

#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "hafd.h"
#include "haproxy_sync.h"
#include "log.h"
#include "nft.h"
#include "notify.h"
#include "proc.h"
#include "sdnotify.h"
#include "anycast.h"
#include "check_run.h"
#include "vrrp.h"

static bool str_differs(const char *a, const char *b)
{
	return a != b && (!a || !b || strcmp(a, b));
}

/* These are bound at start-up (directories, sockets, the guard, the nft
 * table): keep the running values, and say so. */
static void global_keep(struct cfg_global *n, const struct cfg_global *o)
{
	static const char *const why = "takes effect at the next restart";

	if (str_differs(n->runtime_dir, o->runtime_dir))
		log_warnx("reload: runtime_dir %s", why);
	if (str_differs(n->control_socket, o->control_socket))
		log_warnx("reload: control_socket %s", why);
	if (str_differs(n->nft_table, o->nft_table))
		log_warnx("reload: nft_table %s", why);
	if (n->crash_guard != o->crash_guard)
		log_warnx("reload: crash_guard %s", why);
	if (n->realtime_priority != o->realtime_priority)
		log_warnx("reload: realtime_priority %s", why);
	if (n->metrics_listen != o->metrics_listen || n->metrics_port != o->metrics_port ||
	    (n->metrics_listen && addr_cmp(&n->metrics_addr, &o->metrics_addr)))
		log_warnx("reload: metrics_listen %s", why);
	if (str_differs(n->control_group, o->control_group))
		log_warnx("reload: control_group %s", why);
	free(n->runtime_dir);
	free(n->control_socket);
	free(n->nft_table);
	n->runtime_dir = o->runtime_dir ? strdup(o->runtime_dir) : NULL;
	n->control_socket = o->control_socket ? strdup(o->control_socket) : NULL;
	n->nft_table = o->nft_table ? strdup(o->nft_table) : NULL;
	n->crash_guard = o->crash_guard;
	n->realtime_priority = o->realtime_priority;
	n->metrics_listen = o->metrics_listen;
	n->metrics_addr = o->metrics_addr;
	n->metrics_port = o->metrics_port;
	free(n->control_group);
	n->control_group = o->control_group ? strdup(o->control_group) : NULL;
	n->control_group_line = o->control_group_line;
}

/* The user the new configuration's scripts and hooks will run as, resolved
 * before anything changes: a reload that cannot resolve it is refused as a
 * whole, since applying it would leave kept checks and hooks running as
 * root or as a user the file no longer names. *user is NULL when nothing
 * runs as script_user. 0, or -1 with the error added to errs. */
static int user_resolve(const struct hafd_config *cfg, struct proc_user *buf,
			const struct proc_user **user, struct config_errors *errs)
{
	const struct cfg_global *g = &cfg->global;
	char why[200];

	*user = NULL;
	if (!config_runs_scripts(cfg))
		return 0;
	if (proc_user_resolve(g->script_user, g->script_security, buf, why, sizeof(why)) < 0) {
		if (g->script_user_line > 0)
			config_errors_add(errs, "%s:%d: [global] script_user: '%s': %s", cfg->path,
					  g->script_user_line, g->script_user, why);
		else
			config_errors_add(errs, "%s: [global] script_user: '%s' (the default): %s",
					  cfg->path, g->script_user, why);
		return -1;
	}
	*user = buf;
	return 0;
}

int hafd_reload(struct hafd *h, struct config_errors *errs)
{
	struct hafd_config *ncfg = NULL, *old = h->cfg;
	const struct proc_user *user = NULL;
	struct proc_user ubuf;
	struct config_diff diff;

	log_notice("reloading %s", h->opts.config_file);
	sd_notify_reloading();
	if (config_load(h->opts.config_file, &ncfg, errs) < 0 ||
	    user_resolve(ncfg, &ubuf, &user, errs) < 0) {
		config_free(ncfg);
		for (size_t i = 0; i < errs->n; i++)
			log_warnx("reload refused: %s", errs->msgs[i]);
		log_warnx("reload refused: %zu error%s; the running configuration stays",
			  errs->n, errs->n == 1 ? "" : "s");
		sd_notify_ready();
		return -1;
	}
	global_keep(&ncfg->global, &old->global);
	/* One pairing of old and new sections for every path below. */
	if (config_match(old, ncfg, &diff) < 0)
		fatal("reload: out of memory");
	if (vrrp_reload(h, ncfg, &diff.instances) < 0 ||
	    check_run_reload(h, ncfg, &diff.checks, user) < 0)
		fatal("reload: out of memory halfway");   /* no consistent state is left */
	h->cfg = ncfg;
	if (notify_reload(h, ncfg, &diff, user) < 0)
		fatal("reload: out of memory halfway");
	config_match_free(&diff);
	if (!h->opts.log_detail)
		log_set_level(ncfg->global.log_level);
	vrrp_checks_apply(h);
	if (haproxy_sync_reload(h) < 0)
		fatal("reload: out of memory halfway");
	vrrp_reload_begin(h, ncfg);
	nft_apply(h->nft, h);
	if (anycast_reload(h) < 0)      /* before the old configuration goes */
		log_warn("reload: anycast instances");
	config_free(old);
	sd_notify_ready();
	log_notice("reloaded: %zu instance%s, %zu check%s", ncfg->n_instances,
		   ncfg->n_instances == 1 ? "" : "s", ncfg->n_checks, ncfg->n_checks == 1 ? "" : "s");
	return 0;
}

void reload_on_signal(int signo, void *arg)
{
	struct config_errors errs = { 0 };

	(void)signo;
	hafd_reload(arg, &errs);
	config_errors_free(&errs);
}
