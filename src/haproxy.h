/* haproxy.h: a client of HAProxy's runtime API (the stats socket at
 * `level admin`). One command line per connection: connect (UNIX stream
 * or TCP, non-blocking), send the line, read the answer until HAProxy
 * closes, all on hafd's loop under one deadline, so a hung or slow
 * HAProxy never blocks the daemon.
 *
 * HAProxy answers a `set server` that worked with an empty line, one per
 * command of a ';' list, and one that did not with its reason ("No such
 * server.", "Permission denied"): any text in the answer is an error. */
#ifndef HAFD_HAPROXY_H
#define HAFD_HAPROXY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "timerq.h"

struct loop;
struct cfg_haproxy_socket;

#define HAPROXY_LINE_MAX 512

/* err 0: done, the answer was empty. Else err is an errno (ETIMEDOUT at
 * the deadline) or EPROTO with HAProxy's reason in text. */
typedef void haproxy_done_fn(void *arg, int err, const char *text);

struct haproxy_conn {
	struct loop *loop;
	int fd;                         /* -1 when idle */
	bool connected;
	int early_err;                  /* socket or connect failed at once */
	struct timer deadline;
	char out[HAPROXY_LINE_MAX];
	size_t out_len, out_off;
	char in[256];                   /* the start of the answer */
	size_t in_len;
	haproxy_done_fn *done;
	void *arg;
};

void haproxy_conn_init(struct haproxy_conn *c, struct loop *l);
/* Send line (ending in '\n') to sk; done is called once, from the loop,
 * never from within this call. 0, or -1 with EBUSY (one is in flight) or
 * EINVAL (line too long). */
int haproxy_send(struct haproxy_conn *c, const struct cfg_haproxy_socket *sk, const char *line,
		 uint64_t timeout_us, haproxy_done_fn *done, void *arg);
bool haproxy_busy(const struct haproxy_conn *c);
/* Close the exchange in flight, if any; done is not called. */
void haproxy_abort(struct haproxy_conn *c);

#endif
