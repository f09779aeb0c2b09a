/* vrrp_pkt.c: VRRP advert codec, checksums, receive checks and counters.
 * Pure: no I/O, no clock. Item and check numbers (item 18, V9) refer to
 * docs/vrrp-checklist.md. */
#include "vrrp_pkt.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/icmp6.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define VRRP_V3_INT_MASK 0x0FFF         /* item 6, 7: 4 reserved bits */
#define VRRP_V2_INT_MAX 255             /* v2: 8-bit seconds */

static const char *const rx_err_str[VRRP_RX_ERR_MAX] = {
	[VRRP_RX_OK] = "ok",
	[VRRP_RX_TTL] = "TTL/hop limit not 255",
	[VRRP_RX_VERSION] = "bad version",
	[VRRP_RX_TYPE] = "bad type",
	[VRRP_RX_LENGTH] = "bad length",
	[VRRP_RX_CHECKSUM] = "bad checksum",
	[VRRP_RX_VRID] = "unknown VRID",
	[VRRP_RX_ADDR_COUNT] = "address count 0",
	[VRRP_RX_INTERVAL_ZERO] = "advert interval 0",
	[VRRP_RX_INTERVAL] = "advert interval mismatch",
	[VRRP_RX_ADDR_LIST] = "address list mismatch",
	[VRRP_RX_AUTH] = "authentication not supported",
	[VRRP_RX_PEER] = "not a configured unicast peer",
};

const char *vrrp_rx_err_str(enum vrrp_rx_err err)
{
	if ((unsigned)err >= VRRP_RX_ERR_MAX)
		return "unknown error";
	return rx_err_str[err];
}

static size_t family_alen(int family)
{
	return family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
}

/* ---- checksum (items 16-20) ------------------------------------------- */

/* Adds n bytes as big-endian 16-bit words; an odd last byte is padded
 * with zero (RFC 1071). Callers pass even-length pieces except the last. */
static uint64_t sum16(uint64_t acc, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		acc += (uint32_t)p[i] << 8 | p[i + 1];
	if (i < n)
		acc += (uint32_t)p[i] << 8;
	return acc;
}

static uint16_t fold(uint64_t acc)
{
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)~acc;
}

/* The pseudo-header of item 17 (IPv6) or item 19 (IPv4, RFC 5798 reading).
 * A missing address or one of another family adds nothing rather than
 * reading past it; such a packet simply fails verification. */
static uint64_t sum_pseudo(uint64_t acc, size_t len, int family,
			   const struct hafd_addr *src, const struct hafd_addr *dst)
{
	size_t alen = family_alen(family);
	uint8_t tail[8] = { 0 };

	if (src && src->family == family)
		acc = sum16(acc, src->u.b, alen);
	if (dst && dst->family == family)
		acc = sum16(acc, dst->u.b, alen);
	if (family == AF_INET6) {
		/* 32-bit length, 3 zero bytes, next header */
		tail[0] = (uint8_t)(len >> 24);
		tail[1] = (uint8_t)(len >> 16);
		tail[2] = (uint8_t)(len >> 8);
		tail[3] = (uint8_t)len;
		tail[7] = VRRP_IPPROTO;
		return sum16(acc, tail, 8);
	}
	/* zero, protocol, 16-bit length */
	tail[1] = VRRP_IPPROTO;
	tail[2] = (uint8_t)(len >> 8);
	tail[3] = (uint8_t)len;
	return sum16(acc, tail, 4);
}

static bool needs_pseudo(uint8_t version, int family, enum vrrp_csum_form form)
{
	return version == 3 && (family == AF_INET6 ||
				(family == AF_INET && form == VRRP_CSUM_RFC5798));
}

uint16_t vrrp_pkt_csum(const uint8_t *msg, size_t len, uint8_t version, int family,
		       const struct hafd_addr *src, const struct hafd_addr *dst,
		       enum vrrp_csum_form form)
{
	uint64_t acc = 0;

	if (needs_pseudo(version, family, form))
		acc = sum_pseudo(acc, len, family, src, dst);
	/* v2 (item 20) and the RFC 9568 IPv4 form (item 18): message only.
	 * Bytes 6-7 hold the checksum itself and count as zero (item 16). */
	acc = sum16(acc, msg, len < 6 ? len : 6);
	if (len > 8)
		acc = sum16(acc, msg + 8, len - 8);
	return fold(acc);
}

