/* vrrp_tx.c: what a router sends: adverts (and the crash guard's copy of its
 * priority-0 ones), its VIPs, and their GARP / NA announcements. */
#include "vrrp.h"

#include "config.h"
#include "garp.h"
#include "guard.h"
#include "hafd.h"
#include "log.h"
#include "loop.h"
#include "nft.h"
#include "vip.h"
#include "vmac.h"
#include "vrrp_priv.h"
#include "vrrp_sock.h"

/* Build the advert for destination i (the group, or unicast peer i).
 * Returns its length, or -1. */
static ssize_t advert_build(const struct vrrp_router *r, uint8_t priority, size_t i,
			    uint8_t *buf, size_t cap, struct hafd_addr *src, struct hafd_addr *dst)
{
	const struct cfg_instance *c = r->cfg;
	struct vrrp_pkt_params p = {
		.version = c->version, .vrid = c->vrid, .priority = priority,
		.adver_int_cs = c->advert_interval_cs, .family = c->family,
		.addrs = c->vips, .n_addrs = c->n_vips,
		.csum_form = r->h->cfg->global.v3_checksum == CFG_CSUM_RFC9568 ?
			VRRP_CSUM_RFC9568 : VRRP_CSUM_RFC5798,
	};

	p.src = r->inst.params.primary;    /* vrrp_inst_source(): also the tie-break's */
	if (c->n_peers)
		p.dst = c->peers[i];
	else
		vrrp_sock_group(c->family, &p.dst);
	*src = p.src;
	*dst = p.dst;
	return vrrp_pkt_build(buf, cap, &p);
}

static size_t advert_destinations(const struct vrrp_router *r)
{
	return r->cfg->n_peers ? r->cfg->n_peers : 1;
}

void vrrp_advert_send(struct vrrp_router *r, uint8_t priority)
{
	uint8_t buf[VRRP_PKT_MAX];
	bool all_sent = true;

	if (!r->sock)
		return;
	for (size_t i = 0; i < advert_destinations(r); i++) {
		struct hafd_addr src, dst;
		ssize_t len = advert_build(r, priority, i, buf, sizeof(buf), &src, &dst);

		if (len < 0 || vmac_send(r->vmac, r->sock, &src, &dst, buf, (size_t)len) < 0) {
			r->stats.send_errors++;
			all_sent = false;
			if (log_ratelimit_allow(&r->warn_log, loop_now(r->h->loop), NULL))
				log_warn("[%s] sending advert", r->label);
			continue;
		}
		r->stats.sent_advertisements++;
		if (priority == 0)
			r->stats.sent_pri_zero++;
	}
	/* A unicast advert renews no lease as it leaves (it may never
	 * leave: its peer's address unresolved); lo carries the renewal.
	 * Not when a peer's advert was refused: that peer will take over
	 * on its timer, and the lease must lapse before it does. */
	if (priority && r->cfg->n_peers && all_sent &&
	    nft_lease_renew(r->h->nft, r->cfg->family, vrrp_lease_ms(r->cfg), r->cfg->vips,
			    r->cfg->n_vips) < 0) {
		r->stats.send_errors++;
		if (log_ratelimit_allow(&r->warn_log, loop_now(r->h->loop), NULL))
			log_warn("[%s] renewing the VIP lease through lo", r->label);
	}
}

/* While master, the crash guard holds our priority-0 adverts, ready to
 * send them if hafd dies. */
void vrrp_guard_update(struct vrrp_router *r)
{
	uint8_t buf[VRRP_PKT_MAX];

	if (!r->h->guard)
		return;
	if (r->inst.fsm.state != VRRP_STATE_MASTER || !r->sock) {
		guard_disarm(r->h->guard, r->id);
		return;
	}
	for (size_t i = 0; i < advert_destinations(r); i++) {
		struct hafd_addr src, dst;
		ssize_t len = advert_build(r, 0, i, buf, sizeof(buf), &src, &dst);

		if (len > 0)
			guard_arm(r->h->guard, r->id, vmac_tx_ifindex(r->vmac, r->ifindex, &dst),
				  r->cfg->family, &src, &dst,
				  buf, (size_t)len, i == 0);
	}
}

