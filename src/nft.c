/* nft.c: hafd's nftables tables. Asks the glue to describe the instances,
 * works out what the tables should hold from that (nft_want.c), and sends
 * the difference as one atomic batch: the whole tables (replaced, never
 * edited in place) the first time and after a failure, only the changed
 * sets (flushed and refilled) after that. The rule set itself is built,
 * and described, in nft_build.c.
 *
 * Leases. hafd sends no renewal: each advert renews the leases of the
 * VIPs it carries in the kernel as it leaves (rule 8L). A unicast advert
 * may never leave (its peer's neighbour entry unresolved): its VIPs go
 * to lo in a renewal that rules 8U read and drop (nft_lease_renew). A
 * rebuild of the tables carries the leases that run over, each with the
 * time it has left, read back from the kernel. */
#include "nft.h"

#include <errno.h>
#include <net/if.h>
#include <arpa/inet.h>
#include <netinet/in.h>         /* before the linux/ headers, which defer to it */
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netlink.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/ip.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <libnftnl/set.h>

#include "hafd.h"
#include "log.h"
#include "loop.h"
#include "nft_priv.h"

#define RETRY_US 1000000u               /* a failed batch is tried again */
#define SNDBUF_BIG (128u << 10)         /* batches beyond this get a bigger buffer */
#define DUMP_BUF 32768                  /* one datagram of a set dump */
#define NFT_COPY_CLASSES 8              /* lease classes waiting at once */

/* The VIPs of one lease class to renew, sent as one packet per
 * NFT_COPY_SLOTS (rule 8U). */
struct nft_copy {
	int family;
	unsigned ms;
	unsigned n;
	uint64_t first_us;              /* when the first address was listed */
	uint8_t addrs[NFT_COPY_SLOTS * 16];
};

struct nft_ctx {
	char *table;                    /* NULL: nft_table = none, do nothing */
	struct mnl_socket *nl;
	uint32_t portid;
	uint32_t seq;
	nft_describe_fn *describe;      /* the glue: what the instances are now */
	struct nft_want have;           /* what the tables hold, once built */
	bool built;                     /* they hold sets, chains and rules */
	struct hafd *h;                 /* for the retry timer */
	struct timer retry;
	struct timer flush;             /* nft_schedule(): one batch per loop turn */
	bool dirty;                     /* something may have changed
					 * (nft_schedule) */
	struct log_ratelimit warn_log;
	int lease_fd;                   /* nft_lease_renew()'s IPPROTO_RAW socket,
					 * -1 until the first renewal */
	struct nft_copy copies[NFT_COPY_CLASSES];     /* renewals waiting for
							 * copy_timer */
	size_t n_copies;
	struct timer copy_timer;
	uint64_t late_renewals;         /* dropped: past copy_limit_us() */
};

static int set_dump(struct nft_ctx *n, int family, const char *name,
		    int (*cb)(struct nftnl_set_elem *e, void *data), void *data);

/* ---- sending a batch ------------------------------------------------------ */

static const char *batch_what(const struct nft_batch *b, uint32_t seq)
{
	uint32_t i = seq - b->seq0 - 1;

	return i < NFT_WHAT_MAX && i < b->n_msgs && b->what[i] ? b->what[i] : "batch";
}

/* The kernel handles a batch inside sendto(), so every answer is queued by
 * the time it returns: read them without waiting. Each message asked for an
 * ack; the batch stands only when all of them came back clean. */
