/* config.c: reads hafd.conf into a struct hafd_config.
 *
 * inih splits "key = value" and strips inline comments. Our reader in front
 * of it numbers the lines (inih's handler gets none), checks each line's
 * syntax so that every bad line is reported, strips indentation (which would
 * otherwise turn into inih multi-line continuations) and follows the
 * sections itself (inih truncates section names at 49 characters). Each
 * key's value is checked as it comes (config_keys.c); what needs the whole
 * file waits for the end (config_check.c). */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "config_priv.h"
#include "log.h"

static const char *const sect_types[] = { "global", "instance", "check", "group" };

/* ---- errors ------------------------------------------------------------- */

static __attribute__((format(printf, 1, 0))) char *vfmt(const char *f, va_list ap)
{
	va_list ap2;
	char *s;
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, f, ap2);
	va_end(ap2);
	if (n < 0 || !(s = malloc((size_t)n + 1)))
		return NULL;
	vsnprintf(s, (size_t)n + 1, f, ap);
	return s;
}

static __attribute__((format(printf, 1, 2))) char *fmt(const char *f, ...)
{
	va_list ap;
	char *s;

	va_start(ap, f);
	s = vfmt(f, ap);
	va_end(ap);
	return s;
}

/* Takes msg (the part after "FILE:LINE: ") into the list at *list. */
static void msg_add(struct cfg_parser *p, struct cfg_err **list, size_t *n, int line, char *msg)
{
	char *full = NULL;

	if (msg)
		full = line > 0 ? fmt("%s:%d: %s", p->file, line, msg) : fmt("%s: %s", p->file, msg);
	free(msg);
	if (!full || cfg_grow(p, list, sizeof(**list), *n)) {
		p->oom = true;
		free(full);
		return;
	}
	(*list)[*n] = (struct cfg_err){ .line = line, .seq = *n, .msg = full };
	(*n)++;
}

static void err_add(struct cfg_parser *p, int line, char *msg)
{
	msg_add(p, &p->errs, &p->n_errs, line, msg);
}

void cfg_err(struct cfg_parser *p, int line, const char *f, ...)
{
	va_list ap;

	va_start(ap, f);
	err_add(p, line, vfmt(f, ap));
	va_end(ap);
}

void cfg_vkey_err(struct cfg_parser *p, const struct cfg_sect *s, int line, const char *key,
		  const char *f, va_list ap)
{
	char *what = vfmt(f, ap);

	err_add(p, line, what ? fmt("[%s] %s: %s", s->text ? s->text : "", key, what) : NULL);
	free(what);
}

void cfg_key_err(struct cfg_parser *p, const struct cfg_sect *s, int line, const char *key,
		 const char *f, ...)
{
	va_list ap;

	va_start(ap, f);
	cfg_vkey_err(p, s, line, key, f, ap);
	va_end(ap);
}

void cfg_key_warn(struct cfg_parser *p, const struct cfg_sect *s, int line, const char *key,
		  const char *f, ...)
{
	va_list ap;
	char *what;

	va_start(ap, f);
	what = vfmt(f, ap);
	va_end(ap);
	msg_add(p, &p->warns, &p->n_warns, line,
		what ? fmt("[%s] %s: warning: %s", s->text ? s->text : "", key, what) : NULL);
	free(what);
}

/* "[SECTION]: what" at the current line. */
static __attribute__((format(printf, 3, 4))) void sect_err(struct cfg_parser *p, const char *text,
							   const char *f, ...)
{
	va_list ap;
	char *what;

	va_start(ap, f);
	what = vfmt(f, ap);
	va_end(ap);
	err_add(p, p->lineno, what ? fmt("[%s]: %s", text, what) : NULL);
	free(what);
}

int cfg_grow(struct cfg_parser *p, void *arrp, size_t size, size_t n)
{
	void *arr, *grown;

	/* memcpy, not a cast to void **, keeps this clear of aliasing rules. */
	memcpy(&arr, arrp, sizeof(arr));
	grown = realloc(arr, (n + 1) * size);
	if (!grown) {
		p->oom = true;
		return -1;
	}
	memcpy(arrp, &grown, sizeof(grown));
	return 0;
}

char *cfg_strdup(struct cfg_parser *p, const char *s)
{
	char *d = strdup(s);

	if (!d)
		p->oom = true;
	return d;
}

