/* ifcache.c: links and addresses through libnl-route (see ifcache.h). A
 * cache manager keeps link and address caches current from rtnetlink
 * events read on the loop; resync dumps go through a second, plain
 * socket. */
#include "ifcache.h"

#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <netlink/cache.h>
#include <netlink/errno.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>

#include "log.h"
#include "loop.h"

/* Room for a burst of events (a link flap with many addresses) between two
 * loop turns; an overrun costs a full resync. */
#define IFCACHE_RCVBUF (4 << 20)
#define RESYNC_RETRY_US 1000000u

struct ifcache {
	struct loop *loop;
	struct ifcache_events ev;
	struct nl_sock *ev_sk;          /* the manager's: events only */
	struct nl_sock *req_sk;         /* requests and resync dumps */
	struct nl_cache_mngr *mngr;
	struct nl_cache *links, *addrs; /* owned by mngr */
	int fd;                         /* ev_sk's, watched by the loop; -1 */
	struct timer resync_retry;
	struct timer change_due;        /* report the interfaces in changed[] */
	int *changed;
	size_t n_changed;
};

static void resync(struct ifcache *v);

static const int nle_errno[][2] = {
	{ NLE_NOMEM, ENOMEM }, { NLE_EXIST, EEXIST }, { NLE_NOADDR, EADDRNOTAVAIL },
	{ NLE_OBJ_NOTFOUND, ENOENT }, { NLE_NODEV, ENODEV }, { NLE_PERM, EPERM },
	{ NLE_NOACCESS, EACCES }, { NLE_INVAL, EINVAL }, { NLE_RANGE, ERANGE },
	{ NLE_BUSY, EBUSY }, { NLE_AGAIN, EAGAIN }, { NLE_INTR, EINTR },
	{ NLE_OPNOTSUPP, EOPNOTSUPP }, { NLE_AF_NOSUPPORT, EAFNOSUPPORT },
	{ NLE_BAD_SOCK, EBADF },
};

int ifcache_nl_fail(const char *what, int err)
{
	errno = EIO;
	for (size_t i = 0; i < sizeof(nle_errno) / sizeof(nle_errno[0]); i++)
		if (nle_errno[i][0] == -err)
			errno = nle_errno[i][1];
	if (errno == EIO)
		log_warnx("netlink: %s: %s", what, nl_geterror(err));
	return -1;
}

/* The local address of an rtnl_addr; false for anything but IPv4/IPv6. */
static bool addr_get(struct rtnl_addr *ra, struct hafd_addr *out)
{
	struct nl_addr *local = rtnl_addr_get_local(ra);
	int family = local ? nl_addr_get_family(local) : 0;
	unsigned int len = local ? nl_addr_get_len(local) : 0;

	if (!((family == AF_INET && len == 4) || (family == AF_INET6 && len == 16)))
		return false;
	addr_from_bytes(out, family, nl_addr_get_binary_addr(local));
	out->prefix = (uint8_t)rtnl_addr_get_prefixlen(ra);
	return true;
}

static bool link_is_up(struct rtnl_link *l)
{
	unsigned int flags = rtnl_link_get_flags(l);

	/* IFF_RUNNING follows the operational state: a veth whose peer is down
	 * is IFF_UP without it, and must count as down. */
	return (flags & IFF_UP) && (flags & IFF_RUNNING);
}

int ifcache_ifname(struct ifcache *v, int ifindex, char name[IFNAMSIZ])
{
	if (rtnl_link_i2name(v->links, ifindex, name, IFNAMSIZ))
		return 0;
	/* The cache lags a link created a moment ago. */
	if (if_indextoname((unsigned int)ifindex, name))
		return 0;
	errno = ENODEV;
	return -1;
}

static void link_report(struct ifcache *v, struct rtnl_link *l, bool exists)
{
	const char *name = rtnl_link_get_name(l);

	/* Bridge port records share the port's ifindex: not links of their own. */
	if (!v->ev.link_change || rtnl_link_get_family(l) == AF_BRIDGE)
		return;
	v->ev.link_change(v->ev.arg, rtnl_link_get_ifindex(l), name ? name : "", exists,
			  exists && link_is_up(l));
}

static void link_event(struct nl_cache *c, struct nl_object *obj, int act, void *arg)
{
	link_report(arg, (struct rtnl_link *)obj, act != NL_ACT_DEL);
}