static int acks_read(struct nft_ctx *n, const struct nft_batch *b)
{
	uint32_t buf[MNL_SOCKET_BUFFER_SIZE / 4];      /* aligned for nlmsghdr */
	unsigned acks = 0;
	int err = 0;
	ssize_t got;

	while ((got = recv(mnl_socket_get_fd(n->nl), buf, sizeof(buf), MSG_DONTWAIT)) != 0) {
		int len = (int)got;

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			if (errno != EAGAIN && !err)
				err = errno;
			break;
		}
		for (const struct nlmsghdr *nlh = (const void *)buf; mnl_nlmsg_ok(nlh, len);
		     nlh = mnl_nlmsg_next(nlh, &len)) {
			const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

			if (nlh->nlmsg_type != NLMSG_ERROR)
				continue;
			if (e->error == 0) {
				acks++;
			} else if (!err) {
				err = -e->error;
				log_warnx("nft: table %s: %s: %s", n->table,
					  batch_what(b, e->msg.nlmsg_seq), strerror(err));
			}
		}
	}
	if (!err && acks != b->n_msgs)
		err = EPROTO;
	errno = err;
	return err ? -1 : 0;
}

static int batch_start(struct nft_ctx *n, struct nft_batch *b, size_t addrs)
{
	if (nft_batch_init(b, addrs, n->seq) < 0)
		return -1;
	return 0;
}

/* End, send and free b. 0, or -1/errno (nothing changed in the kernel). */
static int batch_commit(struct nft_ctx *n, struct nft_batch *b)
{
	const void *data;
	size_t len;
	int rc = -1, saved;

	if (nft_batch_end(b) == 0) {
		data = nft_batch_data(b, &len);
		n->seq += b->n_msgs + 2;
		if (len > SNDBUF_BIG) {
			int sz = (int)len * 2;

			setsockopt(mnl_socket_get_fd(n->nl), SOL_SOCKET, SO_SNDBUFFORCE,
				   &sz, sizeof(sz));
		}
		if (mnl_socket_sendto(n->nl, data, len) >= 0)
			rc = acks_read(n, b);
	}
	saved = errno;
	nft_batch_free(b);
	errno = saved;
	return rc;
}

/* ---- leases ------------------------------------------------------------- */

struct leases {
	struct nft_lease *l;
	size_t n, cap;
};

static int lease_elem(struct nftnl_set_elem *e, void *data)
{
	struct leases *ls = data;
	uint32_t len = 0;
	const void *key = nftnl_set_elem_get(e, NFTNL_SET_ELEM_KEY, &len);
	struct nft_lease *l;

	/* An element with no time left is as good as gone. */
	if (!key || (len != 4 && len != 16) ||
	    !nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_EXPIRATION) ||
	    !nftnl_set_elem_get_u64(e, NFTNL_SET_ELEM_EXPIRATION))
		return 0;
	if (ls->n == ls->cap) {
		size_t cap = ls->cap ? 2 * ls->cap : 16;

		if (!(l = realloc(ls->l, cap * sizeof(*l))))
			return -1;
		ls->l = l;
		ls->cap = cap;
	}
	l = &ls->l[ls->n++];
	addr_from_bytes(&l->a, len == 4 ? AF_INET : AF_INET6, key);
	l->ms = nftnl_set_elem_get_u64(e, NFTNL_SET_ELEM_EXPIRATION);
	return 0;
}

/* The leases that run now, af's, with the time each has left (a missing
 * table or set: none). */
static void leases_read(struct nft_ctx *n, int af, struct leases *ls)
{
	if (set_dump(n, NFPROTO_NETDEV, nft_lease_set_name(af), lease_elem, ls) < 0)
		ls->n = 0;
}

/* ---- applying ----------------------------------------------------------- */

/* Replace the tables with fresh ones holding everything w asks for; the
 * leases that run carry over, never lengthened (a lease a master renews
 * right between the read and the batch comes out a little shorter). */
