/* vrrp_rx.c: received packets: decode, validate (V1-V14), count, log
 * (rate-limited), and feed the valid ones to their router's FSM. */
#include "vrrp.h"

#include "config.h"
#include "hafd.h"
#include "log.h"
#include "loop.h"
#include "nft.h"
#include "vrrp_priv.h"
#include "vrrp_sock.h"

static struct vrrp_router *router_by_vrid(struct hafd *h, const struct vrrp_sock *s, uint8_t vrid)
{
	for (size_t i = 0; i < h->n_routers; i++) {
		struct vrrp_router *r = h->routers[i];

		if (r->sock == s && r->cfg->vrid == vrid)
			return r;
	}
	return NULL;
}

static void rx_log_drop(struct hafd *h, struct vrrp_sock *s, enum vrrp_rx_err err,
			const struct vrrp_pkt_info *info, const struct vrrp_advert *adv)
{
	char src[ADDR_STRLEN];
	uint64_t missed;

	/* Foreign VRIDs are normal on a shared segment: not worth a warning. */
	if (err == VRRP_RX_VRID) {
		log_debug("%s: advert for VRID %u from %s ignored (not configured here)",
			  s->ifname, adv->vrid, addr_ntop(&info->src, src, sizeof(src)));
		return;
	}
	if (!log_ratelimit_allow(&h->rx_log, loop_now(h->loop), &missed))
		return;
	log_warnx("%s: dropped VRRP packet from %s (VRID %u): %s%s", s->ifname,
		  addr_ntop(&info->src, src, sizeof(src)), adv->vrid, vrrp_rx_err_str(err),
		  missed ? " (and earlier drops not logged)" : "");
}

static void rx_log_warnings(struct vrrp_router *r, const struct vrrp_advert *adv)
{
	char src[ADDR_STRLEN];

	if (!(adv->warn & ~(unsigned)VRRP_WARN_NO_LL_FIRST) ||
	    !log_ratelimit_allow(&r->warn_log, loop_now(r->h->loop), NULL))
		return;
	addr_ntop(&adv->src, src, sizeof(src));
	if (adv->warn & VRRP_WARN_INTERVAL)
		log_warnx("[%s] %s advertises every %ums, we are configured for %ums",
			  r->label, src, adv->adver_int_cs * 10u, r->cfg->advert_interval_cs * 10u);
	if (adv->warn & VRRP_WARN_ADDR_LIST)
		log_warnx("[%s] %s advertises a different virtual_ip list", r->label, src);
	if (adv->warn & VRRP_WARN_OWNER)
		log_warnx("[%s] %s advertises although we are the address owner", r->label, src);
}

void vrrp_rx_packet(void *arg, struct vrrp_sock *s, const uint8_t *pkt, size_t len,
		    const struct vrrp_pkt_info *info)
{
	struct hafd *h = arg;
	struct vrrp_advert adv = { 0 };
	struct hafd_addr followed;
	struct vrrp_router *r;
	enum vrrp_rx_err err;

	/* V1 in unicast mode (adverts that crossed a router): vrrp_pkt_check(). */
	err = vrrp_pkt_decode(pkt, len, info, &adv);
	/* The decoder fills the VRID even for a packet it rejects, so that
	 * router's counters are charged; too short to carry one reads as
	 * VRID 0, which no router has (vrid is 1..255). */
	r = router_by_vrid(h, s, adv.vrid);
	if (err == VRRP_RX_OK && !r)
		err = VRRP_RX_VRID;
	if (err == VRRP_RX_OK) {
		struct vrrp_pkt_expect exp = {
			.version = r->cfg->version, .adver_int_cs = r->cfg->advert_interval_cs,
			.owner = r->cfg->priority == 255,
			.vips = r->cfg->vips, .n_vips = r->cfg->n_vips,
			.peers = r->cfg->peers, .n_peers = r->cfg->n_peers,
			.unicast_ttl_check = r->cfg->unicast_ttl_check,
		};

		err = vrrp_pkt_check(&adv, &exp);
	}
	vrrp_stats_account(err, &adv, r ? &r->stats : NULL, &h->stats);
	if (err != VRRP_RX_OK) {
		rx_log_drop(h, s, err, info, &adv);
		return;
	}
	rx_log_warnings(r, &adv);
	followed = r->inst.fsm.master_addr;
	vrrp_inst_advert(&r->inst, adv.priority, adv.adver_int_cs, &adv.src, loop_now(h->loop));
	/* A backup follows another master: nft exempts it from the cap on
	 * unknown sources (nft_build.c, rules 2a and 2b). */
	if (!addr_equal(&followed, &r->inst.fsm.master_addr))
		nft_schedule(h->nft, h);
}

