/* ifcache.c: links and addresses through libnl-route (see ifcache.h). A cache manager
 * keeps link and address caches current from rtnetlink events read on the
 * loop; requests go through a second, plain socket. The journal records a
 * VIP before it is added, so that a crashed run's VIPs can be removed. */
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

#include "journal.h"
#include "log.h"
#include "loop.h"

/* Room for a burst of events (a link flap with many addresses) between two
 * loop turns; an overrun costs a full resync. */
#define VIP_RCVBUF (4 << 20)
#define RESYNC_RETRY_US 1000000u

struct vip_ent {
	int ifindex;
	char ifname[IFNAMSIZ];          /* at add time: the link may go first */
	struct hafd_addr a;
};

struct vip_ctx {
	struct loop *loop;
	struct vip_events ev;
	struct journal *journal;        /* NULL: no journal */
	struct nl_sock *ev_sk;          /* the manager's: events only */
	struct nl_sock *req_sk;         /* requests and resync dumps */
	struct nl_cache_mngr *mngr;
	struct nl_cache *links, *addrs; /* owned by mngr */
	int fd;                         /* ev_sk's, watched by the loop; -1 */
	struct timer resync_retry;
	struct vip_ent *added;          /* VIPs hafd added: never a primary */
	size_t n_added;
	struct timer journal_due;       /* rewrite the journal as added[] */
	struct timer change_due;        /* report the interfaces in changed[] */
	int *changed;
	size_t n_changed;
};

static void resync(struct vip_ctx *v);

static const int nle_errno[][2] = {
	{ NLE_NOMEM, ENOMEM }, { NLE_EXIST, EEXIST }, { NLE_NOADDR, EADDRNOTAVAIL },
	{ NLE_OBJ_NOTFOUND, ENOENT }, { NLE_NODEV, ENODEV }, { NLE_PERM, EPERM },
	{ NLE_NOACCESS, EACCES }, { NLE_INVAL, EINVAL }, { NLE_RANGE, ERANGE },
	{ NLE_BUSY, EBUSY }, { NLE_AGAIN, EAGAIN }, { NLE_INTR, EINTR },
	{ NLE_OPNOTSUPP, EOPNOTSUPP }, { NLE_AF_NOSUPPORT, EAFNOSUPPORT },
	{ NLE_BAD_SOCK, EBADF },
};

/* errno from a libnl error (-NLE_*); what has no errno of its own is EIO,
 * logged with libnl's words. Returns -1. */
static int nl_fail(const char *what, int err)
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

/* A request: ifindex, family, local address and prefix. */
static struct rtnl_addr *addr_tmpl(int ifindex, const struct hafd_addr *a)
{
	struct rtnl_addr *ra = rtnl_addr_alloc();
	struct nl_addr *local = nl_addr_build(a->family, a->u.b, addr_len(a));
	int err = -NLE_NOMEM;

	if (ra && local) {
		nl_addr_set_prefixlen(local, a->prefix);
		err = rtnl_addr_set_local(ra, local);  /* takes its own reference */
	}
	if (local)
		nl_addr_put(local);
	if (err < 0) {
		if (ra)
			rtnl_addr_put(ra);
		nl_fail("address", err);
		return NULL;
	}
	rtnl_addr_set_ifindex(ra, ifindex);
	rtnl_addr_set_family(ra, a->family);
	rtnl_addr_set_prefixlen(ra, a->prefix);
	return ra;
}

/* Delete an address: 1 removed, 0 already absent (or its link), -1/errno. */
static int addr_remove(struct nl_sock *sk, int ifindex, const struct hafd_addr *a)
{
	struct rtnl_addr *ra = addr_tmpl(ifindex, a);
	int err;

	if (!ra)
		return -1;
	err = rtnl_addr_delete(sk, ra, 0);
	rtnl_addr_put(ra);
	if (err == -NLE_NOADDR || err == -NLE_OBJ_NOTFOUND || err == -NLE_NODEV)
		return 0;
	return err < 0 ? nl_fail("delete address", err) : 1;
}