static int tables_build(struct nft_ctx *n, struct nft_want *w)
{
	struct leases ls[2] = { { 0 } };
	struct nft_batch b;
	int rc = -1;

	/* Also after a failed batch (built is false then): the netdev
	 * table and its leases may well still be there. */
	if (w->lease) {
		leases_read(n, AF_INET, &ls[0]);
		leases_read(n, AF_INET6, &ls[1]);
	}
	if (batch_start(n, &b, nft_want_addrs(w) + ls[0].n + ls[1].n) == 0) {
		nft_build_tables(&b, n->table, true);
		nft_build_skeleton(&b, n->table, w);
		for (int i = 0; i < NSET_N; i++)
			nft_build_elems(&b, n->table, (enum nft_set_idx)i, &w->set[i], false);
		for (int f = 0; w->fence && f < 2; f++)
			nft_build_fence_elems(&b, n->table, f ? AF_INET6 : AF_INET, &w->fences[f],
					      false);
		if (w->lease) {
			nft_build_leases(&b, n->table, AF_INET, ls[0].l, ls[0].n);
			nft_build_leases(&b, n->table, AF_INET6, ls[1].l, ls[1].n);
		}
		rc = batch_commit(n, &b);
	}
	free(ls[0].l);
	free(ls[1].l);
	return rc;
}

/* Refill the sets that differ from what the tables hold. */
static int sets_update(struct nft_ctx *n, const struct nft_want *w)
{
	struct nft_batch b;

	if (batch_start(n, &b, nft_want_addrs(w)) < 0)
		return -1;
	for (int i = 0; i < NSET_N; i++)
		if (!nft_addrs_equal(&w->set[i], &n->have.set[i]))
			nft_build_elems(&b, n->table, (enum nft_set_idx)i, &w->set[i], true);
	for (int f = 0; w->fence && f < 2; f++)
		if (!nft_fences_equal(&w->fences[f], &n->have.fences[f]))
			nft_build_fence_elems(&b, n->table, f ? AF_INET6 : AF_INET, &w->fences[f],
					      true);
	return batch_commit(n, &b);
}

static void log_applied(struct nft_ctx *n)
{
	char buf[1024];

	if (log_get_level() < LOG_DEBUG)
		return;
	if (nft_status(n, buf, sizeof(buf)) < 0)
		log_debug("nft: table %s changed", n->table);
	else
		log_debug("nft: table %s now holds %s", n->table, buf);
}

static void on_retry(struct timer *t, void *arg)
{
	struct nft_ctx *n = arg;

	(void)t;
	nft_apply(n, n->h);
}

static void on_flush(struct timer *t, void *arg)
{
	struct nft_ctx *n = arg;

	(void)t;
	nft_apply(n, n->h);
}

void nft_schedule(struct nft_ctx *n, struct hafd *h)
{
	if (!n || !n->table || h->stopping)
		return;
	n->h = h;
	n->dirty = true;
	/* Many routers changing state at once cost one batch, not one each. */
	loop_timer_soon(h->loop, &n->flush);
}

/* What the tables should hold, from what the glue says now. */
static int want_get(struct nft_ctx *n, struct hafd *h, struct nft_want *w)
{
	struct nft_desc d = { 0 };
	int rc, saved;

	memset(w, 0, sizeof(*w));
	if (n->describe(h, &d) < 0)
		return -1;
	rc = nft_want_compute(w, &d);
	saved = errno;
	free(d.inst);
	/* The lease chains hook devices, not names: one that is missing
	 * gets none (the kernel refuses it) until it comes, and one made
	 * again under the same name is hooked again. */
	for (size_t i = 0; rc == 0 && i < w->n_devs; i++)
		w->devs[i].ifindex = (int)if_nametoindex(w->devs[i].name);
	if (rc == 0 && w->uni.n_cls)                                     /* rules 8U */
		w->uni.ifindex = (int)if_nametoindex(w->uni.name);
	for (size_t i = 0; rc == 0 && i < w->n_fence_devs; i++)       /* fence_port's */
		w->fence_devs[i].ifindex = (int)if_nametoindex(w->fence_devs[i].name);
	errno = saved;
	return rc;
}

