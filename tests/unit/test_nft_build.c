/* test_nft_build.c: the render path of hafd's nftables tables, from the
 * description the glue hands nft (struct nft_desc, nft.h; issue 22): what
 * the tables should hold (nft_want.c: which VIPs are standby or no-accept,
 * unicast peers, the sources known to the cap, rate and cap) and the
 * messages of the batch (nft_build.c), read back with libnftnl and libmnl
 * as the kernel would read them, without a kernel. Each rule is decoded to
 * one line from its attributes, not with libnftnl's printer, whose format
 * changes between versions. */
#include <stdlib.h>

#include "nft_decode.h"

#define C_PEER "hafd: VRRP from an address that is not a unicast_peer"
#define C_RATE "hafd: VRRP flood from one source"
#define C_CAP "hafd: VRRP beyond the cap on unknown sources"
#define C_CAP_OTHER "hafd: VRRP beyond the cap on unknown sources, VRIDs not run here"
#define C_STANDBY "hafd: VIP of an instance that is not master here"
#define C_NOACCEPT "hafd: accept_mode = no: only VRRP to the VIP"
#define C_LEASE "hafd: VIP whose lease lapsed"
#define C_NA "hafd: NA for a VIP that is not ours"
#define C_NA_LEASE "hafd: NA for a VIP whose lease lapsed"
#define C_ARP "hafd: ARP for a VIP that is not ours"
#define C_ARP_LEASE "hafd: ARP for a VIP whose lease lapsed"
#define C_DRAIN "hafd: drain: established TCP to a VIP handed over"
#define C_RENEW "hafd: an advert renews the lease of a VIP it carries"
#define C_RENEW_UNI "hafd: unicast masters renew the leases of the VIPs listed"
#define C_UNI_DROP "hafd: a unicast renewal goes no further"
/* ---- descriptions ---------------------------------------------------------- */

static struct hafd_addr ip(const char *s)
{
	struct hafd_addr a;

	assert_int_equal(addr_parse(s, &a), 0);
	return a;
}

/* The addresses of set i, space-separated, as nft_want_compute() left them. */
static const char *set_text(const struct nft_want *w, enum nft_set_idx i)
{
	static char buf[512];
	char a[ADDR_STRLEN];

	buf[0] = 0;
	for (size_t k = 0; k < w->set[i].n; k++)
		cat(buf, sizeof(buf), "%s%s", k ? " " : "", addr_ntop(&w->set[i].a[k], a, sizeof(a)));
	return buf;
}

/* Four instances, as vrrp_nft_describe() would hand them over:
 *   web   IPv4 master, owner (accept), 10.0.0.1, 10 adverts/s
 *   web2  IPv4 backup following 10.0.0.11, 10.0.0.1/24 (web holds it as
 *         master) and 10.0.0.2, 100 adverts/s
 *   web6  IPv6 master, accept_mode = no, fd00::1/64, 1 advert/s
 *   uni   IPv4 backup, unicast peers 10.0.0.13 and 10.0.0.12, following
 *         10.0.0.12; 10.0.0.3; 1 advert/s */
struct fixture {
	struct hafd_addr vips_web[1], vips_web2[2], vips_web6[1], vips_uni[1];
	struct hafd_addr peers_uni[2], master_web2, master_uni;
	struct nft_inst inst[4];
	struct nft_desc desc;
};

static void fixture(struct fixture *f)
{
	memset(f, 0, sizeof(*f));
	f->vips_web[0] = ip("10.0.0.1");
	f->vips_web2[0] = ip("10.0.0.1/24");
	f->vips_web2[1] = ip("10.0.0.2");
	f->vips_web6[0] = ip("fd00::1/64");
	f->vips_uni[0] = ip("10.0.0.3");
	f->peers_uni[0] = ip("10.0.0.13");
	f->peers_uni[1] = ip("10.0.0.12");
	f->master_web2 = ip("10.0.0.11");
	f->master_uni = ip("10.0.0.12");
	f->inst[0] = (struct nft_inst){ .family = AF_INET, .vrid = 51, .master = true,
					.accept = true, .ifname = "eth0",
					.adverts_per_s = 10, .vips = f->vips_web, .n_vips = 1 };
	f->inst[1] = (struct nft_inst){ .family = AF_INET, .vrid = 52, .adverts_per_s = 100,
					.ifname = "eth0",
					.vips = f->vips_web2, .n_vips = 2,
					.followed = &f->master_web2 };
	f->inst[2] = (struct nft_inst){ .family = AF_INET6, .vrid = 61, .master = true,
					.adverts_per_s = 1, .ifname = "bond0",
					.vips = f->vips_web6, .n_vips = 1 };
	f->inst[3] = (struct nft_inst){ .family = AF_INET, .vrid = 53, .adverts_per_s = 1,
					.ifname = "eth0",
					.vips = f->vips_uni, .n_vips = 1, .peers = f->peers_uni,
					.n_peers = 2, .followed = &f->master_uni };
	for (int i = 0; i < 4; i++)     /* in effect with desc.lease only */
		f->inst[i].lease_ms = 250;
	f->desc = (struct nft_desc){ .inst = f->inst, .n_inst = 4, .cap_pps = 1000 };
}

/* ---- what the tables should hold -------------------------------------------- */

/* Standby: the VIPs of instances that are not master, less any that an
 * instance holds as master; no-accept: a master's VIPs unless it accepts;
 * prefixes dropped; sorted; peers; the known sources: peers and the
 * masters the backups follow, once each. */
