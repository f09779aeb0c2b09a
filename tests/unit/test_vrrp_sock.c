/* The receive path of vrrp_sock.c in process: sock_readable() through
 * vrrp_sock_drain(), with recvmmsg() replaced by a fake that fills the
 * caller's buffers as the kernel does (records at CMSG_ALIGN offsets,
 * written byte-wise, MSG_CTRUNC and a shortened last record when they do
 * not fit). What is checked: what the rx callback is handed (IPv4 header
 * stripped, IPv6 hop limit and destination taken from the ancillary data,
 * -1 when a record is missing or too short), that truncated control data
 * drops the packet, and that every slot's control buffer is aligned for
 * the in-place reading of CMSG_FIRSTHDR: it once sat at a 4-byte offset,
 * undefined behaviour on which UBSan stopped hafd at its first IPv6
 * advert (this test runs in build-asan too). */
#include <errno.h>
#include <setjmp.h>
#include <stdalign.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>
#include <cmocka.h>

/* ---- the fake kernel: a queue of datagrams ------------------------------- */

struct rec {
	int level, type;
	size_t len;             /* of the datum */
	size_t cmsg_len;        /* as written; 0: CMSG_LEN(len), as the kernel does */
	uint8_t data[32];
};

struct dgram {
	int family;
	uint8_t src6[16];
	uint8_t payload[128];
	size_t len;
	struct rec recs[24];
	size_t nrecs;
};

static struct dgram queue[160];
static size_t queued, taken;
static int rx_errno;            /* recvmmsg() fails with it when set */
static unsigned calls;

/* One record at *used, as put_cmsg() writes it: header and datum copied
 * byte-wise, cut to what is left and MSG_CTRUNC when it does not fit. */
static void put_rec(struct msghdr *mh, size_t *used, const struct rec *r)
{
	uint8_t *at = (uint8_t *)mh->msg_control + *used;
	size_t room = mh->msg_controllen - *used, cmlen = CMSG_LEN(r->len);
	struct cmsghdr h = { .cmsg_level = r->level, .cmsg_type = r->type };

	if (room < sizeof(h)) {
		mh->msg_flags |= MSG_CTRUNC;
		return;
	}
	if (room < cmlen) {
		mh->msg_flags |= MSG_CTRUNC;
		cmlen = room;
	}
	h.cmsg_len = r->cmsg_len ? r->cmsg_len : cmlen;
	memcpy(at, &h, sizeof(h));
	memcpy(at + CMSG_LEN(0), r->data, cmlen - CMSG_LEN(0));
	*used += CMSG_SPACE(r->len) < room ? CMSG_SPACE(r->len) : room;
}

static int fake_recvmmsg(int fd, struct mmsghdr *mm, unsigned vlen, int flags,
			 struct timespec *tmo)
{
	unsigned n = 0;

	(void)fd, (void)tmo;
	calls++;
	assert_true(flags & MSG_DONTWAIT);
	if (rx_errno) {
		errno = rx_errno;
		return -1;
	}
	if (taken == queued) {
		errno = EAGAIN;
		return -1;
	}
	for (; n < vlen && taken < queued; n++, taken++) {
		struct msghdr *mh = &mm[n].msg_hdr;
		const struct dgram *d = &queue[taken];
		size_t used = 0;

		/* The reader walks the records in place (CMSG_FIRSTHDR,
		 * CMSG_NXTHDR): each buffer must be aligned as a cmsghdr. */
		assert_int_equal((uintptr_t)mh->msg_control % alignof(struct cmsghdr), 0);
		assert_true(mh->msg_iovlen == 1 && mh->msg_iov[0].iov_len >= d->len);
		memcpy(mh->msg_iov[0].iov_base, d->payload, d->len);
		mh->msg_flags = 0;
		if (d->family == AF_INET6) {
			struct sockaddr_in6 from = { .sin6_family = AF_INET6 };

			memcpy(&from.sin6_addr, d->src6, 16);
			assert_true(mh->msg_namelen >= sizeof(from));
			memcpy(mh->msg_name, &from, sizeof(from));
			mh->msg_namelen = sizeof(from);
		}
		for (size_t i = 0; i < d->nrecs && !(mh->msg_flags & MSG_CTRUNC); i++)
			put_rec(mh, &used, &d->recs[i]);
		mh->msg_controllen = used;
		mm[n].msg_len = (unsigned)d->len;
	}
	return (int)n;
}

