/* ctl_metrics.c: `metrics` in the Prometheus text exposition format 0.0.4
 * (the list of metrics is in hafctl(8)). Instance states are one series
 * per state (1 for the current one, 0 for the others), as Prometheus
 * recommends for enumerations. */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "ctl_priv.h"
#include "hafd.h"
#include "check.h"
#include "json.h"
#include "notify.h"
#include "check_run.h"
#include "vrrp.h"

static void head(struct sbuf *out, const char *name, const char *type, const char *help)
{
	sbuf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A label value: backslash, double quote and newline escaped. */
static void label(struct sbuf *out, const char *name, const char *v, bool first)
{
	sbuf_printf(out, "%s%s=\"", first ? "" : ",", name);
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			sbuf_printf(out, "\\%c", *v);
		else if (*v == '\n')
			sbuf_puts(out, "\\n");
		else
			sbuf_add(out, v, 1);
	}
	sbuf_puts(out, "\"");
}

/* name{vrrp_instance="web",vrid="51",interface="eth0" (the brace left open).
 * Not "instance": Prometheus sets that label to the target it scraped, and
 * a series that brings its own gets it renamed to exported_instance. */
static void inst_series(struct sbuf *out, const char *name, const struct vrrp_router *r)
{
	char vrid[8];

	snprintf(vrid, sizeof(vrid), "%u", r->cfg->vrid);
	sbuf_printf(out, "%s{", name);
	label(out, "vrrp_instance", r->cfg->name, true);
	label(out, "vrid", vrid, false);
	label(out, "interface", r->cfg->ifname, false);
}

static void inst_gauge(const struct ctl_view *v, struct sbuf *out, const char *name,
		       const char *help, unsigned long long (*get)(const struct ctl_view *,
								   const struct vrrp_router *))
{
	head(out, name, "gauge", help);
	for (size_t i = 0; i < v->h->n_routers; i++) {
		inst_series(out, name, v->h->routers[i]);
		sbuf_printf(out, "} %llu\n", get(v, v->h->routers[i]));
	}
}

static unsigned long long get_prio(const struct ctl_view *v, const struct vrrp_router *r)
{
	(void)v;
	return r->cfg->priority;
}

static unsigned long long get_eff(const struct ctl_view *v, const struct vrrp_router *r)
{
	(void)v;
	return r->inst.params.priority;
}

static unsigned long long get_vips(const struct ctl_view *v, const struct vrrp_router *r)
{
	(void)v;
	return r->vips_up;
}

static unsigned long long get_nmr(const struct ctl_view *v, const struct vrrp_router *r)
{
	(void)v;
	return r->stats.new_master_reason;
}

static unsigned long long get_per(const struct ctl_view *v, const struct vrrp_router *r)
{
	(void)v;
	return r->stats.proto_err_reason;
}

static void instances(const struct ctl_view *v, struct sbuf *out)
{
	static const enum vrrp_state states[] = { VRRP_STATE_INIT, VRRP_STATE_BACKUP,
						  VRRP_STATE_MASTER, VRRP_STATE_FAULT };
	const struct hafd *h = v->h;

	head(out, "hafd_instance_state", "gauge",
	     "VRRP state: 1 for the state the instance is in, 0 for the others.");
	for (size_t i = 0; i < h->n_routers; i++) {
		for (size_t s = 0; s < 4; s++) {
			inst_series(out, "hafd_instance_state", h->routers[i]);
			label(out, "state", vrrp_state_name(states[s]), false);
			sbuf_printf(out, "} %d\n", h->routers[i]->inst.fsm.state == states[s]);
		}
	}
	head(out, "hafd_instance_state_seconds", "gauge", "Time since the last state change.");
	for (size_t i = 0; i < h->n_routers; i++) {
		const struct vrrp_router *r = h->routers[i];

		inst_series(out, "hafd_instance_state_seconds", r);
		sbuf_printf(out, "} %.3f\n", r->state_since_us && v->now_us > r->state_since_us ?
			    (double)(v->now_us - r->state_since_us) / 1e6 : 0.0);
	}
	inst_gauge(v, out, "hafd_instance_priority", "Configured (base) priority.", get_prio);
	inst_gauge(v, out, "hafd_instance_effective_priority",
		   "Priority advertised now, after tracked checks and interfaces.", get_eff);
	inst_gauge(v, out, "hafd_instance_vips_up", "1 while the instance holds its VIPs.",
		   get_vips);
	inst_gauge(v, out, "hafd_vrrp_new_master_reason", "vrrpv3StatisticsNewMasterReason: "
		   "0 not master, 1 priority, 2 preempted, 3 master no response.", get_nmr);
	inst_gauge(v, out, "hafd_vrrp_proto_err_reason", "vrrpv3StatisticsProtoErrReason: "
		   "0 none, 1 TTL, 2 version, 3 checksum, 4 VRID.", get_per);
}

