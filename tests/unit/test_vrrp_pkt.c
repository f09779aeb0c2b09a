/* VRRP advert codec: golden captures from keepalived 2.2.7 and FRR 8.4,
 * one test per receive check (V1-V14 of docs/vrrp-checklist.md)
 * with the counters each one charges, round trips, the checksum forms
 * (items 16-20) and short buffers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "pcap.h"
#include "vrrp_pkt.h"

/* ---- helpers ----------------------------------------------------------- */

static struct hafd_addr ip(const char *s)
{
	struct hafd_addr a;

	assert_int_equal(addr_parse(s, &a), 0);
	return a;
}

enum kind { V3_IP4, V3_IP4_9568, V3_IP6, V2_IP4 };

/* A valid advert and everything needed to decode and check it. */
struct pkt {
	uint8_t buf[VRRP_PKT_MAX + 16];
	size_t len;
	struct vrrp_pkt_params p;
	struct hafd_addr addrs[VRRP_MAX_ADDRS];
	struct vrrp_pkt_info info;
	struct vrrp_pkt_expect exp;
};

/* IPv4: 10.77.0.100, then 10.78.0.i. IPv6: a link-local first (item 9),
 * then fd77::i. */
static void pkt_addrs(struct pkt *k, int family, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct hafd_addr *a = &k->addrs[i];

		*a = ip(family == AF_INET ? "10.78.0.0" : "fd77::");
		if (family == AF_INET)
			a->u.b[3] = (uint8_t)i;
		else
			a->u.b[15] = (uint8_t)i;
	}
	k->addrs[0] = ip(family == AF_INET ? "10.77.0.100" : "fe80::77:ff:fe00:100");
}

static void pkt_build(struct pkt *k)
{
	ssize_t n = vrrp_pkt_build(k->buf, sizeof(k->buf), &k->p);

	assert_true(n > 0);
	k->len = (size_t)n;
}

static void pkt_make(struct pkt *k, enum kind kind, size_t n_addrs)
{
	int family = kind == V3_IP6 ? AF_INET6 : AF_INET;

	memset(k, 0, sizeof(*k));
	pkt_addrs(k, family, n_addrs);
	k->p.version = kind == V2_IP4 ? 2 : 3;
	k->p.vrid = 51;
	k->p.priority = 150;
	k->p.adver_int_cs = 100;
	k->p.family = family;
	k->p.addrs = k->addrs;
	k->p.n_addrs = n_addrs;
	k->p.src = ip(family == AF_INET ? "10.77.0.11" : "fe80::77:ff:fe00:b");
	k->p.dst = ip(family == AF_INET ? "224.0.0.18" : "ff02::12");
	k->p.csum_form = kind == V3_IP4_9568 ? VRRP_CSUM_RFC9568 : VRRP_CSUM_RFC5798;
	pkt_build(k);
	k->info.family = family;
	k->info.src = k->p.src;
	k->info.dst = k->p.dst;
	k->info.ttl = 255;
	k->exp.version = k->p.version;
	k->exp.adver_int_cs = 100;
	k->exp.vips = k->addrs;
	k->exp.n_vips = n_addrs;
}

/* After breaking one rule, make the checksum right again so that only
 * that rule fails. */
static void pkt_fix_csum(struct pkt *k)
{
	uint16_t c = vrrp_pkt_csum(k->buf, k->len, k->p.version, k->p.family,
				   &k->p.src, &k->p.dst, k->p.csum_form);

	k->buf[6] = (uint8_t)(c >> 8);
	k->buf[7] = (uint8_t)c;
}

static enum vrrp_rx_err pkt_decode(struct pkt *k, struct vrrp_advert *adv)
{
	return vrrp_pkt_decode(k->buf, k->len, &k->info, adv);
}

/* Decode, then the configured checks, as vrrp.c chains them. */
static enum vrrp_rx_err pkt_rx(struct pkt *k, struct vrrp_advert *adv)
{
	enum vrrp_rx_err err = pkt_decode(k, adv);

	return err ? err : vrrp_pkt_check(adv, &k->exp);
}

#define RS(...) ((struct vrrp_router_stats){ __VA_ARGS__ })
#define GS(...) ((struct vrrp_global_stats){ __VA_ARGS__ })

static void rstats_equal(const struct vrrp_router_stats *a, const struct vrrp_router_stats *b)
{
	assert_int_equal(a->master_transitions, b->master_transitions);
	assert_int_equal(a->new_master_reason, b->new_master_reason);
	assert_int_equal(a->rcvd_advertisements, b->rcvd_advertisements);
	assert_int_equal(a->adv_interval_errors, b->adv_interval_errors);
	assert_int_equal(a->ip_ttl_errors, b->ip_ttl_errors);
	assert_int_equal(a->proto_err_reason, b->proto_err_reason);
	assert_int_equal(a->rcvd_pri_zero, b->rcvd_pri_zero);
	assert_int_equal(a->sent_pri_zero, b->sent_pri_zero);
	assert_int_equal(a->rcvd_invalid_type, b->rcvd_invalid_type);
	assert_int_equal(a->address_list_errors, b->address_list_errors);
	assert_int_equal(a->packet_length_errors, b->packet_length_errors);
	assert_int_equal(a->sent_advertisements, b->sent_advertisements);
	assert_int_equal(a->send_errors, b->send_errors);
	assert_int_equal(a->interval_zero_errors, b->interval_zero_errors);
	assert_int_equal(a->auth_errors, b->auth_errors);
	assert_int_equal(a->peer_errors, b->peer_errors);
	assert_int_equal(a->garp_sent, b->garp_sent);
	assert_int_equal(a->na_sent, b->na_sent);
}

static void gstats_equal(const struct vrrp_global_stats *a, const struct vrrp_global_stats *b)
{
	assert_int_equal(a->checksum_errors, b->checksum_errors);
	assert_int_equal(a->version_errors, b->version_errors);
	assert_int_equal(a->vrid_errors, b->vrid_errors);
	assert_int_equal(a->other_errors, b->other_errors);
	assert_int_equal(a->csum_rfc5798_rx, b->csum_rfc5798_rx);
	assert_int_equal(a->csum_rfc9568_rx, b->csum_rfc9568_rx);
}

/* Charges one outcome with a router (want_r, want_g) and without one
 * (want_g_no_r); nothing else may move. A NULL global block must not crash. */
static void expect_counts(enum vrrp_rx_err err, const struct vrrp_advert *adv,
			  struct vrrp_router_stats want_r, struct vrrp_global_stats want_g,
			  struct vrrp_global_stats want_g_no_r)
{
	struct vrrp_router_stats r;
	struct vrrp_global_stats g;

	memset(&r, 0, sizeof(r));
	memset(&g, 0, sizeof(g));
	vrrp_stats_account(err, adv, &r, &g);
	rstats_equal(&r, &want_r);
	gstats_equal(&g, &want_g);

	memset(&g, 0, sizeof(g));
	vrrp_stats_account(err, adv, NULL, &g);
	gstats_equal(&g, &want_g_no_r);
	vrrp_stats_account(err, adv, NULL, NULL);
	vrrp_stats_account(err, NULL, NULL, NULL);
}

/* Error counters do not depend on the advert: check with adv NULL too. */
static void expect_err_counts(enum vrrp_rx_err err, const struct vrrp_advert *adv,
			      struct vrrp_router_stats want_r, struct vrrp_global_stats want_g,
			      struct vrrp_global_stats want_g_no_r)
{
	expect_counts(err, adv, want_r, want_g, want_g_no_r);
	expect_counts(err, NULL, want_r, want_g, want_g_no_r);
}

/* ---- golden captures --------------------------------------------------- */

struct golden {
	const char *file;
	uint8_t version;
	int family;
	uint16_t csum;          /* as tshark shows it, priority 150 */
	unsigned warn;
	size_t n_adverts;       /* tshark -Y vrrp */
	uint16_t csum_pri0;     /* keepalived ends with a priority-0 advert */
	size_t n_pri0;
};

