/* vrrp_pkt.h: VRRP advertisement codec (RFC 9568 v3 for IPv4/IPv6, RFC 3768 v2
 * for IPv4), checksums, receive validation (checklist V1-V14) and the RFC 6527
 * counters. Pure: no sockets, no clock. Item numbers refer to
 * docs/vrrp-checklist.md. */
#ifndef HAFD_VRRP_PKT_H
#define HAFD_VRRP_PKT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "addr.h"

#define VRRP_IPPROTO 112
#define VRRP_TTL 255
#define VRRP_HDR_LEN 8
#define VRRP_V2_AUTH_LEN 8
#define VRRP_MAX_ADDRS 255
#define VRRP_TYPE_ADVERT 1
/* Largest advert: v3 IPv6 with 255 addresses. */
#define VRRP_PKT_MAX (VRRP_HDR_LEN + VRRP_MAX_ADDRS * 16)

/* IPv4 VRRPv3 checksum forms (item 18, 19). Receive accepts both. */
enum vrrp_csum_form {
	VRRP_CSUM_RFC5798,      /* with the IPv4 pseudo-header (keepalived, FRR) */
	VRRP_CSUM_RFC9568,      /* VRRP message only */
};

/* What the IP layer says about a received packet. */
struct vrrp_pkt_info {
	int family;             /* AF_INET or AF_INET6 */
	struct hafd_addr src;   /* IP source */
	struct hafd_addr dst;   /* IP destination (group or unicast) */
	int ttl;                /* TTL / Hop Limit */
};

struct vrrp_advert {
	uint8_t version;        /* 2 or 3 */
	uint8_t type;
	uint8_t vrid;
	uint8_t priority;
	uint8_t count;          /* IPvX Addr Count */
	uint16_t adver_int_cs;  /* v3: Max Adver Int (12 bits); v2: seconds * 100 */
	uint8_t auth_type;      /* v2 only */
	uint16_t checksum;      /* as received */
	enum vrrp_csum_form csum_form;  /* which IPv4 v3 form verified */
	int family;
	struct hafd_addr src;   /* sender (the IP source) */
	const uint8_t *addrs;   /* count addresses of 4 or 16 bytes, inside the buffer */
	unsigned warn;          /* VRRP_WARN_* found by vrrp_pkt_decode() */
	bool ttl_not_255;       /* a unicast advert with another TTL: V1 is left to
				   vrrp_pkt_check(), which knows the peers */
};

/* Why a packet was dropped (or, for the *_MISMATCH and warnings, logged). */
enum vrrp_rx_err {
	VRRP_RX_OK = 0,
	VRRP_RX_TTL,            /* V1: TTL / Hop Limit not 255 */
	VRRP_RX_VERSION,        /* V2: version not 3 (or 2 for IPv4), or not the router's */
	VRRP_RX_TYPE,           /* V3: type not 1 */
	VRRP_RX_LENGTH,         /* V4: shorter than the header or the address list */
	VRRP_RX_CHECKSUM,       /* V5 */
	VRRP_RX_VRID,           /* V6: no router for this VRID here (the caller decides) */
	VRRP_RX_ADDR_COUNT,     /* V8: count 0 */
	VRRP_RX_INTERVAL_ZERO,  /* V9: Max Adver Int 0 */
	VRRP_RX_INTERVAL,       /* V11: v2 interval differs from ours (dropped) */
	VRRP_RX_ADDR_LIST,      /* V12: v2 address list differs, sender not owner (dropped) */
	VRRP_RX_AUTH,           /* V13: v2 auth type not 0 */
	VRRP_RX_PEER,           /* unicast: sender is not a configured peer */
	VRRP_RX_ERR_MAX
};

/* Findings that are logged and counted but do not drop the packet (v3). */
#define VRRP_WARN_INTERVAL      0x01    /* V11: interval differs from ours */
#define VRRP_WARN_ADDR_LIST     0x02    /* V12: address list differs from ours */
#define VRRP_WARN_NO_LL_FIRST   0x04    /* V10: IPv6 first address not link-local
					   (keepalived 2.2.7 sends these; accepted) */
#define VRRP_WARN_OWNER         0x08    /* V7: we are the owner and got an advert */

/* Short reason, e.g. "TTL not 255", for logs and status. */
const char *vrrp_rx_err_str(enum vrrp_rx_err err);

/* Decode and check what needs no configuration, in the checklist's order:
 * V1 TTL, length >= 8 (V4), V2 version, V5 checksum, V3 type, V4 exact length,
 * V8 count, V9 interval, V10 (warning only). V1 drops at once an advert
 * sent to a multicast address or 255.255.255.255; one sent to a unicast
 * address only gets adv->ttl_not_255, for vrrp_pkt_check(). The payload starts at the VRRP
 * header (the IPv4 header is already stripped). adv->vrid is set whenever at
 * least 2 bytes were present, so the caller can charge the right router. */
enum vrrp_rx_err vrrp_pkt_decode(const uint8_t *buf, size_t len,
				 const struct vrrp_pkt_info *info, struct vrrp_advert *adv);

/* The receiving router's view, for the checks that need configuration. */
struct vrrp_pkt_expect {
	uint8_t version;
	uint16_t adver_int_cs;
	bool owner;                     /* local priority 255 */
	const struct hafd_addr *vips;
	size_t n_vips;
	const struct hafd_addr *peers;  /* unicast allow-list; n_peers 0 = any */
	size_t n_peers;
	bool unicast_ttl_check;         /* unicast adverts need TTL 255 too */
};

