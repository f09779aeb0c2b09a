/* config.c: placeholder until written */
extern int hafd_config_placeholder;
