/* handover.c: planned moves of the VIPs away from this node (see
 * handover.h). A handover never leaves a VIP without a holder: it only
 * lowers the priority (to 1) and lets a backup preempt, which VRRP does
 * by itself; if no router takes over within the wait (no healthy backup,
 * or backups with preempt = no, which never take over from a live
 * master), the priority comes back and the VIPs never moved. */
#include "handover.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "drain.h"
#include "hafd.h"
#include "haproxy_sync.h"
#include "log.h"
#include "loop.h"
#include "vrrp.h"
#include "vrrp_priv.h"

#define WAIT_MIN_US 2000000u            /* the default wait, at least */
#define WAIT_INTERVALS 4                /* ... or this many advert intervals */
#define MAINTENANCE_FILE "maintenance"

struct handover_ctx {
	struct hafd *h;
	struct timer deadline;
	handover_done_fn *done;         /* NULL: nobody waits for the outcome */
	void *arg;
	bool running;
	bool draining;                  /* moved: waiting for the drains to end */
	uint64_t drain_us;
	char text[2048];                /* the outcome, line by line */
	size_t len;
};

static void say(struct handover_ctx *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(struct handover_ctx *x, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (x->len >= sizeof(x->text))
		return;
	va_start(ap, fmt);
	n = vsnprintf(x->text + x->len, sizeof(x->text) - x->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		x->len += (size_t)n < sizeof(x->text) - x->len ? (size_t)n : sizeof(x->text) - x->len;
}

static bool selected(const struct vrrp_router *r, const char *name)
{
	return !name || !strcmp(r->cfg->name, name);
}

/* Yield or not, and advertise what that makes the priority. */
static void yield_set(struct vrrp_router *r, bool on)
{
	if (r->yielding == on)
		return;
	r->yielding = on;
	log_notice("[%s] %s", r->label, on ? "yielding: priority 1, no preemption (hafctl resume "
		   "ends it)" : "no longer yielding: configured priority");
	vrrp_priority_update(r);
}

static void finish(struct handover_ctx *x, bool ok)
{
	handover_done_fn *done = x->done;

	loop_timer_cancel(x->h->loop, &x->deadline);
	if (ok && x->drain_us && drain_busy(x->h)) {
		/* Moved: the answer waits for the drains (handover_drained). */
		x->draining = true;
		return;
	}
	x->running = false;
	x->draining = false;
	x->done = NULL;
	log_notice("handover %s", ok ? "done" : "failed: the VIPs stay here");
	if (done)
		done(x->arg, ok, x->text);
}

/* The wait ran out: the routers still master get their priority back. */
static void on_deadline(struct timer *t, void *arg)
{
	struct handover_ctx *x = arg;
	struct hafd *h = x->h;

	(void)t;
	for (size_t i = 0; i < h->n_routers; i++) {
		struct vrrp_router *r = h->routers[i];

		if (!r->handing_over)
			continue;
		r->handing_over = false;
		drain_cancel(h, r);
		if (!h->maintenance)
			yield_set(r, false);
		say(x, "%s: no router took over: still MASTER, priority %u again, the VIPs stay "
		    "here (no healthy backup, or backups with preempt = no)\n", r->label,
		    r->inst.params.priority);
	}
	finish(x, false);
}

static struct handover_ctx *ctx_get(struct hafd *h)
{
	if (!h->handover) {
		h->handover = calloc(1, sizeof(*h->handover));
		if (!h->handover)
			return NULL;
		h->handover->h = h;
		timer_init(&h->handover->deadline, on_deadline, h->handover);
	}
	return h->handover;
}

int handover_start(struct hafd *h, const char *name, uint64_t wait_us, uint64_t drain_us,
		   handover_done_fn *done, void *arg)
{
	struct handover_ctx *x = ctx_get(h);
	size_t n_sel = 0, n_master = 0;
	uint64_t ai_max = 0;

	if (!x)
		return -1;
	if (x->running) {
		errno = EBUSY;
		return -1;
	}
	x->len = 0;
	x->text[0] = '\0';
	x->drain_us = drain_us;
	x->draining = false;
	for (size_t i = 0; i < h->n_routers; i++) {
		const struct vrrp_router *r = h->routers[i];

		if (!selected(r, name))
			continue;
		n_sel++;
		if (r->cfg->priority == 255) {
			say(x, "%s is the address owner (priority 255): it would preempt back at "
			    "once; give it a lower priority to hand it over\n", r->label);
			done(arg, false, x->text);
			return 0;
		}
	}
	if (!n_sel) {
		say(x, "no instance %s (hafctl status lists them)\n", name ? name : "here");
		done(arg, false, x->text);
		return 0;
	}
	for (size_t i = 0; i < h->n_routers; i++) {
		struct vrrp_router *r = h->routers[i];
		uint64_t ai = (uint64_t)r->cfg->advert_interval_cs * 10000u;

		if (!selected(r, name))
			continue;
		if (r->inst.fsm.state == VRRP_STATE_MASTER) {
			r->handing_over = true;
			n_master++;
			ai_max = ai > ai_max ? ai : ai_max;
			/* Announced before the priority drops: the backup that
			 * takes over must already know when it does. */
			if (drain_us && drain_plan(h, r, drain_us) < 0)
				say(x, "%s: no drain: %s\n", r->label, errno == EOPNOTSUPP ?
				    "nft_table = none (a drain needs hafd's nftables tables)" :
				    errno == EADDRNOTAVAIL ? "no UDP socket on port 10112 for drain "
				    "messages (the log says why)" : strerror(errno));
		}
		yield_set(r, true);
	}
	if (!n_master) {
		say(x, "nothing to move: no such instance is MASTER here; they now yield "
		    "(hafctl resume ends it)\n");
		done(arg, true, x->text);
		return 0;
	}
	if (!wait_us)
		wait_us = WAIT_INTERVALS * ai_max > WAIT_MIN_US ? WAIT_INTERVALS * ai_max :
			  WAIT_MIN_US;
	x->running = true;
	x->done = done;
	x->arg = arg;
	log_notice("handover: %zu instance%s yield, waiting up to %.1f s for a backup to take "
		   "over", n_master, n_master == 1 ? "" : "s", (double)wait_us / 1e6);
	loop_timer_in(h->loop, &x->deadline, wait_us);
	return 0;
}

void handover_state(struct hafd *h, struct vrrp_router *r)
{
	struct handover_ctx *x = h->handover;
	char buf[ADDR_STRLEN];

	if (!x || !x->running || !r->handing_over || r->inst.fsm.state == VRRP_STATE_MASTER)
		return;
	r->handing_over = false;
	if (r->inst.fsm.master_prio)
		say(x, "%s: now %s, the master is %s (priority %u)\n", r->label,
		    vrrp_state_name(r->inst.fsm.state),
		    addr_ntop(&r->inst.fsm.master_addr, buf, sizeof(buf)), r->inst.fsm.master_prio);
	else
		say(x, "%s: now %s\n", r->label, vrrp_state_name(r->inst.fsm.state));
	if (drain_active(h, r))
		say(x, "%s: draining (up to %.0f s)%s\n", r->label, (double)x->drain_us / 1e6,
		    drain_acked(h, r) ? "" : "; the new master did not acknowledge: drain needs "
		    "hafd on both sides, established connections may be reset");
	for (size_t i = 0; i < h->n_routers; i++)
		if (h->routers[i]->handing_over)
			return;
	finish(x, true);
}

void handover_drained(struct hafd *h, const char *text, bool last)
{
	struct handover_ctx *x = h->handover;

	if (!x || !x->running)
		return;
	say(x, "%s", text);
	if (last && x->draining)
		finish(x, true);
}

bool handover_running(const struct hafd *h)
{
	return h->handover && h->handover->running;
}

void handover_forget(struct hafd *h, void *arg)
{
	if (h->handover && h->handover->arg == arg) {
		h->handover->done = NULL;
		h->handover->arg = NULL;
	}
}

int handover_resume(struct hafd *h, const char *name, char *text, size_t len)
{
	size_t n = 0, off = 0;

	if (h->maintenance) {
		snprintf(text, len, "maintenance is on: every instance yields until "
			 "'hafctl maintenance off'\n");
		errno = EPERM;
		return -1;
	}
	text[0] = '\0';
	for (size_t i = 0; i < h->n_routers; i++) {
		struct vrrp_router *r = h->routers[i];
		int k;

		if (!selected(r, name))
			continue;
		n++;
		k = snprintf(text + off, off < len ? len - off : 0, "%s: %s\n", r->label,
			     r->yielding ? "no longer yields: configured priority" :
			     "was not yielding");
		off += k > 0 ? (size_t)k : 0;
		r->handing_over = false;
		yield_set(r, false);
	}
	if (!n) {
		snprintf(text, len, "no instance %s (hafctl status lists them)\n", name ? name : "here");
		errno = ENOENT;
		return -1;
	}
	return 0;
}

/* runtime_dir/maintenance, whose presence is the mode. */
static int maintenance_path(const struct hafd *h, char *buf, size_t len)
{
	if (snprintf(buf, len, "%s/%s", h->cfg->global.runtime_dir, MAINTENANCE_FILE) >= (int)len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

int handover_maintenance(struct hafd *h, bool on)
{
	char path[512];
	int fd;

	if (maintenance_path(h, path, sizeof(path)) < 0)
		return -1;
	if (on) {
		/* Never through a link planted there (runtime_dir is root's). */
		fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0)
			return -1;
		close(fd);
	} else if (unlink(path) < 0 && errno != ENOENT) {
		return -1;
	}
	if (h->maintenance != on)
		log_notice("maintenance mode %s", on ? "on: every instance yields, across "
			   "restarts" : "off");
	h->maintenance = on;
	for (size_t i = 0; i < h->n_routers; i++) {
		struct vrrp_router *r = h->routers[i];

		if (r->cfg->priority == 255)
			continue;       /* an owner never yields (handover.h) */
		if (!on)
			r->handing_over = false;
		yield_set(r, on);
	}
	haproxy_sync_all(h);    /* the engines' servers drain, or take requests again */
	return 0;
}

void handover_init(struct hafd *h)
{
	char path[512];
	struct stat st;

	if (maintenance_path(h, path, sizeof(path)) == 0 && lstat(path, &st) == 0 &&
	    S_ISREG(st.st_mode)) {
		h->maintenance = true;
		log_notice("maintenance mode (%s): every instance yields; 'hafctl maintenance "
			   "off' ends it", path);
	}
}

void handover_stop(struct hafd *h)
{
	struct handover_ctx *x = h->handover;

	if (!x)
		return;
	if (x->running) {
		say(x, "hafd is stopping\n");
		finish(x, false);
	}
	free(x);
	h->handover = NULL;
}