#define recvmmsg fake_recvmmsg
#include "../../src/vrrp_sock.c"

/* Linked, but the sockets are never opened here. */
int loop_fd_add(struct loop *l, int fd, uint32_t events, loop_fd_cb cb, void *arg)
{
	(void)l, (void)fd, (void)events, (void)cb, (void)arg;
	errno = ENOSYS;
	return -1;
}

void loop_fd_del(struct loop *l, int fd)
{
	(void)l, (void)fd;
}

/* ---- what the rx callback is handed -------------------------------------- */

struct got {
	struct vrrp_pkt_info info;
	uint8_t pkt[128];
	size_t len;
};

static struct got got[160];
static size_t ngot;

static void on_rx(void *arg, struct vrrp_sock *s, const uint8_t *pkt, size_t len,
		  const struct vrrp_pkt_info *info)
{
	(void)arg, (void)s;
	assert_true(ngot < sizeof(got) / sizeof(got[0]) && len <= sizeof(got[0].pkt));
	got[ngot].info = *info;
	memcpy(got[ngot].pkt, pkt, len);
	got[ngot].len = len;
	ngot++;
}

static struct vrrp_sock sock;

static int setup(void **state)
{
	(void)state;
	memset(queue, 0, sizeof(queue));
	queued = taken = 0;
	rx_errno = 0;
	calls = 0;
	ngot = 0;
	sock = (struct vrrp_sock){ .fd = -1, .ifindex = 2, .ifname = "eth0",
				   .family = AF_INET6, .rx = on_rx };
	return 0;
}

static const uint8_t ADVERT[8] = { 0x31, 62, 100, 1, 0, 100, 0, 0 };
static const uint8_t FE80_1[16] = { 0xfe, 0x80, [15] = 1 };
static const uint8_t FF02_12[16] = { 0xff, 0x02, [15] = 0x12 };

static struct dgram *dgram6(void)
{
	struct dgram *d = &queue[queued++];

	d->family = AF_INET6;
	memcpy(d->src6, FE80_1, 16);
	memcpy(d->payload, ADVERT, sizeof(ADVERT));
	d->len = sizeof(ADVERT);
	return d;
}

static struct rec *rec_add(struct dgram *d, int level, int type, const void *data, size_t len)
{
	struct rec *r = &d->recs[d->nrecs++];

	r->level = level;
	r->type = type;
	r->len = len;
	memcpy(r->data, data, len);
	return r;
}

static void hop_limit(struct dgram *d, int hl)
{
	rec_add(d, IPPROTO_IPV6, IPV6_HOPLIMIT, &hl, sizeof(hl));
}

static void pktinfo(struct dgram *d, const uint8_t dst[16])
{
	struct in6_pktinfo pi = { .ipi6_ifindex = 2 };

	memcpy(&pi.ipi6_addr, dst, 16);
	rec_add(d, IPPROTO_IPV6, IPV6_PKTINFO, &pi, sizeof(pi));
}

static void assert_addr6(const struct hafd_addr *a, const uint8_t want[16])
{
	assert_int_equal(a->family, AF_INET6);
	assert_memory_equal(a->u.b, want, 16);
}

/* ---- IPv6: the ancillary data ---------------------------------------------- */

