/* test_nft_fence.c: fence_port in hafd's nftables tables (issue 24): which
 * (VIP . port) pairs the fence sets hold for a description of the
 * instances (nft_want.c), and the messages that make the sets, the
 * ingress chains and their reject rules (nft_build.c), read back with
 * libnftnl and libmnl as the kernel would read them. t-nft.sh and
 * t-patroni.sh show the reset reaching a client. */
#include <stdlib.h>

#include "nft_decode.h"

#define C_FENCE "hafd: fence_port: TCP to a VIP not master here: reset"

/* ---- the description ---------------------------------------------------------- */

static struct hafd_addr ip(const char *s)
{
	struct hafd_addr a;

	assert_int_equal(addr_parse(s, &a), 0);
	return a;
}

/*   db    IPv4 FAULT here, 10.0.0.50/24 and 10.0.0.51, fence_port 5432 6432,
 *         on eth1
 *   db6   IPv6 backup, fd00::50, fence_port 5432, on eth0
 *   web   IPv4 master, 10.0.0.51 (so that VIP is served here), no fence
 *   other IPv4 backup, 10.0.0.60, no fence */
struct fixture {
	struct hafd_addr vips_db[2], vips_db6[1], vips_web[1], vips_other[1];
	uint16_t ports_db[2], ports_db6[1];
	struct nft_inst inst[4];
	struct nft_desc desc;
};

static void fixture(struct fixture *f)
{
	memset(f, 0, sizeof(*f));
	f->vips_db[0] = ip("10.0.0.50/24");
	f->vips_db[1] = ip("10.0.0.51");
	f->vips_db6[0] = ip("fd00::50/64");
	f->vips_web[0] = ip("10.0.0.51");
	f->vips_other[0] = ip("10.0.0.60");
	f->ports_db[0] = 6432;
	f->ports_db[1] = 5432;
	f->ports_db6[0] = 5432;
	f->inst[0] = (struct nft_inst){ .family = AF_INET, .vrid = 52, .adverts_per_s = 50,
					.ifname = "eth1", .vips = f->vips_db, .n_vips = 2,
					.fence_ports = f->ports_db, .n_fence_ports = 2 };
	f->inst[1] = (struct nft_inst){ .family = AF_INET6, .vrid = 53, .adverts_per_s = 50,
					.ifname = "eth0", .vips = f->vips_db6, .n_vips = 1,
					.fence_ports = f->ports_db6, .n_fence_ports = 1 };
	f->inst[2] = (struct nft_inst){ .family = AF_INET, .vrid = 51, .master = true,
					.accept = true, .adverts_per_s = 1, .ifname = "eth2",
					.vips = f->vips_web, .n_vips = 1 };
	f->inst[3] = (struct nft_inst){ .family = AF_INET, .vrid = 54, .adverts_per_s = 1,
					.vips = f->vips_other, .n_vips = 1 };
	f->desc = (struct nft_desc){ .inst = f->inst, .n_inst = 4, .cap_pps = 1000 };
}

static const char *fences_text(const struct nft_fences *s)
{
	static char buf[512];
	char a[ADDR_STRLEN];

	buf[0] = 0;
	for (size_t k = 0; k < s->n; k++)
		cat(buf, sizeof(buf), "%s%s . %u", k ? " " : "",
		    addr_ntop(&s->f[k].a, a, sizeof(a)), s->f[k].port);
	return buf;
}

/* ---- what the sets should hold ---------------------------------------------- */

/* Each VIP of a fenced instance that is not master, with each port,
 * sorted, prefixes dropped; a VIP another instance holds as master here
 * is not fenced; instances without fence_port add nothing. */
