/* kaconv.c: keepalived.conf into hafd.conf (see kaconv.h): the driver,
 * global_defs, vrrp_script, vrrp_sync_group and the shared helpers. The
 * instances are in kaconv_inst.c. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "json.h"
#include "kaconv_priv.h"

#define LINE_MAX_CHARS 199      /* hafd.conf's longest line */
#define FILE_MAX (8u << 20)

/* ---- helpers ------------------------------------------------------------ */

static void item_add(struct kaconv *k, enum kaconv_kind kind, int line, const char *fmt,
		     va_list ap)
{
	struct kaconv_item *ni = realloc(k->skipped->items,
					 (k->skipped->n + 1) * sizeof(*ni));
	char *what;
	int rc;

	rc = vasprintf(&what, fmt, ap);
	if (ni)
		k->skipped->items = ni;
	if (!ni || rc < 0) {
		k->oom = true;
		if (rc >= 0)
			free(what);
		return;
	}
	/* A vrrp_script written as two checks says it once. */
	for (size_t i = 0; i < k->skipped->n; i++) {
		if (ni[i].line == line && ni[i].kind == kind && !strcmp(ni[i].what, what)) {
			free(what);
			return;
		}
	}
	ni[k->skipped->n++] = (struct kaconv_item){ .line = line, .kind = kind, .what = what };
}

void kc_skip(struct kaconv *k, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	item_add(k, KACONV_SKIPPED, line, fmt, ap);
	va_end(ap);
}

void kc_warn(struct kaconv *k, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	item_add(k, KACONV_WARNING, line, fmt, ap);
	va_end(ap);
}

void kc_note(struct kaconv *k, struct sbuf *b, int line, const char *fmt, ...)
{
	char text[LINE_MAX_CHARS + 1];
	va_list ap;
	int n;

	(void)k;
	n = snprintf(text, sizeof(text), "; keepalived line %d: ", line);
	va_start(ap, fmt);
	vsnprintf(text + n, sizeof(text) - (size_t)n, fmt, ap);
	va_end(ap);
	sbuf_printf(b, "%s\n", text);
}

/* hafd.conf reads " ;" as the start of a comment: drop blanks before a
 * ';' outside quotes (the shell does not care). false when one is inside
 * quotes, where the blank matters. */
static bool semicolons_fix(char *v)
{
	char quote = 0, *o = v;

	for (char *p = v; *p; p++) {
		if (quote && *p == quote)
			quote = 0;
		else if (!quote && (*p == '\'' || *p == '"'))
			quote = *p;
		if (*p == ';' && o > v && (o[-1] == ' ' || o[-1] == '\t')) {
			if (quote)
				return false;
			while (o > v && (o[-1] == ' ' || o[-1] == '\t'))
				o--;
		}
		*o++ = *p;
	}
	*o = '\0';
	return true;
}

void kc_kv(struct kaconv *k, struct sbuf *b, int line, const char *key, const char *fmt, ...)
{
	char *v;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vasprintf(&v, fmt, ap);
	va_end(ap);
	if (rc < 0) {
		k->oom = true;
		return;
	}
	if (!semicolons_fix(v)) {
		kc_skip(k, line, "%s: the value has a ';' after a blank inside quotes, which "
			"hafd.conf would read as a comment: use a wrapper script", key);
		sbuf_printf(b, "; (not translated) %s = %.150s\n", key, v);
	} else if (strlen(key) + 3 + strlen(v) > LINE_MAX_CHARS) {
		kc_skip(k, line, "%s: the value is too long for a hafd.conf line (%d "
			"characters): use a wrapper script", key, LINE_MAX_CHARS);
		sbuf_printf(b, "; (not translated) %s = %.150s...\n", key, v);
	} else {
		sbuf_printf(b, "%s = %s\n", key, v);
	}
	free(v);
}

const char *kc_words(const struct ka_node *n, size_t from, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = from; i < n->n && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s", i > from ? " " : "", n->w[i]);
	return buf;
}

const char *kc_duration(const char *s, unsigned step_ms, char *buf, size_t len)
{
	char *end;
	double v;
	unsigned long long ms;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v < 0 || v > 1e7)
		return NULL;
	ms = (unsigned long long)(v * 1000.0 / step_ms + 0.5) * step_ms;       /* v >= 0 */
	if (ms % 1000 == 0)
		snprintf(buf, len, "%llus", ms / 1000);
	else
		snprintf(buf, len, "%llums", ms);
	return buf;
}

