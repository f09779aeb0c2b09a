/* ctl_status.c: `status` as a text table and as JSON (hafctl(8) documents
 * the JSON members). */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "config.h"
#include "drain.h"
#include "haproxy_sync.h"
#include "ctl_priv.h"
#include "hafd.h"
#include "check.h"
#include "json.h"
#include "nft.h"
#include "notify.h"
#include "anycast.h"
#include "check_run.h"
#include "gpu.h"
#include "vrrp.h"

#define STAT(f) #f, offsetof(struct vrrp_router_stats, f)
const struct ctl_counter ctl_router_counters[] = {
	{ "hafd_master_transitions_total", "Times the instance became master.",
	  STAT(master_transitions) },
	{ "hafd_vrrp_rcvd_advertisements_total", "Valid adverts received "
	  "(vrrpv3StatisticsRcvdAdvertisements).", STAT(rcvd_advertisements) },
	{ "hafd_vrrp_adv_interval_errors_total", "Adverts with another interval "
	  "(vrrpv3StatisticsAdvIntervalErrors).", STAT(adv_interval_errors) },
	{ "hafd_vrrp_ip_ttl_errors_total", "Adverts with a TTL or hop limit other than 255 "
	  "(vrrpv3StatisticsIpTtlErrors).", STAT(ip_ttl_errors) },
	{ "hafd_vrrp_rcvd_pri_zero_total", "Adverts with priority 0 received "
	  "(vrrpv3StatisticsRcvdPriZeroPackets).", STAT(rcvd_pri_zero) },
	{ "hafd_vrrp_sent_pri_zero_total", "Adverts with priority 0 sent "
	  "(vrrpv3StatisticsSentPriZeroPackets).", STAT(sent_pri_zero) },
	{ "hafd_vrrp_rcvd_invalid_type_total", "Packets of an unknown type "
	  "(vrrpv3StatisticsRcvdInvalidTypePackets).", STAT(rcvd_invalid_type) },
	{ "hafd_vrrp_address_list_errors_total", "Adverts whose address list differs "
	  "(vrrpv3StatisticsAddressListErrors).", STAT(address_list_errors) },
	{ "hafd_vrrp_packet_length_errors_total", "Packets of a wrong length "
	  "(vrrpv3StatisticsPacketLengthErrors).", STAT(packet_length_errors) },
	{ "hafd_vrrp_sent_advertisements_total", "Adverts sent.", STAT(sent_advertisements) },
	{ "hafd_vrrp_send_errors_total", "Adverts, GARPs and NAs that could not be sent.",
	  STAT(send_errors) },
	{ "hafd_vrrp_interval_zero_errors_total", "Adverts with interval 0.",
	  STAT(interval_zero_errors) },
	{ "hafd_vrrp_auth_errors_total", "VRRPv2 adverts with authentication.",
	  STAT(auth_errors) },
	{ "hafd_vrrp_peer_errors_total", "Unicast adverts from addresses that are not peers.",
	  STAT(peer_errors) },
	{ "hafd_garp_sent_total", "Gratuitous ARPs sent.", STAT(garp_sent) },
	{ "hafd_na_sent_total", "Unsolicited neighbour advertisements sent.", STAT(na_sent) },
};
#undef STAT
const size_t ctl_n_router_counters = sizeof(ctl_router_counters) / sizeof(ctl_router_counters[0]);

/* ---- shared helpers ----------------------------------------------------- */

const char *ctl_fault_name(unsigned bit)
{
	/* By bit of enum vrrp_fault (vrrp_inst.h). */
	static const char *const names[] = { "link", "no_address", "track_interface", "check",
					     "group", "socket", "vmac" };

	return bit < sizeof(names) / sizeof(names[0]) ? names[bit] : "other";
}

