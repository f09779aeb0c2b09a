/* vrrp-flood: valid-looking VRRPv3 adverts as fast as asked, from a lab
 * namespace, for the flood checks of tests/system/t-hostile.sh.
 *
 *   vrrp-flood -s SRC -v VRID [-d DST] [-p PRIO] [-a VIP] [-I INTERVAL_CS]
 *              [-i IFNAME] [-r PPS] [-t SECS] [-b] [-S N]
 *
 * IPv4 only. DST defaults to 224.0.0.18 (out of IFNAME, default eth0), TTL
 * 255, one address (VIP, default 10.77.0.100), interval INTERVAL_CS (default
 * 100), checksum with the RFC 5798 pseudo-header from SRC (the sender's own
 * address: the kernel writes the IP header), or a wrong one with -b. PPS 0
 * (the default) sends as fast as the socket takes them. With -S N every packet
 * comes from another address, drawn at random from the N that follow SRC
 * (SRC+1 .. SRC+N): the tool writes the IP header itself (IP_HDRINCL), as a
 * spoofing attacker does, to fill per-source tables such as hafd's
 * nftables rate-limit set. Prints one line:
 *   sent=N secs=S pps=R errors=E
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define VRRP_PROTO 112
#define BATCH 64

struct opts {
	struct in_addr src, dst, vip;
	const char *ifname;
	unsigned vrid, prio, interval_cs;
	unsigned spoof;                 /* -S: sources drawn from SRC+1 .. SRC+spoof */
	double pps, secs;
	int bad_csum;
};

#define IPH 20                          /* the IPv4 header -S writes */
#define PKT_MAX (IPH + 12)

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint16_t csum_fold(uint32_t acc)
{
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)~acc;
}

static uint32_t sum16(uint32_t acc, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		acc += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		acc += (uint32_t)p[n - 1] << 8;
	return acc;
}

/* Header, one address; the checksum covers the pseudo-header (what hafd,
 * keepalived and FRR send). */
static size_t advert_build(const struct opts *o, struct in_addr src, uint8_t *pkt)
{
	uint8_t pseudo[12];
	uint16_t c;

	pkt[0] = 0x31;                  /* version 3, type 1 */
	pkt[1] = (uint8_t)o->vrid;
	pkt[2] = (uint8_t)o->prio;
	pkt[3] = 1;
	pkt[4] = (uint8_t)(o->interval_cs >> 8 & 0x0f);
	pkt[5] = (uint8_t)o->interval_cs;
	pkt[6] = pkt[7] = 0;
	memcpy(pkt + 8, &o->vip, 4);
	memcpy(pseudo, &src, 4);
	memcpy(pseudo + 4, &o->dst, 4);
	pseudo[8] = 0;
	pseudo[9] = VRRP_PROTO;
	pseudo[10] = 0;
	pseudo[11] = 12;
	c = csum_fold(sum16(sum16(0, pseudo, sizeof(pseudo)), pkt, 12));
	if (o->bad_csum)
		c ^= 0x5a5a;
	pkt[6] = (uint8_t)(c >> 8);
	pkt[7] = (uint8_t)c;
	return 12;
}

/* The IPv4 header of a spoofed packet; the kernel fills in the checksum and
 * the identification (raw(7), IP_HDRINCL). */
static size_t spoofed_build(const struct opts *o, struct in_addr src, uint8_t *pkt)
{
	size_t n = advert_build(o, src, pkt + IPH);

	memset(pkt, 0, IPH);
	pkt[0] = 0x45;
	pkt[1] = 0xc0;                  /* precedence: network control */
	pkt[2] = (uint8_t)((IPH + n) >> 8);
	pkt[3] = (uint8_t)(IPH + n);
	pkt[8] = 255;
	pkt[9] = VRRP_PROTO;
	memcpy(pkt + 12, &src, 4);
	memcpy(pkt + 16, &o->dst, 4);
	return IPH + n;
}

static struct in_addr spoof_src(const struct opts *o)
{
	struct in_addr a;

	a.s_addr = htonl(ntohl(o->src.s_addr) + 1 + (uint32_t)(random() % o->spoof));
	return a;
}

static int sock_open(const struct opts *o)
{
	struct ip_mreqn mreq = { .imr_ifindex = (int)if_nametoindex(o->ifname) };
	int fd = socket(AF_INET, SOCK_RAW, VRRP_PROTO), ttl = 255, buf = 1 << 20, on = 1;

	if (fd < 0)
		return -1;
	if ((o->spoof && setsockopt(fd, IPPROTO_IP, IP_HDRINCL, &on, sizeof(on)) < 0) ||
	    setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl)) < 0 ||
	    setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof(ttl)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof(buf)) < 0 ||
	    (mreq.imr_ifindex &&
	     setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &mreq, sizeof(mreq)) < 0)) {
		close(fd);
		return -1;
	}
	return fd;
}