static void golden_path(char *buf, size_t len, const char *file)
{
	const char *srcdir = getenv("HAFD_SRCDIR");

	snprintf(buf, len, "%s/tests/golden/%s", srcdir ? srcdir : ".", file);
}

/* What the capture's sender was configured with (README-*.md). */
static void golden_params(const struct golden *gd, struct vrrp_pkt_params *p,
			  struct hafd_addr *vip, const struct vrrp_pkt_info *info,
			  uint8_t priority)
{
	memset(p, 0, sizeof(*p));
	*vip = ip(gd->family == AF_INET ? "10.77.0.100" : "fd77::100");
	p->version = gd->version;
	p->vrid = 51;
	p->priority = priority;
	p->adver_int_cs = 100;
	p->family = gd->family;
	p->addrs = vip;
	p->n_addrs = 1;
	p->src = info->src;
	p->dst = info->dst;
	p->csum_form = VRRP_CSUM_RFC5798;
}

static void golden_one(const struct golden *gd, const uint8_t *pl, size_t len,
		       const struct vrrp_pkt_info *info)
{
	struct vrrp_pkt_params p;
	struct hafd_addr vip, a;
	struct vrrp_advert adv;
	struct vrrp_pkt_expect exp = { .version = gd->version, .adver_int_cs = 100, .n_vips = 1 };
	uint8_t out[VRRP_PKT_MAX];
	bool v3_ip4 = gd->version == 3 && gd->family == AF_INET;
	uint16_t csum;

	assert_true(len >= 3);
	/* graceful stop: priority 0 (item 4), its own checksum */
	csum = pl[2] == 0 ? gd->csum_pri0 : gd->csum;
	golden_params(gd, &p, &vip, info, pl[2]);
	exp.vips = &vip;
	assert_int_equal(info->family, gd->family);
	assert_int_equal(info->ttl, 255);
	a = ip(gd->family == AF_INET ? "10.77.0.11" : "fe80::77:ff:fe00:b");
	assert_true(addr_equal(&info->src, &a));

	assert_int_equal(vrrp_pkt_decode(pl, len, info, &adv), VRRP_RX_OK);
	assert_int_equal(adv.version, gd->version);
	assert_int_equal(adv.type, VRRP_TYPE_ADVERT);
	assert_int_equal(adv.vrid, 51);
	assert_true(adv.priority == 150 || adv.priority == 0);
	assert_int_equal(adv.count, 1);
	assert_int_equal(adv.adver_int_cs, 100);
	assert_int_equal(adv.auth_type, 0);
	assert_int_equal(adv.checksum, csum);
	assert_int_equal(adv.warn, gd->warn);
	if (v3_ip4)
		assert_int_equal(adv.csum_form, VRRP_CSUM_RFC5798);
	vrrp_advert_addr(&adv, 0, &a);
	assert_true(addr_equal(&a, &vip));
	assert_int_equal(vrrp_pkt_csum(pl, len, gd->version, gd->family, &info->src,
				       &info->dst, VRRP_CSUM_RFC5798), csum);
	assert_int_equal(vrrp_pkt_check(&adv, &exp), VRRP_RX_OK);
	assert_int_equal(adv.warn, gd->warn);
	expect_counts(VRRP_RX_OK, &adv,
		      RS(.rcvd_advertisements = 1, .rcvd_pri_zero = adv.priority == 0,
			 .address_list_errors = gd->warn ? 1 : 0),
		      GS(.csum_rfc5798_rx = v3_ip4), GS(.csum_rfc5798_rx = v3_ip4));

	/* Our builder, given the sender's settings, reproduces the bytes. */
	assert_int_equal(vrrp_pkt_build(out, sizeof(out), &p), (ssize_t)len);
	assert_memory_equal(out, pl, len);
}

static void golden_run(const struct golden *gd)
{
	struct pcap_reader r;
	struct vrrp_pkt_info info;
	const uint8_t *pl;
	size_t len, n = 0, n_pri0 = 0;
	char path[4096];
	int rc;

	golden_path(path, sizeof(path), gd->file);
	if (pcap_open(&r, path) < 0)
		fail_msg("cannot read %s: %s", path, strerror(errno));
	while ((rc = pcap_next_vrrp(&r, &pl, &len, &info)) == 1) {
		golden_one(gd, pl, len, &info);
		n++;
		n_pri0 += pl[2] == 0;
	}
	assert_int_equal(rc, 0);
	assert_int_equal(n, gd->n_adverts);
	assert_int_equal(n_pri0, gd->n_pri0);
	pcap_close(&r);
}

static void test_golden_keepalived_v2_ipv4(void **state)
{
	static const struct golden gd = {
		"golden-keepalived-vrrpv2-ipv4.pcap", 2, AF_INET, 0x3e19, 0, 7, 0xd419, 1
	};

	(void)state;
	golden_run(&gd);
}

/* Item 19: keepalived's v3 IPv4 checksum includes the IPv4 pseudo-header. */
static void test_golden_keepalived_v3_ipv4_rfc5798(void **state)
{
	static const struct golden gd = {
		"golden-keepalived-vrrpv3-ipv4.pcap", 3, AF_INET, 0x42cf, 0, 7, 0xd8cf, 1
	};

	(void)state;
	golden_run(&gd);
}

/* Item 17; V10: keepalived 2.2.7 lists no link-local first, accepted with
 * a warning. */
static void test_golden_keepalived_v3_ipv6_v10_warn(void **state)
{
	static const struct golden gd = {
		"golden-keepalived-vrrpv3-ipv6.pcap", 3, AF_INET6, 0x3c4f,
		VRRP_WARN_NO_LL_FIRST, 7, 0xd24f, 1
	};

	(void)state;
	golden_run(&gd);
}

static void test_golden_frr_v2_ipv4(void **state)
{
	static const struct golden gd = {
		"golden-frr-vrrpv2-ipv4.pcap", 2, AF_INET, 0x3e19, 0, 6, 0, 0
	};

	(void)state;
	golden_run(&gd);
}

static void test_golden_frr_v3_ipv4_rfc5798(void **state)
{
	static const struct golden gd = {
		"golden-frr-vrrpv3-ipv4.pcap", 3, AF_INET, 0x42cf, 0, 6, 0, 0
	};

	(void)state;
	golden_run(&gd);
}

/* ---- the pcap reader itself -------------------------------------------- */

static uint8_t *read_golden(const char *file, size_t *len)
{
	struct pcap_reader r;
	char path[4096];
	uint8_t *copy;

	golden_path(path, sizeof(path), file);
	assert_int_equal(pcap_open(&r, path), 0);
	copy = malloc(r.len);
	assert_non_null(copy);
	memcpy(copy, r.data, r.len);
	*len = r.len;
	pcap_close(&r);
	return copy;
}

static void swap16(uint8_t *p)
{
	uint8_t t = p[0];

	p[0] = p[1];
	p[1] = t;
}

static void swap32(uint8_t *p)
{
	uint8_t t = p[0];

	p[0] = p[3];
	p[3] = t;
	t = p[1];
	p[1] = p[2];
	p[2] = t;
}

/* Rewrite a little-endian microsecond file as big-endian nanosecond. */
static void to_big_endian_ns(uint8_t *d, size_t len)
{
	size_t off = 24;

	d[0] = 0x4d;    /* 0xa1b23c4d, little-endian for now */
	d[1] = 0x3c;
	swap32(d);
	swap16(d + 4);  /* version major, minor */
	swap16(d + 6);
	for (size_t i = 8; i < 24; i += 4)
		swap32(d + i);
	while (off + 16 <= len) {
		uint32_t caplen = (uint32_t)d[off + 8] | (uint32_t)d[off + 9] << 8 |
				  (uint32_t)d[off + 10] << 16 | (uint32_t)d[off + 11] << 24;

		for (size_t i = 0; i < 16; i += 4)
			swap32(d + off + i);
		off += 16 + caplen;
	}
}