/* ---- decode ----------------------------------------------------------- */

/* V5: v3 IPv4 accepts either form, RFC 5798 first (what keepalived and
 * FRR send, 5.1), and records which one matched. */
static bool csum_ok(const uint8_t *buf, size_t len, const struct vrrp_pkt_info *info,
		    struct vrrp_advert *adv)
{
	static const enum vrrp_csum_form forms[] = { VRRP_CSUM_RFC5798, VRRP_CSUM_RFC9568 };
	size_t n = adv->version == 3 && info->family == AF_INET ? 2 : 1;

	for (size_t i = 0; i < n; i++) {
		if (vrrp_pkt_csum(buf, len, adv->version, info->family, &info->src,
				  &info->dst, forms[i]) == adv->checksum) {
			adv->csum_form = forms[i];
			return true;
		}
	}
	return false;
}

/* Fills what the first 8 bytes say, as far as they are present. */
static void decode_header(const uint8_t *buf, size_t len, struct vrrp_advert *adv)
{
	if (len >= 2)
		adv->vrid = buf[1];     /* so the caller can charge the router */
	if (len < VRRP_HDR_LEN)
		return;
	adv->version = buf[0] >> 4;
	adv->type = buf[0] & 0x0f;
	adv->priority = buf[2];
	adv->count = buf[3];
	adv->checksum = (uint16_t)(buf[6] << 8 | buf[7]);
	if (adv->version == 2) {
		adv->auth_type = buf[4];
		adv->adver_int_cs = (uint16_t)(buf[5] * 100);
	} else {
		adv->adver_int_cs = (uint16_t)((buf[4] << 8 | buf[5]) & VRRP_V3_INT_MASK);
	}
}

static size_t expected_len(const struct vrrp_advert *adv)
{
	if (adv->version == 2)
		return VRRP_HDR_LEN + adv->count * 4u + VRRP_V2_AUTH_LEN;
	return VRRP_HDR_LEN + adv->count * family_alen(adv->family);
}

/* Not unset, multicast or 255.255.255.255: an advert to it was sent to
 * this host, so it is a unicast advert (5.4), which may cross routers. (A
 * subnet's broadcast address counts as unicast here: this code does not
 * know the subnets, and such an advert still needs a listed peer.) */
static bool addr_unicast(const struct hafd_addr *a)
{
	uint32_t v4 = ntohl(a->u.v4.s_addr);

	if (a->family == AF_INET)
		return v4 != INADDR_ANY && v4 != INADDR_BROADCAST && !IN_MULTICAST(v4);
	if (a->family == AF_INET6)
		return !IN6_IS_ADDR_UNSPECIFIED(&a->u.v6) && !IN6_IS_ADDR_MULTICAST(&a->u.v6);
	return false;
}

enum vrrp_rx_err vrrp_pkt_decode(const uint8_t *buf, size_t len,
				 const struct vrrp_pkt_info *info, struct vrrp_advert *adv)
{
	memset(adv, 0, sizeof(*adv));
	adv->family = info->family;
	adv->src = info->src;
	decode_header(buf, len, adv);

	if (info->ttl != VRRP_TTL) {                            /* V1 */
		if (!addr_unicast(&info->dst))
			return VRRP_RX_TTL;
		adv->ttl_not_255 = true;        /* vrrp_pkt_check() decides */
	}
	if (len < VRRP_HDR_LEN)                                 /* V4 */
		return VRRP_RX_LENGTH;
	if (!(adv->version == 3 && family_alen(info->family)) &&
	    !(adv->version == 2 && info->family == AF_INET))    /* V2 */
		return VRRP_RX_VERSION;
	if (!csum_ok(buf, len, info, adv))                      /* V5 */
		return VRRP_RX_CHECKSUM;
	if (adv->type != VRRP_TYPE_ADVERT)                      /* V3 */
		return VRRP_RX_TYPE;
	if (len != expected_len(adv))                           /* V4: a lying count */
		return VRRP_RX_LENGTH;
	adv->addrs = buf + VRRP_HDR_LEN;
	if (adv->count == 0)                                    /* V8 */
		return VRRP_RX_ADDR_COUNT;
	if (adv->adver_int_cs == 0)                             /* V9 */
		return VRRP_RX_INTERVAL_ZERO;
	if (info->family == AF_INET6) {                         /* V10: warn only */
		struct hafd_addr first;

		vrrp_advert_addr(adv, 0, &first);
		if (!addr_is_linklocal6(&first))
			adv->warn |= VRRP_WARN_NO_LL_FIRST;
	}
	return VRRP_RX_OK;
}