int nft_apply(struct nft_ctx *n, struct hafd *h)
{
	struct nft_want w;
	bool changed = false;
	int rc;

	if (!n || !n->table || h->stopping)
		return 0;
	n->h = h;
	loop_timer_cancel(h->loop, &n->flush);
	n->dirty = false;
	rc = want_get(n, h, &w);
	if (rc == 0 && n->built && nft_want_same_rules(&w, &n->have)) {
		for (int i = 0; i < NSET_N && !changed; i++)
			changed = !nft_addrs_equal(&w.set[i], &n->have.set[i]);
		for (int f = 0; f < 2 && !changed; f++)
			changed = !nft_fences_equal(&w.fences[f], &n->have.fences[f]);
		if (!changed) {
			nft_want_free(&w);
			return 0;
		}
		rc = sets_update(n, &w);
	} else if (rc == 0) {
		changed = true;
		rc = tables_build(n, &w);
	}
	if (rc < 0) {
		int saved = errno;

		if (log_ratelimit_allow(&n->warn_log, loop_now(h->loop), NULL))
			log_warn("nft: updating table %s (trying again in 1s)", n->table);
		/* Next time the tables are replaced whole (the leases
		 * carried over: they are read back first). */
		n->built = false;
		nft_want_free(&w);
		loop_timer_in(h->loop, &n->retry, RETRY_US);
		n->dirty = true;
		errno = saved;
		return -1;
	}
	loop_timer_cancel(h->loop, &n->retry);
	if (w.uni_nolo && !n->have.uni_nolo)
		log_warnx("nft: lo is down: the instances with a unicast_peer have no VIP "
			  "lease until it is up");
	nft_want_free(&n->have);
	n->have = w;
	n->built = true;
	if (changed)
		log_applied(n);
	return 0;
}

/* ---- unicast renewals ------------------------------------------------------ */

static uint64_t mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* How late after its advert a renewal may still go: a quarter of the
 * advert interval (the lease is 5/2 of it: ms / 10). The lease then
 * runs from at most that after the advert, and still lapses a quarter
 * interval before a backup's Master_Down_Interval ends. */
static uint64_t copy_limit_us(const struct nft_copy *c)
{
	return (uint64_t)c->ms * 100u;
}

/* Send c's list and empty it; a list older than its limit (the loop held
 * up between the advert and now) is dropped instead: a late renewal
 * could outlive the backups' patience. */
static int copy_send(struct nft_ctx *n, struct nft_copy *c)
{
	struct {
		struct iphdr ip;
		uint8_t data[sizeof(c->addrs)];
	} pkt;
	size_t len = c->n * (c->family == AF_INET ? 4u : 16u);
	struct sockaddr_in to = { .sin_family = AF_INET };

	c->n = 0;
	if (mono_us() - c->first_us > copy_limit_us(c)) {
		n->late_renewals++;
		errno = ETIME;
		return -1;
	}
	/* IPPROTO_RAW: a socket that sends and never receives (an
	 * IPPROTO_VRRP one would queue every advert the host hears). */
	if (n->lease_fd < 0 &&
	    (n->lease_fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK,
				  IPPROTO_RAW)) < 0)
		return -1;
	memset(&pkt.ip, 0, sizeof(pkt.ip));
	pkt.ip.version = 4;
	pkt.ip.ihl = 5;
	pkt.ip.ttl = 1;
	pkt.ip.protocol = IPPROTO_VRRP_;
	pkt.ip.tot_len = htons((uint16_t)(sizeof(pkt.ip) + len));
	to.sin_addr.s_addr = htonl(nft_lease_dst(c->family, c->ms));
	pkt.ip.daddr = to.sin_addr.s_addr;      /* saddr, id, check: the kernel's */
	memcpy(pkt.data, c->addrs, len);
	return sendto(n->lease_fd, &pkt, sizeof(pkt.ip) + len, 0, (struct sockaddr *)&to,
		      sizeof(to)) < 0 ? -1 : 0;
}

static int copies_send(struct nft_ctx *n)
{
	int rc = 0;

	for (size_t i = 0; i < n->n_copies; i++)
		if (n->copies[i].n)
			rc |= copy_send(n, &n->copies[i]);
	n->n_copies = 0;
	return rc;
}

static void on_copies(struct timer *t, void *arg)
{
	struct nft_ctx *n = arg;

	(void)t;
	if (copies_send(n) < 0 && log_ratelimit_allow(&n->warn_log, loop_now(n->h->loop), NULL))
		log_warn("nft: renewing the leases of unicast instances through lo (%llu "
			 "renewals too late to send)", (unsigned long long)n->late_renewals);
}