const char *ctl_fault_names(unsigned faults, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (unsigned bit = 0; bit < 32 && off < len; bit++)
		if (faults & (1u << bit))
			off += (size_t)snprintf(buf + off, len - off, "%s%s", off ? "," : "",
						ctl_fault_name(bit));
	return buf;
}

const char *ctl_master_addr(const struct vrrp_router *r, char *buf, size_t len)
{
	const struct hafd_addr *a = NULL;

	if (r->inst.fsm.state == VRRP_STATE_MASTER)
		a = r->cfg->has_unicast_src ? &r->cfg->unicast_src : &r->inst.params.primary;
	else if (r->inst.fsm.state == VRRP_STATE_BACKUP)
		a = &r->inst.fsm.master_addr;
	return a && a->family ? addr_ntop(a, buf, len) : NULL;
}

const char *ctl_new_master_reason(int reason)
{
	static const char *const names[] = { "not_master", "priority", "preempted",
					     "master_no_response" };

	return reason >= 0 && reason < 4 ? names[reason] : "unknown";
}

const char *ctl_proto_err_reason(int reason)
{
	static const char *const names[] = { "no_error", "ip_ttl_error", "version_error",
					     "checksum_error", "vrid_error" };

	return reason >= 0 && reason < 5 ? names[reason] : "unknown";
}

int ctl_check_find(const struct hafd *h, const char *name, struct check_run_status *out)
{
	for (size_t i = 0; i < check_run_count(h); i++)
		if (check_run_status(h, i, out) == 0 && !strcmp(out->name, name))
			return 0;
	return -1;
}

/* "850ms", "12.3s", "5m02s", "3h04m", "2d03h" */
static const char *fmt_age(uint64_t us, char *buf, size_t len)
{
	uint64_t s = us / 1000000u;

	if (us < 1000000u)
		snprintf(buf, len, "%llums", (unsigned long long)(us / 1000u));
	else if (s < 60)
		snprintf(buf, len, "%.1fs", (double)us / 1e6);
	else if (s < 3600)
		snprintf(buf, len, "%llum%02llus", (unsigned long long)(s / 60),
			 (unsigned long long)(s % 60));
	else if (s < 86400)
		snprintf(buf, len, "%lluh%02llum", (unsigned long long)(s / 3600),
			 (unsigned long long)(s / 60 % 60));
	else
		snprintf(buf, len, "%llud%02lluh", (unsigned long long)(s / 86400),
			 (unsigned long long)(s / 3600 % 24));
	return buf;
}

static uint64_t age(uint64_t now, uint64_t then)
{
	return then && now > then ? now - then : 0;
}

/* ---- text --------------------------------------------------------------- */

/* A table of strings: columns as wide as their widest cell. */
struct table {
	size_t ncols, n;
	char **cells;
	const char *right;              /* per column: 'r' aligns right */
	bool failed;
};

static void cell(struct table *t, const char *fmt, ...) LOG_FMT(2, 3);
static void cell(struct table *t, const char *fmt, ...)
{
	char **nc = realloc(t->cells, (t->n + 1) * sizeof(*nc));
	va_list ap;
	int rc;

	if (!nc) {
		t->failed = true;
		return;
	}
	t->cells = nc;
	va_start(ap, fmt);
	rc = vasprintf(&t->cells[t->n], fmt, ap);
	va_end(ap);
	if (rc < 0)
		t->cells[t->n] = NULL;
	t->n++;
}

static void table_free(struct table *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->cells[i]);
	free(t->cells);
	t->cells = NULL;
	t->n = 0;
}