bool kc_name(const char *in, char *out, size_t len)
{
	bool changed = false;
	size_t i;

	for (i = 0; in[i] && i + 1 < len && i < 63; i++) {
		bool ok = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.",
				 in[i]) != NULL;

		out[i] = ok ? in[i] : '_';
		changed |= !ok;
	}
	out[i] = '\0';
	return changed || in[i] != '\0';
}

static bool is_track_file(const char *key)
{
	/* vrrp_track_file is keepalived's older (deprecated) name of it. */
	return !strcmp(key, "track_file") || !strcmp(key, "vrrp_track_file");
}

const struct ka_node *kc_top_find(const struct kaconv *k, bool file, const char *name)
{
	for (size_t i = 0; i < k->root->n_kids; i++) {
		const struct ka_node *n = &k->root->kids[i];

		if (n->n >= 2 && !strcmp(n->w[1], name) &&
		    (file ? is_track_file(n->w[0]) : !strcmp(n->w[0], "vrrp_script")))
			return n;
	}
	return NULL;
}

const struct ka_node *kc_kid(const struct ka_node *n, const char *key)
{
	for (size_t i = 0; i < n->n_kids; i++)
		if (!strcmp(n->kids[i].w[0], key))
			return &n->kids[i];
	return NULL;
}

long kc_default_weight(const struct ka_node *def, bool file)
{
	const struct ka_node *w = kc_kid(def, "weight");

	if (w && w->n >= 2)
		return strtol(w->w[1], NULL, 10);
	return file ? 1 : 0;    /* keepalived.conf(5): a track_file weighs 1 */
}

static const char *check_ref(struct kaconv *k, bool file, const char *name, bool has_weight,
			     long weight)
{
	const struct ka_node *s = kc_top_find(k, file, name);
	struct kc_check c = { .script = s, .file = file };
	struct kc_check *nc;
	char base[64];

	if (!s)
		return NULL;
	kc_name(name, base, sizeof(base));
	/* A vrrp_script of the same name keeps it: hafd has one name space. */
	if (file && kc_top_find(k, false, name))
		snprintf(base + strnlen(base, 58), 6, "_file");
	c.weight = has_weight ? weight : kc_default_weight(s, file);
	if (c.weight == kc_default_weight(s, file))
		snprintf(c.name, sizeof(c.name), "%s", base);
	else    /* keepalived's weight is per reference; hafd's is per check */
		snprintf(c.name, sizeof(c.name), "%.50s_w%ld", base, c.weight);
	for (size_t i = 0; i < k->n_checks; i++)
		if (!strcmp(k->checks[i].name, c.name))
			return k->checks[i].name;
	if (!(nc = realloc(k->checks, (k->n_checks + 1) * sizeof(*nc)))) {
		k->oom = true;
		return NULL;
	}
	k->checks = nc;
	nc[k->n_checks] = c;
	return nc[k->n_checks++].name;
}

const char *kc_check_ref(struct kaconv *k, const char *script, bool has_weight, long weight)
{
	return check_ref(k, false, script, has_weight, weight);
}

const char *kc_file_ref(struct kaconv *k, const char *file, bool has_weight, long weight)
{
	return check_ref(k, true, file, has_weight, weight);
}

/* ---- what has no translation ------------------------------------------- */

