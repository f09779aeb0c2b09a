/* vrrp_fsm.c: the VRRP state machine (RFC 9568 §6.4) and hafd's extensions:
 * fast preemption, pair mode, stall, fault and sync-group events.
 * Pure: no I/O, no clock; the caller passes the time. Item numbers refer to
 * docs/vrrp-checklist.md, sections 1.4-1.5. */
#include "vrrp_fsm.h"

#include <string.h>

#define US_PER_CS 10000u
#define ASSERT_GAP_US 10000u    /* the shortest advert interval (item 7) */
/* Announcements (GARP / NA bursts) a Master makes at once within one
 * Active_Down_Interval: its takeover's own, then answers to other routers
 * that advertised (they were masters too, and clients may have followed
 * them). More wait for the end of the window, so a flood costs little. */
#define ANNOUNCE_BURST 8u

/* ---- timer math (items 23-27) ---------------------------------------- */

uint64_t vrrp_fsm_skew_us(uint8_t version, uint8_t priority, uint16_t master_adver_int_cs)
{
	uint64_t room = 256u - priority;

	/* Item 26: v2 Skew_Time is (256 - Priority)/256 seconds. */
	if (version == 2)
		return room * 1000000u / 256u;
	/* Item 23, in microseconds; truncates like the integer RFC math
	 * (item 27: prio 100 at 1 s gives 609375 us). */
	return room * master_adver_int_cs * US_PER_CS / 256u;
}

uint64_t vrrp_fsm_master_down_us(uint8_t version, uint8_t priority,
				 uint16_t master_adver_int_cs)
{
	/* Item 24 (v3) and item 26 (v2, where the caller passes the local
	 * interval: v2 never learns). */
	return 3u * (uint64_t)master_adver_int_cs * US_PER_CS +
	       vrrp_fsm_skew_us(version, priority, master_adver_int_cs);
}

static uint64_t adver_int_us(const struct vrrp_params *p)
{
	return (uint64_t)p->adver_int_cs * US_PER_CS;
}

/* Item 25: Skew_Time and Active_Down_Interval follow the learned interval
 * and the local priority. v2 always uses the local interval (item 26). */
static void recompute(struct vrrp_fsm *f, const struct vrrp_params *p)
{
	if (p->version == 2 || !f->master_adver_int_cs)
		f->master_adver_int_cs = p->adver_int_cs;
	f->skew_us = vrrp_fsm_skew_us(p->version, p->priority, f->master_adver_int_cs);
	f->master_down_us = vrrp_fsm_master_down_us(p->version, p->priority,
						     f->master_adver_int_cs);
}

/* The owner always preempts (item 29). */
static bool may_preempt(const struct vrrp_params *p)
{
	return (p->preempt || p->priority == 255) && !p->preempt_blocked && !p->unproven;
}

/* ---- transitions ------------------------------------------------------ */

static void set_state(struct vrrp_fsm *f, enum vrrp_state to, enum vrrp_cause cause,
		      struct vrrp_actions *out)
{
	out->flags |= VRRP_ACT_STATE;
	out->from = f->state;
	out->to = to;
	out->cause = cause;
	f->state = to;
}

static void clear_timers(struct vrrp_fsm *f)
{
	f->down_due_us = 0;
	f->adver_due_us = 0;
	f->preempt_due_us = 0;
	f->announce_due_us = 0;
	f->assert_due_us = 0;
	f->down_prio_zero = false;
	f->down_late = false;
}

static void forget_master(struct vrrp_fsm *f)
{
	f->master_prio = 0;
	memset(&f->master_addr, 0, sizeof(f->master_addr));
}

/* Backup -> Active (§6.4.2 "Active_Down_Timer fires", and our extensions
 * that share its actions): advert, VIPs (GARP/NA follow in the glue). */
static void become_master(struct vrrp_fsm *f, const struct vrrp_params *p, uint64_t now,
			  enum vrrp_cause cause, struct vrrp_actions *out)
{
	out->flags |= VRRP_ACT_SEND_ADVERT | VRRP_ACT_VIPS_ADD;
	set_state(f, VRRP_STATE_MASTER, cause, out);
	clear_timers(f);
	forget_master(f);
	f->adver_due_us = now + adver_int_us(p);
	f->last_sent_us = now;
	/* VIPS_ADD announces: the first of this window's burst. */
	f->announce_win_us = now + f->master_down_us;
	f->announces = 1;
	memset(&f->announce_for, 0, sizeof(f->announce_for));
	f->announce_for_us = 0;
}

