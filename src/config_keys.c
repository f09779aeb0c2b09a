/* config_keys.c: the keys of each section, and what their values may be.
 * Each table row names a key and how to set it: the generic kinds store into
 * a field by offset; the rest have a setter. Errors name the line being read;
 * checks that need other keys wait for config_check.c. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "config_priv.h"
#include "gpu.h"
#include "log.h"
#include "parse.h"

/* Only " ;" ends a value (inih's inline comment); "#" after a blank is
 * part of it, as many other formats (keepalived's among them) would have
 * it start a comment. Where it starts in v, or NULL. */
static const char *hash_comment(const char *v)
{
	for (const char *h = strchr(v, '#'); h; h = strchr(h + 1, '#'))
		if (h > v && (h[-1] == ' ' || h[-1] == '\t'))
			return h;
	return NULL;
}

#define HASH_HINT "'#' does not start a comment after a value, ' ;' does"

/* An error in the value of the key being set; marks the key refused. A
 * value that holds a '#' comment says so: that is the likelier mistake. */
static __attribute__((format(printf, 2, 3))) void key_err(struct cfg_parser *p, const char *f, ...)
{
	char what[2 * CFG_MAX_LINE + 200];
	va_list ap;

	p->cur->bad[p->key] = true;
	va_start(ap, f);
	vsnprintf(what, sizeof(what), f, ap);
	va_end(ap);
	cfg_key_err(p, p->cur, p->lineno, p->key_name, "%s%s", what,
		    p->val && hash_comment(p->val) ? " (" HASH_HINT ")" : "");
}

/* Replace the string in the char * slot at field. */
static void set_string(struct cfg_parser *p, void *field, const char *v)
{
	char *old, *s = cfg_strdup(p, v);

	memcpy(&old, field, sizeof(old));
	free(old);
	memcpy(field, &s, sizeof(s));
}

/* ---- values ------------------------------------------------------------- */

static int get_int(struct cfg_parser *p, const char *v, long min, long max, long *out)
{
	if (parse_int(v, min, max, out) == 0)
		return 0;
	if (errno == ERANGE)
		key_err(p, "value %s out of range (allowed: %ld..%ld)", v, min, max);
	else
		key_err(p, "'%s' is not a number (allowed: %ld..%ld)", v, min, max);
	return -1;
}

static int get_bool(struct cfg_parser *p, const char *v, bool *out)
{
	if (parse_bool(v, out) == 0)
		return 0;
	key_err(p, "'%s' is not a boolean (allowed: yes, no, true, false, on, off, 1, 0)", v);
	return -1;
}

/* A bare number is seconds (parse_duration_us): right for advert_interval
 * = 1, a surprise for interval = 500 meant as milliseconds. Said once the
 * value v (us) is taken. */
static void unit_warn(struct cfg_parser *p, const char *v, uint64_t us)
{
	size_t n = strlen(v);
	char d[32];

	if (us && n && isdigit((unsigned char)v[n - 1]))
		cfg_key_warn(p, p->cur, p->lineno, p->key_name, "%s without a unit is %s; write "
			     "%sms or %ss", v, format_duration(us, d, sizeof(d)), v, v);
}

/* allowed: the rule as shown to the user; NULL for "MIN..MAX". */
static int get_dur(struct cfg_parser *p, const char *v, uint64_t min, uint64_t max,
		   const char *allowed, uint64_t *out)
{
	char a[32], b[32], range[80], val[32];

	if (!allowed) {
		snprintf(range, sizeof(range), "%s..%s", format_duration(min, a, sizeof(a)),
			 format_duration(max, b, sizeof(b)));
		allowed = range;
	}
	if (parse_duration_us(v, out) < 0) {
		if (errno == ERANGE)
			key_err(p, "'%s' is out of range (allowed: %s)", v, allowed);
		else
			key_err(p, "'%s' is not a duration (allowed: a number with ms, s or m, "
				"e.g. 100ms, 1.5s, 2m)", v);
		return -1;
	}
	if (*out < min || *out > max) {
		key_err(p, "%s is out of range (allowed: %s)",
			format_duration(*out, val, sizeof(val)), allowed);
		return -1;
	}
	unit_warn(p, v, *out);
	return 0;
}

/* Index of v in names (case ignored), or -1 after an error listing them. */
static int get_enum(struct cfg_parser *p, const char *v, const char *const *names, size_t n)
{
	char list[160] = "";

	for (size_t i = 0; i < n; i++)
		if (!strcasecmp(v, names[i]))
			return (int)i;
	for (size_t i = 0; i < n; i++) {
		strncat(list, names[i], sizeof(list) - strlen(list) - 1);
		if (i + 1 < n)
			strncat(list, ", ", sizeof(list) - strlen(list) - 1);
	}
	key_err(p, "'%s' is not valid (allowed: %s)", v, list);
	return -1;
}

static bool is_abs_path(struct cfg_parser *p, const char *v)
{
	if (v[0] == '/')
		return true;
	key_err(p, "'%s' is not an absolute path (allowed: a path starting with /)", v);
	return false;
}

/* Something the kernel would take as an interface name. */
static bool ifname_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= IFNAMSIZ || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (; *s; s++)
		if (*s == '/' || *s == ':' || isspace((unsigned char)*s) || iscntrl((unsigned char)*s))
			return false;
	return true;
}

#define IFNAME_RULE "1..15 characters without '/', ':' or whitespace"

/* ---- [global] ----------------------------------------------------------- */

static void set_log_level(struct cfg_parser *p, void *obj, const char *v)
{
	struct cfg_global *g = obj;
	int level = log_level_parse(v);

	if (level < 0)
		key_err(p, "'%s' is not valid (allowed: error, warning, notice, info, debug)", v);
	else
		g->log_level = level;
}

static void set_runtime_dir(struct cfg_parser *p, void *obj, const char *v)
{
	struct cfg_global *g = obj;
	size_t n = strlen(v);

	if (!is_abs_path(p, v))
		return;
	/* "/run/hafd/" + "/hafd.sock" would work but reads badly in logs. */
	while (n > 1 && v[n - 1] == '/')
		n--;
	free(g->runtime_dir);
	g->runtime_dir = strndup(v, n);
	if (!g->runtime_dir)
		p->oom = true;
}