static void change_due(struct timer *t, void *arg)
{
	struct ifcache *v = arg;
	size_t n = v->n_changed;

	(void)t;
	v->n_changed = 0;
	for (size_t i = 0; i < n; i++)
		v->ev.addr_change(v->ev.arg, v->changed[i]);
}

/* addr_change once per interface and loop turn: adding or removing many
 * VIPs at once must not cost a primary-address search per address. */
static void change_later(struct ifcache *v, int ifindex)
{
	int *grown;

	for (size_t i = 0; i < v->n_changed; i++)
		if (v->changed[i] == ifindex)
			return;
	if (!(grown = realloc(v->changed, (v->n_changed + 1) * sizeof(*grown)))) {
		v->ev.addr_change(v->ev.arg, ifindex);  /* no room: at once */
		return;
	}
	v->changed = grown;
	v->changed[v->n_changed++] = ifindex;
	loop_timer_soon(v->loop, &v->change_due);
}

static void addr_event(struct nl_cache *c, struct nl_object *obj, int act, void *arg)
{
	struct ifcache *v = arg;
	struct rtnl_addr *ra = (struct rtnl_addr *)obj;
	int ifindex = rtnl_addr_get_ifindex(ra);
	struct hafd_addr a;

	if (act == NL_ACT_DEL && v->ev.addr_deleted && addr_get(ra, &a))
		v->ev.addr_deleted(v->ev.arg, ifindex, &a);
	/* CHANGE too: a link-local that finished DAD can become the primary. */
	if (v->ev.addr_change)
		change_later(v, ifindex);
}

static void events_ready(int fd, uint32_t events, void *arg)
{
	struct ifcache *v = arg;
	int err = nl_cache_mngr_data_ready(v->mngr);

	if (err >= 0)
		return;
	/* ENOBUFS comes back as NLE_NOMEM: the kernel dropped events. */
	if (err == -NLE_NOMEM)
		log_warnx("netlink: events lost (receive buffer overrun), resyncing links and addresses");
	else
		log_warnx("netlink: reading events: %s; resyncing links and addresses",
			  nl_geterror(err));
	resync(v);
}

/* Drop what is queued: events older than the dump would replay stale state. */
static void events_drain(int fd)
{
	char buf[4096];

	for (int i = 0; i < 100000; i++)
		if (recv(fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC) < 0 &&
		    errno != ENOBUFS && errno != EINTR)
			break;
}

/* After lost events: dump both caches again. nl_cache_resync() reports the
 * differences through the usual callbacks (links and addresses that went
 * away unseen included); then every link is reported, for the daemon to
 * re-read what it depends on. */
static void resync(struct ifcache *v)
{
	struct nl_object *o;
	int err;

	events_drain(v->fd);
	if ((err = nl_cache_resync(v->req_sk, v->links, link_event, v)) < 0 ||
	    (err = nl_cache_resync(v->req_sk, v->addrs, addr_event, v)) < 0) {
		log_warnx("netlink: resync failed: %s; retrying", nl_geterror(err));
		loop_timer_in(v->loop, &v->resync_retry, RESYNC_RETRY_US);
		return;
	}
	loop_timer_cancel(v->loop, &v->resync_retry);
	for (o = nl_cache_get_first(v->links); o; o = nl_cache_get_next(o)) {
		struct rtnl_link *l = (struct rtnl_link *)o;

		link_report(v, l, true);
		if (v->ev.addr_change && rtnl_link_get_family(l) != AF_BRIDGE)
			v->ev.addr_change(v->ev.arg, rtnl_link_get_ifindex(l));
	}
}

static void resync_due(struct timer *t, void *arg)
{
	resync(arg);
}

