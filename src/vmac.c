/* vmac.c: use_vmac macvlans, their sysctls and their journal (see vmac.h).
 *
 * Why mode bridge: a macvlan in private mode takes for itself every
 * multicast frame whose source MAC is its own, so the adverts of a peer
 * master with the same VMAC (a split brain healing, a restarting peer)
 * would never reach the base interface's VRRP socket. In bridge mode the
 * base still gets them.
 *
 * Why up only while master: a backup must not accept frames for the VMAC
 * (RFC 9568 §6.4.2), and must send none from it, or learning switches
 * would move the VMAC to the backup. A link that is down is neither in the
 * NIC's filter nor sends anything. Creating it at start (not at takeover)
 * keeps the takeover to "link up, add addresses", and surfaces a name clash
 * or a kernel without macvlan in the log at start, not at failover. */
#include "vmac.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/if_link.h>
#include <netlink/errno.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <netlink/route/link/macvlan.h>

#include "config.h"
#include "journal.h"
#include "log.h"
#include "vip.h"
#include "vrrp_pkt.h"
#include "vrrp_sock.h"

struct vmac {
	struct nl_sock *sk;
	struct journal *journal;
	char name[IFNAMSIZ];
	int ifindex;                    /* the macvlan's */
	int base_ifindex;
	int family;
	unsigned char mac[6];
	int tx_fd;                      /* raw VRRP socket for adverts from the macvlan */
	bool journaled;
	bool up;
	bool ll_added;
	struct hafd_addr ll;            /* IPv6: the base's link-local, while master */
};

/* ---- small helpers ------------------------------------------------------ */

void vmac_mac(int family, uint8_t vrid, unsigned char mac[6])
{
	const unsigned char m[6] = { 0x00, 0x00, 0x5e, 0x00, family == AF_INET6 ? 2 : 1, vrid };

	memcpy(mac, m, sizeof(m));
}

static bool is_vrrp_mac(const unsigned char *m)
{
	return m[0] == 0 && m[1] == 0 && m[2] == 0x5e && m[3] == 0 && (m[4] == 1 || m[4] == 2);
}

int vmac_name(const struct hafd_config *cfg, const struct cfg_instance *c, int ifindex,
	      char out[IFNAMSIZ])
{
	const char *fam = c->family == AF_INET6 ? "6" : "";
	bool shared = false;
	int n;

	for (size_t i = 0; cfg && i < cfg->n_instances; i++) {
		const struct cfg_instance *o = &cfg->instances[i];

		if (o->use_vmac && o->vrid == c->vrid && o->family == c->family &&
		    strcmp(o->ifname, c->ifname) != 0)
			shared = true;
	}
	if (!shared)
		n = snprintf(out, IFNAMSIZ, "vrrp%s.%u", fam, (unsigned)c->vrid);
	else if ((n = snprintf(out, IFNAMSIZ, "vrrp%s.%u.%d", fam, (unsigned)c->vrid,
			       ifindex)) >= IFNAMSIZ)
		n = snprintf(out, IFNAMSIZ, "vr%s.%u.%d", fam, (unsigned)c->vrid, ifindex);
	if (n < 0 || n >= IFNAMSIZ) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

int vmac_sysctl_set(int family, const char *ifname, const char *key, const char *value)
{
	char path[128];
	size_t len = strlen(value);
	int fd, saved;
	ssize_t n;

	if ((size_t)snprintf(path, sizeof(path), "/proc/sys/net/ipv%d/conf/%s/%s",
			     family == AF_INET6 ? 6 : 4, ifname, key) >= sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) < 0)
		return -1;
	n = write(fd, value, len);
	saved = errno;
	close(fd);
	errno = saved;
	return n == (ssize_t)len ? 0 : -1;
}

static int sysctl_get(int family, const char *ifname, const char *key)
{
	char path[128], buf[16] = "";
	FILE *f;
	int v = -1;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv%d/conf/%s/%s",
		 family == AF_INET6 ? 6 : 4, ifname, key);
	if ((f = fopen(path, "re")) && fgets(buf, sizeof(buf), f))
		v = atoi(buf);
	if (f)
		fclose(f);
	return v;
}

/* Raise a setting to at least min, never lowering a stricter one. */
static void sysctl_raise(const char *ifname, const char *key, int min)
{
	char v[12];

	if (sysctl_get(AF_INET, ifname, key) >= min)
		return;
	snprintf(v, sizeof(v), "%d", min);
	if (vmac_sysctl_set(AF_INET, ifname, key, v) < 0)
		log_warn("vmac: net.ipv4.conf.%s.%s = %s", ifname, key, v);
	else
		log_info("vmac: set net.ipv4.conf.%s.%s = %s", ifname, key, v);
}

