/* VRRP state machine and sync-group rules on a fake clock. Item numbers
 * refer to docs/vrrp-checklist.md (1.4-1.5). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "addr.h"
#include "vrrp_fsm.h"

#define MS 1000u
#define SEC 1000000u
#define T0 (1000 * SEC)         /* fake clock start: far from 0 ("not armed") */

#define ACT_BECOME_MASTER (VRRP_ACT_SEND_ADVERT | VRRP_ACT_VIPS_ADD | VRRP_ACT_STATE)

/* One router: its FSM, its parameters, a fake clock and the last actions. */
struct rig {
	struct vrrp_fsm f;
	struct vrrp_params p;
	uint64_t now;
	struct vrrp_actions a;
};

static struct hafd_addr addr(const char *s)
{
	struct hafd_addr a;

	assert_int_equal(addr_parse_host(s, &a), 0);
	return a;
}

static bool addr_equal_str(const struct hafd_addr *a, const char *s)
{
	struct hafd_addr b = addr(s);

	return addr_equal(a, &b);
}

static void rig_init(struct rig *r, uint8_t version, uint8_t prio, uint16_t ai_cs)
{
	memset(r, 0, sizeof(*r));
	vrrp_fsm_init(&r->f);
	r->p.version = version;
	r->p.priority = prio;
	r->p.adver_int_cs = ai_cs;
	r->p.preempt = true;
	r->p.primary = addr("10.0.0.2");
	r->now = T0;
}

static void step(struct rig *r, enum vrrp_event_type type)
{
	struct vrrp_event ev = { .type = type };

	vrrp_fsm_step(&r->f, &r->p, &ev, r->now, &r->a);
}

static void advert(struct rig *r, uint8_t prio, uint16_t int_cs, const char *src)
{
	struct vrrp_event ev = {
		.type = VRRP_EV_ADVERT,
		.adv_priority = prio,
		.adv_interval_cs = int_cs,
		.adv_src = addr(src),
	};

	vrrp_fsm_step(&r->f, &r->p, &ev, r->now, &r->a);
}

/* Advance the fake clock to the next armed timer and fire it. */
static void fire(struct rig *r)
{
	uint64_t due = vrrp_fsm_next_due(&r->f);

	assert_true(due >= r->now);
	r->now = due;
	step(r, VRRP_EV_TIMER);
}

static void assert_transition(const struct rig *r, enum vrrp_state from, enum vrrp_state to,
			      enum vrrp_cause cause)
{
	assert_true(r->a.flags & VRRP_ACT_STATE);
	assert_int_equal(r->a.from, from);
	assert_int_equal(r->a.to, to);
	assert_int_equal(r->a.cause, cause);
	assert_int_equal(r->f.state, to);
}

static void start_backup(struct rig *r)
{
	step(r, VRRP_EV_STARTUP);
	assert_transition(r, VRRP_STATE_INIT, VRRP_STATE_BACKUP, VRRP_CAUSE_STARTUP);
}

/* Backup, then Master by the down timer. */
static void start_master(struct rig *r)
{
	start_backup(r);
	fire(r);
	assert_transition(r, VRRP_STATE_BACKUP, VRRP_STATE_MASTER, VRRP_CAUSE_MASTER_DOWN);
}

/* ---- timer math (items 23-27) ------------------------------------------ */

static void test_skew_down_v3(void **state)
{
	(void)state;
	/* Item 27 at 1 s. */
	assert_int_equal(vrrp_fsm_skew_us(3, 200, 100), 218750);
	assert_int_equal(vrrp_fsm_master_down_us(3, 200, 100), 3218750);
	assert_int_equal(vrrp_fsm_skew_us(3, 100, 100), 609375);
	assert_int_equal(vrrp_fsm_master_down_us(3, 100, 100), 3609375);
	/* Integer truncation: 156 * 10000 / 256 = 6093.75, 117.1875. */
	assert_int_equal(vrrp_fsm_skew_us(3, 100, 1), 6093);
	assert_int_equal(vrrp_fsm_master_down_us(3, 100, 1), 36093);
	assert_int_equal(vrrp_fsm_skew_us(3, 255, 3), 117);
	/* Largest interval (item 7: 4095 cs) does not overflow. */
	assert_int_equal(vrrp_fsm_skew_us(3, 1, 4095), 255ull * 4095 * 10000 / 256);
}

static void test_skew_down_v2(void **state)
{
	(void)state;
	/* Item 26: (256 - prio)/256 s whatever the interval. */
	assert_int_equal(vrrp_fsm_skew_us(2, 200, 100), 218750);
	assert_int_equal(vrrp_fsm_master_down_us(2, 200, 100), 3218750);
	assert_int_equal(vrrp_fsm_skew_us(2, 100, 100), 609375);
	assert_int_equal(vrrp_fsm_master_down_us(2, 100, 100), 3609375);
	assert_int_equal(vrrp_fsm_skew_us(2, 100, 300), 609375);
	assert_int_equal(vrrp_fsm_master_down_us(2, 100, 300), 9609375);
}

/* ---- Initialize (§6.4.1) -------------------------------------------------- */

static void test_startup_backup(void **state)
{
	struct rig r;

	(void)state;
	rig_init(&r, 3, 100, 100);
	assert_int_equal(r.f.state, VRRP_STATE_INIT);
	assert_int_equal(vrrp_fsm_next_due(&r.f), 0);
	start_backup(&r);
	assert_int_equal(r.a.flags, VRRP_ACT_STATE);
	assert_int_equal(r.f.master_adver_int_cs, 100);
	assert_int_equal(r.f.skew_us, 609375);
	assert_int_equal(r.f.master_down_us, 3609375);
	assert_int_equal(r.f.down_due_us, T0 + 3609375);
	assert_int_equal(vrrp_fsm_next_due(&r.f), T0 + 3609375);
}

static void test_startup_owner(void **state)
{
	struct rig r;

	(void)state;
	rig_init(&r, 3, 255, 100);
	step(&r, VRRP_EV_STARTUP);
	assert_transition(&r, VRRP_STATE_INIT, VRRP_STATE_MASTER, VRRP_CAUSE_OWNER);
	assert_int_equal(r.a.flags, ACT_BECOME_MASTER);
	assert_int_equal(r.f.adver_due_us, T0 + SEC);
	assert_int_equal(r.f.down_due_us, 0);
}

static void test_startup_with_fault(void **state)
{
	struct rig r;

	(void)state;
	rig_init(&r, 3, 100, 100);
	step(&r, VRRP_EV_FAULT_SET);
	assert_int_equal(r.a.flags, 0);
	assert_int_equal(r.f.state, VRRP_STATE_INIT);
	assert_true(r.f.fault);
	step(&r, VRRP_EV_STARTUP);
	assert_transition(&r, VRRP_STATE_INIT, VRRP_STATE_FAULT, VRRP_CAUSE_FAULT);
	assert_int_equal(vrrp_fsm_next_due(&r.f), 0);
}

/* ---- Backup (§6.4.2) ---------------------------------------------------- */

