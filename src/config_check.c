/* config_check.c: what can only be checked once the whole file is read
 * (keys that depend on each other, references between sections, clashes
 * between instances), the grammars of http/tcp addresses and status lists,
 * "did you mean" and reload compatibility. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "config_priv.h"
#include "parse.h"

/* cfg_suggest() and ref_find() read a name as the struct's first member. */
_Static_assert(offsetof(struct cfg_instance, name) == 0, "name first");
_Static_assert(offsetof(struct cfg_check, name) == 0, "name first");
_Static_assert(offsetof(struct key_def, name) == 0, "name first");

static const char *const type_names[] = {
	[CHECK_SCRIPT] = "script", [CHECK_HTTP] = "http", [CHECK_TCP] = "tcp", [CHECK_FILE] = "file",
	[CHECK_GPU] = "gpu",
	[CHECK_METRICS] = "metrics",
};

const char *cfg_family_name(int family)
{
	return family == AF_INET6 ? "IPv6" : "IPv4";
}

/* ---- did you mean ------------------------------------------------------- */

static size_t min3(size_t a, size_t b, size_t c)
{
	return a < b ? (a < c ? a : c) : (b < c ? b : c);
}

/* Edit distance with transpositions (a swap is one typo), case ignored. */
static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t r0[CFG_MAX_LINE + 2], r1[CFG_MAX_LINE + 2], r2[CFG_MAX_LINE + 2];

	if (la > CFG_MAX_LINE || lb > CFG_MAX_LINE || la > lb + 2 || lb > la + 2)
		return SIZE_MAX;
	for (size_t j = 0; j <= lb; j++)
		r1[j] = j;
	for (size_t i = 1; i <= la; i++) {
		int ca = tolower((unsigned char)a[i - 1]);

		r2[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			int cb = tolower((unsigned char)b[j - 1]);

			r2[j] = min3(r1[j] + 1, r2[j - 1] + 1, r1[j - 1] + (ca != cb));
			if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2]) &&
			    cb == tolower((unsigned char)a[i - 2]) && r0[j - 2] + 1 < r2[j])
				r2[j] = r0[j - 2] + 1;
		}
		memcpy(r0, r1, (lb + 1) * sizeof(r0[0]));
		memcpy(r1, r2, (lb + 1) * sizeof(r1[0]));
	}
	return r1[lb];
}

const char *cfg_suggest(const char *word, const void *base, size_t n, size_t stride)
{
	const char *best = NULL, *cand;
	size_t best_d = 3, d;

	for (size_t i = 0; i < n; i++) {
		memcpy(&cand, (const char *)base + i * stride, sizeof(cand));
		d = edit_distance(word, cand);
		if (d < best_d) {
			best = cand;
			best_d = d;
		}
	}
	return best;
}

/* ---- [global] ----------------------------------------------------------- */

static void global_finish(struct cfg_parser *p)
{
	struct cfg_global *g = &p->cfg->global;
	const char *dir = g->runtime_dir;
	char host[256] = "";
	size_t n;

	if (!g->router_id) {
		if (gethostname(host, sizeof(host) - 1) < 0 || !host[0])
			snprintf(host, sizeof(host), "hafd");
		g->router_id = cfg_strdup(p, host);
	}
	/* Said where the user chose it: what is given up (hafd.conf(5),
	 * VIP LEASE). */
	if (!g->nft_table && p->global.seen[GK_NFT_TABLE])
		cfg_key_warn(p, &p->global, p->global.seen[GK_NFT_TABLE], "nft_table",
			     "none: no VIP lease: a hafd killed with its crash guard, or frozen, "
			     "leaves its VIPs answering beside the new master");
	else if (g->nft_table && !g->vip_lease && p->global.seen[GK_VIP_LEASE])
		cfg_key_warn(p, &p->global, p->global.seen[GK_VIP_LEASE], "vip_lease",
			     "no: a hafd killed with its crash guard, or frozen, leaves its VIPs "
			     "answering beside the new master");
	if (g->control_socket || !dir)
		return;
	if (!strcmp(dir, "/"))
		dir = "";
	n = strlen(dir) + strlen("/hafd.sock");
	if (n > CFG_SUN_PATH_MAX) {
		cfg_key_err(p, &p->global, p->global.seen[GK_RUNTIME_DIR], "runtime_dir",
			    "%s/hafd.sock is too long for a unix socket (allowed: up to %d "
			    "characters, or set control_socket)", dir, CFG_SUN_PATH_MAX);
		return;
	}
	if (!(g->control_socket = malloc(n + 1)))
		p->oom = true;
	else
		snprintf(g->control_socket, n + 1, "%s/hafd.sock", dir);
}

/* ---- [instance NAME] ---------------------------------------------------- */

static void require(struct cfg_parser *p, const struct cfg_sect *s, int key, const char *name,
		    const char *extra)
{
	if (!s->seen[key])
		cfg_key_err(p, s, s->line, name, "required key is missing%s", extra);
}

static void advert_finish(struct cfg_parser *p, struct cfg_instance *in, const struct cfg_sect *s)
{
	static const char v3[] = "10ms..40.95s in 10ms steps", v2[] = "1s..255s for version 2";
	int line = s->seen[IK_ADVERT_INTERVAL];
	uint64_t us = s->advert_us;
	const char *what = NULL, *rule = in->version == 2 ? v2 : v3;
	char v[32];

	/* Without the key the default, 1s, suits both versions. */
	if (!line || s->bad[IK_ADVERT_INTERVAL] || s->bad[IK_VERSION])
		return;
	if (in->version == 2 && us % CFG_SEC)
		what = "is not a whole number of seconds";
	else if (in->version == 2 && (us < CFG_SEC || us > 255 * CFG_SEC))
		what = "is out of range";
	else if (in->version == 3 && (us < 10000 || us > 40950000))
		what = "is out of range";
	else if (in->version == 3 && us % 10000)
		what = "is not a multiple of 10ms";
	if (what)
		cfg_key_err(p, s, line, "advert_interval", "%s %s (allowed: %s)",
			    format_duration(us, v, sizeof(v)), what, rule);
	else
		in->advert_interval_cs = (uint16_t)(us / 10000);
}