static void test_pcap_big_endian_nanosecond(void **state)
{
	struct pcap_reader a, b;
	struct vrrp_pkt_info ia, ib;
	const uint8_t *pa, *pb;
	size_t la, lb, len, n = 0;
	uint8_t *le = read_golden("golden-keepalived-vrrpv3-ipv6.pcap", &len);
	uint8_t *be = malloc(len);
	int ra, rb;

	(void)state;
	assert_non_null(be);
	memcpy(be, le, len);
	to_big_endian_ns(be, len);
	assert_int_equal(pcap_open_mem(&a, le, len), 0);
	assert_int_equal(pcap_open_mem(&b, be, len), 0);
	assert_false(a.big_endian);
	assert_false(a.nsec);
	assert_true(b.big_endian);
	assert_true(b.nsec);
	do {
		ra = pcap_next_vrrp(&a, &pa, &la, &ia);
		rb = pcap_next_vrrp(&b, &pb, &lb, &ib);
		assert_int_equal(ra, rb);
		if (ra == 1) {
			assert_int_equal(la, lb);
			assert_memory_equal(pa, pb, la);
			assert_true(addr_equal(&ia.dst, &ib.dst));
			n++;
		}
	} while (ra == 1);
	assert_int_equal(ra, 0);
	assert_int_equal(n, 7);
	pcap_close(&a);
	pcap_close(&b);
	free(le);
	free(be);
}

/* Appends a record holding frame (n bytes) to a little-endian pcap. */
static size_t put_record(uint8_t *d, size_t off, const uint8_t *frame, size_t n)
{
	memset(d + off, 0, 16);
	d[off + 8] = d[off + 12] = (uint8_t)n;
	memcpy(d + off + 16, frame, n);
	return off + 16 + n;
}

/* An 802.1Q-tagged frame and one with Ethernet padding past the IP length. */
static void test_pcap_vlan_and_padding(void **state)
{
	static const uint8_t hdr[24] = {
		0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0, 0, 1, 0, 1, 0, 0, 0,
	};
	struct pkt k;
	struct pcap_reader r;
	struct vrrp_pkt_info info;
	struct vrrp_advert adv;
	const uint8_t *pl;
	uint8_t frame[128] = { 0 }, file[512];
	size_t len, off, ipoff = 18;

	(void)state;
	pkt_make(&k, V3_IP4, 1);
	frame[12] = 0x81;               /* 802.1Q, VLAN 77 */
	frame[15] = 77;
	frame[16] = 0x08;               /* IPv4 */
	frame[ipoff] = 0x45;
	frame[ipoff + 3] = (uint8_t)(20 + k.len);
	frame[ipoff + 8] = 255;
	frame[ipoff + 9] = VRRP_IPPROTO;
	memcpy(frame + ipoff + 12, k.p.src.u.b, 4);
	memcpy(frame + ipoff + 16, k.p.dst.u.b, 4);
	memcpy(frame + ipoff + 20, k.buf, k.len);
	memcpy(file, hdr, sizeof(hdr));
	off = put_record(file, sizeof(hdr), frame, ipoff + 20 + k.len);
	/* untagged copy padded to the 60-byte Ethernet minimum */
	memmove(frame + 12, frame + 16, sizeof(frame) - 16);
	off = put_record(file, off, frame, 60);

	assert_int_equal(pcap_open_mem(&r, file, off), 0);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(pcap_next_vrrp(&r, &pl, &len, &info), 1);
		assert_int_equal(len, k.len);
		assert_int_equal(info.ttl, 255);
		assert_int_equal(vrrp_pkt_decode(pl, len, &info, &adv), VRRP_RX_OK);
	}
	assert_int_equal(pcap_next_vrrp(&r, &pl, &len, &info), 0);
	/* a record cut short is an error, not a silent end */
	assert_int_equal(pcap_open_mem(&r, file, off - 1), 0);
	assert_int_equal(pcap_next_vrrp(&r, &pl, &len, &info), 1);
	assert_int_equal(pcap_next_vrrp(&r, &pl, &len, &info), -1);
	file[0] = 0;
	assert_int_equal(pcap_open_mem(&r, file, off), -1);
	assert_int_equal(errno, EINVAL);
}

/* ---- V1-V14 and the unicast peer rule, one broken rule each ------------- */

static void test_v1_ttl_not_255(void **state)
{
	static const int ttls[] = { 254, 64, 1, 0 };
	struct pkt k;
	struct vrrp_advert adv;

	(void)state;
	for (int kind = V3_IP4; kind <= V2_IP4; kind++) {
		pkt_make(&k, (enum kind)kind, 1);
		for (size_t i = 0; i < sizeof(ttls) / sizeof(ttls[0]); i++) {
			k.info.ttl = ttls[i];
			assert_int_equal(pkt_decode(&k, &adv), VRRP_RX_TTL);
			assert_int_equal(adv.vrid, 51);  /* the router can be charged */
		}
	}
	expect_err_counts(VRRP_RX_TTL, &adv,
			  RS(.ip_ttl_errors = 1, .proto_err_reason = VRRP_PER_TTL),
			  GS(0), GS(.other_errors = 1));
}

/* Make k's advert unicast, to dst (rebuilt: the pseudo-header has it). */
static void pkt_unicast(struct pkt *k, const char *dst)
{
	k->p.dst = ip(dst);
	pkt_build(k);
	k->info.dst = k->p.dst;
}

/* V1 in unicast mode: an advert that crossed a router is accepted from a
 * configured peer (the allow-list stands in for TTL 255, 5.4); an
 * instance without peers, or an advert to the group, still needs 255. */
static void test_v1_unicast_exempt(void **state)
{
	struct pkt k;
	struct vrrp_advert adv;
	struct hafd_addr peer;

	(void)state;
	for (int kind = V3_IP4; kind <= V2_IP4; kind++) {
		pkt_make(&k, (enum kind)kind, 1);
		pkt_unicast(&k, kind == V3_IP6 ? "fd77::12" : "10.78.0.12");
		peer = k.p.src;
		k.exp.peers = &peer;
		k.exp.n_peers = 1;
		k.info.ttl = 254;
		assert_int_equal(pkt_rx(&k, &adv), VRRP_RX_OK);
		k.info.ttl = 1;
		assert_int_equal(pkt_rx(&k, &adv), VRRP_RX_OK);
		k.exp.n_peers = 0;              /* a multicast instance */
		assert_int_equal(pkt_rx(&k, &adv), VRRP_RX_TTL);
		k.exp.n_peers = 1;
		pkt_unicast(&k, kind == V3_IP6 ? "ff02::12" : "224.0.0.18");
		assert_int_equal(pkt_rx(&k, &adv), VRRP_RX_TTL);
		assert_int_equal(pkt_decode(&k, &adv), VRRP_RX_TTL);
		if (kind != V3_IP6) {           /* nor one to everyone */
			pkt_unicast(&k, "255.255.255.255");
			assert_int_equal(pkt_decode(&k, &adv), VRRP_RX_TTL);
		}
	}
	expect_err_counts(VRRP_RX_TTL, &adv,
			  RS(.ip_ttl_errors = 1, .proto_err_reason = VRRP_PER_TTL),
			  GS(0), GS(.other_errors = 1));
}

/* unicast_ttl_check = yes: peers on the same link, so a unicast advert must
 * still carry TTL 255; one that crossed a router (or was sent from off the
 * link with a peer's address) is dropped before the peer list is read. */
static void test_v1_unicast_ttl_check(void **state)
{
	struct pkt k;
	struct vrrp_advert adv;
	struct hafd_addr peer;

	(void)state;
	for (int kind = V3_IP4; kind <= V2_IP4; kind++) {
		pkt_make(&k, (enum kind)kind, 1);
		pkt_unicast(&k, kind == V3_IP6 ? "fd77::12" : "10.78.0.12");
		peer = k.p.src;
		k.exp.peers = &peer;
		k.exp.n_peers = 1;
		k.exp.unicast_ttl_check = true;
		assert_int_equal(pkt_rx(&k, &adv), VRRP_RX_OK);        /* TTL 255 */
		k.info.ttl = 254;
		assert_int_equal(pkt_rx(&k, &adv), VRRP_RX_TTL);
		k.exp.unicast_ttl_check = false;
		assert_int_equal(pkt_rx(&k, &adv), VRRP_RX_OK);
	}
	k.exp.unicast_ttl_check = true;
	assert_int_equal(pkt_rx(&k, &adv), VRRP_RX_TTL);
	expect_err_counts(VRRP_RX_TTL, &adv,
			  RS(.ip_ttl_errors = 1, .proto_err_reason = VRRP_PER_TTL),
			  GS(0), GS(.other_errors = 1));
}

