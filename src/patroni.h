/* patroni.h: what an answer of Patroni's REST API says about the member
 * that gave it: the leader with a read-write PostgreSQL, or not. Pure.
 *
 * Facts, from Patroni's source (patroni/api.py, do_GET and
 * get_postgresql_status, tags v3.0.2 = Debian 12's package, and v4.1):
 *  - GET /primary (also /master, /read-write; "/" is /primary) answers 200
 *    when the member holds the leader lock (ha.is_leader()) and is not in a
 *    standby cluster; 3.0.2 does not look at PostgreSQL for that, 4.x also
 *    wants the role "primary". Anything else is 503.
 *  - The JSON body's "role" comes from a query to PostgreSQL
 *    (pg_is_in_recovery() by way of the timeline): "master" (3.x) or
 *    "primary" (4.x) when it is not in recovery, "replica" otherwise, and
 *    then "xlog" holds {"location": LSN}. When the query fails (PostgreSQL
 *    down, restarting in place after a crash) the body only has "state"
 *    (running becomes "unknown") and Patroni's remembered "role", which may
 *    still say master: only "state": "running" with a read-write role and
 *    xlog.location proves PostgreSQL takes writes now.
 */
#ifndef HAFD_PATRONI_H
#define HAFD_PATRONI_H

#include <stddef.h>

#include "check.h"

/* Judge one answer: status and the (first 64 KiB of the) body. PASS only
 * for the leader whose PostgreSQL is read-write; FAIL otherwise, with
 * *kind (BAD_STATUS, BAD_BODY) and a reason in why. */
enum check_result patroni_judge(int status, const char *body, size_t n, enum check_kind *kind,
				char *why, size_t wlen);

#endif