/* Print t and free its cells. */
static void table_print(struct table *t, struct sbuf *out)
{
	size_t w[16] = { 0 };

	if (t->failed || t->ncols > 16) {
		out->failed = true;
		goto free;
	}
	for (size_t i = 0; i < t->n; i++) {
		size_t l = t->cells[i] ? strlen(t->cells[i]) : 0;

		if (l > w[i % t->ncols])
			w[i % t->ncols] = l;
	}
	for (size_t i = 0; i < t->n; i++) {
		size_t col = i % t->ncols;
		bool last = col == t->ncols - 1;
		int width = (int)w[col];
		const char *s = t->cells[i] ? t->cells[i] : "?";

		if (t->right[col] == 'r')
			sbuf_printf(out, "%*s", width, s);
		else
			sbuf_printf(out, "%-*s", last ? 0 : width, s);
		sbuf_puts(out, last ? "\n" : "  ");
	}
free:
	table_free(t);
}

/* "vllm:UP,gpu:DOWN" */
static void instance_checks_text(const struct hafd *h, const struct cfg_instance *c,
				 struct sbuf *b)
{
	struct check_run_status ts;

	for (size_t k = 0; k < c->n_tracks; k++) {
		const char *name = h->cfg->checks[c->tracks[k]].name;

		sbuf_printf(b, "%s%s:%s", k ? "," : "", name, ctl_check_find(h, name, &ts) == 0 ?
			    check_state_name(ts.check->state) : "-");
	}
	if (!c->n_tracks)
		sbuf_puts(b, "-");
}

static void instance_row(const struct ctl_view *v, const struct vrrp_router *r, struct table *t)
{
	const struct cfg_instance *c = r->cfg;
	char buf[ADDR_STRLEN], f[96], a[32];
	struct sbuf vips, checks;
	const char *m;

	sbuf_init(&vips, 0);
	sbuf_init(&checks, 0);
	for (size_t i = 0; i < c->n_vips; i++)
		sbuf_printf(&vips, "%s%s", i ? "," : "", addr_format(&c->vips[i], buf, sizeof(buf)));
	instance_checks_text(v->h, c, &checks);
	cell(t, "%s", c->name);
	cell(t, "%u", c->vrid);
	cell(t, "%s", c->ifname);
	if (r->inst.faults)
		cell(t, "%s(%s)", vrrp_state_name(r->inst.fsm.state), ctl_fault_names(r->inst.faults, f, sizeof(f)));
	else
		cell(t, "%s", vrrp_state_name(r->inst.fsm.state));
	cell(t, "%u", c->priority);
	cell(t, "%u%s", r->inst.params.priority, r->yielding ? " (yields)" : "");
	m = ctl_master_addr(r, buf, sizeof(buf));
	cell(t, "%s%s", m ? m : "-", m && r->inst.fsm.state == VRRP_STATE_MASTER ? " (us)" : "");
	cell(t, "%s", fmt_age(age(v->now_us, r->state_since_us), a, sizeof(a)));
	cell(t, "%s", vips.failed || !vips.p ? "?" : vips.p);
	cell(t, "%s", checks.failed || !checks.p ? "?" : checks.p);
	sbuf_free(&vips);
	sbuf_free(&checks);
}

/* One line per HAProxy server a check steers: what HAProxy acknowledged,
 * and the last failure while commands fail. */
static void haproxy_text(const struct ctl_view *v, struct sbuf *out)
{
	struct check_run_status ts;
	struct haproxy_sync_view hv;

	for (size_t i = 0; i < check_run_count(v->h); i++) {
		if (check_run_status(v->h, i, &ts) < 0)
			continue;
		for (size_t k = 0; haproxy_sync_view(v->h, i, k, &hv) == 0; k++)
			sbuf_printf(out, "haproxy: %s via %s: %s (check %s)%s%s\n", hv.server,
				    hv.socket, hv.state, ts.name, hv.error ? ": failing: " : "",
				    hv.error ? hv.error : "");
	}
}

