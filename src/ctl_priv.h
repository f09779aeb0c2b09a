/* ctl_priv.h: between the control socket (ctl.c) and the renderers of what
 * it serves (ctl_status.c: text and JSON; ctl_metrics.c: Prometheus). */
#ifndef HAFD_CTL_PRIV_H
#define HAFD_CTL_PRIV_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

struct hafd;
struct sbuf;
struct vrrp_router;
struct vrrp_router_stats;

/* What the /metrics endpoint counted (ctl_http.c). */
struct ctl_http_stats {
	uint64_t ok, not_found, bad_method, bad_request;        /* answers by status */
	uint64_t refused;               /* over CTL_HTTP_MAX_CLIENTS: 503 */
	uint64_t timeouts;              /* dropped at the deadline */
};

/* What a renderer looks at: the daemon, and the clocks at this instant. */
struct ctl_view {
	const struct hafd *h;
	uint64_t now_us;                /* loop clock (CLOCK_MONOTONIC) */
	uint64_t start_us;              /* when hafd started, same clock */
	time_t start_wall;              /* when hafd started, wall clock */
	double now_wall;                /* CLOCK_REALTIME now, in seconds: turns
					 * loop times into *_timestamp_seconds */
	const struct ctl_http_stats *http;      /* NULL without metrics_listen */
};

/* The HTTP endpoint on metrics_listen (ctl_http.c; limits in ctl.h). */
struct ctl_http;
int ctl_http_open(struct ctl_http **out, struct hafd *h, uint64_t start_us, time_t start_wall);
void ctl_http_close(struct ctl_http *s);
const struct ctl_http_stats *ctl_http_stats(const struct ctl_http *s);     /* NULL: off */

void ctl_status_text(const struct ctl_view *v, struct sbuf *out);
void ctl_status_json(const struct ctl_view *v, struct sbuf *out);
void ctl_metrics(const struct ctl_view *v, struct sbuf *out);
/* The anycast instances' part of status (ctl_anycast.c). */
struct json;
/* after_table: a table comes before it (a blank line between). */
void ctl_anycast_text(const struct ctl_view *v, struct sbuf *out, bool after_table);
void ctl_anycast_json(struct json *j, const struct ctl_view *v);
void ctl_anycast_metrics(const struct ctl_view *v, struct sbuf *out);
/* CLOCK_REALTIME in seconds, for ctl_view.now_wall. */
double ctl_wall_now(void);

/* The RFC 6527 counters (and hafd's own per-instance counters) by name,
 * for JSON and metrics alike. */
struct ctl_counter {
	const char *metric;             /* Prometheus name */
	const char *help;
	const char *key;                /* JSON member: the field's name */
	size_t off;                     /* of the uint64_t in vrrp_router_stats */
};
extern const struct ctl_counter ctl_router_counters[];
extern const size_t ctl_n_router_counters;

/* Helpers shared by the renderers. */
const char *ctl_fault_name(unsigned bit);        /* of enum vrrp_fault: "link" */
const char *ctl_fault_names(unsigned faults, char *buf, size_t len);    /* "link,check" */
/* The master's address as this router knows it (ours when master), or
 * NULL; buf holds at least ADDR_STRLEN bytes. */
const char *ctl_master_addr(const struct vrrp_router *r, char *buf, size_t len);
const char *ctl_new_master_reason(int reason);
const char *ctl_proto_err_reason(int reason);
/* A check's status by name: 0, or -1 when it has none (not running). */
struct check_run_status;
int ctl_check_find(const struct hafd *h, const char *name, struct check_run_status *out);

struct loop;
struct timer;
struct log_ratelimit;
/* Accept what waits on listening socket fd (a burst at most), handing each
 * connection to take(arg, cfd); on an error that would make the loop spin
 * (no descriptors, no memory), stop watching fd and arm resume for a
 * second later (its callback watches fd again). what names the socket in
 * the log. */
void ctl_accept_burst(struct loop *l, int fd, struct timer *resume,
		      struct log_ratelimit *rl, const char *what,
		      void (*take)(void *arg, int cfd), void *arg);

#endif
