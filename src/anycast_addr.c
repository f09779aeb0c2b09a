/* anycast_addr.c: service addresses with a lifetime (anycast_addr.h).
 *
 * Why an address with a lifetime and not a route: the kernel gives both
 * IPv4 and IPv6 addresses a valid lifetime after which it deletes them by
 * itself (IFA_CACHEINFO; `ip addr add ... valid_lft`), while an IPv4
 * route has no expiry. The routing daemon (FRR's zebra) sees the address
 * go as it sees `ip addr del`, and bgpd withdraws the connected route it
 * redistributed. */
#include "anycast_addr.h"

#include <errno.h>
#include <net/if.h>
#include <sys/socket.h>

#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <netlink/errno.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>

/* libnl's error as an errno (the few that matter here; EIO for the rest). */
static int nl_errno(int err)
{
	switch (-err) {
	case NLE_NODEV: return ENODEV;
	case NLE_NOMEM: return ENOMEM;
	case NLE_PERM: return EPERM;
	case NLE_INVAL: return EINVAL;
	case NLE_NOADDR: return EADDRNOTAVAIL;
	default: return EIO;
	}
}

int anycast_addr_open(struct nl_sock **out)
{
	struct nl_sock *sk = nl_socket_alloc();
	int err;

	if (!sk) {
		errno = ENOMEM;
		return -1;
	}
	if ((err = nl_connect(sk, NETLINK_ROUTE)) < 0) {
		nl_socket_free(sk);
		errno = nl_errno(err);
		return -1;
	}
	*out = sk;
	return 0;
}

void anycast_addr_close(struct nl_sock *sk)
{
	if (sk)
		nl_socket_free(sk);
}

/* A request for a as a host address on ifname; NULL with errno. */
static struct rtnl_addr *tmpl(const char *ifname, const struct hafd_addr *a)
{
	unsigned ifindex = if_nametoindex(ifname);
	unsigned host = a->family == AF_INET ? 32 : 128;
	struct rtnl_addr *ra;
	struct nl_addr *local;
	int err;

	if (!ifindex) {
		errno = ENODEV;
		return NULL;
	}
	ra = rtnl_addr_alloc();
	local = nl_addr_build(a->family, a->u.b, addr_len(a));
	err = ra && local ? 0 : -NLE_NOMEM;
	if (!err) {
		nl_addr_set_prefixlen(local, (int)host);
		err = rtnl_addr_set_local(ra, local);
	}
	if (local)
		nl_addr_put(local);
	if (err < 0) {
		if (ra)
			rtnl_addr_put(ra);
		errno = nl_errno(err);
		return NULL;
	}
	rtnl_addr_set_ifindex(ra, (int)ifindex);
	rtnl_addr_set_family(ra, a->family);
	rtnl_addr_set_prefixlen(ra, (int)host);
	rtnl_addr_set_scope(ra, RT_SCOPE_UNIVERSE);
	return ra;
}

int anycast_addr_put(struct nl_sock *sk, const char *ifname, const struct hafd_addr *a,
		     unsigned lease_s)
{
	struct rtnl_addr *ra = tmpl(ifname, a);
	int err;

	if (!ra)
		return -1;
	/* No DAD: usable at once; the address is on many hosts by design. */
	if (a->family == AF_INET6)
		rtnl_addr_set_flags(ra, IFA_F_NODAD);
	rtnl_addr_set_valid_lifetime(ra, lease_s);
	rtnl_addr_set_preferred_lifetime(ra, lease_s);
	/* REPLACE: a renewal only moves the lifetimes on. */
	err = rtnl_addr_add(sk, ra, NLM_F_REPLACE);
	rtnl_addr_put(ra);
	if (err < 0 && err != -NLE_EXIST) {
		errno = nl_errno(err);
		return -1;
	}
	return 0;
}

int anycast_addr_del(struct nl_sock *sk, const char *ifname, const struct hafd_addr *a)
{
	struct rtnl_addr *ra = tmpl(ifname, a);
	int err;

	if (!ra)
		return errno == ENODEV ? 0 : -1;
	err = rtnl_addr_delete(sk, ra, 0);
	rtnl_addr_put(ra);
	if (err < 0 && err != -NLE_NOADDR && err != -NLE_OBJ_NOTFOUND && err != -NLE_NODEV) {
		errno = nl_errno(err);
		return -1;
	}
	return 0;
}