static void test_want_sets(void **state)
{
	struct fixture f;
	struct nft_want w;

	(void)state;
	fixture(&f);
	assert_int_equal(nft_want_compute(&w, &f.desc), 0);
	assert_string_equal(set_text(&w, NSET_STANDBY4), "10.0.0.2 10.0.0.3");
	assert_string_equal(set_text(&w, NSET_STANDBY6), "");
	assert_string_equal(set_text(&w, NSET_NOACCEPT4), "");
	assert_string_equal(set_text(&w, NSET_NOACCEPT6), "fd00::1");
	assert_int_equal(w.set[NSET_NOACCEPT6].a[0].prefix, 0);
	assert_string_equal(set_text(&w, NSET_PEER4), "10.0.0.12 10.0.0.13");
	assert_string_equal(set_text(&w, NSET_PEER6), "");
	assert_string_equal(set_text(&w, NSET_KNOWN4), "10.0.0.11 10.0.0.12 10.0.0.13");
	assert_string_equal(set_text(&w, NSET_KNOWN6), "");
	/* Addresses, and the VRIDs (3 IPv4, 1 IPv6) once in each cap rule. */
	assert_int_equal(nft_want_addrs(&w), 2 + 1 + 2 + 3 + 2 * (3 + 1));
	assert_int_equal(w.vrids[0][51 / 8], (1 << (51 % 8)) | (1 << (52 % 8)) | (1 << (53 % 8)));
	assert_int_equal(w.vrids[1][61 / 8], 1 << (61 % 8));
	nft_want_free(&w);

	/* web2 loses its master: no standby VIP of it is web's any more. */
	f.inst[0].master = false;
	assert_int_equal(nft_want_compute(&w, &f.desc), 0);
	assert_string_equal(set_text(&w, NSET_STANDBY4), "10.0.0.1 10.0.0.2 10.0.0.3");
	nft_want_free(&w);
}

/* Only a backup's master is known, and only in its own family. */
static void test_want_followed(void **state)
{
	struct fixture f;
	struct hafd_addr v6 = ip("fe80::1");
	struct nft_want w;

	(void)state;
	fixture(&f);
	f.inst[1].master = true;                /* a master follows no one */
	f.inst[3].followed = &v6;               /* not an IPv4 instance's master */
	assert_int_equal(nft_want_compute(&w, &f.desc), 0);
	assert_string_equal(set_text(&w, NSET_KNOWN4), "10.0.0.12 10.0.0.13");
	assert_string_equal(set_text(&w, NSET_KNOWN6), "");
	nft_want_free(&w);

	f.inst[3].followed = NULL;
	f.inst[3].n_peers = 0;
	assert_int_equal(nft_want_compute(&w, &f.desc), 0);
	assert_string_equal(set_text(&w, NSET_KNOWN4), "");
	assert_string_equal(set_text(&w, NSET_PEER4), "");
	nft_want_free(&w);
}

/* The per-source rate is twice the adverts a second of all instances
 * together, at least 100; the cap on unknown sources is nft_vrrp_cap, its
 * burst on our VRIDs at least a second of all our adverts. */
static void test_want_rate(void **state)
{
	struct fixture f;
	struct nft_want w;
	struct nft_desc none = { 0 };

	(void)state;
	fixture(&f);
	assert_int_equal(nft_want_compute(&w, &f.desc), 0);
	assert_int_equal(w.rate_pps, 2 * (10 + 100 + 1 + 1));
	assert_int_equal(w.cap_pps, 1000);
	assert_int_equal(w.cap_burst, 1000);
	nft_want_free(&w);
	f.desc.cap_pps = 50;            /* start-up still fits in the burst */
	assert_int_equal(nft_want_compute(&w, &f.desc), 0);
	assert_int_equal(w.cap_pps, 50);
	assert_int_equal(w.cap_burst, 10 + 100 + 1 + 1);
	nft_want_free(&w);
	f.desc.cap_pps = 0;             /* nft_vrrp_cap = 0: no cap */
	f.inst[1].adverts_per_s = 1;
	assert_int_equal(nft_want_compute(&w, &f.desc), 0);
	assert_int_equal(w.rate_pps, 100);
	assert_int_equal(w.cap_pps, 0);
	assert_int_equal(w.cap_burst, 0);
	nft_want_free(&w);
	assert_int_equal(nft_want_compute(&w, &none), 0);
	assert_int_equal(w.rate_pps, 100);
	assert_int_equal(nft_want_addrs(&w), 0);
	nft_want_free(&w);
}

/* What needs the tables rebuilt: the rate (so the cap), whether a family
 * has unicast peers. A new master followed, a state change: sets only. */
static void test_want_same_rules(void **state)
{
	struct fixture f;
	struct hafd_addr other = ip("10.0.0.21");
	struct nft_want a, b;

	(void)state;
	fixture(&f);
	assert_int_equal(nft_want_compute(&a, &f.desc), 0);
	f.inst[1].followed = &other;
	f.inst[0].master = false;
	assert_int_equal(nft_want_compute(&b, &f.desc), 0);
	assert_true(nft_want_same_rules(&a, &b));
	assert_false(nft_addrs_equal(&a.set[NSET_KNOWN4], &b.set[NSET_KNOWN4]));
	nft_want_free(&b);
	f.inst[3].n_peers = 0;
	assert_int_equal(nft_want_compute(&b, &f.desc), 0);
	assert_false(nft_want_same_rules(&a, &b));
	nft_want_free(&b);
	fixture(&f);
	f.inst[0].adverts_per_s = 100;
	assert_int_equal(nft_want_compute(&b, &f.desc), 0);
	assert_false(nft_want_same_rules(&a, &b));
	nft_want_free(&b);
	fixture(&f);                    /* a VRID (a reload) */
	f.inst[3].vrid = 54;
	assert_int_equal(nft_want_compute(&b, &f.desc), 0);
	assert_false(nft_want_same_rules(&a, &b));
	nft_want_free(&b);
	fixture(&f);                    /* nft_vrrp_cap (a reload) */
	f.desc.cap_pps = 2000;
	assert_int_equal(nft_want_compute(&b, &f.desc), 0);
	assert_false(nft_want_same_rules(&a, &b));
	nft_want_free(&b);
	nft_want_free(&a);
}

