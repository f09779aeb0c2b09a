/* kaconv_inst.c: a keepalived vrrp_instance into [instance NAME]. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "json.h"
#include "kaconv_priv.h"

struct inst {
	struct kaconv *k;
	struct sbuf *b;
	const struct ka_node *n;        /* the vrrp_instance */
	const char *ifname;             /* NULL when not given */
	const struct ka_node *vips;     /* the virtual_ipaddress block being read */
	int version;
	char where[96];                 /* "vrrp_instance VI_1" */
};

typedef void (*inst_fn)(struct inst *in, const struct ka_node *n);

/* Words after the address (label, brd, scope...) that hafd drops. */
static void words_warn(struct inst *in, const struct ka_node *n, const char *what)
{
	char buf[160];

	if (n->n > 1)
		kc_warn(in->k, n->line, "%s %s in %s: dropped '%s'", what, n->w[0], in->where,
			kc_words(n, 1, buf, sizeof(buf)));
}

/* A VIP's words but "dev IFNAME" of the instance's own interface. */
static void vip_words_warn(struct inst *in, const struct ka_node *n)
{
	char buf[160];
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 1; i < n->n && off < sizeof(buf); i++) {
		if (!strcmp(n->w[i], "dev") && i + 1 < n->n) {
			i++;
			continue;
		}
		off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s%s", off ? " " : "",
					n->w[i]);
	}
	if (buf[0])
		kc_warn(in->k, n->line, "virtual_ipaddress %s in %s: dropped '%s'", n->w[0],
			in->where, buf);
}

/* The address part of ADDR[/PREFIX], for comparing. */
static void addr_part(const char *a, char *buf, size_t len)
{
	snprintf(buf, len, "%.*s", (int)strcspn(a, "/"), a);
}

static void vip_line(struct inst *in, const struct ka_node *n)
{
	const struct ka_node *v = in->vips->kids;
	const char *dev = NULL;
	char a[128], b[128];

	for (size_t i = 1; i + 1 < n->n; i++)
		if (!strcmp(n->w[i], "dev"))
			dev = n->w[i + 1];
	/* hafd puts every VIP on the instance's interface; one moved to
	 * another link would answer ARP there: it is left out instead. */
	if (dev && in->ifname && strcmp(dev, in->ifname)) {
		kc_skip(in->k, n->line, "virtual_ipaddress %s dev %s in %s: hafd holds VIPs on "
			"the instance's interface (%s) only; on %s it would answer on the wrong "
			"link: left out. Add it from notify_master/notify_backup (ip addr add/del "
			"... dev %s) or give it an instance of its own on %s", n->w[0], dev,
			in->where, in->ifname, in->ifname, dev, dev);
		sbuf_printf(in->b, "; (not translated) virtual_ip = %.100s (dev %.30s)\n",
			    n->w[0], dev);
		return;
	}
	addr_part(n->w[0], a, sizeof(a));
	for (const struct ka_node *o = v; o < n; o++) {
		addr_part(o->w[0], b, sizeof(b));
		if (!strcmp(a, b)) {
			kc_warn(in->k, n->line, "virtual_ipaddress %s in %s: given twice (line "
				"%d): written once", n->w[0], in->where, o->line);
			return;
		}
	}
	vip_words_warn(in, n);
	kc_kv(in->k, in->b, n->line, "virtual_ip", "%s", n->w[0]);
}

/* keepalived takes a peer written with a prefix (ADDR/24) and ignores the
 * prefix; hafd.conf wants the address alone. */
static void peer_line(struct inst *in, const struct ka_node *n)
{
	char a[128];

	words_warn(in, n, "unicast_peer");
	addr_part(n->w[0], a, sizeof(a));
	if (strcmp(a, n->w[0]))
		kc_warn(in->k, n->line, "unicast_peer %s in %s: the prefix is dropped (%s)",
			n->w[0], in->where, a);
	kc_kv(in->k, in->b, n->line, "unicast_peer", "%s", a);
}

/* NAME [weight N [reverse]]: the weight, or false when there is none. */
static bool weight_of(struct inst *in, const struct ka_node *n, const char *what, long *w)
{
	if (n->n >= 4 && !strcmp(n->w[3], "reverse"))
		kc_skip(in->k, n->line, "%s %s weight %s reverse in %s: not supported", what,
			n->w[0], n->w[2], in->where);
	if (n->n >= 3 && !strcmp(n->w[1], "weight")) {
		*w = strtol(n->w[2], NULL, 10);
		return true;
	}
	if (n->n > 1)
		kc_skip(in->k, n->line, "%s %s in %s: '%s' not understood", what, n->w[0],
			in->where, n->w[1]);
	return false;
}