static void set_control_socket(struct cfg_parser *p, void *obj, const char *v)
{
	struct cfg_global *g = obj;

	if (!is_abs_path(p, v))
		return;
	if (strlen(v) > CFG_SUN_PATH_MAX) {
		key_err(p, "path is %zu characters, too long for a unix socket (allowed: up to %d)",
			strlen(v), CFG_SUN_PATH_MAX);
		return;
	}
	set_string(p, &g->control_socket, v);
}

static void set_nft_table(struct cfg_parser *p, void *obj, const char *v)
{
	struct cfg_global *g = obj;
	size_t n = strlen(v);

	if (strcmp(v, "none") && (n == 0 || n > 32 || strspn(v, "abcdefghijklmnopqrstuvwxyz"
			"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") != n)) {
		key_err(p, "'%s' is not a table name (allowed: 1..32 letters, digits, '_', '-', "
			"or none)", v);
		return;
	}
	free(g->nft_table);
	g->nft_table = strcmp(v, "none") ? cfg_strdup(p, v) : NULL;
}

static void set_v3_checksum(struct cfg_parser *p, void *obj, const char *v)
{
	static const char *const names[] = { "rfc5798", "rfc9568" };
	struct cfg_global *g = obj;
	int i = get_enum(p, v, names, 2);

	if (i >= 0)
		g->v3_checksum = i == 0 ? CFG_CSUM_RFC5798 : CFG_CSUM_RFC9568;
}

/* ADDRESS:PORT or none. A port below 1024 is refused: binding it needs
 * CAP_NET_BIND_SERVICE, which hafd.service's bounding set leaves out, and a
 * scrape port has no use for it. */
static void set_metrics_listen(struct cfg_parser *p, void *obj, const char *v)
{
	static const char rule[] = "ADDRESS:PORT with ADDRESS an IPv4 address, [IPv6 "
		"address] or localhost, PORT 1024..65535; or none";
	struct cfg_global *g = obj;
	char why[CFG_MAX_LINE + 160];
	struct cfg_hostport hp;

	if (!strcmp(v, "none")) {
		g->metrics_listen = false;
		return;
	}
	if (cfg_hostport_parse(v, &hp, why, sizeof(why)) < 0 || hp.port < 0 || *hp.rest) {
		key_err(p, "'%s' is not ADDRESS:PORT (allowed: %s)", v, rule);
		return;
	}
	if (hp.port < 1024) {
		key_err(p, "port %ld needs CAP_NET_BIND_SERVICE, which hafd does not keep "
			"(allowed: %s)", hp.port, rule);
		return;
	}
	g->metrics_listen = true;
	g->metrics_addr = hp.addr;
	g->metrics_port = (uint16_t)hp.port;
}

/* A group name as getgrnam() takes it; whether it exists is for the start
 * and reload to say (the reader does no I/O). */
static void set_control_group(struct cfg_parser *p, void *obj, const char *v)
{
	struct cfg_global *g = obj;
	size_t n = strlen(v);

	if (!strcmp(v, "none")) {
		free(g->control_group);
		g->control_group = NULL;
		return;
	}
	if (n == 0 || n > 32 || v[0] == '-' || strspn(v, "abcdefghijklmnopqrstuvwxyz"
			"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") != n) {
		key_err(p, "'%s' is not a group name (allowed: 1..32 letters, digits, '_', '.', "
			"'-', not starting with '-'; or none)", v);
		return;
	}
	set_string(p, &g->control_group, v);
}

#define FLD(st, f) .off = offsetof(st, f), .size = sizeof(((st *)0)->f)
#define KINT(n, st, f, lo, hi) { .name = n, .kind = K_INT, FLD(st, f), .min = lo, .max = hi }
#define KBOOL(n, st, f) { .name = n, .kind = K_BOOL, FLD(st, f) }
#define KDUR(n, st, f, lo, hi) { .name = n, .kind = K_DUR, FLD(st, f), .min = lo, .max = hi }
#define KSTR(n, st, f, what) { .name = n, .kind = K_STR, FLD(st, f), .allowed = what }
#define KFN(n, f) { .name = n, .kind = K_FN, .fn = f }
#define KLIST(n, f) { .name = n, .kind = K_FN, .flags = KF_LIST, .fn = f }

static const struct key_def global_keys[GK_N] = {
	[GK_ROUTER_ID] = KSTR("router_id", struct cfg_global, router_id, "a name"),
	[GK_LOG_LEVEL] = KFN("log_level", set_log_level),
	[GK_RUNTIME_DIR] = KFN("runtime_dir", set_runtime_dir),
	[GK_CONTROL_SOCKET] = KFN("control_socket", set_control_socket),
	[GK_NFT_TABLE] = KFN("nft_table", set_nft_table),
	[GK_SCRIPT_USER] = KSTR("script_user", struct cfg_global, script_user, "a user name"),
	[GK_SCRIPT_SECURITY] = KBOOL("script_security", struct cfg_global, script_security),
	[GK_V3_CHECKSUM] = KFN("v3_checksum", set_v3_checksum),
	[GK_CRASH_GUARD] = KBOOL("crash_guard", struct cfg_global, crash_guard),
	[GK_REALTIME_PRIORITY] = KINT("realtime_priority", struct cfg_global, realtime_priority,
				      0, 99),
	[GK_NFT_VRRP_CAP] = KINT("nft_vrrp_cap", struct cfg_global, nft_vrrp_cap, 0, 1000000),
	[GK_VIP_LEASE] = KBOOL("vip_lease", struct cfg_global, vip_lease),
	[GK_METRICS_LISTEN] = KFN("metrics_listen", set_metrics_listen),
	[GK_CONTROL_GROUP] = KFN("control_group", set_control_group),
	[GK_DRAIN_ON_STOP] = KDUR("drain_on_stop", struct cfg_global, drain_on_stop_us, 0,
				  3600 * CFG_SEC),
	[GK_NOTIFY_DRAIN] = KSTR("notify_drain", struct cfg_global, notify_drain, "a command"),
};

/* ---- [instance NAME] ---------------------------------------------------- */

static void set_interface(struct cfg_parser *p, void *obj, const char *v)
{
	struct cfg_instance *in = obj;

	if (!ifname_ok(v))
		key_err(p, "'%s' is not an interface name (allowed: " IFNAME_RULE ")", v);
	else
		snprintf(in->ifname, sizeof(in->ifname), "%s", v);
}

static void set_version(struct cfg_parser *p, void *obj, const char *v)
{
	static const char *const names[] = { "2", "3" };
	struct cfg_instance *in = obj;
	int i = get_enum(p, v, names, 2);

	if (i >= 0)
		in->version = (uint8_t)(i + 2);
}

