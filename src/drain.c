/* drain.c: planned handovers that keep established TCP connections (see
 * drain.h for the exchange). The old master's side is a list of drains
 * (one per instance handed over), the new master's a list of plans it
 * heard and forwards for; one timer every TICK_US sends what is due,
 * counts the connections left and lets what lapsed go. */
#include "drain.h"

#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "drain_net.h"
#include "drain_rules.h"
#include "hafd.h"
#include "handover.h"
#include "log.h"
#include "loop.h"
#include "nft.h"
#include "nft_fwd.h"
#include "proc.h"
#include "script.h"
#include "vip.h"
#include "vrrp.h"
#include "vrrp_priv.h"

#define TICK_US 100000u                 /* announcements, counts, lapses */
#define MAX_DRAINS 64

/* This node, former master, drains instance `name`. */
struct drain_out {
	char name[64];
	char label[80];
	int family;
	uint8_t vrid;
	int ifindex;
	struct hafd_addr src;           /* our VRRP source address */
	struct hafd_addr vips[16];      /* as hosts (/32, /128) */
	size_t n_vips;
	uint64_t dur_us, until_us;      /* until: 0 while only planned */
	uint64_t interval_us;
	bool moved;                     /* left MASTER: the VIPs are on lo */
	bool acked;
	struct hafd_addr acker;         /* the hafd backups that acknowledged */
	long left;
	uint64_t started_us;
};

/* This node forwards (or will, once master) for a former master. */
struct drain_in {
	uint8_t vrid;
	int family;
	struct hafd_addr from;
	int ifindex;
	uint64_t lapse_us;              /* forgotten at this time */
	bool active;                    /* we are master: forwarding */
	uint64_t started_us;
};

struct drain_ctx {
	struct hafd *h;
	int fd[2];                      /* IPv4, IPv6 */
	struct timer tick;
	struct drain_out out[MAX_DRAINS];
	size_t n_out;
	struct drain_in in[MAX_DRAINS];
	size_t n_in;
	size_t fwd_installed;           /* rules in the forwarding tables */
	int lo;
};

/* The tick runs only while there is a plan or a drain: an idle hafd
 * does not wake for drains. */
static void tick_arm(struct drain_ctx *d)
{
	if (!timer_armed(&d->tick))
		loop_timer_in(d->h->loop, &d->tick, TICK_US);
}

static struct drain_ctx *g_ctx(const struct hafd *h)
{
	return h->drain;
}

static int fd_of(const struct drain_ctx *d, int family)
{
	return d->fd[family == AF_INET6];
}

/* ---- the hook ---------------------------------------------------------------- */

static void hook_done(const struct proc_result *res, void *arg)
{
	(void)arg;
	if (!res->exited || res->exit_code)
		log_warnx("notify_drain: %s %d%s", res->exited ? "exit" : "signal",
			  res->exited ? res->exit_code : res->signo,
			  res->timed_out ? " (timed out)" : "");
}

/* notify_drain with HAFD_DRAIN_ROLE (old, new), HAFD_INSTANCE, HAFD_VRID,
 * HAFD_DRAIN_LEFT, HAFD_DRAIN_REASON, HAFD_DRAIN_PEER. */