static int nl_err(const char *what, const char *name, int err)
{
	errno = err == -NLE_EXIST ? EEXIST : err == -NLE_NODEV || err == -NLE_OBJ_NOTFOUND ?
		ENODEV : err == -NLE_PERM ? EPERM : err == -NLE_OPNOTSUPP ? EOPNOTSUPP : EIO;
	if (errno == EIO)
		log_warnx("vmac: %s %s: %s", what, name, nl_geterror(err));
	return -1;
}

static struct nl_sock *nl_open(void)
{
	struct nl_sock *sk = nl_socket_alloc();

	if (!sk) {
		errno = ENOMEM;
		return NULL;
	}
	if (nl_connect(sk, NETLINK_ROUTE) < 0) {
		nl_socket_free(sk);
		errno = EIO;
		return NULL;
	}
	return sk;
}

/* ---- the journal: one macvlan name per line (journal.c) ---------------- */

static struct journal *vmac_journal(const char *runtime_dir)
{
	char path[PATH_MAX];

	if ((size_t)snprintf(path, sizeof(path), "%s/vmacs", runtime_dir) >= sizeof(path)) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	return journal_open(path, "macvlan", false);
}

/* A link of ours: a macvlan with a VRRP MAC (and, when base > 0, on base). */
static bool link_is_ours(struct rtnl_link *l, int base)
{
	struct nl_addr *hw = rtnl_link_get_addr(l);
	const char *type = rtnl_link_get_type(l);

	return type && !strcmp(type, "macvlan") && hw && nl_addr_get_len(hw) == 6 &&
	       is_vrrp_mac(nl_addr_get_binary_addr(hw)) &&
	       (base <= 0 || rtnl_link_get_link(l) == base);
}

/* Delete the link `name` if it is ours. 1 deleted, 0 absent, -1/errno
 * (EEXIST: a link by that name that is not ours). */
static int link_remove(struct nl_sock *sk, const char *name, int base)
{
	struct rtnl_link *l = NULL;
	int err = rtnl_link_get_kernel(sk, 0, name, &l);

	if (err == -NLE_OBJ_NOTFOUND || err == -NLE_NODEV)
		return 0;
	if (err < 0)
		return nl_err("looking up", name, err);
	if (!link_is_ours(l, base)) {
		rtnl_link_put(l);
		errno = EEXIST;
		return -1;
	}
	err = rtnl_link_delete(sk, l);
	rtnl_link_put(l);
	if (err == -NLE_OBJ_NOTFOUND || err == -NLE_NODEV)
		return 0;
	return err < 0 ? nl_err("deleting", name, err) : 1;
}

struct cleanup {
	struct nl_sock *sk;
	const char *path;
	int removed;
};

/* Remove one journaled macvlan if it is ours. Every line goes, as before
 * the journal was shared: a macvlan that would not go is one the next
 * vmac_create of that name replaces. */
static bool cleanup_line(const char *line, size_t len, unsigned int lineno, void *arg)
{
	struct cleanup *c = arg;
	char name[IFNAMSIZ];

	if (len == 0)
		return false;
	/* A name is shorter than IFNAMSIZ and holds no NUL: anything else is
	 * no link's, and no piece of it is taken for one. */
	if (len >= IFNAMSIZ || memchr(line, '\0', len)) {
		log_warnx("%s:%u: malformed macvlan journal line skipped: %.*s", c->path, lineno,
			  (int)(len > 80 ? 80 : len), line);
		return false;
	}
	memcpy(name, line, len);
	name[len] = '\0';
	if (link_remove(c->sk, name, 0) > 0) {
		log_warnx("removed macvlan %s (listed in the macvlan journal)", name);
		c->removed++;
	} else if (errno == EEXIST) {
		log_warnx("vmac journal lists %s, which is not a VRRP macvlan: left alone", name);
	}
	return false;
}

int vmac_journal_cleanup(const char *runtime_dir)
{
	struct journal *j = vmac_journal(runtime_dir);
	struct cleanup c = { 0 };
	int rc;

	if (!j)
		return -1;
	if (!(c.sk = nl_open())) {
		journal_close(j);
		return -1;
	}
	c.path = journal_path(j);
	rc = journal_replay(j, cleanup_line, &c);
	nl_socket_free(c.sk);
	journal_close(j);
	return rc < 0 ? -1 : c.removed;
}

/* ---- creation ----------------------------------------------------------- */