static void preempt_finish(struct cfg_parser *p, struct cfg_instance *in, const struct cfg_sect *s)
{
	int lp = s->seen[IK_PREEMPT], ln = s->seen[IK_NOPREEMPT];

	if (!ln || s->bad[IK_NOPREEMPT])
		return;
	if (lp && !s->bad[IK_PREEMPT] && in->preempt == s->nopreempt) {
		cfg_key_err(p, s, ln > lp ? ln : lp, ln > lp ? "nopreempt" : "preempt",
			    "contradicts %s at line %d (allowed: nopreempt = yes means preempt = no)",
			    ln > lp ? "preempt" : "nopreempt", ln > lp ? lp : ln);
		return;
	}
	in->preempt = !s->nopreempt;
}

/* pair's default: yes exactly when unicast with one peer, so the only
 * router that can be the master's backup. Given as yes elsewhere, more
 * than one backup can exist, and pair makes each of them take over at
 * once: a warning, as a multicast link with two routers is fine. */
static void pair_finish(struct cfg_parser *p, struct cfg_instance *in, const struct cfg_sect *s)
{
	static const char risk[] = "all would take over at once when the master resigns, and "
				   "clients that follow the loser's gratuitous ARP or NA are "
				   "black-holed (pair = yes is meant for the only backup of its "
				   "master: one unicast_peer)";
	int line = s->seen[IK_PAIR];

	if (!line) {
		in->pair = in->n_peers == 1;
		return;
	}
	if (!in->pair || in->n_peers == 1 || s->bad[IK_PAIR])
		return;
	if (!in->n_peers)
		cfg_key_warn(p, s, line, "pair", "yes, but a multicast instance can have more "
			     "than one backup: %s", risk);
	else
		cfg_key_warn(p, s, line, "pair", "yes, but with %zu unicast_peer there can be %zu "
			     "backups: %s", in->n_peers, in->n_peers, risk);
}

static void unicast_finish(struct cfg_parser *p, struct cfg_instance *in, const struct cfg_sect *s)
{
	static const char fam[] = "%s is %s but this instance's virtual_ip is %s (allowed: one "
				  "family per instance)";
	char a[ADDR_STRLEN];

	if (!in->family)
		return;
	if (in->has_unicast_src && in->unicast_src.family != in->family)
		cfg_key_err(p, s, s->seen[IK_UNICAST_SRC], "unicast_src", fam,
			    addr_ntop(&in->unicast_src, a, sizeof(a)),
			    cfg_family_name(in->unicast_src.family), cfg_family_name(in->family));
	for (size_t i = 0; i < in->n_peers; i++) {
		const struct hafd_addr *peer = &in->peers[i];

		addr_ntop(peer, a, sizeof(a));
		if (peer->family != in->family)
			cfg_key_err(p, s, s->peer_lines[i], "unicast_peer", fam, a,
				    cfg_family_name(peer->family), cfg_family_name(in->family));
		else if (in->has_unicast_src && addr_equal(peer, &in->unicast_src))
			cfg_key_err(p, s, s->peer_lines[i], "unicast_peer", "%s is this instance's "
				    "own unicast_src (allowed: the other routers' addresses)", a);
	}
}

static void instance_finish(struct cfg_parser *p, size_t i)
{
	struct cfg_instance *in = &p->cfg->instances[i];
	const struct cfg_sect *s = &p->isect[i];

	require(p, s, IK_INTERFACE, "interface", "");
	if (cfg_anycast_finish(p, i))
		return;         /* mode = anycast: none of VRRP's keys below */
	require(p, s, IK_VRID, "vrid", "");
	require(p, s, IK_VIRTUAL_IP, "virtual_ip", " (at least one)");
	advert_finish(p, in, s);
	preempt_finish(p, in, s);
	pair_finish(p, in, s);
	if (in->version == 2 && in->family == AF_INET6)
		cfg_key_err(p, s, s->seen[IK_VERSION], "version",
			    "version 2 is IPv4 only (allowed: version 3 for IPv6)");
	unicast_finish(p, in, s);
	/* The fence is a set of hafd's nft table (nft.h). */
	if (in->n_fence_ports && !p->cfg->global.nft_table)
		cfg_key_err(p, s, s->seen[IK_FENCE_PORT], "fence_port", "needs hafd's nft table, "
			    "and nft_table = none (allowed: an nft_table, or remove fence_port)");
}

/* ---- [check NAME] ------------------------------------------------------- */

/* What the engines answer when their queue is full: a 5xx holding one of
 * these (case ignored) is saturation, not death (degrade_body). Each is
 * the engine's own text, as its source has it:
 *  - vLLM, --max-num-queued-reqs / --max-num-queued-tokens (>= 0.29): 503
 *    "The engine is currently busy and cannot accept new requests. ..."
 *    and "The engine has reached its prefill token backlog limit. ..."
 *    (vllm/exceptions.py, QueueOverflowError, MaxQueuedTokensError); the
 *    branch of PR #49445 said "Request queue full." and "Request queue
 *    reached max pending tokens limit." (vllm/v1/engine/exceptions.py)
 *  - SGLang, --max-queued-requests: 503 "The request queue is full."
 *  - Ollama, OLLAMA_MAX_QUEUE: 503 "server busy, please try again.  maximum
 *    pending requests exceeded" (server/sched.go, ErrMaxQueue; 503 in
 *    server/routes.go)
 *  - TGI, --max-concurrent-requests: 429 "Model is overloaded"
 *    (router/src/infer/mod.rs, InferError::Overloaded); 429 is degraded by
 *    status already, the text covers a proxy that answers it as 503.
 * A 503 with any other body (llama.cpp's and TGI's "Loading model", a
 * dead vLLM engine) stays down. Keep man/hafd.conf.5 in step. */
