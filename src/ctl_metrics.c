/* ctl_metrics.c: `metrics` in the Prometheus text exposition format 0.0.4
 * (the list of metrics is in hafctl(8)). Enumerations (states, fault and
 * master reasons, check outcomes) are one series per value, 1 for the
 * current one and 0 for the others, as Prometheus recommends: a query
 * names the value, never a number whose meaning lives in a manual. Times
 * of last change are *_timestamp_seconds (wall clock), so that changes()
 * and time() - x work across scrapes.
 *
 * What the keepalived exporters offer, and hafd's equivalent
 * (docs/COMPATIBILITY.md has the table for users):
 *   keepalived_up                          hafd_up; up{job=...} of the scrape
 *   keepalived_vrrp_state                  hafd_instance_state{state}
 *   keepalived_become_master(_total)       hafd_master_transitions_total
 *   keepalived_release_master(_total)      hafd_release_master_total
 *   keepalived_advert_rcvd/sent            hafd_vrrp_rcvd/sent_advertisements_total
 *   keepalived_pri_zero_rcvd/sent          hafd_vrrp_rcvd/sent_pri_zero_total
 *   keepalived_packet_len_err              hafd_vrrp_packet_length_errors_total
 *   keepalived_advert_interval_err         hafd_vrrp_adv_interval_errors_total
 *   keepalived_ip_ttl_err                  hafd_vrrp_ip_ttl_errors_total
 *   keepalived_invalid_type_rcvd           hafd_vrrp_rcvd_invalid_type_total
 *   keepalived_addr_list_err               hafd_vrrp_address_list_errors_total
 *   keepalived_invalid_authtype, _authtype_mismatch, _auth_failure
 *                                          hafd_vrrp_auth_errors_total
 *   keepalived_script_status/_state,       hafd_check_state{state}, hafd_check_up
 *     keepalived_check_script_status
 *   keepalived_garp_delay                  none (a setting, not a measure)
 *   keepalived_ping_packet_loss, lvs_*     none (hafd pings nothing, has no LVS)
 * and beyond them: sync groups (hafd_group_members), tracked interfaces
 * (hafd_track_interface_up), fault reasons (hafd_instance_fault). */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "config.h"
#include "ctl_priv.h"
#include "hafd.h"
#include "check.h"
#include "json.h"
#include "notify.h"
#include "check_run.h"
#include "ifcache.h"
#include "vrrp.h"
#include "vrrp_inst.h"

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

static void inst_family(const struct ctl_view *v, struct sbuf *out, const char *name,
			const char *type, const char *help,
			unsigned long long (*get)(const struct ctl_view *, const struct vrrp_router *))
{
	head(out, name, type, help);
	for (size_t i = 0; i < v->h->n_routers; i++) {
		inst_series(out, name, v->h->routers[i]);
		sbuf_printf(out, "} %llu\n", get(v, v->h->routers[i]));
	}
}

