/* nft.c: hafd's nftables tables. Asks the glue to describe the instances,
 * works out what the tables should hold from that (nft_want.c), and sends
 * the difference as one atomic batch: the whole tables (replaced, never
 * edited in place) the first time and after a failure, only the changed
 * sets (flushed and refilled) after that, with the leases due. The rule
 * set itself is built, and described, in nft_build.c.
 *
 * Leases. Each batch renews the leases of the VIPs of the master instances
 * that advertised since the last one (nft.h, lease_due): one message per
 * family, in the netdev table, whatever the number of instances. How a renewal is
 * written depends on the kernel (nft_build.c, LEASE_UPDATE or LEASE_READD),
 * found out at start by a probe. nft.c keeps when each lease runs out, by
 * its own clock: for LEASE_READD (an element that may have expired cannot
 * be deleted) and to carry the leases over, never lengthened, when the
 * tables are rebuilt. */
#include "nft.h"

#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>         /* before the linux/ headers, which defer to it */
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netlink.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
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
/* A lease that runs out within this, by our clock, may have expired in the
 * kernel already (it counts in jiffies, down to 10 ms): renewed with
 * LEASE_ADD, never deleted. */
#define LEASE_MARGIN_US 12000u
#define LEASE_RENEW_ENV "HAFD_TEST_LEASE_RENEW"    /* "readd": force the fallback */

/* A lease as it runs in the kernel, by our clock. */
struct lease_rec {
	struct hafd_addr a;
	uint64_t until_us;
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
	struct timer renew;             /* nft_schedule_renew() */
	uint64_t last_batch_us;         /* when the last batch went */
	bool dirty;                     /* more than leases may have changed
					 * (nft_schedule): compute it all */
	struct log_ratelimit warn_log;
	enum nft_lease_op renew_op;     /* LEASE_UPDATE or LEASE_READD */
	struct lease_rec *leases;       /* sorted by address */
	size_t n_leases, cap_leases;
};

static enum nft_lease_op lease_probe(struct nft_ctx *n);

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

/* ---- applying ----------------------------------------------------------- */

/* ---- leases ------------------------------------------------------------- */

static struct lease_rec *lease_find(struct nft_ctx *n, const struct hafd_addr *a)
{
	size_t lo = 0, hi = n->n_leases;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = addr_cmp(&n->leases[mid].a, a);

