/* vrrp_if.c: a router and its interfaces: attaching (socket, MAC, macvlan),
 * link and address events, the primary address, tracked interfaces, and
 * VIPs removed behind our back. */
#include "vrrp.h"

#include <string.h>

#include "config.h"
#include "hafd.h"
#include "ifcache.h"
#include "log.h"
#include "nft.h"
#include "vip.h"
#include "vmac.h"
#include "vrrp_priv.h"
#include "vrrp_sock.h"

/* The VIPs hafd holds are never the primary address. */
static bool held(void *arg, int ifindex, const struct hafd_addr *a)
{
	return arg && vip_held(arg, ifindex, a);
}

/* Re-read the primary address; without one we cannot send (FAULT).
 * params.primary is what our adverts carry as their source, so also what
 * the tie-break compares a peer's with (unicast_src when set, for both
 * families); if_primary is the interface's own, the source of GARPs and
 * NAs. With unicast_src an IPv4 instance needs no address of its own
 * (it may sit on an unnumbered link); IPv6 still needs its link-local
 * one for NAs. */
void vrrp_primary_refresh(struct vrrp_router *r)
{
	const struct cfg_instance *c = r->cfg;
	struct hafd_addr a = { 0 };
	bool have_if = r->ifindex && ifcache_primary(r->h->ifc, r->ifindex, c->family, held,
						     r->h->vip, &a) == 0;
	bool have = have_if;
	struct hafd_addr src;
	char buf[ADDR_STRLEN];

	if (c->has_unicast_src && c->family == AF_INET) {
		if (!have_if)
			a = c->unicast_src;
		have = r->ifindex != 0;
	}
	if (have)
		r->if_primary = a;
	src = vrrp_inst_source(c->has_unicast_src ? &c->unicast_src : NULL, &a);
	if (have && !addr_equal(&src, &r->inst.params.primary)) {
		r->inst.params.primary = src;
		log_info("[%s] primary address %s", r->label, addr_ntop(&src, buf, sizeof(buf)));
		vrrp_guard_update(r);        /* the resignation must leave from it */
	}
	vrrp_fault_update(r, VRRP_FAULT_NO_ADDR, !have);
}

/* use_vmac: make the macvlan (down until master); GARPs then carry its
 * MAC. -1 leaves the router in FAULT: no VIPs on the wrong MAC. */
static int vmac_attach(struct vrrp_router *r)
{
	char name[IFNAMSIZ], mac[18];

	if (vmac_name(r->h->cfg, r->cfg, r->ifindex, name) < 0 ||
	    vmac_create(&r->vmac, r->h->cfg->global.runtime_dir, name, r->ifindex,
			r->cfg->family, r->cfg->vrid) < 0) {
		log_warn("[%s] use_vmac: macvlan %s on %s", r->label, name, r->cfg->ifname);
		r->vmac = NULL;
		return -1;
	}
	vmac_get_mac(r->vmac, r->mac);
	snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", r->mac[0], r->mac[1],
		 r->mac[2], r->mac[3], r->mac[4], r->mac[5]);
	log_info("[%s] virtual MAC %s on %s", r->label, mac, name);
	return 0;
}

/* Attach to the interface (at start, or when it appears): socket, MAC. */
void vrrp_router_attach(struct vrrp_router *r, int ifindex)
{
	struct hafd *h = r->h;

	r->ifindex = ifindex;
	if (ifcache_link_mac(h->ifc, ifindex, r->mac) < 0)
		memset(r->mac, 0, sizeof(r->mac));
	r->sock = vrrp_sock_get(&h->socks, h->loop, ifindex, r->cfg->ifname, r->cfg->family,
				vrrp_rx_packet, h);
	if (!r->sock)
		log_warn("[%s] VRRP socket on %s", r->label, r->cfg->ifname);
	vrrp_fault_update(r, VRRP_FAULT_SOCKET, !r->sock);
	if (r->cfg->use_vmac)
		vrrp_fault_update(r, VRRP_FAULT_VMAC, vmac_attach(r) < 0);
}

void vrrp_router_detach(struct vrrp_router *r)
{
	vmac_destroy(r->vmac);  /* gone already if the interface went */
	r->vmac = NULL;
	vrrp_sock_put(&r->h->socks, r->sock);
	r->sock = NULL;
	r->ifindex = 0;
}

void vrrp_track_if_update(struct vrrp_router *r)
{
	const struct cfg_instance *c = r->cfg;
	bool fault = false;
	int delta = 0;

	for (size_t i = 0; i < c->n_track_ifs; i++) {
		int idx = ifcache_ifindex(r->h->ifc, c->track_ifs[i].ifname);

		if (idx && ifcache_link_up(r->h->ifc, idx))
			continue;
		if (c->track_ifs[i].weight == 0)
			fault = true;
		else
			delta += c->track_ifs[i].weight;
	}
	r->track_if_delta = delta;
	vrrp_priority_update(r);
	vrrp_fault_update(r, VRRP_FAULT_TRACK_IF, fault);
}

void vrrp_link_change(void *arg, int ifindex, const char *ifname, bool exists, bool up)
{
	struct hafd *h = arg;

	/* Unicast instances renew their lease through lo (nft.h). */
	if (ifname && !strcmp(ifname, "lo"))
		nft_schedule(h->nft, h);
	for (size_t i = 0; i < h->n_routers; i++) {
		struct vrrp_router *r = h->routers[i];
		bool mine = r->ifindex ? r->ifindex == ifindex : !strcmp(r->cfg->ifname, ifname);

		if (mine && !exists) {
			log_warnx("[%s] interface %s is gone", r->label, r->cfg->ifname);
			vrrp_fault_update(r, VRRP_FAULT_LINK, true);
			vrrp_router_detach(r);
		} else if (mine) {
			if (!r->ifindex)
				vrrp_router_attach(r, ifindex);
			if (up == !!(r->inst.faults & VRRP_FAULT_LINK))
				log_notice("[%s] interface %s is %s", r->label, r->cfg->ifname,
					   up ? "up" : "down");
			vrrp_primary_refresh(r);
			vrrp_fault_update(r, VRRP_FAULT_LINK, !up);
		}
		if (r->cfg->n_track_ifs)
			vrrp_track_if_update(r);
	}
}

void vrrp_addr_change(void *arg, int ifindex)
{
	struct hafd *h = arg;

	for (size_t i = 0; i < h->n_routers; i++)
		if (h->routers[i]->ifindex == ifindex)
			vrrp_primary_refresh(h->routers[i]);
}

/* A VIP removed behind our back while we are master is put back at once
 * (and announced again): the VIP exists to serve, and leaving Master would
 * move it for no reason the peers can see. */
void vrrp_addr_deleted(void *arg, int ifindex, const struct hafd_addr *a)
{
	struct hafd *h = arg;
	char buf[ADDR_STRLEN];

	for (size_t i = 0; i < h->n_routers; i++) {
		struct vrrp_router *r = h->routers[i];

		if (!r->vips_up || vrrp_vips_ifindex(r) != ifindex)
			continue;
		for (size_t k = 0; k < r->cfg->n_vips; k++) {
			if (!addr_equal(&r->cfg->vips[k], a))
				continue;
			log_warnx("[%s] %s was removed from %s by someone else: putting it back",
				  r->label, addr_format(a, buf, sizeof(buf)), r->cfg->ifname);
			if (vip_add(h->vip, ifindex, &r->cfg->vips[k]) < 0)
				log_warn("[%s] re-adding %s", r->label, buf);
			vrrp_garp_burst(r);
		}
	}
}