static const char *const degrade_body_default[] = {
	"cannot accept new requests", "prefill token backlog limit",
	"queue full", "max pending tokens", "queue is full",
	"maximum pending requests exceeded", "Model is overloaded",
};

/* The key is sent as a bearer token: a file others may read or replace
 * would hand it out, or let them choose it. Refused at load, like a
 * runtime_dir others may write. Not opened here: check_net.c reads it at
 * each run (a new key needs no reload) and checks again. */
static void api_key_file_check(struct cfg_parser *p, const struct cfg_check *c,
			       const struct cfg_sect *s)
{
	int line = s->seen[CK_API_KEY_FILE];
	struct stat st;

	if (stat(c->api_key_file, &st) < 0)
		cfg_key_err(p, s, line, "api_key_file", "%s: %s (allowed: a file holding the "
			    "key, mode 0600 or 0400, owned by root)", c->api_key_file,
			    strerror(errno));
	else if (!S_ISREG(st.st_mode))
		cfg_key_err(p, s, line, "api_key_file", "%s is not a regular file",
			    c->api_key_file);
	else if (st.st_uid != 0 && st.st_uid != geteuid())
		cfg_key_err(p, s, line, "api_key_file", "%s is owned by uid %lu, not root: "
			    "refusing it (chown root %s)", c->api_key_file,
			    (unsigned long)st.st_uid, c->api_key_file);
	else if (st.st_mode & (S_IRWXG | S_IRWXO))
		cfg_key_err(p, s, line, "api_key_file", "%s may be read or written by group "
			    "or others (mode %04o): refusing it (chmod 600 %s)", c->api_key_file,
			    (unsigned)(st.st_mode & 07777), c->api_key_file);
}

/* request = generate: the keys that shape a GET do not apply, and the
 * probe's paths hang off the URL's base. */
static void generate_finish(struct cfg_parser *p, struct cfg_check *c, const struct cfg_sect *s)
{
	static const int own[] = { CK_METHOD, CK_BODY, CK_EXPECT_BODY };
	size_t n;

	for (size_t i = 0; i < sizeof(own) / sizeof(own[0]); i++)
		if (s->seen[own[i]])
			cfg_key_err(p, s, s->seen[own[i]], cfg_check_keys[own[i]].name,
				    "not with request = generate (the probe is a POST of its own; "
				    "allowed: request = get)");
	if (c->http_path && strchr(c->http_path, '?'))
		cfg_key_err(p, s, s->seen[CK_URL], "url", "'%s': request = generate takes a "
			    "base URL without a query (allowed: http://HOST:PORT[/PREFIX][/v1])",
			    c->url);
	if (c->http_path) {
		n = strlen(c->http_path);
		while (n && c->http_path[n - 1] == '/')
			n--;
		if (n >= 3 && !strncmp(c->http_path + n - 3, "/v1", 3))
			n -= 3;
		free(c->gen_base);
		c->gen_base = strndup(c->http_path, n);
		if (!c->gen_base)
			p->oom = true;
	}
	if (c->api_key_file && !s->bad[CK_API_KEY_FILE])
		api_key_file_check(p, c, s);
}

/* request = patroni: Patroni's own answer decides (patroni.h), and a member
 * that is not the leader is in FAULT whatever its priority: nothing may
 * turn a 503 into "degraded", nor the weight into a mere priority change. */
static void patroni_finish(struct cfg_parser *p, struct cfg_check *c, const struct cfg_sect *s)
{
	static const int own[] = { CK_METHOD, CK_BODY, CK_EXPECT_BODY, CK_EXPECT_STATUS,
				   CK_DEGRADE_STATUS, CK_DEGRADE_BODY, CK_DEGRADE_WEIGHT,
				   CK_SLOW_AFTER };

	for (size_t i = 0; i < sizeof(own) / sizeof(own[0]); i++)
		if (s->seen[own[i]])
			cfg_key_err(p, s, s->seen[own[i]], cfg_check_keys[own[i]].name,
				    "not with request = patroni (the leader answers 200 with a "
				    "read-write PostgreSQL, anything else is FAULT)");
	if (s->seen[CK_WEIGHT] && c->weight != 0)
		cfg_key_err(p, s, s->seen[CK_WEIGHT], "weight", "%d: request = patroni puts a "
			    "member that is not the leader in FAULT (allowed: weight = 0)",
			    c->weight);
	if (c->on_timeout == CHECK_TIMEOUT_DEGRADE)
		cfg_key_err(p, s, s->seen[CK_ON_TIMEOUT], "on_timeout", "degrade: a Patroni "
			    "that does not answer is not the leader (allowed: fail)");
	c->n_degrade_status = 0;
	for (size_t i = 0; i < c->n_degrade_body; i++)         /* http_finish's defaults */
		free(c->degrade_body[i]);
	c->n_degrade_body = 0;
	/* Patroni reads "/" as /primary; say it, for the logs and 4.x alike. */
	if (c->http_path && !strcmp(c->http_path, "/")) {
		free(c->http_path);
		c->http_path = cfg_strdup(p, "/primary");
	}
}