/* ---- the batch ---------------------------------------------------------------- */

/* The whole tables from the fixture's description, as nft.c builds them
 * the first time: tables, skeleton, every set's elements. */
/* The batch that builds the tables for desc; the devices the lease hooks
 * exist (nft.c finds their ifindex) when `devs_exist`. */
static void render_devs(const struct nft_desc *desc, struct decoded *d, bool devs_exist)
{
	struct nft_want w;
	struct nft_batch b;

	assert_int_equal(nft_want_compute(&w, desc), 0);
	for (size_t i = 0; devs_exist && i < w.n_devs; i++)
		w.devs[i].ifindex = (int)i + 1;
	if (devs_exist && w.uni.n_cls)
		w.uni.ifindex = 1;
	assert_int_equal(nft_batch_init(&b, nft_want_addrs(&w), 1000), 0);
	nft_build_tables(&b, "hafd", true);
	nft_build_skeleton(&b, "hafd", &w);
	for (int i = 0; i < NSET_N; i++)
		nft_build_elems(&b, "hafd", (enum nft_set_idx)i, &w.set[i], false);
	decode(&b, d);
	nft_want_free(&w);
}

static void render(const struct nft_desc *desc, struct decoded *d)
{
	render_devs(desc, d, true);
}

/* The elements of set name in family (NFPROTO_INET or NFPROTO_ARP), over
 * all its NEWSETELEM messages. */
static const char *elems_of(const struct decoded *d, const char *name, int family)
{
	static char buf[1024];

	buf[0] = 0;
	for (int i = 0; i < d->n; i++)
		if (d->it[i].type == NFT_MSG_NEWSETELEM && d->it[i].family == family &&
		    !strcmp(d->it[i].name, name))
			cat(buf, sizeof(buf), "%s%s", buf[0] ? " " : "", d->it[i].text);
	return buf;
}

/* The elements of the anonymous set a rule looks up ("lookup #ID"). */
static const char *anon_elems(const struct decoded *d, const struct item *ru)
{
	const char *at = strstr(ru->text, "lookup #");
	unsigned id;

	assert_non_null(at);
	assert_int_equal(sscanf(at, "lookup #%u", &id), 1);
	for (int i = 0; i < d->n; i++)
		if (d->it[i].type == NFT_MSG_NEWSETELEM && d->it[i].set_id == id)
			return d->it[i].text;
	fail_msg("no elements for set #%u", id);
	return NULL;
}

/* The rule's text with its anonymous set's id taken out: "lookup #". */
static const char *no_id(const struct item *ru)
{
	static char buf[1024];
	const char *at = strstr(ru->text, "lookup #");
	size_t k;

	assert_non_null(at);
	k = (size_t)(at - ru->text) + strlen("lookup #");
	memcpy(buf, ru->text, k);
	buf[k] = 0;
	at += strlen("lookup #");
	while (*at >= '0' && *at <= '9')
		at++;
	cat(buf, sizeof(buf), "%s", at);
	return buf;
}

/* The VRRP rules of chain input, per family, from the description: the
 * unicast-peer rule only where a family has peers; the per-source rate;
 * the cap on sources not in vrrp_knownN, one bucket for the VRIDs run
 * here (the VRID byte after the IP header, in an anonymous set) and one
 * for the others. */
/* A former master that drains (drain.h): its VIPs stay standby (no ARP,
 * no NA, nothing but TCP segments) and are in vipN_drain too; a master
 * never drains. Rule 3D, TCP without SYN to them, comes before rule 3
 * and 3L, which would drop it. */
static void test_want_drain(void **state)
{
	struct fixture f;
	struct nft_want w;
	struct decoded d;
	int n, i_drain = -1, i_standby = -1;

	(void)state;
	fixture(&f);
	f.inst[1].draining = true;              /* web2, a backup */
	f.inst[2].draining = true;              /* web6, master: not draining */
	assert_int_equal(nft_want_compute(&w, &f.desc), 0);
	assert_string_equal(set_text(&w, NSET_DRAIN4), "10.0.0.1 10.0.0.2");
	assert_string_equal(set_text(&w, NSET_DRAIN6), "");
	assert_string_equal(set_text(&w, NSET_STANDBY4), "10.0.0.2 10.0.0.3");
	nft_want_free(&w);

	/* Out of the lease rules (its lease lapsed as it left MASTER): only
	 * 10.0.0.1, which web holds as master, stays in vip4 (uni, unicast,
	 * has no lease). */
	f.desc.lease = true;
	assert_int_equal(nft_want_compute(&w, &f.desc), 0);
	assert_string_equal(set_text(&w, NSET_VIP4), "10.0.0.1");
	nft_want_free(&w);

	render(&f.desc, &d);
	rule(&d, C_DRAIN, 0, &n);
	assert_int_equal(n, 2);
	assert_string_equal(rule(&d, C_DRAIN, 0, NULL)->text,
			    "meta nfproto; cmp eq 02; payload nh+16/4; lookup vip4_drain; "
			    "meta l4proto; cmp eq 06; payload th+13/1; bitwise; cmp eq 00; accept");
	for (int i = 0; i < d.n; i++) {
		if (d.it[i].type != NFT_MSG_NEWRULE)
			continue;
		if (i_drain < 0 && !strcmp(d.it[i].comment, C_DRAIN))
			i_drain = i;
		if (i_standby < 0 && !strcmp(d.it[i].comment, C_STANDBY))
			i_standby = i;
	}
	assert_true(i_drain >= 0 && i_standby > i_drain);
}

