/* libFuzzer target: the advert decoder and the per-router checks, on
 * arbitrary bytes with every family/TTL/version combination. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "vrrp_pkt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vrrp_pkt_info info = { 0 };
	struct vrrp_advert adv;
	struct vrrp_router_stats rs = { 0 };
	struct vrrp_global_stats gs = { 0 };
	struct hafd_addr vips[2], peers[1];
	struct vrrp_pkt_expect exp = { 0 };
	enum vrrp_rx_err err;
	uint8_t ctl;

	if (size < 1)
		return 0;
	/* The first byte picks the IP-layer context; the rest is the packet. */
	ctl = data[0];
	data++;
	size--;
	info.family = ctl & 1 ? AF_INET6 : AF_INET;
	info.ttl = ctl & 2 ? 255 : 64;
	addr_parse(info.family == AF_INET ? "10.0.0.1" : "fe80::1", &info.src);
	addr_parse(info.family == AF_INET ? "224.0.0.18" : "ff02::12", &info.dst);
	memset(&adv, 0, sizeof(adv));
	err = vrrp_pkt_decode(data, size, &info, &adv);
	if (err == VRRP_RX_OK) {
		/* Touch every address the decoder said is there. */
		for (size_t i = 0; i < adv.count; i++) {
			struct hafd_addr a;

			vrrp_advert_addr(&adv, i, &a);
		}
		addr_parse(info.family == AF_INET ? "10.0.0.100" : "fd00::100", &vips[0]);
		addr_parse(info.family == AF_INET ? "10.0.0.101" : "fd00::101", &vips[1]);
		peers[0] = info.src;
		exp.version = ctl & 4 ? 2 : 3;
		exp.adver_int_cs = 100;
		exp.owner = ctl & 8;
		exp.vips = vips;
		exp.n_vips = 2;
		exp.peers = peers;
		exp.n_peers = ctl & 16 ? 1 : 0;
		err = vrrp_pkt_check(&adv, &exp);
	}
	vrrp_stats_account(err, &adv, ctl & 32 ? &rs : NULL, &gs);
	(void)vrrp_rx_err_str(err);
	return 0;
}
