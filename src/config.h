/* config.h: the parsed and validated configuration (CONFIG.md is the contract).
 * A struct hafd_config is immutable once config_load() returns it; a reload
 * builds a new one and swaps. */
#ifndef HAFD_CONFIG_H
#define HAFD_CONFIG_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "addr.h"
#include "metrics_rules.h"

enum cfg_csum_form {
	CFG_CSUM_RFC5798,       /* IPv4 VRRPv3 checksum with pseudo-header (keepalived, FRR) */
	CFG_CSUM_RFC9568,       /* IPv4 VRRPv3 checksum over the VRRP message only */
};

struct cfg_global {
	char *router_id;        /* default: hostname */
	int log_level;          /* LOG_ERR..LOG_DEBUG */
	char *runtime_dir;      /* default /run/hafd */
	char *control_socket;   /* default <runtime_dir>/hafd.sock */
	char *nft_table;        /* NULL when "none" */
	int nft_vrrp_cap;       /* VRRP/s from unknown sources, default 1000; 0: none */
	bool vip_lease;         /* default yes: serving a VIP needs a lease in the
				 * nft table that hafd renews (nft_want.c) */
	char *script_user;      /* default nobody */
	int script_user_line;   /* where it is set; 0 for the default */
	bool script_security;   /* default yes */
	enum cfg_csum_form v3_checksum;
	bool crash_guard;       /* default yes: a guard process cleans up if hafd dies */
	int realtime_priority;  /* SCHED_RR priority, default 10; 0: normal scheduling */
	bool metrics_listen;    /* default no (none): /metrics served over HTTP */
	struct hafd_addr metrics_addr;  /* with metrics_listen: where, port >= 1024 */
	uint16_t metrics_port;
	char *control_group;    /* may read status and metrics; NULL: root only */
	int control_group_line; /* where it is set; 0 for none */
	uint64_t drain_on_stop_us;      /* a stop hands over and drains this long
					 * first (drain.h); 0: no */
	char *notify_drain;     /* hook at the end of a drain; NULL: none */
};

enum check_type { CHECK_SCRIPT, CHECK_HTTP, CHECK_TCP, CHECK_FILE, CHECK_GPU, CHECK_METRICS };
enum check_on_timeout { CHECK_TIMEOUT_FAIL, CHECK_TIMEOUT_DEGRADE };
/* http: what is asked. GENERATE posts a one-token completion (check_net.c). */
enum check_request { CHECK_REQ_GET, CHECK_REQ_GENERATE, CHECK_REQ_PATRONI };
enum check_endpoint { CHECK_EP_COMPLETIONS, CHECK_EP_CHAT };

struct cfg_range {              /* inclusive status-code range */
	uint16_t lo, hi;
};

/* An HAProxy runtime API socket: a UNIX path, or HOST:PORT (a peer's
 * `stats socket ipv4@...`). */
#define HAPROXY_DEFAULT_SOCKET "/run/haproxy/admin.sock"

struct cfg_haproxy_socket {
	char *text;                     /* as written */
	bool is_unix;
	char path[108];                 /* sun_path */
	struct hafd_addr addr;
	uint16_t port;
	int line;
};