static void hook_run(struct drain_ctx *d, const char *role, const char *inst, unsigned vrid,
		     long left, const char *reason, const struct hafd_addr *peer)
{
	const char *cmd = d->h->cfg->global.notify_drain;
	char e_role[32], e_inst[96], e_vrid[32], e_left[48], e_reason[64], e_peer[80];
	char buf[ADDR_STRLEN], why[256];
	const char *env[] = { e_role, e_inst, e_vrid, e_left, e_reason, e_peer, NULL };
	struct proc_user user;
	struct proc_spec s = { .command = cmd, .env = env, .user = &user,
			       .timeout_us = 10000000u, .kill_group_on_exit = true };

	if (!cmd || !*cmd)
		return;
	/* As every hook: a file it would run that others may write runs not. */
	if (d->h->cfg->global.script_security &&
	    script_vet_command(&script_fs_sys, cmd, why, sizeof(why)) < 0) {
		log_warnx("not running notify_drain (script_security; %s)", why);
		return;
	}
	if (proc_user_resolve(d->h->cfg->global.script_user, d->h->cfg->global.script_security,
			      &user, why, sizeof(why)) < 0) {
		log_warnx("notify_drain does not run: %s", why);
		return;
	}
	snprintf(e_role, sizeof(e_role), "HAFD_DRAIN_ROLE=%s", role);
	snprintf(e_inst, sizeof(e_inst), "HAFD_INSTANCE=%s", inst);
	snprintf(e_vrid, sizeof(e_vrid), "HAFD_VRID=%u", vrid);
	snprintf(e_left, sizeof(e_left), "HAFD_DRAIN_LEFT=%ld", left);
	snprintf(e_reason, sizeof(e_reason), "HAFD_DRAIN_REASON=%s", reason);
	snprintf(e_peer, sizeof(e_peer), "HAFD_DRAIN_PEER=%s",
		 peer ? addr_ntop(peer, buf, sizeof(buf)) : "");
	if (!proc_run(d->h->proc, &s, hook_done, NULL))
		log_warn("notify_drain");
}

/* ---- sending ------------------------------------------------------------------- */

static struct vrrp_router *router_named(const struct hafd *h, const char *name)
{
	for (size_t i = 0; i < h->n_routers; i++)
		if (!strcmp(h->routers[i]->cfg->name, name))
			return h->routers[i];
	return NULL;
}

/* To the VRRP group, or to each unicast peer. */
static void send_all(struct drain_ctx *d, const struct vrrp_router *r, const struct hafd_addr *src,
		     int ifindex, const struct drain_msg *m)
{
	struct hafd_addr grp;

	if (fd_of(d, m->family) < 0)
		return;
	if (r && r->cfg->n_peers) {
		for (size_t i = 0; i < r->cfg->n_peers; i++)
			if (drain_sock_send(fd_of(d, m->family), src, ifindex, &r->cfg->peers[i], m) < 0)
				log_debug("drain: send: %s", strerror(errno));
		return;
	}
	addr_parse_host(m->family == AF_INET ? "224.0.0.18" : "ff02::12", &grp);
	if (drain_sock_send(fd_of(d, m->family), src, ifindex, &grp, m) < 0)
		log_debug("drain: send: %s", strerror(errno));
}

static void out_send(struct drain_ctx *d, const struct drain_out *o, enum drain_op op)
{
	struct drain_msg m = { .op = op, .vrid = o->vrid, .family = o->family,
			       .interval_ms = (unsigned)(o->interval_us / 1000u),
			       .left = o->left > 0 ? (unsigned)o->left : 0 };

	send_all(d, router_named(d->h, o->name), &o->src, o->ifindex, &m);
}

/* ---- the new master's side: forwarding ------------------------------------------- */

static void fwd_sync(struct drain_ctx *d)
{
	struct nft_fwd f[MAX_DRAINS * 4];
	size_t n = 0;
	const char *table = d->h->cfg->global.nft_table;

	if (!table)
		return;
	/* Plans too, not only the drains we forward as master: the rules
	 * (and conntrack, which they load) are in place before we take over,
	 * so that installing them does not hold back our first GARP while
	 * the old master, which heard our advert, already dropped the VIP.
	 * On a backup they see nothing: the VIP is not ours. */
	for (size_t i = 0; i < d->n_in; i++) {
		const struct drain_in *in = &d->in[i];

		for (size_t k = 0; k < d->h->n_routers; k++) {
			const struct vrrp_router *r = d->h->routers[k];

			if (r->cfg->vrid != in->vrid || r->cfg->family != in->family ||
			    r->ifindex != in->ifindex)
				continue;       /* the same VRID on another link is another router */
			for (size_t v = 0; v < r->cfg->n_vips && n < sizeof(f) / sizeof(f[0]); v++) {
				f[n].vip = r->cfg->vips[v];
				f[n].to = in->from;
				f[n].ifindex = in->ifindex;
				n++;
			}
		}
	}
	if (!n && !d->fwd_installed)
		return;
	if (nft_fwd_apply(table, f, n) < 0) {
		log_warn("drain: nft forwarding tables");
		return;
	}
	d->fwd_installed = n;
}