static const struct {
	const char *keys;       /* blank-separated keywords */
	const char *why;
} no_equivalent[] = {
	{ "authentication", "VRRPv2 authentication is gone from the standard; hafd sends "
	  "none and drops adverts that carry it: remove it on the keepalived peers too" },
	{ "vrrp_strict strict_mode", "hafd has no strict mode (it implied no_accept in "
	  "keepalived: add accept_mode = no to keep that)" },
	{ "virtual_ipaddress_excluded", "hafd advertises every VIP: list them as virtual_ip "
	  "(in a v3 instance) or in another instance" },
	{ "virtual_routes virtual_rules static_ipaddress static_routes static_rules",
	  "hafd manages no routes, rules or static addresses: use notify_master / notify_backup" },
	{ "virtual_server virtual_server_group lvs_sync_daemon lvs_sync_daemon_interface lvs_id "
	  "lvs_flush lvs_timeouts", "hafd does not manage LVS/IPVS" },
	{ "include", "not followed: convert the included files too and merge them" },
	{ "notification_email notification_email_from smtp_server smtp_connect_timeout "
	  "smtp_alert smtp_helo", "hafd sends no e-mail: use a notify hook" },
	{ "track_file vrrp_track_file", "hafd's type = file check belongs to an instance: "
	  "track the file in each member instance" },
	{ "track_process vrrp_track_process", "use a [check] with type = script (pidof ...)" },
	{ "track_bfd bfd_instance", "hafd has no BFD" },
	{ "dont_track_primary", "hafd always tracks the instance's interface (link down is FAULT)" },
	{ "garp_master_refresh_repeat garp_lower_prio_delay garp_lower_prio_repeat "
	  "vrrp_garp_master_refresh_repeat vrrp_garp_lower_prio_delay vrrp_garp_lower_prio_repeat "
	  "vrrp_garp_interval vrrp_gna_interval garp_interval gna_interval",
	  "hafd's GARP settings are garp_repeat, garp_delay and garp_refresh" },
	{ "vrrp_skip_check_adv_addr skip_check_adv_addr", "hafd always compares the address "
	  "list (a difference is logged in v3)" },
	{ "enable_snmp_vrrp enable_snmp_keepalived enable_snmp_checker enable_snmp_rfc "
	  "enable_snmp_rfcv2 enable_snmp_rfcv3 enable_traps snmp_socket enable_dbus",
	  "hafd has no SNMP or D-Bus: use hafctl status --json or hafctl metrics" },
	{ "vrrp_mcast_group4 vrrp_mcast_group6 mcast_dst_ip", "hafd uses the standard groups "
	  "224.0.0.18 and ff02::12" },
	{ "unicast_ttl", "hafd always sends with TTL 255" },
	{ "higher_prio_send_advert vrrp_higher_prio_send_advert lower_prio_no_advert "
	  "vrrp_lower_prio_no_advert", "hafd's election rules are fixed (see hafd(8))" },
	{ "notify_fifo vrrp_notify_fifo notify_fifo_script vrrp_notify_fifo_script",
	  "hafd runs notify hooks in order itself: use notify" },
	{ "vrrp_priority vrrp_no_swap vrrp_cpu_affinity "
	  "vrrp_rlimit_rttime checker_priority", "set scheduling and memory limits in the "
	  "systemd unit (hafd runs SCHED_RR 10 by default: realtime_priority)" },
	{ "net_namespace", "run hafd inside the namespace (ip netns exec)" },
	{ "down_timer_adverts vrrp_down_timer_adverts", "hafd uses the RFC's 3 adverts" },
	{ "linkbeat_use_polling linkbeat_interfaces", "hafd follows links through netlink" },
	{ "global_tracking sync_group_tracking_weight", "hafd's tracking is per instance" },
	{ "old_unicast_checksum v3_checksum_as_v2", "see v3_checksum in hafd.conf(5)" },
	{ "vrrp_check_unicast_src check_unicast_src", "hafd always takes unicast adverts "
	  "from the unicast_peer addresses only" },
	{ "debug native_ipv6", "obsolete in keepalived" },
	{ "vmac_xmit_base", "not supported with use_vmac" },
};

