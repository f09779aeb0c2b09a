/* anycast.h: the instances with mode = anycast (hafd-anycast(7)).
 *
 * No VRRP: each one announces its service addresses through the host's
 * routing daemon (FRR's bgpd, by `redistribute connected` with a
 * route-map) by putting them on `interface` (announced) or
 * `degraded_interface` (less preferred), or on neither (withdrawn), as
 * anycast_want() decides from the tracked checks and maintenance. Each
 * address has a kernel lifetime of `lease` that hafd renews every third
 * of it: when hafd dies or freezes, the kernel deletes it and the route
 * goes. Glue: it reads the checks and drives anycast_addr.c. */
#ifndef HAFD_ANYCAST_H
#define HAFD_ANYCAST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "anycast_want.h"

struct hafd;
struct cfg_instance;

/* Start the anycast instances of h->cfg (after the checks started): each
 * is withdrawn until its checks have a result. 0 or -1/errno. */
int anycast_start(struct hafd *h);
/* Check i has a new state or contribution. */
void anycast_check_changed(struct hafd *h, size_t check);
/* A reload installed h->cfg: instances are matched by name and keep their
 * handover; new ones start withdrawn, removed ones are withdrawn. */
int anycast_reload(struct hafd *h);
/* Withdraw everything and free (stop). */
void anycast_stop(struct hafd *h);

/* hafctl maintenance on|off: every anycast instance drains, then withdraws. */
void anycast_maintenance(struct hafd *h, bool on);
/* hafctl handover NAME / resume NAME for an anycast instance: 1 with what
 * happened in text, 0 when NAME is not an anycast instance. NAME NULL
 * (--all): every anycast instance, and 0. */
int anycast_handover(struct hafd *h, const char *name, char *text, size_t len);
int anycast_resume(struct hafd *h, const char *name, char *text, size_t len);

/* For the control socket. */
struct anycast_status {
	const struct cfg_instance *cfg;
	enum anycast_state state;
	const char *why;
	uint64_t since_us;              /* when state last changed */
	bool handover;                  /* yielding after hafctl handover */
	int error;                      /* errno of the last failed address
					 * change, 0 when none */
	const char *error_if;           /* its interface */
};
size_t anycast_count(const struct hafd *h);
int anycast_status_get(const struct hafd *h, size_t i, struct anycast_status *out);

#endif