static void test_backup_master_down(void **state)
{
	struct rig r;

	(void)state;
	rig_init(&r, 3, 100, 100);
	start_backup(&r);
	r.now = T0 + 3609375 - 1;
	step(&r, VRRP_EV_TIMER);
	assert_int_equal(r.a.flags, 0);
	fire(&r);
	assert_int_equal(r.now, T0 + 3609375);
	assert_transition(&r, VRRP_STATE_BACKUP, VRRP_STATE_MASTER, VRRP_CAUSE_MASTER_DOWN);
	assert_int_equal(r.a.flags, ACT_BECOME_MASTER);
	assert_int_equal(r.f.adver_due_us, r.now + SEC);
	assert_int_equal(r.f.down_due_us, 0);
	assert_int_equal(r.f.preempt_due_us, 0);
}

/* Item 25: the learned interval recomputes Skew_Time and the down time. */
static void test_backup_learns_interval(void **state)
{
	struct rig r;

	(void)state;
	rig_init(&r, 3, 100, 100);
	start_backup(&r);
	r.now += 100 * MS;
	advert(&r, 150, 200, "10.0.0.9");
	assert_int_equal(r.a.flags, 0);
	assert_true(r.a.learned_interval_mismatch);
	assert_int_equal(r.f.master_adver_int_cs, 200);
	assert_int_equal(r.f.skew_us, 1218750);
	assert_int_equal(r.f.master_down_us, 7218750);
	assert_int_equal(r.f.down_due_us, r.now + 7218750);
	assert_int_equal(r.f.master_prio, 150);
	assert_true(addr_equal_str(&r.f.master_addr, "10.0.0.9"));
	/* The same interval as ours: no mismatch, back to the 1 s numbers. */
	r.now += SEC;
	advert(&r, 150, 100, "10.0.0.9");
	assert_false(r.a.learned_interval_mismatch);
	assert_int_equal(r.f.skew_us, 609375);
	assert_int_equal(r.f.down_due_us, r.now + 3609375);
}

static void test_v2_does_not_learn(void **state)
{
	struct rig r;

	(void)state;
	rig_init(&r, 2, 100, 100);
	start_backup(&r);
	advert(&r, 150, 200, "10.0.0.9");
	assert_false(r.a.learned_interval_mismatch);
	assert_int_equal(r.f.master_adver_int_cs, 100);
	assert_int_equal(r.f.down_due_us, r.now + 3609375);
}

static void test_backup_priority_recomputes(void **state)
{
	struct rig r;
	uint64_t due;

	(void)state;
	rig_init(&r, 3, 100, 100);
	start_backup(&r);
	advert(&r, 250, 200, "10.0.0.9");
	due = r.f.down_due_us;
	r.now += 10 * MS;
	r.p.priority = 200;
	step(&r, VRRP_EV_PRIORITY);
	assert_int_equal(r.a.flags, 0);
	assert_int_equal(r.f.skew_us, 56ull * 200 * 10000 / 256);
	assert_int_equal(r.f.master_down_us, 6000000 + 437500);
	assert_int_equal(r.f.down_due_us, due);         /* not moved */
}

static void test_prio_zero_skew(void **state)
{
	struct rig r;

	(void)state;
	rig_init(&r, 3, 100, 100);
	start_backup(&r);
	advert(&r, 200, 100, "10.0.0.9");
	r.now += 500 * MS;
	advert(&r, 0, 100, "10.0.0.9");
	assert_int_equal(r.a.flags, 0);
	assert_int_equal(r.f.down_due_us, r.now + 609375);
	assert_int_equal(r.f.master_prio, 0);
	fire(&r);
	assert_transition(&r, VRRP_STATE_BACKUP, VRRP_STATE_MASTER, VRRP_CAUSE_PRIO_ZERO);
	assert_int_equal(r.a.flags, ACT_BECOME_MASTER);
}

/* After a priority-0 timer, a fresh advert re-arms a normal down timer. */
static void test_prio_zero_then_master_returns(void **state)
{
	struct rig r;

	(void)state;
	rig_init(&r, 3, 100, 100);
	start_backup(&r);
	advert(&r, 0, 100, "10.0.0.9");
	advert(&r, 200, 100, "10.0.0.8");
	fire(&r);
	assert_transition(&r, VRRP_STATE_BACKUP, VRRP_STATE_MASTER, VRRP_CAUSE_MASTER_DOWN);
}

static void test_prio_zero_pair(void **state)
{
	struct rig r;

	(void)state;
	rig_init(&r, 3, 100, 100);
	r.p.pair = true;
	start_backup(&r);
	advert(&r, 200, 100, "10.0.0.9");
	r.now += 300 * MS;
	advert(&r, 0, 100, "10.0.0.9");
	assert_transition(&r, VRRP_STATE_BACKUP, VRRP_STATE_MASTER, VRRP_CAUSE_PRIO_ZERO);
	assert_int_equal(r.a.flags, ACT_BECOME_MASTER);
	assert_int_equal(r.f.adver_due_us, r.now + SEC);
}

/* Equal priority: a Backup accepts either sender and stays Backup. */
static void test_backup_equal_priority_stays(void **state)
{
	struct rig r;

	(void)state;
	rig_init(&r, 3, 100, 100);
	start_backup(&r);
	advert(&r, 100, 100, "10.0.0.1");
	assert_int_equal(r.a.flags, 0);
	assert_int_equal(r.f.down_due_us, r.now + 3609375);
	advert(&r, 100, 100, "10.0.0.3");
	assert_int_equal(r.a.flags, 0);
	assert_int_equal(r.f.state, VRRP_STATE_BACKUP);
	assert_int_equal(r.f.master_prio, 100);
}

/* ---- preemption ------------------------------------------------------------ */

/* pair: the only backup preempts a worse master at once. */
static void test_preempt_at_once(void **state)
{
	struct rig r;

	(void)state;
	rig_init(&r, 3, 200, 100);
	r.p.pair = true;
	start_backup(&r);
	r.now += 50 * MS;
	advert(&r, 100, 100, "10.0.0.9");
	assert_transition(&r, VRRP_STATE_BACKUP, VRRP_STATE_MASTER, VRRP_CAUSE_PREEMPT);
	assert_int_equal(r.a.flags, ACT_BECOME_MASTER);
	assert_int_equal(r.f.adver_due_us, r.now + SEC);
}

/* Issue 14 bug 3: without pair, fast preemption waits the backup's
 * Skew_Time, so of several backups the best goes first. */
static void test_preempt_staggered(void **state)
{
	struct rig r;
	uint64_t t0;

	(void)state;
	rig_init(&r, 3, 200, 100);
	start_backup(&r);
	r.now += 50 * MS;
	t0 = r.now;
	advert(&r, 100, 100, "10.0.0.9");
	assert_int_equal(r.a.flags, 0);
	assert_int_equal(r.f.preempt_due_us, t0 + 218750);    /* 56/256 s */
	fire(&r);
	assert_int_equal(r.now, t0 + 218750);
	assert_transition(&r, VRRP_STATE_BACKUP, VRRP_STATE_MASTER, VRRP_CAUSE_PREEMPT);
	assert_int_equal(r.a.flags, ACT_BECOME_MASTER);
}

/* Issue 14 bug 3: 200/150/100, the master drops to 50. The 100 backup's
 * pending preemption is cancelled by the 150's takeover advert, and the
 * demoted master's next advert does not bring it back. */