static void track_if_line(struct inst *in, const struct ka_node *n)
{
	long w = 0;

	if (weight_of(in, n, "track_interface", &w))
		kc_kv(in->k, in->b, n->line, "track_interface", "%s weight %ld", n->w[0], w);
	else
		kc_kv(in->k, in->b, n->line, "track_interface", "%s", n->w[0]);
}

static void track_script_line(struct inst *in, const struct ka_node *n)
{
	long w = 0;
	bool has = weight_of(in, n, "track_script", &w);
	const char *check = kc_check_ref(in->k, n->w[0], has, w);

	if (check)
		kc_kv(in->k, in->b, n->line, "track", "%s", check);
	else
		kc_skip(in->k, n->line, "track_script %s in %s: there is no vrrp_script %s",
			n->w[0], in->where, n->w[0]);
}

static void track_file_line(struct inst *in, const struct ka_node *n)
{
	long w = 0;
	bool has = weight_of(in, n, "track_file", &w);
	const char *check = kc_file_ref(in->k, n->w[0], has, w);

	if (!check) {
		kc_skip(in->k, n->line, "track_file %s in %s: there is no track_file %s",
			n->w[0], in->where, n->w[0]);
		return;
	}
	/* A positive weight is not translated (file_section says why). */
	if ((has ? w : kc_default_weight(kc_top_find(in->k, true, n->w[0]), true)) > 0)
		kc_note(in->k, in->b, n->line, "track_file %s not translated", n->w[0]);
	else
		kc_kv(in->k, in->b, n->line, "track", "%s", check);
}

/* Each line of a { } block through fn. */
static void block(struct inst *in, const struct ka_node *n, inst_fn fn)
{
	for (size_t i = 0; i < n->n_kids; i++)
		fn(in, &n->kids[i]);
	if (!n->block && n->n > 1)
		kc_skip(in->k, n->line, "%s in %s: a { } list was expected", n->w[0], in->where);
}

static void do_vips(struct inst *in, const struct ka_node *n)
{
	in->vips = n;
	block(in, n, vip_line);
}

static void do_peers(struct inst *in, const struct ka_node *n)
{
	block(in, n, peer_line);
}

static void do_track_if(struct inst *in, const struct ka_node *n)
{
	block(in, n, track_if_line);
}

static void do_track_script(struct inst *in, const struct ka_node *n)
{
	block(in, n, track_script_line);
}

static void do_track_file(struct inst *in, const struct ka_node *n)
{
	block(in, n, track_file_line);
}

static void do_state(struct inst *in, const struct ka_node *n)
{
	kc_note(in->k, in->b, n->line, "state %s ignored: hafd has no initial state, the "
		"priority decides", n->n > 1 ? n->w[1] : "");
}

/* A keyword whose value carries over as it is under another name. */
static void do_same(struct inst *in, const struct ka_node *n)
{
	static const char *const map[][2] = {
		{ "interface", "interface" }, { "virtual_router_id", "vrid" },
		{ "priority", "priority" }, { "unicast_src_ip", "unicast_src" },
		{ "garp_master_repeat", "garp_repeat" },
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(n->w[0], map[i][0]))
			kc_kv(in->k, in->b, n->line, map[i][1], "%s", n->w[1]);
}

static void do_duration(struct inst *in, const struct ka_node *n)
{
	static const char *const map[][2] = {
		{ "preempt_delay", "preempt_delay" }, { "garp_master_delay", "garp_delay" },
		{ "garp_master_refresh", "garp_refresh" },
	};
	char buf[32];
	const char *d = kc_duration(n->w[1], 10, buf, sizeof(buf));

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(n->w[0], map[i][0]))
			kc_kv(in->k, in->b, n->line, map[i][1], "%s", d ? d : n->w[1]);
}

static void do_notify(struct inst *in, const struct ka_node *n)
{
	kc_notify(in->k, in->b, n, false, in->n->w[1], in->where);
}

static const char *kid_value(const struct ka_node *n, const char *key)
{
	const struct ka_node *v = kc_kid(n, key);

	return v && v->n >= 2 ? v->w[1] : NULL;
}

/* What keepalived makes of nopreempt (vrrp.c, its start-up checks, as
 * `keepalived -t` reports them): cleared with priority 255, then with
 * state MASTER. The reason, or NULL when it stays. */