void vrrp_advert_addr(const struct vrrp_advert *adv, size_t i, struct hafd_addr *out)
{
	size_t alen = family_alen(adv->family);

	if (!adv->addrs || i >= adv->count || !alen) {
		memset(out, 0, sizeof(*out));
		return;
	}
	addr_from_bytes(out, adv->family, adv->addrs + i * alen);
}

/* ---- checks that need configuration ----------------------------------- */

static bool addr_in(const struct hafd_addr *a, const struct hafd_addr *set, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (addr_equal(a, &set[i]))
			return true;
	return false;
}

static int raw_cmp(const void *a, const void *b)
{
	return memcmp(a, b, 16);
}

/* n raw addresses, zero-padded to 16 bytes, sorted; returns how many are
 * left once repeats are dropped. */
static size_t raw_set(uint8_t (*v)[16], size_t n)
{
	size_t k = 0;

	qsort(v, n, sizeof(*v), raw_cmp);
	for (size_t i = 0; i < n; i++)
		if (k == 0 || memcmp(v[k - 1], v[i], 16))
			memmove(v[k++], v[i], 16);
	return k;
}

/* V12: the advert's list and ours as sets; order and prefixes do not
 * matter (item 11 only asks senders to keep one order). Same order is the
 * usual case and costs one pass; otherwise both are sorted, so a list of
 * 255 costs n log n, not n^2. */
static bool addr_list_matches(const struct vrrp_advert *adv, const struct vrrp_pkt_expect *exp)
{
	uint8_t mine[VRRP_MAX_ADDRS][16], theirs[VRRP_MAX_ADDRS][16];
	size_t alen = adv->family == AF_INET ? 4 : 16, i, nm, nt;
	bool same = adv->count == exp->n_vips && adv->addrs;

	for (i = 0; same && i < adv->count; i++)
		same = exp->vips[i].family == adv->family &&
		       !memcmp(adv->addrs + i * alen, exp->vips[i].u.b, alen);
	if (same)
		return true;
	if (!adv->addrs || exp->n_vips > VRRP_MAX_ADDRS)
		return adv->count == 0 && exp->n_vips == 0;
	memset(theirs, 0, (size_t)adv->count * 16);
	for (i = 0; i < adv->count; i++)
		memcpy(theirs[i], adv->addrs + i * alen, alen);
	memset(mine, 0, exp->n_vips * 16);
	for (nm = 0, i = 0; i < exp->n_vips; i++)
		if (exp->vips[i].family == adv->family)
			memcpy(mine[nm++], exp->vips[i].u.b, alen);
	if (nm != exp->n_vips)
		return false;   /* one of ours is of the other family */
	nt = raw_set(theirs, adv->count);
	nm = raw_set(mine, nm);
	return nt == nm && !memcmp(theirs, mine, nt * 16);
}

/* v2 carries whole seconds; compare in that unit what we would send
 * ourselves (vrrp_pkt_build's rounding), so two hafd routers configured
 * with the same sub-second value agree. */
static unsigned v2_seconds(uint16_t adver_int_cs)
{
	unsigned s = adver_int_cs / 100u;

	return s ? s : 1;
}

enum vrrp_rx_err vrrp_pkt_check(struct vrrp_advert *adv, const struct vrrp_pkt_expect *exp)
{
	bool v2 = adv->version == 2;