/* Where the VIPs live and GARPs leave: the macvlan with use_vmac. */
int vrrp_vips_ifindex(const struct vrrp_router *r)
{
	return r->vmac ? vmac_ifindex(r->vmac) : r->ifindex;
}

void vrrp_garp_burst(struct vrrp_router *r)
{
	const struct cfg_instance *c = r->cfg;

	for (int n = 0; n < c->garp_repeat; n++) {
		for (size_t i = 0; i < c->n_vips; i++) {
			if (garp_send(r->h->garp, vrrp_vips_ifindex(r), r->mac, &c->vips[i],
				      &r->if_primary) < 0) {
				r->stats.send_errors++;
				continue;
			}
			if (c->family == AF_INET)
				r->stats.garp_sent++;
			else
				r->stats.na_sent++;
		}
	}
}

/* First burst as soon as the timers due now have run (after the nft batch
 * that lets it out: nft_schedule); the second after garp_delay; then every
 * garp_refresh. */
static void garp_start(struct vrrp_router *r)
{
	r->garp_first_done = false;
	r->garp_second_done = false;
	loop_timer_cancel(r->h->loop, &r->garp_timer);  /* a refresh due later */
	loop_timer_soon(r->h->loop, &r->garp_timer);
}

void vrrp_garp_timer(struct timer *t, void *arg)
{
	struct vrrp_router *r = arg;
	const struct cfg_instance *c = r->cfg;

	(void)t;
	if (!r->vips_up) {
		vrrp_state_report_pending(r);
		return;
	}
	vrrp_garp_burst(r);
	vrrp_state_report_pending(r);   /* held back for this first burst */
	if (!r->garp_first_done) {
		r->garp_first_done = true;
		r->garp_second_done = c->garp_delay_us == 0;
		if (!r->garp_second_done) {
			loop_timer_in(r->h->loop, &r->garp_timer, c->garp_delay_us);
			return;
		}
	}
	r->garp_second_done = true;
	if (c->garp_refresh_us)
		loop_timer_in(r->h->loop, &r->garp_timer, c->garp_refresh_us);
}

/* ---- VIPs --------------------------------------------------------------- */

void vrrp_vips_add(struct vrrp_router *r)
{
	const struct cfg_instance *c = r->cfg;
	char buf[ADDR_STRLEN];

	r->vips_up = true;
	for (size_t i = 0; i < c->n_vips; i++)
		if (vip_add(r->h->vip, vrrp_vips_ifindex(r), &c->vips[i]) < 0)
			log_warn("[%s] adding %s on %s", r->label,
				 addr_format(&c->vips[i], buf, sizeof(buf)), c->ifname);
	garp_start(r);
}

void vrrp_vips_del(struct vrrp_router *r)
{
	const struct cfg_instance *c = r->cfg;
	char buf[ADDR_STRLEN];

	r->vips_up = false;     /* first, so our own deletions are not "stolen" */
	loop_timer_cancel(r->h->loop, &r->garp_timer);
	for (size_t i = 0; i < c->n_vips; i++)
		if (r->ifindex && vip_del(r->h->vip, vrrp_vips_ifindex(r), &c->vips[i]) < 0)
			log_warn("[%s] removing %s from %s", r->label,
				 addr_format(&c->vips[i], buf, sizeof(buf)), c->ifname);
}

/* use_vmac: the macvlan goes down after the VIPs, once the last adverts
 * (priority 0 included) have left from its MAC (RFC 9568 item 14). */
void vrrp_vmac_down(struct vrrp_router *r)
{
	if (r->vmac)
		vmac_deactivate(r->vmac, r->h->vip);
}

