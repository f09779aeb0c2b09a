/* anycast.c: the anycast instances (anycast.h). */
#include "anycast.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anycast_addr.h"
#include "check.h"
#include "check_run.h"
#include "config.h"
#include "hafd.h"
#include "log.h"
#include "loop.h"

struct anycast_svc {
	struct hafd *h;
	const struct cfg_instance *cfg;
	struct anycast_verdict v;
	bool decided;                   /* v holds a verdict */
	uint64_t since_us;
	bool handover;                  /* hafctl handover, until resume */
	uint64_t handover_since_us;
	int error;
	const char *error_if;
	struct timer renew;             /* every lease / 3 */
	struct timer due;               /* the verdict's due time (drain) */
};

struct anycast_ctx {
	struct anycast_addr *addrs;
	struct anycast_svc *svc;
	size_t n;
	bool maintenance;
	uint64_t maint_since_us;
	bool stopping;
};

static unsigned lease_s(const struct anycast_svc *s)
{
	return (unsigned)(s->cfg->lease_us / 1000000u);
}

static void note_error(struct anycast_svc *s, const char *ifname, const char *what)
{
	int e = errno;

	/* Said once per cause: a missing interface is retried at each renewal. */
	if (s->error != e || !s->error_if || strcmp(s->error_if, ifname))
		log_warnx("[%s] anycast: %s on %s: %s", s->cfg->name, what, ifname, strerror(e));
	s->error = e;
	s->error_if = ifname;
}

/* Put the addresses where the verdict wants them: on the new interface
 * first, then off the other, so a move between announced and less
 * preferred never withdraws in between. An address that cannot go where
 * it should (the interface is missing) goes on the other interface, if
 * there is one: announced at the wrong preference rather than not at all,
 * and status says so; it is tried again at every renewal. */
static void addrs_apply(struct anycast_svc *s)
{
	struct anycast_ctx *c = s->h->anycast;
	const struct cfg_instance *in = s->cfg;
	const char *ifs[2] = { in->ifname, in->degraded_ifname[0] ? in->degraded_ifname : NULL };
	int want = s->v.state == ANYCAST_ANNOUNCED ? 0 :
		   s->v.state == ANYCAST_LESS_PREFERRED ? 1 : -1;
	bool ok = true;

	for (size_t k = 0; k < in->n_vips; k++) {
		const struct hafd_addr *a = &in->vips[k];
		int on = want;

		if (on >= 0 && anycast_addr_put(c->addrs, ifs[on], a, lease_s(s)) < 0) {
			note_error(s, ifs[on], "adding the service address");
			ok = false;
			on = ifs[!on] && anycast_addr_put(c->addrs, ifs[!on], a, lease_s(s)) == 0 ?
			     !on : -1;
		}
		for (int j = 0; j < 2; j++) {
			if (!ifs[j] || j == on)
				continue;
			if (anycast_addr_del(c->addrs, ifs[j], a) < 0) {
				note_error(s, ifs[j], "deleting the service address");
				ok = false;
			}
		}
	}
	if (ok && s->error) {
		log_notice("[%s] anycast: address changes work again", in->name);
		s->error = 0;
		s->error_if = NULL;
	}
}

/* What the tracked checks say, for anycast_want(). */
static void health_read(const struct anycast_svc *s, struct anycast_in *in)
{
	for (size_t k = 0; k < s->cfg->n_tracks; k++) {
		struct check_run_status st;

		if (check_run_status(s->h, s->cfg->tracks[k], &st) < 0) {
			in->down = "(not running)";
			continue;
		}
		in->n_checks++;
		switch (st.check->state) {
		case CHECK_ST_DOWN:
			if (!in->down)
				in->down = st.name;
			break;
		case CHECK_ST_INIT:
			if (!in->unproven)
				in->unproven = st.name;
			break;
		case CHECK_ST_DEGRADED:
			if (!in->degraded)
				in->degraded = st.name;
			break;
		case CHECK_ST_UP:
			break;
		}
	}
}