	if (adv->ttl_not_255 && (!exp->n_peers || exp->unicast_ttl_check))
		return VRRP_RX_TTL;                             /* V1, unicast */
	if (adv->version != exp->version)                       /* V2 */
		return VRRP_RX_VERSION;
	if (exp->n_peers && !addr_in(&adv->src, exp->peers, exp->n_peers))
		return VRRP_RX_PEER;                            /* unicast, 5.4 */
	if (v2 && adv->auth_type != 0)                          /* V13 */
		return VRRP_RX_AUTH;
	if (v2 && adv->adver_int_cs / 100u != v2_seconds(exp->adver_int_cs))
		return VRRP_RX_INTERVAL;                        /* V11: v2 drops */
	if (!v2 && adv->adver_int_cs != exp->adver_int_cs)
		adv->warn |= VRRP_WARN_INTERVAL;                /* V11: v3 logs */
	if (!addr_list_matches(adv, exp)) {                     /* V12 */
		if (v2 && adv->priority != 255)
			return VRRP_RX_ADDR_LIST;
		adv->warn |= VRRP_WARN_ADDR_LIST;
	}
	if (exp->owner)                                         /* V7: log only */
		adv->warn |= VRRP_WARN_OWNER;
	return VRRP_RX_OK;
}

/* ---- build (items 2-10, 15) ------------------------------------------- */

static int build_check(const struct vrrp_pkt_params *p)
{
	size_t i;

	if (p->version != 2 && p->version != 3)
		return -1;
	if (!family_alen(p->family) || (p->version == 2 && p->family != AF_INET))
		return -1;
	if (p->vrid == 0 || !p->addrs || p->n_addrs == 0 || p->n_addrs > VRRP_MAX_ADDRS)
		return -1;                                      /* items 3, 5 */
	if (p->adver_int_cs == 0)                               /* V9 */
		return -1;
	if (p->version == 3 && p->adver_int_cs > VRRP_V3_INT_MASK)
		return -1;                                      /* item 7 */
	if (p->version == 2 && v2_seconds(p->adver_int_cs) > VRRP_V2_INT_MAX)
		return -1;
	for (i = 0; i < p->n_addrs; i++)
		if (p->addrs[i].family != p->family)            /* item 8 */
			return -1;
	if (p->version == 3 && p->family == AF_INET &&
	    p->csum_form != VRRP_CSUM_RFC5798 && p->csum_form != VRRP_CSUM_RFC9568)
		return -1;
	if (needs_pseudo(p->version, p->family, p->csum_form) &&
	    (p->src.family != p->family || p->dst.family != p->family))
		return -1;                                      /* items 17, 19 */
	return 0;
}

ssize_t vrrp_pkt_build(uint8_t *buf, size_t cap, const struct vrrp_pkt_params *p)
{
	size_t alen = family_alen(p->family);
	size_t len, i;
	uint8_t *a;
	uint16_t csum;

	if (build_check(p) < 0) {
		errno = EINVAL;
		return -1;
	}
	len = VRRP_HDR_LEN + p->n_addrs * alen;
	if (p->version == 2)
		len += VRRP_V2_AUTH_LEN;
	if (cap < len) {
		errno = EMSGSIZE;
		return -1;
	}
	memset(buf, 0, len);    /* reserved bits, checksum, v2 auth data */
	buf[0] = (uint8_t)(p->version << 4 | VRRP_TYPE_ADVERT);
	buf[1] = p->vrid;
	buf[2] = p->priority;
	buf[3] = (uint8_t)p->n_addrs;
	if (p->version == 2) {
		buf[4] = 0;     /* auth type none (V13) */
		buf[5] = (uint8_t)v2_seconds(p->adver_int_cs);
	} else {
		buf[4] = (uint8_t)(p->adver_int_cs >> 8);
		buf[5] = (uint8_t)p->adver_int_cs;
	}
	for (i = 0, a = buf + VRRP_HDR_LEN; i < p->n_addrs; i++, a += alen)
		memcpy(a, p->addrs[i].u.b, alen);
	csum = vrrp_pkt_csum(buf, len, p->version, p->family, &p->src, &p->dst, p->csum_form);
	buf[6] = (uint8_t)(csum >> 8);
	buf[7] = (uint8_t)csum;
	return (ssize_t)len;
}

/* ---- announcements (items 32-34) --------------------------------------- */

struct na_msg {
	struct nd_neighbor_advert na;
	struct nd_opt_hdr opt;
	uint8_t mac[6];
} __attribute__((packed));

_Static_assert(sizeof(struct na_msg) == VRRP_NA_LEN, "NA layout");