static void test_preempt_cancelled_by_better_backup(void **state)
{
	struct rig b;

	(void)state;
	rig_init(&b, 3, 100, 100);
	start_backup(&b);
	advert(&b, 200, 100, "10.0.0.1");
	b.now += 100 * MS;
	advert(&b, 50, 100, "10.0.0.1");        /* the master, demoted */
	assert_int_equal(b.a.flags, 0);
	assert_int_equal(b.f.preempt_due_us, b.now + 609375);
	b.now += 414 * MS;                      /* the 150's Skew_Time */
	advert(&b, 150, 100, "10.0.0.2");
	assert_int_equal(b.a.flags, 0);
	assert_int_equal(b.f.preempt_due_us, 0);
	b.now += 5 * MS;
	advert(&b, 50, 100, "10.0.0.1");        /* it yields with one more */
	assert_int_equal(b.a.flags, 0);
	assert_int_equal(b.f.preempt_due_us, 0);
	assert_int_equal(b.f.master_prio, 150);
	assert_true(addr_equal_str(&b.f.master_addr, "10.0.0.2"));
	b.now += 5 * SEC;
	step(&b, VRRP_EV_TIMER);
	assert_int_equal(b.f.state, VRRP_STATE_BACKUP);
}

static void test_no_preempt(void **state)
{
	struct rig r;

	(void)state;
	rig_init(&r, 3, 200, 100);
	r.p.preempt = false;
	start_backup(&r);
	for (int i = 0; i < 10; i++) {
		r.now += SEC;
		advert(&r, 100, 100, "10.0.0.9");
		assert_int_equal(r.a.flags, 0);
		assert_int_equal(r.f.down_due_us, r.now + 3218750);
		assert_int_equal(r.f.preempt_due_us, 0);
	}
	assert_int_equal(r.f.master_prio, 100);
}

/* preempt_delay: the lower master keeps advertising, so the down timer
 * keeps moving and only the preemption deadline fires. */
static void test_preempt_delay(void **state)
{
	struct rig r;
	uint64_t first;

	(void)state;
	rig_init(&r, 3, 200, 100);
	r.p.preempt_delay_us = 5 * SEC;
	start_backup(&r);
	advert(&r, 100, 100, "10.0.0.9");
	first = r.now;
	assert_int_equal(r.a.flags, 0);
	/* preempt_delay plus the Skew_Time stagger (56/256 s) */
	assert_int_equal(r.f.preempt_due_us, first + 5 * SEC + 218750);
	assert_int_equal(r.f.down_due_us, first + 3218750);
	for (unsigned i = 1; i < 5; i++) {
		r.now = first + i * SEC;
		step(&r, VRRP_EV_TIMER);
		assert_int_equal(r.a.flags, 0);
		advert(&r, 100, 100, "10.0.0.9");
		assert_int_equal(r.a.flags, 0);
		/* the pending deadline is kept, not pushed back */
		assert_int_equal(r.f.preempt_due_us, first + 5 * SEC + 218750);
		assert_int_equal(r.f.down_due_us, r.now + 3218750);
	}
	assert_int_equal(vrrp_fsm_next_due(&r.f), first + 5 * SEC + 218750);
	fire(&r);
	assert_int_equal(r.now, first + 5 * SEC + 218750);
	assert_transition(&r, VRRP_STATE_BACKUP, VRRP_STATE_MASTER, VRRP_CAUSE_PREEMPT);
	assert_int_equal(r.a.flags, ACT_BECOME_MASTER);
}

static void test_preempt_delay_cancelled(void **state)
{
	struct rig r;

	(void)state;
	rig_init(&r, 3, 200, 100);
	r.p.preempt_delay_us = 2 * SEC;
	start_backup(&r);
	advert(&r, 100, 100, "10.0.0.9");
	assert_int_not_equal(r.f.preempt_due_us, 0);
	r.now += SEC;
	advert(&r, 220, 100, "10.0.0.8");
	assert_int_equal(r.f.preempt_due_us, 0);
	assert_int_equal(vrrp_fsm_next_due(&r.f), r.f.down_due_us);
	r.now += 2 * SEC;
	step(&r, VRRP_EV_TIMER);
	assert_int_equal(r.f.state, VRRP_STATE_BACKUP);
	/* Without adverts the down timer still works. */
	fire(&r);
	assert_transition(&r, VRRP_STATE_BACKUP, VRRP_STATE_MASTER, VRRP_CAUSE_MASTER_DOWN);
}

static void test_preempt_blocked(void **state)
{
	struct rig r;

	(void)state;
	rig_init(&r, 3, 200, 100);
	r.p.preempt_blocked = true;
	start_backup(&r);
	advert(&r, 100, 100, "10.0.0.9");
	assert_int_equal(r.a.flags, 0);
	assert_int_equal(r.f.preempt_due_us, 0);
	assert_int_equal(r.f.down_due_us, r.now + 3218750);
	assert_int_equal(r.f.master_prio, 100);
}

/* Issue 16: a node whose checks have not passed yet (its engine may still
 * be loading) follows the master it hears, even a worse one, and keeps its
 * down timer fed by it; once its checks pass, the next advert of the worse
 * master makes it preempt. */
static void test_unproven_does_not_preempt(void **state)
{
	struct rig r;

	(void)state;
	rig_init(&r, 3, 150, 100);
	r.p.pair = true;                /* would preempt on the first packet */
	r.p.unproven = true;
	start_backup(&r);
	for (int k = 0; k < 5; k++) {
		advert(&r, 100, 100, "10.0.0.9");
		assert_int_equal(r.a.flags, 0);
		assert_int_equal(r.f.state, VRRP_STATE_BACKUP);
		assert_int_equal(r.f.preempt_due_us, 0);
		assert_int_equal(r.f.down_due_us, r.now + r.f.master_down_us);
		r.now += SEC;
	}
	r.p.unproven = false;
	advert(&r, 100, 100, "10.0.0.9");
	assert_transition(&r, VRRP_STATE_BACKUP, VRRP_STATE_MASTER, VRRP_CAUSE_PREEMPT);
}

/* With no master to hear (a cold start of both nodes), an unproven node
 * still takes over when its down timer runs out: one of them is master. */
static void test_unproven_still_elected(void **state)
{
	struct rig r;

	(void)state;
	rig_init(&r, 3, 150, 100);
	r.p.unproven = true;
	start_backup(&r);
	fire(&r);
	assert_transition(&r, VRRP_STATE_BACKUP, VRRP_STATE_MASTER, VRRP_CAUSE_MASTER_DOWN);
}

/* A delayed preemption re-checks its reasons when it fires (hafd: a sync
 * group may have blocked it since, with no event for this member). */
static void test_preempt_delay_revalidated(void **state)
{
	struct rig r;

	(void)state;
	rig_init(&r, 3, 200, 100);
	r.p.preempt_delay_us = 500 * MS;
	start_backup(&r);
	advert(&r, 100, 100, "10.0.0.9");
	r.p.preempt_blocked = true;
	fire(&r);
	assert_int_equal(r.a.flags, 0);
	assert_int_equal(r.f.state, VRRP_STATE_BACKUP);
	assert_int_equal(r.f.preempt_due_us, 0);
}

/* Fast preemption: the master lowers its priority (AI service failed) and
 * says so at once; the better backup takes over on that one packet. */