static int addr_arg(const char *s, struct in_addr *a)
{
	if (inet_pton(AF_INET, s, a) == 1)
		return 0;
	fprintf(stderr, "vrrp-flood: bad IPv4 address %s\n", s);
	return -1;
}

static int opts_parse(int argc, char **argv, struct opts *o)
{
	int c, have_src = 0;

	*o = (struct opts){ .ifname = "eth0", .prio = 1, .interval_cs = 100, .secs = 1 };
	if (addr_arg("224.0.0.18", &o->dst) < 0 || addr_arg("10.77.0.100", &o->vip) < 0)
		return -1;
	while ((c = getopt(argc, argv, "s:d:v:p:a:I:i:r:t:bS:")) != -1) {
		switch (c) {
		case 's': if (addr_arg(optarg, &o->src) < 0) return -1; have_src = 1; break;
		case 'd': if (addr_arg(optarg, &o->dst) < 0) return -1; break;
		case 'a': if (addr_arg(optarg, &o->vip) < 0) return -1; break;
		case 'v': o->vrid = (unsigned)atoi(optarg); break;
		case 'p': o->prio = (unsigned)atoi(optarg); break;
		case 'I': o->interval_cs = (unsigned)atoi(optarg); break;
		case 'i': o->ifname = optarg; break;
		case 'r': o->pps = atof(optarg); break;
		case 't': o->secs = atof(optarg); break;
		case 'b': o->bad_csum = 1; break;
		case 'S': o->spoof = (unsigned)atoi(optarg); break;
		default: return -1;
		}
	}
	if (!have_src || o->vrid < 1 || o->vrid > 255 || o->prio > 255 || o->secs <= 0) {
		fprintf(stderr, "usage: vrrp-flood -s SRC -v VRID [-d DST] [-p PRIO] [-a VIP] "
			"[-I INTERVAL_CS] [-i IFNAME] [-r PPS] [-t SECS] [-b] [-S N]\n");
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o;
	static uint8_t pkt[BATCH][PKT_MAX];
	struct sockaddr_in to = { .sin_family = AF_INET };
	struct iovec iov[BATCH];
	struct mmsghdr msgs[BATCH];
	unsigned long sent = 0, errors = 0;
	double t0, t;
	int fd;

	if (opts_parse(argc, argv, &o) < 0)
		return 2;
	fd = sock_open(&o);
	if (fd < 0) {
		perror("vrrp-flood: raw socket");
		return 1;
	}
	to.sin_addr = o.dst;
	memset(msgs, 0, sizeof(msgs));
	srandom((unsigned)getpid());
	for (int i = 0; i < BATCH; i++) {
		iov[i].iov_base = pkt[i];
		iov[i].iov_len = o.spoof ? spoofed_build(&o, spoof_src(&o), pkt[i])
					 : advert_build(&o, o.src, pkt[i]);
		msgs[i].msg_hdr.msg_name = &to;
		msgs[i].msg_hdr.msg_namelen = sizeof(to);
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	t0 = t = now_s();
	while (t - t0 < o.secs) {
		/* Paced: no further ahead than the rate allows at this time. */
		unsigned want = BATCH;
		int n;

		if (o.pps > 0) {
			double due = (t - t0) * o.pps - (double)sent;

			if (due < 1) {
				struct timespec ts = { 0, 200 * 1000 };

				nanosleep(&ts, NULL);
				t = now_s();
				continue;
			}
			want = due < BATCH ? (unsigned)due : BATCH;
		}
		n = sendmmsg(fd, msgs, want, 0);
		if (n < 0) {
			errors++;       /* ENOBUFS under load: a little room, then on */
			if (errno == ENOBUFS || errno == EAGAIN)
				usleep(50);
		} else {
			sent += (unsigned)n;
			/* New sources for the packets just sent. */
			for (int i = 0; o.spoof && i < n; i++)
				spoofed_build(&o, spoof_src(&o), pkt[i]);
		}
		t = now_s();
	}
	printf("sent=%lu secs=%.3f pps=%.0f errors=%lu\n", sent, t - t0,
	       (double)sent / (t - t0), errors);
	close(fd);
	return 0;
}