static void in_drop(struct drain_ctx *d, size_t i, const char *why, long left)
{
	struct drain_in in = d->in[i];
	char buf[ADDR_STRLEN];

	d->in[i] = d->in[--d->n_in];
	fwd_sync(d);
	if (!in.active)
		return;
	if (left >= 0)
		log_notice("drain: VRID %u: %s ended its drain (%s), %ld connection%s left there; "
			   "forwarding stops", in.vrid, addr_ntop(&in.from, buf, sizeof(buf)), why,
			   left, left == 1 ? "" : "s");
	else
		log_notice("drain: VRID %u: %s %s; forwarding stops", in.vrid,
			   addr_ntop(&in.from, buf, sizeof(buf)), why);
	hook_run(d, "new", "", in.vrid, left, left >= 0 ? why : "lapsed", &in.from);
}

static struct drain_in *in_find(struct drain_ctx *d, uint8_t vrid, int family)
{
	for (size_t i = 0; i < d->n_in; i++)
		if (d->in[i].vrid == vrid && d->in[i].family == family)
			return &d->in[i];
	return NULL;
}

/* A router of ours for (vrid, family) on ifindex. */
static struct vrrp_router *router_for(struct drain_ctx *d, uint8_t vrid, int family, int ifindex)
{
	for (size_t i = 0; i < d->h->n_routers; i++) {
		struct vrrp_router *r = d->h->routers[i];

		if (r->cfg->vrid == vrid && r->cfg->family == family &&
		    (!ifindex || r->ifindex == ifindex))
			return r;
	}
	return NULL;
}

static void on_msg(struct drain_ctx *d, const struct drain_msg *m, const struct hafd_addr *from,
		   int ifindex)
{
	uint64_t now = loop_now(d->h->loop);
	struct vrrp_router *r = router_for(d, m->vrid, m->family, ifindex);
	struct drain_in *in = in_find(d, m->vrid, m->family);
	uint64_t lapse = drain_rules_lapse_us(m->interval_ms, TICK_US);
	char buf[ADDR_STRLEN];

	if (m->op == DRAIN_OP_ACK) {
		for (size_t i = 0; i < d->n_out; i++)
			if (d->out[i].vrid == m->vrid && d->out[i].family == m->family &&
			    !d->out[i].acked) {
				d->out[i].acked = true;
				d->out[i].acker = *from;
			}
		return;
	}
	if (!r)
		return;
	if (in && !addr_equal(&in->from, from))
		return;         /* one drain per VRID at a time: the first */
	switch (m->op) {
	case DRAIN_OP_PLAN: {
		/* Only from the master we follow: a plan is a request to
		 * forward to its sender. No tables (nft_table = none): no
		 * forwarding, and no ack that would promise it. */
		struct drain_follow f = {
			.backup = r->inst.fsm.state == VRRP_STATE_BACKUP,
			.following = r->inst.fsm.master_prio != 0,
			.master = r->inst.fsm.master_addr,
			.tables = d->h->cfg->global.nft_table != NULL,
		};

		if (!drain_rules_plan_ok(&f, from))
			return;
		if (!in) {
			if (d->n_in == MAX_DRAINS)
				return;
			in = &d->in[d->n_in++];
			tick_arm(d);
			memset(in, 0, sizeof(*in));
			in->vrid = m->vrid;
			in->family = m->family;
			in->from = *from;
			in->ifindex = r->ifindex;
			log_notice("[%s] drain planned by the master %s: its TCP flows will be "
				   "forwarded to it if we take over", r->label,
				   addr_ntop(from, buf, sizeof(buf)));
			fwd_sync(d);
		}
		/* Repeated every interval: a plan of a master that died lapses
		 * as a drain does, so a takeover after a crash forwards nothing
		 * for long. */
		in->lapse_us = now + lapse;
		{
			struct drain_msg ack = *m;

			ack.op = DRAIN_OP_ACK;
			if (drain_sock_send(fd_of(d, m->family), &r->inst.params.primary, r->ifindex,
					    from, &ack) < 0)
				log_debug("drain: ack: %s", strerror(errno));
		}
		break;
	}
	case DRAIN_OP_DRAIN:
		if (in)
			in->lapse_us = now + lapse;
		break;
	case DRAIN_OP_END:
		if (in)
			in_drop(d, (size_t)(in - d->in), "done", (long)m->left);
		break;
	case DRAIN_OP_ACK:
		break;
	}
}

