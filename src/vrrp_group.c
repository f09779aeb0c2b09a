/* vrrp_group.c: placeholder until written */
extern int hafd_vrrp_group_placeholder;
