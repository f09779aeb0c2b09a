/* check_priv.h: what check_run.c and check_net.c share about a runner. */
#ifndef HAFD_CHECK_PRIV_H
#define HAFD_CHECK_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "check.h"
#include "log.h"
#include "timerq.h"

struct cfg_check;
struct http_parser;
struct proc;
struct proc_ctx;
struct check_run_ctx;
struct check_gpu;
struct check_metrics;

struct check_runner {
	struct check_run_ctx *t;
	const struct cfg_check *cfg;
	size_t idx;                     /* index of cfg in the config's checks */
	struct check check;
	struct timer tick;              /* every interval */
	struct timer grace;             /* when the startup grace expires */
	bool busy;                      /* a run is in flight */
	bool late;                      /* a tick came meanwhile: run again at its end */
	uint64_t started_us;
	uint64_t skipped;               /* ticks that found a run in flight */
	uint64_t sigkilled;
	long factor;                    /* file: the value read, for check_run_done */
	bool weighted;                  /* metrics: the rules' weight, for check_run_done */
	int weight;
	/* script */
	struct proc *proc;
	char *insecure;                 /* why it may not run (script_security) */
	/* http, tcp */
	int fd;                         /* -1 when none */
	struct timer deadline;
	bool connected;
	struct http_parser *http;
	char *req;                      /* the whole request: built once for a
					 * GET, at each step of a generate */
	size_t req_len, req_off;
	/* http, request = generate (check_net.c) */
	int step;                       /* GEN_MODELS, then GEN_POST */
	char model[256];                /* configured, or the first of /v1/models;
					 * "" = ask /v1/models first */
	size_t sse_off;                 /* stream: body bytes already scanned */
	/* gpu */
	struct check_gpu *gpu;          /* check_gpu.c's, NULL for other types */
	/* metrics (its http exchange is the fields above) */
	struct check_metrics *metrics;
};

/* End the run in flight with a result; reason is printf-like. */
void check_run_done(struct check_runner *r, enum check_result res, enum check_kind kind,
		    const char *fmt, ...) LOG_FMT(4, 5);

/* The loop of the daemon, for the network runners. */
struct loop *check_run_loop(const struct check_runner *r);
/* The daemon's child processes, for the gpu runner's helper. */
struct proc_ctx *check_run_proc(const struct check_runner *r);

/* check_net.c: http and tcp. prepare once at start (0 or -1/errno), start
 * a run (it ends through check_run_done()), abort one, free at stop. */
int check_net_prepare(struct check_runner *r);
void check_net_run(struct check_runner *r);
void check_net_abort(struct check_runner *r);
void check_net_free(struct check_runner *r);

/* check_gpu.c: gpu. prepare once at start (0 or -1/errno: opens the Xid
 * source), start a run (it ends through check_run_done()), free at stop
 * (a helper still running is killed). */
int check_gpu_prepare(struct check_runner *r);
void check_gpu_run(struct check_runner *r);
void check_gpu_free(struct check_runner *r);
/* What the gpu check saw of each GPU, for the status. */
const struct gpu_state *check_gpu_state(const struct check_runner *r);
/* check_metrics.c: the metrics check's side of an http exchange. prepare
 * once (0 or -1/errno), start at each run once the http parser is ready,
 * judge the status and body once the exchange is done (the socket is
 * closed: it ends the run through check_run_done()), free at stop. */
int check_metrics_prepare(struct check_runner *r);
void check_metrics_start(struct check_runner *r);
void check_metrics_judge(struct check_runner *r, int status);
void check_metrics_free(struct check_runner *r);

#endif
