/* vip.c: the VIPs hafd adds and removes (see vip.h). Each is journaled
 * before it is added (journal.c), so that the crash guard or the next
 * start removes what a dead run left, and remembered, so that the primary
 * address search passes over it. Links and addresses are looked up in the
 * cache (ifcache.c); requests go through a netlink socket of our own. */
#include "vip.h"

#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <netlink/errno.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>

#include "ifcache.h"
#include "journal.h"
#include "log.h"
#include "loop.h"

struct vip_ent {
	int ifindex;
	char ifname[IFNAMSIZ];          /* at add time: the link may go first */
	struct hafd_addr a;
};


struct vip_ctx {
	struct ifcache *ifc;
	struct loop *loop;
	struct journal *journal;        /* NULL: no journal */
	struct nl_sock *req_sk;         /* add and delete requests */
	struct vip_ent *added;          /* VIPs hafd added: never a primary */
	size_t n_added;
	struct timer journal_due;       /* rewrite the journal as added[] */
};

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
		ifcache_nl_fail("address", err);
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
	return err < 0 ? ifcache_nl_fail("delete address", err) : 1;
}


static struct vip_ent *added_find(const struct vip_ctx *v, int ifindex, const struct hafd_addr *a)
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
	    (ifindex = ifcache_ifindex(v->ifc, name)) > 0)
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
		ifcache_nl_fail("connect", err);
	else
		err = journal_replay(j, cleanup_line, &c);
	nl_socket_free(c.sk);
	journal_close(j);
	return err < 0 ? -1 : c.removed;
}

int vip_open(struct vip_ctx **out, struct ifcache *ifc, struct loop *loop, const char *jpath)
{
	struct vip_ctx *v = calloc(1, sizeof(*v));
	int err;

	if (!v)
		return -1;
	v->ifc = ifc;
	v->loop = loop;
	timer_init(&v->journal_due, journal_due, v);
	/* Kept open: a takeover journals its VIPs with one write(). */
	if (jpath && !(v->journal = journal_open(jpath, "VIP", true)))
		goto fail;
	if (!(v->req_sk = nl_socket_alloc())) {
		errno = ENOMEM;
		goto fail;
	}
	if ((err = nl_connect(v->req_sk, NETLINK_ROUTE)) < 0) {
		ifcache_nl_fail("open", err);
		goto fail;
	}
	if (v->journal)
		journal_replay(v->journal, adopt_line, v);
	*out = v;
	return 0;
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
	if (timer_armed(&v->journal_due)) {     /* a graceful stop leaves it empty */
		loop_timer_cancel(v->loop, &v->journal_due);
		journal_due(&v->journal_due, v);
	}
	if (v->req_sk)
		nl_socket_free(v->req_sk);
	free(v->added);
	journal_close(v->journal);
	free(v);
}

bool vip_held(const struct vip_ctx *v, int ifindex, const struct hafd_addr *a)
{
	return added_find(v, ifindex, a) != NULL;
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
	if (ifcache_ifname(v->ifc, ifindex, ifname) < 0)
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
		ifcache_nl_fail("add address", err);
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

