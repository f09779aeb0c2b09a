/* reload.h: hitless reload (SIGHUP or `hafctl reload`). */
#ifndef HAFD_RELOAD_H
#define HAFD_RELOAD_H

struct hafd;
struct config_errors;

/* Read and validate the configuration file again, then apply the
 * difference: instances whose settings did not change keep running with no
 * flap, no GARP and no notify; removed ones stop gracefully; new ones start;
 * a priority change is advertised at once. A configuration with errors is
 * refused (errs filled, the old one keeps running), and so is one whose
 * script_user cannot be resolved or is refused by script_security while a
 * script check or notify hook would run as that user. Settings of [global]
 * that need a restart (runtime_dir, control_socket, nft_table, crash_guard,
 * realtime_priority)
 * are logged and left as they were. 0 or -1. */
int hafd_reload(struct hafd *h, struct config_errors *errs);

/* SIGHUP handler for loop_signal_add (arg is struct hafd). */
void reload_on_signal(int signo, void *arg);

#endif
