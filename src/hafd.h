/* hafd.h: struct hafd, the one top-level context passed explicitly. There
 * are no other mutable globals (logging settings aside). */
#ifndef HAFD_HAFD_H
#define HAFD_HAFD_H

#include <stdbool.h>
#include <stddef.h>

#include "log.h"
#include "vrrp_pkt.h"

struct loop;
struct hafd_config;
struct ifcache;
struct vip_ctx;
struct garp_ctx;
struct guard;
struct sd_watchdog;
struct vrrp_sock;
struct vrrp_router;
struct proc_ctx;
struct check_run_ctx;
struct notify_ctx;
struct nft_ctx;
struct ctl;

struct hafd_opts {
	const char *config_file;
	const char *pid_file;           /* NULL: <runtime_dir>/hafd.pid */
	bool dont_fork;
	bool log_console;
	bool log_detail;
	bool config_test;
	bool cleanup;                   /* -C: remove what a killed hafd left, exit */
};

struct anycast_ctx;
struct handover_ctx;
struct drain_ctx;

struct hafd {
	struct hafd_opts opts;
	struct hafd_config *cfg;
	struct loop *loop;
	struct ifcache *ifc;            /* links and addresses */
	struct vip_ctx *vip;            /* the VIPs hafd added */
	struct garp_ctx *garp;
	struct guard *guard;            /* crash guard, NULL when off */
	struct sd_watchdog *watchdog;   /* systemd's WatchdogSec=, NULL when off */
	struct vrrp_sock *socks;        /* one per (interface, family), a list */
	struct vrrp_router **routers;   /* one per configured instance */
	size_t n_routers;
	unsigned next_router_id;        /* routers keep their id across reloads */
	struct proc_ctx *proc;          /* child processes (proc.c) */
	struct anycast_ctx *anycast;    /* mode = anycast instances (anycast.c), NULL: none */
	struct check_run_ctx *checks;   /* the check runners (check_run.c) */
	struct notify_ctx *notify;      /* notify hooks (notify.c) */
	struct nft_ctx *nft;            /* hafd's nftables tables (nft.c) */
	struct ctl *ctl;                /* control socket (ctl.c) */
	struct handover_ctx *handover;  /* a running hafctl handover (handover.c) */
	struct drain_ctx *drain;        /* drains after a handover (drain.c) */
	bool maintenance;               /* every instance yields (handover.h) */
	struct haproxy_sync *haproxy;   /* checks -> HAProxy servers (haproxy_sync.c) */
	struct vrrp_global_stats stats;
	struct log_ratelimit rx_log;    /* bad-packet log lines */
	char journal_path[256];         /* VIPs hafd added, for crash cleanup */
	bool stopping;
	int stop_signo;                 /* the signal that stops us, 0 if none */
};

#endif