int ifcache_open(struct ifcache **out, struct loop *loop, const struct ifcache_events *ev)
{
	struct ifcache *v = calloc(1, sizeof(*v));
	int err, fd, rcvbuf = IFCACHE_RCVBUF;

	if (!v)
		return -1;
	v->loop = loop;
	v->fd = -1;
	timer_init(&v->resync_retry, resync_due, v);
	timer_init(&v->change_due, change_due, v);
	if (ev)
		v->ev = *ev;
	if (!(v->ev_sk = nl_socket_alloc()) || !(v->req_sk = nl_socket_alloc())) {
		errno = ENOMEM;
		goto fail;
	}
	if ((err = nl_connect(v->req_sk, NETLINK_ROUTE)) < 0 ||
	    (err = nl_cache_mngr_alloc(v->ev_sk, NETLINK_ROUTE, NL_AUTO_PROVIDE, &v->mngr)) < 0)
		goto fail_nl;
	/* FORCE passes net.core.rmem_max, for root; others get what it allows. */
	fd = nl_socket_get_fd(v->ev_sk);
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	/* Links first: the address cache resolves names through it. */
	if ((err = nl_cache_mngr_add(v->mngr, "route/link", link_event, v, &v->links)) < 0 ||
	    (err = nl_cache_mngr_add(v->mngr, "route/addr", addr_event, v, &v->addrs)) < 0)
		goto fail_nl;
	if (loop_fd_add(loop, fd, EPOLLIN, events_ready, v) < 0)
		goto fail;
	v->fd = fd;
	*out = v;
	return 0;
fail_nl:
	ifcache_nl_fail("open", err);
fail:
	err = errno;
	ifcache_close(v);
	errno = err;
	return -1;
}

void ifcache_close(struct ifcache *v)
{
	if (!v)
		return;
	if (v->fd >= 0)
		loop_fd_del(v->loop, v->fd);
	loop_timer_cancel(v->loop, &v->resync_retry);
	loop_timer_cancel(v->loop, &v->change_due);
	nl_cache_mngr_free(v->mngr);    /* closes ev_sk, frees the caches */
	if (v->ev_sk)
		nl_socket_free(v->ev_sk);
	if (v->req_sk)
		nl_socket_free(v->req_sk);
	free(v->changed);
	free(v);
}

int ifcache_ifindex(struct ifcache *v, const char *ifname)
{
	int ifindex = rtnl_link_name2i(v->links, ifname);

	if (ifindex <= 0) {
		errno = ENODEV;
		return 0;
	}
	return ifindex;
}

bool ifcache_link_up(struct ifcache *v, int ifindex)
{
	struct rtnl_link *l = rtnl_link_get(v->links, ifindex);
	bool up = l && link_is_up(l);

	if (l)
		rtnl_link_put(l);
	return up;
}

int ifcache_link_mac(struct ifcache *v, int ifindex, unsigned char mac[6])
{
	struct rtnl_link *l = rtnl_link_get(v->links, ifindex);
	struct nl_addr *hw = l ? rtnl_link_get_addr(l) : NULL;
	bool ok = hw && nl_addr_get_len(hw) == 6;

	if (ok)
		memcpy(mac, nl_addr_get_binary_addr(hw), 6);
	else
		errno = l ? EADDRNOTAVAIL : ENODEV;
	if (l)
		rtnl_link_put(l);
	return ok ? 0 : -1;
}

int ifcache_primary(struct ifcache *v, int ifindex, int family, ifcache_skip_fn skip,
		    void *arg, struct hafd_addr *out)
{
	struct hafd_addr a, second = { 0 };
	struct nl_object *o;

	for (o = nl_cache_get_first(v->addrs); o; o = nl_cache_get_next(o)) {
		struct rtnl_addr *ra = (struct rtnl_addr *)o;
		unsigned int flags = rtnl_addr_get_flags(ra);

		if (rtnl_addr_get_ifindex(ra) != ifindex || rtnl_addr_get_family(ra) != family ||
		    !addr_get(ra, &a) || (skip && skip(arg, ifindex, &a)))
			continue;
		if (family == AF_INET6) {
			if (!addr_is_linklocal6(&a) || (flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED)))
				continue;
		} else if (flags & IFA_F_SECONDARY) {
			/* Secondary only because a VIP came first in its subnet. */
			if (!second.family)
				second = a;
			continue;
		}
		*out = a;
		return 0;
	}
	if (second.family) {
		*out = second;
		return 0;
	}
	errno = EADDRNOTAVAIL;
	return -1;
}

bool ifcache_present(struct ifcache *v, int ifindex, const struct hafd_addr *a)
{
	struct nl_object *o;
	struct hafd_addr b;

	for (o = nl_cache_get_first(v->addrs); o; o = nl_cache_get_next(o)) {
		struct rtnl_addr *ra = (struct rtnl_addr *)o;

		if (rtnl_addr_get_ifindex(ra) == ifindex && addr_get(ra, &b) && addr_equal(&b, a))
			return true;
	}
	return false;
}