static const char *nopreempt_cleared(const struct inst *in)
{
	const char *prio = kid_value(in->n, "priority"), *state = kid_value(in->n, "state");

	if (prio && atoi(prio) == 255)
		return "priority 255";
	if (state && !strcmp(state, "MASTER"))
		return "state MASTER";
	return NULL;
}

static void do_flag(struct inst *in, const struct ka_node *n)
{
	const char *key = n->w[0], *why;

	if (!strcmp(key, "nopreempt") && (why = nopreempt_cleared(in))) {
		kc_note(in->k, in->b, n->line, "nopreempt dropped: keepalived clears it with %s",
			why);
		kc_warn(in->k, n->line, "nopreempt in %s: keepalived clears it with %s (its "
			"start-up check says so), so the instance preempts: written as preempt = "
			"yes; for no preemption, set state BACKUP on every node and keep nopreempt",
			in->where, why);
		kc_kv(in->k, in->b, n->line, "preempt", "yes");
	} else if (!strcmp(key, "nopreempt")) {
		kc_kv(in->k, in->b, n->line, "preempt", "no");
	} else if (!strcmp(key, "accept")) {
		kc_kv(in->k, in->b, n->line, "accept_mode", "yes");
	} else if (!strcmp(key, "no_accept")) {
		kc_kv(in->k, in->b, n->line, "accept_mode", "no");
	} else if (!strcmp(key, "use_vmac")) {
		kc_kv(in->k, in->b, n->line, "use_vmac", "yes");
	}
	if (!strcmp(key, "use_vmac") && n->n > 1)
		kc_note(in->k, in->b, n->line, "the VMAC interface name %s is dropped: hafd "
			"names it itself", n->w[1]);
}

/* keepalived clears preempt_delay with state MASTER and with nopreempt. */
static void do_preempt_delay(struct inst *in, const struct ka_node *n)
{
	const char *state = kid_value(in->n, "state");
	bool nopreempt = kc_kid(in->n, "nopreempt") && !nopreempt_cleared(in);

	if ((state && !strcmp(state, "MASTER")) || nopreempt) {
		kc_warn(in->k, n->line, "preempt_delay in %s: keepalived clears it with %s: "
			"left out", in->where, nopreempt ? "nopreempt" : "state MASTER");
		kc_note(in->k, in->b, n->line, "preempt_delay dropped, as keepalived does");
		return;
	}
	do_duration(in, n);
}

static void do_mcast_src(struct inst *in, const struct ka_node *n)
{
	if (kc_kid(in->n, "unicast_src_ip")) {
		kc_note(in->k, in->b, n->line, "mcast_src_ip %s ignored: unicast_src_ip is set",
			n->w[1]);
		return;
	}
	kc_note(in->k, in->b, n->line, "mcast_src_ip: hafd sends every advert from unicast_src");
	kc_kv(in->k, in->b, n->line, "unicast_src", "%s", n->w[1]);
	/* RFC 9568 sends IPv6 adverts from the link-local address; with a
	 * global one the peers' tie-break and any RFC-strict router see that
	 * address instead. Kept as keepalived did, but said. */
	if (strchr(n->w[1], ':') && strncasecmp(n->w[1], "fe8", 3) &&
	    strncasecmp(n->w[1], "fe9", 3) && strncasecmp(n->w[1], "fea", 3) &&
	    strncasecmp(n->w[1], "feb", 3))
		kc_warn(in->k, n->line, "mcast_src_ip %s in %s: a global IPv6 source: hafd sends "
			"the adverts from it (unicast_src), as keepalived did, not from the "
			"link-local address that RFC 9568 asks for; routers that follow the RFC "
			"drop them, and an equal-priority tie-break compares %s. Remove it to "
			"send from the interface's link-local address (the same on every node)",
			n->w[1], in->where, n->w[1]);
}

static void do_nothing(struct inst *in, const struct ka_node *n)
{
	(void)in;
	(void)n;
}

