/* hafd's own adverts as captured on the wire by the system tests
 * (t-interop-keepalived.sh, t-vmac.sh; HAFD_GOLDEN_UPDATE=1 rewrites them):
 * each decodes with the fields it was sent with, and the builder, given
 * those settings, reproduces it byte for byte. A regression in the builder
 * shows up here without root. See tests/golden/README-hafd.md. */
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

#define PCAP_REC_LEN 16

struct golden {
	const char *file;
	uint8_t version;
	int family;
	uint8_t vrid;
	uint16_t adver_int_cs;
	const char *vip;
	const char *dst;                /* the group, or the unicast peer */
	enum vrrp_csum_form form;       /* IPv4 v3 only */
	const char *vmac;               /* source MAC with use_vmac, else NULL */
};

static struct hafd_addr ip(const char *s)
{
	struct hafd_addr a;

	assert_int_equal(addr_parse(s, &a), 0);
	return a;
}

static bool is_vrrp_mac(const uint8_t *m)
{
	return m[0] == 0 && m[1] == 0 && m[2] == 0x5e && m[3] == 0 && (m[4] == 1 || m[4] == 2);
}

/* Item 14: the source MAC is the VMAC with use_vmac, the interface's
 * otherwise; a multicast advert goes to the group's MAC. */
static void check_frame(const struct golden *gd, const uint8_t *frame)
{
	static const uint8_t g4[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x12 };
	static const uint8_t g6[6] = { 0x33, 0x33, 0x00, 0x00, 0x00, 0x12 };
	uint16_t type = (uint16_t)(frame[12] << 8 | frame[13]);
	char mac[18];

	assert_int_equal(type, gd->family == AF_INET ? 0x0800 : 0x86dd);
	snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", frame[6], frame[7],
		 frame[8], frame[9], frame[10], frame[11]);
	if (gd->vmac)
		assert_string_equal(mac, gd->vmac);
	else
		assert_false(is_vrrp_mac(frame + 6) || (frame[6] & 1));
	if (strchr(gd->dst, ':') || !strncmp(gd->dst, "224.", 4))
		assert_memory_equal(frame, gd->family == AF_INET ? g4 : g6, 6);
}

static void check_advert(const struct golden *gd, const uint8_t *pl, size_t len,
			 const struct vrrp_pkt_info *info)
{
	struct hafd_addr vip = ip(gd->vip), dst = ip(gd->dst), a;
	struct vrrp_advert adv;
	struct vrrp_pkt_params p = {
		.version = gd->version, .vrid = gd->vrid, .priority = 150,
		.adver_int_cs = gd->adver_int_cs, .family = gd->family,
		.addrs = &vip, .n_addrs = 1, .src = info->src, .dst = info->dst,
		.csum_form = gd->form,
	};
	uint8_t out[VRRP_PKT_MAX];

	/* IP: from the primary address (IPv4) or a link-local (IPv6), TTL 255. */
	assert_int_equal(info->family, gd->family);
	assert_int_equal(info->ttl, 255);
	assert_true(addr_equal(&info->dst, &dst));
	if (gd->family == AF_INET) {
		a = ip("10.77.0.11");   /* lab node n1 */
		assert_true(addr_equal(&info->src, &a));
	} else {
		assert_true(addr_is_linklocal6(&info->src));
	}
	assert_int_equal(vrrp_pkt_decode(pl, len, info, &adv), VRRP_RX_OK);
	assert_int_equal(adv.version, gd->version);
	assert_int_equal(adv.type, VRRP_TYPE_ADVERT);
	assert_int_equal(adv.vrid, gd->vrid);
	assert_int_equal(adv.priority, 150);
	assert_int_equal(adv.count, 1);
	assert_int_equal(adv.adver_int_cs, gd->adver_int_cs);
	assert_int_equal(adv.auth_type, 0);
	if (gd->version == 3 && gd->family == AF_INET)
		assert_int_equal(adv.csum_form, gd->form);
	/* hafd lists the configured VIPs only: an IPv6 VIP list does not start
	 * with a link-local address unless one is configured first (V10). */
	assert_int_equal(adv.warn, gd->family == AF_INET6 ? VRRP_WARN_NO_LL_FIRST : 0);
	vrrp_advert_addr(&adv, 0, &a);
	assert_true(addr_equal(&a, &vip));

	/* The builder, given these settings, reproduces the bytes. */
	assert_int_equal(vrrp_pkt_build(out, sizeof(out), &p), (ssize_t)len);
	assert_memory_equal(out, pl, len);
}