/* Enter Backup with no master known: Active_Adver_Interval restarts from
 * our own interval (§6.4.1) and the down timer runs a full interval. */
static void become_backup_alone(struct vrrp_fsm *f, const struct vrrp_params *p,
				uint64_t now, enum vrrp_cause cause,
				struct vrrp_actions *out)
{
	if (f->state == VRRP_STATE_MASTER)
		out->flags |= VRRP_ACT_VIPS_DEL;
	set_state(f, VRRP_STATE_BACKUP, cause, out);
	clear_timers(f);
	forget_master(f);
	f->master_adver_int_cs = p->adver_int_cs;
	recompute(f, p);
	f->down_due_us = now + f->master_down_us;
}

/* Startup and fault-cleared share §6.4.1: the owner goes Active at once,
 * the others wait a full Active_Down_Interval as Backup. */
static void start(struct vrrp_fsm *f, const struct vrrp_params *p, uint64_t now,
		  bool cleared, struct vrrp_actions *out)
{
	if (f->fault) {
		set_state(f, VRRP_STATE_FAULT, VRRP_CAUSE_FAULT, out);
		clear_timers(f);
		f->fault_heard_us = now;
		return;
	}
	if (p->priority == 255) {
		become_master(f, p, now, cleared ? VRRP_CAUSE_FAULT_CLEARED : VRRP_CAUSE_OWNER,
			      out);
		return;
	}
	/* An exclusive check (request = patroni) passes on one member at a
	 * time: waiting an Active_Down_Interval as Backup only delays the
	 * VIP. Not while another router still advertises (a former master
	 * whose check has not failed yet): then the usual way. */
	if (cleared && p->exclusive) {
		f->master_adver_int_cs = p->adver_int_cs;
		recompute(f, p);
		if (now >= f->fault_heard_us + f->master_down_us) {
			become_master(f, p, now, VRRP_CAUSE_FAULT_CLEARED, out);
			return;
		}
	}
	become_backup_alone(f, p, now,
			    cleared ? VRRP_CAUSE_FAULT_CLEARED : VRRP_CAUSE_STARTUP, out);
}

/* Leave for INIT or FAULT; an Active resigns with priority 0 (§6.4.3
 * Shutdown) so the backups take over after Skew_Time, not a full down time. */
static void leave(struct vrrp_fsm *f, enum vrrp_state to, enum vrrp_cause cause,
		  struct vrrp_actions *out)
{
	if (f->state == VRRP_STATE_MASTER)
		out->flags |= VRRP_ACT_SEND_PRIO0 | VRRP_ACT_VIPS_DEL;
	set_state(f, to, cause, out);
	clear_timers(f);
	forget_master(f);
}

/* An advert that holds us in Backup (§6.4.2, or an Active yielding per
 * §6.4.3): learn Active_Adver_Interval (v3 only, item 26), recompute
 * (item 25) and restart the down timer. */
static void hear_master(struct vrrp_fsm *f, const struct vrrp_params *p,
			const struct vrrp_event *ev, uint64_t now,
			struct vrrp_actions *out)
{
	bool other = f->master_prio && !addr_equal(&ev->adv_src, &f->master_addr);
	/* A worse router than the live one we follow: a transient master, or
	 * a master yielding with its last advert. Keep following ours, or its
	 * next advert would count as our master's and teach its interval. */
	bool transient = other && ev->adv_priority < f->master_prio &&
			 now < f->master_heard_us + f->master_down_us;

	if (p->version == 3 && ev->adv_interval_cs) {
		/* Item 22. An advert from a router other than the master we
		 * follow may come from a transient master (its down timer ran
		 * on a shorter interval): let it only lengthen ours, or such
		 * backups teach each other short intervals and take turns as
		 * master forever (tests/sim scenario "transient masters do not
		 * teach short intervals"). */
		if (!other || ev->adv_interval_cs > f->master_adver_int_cs)
			f->master_adver_int_cs = ev->adv_interval_cs;
		/* V11: v3 does not drop, but the glue logs the mismatch. */
		if (ev->adv_interval_cs != p->adver_int_cs)
			out->learned_interval_mismatch = true;
	}
	recompute(f, p);
	f->down_due_us = now + f->master_down_us;
	f->down_prio_zero = false;
	f->down_late = false;
	if (transient)
		return;
	f->master_prio = ev->adv_priority;
	f->master_addr = ev->adv_src;
	f->master_heard_us = now;
}