static void test_ipv6_hop_limit_and_destination(void **state)
{
	struct dgram *d = dgram6();

	(void)state;
	hop_limit(d, 255);
	pktinfo(d, FF02_12);
	vrrp_sock_drain(&sock);
	assert_int_equal(ngot, 1);
	assert_int_equal(got[0].info.family, AF_INET6);
	assert_int_equal(got[0].info.ttl, 255);
	assert_addr6(&got[0].info.src, FE80_1);
	assert_addr6(&got[0].info.dst, FF02_12);
	assert_int_equal(got[0].len, sizeof(ADVERT));
	assert_memory_equal(got[0].pkt, ADVERT, sizeof(ADVERT));
	assert_int_equal(sock.rx_errors, 0);
}

/* More than one recvmmsg() batch: every slot's buffers are read. */
static void test_ipv6_every_slot(void **state)
{
	(void)state;
	for (int i = 0; i < RX_BATCH + 4; i++) {
		struct dgram *d = dgram6();

		pktinfo(d, FF02_12);
		hop_limit(d, 200 + i);
		d->payload[2] = (uint8_t)i;
	}
	vrrp_sock_drain(&sock);
	assert_int_equal(ngot, RX_BATCH + 4);
	for (int i = 0; i < RX_BATCH + 4; i++) {
		assert_int_equal(got[i].info.ttl, 200 + i);
		assert_addr6(&got[i].info.dst, FF02_12);
		assert_int_equal(got[i].pkt[2], i);
	}
	assert_int_equal(calls, 2);
}

/* Records hafd did not ask for are passed over, whatever their size. */
static void test_ipv6_other_records_skipped(void **state)
{
	struct dgram *d = dgram6();
	uint8_t junk[20] = { 0 };
	int one = 1;

	(void)state;
	rec_add(d, SOL_SOCKET, SO_TIMESTAMP, junk, 16);
	rec_add(d, IPPROTO_IPV6, IPV6_TCLASS, &one, sizeof(one));
	rec_add(d, IPPROTO_IP, IP_TTL, &one, sizeof(one));
	rec_add(d, SOL_SOCKET, 99, junk, 3);
	hop_limit(d, 255);
	vrrp_sock_drain(&sock);
	assert_int_equal(ngot, 1);
	assert_int_equal(got[0].info.ttl, 255);
	assert_int_equal(got[0].info.dst.family, 0);
}

/* No hop limit: -1, which the decoder refuses (V1), never a stale value. */
static void test_ipv6_no_hop_limit(void **state)
{
	(void)state;
	hop_limit(dgram6(), 255);
	pktinfo(dgram6(), FF02_12);
	vrrp_sock_drain(&sock);
	assert_int_equal(ngot, 2);
	assert_int_equal(got[0].info.ttl, 255);
	assert_int_equal(got[1].info.ttl, -1);
	assert_addr6(&got[1].info.dst, FF02_12);
}

/* A record whose length cannot hold its datum is not read. */
static void test_ipv6_short_record_ignored(void **state)
{
	struct dgram *d = dgram6();

	(void)state;
	hop_limit(d, 255);
	d->recs[0].cmsg_len = CMSG_LEN(2);
	pktinfo(d, FF02_12);
	d->recs[1].cmsg_len = CMSG_LEN(sizeof(struct in6_pktinfo) - 1);
	vrrp_sock_drain(&sock);
	assert_int_equal(ngot, 1);
	assert_int_equal(got[0].info.ttl, -1);
	assert_int_equal(got[0].info.dst.family, 0);
}

/* More control data than the buffer holds: the kernel cuts it and says
 * MSG_CTRUNC; the hop limit may be lost, so the packet is dropped. */
static void test_ipv6_truncated_control_dropped(void **state)
{
	struct dgram *d = dgram6();
	uint8_t junk[32] = { 0 };

	(void)state;
	for (int i = 0; i < 12; i++)
		rec_add(d, SOL_SOCKET, 99, junk, sizeof(junk));
	hop_limit(d, 255);
	d = dgram6();
	hop_limit(d, 254);
	vrrp_sock_drain(&sock);
	assert_int_equal(ngot, 1);
	assert_int_equal(got[0].info.ttl, 254);
	assert_int_equal(sock.rx_errors, 1);
}

/* ---- IPv4: the header --------------------------------------------------------- */