static void test_v2_version(void **state)
{
	static const uint8_t bad_v4[] = { 0, 1, 4, 15 };
	struct pkt k;
	struct vrrp_advert adv;

	(void)state;
	pkt_make(&k, V3_IP4, 1);
	for (size_t i = 0; i < sizeof(bad_v4); i++) {
		k.buf[0] = (uint8_t)(bad_v4[i] << 4 | VRRP_TYPE_ADVERT);
		pkt_fix_csum(&k);
		assert_int_equal(pkt_decode(&k, &adv), VRRP_RX_VERSION);
		assert_int_equal(adv.vrid, 51);
	}
	/* IPv6 is v3 only (item 8 of 1.8) */
	pkt_make(&k, V3_IP6, 1);
	k.buf[0] = 2 << 4 | VRRP_TYPE_ADVERT;
	pkt_fix_csum(&k);
	assert_int_equal(pkt_decode(&k, &adv), VRRP_RX_VERSION);
	expect_err_counts(VRRP_RX_VERSION, &adv, RS(.proto_err_reason = VRRP_PER_VERSION),
			  GS(.version_errors = 1), GS(.version_errors = 1));
}

/* V2: a valid v2 advert reaching a v3 router, and the reverse. */
static void test_v2_version_differs_from_router(void **state)
{
	struct pkt k;
	struct vrrp_advert adv;

	(void)state;
	pkt_make(&k, V2_IP4, 1);
	k.exp.version = 3;
	assert_int_equal(pkt_rx(&k, &adv), VRRP_RX_VERSION);
	pkt_make(&k, V3_IP4, 1);
	k.exp.version = 2;
	assert_int_equal(pkt_rx(&k, &adv), VRRP_RX_VERSION);
}

static void test_v3_type(void **state)
{
	static const uint8_t bad[] = { 0, 2, 15 };
	struct pkt k;
	struct vrrp_advert adv;

	(void)state;
	for (int kind = V3_IP4; kind <= V2_IP4; kind++) {
		pkt_make(&k, (enum kind)kind, 1);
		for (size_t i = 0; i < sizeof(bad); i++) {
			k.buf[0] = (uint8_t)(k.p.version << 4 | bad[i]);
			pkt_fix_csum(&k);
			assert_int_equal(pkt_decode(&k, &adv), VRRP_RX_TYPE);
			assert_int_equal(adv.type, bad[i]);
		}
	}
	expect_err_counts(VRRP_RX_TYPE, &adv, RS(.rcvd_invalid_type = 1), GS(0),
			  GS(.other_errors = 1));
}

/* V4: the received length must equal 8 + count * alen (+ 8 for v2),
 * whichever way the count lies. */
static void check_len(struct pkt *k, size_t len, uint8_t count)
{
	struct vrrp_advert adv;

	k->len = len;
	k->buf[3] = count;
	pkt_fix_csum(k);
	assert_int_equal(pkt_decode(k, &adv), VRRP_RX_LENGTH);
	assert_null(adv.addrs);
}

static void test_v4_length_count_lies(void **state)
{
	struct pkt k;
	struct vrrp_advert adv;
	size_t full;

	(void)state;
	pkt_make(&k, V3_IP4, 2);
	full = k.len;
	check_len(&k, full, 3);                 /* count too high */
	check_len(&k, full, 1);                 /* count too low */
	check_len(&k, full - 1, 2);             /* address cut short */
	check_len(&k, full + 2, 2);             /* trailing bytes */
	pkt_make(&k, V3_IP6, 1);
	full = k.len;
	check_len(&k, VRRP_HDR_LEN + 4, 1);     /* an IPv4-sized address */
	check_len(&k, full + 16, 1);
	pkt_make(&k, V2_IP4, 1);
	full = k.len;
	check_len(&k, full - VRRP_V2_AUTH_LEN, 1);      /* no auth trailer */
	check_len(&k, full, 2);
	/* 8 <= len, so this is a length error, not a short-header one */
	pkt_make(&k, V3_IP4, 1);
	check_len(&k, VRRP_HDR_LEN + 3, 1);
	pkt_decode(&k, &adv);
	expect_err_counts(VRRP_RX_LENGTH, &adv, RS(.packet_length_errors = 1), GS(0),
			  GS(.other_errors = 1));
}

static void test_v5_checksum(void **state)
{
	struct pkt k;
	struct vrrp_advert adv;

	(void)state;
	for (int kind = V3_IP4; kind <= V2_IP4; kind++) {
		pkt_make(&k, (enum kind)kind, 2);
		k.buf[7] ^= 0x01;
		assert_int_equal(pkt_decode(&k, &adv), VRRP_RX_CHECKSUM);
		k.buf[7] ^= 0x01;
		k.buf[k.len - 1] ^= 0x80;       /* v2: inside the auth data (item 20) */
		assert_int_equal(pkt_decode(&k, &adv), VRRP_RX_CHECKSUM);
		k.buf[k.len - 1] ^= 0x80;
		assert_int_equal(pkt_decode(&k, &adv), VRRP_RX_OK);
	}
	/* IPv6 pseudo-header (item 17): another source fails */
	pkt_make(&k, V3_IP6, 1);
	k.info.src = ip("fe80::77:ff:fe00:c");
	assert_int_equal(pkt_decode(&k, &adv), VRRP_RX_CHECKSUM);
	/* v2 has none (item 20): another source still verifies */
	pkt_make(&k, V2_IP4, 1);
	k.info.src = ip("10.77.0.12");
	assert_int_equal(pkt_decode(&k, &adv), VRRP_RX_OK);
	/* checked before the type: a corrupt type byte is a checksum error */
	pkt_make(&k, V3_IP4, 1);
	k.buf[0] = 3 << 4 | 2;
	assert_int_equal(pkt_decode(&k, &adv), VRRP_RX_CHECKSUM);
	expect_err_counts(VRRP_RX_CHECKSUM, &adv, RS(.proto_err_reason = VRRP_PER_CHECKSUM),
			  GS(.checksum_errors = 1), GS(.checksum_errors = 1));
}

/* V6 is the caller's lookup: decode hands it the VRID (from 2 bytes on,
 * even for packets it drops) and the caller charges the global counter. */
static void test_v6_vrid(void **state)
{
	static const uint8_t two[2] = { 0x31, 77 };
	struct vrrp_pkt_info info = { .family = AF_INET, .ttl = 255 };
	struct vrrp_advert adv;
	struct pkt k;
	uint8_t *b = malloc(sizeof(two));

	(void)state;
	pkt_make(&k, V3_IP4, 1);
	k.p.vrid = 52;                  /* a VRID we do not run */
	pkt_build(&k);
	assert_int_equal(pkt_decode(&k, &adv), VRRP_RX_OK);
	assert_int_equal(adv.vrid, 52);
	expect_err_counts(VRRP_RX_VRID, &adv, RS(0), GS(.vrid_errors = 1),
			  GS(.vrid_errors = 1));
	assert_non_null(b);
	memcpy(b, two, sizeof(two));
	assert_int_equal(vrrp_pkt_decode(b, sizeof(two), &info, &adv), VRRP_RX_LENGTH);
	assert_int_equal(adv.vrid, 77);
	free(b);
}

/* V7: erratum 8298 makes the owner check log-only. */
static void test_v7_owner_logs_only(void **state)
{
	struct pkt k;
	struct vrrp_advert adv;

	(void)state;
	pkt_make(&k, V3_IP4, 1);
	k.exp.owner = true;
	assert_int_equal(pkt_rx(&k, &adv), VRRP_RX_OK);
	assert_int_equal(adv.warn, VRRP_WARN_OWNER);
	expect_counts(VRRP_RX_OK, &adv, RS(.rcvd_advertisements = 1),
		      GS(.csum_rfc5798_rx = 1), GS(.csum_rfc5798_rx = 1));
}