static void test_fast_preemption(void **state)
{
	struct rig m, b;

	(void)state;
	rig_init(&m, 3, 200, 100);
	m.p.primary = addr("10.0.0.1");
	start_master(&m);
	rig_init(&b, 3, 150, 100);
	b.p.pair = true;
	start_backup(&b);
	advert(&b, 200, 100, "10.0.0.1");
	assert_int_equal(b.f.state, VRRP_STATE_BACKUP);

	m.now += 200 * MS;
	m.p.priority = 50;
	step(&m, VRRP_EV_PRIORITY);
	assert_int_equal(m.a.flags, VRRP_ACT_SEND_ADVERT);
	assert_int_equal(m.f.state, VRRP_STATE_MASTER);
	assert_int_equal(m.f.adver_due_us, m.now + SEC);

	b.now += 200 * MS + 500;        /* one packet time later */
	advert(&b, m.p.priority, 100, "10.0.0.1");
	assert_transition(&b, VRRP_STATE_BACKUP, VRRP_STATE_MASTER, VRRP_CAUSE_PREEMPT);
}

static void test_backup_priority_raise_preempts(void **state)
{
	struct rig r;

	(void)state;
	rig_init(&r, 3, 100, 100);
	start_backup(&r);
	advert(&r, 150, 100, "10.0.0.9");
	r.p.priority = 200;
	step(&r, VRRP_EV_PRIORITY);
	assert_transition(&r, VRRP_STATE_BACKUP, VRRP_STATE_MASTER, VRRP_CAUSE_PREEMPT);
}

static void test_backup_priority_raise_delayed(void **state)
{
	struct rig r;

	(void)state;
	rig_init(&r, 3, 100, 100);
	r.p.preempt_delay_us = SEC;
	start_backup(&r);
	advert(&r, 150, 100, "10.0.0.9");
	r.p.priority = 200;
	step(&r, VRRP_EV_PRIORITY);
	assert_int_equal(r.a.flags, 0);
	assert_int_equal(r.f.preempt_due_us, r.now + SEC);
	/* Dropping back below the master cancels it. */
	r.p.priority = 120;
	step(&r, VRRP_EV_PRIORITY);
	assert_int_equal(r.f.preempt_due_us, 0);
}

static void test_backup_priority_no_master_no_preempt(void **state)
{
	struct rig r;

	(void)state;
	rig_init(&r, 3, 100, 100);
	start_backup(&r);
	r.p.priority = 200;
	step(&r, VRRP_EV_PRIORITY);
	assert_int_equal(r.a.flags, 0);
	assert_int_equal(r.f.state, VRRP_STATE_BACKUP);
	/* nor with preempt off */
	r.p.preempt = false;
	advert(&r, 150, 100, "10.0.0.9");
	r.p.priority = 220;
	step(&r, VRRP_EV_PRIORITY);
	assert_int_equal(r.a.flags, 0);
}

/* hafd: held by a better master, a lower advert from another router is a
 * transient master that ours will answer: no fast preemption, no reset,
 * no learning (tests/sim: "a transient lower master does not pull in a
 * held backup"). From our own master it is preempted. */
static void test_backup_ignores_transient_lower_master(void **state)
{
	struct rig r;
	uint64_t due;

	(void)state;
	rig_init(&r, 3, 150, 100);
	start_backup(&r);
	advert(&r, 200, 100, "10.0.0.9");
	due = r.f.down_due_us;
	r.now += 100 * MS;
	advert(&r, 100, 5, "10.0.0.7");
	assert_int_equal(r.a.flags, 0);
	assert_int_equal(r.f.down_due_us, due);
	assert_int_equal(r.f.master_prio, 200);
	assert_int_equal(r.f.master_adver_int_cs, 100);
	assert_true(addr_equal_str(&r.f.master_addr, "10.0.0.9"));
	/* our master lowering its priority is preempted (after Skew_Time) */
	advert(&r, 100, 100, "10.0.0.9");
	assert_int_equal(r.f.preempt_due_us, r.now + 414062);
	fire(&r);
	assert_transition(&r, VRRP_STATE_BACKUP, VRRP_STATE_MASTER, VRRP_CAUSE_PREEMPT);
}

/* hafd: an advert from a router other than the master we follow may only
 * lengthen the learned interval (item 22; tests/sim: "transient masters
 * do not teach short intervals"). */
static void test_backup_other_router_only_lengthens_interval(void **state)
{
	struct rig r;

	(void)state;
	rig_init(&r, 3, 100, 100);
	r.p.preempt = false;
	start_backup(&r);
	advert(&r, 200, 100, "10.0.0.9");
	advert(&r, 150, 1, "10.0.0.7");         /* another router, shorter */
	assert_true(r.a.learned_interval_mismatch);
	assert_int_equal(r.f.master_adver_int_cs, 100);
	assert_int_equal(r.f.down_due_us, r.now + 3609375);
	/* Worse than the live master we follow: transient, not followed, so
	 * its next advert (a yielding master's last one) teaches nothing. */
	assert_true(addr_equal_str(&r.f.master_addr, "10.0.0.9"));
	advert(&r, 150, 1, "10.0.0.7");
	assert_int_equal(r.f.master_adver_int_cs, 100);
	r.now += 3609375;                       /* 10.0.0.9 silent a down interval */
	advert(&r, 150, 1, "10.0.0.7");
	assert_true(addr_equal_str(&r.f.master_addr, "10.0.0.7"));
	advert(&r, 150, 1, "10.0.0.7");         /* now the one we follow */
	assert_int_equal(r.f.master_adver_int_cs, 1);
	assert_int_equal(r.f.down_due_us, r.now + 36093);
	advert(&r, 50, 200, "10.0.0.8");        /* another router, longer */
	assert_int_equal(r.f.master_adver_int_cs, 200);
	/* with no master followed (after priority 0), learn directly */
	advert(&r, 0, 200, "10.0.0.8");
	advert(&r, 150, 1, "10.0.0.7");
	assert_int_equal(r.f.master_adver_int_cs, 1);
}

/* Item 29: the owner always preempts, whatever its preempt setting. */
static void test_owner_always_preempts(void **state)
{
	struct rig r;

	(void)state;
	rig_init(&r, 3, 255, 100);
	r.p.preempt = false;
	step(&r, VRRP_EV_STARTUP);
	step(&r, VRRP_EV_GROUP_BACKUP);
	assert_int_equal(r.f.state, VRRP_STATE_BACKUP);
	advert(&r, 100, 100, "10.0.0.9");
	assert_int_equal(r.f.preempt_due_us, r.now + 3906);     /* 1/256 s */
	fire(&r);
	assert_transition(&r, VRRP_STATE_BACKUP, VRRP_STATE_MASTER, VRRP_CAUSE_PREEMPT);
}

/* ---- Master (§6.4.3) -------------------------------------------------------- */

static void test_master_yields_to_higher(void **state)
{
	struct rig r;

	(void)state;
	rig_init(&r, 3, 100, 100);
	start_master(&r);
	r.now += 10 * MS;
	advert(&r, 150, 50, "10.0.0.1");
	assert_transition(&r, VRRP_STATE_MASTER, VRRP_STATE_BACKUP, VRRP_CAUSE_HIGHER_PRIO);
	/* One last advert, so a winner that never heard us re-announces. */
	assert_int_equal(r.a.flags, VRRP_ACT_SEND_ADVERT | VRRP_ACT_VIPS_DEL | VRRP_ACT_STATE);
	assert_true(r.a.learned_interval_mismatch);
	assert_int_equal(r.f.master_adver_int_cs, 50);
	assert_int_equal(r.f.skew_us, 156ull * 50 * 10000 / 256);
	assert_int_equal(r.f.down_due_us, r.now + 1500000 + 304687);
	assert_int_equal(r.f.adver_due_us, 0);
	assert_int_equal(r.f.master_prio, 150);
	assert_true(addr_equal_str(&r.f.master_addr, "10.0.0.1"));
}