static void golden_run(const struct golden *gd)
{
	const char *srcdir = getenv("HAFD_SRCDIR");
	struct pcap_reader r;
	struct vrrp_pkt_info info;
	const uint8_t *pl;
	char path[4096];
	size_t len, n = 0, rec;
	int rc;

	snprintf(path, sizeof(path), "%s/tests/golden/%s", srcdir ? srcdir : ".", gd->file);
	if (pcap_open(&r, path) < 0)
		fail_msg("cannot read %s: %s", path, strerror(errno));
	/* The files hold adverts only: each record is the one just read. */
	for (rec = r.off; (rc = pcap_next_vrrp(&r, &pl, &len, &info)) == 1; rec = r.off) {
		check_frame(gd, r.data + rec + PCAP_REC_LEN);
		check_advert(gd, pl, len, &info);
		n++;
	}
	assert_int_equal(rc, 0);
	assert_int_equal(n, 3);
	pcap_close(&r);
}

#define GOLDEN(name, ...) \
	static void test_##name(void **state) \
	{ \
		static const struct golden gd = { __VA_ARGS__ }; \
		(void)state; \
		golden_run(&gd); \
	}

GOLDEN(v3_ipv4_rfc5798, "hafd-vrrpv3-ipv4.pcap", 3, AF_INET, 51, 10, "10.77.0.100",
       "224.0.0.18", VRRP_CSUM_RFC5798, NULL)
GOLDEN(v3_ipv4_rfc9568, "hafd-vrrpv3-ipv4-rfc9568.pcap", 3, AF_INET, 91, 10, "10.77.0.100",
       "224.0.0.18", VRRP_CSUM_RFC9568, NULL)
GOLDEN(v3_ipv4_unicast, "hafd-vrrpv3-ipv4-unicast.pcap", 3, AF_INET, 81, 10, "10.77.0.100",
       "10.77.0.12", VRRP_CSUM_RFC5798, NULL)
GOLDEN(v3_ipv6, "hafd-vrrpv3-ipv6.pcap", 3, AF_INET6, 61, 10, "fd77::100", "ff02::12",
       VRRP_CSUM_RFC5798, NULL)
GOLDEN(v2_ipv4, "hafd-vrrpv2-ipv4.pcap", 2, AF_INET, 71, 100, "10.77.0.100", "224.0.0.18",
       VRRP_CSUM_RFC5798, NULL)
GOLDEN(v3_ipv4_vmac, "hafd-vrrpv3-ipv4-vmac.pcap", 3, AF_INET, 51, 10, "10.77.0.100",
       "224.0.0.18", VRRP_CSUM_RFC5798, "00:00:5e:00:01:33")
GOLDEN(v3_ipv6_vmac, "hafd-vrrpv3-ipv6-vmac.pcap", 3, AF_INET6, 61, 10, "fd77::100",
       "ff02::12", VRRP_CSUM_RFC5798, "00:00:5e:00:02:3d")

/* The two IPv4 v3 forms really differ on the wire: the rfc9568 capture
 * does not verify with the pseudo-header, nor the rfc5798 one without. */
static void test_forms_differ(void **state)
{
	static const char *const files[] = {
		"hafd-vrrpv3-ipv4.pcap", "hafd-vrrpv3-ipv4-rfc9568.pcap",
	};
	const char *srcdir = getenv("HAFD_SRCDIR");

	(void)state;
	for (int i = 0; i < 2; i++) {
		enum vrrp_csum_form other = i == 0 ? VRRP_CSUM_RFC9568 : VRRP_CSUM_RFC5798;
		struct pcap_reader r;
		struct vrrp_pkt_info info;
		const uint8_t *pl;
		char path[4096];
		size_t len;

		snprintf(path, sizeof(path), "%s/tests/golden/%s", srcdir ? srcdir : ".", files[i]);
		assert_int_equal(pcap_open(&r, path), 0);
		assert_int_equal(pcap_next_vrrp(&r, &pl, &len, &info), 1);
		assert_int_not_equal(vrrp_pkt_csum(pl, len, 3, AF_INET, &info.src, &info.dst, other),
				     (uint16_t)(pl[6] << 8 | pl[7]));
		pcap_close(&r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v3_ipv4_rfc5798),
		cmocka_unit_test(test_v3_ipv4_rfc9568),
		cmocka_unit_test(test_v3_ipv4_unicast),
		cmocka_unit_test(test_v3_ipv6),
		cmocka_unit_test(test_v2_ipv4),
		cmocka_unit_test(test_v3_ipv4_vmac),
		cmocka_unit_test(test_v3_ipv6_vmac),
		cmocka_unit_test(test_forms_differ),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
