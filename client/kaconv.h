/* kaconv.h: `hafctl convert-keepalived`: the common subset of a
 * keepalived.conf translated into hafd.conf.
 *
 * Translated: global_defs (router_id, script_user, enable_script_security,
 * vrrp_version, vrrp_garp_master_*), vrrp_script (as [check NAME] type
 * script), vrrp_instance (interface, virtual_router_id, priority,
 * advert_int, version, nopreempt, preempt_delay, virtual_ipaddress,
 * unicast_src_ip, mcast_src_ip, unicast_peer, track_interface,
 * track_script, notify*, garp_master_*, use_vmac, accept / no_accept) and
 * vrrp_sync_group (as [group NAME]). keepalived's defaults that differ
 * from hafd's (VRRP version 2, script interval 1s, rise and fall 1, no
 * script security) are written out, so the result behaves the same.
 *
 * Where the meaning shifts (a VIP's "label", nopreempt that keepalived
 * clears, scripts that ran as root) the output carries a comment
 * "; keepalived line N: ..." and the change is listed as a warning in
 * `skipped`. What has no hafd equivalent (authentication,
 * vrrp_strict, virtual_routes, LVS, include...) is left out and listed,
 * with its line, in the `skipped` list.
 */
#ifndef HAFD_KACONV_H
#define HAFD_KACONV_H

#include <stddef.h>

struct sbuf;
struct config_errors;

/* What the converter says about a line: a setting left out, or one
 * translated with a change of behaviour (or that the user must check). */
enum kaconv_kind {
	KACONV_SKIPPED,         /* "not translated" */
	KACONV_WARNING,         /* translated, but behaves differently: "warning" */
};

struct kaconv_item {
	int line;               /* in the keepalived file */
	enum kaconv_kind kind;
	char *what;             /* "authentication: VRRPv2 authentication ..." */
};

struct kaconv_list {
	struct kaconv_item *items;
	size_t n;
};

/* Convert keepalived text (name is the file name, for the comments). The
 * hafd.conf text is appended to out; what could not be translated, and
 * every change of behaviour (kind KACONV_WARNING), goes to skipped, by
 * line. 0, or -1 when the text is not keepalived syntax (an unbalanced
 * brace, an unterminated quote: why in err) or memory ran out. */
int kaconv_convert(const char *text, size_t len, const char *name, struct sbuf *out,
		   struct kaconv_list *skipped, char *err, size_t errlen);
/* The same from a file ("-" is standard input). */
int kaconv_convert_file(const char *path, struct sbuf *out, struct kaconv_list *skipped,
			char *err, size_t errlen);
/* Does the result load as a hafd.conf? 0, or -1 with errs filled (the
 * messages name the file `name`). */
int kaconv_validate(const struct sbuf *out, const char *name, struct config_errors *errs);
void kaconv_list_free(struct kaconv_list *l);
/* How many items of l are of kind. */
size_t kaconv_list_count(const struct kaconv_list *l, enum kaconv_kind kind);

#endif
