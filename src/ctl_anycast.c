/* ctl_anycast.c: the anycast instances in `status`, text and JSON
 * (hafctl(8), hafd-anycast(7)): each one's state (announced,
 * less-preferred, withdrawn), why, since when, and where its addresses go. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "anycast.h"
#include "config.h"
#include "ctl_priv.h"
#include "hafd.h"
#include "json.h"

static const char *vips_text(const struct cfg_instance *in, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t k = 0; k < in->n_vips && off < len; k++) {
		char a[ADDR_STRLEN];
		int n = snprintf(buf + off, len - off, "%s%s", k ? "," : "",
				 addr_ntop(&in->vips[k], a, sizeof(a)));

		off += n > 0 ? (size_t)n : 0;
	}
	return buf;
}

/* Where the addresses are now: the interface the state puts them on. */
static const char *where(const struct anycast_status *st)
{
	switch (st->state) {
	case ANYCAST_ANNOUNCED: return st->cfg->ifname;
	case ANYCAST_LESS_PREFERRED: return st->cfg->degraded_ifname;
	case ANYCAST_WITHDRAWN: break;
	}
	return "-";
}

void ctl_anycast_text(const struct ctl_view *v, struct sbuf *out, bool after_table)
{
	const struct hafd *h = v->h;
	struct anycast_status st;
	char vips[256], since[32];

	if (!anycast_count(h))
		return;
	sbuf_printf(out, "%s%-16s %-15s %8s  %-15s %-24s %s\n", after_table ? "\n" : "", "ANYCAST", "STATE", "SINCE",
		    "ON", "ADDRESSES", "WHY");
	for (size_t i = 0; i < anycast_count(h); i++) {
		if (anycast_status_get(h, i, &st) < 0)
			continue;
		snprintf(since, sizeof(since), "%.1fs",
			 st.since_us && v->now_us > st.since_us ?
			 (double)(v->now_us - st.since_us) / 1e6 : 0.0);
		sbuf_printf(out, "%-16s %-15s %8s  %-15s %-24s %s%s", st.cfg->name,
			    anycast_state_name(st.state), since, where(&st),
			    vips_text(st.cfg, vips, sizeof(vips)), st.why,
			    st.handover ? " (handed over: hafctl resume)" : "");
		if (st.error)
			sbuf_printf(out, "; failing on %s: %s", st.error_if, strerror(st.error));
		sbuf_puts(out, "\n");
	}
}

void ctl_anycast_json(struct json *j, const struct ctl_view *v)
{
	const struct hafd *h = v->h;
	struct anycast_status st;
	char a[ADDR_STRLEN];

	json_arr_begin(j, "anycast");
	for (size_t i = 0; i < anycast_count(h); i++) {
		if (anycast_status_get(h, i, &st) < 0)
			continue;
		json_obj_begin(j, NULL);
		json_str(j, "name", st.cfg->name);
		json_str(j, "state", anycast_state_name(st.state));
		json_str(j, "reason", st.why);
		json_fixed(j, "since_seconds", st.since_us && v->now_us > st.since_us ?
			   (double)(v->now_us - st.since_us) / 1e6 : 0.0, 1);
		json_str(j, "interface", st.cfg->ifname);
		json_str(j, "degraded_interface", st.cfg->degraded_ifname[0] ?
			 st.cfg->degraded_ifname : NULL);
		json_arr_begin(j, "addresses");
		for (size_t k = 0; k < st.cfg->n_vips; k++)
			json_str(j, NULL, addr_ntop(&st.cfg->vips[k], a, sizeof(a)));
		json_arr_end(j);
		json_fixed(j, "lease_seconds", (double)st.cfg->lease_us / 1e6, 0);
		json_fixed(j, "drain_seconds", (double)st.cfg->drain_us / 1e6, 1);
		json_bool(j, "handover", st.handover);
		json_str(j, "error", st.error ? strerror(st.error) : NULL);
		json_obj_end(j);
	}
	json_arr_end(j);
}

/* /metrics: hafd_anycast_state{anycast_instance, state} (1 for the state it
 * is in), hafd_anycast_state_seconds. Only when there is one: a VRRP node's
 * metrics stay as they were. Names are letters, digits, '_', '-' and '.'
 * (config.c): no label escaping needed. */
void ctl_anycast_metrics(const struct ctl_view *v, struct sbuf *out)
{
	static const enum anycast_state states[] = { ANYCAST_ANNOUNCED, ANYCAST_LESS_PREFERRED,
						     ANYCAST_WITHDRAWN };
	const struct hafd *h = v->h;
	struct anycast_status st;

	if (!anycast_count(h))
		return;
	sbuf_puts(out, "# HELP hafd_anycast_state Anycast instance: 1 for the state it is in "
		  "(announced, less-preferred, withdrawn), 0 for the others.\n"
		  "# TYPE hafd_anycast_state gauge\n");
	for (size_t i = 0; i < anycast_count(h); i++)
		for (size_t s = 0; s < 3 && anycast_status_get(h, i, &st) == 0; s++)
			sbuf_printf(out, "hafd_anycast_state{anycast_instance=\"%s\",state=\"%s\"} %d\n",
				    st.cfg->name, anycast_state_name(states[s]), st.state == states[s]);
	sbuf_puts(out, "# HELP hafd_anycast_state_seconds Time since the anycast instance's last "
		  "state change.\n# TYPE hafd_anycast_state_seconds gauge\n");
	for (size_t i = 0; i < anycast_count(h); i++)
		if (anycast_status_get(h, i, &st) == 0)
			sbuf_printf(out, "hafd_anycast_state_seconds{anycast_instance=\"%s\"} %.3f\n",
				    st.cfg->name, st.since_us && v->now_us > st.since_us ?
				    (double)(v->now_us - st.since_us) / 1e6 : 0.0);
}