static void on_readable(int fd, uint32_t events, void *arg)
{
	struct drain_ctx *d = arg;
	struct drain_msg m;
	struct hafd_addr from;
	int ifindex, rc;

	(void)events;
	for (int i = 0; i < 64 && (rc = drain_sock_recv(fd, &m, &from, &ifindex)) != 0; i++) {
		if (rc < 0) {
			log_debug("drain: recv: %s", strerror(errno));
			return;
		}
		if (rc == 1)
			on_msg(d, &m, &from, ifindex);
	}
}

/* ---- the old master's side ------------------------------------------------------ */

static struct drain_out *out_find(struct drain_ctx *d, const struct vrrp_router *r)
{
	for (size_t i = 0; i < d->n_out; i++)
		if (!strcmp(d->out[i].name, r->cfg->name))
			return &d->out[i];
	return NULL;
}

static void lo_vips(struct drain_ctx *d, struct drain_out *o, bool add)
{
	for (size_t i = 0; i < o->n_vips; i++) {
		char buf[ADDR_STRLEN];
		int rc = add ? vip_add(d->h->vip, d->lo, &o->vips[i]) :
			 vip_del(d->h->vip, d->lo, &o->vips[i]);

		if (rc < 0)
			log_warn("[%s] drain: %s %s on lo", o->label, add ? "add" : "remove",
				 addr_format(&o->vips[i], buf, sizeof(buf)));
	}
}

static void out_end(struct drain_ctx *d, size_t i, const char *reason)
{
	struct drain_out o = d->out[i];
	uint64_t now = loop_now(d->h->loop);
	char text[256];

	d->out[i] = d->out[--d->n_out];
	if (o.moved) {
		for (int k = 0; k < 3; k++)     /* a lost datagram costs 3 intervals */
			out_send(d, &o, DRAIN_OP_END);
		lo_vips(d, &o, false);
		nft_schedule(d->h->nft, d->h);
		log_notice("[%s] drain ended (%s) after %.1f s: %ld connection%s left", o.label,
			   reason, (double)(now - o.started_us) / 1e6, o.left, o.left == 1 ? "" : "s");
		snprintf(text, sizeof(text), "%s: drain ended (%s) after %.1f s: %ld connection%s "
			 "left\n", o.label, reason, (double)(now - o.started_us) / 1e6, o.left,
			 o.left == 1 ? "" : "s");
		hook_run(d, "old", o.name, o.vrid, o.left, reason, NULL);
	} else {
		out_send(d, &o, DRAIN_OP_END);
		snprintf(text, sizeof(text), "%s: no drain (%s)\n", o.label, reason);
	}
	handover_drained(d->h, text, drain_busy(d->h) == 0);
}

int drain_plan(struct hafd *h, struct vrrp_router *r, uint64_t dur_us)
{
	struct drain_ctx *d = g_ctx(h);
	struct drain_out *o;

	if (!d || fd_of(d, r->cfg->family) < 0) {
		errno = EADDRNOTAVAIL;
		return -1;
	}
	/* Without hafd's tables nothing would keep the kernel from answering
	 * ARP / NA for the VIPs on lo, or from taking new connections. */
	if (!h->cfg->global.nft_table) {
		errno = EOPNOTSUPP;
		return -1;
	}
	if ((o = out_find(d, r)))
		out_end(d, (size_t)(o - d->out), "replaced");
	if (d->n_out == MAX_DRAINS) {
		errno = ENOSPC;
		return -1;
	}
	o = &d->out[d->n_out++];
	tick_arm(d);
	memset(o, 0, sizeof(*o));
	snprintf(o->name, sizeof(o->name), "%s", r->cfg->name);
	snprintf(o->label, sizeof(o->label), "%s", r->label);
	o->family = r->cfg->family;
	o->vrid = r->cfg->vrid;
	o->ifindex = r->ifindex;
	o->src = r->inst.params.primary;
	for (size_t i = 0; i < r->cfg->n_vips && o->n_vips < 16; i++) {
		o->vips[o->n_vips] = r->cfg->vips[i];
		o->vips[o->n_vips++].prefix = r->cfg->family == AF_INET ? 32 : 128;
	}
	o->dur_us = dur_us;
	o->interval_us = (uint64_t)r->cfg->advert_interval_cs * 10000u;
	if (o->interval_us < TICK_US)
		o->interval_us = TICK_US;
	o->left = -1;
	out_send(d, o, DRAIN_OP_PLAN);
	return 0;
}