static void http_finish(struct cfg_parser *p, struct cfg_check *c, const struct cfg_sect *s)
{
	static const int gen_only[] = { CK_ENDPOINT, CK_MODEL, CK_API_KEY_FILE, CK_STREAM };

	int le = s->seen[CK_EXPECT_STATUS], ld = s->seen[CK_DEGRADE_STATUS];

	if (!c->method)
		c->method = cfg_strdup(p, "GET");
	if (!le && !cfg_grow(p, &c->expect_status, sizeof(*c->expect_status), 0))
		c->expect_status[c->n_expect_status++] = (struct cfg_range){ 200, 200 };
	if (!ld && !cfg_grow(p, &c->degrade_status, sizeof(*c->degrade_status), 0))
		c->degrade_status[c->n_degrade_status++] = (struct cfg_range){ 429, 429 };
	for (size_t i = 0; !s->seen[CK_DEGRADE_BODY] && i < sizeof(degrade_body_default) /
		     sizeof(degrade_body_default[0]); i++) {
		char *t;

		if (cfg_grow(p, &c->degrade_body, sizeof(*c->degrade_body), c->n_degrade_body) ||
		    !(t = cfg_strdup(p, degrade_body_default[i])))
			break;
		c->degrade_body[c->n_degrade_body++] = t;
	}
	if (c->request == CHECK_REQ_GENERATE)
		generate_finish(p, c, s);
	else if (c->request == CHECK_REQ_PATRONI)
		patroni_finish(p, c, s);
	else if (!s->bad[CK_REQUEST])
		for (size_t i = 0; i < sizeof(gen_only) / sizeof(gen_only[0]); i++)
			if (s->seen[gen_only[i]] && !s->bad[gen_only[i]])
				cfg_key_err(p, s, s->seen[gen_only[i]],
					    cfg_check_keys[gen_only[i]].name,
					    "key is only valid with request = generate");
	if (s->bad[CK_EXPECT_STATUS] || s->bad[CK_DEGRADE_STATUS])
		return;
	for (size_t i = 0; i < c->n_expect_status; i++) {
		for (size_t j = 0; j < c->n_degrade_status; j++) {
			const struct cfg_range *e = &c->expect_status[i], *d = &c->degrade_status[j];

			if (e->lo > d->hi || d->lo > e->hi)
				continue;
			cfg_key_err(p, s, le > ld ? le : ld, le > ld ? "expect_status" : "degrade_status",
				    "status %u is in both expect_status and degrade_status (allowed: "
				    "each status in one list; degrade_status = none empties the "
				    "degrade list)", e->lo > d->lo ? e->lo : d->lo);
			return;
		}
	}
}

/* NVIDIA's Xid catalogue (docs.nvidia.com/deploy/xid-errors, Ampere and
 * newer): what needs a GPU reset or a reboot is fatal; what kills an
 * application, or remaps a row at the next reset, degrades (man hafd.conf
 * lists each). */
static const unsigned xid_fatal_default[] = { 48, 64, 74, 79, 95, 119, 120 };
static const unsigned xid_degrade_default[] = { 13, 31, 43, 63, 94 };

static void xid_default(struct cfg_parser *p, unsigned **list, size_t *n, const unsigned *def,
			size_t n_def)
{
	if (cfg_grow(p, list, sizeof(**list) * n_def, 0))
		return;
	memcpy(*list, def, sizeof(*def) * n_def);
	*n = n_def;
}

static void gpu_finish(struct cfg_parser *p, struct cfg_check *c, const struct cfg_sect *s)
{
	if (!s->seen[CK_XID_FATAL])
		xid_default(p, &c->xid_fatal, &c->n_xid_fatal, xid_fatal_default,
			    sizeof(xid_fatal_default) / sizeof(xid_fatal_default[0]));
	if (!s->seen[CK_XID_DEGRADE])
		xid_default(p, &c->xid_degrade, &c->n_xid_degrade, xid_degrade_default,
			    sizeof(xid_degrade_default) / sizeof(xid_degrade_default[0]));
	if (!s->seen[CK_XID_SOURCE])
		c->xid_source = cfg_strdup(p, "/dev/kmsg");
	if (!c->nvml_library)
		c->nvml_library = cfg_strdup(p, "libnvidia-ml.so.1");
	if (s->seen[CK_WEIGHT] && s->seen[CK_GPU_WEIGHT])
		cfg_key_err(p, s, s->seen[CK_GPU_WEIGHT], "gpu_weight",
			    "weight is given too (line %d; allowed: weight for the check as a "
			    "whole, or gpu_weight for each bad GPU, not both)", s->seen[CK_WEIGHT]);
	else if (c->gpu_weight)
		c->weight = c->gpu_weight;      /* multiplied by the bad count (gpu.h) */
	for (size_t i = 0; i < c->n_xid_fatal; i++)
		for (size_t j = 0; j < c->n_xid_degrade; j++)
			if (c->xid_fatal[i] == c->xid_degrade[j]) {
				int lf = s->seen[CK_XID_FATAL], ld = s->seen[CK_XID_DEGRADE];

				cfg_key_err(p, s, lf > ld ? lf : ld, lf > ld ? "xid_fatal" : "xid_degrade",
					    "Xid %u is in both xid_fatal and xid_degrade (allowed: "
					    "each Xid in one list)", c->xid_fatal[i]);
				return;
			}
}

/* The rules a metrics check runs: the preset's, each replaced by a rule
 * line of its name (or dropped by NAME off), then the other rule lines.
 * A down rule without a weight takes the check's. The request is http's:
 * GET, and only 200 is an answer to read. */