static bool link_is_up(struct rtnl_link *l)
{
	unsigned int flags = rtnl_link_get_flags(l);

	/* IFF_RUNNING follows the operational state: a veth whose peer is down
	 * is IFF_UP without it, and must count as down. */
	return (flags & IFF_UP) && (flags & IFF_RUNNING);
}

static int link_name(struct vip_ctx *v, int ifindex, char name[IFNAMSIZ])
{
	if (rtnl_link_i2name(v->links, ifindex, name, IFNAMSIZ))
		return 0;
	/* The cache lags a link created a moment ago. */
	if (if_indextoname((unsigned int)ifindex, name))
		return 0;
	errno = ENODEV;
	return -1;
}

static struct vip_ent *added_find(struct vip_ctx *v, int ifindex, const struct hafd_addr *a)
{
	for (size_t i = 0; i < v->n_added; i++)
		if (v->added[i].ifindex == ifindex && addr_equal(&v->added[i].a, a))
			return &v->added[i];
	return NULL;
}

static int added_remember(struct vip_ctx *v, int ifindex, const char *ifname,
			  const struct hafd_addr *a)
{
	struct vip_ent *e = added_find(v, ifindex, a), *grown;

	if (!e) {
		/* A handful per interface: growing one at a time is fine. */
		if (!(grown = realloc(v->added, (v->n_added + 1) * sizeof(*grown))))
			return -1;
		v->added = grown;
		e = &v->added[v->n_added++];
	}
	e->ifindex = ifindex;
	snprintf(e->ifname, sizeof(e->ifname), "%s", ifname);
	e->a = *a;
	return 0;
}

static void added_forget(struct vip_ctx *v, int ifindex, const struct hafd_addr *a)
{
	struct vip_ent *e = added_find(v, ifindex, a);

	if (e)
		*e = v->added[--v->n_added];
}

/* "IFNAME ADDR/PREFIX" (len bytes) into its parts; -1 when malformed. */
static int journal_parse(const char *line, size_t len, char ifname[IFNAMSIZ],
			 struct hafd_addr *a)
{
	char buf[IFNAMSIZ + ADDR_STRLEN + 2], abuf[ADDR_STRLEN + 1];
	int end = 0;

	if (len >= sizeof(buf) || memchr(line, '\0', len))
		return -1;
	memcpy(buf, line, len);
	buf[len] = '\0';
	/* 15: IFNAMSIZ - 1; 50: ADDR_STRLEN, with the NUL in abuf's + 1. */
	if (sscanf(buf, "%15s %50s%n", ifname, abuf, &end) != 2 || buf[end] ||
	    !strchr(abuf, '/'))
		return -1;
	return addr_parse(abuf, a);
}

/* A VIP about to be added: one line at the end. A crash mid-write leaves
 * a malformed last line that cleanup skips, for an address not yet added. */
static int journal_add(struct vip_ctx *v, const char *ifname, const struct hafd_addr *a)
{
	char line[IFNAMSIZ + ADDR_STRLEN + 2], abuf[ADDR_STRLEN];

	snprintf(line, sizeof(line), "%s %s", ifname, addr_format(a, abuf, sizeof(abuf)));
	return journal_append(v->journal, line);
}

/* The journal rewritten as the VIPs hafd holds (added[]). Lines of VIPs
 * that went stay until then: harmless, as cleanup ignores absent ones. */
static int journal_compact(struct vip_ctx *v)
{
	char *text = malloc(v->n_added * (IFNAMSIZ + ADDR_STRLEN + 2) + 1), abuf[ADDR_STRLEN];
	size_t n = 0;
	int rc;

	if (!text)
		return -1;
	for (size_t i = 0; i < v->n_added; i++)
		n += (size_t)sprintf(text + n, "%s %s\n", v->added[i].ifname,
				     addr_format(&v->added[i].a, abuf, sizeof(abuf)));
	rc = journal_store(v->journal, text, n);
	free(text);
	return rc;
}

static void journal_due(struct timer *t, void *arg)
{
	struct vip_ctx *v = arg;

	(void)t;
	if (journal_compact(v) < 0)
		log_warn("vip: rewriting journal %s", journal_path(v->journal));
}