static void checks_text(const struct ctl_view *v, struct sbuf *out)
{
	static const char *const head[] = { "CHECK", "TYPE", "STATE", "LAST", "SINCE",
					    "LATENCY", "REASON", NULL };
	struct table t = { .ncols = 7, .right = "lllllrl" };
	struct check_run_status ts;
	char a[32], l[32];

	for (const char *const *c = head; *c; c++)
		cell(&t, "%s", *c);
	for (size_t i = 0; i < check_run_count(v->h); i++) {
		const struct check *hs;

		if (check_run_status(v->h, i, &ts) < 0)
			continue;
		hs = ts.check;
		cell(&t, "%s", ts.name);
		cell(&t, "%s", ts.type);
		cell(&t, "%s", check_state_name(hs->state));
		cell(&t, "%s", check_result_name(hs->last));
		cell(&t, "%s", fmt_age(age(v->now_us, hs->since_us), a, sizeof(a)));
		cell(&t, "%s", hs->last == CHECK_RES_NONE ? "-" : fmt_age(hs->latency_us, l, sizeof(l)));
		cell(&t, "%s", hs->reason[0] ? hs->reason : "-");
	}
	table_print(&t, out);
	haproxy_text(v, out);
}

/* Each GPU of the gpu checks: index, PCI address, state, Xid. None when
 * no gpu check has seen a GPU yet. */
static void gpus_text(const struct ctl_view *v, struct sbuf *out)
{
	static const char *const head[] = { "CHECK", "GPU", "PCI", "STATE", "XID", NULL };
	struct table t = { .ncols = 5, .right = "lrlll" };
	struct check_run_status ts;
	struct gpu_dev_view g;
	bool any = false;

	for (size_t i = 0; i < check_run_count(v->h) && !any; i++)
		any = check_run_status(v->h, i, &ts) == 0 && ts.gpu &&
		      gpu_device_view(ts.gpu, 0, v->now_us, &g) == 0;
	if (!any)
		return;
	for (const char *const *c = head; *c; c++)
		cell(&t, "%s", *c);
	for (size_t i = 0; i < check_run_count(v->h); i++) {
		if (check_run_status(v->h, i, &ts) < 0 || !ts.gpu)
			continue;
		for (int k = 0; gpu_device_view(ts.gpu, k, v->now_us, &g) == 0; k++) {
			cell(&t, "%s", ts.name);
			cell(&t, "%d", k);
			cell(&t, "%s", g.pci);
			cell(&t, "%s", g.state);
			if (g.xid)
				cell(&t, "%u", g.xid);
			else
				cell(&t, "%s", "-");
		}
	}
	sbuf_puts(out, "\n");
	table_print(&t, out);
}

void ctl_status_text(const struct ctl_view *v, struct sbuf *out)
{
	static const char *const head[] = { "INSTANCE", "VRID", "INTERFACE", "STATE", "PRIO",
					    "EFFECTIVE", "MASTER", "SINCE", "VIPS", "CHECKS", NULL };
	const struct hafd *h = v->h;
	struct table t = { .ncols = 10, .right = "lrllrrllll" };
	char a[32];

	sbuf_printf(out, "hafd %s, pid %ld, router %s, up %s, config %s\n\n", PACKAGE_VERSION,
		    (long)getpid(), h->cfg->global.router_id,
		    fmt_age(age(v->now_us, v->start_us), a, sizeof(a)), h->opts.config_file);
	if (h->maintenance)
		sbuf_puts(out, "maintenance mode: every instance yields ('hafctl maintenance off' "
			  "ends it)\n\n");
	{
		char drains[1024];      /* hafctl handover --drain (drain.h) */

		if (drain_describe(h, drains, sizeof(drains)))
			sbuf_printf(out, "%s\n", drains);
	}
	for (const char *const *c = head; *c; c++)
		cell(&t, "%s", *c);
	for (size_t i = 0; i < h->n_routers; i++)
		instance_row(v, h->routers[i], &t);
	/* A node with anycast instances only has no VRRP table to show. */
	if (h->n_routers || !anycast_count(h))
		table_print(&t, out);
	else
		table_free(&t);         /* the heading cells */
	ctl_anycast_text(v, out, h->n_routers > 0);
	if (check_run_count(h)) {
		sbuf_puts(out, "\n");
		checks_text(v, out);
		gpus_text(v, out);
	}
}