/* The range depends on version, which may come later: config_check.c. */
static void set_advert(struct cfg_parser *p, void *obj, const char *v)
{
	if (parse_duration_us(v, &p->cur->advert_us) == 0) {
		unit_warn(p, v, p->cur->advert_us);
		return;
	}
	if (errno == ERANGE)
		key_err(p, "'%s' is out of range (allowed: 10ms..40.95s in 10ms steps, "
			"or 1s..255s for version 2)", v);
	else
		key_err(p, "'%s' is not a duration (allowed: a number with ms, s or m, "
			"e.g. 100ms, 1.5s, 2m)", v);
}

static void set_nopreempt(struct cfg_parser *p, void *obj, const char *v)
{
	get_bool(p, v, &p->cur->nopreempt);
}

/* Neither unset, nor multicast, nor broadcast. */
static bool addr_unicast(const struct hafd_addr *a)
{
	static const uint8_t zero[16];

	if (!memcmp(a->u.b, zero, addr_len(a)))
		return false;
	if (a->family == AF_INET)
		return (a->u.b[0] & 0xf0) != 0xe0 && a->u.v4.s_addr != 0xffffffff;
	return a->u.b[0] != 0xff;
}

/* keepalived's virtual_ipaddress lines carry options after the address
 * ("10.0.0.1/24 dev eth1 label eth1:0"); hafd.conf takes none. True after
 * an error that says so, when v is an address and such words. */
static bool vip_options(struct cfg_parser *p, const char *v)
{
	char addr[CFG_MAX_LINE + 1];
	size_t n = strcspn(v, " \t");
	const char *rest = v + n;
	struct hafd_addr a;

	rest += strspn(rest, " \t");
	snprintf(addr, sizeof(addr), "%.*s", (int)n, v);
	if (!*rest || *rest == '#' || addr_parse(addr, &a) < 0)
		return false;
	if (!strncmp(rest, "dev", 3) && (rest[3] == ' ' || rest[3] == '\t'))
		key_err(p, "'%s' is not an address (hafd.conf has no 'dev': the VIP goes on the "
			"instance's interface; use another instance for another interface)", v);
	else
		key_err(p, "'%s' is not an address (allowed: ADDR or ADDR/PREFIX alone; hafd.conf "
			"takes no options such as label, brd or scope)", v);
	return true;
}

/* An address for a list; -1 after an error. lines/n: the list so far. */
static int get_addr(struct cfg_parser *p, const char *v, bool prefix_ok, struct hafd_addr *a,
		    const struct hafd_addr *list, const int *lines, size_t n)
{
	if ((prefix_ok ? addr_parse(v, a) : addr_parse_host(v, a)) < 0) {
		if (prefix_ok && vip_options(p, v))
			return -1;
		if (prefix_ok)
			key_err(p, "'%s' is not an address (allowed: ADDR or ADDR/PREFIX, IPv4 or IPv6)", v);
		else
			key_err(p, "'%s' is not an address (allowed: one IPv4 or IPv6 address, no /PREFIX)", v);
		return -1;
	}
	if (!addr_unicast(a)) {
		key_err(p, "%s is not a unicast address (allowed: an address a host can have)", v);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		if (addr_equal(&list[i], a)) {
			key_err(p, "%s is listed twice (first at line %d; allowed: each address once)",
				v, lines[i]);
			return -1;
		}
	}
	return 0;
}

static void set_vip(struct cfg_parser *p, void *obj, const char *v)
{
	struct cfg_instance *in = obj;
	struct cfg_sect *s = p->cur;
	struct hafd_addr a;

	if (get_addr(p, v, true, &a, in->vips, s->vip_lines, in->n_vips) < 0)
		return;
	if (in->n_vips && a.family != in->family) {
		key_err(p, "%s is %s but this instance's first virtual_ip is %s (allowed: one family "
			"per instance)", v, cfg_family_name(a.family), cfg_family_name(in->family));
		return;
	}
	if (in->n_vips >= CFG_MAX_VIPS) {
		if (!s->vip_overflow)
			key_err(p, "more than %d addresses (allowed: up to %d virtual_ip per instance)",
				CFG_MAX_VIPS, CFG_MAX_VIPS);
		s->vip_overflow = true;
		return;
	}
	if (cfg_grow(p, &in->vips, sizeof(*in->vips), in->n_vips) ||
	    cfg_grow(p, &s->vip_lines, sizeof(*s->vip_lines), in->n_vips))
		return;
	in->family = a.family;
	in->vips[in->n_vips] = a;
	s->vip_lines[in->n_vips++] = p->lineno;
}

static void set_unicast_src(struct cfg_parser *p, void *obj, const char *v)
{
	struct cfg_instance *in = obj;

	if (get_addr(p, v, false, &in->unicast_src, NULL, NULL, 0) == 0)
		in->has_unicast_src = true;
}

static void set_peer(struct cfg_parser *p, void *obj, const char *v)
{
	struct cfg_instance *in = obj;
	struct cfg_sect *s = p->cur;
	struct hafd_addr a;

	if (get_addr(p, v, false, &a, in->peers, s->peer_lines, in->n_peers) < 0)
		return;
	if (cfg_grow(p, &in->peers, sizeof(*in->peers), in->n_peers) ||
	    cfg_grow(p, &s->peer_lines, sizeof(*s->peer_lines), in->n_peers))
		return;
	in->peers[in->n_peers] = a;
	s->peer_lines[in->n_peers++] = p->lineno;
}

/* A name to resolve at the end (track, group's instance). */
static void add_ref(struct cfg_parser *p, void *obj, const char *v)
{
	struct cfg_refs *r = &p->cur->refs;
	char *name;

	if (cfg_grow(p, &r->names, sizeof(*r->names), r->n) ||
	    cfg_grow(p, &r->lines, sizeof(*r->lines), r->n) || !(name = cfg_strdup(p, v)))
		return;
	r->names[r->n] = name;
	r->lines[r->n++] = p->lineno;
}