static void test_render_rules(void **state)
{
	struct fixture f;
	struct decoded d;
	int n;

	(void)state;
	fixture(&f);
	render(&f.desc, &d);
	rule(&d, C_PEER, 0, &n);
	assert_int_equal(n, 1);
	assert_string_equal(rule(&d, C_PEER, 0, NULL)->text,
			    "meta l4proto; cmp eq 70; meta pkttype; cmp eq 00; meta nfproto; "
			    "cmp eq 02; payload nh+12/4; lookup peer4 inv; counter; drop");
	rule(&d, C_RATE, 0, &n);
	assert_int_equal(n, 2);
	assert_string_equal(rule(&d, C_RATE, 1, NULL)->text,
			    "meta l4proto; cmp eq 70; meta nfproto; cmp eq 0a; payload nh+8/16; "
			    "dynset vrrp_rate6; counter; drop");
	rule(&d, C_CAP, 0, &n);
	assert_int_equal(n, 2);
	rule(&d, C_CAP_OTHER, 0, &n);
	assert_int_equal(n, 2);
	assert_string_equal(no_id(rule(&d, C_CAP, 0, NULL)),
			    "meta l4proto; cmp eq 70; meta nfproto; cmp eq 02; payload nh+12/4; "
			    "lookup vrrp_known4 inv; payload nh+21/1; lookup #; "
			    "limit 1000/1s burst 1000 pkts inv; counter; drop");
	assert_string_equal(anon_elems(&d, rule(&d, C_CAP, 0, NULL)), "51 52 53");
	assert_string_equal(no_id(rule(&d, C_CAP_OTHER, 0, NULL)),
			    "meta l4proto; cmp eq 70; meta nfproto; cmp eq 02; payload nh+12/4; "
			    "lookup vrrp_known4 inv; payload nh+21/1; lookup # inv; "
			    "limit 1000/1s burst 1000 pkts inv; counter; drop");
	assert_string_equal(anon_elems(&d, rule(&d, C_CAP_OTHER, 0, NULL)), "51 52 53");
	assert_string_equal(no_id(rule(&d, C_CAP, 1, NULL)),
			    "meta l4proto; cmp eq 70; meta nfproto; cmp eq 0a; payload nh+8/16; "
			    "lookup vrrp_known6 inv; payload nh+41/1; lookup #; "
			    "limit 1000/1s burst 1000 pkts inv; counter; drop");
	assert_string_equal(anon_elems(&d, rule(&d, C_CAP, 1, NULL)), "61");

	/* A family with no VRID here: one bucket for all its unknown VRRP. */
	f.inst[2].family = AF_INET;
	f.inst[2].vips = f.vips_web;
	render(&f.desc, &d);
	rule(&d, C_CAP, 0, &n);
	assert_int_equal(n, 1);
	assert_string_equal(rule(&d, C_CAP_OTHER, 1, NULL)->text,
			    "meta l4proto; cmp eq 70; meta nfproto; cmp eq 0a; payload nh+8/16; "
			    "lookup vrrp_known6 inv; limit 1000/1s burst 1000 pkts inv; counter; drop");

	/* nft_vrrp_cap = 0: no cap rule at all. */
	fixture(&f);
	f.desc.cap_pps = 0;
	render(&f.desc, &d);
	rule(&d, C_CAP, 0, &n);
	assert_int_equal(n, 0);
	rule(&d, C_CAP_OTHER, 0, &n);
	assert_int_equal(n, 0);
	fixture(&f);
	assert_string_equal(rule(&d, C_NOACCEPT, 1, NULL)->text,
			    "meta nfproto; cmp eq 0a; payload nh+24/16; lookup vip6_noaccept; "
			    "meta l4proto; cmp ne 70; counter; drop");

	/* Without peers, no unicast-peer rule at all. */
	f.inst[3].n_peers = 0;
	render(&f.desc, &d);
	rule(&d, C_PEER, 0, &n);
	assert_int_equal(n, 0);
}

/* The sets' elements: vip4_standby in both tables, the others in inet's
 * only, the known sources as the cap rule reads them. */
static void test_render_elems(void **state)
{
	struct fixture f;
	struct decoded d;
	int known = 0;

	(void)state;
	fixture(&f);
	render(&f.desc, &d);
	assert_string_equal(elems_of(&d, "vip4_standby", NFPROTO_INET), "10.0.0.2 10.0.0.3");
	assert_string_equal(elems_of(&d, "vip4_standby", NFPROTO_ARP), "10.0.0.2 10.0.0.3");
	assert_string_equal(elems_of(&d, "vip6_noaccept", NFPROTO_INET), "fd00::1");
	assert_string_equal(elems_of(&d, "peer4", NFPROTO_INET), "10.0.0.12 10.0.0.13");
	assert_string_equal(elems_of(&d, "vrrp_known4", NFPROTO_INET),
			    "10.0.0.11 10.0.0.12 10.0.0.13");
	assert_string_equal(elems_of(&d, "vrrp_known4", NFPROTO_ARP), "");
	assert_string_equal(elems_of(&d, "vrrp_known6", NFPROTO_INET), "");
	for (int i = 0; i < d.n; i++)
		if (d.it[i].type == NFT_MSG_NEWSET && !strncmp(d.it[i].name, "vrrp_known", 10)) {
			known++;
			assert_int_equal(d.it[i].family, NFPROTO_INET);
			assert_int_equal(d.it[i].key_len, d.it[i].name[10] == '4' ? 4 : 16);
		}
	assert_int_equal(known, 2);
	/* No instance: every rule still there, every set empty. */
	f.desc.n_inst = 0;
	render(&f.desc, &d);
	assert_non_null(rule(&d, C_STANDBY, 1, NULL));
	assert_non_null(rule(&d, C_CAP_OTHER, 1, NULL));
	for (int i = 0; i < d.n; i++)
		assert_int_not_equal(d.it[i].type, NFT_MSG_NEWSETELEM);
}