static void decide(struct anycast_svc *s)
{
	struct anycast_ctx *c = s->h->anycast;
	uint64_t now = loop_now(s->h->loop);
	struct anycast_in in = {
		.have_degraded_if = s->cfg->degraded_ifname[0] != '\0',
		.maintenance = c->maintenance, .handover = s->handover,
		.drain_us = s->cfg->drain_us, .stopping = c->stopping,
	};
	struct anycast_verdict v;

	health_read(s, &in);
	/* The drain runs from the first of maintenance and the handover. */
	if (c->maintenance && s->handover)
		in.drain_since_us = c->maint_since_us < s->handover_since_us ?
				    c->maint_since_us : s->handover_since_us;
	else
		in.drain_since_us = c->maintenance ? c->maint_since_us : s->handover_since_us;
	anycast_want(&in, now, &v);
	if (!s->decided || v.state != s->v.state || strcmp(v.why, s->v.why)) {
		if (!s->decided || v.state != s->v.state) {
			log_notice("[%s] anycast: %s (%s)", s->cfg->name, anycast_state_name(v.state),
				   v.why);
			s->since_us = now;
		}
		s->v = v;
		s->decided = true;
		addrs_apply(s);
	}
	s->v.due_us = v.due_us;
	if (v.due_us)
		loop_timer_at(s->h->loop, &s->due, v.due_us);
	else
		loop_timer_cancel(s->h->loop, &s->due);
}

static void on_due(struct timer *t, void *arg)
{
	(void)t;
	decide(arg);
}

/* Renew the lifetimes (and retry what failed). A third of the lease: two
 * renewals may be lost or late before the address lapses. */
static void on_renew(struct timer *t, void *arg)
{
	struct anycast_svc *s = arg;

	(void)t;
	addrs_apply(s);
	loop_timer_in(s->h->loop, &s->renew, s->cfg->lease_us / 3);
}

static void svc_init(struct hafd *h, struct anycast_svc *s, const struct cfg_instance *cfg)
{
	memset(s, 0, sizeof(*s));
	s->h = h;
	s->cfg = cfg;
	timer_init(&s->renew, on_renew, s);
	timer_init(&s->due, on_due, s);
}

static void svc_begin(struct anycast_svc *s)
{
	decide(s);
	loop_timer_in(s->h->loop, &s->renew, s->cfg->lease_us / 3);
}

static void svc_end(struct anycast_svc *s)
{
	loop_timer_cancel(s->h->loop, &s->renew);
	loop_timer_cancel(s->h->loop, &s->due);
}

int anycast_start(struct hafd *h)
{
	const struct hafd_config *cfg = h->cfg;
	struct anycast_ctx *c;

	if (!cfg->n_anycasts)
		return 0;       /* nothing of it without an anycast instance */
	if (!(c = calloc(1, sizeof(*c))) ||
	    !(c->svc = calloc(cfg->n_anycasts, sizeof(*c->svc)))) {
		free(c);
		return -1;
	}
	if (anycast_addr_open(&c->addrs, cfg->global.runtime_dir) < 0) {
		free(c->svc);
		free(c);
		return -1;
	}
	c->maintenance = h->maintenance;
	c->maint_since_us = h->maintenance ? 0 : loop_now(h->loop);   /* at start: drained */
	h->anycast = c;
	c->n = cfg->n_anycasts;
	for (size_t i = 0; i < c->n; i++)
		svc_init(h, &c->svc[i], &cfg->anycasts[i]);
	for (size_t i = 0; i < c->n; i++)
		svc_begin(&c->svc[i]);
	return 0;
}

static bool tracks(const struct cfg_instance *in, size_t check)
{
	for (size_t k = 0; k < in->n_tracks; k++)
		if (in->tracks[k] == check)
			return true;
	return false;
}

void anycast_check_changed(struct hafd *h, size_t check)
{
	struct anycast_ctx *c = h->anycast;

	for (size_t i = 0; c && i < c->n; i++)
		if (tracks(c->svc[i].cfg, check))
			decide(&c->svc[i]);
}

static struct anycast_svc *svc_find(struct anycast_ctx *c, const char *name)
{
	for (size_t i = 0; c && i < c->n; i++)
		if (!strcmp(c->svc[i].cfg->name, name))
			return &c->svc[i];
	return NULL;
}

/* Whether the running instance can carry on under the new section: the
 * same addresses on the same interfaces (others change live). */
static bool same_place(const struct cfg_instance *a, const struct cfg_instance *b)
{
	if (strcmp(a->ifname, b->ifname) || strcmp(a->degraded_ifname, b->degraded_ifname) ||
	    a->n_vips != b->n_vips)
		return false;
	for (size_t k = 0; k < a->n_vips; k++)
		if (!addr_equal(&a->vips[k], &b->vips[k]))
			return false;
	return true;
}