/* IFNAME [weight N] */
static void set_track_if(struct cfg_parser *p, void *obj, const char *v)
{
	struct cfg_instance *in = obj;
	struct cfg_sect *s = p->cur;
	char buf[CFG_MAX_LINE + 1], *save, *tok[4] = { NULL };
	long weight = 0;
	size_t n = 0;

	snprintf(buf, sizeof(buf), "%s", v);
	for (char *t = strtok_r(buf, " \t", &save); t && n < 4; t = strtok_r(NULL, " \t", &save))
		tok[n++] = t;
	if ((n != 1 && n != 3) || (n == 3 && strcmp(tok[1], "weight"))) {
		key_err(p, "'%s' is not valid (allowed: IFNAME or IFNAME weight N)", v);
		return;
	}
	if (!ifname_ok(tok[0])) {
		key_err(p, "'%s' is not an interface name (allowed: " IFNAME_RULE ")", tok[0]);
		return;
	}
	if (n == 3 && get_int(p, tok[2], -254, 254, &weight) < 0)
		return;
	for (size_t i = 0; i < in->n_track_ifs; i++) {
		if (!strcmp(in->track_ifs[i].ifname, tok[0])) {
			key_err(p, "%s is listed twice (first at line %d; allowed: each interface once)",
				tok[0], s->tif_lines[i]);
			return;
		}
	}
	if (cfg_grow(p, &in->track_ifs, sizeof(*in->track_ifs), in->n_track_ifs) ||
	    cfg_grow(p, &s->tif_lines, sizeof(*s->tif_lines), in->n_track_ifs))
		return;
	snprintf(in->track_ifs[in->n_track_ifs].ifname, IFNAMSIZ, "%s", tok[0]);
	in->track_ifs[in->n_track_ifs].weight = (int)weight;
	in->track_ifs[in->n_track_ifs].line = p->lineno;
	s->tif_lines[in->n_track_ifs++] = p->lineno;
}

static void set_garp_refresh(struct cfg_parser *p, void *obj, const char *v)
{
	static const char rule[] = "0s (off) or 100ms..60m";
	struct cfg_instance *in = obj;
	char val[32];
	uint64_t us;

	if (get_dur(p, v, 0, 3600 * CFG_SEC, rule, &us) < 0)
		return;
	if (us && us < 100000) {
		key_err(p, "%s is out of range (allowed: %s)", format_duration(us, val, sizeof(val)),
			rule);
		return;
	}
	in->garp_refresh_us = us;
}

/* mode = vrrp | anycast (hafd-anycast(7)); what anycast allows is checked
 * in config_anycast.c once the section is read. */
static void set_mode(struct cfg_parser *p, void *obj, const char *v)
{
	static const char *const names[] = { "vrrp", "anycast" };
	struct cfg_instance *in = obj;
	int i = get_enum(p, v, names, 2);

	if (i >= 0)
		in->anycast = i == 1;
}

static void set_degraded_if(struct cfg_parser *p, void *obj, const char *v)
{
	struct cfg_instance *in = obj;

	if (!ifname_ok(v))
		key_err(p, "'%s' is not an interface name (allowed: " IFNAME_RULE ")", v);
	else
		snprintf(in->degraded_ifname, sizeof(in->degraded_ifname), "%s", v);
}

/* fence_port = PORT [PORT...]: TCP ports, each once, given once (a
 * second fence_port replaces the first). */
static void set_fence_port(struct cfg_parser *p, void *obj, const char *v)
{
	struct cfg_instance *in = obj;
	char buf[CFG_MAX_LINE + 1], *save;
	uint16_t ports[CFG_MAX_FENCE_PORTS];
	size_t n = 0;

	snprintf(buf, sizeof(buf), "%s", v);
	for (char *t = strtok_r(buf, " \t,", &save); t; t = strtok_r(NULL, " \t,", &save)) {
		long port;

		if (parse_int(t, 1, 65535, &port) < 0) {
			key_err(p, "'%s' is not a TCP port (allowed: 1..65535, one or more "
				"separated by spaces)", t);
			return;
		}
		for (size_t i = 0; i < n; i++) {
			if (ports[i] == port) {
				key_err(p, "port %ld is listed twice (allowed: each port once)", port);
				return;
			}
		}
		if (n == CFG_MAX_FENCE_PORTS) {
			key_err(p, "more than %d ports (allowed: up to %d)", CFG_MAX_FENCE_PORTS,
				CFG_MAX_FENCE_PORTS);
			return;
		}
		ports[n++] = (uint16_t)port;
	}
	if (!n) {
		key_err(p, "no port given (allowed: 1..65535, one or more separated by spaces)");
		return;
	}
	memcpy(in->fence_ports, ports, n * sizeof(ports[0]));
	in->n_fence_ports = n;
}

#define INST struct cfg_instance
static const struct key_def inst_keys[IK_N] = {
	[IK_INTERFACE] = KFN("interface", set_interface),
	[IK_VRID] = KINT("vrid", INST, vrid, 1, 255),
	[IK_PRIORITY] = KINT("priority", INST, priority, 1, 255),
	[IK_VERSION] = KFN("version", set_version),
	[IK_ADVERT_INTERVAL] = KFN("advert_interval", set_advert),
	[IK_PREEMPT] = KBOOL("preempt", INST, preempt),
	[IK_NOPREEMPT] = KFN("nopreempt", set_nopreempt),
	[IK_PREEMPT_DELAY] = KDUR("preempt_delay", INST, preempt_delay_us, 0, 1000 * CFG_SEC),
	[IK_HOLD_DOWN] = KDUR("hold_down", INST, hold_down_us, 0, 3600 * CFG_SEC),
	[IK_PAIR] = KBOOL("pair", INST, pair),
	[IK_ACCEPT_MODE] = KBOOL("accept_mode", INST, accept_mode),
	[IK_VIRTUAL_IP] = KLIST("virtual_ip", set_vip),
	[IK_UNICAST_SRC] = KFN("unicast_src", set_unicast_src),
	[IK_UNICAST_PEER] = KLIST("unicast_peer", set_peer),
	[IK_UNICAST_TTL_CHECK] = KBOOL("unicast_ttl_check", INST, unicast_ttl_check),
	[IK_USE_VMAC] = KBOOL("use_vmac", INST, use_vmac),
	[IK_TRACK] = KLIST("track", add_ref),
	[IK_TRACK_INTERFACE] = KLIST("track_interface", set_track_if),
	[IK_GARP_REPEAT] = KINT("garp_repeat", INST, garp_repeat, 0, 100),
	[IK_GARP_DELAY] = KDUR("garp_delay", INST, garp_delay_us, 0, 3600 * CFG_SEC),
	[IK_GARP_REFRESH] = KFN("garp_refresh", set_garp_refresh),
	[IK_NOTIFY] = KSTR("notify", INST, notify, "a command"),
	[IK_NOTIFY_MASTER] = KSTR("notify_master", INST, notify_master, "a command"),
	[IK_NOTIFY_BACKUP] = KSTR("notify_backup", INST, notify_backup, "a command"),
	[IK_NOTIFY_FAULT] = KSTR("notify_fault", INST, notify_fault, "a command"),
	[IK_NOTIFY_STOP] = KSTR("notify_stop", INST, notify_stop, "a command"),
	[IK_MODE] = KFN("mode", set_mode),
	[IK_DEGRADED_INTERFACE] = KFN("degraded_interface", set_degraded_if),
	[IK_LEASE] = KDUR("lease", INST, lease_us, CFG_SEC, 3600 * CFG_SEC),
	[IK_DRAIN] = KDUR("drain", INST, drain_us, 0, 3600 * CFG_SEC),
	[IK_FENCE_PORT] = KFN("fence_port", set_fence_port),
};
#undef INST