/* ---- sections ----------------------------------------------------------- */

static struct cfg_sect *sect_push(struct cfg_parser *p, struct cfg_sect **sects, size_t n,
				  const char *text)
{
	struct cfg_sect *s;

	if (cfg_grow(p, sects, sizeof(**sects), n))
		return NULL;
	s = &(*sects)[n];
	memset(s, 0, sizeof(*s));
	s->text = cfg_strdup(p, text);
	s->line = p->lineno;
	s->advert_us = CFG_SEC;
	return s;
}

static void instance_new(struct cfg_parser *p, const char *text, const char *name)
{
	struct hafd_config *c = p->cfg;
	char *dup = cfg_strdup(p, name);

	if (!dup || cfg_grow(p, &c->instances, sizeof(*c->instances), c->n_instances) ||
	    !(p->cur = sect_push(p, &p->isect, c->n_instances, text))) {
		free(dup);
		return;
	}
	c->instances[c->n_instances] = (struct cfg_instance){
		.name = dup, .line = p->lineno, .priority = 100, .version = 3,
		.advert_interval_cs = 100, .preempt = true, .accept_mode = true,
		.hold_down_us = 60 * CFG_SEC,
		.garp_repeat = 5, .garp_delay_us = 5 * CFG_SEC, .group = -1,
		.lease_us = 3 * CFG_SEC, .drain_us = 10 * CFG_SEC,
	};
	p->cur_idx = c->n_instances++;
	p->kind = SECT_INSTANCE;
}

static void check_new(struct cfg_parser *p, const char *text, const char *name)
{
	struct hafd_config *c = p->cfg;
	char *dup = cfg_strdup(p, name);

	if (!dup || cfg_grow(p, &c->checks, sizeof(*c->checks), c->n_checks) ||
	    !(p->cur = sect_push(p, &p->csect, c->n_checks, text))) {
		free(dup);
		return;
	}
	c->checks[c->n_checks] = (struct cfg_check){
		.name = dup, .line = p->lineno, .interval_us = 2 * CFG_SEC,
		.timeout_us = CFG_SEC, .rise = 2, .fall = 2, .timeout_fall = 3, .degrade_exit = 2,
		.min_gpus = 1, .xid_window_us = 120 * CFG_SEC,
		.degrade_cap = -50, .haproxy_degrade_weight = 50,
	};
	p->cur_idx = c->n_checks++;
	p->kind = SECT_CHECK;
}

static void group_new(struct cfg_parser *p, const char *text, const char *name)
{
	struct hafd_config *c = p->cfg;
	char *dup = cfg_strdup(p, name);

	if (!dup || cfg_grow(p, &c->groups, sizeof(*c->groups), c->n_groups) ||
	    !(p->cur = sect_push(p, &p->gsect, c->n_groups, text))) {
		free(dup);
		return;
	}
	c->groups[c->n_groups] = (struct cfg_group){ .name = dup, .line = p->lineno };
	p->cur_idx = c->n_groups++;
	p->kind = SECT_GROUP;
}

/* Line of the header of an earlier section of this kind and name, or 0. */
static int sect_defined(const struct cfg_parser *p, enum sect_kind kind, const char *name)
{
	const struct hafd_config *c = p->cfg;

	for (size_t i = 0; kind == SECT_INSTANCE && i < c->n_instances; i++)
		if (!strcmp(c->instances[i].name, name))
			return c->instances[i].line;
	for (size_t i = 0; kind == SECT_CHECK && i < c->n_checks; i++)
		if (!strcmp(c->checks[i].name, name))
			return c->checks[i].line;
	for (size_t i = 0; kind == SECT_GROUP && i < c->n_groups; i++)
		if (!strcmp(c->groups[i].name, name))
			return c->groups[i].line;
	return 0;
}

static void global_begin(struct cfg_parser *p, const char *text, const char *name)
{
	if (*name) {
		sect_err(p, text, "[global] takes no name (allowed: [global])");
	} else if (p->global.line) {
		sect_err(p, text, "defined twice (first at line %d)", p->global.line);
	} else {
		p->global.text = cfg_strdup(p, text);
		p->global.line = p->lineno;
		p->cur = &p->global;
		p->kind = SECT_GLOBAL;
	}
}

