/* vrrp_inst.c: the order of actions, sync-group rules and faults, with
 * the operations recorded by a fake (the daemon's real ones do I/O). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "addr.h"
#include "vrrp_inst.h"

#define MS 1000u
#define SEC 1000000u
#define T0 (1000 * SEC)

/* Every operation, in order, as one letter: m vmac_up, d vips_del,
 * v vmac_down, 0 send priority 0, s send, a vips_add, n announce,
 * S state, t arm, r drain. */
static char ops_log[256];
static unsigned drains;

static void rec(char c)
{
	size_t n = strlen(ops_log);

	if (n + 1 < sizeof(ops_log)) {
		ops_log[n] = c;
		ops_log[n + 1] = '\0';
	}
}

static void f_vmac_up(struct vrrp_inst *i) { (void)i; rec('m'); }
static void f_vips_del(struct vrrp_inst *i) { (void)i; rec('d'); }
static void f_vmac_down(struct vrrp_inst *i) { (void)i; rec('v'); }
static void f_send(struct vrrp_inst *i, uint8_t p) { (void)i; rec(p ? 's' : '0'); }
static void f_vips_add(struct vrrp_inst *i) { (void)i; rec('a'); }
static void f_announce(struct vrrp_inst *i) { (void)i; rec('n'); }
static void f_state(struct vrrp_inst *i, const struct vrrp_actions *a)
{
	(void)i;
	(void)a;
	rec('S');
}
static void f_arm(struct vrrp_inst *i, uint64_t due) { (void)i; (void)due; rec('t'); }

/* The advert waiting in the socket, delivered by drain. */
static struct { bool on; uint8_t prio; struct hafd_addr src; uint64_t now; } waiting;

static void f_drain(struct vrrp_inst *i)
{
	rec('r');
	drains++;
	if (waiting.on) {
		waiting.on = false;
		vrrp_inst_advert(i, waiting.prio, 100, &waiting.src, waiting.now);
	}
}

static const struct vrrp_inst_ops fake_ops = {
	.vmac_up = f_vmac_up, .vips_del = f_vips_del, .vmac_down = f_vmac_down,
	.send = f_send,
	.vips_add = f_vips_add, .announce = f_announce, .state = f_state,
	.arm = f_arm, .drain = f_drain,
};

static struct hafd_addr addr(const char *s)
{
	struct hafd_addr a;

	assert_int_equal(addr_parse_host(s, &a), 0);
	return a;
}

static void inst_init(struct vrrp_inst *i, uint8_t prio)
{
	vrrp_inst_init(i, &fake_ops, NULL);
	i->params = (struct vrrp_params){
		.version = 3, .priority = prio, .adver_int_cs = 100, .preempt = true,
		.primary = addr("10.0.0.2"),
	};
}

static void log_reset(void)
{
	ops_log[0] = '\0';
	drains = 0;
}

/* Backup, then Master by its down timer. */
static void inst_master(struct vrrp_inst *i)
{
	vrrp_inst_event(i, VRRP_EV_STARTUP, T0);
	vrrp_inst_timer(i, vrrp_fsm_next_due(&i->fsm));
	assert_int_equal(i->fsm.state, VRRP_STATE_MASTER);
}

/* Becoming master: advert, VIPs (their first announcement), state, timer. */
static void test_order_takeover(void **state)
{
	struct vrrp_inst i;

	(void)state;
	inst_init(&i, 100);
	vrrp_inst_event(&i, VRRP_EV_STARTUP, T0);
	log_reset();
	vrrp_inst_timer(&i, vrrp_fsm_next_due(&i.fsm));
	assert_string_equal(ops_log, "r" "msaSt");
}

/* Issue 14 bug 6: leaving master for shutdown or fault, the VIPs go
 * before the priority-0 advert: with pair, the backup takes over on that
 * very packet, and must not share the VIPs with us. */
