/* check_run.h: the runners of the [check] sections: they run each check
 * and keep its state (check.h); the glue that owns the routers reads what
 * each check contributes and applies it to the instances that track it.
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
 *  - gpu: libexec/hafd-nvml asks NVML, and the driver's Xid lines come
 *    from /dev/kmsg; gpu.h decides, check_gpu.c watches the helper (a
 *    stuck one is down at the timeout and never doubled).
 * A timeout is FAIL, or DEGRADED with on_timeout = degrade (not gpu).
 *
 * After every result, and when a startup grace expires by time, the runner
 * tells the glue through the check_run_changed_fn it was started with; the
 * glue reads the contribution (check_run_contrib()) of every check an
 * instance tracks and decides the instance's fault and priority (vrrp.c).
 * A check that changes state logs one line:
 *   check vllm: UP -> DOWN (connection refused)
 */
#ifndef HAFD_CHECK_RUN_H
#define HAFD_CHECK_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hafd;
struct config_match;
struct hafd_config;
struct check;
struct proc_user;
struct gpu_state;

/* What the glue is told when check (its index in the configuration's
 * checks) may contribute something new to the instances that track it. */
typedef void check_run_changed_fn(struct hafd *h, size_t check);

/* Start the runners, after proc_open(); their first runs start from the
 * loop. changed is called on every later result. The runners apply
 * nothing themselves: the glue reads the initial (INIT) contributions
 * once this returns. 0 or -1/errno. */
int check_run_start(struct hafd *h, check_run_changed_fn *changed);
/* Reload: move to ncfg (before it replaces h->cfg), as m (config_match's
 * checks) pairs them. A KEPT check (same name and probe,
 * config_check_same_probe) keeps its runner, state and schedule, so its
 * instances see no change; weights take the new values. Other checks
 * start afresh; removed ones stop. Every script check, kept or new, runs
 * as user from its next run (resolved by the caller; NULL when ncfg has
 * no script check). 0 or -1/errno. */
int check_run_reload(struct hafd *h, const struct hafd_config *ncfg, const struct config_match *m,
		     const struct proc_user *user);
/* What check i contributes at now_us to each instance that tracks it: a
 * priority delta and whether it holds the instance in FAULT (the table in
 * check.h). 0, or -1 with ENOENT (and nothing contributed) when i is out
 * of range or its runner could not start after a reload. */
int check_run_contrib(const struct hafd *h, size_t i, uint64_t now_us, int *delta, bool *fault);
/* Check i has not reached a state yet (check_unproven()); false when i is
 * out of range or its runner could not start. */
bool check_run_unproven(const struct hafd *h, size_t i);
/* Check i is degraded (check_saturated()); false when out of range. */
bool check_run_saturated(const struct hafd *h, size_t i);
/* Stop every runner, kill scripts in flight, free. */
void check_run_stop(struct hafd *h);

/* Run check name (NULL: every check) now, not at its next tick: Patroni's
 * on_role_change callback says the answer changed (hafctl check). A run in
 * flight is not doubled: the next starts as soon as it ends. The schedule
 * goes on from the new run. Returns how many checks were asked, or -1
 * with ENOENT when no check has that name. */
int check_run_now(struct hafd *h, const char *name);

/* For the control socket. */
struct check_run_status {
	const char *name;
	const char *type;               /* "script", "http", "tcp", "file", "gpu" */
	const struct check *check;      /* state, last result, reason, latency,
					 * counters (check.h) */
	bool running;                   /* a run is in flight */
	uint64_t next_run_us;           /* CLOCK_MONOTONIC */
	uint64_t skipped;               /* ticks that found a run in flight */
	uint64_t sigkilled;             /* scripts that needed SIGKILL */
	const struct gpu_state *gpu;    /* gpu: each GPU as seen (gpu.h); else NULL */
};

size_t check_run_count(const struct hafd *h);
/* 0, or -1 with ENOENT when i is out of range. */
int check_run_status(const struct hafd *h, size_t i, struct check_run_status *out);

#endif