static void unknown_section(struct cfg_parser *p, const char *text, size_t type_len)
{
	char type[CFG_MAX_LINE + 1];
	const char *near;

	snprintf(type, sizeof(type), "%.*s", (int)type_len, text);
	near = cfg_suggest(type, sect_types, 4, sizeof(sect_types[0]));
	if (near)
		sect_err(p, text, "unknown section (did you mean '%s'?)", near);
	else
		sect_err(p, text, "unknown section (allowed: global, instance NAME, check NAME, "
			 "group NAME)");
}

/* text: what is between the brackets, trimmed. Until a header is accepted
 * the keys that follow are ignored, not blamed on the section before. */
static void section_begin(struct cfg_parser *p, const char *text)
{
	static const enum sect_kind kinds[] = { SECT_GLOBAL, SECT_INSTANCE, SECT_CHECK, SECT_GROUP };
	size_t tlen = strcspn(text, " \t");
	const char *name = text + tlen;
	enum sect_kind kind = SECT_NONE;
	int first;

	p->kind = SECT_SKIP;
	while (isspace((unsigned char)*name))
		name++;
	for (size_t i = 0; i < 4; i++)
		if (strlen(sect_types[i]) == tlen && !strncmp(text, sect_types[i], tlen))
			kind = kinds[i];
	if (kind == SECT_NONE)
		unknown_section(p, text, tlen);
	else if (kind == SECT_GLOBAL)
		global_begin(p, text, name);
	else if (strlen(name) > CFG_NAME_MAX || strspn(name, "abcdefghijklmnopqrstuvwxyz"
		 "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.") != strlen(name) || !*name)
		sect_err(p, text, "section needs a name (allowed: letters, digits, '_', '-', '.', "
			 "up to %d characters)", CFG_NAME_MAX);
	else if ((first = sect_defined(p, kind, name)))
		sect_err(p, text, "defined twice (first at line %d)", first);
	else if (kind == SECT_INSTANCE)
		instance_new(p, text, name);
	else if (kind == SECT_CHECK)
		check_new(p, text, name);
	else
		group_new(p, text, name);
}

/* ---- lines -------------------------------------------------------------- */

static __attribute__((format(printf, 2, 3))) void syntax_err(struct cfg_parser *p,
							     const char *f, ...)
{
	va_list ap;
	char *what;

	va_start(ap, f);
	what = vfmt(f, ap);
	va_end(ap);
	err_add(p, p->lineno, what ? fmt("syntax error: %s", what) : NULL);
	free(what);
}

static const char *skip_ws(const char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	return s;
}

static bool section_line(struct cfg_parser *p, const char *s)
{
	const char *end = strchr(s, ']'), *rest, *t;
	char text[CFG_MAX_LINE + 1];
	size_t n;

	p->kind = SECT_SKIP;
	if (!end) {
		syntax_err(p, "'%s' has no closing ']'", s);
		return false;
	}
	rest = skip_ws(end + 1);
	if (*rest && *rest != ';' && *rest != '#') {
		syntax_err(p, "unexpected text after ']' (allowed: a comment starting with ; or #)");
		return false;
	}
	t = skip_ws(s + 1);
	for (n = (size_t)(end - t); n && isspace((unsigned char)t[n - 1]); n--)
		;
	if (!n) {
		syntax_err(p, "empty section header (allowed: [global], [instance NAME], "
			   "[check NAME], [group NAME])");
		return false;
	}
	snprintf(text, sizeof(text), "%.*s", (int)n, t);
	section_begin(p, text);
	return true;
}

/* A line of keepalived.conf: a block keyword, or a line opening a block.
 * s has no '='. */
static bool keepalived_like(const char *s)
{
	static const char *const words[] = {
		"global_defs", "vrrp_instance", "vrrp_script", "vrrp_sync_group",
		"vrrp_track_process", "vrrp_track_file", "virtual_server", "virtual_server_group",
		"virtual_ipaddress", "virtual_ipaddress_excluded", "track_script",
		"track_interface", "unicast_peer", "static_ipaddress", "static_routes",
	};
	size_t n = strcspn(s, " \t{"), len = strlen(s);

	if (len && s[len - 1] == '{')
		return true;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strlen(words[i]) == n && !strncmp(s, words[i], n))
			return true;
	return false;
}