int nft_lease_renew(struct nft_ctx *n, int family, unsigned lease_ms,
		    const struct hafd_addr *vips, size_t n_vips)
{
	struct nft_copy *c = NULL;
	size_t w = family == AF_INET ? 4 : 16;
	int rc = 0;

	/* Only while rules 8U are in the kernel: they drop the renewals too. */
	if (!n || !n->table || !n->h || !n->have.uni.n_cls || !n->have.uni.ifindex)
		return 0;
	for (size_t i = 0; i < n->n_copies && !c; i++)
		if (n->copies[i].family == family && n->copies[i].ms == lease_ms)
			c = &n->copies[i];
	if (!c) {
		if (n->n_copies == NFT_COPY_CLASSES)
			rc |= copies_send(n);
		c = &n->copies[n->n_copies++];
		c->family = family;
		c->ms = lease_ms;
		c->n = 0;
	}
	/* A list half its limit old goes now, before this advert's VIPs. */
	if (c->n && mono_us() - c->first_us > copy_limit_us(c) / 2)
		rc |= copy_send(n, c);
	for (size_t i = 0; i < n_vips; i++) {
		if (c->n == NFT_COPY_SLOTS)
			rc |= copy_send(n, c);
		if (!c->n)
			c->first_us = mono_us();
		memcpy(c->addrs + c->n++ * w, &vips[i].u, w);
	}
	/* Once the timers due now have run: the adverts of many masters in
	 * one packet, microseconds after they left (copy_limit_us). */
	loop_timer_soon(n->h->loop, &n->copy_timer);
	return rc;
}

/* ---- open and close ------------------------------------------------------- */

/* Add-and-delete both tables (a leftover goes, a missing one is no error);
 * with recreate, add them again, empty. */
static int tables_reset(struct nft_ctx *n, bool recreate)
{
	struct nft_batch b;

	if (batch_start(n, &b, 0) < 0)
		return -1;
	nft_build_tables(&b, n->table, recreate);
	return batch_commit(n, &b);
}

static void ctx_free(struct nft_ctx *n)
{
	if (n->nl)
		mnl_socket_close(n->nl);
	if (n->lease_fd >= 0)
		close(n->lease_fd);
	nft_want_free(&n->have);
	free(n->table);
	free(n);
}

