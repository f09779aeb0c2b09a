/* The router glue (vrrp.c, vrrp_tx.c, vrrp_rx.c, vrrp_if.c) in process,
 * linked with the pure library and with everything of the I/O edge it
 * calls replaced by fakes defined here, as chrony's unit tests do: a loop
 * whose clock the test sets and whose timers it fires, a VRRP socket and
 * GARP sender that record what is sent, VIP calls, nft, the crash guard
 * and notify hooks that record that they were called. Every fake appends
 * to one log, so the tests assert the order in which the glue acts, which
 * is what keeps a takeover or a resignation from leaving two masters (or
 * none) on the wire: the FSM tests (test_vrrp_fsm, test_vrrp_inst) check
 * the decisions, these check that the glue carries them out in order. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "check_run.h"
#include "cfgtext.h"
#include "config.h"
#include "garp.h"
#include "guard.h"
#include "hafd.h"
#include "ifcache.h"
#include "loop.h"
#include "nft.h"
#include "notify.h"
#include "vip.h"
#include "vmac.h"
#include "drain.h"
#include "handover.h"
#include "haproxy_sync.h"
#include "vrrp.h"
#include "vrrp_priv.h"
#include "vrrp_sock.h"

#define MS 1000ull
#define S 1000000ull

/* ---- the call log ---------------------------------------------------------- */

/* What the fakes were asked to do, in order, one short line each. */
static char calls[64][64];
static size_t n_calls;

