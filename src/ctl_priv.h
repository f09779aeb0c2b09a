/* ctl_priv.h: between the control socket (ctl.c) and the renderers of what
 * it serves (ctl_status.c: text and JSON; ctl_metrics.c: Prometheus). */
#ifndef HAFD_CTL_PRIV_H
#define HAFD_CTL_PRIV_H

#include <stdint.h>
#include <time.h>

struct hafd;
struct sbuf;
struct vrrp_router;
struct vrrp_router_stats;

/* What a renderer looks at: the daemon, and the clocks at this instant. */
struct ctl_view {
	const struct hafd *h;
	uint64_t now_us;                /* loop clock (CLOCK_MONOTONIC) */
	uint64_t start_us;              /* when hafd started, same clock */
	time_t start_wall;              /* when hafd started, wall clock */
};

void ctl_status_text(const struct ctl_view *v, struct sbuf *out);
void ctl_status_json(const struct ctl_view *v, struct sbuf *out);
void ctl_metrics(const struct ctl_view *v, struct sbuf *out);

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

#endif
