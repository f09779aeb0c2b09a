/* track.h: the runners of the [check] sections, and what their results do
 * to the instances that track them.
 *
 * One runner per [check], however many instances track it. Each runs every
 * `interval` on a loop timer, the first time at start. Runs are never
 * doubled: a tick that finds the previous run still in flight (timeout >
 * interval) is counted, and the next run starts as soon as that one ends.
 * Types:
 *  - script: /bin/sh -c COMMAND as script_user (proc.h); exit 0 PASS,
 *    2 DEGRADED, anything else or a signal FAIL. At `timeout` the process
 *    group gets SIGTERM, then SIGKILL a second later; the run is a timeout.
 *  - http: non-blocking connect to the URL's address, one HTTP/1.1 request
 *    with Connection: close, one deadline (`timeout`) for the whole
 *    exchange. A status in expect_status PASSes (if expect_body, when found
 *    in the first 64 KiB of the body), one in degrade_status is DEGRADED,
 *    anything else FAILs. Refused, reset, bad status, timeouts are counted
 *    apart.
 *  - tcp: a connection accepted within `timeout` PASSes.
 *  - file: the file holds an integer: 0 PASSes, anything else FAILs; with a
 *    negative weight the integer multiplies it, as keepalived's track_file
 *    does (a product below -254 is FAULT).
 * A timeout is FAIL, or DEGRADED with on_timeout = degrade.
 *
 * After every result (and when a startup grace expires) each tracking
 * instance's check delta and fault are recomputed (health.h) and handed
 * to vrrp_check_delta_set() / vrrp_fault_update(VRRP_FAULT_CHECK) when
 * they changed. A check that changes state logs one line:
 *   check vllm: UP -> DOWN (connection refused)
 */
#ifndef HAFD_TRACK_H
#define HAFD_TRACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hafd;
struct config_match;
struct hafd_config;
struct health;
struct proc_user;

/* Start the runners; after vrrp_create() (it applies the initial INIT
 * contributions to the routers, before vrrp_begin() starts them) and
 * proc_open(). 0 or -1/errno. */
int track_start(struct hafd *h);
/* Reload: move to ncfg (before it replaces h->cfg), as m (config_match's
 * checks) pairs them. A KEPT check (same name and probe,
 * config_check_same_probe) keeps its runner, state and schedule, so its
 * instances see no change; weights take the new values. Other checks
 * start afresh; removed ones stop. Every script check, kept or new, runs
 * as user from its next run (resolved by the caller; NULL when ncfg has
 * no script check). 0 or -1/errno. */
int track_reload(struct hafd *h, const struct hafd_config *ncfg, const struct config_match *m,
		 const struct proc_user *user);
/* Recompute every instance's check delta and fault (after a reload). */
void track_apply(struct hafd *h);
/* Stop every runner, kill scripts in flight, free. */
void track_stop(struct hafd *h);

/* For the control socket. */
struct track_status {
	const char *name;
	const char *type;               /* "script", "http", "tcp", "file" */
	const struct health *health;    /* state, last result, reason, latency,
					 * counters (health.h) */
	bool running;                   /* a run is in flight */
	uint64_t next_run_us;           /* CLOCK_MONOTONIC */
	uint64_t skipped;               /* ticks that found a run in flight */
	uint64_t sigkilled;             /* scripts that needed SIGKILL */
};

size_t track_count(const struct hafd *h);
/* 0, or -1 with ENOENT when i is out of range. */
int track_status(const struct hafd *h, size_t i, struct track_status *out);

#endif
