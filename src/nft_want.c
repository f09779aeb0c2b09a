/* nft_want.c: what hafd's nftables tables should hold, from the glue's
 * description of the instances (nft.h): the address sets, the per-source
 * VRRP rate and the cap on unknown sources. Pure: nft.c compares the
 * result with what the tables hold and sends the difference, nft_build.c
 * turns it into messages. */
#include "nft_priv.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RATE_MIN_PPS 100                /* per source: 10 ms adverts fit */

/* ---- address lists -------------------------------------------------------- */

int nft_addrs_push(struct nft_addrs *s, const struct hafd_addr *a)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 8;
		struct hafd_addr *p = realloc(s->a, cap * sizeof(*p));

		if (!p)
			return -1;
		s->a = p;
		s->cap = cap;
	}
	s->a[s->n++] = *a;
	s->a[s->n - 1].prefix = 0;      /* sets hold addresses, not prefixes */
	return 0;
}

static int addr_qcmp(const void *a, const void *b)
{
	return addr_cmp(a, b);
}

/* Sort and drop duplicates, so that two lists compare element by element. */
static void addrs_sort(struct nft_addrs *s)
{
	size_t k = 0;

	if (!s->n)
		return;
	qsort(s->a, s->n, sizeof(*s->a), addr_qcmp);
	for (size_t i = 1; i < s->n; i++)
		if (!addr_equal(&s->a[i], &s->a[k]))
			s->a[++k] = s->a[i];
	s->n = k + 1;
}

/* Remove from s (sorted) every address in gone (sorted). */
static void addrs_minus(struct nft_addrs *s, const struct nft_addrs *gone)
{
	size_t k = 0, j = 0;

	for (size_t i = 0; i < s->n; i++) {
		while (j < gone->n && addr_cmp(&gone->a[j], &s->a[i]) < 0)
			j++;
		if (j < gone->n && addr_equal(&gone->a[j], &s->a[i]))
			continue;
		s->a[k++] = s->a[i];
	}
	s->n = k;
}

bool nft_addrs_equal(const struct nft_addrs *a, const struct nft_addrs *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (!addr_equal(&a->a[i], &b->a[i]))
			return false;
	return true;
}

void nft_want_free(struct nft_want *w)
{
	for (int i = 0; i < NSET_N; i++)
		free(w->set[i].a);
	for (size_t i = 0; i < w->n_devs; i++)
		free(w->devs[i].cls);
	free(w->devs);
	free(w->uni.cls);
	free(w->fences[0].f);
	free(w->fences[1].f);
	free(w->fence_devs);
	memset(w, 0, sizeof(*w));
}

/* ---- the lease's renewal rules ------------------------------------------- */

/* The instance's VRID into its device's class of lease length. */
static int lclass_add(struct nft_dev *d, int family, unsigned ms, uint8_t vrid, size_t n_vips)
{
	struct nft_lclass *c = NULL, *p;

	for (size_t i = 0; i < d->n_cls && !c; i++)
		if (d->cls[i].family == family && d->cls[i].ms == ms)
			c = &d->cls[i];
	if (!c) {
		p = realloc(d->cls, (d->n_cls + 1) * sizeof(*p));
		if (!p)
			return -1;
		d->cls = p;
		c = &d->cls[d->n_cls++];
		memset(c, 0, sizeof(*c));
		c->family = family;
		c->ms = ms;
	}
	c->vrids[vrid / 8] |= (uint8_t)(1u << (vrid % 8));
	if (n_vips > c->n_addrs)
		c->n_addrs = (unsigned)n_vips;
	return 0;
}

static int lclass_qcmp(const void *a, const void *b)
{
	const struct nft_lclass *x = a, *y = b;

	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	return (x->ms > y->ms) - (x->ms < y->ms);
}

/* ---- devices ------------------------------------------------------------------ */

/* name into the device list *devs (n, cap), once; an instance without an
 * interface adds none. The lease's and the fence's lists both. */