/* A change after that: only the set that differs, flushed then refilled. */
static void test_render_update(void **state)
{
	struct nft_addrs known = { 0 };
	struct hafd_addr a = ip("10.0.0.21/24");
	struct nft_batch b;
	struct decoded d;

	(void)state;
	assert_int_equal(nft_addrs_push(&known, &a), 0);
	assert_int_equal(nft_batch_init(&b, 1, 1), 0);
	nft_build_elems(&b, "hafd", NSET_KNOWN4, &known, true);
	decode(&b, &d);
	assert_int_equal(d.n, 2);
	assert_int_equal(d.it[0].type, NFT_MSG_DELSETELEM);
	assert_string_equal(d.it[0].name, "vrrp_known4");
	assert_string_equal(d.it[0].text, "");
	assert_int_equal(d.it[1].type, NFT_MSG_NEWSETELEM);
	assert_string_equal(d.it[1].text, "10.0.0.21");
	free(known.a);
}

/* ---- the lease --------------------------------------------------------------- */

/* With vip_lease: vipN holds every VIP; each device has one renewal rule
 * class per family and lease length, with the VRIDs of its instances and
 * room for the most VIPs one of them advertises, whoever is master (a
 * failover changes no rule). */
static void test_want_lease(void **state)
{
	struct fixture f;
	struct nft_want w, x;
	const struct nft_dev *eth0, *bond0;

	(void)state;
	fixture(&f);
	f.desc.lease = true;
	f.inst[0].lease_ms = 2500;              /* the others: 250 (fixture) */
	f.desc.lo_up = true;
	assert_int_equal(nft_want_compute(&w, &f.desc), 0);
	/* uni is unicast: its adverts leave only while its peer's neighbour
	 * entry resolves, so its copies on lo renew its lease (rules 8U),
	 * not its adverts on eth0. */
	assert_string_equal(set_text(&w, NSET_VIP4), "10.0.0.1 10.0.0.2 10.0.0.3");
	assert_false(w.uni_nolo);
	assert_string_equal(w.uni.name, "lo");
	assert_int_equal(w.uni.n_cls, 1);
	assert_int_equal(w.uni.cls[0].family, AF_INET);
	assert_int_equal(w.uni.cls[0].ms, 250);
	assert_int_equal(w.uni.cls[0].n_addrs, 1);
	assert_string_equal(set_text(&w, NSET_VIP6), "fd00::1");
	assert_true(w.lease);
	assert_int_equal(w.n_devs, 2);
	bond0 = &w.devs[0];
	eth0 = &w.devs[1];
	assert_string_equal(eth0->name, "eth0");
	assert_int_equal(eth0->n_cls, 2);                /* sorted by length */
	assert_int_equal(eth0->cls[0].family, AF_INET);
	assert_int_equal(eth0->cls[0].ms, 250);
	assert_int_equal(eth0->cls[0].n_addrs, 2);       /* web2's two VIPs */
	assert_int_equal(eth0->cls[0].vrids[52 / 8], 1 << (52 % 8));   /* not uni's 53 */
	assert_int_equal(eth0->cls[1].ms, 2500);
	assert_int_equal(eth0->cls[1].n_addrs, 1);
	assert_int_equal(eth0->cls[1].vrids[51 / 8], 1 << (51 % 8));
	assert_int_equal(bond0->n_cls, 1);
	assert_int_equal(bond0->cls[0].family, AF_INET6);

	/* web2 takes over from web: other sets, the same rules. */
	f.inst[0].master = false;
	f.inst[1].master = true;
	assert_int_equal(nft_want_compute(&x, &f.desc), 0);
	assert_true(nft_want_same_rules(&w, &x));
	nft_want_free(&x);
	/* Another advert interval: other rules. */
	f.inst[1].lease_ms = 25;
	assert_int_equal(nft_want_compute(&x, &f.desc), 0);
	assert_false(nft_want_same_rules(&w, &x));
	assert_int_equal(x.devs[1].n_cls, 2);
	assert_int_equal(x.devs[1].cls[0].ms, 25);
	nft_want_free(&x);
	f.inst[1].lease_ms = 250;
	/* lo down: no copy gets through, uni has no lease (10.0.0.3 out),
	 * and the rules change. */
	f.desc.lo_up = false;
	assert_int_equal(nft_want_compute(&x, &f.desc), 0);
	assert_string_equal(set_text(&x, NSET_VIP4), "10.0.0.1 10.0.0.2");
	assert_true(x.uni_nolo);
	assert_int_equal(x.uni.n_cls, 0);
	assert_int_equal(x.devs[1].n_cls, 2);
	assert_false(nft_want_same_rules(&w, &x));
	nft_want_free(&x);
	nft_want_free(&w);

	/* vip_lease = no: no vipN, no devices, other rules. */
	f.desc.lease = false;
	assert_int_equal(nft_want_compute(&w, &f.desc), 0);
	assert_string_equal(set_text(&w, NSET_VIP4), "");
	assert_int_equal(w.n_devs, 0);
	{
		struct nft_want l;

		f.desc.lease = true;
		assert_int_equal(nft_want_compute(&l, &f.desc), 0);
		assert_false(nft_want_same_rules(&w, &l));
		nft_want_free(&l);
	}
	nft_want_free(&w);
}