/* V7 for v2 as well: RFC 3768 7.1 says an owner MUST discard adverts, but
 * two routers both configured as owner would then both stay master for
 * good; hafd logs and elects, as erratum 8298 has v3 do. */
static void test_v7_owner_logs_only_v2(void **state)
{
	struct pkt k;
	struct vrrp_advert adv;

	(void)state;
	pkt_make(&k, V2_IP4, 1);
	k.exp.owner = true;
	assert_int_equal(pkt_rx(&k, &adv), VRRP_RX_OK);
	assert_int_equal(adv.warn, VRRP_WARN_OWNER);
}

static void test_v8_count_zero(void **state)
{
	struct pkt k;
	struct vrrp_advert adv;

	(void)state;
	for (int kind = V3_IP4; kind <= V2_IP4; kind++) {
		pkt_make(&k, (enum kind)kind, 1);
		k.buf[3] = 0;
		k.len = VRRP_HDR_LEN + (kind == V2_IP4 ? VRRP_V2_AUTH_LEN : 0);
		memset(k.buf + VRRP_HDR_LEN, 0, VRRP_V2_AUTH_LEN);
		pkt_fix_csum(&k);
		assert_int_equal(pkt_decode(&k, &adv), VRRP_RX_ADDR_COUNT);
		assert_int_equal(adv.count, 0);
	}
	expect_err_counts(VRRP_RX_ADDR_COUNT, &adv, RS(.address_list_errors = 1), GS(0),
			  GS(.other_errors = 1));
}

/* V9 (erratum 8301); reserved bits alone are still interval 0 (item 6). */
static void test_v9_interval_zero(void **state)
{
	static const uint8_t v3_hi[] = { 0x00, 0x10, 0xf0 };
	struct pkt k;
	struct vrrp_advert adv;

	(void)state;
	for (int kind = V3_IP4; kind <= V3_IP6; kind++) {
		pkt_make(&k, (enum kind)kind, 1);
		for (size_t i = 0; i < sizeof(v3_hi); i++) {
			k.buf[4] = v3_hi[i];
			k.buf[5] = 0;
			pkt_fix_csum(&k);
			assert_int_equal(pkt_decode(&k, &adv), VRRP_RX_INTERVAL_ZERO);
		}
	}
	pkt_make(&k, V2_IP4, 1);
	k.buf[5] = 0;   /* keepalived's "intvl 0s" for sub-second v2 (5.5) */
	pkt_fix_csum(&k);
	assert_int_equal(pkt_decode(&k, &adv), VRRP_RX_INTERVAL_ZERO);
	expect_err_counts(VRRP_RX_INTERVAL_ZERO, &adv,
			  RS(.interval_zero_errors = 1, .adv_interval_errors = 1), GS(0),
			  GS(.other_errors = 1));
}

/* V10 / item 9: warning only, so keepalived 2.2.7 still interoperates. */
static void test_v10_ipv6_first_not_link_local(void **state)
{
	struct pkt k;
	struct vrrp_advert adv;

	(void)state;
	pkt_make(&k, V3_IP6, 3);
	assert_int_equal(pkt_rx(&k, &adv), VRRP_RX_OK);
	assert_int_equal(adv.warn, 0);
	/* a link-local later in the list does not count */
	k.addrs[0] = k.addrs[1];
	k.addrs[1] = ip("fe80::77:ff:fe00:100");
	pkt_build(&k);
	assert_int_equal(pkt_rx(&k, &adv), VRRP_RX_OK);
	assert_int_equal(adv.warn, VRRP_WARN_NO_LL_FIRST);
	expect_counts(VRRP_RX_OK, &adv, RS(.rcvd_advertisements = 1, .address_list_errors = 1),
		      GS(0), GS(0));
}

/* V11: v3 learns and logs (RFC 9568 §7.1). */
static void test_v11_interval_mismatch_v3_warns(void **state)
{
	struct pkt k;
	struct vrrp_advert adv;

	(void)state;
	pkt_make(&k, V3_IP4, 1);
	k.exp.adver_int_cs = 200;
	assert_int_equal(pkt_rx(&k, &adv), VRRP_RX_OK);
	assert_int_equal(adv.warn, VRRP_WARN_INTERVAL);
	assert_int_equal(adv.adver_int_cs, 100);
	expect_counts(VRRP_RX_OK, &adv, RS(.rcvd_advertisements = 1, .adv_interval_errors = 1),
		      GS(.csum_rfc5798_rx = 1), GS(.csum_rfc5798_rx = 1));
}

/* V11: v2 MUST discard. Compared in whole seconds, as v2 sends them. */
static void test_v11_interval_mismatch_v2_drops(void **state)
{
	struct pkt k;
	struct vrrp_advert adv;

	(void)state;
	pkt_make(&k, V2_IP4, 1);
	k.exp.adver_int_cs = 200;
	assert_int_equal(pkt_rx(&k, &adv), VRRP_RX_INTERVAL);
	expect_err_counts(VRRP_RX_INTERVAL, &adv, RS(.adv_interval_errors = 1), GS(0),
			  GS(.other_errors = 1));
	/* 50 cs goes out as 1 s (5.5), so a peer configured alike matches */
	k.exp.adver_int_cs = 50;
	assert_int_equal(pkt_rx(&k, &adv), VRRP_RX_OK);
	assert_int_equal(adv.warn, 0);
}

/* V12 for v3: compared as a set, prefixes ignored; logged, not dropped. */
static void test_v12_addr_list_v3_warns(void **state)
{
	struct hafd_addr vips[3];
	struct pkt k;
	struct vrrp_advert adv;

	(void)state;
	pkt_make(&k, V3_IP4, 3);
	vips[0] = k.addrs[2];
	vips[1] = k.addrs[0];
	vips[2] = k.addrs[1];
	vips[0].prefix = 24;
	k.exp.vips = vips;
	assert_int_equal(pkt_rx(&k, &adv), VRRP_RX_OK);
	assert_int_equal(adv.warn, 0);
	k.exp.n_vips = 2;               /* advert has one more */
	assert_int_equal(pkt_rx(&k, &adv), VRRP_RX_OK);
	assert_int_equal(adv.warn, VRRP_WARN_ADDR_LIST);
	k.exp.n_vips = 3;
	vips[1] = ip("10.77.0.101");    /* one differs */
	assert_int_equal(pkt_rx(&k, &adv), VRRP_RX_OK);
	assert_int_equal(adv.warn, VRRP_WARN_ADDR_LIST);
	expect_counts(VRRP_RX_OK, &adv, RS(.rcvd_advertisements = 1, .address_list_errors = 1),
		      GS(.csum_rfc5798_rx = 1), GS(.csum_rfc5798_rx = 1));
	/* repeats count once: {a, b, a} against {a, b} */
	vips[0] = k.addrs[0];
	vips[1] = k.addrs[1];
	k.addrs[2] = k.addrs[0];
	k.p.addrs = k.addrs;
	pkt_build(&k);
	k.exp.n_vips = 2;
	assert_int_equal(pkt_rx(&k, &adv), VRRP_RX_OK);
	assert_int_equal(adv.warn, 0);
	/* we have one more than the advert */
	pkt_make(&k, V3_IP6, 2);
	k.p.n_addrs = 1;
	pkt_build(&k);
	assert_int_equal(pkt_rx(&k, &adv), VRRP_RX_OK);
	assert_int_equal(adv.warn, VRRP_WARN_ADDR_LIST);
}

/* V12 from the owner: v3 logs, as for any sender; v2 goes on to the
 * interval check (RFC 3768 7.1: "otherwise continue processing"), which
 * still drops. */