static void test_master_answers_lower(void **state)
{
	struct rig r;

	(void)state;
	rig_init(&r, 3, 100, 100);
	start_master(&r);
	r.now += 300 * MS;
	advert(&r, 99, 100, "10.0.0.200");
	/* that router was master too: answer, and win its clients back */
	assert_int_equal(r.a.flags, VRRP_ACT_SEND_ADVERT | VRRP_ACT_ANNOUNCE);
	assert_int_equal(r.f.state, VRRP_STATE_MASTER);
	assert_int_equal(r.f.adver_due_us, r.now + SEC);
}

/* Issue 14 bug 2: an answer held back by the 10 ms gap is sent when the
 * gap ends, never dropped: the second lower master may not have heard the
 * first answer, and would stay master until our next advert. */
static void test_master_answer_deferred(void **state)
{
	struct rig r;
	uint64_t t0;

	(void)state;
	rig_init(&r, 3, 100, 100);
	start_master(&r);
	r.now += 300 * MS;
	t0 = r.now;
	advert(&r, 99, 100, "10.0.0.200");
	assert_true(r.a.flags & VRRP_ACT_SEND_ADVERT);
	r.now += 3 * MS;
	advert(&r, 98, 100, "10.0.0.201");
	assert_false(r.a.flags & VRRP_ACT_SEND_ADVERT);
	assert_int_equal(r.f.assert_due_us, t0 + 10 * MS);
	assert_int_equal(vrrp_fsm_next_due(&r.f), t0 + 10 * MS);
	fire(&r);
	assert_int_equal(r.now, t0 + 10 * MS);
	assert_true(r.a.flags & VRRP_ACT_SEND_ADVERT);
	assert_int_equal(r.f.assert_due_us, 0);
	assert_int_equal(r.f.adver_due_us, r.now + SEC);
	assert_int_equal(r.f.state, VRRP_STATE_MASTER);
}

static void test_master_prio_zero(void **state)
{
	struct rig r;

	(void)state;
	rig_init(&r, 3, 100, 100);
	start_master(&r);
	r.now += 700 * MS;
	advert(&r, 0, 100, "10.0.0.200");
	assert_int_equal(r.a.flags, VRRP_ACT_SEND_ADVERT | VRRP_ACT_ANNOUNCE);
	assert_int_equal(r.f.state, VRRP_STATE_MASTER);
	assert_int_equal(r.f.adver_due_us, r.now + SEC);
}

/* Equal priority: the greater primary address wins, compared as unsigned
 * bytes in network order (§6.4.3). */
static void tiebreak(const char *mine, const char *theirs, bool yield)
{
	struct rig r;

	rig_init(&r, 3, 100, 100);
	r.p.primary = addr(mine);
	start_master(&r);
	advert(&r, 100, 100, theirs);
	if (yield) {
		assert_transition(&r, VRRP_STATE_MASTER, VRRP_STATE_BACKUP,
				  VRRP_CAUSE_HIGHER_PRIO);
	} else {
		assert_true(r.a.flags & VRRP_ACT_SEND_ADVERT);
		assert_int_equal(r.f.state, VRRP_STATE_MASTER);
	}
}

static void test_tiebreak_ipv4(void **state)
{
	(void)state;
	tiebreak("10.0.0.2", "10.0.0.3", true);
	tiebreak("10.0.0.3", "10.0.0.2", false);
	/* network order, not host order: 10.0.1.0 > 10.0.0.255 */
	tiebreak("10.0.0.255", "10.0.1.0", true);
	tiebreak("10.0.1.0", "10.0.0.255", false);
	tiebreak("9.255.255.255", "10.0.0.1", true);
}

static void test_tiebreak_ipv6(void **state)
{
	(void)state;
	tiebreak("fe80::1", "fe80::2", true);
	tiebreak("fe80::2", "fe80::1", false);
	tiebreak("fe80::ff", "fe80::100", true);
	tiebreak("fe80::1:0", "fe80::ffff", false);
	tiebreak("fd00::1", "fe80::1", true);
}

static void test_master_priority_change(void **state)
{
	struct rig r;

	(void)state;
	rig_init(&r, 3, 100, 100);
	start_master(&r);
	r.now += 400 * MS;
	r.p.priority = 180;
	step(&r, VRRP_EV_PRIORITY);
	assert_int_equal(r.a.flags, VRRP_ACT_SEND_ADVERT);
	assert_int_equal(r.f.adver_due_us, r.now + SEC);
	assert_int_equal(r.f.state, VRRP_STATE_MASTER);
}

/* Adver_Timer keeps its cadence: a late wakeup does not shift later ones. */
static void test_master_cadence_no_drift(void **state)
{
	struct rig r;
	uint64_t base;

	(void)state;
	rig_init(&r, 3, 100, 10);
	start_master(&r);
	base = r.f.adver_due_us;
	for (unsigned i = 0; i < 5; i++) {
		r.now = base + i * 100 * MS + 3 * MS;  /* 3 ms late each time */
		step(&r, VRRP_EV_TIMER);
		assert_int_equal(r.a.flags, VRRP_ACT_SEND_ADVERT);
		assert_int_equal(r.f.adver_due_us, base + (i + 1) * 100 * MS);
	}
	/* Late by more than one interval (but not stalled): one advert, and
	 * the next a full interval later, not a burst. */
	r.now = r.f.adver_due_us + 150 * MS;
	step(&r, VRRP_EV_TIMER);
	assert_int_equal(r.a.flags, VRRP_ACT_SEND_ADVERT);
	assert_int_equal(r.f.adver_due_us, r.now + 100 * MS);
	/* Early call: nothing. */
	r.now += 10 * MS;
	step(&r, VRRP_EV_TIMER);
	assert_int_equal(r.a.flags, 0);
}

/* Issue 14 bug 4: lateness alone never moves a master. Late by any
 * amount, its timer sends one advert and keeps the cadence; the caller
 * reads waiting adverts first (vrrp_fsm_timer_decisive). */
static void test_master_stall(void **state)
{
	struct rig r;
	uint64_t due;

	(void)state;
	rig_init(&r, 3, 100, 100);
	start_master(&r);
	due = r.f.adver_due_us;
	r.now = due + SEC / 2;
	assert_false(vrrp_fsm_timer_decisive(&r.f, &r.p, r.now));
	r.now = due + 3 * SEC;          /* 4 s of silence: a backup may be master */
	assert_true(vrrp_fsm_timer_decisive(&r.f, &r.p, r.now));
	step(&r, VRRP_EV_TIMER);
	assert_int_equal(r.a.flags, VRRP_ACT_SEND_ADVERT);
	assert_int_equal(r.f.state, VRRP_STATE_MASTER);
	assert_int_equal(r.f.adver_due_us, r.now + SEC);
}

/* Back from a stall past the backups' down interval, a master that finds a
 * lower router advertising as master: with preempt it answers and
 * announces at once; with preempt = no it follows it ("stalled"). Before
 * that interval, a lower advert is an ordinary losing one. */