/* ---- [check NAME] ------------------------------------------------------ */

static void set_check_type(struct cfg_parser *p, void *obj, const char *v)
{
	static const char *const names[] = { "script", "http", "tcp", "file", "gpu", "metrics" };
	static const enum check_type types[] = { CHECK_SCRIPT, CHECK_HTTP, CHECK_TCP, CHECK_FILE,
						 CHECK_GPU, CHECK_METRICS };
	struct cfg_check *c = obj;
	int i = get_enum(p, v, names, sizeof(names) / sizeof(names[0]));

	if (i >= 0)
		c->type = types[i];
}

static void set_on_timeout(struct cfg_parser *p, void *obj, const char *v)
{
	static const char *const names[] = { "fail", "degrade" };
	struct cfg_check *c = obj;
	int i = get_enum(p, v, names, 2);

	if (i >= 0)
		c->on_timeout = i ? CHECK_TIMEOUT_DEGRADE : CHECK_TIMEOUT_FAIL;
}

static void set_method(struct cfg_parser *p, void *obj, const char *v)
{
	static const char *const names[] = { "GET", "POST", "HEAD" };
	struct cfg_check *c = obj;
	int i = get_enum(p, v, names, 3);

	if (i >= 0)
		set_string(p, &c->method, names[i]);
}

/* STATUS 1..255, or none: keepalived's meaning, where every non-zero exit
 * is a failure (a converted vrrp_script keeps it; hafctl convert-keepalived
 * writes none). */
static void set_degrade_exit(struct cfg_parser *p, void *obj, const char *v)
{
	struct cfg_check *c = obj;
	long status;

	if (!strcmp(v, "none")) {
		c->degrade_exit = -1;
		return;
	}
	if (parse_int(v, 1, 255, &status) < 0) {
		key_err(p, "'%s' is not an exit status (allowed: 1..255, or none: every non-zero "
			"exit fails)", v);
		return;
	}
	c->degrade_exit = (int)status;
}

static void set_check_path(struct cfg_parser *p, void *obj, const char *v)
{
	struct cfg_check *c = obj;

	if (is_abs_path(p, v))
		set_string(p, &c->path, v);
}

/* "Name: value" with Name an HTTP token (RFC 9110 tchar). */
static void set_header(struct cfg_parser *p, void *obj, const char *v)
{
	struct cfg_check *c = obj;
	size_t n = strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
			  "!#$%&'*+-.^_`|~");
	char *h;

	if (n == 0 || v[n] != ':') {
		key_err(p, "'%s' is not a header (allowed: Name: value)", v);
		return;
	}
	if (cfg_grow(p, &c->headers, sizeof(*c->headers), c->n_headers) || !(h = cfg_strdup(p, v)))
		return;
	c->headers[c->n_headers++] = h;
}

static void set_status(struct cfg_parser *p, void *obj, const char *v)
{
	struct cfg_check *c = obj;
	bool degrade = p->key == CK_DEGRADE_STATUS;
	struct cfg_range **list = degrade ? &c->degrade_status : &c->expect_status;
	size_t *n = degrade ? &c->n_degrade_status : &c->n_expect_status;
	struct cfg_range r[CFG_MAX_LINE];
	char why[CFG_MAX_LINE + 160];
	int k;

	if (degrade && !strcmp(v, "none"))
		return;
	k = cfg_status_parse(v, r, CFG_MAX_LINE, why, sizeof(why));
	if (k < 0) {
		key_err(p, "%s", why);
		return;
	}
	for (int i = 0; i < k; i++) {
		if (cfg_grow(p, list, sizeof(**list), *n))
			return;
		(*list)[(*n)++] = r[i];
	}
}

/* degrade_body = TEXT, repeatable; "none" alone gives up the defaults
 * (config_check.c adds them when the key is not given). */
static void set_degrade_body(struct cfg_parser *p, void *obj, const char *v)
{
	struct cfg_check *c = obj;
	char *t;

	if (!strcmp(v, "none"))
		return;
	if (!*v) {
		key_err(p, "empty value (allowed: text that a saturated server's answer holds, "
			"or none)");
		return;
	}
	if (cfg_grow(p, &c->degrade_body, sizeof(*c->degrade_body), c->n_degrade_body) ||
	    !(t = cfg_strdup(p, v)))
		return;
	c->degrade_body[c->n_degrade_body++] = t;
}

static void set_request(struct cfg_parser *p, void *obj, const char *v)
{
	static const char *const names[] = { "get", "generate", "patroni" };
	static const enum check_request reqs[] = { CHECK_REQ_GET, CHECK_REQ_GENERATE,
						   CHECK_REQ_PATRONI };
	struct cfg_check *c = obj;
	int i = get_enum(p, v, names, 3);

	if (i >= 0)
		c->request = reqs[i];
}

static void set_endpoint(struct cfg_parser *p, void *obj, const char *v)
{
	static const char *const names[] = { "completions", "chat" };
	struct cfg_check *c = obj;
	int i = get_enum(p, v, names, 2);

	if (i >= 0)
		c->endpoint = i ? CHECK_EP_CHAT : CHECK_EP_COMPLETIONS;
}

/* A model id goes into the JSON body as it is: no quote, backslash or
 * control character, so it needs no escaping. */
static void set_model(struct cfg_parser *p, void *obj, const char *v)
{
	struct cfg_check *c = obj;

	for (const char *q = v; *q; q++)
		if (*q == '"' || *q == '\\' || iscntrl((unsigned char)*q)) {
			key_err(p, "'%s' is not a model id (allowed: text without '\"', '\\' or "
				"control characters)", v);
			return;
		}
	if (!*v)
		key_err(p, "empty value (allowed: a model id as GET /v1/models lists it)");
	else
		set_string(p, &c->model, v);
}