const char *kc_why(const char *keyword)
{
	size_t n = strlen(keyword);

	/* strstr() finds "" everywhere and p += 0 never moves on. */
	if (n == 0)
		return NULL;
	for (size_t i = 0; i < sizeof(no_equivalent) / sizeof(no_equivalent[0]); i++) {
		for (const char *p = no_equivalent[i].keys; (p = strstr(p, keyword)); p += n)
			if ((p == no_equivalent[i].keys || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
				return no_equivalent[i].why;
	}
	return NULL;
}

void kc_skip_node(struct kaconv *k, const struct ka_node *n, const char *where)
{
	const char *why = kc_why(n->w[0]);

	if (n->w[0][0] == '@' || n->w[0][0] == '$')
		why = "keepalived's conditional lines and parameters are not supported";
	else if (!n->w[0][0])
		why = "an empty keyword";
	kc_skip(k, n->line, "%s%s%s: %s", n->w[0][0] ? n->w[0] : "\"\"", where ? " in " : "", where ? where : "",
		why ? why : "no hafd equivalent known to the converter");
}

/* ---- global_defs -------------------------------------------------------- */

static void global_defs(struct kaconv *k, const struct ka_node *g, struct sbuf *b, bool *security)
{
	static const char *const garp[3] = { "vrrp_garp_master_delay", "vrrp_garp_master_repeat",
					     "vrrp_garp_master_refresh" };

	for (size_t i = 0; i < g->n_kids; i++) {
		const struct ka_node *n = &g->kids[i];
		const char *key = n->w[0];
		int gi = -1;

		for (int j = 0; j < 3; j++)
			if (!strcmp(key, garp[j]))
				gi = j;
		if (!strcmp(key, "router_id") && n->n >= 2) {
			kc_kv(k, b, n->line, "router_id", "%s", n->w[1]);
		} else if (!strcmp(key, "script_user") && n->n >= 2) {
			kc_kv(k, b, n->line, "script_user", "%s", n->w[1]);
			if (n->n > 2)
				kc_warn(k, n->line, "script_user %s %s: hafd has no script group: "
					"scripts run with the groups of %s", n->w[1], n->w[2], n->w[1]);
		} else if (!strcmp(key, "enable_script_security")) {
			*security = true;
		} else if (!strcmp(key, "vrrp_rt_priority") && n->n >= 2) {
			k->rt_priority = n;
		} else if (!strcmp(key, "max_auto_priority")) {
			k->auto_priority = n;
		} else if (!strcmp(key, "vrrp_version") && n->n >= 2) {
			k->version = atoi(n->w[1]);
		} else if (gi >= 0 && n->n >= 2) {
			k->garp[gi] = n;        /* the instances' defaults */
		} else {
			kc_skip_node(k, n, "global_defs");
		}
	}
}

/* The first line at or under n whose keyword runs a script as script_user
 * (a vrrp_script, a notify hook), or 0. */
static int script_line(const struct ka_node *n)
{
	static const char *const keys[] = { "vrrp_script", "notify", "notify_master",
					    "notify_backup", "notify_fault", "notify_stop" };

	for (size_t i = 0; i < n->n_kids; i++) {
		const struct ka_node *c = &n->kids[i];
		int l;

		for (size_t j = 0; j < sizeof(keys) / sizeof(keys[0]); j++)
			if (!strcmp(c->w[0], keys[j]) && c->n >= 2)
				return c->line;
		if ((l = script_line(c)))
			return l;
	}
	return 0;
}

/* keepalived's scheduling: vrrp_rt_priority from the start; else, with
 * max_auto_priority N > 0, SCHED_RR up to N only once it has run late;
 * with 0 or -1 (-1: the same, without the start-up warning) never.
 * hafd's realtime_priority is fixed from the start (default 10). */
static void scheduling(struct kaconv *k, struct sbuf *b)
{
	const struct ka_node *a = k->auto_priority;
	long v;

	if (k->rt_priority) {
		kc_kv(k, b, k->rt_priority->line, "realtime_priority", "%s", k->rt_priority->w[1]);
		return;
	}
	if (!a)
		return;
	v = a->n >= 2 ? strtol(a->w[1], NULL, 10) : 99;
	if (v <= 0) {
		kc_note(k, b, a->line, "max_auto_priority %s: keepalived never ran real-time",
			a->n >= 2 ? a->w[1] : "");
		kc_kv(k, b, a->line, "realtime_priority", "0");
		return;
	}
	kc_warn(k, a->line, "max_auto_priority %ld: keepalived switched to SCHED_RR (up to %ld) "
		"only after it had run late; hafd runs SCHED_RR %ld from the start "
		"(realtime_priority)", v, v, v);
	kc_kv(k, b, a->line, "realtime_priority", "%ld", v);
}

static void global_section(struct kaconv *k, struct sbuf *b)
{
	const struct ka_node *g = NULL;
	bool security = false, user = false;
	int sl;

	sbuf_puts(b, "[global]\n");
	for (size_t i = 0; i < k->root->n_kids; i++) {
		if (strcmp(k->root->kids[i].w[0], "global_defs"))
			continue;
		g = &k->root->kids[i];
		global_defs(k, g, b, &security);
		user |= kc_kid(g, "script_user") != NULL;
	}
	scheduling(k, b);
	/* keepalived.conf(5): without script_user, scripts run as
	 * keepalived_script if that user exists (Debian's package creates
	 * none), else as keepalived's own user, root. hafd's default is
	 * nobody, under which `killall -0 haproxy` and the like fail. */
	if (!user && (sl = script_line(k->root))) {
		kc_note(k, b, sl, "keepalived ran scripts as root (no script_user)");
		sbuf_puts(b, "script_user = root\n");
		kc_warn(k, sl, "scripts and notify hooks run as root, as keepalived ran them "
			"without script_user (or as keepalived_script where that user exists: "
			"then set script_user = keepalived_script); to tighten, create a user, "
			"set script_user to it and check that every script still works as it");
	}
	if (!security)
		sbuf_puts(b, "; keepalived did not check scripts' ownership without "
			  "enable_script_security\nscript_security = no\n");
	else
		sbuf_puts(b, "script_security = yes\n");
}

/* ---- vrrp_script -> [check] --------------------------------------------- */

static void script_key(struct kaconv *k, const struct ka_node *s, const struct ka_node *n,
		       struct sbuf *b)
{
	const char *key = n->w[0];
	char buf[1024], where[96];

	snprintf(where, sizeof(where), "vrrp_script %.60s", s->w[1]);
	if (!strcmp(key, "init_fail")) {
		kc_note(k, b, n->line, "init_fail: a hafd check always starts unproven (down)");
	} else if (!*key) {
		kc_skip_node(k, n, where);
	} else if (n->n < 2) {
		kc_skip(k, n->line, "%s in %s: no value", key, where);
	} else if (!strcmp(key, "script")) {
		kc_kv(k, b, n->line, "command", "%s", kc_words(n, 1, buf, sizeof(buf)));
	} else if (!strcmp(key, "rise") || !strcmp(key, "fall")) {
		kc_kv(k, b, n->line, key, "%s", n->w[1]);
	} else if (!strcmp(key, "user")) {
		kc_skip(k, n->line, "user %s in %s: hafd runs every check as script_user",
			n->w[1], where);
	} else {
		kc_skip_node(k, n, where);
	}
}

/* The script's interval, timeout and weight, and keepalived's defaults
 * (interval 1s, timeout = interval, rise and fall 1) where hafd's differ. */
static void check_section(struct kaconv *k, const struct kc_check *c, struct sbuf *b)
{
	const struct ka_node *s = c->script, *iv = kc_kid(s, "interval"), *to = kc_kid(s, "timeout"),
			     *w = kc_kid(s, "weight");
	char ibuf[32], tbuf[32];
	const char *interval = iv && iv->n >= 2 ? kc_duration(iv->w[1], 10, ibuf, sizeof(ibuf)) : "1s";
	const char *timeout = to && to->n >= 2 ? kc_duration(to->w[1], 10, tbuf, sizeof(tbuf)) : NULL;

	sbuf_printf(b, "\n[check %s]\n", c->name);
	kc_note(k, b, s->line, "vrrp_script %s%s", s->w[1], strcmp(c->name, s->w[1]) ?
		" with the weight one track_script gave it" : "");
	sbuf_puts(b, "type = script\n");
	if (!kc_kid(s, "script"))
		kc_skip(k, s->line, "vrrp_script %s has no script", s->w[1]);
	if (!interval || (to && to->n >= 2 && !timeout))
		kc_skip(k, s->line, "vrrp_script %s: interval or timeout is not a number of "
			"seconds", s->w[1]);
	kc_kv(k, b, s->line, "interval", "%s", interval ? interval : "1s");
	kc_kv(k, b, s->line, "timeout", "%s", timeout ? timeout : interval ? interval : "1s");
	if (!kc_kid(s, "rise"))
		sbuf_puts(b, "rise = 1\n");
	if (!kc_kid(s, "fall"))
		sbuf_puts(b, "fall = 1\n");
	sbuf_printf(b, "weight = %ld\n", c->weight);
	/* keepalived: any non-zero exit is a failure; hafd's default takes 2
	 * as degraded (degrade_weight 0), which would not move the VIP. */
	sbuf_puts(b, "degrade_exit = none\n");
	if (w && w->n >= 3 && !strcmp(w->w[2], "reverse"))
		kc_skip(k, w->line, "weight ... reverse in vrrp_script %s: not supported", s->w[1]);
	for (size_t i = 0; i < s->n_kids; i++) {
		const char *key = s->kids[i].w[0];

		if (strcmp(key, "interval") && strcmp(key, "timeout") && strcmp(key, "weight"))
			script_key(k, s, &s->kids[i], b);
	}
}

/* A track_file as a type = file check. keepalived reads the file when it
 * changes and adds value x weight to the priority; hafd reads it at each
 * interval and, as keepalived, multiplies a negative weight by the value
 * (weight 0: non-zero is FAULT). A positive weight is only a bonus while
 * the file holds 0 in hafd: that case is not translated. */
static void file_section(struct kaconv *k, const struct kc_check *c, struct sbuf *b)
{
	const struct ka_node *f = c->script, *path = kc_kid(f, "file"), *w = kc_kid(f, "weight");

	if (c->weight > 0) {
		kc_skip(k, f->line, "%s %s with weight %ld: keepalived adds the file's value x "
			"%ld to the priority; hafd's file check adds a positive weight only while "
			"the file holds 0: use a negative weight (value x weight is subtracted) "
			"or weight 0", f->w[0], f->w[1], c->weight, c->weight);
		sbuf_printf(b, "\n; (not translated) %s %s, weight %ld: see hafctl's warnings\n",
			    f->w[0], f->w[1], c->weight);
		return;
	}
	sbuf_printf(b, "\n[check %s]\n", c->name);
	kc_note(k, b, f->line, "%s %s%s", f->w[0], f->w[1], strcmp(c->name, f->w[1]) ?
		" with the weight one track_file gave it" : "");
	sbuf_puts(b, "type = file\n");
	if (!path || path->n < 2)
		kc_skip(k, f->line, "%s %s has no file", f->w[0], f->w[1]);
	else
		kc_kv(k, b, path->line, "path", "%s", path->w[1]);
	/* Read at once and every second; one reading decides, as keepalived's. */
	sbuf_puts(b, "interval = 1s\ntimeout = 1s\nrise = 1\nfall = 1\n");
	sbuf_printf(b, "weight = %ld\n", c->weight);
	kc_warn(k, f->line, "%s %s: hafd reads the file every second (keepalived at once "
		"when it changes), and an unreadable file or one without an integer is a "
		"failure", f->w[0], f->w[1]);
	if (w && w->n >= 3 && !strcmp(w->w[2], "reverse"))
		kc_skip(k, w->line, "weight ... reverse in %s %s: not supported", f->w[0], f->w[1]);
	for (size_t i = 0; i < f->n_kids; i++) {
		const struct ka_node *n = &f->kids[i];
		char where[96];

		snprintf(where, sizeof(where), "%s %.60s", f->w[0], f->w[1]);
		if (!strcmp(n->w[0], "init_file"))
			kc_warn(k, n->line, "init_file in %s: hafd neither creates nor writes the "
				"file: create it (echo 0 > FILE) before hafd starts", where);
		else if (strcmp(n->w[0], "file") && strcmp(n->w[0], "weight"))
			kc_skip_node(k, n, where);
	}
}

/* ---- vrrp_sync_group -> [group] ----------------------------------------- */

/* keepalived's `notify` gets INSTANCE|GROUP NAME STATE PRIORITY after its
 * own words; hafd appends NAME STATE PRIORITY: the leading word is
 * written into the command. `[username [groupname]]` after the command
 * has no place in hafd (everything runs as script_user). */
void kc_notify(struct kaconv *k, struct sbuf *b, const struct ka_node *n, bool group,
	       const char *name, const char *where)
{
	bool generic = !strcmp(n->w[0], "notify");
	char hafd_name[64];

	if (n->n > 2)
		kc_warn(k, n->line, "%s in %s: runs as script_user, not as %s", n->w[0], where,
			n->w[2]);
	if (!generic) {
		kc_kv(k, b, n->line, n->w[0], "%s", n->w[1]);
		return;
	}
	kc_note(k, b, n->line, "notify: keepalived's %s word is written into the command",
		group ? "GROUP" : "INSTANCE");
	kc_kv(k, b, n->line, "notify", "%s %s", n->w[1], group ? "GROUP" : "INSTANCE");
	if (kc_name(name, hafd_name, sizeof(hafd_name)))
		kc_warn(k, n->line, "notify in %s: the script gets the hafd name %s, not %s",
			where, hafd_name, name);
}

static bool group_empty(const struct ka_node *g)
{
	for (size_t i = 0; i < g->n_kids; i++)
		if (!strcmp(g->kids[i].w[0], "group"))
			for (size_t j = 0; j < g->kids[i].n_kids; j++)
				if (g->kids[i].kids[j].n)
					return false;
	return true;
}

static void group_section(struct kaconv *k, const struct ka_node *g, struct sbuf *b)
{
	char name[64], where[96];
	bool renamed = kc_name(g->w[1], name, sizeof(name));

	snprintf(where, sizeof(where), "vrrp_sync_group %.60s", g->w[1]);
	/* hafd refuses a [group] without instances; keepalived ignores it. */
	if (group_empty(g)) {
		kc_skip(k, g->line, "%s: no instance in its group { } block: left out", where);
		return;
	}
	sbuf_printf(b, "\n[group %s]\n", name);
	kc_note(k, b, g->line, "vrrp_sync_group %s%s", g->w[1], renamed ?
		" (renamed: hafd names are letters, digits, '_', '-' and '.')" : "");
	for (size_t i = 0; i < g->n_kids; i++) {
		const struct ka_node *n = &g->kids[i];
		const char *key = n->w[0];

		if (!strcmp(key, "group")) {
			for (size_t j = 0; j < n->n_kids; j++)
				for (size_t w = 0; w < n->kids[j].n; w++) {
					kc_name(n->kids[j].w[w], name, sizeof(name));
					kc_kv(k, b, n->kids[j].line, "instance", "%s", name);
				}
		} else if ((!strcmp(key, "notify") || !strcmp(key, "notify_master") ||
			    !strcmp(key, "notify_backup") || !strcmp(key, "notify_fault")) &&
			   n->n >= 2) {
			kc_notify(k, b, n, true, g->w[1], where);
		} else if (!strcmp(key, "notify_stop")) {
			kc_skip(k, n->line, "notify_stop in %s: hafd groups have none (use each "
				"instance's notify_stop)", where);
		} else {
			kc_skip_node(k, n, where);
		}
	}
}

/* ---- the whole file ----------------------------------------------------- */

static void top_level(struct kaconv *k, struct sbuf *inst, struct sbuf *grp)
{
	for (size_t i = 0; i < k->root->n_kids; i++) {
		const struct ka_node *n = &k->root->kids[i];
		const char *key = n->w[0];
		bool named = n->n >= 2;

		if (!strcmp(key, "global_defs"))
			continue;       /* global_section() */
		if ((!strcmp(key, "vrrp_script") || is_track_file(key)) && named)
			continue;       /* written when an instance tracks it */
		if (!strcmp(key, "vrrp_instance") && named)
			kc_instance(k, n, inst);
		else if (!strcmp(key, "vrrp_sync_group") && named)
			group_section(k, n, grp);
		else if (!strcmp(key, "vrrp_instance") || !strcmp(key, "vrrp_sync_group") ||
			 !strcmp(key, "vrrp_script"))
			kc_skip(k, n->line, "%s without a name", key);
		else
			kc_skip_node(k, n, NULL);
	}
}

static void checks_write(struct kaconv *k, struct sbuf *b)
{
	for (size_t i = 0; i < k->n_checks; i++) {
		if (k->checks[i].file)
			file_section(k, &k->checks[i], b);
		else
			check_section(k, &k->checks[i], b);
	}
	for (size_t i = 0; i < k->root->n_kids; i++) {
		const struct ka_node *n = &k->root->kids[i];
		bool used = false;

		if ((strcmp(n->w[0], "vrrp_script") && !is_track_file(n->w[0])) || n->n < 2)
			continue;
		for (size_t c = 0; c < k->n_checks; c++)
			used |= k->checks[c].script == n;
		if (!used)
			kc_note(k, b, n->line, "%s %s is tracked by no instance: left out",
				n->w[0], n->w[1]);
	}
}

static int item_cmp(const void *a, const void *b)
{
	const struct kaconv_item *x = a, *y = b;

	return x->line != y->line ? (x->line > y->line) - (x->line < y->line) :
	       strcmp(x->what, y->what);
}

int kaconv_convert(const char *text, size_t len, const char *name, struct sbuf *out,
		   struct kaconv_list *skipped, char *err, size_t errlen)
{
	struct ka_node root;
	struct kaconv k = { .file = name, .skipped = skipped, .root = &root };
	struct sbuf glob, checks, inst, grp;
	size_t n_skip, n_warn;

	if (ka_parse(text, len, &root, err, errlen) < 0)
		return -1;
	sbuf_init(&glob, 0);
	sbuf_init(&checks, 0);
	sbuf_init(&inst, 0);
	sbuf_init(&grp, 0);
	global_section(&k, &glob);
	top_level(&k, &inst, &grp);
	checks_write(&k, &checks);
	if (skipped->n)
		qsort(skipped->items, skipped->n, sizeof(*skipped->items), item_cmp);
	sbuf_printf(out, "; hafd.conf converted from %.100s by hafctl convert-keepalived "
		    "(hafd %s)\n; check it with hafd -t -f FILE; see hafd.conf(5)\n", name,
		    PACKAGE_VERSION);
	if ((n_skip = kaconv_list_count(skipped, KACONV_SKIPPED)))
		sbuf_printf(out, "; %zu keepalived setting%s could not be translated (hafctl "
			    "listed %s on standard error)\n", n_skip, n_skip == 1 ? "" : "s",
			    n_skip == 1 ? "it" : "them");
	if ((n_warn = kaconv_list_count(skipped, KACONV_WARNING)))
		sbuf_printf(out, "; %zu change%s of behaviour to review (hafctl's warnings on "
			    "standard error)\n", n_warn, n_warn == 1 ? "" : "s");
	sbuf_printf(out, "\n%s%s%s%s", glob.p ? glob.p : "", checks.p ? checks.p : "",
		    inst.p ? inst.p : "", grp.p ? grp.p : "");
	k.oom |= glob.failed || checks.failed || inst.failed || grp.failed || out->failed;
	if (k.oom)
		snprintf(err, errlen, "out of memory");
	sbuf_free(&glob);
	sbuf_free(&checks);
	sbuf_free(&inst);
	sbuf_free(&grp);
	free(k.checks);
	ka_free(&root);
	return k.oom ? -1 : 0;
}

int kaconv_convert_file(const char *path, struct sbuf *out, struct kaconv_list *skipped,
			char *err, size_t errlen)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	struct sbuf text;
	char buf[8192];
	size_t n;
	int rc;

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	sbuf_init(&text, FILE_MAX);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		sbuf_add(&text, buf, n);
	rc = ferror(f) || text.failed ? -1 : 0;
	if (rc < 0)
		snprintf(err, errlen, "%s: %s", path, text.failed ? "too large (over 8 MiB)" :
			 "read error");
	if (f != stdin)
		fclose(f);
	if (rc == 0 && kaconv_convert(text.p ? text.p : "", text.len, path, out, skipped, err,
				      errlen) < 0) {
		char why[256];

		snprintf(why, sizeof(why), "%s", err);
		snprintf(err, errlen, "%s: %s", path, why);
		rc = -1;
	}
	sbuf_free(&text);
	return rc;
}

int kaconv_validate(const struct sbuf *out, const char *name, struct config_errors *errs)
{
	struct hafd_config *cfg = NULL;
	FILE *f = out->len ? fmemopen(out->p, out->len, "r") : NULL;
	int rc;

	memset(errs, 0, sizeof(*errs));
	if (!f)
		return -1;
	rc = config_load_stream(f, name, &cfg, errs);
	fclose(f);
	config_free(cfg);
	return rc;
}

size_t kaconv_list_count(const struct kaconv_list *l, enum kaconv_kind kind)
{
	size_t n = 0;

	for (size_t i = 0; i < l->n; i++)
		n += l->items[i].kind == kind;
	return n;
}

void kaconv_list_free(struct kaconv_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->items[i].what);
	free(l->items);
	l->items = NULL;
	l->n = 0;
}
