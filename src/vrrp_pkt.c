/* vrrp_pkt.c: placeholder until written */
extern int hafd_vrrp_pkt_placeholder;
