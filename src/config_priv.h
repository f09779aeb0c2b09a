/* config_priv.h: shared by the configuration reader's three parts, and by
 * nothing else: config.c (lines, sections, errors, load and free),
 * config_keys.c (each key's value) and config_check.c (what needs the whole
 * file, and the http/tcp/status value grammars). */
#ifndef HAFD_CONFIG_PRIV_H
#define HAFD_CONFIG_PRIV_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "config.h"

#define CFG_MAX_LINE 199        /* inih's INI_MAX_LINE (200) less the NUL */
#define CFG_NAME_MAX 63         /* longest NAME in [instance NAME] etc. */
#define CFG_MAX_VIPS 255        /* the VRRP advert's 8-bit address count */
#define CFG_SEC 1000000ULL      /* microseconds */
#define CFG_SUN_PATH_MAX 107    /* sizeof(sockaddr_un.sun_path) less the NUL */

enum sect_kind { SECT_NONE, SECT_SKIP, SECT_GLOBAL, SECT_INSTANCE, SECT_CHECK, SECT_GROUP };

/* Key indexes; each section kind has a table in this order. */
enum {
	GK_ROUTER_ID, GK_LOG_LEVEL, GK_RUNTIME_DIR, GK_CONTROL_SOCKET, GK_NFT_TABLE,
	GK_SCRIPT_USER, GK_SCRIPT_SECURITY, GK_V3_CHECKSUM, GK_CRASH_GUARD,
	GK_REALTIME_PRIORITY, GK_NFT_VRRP_CAP, GK_VIP_LEASE, GK_METRICS_LISTEN,
	GK_CONTROL_GROUP, GK_DRAIN_ON_STOP, GK_NOTIFY_DRAIN, GK_N
};
enum {
	IK_INTERFACE, IK_VRID, IK_PRIORITY, IK_VERSION, IK_ADVERT_INTERVAL, IK_PREEMPT,
	IK_NOPREEMPT, IK_PREEMPT_DELAY, IK_PAIR, IK_ACCEPT_MODE, IK_VIRTUAL_IP,
	IK_UNICAST_SRC, IK_UNICAST_PEER, IK_UNICAST_TTL_CHECK, IK_USE_VMAC, IK_TRACK,
	IK_TRACK_INTERFACE,
	IK_GARP_REPEAT, IK_GARP_DELAY, IK_GARP_REFRESH, IK_NOTIFY, IK_NOTIFY_MASTER,
	IK_NOTIFY_BACKUP, IK_NOTIFY_FAULT, IK_NOTIFY_STOP, IK_HOLD_DOWN,
	IK_MODE, IK_DEGRADED_INTERFACE, IK_LEASE, IK_DRAIN,    /* mode = anycast (config_anycast.c) */
	IK_FENCE_PORT,
	IK_N
};
enum {
	CK_TYPE, CK_INTERVAL, CK_TIMEOUT, CK_RISE, CK_FALL, CK_WEIGHT, CK_DEGRADE_WEIGHT,
	CK_STARTUP_GRACE, CK_ON_TIMEOUT, CK_TIMEOUT_FALL, CK_SLOW_AFTER, CK_COMMAND, CK_DEGRADE_EXIT,
	CK_URL, CK_METHOD, CK_HEADER,
	CK_BODY, CK_EXPECT_STATUS, CK_DEGRADE_STATUS, CK_EXPECT_BODY, CK_ADDRESS,
	CK_PATH, CK_DEGRADE_BODY, CK_REQUEST, CK_ENDPOINT, CK_MODEL, CK_API_KEY_FILE,
	CK_STREAM,
	CK_MIN_GPUS, CK_GPU_WEIGHT, CK_XID_FATAL, CK_XID_DEGRADE, CK_XID_WINDOW, CK_NVML_LIBRARY,
	CK_XID_SOURCE,
	CK_PRESET, CK_RULE, CK_DEGRADE_CAP,
	CK_HAPROXY_SERVER, CK_HAPROXY_SOCKET, CK_HAPROXY_DEGRADE_WEIGHT,
	CK_N
};
enum {
	GRK_INSTANCE, GRK_NOTIFY, GRK_NOTIFY_MASTER, GRK_NOTIFY_BACKUP, GRK_NOTIFY_FAULT,
	GRK_N
};
#define CFG_MAX_KEYS 48

struct cfg_parser;

enum key_kind { K_INT, K_BOOL, K_DUR, K_STR, K_FN };

#define KF_LIST 1u                              /* may repeat */
#define KF_TYPE(t) (2u << (t))                  /* check key only for type t */
#define KF_TYPES (KF_TYPE(CHECK_SCRIPT) | KF_TYPE(CHECK_HTTP) | \
		  KF_TYPE(CHECK_TCP) | KF_TYPE(CHECK_FILE) | KF_TYPE(CHECK_GPU) | \
		  KF_TYPE(CHECK_METRICS))

