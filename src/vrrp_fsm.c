/* vrrp_fsm.c: placeholder until written */
extern int hafd_vrrp_fsm_placeholder;