static bool key_line(struct cfg_parser *p, const char *s)
{
	const char *eq = strchr(s, '=');
	size_t n;

	if (!eq) {
		syntax_err(p, "'%s' is not 'key = value', a [section] or a comment", s);
		if (!p->keepalived_line && keepalived_like(s))
			p->keepalived_line = p->lineno;
		return false;
	}
	for (n = (size_t)(eq - s); n && isspace((unsigned char)s[n - 1]); n--)
		;
	if (!n) {
		syntax_err(p, "missing key before '='");
		return false;
	}
	/* This also keeps ':' (which inih would split at) out of keys. */
	if (strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") < n) {
		syntax_err(p, "'%.*s' is not a key name (allowed: letters, digits, '_', '-')",
			   (int)n, s);
		return false;
	}
	return true;
}

/* The line to hand to inih: s without its indentation, or "" when the line
 * is wrong (after saying why) so that inih sees nothing of it. */
static const char *line_check(struct cfg_parser *p, const char *s, size_t n)
{
	if (memchr(s, '\0', n)) {
		syntax_err(p, "line contains a NUL byte");
		return "";
	}
	if (p->lineno == 1 && !strncmp(s, "\xef\xbb\xbf", 3)) {
		s += 3;
		n -= 3;
	}
	if (n > CFG_MAX_LINE) {
		syntax_err(p, "line is %zu characters long (allowed: up to %d)", n, CFG_MAX_LINE);
		if (*skip_ws(s) == '[')
			p->kind = SECT_SKIP;
		return "";
	}
	s = skip_ws(s);
	if (!*s || *s == ';' || *s == '#')
		return s;
	if (*s == '[')
		return section_line(p, s) ? s : "";
	return key_line(p, s) ? s : "";
}

static char *cfg_reader(char *str, int num, void *stream)
{
	struct cfg_parser *p = stream;
	ssize_t n;

	errno = 0;
	n = getline(&p->buf, &p->cap, p->f);
	if (n < 0) {
		if (ferror(p->f))
			p->read_errno = errno ? errno : EIO;
		else if (errno == ENOMEM)
			p->oom = true;
		return NULL;
	}
	p->lineno++;
	/* Trailing blanks (and \r\n) mean nothing and do not count as length. */
	while (n > 0 && isspace((unsigned char)p->buf[n - 1]))
		p->buf[--n] = '\0';
	snprintf(str, (size_t)num, "%s", line_check(p, p->buf, (size_t)n));
	return str;
}

static int cfg_handler(void *user, const char *section, const char *name, const char *value)
{
	struct cfg_parser *p = user;

	/* section is inih's (truncated) copy; p->cur is ours. */
	if (p->kind == SECT_NONE)
		cfg_err(p, p->lineno, "%s: key outside any section", name);
	else if (p->kind != SECT_SKIP)
		cfg_key_set(p, name, value);
	return 1;
}

/* ---- load --------------------------------------------------------------- */