/* ---- JSON --------------------------------------------------------------- */

static void json_addrs(struct json *j, const char *key, const struct hafd_addr *a, size_t n,
		       bool prefix)
{
	char buf[ADDR_STRLEN];

	json_arr_begin(j, key);
	for (size_t i = 0; i < n; i++)
		json_str(j, NULL, prefix ? addr_format(&a[i], buf, sizeof(buf)) :
			 addr_ntop(&a[i], buf, sizeof(buf)));
	json_arr_end(j);
}

static void json_router_stats(struct json *j, const struct vrrp_router_stats *s)
{
	json_obj_begin(j, "counters");
	for (size_t i = 0; i < ctl_n_router_counters; i++) {
		const struct ctl_counter *k = &ctl_router_counters[i];
		uint64_t val;

		memcpy(&val, (const char *)s + k->off, sizeof(val));
		json_uint(j, k->key, val);
	}
	json_obj_end(j);
	json_str(j, "new_master_reason", ctl_new_master_reason(s->new_master_reason));
	json_str(j, "proto_err_reason", ctl_proto_err_reason(s->proto_err_reason));
}

static void json_instance_checks(struct json *j, const struct hafd *h,
				 const struct cfg_instance *c)
{
	struct check_run_status ts;

	json_arr_begin(j, "checks");
	for (size_t k = 0; k < c->n_tracks; k++) {
		const struct cfg_check *chk = &h->cfg->checks[c->tracks[k]];

		json_obj_begin(j, NULL);
		json_str(j, "name", chk->name);
		json_str(j, "state", ctl_check_find(h, chk->name, &ts) == 0 ?
			 check_state_name(ts.check->state) : NULL);
		json_int(j, "weight", chk->weight);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_arr_begin(j, "track_interfaces");
	for (size_t k = 0; k < c->n_track_ifs; k++) {
		json_obj_begin(j, NULL);
		json_str(j, "name", c->track_ifs[k].ifname);
		json_int(j, "weight", c->track_ifs[k].weight);
		json_obj_end(j);
	}
	json_arr_end(j);
}

static void json_instance(struct json *j, const struct ctl_view *v, const struct vrrp_router *r)
{
	const struct cfg_instance *c = r->cfg;
	char buf[ADDR_STRLEN];
	const char *m = ctl_master_addr(r, buf, sizeof(buf));

	json_obj_begin(j, NULL);
	json_str(j, "name", c->name);
	json_int(j, "vrid", c->vrid);
	json_str(j, "interface", c->ifname);
	json_str(j, "family", c->family == AF_INET6 ? "ipv6" : "ipv4");
	json_int(j, "version", c->version);
	json_str(j, "state", vrrp_state_name(r->inst.fsm.state));
	json_arr_begin(j, "faults");
	for (unsigned bit = 0; bit < 32; bit++)
		if (r->inst.faults & (1u << bit))
			json_str(j, NULL, ctl_fault_name(bit));
	json_arr_end(j);
	json_int(j, "priority", c->priority);
	json_int(j, "effective_priority", r->inst.params.priority);
	json_str(j, "master_address", m);
	if (r->inst.fsm.state == VRRP_STATE_BACKUP && m)
		json_int(j, "master_priority", r->inst.fsm.master_prio);
	else if (r->inst.fsm.state == VRRP_STATE_MASTER)
		json_int(j, "master_priority", r->inst.params.priority);
	else
		json_null(j, "master_priority");
	json_str(j, "primary_address", r->inst.params.primary.family ?
		 addr_ntop(&r->inst.params.primary, buf, sizeof(buf)) : NULL);
	json_fixed(j, "time_in_state_s", (double)age(v->now_us, r->state_since_us) / 1e6, 3);
	json_int(j, "advert_interval_ms", c->advert_interval_cs * 10);
	json_bool(j, "preempt", r->inst.params.preempt);
	json_bool(j, "yielding", r->yielding);
	json_int(j, "preempt_delay_ms", (long long)(c->preempt_delay_us / 1000u));
	json_int(j, "hold_down_ms", (long long)(c->hold_down_us / 1000u));
	/* A priority change from degraded checks waiting for the hold to end. */
	json_int(j, "hold_down_left_ms", timer_armed(&r->hold_timer) ?
		 (long long)(age(r->hold_timer.due_us, v->now_us) / 1000u) : 0);
	json_bool(j, "accept_mode", c->accept_mode);
	json_addrs(j, "vips", c->vips, c->n_vips, true);
	json_bool(j, "vips_up", r->vips_up);
	/* A former master draining its connections after a handover --drain. */
	json_bool(j, "draining", drain_active(v->h, r));
	json_addrs(j, "unicast_peers", c->peers, c->n_peers, false);
	json_str(j, "group", c->group >= 0 ? v->h->cfg->groups[c->group].name : NULL);
	json_instance_checks(j, v->h, c);
	json_router_stats(j, &r->stats);
	json_obj_end(j);
}

static void json_check_counters(struct json *j, const struct check_run_status *ts)
{
	const struct check_counters *k = &ts->check->c;

	json_obj_begin(j, "counters");
	json_uint(j, "runs", k->runs);
	json_uint(j, "passes", k->passes);
	json_uint(j, "fails", k->fails);
	json_uint(j, "degraded", k->degraded);
	json_uint(j, "ignored", k->ignored);
	json_uint(j, "transitions", k->transitions);
	json_uint(j, "skipped", ts->skipped);
	json_uint(j, "sigkilled", ts->sigkilled);
	json_obj_begin(j, "kinds");
	for (int i = 0; i < CHECK_KIND_N; i++)
		json_uint(j, check_kind_name((enum check_kind)i), k->kinds[i]);
	json_obj_end(j);
	json_obj_end(j);
}

/* haproxy_server: the server's state in each HAProxy, as acknowledged. */
static void json_check_haproxy(struct json *j, const struct hafd *h, size_t idx)
{
	struct haproxy_sync_view hv;

	if (haproxy_sync_view(h, idx, 0, &hv) < 0)
		return;
	json_arr_begin(j, "haproxy");
	for (size_t k = 0; haproxy_sync_view(h, idx, k, &hv) == 0; k++) {
		json_obj_begin(j, NULL);
		json_str(j, "server", hv.server);
		json_str(j, "socket", hv.socket);
		json_str(j, "state", strcmp(hv.state, "-") ? hv.state : NULL);
		json_bool(j, "pending", hv.pending);
		json_str(j, "error", hv.error);
		json_obj_end(j);
	}
	json_arr_end(j);
}

static void json_check(struct json *j, const struct ctl_view *v, size_t idx,
		       const struct check_run_status *ts)
{
	const struct check *hs = ts->check;
	bool ran = hs->last != CHECK_RES_NONE;

	json_obj_begin(j, NULL);
	json_str(j, "name", ts->name);
	json_str(j, "type", ts->type);
	json_str(j, "state", check_state_name(hs->state));
	json_fixed(j, "time_in_state_s", (double)age(v->now_us, hs->since_us) / 1e6, 3);
	json_bool(j, "in_grace", check_in_grace(hs, v->now_us));
	json_str(j, "last_result", check_result_name(hs->last));
	json_str(j, "last_kind", ran ? check_kind_name(hs->last_kind) : NULL);
	json_str(j, "reason", ran ? hs->reason : NULL);
	if (ran) {
		json_fixed(j, "latency_ms", (double)hs->latency_us / 1e3, 3);
		json_fixed(j, "last_run_ago_s", (double)age(v->now_us, hs->last_run_us) / 1e6, 3);
	} else {
		json_null(j, "latency_ms");
		json_null(j, "last_run_ago_s");
	}
	json_bool(j, "running", ts->running);
	json_int(j, "weight", hs->p.weight);
	json_int(j, "rise", hs->p.rise);
	json_int(j, "fall", hs->p.fall);
	if (ts->gpu) {
		struct gpu_dev_view g;

		/* Each GPU the check has seen, in NVML's index order. */
		json_arr_begin(j, "gpus");
		for (int k = 0; gpu_device_view(ts->gpu, k, v->now_us, &g) == 0; k++) {
			json_obj_begin(j, NULL);
			json_int(j, "index", k);
			json_str(j, "pci", g.pci);
			json_str(j, "state", g.state);
			json_bool(j, "bad", g.bad);
			if (g.xid)
				json_int(j, "xid", g.xid);
			else
				json_null(j, "xid");
			json_obj_end(j);
		}
		json_arr_end(j);
	}
	json_check_haproxy(j, v->h, idx);
	json_check_counters(j, ts);
	json_obj_end(j);
}

static void json_daemon(struct json *j, const struct ctl_view *v)
{
	const struct cfg_global *g = &v->h->cfg->global;

	json_obj_begin(j, "hafd");
	json_str(j, "version", PACKAGE_VERSION);
	json_int(j, "pid", (long long)getpid());
	json_fixed(j, "uptime_s", (double)age(v->now_us, v->start_us) / 1e6, 3);
	json_int(j, "started_at", (long long)v->start_wall);
	json_str(j, "config", v->h->opts.config_file);
	json_str(j, "router_id", g->router_id);
	json_str(j, "runtime_dir", g->runtime_dir);
	json_str(j, "control_socket", g->control_socket);
	json_bool(j, "maintenance", v->h->maintenance);
	json_obj_end(j);
}

static void json_global(struct json *j, const struct hafd *h)
{
	const struct vrrp_global_stats *s = &h->stats;

	json_obj_begin(j, "counters");
	json_uint(j, "checksum_errors", s->checksum_errors);
	json_uint(j, "version_errors", s->version_errors);
	json_uint(j, "vrid_errors", s->vrid_errors);
	json_uint(j, "other_errors", s->other_errors);
	json_uint(j, "csum_rfc5798_rx", s->csum_rfc5798_rx);
	json_uint(j, "csum_rfc9568_rx", s->csum_rfc9568_rx);
	json_uint(j, "notify_skipped", notify_skipped(h));
	json_obj_end(j);
}

/* What nft.c reads back from the kernel, as it encodes it; null when it
 * cannot say. */
static void json_nft(struct json *j, const struct hafd *h)
{
	for (size_t len = 16384; len <= (1u << 22); len *= 4) {
		char *buf = malloc(len);
		int n = buf ? nft_status(h->nft, buf, len) : -1;

		if (n >= 0)
			json_raw(j, "nft", buf);
		free(buf);
		if (n >= 0)
			return;
		if (!buf || errno != ENOSPC)
			break;
	}
	json_null(j, "nft");
}

void ctl_status_json(const struct ctl_view *v, struct sbuf *out)
{
	const struct hafd *h = v->h;
	struct check_run_status ts;
	struct json j;

	json_init(&j, out);
	json_obj_begin(&j, NULL);
	json_daemon(&j, v);
	json_arr_begin(&j, "instances");
	for (size_t i = 0; i < h->n_routers; i++)
		json_instance(&j, v, h->routers[i]);
	json_arr_end(&j);
	ctl_anycast_json(&j, v);
	json_arr_begin(&j, "checks");
	for (size_t i = 0; i < check_run_count(h); i++)
		if (check_run_status(h, i, &ts) == 0)
			json_check(&j, v, i, &ts);
	json_arr_end(&j);
	json_global(&j, h);
	json_nft(&j, h);
	json_obj_end(&j);
	sbuf_puts(out, "\n");
}