static void set_api_key_file(struct cfg_parser *p, void *obj, const char *v)
{
	struct cfg_check *c = obj;

	if (is_abs_path(p, v))
		set_string(p, &c->api_key_file, v);
}

/* http://HOST[:PORT][/PATH]: HOST a literal, as no DNS lookup may block. */
static void set_url(struct cfg_parser *p, void *obj, const char *v)
{
	struct cfg_check *c = obj;
	char why[CFG_MAX_LINE + 160];
	struct cfg_hostport hp;
	const char *path;

	if (!strncasecmp(v, "https://", 8)) {
		key_err(p, "'%s': https is not supported (allowed: http://HOST[:PORT][/PATH])", v);
		return;
	}
	if (strncasecmp(v, "http://", 7)) {
		key_err(p, "'%s' is not an http URL (allowed: http://HOST[:PORT][/PATH])", v);
		return;
	}
	if (cfg_hostport_parse(v + 7, &hp, why, sizeof(why)) < 0) {
		key_err(p, "%s", why);
		return;
	}
	path = *hp.rest ? hp.rest : "/";
	if (*path != '/' || path[strcspn(path, " \t")]) {
		key_err(p, "'%s' is not an http URL (allowed: http://HOST[:PORT][/PATH], "
			"no spaces: write %%20)", v);
		return;
	}
	set_string(p, &c->url, v);
	set_string(p, &c->http_host, hp.host);
	set_string(p, &c->http_path, path);
	c->http_addr = hp.addr;
	c->http_port = hp.port < 0 ? 80 : (uint16_t)hp.port;
}

static void set_address(struct cfg_parser *p, void *obj, const char *v)
{
	struct cfg_check *c = obj;
	char why[CFG_MAX_LINE + 160];
	struct cfg_hostport hp;

	if (cfg_hostport_parse(v, &hp, why, sizeof(why)) < 0)
		key_err(p, "%s", why);
	else if (hp.port < 0 || *hp.rest)
		key_err(p, "'%s' is not HOST:PORT (allowed: " CFG_HOSTPORT_RULE ")", v);
	else {
		c->tcp_addr = hp.addr;
		c->tcp_port = (uint16_t)hp.port;
	}
}

/* xid_fatal, xid_degrade: Xid codes separated by blanks or commas, or
 * none. The list replaces the default (config_check.c's gpu_finish). */
static void set_xid_list(struct cfg_parser *p, void *obj, const char *v)
{
	struct cfg_check *c = obj;
	bool fatal = p->key == CK_XID_FATAL;
	unsigned **list = fatal ? &c->xid_fatal : &c->xid_degrade;
	size_t *n = fatal ? &c->n_xid_fatal : &c->n_xid_degrade;
	char word[16];
	const char *s = v;

	if (!strcmp(v, "none"))
		return;
	while (*(s += strspn(s, " \t,"))) {
		size_t len = strcspn(s, " \t,");
		long code;

		snprintf(word, sizeof(word), "%.*s", (int)(len < sizeof(word) ? len : sizeof(word) - 1),
			 s);
		if (len >= sizeof(word) || parse_int(word, 1, 999, &code) < 0) {
			key_err(p, "'%.*s' is not an Xid (allowed: codes 1..999 separated by blanks "
				"or commas, or none)", (int)len, s);
			return;
		}
		if (*n >= GPU_XID_LIST_MAX) {
			key_err(p, "more than %d Xids (allowed: up to %d)", GPU_XID_LIST_MAX,
				GPU_XID_LIST_MAX);
			return;
		}
		if (cfg_grow(p, list, sizeof(**list), *n))
			return;
		(*list)[(*n)++] = (unsigned)code;
		s += len;
	}
	if (!*n)
		key_err(p, "empty list (allowed: codes 1..999, or none)");
}

/* An absolute path, or none (no Xids read). */
static void set_xid_source(struct cfg_parser *p, void *obj, const char *v)
{
	struct cfg_check *c = obj;

	if (!strcmp(v, "none")) {
		free(c->xid_source);
		c->xid_source = NULL;
	} else if (v[0] == '/') {
		set_string(p, &c->xid_source, v);
	} else {
		key_err(p, "'%s' is not an absolute path (allowed: a path starting with /, or "
			"none)", v);
	}
}

static void set_preset(struct cfg_parser *p, void *obj, const char *v)
{
	struct cfg_check *c = obj;

	if (!metrics_preset_find(v))
		key_err(p, "'%s' is not a preset (allowed: %s)", v, metrics_preset_names());
	else
		set_string(p, &c->preset, v);
}

/* One rule line; a preset's rules join them at the end of the section
 * (config_check.c), where a rule of the same name replaces the preset's. */
static void set_rule(struct cfg_parser *p, void *obj, const char *v)
{
	struct cfg_check *c = obj;
	struct metrics_rule r;
	char why[CFG_MAX_LINE + 160];

	if (metrics_rule_parse(v, &r, why, sizeof(why)) < 0) {
		if (errno == ENOMEM)
			p->oom = true;
		else
			key_err(p, "%s (allowed: %s)", why, METRICS_RULE_SYNTAX);
		return;
	}
	for (size_t i = 0; i < c->n_rules; i++) {
		if (strcmp(c->rules[i].name, r.name))
			continue;
		key_err(p, "rule %s is already given on line %d (allowed: one rule per name)",
			r.name, c->rules[i].line);
		metrics_rule_free(&r);
		return;
	}
	if (c->n_rules == METRICS_RULES_MAX) {
		key_err(p, "more than %d rules (allowed: at most %d per check)", METRICS_RULES_MAX,
			METRICS_RULES_MAX);
		metrics_rule_free(&r);
		return;
	}
	if (cfg_grow(p, &c->rules, sizeof(*c->rules), c->n_rules)) {
		metrics_rule_free(&r);
		return;
	}
	r.line = p->lineno;
	c->rules[c->n_rules++] = r;
}

/* haproxy_server = BACKEND/SERVER: HAProxy's name characters only, so the
 * value goes into a runtime API command line as it is (no ';', blank or
 * newline could start a second command). */
