/* config_anycast.c: [instance NAME] with mode = anycast (hafd-anycast(7)).
 *
 * An anycast instance shares the instance section's grammar (interface,
 * virtual_ip, track) but none of VRRP's meaning: no VRID, no priority, no
 * adverts. Its VRRP keys are refused rather than ignored, so that a file
 * converted from keepalived with a stray mode line fails loudly; once the
 * file is read the anycast instances leave cfg->instances for
 * cfg->anycasts, so nothing of VRRP (routers, nftables, sync groups,
 * reloads' pairing) ever sees them. */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "config_priv.h"

/* The keys that mean something only to VRRP. */
static const struct {
	int key;
	const char *name;
} vrrp_only[] = {
	{ IK_VRID, "vrid" }, { IK_PRIORITY, "priority" }, { IK_VERSION, "version" },
	{ IK_ADVERT_INTERVAL, "advert_interval" }, { IK_PREEMPT, "preempt" },
	{ IK_NOPREEMPT, "nopreempt" }, { IK_PREEMPT_DELAY, "preempt_delay" },
	{ IK_PAIR, "pair" }, { IK_ACCEPT_MODE, "accept_mode" },
	{ IK_UNICAST_SRC, "unicast_src" }, { IK_UNICAST_PEER, "unicast_peer" },
	{ IK_UNICAST_TTL_CHECK, "unicast_ttl_check" }, { IK_USE_VMAC, "use_vmac" },
	{ IK_TRACK_INTERFACE, "track_interface" }, { IK_GARP_REPEAT, "garp_repeat" },
	{ IK_GARP_DELAY, "garp_delay" }, { IK_GARP_REFRESH, "garp_refresh" },
	{ IK_NOTIFY, "notify" }, { IK_NOTIFY_MASTER, "notify_master" },
	{ IK_NOTIFY_BACKUP, "notify_backup" }, { IK_NOTIFY_FAULT, "notify_fault" },
	{ IK_NOTIFY_STOP, "notify_stop" }, { IK_HOLD_DOWN, "hold_down" },
	{ IK_FENCE_PORT, "fence_port" },
};

static const struct {
	int key;
	const char *name;
} anycast_only[] = {
	{ IK_DEGRADED_INTERFACE, "degraded_interface" }, { IK_LEASE, "lease" },
	{ IK_DRAIN, "drain" },
};

bool cfg_anycast_finish(struct cfg_parser *p, size_t i)
{
	struct cfg_instance *in = &p->cfg->instances[i];
	const struct cfg_sect *s = &p->isect[i];
	char a[ADDR_STRLEN];

	if (!in->anycast) {
		for (size_t k = 0; k < sizeof(anycast_only) / sizeof(anycast_only[0]); k++)
			if (s->seen[anycast_only[k].key])
				cfg_key_err(p, s, s->seen[anycast_only[k].key], anycast_only[k].name,
					    "only for mode = anycast (allowed: mode = anycast, or "
					    "remove it)");
		return false;
	}
	for (size_t k = 0; k < sizeof(vrrp_only) / sizeof(vrrp_only[0]); k++)
		if (s->seen[vrrp_only[k].key])
			cfg_key_err(p, s, s->seen[vrrp_only[k].key], vrrp_only[k].name,
				    "means nothing with mode = anycast (allowed: interface, "
				    "degraded_interface, virtual_ip, track, lease, drain)");
	if (!s->seen[IK_VIRTUAL_IP])
		cfg_key_err(p, s, s->line, "virtual_ip", "required key is missing (at least one)");
	/* The service is one address: a prefix would make the kernel add a
	 * prefix route beside it, and FRR announce the whole prefix. */
	for (size_t k = 0; k < in->n_vips; k++) {
		unsigned host = in->vips[k].family == AF_INET ? 32 : 128;

		if (in->vips[k].prefix != host)
			cfg_key_err(p, s, s->vip_lines[k], "virtual_ip", "%s/%u: an anycast address "
				    "is announced alone (allowed: no /PREFIX, or /%u)",
				    addr_ntop(&in->vips[k], a, sizeof(a)), in->vips[k].prefix, host);
	}
	if (in->lease_us % CFG_SEC)
		cfg_key_err(p, s, s->seen[IK_LEASE], "lease", "the kernel counts an address's "
			    "lifetime in seconds (allowed: whole seconds, 1s..1h)");
	if (in->degraded_ifname[0] && !strcmp(in->degraded_ifname, in->ifname))
		cfg_key_err(p, s, s->seen[IK_DEGRADED_INTERFACE], "degraded_interface",
			    "%s is also the interface: the routing daemon could not tell the two "
			    "apart (allowed: a second interface)", in->degraded_ifname);
	return true;
}

void cfg_anycast_split(struct cfg_parser *p)
{
	struct hafd_config *c = p->cfg;
	size_t n = 0, *to;

	for (size_t i = 0; i < c->n_instances; i++) {
		const struct cfg_instance *in = &c->instances[i];

		if (in->anycast && in->group >= 0)
			cfg_key_err(p, &p->isect[i], p->isect[i].line, "mode", "[instance %s] is in "
				    "[group %s]; an anycast instance has no VRRP state to share "
				    "(allowed: leave it out of every group)", in->name,
				    c->groups[in->group].name);
		n += in->anycast;
	}
	if (!n || p->n_errs)
		return;         /* a file with errors is thrown away as it is */
	if (!(c->anycasts = calloc(n, sizeof(*c->anycasts))) ||
	    !(to = calloc(c->n_instances, sizeof(*to)))) {
		p->oom = true;
		return;
	}
	/* Compact instances, and renumber the groups' members. */
	size_t kept = 0;

	for (size_t i = 0; i < c->n_instances; i++) {
		if (c->instances[i].anycast) {
			c->anycasts[c->n_anycasts++] = c->instances[i];
			continue;
		}
		to[i] = kept;
		c->instances[kept++] = c->instances[i];
	}
	for (size_t g = 0; g < c->n_groups; g++)
		for (size_t k = 0; k < c->groups[g].n_instances; k++)
			c->groups[g].instances[k] = to[c->groups[g].instances[k]];
	c->n_instances = kept;
	free(to);
}
