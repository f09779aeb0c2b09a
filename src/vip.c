/* vip.c: placeholder until written */
extern int hafd_vip_placeholder;