/* Once the timers due now have run: a mass failover rewrites it once. */
static void journal_later(struct vip_ctx *v)
{
	if (v->journal)
		loop_timer_soon(v->loop, &v->journal_due);
}

/* Journaled VIPs still in place are VIPs too (vip_primary skips them). */
static bool adopt_line(const char *line, size_t len, unsigned int lineno, void *arg)
{
	struct vip_ctx *v = arg;
	char name[IFNAMSIZ];
	struct hafd_addr a;
	int ifindex;

	if (journal_parse(line, len, name, &a) == 0 &&
	    (ifindex = rtnl_link_name2i(v->links, name)) > 0)
		added_remember(v, ifindex, name, &a);
	return true;
}

struct cleanup {
	struct nl_sock *sk;
	const char *path;
	int removed;
};

/* Remove one journaled VIP. The line stays only when that failed, for the
 * next try; malformed lines go, with a word. */
static bool cleanup_line(const char *line, size_t len, unsigned int lineno, void *arg)
{
	struct cleanup *c = arg;
	char ifname[IFNAMSIZ], abuf[ADDR_STRLEN];
	struct hafd_addr a;
	unsigned int ifindex;
	int r;

	if (len == 0)
		return false;
	if (journal_parse(line, len, ifname, &a) < 0) {
		log_warnx("%s:%u: malformed VIP journal line skipped: %.*s", c->path, lineno,
			  (int)(len > 80 ? 80 : len), line);
		return false;
	}
	if (!(ifindex = if_nametoindex(ifname)))
		return errno != ENODEV;         /* the link took its VIPs along */
	addr_format(&a, abuf, sizeof(abuf));
	r = addr_remove(c->sk, (int)ifindex, &a);
	if (r > 0)
		log_info("removed VIP %s from %s (listed in the VIP journal)", abuf, ifname);
	else if (r < 0)
		log_warn("removing VIP %s from %s", abuf, ifname);
	c->removed += r > 0;
	return r < 0;
}

int vip_journal_cleanup(const char *path)
{
	struct cleanup c = { .path = path };
	struct journal *j;
	int err;

	if (!(j = journal_open(path, "VIP", false)))
		return -1;
	if (!(c.sk = nl_socket_alloc())) {
		journal_close(j);
		errno = ENOMEM;
		return -1;
	}
	if ((err = nl_connect(c.sk, NETLINK_ROUTE)) < 0)
		nl_fail("connect", err);
	else
		err = journal_replay(j, cleanup_line, &c);
	nl_socket_free(c.sk);
	journal_close(j);
	return err < 0 ? -1 : c.removed;
}

static void link_report(struct vip_ctx *v, struct rtnl_link *l, bool exists)
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
	struct vip_ctx *v = arg;
	size_t n = v->n_changed;

	(void)t;
	v->n_changed = 0;
	for (size_t i = 0; i < n; i++)
		v->ev.addr_change(v->ev.arg, v->changed[i]);
}

/* addr_change once per interface and loop turn: adding or removing many
 * VIPs at once must not cost a primary-address search per address. */
static void change_later(struct vip_ctx *v, int ifindex)
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
	struct vip_ctx *v = arg;
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
	struct vip_ctx *v = arg;
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
static void resync(struct vip_ctx *v)
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

int vip_open(struct vip_ctx **out, struct loop *loop, const char *jpath,
	     const struct vip_events *ev)
{
	struct vip_ctx *v = calloc(1, sizeof(*v));
	int err, fd, rcvbuf = VIP_RCVBUF;

	if (!v)
		return -1;
	v->loop = loop;
	v->fd = -1;
	timer_init(&v->resync_retry, resync_due, v);
	timer_init(&v->journal_due, journal_due, v);
	timer_init(&v->change_due, change_due, v);
	if (ev)
		v->ev = *ev;
	/* Kept open: a takeover journals its VIPs with one write(). */
	if (jpath && !(v->journal = journal_open(jpath, "VIP", true)))
		goto fail;
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
	if (v->journal)
		journal_replay(v->journal, adopt_line, v);
	*out = v;
	return 0;
fail_nl:
	nl_fail("open", err);
fail:
	err = errno;
	vip_close(v);
	errno = err;
	return -1;
}