static void test_master_stall_finds_lower(void **state)
{
	struct rig r;
	uint64_t last;

	(void)state;
	rig_init(&r, 3, 200, 100);
	start_master(&r);
	last = r.now;
	r.now = last + 5 * SEC;
	advert(&r, 100, 100, "10.0.0.9");
	assert_int_equal(r.f.state, VRRP_STATE_MASTER);
	assert_int_equal(r.a.flags, VRRP_ACT_SEND_ADVERT | VRRP_ACT_ANNOUNCE);

	rig_init(&r, 3, 200, 100);
	r.p.preempt = false;
	start_master(&r);
	last = r.now;
	r.now = last + 3 * SEC;         /* under 3 s + 56/256 s: not stalled */
	advert(&r, 100, 100, "10.0.0.9");
	assert_int_equal(r.f.state, VRRP_STATE_MASTER);
	r.now += 5 * SEC;
	advert(&r, 100, 100, "10.0.0.9");
	assert_transition(&r, VRRP_STATE_MASTER, VRRP_STATE_BACKUP, VRRP_CAUSE_STALL);
	assert_int_equal(r.a.flags, VRRP_ACT_VIPS_DEL | VRRP_ACT_STATE);
	assert_int_equal(r.f.master_prio, 100);
	/* a better router is yielded to as usual, stalled or not */
	rig_init(&r, 3, 200, 100);
	r.p.preempt = false;
	start_master(&r);
	r.now += 5 * SEC;
	advert(&r, 220, 100, "10.0.0.9");
	assert_transition(&r, VRRP_STATE_MASTER, VRRP_STATE_BACKUP, VRRP_CAUSE_HIGHER_PRIO);
}

/* A backup woken more than an interval late (its own stall) listens one
 * interval more, once: the master's adverts waiting in the socket hold it;
 * without them it takes over then. */
static void test_backup_stall_listens(void **state)
{
	struct rig r;
	uint64_t due;

	(void)state;
	rig_init(&r, 3, 100, 100);
	start_backup(&r);
	due = r.f.down_due_us;
	r.now = due + SEC;
	step(&r, VRRP_EV_TIMER);
	assert_int_equal(r.a.flags, 0);
	assert_int_equal(r.f.state, VRRP_STATE_BACKUP);
	assert_int_equal(r.f.down_due_us, r.now + SEC);
	advert(&r, 150, 100, "10.0.0.9");       /* the queued advert */
	assert_int_equal(r.a.flags, 0);
	assert_int_equal(r.f.down_due_us, r.now + 3609375);

	/* Silence after the extra interval, or late again: take over. */
	r.now = r.f.down_due_us + SEC;
	step(&r, VRRP_EV_TIMER);
	assert_int_equal(r.a.flags, 0);
	r.now = r.f.down_due_us + 5 * SEC;
	step(&r, VRRP_EV_TIMER);
	assert_transition(&r, VRRP_STATE_BACKUP, VRRP_STATE_MASTER, VRRP_CAUSE_MASTER_DOWN);
}

/* A master hearing another router (lower, or priority 0) re-announces its
 * VIPs: at once for each router that advertises, up to 8 per down
 * interval (the takeover's own included); a steady run of adverts from
 * the router answered last adds one at the end of the interval. */
static void test_master_reannounces(void **state)
{
	struct rig r;
	uint64_t win;
	char src[32];

	(void)state;
	rig_init(&r, 3, 100, 100);
	start_master(&r);
	win = r.now + r.f.master_down_us;       /* becoming master announced */
	r.now += 300 * MS;
	advert(&r, 99, 100, "10.0.0.200");
	assert_int_equal(r.a.flags, VRRP_ACT_SEND_ADVERT | VRRP_ACT_ANNOUNCE);
	advert(&r, 99, 100, "10.0.0.200");      /* the same run: */
	assert_int_equal(r.a.flags, 0);         /* one answer per 10 ms, */
	assert_int_equal(r.f.announce_due_us, win);     /* one more at the end */
	r.now += 10 * MS;
	advert(&r, 99, 100, "10.0.0.200");
	assert_int_equal(r.a.flags, VRRP_ACT_SEND_ADVERT);
	/* other routers: at once, until the burst is used up */
	for (int i = 0; i < 6; i++) {
		r.now += 10 * MS;
		snprintf(src, sizeof(src), "10.0.0.%d", 210 + i);
		advert(&r, 99, 100, src);
		assert_true(r.a.flags & VRRP_ACT_ANNOUNCE);
	}
	r.now += 10 * MS;
	advert(&r, 99, 100, "10.0.0.230");
	assert_false(r.a.flags & VRRP_ACT_ANNOUNCE);
	assert_int_equal(r.f.announce_due_us, win);
	while (r.now < win) {
		fire(&r);
		assert_false(r.now < win && (r.a.flags & VRRP_ACT_ANNOUNCE));
	}
	assert_true(r.a.flags & VRRP_ACT_ANNOUNCE);
	assert_int_equal(r.f.announce_due_us, 0);

	r.now += 4 * SEC;       /* a new interval: at once */
	advert(&r, 0, 100, "10.0.0.201");
	assert_int_equal(r.a.flags, VRRP_ACT_SEND_ADVERT | VRRP_ACT_ANNOUNCE);
	assert_int_equal(r.f.state, VRRP_STATE_MASTER);
	assert_int_equal(r.f.announce_due_us, 0);
}

/* ---- fault, shutdown ------------------------------------------------------ */

static void test_fault_from_master(void **state)
{
	struct rig r;

	(void)state;
	rig_init(&r, 3, 100, 100);
	start_master(&r);
	step(&r, VRRP_EV_FAULT_SET);
	assert_transition(&r, VRRP_STATE_MASTER, VRRP_STATE_FAULT, VRRP_CAUSE_FAULT);
	assert_int_equal(r.a.flags, VRRP_ACT_SEND_PRIO0 | VRRP_ACT_VIPS_DEL | VRRP_ACT_STATE);
	assert_int_equal(vrrp_fsm_next_due(&r.f), 0);
	/* Adverts and timers do nothing in FAULT. */
	advert(&r, 50, 100, "10.0.0.9");
	assert_int_equal(r.a.flags, 0);
	step(&r, VRRP_EV_TIMER);
	assert_int_equal(r.a.flags, 0);
	step(&r, VRRP_EV_FAULT_SET);
	assert_int_equal(r.a.flags, 0);
}

static void test_fault_from_backup(void **state)
{
	struct rig r;

	(void)state;
	rig_init(&r, 3, 100, 100);
	r.p.preempt_delay_us = SEC;
	start_backup(&r);
	advert(&r, 50, 100, "10.0.0.9");
	step(&r, VRRP_EV_FAULT_SET);
	assert_transition(&r, VRRP_STATE_BACKUP, VRRP_STATE_FAULT, VRRP_CAUSE_FAULT);
	assert_int_equal(r.a.flags, VRRP_ACT_STATE);
	assert_int_equal(vrrp_fsm_next_due(&r.f), 0);
}

static void test_fault_clear(void **state)
{
	struct rig r;

	(void)state;
	rig_init(&r, 3, 100, 100);
	start_backup(&r);
	step(&r, VRRP_EV_FAULT_SET);
	r.now += 5 * SEC;
	step(&r, VRRP_EV_FAULT_CLEAR);
	assert_transition(&r, VRRP_STATE_FAULT, VRRP_STATE_BACKUP, VRRP_CAUSE_FAULT_CLEARED);
	assert_int_equal(r.a.flags, VRRP_ACT_STATE);
	assert_false(r.f.fault);
	assert_int_equal(r.f.down_due_us, r.now + 3609375);
	/* clear again: nothing */
	step(&r, VRRP_EV_FAULT_CLEAR);
	assert_int_equal(r.a.flags, 0);
}