static int link_add(struct vmac *vm)
{
	struct rtnl_link *l = rtnl_link_macvlan_alloc();
	struct nl_addr *hw = nl_addr_build(AF_LLC, vm->mac, 6);
	int err = -NLE_NOMEM;

	if (l && hw) {
		rtnl_link_set_name(l, vm->name);
		rtnl_link_set_link(l, vm->base_ifindex);
		rtnl_link_set_addr(l, hw);
		rtnl_link_macvlan_set_mode(l, MACVLAN_MODE_BRIDGE);
		err = rtnl_link_add(vm->sk, l, NLM_F_CREATE | NLM_F_EXCL);
	}
	if (hw)
		nl_addr_put(hw);
	if (l)
		rtnl_link_put(l);
	if (err < 0)
		return nl_err("creating macvlan", vm->name, err);
	vm->ifindex = (int)if_nametoindex(vm->name);
	return vm->ifindex > 0 ? 0 : -1;
}

/* What the macvlan and its base need (see the README's use_vmac notes):
 * - the macvlan answers ARP only for its own addresses, the VIPs
 *   (arp_ignore 1; 8, never, on an IPv6 instance's), and asks from its own
 *   address (arp_announce 2), so the node's own address never maps to the
 *   VMAC; arp_filter 0, since replies leave by the base's route; rp_filter
 *   0, since the route back to a client goes through the base;
 * - the base stops answering ARP for the VIPs (now on the macvlan) with its
 *   own MAC (arp_ignore >= 1) and never announces a VIP as its sender
 *   (arp_announce >= 2);
 * - IPv4 instances: no IPv6 on the macvlan, so nothing at all leaves it
 *   but ours; IPv6 ones: no link-local derived from the VMAC (item 35:
 *   addr_gen_mode 1, none), no DAD, no RAs or RSs.
 * accept_local is not needed: the base's own packets never come back in
 * through the macvlan. */
static void sysctls_set(const struct vmac *vm)
{
	char base[IFNAMSIZ];
	const char *v4[][2] = {
		{ "arp_ignore", vm->family == AF_INET ? "1" : "8" }, { "arp_announce", "2" },
		{ "arp_filter", "0" }, { "rp_filter", "0" },
	};
	const char *v6[][2] = {
		{ "addr_gen_mode", "1" }, { "accept_dad", "0" }, { "dad_transmits", "0" },
		{ "accept_ra", "0" }, { "router_solicitations", "0" },
	};
	bool ok = true;

	for (size_t i = 0; i < sizeof(v4) / sizeof(v4[0]); i++)
		ok &= vmac_sysctl_set(AF_INET, vm->name, v4[i][0], v4[i][1]) == 0;
	if (vm->family == AF_INET)
		ok &= vmac_sysctl_set(AF_INET6, vm->name, "disable_ipv6", "1") == 0 || errno == ENOENT;
	for (size_t i = 0; vm->family == AF_INET6 && i < sizeof(v6) / sizeof(v6[0]); i++)
		ok &= vmac_sysctl_set(AF_INET6, vm->name, v6[i][0], v6[i][1]) == 0;
	if (!ok)
		log_warn("vmac: setting the sysctls of %s", vm->name);
	if (vm->family == AF_INET && if_indextoname((unsigned)vm->base_ifindex, base)) {
		sysctl_raise(base, "arp_ignore", 1);
		sysctl_raise(base, "arp_announce", 2);
	}
	/* The kernel uses the larger of "all" and the interface's value. */
	if (sysctl_get(AF_INET, "all", "rp_filter") == 1)
		log_warnx("vmac: net.ipv4.conf.all.rp_filter is 1 (strict): traffic to the VIPs on %s "
			  "is dropped; set it to 0 or 2", vm->name);
	if (sysctl_get(AF_INET, "all", "arp_filter") == 1)
		log_warnx("vmac: net.ipv4.conf.all.arp_filter is 1: %s will not answer ARP", vm->name);
}

static int tx_open(struct vmac *vm)
{
	int off = 0;

	if ((vm->tx_fd = vrrp_sock_open_tx(vm->family)) < 0)
		return -1;
	/* Our own adverts need not come back to us through the macvlan. */
	if (vm->family == AF_INET)
		setsockopt(vm->tx_fd, IPPROTO_IP, IP_MULTICAST_LOOP, &off, sizeof(off));
	else
		setsockopt(vm->tx_fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &off, sizeof(off));
	return 0;
}