/* Fast preemption of a live lower-priority master (beyond the RFC, which
 * waits for the down timer, §6.4.2 "discard"): now, or after
 * preempt_delay, keeping an already pending, earlier deadline.
 *
 * stagger: the master's advert that tells us it got worse reached every
 * backup at once. With two or more backups above it, all would take over
 * together and announce, and clients that took a loser's announcement
 * would be lost until the winner announced again. So each waits its
 * Skew_Time as well (the best backup goes first, as on a priority-0
 * advert), and any advert at or above our priority in that window cancels
 * the preemption (backup_advert). `pair` says there is no other backup:
 * it keeps the one-packet-time takeover. */
static void preempt(struct vrrp_fsm *f, const struct vrrp_params *p, uint64_t now,
		    bool stagger, struct vrrp_actions *out)
{
	uint64_t delay = p->preempt_delay_us + (stagger && !p->pair ? f->skew_us : 0);

	if (!delay) {
		become_master(f, p, now, VRRP_CAUSE_PREEMPT, out);
		return;
	}
	if (!f->preempt_due_us)
		f->preempt_due_us = now + delay;
}

/* ---- per-state handlers ------------------------------------------------ */

static void backup_advert(struct vrrp_fsm *f, const struct vrrp_params *p,
			  const struct vrrp_event *ev, uint64_t now,
			  struct vrrp_actions *out)
{
	if (ev->adv_priority == 0) {
		/* The master resigned (V14 RcvdPriZero): Skew_Time, so the
		 * best backup goes first; the only backup needs no skew. */
		forget_master(f);
		if (p->pair) {
			become_master(f, p, now, VRRP_CAUSE_PRIO_ZERO, out);
			return;
		}
		f->down_due_us = now + f->skew_us;
		f->down_prio_zero = true;
		return;
	}
	/* Held by a better master, a lower advert from another router is a
	 * transient master that ours will answer (RFC 9568 §1.2 change 5):
	 * discard it as §6.4.2 does. Preempting it would add a third master
	 * (tests/sim scenario "a transient lower master does not pull in a
	 * held backup"). */
	if (ev->adv_priority < p->priority && may_preempt(p) &&
	    f->master_prio >= p->priority && !addr_equal(&ev->adv_src, &f->master_addr))
		return;
	hear_master(f, p, ev, now, out);
	/* Equal priority is accepted: contention is settled only by an
	 * Active (§6.4.3 tie-break). */
	if (ev->adv_priority >= p->priority || !may_preempt(p)) {
		f->preempt_due_us = 0;
		return;
	}
	preempt(f, p, now, true, out);
}

/* A delayed preemption fires only if it still holds: the master heard
 * last is still worse and nothing blocks us now. */
static bool preempt_still_wanted(const struct vrrp_fsm *f, const struct vrrp_params *p)
{
	return may_preempt(p) && f->master_prio && f->master_prio < p->priority;
}

static void backup_timer(struct vrrp_fsm *f, const struct vrrp_params *p, uint64_t now,
			 struct vrrp_actions *out)
{
	if (f->preempt_due_us && now >= f->preempt_due_us) {
		if (preempt_still_wanted(f, p)) {
			become_master(f, p, now, VRRP_CAUSE_PREEMPT, out);
			return;
		}
		f->preempt_due_us = 0;
	}
	if (f->down_due_us && now >= f->down_due_us) {
		uint64_t mi = (uint64_t)f->master_adver_int_cs * US_PER_CS;

		/* Woken more than an interval late: our own loop stalled
		 * (SIGSTOP, a starved CPU), and the master's adverts may wait
		 * unread, as timers run first. Listen one interval more, once
		 * per silence, rather than flash to Active and back. */
		if (!f->down_late && now >= f->down_due_us + mi) {
			f->down_late = true;
			f->down_due_us = now + mi;
			return;
		}
		become_master(f, p, now, f->down_prio_zero ? VRRP_CAUSE_PRIO_ZERO :
			      VRRP_CAUSE_MASTER_DOWN, out);
	}
}