static bool starts_with(const char *s, const char *p)
{
	return !strncmp(s, p, strlen(p));
}

static bool ends_with(const char *s, const char *p)
{
	return strlen(s) >= strlen(p) && !strcmp(s + strlen(s) - strlen(p), p);
}

static int count_of(const char *s, const char *p)
{
	int n = 0;

	while ((s = strstr(s, p))) {
		n++;
		s += strlen(p);
	}
	return n;
}

/* The chain named name, or NULL. */
static const struct item *chain(const struct decoded *d, const char *name)
{
	for (int i = 0; i < d->n; i++)
		if (d->it[i].type == NFT_MSG_NEWCHAIN && !strcmp(d->it[i].name, name))
			return &d->it[i];
	return NULL;
}

/* The lease's sets and rules, in the netdev table only, each lease set
 * once (an IPv4 lease used to be in the inet and the arp table: two
 * element updates per renewal): vip4, vip6 and the lease sets with
 * timeouts; for each interface an instance runs on, once, an ingress
 * chain with 3L for each family and an egress chain with 6L and 7L,
 * matched by ethertype. Without the lease, none of it; devices that do
 * not exist get no chains. */
static void test_render_lease_rules(void **state)
{
	struct fixture f;
	struct decoded d;
	int n, timeout_sets = 0, vip4_sets = 0;

	(void)state;
	fixture(&f);
	f.desc.lease = true;
	render(&f.desc, &d);
	for (int i = 0; i < d.n; i++) {
		if (d.it[i].type != NFT_MSG_NEWSET)
			continue;
		if (!strncmp(d.it[i].name, "lease", 5)) {
			timeout_sets++;
			assert_int_equal(d.it[i].family, NFPROTO_NETDEV);
			assert_int_equal(d.it[i].set_flags, NFT_SET_EVAL | NFT_SET_TIMEOUT);
		}
		if (!strcmp(d.it[i].name, "vip4")) {
			vip4_sets++;
			assert_int_equal(d.it[i].family, NFPROTO_NETDEV);
		}
	}
	assert_int_equal(timeout_sets, 2);
	assert_int_equal(vip4_sets, 1);
	assert_string_equal(elems_of(&d, "vip4", NFPROTO_NETDEV), "10.0.0.1 10.0.0.2");
	assert_string_equal(elems_of(&d, "vip6", NFPROTO_NETDEV), "fd00::1");
	assert_string_equal(elems_of(&d, "vip4", NFPROTO_ARP), "");
	assert_string_equal(elems_of(&d, "vip4", NFPROTO_INET), "");
	assert_string_equal(chain(&d, "in-eth0")->text, "hook 0 prio -10 dev eth0");
	assert_string_equal(chain(&d, "out-eth0")->text, "hook 1 prio -10 dev eth0");
	assert_string_equal(chain(&d, "in-bond0")->text, "hook 0 prio -10 dev bond0");
	assert_string_equal(chain(&d, "out-bond0")->text, "hook 1 prio -10 dev bond0");
	rule(&d, C_LEASE, 0, &n);
	assert_int_equal(n, 4);                         /* two devices, two families */
	rule(&d, C_NA_LEASE, 0, &n);
	assert_int_equal(n, 2);
	rule(&d, C_ARP_LEASE, 0, &n);
	assert_int_equal(n, 2);
	assert_string_equal(rule(&d, C_LEASE, 0, NULL)->name, "in-bond0");   /* devices sorted */
	assert_int_equal(rule(&d, C_LEASE, 0, NULL)->family, NFPROTO_NETDEV);
	assert_string_equal(rule(&d, C_LEASE, 0, NULL)->text,
			    "meta protocol; cmp eq 0800; payload nh+16/4; lookup vip4; "
			    "lookup lease4 inv; counter; drop");
	assert_string_equal(rule(&d, C_LEASE, 1, NULL)->text,
			    "meta protocol; cmp eq 86dd; payload nh+24/16; lookup vip6; "
			    "lookup lease6 inv; counter; drop");
	assert_string_equal(rule(&d, C_NA_LEASE, 1, NULL)->name, "out-eth0");
	assert_string_equal(rule(&d, C_NA_LEASE, 0, NULL)->text,
			    "meta protocol; cmp eq 86dd; meta l4proto; cmp eq 3a; payload th+0/1; "
			    "cmp eq 88; payload th+8/16; lookup vip6; lookup lease6 inv; "
			    "counter; drop");
	assert_string_equal(rule(&d, C_ARP_LEASE, 0, NULL)->text,
			    "meta protocol; cmp eq 0806; payload nh+2/4; cmp eq 08000604; "
			    "payload nh+14/4; lookup vip4; lookup lease4 inv; counter; drop");
	assert_int_equal(rule(&d, C_NA, 0, NULL)->family, NFPROTO_INET);
	assert_int_equal(rule(&d, C_ARP, 0, NULL)->family, NFPROTO_ARP);

	/* Interfaces missing: the sets, no chains (the kernel would refuse
	 * the whole batch). */
	render_devs(&f.desc, &d, false);
	assert_null(chain(&d, "in-eth0"));
	assert_null(rule(&d, C_LEASE, 0, NULL));
	assert_string_equal(elems_of(&d, "vip4", NFPROTO_NETDEV), "10.0.0.1 10.0.0.2");

	f.desc.lease = false;
	render(&f.desc, &d);
	rule(&d, C_LEASE, 0, &n);
	assert_int_equal(n, 0);
	assert_null(rule(&d, C_NA_LEASE, 0, NULL));
	assert_null(rule(&d, C_ARP_LEASE, 0, NULL));
	assert_null(chain(&d, "in-eth0"));
	for (int i = 0; i < d.n; i++)
		if (d.it[i].type == NFT_MSG_NEWSET)
			assert_int_not_equal(d.it[i].family, NFPROTO_NETDEV);
}