static void set_haproxy_server(struct cfg_parser *p, void *obj, const char *v)
{
	static const char name_chars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		"0123456789-_.:";
	struct cfg_check *c = obj;
	size_t b = strspn(v, name_chars);

	if (b == 0 || v[b] != '/' || !v[b + 1] || v[b + 1 + strspn(v + b + 1, name_chars)] ||
	    strlen(v) > 200) {
		key_err(p, "'%s' is not BACKEND/SERVER (allowed: HAProxy's names, of letters, "
			"digits and -_.:, as `set server` takes them)", v);
		return;
	}
	set_string(p, &c->haproxy_server, v);
}

/* haproxy_socket = /PATH or HOST:PORT, repeatable. */
static void set_haproxy_socket(struct cfg_parser *p, void *obj, const char *v)
{
	struct cfg_check *c = obj;
	struct cfg_haproxy_socket sk = { .line = p->lineno };
	char why[CFG_MAX_LINE + 160];
	struct cfg_hostport hp;

	if (v[0] == '/') {
		if (strlen(v) >= sizeof(sk.path)) {
			key_err(p, "'%s' is too long for a UNIX socket (allowed: up to %zu "
				"characters)", v, sizeof(sk.path) - 1);
			return;
		}
		sk.is_unix = true;
		snprintf(sk.path, sizeof(sk.path), "%s", v);
	} else if (cfg_hostport_parse(v, &hp, why, sizeof(why)) < 0 || hp.port < 0 || *hp.rest) {
		key_err(p, "'%s' is not a socket (allowed: an absolute path to a UNIX socket, "
			"or " CFG_HOSTPORT_RULE ")", v);
		return;
	} else {
		sk.addr = hp.addr;
		sk.port = (uint16_t)hp.port;
	}
	if (cfg_grow(p, &c->haproxy_sockets, sizeof(*c->haproxy_sockets), c->n_haproxy_sockets) ||
	    !(sk.text = cfg_strdup(p, v)))
		return;
	c->haproxy_sockets[c->n_haproxy_sockets++] = sk;
}

#define CHK struct cfg_check
#define T(t) KF_TYPE(CHECK_##t)
const struct key_def cfg_check_keys[CK_N] = {
	[CK_TYPE] = KFN("type", set_check_type),
	[CK_INTERVAL] = KDUR("interval", CHK, interval_us, 10000, 3600 * CFG_SEC),
	[CK_TIMEOUT] = KDUR("timeout", CHK, timeout_us, 10000, 3600 * CFG_SEC),
	[CK_RISE] = KINT("rise", CHK, rise, 1, 100),
	[CK_FALL] = KINT("fall", CHK, fall, 1, 100),
	[CK_WEIGHT] = KINT("weight", CHK, weight, -254, 254),
	[CK_DEGRADE_WEIGHT] = KINT("degrade_weight", CHK, degrade_weight, -254, 254),
	[CK_STARTUP_GRACE] = KDUR("startup_grace", CHK, startup_grace_us, 0, 86400 * CFG_SEC),
	[CK_ON_TIMEOUT] = { .name = "on_timeout", .kind = K_FN, .fn = set_on_timeout,
			    .flags = T(HTTP) | T(SCRIPT) | T(METRICS) },
	[CK_TIMEOUT_FALL] = { .name = "timeout_fall", .kind = K_INT, FLD(CHK, timeout_fall),
			      .min = 0, .max = 100, .flags = T(HTTP) | T(SCRIPT) | T(METRICS) },
	[CK_SLOW_AFTER] = { .name = "slow_after", .kind = K_DUR, FLD(CHK, slow_after_us),
			    .min = 0, .max = 3600 * CFG_SEC, .flags = T(HTTP) | T(SCRIPT) | T(TCP) },
	[CK_COMMAND] = { .name = "command", .kind = K_STR, FLD(CHK, command),
			 .allowed = "a command", .flags = T(SCRIPT) },
	[CK_DEGRADE_EXIT] = { .name = "degrade_exit", .kind = K_FN, .fn = set_degrade_exit,
			      .flags = T(SCRIPT) },
	[CK_URL] = { .name = "url", .kind = K_FN, .fn = set_url, .flags = T(HTTP) | T(METRICS) },
	[CK_METHOD] = { .name = "method", .kind = K_FN, .fn = set_method, .flags = T(HTTP) },
	[CK_HEADER] = { .name = "header", .kind = K_FN, .fn = set_header,
			.flags = T(HTTP) | T(METRICS) | KF_LIST },
	[CK_BODY] = { .name = "body", .kind = K_STR, FLD(CHK, body), .allowed = "text",
		      .flags = T(HTTP) },
	[CK_EXPECT_STATUS] = { .name = "expect_status", .kind = K_FN, .fn = set_status,
			       .flags = T(HTTP) | KF_LIST },
	[CK_DEGRADE_STATUS] = { .name = "degrade_status", .kind = K_FN, .fn = set_status,
				.flags = T(HTTP) | KF_LIST },
	[CK_EXPECT_BODY] = { .name = "expect_body", .kind = K_STR, FLD(CHK, expect_body),
			     .allowed = "text", .flags = T(HTTP) },
	[CK_ADDRESS] = { .name = "address", .kind = K_FN, .fn = set_address, .flags = T(TCP) },
	[CK_PATH] = { .name = "path", .kind = K_FN, .fn = set_check_path, .flags = T(FILE) },
	[CK_DEGRADE_BODY] = { .name = "degrade_body", .kind = K_FN, .fn = set_degrade_body,
			      .flags = T(HTTP) | KF_LIST },
	[CK_REQUEST] = { .name = "request", .kind = K_FN, .fn = set_request, .flags = T(HTTP) },
	[CK_ENDPOINT] = { .name = "endpoint", .kind = K_FN, .fn = set_endpoint, .flags = T(HTTP) },
	[CK_MODEL] = { .name = "model", .kind = K_FN, .fn = set_model, .flags = T(HTTP) },
	[CK_API_KEY_FILE] = { .name = "api_key_file", .kind = K_FN, .fn = set_api_key_file,
			      .flags = T(HTTP) },
	[CK_STREAM] = { .name = "stream", .kind = K_BOOL, FLD(CHK, stream), .flags = T(HTTP) },
	[CK_MIN_GPUS] = { .name = "min_gpus", .kind = K_INT, FLD(CHK, min_gpus), .min = 1,
			  .max = GPU_MAX, .flags = T(GPU) },
	/* -1 would make min_gpus's fatal factor only -254, not FAULT (gpu.h). */
	[CK_GPU_WEIGHT] = { .name = "gpu_weight", .kind = K_INT, FLD(CHK, gpu_weight),
			    .min = -254, .max = -2, .flags = T(GPU) },
	[CK_XID_FATAL] = { .name = "xid_fatal", .kind = K_FN, .fn = set_xid_list, .flags = T(GPU) },
	[CK_XID_DEGRADE] = { .name = "xid_degrade", .kind = K_FN, .fn = set_xid_list,
			     .flags = T(GPU) },
	[CK_XID_WINDOW] = { .name = "xid_window", .kind = K_DUR, FLD(CHK, xid_window_us),
			    .min = 0, .max = 86400 * CFG_SEC, .flags = T(GPU) },
	[CK_NVML_LIBRARY] = { .name = "nvml_library", .kind = K_STR, FLD(CHK, nvml_library),
			      .allowed = "a library file or name", .flags = T(GPU) },
	[CK_XID_SOURCE] = { .name = "xid_source", .kind = K_FN, .fn = set_xid_source,
			    .flags = T(GPU) },
	[CK_PRESET] = { .name = "preset", .kind = K_FN, .fn = set_preset, .flags = T(METRICS) },
	[CK_RULE] = { .name = "rule", .kind = K_FN, .fn = set_rule,
		      .flags = T(METRICS) | KF_LIST },
	[CK_DEGRADE_CAP] = { .name = "degrade_cap", .kind = K_INT, FLD(CHK, degrade_cap),
			     .min = -254, .max = -1, .flags = T(METRICS) },
	[CK_HAPROXY_SERVER] = KFN("haproxy_server", set_haproxy_server),
	[CK_HAPROXY_SOCKET] = { .name = "haproxy_socket", .kind = K_FN, .fn = set_haproxy_socket,
				.flags = KF_LIST },
	[CK_HAPROXY_DEGRADE_WEIGHT] = KINT("haproxy_degrade_weight", CHK, haproxy_degrade_weight,
					   1, 100),
};
#undef T
#undef CHK
/* struct cfg_sect's seen[] and bad[] have room for CFG_MAX_KEYS. */
_Static_assert(CK_N <= CFG_MAX_KEYS, "more [check] keys than CFG_MAX_KEYS");
_Static_assert(IK_N <= CFG_MAX_KEYS, "more [instance] keys than CFG_MAX_KEYS");