static int dev_push(struct nft_dev **devs, size_t *n, size_t *cap, const char *name)
{
	if (!name || !*name)
		return 0;
	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*devs)[i].name, name))
			return 0;
	if (*n == *cap) {
		size_t c = *cap ? 2 * *cap : 4;
		struct nft_dev *p = realloc(*devs, c * sizeof(*p));

		if (!p)
			return -1;
		*devs = p;
		*cap = c;
	}
	memset(&(*devs)[*n], 0, sizeof(**devs));
	snprintf((*devs)[(*n)++].name, IFNAMSIZ, "%s", name);
	return 0;
}

static int dev_qcmp(const void *a, const void *b)
{
	return strcmp(((const struct nft_dev *)a)->name, ((const struct nft_dev *)b)->name);
}

static struct nft_dev *dev_find(const struct nft_want *w, const char *name)
{
	for (size_t i = 0; name && i < w->n_devs; i++)
		if (!strcmp(w->devs[i].name, name))
			return &w->devs[i];
	return NULL;
}

/* The same devices (names and ifindexes), and the same renewal rules. */
static bool devs_equal(const struct nft_dev *a, size_t na, const struct nft_dev *b, size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++) {
		const struct nft_dev *x = &a[i], *y = &b[i];

		if (strcmp(x->name, y->name) || x->ifindex != y->ifindex ||
		    x->n_cls != y->n_cls ||
		    (x->n_cls && memcmp(x->cls, y->cls, x->n_cls * sizeof(*x->cls))))
			return false;
	}
	return true;
}

bool nft_devs_equal(const struct nft_want *a, const struct nft_want *b)
{
	return devs_equal(a->devs, a->n_devs, b->devs, b->n_devs) &&
	       devs_equal(&a->uni, 1, &b->uni, 1);
}

/* ---- what the tables should hold ------------------------------------------ */

/* ---- fence_port: (VIP . port) pairs ------------------------------------- */

static int fence_push(struct nft_fences *s, const struct hafd_addr *a, uint16_t port)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 8;
		struct nft_fence *p = realloc(s->f, cap * sizeof(*p));

		if (!p)
			return -1;
		s->f = p;
		s->cap = cap;
	}
	s->f[s->n].a = *a;
	s->f[s->n].a.prefix = 0;
	s->f[s->n++].port = port;
	return 0;
}

static int fence_qcmp(const void *a, const void *b)
{
	const struct nft_fence *x = a, *y = b;
	int c = addr_cmp(&x->a, &y->a);

	return c ? c : (x->port > y->port) - (x->port < y->port);
}

/* Sorted, without duplicates, less the VIPs in owned (sorted). */
static void fences_finish(struct nft_fences *s, const struct nft_addrs *owned)
{
	size_t k = 0, j = 0;

	if (s->n)
		qsort(s->f, s->n, sizeof(*s->f), fence_qcmp);
	for (size_t i = 0; i < s->n; i++) {
		while (j < owned->n && addr_cmp(&owned->a[j], &s->f[i].a) < 0)
			j++;
		if (j < owned->n && addr_equal(&owned->a[j], &s->f[i].a))
			continue;
		if (k && !fence_qcmp(&s->f[k - 1], &s->f[i]))
			continue;
		s->f[k++] = s->f[i];
	}
	s->n = k;
}

static enum nft_set_idx set_of(enum nft_set_idx v4, int family)
{
	return family == AF_INET ? v4 : v4 + 1;
}

/* The lease is renewed by the adverts as they leave the interface
 * (nft_build.c, 8L). A unicast advert leaves only once its peer's
 * neighbour entry resolves (with the peer down, the kernel queues it,
 * then drops it), so a unicast instance's lease is renewed by a packet
 * hafd sends to lo (nft_lease_renew(), rules 8U): with lo down there is
 * none, and unicast instances have no lease (hafd.conf(5), vip_lease). */
static bool inst_leased(const struct nft_want *w, const struct nft_inst *in)
{
	return w->lease && in->lease_ms && in->ifname && *in->ifname &&
	       (!in->n_peers || w->lo_up);
}