void vip_close(struct vip_ctx *v)
{
	if (!v)
		return;
	if (v->fd >= 0)
		loop_fd_del(v->loop, v->fd);
	loop_timer_cancel(v->loop, &v->resync_retry);
	loop_timer_cancel(v->loop, &v->change_due);
	if (timer_armed(&v->journal_due)) {     /* a graceful stop leaves it empty */
		loop_timer_cancel(v->loop, &v->journal_due);
		journal_due(&v->journal_due, v);
	}
	nl_cache_mngr_free(v->mngr);    /* closes ev_sk, frees the caches */
	if (v->ev_sk)
		nl_socket_free(v->ev_sk);
	if (v->req_sk)
		nl_socket_free(v->req_sk);
	free(v->added);
	free(v->changed);
	journal_close(v->journal);
	free(v);
}

int vip_ifindex(struct vip_ctx *v, const char *ifname)
{
	int ifindex = rtnl_link_name2i(v->links, ifname);

	if (ifindex <= 0) {
		errno = ENODEV;
		return 0;
	}
	return ifindex;
}

bool vip_link_up(struct vip_ctx *v, int ifindex)
{
	struct rtnl_link *l = rtnl_link_get(v->links, ifindex);
	bool up = l && link_is_up(l);

	if (l)
		rtnl_link_put(l);
	return up;
}

int vip_link_mac(struct vip_ctx *v, int ifindex, unsigned char mac[6])
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

int vip_primary(struct vip_ctx *v, int ifindex, int family, struct hafd_addr *out)
{
	struct hafd_addr a, second = { 0 };
	struct nl_object *o;

	for (o = nl_cache_get_first(v->addrs); o; o = nl_cache_get_next(o)) {
		struct rtnl_addr *ra = (struct rtnl_addr *)o;
		unsigned int flags = rtnl_addr_get_flags(ra);

		if (rtnl_addr_get_ifindex(ra) != ifindex || rtnl_addr_get_family(ra) != family ||
		    !addr_get(ra, &a) || added_find(v, ifindex, &a))
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

int vip_add(struct vip_ctx *v, int ifindex, const struct hafd_addr *a)
{
	char ifname[IFNAMSIZ];
	struct rtnl_addr *ra;
	int err;

	if (!addr_len(a) || ifindex <= 0) {
		errno = EINVAL;
		return -1;
	}
	if (link_name(v, ifindex, ifname) < 0)
		return -1;
	/* Journal first: a crash in between leaves a line for an absent
	 * address, which cleanup ignores; the other order can leak a VIP.
	 * A VIP in added[] has its line already. */
	if (v->journal && !added_find(v, ifindex, a) && journal_add(v, ifname, a) < 0)
		return -1;
	if (!(ra = addr_tmpl(ifindex, a)))
		goto undo;
	/* No DAD: the VIP must be usable at once (RFC 9568). */
	if (a->family == AF_INET6)
		rtnl_addr_set_flags(ra, IFA_F_NODAD);
	rtnl_addr_set_scope(ra, addr_is_linklocal6(a) ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE);
	err = rtnl_addr_add(v->req_sk, ra, NLM_F_REPLACE);
	rtnl_addr_put(ra);
	if (err < 0 && err != -NLE_EXIST) {
		nl_fail("add address", err);
		goto undo;
	}
	if (added_remember(v, ifindex, ifname, a) < 0)
		log_warn("vip: remembering %s", ifname);
	return 0;
undo:
	err = errno;
	journal_later(v);       /* drops the line unless added[] has it */
	errno = err;
	return -1;
}

int vip_del(struct vip_ctx *v, int ifindex, const struct hafd_addr *a)
{
	if (!addr_len(a)) {
		errno = EINVAL;
		return -1;
	}
	if (addr_remove(v->req_sk, ifindex, a) < 0)
		return -1;
	added_forget(v, ifindex, a);
	journal_later(v);       /* the VIP is gone: its line may go with the next rewrite */
	return 0;
}

bool vip_present(struct vip_ctx *v, int ifindex, const struct hafd_addr *a)
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