static void test_want_fences(void **state)
{
	struct fixture f;
	struct nft_want w;

	(void)state;
	fixture(&f);
	assert_int_equal(nft_want_compute(&w, &f.desc), 0);
	assert_true(w.fence);
	assert_string_equal(fences_text(&w.fences[0]), "10.0.0.50 . 5432 10.0.0.50 . 6432");
	assert_int_equal(w.fences[0].f[0].a.prefix, 0);
	assert_string_equal(fences_text(&w.fences[1]), "fd00::50 . 5432");
	/* The interfaces of the fenced instances, sorted, not web's. */
	assert_int_equal(w.n_fence_devs, 2);
	assert_string_equal(w.fence_devs[0].name, "eth0");
	assert_string_equal(w.fence_devs[1].name, "eth1");
	nft_want_free(&w);

	/* web is no longer master here: 10.0.0.51 is fenced too. */
	f.inst[2].master = false;
	assert_int_equal(nft_want_compute(&w, &f.desc), 0);
	assert_string_equal(fences_text(&w.fences[0]), "10.0.0.50 . 5432 10.0.0.50 . 6432 "
			    "10.0.0.51 . 5432 10.0.0.51 . 6432");
	nft_want_free(&w);
}

/* MASTER: its VIPs are served here, nothing fenced; draining after a
 * handover: rule 3D lets its flows finish, no reset cuts them. */
static void test_want_master_draining(void **state)
{
	struct fixture f;
	struct nft_want w;

	(void)state;
	fixture(&f);
	f.inst[0].master = true;
	f.inst[1].draining = true;
	assert_int_equal(nft_want_compute(&w, &f.desc), 0);
	assert_true(w.fence);           /* the chain stays: the next change is a set's */
	assert_int_equal(w.fences[0].n, 0);
	assert_int_equal(w.fences[1].n, 0);
	nft_want_free(&w);
}

/* No instance with fence_port: no fence at all (no prerouting chain
 * costs every packet); turning it on changes the rules, a state change
 * only the sets. */
static void test_want_fence_rules(void **state)
{
	struct fixture f;
	struct nft_want a, b;

	(void)state;
	fixture(&f);
	assert_int_equal(nft_want_compute(&a, &f.desc), 0);
	f.inst[0].master = true;
	assert_int_equal(nft_want_compute(&b, &f.desc), 0);
	assert_true(nft_want_same_rules(&a, &b));
	assert_false(nft_fences_equal(&a.fences[0], &b.fences[0]));
	assert_true(nft_fences_equal(&a.fences[1], &b.fences[1]));
	b.fence_devs[0].ifindex = 7;    /* eth0 made again under the same name */
	assert_false(nft_want_same_rules(&a, &b));
	nft_want_free(&b);
	f.inst[0].n_fence_ports = 0;
	f.inst[1].n_fence_ports = 0;
	assert_int_equal(nft_want_compute(&b, &f.desc), 0);
	assert_false(b.fence);
	assert_int_equal(b.n_fence_devs, 0);
	assert_int_equal(b.fences[0].n + b.fences[1].n, 0);
	assert_false(nft_want_same_rules(&a, &b));
	nft_want_free(&a);
	nft_want_free(&b);
}

/* ---- the messages -------------------------------------------------------------- */

static void render(const struct nft_desc *desc, struct decoded *d)
{
	struct nft_want w;
	struct nft_batch b;

	assert_int_equal(nft_want_compute(&w, desc), 0);
	/* nft.c's if_nametoindex(): eth1 does not exist (no chain). */
	for (size_t i = 0; i < w.n_fence_devs; i++)
		w.fence_devs[i].ifindex = strcmp(w.fence_devs[i].name, "eth1") ? 2 : 0;
	assert_int_equal(nft_batch_init(&b, nft_want_addrs(&w), 1), 0);
	nft_build_skeleton(&b, "hafd", &w);
	for (int f = 0; w.fence && f < 2; f++)
		nft_build_fence_elems(&b, "hafd", f ? AF_INET6 : AF_INET, &w.fences[f], false);
	decode(&b, d);
	nft_want_free(&w);
}

/* The sets are ipv4_addr . inet_service and ipv6_addr . inet_service
 * (nft's type numbers, 7 or 8 then 13, 6 bits each), keys of 8 and 20
 * bytes; a chain for each interface that exists hooks the inet family's
 * ingress (NF_INET_INGRESS) at priority -20, before the lease's netdev
 * chains drop what goes to a VIP without a lease and before input (a
 * packet to an address not held here never reaches it); the rule loads the
 * address and the port into adjacent 32-bit registers, as nft does for a
 * concatenation, and ends in a TCP reset (NFT_REJECT_TCP_RST). */