static int want_inst(struct nft_want *w, struct nft_addrs owned[2], const struct nft_inst *in)
{
	struct nft_addrs *vips = NULL;
	bool leased = inst_leased(w, in);
	int rc = 0;

	if (!in->master)
		vips = &w->set[set_of(NSET_STANDBY4, in->family)];
	else if (!in->accept)
		vips = &w->set[set_of(NSET_NOACCEPT4, in->family)];
	for (size_t i = 0; i < in->n_vips; i++) {
		if (vips)
			rc |= nft_addrs_push(vips, &in->vips[i]);
		if (in->master)
			rc |= nft_addrs_push(&owned[in->family == AF_INET6], &in->vips[i]);
		/* A draining former master's VIPs are out of the lease rules
		 * (its lease lapsed with its mastership; rules 3L / 6L / 7L,
		 * in whichever table they live, would drop the segments it
		 * drains): rules 3, 6 and 7 keep them silent but for 3D. */
		if (leased && !(in->draining && !in->master))
			rc |= nft_addrs_push(&w->set[set_of(NSET_VIP4, in->family)], &in->vips[i]);
		if (!in->master && in->draining)
			rc |= nft_addrs_push(&w->set[set_of(NSET_DRAIN4, in->family)], &in->vips[i]);
		/* fence_port: not a draining former master, whose flows rule
		 * 3D lets finish (its new connections meet rule 3). */
		for (size_t p = 0; !in->master && !in->draining && p < in->n_fence_ports; p++)
			rc |= fence_push(&w->fences[in->family == AF_INET6], &in->vips[i],
					 in->fence_ports[p]);
	}
	for (size_t i = 0; i < in->n_peers; i++) {
		rc |= nft_addrs_push(&w->set[set_of(NSET_PEER4, in->family)], &in->peers[i]);
		rc |= nft_addrs_push(&w->set[set_of(NSET_KNOWN4, in->family)], &in->peers[i]);
	}
	/* The master a backup follows gets through a spoofed flood: its
	 * adverts are what keeps the backup from taking over. */
	if (!in->master && in->followed && in->followed->family == in->family)
		rc |= nft_addrs_push(&w->set[set_of(NSET_KNOWN4, in->family)], in->followed);
	w->vrids[in->family == AF_INET6][in->vrid / 8] |= (uint8_t)(1u << (in->vrid % 8));
	w->fence |= in->n_fence_ports > 0;
	return rc;
}

/* Each instance with a lease into its device's renewal rules for its
 * length, a unicast one into lo's: what the rules are does not depend on
 * who is master, so a failover changes no rule. */
static int leases_place(struct nft_want *w, const struct nft_desc *d)
{
	int rc = 0;

	if (!w->lease)
		return 0;
	for (size_t i = 0; i < d->n_inst; i++) {
		const struct nft_inst *in = &d->inst[i];
		struct nft_dev *dev = dev_find(w, in->ifname);

		w->uni_nolo |= w->lease && in->lease_ms && in->n_peers && !w->lo_up;
		if (!inst_leased(w, in) || !in->n_vips)
			continue;
		if (in->n_peers)
			rc |= lclass_add(&w->uni, in->family, in->lease_ms, in->vrid, in->n_vips);
		else if (dev)
			rc |= lclass_add(dev, in->family, in->lease_ms, in->vrid, in->n_vips);
		else
			continue;
	}
	if (w->uni.n_cls > 1)
		qsort(w->uni.cls, w->uni.n_cls, sizeof(*w->uni.cls), lclass_qcmp);
	for (size_t i = 0; i < w->n_devs; i++)
		if (w->devs[i].n_cls > 1)
			qsort(w->devs[i].cls, w->devs[i].n_cls, sizeof(*w->devs[i].cls),
			      lclass_qcmp);
	return rc;
}

