/* haproxy_want.h: what HAProxy should make of the server a check watches.
 * Pure: the state of the check and whether this node drains come in, the
 * runtime API command line goes out.
 *
 *   the check           draining (maintenance)   HAProxy server
 *   INIT                -                        left as it is (unproven:
 *                                                HAProxy's own check decides)
 *   UP                  no                       state ready, weight 100%
 *   DEGRADED            no                       state ready, weight W%
 *   UP, DEGRADED        yes                      state drain
 *   DOWN                either                   state maint
 *
 * W is haproxy_degrade_weight: a saturated engine keeps serving, with
 * fewer new requests. drain takes no new requests and lets those in flight
 * finish; maint takes none at all and stops HAProxy's own checks of it.
 * `set server ... weight N%` is relative to the weight in haproxy.cfg. */
#ifndef HAFD_HAPROXY_WANT_H
#define HAFD_HAPROXY_WANT_H

#include <stdbool.h>
#include <stddef.h>

#include "check.h"

enum haproxy_admin {
	HAPROXY_LEAVE,          /* send nothing */
	HAPROXY_READY,
	HAPROXY_DRAIN,
	HAPROXY_MAINT,
};

struct haproxy_want {
	enum haproxy_admin admin;
	int weight_pct;         /* with READY: 1..100 */
};

void haproxy_want(enum check_state st, bool draining, int degrade_pct, struct haproxy_want *w);
bool haproxy_want_same(const struct haproxy_want *a, const struct haproxy_want *b);
/* The command line for server ("BACKEND/SERVER"), with its '\n': one or
 * two commands separated by ';', as the runtime API takes them on one
 * connection. Its length, or -1 (LEAVE, or no room). */
int haproxy_want_cmd(const char *server, const struct haproxy_want *w, char *buf, size_t len);
/* "ready", "ready 50%", "drain", "maint", "-". */
const char *haproxy_want_name(const struct haproxy_want *w, char *buf, size_t len);

#endif