static int err_cmp(const void *a, const void *b)
{
	const struct cfg_err *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void sect_free(struct cfg_sect *s)
{
	free(s->text);
	for (size_t i = 0; i < s->refs.n; i++)
		free(s->refs.names[i]);
	free(s->refs.names);
	free(s->refs.lines);
	free(s->vip_lines);
	free(s->peer_lines);
	free(s->tif_lines);
}

static void parser_free(struct cfg_parser *p)
{
	struct hafd_config *c = p->cfg;

	/* isect has one per [instance], the anycast ones moved out included */
	for (size_t i = 0; c && i < c->n_instances + c->n_anycasts; i++)
		sect_free(&p->isect[i]);
	for (size_t i = 0; c && i < c->n_checks; i++)
		sect_free(&p->csect[i]);
	for (size_t i = 0; c && i < c->n_groups; i++)
		sect_free(&p->gsect[i]);
	sect_free(&p->global);
	free(p->isect);
	free(p->csect);
	free(p->gsect);
	free(p->buf);
	for (size_t i = 0; i < p->n_errs; i++)
		free(p->errs[i].msg);
	free(p->errs);
	for (size_t i = 0; i < p->n_warns; i++)
		free(p->warns[i].msg);
	free(p->warns);
}

/* Hand the errors, in line order, to errs. Returns how many there were. */
static size_t errors_move(struct cfg_parser *p, struct config_errors *errs)
{
	size_t n = p->n_errs;

	if (p->oom && !n)
		n = 1;          /* still a failure, even with no room to say so */
	if (!errs || !p->n_errs)
		return n;
	qsort(p->errs, p->n_errs, sizeof(*p->errs), err_cmp);
	errs->msgs = malloc(p->n_errs * sizeof(*errs->msgs));
	if (!errs->msgs)
		return n;
	for (size_t i = 0; i < p->n_errs; i++) {
		errs->msgs[i] = p->errs[i].msg;
		p->errs[i].msg = NULL;
	}
	errs->n = p->n_errs;
	return n;
}

/* Hand the warnings, in line order, to the configuration. 0 or -1 (out
 * of memory). */
static int warnings_move(struct cfg_parser *p)
{
	struct hafd_config *c = p->cfg;

	if (!p->n_warns)
		return 0;
	qsort(p->warns, p->n_warns, sizeof(*p->warns), err_cmp);
	c->warnings = malloc(p->n_warns * sizeof(*c->warnings));
	if (!c->warnings)
		return -1;
	for (size_t i = 0; i < p->n_warns; i++) {
		c->warnings[i] = p->warns[i].msg;
		p->warns[i].msg = NULL;
	}
	c->n_warnings = p->n_warns;
	return 0;
}

static int global_init(struct cfg_parser *p)
{
	struct cfg_global *g = &p->cfg->global;

	g->log_level = LOG_INFO;
	g->script_security = true;
	g->v3_checksum = CFG_CSUM_RFC5798;
	g->crash_guard = true;
	g->realtime_priority = 10;
	g->nft_vrrp_cap = 1000;
	g->vip_lease = true;
	g->runtime_dir = cfg_strdup(p, "/run/hafd");
	g->nft_table = cfg_strdup(p, "hafd");
	g->script_user = cfg_strdup(p, "nobody");
	p->cfg->path = cfg_strdup(p, p->file);
	return p->oom ? -1 : 0;
}

int config_load_stream(FILE *f, const char *name, struct hafd_config **out,
		       struct config_errors *errs)
{
	struct cfg_parser p = { .file = name, .f = f, .kind = SECT_NONE };

	*out = NULL;
	if (errs)
		*errs = (struct config_errors){ NULL, 0 };
	p.cfg = calloc(1, sizeof(*p.cfg));
	if (p.cfg && global_init(&p) == 0) {
		ini_parse_stream(cfg_reader, &p, cfg_handler, &p);
		if (p.read_errno)
			cfg_err(&p, 0, "read error: %s", strerror(p.read_errno));
		else
			cfg_validate(&p);
		/* Line 0 sorts first: the one error to read in a long list. */
		if (p.keepalived_line)
			cfg_err(&p, 0, "this looks like a keepalived.conf (line %d): convert it with "
				"'hafctl convert-keepalived %s' (hafd.conf(5) has this file's format)",
				p.keepalived_line, name);
	}
	if (p.cfg && !p.oom && !p.n_errs && warnings_move(&p) < 0)
		p.oom = true;
	if (!p.cfg || p.oom)
		cfg_err(&p, 0, "out of memory");
	if (!p.cfg || errors_move(&p, errs)) {
		parser_free(&p);
		config_free(p.cfg);
		return -1;
	}
	parser_free(&p);
	*out = p.cfg;
	return 0;
}

int config_load(const char *path, struct hafd_config **out, struct config_errors *errs)
{
	struct cfg_parser p = { .file = path };
	FILE *f = fopen(path, "re");
	struct stat st;
	int rc;

	*out = NULL;
	if (errs)
		*errs = (struct config_errors){ NULL, 0 };
	if (f && fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		fclose(f);
		f = NULL;
		errno = EISDIR;
	}
	if (!f) {
		cfg_err(&p, 0, "%s", strerror(errno));
		errors_move(&p, errs);
		parser_free(&p);
		return -1;
	}
	rc = config_load_stream(f, path, out, errs);
	fclose(f);
	return rc;
}

/* ---- free and look up --------------------------------------------------- */

static void check_free(struct cfg_check *c)
{
	free(c->name);
	free(c->command);
	free(c->url);
	free(c->http_host);
	free(c->http_path);
	free(c->method);
	for (size_t i = 0; i < c->n_headers; i++)
		free(c->headers[i]);
	free(c->headers);
	free(c->body);
	free(c->expect_status);
	free(c->degrade_status);
	free(c->expect_body);
	for (size_t i = 0; i < c->n_degrade_body; i++)
		free(c->degrade_body[i]);
	free(c->degrade_body);
	free(c->gen_base);
	free(c->model);
	free(c->api_key_file);
	free(c->path);
	free(c->xid_fatal);
	free(c->xid_degrade);
	free(c->nvml_library);
	free(c->xid_source);
	free(c->preset);
	for (size_t i = 0; i < c->n_rules; i++)
		metrics_rule_free(&c->rules[i]);
	free(c->rules);
	free(c->haproxy_server);
	for (size_t i = 0; i < c->n_haproxy_sockets; i++)
		free(c->haproxy_sockets[i].text);
	free(c->haproxy_sockets);
}

static void instance_free(struct cfg_instance *in)
{
	free(in->name);
	free(in->vips);
	free(in->peers);
	free(in->tracks);
	free(in->track_ifs);
	free(in->notify);
	free(in->notify_master);
	free(in->notify_backup);
	free(in->notify_fault);
	free(in->notify_stop);
}

void config_free(struct hafd_config *cfg)
{
	if (!cfg)
		return;
	free(cfg->path);
	free(cfg->global.router_id);
	free(cfg->global.runtime_dir);
	free(cfg->global.control_socket);
	free(cfg->global.control_group);
	free(cfg->global.nft_table);
	free(cfg->global.script_user);
	free(cfg->global.notify_drain);
	for (size_t i = 0; i < cfg->n_instances; i++)
		instance_free(&cfg->instances[i]);
	free(cfg->instances);
	for (size_t i = 0; i < cfg->n_anycasts; i++)
		instance_free(&cfg->anycasts[i]);
	free(cfg->anycasts);
	for (size_t i = 0; i < cfg->n_checks; i++)
		check_free(&cfg->checks[i]);
	free(cfg->checks);
	for (size_t i = 0; i < cfg->n_groups; i++) {
		struct cfg_group *g = &cfg->groups[i];

		free(g->name);
		free(g->instances);
		free(g->notify);
		free(g->notify_master);
		free(g->notify_backup);
		free(g->notify_fault);
	}
	free(cfg->groups);
	for (size_t i = 0; i < cfg->n_warnings; i++)
		free(cfg->warnings[i]);
	free(cfg->warnings);
	free(cfg);
}

void config_errors_free(struct config_errors *errs)
{
	if (!errs)
		return;
	for (size_t i = 0; i < errs->n; i++)
		free(errs->msgs[i]);
	free(errs->msgs);
	errs->msgs = NULL;
	errs->n = 0;
}

int config_errors_add(struct config_errors *errs, const char *f, ...)
{
	char **grown, *msg;
	va_list ap;

	va_start(ap, f);
	msg = vfmt(f, ap);
	va_end(ap);
	if (!msg)
		return -1;
	grown = realloc(errs->msgs, (errs->n + 1) * sizeof(*grown));
	if (!grown) {
		free(msg);
		return -1;
	}
	errs->msgs = grown;
	errs->msgs[errs->n++] = msg;
	return 0;
}

bool config_runs_scripts(const struct hafd_config *cfg)
{
	for (size_t i = 0; i < cfg->n_checks; i++)
		if (cfg->checks[i].type == CHECK_SCRIPT)
			return true;
	for (size_t i = 0; i < cfg->n_instances; i++) {
		const struct cfg_instance *c = &cfg->instances[i];

		if (c->notify || c->notify_master || c->notify_backup || c->notify_fault ||
		    c->notify_stop)
			return true;
	}
	for (size_t i = 0; i < cfg->n_groups; i++) {
		const struct cfg_group *g = &cfg->groups[i];

		if (g->notify || g->notify_master || g->notify_backup || g->notify_fault)
			return true;
	}
	return false;
}

const struct cfg_instance *config_instance(const struct hafd_config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->n_instances; i++)
		if (!strcmp(cfg->instances[i].name, name))
			return &cfg->instances[i];
	return NULL;
}

const struct cfg_check *config_check(const struct hafd_config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->n_checks; i++)
		if (!strcmp(cfg->checks[i].name, name))
			return &cfg->checks[i];
	return NULL;
}