static void test_order_resign(void **state)
{
	struct vrrp_inst i;

	(void)state;
	inst_init(&i, 100);
	inst_master(&i);
	log_reset();
	vrrp_inst_event(&i, VRRP_EV_SHUTDOWN, T0 + 5 * SEC);
	assert_string_equal(ops_log, "d0vSt");

	inst_init(&i, 100);
	inst_master(&i);
	log_reset();
	vrrp_inst_fault(&i, VRRP_FAULT_CHECK, true, T0 + 5 * SEC);
	assert_string_equal(ops_log, "d0vSt");
	assert_int_equal(i.fsm.state, VRRP_STATE_FAULT);
}

/* Yielding to a better master: our last advert still leaves from the
 * VMAC (RFC 9568 item 14), then the VIPs and the macvlan go. */
static void test_order_yield(void **state)
{
	struct vrrp_inst i;
	struct hafd_addr better = addr("10.0.0.9");

	(void)state;
	inst_init(&i, 100);
	inst_master(&i);
	log_reset();
	vrrp_inst_advert(&i, 150, 100, &better, T0 + 5 * SEC);
	assert_string_equal(ops_log, "sdvSt");
}

/* A late master timer reads the waiting adverts first (issue 14 bug 4):
 * here one from a better router, so it yields instead of advertising. */
static void test_drain_before_late_timer(void **state)
{
	struct vrrp_inst i;
	uint64_t due;

	(void)state;
	inst_init(&i, 100);
	inst_master(&i);
	due = vrrp_fsm_next_due(&i.fsm);
	log_reset();
	vrrp_inst_timer(&i, due);               /* on time: no read */
	assert_int_equal(drains, 0);
	due = vrrp_fsm_next_due(&i.fsm);
	waiting.on = true;
	waiting.prio = 150;
	waiting.src = addr("10.0.0.9");
	waiting.now = due + 2 * SEC;
	log_reset();
	vrrp_inst_timer(&i, due + 2 * SEC);
	assert_int_equal(drains, 1);
	assert_int_equal(i.fsm.state, VRRP_STATE_BACKUP);
}

/* ---- sync groups ------------------------------------------------------------ */

struct grp {
	struct vrrp_inst m[3];
};

static void grp_init(struct grp *g, bool start)
{
	for (int k = 0; k < 3; k++) {
		inst_init(&g->m[k], 100);
		if (k)
			vrrp_inst_group_join(&g->m[k], &g->m[0]);
	}
	for (int k = 0; start && k < 3; k++)
		vrrp_inst_event(&g->m[k], VRRP_EV_STARTUP, T0);
}

/* Issue 14: the daemon's old group glue never cleared a member's group
 * fault bit when the sibling that set it cleared while the member itself
 * still had its own fault: after both cleared, the member stayed in FAULT
 * forever. */
static void test_group_fault_two_members(void **state)
{
	struct grp g;

	(void)state;
	grp_init(&g, true);
	vrrp_inst_fault(&g.m[0], VRRP_FAULT_CHECK, true, T0);
	for (int k = 0; k < 3; k++)
		assert_int_equal(g.m[k].fsm.state, VRRP_STATE_FAULT);
	vrrp_inst_fault(&g.m[1], VRRP_FAULT_CHECK, true, T0 + SEC);
	vrrp_inst_fault(&g.m[0], VRRP_FAULT_CHECK, false, T0 + 2 * SEC);
	for (int k = 0; k < 3; k++)
		assert_int_equal(g.m[k].fsm.state, VRRP_STATE_FAULT);
	vrrp_inst_fault(&g.m[1], VRRP_FAULT_CHECK, false, T0 + 3 * SEC);
	for (int k = 0; k < 3; k++) {
		assert_int_equal(g.m[k].fsm.state, VRRP_STATE_BACKUP);
		assert_int_equal(g.m[k].faults, 0);
	}
	assert_false(vrrp_inst_group_fault(&g.m[2]));
}

/* Faults set before STARTUP are remembered: the group starts in FAULT. */
static void test_group_fault_before_start(void **state)
{
	struct grp g;

	(void)state;
	grp_init(&g, false);
	vrrp_inst_fault(&g.m[2], VRRP_FAULT_LINK, true, T0);
	for (int k = 0; k < 3; k++)
		vrrp_inst_event(&g.m[k], VRRP_EV_STARTUP, T0);
	for (int k = 0; k < 3; k++)
		assert_int_equal(g.m[k].fsm.state, VRRP_STATE_FAULT);
}

