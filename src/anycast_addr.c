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
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <netlink/errno.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>

#include "journal.h"
#include "log.h"

/* One journal line: "IFNAME ADDRESS". */
#define ENTRY_MAX (IFNAMSIZ + ADDR_STRLEN + 2)

struct anycast_addr {
	struct nl_sock *sk;
	struct journal *journal;
	char (*listed)[ENTRY_MAX];      /* lines the journal holds */
	size_t n_listed;
};

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

static struct nl_sock *nl_open(void)
{
	struct nl_sock *sk = nl_socket_alloc();
	int err;

	if (!sk) {
		errno = ENOMEM;
		return NULL;
	}
	if ((err = nl_connect(sk, NETLINK_ROUTE)) < 0) {
		nl_socket_free(sk);
		errno = nl_errno(err);
		return NULL;
	}
	return sk;
}

static struct journal *journal_at(const char *runtime_dir)
{
	char path[512];

	if ((size_t)snprintf(path, sizeof(path), "%s/anycast", runtime_dir) >= sizeof(path)) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	return journal_open(path, "anycast address", false);
}

int anycast_addr_open(struct anycast_addr **out, const char *runtime_dir)
{
	struct anycast_addr *c = calloc(1, sizeof(*c));

	if (!c)
		return -1;
	if (!(c->sk = nl_open()) || !(c->journal = journal_at(runtime_dir))) {
		anycast_addr_close(c);
		return -1;
	}
	*out = c;
	return 0;
}

void anycast_addr_close(struct anycast_addr *c)
{
	if (!c)
		return;
	if (c->sk)
		nl_socket_free(c->sk);
	journal_close(c->journal);
	free(c->listed);
	free(c);
}

static void entry(char *buf, const char *ifname, const struct hafd_addr *a)
{
	char t[ADDR_STRLEN];

	snprintf(buf, ENTRY_MAX, "%s %s", ifname, addr_ntop(a, t, sizeof(t)));
}

static long listed_find(const struct anycast_addr *c, const char *e)
{
	for (size_t i = 0; i < c->n_listed; i++)
		if (!strcmp(c->listed[i], e))
			return (long)i;
	return -1;
}

/* Journal e unless it is there already: before the address is added. */
static int listed_add(struct anycast_addr *c, const char *e)
{
	void *p;

	if (listed_find(c, e) >= 0)
		return 0;
	if (!(p = realloc(c->listed, (c->n_listed + 1) * sizeof(*c->listed))))
		return -1;
	c->listed = p;
	if (journal_append(c->journal, e) < 0)
		return -1;
	snprintf(c->listed[c->n_listed++], ENTRY_MAX, "%s", e);
	return 0;
}

static void listed_drop(struct anycast_addr *c, const char *e)
{
	long i = listed_find(c, e);

	if (i < 0)
		return;
	if (journal_remove(c->journal, e) < 0)
		log_warn("anycast journal: dropping %s", e);
	memmove(c->listed[i], c->listed[--c->n_listed], ENTRY_MAX);
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

int anycast_addr_put(struct anycast_addr *c, const char *ifname, const struct hafd_addr *a,
		     unsigned lease_s)
{
	struct rtnl_addr *ra;
	char e[ENTRY_MAX];
	int err;

	entry(e, ifname, a);
	if (listed_add(c, e) < 0 || !(ra = tmpl(ifname, a)))
		return -1;
	/* No DAD: usable at once; the address is on many hosts by design. */
	if (a->family == AF_INET6)
		rtnl_addr_set_flags(ra, IFA_F_NODAD);
	rtnl_addr_set_valid_lifetime(ra, lease_s);
	rtnl_addr_set_preferred_lifetime(ra, lease_s);
	/* REPLACE: a renewal only moves the lifetimes on. */
	err = rtnl_addr_add(c->sk, ra, NLM_F_REPLACE);
	rtnl_addr_put(ra);
	if (err < 0 && err != -NLE_EXIST) {
		errno = nl_errno(err);
		return -1;
	}
	return 0;
}

/* Delete a from ifname: 1 deleted, 0 absent, -1/errno. */
static int addr_delete(struct nl_sock *sk, const char *ifname, const struct hafd_addr *a)
{
	struct rtnl_addr *ra = tmpl(ifname, a);
	int err;

	if (!ra)
		return errno == ENODEV ? 0 : -1;
	err = rtnl_addr_delete(sk, ra, 0);
	rtnl_addr_put(ra);
	if (err == -NLE_NOADDR || err == -NLE_OBJ_NOTFOUND || err == -NLE_NODEV)
		return 0;
	if (err < 0) {
		errno = nl_errno(err);
		return -1;
	}
	return 1;
}

int anycast_addr_del(struct anycast_addr *c, const char *ifname, const struct hafd_addr *a)
{
	char e[ENTRY_MAX];

	if (addr_delete(c->sk, ifname, a) < 0)
		return -1;
	entry(e, ifname, a);
	listed_drop(c, e);
	return 0;
}

struct cleanup {
	struct nl_sock *sk;
	const char *path;
	int removed;
};

static bool cleanup_line(const char *line, size_t len, unsigned int lineno, void *arg)
{
	struct cleanup *c = arg;
	char buf[ENTRY_MAX], *sp;
	struct hafd_addr a;

	if (len == 0)
		return false;
	/* "IFNAME ADDRESS" and nothing else: a malformed line names nothing. */
	if (len >= sizeof(buf) || memchr(line, '\0', len)) {
		log_warnx("%s:%u: malformed anycast journal line skipped", c->path, lineno);
		return false;
	}
	memcpy(buf, line, len);
	buf[len] = '\0';
	if (!(sp = strchr(buf, ' ')) || (size_t)(sp - buf) >= IFNAMSIZ || sp == buf ||
	    addr_parse_host(sp + 1, &a) < 0) {
		log_warnx("%s:%u: malformed anycast journal line skipped: %s", c->path, lineno, buf);
		return false;
	}
	*sp = '\0';
	if (addr_delete(c->sk, buf, &a) > 0)
		c->removed++;
	return false;
}

int anycast_journal_cleanup(const char *runtime_dir)
{
	struct journal *j = journal_at(runtime_dir);
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