/* The lease chains follow the devices: a device added, gone, or made
 * again (another ifindex) needs the tables rebuilt. */
static void test_want_lease_devs(void **state)
{
	struct fixture f;
	struct nft_want a, b;

	(void)state;
	fixture(&f);
	f.desc.lease = true;
	assert_int_equal(nft_want_compute(&a, &f.desc), 0);
	assert_int_equal(a.n_devs, 2);
	assert_string_equal(a.devs[0].name, "bond0");
	assert_string_equal(a.devs[1].name, "eth0");
	assert_int_equal(nft_want_compute(&b, &f.desc), 0);
	assert_true(nft_want_same_rules(&a, &b));
	b.devs[1].ifindex = 7;
	assert_false(nft_want_same_rules(&a, &b));
	nft_want_free(&b);
	f.inst[2].ifname = "eth0";
	assert_int_equal(nft_want_compute(&b, &f.desc), 0);
	assert_int_equal(b.n_devs, 1);
	assert_false(nft_want_same_rules(&a, &b));
	nft_want_free(&b);
	nft_want_free(&a);
	f.desc.lease = false;
	assert_int_equal(nft_want_compute(&a, &f.desc), 0);
	assert_int_equal(a.n_devs, 0);
	nft_want_free(&a);
}

/* Rules 8L, in the egress chains: for each class of a device, one rule
 * for each address an advert to the group may carry, that renews that
 * address's lease for the class's length from an advert with a priority
 * above zero; the VRIDs matched only where a family has more than one
 * class there. A unicast advert renews nothing there (one held back for
 * its peer's address would renew late): a renewal listing its VIPs
 * does, in the chain unicast on lo (8U, one rule per class, matched by
 * the renewal's destination, 127.224.0.0 + the length, 127.240.0.0 + the
 * length for IPv6 addresses), which then drops every renewal (8D). */
static void test_render_lease_renew(void **state)
{
	struct fixture f;
	struct decoded d;
	const struct item *ru;
	int n;

	(void)state;
	fixture(&f);
	f.desc.lease = true;
	f.inst[0].lease_ms = 2500;              /* the others: 250 (fixture) */
	render(&f.desc, &d);
	rule(&d, C_RENEW, 0, &n);
	assert_int_equal(n, 4);         /* eth0: 2 + 1 (two classes); bond0: 1 */
	ru = rule(&d, C_RENEW, 0, NULL);
	assert_string_equal(ru->name, "out-bond0");
	assert_int_equal(ru->family, NFPROTO_NETDEV);
	assert_string_equal(ru->text,
			    "meta protocol; cmp eq 86dd; payload nh+6/1; cmp eq 70; "
			    "payload nh+24/16; cmp eq ff020000000000000000000000000012; "
			    "payload th+2/1; cmp ne 00; payload th+3/1; cmp gt 00; "
			    "payload th+8/16; dynset lease6 t=250; counter");
	ru = rule(&d, C_RENEW, 1, NULL);
	assert_string_equal(ru->name, "out-eth0");
	assert_string_equal(no_id(ru),
			    "meta protocol; cmp eq 0800; payload nh+9/1; cmp eq 70; "
			    "payload nh+16/4; cmp eq e0000012; "
			    "payload th+1/1; lookup #; payload th+2/1; cmp ne 00; "
			    "payload th+3/1; cmp gt 00; payload th+8/4; dynset lease4 t=250; counter");
	assert_string_equal(anon_elems(&d, ru), "52");
	ru = rule(&d, C_RENEW, 2, NULL);
	assert_string_equal(no_id(ru),
			    "meta protocol; cmp eq 0800; payload nh+9/1; cmp eq 70; "
			    "payload nh+16/4; cmp eq e0000012; "
			    "payload th+1/1; lookup #; payload th+2/1; cmp ne 00; "
			    "payload th+3/1; cmp gt 01; payload th+12/4; dynset lease4 t=250; counter");
	ru = rule(&d, C_RENEW, 3, NULL);
	assert_string_equal(anon_elems(&d, ru), "51");
	assert_non_null(strstr(ru->text, "dynset lease4 t=2500"));
	/* A renewal never precedes the lease drops of its chain. */
	assert_true(rule(&d, C_ARP_LEASE, 0, NULL) < rule(&d, C_RENEW, 1, NULL));
	/* lo down (fixture): no chain unicast. */
	assert_null(chain(&d, "unicast"));
	assert_null(rule(&d, C_RENEW_UNI, 0, NULL));

	f.desc.lo_up = true;
	render(&f.desc, &d);
	rule(&d, C_RENEW, 0, &n);
	assert_int_equal(n, 4);         /* uni's VRID 53 still in no rule 8L */
	assert_non_null(chain(&d, "unicast"));
	rule(&d, C_RENEW_UNI, 0, &n);
	assert_int_equal(n, 1);         /* one rule for all the slots */
	ru = rule(&d, C_RENEW_UNI, 0, NULL);
	assert_string_equal(ru->name, "unicast");
	assert_int_equal(ru->family, NFPROTO_NETDEV);
	/* 127.224.0.250; then each of 32 slots, until one is past the end */
	assert_true(starts_with(ru->text,
				"meta protocol; cmp eq 0800; payload nh+9/1; cmp eq 70; "
				"payload nh+16/4; cmp eq 7fe000fa; counter; "
				"payload th+0/4; dynset lease4 t=250; "
				"payload th+4/4; dynset lease4 t=250; "));
	assert_true(ends_with(ru->text, "payload th+124/4; dynset lease4 t=250"));
	assert_int_equal(count_of(ru->text, "dynset"), 32);
	ru = rule(&d, C_UNI_DROP, 0, NULL);
	assert_non_null(ru);
	assert_string_equal(ru->text,
			    "meta protocol; cmp eq 0800; payload nh+9/1; cmp eq 70; "
			    "payload nh+16/4; bitwise; cmp eq 7fe00000; counter; drop");
	assert_true(rule(&d, C_RENEW_UNI, 0, NULL) < ru);

	/* web6 unicast too, with the same length: its renewals go elsewhere
	 * (127.240.0.250), or an IPv4 rule would read their IPv6 addresses. */
	f.inst[2].peers = f.peers_uni;
	f.inst[2].n_peers = 1;
	render(&f.desc, &d);
	rule(&d, C_RENEW_UNI, 0, &n);
	assert_int_equal(n, 2);
	ru = rule(&d, C_RENEW_UNI, 1, NULL);
	assert_true(starts_with(ru->text,
				"meta protocol; cmp eq 0800; payload nh+9/1; cmp eq 70; "
				"payload nh+16/4; cmp eq 7ff000fa; counter; "
				"payload th+0/16; dynset lease6 t=250; "
				"payload th+16/16; dynset lease6 t=250; "));
	assert_int_equal(count_of(ru->text, "dynset"), 32);
}