static void test_render_fence(void **state)
{
	struct fixture f;
	struct decoded d;
	const struct item *it;

	(void)state;
	fixture(&f);
	render(&f.desc, &d);
	it = find(&d, NFT_MSG_NEWSET, "vip4_fence");
	assert_non_null(it);
	assert_int_equal(it->family, NFPROTO_INET);
	assert_int_equal(it->key_type, 7 << 6 | 13);
	assert_int_equal(it->key_len, 8);
	it = find(&d, NFT_MSG_NEWSET, "vip6_fence");
	assert_non_null(it);
	assert_int_equal(it->key_type, 8 << 6 | 13);
	assert_int_equal(it->key_len, 20);
	it = find(&d, NFT_MSG_NEWCHAIN, "fence-eth0");
	assert_non_null(it);
	assert_int_equal(it->family, NFPROTO_INET);
	assert_string_equal(it->text, "hook 5 prio -20 dev eth0");
	assert_null(find(&d, NFT_MSG_NEWCHAIN, "fence-eth1"));       /* missing */
	assert_null(find(&d, NFT_MSG_NEWCHAIN, "fence-eth2"));       /* no fence */
	assert_int_equal(count(&d, NFT_MSG_NEWRULE, "fence-eth0"), 2);
	it = find(&d, NFT_MSG_NEWRULE, "fence-eth0");
	assert_string_equal(it->comment, C_FENCE);
	assert_string_equal(it->text, "meta nfproto; cmp eq 02; meta l4proto; cmp eq 06; "
			    "payload nh+16/4; payload th+2/2>r9; lookup vip4_fence; "
			    "counter; reject 1/0");
	it = &d.it[it - d.it + 1];
	assert_string_equal(it->text, "meta nfproto; cmp eq 0a; meta l4proto; cmp eq 06; "
			    "payload nh+24/16; payload th+2/2>r2; lookup vip6_fence; "
			    "counter; reject 1/0");
	it = find(&d, NFT_MSG_NEWSETELEM, "vip4_fence");
	assert_non_null(it);
	assert_string_equal(it->text, "10.0.0.50 . 5432 10.0.0.50 . 6432");
	it = find(&d, NFT_MSG_NEWSETELEM, "vip6_fence");
	assert_non_null(it);
	assert_string_equal(it->text, "fd00::50 . 5432");

	/* Without fence_port: neither the chain nor the sets. */
	f.inst[0].n_fence_ports = 0;
	f.inst[1].n_fence_ports = 0;
	render(&f.desc, &d);
	assert_null(find(&d, NFT_MSG_NEWCHAIN, "fence-eth0"));
	assert_null(find(&d, NFT_MSG_NEWSET, "vip4_fence"));
	assert_int_equal(count(&d, NFT_MSG_NEWRULE, "fence-eth0"), 0);
}

/* An update flushes the set and refills it: empty when the instance
 * became master (the batch before its GARPs). */
static void test_render_fence_update(void **state)
{
	struct nft_fences none = { 0 };
	struct nft_fence one = { .a = ip("10.0.0.50"), .port = 5432 };
	struct nft_fences some = { .f = &one, .n = 1 };
	struct nft_batch b;
	struct decoded d;

	(void)state;
	assert_int_equal(nft_batch_init(&b, 1, 1), 0);
	nft_build_fence_elems(&b, "hafd", AF_INET, &none, true);
	decode(&b, &d);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.it[0].type, NFT_MSG_DELSETELEM);
	assert_string_equal(d.it[0].name, "vip4_fence");
	assert_string_equal(d.it[0].text, "");
	assert_int_equal(nft_batch_init(&b, 1, 1), 0);
	nft_build_fence_elems(&b, "hafd", AF_INET, &some, true);
	decode(&b, &d);
	assert_int_equal(d.n, 2);
	assert_int_equal(d.it[1].type, NFT_MSG_NEWSETELEM);
	assert_string_equal(d.it[1].text, "10.0.0.50 . 5432");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_want_fences),
		cmocka_unit_test(test_want_master_draining),
		cmocka_unit_test(test_want_fence_rules),
		cmocka_unit_test(test_render_fence),
		cmocka_unit_test(test_render_fence_update),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