static void metrics_finish(struct cfg_parser *p, struct cfg_check *c, const struct cfg_sect *s)
{
	const struct metrics_preset *pre = c->preset ? metrics_preset_find(c->preset) : NULL;
	struct metrics_rule *all = NULL;
	size_t n = 0;
	bool *used = calloc(c->n_rules + 1, sizeof(*used));
	char why[256];

	if (!c->method)
		c->method = cfg_strdup(p, "GET");
	if (!cfg_grow(p, &c->expect_status, sizeof(*c->expect_status), 0))
		c->expect_status[c->n_expect_status++] = (struct cfg_range){ 200, 200 };
	if (!used) {
		p->oom = true;
		return;
	}
	for (size_t k = 0; pre && pre->rules[k]; k++) {
		struct metrics_rule r;
		size_t u, len = strcspn(pre->rules[k], " ");

		for (u = 0; u < c->n_rules; u++)
			if (strlen(c->rules[u].name) == len &&
			    !strncmp(c->rules[u].name, pre->rules[k], len))
				break;
		if (u < c->n_rules) {
			used[u] = true;
			if (c->rules[u].off)
				continue;
			if (cfg_grow(p, &all, sizeof(*all), n))
				break;
			all[n++] = c->rules[u];
			c->rules[u].metric = NULL;
			c->rules[u].n_pending = 0;
			continue;
		}
		if (metrics_rule_parse(pre->rules[k], &r, why, sizeof(why)) < 0) {
			p->oom = true;  /* the presets are tested: only memory can fail */
			break;
		}
		if (cfg_grow(p, &all, sizeof(*all), n)) {
			metrics_rule_free(&r);
			break;
		}
		all[n++] = r;
	}
	for (size_t u = 0; u < c->n_rules; u++) {
		if (used[u])
			continue;
		if (c->rules[u].off) {
			cfg_key_err(p, s, c->rules[u].line, "rule", "rule %s off: %s has no rule "
				    "of that name (allowed: off for a rule of the preset)",
				    c->rules[u].name, pre ? pre->name : "no preset is given, so it");
			continue;
		}
		if (cfg_grow(p, &all, sizeof(*all), n))
			break;
		all[n++] = c->rules[u];
		c->rules[u].metric = NULL;
		c->rules[u].n_pending = 0;
	}
	for (size_t u = 0; u < c->n_rules; u++)
		metrics_rule_free(&c->rules[u]);
	free(c->rules);
	free(used);
	c->rules = all;
	c->n_rules = n;
	for (size_t k = 0; k < n; k++)
		if (all[k].effect == METRICS_DOWN && !all[k].has_weight)
			all[k].weight = c->weight;
	if (!n && !s->bad[CK_RULE] && !s->bad[CK_PRESET] && !p->oom)
		cfg_key_err(p, s, s->line, "rule", "a metrics check needs a rule (allowed: "
			    "preset = %s, or rule = %s)", metrics_preset_names(),
			    METRICS_RULE_SYNTAX);
	else if (n > METRICS_RULES_MAX)
		cfg_key_err(p, s, s->seen[CK_RULE] ? s->seen[CK_RULE] : s->line, "rule",
			    "%zu rules with the preset's (allowed: at most %d)", n,
			    METRICS_RULES_MAX);
}

/* "type http" or "types script and http" */
static const char *types_text(unsigned mask, char *buf, size_t len)
{
	size_t n = 0, k = 0;

	for (int t = CHECK_SCRIPT; t <= CHECK_METRICS; t++)
		n += !!(mask & KF_TYPE(t));
	snprintf(buf, len, "type%s", n > 1 ? "s" : "");
	for (int t = CHECK_SCRIPT; t <= CHECK_METRICS; t++) {
		if (!(mask & KF_TYPE(t)))
			continue;
		k++;
		snprintf(buf + strlen(buf), len - strlen(buf), "%s%s",
			 k == 1 ? " " : k == n ? " and " : ", ", type_names[t]);
	}
	return buf;
}

/* The haproxy keys go together: a socket or a weight without a server
 * would steer nothing. Default socket: the Debian package's. */
static void haproxy_finish(struct cfg_parser *p, struct cfg_check *c, const struct cfg_sect *s)
{
	static const int needs_server[] = { CK_HAPROXY_SOCKET, CK_HAPROXY_DEGRADE_WEIGHT };
	struct cfg_haproxy_socket *sk;

	if (!s->seen[CK_HAPROXY_SERVER]) {
		for (size_t i = 0; i < sizeof(needs_server) / sizeof(needs_server[0]); i++)
			if (s->seen[needs_server[i]])
				cfg_key_err(p, s, s->seen[needs_server[i]],
					    cfg_check_keys[needs_server[i]].name,
					    "needs haproxy_server (the BACKEND/SERVER this check's "
					    "service is in HAProxy)");
		return;
	}
	if (c->n_haproxy_sockets || s->bad[CK_HAPROXY_SOCKET])
		return;
	sk = calloc(1, sizeof(*sk));
	if (!sk || !(sk->text = strdup(HAPROXY_DEFAULT_SOCKET))) {
		free(sk);
		p->oom = true;
		return;
	}
	sk->is_unix = true;
	sk->line = s->line;
	snprintf(sk->path, sizeof(sk->path), "%s", HAPROXY_DEFAULT_SOCKET);
	c->haproxy_sockets = sk;
	c->n_haproxy_sockets = 1;
}

static void check_finish(struct cfg_parser *p, size_t i)
{
	static const int needs[] = {
		[CHECK_SCRIPT] = CK_COMMAND, [CHECK_HTTP] = CK_URL,
		[CHECK_TCP] = CK_ADDRESS, [CHECK_FILE] = CK_PATH, [CHECK_GPU] = -1,
		[CHECK_METRICS] = CK_URL,
	};
	struct cfg_check *c = &p->cfg->checks[i];
	const struct cfg_sect *s = &p->csect[i];
	char buf[64];

	require(p, s, CK_TYPE, "type", " (allowed: script, http, tcp, file, gpu, metrics)");
	if (!s->seen[CK_TYPE] || s->bad[CK_TYPE])
		return;
	if (needs[c->type] >= 0 && !s->seen[needs[c->type]])
		cfg_key_err(p, s, s->line, cfg_check_keys[needs[c->type]].name,
			    "required key is missing for type %s", type_names[c->type]);
	for (size_t k = 0; k < CK_N; k++) {
		unsigned mask = cfg_check_keys[k].flags & KF_TYPES;

		if (s->seen[k] && mask && !(mask & KF_TYPE(c->type)))
			cfg_key_err(p, s, s->seen[k], cfg_check_keys[k].name,
				    "key is only valid for %s (this check is type %s)",
				    types_text(mask, buf, sizeof(buf)), type_names[c->type]);
	}
	if (c->type == CHECK_HTTP)
		http_finish(p, c, s);
	if (c->type == CHECK_GPU)
		gpu_finish(p, c, s);
	if (c->type == CHECK_METRICS)
		metrics_finish(p, c, s);
	haproxy_finish(p, c, s);
}