static void test_fault_clear_owner(void **state)
{
	struct rig r;

	(void)state;
	rig_init(&r, 3, 255, 100);
	step(&r, VRRP_EV_STARTUP);
	step(&r, VRRP_EV_FAULT_SET);
	assert_int_equal(r.a.flags, VRRP_ACT_SEND_PRIO0 | VRRP_ACT_VIPS_DEL | VRRP_ACT_STATE);
	step(&r, VRRP_EV_FAULT_CLEAR);
	assert_transition(&r, VRRP_STATE_FAULT, VRRP_STATE_MASTER, VRRP_CAUSE_FAULT_CLEARED);
	assert_int_equal(r.a.flags, ACT_BECOME_MASTER);
}

/* exclusive (request = patroni: one member passes at a time): leaving
 * FAULT goes MASTER at once when no router advertised with a priority in
 * the last Active_Down_Interval and FAULT began at least one ago. */
static void test_fault_clear_exclusive(void **state)
{
	struct rig r;
	uint64_t down = vrrp_fsm_master_down_us(3, 100, 2);

	(void)state;
	rig_init(&r, 3, 100, 2);        /* 20 ms adverts: down 60 ms + skew */
	r.p.exclusive = true;
	start_master(&r);
	step(&r, VRRP_EV_FAULT_SET);
	advert(&r, 100, 2, "10.0.0.9"); /* the other member, master meanwhile */
	r.now += down / 2;
	advert(&r, 100, 2, "10.0.0.9");
	r.now += down - 1;              /* heard less than a down interval ago */
	step(&r, VRRP_EV_FAULT_CLEAR);
	assert_transition(&r, VRRP_STATE_FAULT, VRRP_STATE_BACKUP, VRRP_CAUSE_FAULT_CLEARED);
	assert_int_equal(r.a.flags, VRRP_ACT_STATE);

	step(&r, VRRP_EV_FAULT_SET);    /* again: it resigns (priority 0) */
	r.now += down / 2;
	advert(&r, 0, 2, "10.0.0.9");
	r.now += down / 2 + 1;          /* a resignation does not hold us */
	step(&r, VRRP_EV_FAULT_CLEAR);
	assert_transition(&r, VRRP_STATE_FAULT, VRRP_STATE_MASTER, VRRP_CAUSE_FAULT_CLEARED);
	assert_int_equal(r.a.flags, ACT_BECOME_MASTER);
	assert_int_equal(r.f.adver_due_us, r.now + 20 * MS);
}

/* Not before FAULT has lasted a down interval: a node that just started
 * (or just failed) may not have heard the master yet. Without exclusive,
 * always the usual way: Backup for a down interval. */
static void test_fault_clear_exclusive_early(void **state)
{
	struct rig r;
	uint64_t down = vrrp_fsm_master_down_us(3, 100, 2);

	(void)state;
	rig_init(&r, 3, 100, 2);
	r.p.exclusive = true;
	step(&r, VRRP_EV_FAULT_SET);
	step(&r, VRRP_EV_STARTUP);      /* INIT -> FAULT */
	assert_transition(&r, VRRP_STATE_INIT, VRRP_STATE_FAULT, VRRP_CAUSE_FAULT);
	r.now += down - 1;
	step(&r, VRRP_EV_FAULT_CLEAR);
	assert_transition(&r, VRRP_STATE_FAULT, VRRP_STATE_BACKUP, VRRP_CAUSE_FAULT_CLEARED);
	step(&r, VRRP_EV_FAULT_SET);
	r.now += down;
	step(&r, VRRP_EV_FAULT_CLEAR);
	assert_transition(&r, VRRP_STATE_FAULT, VRRP_STATE_MASTER, VRRP_CAUSE_FAULT_CLEARED);

	rig_init(&r, 3, 100, 2);        /* the default */
	start_backup(&r);
	step(&r, VRRP_EV_FAULT_SET);
	r.now += 10 * SEC;
	step(&r, VRRP_EV_FAULT_CLEAR);
	assert_transition(&r, VRRP_STATE_FAULT, VRRP_STATE_BACKUP, VRRP_CAUSE_FAULT_CLEARED);
}

static void test_fault_in_init(void **state)
{
	struct rig r;

	(void)state;
	rig_init(&r, 3, 100, 100);
	step(&r, VRRP_EV_FAULT_SET);
	step(&r, VRRP_EV_FAULT_CLEAR);
	assert_int_equal(r.a.flags, 0);
	assert_int_equal(r.f.state, VRRP_STATE_INIT);
	start_backup(&r);
}

static void test_shutdown(void **state)
{
	struct rig r;

	(void)state;
	rig_init(&r, 3, 100, 100);
	step(&r, VRRP_EV_SHUTDOWN);                     /* INIT: nothing */
	assert_int_equal(r.a.flags, 0);

	start_master(&r);
	step(&r, VRRP_EV_SHUTDOWN);
	assert_transition(&r, VRRP_STATE_MASTER, VRRP_STATE_INIT, VRRP_CAUSE_SHUTDOWN);
	assert_int_equal(r.a.flags, VRRP_ACT_SEND_PRIO0 | VRRP_ACT_VIPS_DEL | VRRP_ACT_STATE);
	assert_int_equal(vrrp_fsm_next_due(&r.f), 0);

	start_backup(&r);
	step(&r, VRRP_EV_SHUTDOWN);
	assert_transition(&r, VRRP_STATE_BACKUP, VRRP_STATE_INIT, VRRP_CAUSE_SHUTDOWN);
	assert_int_equal(r.a.flags, VRRP_ACT_STATE);
	assert_int_equal(vrrp_fsm_next_due(&r.f), 0);

	step(&r, VRRP_EV_FAULT_SET);
	step(&r, VRRP_EV_STARTUP);
	step(&r, VRRP_EV_SHUTDOWN);
	assert_transition(&r, VRRP_STATE_FAULT, VRRP_STATE_INIT, VRRP_CAUSE_SHUTDOWN);
	assert_int_equal(r.a.flags, VRRP_ACT_STATE);
	assert_true(r.f.fault);                 /* the fault outlives a restart */
}

/* Events that do not apply to the state change nothing. */
static void test_events_ignored(void **state)
{
	struct rig r;
	uint64_t due;

	(void)state;
	rig_init(&r, 3, 100, 100);
	advert(&r, 200, 100, "10.0.0.9");
	assert_int_equal(r.a.flags, 0);
	step(&r, VRRP_EV_TIMER);
	step(&r, VRRP_EV_GROUP_MASTER);
	assert_int_equal(r.a.flags, 0);
	assert_int_equal(r.f.state, VRRP_STATE_INIT);

	start_backup(&r);
	due = r.f.down_due_us;
	r.now += 10 * MS;
	step(&r, VRRP_EV_STARTUP);
	assert_int_equal(r.a.flags, 0);
	step(&r, VRRP_EV_GROUP_BACKUP);
	assert_int_equal(r.a.flags, 0);
	step(&r, VRRP_EV_FAULT_CLEAR);
	assert_int_equal(r.a.flags, 0);
	assert_int_equal(r.f.state, VRRP_STATE_BACKUP);
	assert_int_equal(r.f.down_due_us, due);
}