int anycast_reload(struct hafd *h)
{
	const struct hafd_config *cfg = h->cfg;
	struct anycast_ctx *c = h->anycast;
	struct anycast_svc *ns;

	if (!c)
		return anycast_start(h);
	if (!(ns = calloc(cfg->n_anycasts ? cfg->n_anycasts : 1, sizeof(*ns))))
		return -1;
	/* The old sections are still readable: reload.c frees the old
	 * configuration after this. */
	for (size_t i = 0; i < c->n; i++) {
		struct anycast_svc *o = &c->svc[i];
		const struct cfg_instance *in = NULL;

		for (size_t j = 0; j < cfg->n_anycasts; j++)
			if (!strcmp(cfg->anycasts[j].name, o->cfg->name))
				in = &cfg->anycasts[j];
		svc_end(o);
		if (in && same_place(o->cfg, in))
			continue;
		log_notice("[%s] anycast: %s by the new configuration", o->cfg->name,
			   in ? "changed" : "removed");
		o->v.state = ANYCAST_WITHDRAWN;
		addrs_apply(o);
		o->decided = false;     /* starts afresh, if at all */
	}
	for (size_t j = 0; j < cfg->n_anycasts; j++) {
		struct anycast_svc *o = svc_find(c, cfg->anycasts[j].name);

		svc_init(h, &ns[j], &cfg->anycasts[j]);
		if (o && o->decided) {
			ns[j].v = o->v;
			ns[j].decided = o->decided;
			ns[j].since_us = o->since_us;
			ns[j].handover = o->handover;
			ns[j].handover_since_us = o->handover_since_us;
		}
	}
	free(c->svc);
	c->svc = ns;
	c->n = cfg->n_anycasts;
	for (size_t i = 0; i < c->n; i++)
		svc_begin(&c->svc[i]);
	return 0;
}

void anycast_stop(struct hafd *h)
{
	struct anycast_ctx *c = h->anycast;

	if (!c)
		return;
	c->stopping = true;
	for (size_t i = 0; i < c->n; i++) {
		decide(&c->svc[i]);
		svc_end(&c->svc[i]);
	}
	anycast_addr_close(c->addrs);
	free(c->svc);
	free(c);
	h->anycast = NULL;
}

void anycast_maintenance(struct hafd *h, bool on)
{
	struct anycast_ctx *c = h->anycast;

	if (!c || c->maintenance == on)
		return;
	c->maintenance = on;
	c->maint_since_us = loop_now(h->loop);
	for (size_t i = 0; i < c->n; i++)
		decide(&c->svc[i]);
}

static void handover_one(struct anycast_svc *s, bool on)
{
	if (s->handover == on)
		return;
	s->handover = on;
	s->handover_since_us = loop_now(s->h->loop);
	decide(s);
}

int anycast_handover(struct hafd *h, const char *name, char *text, size_t len)
{
	struct anycast_ctx *c = h->anycast;
	struct anycast_svc *s;

	if (!name) {
		for (size_t i = 0; c && i < c->n; i++)
			handover_one(&c->svc[i], true);
		return 0;
	}
	if (!(s = svc_find(c, name)))
		return 0;
	handover_one(s, true);
	if (s->v.state == ANYCAST_LESS_PREFERRED)
		snprintf(text, len, "%s: less preferred now, withdrawn in %.1f s (drain); "
			 "hafctl resume %s announces it again\n", name,
			 (double)(s->v.due_us - loop_now(h->loop)) / 1e6, name);
	else
		snprintf(text, len, "%s: %s (%s); hafctl resume %s announces it again\n", name,
			 anycast_state_name(s->v.state), s->v.why, name);
	return 1;
}

int anycast_resume(struct hafd *h, const char *name, char *text, size_t len)
{
	struct anycast_ctx *c = h->anycast;
	struct anycast_svc *s;

	if (!name) {
		for (size_t i = 0; c && i < c->n; i++)
			handover_one(&c->svc[i], false);
		return 0;
	}
	if (!(s = svc_find(c, name)))
		return 0;
	handover_one(s, false);
	snprintf(text, len, "%s: %s (%s)\n", name, anycast_state_name(s->v.state), s->v.why);
	return 1;
}

size_t anycast_count(const struct hafd *h)
{
	return h->anycast ? h->anycast->n : 0;
}

int anycast_status_get(const struct hafd *h, size_t i, struct anycast_status *out)
{
	const struct anycast_svc *s;

	if (i >= anycast_count(h)) {
		errno = ENOENT;
		return -1;
	}
	s = &h->anycast->svc[i];
	*out = (struct anycast_status){
		.cfg = s->cfg, .state = s->v.state, .why = s->v.why, .since_us = s->since_us,
		.handover = s->handover, .error = s->error, .error_if = s->error_if,
	};
	return 0;
}