/* ---- references --------------------------------------------------------- */

/* Index of s->refs.names[k] among the n [what NAME] sections at base, or -1
 * after saying why (listed twice, or no such section). */
static long ref_find(struct cfg_parser *p, const struct cfg_sect *s, const char *key,
		     const char *what, size_t k, const void *base, size_t n, size_t stride)
{
	const struct cfg_refs *r = &s->refs;
	const char *name = r->names[k], *cand, *near;

	for (size_t j = 0; j < k; j++) {
		if (!strcmp(r->names[j], name)) {
			cfg_key_err(p, s, r->lines[k], key, "'%s' is listed twice (first at line %d; "
				    "allowed: each %s once)", name, r->lines[j], what);
			return -1;
		}
	}
	for (size_t i = 0; i < n; i++) {
		memcpy(&cand, (const char *)base + i * stride, sizeof(cand));
		if (!strcmp(cand, name))
			return (long)i;
	}
	near = cfg_suggest(name, base, n, stride);
	if (near)
		cfg_key_err(p, s, r->lines[k], key, "no [%s %s] section (did you mean '%s'?)",
			    what, name, near);
	else
		cfg_key_err(p, s, r->lines[k], key, "no [%s %s] section", what, name);
	return -1;
}

static void group_finish(struct cfg_parser *p, size_t gi)
{
	struct hafd_config *c = p->cfg;
	struct cfg_group *g = &c->groups[gi];
	const struct cfg_sect *s = &p->gsect[gi];

	require(p, s, GRK_INSTANCE, "instance", " (at least one)");
	for (size_t k = 0; k < s->refs.n; k++) {
		long i = ref_find(p, s, "instance", "instance", k, c->instances, c->n_instances,
				  sizeof(*c->instances));
		struct cfg_instance *in;

		if (i < 0)
			continue;
		in = &c->instances[i];
		if (in->group >= 0) {
			cfg_key_err(p, s, s->refs.lines[k], "instance", "[instance %s] is already in "
				    "[group %s] (allowed: one group per instance)", in->name,
				    c->groups[in->group].name);
			continue;
		}
		if (cfg_grow(p, &g->instances, sizeof(*g->instances), g->n_instances))
			return;
		g->instances[g->n_instances++] = (size_t)i;
		in->group = (long)gi;
	}
}

static void tracks_finish(struct cfg_parser *p, size_t ii)
{
	struct hafd_config *c = p->cfg;
	struct cfg_instance *in = &c->instances[ii];
	const struct cfg_sect *s = &p->isect[ii];

	for (size_t k = 0; k < s->refs.n; k++) {
		long i = ref_find(p, s, "track", "check", k, c->checks, c->n_checks, sizeof(*c->checks));

		if (i < 0 || cfg_grow(p, &in->tracks, sizeof(*in->tracks), in->n_tracks))
			continue;
		in->tracks[in->n_tracks++] = (size_t)i;
	}
}

/* Two instances with one VRID on one link and family would fight. */
static void vrid_clashes(struct cfg_parser *p)
{
	const struct hafd_config *c = p->cfg;

	for (size_t j = 1; j < c->n_instances; j++) {
		const struct cfg_instance *b = &c->instances[j];

		if (!b->vrid || !b->family || !b->ifname[0])
			continue;
		for (size_t i = 0; i < j; i++) {
			const struct cfg_instance *a = &c->instances[i];

			if (a->vrid != b->vrid || a->family != b->family || strcmp(a->ifname, b->ifname))
				continue;
			cfg_key_err(p, &p->isect[j], p->isect[j].seen[IK_VRID], "vrid",
				    "vrid %u on %s (%s) is already used by [instance %s] at line %d "
				    "(allowed: one instance per VRID, interface and family)",
				    b->vrid, b->ifname, cfg_family_name(b->family), a->name, a->line);
			break;
		}
	}
}

/* The same address in two instances: the one that leaves master deletes
 * it from under the other, and both answer for it when both are master.
 * A warning: the file loads, but one of them is almost surely a copy
 * and paste. Said at the later one's line. */
static void vip_clashes(struct cfg_parser *p)
{
	const struct hafd_config *c = p->cfg;
	char a[ADDR_STRLEN];

	for (size_t j = 1; j < c->n_instances; j++) {
		const struct cfg_instance *b = &c->instances[j];

		for (size_t v = 0; v < b->n_vips; v++) {
			size_t i, w = 0;

			for (i = 0; i < j; i++) {
				const struct cfg_instance *o = &c->instances[i];

				for (w = 0; w < o->n_vips && !addr_equal(&o->vips[w], &b->vips[v]); w++)
					;
				if (w < o->n_vips)
					break;
			}
			if (i == j)
				continue;
			cfg_key_warn(p, &p->isect[j], p->isect[j].vip_lines[v], "virtual_ip",
				     "%s is also a virtual_ip of [instance %s] at line %d: each "
				     "instance adds and deletes it as its own state changes; give "
				     "each address to one instance",
				     addr_ntop(&b->vips[v], a, sizeof(a)), c->instances[i].name,
				     p->isect[i].vip_lines[w]);
		}
	}
}

/* hafd never changes an address owner's priority (effective_priority in
 * vrrp.c): a tracked check's or interface's weight does nothing there;
 * only weight 0 (FAULT) acts. Said at each track line it concerns. */