/* ---- sync-group events --------------------------------------------------- */

static void test_group_events(void **state)
{
	struct rig r;

	(void)state;
	rig_init(&r, 3, 100, 100);
	start_backup(&r);
	advert(&r, 200, 100, "10.0.0.9");
	step(&r, VRRP_EV_GROUP_MASTER);
	assert_transition(&r, VRRP_STATE_BACKUP, VRRP_STATE_MASTER, VRRP_CAUSE_GROUP);
	assert_int_equal(r.a.flags, ACT_BECOME_MASTER);
	step(&r, VRRP_EV_GROUP_MASTER);
	assert_int_equal(r.a.flags, 0);

	r.now += 100 * MS;
	step(&r, VRRP_EV_GROUP_BACKUP);
	assert_transition(&r, VRRP_STATE_MASTER, VRRP_STATE_BACKUP, VRRP_CAUSE_GROUP);
	/* one last advert: the group's winner answers this VRID too */
	assert_int_equal(r.a.flags, VRRP_ACT_SEND_ADVERT | VRRP_ACT_VIPS_DEL | VRRP_ACT_STATE);
	assert_int_equal(r.f.down_due_us, r.now + 3609375);
	assert_int_equal(r.f.adver_due_us, 0);

	step(&r, VRRP_EV_FAULT_SET);
	step(&r, VRRP_EV_GROUP_MASTER);
	assert_int_equal(r.a.flags, 0);
	step(&r, VRRP_EV_GROUP_BACKUP);
	assert_int_equal(r.a.flags, 0);
	assert_int_equal(r.f.state, VRRP_STATE_FAULT);
}

static void test_next_due(void **state)
{
	struct vrrp_fsm f;

	(void)state;
	vrrp_fsm_init(&f);
	assert_int_equal(vrrp_fsm_next_due(&f), 0);
	f.down_due_us = 500;
	assert_int_equal(vrrp_fsm_next_due(&f), 500);
	f.preempt_due_us = 300;
	assert_int_equal(vrrp_fsm_next_due(&f), 300);
	f.preempt_due_us = 700;
	assert_int_equal(vrrp_fsm_next_due(&f), 500);
	f.down_due_us = 0;
	assert_int_equal(vrrp_fsm_next_due(&f), 700);
	f.preempt_due_us = 0;
	f.adver_due_us = 900;
	assert_int_equal(vrrp_fsm_next_due(&f), 900);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(vrrp_state_name(VRRP_STATE_INIT), "INIT");
	assert_string_equal(vrrp_state_name(VRRP_STATE_BACKUP), "BACKUP");
	assert_string_equal(vrrp_state_name(VRRP_STATE_MASTER), "MASTER");
	assert_string_equal(vrrp_state_name(VRRP_STATE_FAULT), "FAULT");
	assert_string_equal(vrrp_cause_name(VRRP_CAUSE_STARTUP), "startup");
	assert_string_equal(vrrp_cause_name(VRRP_CAUSE_OWNER), "address owner");
	assert_string_equal(vrrp_cause_name(VRRP_CAUSE_MASTER_DOWN), "master down timer");
	assert_string_equal(vrrp_cause_name(VRRP_CAUSE_PRIO_ZERO),
			    "master resigned (priority 0)");
	assert_string_equal(vrrp_cause_name(VRRP_CAUSE_PREEMPT),
			    "preempting lower priority master");
	assert_string_equal(vrrp_cause_name(VRRP_CAUSE_HIGHER_PRIO), "higher priority advert");
	assert_string_equal(vrrp_cause_name(VRRP_CAUSE_FAULT), "fault");
	assert_string_equal(vrrp_cause_name(VRRP_CAUSE_FAULT_CLEARED), "fault cleared");
	assert_string_equal(vrrp_cause_name(VRRP_CAUSE_SHUTDOWN), "shutdown");
	assert_string_equal(vrrp_cause_name(VRRP_CAUSE_GROUP), "sync group");
	assert_string_equal(vrrp_cause_name(VRRP_CAUSE_STALL),
			    "stalled past master down interval");
	assert_string_equal(vrrp_cause_name((enum vrrp_cause)99), "?");
	assert_string_equal(vrrp_state_name((enum vrrp_state)99), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_skew_down_v3),
		cmocka_unit_test(test_skew_down_v2),
		cmocka_unit_test(test_startup_backup),
		cmocka_unit_test(test_startup_owner),
		cmocka_unit_test(test_startup_with_fault),
		cmocka_unit_test(test_backup_master_down),
		cmocka_unit_test(test_backup_learns_interval),
		cmocka_unit_test(test_v2_does_not_learn),
		cmocka_unit_test(test_backup_priority_recomputes),
		cmocka_unit_test(test_prio_zero_skew),
		cmocka_unit_test(test_prio_zero_then_master_returns),
		cmocka_unit_test(test_prio_zero_pair),
		cmocka_unit_test(test_backup_equal_priority_stays),
		cmocka_unit_test(test_preempt_at_once),
		cmocka_unit_test(test_preempt_staggered),
		cmocka_unit_test(test_preempt_cancelled_by_better_backup),
		cmocka_unit_test(test_no_preempt),
		cmocka_unit_test(test_preempt_delay),
		cmocka_unit_test(test_preempt_delay_cancelled),
		cmocka_unit_test(test_preempt_blocked),
		cmocka_unit_test(test_unproven_does_not_preempt),
		cmocka_unit_test(test_unproven_still_elected),
		cmocka_unit_test(test_preempt_delay_revalidated),
		cmocka_unit_test(test_fast_preemption),
		cmocka_unit_test(test_backup_priority_raise_preempts),
		cmocka_unit_test(test_backup_priority_raise_delayed),
		cmocka_unit_test(test_backup_priority_no_master_no_preempt),
		cmocka_unit_test(test_backup_ignores_transient_lower_master),
		cmocka_unit_test(test_backup_other_router_only_lengthens_interval),
		cmocka_unit_test(test_owner_always_preempts),
		cmocka_unit_test(test_master_yields_to_higher),
		cmocka_unit_test(test_master_answers_lower),
		cmocka_unit_test(test_master_answer_deferred),
		cmocka_unit_test(test_master_prio_zero),
		cmocka_unit_test(test_tiebreak_ipv4),
		cmocka_unit_test(test_tiebreak_ipv6),
		cmocka_unit_test(test_master_priority_change),
		cmocka_unit_test(test_master_cadence_no_drift),
		cmocka_unit_test(test_master_stall),
		cmocka_unit_test(test_master_stall_finds_lower),
		cmocka_unit_test(test_backup_stall_listens),
		cmocka_unit_test(test_master_reannounces),
		cmocka_unit_test(test_fault_from_master),
		cmocka_unit_test(test_fault_from_backup),
		cmocka_unit_test(test_fault_clear),
		cmocka_unit_test(test_fault_clear_owner),
		cmocka_unit_test(test_fault_clear_exclusive),
		cmocka_unit_test(test_fault_clear_exclusive_early),
		cmocka_unit_test(test_fault_in_init),
		cmocka_unit_test(test_shutdown),
		cmocka_unit_test(test_events_ignored),
		cmocka_unit_test(test_group_events),
		cmocka_unit_test(test_next_due),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