static void backup_priority(struct vrrp_fsm *f, const struct vrrp_params *p,
			    uint64_t now, struct vrrp_actions *out)
{
	/* recompute() already ran in vrrp_fsm_step; down_due stays put. */
	/* Only we changed: no other backup races us, no stagger. */
	if (preempt_still_wanted(f, p))
		preempt(f, p, now, false, out);
	else
		f->preempt_due_us = 0;
}

/* Adverts from the router answered last that keep coming, each within two
 * intervals (its or ours, the shorter) of the one before: one run. A
 * router that took over again was a silent Backup in between, for at
 * least three of the intervals it learned from us. */
static bool same_run(const struct vrrp_fsm *f, const struct vrrp_params *p, uint64_t now,
		     const struct vrrp_event *ev)
{
	uint16_t cs = ev->adv_interval_cs && ev->adv_interval_cs < p->adver_int_cs ?
		      ev->adv_interval_cs : p->adver_int_cs;

	return addr_equal(&ev->adv_src, &f->announce_for) &&
	       now < f->announce_for_us + 2u * (uint64_t)cs * US_PER_CS;
}

/* Re-announce for the router whose advert ev is (NULL: a deferred one):
 * now while this Active_Down_Interval's burst allows, else at its end. A
 * run of adverts from the router answered last (a fast lower master that
 * does not hear us, a backlog read after a stall) must not use up the
 * burst: one announcement at the end of the window covers it, as that
 * router may have announced again meanwhile for a third one. A flood of
 * many addresses costs ANNOUNCE_BURST bursts per window at most. */
static void announce(struct vrrp_fsm *f, const struct vrrp_params *p, uint64_t now,
		     const struct vrrp_event *ev, struct vrrp_actions *out)
{
	if (now >= f->announce_win_us) {
		f->announce_win_us = now + f->master_down_us;
		f->announces = 0;
	}
	if (ev && same_run(f, p, now, ev)) {
		f->announce_for_us = now;
		f->announce_due_us = f->announce_win_us;
		return;
	}
	if (f->announces < ANNOUNCE_BURST) {
		out->flags |= VRRP_ACT_ANNOUNCE;
		f->announces++;
		f->announce_due_us = 0;
		if (ev) {
			f->announce_for = ev->adv_src;
			f->announce_for_us = now;
		}
	} else {
		f->announce_due_us = f->announce_win_us;
	}
}

/* The advert a Master sends at once on a losing one (RFC 9568 §1.2 change
 * 5) goes at most once per shortest advert interval, so a flood cannot
 * make it a reflector. One that falls in that gap is sent when it ends,
 * never dropped: the router it answers would stay a second master until
 * our next periodic advert (up to 40.95 s). */
static void assert_active(struct vrrp_fsm *f, const struct vrrp_params *p, uint64_t now,
			  struct vrrp_actions *out)
{
	if (now < f->assert_ok_us) {
		f->assert_due_us = f->assert_ok_us;
		return;
	}
	out->flags |= VRRP_ACT_SEND_ADVERT;
	f->adver_due_us = now + adver_int_us(p);
	f->last_sent_us = now;
	f->assert_ok_us = now + ASSERT_GAP_US;
	f->assert_due_us = 0;
}

/* Adver_Timer (§6.4.3). A late run sends one advert and keeps the
 * cadence; whether a peer took over while we were stalled is settled by
 * the adverts read before this timer (vrrp_fsm_timer_decisive) and
 * master_advert, not by guessing from the lateness. */
static void master_timer(struct vrrp_fsm *f, const struct vrrp_params *p, uint64_t now,
			 struct vrrp_actions *out)
{
	uint64_t ai = adver_int_us(p);

	if (f->announce_due_us && now >= f->announce_due_us)
		announce(f, p, now, NULL, out);
	if (f->assert_due_us && now >= f->assert_due_us)
		assert_active(f, p, now, out);
	if (!f->adver_due_us || now < f->adver_due_us)
		return;
	out->flags |= VRRP_ACT_SEND_ADVERT;
	f->last_sent_us = now;
	/* Keep the cadence (no drift), but after a late run do not burst. */
	f->adver_due_us += ai;
	if (f->adver_due_us <= now)
		f->adver_due_us = now + ai;
}

static bool advert_beats_us(const struct vrrp_params *p, const struct vrrp_event *ev)
{
	if (ev->adv_priority != p->priority)
		return ev->adv_priority > p->priority;
	/* §6.4.3 tie-break: unsigned compare in network byte order. */
	return addr_cmp(&ev->adv_src, &p->primary) > 0;
}