static void record(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void record(const char *fmt, ...)
{
	va_list ap;

	assert_true(n_calls < sizeof(calls) / sizeof(calls[0]));
	va_start(ap, fmt);
	vsnprintf(calls[n_calls++], sizeof(calls[0]), fmt, ap);
	va_end(ap);
}

/* The log as "a; b; c", to compare whole sequences (and print them). */
static const char *joined(void)
{
	/* Room for every call and its separator: no truncation. */
	static char buf[sizeof(calls) + 2 * (sizeof(calls) / sizeof(calls[0]))];

	buf[0] = '\0';
	for (size_t i = 0; i < n_calls; i++) {
		if (i)
			strcat(buf, "; ");
		strcat(buf, calls[i]);
	}
	return buf;
}

/* Index of the first call equal to what, or -1. */
static int call_index(const char *what)
{
	for (size_t i = 0; i < n_calls; i++)
		if (!strcmp(calls[i], what))
			return (int)i;
	return -1;
}

/* Calls starting with prefix. */
static size_t count_prefix(const char *prefix)
{
	size_t n = 0;

	for (size_t i = 0; i < n_calls; i++)
		n += !strncmp(calls[i], prefix, strlen(prefix));
	return n;
}

/* ---- the fake loop: a clock the test sets, and a timer queue ------------- */

static uint64_t now = 1000 * S;
static struct timerq timers;

uint64_t loop_now(const struct loop *l)
{
	(void)l;
	return now;
}

/* How far the real clock is ahead of loop_now()'s reading (start-up
 * work since the loop last read it). */
static uint64_t clock_lag_us;

uint64_t loop_update_now(struct loop *l)
{
	(void)l;
	now += clock_lag_us;
	clock_lag_us = 0;
	return now;
}

int loop_timer_at(struct loop *l, struct timer *t, uint64_t due_us)
{
	(void)l;
	return timerq_arm(&timers, t, due_us);
}

int loop_timer_in(struct loop *l, struct timer *t, uint64_t delay_us)
{
	return loop_timer_at(l, t, now + delay_us);
}

int loop_timer_soon(struct loop *l, struct timer *t)
{
	return loop_timer_at(l, t, now);
}

void loop_timer_cancel(struct loop *l, struct timer *t)
{
	(void)l;
	timerq_cancel(&timers, t);
}

/* Move the clock to now + us, running each timer at its due time, in
 * order (timers armed by a callback for a time already passed run too). */
static void advance(uint64_t us)
{
	uint64_t until = now + us;
	struct timer *t;

	for (;;) {
		t = timerq_peek(&timers);
		if (!t || t->due_us > until)
			break;
		if (t->due_us > now)
			now = t->due_us;
		t = timerq_pop_due(&timers, now);
		t->cb(t, t->arg);
	}
	now = until;
}

/* ---- the fake edge ------------------------------------------------------- */

/* One interface, eth9 (ifindex 2), up, with 192.0.2.10/24. */
#define IFINDEX 2

int ifcache_ifindex(struct ifcache *c, const char *ifname)
{
	(void)c;
	return strcmp(ifname, "eth9") ? 0 : IFINDEX;
}

bool ifcache_link_up(struct ifcache *c, int ifindex)
{
	(void)c;
	return ifindex == IFINDEX;
}

int ifcache_link_mac(struct ifcache *c, int ifindex, unsigned char mac[6])
{
	static const unsigned char m[6] = { 0x02, 0, 0, 0, 0, 0x10 };

	(void)c, (void)ifindex;
	memcpy(mac, m, sizeof(m));
	return 0;
}

int ifcache_primary(struct ifcache *c, int ifindex, int family, ifcache_skip_fn skip, void *arg,
		    struct hafd_addr *out)
{
	(void)c, (void)family, (void)skip, (void)arg;
	if (ifindex != IFINDEX)
		return -1;
	return addr_parse_host("192.0.2.10", out);
}

static struct vrrp_sock the_sock = { .fd = -1, .ifindex = IFINDEX, .ifname = "eth9",
				     .family = AF_INET };

struct vrrp_sock *vrrp_sock_get(struct vrrp_sock **list, struct loop *loop, int ifindex,
				const char *ifname, int family, vrrp_sock_rx_fn rx, void *arg)
{
	(void)list, (void)loop, (void)ifindex, (void)ifname, (void)family;
	the_sock.rx = rx;
	the_sock.arg = arg;
	the_sock.refs++;
	return &the_sock;
}

void vrrp_sock_put(struct vrrp_sock **list, struct vrrp_sock *s)
{
	(void)list;
	if (s)
		s->refs--;
}

/* A decisive timer reads what waits on the socket first (vrrp_inst_timer):
 * nothing does here, but the call is part of the order. */
void vrrp_sock_drain(struct vrrp_sock *s)
{
	(void)s;
	record("drain");
}

void vrrp_sock_group(int family, struct hafd_addr *out)
{
	assert_int_equal(family, AF_INET);
	assert_int_equal(addr_parse_host("224.0.0.18", out), 0);
}

/* Adverts that fail to leave, the next send_fails of them. */
static unsigned send_fails;

/* Without use_vmac every advert goes through vmac_send(NULL, sock, ...):
 * the priority is the third byte of the VRRP header (v2 and v3). */
int vmac_send(struct vmac *vm, struct vrrp_sock *s, const struct hafd_addr *src,
	      const struct hafd_addr *dst, const uint8_t *buf, size_t len)
{
	(void)src, (void)dst;
	assert_null(vm);
	assert_ptr_equal(s, &the_sock);
	assert_true(len >= 8);
	record("advert %u", buf[2]);
	if (send_fails) {
		send_fails--;
		errno = ENOBUFS;
		return -1;
	}
	return 0;
}

int vmac_tx_ifindex(const struct vmac *vm, int base_ifindex, const struct hafd_addr *dst)
{
	(void)vm, (void)dst;
	return base_ifindex;
}

int vmac_ifindex(const struct vmac *vm)
{
	(void)vm;
	fail_msg("vmac_ifindex without use_vmac");
	return -1;
}

int vmac_activate(struct vmac *vm, struct vip_ctx *vip, const struct hafd_addr *ll)
{
	(void)vm, (void)vip, (void)ll;
	fail_msg("vmac_activate without use_vmac");
	return -1;
}

void vmac_deactivate(struct vmac *vm, struct vip_ctx *vip)
{
	(void)vm, (void)vip;
	fail_msg("vmac_deactivate without use_vmac");
}

int vmac_name(const struct hafd_config *cfg, const struct cfg_instance *c, int ifindex,
	      char name[IFNAMSIZ])
{
	(void)cfg, (void)c, (void)ifindex, (void)name;
	fail_msg("vmac_name without use_vmac");
	return -1;
}

int vmac_create(struct vmac **out, const char *runtime_dir, const char *name, int ifindex,
		int family, uint8_t vrid)
{
	(void)out, (void)runtime_dir, (void)name, (void)ifindex, (void)family, (void)vrid;
	fail_msg("vmac_create without use_vmac");
	return -1;
}

void vmac_get_mac(const struct vmac *vm, unsigned char mac[6])
{
	(void)vm, (void)mac;
	fail_msg("vmac_get_mac without use_vmac");
}

void vmac_destroy(struct vmac *vm)
{
	assert_null(vm);
}

int vip_add(struct vip_ctx *v, int ifindex, const struct hafd_addr *a)
{
	char buf[ADDR_STRLEN];

	(void)v;
	assert_int_equal(ifindex, IFINDEX);
	record("vip_add %s", addr_ntop(a, buf, sizeof(buf)));
	return 0;
}

int vip_del(struct vip_ctx *v, int ifindex, const struct hafd_addr *a)
{
	char buf[ADDR_STRLEN];

	(void)v;
	assert_int_equal(ifindex, IFINDEX);
	record("vip_del %s", addr_ntop(a, buf, sizeof(buf)));
	return 0;
}

bool vip_held(const struct vip_ctx *v, int ifindex, const struct hafd_addr *a)
{
	(void)v, (void)ifindex, (void)a;
	return false;
}

int garp_send(struct garp_ctx *g, int ifindex, const unsigned char mac[6],
	      const struct hafd_addr *a, const struct hafd_addr *src)
{
	char buf[ADDR_STRLEN];

	(void)g, (void)mac, (void)src;
	assert_int_equal(ifindex, IFINDEX);
	record("garp %s", addr_ntop(a, buf, sizeof(buf)));
	return 0;
}

void nft_schedule(struct nft_ctx *n, struct hafd *h)
{
	(void)n, (void)h;
	record("nft");
}

/* A unicast master's lease renewal through lo (nft.h): its length and
 * the VIPs. */
int nft_lease_renew(struct nft_ctx *n, int family, unsigned lease_ms,
		    const struct hafd_addr *vips, size_t n_vips)
{
	char buf[ADDR_STRLEN];

	(void)n;
	assert_int_equal(family, AF_INET);
	assert_int_equal(n_vips, 1);
	record("lease_renew %u %s", lease_ms, addr_ntop(&vips[0], buf, sizeof(buf)));
	return 0;
}

/* Drains (drain.c) are not linked: none is ever planned here. */
void drain_state(struct hafd *h, struct vrrp_router *r, bool was_master, bool is_master)
{
	(void)h, (void)r, (void)was_master, (void)is_master;
}

bool drain_active(const struct hafd *h, const struct vrrp_router *r)
{
	(void)h, (void)r;
	return false;
}

int drain_plan(struct hafd *h, struct vrrp_router *r, uint64_t dur_us)
{
	(void)h, (void)r, (void)dur_us;
	errno = ENOTSUP;
	return -1;
}

void drain_cancel(struct hafd *h, struct vrrp_router *r)
{
	(void)h, (void)r;
}

size_t drain_busy(const struct hafd *h)
{
	(void)h;
	return 0;
}

bool drain_acked(const struct hafd *h, const struct vrrp_router *r)
{
	(void)h, (void)r;
	return false;
}

/* The crash guard is on (h.guard is set): it is armed while master. */
struct guard {
	int unused;
};

int guard_arm(struct guard *g, unsigned id, int ifindex, int family, const struct hafd_addr *src,
	      const struct hafd_addr *dst, const uint8_t *buf, size_t len, int first)
{
	(void)g, (void)id, (void)ifindex, (void)family, (void)src, (void)dst, (void)first;
	assert_true(len >= 8);
	record("guard_arm %u", buf[2]);
	return 0;
}

void guard_disarm(struct guard *g, unsigned id)
{
	(void)g, (void)id;
	record("guard_disarm");
}

void notify_state(struct hafd *h, const struct notify_event *ev)
{
	(void)h;
	record("notify %s->%s %d", vrrp_state_name(ev->from), vrrp_state_name(ev->to),
	       ev->priority);
}

/* What the tracked check contributes; the test sets it. */
static int check_delta;
static bool check_fault;

int check_run_contrib(const struct hafd *h, size_t i, uint64_t now_us, int *delta, bool *fault)
{
	(void)h, (void)now_us;
	assert_int_equal(i, 0);
	*delta = check_delta;
	*fault = check_fault;
	return 0;
}

bool check_run_unproven(const struct hafd *h, size_t i)
{
	(void)h, (void)i;
	return false;
}

static bool check_saturated;    /* the check is DEGRADED: check_delta is saturation */

bool check_run_saturated(const struct hafd *h, size_t i)
{
	(void)h, (void)i;
	return check_saturated;
}

/* HAProxy (haproxy_sync.c) is steered by the checks, not by the routers. */
void haproxy_sync_check(struct hafd *hd, size_t i)
{
	(void)hd, (void)i;
}

void haproxy_sync_all(struct hafd *hd)
{
	(void)hd;
}

/* ---- set-up -------------------------------------------------------------- */

static struct hafd h;
static struct guard the_guard;

static void start_with(const char *text);

/* One instance on eth9, priority 100, one VIP, one GARP per burst, tracking
 * check a (whose contribution check_run_contrib() fakes). */
static void start(void)
{
	static char text[] =
		"[global]\nrouter_id = node-a\nscript_security = no\nnft_table = none\n"
		"[check a]\ntype = script\ncommand = probe\n"
		"[instance web]\ninterface = eth9\nvrid = 7\npriority = 100\n"
		"advert_interval = 1s\nvirtual_ip = 192.0.2.1/24\ngarp_repeat = 1\n"
		"garp_delay = 5s\ntrack = a\n";
	start_with(text);
}

static void start_with(const char *text)
{
	memset(&h, 0, sizeof(h));
	h.cfg = cfg_text_ok(text);
	h.guard = &the_guard;
	timerq_init(&timers);
	check_delta = 0;
	check_fault = false;
	check_saturated = false;
	n_calls = 0;
	assert_int_equal(vrrp_create(&h), 0);
	vrrp_begin(&h);
	assert_int_equal(h.routers[0]->inst.fsm.state, VRRP_STATE_BACKUP);
	n_calls = 0;
}

static int stop(void **state)
{
	(void)state;
	if (h.cfg) {
		vrrp_stop(&h);
		assert_int_equal(the_sock.refs, 0);     /* the router let its socket go */
		config_free(h.cfg);
		h.cfg = NULL;
	}
	timerq_free(&timers);
	return 0;
}

/* An advert for VRID 7 from 192.0.2.20 with this priority, as the socket
 * would hand it to the glue. */
static void receive(uint8_t priority)
{
	const struct cfg_instance *c = &h.cfg->instances[0];
	struct vrrp_pkt_params p = {
		.version = c->version, .vrid = c->vrid, .priority = priority,
		.adver_int_cs = c->advert_interval_cs, .family = AF_INET,
		.addrs = c->vips, .n_addrs = c->n_vips, .csum_form = VRRP_CSUM_RFC5798,
	};
	struct vrrp_pkt_info info = { .family = AF_INET, .ttl = 255 };
	uint8_t buf[VRRP_PKT_MAX];
	ssize_t len;

	assert_int_equal(addr_parse_host("192.0.2.20", &p.src), 0);
	assert_int_equal(addr_parse_host("224.0.0.18", &p.dst), 0);
	info.src = p.src;
	info.dst = p.dst;
	len = vrrp_pkt_build(buf, sizeof(buf), &p);
	assert_true(len > 0);
	vrrp_rx_packet(&h, &the_sock, buf, (size_t)len, &info);
}

/* Master_Down_Interval at priority 100, advert 1 s (RFC 9568: 3 x 1 s
 * plus a skew of (256 - 100) / 256 s), and a margin. */
#define MASTER_DOWN (3 * S + (256 - 100) * S / 256 + 10 * MS)

/* Take over from a silent master, and forget the calls that took. */
static void become_master(void)
{
	advance(MASTER_DOWN);
	assert_int_equal(h.routers[0]->inst.fsm.state, VRRP_STATE_MASTER);
	n_calls = 0;
}

/* ---- tests --------------------------------------------------------------- */

/* A backup following a master that goes silent: nothing happens before the
 * down interval; then, having read what waits on the socket, it
 * advertises, lets the VIPs through nft, adds them and announces them, and
 * only then logs, arms the crash guard and runs the hooks (held back so
 * the first GARP leaves as early as possible). */
static void test_master_down_takeover(void **state)
{
	(void)state;
	start();
	receive(200);
	assert_int_equal(h.routers[0]->inst.fsm.state, VRRP_STATE_BACKUP);
	assert_string_equal(joined(), "nft");    /* a new master to follow */
	n_calls = 0;

	advance(3 * S);
	assert_int_equal(h.routers[0]->inst.fsm.state, VRRP_STATE_BACKUP);
	assert_string_equal(joined(), "");

	advance(MASTER_DOWN - 3 * S);
	assert_int_equal(h.routers[0]->inst.fsm.state, VRRP_STATE_MASTER);
	/* The first advert renews the lease in the kernel as it leaves
	 * (no batch of ours); the VIPs and the state change share one. */
	assert_string_equal(joined(), "drain; advert 100; nft; vip_add 192.0.2.1; "
			    "nft; garp 192.0.2.1; guard_arm 0; notify BACKUP->MASTER 100");
	assert_true(call_index("advert 100") < call_index("vip_add 192.0.2.1"));
	assert_true(call_index("vip_add 192.0.2.1") < call_index("garp 192.0.2.1"));

	/* Then an advert every second, and the second burst after garp_delay. */
	n_calls = 0;
	advance(5 * S);
	assert_int_equal(count_prefix("advert 100"), 5);
	assert_int_equal(count_prefix("garp 192.0.2.1"), 1);
}

/* SIGTERM (hafd.c calls vrrp_resign): the VIPs go before the priority-0 advert, so that the backup it
 * wakes never adds them while they are still here; the guard lets its
 * copy of that advert go, and the hooks hear of the stop. Nothing is sent
 * afterwards. */
static void test_resign_vips_before_prio0(void **state)
{
	(void)state;
	start();
	become_master();
	vrrp_resign(&h);
	assert_string_equal(joined(), "vip_del 192.0.2.1; advert 0; nft; guard_disarm; "
			    "notify MASTER->INIT 100");
	n_calls = 0;
	advance(10 * S);
	assert_string_equal(joined(), "");
	/* hafd then frees the routers (vrrp_stop): that says nothing more. */
	vrrp_stop(&h);
	assert_string_equal(joined(), "");
}

/* A master hearing a better one steps down: one last advert (so that a
 * winner that had not heard us re-announces the VIPs: vrrp_fsm.c,
 * master_advert), then the VIPs go and the guard is disarmed; no advert of
 * its own follows while the new master's adverts keep it in Backup. */
static void test_better_master_steps_down(void **state)
{
	(void)state;
	start();
	become_master();
	receive(200);
	assert_int_equal(h.routers[0]->inst.fsm.state, VRRP_STATE_BACKUP);
	assert_string_equal(joined(), "advert 100; vip_del 192.0.2.1; nft; guard_disarm; "
			    "notify MASTER->BACKUP 100; nft");
	n_calls = 0;
	for (int k = 0; k < 10; k++) {
		advance(S);
		receive(200);
	}
	assert_int_equal(h.routers[0]->inst.fsm.state, VRRP_STATE_BACKUP);
	assert_int_equal(count_prefix("advert"), 0);
	assert_int_equal(count_prefix("vip_add"), 0);
	assert_int_equal(count_prefix("garp"), 0);
}

/* A check that fails with a fault and a priority delta: the fault goes in
 * first, so the master never advertises the lowered priority it is about
 * to drop anyway (a backup could preempt on it while we still hold the
 * VIPs); and when it recovers, the priority comes back before the fault
 * clears, so the instance leaves FAULT with the right one. */
static void test_check_fault_before_delta(void **state)
{
	(void)state;
	start();
	become_master();

	check_fault = true;
	check_delta = -50;
	vrrp_check_changed(&h, 0);
	assert_int_equal(h.routers[0]->inst.fsm.state, VRRP_STATE_FAULT);
	assert_string_equal(joined(), "vip_del 192.0.2.1; advert 0; nft; guard_disarm; "
			    "notify MASTER->FAULT 100");
	assert_int_equal(h.routers[0]->inst.params.priority, 50);

	n_calls = 0;
	check_fault = false;
	check_delta = 0;
	vrrp_check_changed(&h, 0);
	assert_int_equal(h.routers[0]->inst.fsm.state, VRRP_STATE_BACKUP);
	assert_string_equal(joined(), "nft; notify FAULT->BACKUP 100");

	/* A delta alone, while master, is advertised at once. */
	become_master();
	check_delta = -30;
	vrrp_check_changed(&h, 0);
	assert_string_equal(joined(), "advert 70");
}

/* A VIP someone else removes while we are master is put back and
 * announced again; one removed while we are backup is none of ours. */
static void test_vip_removed_is_restored(void **state)
{
	(void)state;
	start();
	vrrp_addr_deleted(&h, IFINDEX, &h.cfg->instances[0].vips[0]);
	assert_string_equal(joined(), "");
	become_master();
	vrrp_addr_deleted(&h, IFINDEX, &h.cfg->instances[0].vips[0]);
	assert_string_equal(joined(), "vip_add 192.0.2.1; garp 192.0.2.1");
	assert_int_equal(h.routers[0]->inst.fsm.state, VRRP_STATE_MASTER);
}

/* The link going down is a fault: a master lets the VIPs go and resigns
 * (priority 0) like a stop; back up, it waits in Backup. */
static void test_link_down_faults(void **state)
{
	(void)state;
	start();
	become_master();
	vrrp_link_change(&h, IFINDEX, "eth9", true, false);
	assert_int_equal(h.routers[0]->inst.fsm.state, VRRP_STATE_FAULT);
	assert_string_equal(joined(), "vip_del 192.0.2.1; advert 0; nft; guard_disarm; "
			    "notify MASTER->FAULT 100");
	n_calls = 0;
	advance(10 * S);
	assert_string_equal(joined(), "");
	vrrp_link_change(&h, IFINDEX, "eth9", true, true);
	assert_int_equal(h.routers[0]->inst.fsm.state, VRRP_STATE_BACKUP);
	assert_string_equal(joined(), "nft; notify FAULT->BACKUP 100");
}

/* What the glue tells nft (vrrp_nft_describe): a backup exempts the
 * master it follows from the cap on unknown sources; a master holds its
 * VIPs and follows nobody. */
static void test_nft_description(void **state)
{
	struct nft_desc d;
	char buf[ADDR_STRLEN];

	(void)state;
	start();
	assert_int_equal(vrrp_nft_describe(&h, &d), 0);
	assert_int_equal(d.n_inst, 1);
	assert_false(d.inst[0].master);
	assert_null(d.inst[0].followed);        /* nobody heard yet */
	assert_int_equal(d.inst[0].adverts_per_s, 1);
	assert_int_equal(d.inst[0].n_vips, 1);
	assert_string_equal(d.inst[0].ifname, "eth9");  /* where the lease chains hook */
	free(d.inst);

	receive(200);
	assert_int_equal(vrrp_nft_describe(&h, &d), 0);
	assert_non_null(d.inst[0].followed);
	assert_string_equal(addr_ntop(d.inst[0].followed, buf, sizeof(buf)), "192.0.2.20");
	free(d.inst);

	advance(MASTER_DOWN);
	assert_int_equal(vrrp_nft_describe(&h, &d), 0);
	assert_true(d.inst[0].master);
	assert_true(d.inst[0].accept);          /* accept_mode defaults to yes */
	assert_null(d.inst[0].followed);
	free(d.inst);
}

/* The Master_Down_Interval counts from when the instance starts, not
 * from the loop's last clock reading before a start-up that took 100 ms:
 * from that, the timer would end 100 ms early and the backup take over
 * from a master it had no time to hear. */
static void test_startup_counts_from_now(void **state)
{
	(void)state;
	clock_lag_us = 100 * MS;
	start();
	loop_update_now(NULL);  /* the loop's first turn reads the clock */
	advance(MASTER_DOWN - 50 * MS);
	assert_int_equal(h.routers[0]->inst.fsm.state, VRRP_STATE_BACKUP);
	advance(50 * MS);
	assert_int_equal(h.routers[0]->inst.fsm.state, VRRP_STATE_MASTER);
}

/* A unicast master sends its advert to each peer, then renews its VIPs'
 * lease through lo (5/2 of 1 s: 2500 ms); not with a priority-0 advert,
 * and a multicast instance never (test_master_down_takeover: no
 * lease_renew in its calls). */
static void test_unicast_lease_copy(void **state)
{
	(void)state;
	start_with("[global]\nrouter_id = node-a\nscript_security = no\nnft_table = none\n"
		   "[instance web]\ninterface = eth9\nvrid = 7\npriority = 100\n"
		   "advert_interval = 1s\nvirtual_ip = 192.0.2.1/24\ngarp_repeat = 1\n"
		   "unicast_peer = 192.0.2.20\nunicast_peer = 192.0.2.21\n");
	become_master();
	advance(S);
	assert_string_equal(joined(), "advert 100; advert 100; lease_renew 2500 192.0.2.1");
	n_calls = 0;
	/* An advert the kernel refused to one peer: that peer will take
	 * over on its timer, so the lease must not run on: no renewal. */
	send_fails = 1;
	advance(S);
	assert_string_equal(joined(), "advert 100; advert 100");
	n_calls = 0;
	vrrp_resign(&h);
	assert_int_equal(count_prefix("advert 0"), 2);
	assert_int_equal(count_prefix("lease_renew"), 0);
}

/* advance(), forgetting the calls (a master's adverts) a second at a time. */
static void advance_quietly(uint64_t us)
{
	for (; us >= S; us -= S) {
		advance(S);
		n_calls = 0;
	}
	advance(us);
	n_calls = 0;
}

/* hold_down (60 s by default): after a move, what degraded checks
 * contribute stays as it was until the hold ends, so that load following
 * the VIP cannot bounce it; a failed check applies at once. Before, a
 * saturated new master dropped its priority at once and the VIP went
 * back (t-holddown: 14 moves a minute). */
static void test_hold_down_after_move(void **state)
{
	(void)state;
	start();
	become_master();
	check_saturated = true;
	check_delta = -30;
	vrrp_check_changed(&h, 0);
	assert_int_equal(h.routers[0]->inst.params.priority, 100);
	assert_string_equal(joined(), "");
	advance_quietly(30 * S);
	check_delta = -40;              /* more saturation: still held */
	vrrp_check_changed(&h, 0);
	assert_int_equal(h.routers[0]->inst.params.priority, 100);
	advance_quietly(30 * S - 50 * MS);
	assert_int_equal(h.routers[0]->inst.params.priority, 100);
	n_calls = 0;
	advance(50 * MS);               /* the hold ends: applied, advertised */
	assert_int_equal(h.routers[0]->inst.params.priority, 60);
	assert_string_equal(joined(), "advert 60");

	/* A dead engine (a failed check) never waits. */
	check_saturated = false;
	check_delta = -70;
	vrrp_check_changed(&h, 0);
	assert_int_equal(h.routers[0]->inst.params.priority, 30);
}

/* No move yet (start-up), or hold_down = 0: saturation applies at once. */
static void test_hold_down_not_before_a_move(void **state)
{
	(void)state;
	start();
	check_saturated = true;
	check_delta = -30;
	vrrp_check_changed(&h, 0);
	assert_int_equal(h.routers[0]->inst.params.priority, 70);
}

/* hafctl handover: the priority drops to 1 (advertised at once), the
 * outcome comes when a better advert takes the router out of MASTER; and
 * with no taker the priority comes back at the end of the wait, the VIPs
 * never having moved. */
static bool ho_ok;
static int ho_calls;
static char ho_text[512];

static void ho_done(void *arg, bool ok, const char *text)
{
	(void)arg;
	ho_ok = ok;
	ho_calls++;
	snprintf(ho_text, sizeof(ho_text), "%s", text);
}

static void test_handover_moves(void **state)
{
	(void)state;
	start();
	become_master();
	ho_calls = 0;
	assert_int_equal(handover_start(&h, NULL, 3 * S, 0, ho_done, NULL), 0);
	assert_int_equal(h.routers[0]->inst.params.priority, 1);
	assert_string_equal(calls[0], "advert 1");
	assert_int_equal(ho_calls, 0);
	assert_int_equal(handover_start(&h, NULL, 0, 0, ho_done, NULL), -1);  /* one at a time */
	receive(100);                   /* the backup preempts */
	assert_int_equal(h.routers[0]->inst.fsm.state, VRRP_STATE_BACKUP);
	assert_int_equal(ho_calls, 1);
	assert_true(ho_ok);
	assert_string_equal(ho_text, "web/VRID 7: now BACKUP, the master is 192.0.2.20 "
			    "(priority 100)\n");
	assert_true(h.routers[0]->yielding);
	for (int i = 0; i < 10; i++) {  /* it yields: no preemption of the 100 */
		advance_quietly(S);
		receive(100);
	}
	assert_int_equal(h.routers[0]->inst.fsm.state, VRRP_STATE_BACKUP);
	assert_int_equal(h.routers[0]->stats.master_transitions, 1);
	handover_stop(&h);
}

/* An instance that tracks a request = patroni check leaves FAULT as
 * master at once when nobody advertised meanwhile (vrrp_params.exclusive);
 * one in a sync group, or tracking only other checks, does not. */
static void test_exclusive_patroni(void **state)
{
	static const char text[] =
		"[global]\nrouter_id = node-a\nnft_table = none\n"
		"[check pg]\ntype = http\nrequest = patroni\nurl = http://127.0.0.1:8008\n"
		"[instance db]\ninterface = eth9\nvrid = 7\nadvert_interval = 20ms\n"
		"virtual_ip = 192.0.2.1/24\ntrack = pg\n";

	(void)state;
	start();
	assert_false(h.routers[0]->inst.params.exclusive);
	stop(NULL);
	start_with(text);
	assert_true(h.routers[0]->inst.params.exclusive);
	check_fault = true;
	vrrp_check_changed(&h, 0);
	assert_int_equal(h.routers[0]->inst.fsm.state, VRRP_STATE_FAULT);
	advance(100000);                /* 100 ms without an advert */
	check_fault = false;
	vrrp_check_changed(&h, 0);
	assert_int_equal(h.routers[0]->inst.fsm.state, VRRP_STATE_MASTER);
}

static void test_handover_no_taker(void **state)
{
	(void)state;
	start();
	become_master();
	ho_calls = 0;
	assert_int_equal(handover_start(&h, "web", 2 * S, 0, ho_done, NULL), 0);
	advance_quietly(2 * S + 10 * MS);
	assert_int_equal(ho_calls, 1);
	assert_false(ho_ok);
	assert_int_equal(h.routers[0]->inst.fsm.state, VRRP_STATE_MASTER);
	assert_int_equal(h.routers[0]->inst.params.priority, 100);
	assert_false(h.routers[0]->yielding);
	assert_non_null(strstr(ho_text, "no router took over"));
	handover_stop(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_master_down_takeover, stop),
		cmocka_unit_test_teardown(test_resign_vips_before_prio0, stop),
		cmocka_unit_test_teardown(test_better_master_steps_down, stop),
		cmocka_unit_test_teardown(test_check_fault_before_delta, stop),
		cmocka_unit_test_teardown(test_vip_removed_is_restored, stop),
		cmocka_unit_test_teardown(test_link_down_faults, stop),
		cmocka_unit_test_teardown(test_nft_description, stop),
		cmocka_unit_test_teardown(test_unicast_lease_copy, stop),
		cmocka_unit_test_teardown(test_startup_counts_from_now, stop),
		cmocka_unit_test_teardown(test_hold_down_after_move, stop),
		cmocka_unit_test_teardown(test_hold_down_not_before_a_move, stop),
		cmocka_unit_test_teardown(test_handover_moves, stop),
		cmocka_unit_test_teardown(test_handover_no_taker, stop),
		cmocka_unit_test_teardown(test_exclusive_patroni, stop),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