static void inst_gauge(const struct ctl_view *v, struct sbuf *out, const char *name,
		       const char *help, unsigned long long (*get)(const struct ctl_view *,
								   const struct vrrp_router *))
{
	inst_family(v, out, name, "gauge", help, get);
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

/* A master that left: each entry into MASTER is counted when reported,
 * so every one but the current is a release. */
static unsigned long long get_released(const struct ctl_view *v, const struct vrrp_router *r)
{
	(void)v;
	return r->stats.master_transitions - (r->stats.master_transitions &&
					      r->reported == VRRP_STATE_MASTER);
}

/* A loop time as seconds since 1970; 0 for never. */
static double wall_of(const struct ctl_view *v, uint64_t t_us)
{
	if (!t_us || !v->now_wall)
		return 0;
	return v->now_wall - (v->now_us > t_us ? (double)(v->now_us - t_us) / 1e6 : 0.0);
}

/* One series per value of an enumeration: 1 for cur, 0 for the others. */
static void inst_enum(const struct ctl_view *v, struct sbuf *out, const char *name,
		      const char *help, const char *lname, int n,
		      const char *(*name_of)(int), int (*cur)(const struct vrrp_router *))
{
	head(out, name, "gauge", help);
	for (size_t i = 0; i < v->h->n_routers; i++) {
		for (int k = 0; k < n; k++) {
			inst_series(out, name, v->h->routers[i]);
			label(out, lname, name_of(k), false);
			sbuf_printf(out, "} %d\n", cur(v->h->routers[i]) == k);
		}
	}
}

static int cur_nmr(const struct vrrp_router *r)
{
	return (int)r->stats.new_master_reason;
}

static int cur_per(const struct vrrp_router *r)
{
	return (int)r->stats.proto_err_reason;
}

/* Every fault reason, one series each (several may be on at once). */
static void faults(const struct ctl_view *v, struct sbuf *out)
{
	static const unsigned bits[] = { VRRP_FAULT_LINK, VRRP_FAULT_NO_ADDR, VRRP_FAULT_TRACK_IF,
					 VRRP_FAULT_CHECK, VRRP_FAULT_GROUP, VRRP_FAULT_SOCKET,
					 VRRP_FAULT_VMAC };

	head(out, "hafd_instance_fault", "gauge",
	     "1 for each reason that holds the instance in FAULT.");
	for (size_t i = 0; i < v->h->n_routers; i++) {
		const struct vrrp_router *r = v->h->routers[i];

		for (unsigned k = 0; k < sizeof(bits) / sizeof(bits[0]); k++) {
			inst_series(out, "hafd_instance_fault", r);
			label(out, "reason", ctl_fault_name(k), false);
			sbuf_printf(out, "} %d\n", !!(r->inst.faults & bits[k]));
		}
	}
}

static void info(const struct ctl_view *v, struct sbuf *out)
{
	const struct hafd *h = v->h;

	head(out, "hafd_instance_info", "gauge",
	     "Always 1: the instance's family, VRRP version and sync group in labels.");
	for (size_t i = 0; i < h->n_routers; i++) {
		const struct cfg_instance *c = h->routers[i]->cfg;
		char ver[4];

		snprintf(ver, sizeof(ver), "%u", c->version);
		inst_series(out, "hafd_instance_info", h->routers[i]);
		label(out, "family", c->family == AF_INET6 ? "ipv6" : "ipv4", false);
		label(out, "version", ver, false);
		label(out, "group", c->group >= 0 ? h->cfg->groups[c->group].name : "", false);
		sbuf_puts(out, "} 1\n");
	}
}

/* Tracked interfaces as hafd sees them now (link up and present). */
static void track_ifs(const struct ctl_view *v, struct sbuf *out)
{
	const struct hafd *h = v->h;
	bool any = false;

	for (size_t i = 0; i < h->n_routers && !any; i++)
		any = h->routers[i]->cfg->n_track_ifs > 0;
	if (!any)
		return;
	head(out, "hafd_track_interface_up", "gauge",
	     "1 while a tracked interface (track_interface) is present and up.");
	for (size_t i = 0; i < h->n_routers; i++) {
		const struct cfg_instance *c = h->routers[i]->cfg;

		for (size_t k = 0; k < c->n_track_ifs; k++) {
			int idx = h->ifc ? ifcache_ifindex(h->ifc, c->track_ifs[k].ifname) : -1;

			inst_series(out, "hafd_track_interface_up", h->routers[i]);
			label(out, "track_interface", c->track_ifs[k].ifname, false);
			sbuf_printf(out, "} %d\n", idx > 0 && ifcache_link_up(h->ifc, idx));
		}
	}
}

/* Sync groups: how many members are in each state. A group whose members
 * disagree for longer than a transition is split. */
static void groups(const struct ctl_view *v, struct sbuf *out)
{
	static const enum vrrp_state states[] = { VRRP_STATE_INIT, VRRP_STATE_BACKUP,
						  VRRP_STATE_MASTER, VRRP_STATE_FAULT };
	const struct hafd *h = v->h;

	if (!h->cfg->n_groups)
		return;
	head(out, "hafd_group_members", "gauge", "Members of the sync group in each state.");
	for (size_t g = 0; g < h->cfg->n_groups; g++) {
		for (size_t s = 0; s < 4; s++) {
			unsigned n = 0;

			for (size_t i = 0; i < h->n_routers; i++)
				n += h->routers[i]->cfg->group == (long)g &&
				     h->routers[i]->inst.fsm.state == states[s];
			sbuf_puts(out, "hafd_group_members{");
			label(out, "group", h->cfg->groups[g].name, true);
			label(out, "state", vrrp_state_name(states[s]), false);
			sbuf_printf(out, "} %u\n", n);
		}
	}
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
	head(out, "hafd_instance_state_timestamp_seconds", "gauge",
	     "When the instance entered its state, in seconds since 1970.");
	for (size_t i = 0; i < h->n_routers; i++) {
		inst_series(out, "hafd_instance_state_timestamp_seconds", h->routers[i]);
		sbuf_printf(out, "} %.3f\n", wall_of(v, h->routers[i]->state_since_us));
	}
	inst_gauge(v, out, "hafd_instance_vips_up", "1 while the instance holds its VIPs.",
		   get_vips);
	inst_family(v, out, "hafd_release_master_total", "counter", "Times the instance left MASTER "
		   "(keepalived's release_master).", get_released);
	faults(v, out);
	info(v, out);
	inst_enum(v, out, "hafd_vrrp_new_master_reason", "vrrpv3StatisticsNewMasterReason: "
		  "1 for the reason this instance became master (not_master when it is not).",
		  "reason", 4, ctl_new_master_reason, cur_nmr);
	inst_enum(v, out, "hafd_vrrp_proto_err_reason", "vrrpv3StatisticsProtoErrReason: "
		  "1 for the last protocol error's kind.", "reason", 5, ctl_proto_err_reason,
		  cur_per);
	track_ifs(v, out);
	groups(v, out);
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

/* One series per check state: INIT is "unknown" (no verdict yet). */
static void pick_state(struct sbuf *out, const char *name, const struct check_run_status *ts)
{
	static const enum check_state states[] = { CHECK_ST_INIT, CHECK_ST_UP, CHECK_ST_DEGRADED,
						   CHECK_ST_DOWN };

	for (size_t i = 0; i < 4; i++) {
		check_series(out, name, ts);
		label(out, "state", check_state_name(states[i]), false);
		sbuf_printf(out, "} %d\n", ts->check->state == states[i]);
	}
}

/* What the last run found (ok, timeout, bad_status...), one series per kind. */
static void pick_last_kind(struct sbuf *out, const char *name, const struct check_run_status *ts)
{
	for (int k = 0; k < CHECK_KIND_N; k++) {
		check_series(out, name, ts);
		label(out, "kind", check_kind_name((enum check_kind)k), false);
		sbuf_printf(out, "} %d\n", ts->check->last_run_us && (int)ts->check->last_kind == k);
	}
}

static void pick_kinds(struct sbuf *out, const char *name, const struct check_run_status *ts)
{
	for (int k = 0; k < CHECK_KIND_N; k++) {
		check_series(out, name, ts);
		label(out, "kind", check_kind_name((enum check_kind)k), false);
		sbuf_printf(out, "} %llu\n", (unsigned long long)ts->check->c.kinds[k]);
	}
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

/* Times need the view's clocks, which pick() does not get: a loop of its own. */
static void check_times(const struct ctl_view *v, struct sbuf *out, const char *name,
			const char *help, bool last_run)
{
	struct check_run_status ts;

	head(out, name, "gauge", help);
	for (size_t i = 0; i < check_run_count(v->h); i++) {
		if (check_run_status(v->h, i, &ts) < 0)
			continue;
		check_series(out, name, &ts);
		sbuf_printf(out, "} %.3f\n", wall_of(v, last_run ? ts.check->last_run_us :
						      ts.check->since_us));
	}
}

static void checks(const struct ctl_view *v, struct sbuf *out)
{
	const struct hafd *h = v->h;

	if (!check_run_count(h))
		return;
	check_family(h, out, "hafd_check_up", "gauge",
		     "1 when the check is UP, 0 when it is INIT, DEGRADED or DOWN.", pick_up);
	check_family(h, out, "hafd_check_state", "gauge",
		     "1 for the check's state (INIT: no verdict yet), 0 for the others.",
		     pick_state);
	check_times(v, out, "hafd_check_state_timestamp_seconds",
		    "When the check entered its state, in seconds since 1970.", false);
	check_times(v, out, "hafd_check_last_run_timestamp_seconds",
		    "When the last run finished, in seconds since 1970; 0 before the first.", true);
	check_family(h, out, "hafd_check_last_outcome", "gauge",
		     "1 for what the last run found (ok, timeout, bad_status...).", pick_last_kind);
	check_family(h, out, "hafd_check_outcomes_total", "counter",
		     "Finished runs by what they found.", pick_kinds);
	check_family(h, out, "hafd_check_latency_seconds", "gauge",
		     "How long the last run took.", pick_latency);
	check_family(h, out, "hafd_check_runs_total", "counter",
		     "Finished runs by result (ignored: a non-pass inside the startup grace).",
		     pick_runs);
	check_family(h, out, "hafd_check_transitions_total", "counter",
		     "State changes of the check.", pick_transitions);
}

static void http_stats(const struct ctl_http_stats *s, struct sbuf *out)
{
	head(out, "hafd_metrics_http_requests_total", "counter",
	     "Requests to the /metrics endpoint, by the status answered.");
	sbuf_printf(out, "hafd_metrics_http_requests_total{code=\"200\"} %llu\n"
		    "hafd_metrics_http_requests_total{code=\"400\"} %llu\n"
		    "hafd_metrics_http_requests_total{code=\"404\"} %llu\n"
		    "hafd_metrics_http_requests_total{code=\"405\"} %llu\n",
		    (unsigned long long)s->ok, (unsigned long long)s->bad_request,
		    (unsigned long long)s->not_found, (unsigned long long)s->bad_method);
	global_counter(out, "hafd_metrics_http_refused_total",
		       "Connections turned away with 503: too many clients at once.", s->refused);
	global_counter(out, "hafd_metrics_http_timeouts_total",
		       "Connections dropped at the deadline.", s->timeouts);
}

void ctl_metrics(const struct ctl_view *v, struct sbuf *out)
{
	head(out, "hafd_up", "gauge", "1: hafd answered. A scrape that fails (up == 0) or a "
	     "series that is absent is a hafd that did not.");
	sbuf_puts(out, "hafd_up 1\n");
	head(out, "hafd_build_info", "gauge", "hafd's version, in the label (always 1).");
	sbuf_puts(out, "hafd_build_info{");
	label(out, "version", PACKAGE_VERSION, true);
	sbuf_puts(out, "} 1\n");
	head(out, "hafd_start_time_seconds", "gauge", "When hafd started, in seconds since 1970.");
	sbuf_printf(out, "hafd_start_time_seconds %lld\n", (long long)v->start_wall);
	instances(v, out);
	instance_counters(v, out);
	ctl_anycast_metrics(v, out);
	globals(v->h, out);
	checks(v, out);
	if (v->http)
		http_stats(v->http, out);
}