/* Stalled: silent for longer than our backups' Active_Down_Interval (their
 * priorities are at most ours, so their Skew_Time at least ours), so a
 * lower router that advertises as master now took over legitimately. */
static bool stalled(const struct vrrp_fsm *f, const struct vrrp_params *p, uint64_t now)
{
	return now >= f->last_sent_us +
		      vrrp_fsm_master_down_us(p->version, p->priority, p->adver_int_cs);
}

static void master_advert(struct vrrp_fsm *f, const struct vrrp_params *p,
			  const struct vrrp_event *ev, uint64_t now,
			  struct vrrp_actions *out)
{
	/* Back from a stall to find a lower router master in our place: with
	 * preempt we take over again (below: answer and re-announce at
	 * once); without it we keep the promise of preempt = no and follow
	 * it, as we would had we restarted. */
	if (ev->adv_priority && !advert_beats_us(p, ev) && !may_preempt(p) &&
	    stalled(f, p, now)) {
		out->flags |= VRRP_ACT_VIPS_DEL;
		set_state(f, VRRP_STATE_BACKUP, VRRP_CAUSE_STALL, out);
		clear_timers(f);
		hear_master(f, p, ev, now, out);
		return;
	}
	if (ev->adv_priority && advert_beats_us(p, ev)) {
		/* One last advert first: after a split heals, the winner may
		 * not have heard us; this one makes it re-announce the VIPs
		 * to the clients that followed ours (keepalived's
		 * higher_prio_send_advert). */
		out->flags |= VRRP_ACT_SEND_ADVERT | VRRP_ACT_VIPS_DEL;
		set_state(f, VRRP_STATE_BACKUP, VRRP_CAUSE_HIGHER_PRIO, out);
		clear_timers(f);
		hear_master(f, p, ev, now, out);
		return;
	}
	/* Priority 0: cover for the resigning router. A losing advert:
	 * assert Active at once (RFC 9568 §1.2 change 5). Either way that
	 * router was Active too: win its clients back. */
	assert_active(f, p, now, out);
	announce(f, p, now, ev, out);
}

static void on_fault_set(struct vrrp_fsm *f, uint64_t now, struct vrrp_actions *out)
{
	f->fault = true;
	if (f->state == VRRP_STATE_MASTER || f->state == VRRP_STATE_BACKUP) {
		leave(f, VRRP_STATE_FAULT, VRRP_CAUSE_FAULT, out);
		f->fault_heard_us = now;
	}
}

static void on_fault_clear(struct vrrp_fsm *f, const struct vrrp_params *p, uint64_t now,
			   struct vrrp_actions *out)
{
	f->fault = false;
	if (f->state == VRRP_STATE_FAULT)
		start(f, p, now, true, out);
}

static void step_backup(struct vrrp_fsm *f, const struct vrrp_params *p,
			const struct vrrp_event *ev, uint64_t now,
			struct vrrp_actions *out)
{
	switch (ev->type) {
	case VRRP_EV_ADVERT:
		backup_advert(f, p, ev, now, out);
		break;
	case VRRP_EV_TIMER:
		backup_timer(f, p, now, out);
		break;
	case VRRP_EV_PRIORITY:
		backup_priority(f, p, now, out);
		break;
	case VRRP_EV_GROUP_MASTER:
		become_master(f, p, now, VRRP_CAUSE_GROUP, out);
		break;
	default:
		break;
	}
}

static void step_master(struct vrrp_fsm *f, const struct vrrp_params *p,
			const struct vrrp_event *ev, uint64_t now,
			struct vrrp_actions *out)
{
	switch (ev->type) {
	case VRRP_EV_ADVERT:
		master_advert(f, p, ev, now, out);
		break;
	case VRRP_EV_TIMER:
		master_timer(f, p, now, out);
		break;
	case VRRP_EV_PRIORITY:
		/* Tell the backups the new priority now: with fast
		 * preemption a better one takes over within its Skew_Time. */
		out->flags |= VRRP_ACT_SEND_ADVERT;
		f->adver_due_us = now + adver_int_us(p);
		f->last_sent_us = now;
		break;
	case VRRP_EV_GROUP_BACKUP:
		/* A sibling lost; on our VRID nobody may have contested us
		 * yet. One last advert, as when we yield to a better one:
		 * the router that won the group's election answers and
		 * announces this VRID too, for the clients that followed us
		 * (a healed split), rather than at its next chance. Not
		 * priority 0: that would invite every backup to take over. */
		out->flags |= VRRP_ACT_SEND_ADVERT;
		become_backup_alone(f, p, now, VRRP_CAUSE_GROUP, out);
		break;
	default:
		break;
	}
}