static int sock_open(struct nft_ctx *n)
{
	struct timeval tv = { .tv_sec = 1 };    /* a dump never hangs the loop */
	int one = 1;

	n->nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
	if (!n->nl || mnl_socket_bind(n->nl, 0, MNL_SOCKET_AUTOPID) < 0)
		return -1;
	/* Errors without the whole request echoed: acks stay small. */
	mnl_socket_setsockopt(n->nl, NETLINK_CAP_ACK, &one, sizeof(one));
	setsockopt(mnl_socket_get_fd(n->nl), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	n->portid = mnl_socket_get_portid(n->nl);
	n->seq = (uint32_t)time(NULL);
	return 0;
}

int nft_open(struct nft_ctx **out, const char *table, nft_describe_fn *describe)
{
	struct nft_ctx *n = calloc(1, sizeof(*n));
	int saved;

	*out = NULL;
	if (!n)
		return -1;
	n->describe = describe;
	n->lease_fd = -1;
	timer_init(&n->copy_timer, on_copies, n);
	timer_init(&n->retry, on_retry, n);
	timer_init(&n->flush, on_flush, n);
	n->dirty = true;
	n->warn_log.burst = 5;
	n->warn_log.period_us = 60000000;
	if (table) {
		n->table = strdup(table);
		/* Created at start: a table a crashed run left is replaced. */
		if (!n->table || sock_open(n) < 0 || tables_reset(n, true) < 0) {
			saved = errno;
			ctx_free(n);
			errno = saved;
			return -1;
		}
		log_info("nft: tables inet, arp and netdev %s created", table);
	}
	*out = n;
	return 0;
}

void nft_close(struct nft_ctx *n)
{
	if (!n)
		return;
	if (n->h) {
		loop_timer_cancel(n->h->loop, &n->retry);
		loop_timer_cancel(n->h->loop, &n->flush);
		loop_timer_cancel(n->h->loop, &n->copy_timer);
	}
	if (n->nl) {
		if (tables_reset(n, false) < 0)
			log_warn("nft: removing table %s", n->table);
		else
			log_info("nft: tables inet, arp and netdev %s removed", n->table);
	}
	ctx_free(n);
}

/* ---- status ---------------------------------------------------------------- */

static int elems_cb(const struct nlmsghdr *nlh, void *data)
{
	return nftnl_set_elems_nlmsg_parse(nlh, data) < 0 ? MNL_CB_ERROR : MNL_CB_OK;
}

static int elem_key(struct nftnl_set_elem *e, void *data)
{
	struct nft_addrs *out = data;
	struct hafd_addr a;
	uint32_t len = 0;
	const void *key = nftnl_set_elem_get(e, NFTNL_SET_ELEM_KEY, &len);

	if (!key || (len != 4 && len != 16))
		return 0;
	addr_from_bytes(&a, len == 4 ? AF_INET : AF_INET6, key);
	return nft_addrs_push(out, &a);
}

/* Call cb with each element of set `name` of the table of `family`, as the
 * kernel has them (expired ones are not listed). */
static int set_dump(struct nft_ctx *n, int family, const char *name,
		    int (*cb)(struct nftnl_set_elem *e, void *data), void *data)
{
	char *buf = malloc(DUMP_BUF);
	struct nftnl_set *s = nftnl_set_alloc();
	uint32_t seq = n->seq++;
	struct nlmsghdr *nlh;
	int rc = -1;
	ssize_t len;

	if (!buf || !s || nftnl_set_set_str(s, NFTNL_SET_TABLE, n->table) < 0 ||
	    nftnl_set_set_str(s, NFTNL_SET_NAME, name) < 0)
		goto out;
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETSETELEM, (uint16_t)family, NLM_F_DUMP, seq);
	nftnl_set_elems_nlmsg_build_payload(nlh, s);
	if (mnl_socket_sendto(n->nl, buf, nlh->nlmsg_len) < 0)
		goto out;
	while ((len = mnl_socket_recvfrom(n->nl, buf, DUMP_BUF)) > 0) {
		rc = mnl_cb_run(buf, (size_t)len, seq, n->portid, elems_cb, s);
		if (rc <= 0)
			break;
	}
	if (rc == 0)
		rc = nftnl_set_elem_foreach(s, cb, data);
out:
	if (s)
		nftnl_set_free(s);
	free(buf);
	return rc < 0 ? -1 : 0;
}

/* Append the elements of set `name` of the table of `family` to out. */
static int set_read(struct nft_ctx *n, int family, const char *name, struct nft_addrs *out)
{
	return set_dump(n, family, name, elem_key, out);
}

struct json {
	char *p;
	size_t len, off;
};

static LOG_FMT(2, 3) void jput(struct json *j, const char *fmt, ...)
{
	va_list ap;
	int k;

	va_start(ap, fmt);
	k = vsnprintf(j->p + (j->off < j->len ? j->off : j->len),
		      j->off < j->len ? j->len - j->off : 0, fmt, ap);
	va_end(ap);
	if (k > 0)
		j->off += (size_t)k;
}

/* "key":["a","b"] from the IPv4 and IPv6 sets of one kind. */
static int jput_sets(struct nft_ctx *n, struct json *j, const char *key, enum nft_set_idx v4)
{
	struct nft_addrs all = { 0 };
	char buf[ADDR_STRLEN];
	int rc = set_read(n, NFPROTO_INET, nft_set_name(v4), &all);

	if (rc == 0)
		rc = set_read(n, NFPROTO_INET, nft_set_name(v4 + 1), &all);
	jput(j, ",\"%s\":[", key);
	for (size_t i = 0; i < all.n; i++)
		jput(j, "%s\"%s\"", i ? "," : "", addr_ntop(&all.a[i], buf, sizeof(buf)));
	jput(j, "]");
	free(all.a);
	return rc;
}