struct cfg_check {
	char *name;
	int line;                       /* line of the [check NAME] header */
	enum check_type type;
	uint64_t interval_us;           /* default 2s */
	uint64_t timeout_us;            /* default 1s */
	int rise, fall;                 /* default 2, 2 */
	int weight;                     /* -254..254; 0 = failure means FAULT */
	int degrade_weight;             /* -254..254 */
	uint64_t startup_grace_us;
	enum check_on_timeout on_timeout;
	int timeout_fall;               /* with on_timeout = degrade: this many
					 * timeouts in a row fail; 0 = never */
	uint64_t slow_after_us;         /* a pass slower than this is degraded; 0 = off */
	/* script */
	char *command;                  /* whole command line as written */
	int degrade_exit;               /* the exit status that means DEGRADED, 1..255,
					 * default 2; -1 (none): every non-zero exit
					 * fails, as keepalived's vrrp_script */
	int command_line;               /* the line of command */
	/* http */
	char *url;
	char *http_host;                /* host as in the URL: IPv4, [IPv6] or localhost */
	struct hafd_addr http_addr;     /* resolved numeric address */
	uint16_t http_port;             /* default 80 */
	char *http_path;                /* "/..." including any query */
	char *method;                   /* GET, POST, HEAD */
	char **headers;                 /* "Name: value" */
	size_t n_headers;
	char *body;
	struct cfg_range *expect_status;   /* default 200 */
	size_t n_expect_status;
	struct cfg_range *degrade_status;  /* default 429 */
	size_t n_degrade_status;
	char *expect_body;
	char **degrade_body;            /* a 5xx whose body holds one is degraded
					 * (saturated); default: the engines'
					 * queue-full answers; none: empty */
	size_t n_degrade_body;
	enum check_request request;     /* default get */
	enum check_endpoint endpoint;   /* generate: default completions */
	char *gen_base;                 /* generate: the URL's path less a trailing
					 * "/" and "/v1"; "" for the root */
	char *model;                    /* generate: NULL = the first of /v1/models */
	char *api_key_file;             /* generate: a file only its owner reads */
	bool stream;                    /* generate: pass at the first token (TTFT) */
	/* tcp */
	struct hafd_addr tcp_addr;
	uint16_t tcp_port;
	/* file */
	char *path;
	/* gpu (gpu.h) */
	int min_gpus;                   /* default 1: fewer healthy GPUs is fatal */
	int gpu_weight;                 /* 0: none; else the weight of each bad GPU */
	unsigned *xid_fatal, *xid_degrade;      /* default: NVIDIA's catalogue */
	size_t n_xid_fatal, n_xid_degrade;
	uint64_t xid_window_us;         /* a degrading Xid counts this long */
	char *nvml_library;             /* default libnvidia-ml.so.1 */
	char *xid_source;               /* default /dev/kmsg; NULL: none */
	/* metrics: url and header as for http, GET, status 200 */
	char *preset;                   /* as written, NULL = none */
	struct metrics_rule *rules;     /* the preset's and the rule lines, those
					 * turned off left out; at least one */
	size_t n_rules;
	int degrade_cap;                /* -254..-1, default -50 */
	/* haproxy (haproxy_sync.c): the HAProxy server this check's service is */
	char *haproxy_server;           /* "BACKEND/SERVER", NULL = none */
	struct cfg_haproxy_socket *haproxy_sockets;     /* default: one, the
							 * Debian package's */
	size_t n_haproxy_sockets;
	int haproxy_degrade_weight;     /* percent of the configured weight while
					 * DEGRADED, 1..100, default 50 */
};

struct cfg_track_if {
	char ifname[IFNAMSIZ];
	int weight;                     /* 0 = link down means FAULT */
	int line;                       /* where it is given */
};

#define CFG_MAX_FENCE_PORTS 16      /* fence_port: ports per instance */

struct cfg_instance {
	char *name;
	int line;                       /* line of the [instance NAME] header */
	char ifname[IFNAMSIZ];
	int ifname_line;                /* the line of interface */
	uint8_t vrid;
	uint8_t priority;               /* default 100; 255 = address owner */
	uint8_t version;                /* 2 or 3, default 3 */
	int family;                     /* AF_INET or AF_INET6, from the VIPs */
	uint16_t advert_interval_cs;    /* default 100 (1s) */
	bool preempt;                   /* default yes */
	uint64_t preempt_delay_us;
	uint64_t hold_down_us;          /* default 60 s: after a move, saturation
					 * (degraded checks) changes no priority */
	bool pair;                      /* resolved: explicit, or unicast with one peer */
	bool accept_mode;               /* default yes */
	struct hafd_addr *vips;         /* at least one, all of `family` */
	size_t n_vips;
	bool has_unicast_src;
	struct hafd_addr unicast_src;
	struct hafd_addr *peers;        /* unicast peers; none = multicast */
	size_t n_peers;
	bool unicast_ttl_check;         /* default no: unicast adverts may cross routers */
	bool use_vmac;
	size_t *tracks;                 /* indexes into hafd_config.checks */
	size_t n_tracks;
	struct cfg_track_if *track_ifs;
	size_t n_track_ifs;
	int garp_repeat;                /* default 5 */
	uint64_t garp_delay_us;         /* default 5s; 0 = no second burst */
	uint64_t garp_refresh_us;       /* default 0 = off */
	char *notify, *notify_master, *notify_backup, *notify_fault, *notify_stop;
	int hook_lines[5];              /* lines of notify_master, _backup, _fault,
					 * _stop and notify; 0 where unset */
	long group;                     /* index into hafd_config.groups, -1 for none */
	/* mode = anycast (hafd-anycast(7)): no VRRP; vips are announced
	 * through the routing daemon (anycast.h) */
	bool anycast;
	char degraded_ifname[IFNAMSIZ]; /* less preferred; "" = none */
	int degraded_ifname_line;
	uint64_t lease_us;              /* whole seconds, default 3 s */
	uint64_t drain_us;              /* maintenance: less preferred this long, default 10 s */
	/* fence_port: TCP ports whose connections to the VIPs hafd's nft
	 * table resets while the instance is not master here (nft.h). */
	uint16_t fence_ports[CFG_MAX_FENCE_PORTS];
	size_t n_fence_ports;
};