static void test_v12_addr_list_owner(void **state)
{
	struct pkt k;
	struct vrrp_advert adv;
	struct hafd_addr other = ip("10.77.0.101");

	(void)state;
	pkt_make(&k, V3_IP4, 1);
	k.p.priority = 255;
	pkt_build(&k);
	k.exp.vips = &other;
	assert_int_equal(pkt_rx(&k, &adv), VRRP_RX_OK);
	assert_int_equal(adv.warn, VRRP_WARN_ADDR_LIST);
	pkt_make(&k, V2_IP4, 1);
	k.p.priority = 255;
	pkt_build(&k);
	k.exp.vips = &other;
	k.exp.adver_int_cs = 200;
	assert_int_equal(pkt_rx(&k, &adv), VRRP_RX_INTERVAL);
}

/* V12 with the largest lists: 255 addresses in the other order (the sorted
 * path), then one of them changed. */
static void test_v12_addr_list_255(void **state)
{
	static struct hafd_addr vips[VRRP_MAX_ADDRS];
	static struct pkt k;
	struct vrrp_advert adv;

	(void)state;
	pkt_make(&k, V3_IP6, VRRP_MAX_ADDRS);
	for (size_t i = 0; i < VRRP_MAX_ADDRS; i++)
		vips[i] = k.addrs[VRRP_MAX_ADDRS - 1 - i];
	k.exp.vips = vips;
	assert_int_equal(pkt_rx(&k, &adv), VRRP_RX_OK);
	assert_int_equal(adv.warn, 0);
	vips[7].u.b[14] = 0x42;
	assert_int_equal(pkt_rx(&k, &adv), VRRP_RX_OK);
	assert_int_equal(adv.warn, VRRP_WARN_ADDR_LIST);
}

/* V12 for v2: drop unless the sender is the owner (priority 255). */
static void test_v12_addr_list_v2_drops_unless_owner(void **state)
{
	struct pkt k;
	struct vrrp_advert adv;
	struct hafd_addr other = ip("10.77.0.101");

	(void)state;
	pkt_make(&k, V2_IP4, 1);
	k.exp.vips = &other;
	assert_int_equal(pkt_rx(&k, &adv), VRRP_RX_ADDR_LIST);
	expect_err_counts(VRRP_RX_ADDR_LIST, &adv, RS(.address_list_errors = 1), GS(0),
			  GS(.other_errors = 1));
	k.p.priority = 255;
	pkt_build(&k);
	assert_int_equal(pkt_rx(&k, &adv), VRRP_RX_OK);
	assert_int_equal(adv.warn, VRRP_WARN_ADDR_LIST);
	expect_counts(VRRP_RX_OK, &adv, RS(.rcvd_advertisements = 1, .address_list_errors = 1),
		      GS(0), GS(0));
}

/* V13: RFC 3768 removed authentication; anything but type 0 is dropped. */
static void test_v13_v2_auth_type(void **state)
{
	struct pkt k;
	struct vrrp_advert adv;

	(void)state;
	pkt_make(&k, V2_IP4, 1);
	for (uint8_t t = 1; t <= 3; t++) {
		k.buf[4] = t;
		pkt_fix_csum(&k);
		assert_int_equal(pkt_decode(&k, &adv), VRRP_RX_OK);
		assert_int_equal(adv.auth_type, t);
		assert_int_equal(vrrp_pkt_check(&adv, &k.exp), VRRP_RX_AUTH);
	}
	expect_err_counts(VRRP_RX_AUTH, &adv, RS(.auth_errors = 1), GS(0),
			  GS(.other_errors = 1));
}

/* V14: accepted adverts, priority 0 (the Active stopped), and which
 * IPv4 checksum form verified (5.1). */
static void test_v14_accepted_pri_zero_and_forms(void **state)
{
	struct pkt k;
	struct vrrp_advert adv;

	(void)state;
	pkt_make(&k, V3_IP4_9568, 1);
	k.p.priority = 0;
	pkt_build(&k);
	assert_int_equal(pkt_rx(&k, &adv), VRRP_RX_OK);
	assert_int_equal(adv.priority, 0);
	expect_counts(VRRP_RX_OK, &adv, RS(.rcvd_advertisements = 1, .rcvd_pri_zero = 1),
		      GS(.csum_rfc9568_rx = 1), GS(.csum_rfc9568_rx = 1));
	pkt_make(&k, V3_IP6, 1);
	assert_int_equal(pkt_rx(&k, &adv), VRRP_RX_OK);
	expect_counts(VRRP_RX_OK, &adv, RS(.rcvd_advertisements = 1), GS(0), GS(0));
}

/* Unicast (5.4): only configured peers are heard. */
static void test_unicast_peer_allow_list(void **state)
{
	struct hafd_addr peers[2] = { ip("10.77.0.12"), ip("10.77.0.13") };
	struct pkt k;
	struct vrrp_advert adv;

	(void)state;
	pkt_make(&k, V3_IP4, 1);
	k.exp.peers = peers;
	k.exp.n_peers = 2;
	assert_int_equal(pkt_rx(&k, &adv), VRRP_RX_PEER);
	expect_err_counts(VRRP_RX_PEER, &adv, RS(.peer_errors = 1), GS(0),
			  GS(.other_errors = 1));
	peers[1] = ip("10.77.0.11/24");         /* prefix ignored */
	assert_int_equal(pkt_rx(&k, &adv), VRRP_RX_OK);
	k.exp.n_peers = 0;                      /* multicast: anyone */
	peers[1] = peers[0];
	assert_int_equal(pkt_rx(&k, &adv), VRRP_RX_OK);
}

/* ---- round trips, intervals, checksum forms, build errors -------------- */

static void roundtrip(enum kind kind, size_t n)
{
	struct pkt k;
	struct vrrp_advert adv;
	struct hafd_addr a;

	pkt_make(&k, kind, n);
	assert_int_equal(k.len, VRRP_HDR_LEN + n * (kind == V3_IP6 ? 16 : 4) +
			 (kind == V2_IP4 ? VRRP_V2_AUTH_LEN : 0));
	assert_int_equal(pkt_rx(&k, &adv), VRRP_RX_OK);
	assert_int_equal(adv.warn, 0);
	assert_int_equal(adv.version, k.p.version);
	assert_int_equal(adv.vrid, 51);
	assert_int_equal(adv.priority, 150);
	assert_int_equal(adv.count, n);
	assert_int_equal(adv.adver_int_cs, 100);
	assert_int_equal(adv.family, k.p.family);
	assert_true(addr_equal(&adv.src, &k.p.src));
	if (kind == V3_IP4 || kind == V3_IP4_9568)
		assert_int_equal(adv.csum_form, k.p.csum_form);
	for (size_t i = 0; i < n; i++) {
		vrrp_advert_addr(&adv, i, &a);
		assert_true(addr_equal(&a, &k.addrs[i]));
	}
	vrrp_advert_addr(&adv, n, &a);          /* past the end: unset */
	assert_int_equal(a.family, 0);
}

#define ROUNDTRIP(name, kind, n) \
	static void name(void **state) { (void)state; roundtrip(kind, n); }
ROUNDTRIP(test_roundtrip_v3_ipv4_rfc5798_1, V3_IP4, 1)
ROUNDTRIP(test_roundtrip_v3_ipv4_rfc5798_255, V3_IP4, 255)
ROUNDTRIP(test_roundtrip_v3_ipv4_rfc9568_1, V3_IP4_9568, 1)
ROUNDTRIP(test_roundtrip_v3_ipv4_rfc9568_255, V3_IP4_9568, 255)
ROUNDTRIP(test_roundtrip_v3_ipv6_1, V3_IP6, 1)
ROUNDTRIP(test_roundtrip_v3_ipv6_255, V3_IP6, 255)
ROUNDTRIP(test_roundtrip_v2_ipv4_1, V2_IP4, 1)
ROUNDTRIP(test_roundtrip_v2_ipv4_255, V2_IP4, 255)

/* Items 6, 7: 12 bits of centiseconds; reserved bits sent as 0 and
 * ignored on receive. */