/* fence_port: "vip_fence":["10.0.0.1 . 5432"] as the kernel holds them, or
 * null without the fence. */
struct fence_text {
	struct json *j;
	size_t n;                       /* elements written */
};

static int fence_elem_text(struct nftnl_set_elem *e, void *data)
{
	struct fence_text *t = data;
	uint32_t len = 0;
	const uint8_t *key = nftnl_set_elem_get(e, NFTNL_SET_ELEM_KEY, &len);
	char a[ADDR_STRLEN];
	struct hafd_addr addr;
	uint16_t port;

	if (!key || (len != 8 && len != 20))
		return 0;
	addr_from_bytes(&addr, len == 8 ? AF_INET : AF_INET6, key);
	memcpy(&port, key + len - 4, sizeof(port));
	jput(t->j, "%s\"%s . %u\"", t->n++ ? "," : "", addr_ntop(&addr, a, sizeof(a)),
	     ntohs(port));
	return 0;
}

static int jput_fence(struct nft_ctx *n, struct json *j)
{
	struct fence_text t = { .j = j };
	int rc = 0;

	if (!n->have.fence) {
		jput(j, ",\"vip_fence\":null");
		return 0;
	}
	jput(j, ",\"vip_fence\":[");
	rc |= set_dump(n, NFPROTO_INET, nft_fence_set_name(AF_INET), fence_elem_text, &t);
	rc |= set_dump(n, NFPROTO_INET, nft_fence_set_name(AF_INET6), fence_elem_text, &t);
	jput(j, "]");
	return rc;
}

/* "vip_lease":[...]: the VIPs whose lease runs now. */
static int jput_leases(struct nft_ctx *n, struct json *j)
{
	struct nft_addrs all = { 0 };
	char a[ADDR_STRLEN];
	int rc = set_read(n, NFPROTO_NETDEV, nft_lease_set_name(AF_INET), &all);

	rc |= set_read(n, NFPROTO_NETDEV, nft_lease_set_name(AF_INET6), &all);
	jput(j, ",\"vip_lease\":[");
	for (size_t i = 0; i < all.n; i++)
		jput(j, "%s\"%s\"", i ? "," : "", addr_ntop(&all.a[i], a, sizeof(a)));
	jput(j, "]");
	free(all.a);
	return rc;
}

int nft_status(struct nft_ctx *n, char *buf, size_t len)
{
	struct json j = { .p = buf, .len = len };
	int rc = 0;

	if (!n || !n->table) {
		jput(&j, "{\"table\":null}");
	} else {
		jput(&j, "{\"table\":\"%s\",\"ok\":%s", n->table,
		     n->built && !timer_armed(&n->retry) ? "true" : "false");
		rc |= jput_sets(n, &j, "vip_standby", NSET_STANDBY4);
		rc |= jput_sets(n, &j, "vip_noaccept", NSET_NOACCEPT4);
		rc |= jput_sets(n, &j, "unicast_peers", NSET_PEER4);
		rc |= jput_sets(n, &j, "vrrp_known", NSET_KNOWN4);
		jput(&j, ",\"vrrp_rate_pps\":%u,\"vrrp_burst\":%u", n->have.rate_pps,
		     2 * n->have.rate_pps);
		jput(&j, ",\"vrrp_cap_pps\":%u,\"vrrp_cap_burst\":%u", n->have.cap_pps,
		     n->have.cap_burst);
		if (n->have.lease)
			rc |= jput_leases(n, &j);
		else
			jput(&j, ",\"vip_lease\":null");
		rc |= jput_fence(n, &j);
		jput(&j, "}");
	}
	if (rc)
		return -1;
	if (j.off >= len) {
		errno = ENOSPC;
		return -1;
	}
	return (int)j.off;
}