static void test_ipv4_header_stripped(void **state)
{
	struct dgram *d = &queue[queued++];
	const uint8_t ip[20] = {
		0x45, 0, 0, 28, 0, 0, 0, 0, 255, 112, 0, 0,
		10, 0, 0, 1, 224, 0, 0, 18,
	};

	(void)state;
	sock.family = AF_INET;
	d->family = AF_INET;
	memcpy(d->payload, ip, sizeof(ip));
	memcpy(d->payload + sizeof(ip), ADVERT, sizeof(ADVERT));
	/* Bytes past the IP total length (link padding) are not the message. */
	d->len = sizeof(ip) + sizeof(ADVERT) + 4;
	vrrp_sock_drain(&sock);
	assert_int_equal(ngot, 1);
	assert_int_equal(got[0].info.family, AF_INET);
	assert_int_equal(got[0].info.ttl, 255);
	assert_int_equal(got[0].info.src.u.b[0], 10);
	assert_int_equal(got[0].info.dst.u.b[0], 224);
	assert_int_equal(got[0].len, sizeof(ADVERT));
	assert_memory_equal(got[0].pkt, ADVERT, sizeof(ADVERT));
}

static void test_ipv4_bad_header_counted(void **state)
{
	struct dgram *d = &queue[queued++];

	(void)state;
	sock.family = AF_INET;
	d->family = AF_INET;
	d->payload[0] = 0x45;
	d->len = 12;
	vrrp_sock_drain(&sock);
	assert_int_equal(ngot, 0);
	assert_int_equal(sock.rx_errors, 1);
}

/* vrrp_sock_drain() (a decisive timer, before it decides) delivers all
 * that is queued, not one wakeup's RX_BURST: the adverts of its own VRID
 * may wait behind the oldest 64 (a backup that started beside a master
 * of 255 instances at 10 ms took over from it). */
static void test_drain_reads_all(void **state)
{
	(void)state;
	for (int i = 0; i < 150; i++) {
		struct dgram *d = dgram6();

		pktinfo(d, FF02_12);
		hop_limit(d, 255);
		d->payload[1] = (uint8_t)(i + 1);       /* VRID */
	}
	vrrp_sock_drain(&sock);
	assert_int_equal(ngot, 150);
	assert_int_equal(got[149].pkt[1], 150);
}

/* A wakeup of the loop reads at most RX_BURST (a flood must not starve
 * the timers); the rest waits for the next. */
static void test_wakeup_reads_a_burst(void **state)
{
	(void)state;
	for (int i = 0; i < 100; i++)
		pktinfo(dgram6(), FF02_12);
	sock_readable(-1, 0, &sock);
	assert_int_equal(ngot, RX_BURST);
}

/* ---- the socket itself ------------------------------------------------------------ */

static void test_receive_errors(void **state)
{
	(void)state;
	vrrp_sock_drain(&sock);         /* nothing queued: EAGAIN, not an error */
	assert_int_equal(sock.rx_errors, 0);
	rx_errno = ENOBUFS;
	vrrp_sock_drain(&sock);
	assert_int_equal(sock.rx_errors, 1);
	assert_int_equal(ngot, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_ipv6_hop_limit_and_destination, setup),
		cmocka_unit_test_setup(test_ipv6_every_slot, setup),
		cmocka_unit_test_setup(test_ipv6_other_records_skipped, setup),
		cmocka_unit_test_setup(test_ipv6_no_hop_limit, setup),
		cmocka_unit_test_setup(test_ipv6_short_record_ignored, setup),
		cmocka_unit_test_setup(test_ipv6_truncated_control_dropped, setup),
		cmocka_unit_test_setup(test_ipv4_header_stripped, setup),
		cmocka_unit_test_setup(test_ipv4_bad_header_counted, setup),
		cmocka_unit_test_setup(test_drain_reads_all, setup),
		cmocka_unit_test_setup(test_wakeup_reads_a_burst, setup),
		cmocka_unit_test_setup(test_receive_errors, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