static void instance_counters(const struct ctl_view *v, struct sbuf *out)
{
	for (size_t k = 0; k < ctl_n_router_counters; k++) {
		const struct ctl_counter *c = &ctl_router_counters[k];

		head(out, c->metric, "counter", c->help);
		for (size_t i = 0; i < v->h->n_routers; i++) {
			const struct vrrp_router *r = v->h->routers[i];
			uint64_t val;

			memcpy(&val, (const char *)&r->stats + c->off, sizeof(val));
			inst_series(out, c->metric, r);
			sbuf_printf(out, "} %llu\n", (unsigned long long)val);
		}
	}
}

static void global_counter(struct sbuf *out, const char *name, const char *help, uint64_t val)
{
	head(out, name, "counter", help);
	sbuf_printf(out, "%s %llu\n", name, (unsigned long long)val);
}

static void globals(const struct hafd *h, struct sbuf *out)
{
	const struct vrrp_global_stats *s = &h->stats;

	global_counter(out, "hafd_vrrp_checksum_errors_total",
		       "Packets with a bad checksum (vrrpv3RouterChecksumErrors).", s->checksum_errors);
	global_counter(out, "hafd_vrrp_version_errors_total",
		       "Packets of an unknown version (vrrpv3RouterVersionErrors).", s->version_errors);
	global_counter(out, "hafd_vrrp_vrid_errors_total",
		       "Adverts for VRIDs not configured here (vrrpv3RouterVrIdErrors).",
		       s->vrid_errors);
	global_counter(out, "hafd_vrrp_other_errors_total",
		       "Bad packets for VRIDs not configured here.", s->other_errors);
	head(out, "hafd_vrrp_checksum_form_received_total", "counter",
	     "IPv4 VRRPv3 adverts received, by the checksum form that verified.");
	sbuf_printf(out, "hafd_vrrp_checksum_form_received_total{form=\"rfc5798\"} %llu\n"
		    "hafd_vrrp_checksum_form_received_total{form=\"rfc9568\"} %llu\n",
		    (unsigned long long)s->csum_rfc5798_rx, (unsigned long long)s->csum_rfc9568_rx);
	global_counter(out, "hafd_notify_skipped_total",
		       "Notify hook runs skipped because a later transition superseded them.",
		       notify_skipped(h));
}

/* One series per check: the value comes from pick(). */
static void check_family(const struct hafd *h, struct sbuf *out, const char *name,
			 const char *type, const char *help,
			 void (*pick)(struct sbuf *, const char *, const struct check_run_status *))
{
	struct check_run_status ts;

	head(out, name, type, help);
	for (size_t i = 0; i < check_run_count(h); i++)
		if (check_run_status(h, i, &ts) == 0)
			pick(out, name, &ts);
}

static void check_series(struct sbuf *out, const char *name, const struct check_run_status *ts)
{
	sbuf_printf(out, "%s{", name);
	label(out, "check", ts->name, true);
	label(out, "type", ts->type, false);
}

static void pick_up(struct sbuf *out, const char *name, const struct check_run_status *ts)
{
	check_series(out, name, ts);
	sbuf_printf(out, "} %d\n", ts->check->state == CHECK_ST_UP);
}

static void pick_latency(struct sbuf *out, const char *name, const struct check_run_status *ts)
{
	check_series(out, name, ts);
	sbuf_printf(out, "} %.6f\n", (double)ts->check->latency_us / 1e6);
}

static void pick_runs(struct sbuf *out, const char *name, const struct check_run_status *ts)
{
	const struct check_counters *c = &ts->check->c;
	const char *const results[] = { "pass", "fail", "degraded", "ignored" };
	const uint64_t vals[] = { c->passes, c->fails, c->degraded, c->ignored };

	for (size_t i = 0; i < 4; i++) {
		check_series(out, name, ts);
		label(out, "result", results[i], false);
		sbuf_printf(out, "} %llu\n", (unsigned long long)vals[i]);
	}
}

static void pick_transitions(struct sbuf *out, const char *name, const struct check_run_status *ts)
{
	check_series(out, name, ts);
	sbuf_printf(out, "} %llu\n", (unsigned long long)ts->check->c.transitions);
}

static void checks(const struct hafd *h, struct sbuf *out)
{
	if (!check_run_count(h))
		return;
	check_family(h, out, "hafd_check_up", "gauge",
		     "1 when the check is UP, 0 when it is INIT, DEGRADED or DOWN.", pick_up);
	check_family(h, out, "hafd_check_latency_seconds", "gauge",
		     "How long the last run took.", pick_latency);
	check_family(h, out, "hafd_check_runs_total", "counter",
		     "Finished runs by result (ignored: a non-pass inside the startup grace).",
		     pick_runs);
	check_family(h, out, "hafd_check_transitions_total", "counter",
		     "State changes of the check.", pick_transitions);
}

void ctl_metrics(const struct ctl_view *v, struct sbuf *out)
{
	head(out, "hafd_build_info", "gauge", "hafd's version, in the label (always 1).");
	sbuf_puts(out, "hafd_build_info{");
	label(out, "version", PACKAGE_VERSION, true);
	sbuf_puts(out, "} 1\n");
	head(out, "hafd_start_time_seconds", "gauge", "When hafd started, in seconds since 1970.");
	sbuf_printf(out, "hafd_start_time_seconds %lld\n", (long long)v->start_wall);
	instances(v, out);
	instance_counters(v, out);
	globals(v->h, out);
	checks(v->h, out);
}