void drain_cancel(struct hafd *h, struct vrrp_router *r)
{
	struct drain_ctx *d = g_ctx(h);
	struct drain_out *o = d ? out_find(d, r) : NULL;

	if (o && !o->moved)
		out_end(d, (size_t)(o - d->out), "no handover");
}

static void out_begin(struct drain_ctx *d, struct drain_out *o, struct vrrp_router *r)
{
	uint64_t now = loop_now(d->h->loop);
	char buf[ADDR_STRLEN];

	o->moved = true;
	o->started_us = now;
	o->until_us = now + o->dur_us;
	lo_vips(d, o, true);
	nft_schedule(d->h->nft, d->h);
	out_send(d, o, DRAIN_OP_DRAIN);
	if (o->acked && r->inst.fsm.master_prio && !addr_equal(&o->acker, &r->inst.fsm.master_addr))
		o->acked = false;       /* another backup acknowledged, not the new master */
	if (!o->acked)
		log_warnx("[%s] drain: the new master %s did not acknowledge it: drain needs hafd "
			  "on both sides; established connections may be reset", r->label,
			  r->inst.fsm.master_prio ? addr_ntop(&r->inst.fsm.master_addr, buf,
							      sizeof(buf)) : "(unknown)");
	log_notice("[%s] draining for up to %.1f s: established TCP connections to the VIPs "
		   "stay here, new ones go to the new master", r->label, (double)o->dur_us / 1e6);
}

/* The VRRP group on r's interface, where plans come (a state change is
 * the moment: a backup must hear them; joining again is no error). */
static void join(struct drain_ctx *d, const struct vrrp_router *r)
{
	if (r->ifindex && fd_of(d, r->cfg->family) >= 0 && !r->cfg->n_peers &&
	    drain_sock_join(fd_of(d, r->cfg->family), r->cfg->family, r->ifindex) < 0)
		log_debug("[%s] drain: join the VRRP group: %s", r->label, strerror(errno));
}

void drain_state(struct hafd *h, struct vrrp_router *r, bool was_master, bool is_master)
{
	struct drain_ctx *d = g_ctx(h);

	if (!d)
		return;
	join(d, r);
	if (was_master && !is_master) {
		struct drain_out *o = out_find(d, r);

		if (o && !o->moved)
			out_begin(d, o, r);
	}
	if (is_master && !was_master) {
		struct drain_in *in = in_find(d, r->cfg->vrid, r->cfg->family);
		char buf[ADDR_STRLEN];

		/* Forward only for the master we followed into this: its plan
		 * is still fresh (plans lapse). */
		if (in && !in->active) {
			in->active = true;
			in->started_us = loop_now(h->loop);
			log_notice("[%s] forwarding TCP flows we do not know to the former master %s "
				   "while it drains", r->label, addr_ntop(&in->from, buf, sizeof(buf)));
		}
	}
	if (!is_master) {
		/* Not master any more: no forwarding for this VRID. */
		struct drain_in *in = in_find(d, r->cfg->vrid, r->cfg->family);

		if (in && in->active)
			in_drop(d, (size_t)(in - d->in), "we are no longer master", -1);
	}
}

bool drain_active(const struct hafd *h, const struct vrrp_router *r)
{
	struct drain_ctx *d = g_ctx(h);
	struct drain_out *o = d ? out_find(d, r) : NULL;

	return o && o->moved;
}

size_t drain_busy(const struct hafd *h)
{
	const struct drain_ctx *d = g_ctx(h);

	return d ? d->n_out : 0;
}