/* ---- public ------------------------------------------------------------ */

void vrrp_fsm_init(struct vrrp_fsm *f)
{
	memset(f, 0, sizeof(*f));
	f->state = VRRP_STATE_INIT;
}

void vrrp_fsm_step(struct vrrp_fsm *f, const struct vrrp_params *p,
		   const struct vrrp_event *ev, uint64_t now_us, struct vrrp_actions *out)
{
	memset(out, 0, sizeof(*out));
	/* Priority or interval may have changed since the last event (item 25). */
	recompute(f, p);

	switch (ev->type) {
	case VRRP_EV_FAULT_SET:
		on_fault_set(f, now_us, out);
		return;
	case VRRP_EV_FAULT_CLEAR:
		on_fault_clear(f, p, now_us, out);
		return;
	case VRRP_EV_SHUTDOWN:
		if (f->state != VRRP_STATE_INIT)
			leave(f, VRRP_STATE_INIT, VRRP_CAUSE_SHUTDOWN, out);
		return;
	case VRRP_EV_STARTUP:
		if (f->state == VRRP_STATE_INIT)
			start(f, p, now_us, false, out);
		return;
	default:
		break;
	}
	if (f->state == VRRP_STATE_BACKUP)
		step_backup(f, p, ev, now_us, out);
	else if (f->state == VRRP_STATE_MASTER)
		step_master(f, p, ev, now_us, out);
	else if (f->state == VRRP_STATE_FAULT && ev->type == VRRP_EV_ADVERT && ev->adv_priority)
		f->fault_heard_us = now_us;     /* someone is master: see start() */
}

static uint64_t min_armed(uint64_t a, uint64_t b)
{
	if (!a)
		return b;
	if (!b)
		return a;
	return a < b ? a : b;
}

uint64_t vrrp_fsm_next_due(const struct vrrp_fsm *f)
{
	return min_armed(min_armed(min_armed(f->down_due_us, f->adver_due_us),
				   min_armed(f->preempt_due_us, f->announce_due_us)),
			 f->assert_due_us);
}

bool vrrp_fsm_timer_decisive(const struct vrrp_fsm *f, const struct vrrp_params *p,
			     uint64_t now)
{
	if (f->state == VRRP_STATE_BACKUP)
		return (f->down_due_us && now >= f->down_due_us) ||
		       (f->preempt_due_us && now >= f->preempt_due_us);
	if (f->state == VRRP_STATE_MASTER)
		return f->adver_due_us && now >= f->adver_due_us + adver_int_us(p);
	return false;
}

const char *vrrp_state_name(enum vrrp_state s)
{
	switch (s) {
	case VRRP_STATE_INIT:
		return "INIT";
	case VRRP_STATE_BACKUP:
		return "BACKUP";
	case VRRP_STATE_MASTER:
		return "MASTER";
	case VRRP_STATE_FAULT:
		return "FAULT";
	}
	return "?";
}

const char *vrrp_cause_name(enum vrrp_cause c)
{
	static const char *const names[] = {
		[VRRP_CAUSE_NONE] = "none",
		[VRRP_CAUSE_STARTUP] = "startup",
		[VRRP_CAUSE_OWNER] = "address owner",
		[VRRP_CAUSE_MASTER_DOWN] = "master down timer",
		[VRRP_CAUSE_PRIO_ZERO] = "master resigned (priority 0)",
		[VRRP_CAUSE_PREEMPT] = "preempting lower priority master",
		[VRRP_CAUSE_HIGHER_PRIO] = "higher priority advert",
		[VRRP_CAUSE_FAULT] = "fault",
		[VRRP_CAUSE_FAULT_CLEARED] = "fault cleared",
		[VRRP_CAUSE_SHUTDOWN] = "shutdown",
		[VRRP_CAUSE_GROUP] = "sync group",
		[VRRP_CAUSE_STALL] = "stalled past master down interval",
	};

	if ((unsigned)c >= sizeof(names) / sizeof(names[0]) || !names[c])
		return "?";
	return names[c];
}