static void test_interval_mask_and_max(void **state)
{
	struct pkt k;
	struct vrrp_advert adv;

	(void)state;
	pkt_make(&k, V3_IP6, 1);
	k.p.adver_int_cs = 4095;
	k.exp.adver_int_cs = 4095;
	pkt_build(&k);
	assert_int_equal(k.buf[4], 0x0f);
	assert_int_equal(k.buf[5], 0xff);
	assert_int_equal(pkt_rx(&k, &adv), VRRP_RX_OK);
	assert_int_equal(adv.adver_int_cs, 4095);
	assert_int_equal(adv.warn, 0);
	for (unsigned hi = 0x10; hi <= 0xf0; hi += 0x10) {
		k.buf[4] = (uint8_t)(hi | 0x0f);
		pkt_fix_csum(&k);
		assert_int_equal(pkt_rx(&k, &adv), VRRP_RX_OK);
		assert_int_equal(adv.adver_int_cs, 4095);
		assert_int_equal(adv.warn, 0);
	}
	k.p.adver_int_cs = 4096;
	assert_int_equal(vrrp_pkt_build(k.buf, sizeof(k.buf), &k.p), -1);
	assert_int_equal(errno, EINVAL);
}

/* v2 carries seconds: adver_int_cs / 100, at least 1; read back * 100. */
static void test_v2_interval_in_seconds(void **state)
{
	static const struct { uint16_t cs; uint8_t wire; } cases[] = {
		{ 100, 1 }, { 50, 1 }, { 1, 1 }, { 250, 2 }, { 25500, 255 },
	};
	struct pkt k;
	struct vrrp_advert adv;

	(void)state;
	pkt_make(&k, V2_IP4, 1);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		k.p.adver_int_cs = cases[i].cs;
		pkt_build(&k);
		assert_int_equal(k.buf[4], 0);
		assert_int_equal(k.buf[5], cases[i].wire);
		assert_int_equal(pkt_decode(&k, &adv), VRRP_RX_OK);
		assert_int_equal(adv.adver_int_cs, cases[i].wire * 100);
	}
	k.p.adver_int_cs = 25600;
	assert_int_equal(vrrp_pkt_build(k.buf, sizeof(k.buf), &k.p), -1);
	assert_int_equal(errno, EINVAL);
}

/* Items 18, 19: each IPv4 v3 form fails under the other computation, and
 * decode accepts both, saying which. */
static void test_csum_forms_differ(void **state)
{
	struct pkt k;
	struct vrrp_advert adv;
	uint16_t wire;

	(void)state;
	for (int kind = V3_IP4; kind <= V3_IP4_9568; kind++) {
		enum vrrp_csum_form other;

		pkt_make(&k, (enum kind)kind, 1);
		other = k.p.csum_form == VRRP_CSUM_RFC5798 ? VRRP_CSUM_RFC9568
							   : VRRP_CSUM_RFC5798;
		wire = (uint16_t)(k.buf[6] << 8 | k.buf[7]);
		assert_int_equal(vrrp_pkt_csum(k.buf, k.len, 3, AF_INET, &k.p.src, &k.p.dst,
					       k.p.csum_form), wire);
		assert_int_not_equal(vrrp_pkt_csum(k.buf, k.len, 3, AF_INET, &k.p.src,
						   &k.p.dst, other), wire);
		assert_int_equal(pkt_decode(&k, &adv), VRRP_RX_OK);
		assert_int_equal(adv.csum_form, k.p.csum_form);
	}
	/* only the 5798 form depends on the IP addresses (unicast, 5.2) */
	k.info.dst = ip("10.77.0.12");
	assert_int_equal(pkt_decode(&k, &adv), VRRP_RX_OK);
	pkt_make(&k, V3_IP4, 1);
	k.info.dst = ip("10.77.0.12");
	assert_int_equal(pkt_decode(&k, &adv), VRRP_RX_CHECKSUM);
	/* the checksum field is skipped, whatever it holds (item 16) */
	wire = vrrp_pkt_csum(k.buf, k.len, 3, AF_INET, &k.p.src, &k.p.dst, VRRP_CSUM_RFC5798);
	k.buf[6] = k.buf[7] = 0xaa;
	assert_int_equal(vrrp_pkt_csum(k.buf, k.len, 3, AF_INET, &k.p.src, &k.p.dst,
				       VRRP_CSUM_RFC5798), wire);
}

static void expect_einval(struct vrrp_pkt_params *p)
{
	uint8_t buf[VRRP_PKT_MAX];

	errno = 0;
	assert_int_equal(vrrp_pkt_build(buf, sizeof(buf), p), -1);
	assert_int_equal(errno, EINVAL);
}

static void test_build_einval(void **state)
{
	struct pkt k;

	(void)state;
	pkt_make(&k, V3_IP6, 1);
	k.p.version = 2;                /* v2 is IPv4 only */
	expect_einval(&k.p);
	k.p.version = 4;
	expect_einval(&k.p);
	pkt_make(&k, V3_IP4, 2);
	k.p.n_addrs = 0;                /* item 5 */
	expect_einval(&k.p);
	k.p.n_addrs = 256;
	expect_einval(&k.p);
	k.p.n_addrs = 2;
	k.addrs[1] = ip("fd77::1");     /* item 8: one family */
	expect_einval(&k.p);
	pkt_make(&k, V3_IP4, 1);
	k.p.family = AF_INET6;
	expect_einval(&k.p);
	pkt_make(&k, V3_IP4, 1);
	k.p.vrid = 0;                   /* item 3 */
	expect_einval(&k.p);
	pkt_make(&k, V3_IP4, 1);
	k.p.adver_int_cs = 0;           /* V9 */
	expect_einval(&k.p);
	pkt_make(&k, V3_IP4, 1);
	k.p.addrs = NULL;
	expect_einval(&k.p);
	pkt_make(&k, V3_IP4, 1);
	k.p.csum_form = (enum vrrp_csum_form)7;
	expect_einval(&k.p);
	/* the RFC 5798 pseudo-header needs both addresses; 9568 does not */
	pkt_make(&k, V3_IP4, 1);
	memset(&k.p.dst, 0, sizeof(k.p.dst));
	expect_einval(&k.p);
	k.p.csum_form = VRRP_CSUM_RFC9568;
	assert_true(vrrp_pkt_build(k.buf, sizeof(k.buf), &k.p) > 0);
	pkt_make(&k, V3_IP6, 1);
	k.p.src = ip("10.77.0.11");
	expect_einval(&k.p);
}

static void test_build_emsgsize(void **state)
{
	struct pkt k;
	uint8_t *exact;

	(void)state;
	for (int kind = V3_IP4; kind <= V2_IP4; kind++) {
		pkt_make(&k, (enum kind)kind, 3);
		exact = malloc(k.len);
		assert_non_null(exact);
		errno = 0;
		assert_int_equal(vrrp_pkt_build(exact, k.len - 1, &k.p), -1);
		assert_int_equal(errno, EMSGSIZE);
		assert_int_equal(vrrp_pkt_build(exact, 0, &k.p), -1);
		assert_int_equal(vrrp_pkt_build(exact, k.len, &k.p), (ssize_t)k.len);
		assert_memory_equal(exact, k.buf, k.len);
		free(exact);
	}
	pkt_make(&k, V3_IP6, VRRP_MAX_ADDRS);
	assert_int_equal(k.len, VRRP_PKT_MAX);
}

/* V4 and V1 on tiny buffers; each copy is malloc'd to its exact size so
 * ASan catches any read past the end. */
static void test_short_buffers(void **state)
{
	struct pkt k;
	struct vrrp_advert adv;

	(void)state;
	for (int kind = V3_IP4; kind <= V2_IP4; kind++) {
		pkt_make(&k, (enum kind)kind, 2);
		for (size_t len = 0; len < k.len; len++) {
			uint8_t *b = malloc(len);

			assert_true(b || len == 0);
			if (len)
				memcpy(b, k.buf, len);
			k.info.ttl = 255;
			assert_int_not_equal(vrrp_pkt_decode(b, len, &k.info, &adv), VRRP_RX_OK);
			if (len < VRRP_HDR_LEN)
				assert_int_equal(vrrp_pkt_decode(b, len, &k.info, &adv),
						 VRRP_RX_LENGTH);
			assert_int_equal(adv.vrid, len >= 2 ? 51 : 0);
			assert_null(adv.addrs);
			k.info.ttl = 64;        /* V1 comes first */
			assert_int_equal(vrrp_pkt_decode(b, len, &k.info, &adv), VRRP_RX_TTL);
			free(b);
		}
	}
	expect_err_counts(VRRP_RX_LENGTH, NULL, RS(.packet_length_errors = 1), GS(0),
			  GS(.other_errors = 1));
}