/* V1 for unicast adverts, V2 (router's version), V11, V12, V13, V7 and the
 * unicast peer list. Returns an error when the packet must be dropped; adds
 * VRRP_WARN_* to adv->warn for what is only logged. A unicast advert whose
 * TTL is not 255 passes V1 when the router has unicast peers and no
 * unicast_ttl_check: unicast adverts may cross routers, and the peer list
 * takes the TTL's place. */
enum vrrp_rx_err vrrp_pkt_check(struct vrrp_advert *adv, const struct vrrp_pkt_expect *exp);

/* Address i of the advert as a struct hafd_addr. */
void vrrp_advert_addr(const struct vrrp_advert *adv, size_t i, struct hafd_addr *out);

struct vrrp_pkt_params {
	uint8_t version;
	uint8_t vrid;
	uint8_t priority;
	uint16_t adver_int_cs;          /* v2 sends adver_int_cs / 100 seconds */
	int family;
	const struct hafd_addr *addrs;  /* IPv6: the link-local first (item 9) */
	size_t n_addrs;
	struct hafd_addr src, dst;      /* for the pseudo-header */
	enum vrrp_csum_form csum_form;  /* IPv4 v3 only */
};

/* Build an advert into buf. Returns its length, or -1 with errno EMSGSIZE
 * (buffer too small) or EINVAL (bad parameters). */
ssize_t vrrp_pkt_build(uint8_t *buf, size_t cap, const struct vrrp_pkt_params *p);

/* Length of the unsolicited Neighbor Advertisement below: the NA (24 bytes)
 * and one Target Link-Layer Address option for a 6-byte MAC (8). */
#define VRRP_NA_LEN 32

/* The unsolicited Neighbor Advertisement (RFC 4861 4.4) that announces
 * target, an IPv6 VIP, at mac: R=1, S=0, O=1 (RFC 9568 6.4.1, 6.4.2), and a
 * Target Link-Layer Address option. garp.c sends it to ff02::1 with hop limit 255; the
 * checksum is left 0 for the kernel, which fills it on raw ICMPv6 sockets.
 * Returns VRRP_NA_LEN, or -1 with errno EMSGSIZE (cap too small) or EINVAL
 * (target not IPv6). */
ssize_t vrrp_pkt_na_build(uint8_t *buf, size_t cap, const struct hafd_addr *target,
			  const uint8_t mac[6]);

/* RFC 1071 checksum of the VRRP message, with the pseudo-header when the
 * version/family/form call for one (items 16-20). The checksum field itself
 * is treated as zero. Returns the value as tshark shows it:
 * store it big-endian, buf[6] = v >> 8, buf[7] = v & 0xff. */
uint16_t vrrp_pkt_csum(const uint8_t *msg, size_t len, uint8_t version, int family,
		       const struct hafd_addr *src, const struct hafd_addr *dst,
		       enum vrrp_csum_form form);

/* RFC 6527 counters. Global: errors found before a router is known. */
struct vrrp_global_stats {
	uint64_t checksum_errors;       /* vrrpv3RouterChecksumErrors */
	uint64_t version_errors;        /* vrrpv3RouterVersionErrors */
	uint64_t vrid_errors;           /* vrrpv3RouterVrIdErrors */
	uint64_t other_errors;          /* TTL/length/type for unknown VRIDs (impl) */
	uint64_t csum_rfc5798_rx;       /* IPv4 v3 adverts that verified in each form */
	uint64_t csum_rfc9568_rx;
};

enum vrrp_new_master_reason {   /* vrrpv3StatisticsNewMasterReason */
	VRRP_NMR_NOT_MASTER = 0,
	VRRP_NMR_PRIORITY = 1,
	VRRP_NMR_PREEMPTED = 2,
	VRRP_NMR_MASTER_NO_RESPONSE = 3,
};

enum vrrp_proto_err_reason {    /* vrrpv3StatisticsProtoErrReason */
	VRRP_PER_NO_ERROR = 0,
	VRRP_PER_TTL = 1,
	VRRP_PER_VERSION = 2,
	VRRP_PER_CHECKSUM = 3,
	VRRP_PER_VRID = 4,
};

struct vrrp_router_stats {
	uint64_t master_transitions;            /* col 1 */
	enum vrrp_new_master_reason new_master_reason;  /* col 2 */
	uint64_t rcvd_advertisements;           /* col 3 */
	uint64_t adv_interval_errors;           /* col 4 */
	uint64_t ip_ttl_errors;                 /* col 5 */
	enum vrrp_proto_err_reason proto_err_reason;    /* col 6 */
	uint64_t rcvd_pri_zero;                 /* col 7 */
	uint64_t sent_pri_zero;                 /* col 8 */
	uint64_t rcvd_invalid_type;             /* col 9 */
	uint64_t address_list_errors;           /* col 10 */
	uint64_t packet_length_errors;          /* col 11 */
	/* beyond the MIB */
	uint64_t sent_advertisements;
	uint64_t send_errors;
	uint64_t interval_zero_errors;
	uint64_t auth_errors;
	uint64_t peer_errors;                   /* unicast from a stranger */
	uint64_t garp_sent;
	uint64_t na_sent;
};

/* Charge one received packet's outcome to the counters. r is the router
 * the VRID maps to, or NULL when there is none; adv may be NULL for errors
 * found before decoding finished. Also counts accepted adverts (V14), their
 * priority-0 ones, and the warnings in adv->warn. */
void vrrp_stats_account(enum vrrp_rx_err err, const struct vrrp_advert *adv,
			struct vrrp_router_stats *r, struct vrrp_global_stats *g);

#endif