static void owner_tracking(struct cfg_parser *p)
{
	static const char why[] = "nothing here: priority 255 (the address owner) is never "
				  "changed by tracking; only weight 0 (FAULT) acts on an owner, "
				  "or set a priority below 255";
	const struct hafd_config *c = p->cfg;

	for (size_t i = 0; i < c->n_instances; i++) {
		const struct cfg_instance *in = &c->instances[i];
		const struct cfg_sect *s = &p->isect[i];

		if (in->priority != 255)
			continue;
		/* Without errors every track resolved: tracks[k] is refs k. */
		for (size_t k = 0; k < in->n_tracks && k < s->refs.n; k++) {
			const struct cfg_check *ck = &c->checks[in->tracks[k]];
			char w[80];

			if (!ck->weight && !ck->degrade_weight)
				continue;
			if (ck->weight && ck->degrade_weight)
				snprintf(w, sizeof(w), "weight %d and degrade_weight %d do",
					 ck->weight, ck->degrade_weight);
			else if (ck->weight)
				snprintf(w, sizeof(w), "weight %d does", ck->weight);
			else
				snprintf(w, sizeof(w), "degrade_weight %d does", ck->degrade_weight);
			cfg_key_warn(p, s, s->refs.lines[k], "track", "[check %s]'s %s %s", ck->name,
				     w, why);
		}
		for (size_t k = 0; k < in->n_track_ifs; k++)
			if (in->track_ifs[k].weight)
				cfg_key_warn(p, s, s->tif_lines[k], "track_interface", "weight %d does "
					     "%s", in->track_ifs[k].weight, why);
	}
}

/* Where the keys that run programs are set, for the messages hafd logs
 * when it refuses to run them (script_security, script_user), and where
 * the interfaces are named, for hafd -t's warnings. */
static void lines_keep(struct cfg_parser *p)
{
	static const int ik[5] = {
		IK_NOTIFY_MASTER, IK_NOTIFY_BACKUP, IK_NOTIFY_FAULT, IK_NOTIFY_STOP, IK_NOTIFY,
	};
	static const int gk[5] = {
		GRK_NOTIFY_MASTER, GRK_NOTIFY_BACKUP, GRK_NOTIFY_FAULT, -1, GRK_NOTIFY,
	};
	struct hafd_config *c = p->cfg;

	c->global.script_user_line = p->global.seen[GK_SCRIPT_USER];
	c->global.control_group_line = p->global.seen[GK_CONTROL_GROUP];
	for (size_t i = 0; i < c->n_checks; i++)
		c->checks[i].command_line = p->csect[i].seen[CK_COMMAND];
	for (size_t i = 0; i < c->n_instances; i++) {
		c->instances[i].ifname_line = p->isect[i].seen[IK_INTERFACE];
		c->instances[i].degraded_ifname_line = p->isect[i].seen[IK_DEGRADED_INTERFACE];
		for (int k = 0; k < 5; k++)
			c->instances[i].hook_lines[k] = p->isect[i].seen[ik[k]];
	}
	for (size_t i = 0; i < c->n_groups; i++)
		for (int k = 0; k < 5; k++)
			c->groups[i].hook_lines[k] = gk[k] < 0 ? 0 : p->gsect[i].seen[gk[k]];
}

void cfg_validate(struct cfg_parser *p)
{
	struct hafd_config *c = p->cfg;

	global_finish(p);
	for (size_t i = 0; i < c->n_instances; i++)
		instance_finish(p, i);
	for (size_t i = 0; i < c->n_checks; i++)
		check_finish(p, i);
	for (size_t i = 0; i < c->n_groups; i++)
		group_finish(p, i);
	for (size_t i = 0; i < c->n_instances; i++)
		tracks_finish(p, i);
	vrid_clashes(p);
	vip_clashes(p);
	owner_tracking(p);
	lines_keep(p);
	/* Line 1: an editor can jump there, even in an empty file. */
	if (!c->n_instances)
		cfg_err(p, 1, "no [instance NAME] section (at least one is needed)");
	cfg_anycast_split(p);
}

/* ---- value grammars ----------------------------------------------------- */

static bool host_addr(const char *host, size_t n, struct hafd_addr *a)
{
	char buf[INET6_ADDRSTRLEN + 2];

	if (n >= sizeof(buf))
		return false;
	snprintf(buf, sizeof(buf), "%.*s", (int)n, host);
	if (!strcasecmp(buf, "localhost"))
		return addr_parse_host("127.0.0.1", a) == 0;
	if (buf[0] == '[') {
		buf[n - 1] = '\0';
		return addr_parse_host(buf + 1, a) == 0 && a->family == AF_INET6;
	}
	return addr_parse_host(buf, a) == 0 && a->family == AF_INET;
}

int cfg_hostport_parse(const char *s, struct cfg_hostport *hp, char *why, size_t len)
{
	const char *end;
	size_t n, d;
	long port;

	memset(hp, 0, sizeof(*hp));
	hp->port = -1;
	if (*s == '[') {
		if (!(end = strchr(s, ']'))) {
			snprintf(why, len, "'%s' has no closing ']' (allowed: %s)", s, CFG_HOST_RULE);
			return -1;
		}
		n = (size_t)(end + 1 - s);
	} else {
		n = strcspn(s, ":/?#");
	}
	if (!host_addr(s, n, &hp->addr)) {
		snprintf(why, len, "host '%.*s' is not an IP address; names are not looked up, as "
			 "a DNS query could block the daemon (allowed: %s)", (int)n, s, CFG_HOST_RULE);
		return -1;
	}
	snprintf(hp->host, sizeof(hp->host), "%.*s", (int)n, s);
	s += n;
	if (*s == ':') {
		s++;
		d = strcspn(s, "/?#");
		if (d == 0 || d > 5 || strspn(s, "0123456789") != d ||
		    (port = strtol(s, NULL, 10)) < 1 || port > 65535) {
			snprintf(why, len, "port '%.*s' is not valid (allowed: 1..65535)", (int)d, s);
			return -1;
		}
		hp->port = port;
		s += d;
	}
	hp->rest = s;
	return 0;
}