size_t drain_describe(const struct hafd *h, char *buf, size_t len)
{
	const struct drain_ctx *d = g_ctx(h);
	uint64_t now = loop_now(h->loop);
	char a[ADDR_STRLEN];
	size_t off = 0;
	int k;

	if (len)
		buf[0] = '\0';
	for (size_t i = 0; d && i < d->n_out && off < len; i++) {
		const struct drain_out *o = &d->out[i];

		if (o->moved)
			k = snprintf(buf + off, len - off, "drain: %s drains here: %ld connection%s "
				     "left, %.0f s to go\n", o->label, o->left, o->left == 1 ? "" : "s",
				     o->until_us > now ? (double)(o->until_us - now) / 1e6 : 0.0);
		else
			k = snprintf(buf + off, len - off, "drain: %s: drain planned, handing over\n",
				     o->label);
		off += k > 0 ? (size_t)k : 0;
	}
	for (size_t i = 0; d && i < d->n_in && off < len; i++) {
		const struct drain_in *in = &d->in[i];

		k = snprintf(buf + off, len - off, "drain: VRID %u: %s %s\n", in->vrid,
			     in->active ? "forwarding unknown TCP flows to" : "planned by",
			     addr_ntop(&in->from, a, sizeof(a)));
		off += k > 0 ? (size_t)k : 0;
	}
	return off < len ? off : len ? len - 1 : 0;
}

bool drain_acked(const struct hafd *h, const struct vrrp_router *r)
{
	struct drain_ctx *d = g_ctx(h);
	struct drain_out *o = d ? out_find(d, r) : NULL;

	return o && o->acked;
}

/* ---- the tick --------------------------------------------------------------------- */

static void on_tick(struct timer *t, void *arg)
{
	struct drain_ctx *d = arg;
	uint64_t now = loop_now(d->h->loop);

	for (size_t i = d->n_out; i-- > 0;) {
		struct drain_out *o = &d->out[i];
		enum drain_step step;
		long n = -1;

		if (o->moved) {
			n = drain_conns_count(o->vips, o->n_vips);
			if (n >= 0)
				o->left = n;
		}
		step = drain_rules_step(o->moved, o->acked, n, now, o->until_us);
		if (step == DRAIN_STEP_PLAN) {
			out_send(d, o, DRAIN_OP_PLAN);  /* repeated while the handover waits */
			continue;
		}
		if (step != DRAIN_STEP_DRAIN) {
			out_end(d, i, drain_rules_reason(step));
			continue;
		}
		out_send(d, o, DRAIN_OP_DRAIN);
	}
	for (size_t i = d->n_in; i-- > 0;)
		if (now >= d->in[i].lapse_us)
			in_drop(d, i, d->in[i].active ? "went silent (gone?)" : "plan lapsed", -1);
	if (d->n_out || d->n_in)
		loop_timer_in(d->h->loop, t, TICK_US);
}

/* ---- open and close ------------------------------------------------------------------ */

int drain_open(struct hafd *h)
{
	struct drain_ctx *d = calloc(1, sizeof(*d));
	int families[2] = { AF_INET, AF_INET6 };

	if (!d)
		return -1;
	d->h = h;
	d->lo = (int)if_nametoindex("lo");
	timer_init(&d->tick, on_tick, d);
	for (int k = 0; k < 2; k++) {
		d->fd[k] = drain_sock_open(families[k]);
		if (d->fd[k] < 0) {
			log_warn("drain: UDP port %d (%s): planned handovers with drain are off",
				 DRAIN_PORT, k ? "IPv6" : "IPv4");
			continue;
		}
		if (loop_fd_add(h->loop, d->fd[k], EPOLLIN, on_readable, d) < 0) {
			close(d->fd[k]);
			d->fd[k] = -1;
		}
	}
	h->drain = d;
	return 0;
}

void drain_close(struct hafd *h)
{
	struct drain_ctx *d = g_ctx(h);

	if (!d)
		return;
	while (d->n_out)
		out_end(d, d->n_out - 1, "hafd stops");
	while (d->n_in)
		in_drop(d, d->n_in - 1, "hafd stops here", -1);
	loop_timer_cancel(h->loop, &d->tick);
	for (int k = 0; k < 2; k++)
		if (d->fd[k] >= 0) {
			loop_fd_del(h->loop, d->fd[k]);
			close(d->fd[k]);
		}
	free(d);
	h->drain = NULL;
}