static void test_err_str(void **state)
{
	(void)state;
	assert_string_equal(vrrp_rx_err_str(VRRP_RX_TTL), "TTL/hop limit not 255");
	assert_string_equal(vrrp_rx_err_str(VRRP_RX_CHECKSUM), "bad checksum");
	assert_string_equal(vrrp_rx_err_str(VRRP_RX_VRID), "unknown VRID");
	assert_string_equal(vrrp_rx_err_str(VRRP_RX_PEER), "not a configured unicast peer");
	for (int i = 0; i < VRRP_RX_ERR_MAX; i++) {
		assert_non_null(vrrp_rx_err_str((enum vrrp_rx_err)i));
		assert_true(strlen(vrrp_rx_err_str((enum vrrp_rx_err)i)) > 0);
		for (int j = 0; j < i; j++)
			assert_string_not_equal(vrrp_rx_err_str((enum vrrp_rx_err)i),
						vrrp_rx_err_str((enum vrrp_rx_err)j));
	}
	assert_non_null(vrrp_rx_err_str(VRRP_RX_ERR_MAX));
	assert_non_null(vrrp_rx_err_str((enum vrrp_rx_err)-1));
	/* an unknown code still counts somewhere and does not crash */
	expect_counts(VRRP_RX_ERR_MAX, NULL, RS(0), GS(.other_errors = 1),
		      GS(.other_errors = 1));
}

/* ---- the unsolicited NA that announces an IPv6 VIP ---------------------- */

#define NA_FLAG_R 0x80  /* first byte of the NA's flags word (RFC 4861 4.4) */
#define NA_FLAG_S 0x40
#define NA_FLAG_O 0x20

/* An NA for target from mac, checked byte by byte; returns its flags byte. */
static uint8_t na_check(const uint8_t *b, const struct hafd_addr *target, const uint8_t *mac)
{
	static const uint8_t zero[4];

	assert_int_equal(b[0], 136);                    /* Neighbor Advertisement */
	assert_int_equal(b[1], 0);                      /* code */
	assert_memory_equal(b + 2, zero, 2);            /* checksum: the kernel's */
	assert_int_equal(b[4] & 0x1f, 0);               /* reserved */
	assert_memory_equal(b + 5, zero, 3);
	assert_memory_equal(b + 8, target->u.b, 16);
	assert_int_equal(b[24], 2);                     /* Target Link-Layer Address */
	assert_int_equal(b[25], 1);                     /* one unit of 8 bytes */
	assert_memory_equal(b + 26, mac, 6);
	return b[4];
}

static void test_na_layout(void **state)
{
	static const uint8_t mac[6] = { 0x00, 0x00, 0x5e, 0x00, 0x02, 0x3d };
	struct hafd_addr vip = ip("fd77::100"), v4 = ip("10.77.0.100");
	uint8_t buf[VRRP_NA_LEN + 8];
	uint8_t flags;

	(void)state;
	memset(buf, 0xff, sizeof(buf));
	assert_int_equal(vrrp_pkt_na_build(buf, sizeof(buf), &vip, mac), VRRP_NA_LEN);
	flags = na_check(buf, &vip, mac);
	assert_int_equal(flags & (NA_FLAG_S | NA_FLAG_O), NA_FLAG_O);
	assert_int_equal(buf[VRRP_NA_LEN], 0xff);       /* nothing written past it */
	errno = 0;
	assert_int_equal(vrrp_pkt_na_build(buf, VRRP_NA_LEN - 1, &vip, mac), -1);
	assert_int_equal(errno, EMSGSIZE);
	errno = 0;
	assert_int_equal(vrrp_pkt_na_build(buf, sizeof(buf), &v4, mac), -1);
	assert_int_equal(errno, EINVAL);
}

/* RFC 9568 6.4.1 and 6.4.2: the NA a new Active router sends for each IPv6
 * VIP has R set, S clear, O set. (hafd sent R clear until this test.) */
static void test_na_router_flag(void **state)
{
	static const uint8_t mac[6] = { 0x02, 0x77, 0x00, 0x00, 0x00, 0x0b };
	struct hafd_addr vip = ip("fd77::100");
	uint8_t buf[VRRP_NA_LEN];

	(void)state;
	assert_int_equal(vrrp_pkt_na_build(buf, sizeof(buf), &vip, mac), VRRP_NA_LEN);
	assert_int_equal(na_check(buf, &vip, mac), NA_FLAG_R | NA_FLAG_O);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden_keepalived_v2_ipv4),
		cmocka_unit_test(test_golden_keepalived_v3_ipv4_rfc5798),
		cmocka_unit_test(test_golden_keepalived_v3_ipv6_v10_warn),
		cmocka_unit_test(test_golden_frr_v2_ipv4),
		cmocka_unit_test(test_golden_frr_v3_ipv4_rfc5798),
		cmocka_unit_test(test_pcap_big_endian_nanosecond),
		cmocka_unit_test(test_pcap_vlan_and_padding),
		cmocka_unit_test(test_v1_ttl_not_255),
		cmocka_unit_test(test_v1_unicast_exempt),
		cmocka_unit_test(test_v1_unicast_ttl_check),
		cmocka_unit_test(test_v2_version),
		cmocka_unit_test(test_v2_version_differs_from_router),
		cmocka_unit_test(test_v3_type),
		cmocka_unit_test(test_v4_length_count_lies),
		cmocka_unit_test(test_v5_checksum),
		cmocka_unit_test(test_v6_vrid),
		cmocka_unit_test(test_v7_owner_logs_only),
		cmocka_unit_test(test_v7_owner_logs_only_v2),
		cmocka_unit_test(test_v8_count_zero),
		cmocka_unit_test(test_v9_interval_zero),
		cmocka_unit_test(test_v10_ipv6_first_not_link_local),
		cmocka_unit_test(test_v11_interval_mismatch_v3_warns),
		cmocka_unit_test(test_v11_interval_mismatch_v2_drops),
		cmocka_unit_test(test_v12_addr_list_v3_warns),
		cmocka_unit_test(test_v12_addr_list_owner),
		cmocka_unit_test(test_v12_addr_list_255),
		cmocka_unit_test(test_v12_addr_list_v2_drops_unless_owner),
		cmocka_unit_test(test_v13_v2_auth_type),
		cmocka_unit_test(test_v14_accepted_pri_zero_and_forms),
		cmocka_unit_test(test_unicast_peer_allow_list),
		cmocka_unit_test(test_roundtrip_v3_ipv4_rfc5798_1),
		cmocka_unit_test(test_roundtrip_v3_ipv4_rfc5798_255),
		cmocka_unit_test(test_roundtrip_v3_ipv4_rfc9568_1),
		cmocka_unit_test(test_roundtrip_v3_ipv4_rfc9568_255),
		cmocka_unit_test(test_roundtrip_v3_ipv6_1),
		cmocka_unit_test(test_roundtrip_v3_ipv6_255),
		cmocka_unit_test(test_roundtrip_v2_ipv4_1),
		cmocka_unit_test(test_roundtrip_v2_ipv4_255),
		cmocka_unit_test(test_interval_mask_and_max),
		cmocka_unit_test(test_v2_interval_in_seconds),
		cmocka_unit_test(test_csum_forms_differ),
		cmocka_unit_test(test_build_einval),
		cmocka_unit_test(test_build_emsgsize),
		cmocka_unit_test(test_short_buffers),
		cmocka_unit_test(test_err_str),
		cmocka_unit_test(test_na_layout),
		cmocka_unit_test(test_na_router_flag),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