static const char *skip_blank(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* One code at *s, 100..599; advances *s. 0, 1 (not a code) or -1 (range). */
static int status_code(const char **s, unsigned *code, char *why, size_t len)
{
	size_t d = strspn(*s, "0123456789");

	if (!d || !strchr(" \t,-", (*s)[d]))
		return 1;
	*code = d > 3 ? 1000 : (unsigned)strtoul(*s, NULL, 10);
	if (*code < 100 || *code > 599) {
		snprintf(why, len, "status %.*s out of range (allowed: 100..599)", (int)d, *s);
		return -1;
	}
	*s = skip_blank(*s + d);
	return 0;
}

int cfg_status_parse(const char *s, struct cfg_range *r, size_t max, char *why, size_t len)
{
	const char *p = skip_blank(s);
	unsigned lo, hi;
	size_t n = 0;
	int rc;

	for (;;) {
		if ((rc = status_code(&p, &lo, why, len)) != 0)
			goto fail;
		hi = lo;
		if (*p == '-') {
			p = skip_blank(p + 1);
			if ((rc = status_code(&p, &hi, why, len)) != 0)
				goto fail;
		}
		if (lo > hi) {
			snprintf(why, len, "range %u-%u is reversed (allowed: LOW-HIGH, e.g. 200-299)",
				 lo, hi);
			return -1;
		}
		if (n == max)
			break;
		r[n++] = (struct cfg_range){ (uint16_t)lo, (uint16_t)hi };
		if (!*p)
			return (int)n;
		if (*p != ',')
			break;
		p = skip_blank(p + 1);
	}
	rc = 1;
fail:
	if (rc > 0)
		snprintf(why, len, "'%s' is not a status list (allowed: codes 100..599 and ranges "
			 "like 200-299, separated by commas)", s);
	return -1;
}

/* ---- reload ------------------------------------------------------------- */

static bool addrs_equal(const struct hafd_addr *a, const struct hafd_addr *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!addr_equal(&a[i], &b[i]) || a[i].prefix != b[i].prefix)
			return false;
	return true;
}

bool config_instance_compatible(const struct cfg_instance *a, const struct cfg_instance *b)
{
	return !strcmp(a->ifname, b->ifname) && a->vrid == b->vrid && a->family == b->family &&
	       a->version == b->version && a->advert_interval_cs == b->advert_interval_cs &&
	       a->n_vips == b->n_vips && addrs_equal(a->vips, b->vips, a->n_vips) &&
	       a->has_unicast_src == b->has_unicast_src &&
	       (!a->has_unicast_src || addr_equal(&a->unicast_src, &b->unicast_src)) &&
	       a->n_peers == b->n_peers && addrs_equal(a->peers, b->peers, a->n_peers) &&
	       a->use_vmac == b->use_vmac && a->accept_mode == b->accept_mode;
}

static bool str_same(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static bool strs_same(char *const *a, size_t na, char *const *b, size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (!str_same(a[i], b[i]))
			return false;
	return true;
}

static bool ranges_same(const struct cfg_range *a, size_t na, const struct cfg_range *b,
			size_t nb)
{
	return na == nb && (!na || !memcmp(a, b, na * sizeof(*a)));
}

/* What a probe does and how results are counted; the weights are left out
 * because they change the effect of a state, not the state. */
static bool rules_same(const struct cfg_check *a, const struct cfg_check *b)
{
	if (a->n_rules != b->n_rules)
		return false;
	for (size_t i = 0; i < a->n_rules; i++)
		if (!metrics_rule_same(&a->rules[i], &b->rules[i]))
			return false;
	return true;
}

bool config_check_same_probe(const struct cfg_check *a, const struct cfg_check *b)
{
	return a->type == b->type && rules_same(a, b) && a->interval_us == b->interval_us &&
	       a->timeout_us == b->timeout_us && a->rise == b->rise && a->fall == b->fall &&
	       a->startup_grace_us == b->startup_grace_us && a->on_timeout == b->on_timeout &&
	       a->degrade_exit == b->degrade_exit &&
	       str_same(a->command, b->command) && str_same(a->url, b->url) &&
	       str_same(a->method, b->method) && str_same(a->body, b->body) &&
	       strs_same(a->headers, a->n_headers, b->headers, b->n_headers) &&
	       ranges_same(a->expect_status, a->n_expect_status, b->expect_status,
			   b->n_expect_status) &&
	       ranges_same(a->degrade_status, a->n_degrade_status, b->degrade_status,
			   b->n_degrade_status) &&
	       str_same(a->expect_body, b->expect_body) &&
	       strs_same(a->degrade_body, a->n_degrade_body, b->degrade_body, b->n_degrade_body) &&
	       a->request == b->request && a->endpoint == b->endpoint && a->stream == b->stream &&
	       str_same(a->model, b->model) && str_same(a->api_key_file, b->api_key_file) &&
	       addr_equal(&a->tcp_addr, &b->tcp_addr) && a->tcp_port == b->tcp_port &&
	       str_same(a->path, b->path) &&
	       a->min_gpus == b->min_gpus && !a->gpu_weight == !b->gpu_weight &&
	       a->n_xid_fatal == b->n_xid_fatal && a->n_xid_degrade == b->n_xid_degrade &&
	       (!a->n_xid_fatal || !memcmp(a->xid_fatal, b->xid_fatal,
					   a->n_xid_fatal * sizeof(*a->xid_fatal))) &&
	       (!a->n_xid_degrade || !memcmp(a->xid_degrade, b->xid_degrade,
					     a->n_xid_degrade * sizeof(*a->xid_degrade))) &&
	       a->xid_window_us == b->xid_window_us &&
	       str_same(a->nvml_library, b->nvml_library) && str_same(a->xid_source, b->xid_source);
}
