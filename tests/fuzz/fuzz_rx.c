/* libFuzzer target: what vrrp_sock.c does to a received datagram before
 * the advert decoder sees it: IPv4's header (parse_ip4) and IPv6's
 * ancillary data (cmsg_read6), through sock_deliver(), then the decoder
 * and the checks on what it hands over. Those are static, so the file is
 * compiled into this target; recvmmsg() itself is the kernel's.
 *
 * Input: one control byte, then
 *   bit 0 clear (IPv4): the datagram as a raw socket reads it, header and
 *     all.
 *   bit 0 set (IPv6): a length byte L, then the control buffer and the
 *     VRRP message. With bit 1 clear, the control buffer is built as the
 *     kernel builds it: records of (level, type, payload length byte,
 *     payload), the hop limit and packet info at their own sizes; with
 *     bit 1 set, L raw bytes are the control buffer (what a kernel that
 *     truncated or mangled it would hand over).
 *
 * (cmsg_read6() used to read a short record past its end:
 * corpus/rx/short-*.) */
#include <sanitizer/asan_interface.h>
#include <stdlib.h>

#include "vrrp_sock.c"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t delivered;
static const uint8_t *last_pkt;
static size_t last_len;
static int last_ttl;
static bool raw_cmsg;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	raw_cmsg = true;
	return 0;
}

static void on_rx(void *arg, struct vrrp_sock *s, const uint8_t *pkt, size_t len,
		  const struct vrrp_pkt_info *info)
{
	struct vrrp_advert adv;
	enum vrrp_rx_err err;

	(void)arg;
	(void)s;
	delivered++;
	last_pkt = pkt;
	last_len = len;
	last_ttl = info->ttl;
	/* The message must lie inside what was read (ASan poisons the rest). */
	if (len > VRRP_PKT_MAX + 128)
		__builtin_trap();
	if (len)
		if (__asan_region_is_poisoned((void *)(uintptr_t)pkt, len))
			__builtin_trap();
	memset(&adv, 0, sizeof(adv));
	err = vrrp_pkt_decode(pkt, len, info, &adv);
	if (err == VRRP_RX_OK)
		for (size_t i = 0; i < adv.count; i++) {
			struct hafd_addr a;

			vrrp_advert_addr(&adv, i, &a);
		}
	(void)vrrp_rx_err_str(err);
}

/* The kernel's layout: whole records, each aligned, sized for its type. */
static size_t build_cmsgs(const uint8_t *in, size_t inlen, uint8_t *cbuf, size_t cap)
{
	size_t used = 0, off = 0;

	while (off + 3 <= inlen) {
		int level = in[off] & 1 ? IPPROTO_IPV6 : (in[off] & 2 ? SOL_SOCKET : IPPROTO_IP);
		int type = in[off + 1] & 1 ? IPV6_HOPLIMIT : (in[off + 1] & 2 ? IPV6_PKTINFO :
							     in[off + 1] >> 2);
		size_t plen = in[off + 2], take;
		struct cmsghdr *c;

		off += 3;
		if (level == IPPROTO_IPV6 && type == IPV6_HOPLIMIT)
			plen = sizeof(int);
		else if (level == IPPROTO_IPV6 && type == IPV6_PKTINFO)
			plen = sizeof(struct in6_pktinfo);
		if (used + CMSG_SPACE(plen) > cap)
			break;
		c = (struct cmsghdr *)(void *)(cbuf + used);
		memset(c, 0, CMSG_SPACE(plen));
		c->cmsg_level = level;
		c->cmsg_type = type;
		c->cmsg_len = CMSG_LEN(plen);
		take = inlen - off < plen ? inlen - off : plen;
		memcpy(CMSG_DATA(c), in + off, take);
		off += take;
		used += CMSG_SPACE(plen);
	}
	return used;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct rx_slot slot;
	struct vrrp_sock s = { .fd = -1, .ifindex = 2, .ifname = "eth0", .rx = on_rx };
	struct msghdr mh = { 0 };
	uint8_t ctl, *cbuf = NULL;
	uint64_t before;
	size_t n;

	if (size < 1)
		return 0;
	ctl = data[0];
	data++;
	size--;
	s.family = ctl & 1 ? AF_INET6 : AF_INET;
	if (s.family == AF_INET6) {
		size_t clen;

		if (size < 1)
			return 0;
		clen = data[0] < size - 1 ? data[0] : size - 1;
		data++;
		size--;
		if (ctl & 2 && raw_cmsg) {
			/* Exactly clen bytes on the heap: ASan sees any read past them. */
			if (clen && !(cbuf = malloc(clen)))
				return 0;
			if (clen)
				memcpy(cbuf, data, clen);
			mh.msg_controllen = clen;
		} else {
			size_t cap = sizeof(slot.cbuf), used;

			if (!(cbuf = malloc(cap)))
				return 0;
			used = build_cmsgs(data, clen, cbuf, cap);
			mh.msg_controllen = used;
		}
		mh.msg_control = mh.msg_controllen ? cbuf : NULL;
		data += clen;
		size -= clen;
		slot.from.v6 = (struct sockaddr_in6){ .sin6_family = AF_INET6 };
		slot.from.v6.sin6_addr.s6_addr[0] = 0xfe;
		slot.from.v6.sin6_addr.s6_addr[1] = 0x80;
		slot.from.v6.sin6_addr.s6_addr[15] = ctl >> 2;
		mh.msg_name = &slot.from.v6;
		mh.msg_namelen = sizeof(slot.from.v6);
	}
	/* What recvmmsg() would have put in the slot, the rest off limits. */
	n = size < sizeof(slot.buf) ? size : sizeof(slot.buf);
	ASAN_UNPOISON_MEMORY_REGION(slot.buf, sizeof(slot.buf));
	memcpy(slot.buf, data, n);
	ASAN_POISON_MEMORY_REGION(slot.buf + n, sizeof(slot.buf) - n);
	slot.iov = (struct iovec){ slot.buf, sizeof(slot.buf) };
	mh.msg_iov = &slot.iov;
	mh.msg_iovlen = 1;
	before = delivered;
	sock_deliver(&s, &slot, &mh, n);
	ASAN_UNPOISON_MEMORY_REGION(slot.buf, sizeof(slot.buf));
	/* The IPv4 header's rules, checked on their own: version 4, a header
	 * of 20 to 60 bytes inside what was read, a total length from the
	 * header's end to what was read; the message is what lies between. */
	if (s.family == AF_INET) {
		size_t hl = n ? (size_t)(slot.buf[0] & 15) * 4 : 0;
		size_t tot = n >= 4 ? (size_t)slot.buf[2] << 8 | slot.buf[3] : 0;
		bool ok = n >= 20 && slot.buf[0] >> 4 == 4 && hl >= 20 && hl <= n && tot >= hl &&
			  tot <= n;

		if (ok != (delivered == before + 1) || s.rx_errors != !ok)
			__builtin_trap();
		if (ok && (last_pkt != slot.buf + hl || last_len != tot - hl ||
			   last_ttl != slot.buf[8]))
			__builtin_trap();
	} else if (delivered != before + 1 || last_pkt != slot.buf || last_len != n) {
		__builtin_trap();
	}
	free(cbuf);
	return 0;
}