struct cfg_group {
	char *name;
	int line;
	size_t *instances;              /* indexes into hafd_config.instances */
	size_t n_instances;
	char *notify, *notify_master, *notify_backup, *notify_fault;
	int hook_lines[5];              /* as for an instance (no notify_stop) */
};

struct hafd_config {
	char *path;
	struct cfg_global global;
	struct cfg_instance *instances;
	size_t n_instances;
	struct cfg_check *checks;
	size_t n_checks;
	struct cfg_group *groups;
	size_t n_groups;
	/* The [instance]s with mode = anycast, moved out of instances once
	 * the file is read: nothing of VRRP sees them. */
	struct cfg_instance *anycasts;
	size_t n_anycasts;
	/* What loads but is probably not meant, one line each, in line order:
	 *   FILE:LINE: [section] key: warning: what, and why it matters
	 * config_load() does not print them: hafd -t and hafd's start do. */
	char **warnings;
	size_t n_warnings;
};

/* Every error found, each one line:
 *   FILE:LINE: [section] key: what is wrong (allowed: ...) */
struct config_errors {
	char **msgs;
	size_t n;
};

/* Parse and validate path. Returns 0 and *out, or -1 with errors in errs
 * (an unreadable file is one error naming the file and strerror). */
int config_load(const char *path, struct hafd_config **out, struct config_errors *errs);
/* Same from an open stream; name is used in messages. */
int config_load_stream(FILE *f, const char *name, struct hafd_config **out,
		       struct config_errors *errs);
void config_free(struct hafd_config *cfg);
void config_errors_free(struct config_errors *errs);
/* Append one message (printf-like) to errs. 0 or -1/errno. */
int config_errors_add(struct config_errors *errs, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* A script check or a notify hook is configured: something will run as
 * script_user. */
bool config_runs_scripts(const struct hafd_config *cfg);

/* Lookups by name; NULL when absent. */
const struct cfg_instance *config_instance(const struct hafd_config *cfg, const char *name);
const struct cfg_check *config_check(const struct hafd_config *cfg, const char *name);

/* Two instances whose running state can carry over a reload unchanged
 * (everything equal except what can change live: priority, preempt,
 * preempt_delay, hold_down, pair, unicast_ttl_check, notify hooks, garp settings and
 * tracks). */
bool config_instance_compatible(const struct cfg_instance *a, const struct cfg_instance *b);
/* Two checks that probe the same way with the same rise/fall/grace, so a
 * reload keeps the running check and its state (weights may differ). */
bool config_check_same_probe(const struct cfg_check *a, const struct cfg_check *b);

/* ---- what a reload changes (config_match.c) ---------------------------- */

/* A section of the new configuration and the old one's of the same name. */
enum config_fate {
	CONFIG_ADDED,           /* only in the new one */
	CONFIG_KEPT,            /* in both, and the running one can carry on:
				   config_instance_compatible, config_check_same_probe,
				   a group with the same members */
	CONFIG_CHANGED,         /* in both, but it must start again */
	CONFIG_REMOVED,         /* only in the old one */
};

struct config_pair {
	enum config_fate fate;
	size_t old_idx;         /* index in the old configuration (not ADDED) */
	size_t new_idx;         /* index in the new one (not REMOVED) */
};

/* The sections of one kind: pairs[k] for new section k (k < n_new), in the
 * new order, then the REMOVED ones in the old order, up to n. */
struct config_match {
	struct config_pair *pairs;
	size_t n, n_new;
};

struct config_diff {
	struct config_match instances, checks, groups;
};

/* Pair the sections of old (NULL: none, every section is ADDED) and new by
 * name, for each kind. 0, or -1 with ENOMEM. Free with config_match_free. */
int config_match(const struct hafd_config *old, const struct hafd_config *new,
		 struct config_diff *out);
void config_match_free(struct config_diff *d);
/* The pair of new section new_idx when the old configuration had one of
 * its name (KEPT or CHANGED), else NULL. */
const struct config_pair *config_match_old(const struct config_match *m, size_t new_idx);

#endif
