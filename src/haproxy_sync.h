/* haproxy_sync.h: a check's state steers its server in HAProxy (the
 * [check] keys haproxy_server, haproxy_socket, haproxy_degrade_weight).
 *
 * For every check with haproxy_server, and every socket it lists, hafd
 * keeps HAProxy's admin state of that server where haproxy_want.h says:
 * ready (full or lowered weight), drain while maintenance mode is on,
 * maint while the check is DOWN. A command goes out when the wanted state
 * changes, again every HAPROXY_REASSERT_S seconds at the check's next
 * result (an HAProxy restarted from its file has forgotten it), and again
 * a second after a failure, until it works. One exchange per socket at a
 * time; hafd owns that server's admin state. Glue: it reads the check
 * runners and the maintenance mode. */
#ifndef HAFD_HAPROXY_SYNC_H
#define HAFD_HAPROXY_SYNC_H

#include <stdbool.h>
#include <stddef.h>

struct hafd;

#define HAPROXY_REASSERT_S 10

/* After check_run_start(). 0 or -1/errno. */
int haproxy_sync_start(struct hafd *h);
/* Check i has a new result (or its grace ended). */
void haproxy_sync_check(struct hafd *h, size_t i);
/* The maintenance mode changed: every server. */
void haproxy_sync_all(struct hafd *h);
/* What hafd last made of check `check`'s server in one HAProxy, for
 * status: the k-th socket of that check. */
struct haproxy_sync_view {
	const char *server;             /* "BACKEND/SERVER" */
	const char *socket;             /* as configured */
	char state[32];                 /* what HAProxy acknowledged ("ready",
					 * "ready 50%", "drain", "maint"), or
					 * "-" before any acknowledgement */
	bool pending;                   /* a command is in flight, or waits
					 * for its retry */
	const char *error;              /* the last failure, or NULL */
};

/* View k (0, 1, ...) of check `check`'s servers: 0, or -1 past the last
 * one (or none). */
int haproxy_sync_view(const struct hafd *h, size_t check, size_t k, struct haproxy_sync_view *v);
/* After a reload swapped the configuration. 0 or -1/errno. */
int haproxy_sync_reload(struct hafd *h);
void haproxy_sync_stop(struct hafd *h);

#endif