int vmac_create(struct vmac **out, const char *runtime_dir, const char *name,
		int base_ifindex, int family, uint8_t vrid)
{
	struct vmac *vm = calloc(1, sizeof(*vm));
	int saved;

	if (!vm)
		return -1;
	vm->tx_fd = -1;
	vm->base_ifindex = base_ifindex;
	vm->family = family;
	snprintf(vm->name, sizeof(vm->name), "%s", name);
	vmac_mac(family, vrid, vm->mac);
	if (!(vm->journal = vmac_journal(runtime_dir)) || !(vm->sk = nl_open()))
		goto fail;
	/* Journal first: a crash in between leaves a line for nothing. */
	if (journal_append(vm->journal, vm->name) < 0)
		goto fail;
	vm->journaled = true;
	/* One left by a run whose journal was lost: ours by every sign. */
	if (link_remove(vm->sk, vm->name, base_ifindex) < 0 || link_add(vm) < 0 ||
	    tx_open(vm) < 0)
		goto fail;
	sysctls_set(vm);
	*out = vm;
	return 0;
fail:
	saved = errno;
	vmac_destroy(vm);
	errno = saved;
	return -1;
}

void vmac_destroy(struct vmac *vm)
{
	if (!vm)
		return;
	if (vm->tx_fd >= 0)
		close(vm->tx_fd);
	if (vm->sk && vm->ifindex > 0 && link_remove(vm->sk, vm->name, vm->base_ifindex) < 0 &&
	    errno != EEXIST)
		log_warn("vmac: removing %s", vm->name);
	if (vm->journaled && journal_remove(vm->journal, vm->name) < 0)
		log_warn("vmac: journal %s", journal_path(vm->journal));
	journal_close(vm->journal);
	if (vm->sk)
		nl_socket_free(vm->sk);
	free(vm);
}

int vmac_ifindex(const struct vmac *vm)
{
	return vm->ifindex;
}

const char *vmac_ifname(const struct vmac *vm)
{
	return vm->name;
}

void vmac_get_mac(const struct vmac *vm, unsigned char mac[6])
{
	memcpy(mac, vm->mac, 6);
}

/* ---- master / backup ---------------------------------------------------- */

static int link_set_up(struct vmac *vm, bool up)
{
	struct rtnl_link *orig = rtnl_link_alloc(), *chg = rtnl_link_alloc();
	int err = -NLE_NOMEM;

	if (orig && chg) {
		rtnl_link_set_ifindex(orig, vm->ifindex);
		if (up)
			rtnl_link_set_flags(chg, IFF_UP);
		else
			rtnl_link_unset_flags(chg, IFF_UP);
		err = rtnl_link_change(vm->sk, orig, chg, 0);
	}
	if (orig)
		rtnl_link_put(orig);
	if (chg)
		rtnl_link_put(chg);
	return err < 0 ? nl_err(up ? "bringing up" : "taking down", vm->name, err) : 0;
}

int vmac_activate(struct vmac *vm, struct vip_ctx *vip, const struct hafd_addr *ll)
{
	if (!vm->up) {
		if (link_set_up(vm, true) < 0) {
			log_warn("vmac: %s up", vm->name);
			return -1;
		}
		vm->up = true;
	}
	/* IPv6 adverts and NAs must leave from a link-local address of the
	 * interface they leave by: the base's, so peers see the same source
	 * whether or not we use a VMAC (and none derived from the VMAC). */
	if (vm->family == AF_INET6 && !vm->ll_added && ll && ll->family == AF_INET6) {
		vm->ll = *ll;
		vm->ll.prefix = 64;
		if (vip_add(vip, vm->ifindex, &vm->ll) < 0) {
			log_warn("vmac: link-local address on %s", vm->name);
			return -1;
		}
		vm->ll_added = true;
	}
	return 0;
}

void vmac_deactivate(struct vmac *vm, struct vip_ctx *vip)
{
	if (vm->ll_added && vip_del(vip, vm->ifindex, &vm->ll) < 0)
		log_warn("vmac: link-local address on %s", vm->name);
	vm->ll_added = false;
	if (vm->up && link_set_up(vm, false) < 0)
		log_warn("vmac: %s down", vm->name);
	vm->up = false;
}

static bool is_group(const struct hafd_addr *dst)
{
	struct hafd_addr g;

	vrrp_sock_group(dst->family, &g);
	return addr_equal(&g, dst);
}

int vmac_tx_ifindex(const struct vmac *vm, int base_ifindex, const struct hafd_addr *dst)
{
	return vm && vm->up && is_group(dst) ? vm->ifindex : base_ifindex;
}

int vmac_send(struct vmac *vm, struct vrrp_sock *s, const struct hafd_addr *src,
	      const struct hafd_addr *dst, const uint8_t *buf, size_t len)
{
	if (!vm || !vm->up || !is_group(dst))
		return vrrp_sock_send(s, src, dst, buf, len);
	return vrrp_sock_sendto(vm->tx_fd, vm->family, vm->ifindex, src, dst, buf, len);
}