static const struct {
	const char *key;
	inst_fn fn;
	bool value;                     /* needs a value after the keyword */
} inst_keys[] = {
	{ "state", do_state, false },
	{ "interface", do_same, true }, { "virtual_router_id", do_same, true },
	{ "priority", do_same, true }, { "unicast_src_ip", do_same, true },
	{ "garp_master_repeat", do_same, true },
	{ "preempt_delay", do_preempt_delay, true }, { "garp_master_delay", do_duration, true },
	{ "garp_master_refresh", do_duration, true },
	{ "virtual_ipaddress", do_vips, false }, { "unicast_peer", do_peers, false },
	{ "track_interface", do_track_if, false }, { "track_script", do_track_script, false },
	{ "track_file", do_track_file, false },
	{ "notify", do_notify, true }, { "notify_master", do_notify, true },
	{ "notify_backup", do_notify, true }, { "notify_fault", do_notify, true },
	{ "notify_stop", do_notify, true },
	{ "nopreempt", do_flag, false }, { "accept", do_flag, false },
	{ "no_accept", do_flag, false }, { "use_vmac", do_flag, false },
	{ "mcast_src_ip", do_mcast_src, true },
	{ "preempt", do_nothing, false },       /* a no-op in keepalived too */
	{ "version", do_nothing, false }, { "advert_int", do_nothing, false },
};

static bool is_ipv6(const struct ka_node *n)
{
	const struct ka_node *v = kc_kid(n, "virtual_ipaddress");

	return v && v->n_kids && strchr(v->kids[0].w[0], ':');
}

/* keepalived's default is VRRPv2 (v3 for IPv6); hafd's is v3: always say. */
static void version_write(struct inst *in)
{
	const struct ka_node *v = kc_kid(in->n, "version"), *a = kc_kid(in->n, "advert_int");
	char buf[32];
	const char *d;

	in->version = v && v->n >= 2 ? atoi(v->w[1]) : in->k->version ? in->k->version : 2;
	if (in->version == 2 && is_ipv6(in->n)) {
		kc_note(in->k, in->b, in->n->line, "IPv6: VRRP version 3, as keepalived uses");
		in->version = 3;
	}
	kc_kv(in->k, in->b, v ? v->line : in->n->line, "version", "%d", in->version);
	if (!a || a->n < 2)
		return;
	d = kc_duration(a->w[1], in->version == 2 ? 1000 : 10, buf, sizeof(buf));
	if (d && !strcmp(d, "0s"))
		d = in->version == 2 ? "1s" : "10ms";
	if (d && in->version == 2 && strtod(a->w[1], NULL) != atof(d))
		kc_note(in->k, in->b, a->line, "advert_int %s rounded to %s: VRRPv2 counts whole "
			"seconds", a->w[1], d);
	kc_kv(in->k, in->b, a->line, "advert_interval", "%s", d ? d : a->w[1]);
}

/* global_defs' vrrp_garp_master_* where the instance has none. */
static void garp_defaults(struct inst *in)
{
	static const char *const own[3] = { "garp_master_delay", "garp_master_repeat",
					    "garp_master_refresh" };
	static const char *const keys[3] = { "garp_delay", "garp_repeat", "garp_refresh" };
	char buf[32];

	for (int i = 0; i < 3; i++) {
		const struct ka_node *g = in->k->garp[i];
		const char *v;

		if (!g || kc_kid(in->n, own[i]))
			continue;
		v = i == 1 ? g->w[1] : kc_duration(g->w[1], 10, buf, sizeof(buf));
		kc_kv(in->k, in->b, g->line, keys[i], "%s", v ? v : g->w[1]);
	}
}

static void inst_key(struct inst *in, const struct ka_node *n)
{
	for (size_t i = 0; i < sizeof(inst_keys) / sizeof(inst_keys[0]); i++) {
		if (strcmp(n->w[0], inst_keys[i].key))
			continue;
		if (inst_keys[i].value && n->n < 2)
			kc_skip(in->k, n->line, "%s in %s: no value", n->w[0], in->where);
		else
			inst_keys[i].fn(in, n);
		return;
	}
	kc_skip_node(in->k, n, in->where);
}

void kc_instance(struct kaconv *k, const struct ka_node *n, struct sbuf *b)
{
	struct inst in = { .k = k, .b = b, .n = n };
	const struct ka_node *ifn = kc_kid(n, "interface");
	char name[64];

	in.ifname = ifn && ifn->n >= 2 ? ifn->w[1] : NULL;
	snprintf(in.where, sizeof(in.where), "vrrp_instance %.60s", n->w[1]);
	bool renamed = kc_name(n->w[1], name, sizeof(name));

	sbuf_printf(b, "\n[instance %s]\n", name);
	kc_note(k, b, n->line, "vrrp_instance %s%s", n->w[1], renamed ?
		" (renamed: hafd names are letters, digits, '_', '-' and '.')" : "");
	version_write(&in);
	for (size_t i = 0; i < n->n_kids; i++)
		inst_key(&in, &n->kids[i]);
	garp_defaults(&in);
}