/* One member's own takeover pulls the others up; losing an election
 * pushes them down; group moves do not echo. */
static void test_group_follow(void **state)
{
	struct grp g;
	struct hafd_addr better = addr("10.0.0.9");

	(void)state;
	grp_init(&g, true);
	vrrp_inst_timer(&g.m[1], vrrp_fsm_next_due(&g.m[1].fsm));
	for (int k = 0; k < 3; k++)
		assert_int_equal(g.m[k].fsm.state, VRRP_STATE_MASTER);
	vrrp_inst_advert(&g.m[2], 200, 100, &better, T0 + 10 * SEC);
	for (int k = 0; k < 3; k++)
		assert_int_equal(g.m[k].fsm.state, VRRP_STATE_BACKUP);
}

/* A member held by a master at least as good as itself blocks its
 * siblings' preemption; a worse master or priority 0 does not. */
static void test_group_preempt_blocked(void **state)
{
	struct grp g;
	struct hafd_addr m = addr("10.0.0.9");

	(void)state;
	grp_init(&g, true);
	g.m[0].params.priority = 200;
	assert_false(vrrp_inst_preempt_blocked(&g.m[0]));
	vrrp_inst_advert(&g.m[1], 150, 100, &m, T0 + SEC);
	assert_true(vrrp_inst_preempt_blocked(&g.m[0]));
	assert_true(vrrp_inst_preempt_blocked(&g.m[2]));
	assert_false(vrrp_inst_preempt_blocked(&g.m[1]));
	/* 0 holds a worse master (150 < 200) but may not preempt it */
	vrrp_inst_advert(&g.m[0], 150, 100, &m, T0 + SEC);
	assert_int_equal(g.m[0].fsm.state, VRRP_STATE_BACKUP);
	assert_int_equal(g.m[0].fsm.preempt_due_us, 0);
	vrrp_inst_advert(&g.m[1], 0, 100, &m, T0 + 2 * SEC);
	assert_false(vrrp_inst_preempt_blocked(&g.m[0]));
}

/* Rings of any size: the old glue silently stopped at 64 members. */
static void test_group_large(void **state)
{
	enum { N = 300 };
	struct vrrp_inst *m = calloc(N, sizeof(*m));

	(void)state;
	assert_non_null(m);
	for (int k = 0; k < N; k++) {
		inst_init(&m[k], 100);
		if (k)
			vrrp_inst_group_join(&m[k], &m[0]);
	}
	for (int k = 0; k < N; k++)
		vrrp_inst_event(&m[k], VRRP_EV_STARTUP, T0);
	vrrp_inst_fault(&m[N - 1], VRRP_FAULT_CHECK, true, T0);
	for (int k = 0; k < N; k++)
		assert_int_equal(m[k].fsm.state, VRRP_STATE_FAULT);
	vrrp_inst_group_leave(&m[N - 1]);
	assert_ptr_equal(m[N - 1].group_next, &m[N - 1]);
	free(m);
}

static void test_source(void **state)
{
	struct hafd_addr ll = addr("fe80::1"), g = addr("fd00::9"), s;

	(void)state;
	s = vrrp_inst_source(NULL, &ll);
	assert_true(addr_equal(&s, &ll));
	/* Issue 14 bug 1: with unicast_src, the tie-break uses what our
	 * adverts carry, for IPv6 as for IPv4. */
	s = vrrp_inst_source(&g, &ll);
	assert_true(addr_equal(&s, &g));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order_takeover),
		cmocka_unit_test(test_order_resign),
		cmocka_unit_test(test_order_yield),
		cmocka_unit_test(test_drain_before_late_timer),
		cmocka_unit_test(test_group_fault_two_members),
		cmocka_unit_test(test_group_fault_before_start),
		cmocka_unit_test(test_group_follow),
		cmocka_unit_test(test_group_preempt_blocked),
		cmocka_unit_test(test_group_large),
		cmocka_unit_test(test_source),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
