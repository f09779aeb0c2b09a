/* parse_bench: adverts decoded and validated per second by libhafd_pure.
 *
 *   parse_bench [-n ITERATIONS] [-r REPEATS] [CASE...]
 *
 * -n 0 (the default) picks the iterations so that a repeat lasts about
 * 0.3 s; -r defaults to 5.
 *
 * Each iteration does what hafd does with a received advert before the state
 * machine sees it: vrrp_pkt_decode() (TTL, length, version, checksum, type,
 * count, interval), vrrp_pkt_check() against the receiving router's
 * configuration (version, interval, address list) and vrrp_stats_account().
 * Cases:
 *   v3-ipv4     keepalived 2.2.7's VRRPv3 IPv4 advert, one VIP (bytes from
 *               ../shared/golden/keepalived/golden-keepalived-vrrpv3-ipv4.pcap)
 *   v3-ipv6     keepalived 2.2.7's VRRPv3 IPv6 advert, one VIP (from
 *               golden-keepalived-vrrpv3-ipv6.pcap)
 *   v3-ipv4-N   a VRRPv3 IPv4 advert with N VIPs (2..255), built by
 *               vrrp_pkt_build(); the defaults run 16 and 255
 *   bad-csum    v3-ipv4 with one checksum bit flipped: the reject path
 * Prints one line per case:
 *   case=v3-ipv4 iterations=N best_ns=X median_ns=Y adverts_per_s=Z
 * (best and median of the repeats, per advert). The loop body is
 * bench_one(), which callgrind can count alone:
 *   valgrind --tool=callgrind --toggle-collect=bench_one parse_bench -n 100000 v3-ipv4
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "vrrp_pkt.h"

struct bcase {
	const char *name;
	uint8_t buf[VRRP_PKT_MAX];
	size_t len;
	struct vrrp_pkt_info info;
	struct hafd_addr vips[VRRP_MAX_ADDRS];
	struct vrrp_pkt_expect exp;
	enum vrrp_rx_err want;
};

/* VRRP part of keepalived 2.2.7's adverts (VRID 51, priority 150, 100 cs). */
static const uint8_t ka_v3_ipv4[] = {
	0x31, 0x33, 0x96, 0x01, 0x00, 0x64, 0x42, 0xcf, 0x0a, 0x4d, 0x00, 0x64,
};
static const uint8_t ka_v3_ipv6[] = {
	0x31, 0x33, 0x96, 0x01, 0x00, 0x64, 0x3c, 0x4f,
	0xfd, 0x77, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00,
};

static void addr(const char *s, struct hafd_addr *a)
{
	if (addr_parse(s, a) < 0) {
		fprintf(stderr, "parse_bench: bad address %s\n", s);
		exit(2);
	}
}

static void setup_info(struct bcase *c, int family, const char *src, const char *dst)
{
	c->info.family = family;
	c->info.ttl = VRRP_TTL;
	addr(src, &c->info.src);
	addr(dst, &c->info.dst);
	c->exp.version = 3;
	c->exp.adver_int_cs = 100;
	c->exp.vips = c->vips;
}

static int setup(struct bcase *c, const char *name)
{
	int nv;

	memset(c, 0, sizeof(*c));
	c->name = name;
	if (!strcmp(name, "v3-ipv4") || !strcmp(name, "bad-csum")) {
		memcpy(c->buf, ka_v3_ipv4, sizeof(ka_v3_ipv4));
		c->len = sizeof(ka_v3_ipv4);
		setup_info(c, AF_INET, "10.77.0.11", "224.0.0.18");
		addr("10.77.0.100", &c->vips[0]);
		c->exp.n_vips = 1;
		if (!strcmp(name, "bad-csum")) {
			c->buf[7] ^= 0x01;
			c->want = VRRP_RX_CHECKSUM;
		}
		return 0;
	}
	if (!strcmp(name, "v3-ipv6")) {
		memcpy(c->buf, ka_v3_ipv6, sizeof(ka_v3_ipv6));
		c->len = sizeof(ka_v3_ipv6);
		setup_info(c, AF_INET6, "fe80::77:ff:fe00:b", "ff02::12");
		addr("fd77::100", &c->vips[0]);
		c->exp.n_vips = 1;
		return 0;
	}
	if (sscanf(name, "v3-ipv4-%d", &nv) == 1 && nv >= 2 && nv <= VRRP_MAX_ADDRS) {
		struct vrrp_pkt_params p = { .version = 3, .vrid = 51, .priority = 150,
					     .adver_int_cs = 100, .family = AF_INET,
					     .csum_form = VRRP_CSUM_RFC5798 };
		ssize_t n;

		setup_info(c, AF_INET, "10.77.0.11", "224.0.0.18");
		for (int i = 0; i < nv; i++) {
			char s[32];

			snprintf(s, sizeof(s), "10.77.%d.%d", 1 + i / 250, 1 + i % 250);
			addr(s, &c->vips[i]);
		}
		c->exp.n_vips = (size_t)nv;
		p.addrs = c->vips;
		p.n_addrs = (size_t)nv;
		p.src = c->info.src;
		p.dst = c->info.dst;
		n = vrrp_pkt_build(c->buf, sizeof(c->buf), &p);
		if (n < 0)
			return -1;
		c->len = (size_t)n;
		return 0;
	}
	return -1;
}