struct key_def {
	const char *name;               /* first: cfg_suggest() reads it */
	enum key_kind kind;
	unsigned flags;
	size_t off, size;               /* the field, for the generic kinds */
	int64_t min, max;               /* K_INT; K_DUR in microseconds */
	const char *allowed;            /* K_STR: what a value is */
	void (*fn)(struct cfg_parser *p, void *obj, const char *val);
};

extern const struct key_def cfg_check_keys[CK_N];

/* Names to resolve once the whole file is read, with their lines. */
struct cfg_refs {
	char **names;
	int *lines;
	size_t n;
};

/* What the parser remembers about one section beyond struct hafd_config. */
struct cfg_sect {
	char *text;                     /* between the brackets, as written */
	int line;                       /* of the header */
	int seen[CFG_MAX_KEYS];         /* line a key was first given, 0 = never */
	bool bad[CFG_MAX_KEYS];         /* its value was refused */
	struct cfg_refs refs;           /* instance: track; group: instance */
	int *vip_lines, *peer_lines, *tif_lines;
	bool vip_overflow;
	uint64_t advert_us;             /* checked against version at the end */
	bool nopreempt;
};

struct cfg_err {
	int line;
	size_t seq;                     /* keeps the sort stable */
	char *msg;
};

struct cfg_parser {
	const char *file;
	FILE *f;
	char *buf;
	size_t cap;
	int lineno;
	int read_errno;
	bool oom;
	struct hafd_config *cfg;
	struct cfg_sect global;         /* global.line 0: no [global] yet */
	struct cfg_sect *isect, *csect, *gsect; /* parallel to instances, checks, groups */
	enum sect_kind kind;            /* section being read */
	struct cfg_sect *cur;
	size_t cur_idx;
	size_t key;                     /* index of the key being set */
	const char *key_name;
	const char *val;                /* its value, as inih hands it */
	int keepalived_line;            /* first line that reads as keepalived.conf */
	struct cfg_err *errs;
	size_t n_errs;
	struct cfg_err *warns;          /* kept only when there is no error */
	size_t n_warns;
};

/* config.c */

/* "FILE:LINE: what"; line 0 gives "FILE: what". */
void cfg_err(struct cfg_parser *p, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* "FILE:LINE: [SECTION] KEY: what" */
void cfg_key_err(struct cfg_parser *p, const struct cfg_sect *s, int line, const char *key,
		 const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void cfg_vkey_err(struct cfg_parser *p, const struct cfg_sect *s, int line, const char *key,
		  const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));
/* "FILE:LINE: [SECTION] KEY: warning: what": the file loads all the same. */
void cfg_key_warn(struct cfg_parser *p, const struct cfg_sect *s, int line, const char *key,
		  const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Append one element of size to the array at *arrp (a T **) holding n. 0 or -1. */
int cfg_grow(struct cfg_parser *p, void *arrp, size_t size, size_t n);
/* strdup that records running out of memory. */
char *cfg_strdup(struct cfg_parser *p, const char *s);

/* config_keys.c */

/* Set key name of the current section from val, reporting what is wrong. */
void cfg_key_set(struct cfg_parser *p, const char *name, const char *val);

/* config_check.c */

/* Closest name (edit distance <= 2, case ignored) in an array of structs
 * whose first member is the name; NULL when none is close. */
const char *cfg_suggest(const char *word, const void *base, size_t n, size_t stride);
const char *cfg_family_name(int family);
/* Everything that needs the whole file: defaults that depend on other keys,
 * required keys, references between sections, clashes between instances. */
void cfg_validate(struct cfg_parser *p);

/* config_anycast.c */

/* Instance i's mode = anycast keys. Returns whether it is an anycast
 * instance (then the VRRP keys are not checked). */
bool cfg_anycast_finish(struct cfg_parser *p, size_t i);
/* Move the anycast instances from instances to anycasts (last: every
 * check that pairs sections by index is done). */
void cfg_anycast_split(struct cfg_parser *p);

#define CFG_HOST_RULE "an IPv4 address, [IPv6 address] or localhost"
#define CFG_HOSTPORT_RULE "HOST:PORT with HOST " CFG_HOST_RULE ", PORT 1..65535"

struct cfg_hostport {
	char host[INET6_ADDRSTRLEN + 2];        /* as written, [brackets] kept */
	struct hafd_addr addr;
	long port;                              /* -1 when none was given */
	const char *rest;                       /* what follows HOST[:PORT] */
};

/* HOST[:PORT] at the start of s. 0, or -1 with the reason in why. */
int cfg_hostport_parse(const char *s, struct cfg_hostport *hp, char *why, size_t len);
/* "200", "200-299", "200, 204-206" into r (room for max). Count, or -1 and why. */
int cfg_status_parse(const char *s, struct cfg_range *r, size_t max, char *why, size_t len);

#endif