ssize_t vrrp_pkt_na_build(uint8_t *buf, size_t cap, const struct hafd_addr *target,
			  const uint8_t mac[6])
{
	struct na_msg m;

	if (target->family != AF_INET6) {
		errno = EINVAL;
		return -1;
	}
	if (cap < sizeof(m)) {
		errno = EMSGSIZE;
		return -1;
	}
	memset(&m, 0, sizeof(m));
	m.na.nd_na_type = ND_NEIGHBOR_ADVERT;
	/* Override so caches switch to us. Router whatever the host's
	 * forwarding setting: the VIP may be the clients' default router, and
	 * an NA with R clear makes them drop it from their default router
	 * list (RFC 4861 7.2.5). */
	m.na.nd_na_flags_reserved = ND_NA_FLAG_OVERRIDE | ND_NA_FLAG_ROUTER;
	m.na.nd_na_target = target->u.v6;
	m.opt.nd_opt_type = ND_OPT_TARGET_LINKADDR;
	m.opt.nd_opt_len = 1;   /* in units of 8 bytes */
	memcpy(m.mac, mac, sizeof(m.mac));
	memcpy(buf, &m, sizeof(m));
	return (ssize_t)sizeof(m);
}

/* ---- counters (RFC 6527, section 2) ----------------------------------- */

static void account_ok(const struct vrrp_advert *adv, struct vrrp_router_stats *r,
		       struct vrrp_global_stats *g)
{
	if (r) {                                                /* V14 */
		r->rcvd_advertisements++;
		if (adv && adv->priority == 0)
			r->rcvd_pri_zero++;
		if (adv && (adv->warn & VRRP_WARN_INTERVAL))
			r->adv_interval_errors++;
		if (adv && (adv->warn & (VRRP_WARN_ADDR_LIST | VRRP_WARN_NO_LL_FIRST)))
			r->address_list_errors++;
	}
	if (adv && adv->version == 3 && adv->family == AF_INET) {
		if (adv->csum_form == VRRP_CSUM_RFC9568)
			g->csum_rfc9568_rx++;
		else
			g->csum_rfc5798_rx++;
	}
}

/* Errors charged to the router when there is one, else to other_errors:
 * without a router (unknown VRID, or a caller that has none) there is no
 * row to charge. */
static void account_router_err(enum vrrp_rx_err err, struct vrrp_router_stats *r,
			       struct vrrp_global_stats *g)
{
	if (!r) {
		g->other_errors++;
		return;
	}
	switch (err) {
	case VRRP_RX_TTL:
		r->ip_ttl_errors++;
		r->proto_err_reason = VRRP_PER_TTL;
		break;
	case VRRP_RX_TYPE:
		r->rcvd_invalid_type++;
		break;
	case VRRP_RX_LENGTH:
		r->packet_length_errors++;
		break;
	case VRRP_RX_ADDR_COUNT:
	case VRRP_RX_ADDR_LIST:
		r->address_list_errors++;
		break;
	case VRRP_RX_INTERVAL_ZERO:
		r->interval_zero_errors++;
		r->adv_interval_errors++;
		break;
	case VRRP_RX_INTERVAL:
		r->adv_interval_errors++;
		break;
	case VRRP_RX_AUTH:
		r->auth_errors++;
		break;
	case VRRP_RX_PEER:
		r->peer_errors++;
		break;
	default:
		g->other_errors++;      /* not an enum value */
		break;
	}
}

void vrrp_stats_account(enum vrrp_rx_err err, const struct vrrp_advert *adv,
			struct vrrp_router_stats *r, struct vrrp_global_stats *g)
{
	struct vrrp_global_stats scratch;

	if (!g) {
		memset(&scratch, 0, sizeof(scratch));
		g = &scratch;
	}
	switch (err) {
	case VRRP_RX_OK:
		account_ok(adv, r, g);
		break;
	case VRRP_RX_VERSION:                                   /* V2 */
		g->version_errors++;
		if (r)
			r->proto_err_reason = VRRP_PER_VERSION;
		break;
	case VRRP_RX_CHECKSUM:                                  /* V5 */
		g->checksum_errors++;
		if (r)
			r->proto_err_reason = VRRP_PER_CHECKSUM;
		break;
	case VRRP_RX_VRID:                                      /* V6 */
		g->vrid_errors++;
		break;
	default:
		account_router_err(err, r, g);
		break;
	}
}