		if (!c)
			return &n->leases[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Leases that ran out, by our clock, are forgotten. */
static void leases_prune(struct nft_ctx *n, uint64_t now)
{
	size_t k = 0;

	for (size_t i = 0; i < n->n_leases; i++)
		if (n->leases[i].until_us > now)
			n->leases[k++] = n->leases[i];
	n->n_leases = k;
}

static int lease_rec_qcmp(const void *a, const void *b)
{
	return addr_cmp(&((const struct lease_rec *)a)->a, &((const struct lease_rec *)b)->a);
}

/* The renewals of w are in the kernel since `now`. */
static void leases_note(struct nft_ctx *n, const struct nft_want *w, uint64_t now)
{
	bool added = false;

	for (size_t i = 0; i < w->n_renew; i++) {
		struct lease_rec *r = lease_find(n, &w->renew[i].a);

		if (!r && n->n_leases == n->cap_leases) {
			size_t cap = n->cap_leases ? 2 * n->cap_leases : 16;
			struct lease_rec *p = realloc(n->leases, cap * sizeof(*p));

			if (!p)         /* only LEASE_READD misses it: it adds */
				continue;
			n->leases = p;
			n->cap_leases = cap;
		}
		if (!r) {
			r = &n->leases[n->n_leases++];
			r->a = w->renew[i].a;
			added = true;
		}
		r->until_us = now + (uint64_t)w->renew[i].ms * 1000u;
	}
	if (added)
		qsort(n->leases, n->n_leases, sizeof(*n->leases), lease_rec_qcmp);
}

/* The renewals of w, for one family, in b: with LEASE_READD, the leases
 * that may have expired already go as LEASE_ADD (a delete of an expired
 * element fails the whole batch). `fresh`: new tables, all LEASE_ADD. */
static int leases_build(struct nft_ctx *n, struct nft_batch *b, const struct nft_want *w,
			int af, bool fresh, uint64_t now)
{
	struct nft_lease *l = malloc((w->n_renew ? w->n_renew : 1) * sizeof(*l));
	size_t n_readd = 0, n_add = 0, n_update = 0;

	if (!l)
		return -1;
	/* Partitioned in place: READD from the front, ADD from the back. */
	for (size_t i = 0; i < w->n_renew; i++) {
		const struct nft_lease *x = &w->renew[i];
		const struct lease_rec *r;

		if (x->a.family != af)
			continue;
		r = lease_find(n, &x->a);
		if (fresh || (n->renew_op == LEASE_READD &&
			      (!r || r->until_us <= now + LEASE_MARGIN_US)))
			l[w->n_renew - 1 - n_add++] = *x;
		else
			l[n_readd++] = *x;
	}
	if (n->renew_op == LEASE_UPDATE) {
		n_update = n_readd;
		n_readd = 0;
	}
	if (n_update)
		nft_build_lease(b, n->table, af, l, n_update, LEASE_UPDATE);
	if (n_readd)
		nft_build_lease(b, n->table, af, l, n_readd, LEASE_READD);
	if (n_add)
		nft_build_lease(b, n->table, af, l + w->n_renew - n_add, n_add, LEASE_ADD);
	free(l);
	return 0;
}

/* The leases that run now, as renewals of what is left of them: a rebuild
 * keeps them, never lengthens them. Those w renews anyway are not added. */
static int leases_carry(struct nft_ctx *n, struct nft_want *w, uint64_t now)
{
	struct nft_lease *renew;
	size_t k = w->n_renew;

	leases_prune(n, now);
	if (!n->n_leases)
		return 0;
	renew = realloc(w->renew, (w->n_renew + n->n_leases) * sizeof(*renew));
	if (!renew)
		return -1;
	w->renew = renew;
	for (size_t i = 0; i < n->n_leases; i++) {
		bool dup = false;

		for (size_t j = 0; j < w->n_renew && !dup; j++)
			dup = addr_equal(&w->renew[j].a, &n->leases[i].a);
		if (dup)
			continue;
		renew[k].a = n->leases[i].a;
		renew[k++].ms = (unsigned)((n->leases[i].until_us - now) / 1000u);
		if (!renew[k - 1].ms)
			k--;
	}
	w->n_renew = k;
	return 0;
}

/* ---- applying ----------------------------------------------------------- */

/* Replace both tables with fresh ones holding everything w asks for. */
static int tables_build(struct nft_ctx *n, struct nft_want *w, uint64_t now)
{
	struct nft_batch b;

	if (w->lease && leases_carry(n, w, now) < 0)
		return -1;
	if (batch_start(n, &b, nft_want_addrs(w)) < 0)
		return -1;
	nft_build_tables(&b, n->table, true);
	nft_build_skeleton(&b, n->table, w);
	for (int i = 0; i < NSET_N; i++)
		nft_build_elems(&b, n->table, (enum nft_set_idx)i, &w->set[i], false);
	if (w->lease && (leases_build(n, &b, w, AF_INET, true, now) < 0 ||
			 leases_build(n, &b, w, AF_INET6, true, now) < 0)) {
		nft_batch_free(&b);
		errno = ENOMEM;
		return -1;
	}
	return batch_commit(n, &b);
}

/* Refill the sets that differ from what the tables hold; renew the leases
 * due. */
static int sets_update(struct nft_ctx *n, const struct nft_want *w, uint64_t now)
{
	struct nft_batch b;

	if (batch_start(n, &b, nft_want_addrs(w)) < 0)
		return -1;
	for (int i = 0; i < NSET_N; i++)
		if (!nft_addrs_equal(&w->set[i], &n->have.set[i]))
			nft_build_elems(&b, n->table, (enum nft_set_idx)i, &w->set[i], true);
	if (leases_build(n, &b, w, AF_INET, false, now) < 0 ||
	    leases_build(n, &b, w, AF_INET6, false, now) < 0) {
		nft_batch_free(&b);
		errno = ENOMEM;
		return -1;
	}
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

static int leases_renew(struct nft_ctx *n, struct hafd *h);

/* Only leases are due (the common case, many times a second at scale):
 * no need to recompute every set. */
static void on_renew(struct timer *t, void *arg)
{
	struct nft_ctx *n = arg;

	(void)t;
	if (n->dirty || !n->built || timer_armed(&n->flush) || leases_renew(n, n->h) < 0)
		nft_apply(n, n->h);
}

/* The renewal goes in the batch that ends this loop turn, unless a batch
 * went less than within_us ago: then within_us after that one. A pair's
 * adverts (one a interval) each renew at once; 255 instances at 10 ms
 * share one batch per 2.5 ms. */
void nft_schedule_renew(struct nft_ctx *n, struct hafd *h, uint64_t within_us)
{
	uint64_t now, due;

	if (!n || !n->table || h->stopping)
		return;
	n->h = h;
	now = loop_now(h->loop);
	due = n->last_batch_us + within_us;
	if (!n->last_batch_us || due <= now)
		loop_timer_soon(h->loop, &n->renew);
	else if (!timer_armed(&n->renew) || n->renew.due_us > due)
		loop_timer_at(h->loop, &n->renew, due);
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

/* What the tables should hold, from what the glue says now (d: its
 * description, kept until the batch is in, to clear lease_due). */
static int want_get(struct nft_ctx *n, struct hafd *h, struct nft_desc *d,
		    struct nft_want *w)
{
	int rc, saved;

	memset(w, 0, sizeof(*w));
	memset(d, 0, sizeof(*d));
	if (n->describe(h, d) < 0)
		return -1;
	rc = nft_want_compute(w, d);
	/* The lease chains hook devices, not names: one that is missing
	 * gets none (the kernel refuses it) until it comes, and one made
	 * again under the same name is hooked again. */
	for (size_t i = 0; rc == 0 && i < w->n_devs; i++)
		w->devs[i].ifindex = (int)if_nametoindex(w->devs[i].name);
	if (rc < 0) {
		saved = errno;
		free(d->inst);
		d->inst = NULL;
		errno = saved;
	}
	return rc;
}

/* The renewals are in: the instances that asked for one wait for their
 * next advert. */
static void leases_done(const struct nft_desc *d)
{
	for (size_t i = 0; i < d->n_inst; i++) {
		const struct nft_inst *in = &d->inst[i];

		if (d->lease && in->master && in->lease_ms && in->lease_due)
			*in->lease_due = false;
	}
}

/* A batch of renewals only. 0, or -1 (nothing renewed: nft_apply() then
 * does it all, rebuilding the tables if need be). */
static int leases_renew(struct nft_ctx *n, struct hafd *h)
{
	struct nft_desc d = { 0 };
	struct nft_want w;
	struct nft_batch b;
	uint64_t now = loop_now(h->loop);
	int rc = -1;

	loop_timer_cancel(h->loop, &n->renew);
	if (n->describe(h, &d) < 0)
		return -1;
	if (nft_want_renewals(&w, &d) < 0) {
		free(d.inst);
		return -1;
	}
	if (!w.n_renew) {
		rc = 0;
	} else if (batch_start(n, &b, nft_want_addrs(&w)) == 0) {
		if (leases_build(n, &b, &w, AF_INET, false, now) < 0 ||
		    leases_build(n, &b, &w, AF_INET6, false, now) < 0)
			nft_batch_free(&b);
		else
			rc = batch_commit(n, &b);
		if (rc == 0) {
			n->last_batch_us = now;
			leases_note(n, &w, now);
			leases_done(&d);
		}
	}
	nft_want_free(&w);
	free(d.inst);
	return rc;
}

int nft_apply(struct nft_ctx *n, struct hafd *h)
{
	struct nft_desc d;
	struct nft_want w;
	bool changed = true;    /* more than renewals: worth a debug line */
	uint64_t now;
	int rc;

	if (!n || !n->table || h->stopping)
		return 0;
	n->h = h;
	now = loop_now(h->loop);
	loop_timer_cancel(h->loop, &n->flush);
	loop_timer_cancel(h->loop, &n->renew);
	n->dirty = false;
	rc = want_get(n, h, &d, &w);
	if (rc == 0 && n->built && nft_want_same_rules(&w, &n->have)) {
		changed = false;
		for (int i = 0; i < NSET_N && !changed; i++)
			changed = !nft_addrs_equal(&w.set[i], &n->have.set[i]);
		if (!changed && !w.n_renew) {
			nft_want_free(&w);
			free(d.inst);
			return 0;
		}
		rc = sets_update(n, &w, now);
		/* A lease must not wait a second for the retry: new tables,
		 * where every lease is a plain add, at once. */
		if (rc < 0 && w.lease)
			rc = tables_build(n, &w, now);
	} else if (rc == 0) {
		rc = tables_build(n, &w, now);
	}
	if (rc < 0) {
		int saved = errno;

		if (log_ratelimit_allow(&n->warn_log, loop_now(h->loop), NULL))
			log_warn("nft: updating table %s (trying again in 1s)", n->table);
		n->built = false;       /* next time the tables are replaced whole */
		nft_want_free(&w);
		free(d.inst);
		loop_timer_in(h->loop, &n->retry, RETRY_US);
		n->dirty = true;
		errno = saved;
		return -1;
	}
	n->last_batch_us = now;
	leases_note(n, &w, now);
	leases_done(&d);
	free(d.inst);
	loop_timer_cancel(h->loop, &n->retry);
	nft_want_free(&n->have);
	n->have = w;
	n->built = true;
	if (changed)
		log_applied(n);
	return 0;
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
	nft_want_free(&n->have);
	free(n->leases);
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
	timer_init(&n->retry, on_retry, n);
	timer_init(&n->flush, on_flush, n);
	timer_init(&n->renew, on_renew, n);
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
		n->renew_op = lease_probe(n);
		log_info("nft: tables inet, arp and netdev %s created; leases renewed by %s",
			 table, n->renew_op == LEASE_UPDATE ? "update" : "delete and add");
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
		loop_timer_cancel(n->h->loop, &n->renew);
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

static int elem_expiration(struct nftnl_set_elem *e, void *data)
{
	uint64_t *ms = data;

	if (nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_EXPIRATION))
		*ms = nftnl_set_elem_get_u64(e, NFTNL_SET_ELEM_EXPIRATION);
	return 0;
}

/* How this kernel takes a renewal: an element re-added with a timeout of a
 * minute and an expiration of a second expires within the second where
 * the kernel updates elements in place; older kernels (Debian 12's 6.1)
 * keep the old expiration, and need the element deleted and added again.
 * The probe set goes with the first build of the tables. */
static enum nft_lease_op lease_probe(struct nft_ctx *n)
{
	const char *force = getenv(LEASE_RENEW_ENV);
	uint64_t ms = UINT64_MAX;
	struct nft_batch b;

	if (force && !strcmp(force, "readd"))
		return LEASE_READD;
	for (int update = 0; update < 2; update++) {
		if (batch_start(n, &b, 1) < 0)
			goto fail;
		nft_build_lease_probe(&b, n->table, update);
		if (batch_commit(n, &b) < 0)
			goto fail;
	}
	if (set_dump(n, NFPROTO_INET, NFT_PROBE_SET, elem_expiration, &ms) < 0)
		goto fail;
	return ms <= 30000 ? LEASE_UPDATE : LEASE_READD;
fail:
	log_warn("nft: finding out how the kernel renews a lease (deleting and adding)");
	return LEASE_READD;
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
		if (n->have.lease) {
			struct nft_addrs all = { 0 };
			char a[ADDR_STRLEN];

			rc |= set_read(n, NFPROTO_NETDEV, nft_lease_set_name(AF_INET), &all);
			rc |= set_read(n, NFPROTO_NETDEV, nft_lease_set_name(AF_INET6), &all);
			jput(&j, ",\"vip_lease\":[");
			for (size_t i = 0; i < all.n; i++)
				jput(&j, "%s\"%s\"", i ? "," : "", addr_ntop(&all.a[i], a, sizeof(a)));
			free(all.a);
			jput(&j, "]");
		} else {
			jput(&j, ",\"vip_lease\":null");
		}
		jput(&j, ",\"lease_renew\":\"%s\"}",
		     n->renew_op == LEASE_UPDATE ? "update" : "readd");
	}
	if (rc)
		return -1;
	if (j.off >= len) {
		errno = ENOSPC;
		return -1;
	}
	return (int)j.off;
}