static struct vrrp_router_stats rstats;
static struct vrrp_global_stats gstats;

/* One received advert: decode, check, count. Not inlined, so callgrind's
 * --toggle-collect=bench_one counts exactly this. */
__attribute__((noinline)) enum vrrp_rx_err bench_one(struct bcase *c);
__attribute__((noinline)) enum vrrp_rx_err bench_one(struct bcase *c)
{
	struct vrrp_advert adv;
	enum vrrp_rx_err err = vrrp_pkt_decode(c->buf, c->len, &c->info, &adv);

	if (err == VRRP_RX_OK)
		err = vrrp_pkt_check(&adv, &c->exp);
	vrrp_stats_account(err, &adv, &rstats, &gstats);
	return err;
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int run(const char *name, long iters, int repeats)
{
	static struct bcase c;
	double per[64];
	enum vrrp_rx_err err;

	if (setup(&c, name) < 0) {
		fprintf(stderr, "parse_bench: unknown case %s "
			"(v3-ipv4, v3-ipv6, v3-ipv4-N, bad-csum)\n", name);
		return 2;
	}
	err = bench_one(&c);
	if (err != c.want) {
		fprintf(stderr, "parse_bench: %s: got \"%s\", want \"%s\"\n", name,
			vrrp_rx_err_str(err), vrrp_rx_err_str(c.want));
		return 1;
	}
	if (repeats > 64)
		repeats = 64;
	if (iters == 0) {       /* auto: about 0.3 s per repeat */
		double t0, dt;

		for (iters = 100;; iters *= 4) {
			t0 = now_ns();
			for (long i = 0; i < iters; i++)
				bench_one(&c);
			dt = now_ns() - t0;
			if (dt > 5e7 || iters > 100000000L)
				break;
		}
		iters = (long)((double)iters * 3e8 / dt) + 1;
	}
	for (int r = 0; r < repeats; r++) {
		double t0 = now_ns();

		for (long i = 0; i < iters; i++)
			bench_one(&c);
		per[r] = (now_ns() - t0) / (double)iters;
	}
	qsort(per, (size_t)repeats, sizeof(per[0]), cmp_double);
	printf("case=%s iterations=%ld repeats=%d best_ns=%.2f median_ns=%.2f adverts_per_s=%.0f\n",
	       name, iters, repeats, per[0], per[repeats / 2], 1e9 / per[repeats / 2]);
	return 0;
}

int main(int argc, char **argv)
{
	static const char *const all[] = { "v3-ipv4", "v3-ipv6", "v3-ipv4-16", "v3-ipv4-255",
					     "bad-csum" };
	long iters = 0;
	int repeats = 5, opt, rc = 0;

	while ((opt = getopt(argc, argv, "n:r:h")) != -1) {
		switch (opt) {
		case 'n': iters = atol(optarg); break;
		case 'r': repeats = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: parse_bench [-n ITERATIONS] [-r REPEATS] [CASE...]\n");
			return 2;
		}
	}
	if (iters < 0 || repeats < 1) {
		fprintf(stderr, "parse_bench: -n must be 0 (auto) or more, -r positive\n");
		return 2;
	}
	if (optind == argc) {
		for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
			rc |= run(all[i], iters, repeats);
	} else {
		for (int i = optind; i < argc; i++)
			rc |= run(argv[i], iters, repeats);
	}
	/* the counters are live: the loop cannot be dropped */
	if (rstats.rcvd_advertisements == 42424242)
		puts("");
	return rc;
}
