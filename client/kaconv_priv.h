/* kaconv_priv.h: inside the keepalived converter: the syntax tree
 * (kaconv_parse.c) and the translation state (kaconv.c, kaconv_inst.c). */
#ifndef HAFD_KACONV_PRIV_H
#define HAFD_KACONV_PRIV_H

#include <stdbool.h>
#include <stddef.h>

#include "kaconv.h"
#include "log.h"

/* One statement: its words (quotes removed) and, when a { } followed, the
 * statements inside. keepalived is line-based: a statement ends at the end
 * of its line, at a '{' or at a '}'. */
struct ka_node {
	int line;
	char **w;
	size_t n;
	bool block;
	struct ka_node *kids;
	size_t n_kids;
};

#define KA_DEPTH_MAX 16

/* Parse text into root (a node whose kids are the top-level statements).
 * 0, or -1 with why in err ("line 12: ..."). root is freed on failure. */
int ka_parse(const char *text, size_t len, struct ka_node *root, char *err, size_t errlen);
void ka_free(struct ka_node *n);

/* A [check] to write: a vrrp_script (or a track_file), with the weight of
 * one track_script (track_file) reference: keepalived weights are per
 * reference, hafd's per check. */
struct kc_check {
	char name[64];
	const struct ka_node *script;
	long weight;
	bool file;                      /* a track_file: type = file */
};

struct kaconv {
	const char *file;
	const struct ka_node *root;
	struct kaconv_list *skipped;
	bool oom;
	int version;                            /* global vrrp_version, 0 = none */
	const struct ka_node *garp[3];          /* global vrrp_garp_master_{delay,repeat,refresh} */
	const struct ka_node *rt_priority;      /* global vrrp_rt_priority */
	const struct ka_node *auto_priority;    /* global max_auto_priority */
	struct kc_check *checks;
	size_t n_checks;
};

void kc_skip(struct kaconv *k, int line, const char *fmt, ...) LOG_FMT(3, 4);
/* A change of behaviour (or what the user must check), for standard error:
 * every one is listed with its line and counted, not only commented. */
void kc_warn(struct kaconv *k, int line, const char *fmt, ...) LOG_FMT(3, 4);
/* "; keepalived line N: ..." into b. */
void kc_note(struct kaconv *k, struct sbuf *b, int line, const char *fmt, ...) LOG_FMT(4, 5);
/* "key = value" into b; a value hafd.conf cannot hold is skipped (and
 * written commented out). */
void kc_kv(struct kaconv *k, struct sbuf *b, int line, const char *key, const char *fmt, ...)
	LOG_FMT(5, 6);
/* Words from..n-1 of n joined by blanks, into buf. */
const char *kc_words(const struct ka_node *n, size_t from, char *buf, size_t len);
/* A keepalived number of seconds as a hafd duration rounded to step_ms
 * ("5s", "100ms"); NULL when it is not a number >= 0. */
const char *kc_duration(const char *s, unsigned step_ms, char *buf, size_t len);
/* A name hafd accepts: other characters become '_'. True when it changed. */
bool kc_name(const char *in, char *out, size_t len);
/* The [check] name for a track_script reference (NULL: no such script). */
const char *kc_check_ref(struct kaconv *k, const char *script, bool has_weight, long weight);
/* The same for a track_file reference (NULL: no such track_file). */
const char *kc_file_ref(struct kaconv *k, const char *file, bool has_weight, long weight);
/* A vrrp_script or track_file of the top level by name, or NULL. */
const struct ka_node *kc_top_find(const struct kaconv *k, bool file, const char *name);
/* keepalived's default weight of a vrrp_script (0) or track_file (1). */
long kc_default_weight(const struct ka_node *def, bool file);
/* Why a keyword has no translation, or NULL for "not known to the converter". */
const char *kc_why(const char *keyword);
/* List statement n (inside `where`, or at the top) as not translated. */
void kc_skip_node(struct kaconv *k, const struct ka_node *n, const char *where);
/* The first statement of block n whose keyword is key, or NULL. */
const struct ka_node *kc_kid(const struct ka_node *n, const char *key);

/* A notify* line n of an instance or group (keepalived's name) into b. */
void kc_notify(struct kaconv *k, struct sbuf *b, const struct ka_node *n, bool group,
	       const char *name, const char *where);
/* [instance NAME] from a vrrp_instance, into b. */
void kc_instance(struct kaconv *k, const struct ka_node *n, struct sbuf *b);

#endif