int nft_want_compute(struct nft_want *w, const struct nft_desc *d)
{
	struct nft_addrs owned[2] = { { 0 } };
	size_t dev_cap = 0, fence_dev_cap = 0;
	unsigned pps = 0;
	int rc = 0;

	memset(w, 0, sizeof(*w));
	w->lease = d->lease;
	w->lo_up = d->lo_up;
	snprintf(w->uni.name, sizeof(w->uni.name), "lo");
	for (size_t i = 0; i < d->n_inst; i++) {
		rc |= want_inst(w, owned, &d->inst[i]);
		if (w->lease)
			rc |= dev_push(&w->devs, &w->n_devs, &dev_cap, d->inst[i].ifname);
		if (d->inst[i].n_fence_ports)
			rc |= dev_push(&w->fence_devs, &w->n_fence_devs, &fence_dev_cap,
				       d->inst[i].ifname);
		pps += d->inst[i].adverts_per_s;
	}
	if (w->n_devs)
		qsort(w->devs, w->n_devs, sizeof(*w->devs), dev_qcmp);
	if (w->n_fence_devs)
		qsort(w->fence_devs, w->n_fence_devs, sizeof(*w->fence_devs), dev_qcmp);
	rc |= leases_place(w, d);
	w->rate_pps = 2 * pps > RATE_MIN_PPS ? 2 * pps : RATE_MIN_PPS;
	/* The cap's burst on our VRIDs: at least a second of all our
	 * adverts, so that every backup hears its master at start-up. */
	w->cap_pps = d->cap_pps;
	w->cap_burst = !w->cap_pps ? 0 : w->cap_pps > pps ? w->cap_pps : pps;
	for (int i = 0; i < NSET_N; i++)
		addrs_sort(&w->set[i]);
	for (int f = 0; f < 2; f++) {   /* a VIP one instance holds as master is ours */
		addrs_sort(&owned[f]);
		addrs_minus(&w->set[f ? NSET_STANDBY6 : NSET_STANDBY4], &owned[f]);
		fences_finish(&w->fences[f], &owned[f]);
		free(owned[f].a);
	}
	if (rc) {
		nft_want_free(w);
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

/* Rules depend on the rate, the cap, the lease, whether each family has unicast
 * peers, the devices the lease chains hook (and which device has that name
 * now) and their renewal rules; the VRIDs, which only a reload changes, are built with them. */
bool nft_want_same_rules(const struct nft_want *a, const struct nft_want *b)
{
	return a->rate_pps == b->rate_pps && a->cap_pps == b->cap_pps && a->lease == b->lease &&
	       nft_devs_equal(a, b) &&
	       a->cap_burst == b->cap_burst && !memcmp(a->vrids, b->vrids, sizeof(a->vrids)) &&
	       a->fence == b->fence && nft_fence_devs_equal(a, b) &&
	       !a->set[NSET_PEER4].n == !b->set[NSET_PEER4].n &&
	       !a->set[NSET_PEER6].n == !b->set[NSET_PEER6].n;
}

size_t nft_want_addrs(const struct nft_want *w)
{
	size_t n = 0;

	for (int i = 0; i < NSET_N; i++)
		n += w->set[i].n;
	for (size_t i = 0; i < w->n_devs; i++)  /* the VRIDs, in rules 8L */
		for (size_t c = 0; c < w->devs[i].n_cls; c++)
			for (size_t k = 0; k < sizeof(w->devs[i].cls[c].vrids); k++)
				n += w->devs[i].cls[c].n_addrs *
				     (size_t)__builtin_popcount(w->devs[i].cls[c].vrids[k]);
	n += w->uni.n_cls * NFT_COPY_SLOTS;             /* rules 8U: their slots */
	n += w->fences[0].n + w->fences[1].n;
	for (int f = 0; f < 2; f++)     /* the VRIDs, in rules 2a and 2b */
		for (size_t k = 0; k < sizeof(w->vrids[f]); k++)
			n += 2 * (size_t)__builtin_popcount(w->vrids[f][k]);
	return n;
}

/* ---- fence_port ------------------------------------------------------------ */

bool nft_fence_devs_equal(const struct nft_want *a, const struct nft_want *b)
{
	return devs_equal(a->fence_devs, a->n_fence_devs, b->fence_devs, b->n_fence_devs);
}

bool nft_fences_equal(const struct nft_fences *a, const struct nft_fences *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (fence_qcmp(&a->f[i], &b->f[i]))
			return false;
	return true;
}