/* ---- [group NAME] ------------------------------------------------------- */

#define GRP struct cfg_group
static const struct key_def group_keys[GRK_N] = {
	[GRK_INSTANCE] = KLIST("instance", add_ref),
	[GRK_NOTIFY] = KSTR("notify", GRP, notify, "a command"),
	[GRK_NOTIFY_MASTER] = KSTR("notify_master", GRP, notify_master, "a command"),
	[GRK_NOTIFY_BACKUP] = KSTR("notify_backup", GRP, notify_backup, "a command"),
	[GRK_NOTIFY_FAULT] = KSTR("notify_fault", GRP, notify_fault, "a command"),
};
#undef GRP

/* ---- dispatch ----------------------------------------------------------- */

static const struct key_def *sect_keys(enum sect_kind kind, size_t *n, const char **type)
{
	switch (kind) {
	case SECT_GLOBAL:
		*n = GK_N, *type = "global";
		return global_keys;
	case SECT_INSTANCE:
		*n = IK_N, *type = "instance";
		return inst_keys;
	case SECT_CHECK:
		*n = CK_N, *type = "check";
		return cfg_check_keys;
	case SECT_GROUP:
		*n = GRK_N, *type = "group";
		return group_keys;
	default:
		*n = 0, *type = "";
		return NULL;
	}
}

static void *sect_obj(struct cfg_parser *p)
{
	struct hafd_config *cfg = p->cfg;

	switch (p->kind) {
	case SECT_GLOBAL:
		return &cfg->global;
	case SECT_INSTANCE:
		return &cfg->instances[p->cur_idx];
	case SECT_CHECK:
		return &cfg->checks[p->cur_idx];
	case SECT_GROUP:
		return &cfg->groups[p->cur_idx];
	default:
		return NULL;
	}
}

static void store_int(void *field, size_t size, long v)
{
	uint8_t u8 = (uint8_t)v;
	int i = (int)v;

	if (size == sizeof(u8))
		memcpy(field, &u8, sizeof(u8));
	else
		memcpy(field, &i, sizeof(i));
}

static void key_apply(struct cfg_parser *p, const struct key_def *k, void *obj, const char *v)
{
	char *field = (char *)obj + k->off;
	uint64_t us;
	long l;
	bool b;

	switch (k->kind) {
	case K_INT:
		if (get_int(p, v, (long)k->min, (long)k->max, &l) == 0)
			store_int(field, k->size, l);
		break;
	case K_BOOL:
		if (get_bool(p, v, &b) == 0)
			memcpy(field, &b, sizeof(b));
		break;
	case K_DUR:
		if (get_dur(p, v, (uint64_t)k->min, (uint64_t)k->max, NULL, &us) == 0)
			memcpy(field, &us, sizeof(us));
		break;
	case K_STR:
		if (*v)
			set_string(p, field, v);
		else
			key_err(p, "empty value (allowed: %s)", k->allowed);
		break;
	case K_FN:
		k->fn(p, obj, v);
		break;
	}
}

void cfg_key_set(struct cfg_parser *p, const char *name, const char *val)
{
	const char *type, *near;
	struct cfg_sect *s = p->cur;
	size_t n, i;
	const struct key_def *keys = sect_keys(p->kind, &n, &type);

	for (i = 0; i < n && strcmp(keys[i].name, name); i++)
		;
	if (i == n) {
		near = cfg_suggest(name, keys, n, sizeof(*keys));
		if (near)
			cfg_key_err(p, s, p->lineno, name, "unknown key (did you mean '%s'?)", near);
		else
			cfg_key_err(p, s, p->lineno, name, "unknown key (see hafd.conf(5) for the "
				    "keys of [%s])", type);
		return;
	}
	if (s->seen[i] && !(keys[i].flags & KF_LIST)) {
		cfg_key_err(p, s, p->lineno, name, "given twice (first at line %d; only lists "
			    "may repeat)", s->seen[i]);
		return;
	}
	if (!s->seen[i])
		s->seen[i] = p->lineno;
	p->key = i;
	p->key_name = keys[i].name;
	p->val = val;
	key_apply(p, &keys[i], sect_obj(p), val);
	if (!s->bad[i] && hash_comment(val))
		cfg_key_warn(p, s, p->lineno, name, HASH_HINT ": the value is '%s'", val);
	p->val = NULL;
}