/* The batch has room for the rules 8U however many lease lengths the
 * unicast instances use: each rule lists NFT_COPY_SLOTS slots (some
 * 3.5 KB), where the room counted one address per class. */
static void test_render_many_unicast_lengths(void **state)
{
	enum { N = 40 };
	struct hafd_addr vip[N], peer = ip("10.0.0.13");
	struct nft_inst in[N];
	struct nft_desc desc = { .inst = in, .n_inst = N, .lease = true, .lo_up = true };
	struct nft_want w;
	struct nft_batch b;

	(void)state;
	for (int i = 0; i < N; i++) {
		char a[32];

		snprintf(a, sizeof(a), "10.0.1.%d", i + 1);
		vip[i] = ip(a);
		in[i] = (struct nft_inst){ .family = AF_INET, .vrid = (uint8_t)(i + 1),
					   .ifname = "eth0", .adverts_per_s = 1, .vips = &vip[i],
					   .n_vips = 1, .peers = &peer, .n_peers = 1,
					   .lease_ms = 250u * (unsigned)(i + 1) };
	}
	assert_int_equal(nft_want_compute(&w, &desc), 0);
	assert_int_equal(w.uni.n_cls, N);
	w.uni.ifindex = 1;
	w.devs[0].ifindex = 2;
	assert_int_equal(nft_batch_init(&b, nft_want_addrs(&w), 1000), 0);
	nft_build_tables(&b, "hafd", true);
	nft_build_skeleton(&b, "hafd", &w);
	for (int i = 0; i < NSET_N; i++)
		nft_build_elems(&b, "hafd", (enum nft_set_idx)i, &w.set[i], false);
	assert_int_equal(nft_batch_end(&b), 0);
	nft_batch_free(&b);
	nft_want_free(&w);
}

/* A rebuild carries the leases over: each address with the time it has
 * left, in the netdev table. */
static void test_render_lease_carry(void **state)
{
	struct nft_lease l[2] = { { .ms = 250 }, { .ms = 25 } };
	struct nft_lease l6 = { .a = ip("fd00::1"), .ms = 2500 };
	struct nft_batch b;
	struct decoded d;

	(void)state;
	l[0].a = ip("10.0.0.1");
	l[1].a = ip("10.0.0.2");
	assert_int_equal(nft_batch_init(&b, 4, 1), 0);
	nft_build_leases(&b, "hafd", AF_INET, l, 2);
	nft_build_leases(&b, "hafd", AF_INET6, &l6, 1);
	decode(&b, &d);
	assert_int_equal(d.n, 2);
	assert_int_equal(d.it[0].type, NFT_MSG_NEWSETELEM);
	assert_int_equal(d.it[0].family, NFPROTO_NETDEV);
	assert_string_equal(d.it[0].name, "lease4");
	assert_string_equal(d.it[0].text, "10.0.0.1 t=250 10.0.0.2 t=25");
	assert_string_equal(d.it[1].name, "lease6");
	assert_string_equal(d.it[1].text, "fd00::1 t=2500");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_want_sets),
		cmocka_unit_test(test_want_followed),
		cmocka_unit_test(test_want_drain),
		cmocka_unit_test(test_want_rate),
		cmocka_unit_test(test_want_same_rules),
		cmocka_unit_test(test_render_rules),
		cmocka_unit_test(test_render_elems),
		cmocka_unit_test(test_render_update),
		cmocka_unit_test(test_want_lease),
		cmocka_unit_test(test_want_lease_devs),
		cmocka_unit_test(test_render_lease_rules),
		cmocka_unit_test(test_render_lease_renew),
		cmocka_unit_test(test_render_many_unicast_lengths),
		cmocka_unit_test(test_render_lease_carry),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
