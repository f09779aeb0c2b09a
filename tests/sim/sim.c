/* sim.c: the in-process VRRP simulator (DESIGN.md, tests tier 2).
 *
 * 2..5 routers run the real state machine (vrrp_fsm.c) and sync-group rules
 * (vrrp_group.c) on a virtual clock. A simulated segment carries their
 * adverts with a fixed per-link delay (100..2000 us), loss windows and
 * partitions. Scripted scenarios and random seeds crash, restart, stop,
 * stall, fault and re-prioritise routers; the invariants below are checked
 * on the timeline. Prints TAP; a failure names the seed or scenario, the
 * broken invariant, the last trace lines and how to replay.
 *
 *   sim                  scripted scenarios + 1000 random seeds
 *   sim --seeds N        scripted scenarios + N random seeds (--first S)
 *   sim --seed S [-v]    one seed; -v prints its whole event trace
 *   sim --scenario N [-v]  one scripted scenario
 *
 * Invariants:
 *  I1 After each quiet period (no scripted event and no loss for
 *     2 x max master-down + max preempt_delay + margin): per VRID and per
 *     connected component of live routers, exactly one MASTER; faulted
 *     routers in FAULT, the others in BACKUP; the master is the best live
 *     non-faulted router by (priority, primary address), unless every
 *     better router is a BACKUP that may not preempt it (preempt=no, or
 *     equal priority: a Backup never preempts on the address tie-break).
 *  I2 No state change during the stable window that follows.
 *  I3 After a master crash with no loss: a new master within the winner's
 *     master-down interval plus one tick (max link delay + 1 ms); after a
 *     graceful stop or a fault: within its Skew_Time plus one tick (pair
 *     mode: one tick). And not too early: not before the master's last
 *     advert plus that master-down interval, or the stop plus Skew_Time.
 *  I4 Actions agree with the state: adverts only from a Master, priority 0
 *     only when leaving Master, VIPs held exactly while Master, STATE set
 *     exactly when the state changed, a Master yields only to a better
 *     advert, and a fired timer always moves on.
 *  I5 Sync groups: after every event, the members of a live router's group
 *     agree on being Master.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "addr.h"
#include "vrrp_fsm.h"
#include "vrrp_group.h"

#define MAX_R 5
#define MAX_V 2
#define MAX_Q 64                /* socket buffer of a frozen router, packets */
#define TRACE_N 64
#define TRACE_SHOW 50
#define PHASES 10
#define MAX_EVENTS 20000000u    /* per run: a livelock guard */
#define MS UINT64_C(1000)
#define SEC UINT64_C(1000000)
#define NCAUSES (VRRP_CAUSE_STALL + 1)

enum op {
	OP_START, OP_CRASH, OP_STOP, OP_PRIO, OP_FAULT, OP_CLEAR, OP_FREEZE, /* a router */
	OP_PART, OP_HEAL, OP_LOSS, OP_CHECK, OP_STABLE, OP_EXPECT, OP_SAW, OP_PHASE, OP_END,
};

static const char *const op_names[] = {
	"start", "crash", "stop", "priority", "fault", "clear-fault", "freeze",
	"partition", "heal", "loss", "check", "stable", "expect", "saw", "phase", "end",
};

struct op_args {
	uint8_t op;
	int8_t r;               /* router, -1 none */
	uint8_t v;              /* VRID index (fault) */
	bool timed;             /* arm the I3 takeover check */
	uint32_t a;             /* priority, partition mask, loss %, cause,
				 * state changes a scripted OP_STABLE allows */
	uint64_t dur_us;        /* loss, freeze */
};

struct pkt {
	uint8_t from, v, prio;
	uint16_t int_cs;
};

enum kind { K_DELIVER, K_TIMER, K_THAW, K_OP };

struct sev {
	uint64_t t, seq;
	uint8_t kind, r, v;
	uint64_t gen;
	struct pkt pkt;
	struct op_args op;
};

struct cfg {
	int n, nv;
	uint8_t version;
	bool group, pair;
	uint16_t ai_cs[MAX_R];
	uint8_t prio[MAX_R];
	bool nopreempt[MAX_R];
	uint32_t pd_ms[MAX_R];
	uint32_t delay_us[MAX_R][MAX_R];
};

struct inst {
	struct vrrp_fsm f;
	struct vrrp_params p;
	bool own_fault, vips;
	uint64_t timer_due, timer_gen;
	uint64_t last_sent;             /* last advert sent, for I3 */
};

struct router {
	struct inst in[MAX_V];
	bool up;
	int side;
	uint64_t frozen_until, freeze_gen;
	struct pkt q[MAX_Q];
	int nq;
	uint8_t loss[MAX_R];    /* per-link loss % while a loss window is open */
};

struct pending {                /* I3 */
	bool on;
	uint64_t t0, lo, bound;         /* takeover due in [lo, t0 + bound] */
	int who;
};

enum { TR_STATE, TR_SEND, TR_LOST, TR_OP, TR_FAIL };

struct trace_rec {
	uint64_t t;
	uint8_t kind;
	int8_t r;
	uint8_t v;
	uint32_t a, b, c;
};

struct sim {
	struct cfg c;
	struct router rt[MAX_R];
	struct hafd_addr addr[MAX_R];
	uint64_t now, seq, rng, nevents;
	struct sev *heap;
	size_t n, cap;
	uint64_t loss_until;
	struct pending pend[MAX_V];
	unsigned transitions, trans_at_check, checks, takeovers, phases_left;
	unsigned causes[NCAUSES];
	uint64_t ai_max_us, md_max_us, pd_max_us, tick_us, settle_us, stable_us;
	bool failed, done, verbose;
	char msg[256];
	struct trace_rec tr[TRACE_N];
	unsigned ntr;
};

/* ---- random numbers (splitmix64: seedable, fast, good enough) ----------- */

static uint64_t rng_next(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t rnd(struct sim *s, uint64_t n)
{
	return n ? rng_next(&s->rng) % n : 0;
}

/* ---- trace and failure ------------------------------------------------ */

static void trace_print(const struct trace_rec *t, const char *prefix)
{
	printf("%s%6" PRIu64 ".%06" PRIu64 " ", prefix, t->t / SEC, t->t % SEC);
	switch (t->kind) {
	case TR_STATE:
		printf("r%d/v%u %s -> %s (%s)\n", t->r, t->v, vrrp_state_name(t->a),
		       vrrp_state_name(t->b), vrrp_cause_name(t->c));
		break;
	case TR_SEND:
		printf("r%d/v%u advert prio %u\n", t->r, t->v, t->a);
		break;
	case TR_LOST:
		printf("r%d/v%u advert to r%u lost\n", t->r, t->v, t->a);
		break;
	case TR_OP:
		printf("op %s", op_names[t->a]);
		if (t->r >= 0)
			printf(" r%d/v%u", t->r, t->v);
		printf(" a=%u", t->b);
		if (t->c)
			printf(" for %ums", t->c);
		printf("\n");
		break;
	default:
		printf("FAIL\n");
		break;
	}
}

static void trace(struct sim *s, uint8_t kind, int r, int v, uint32_t a, uint32_t b,
		  uint32_t c)
{
	struct trace_rec *t = &s->tr[s->ntr++ % TRACE_N];

	*t = (struct trace_rec){ s->now, kind, (int8_t)r, (uint8_t)v, a, b, c };
	if (s->verbose)
		trace_print(t, "");
}

static void trace_dump(const struct sim *s)
{
	unsigned n = s->ntr < TRACE_SHOW ? s->ntr : TRACE_SHOW;

	printf("# last %u trace lines:\n", n);
	for (unsigned i = s->ntr - n; i < s->ntr; i++)
		trace_print(&s->tr[i % TRACE_N], "#   ");
}

static void fail(struct sim *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void fail(struct sim *s, const char *fmt, ...)
{
	va_list ap;
	int len;

	if (s->failed)
		return;
	s->failed = true;
	len = snprintf(s->msg, sizeof(s->msg), "at %" PRIu64 ".%06" PRIu64 ": ",
		       s->now / SEC, s->now % SEC);
	va_start(ap, fmt);
	vsnprintf(s->msg + len, sizeof(s->msg) - (size_t)len, fmt, ap);
	va_end(ap);
	if (s->verbose)
		printf("FAIL %s\n", s->msg);
}

/* ---- event queue: a binary heap ordered by (time, push order) ------------ */

static bool sev_before(const struct sev *a, const struct sev *b)
{
	return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

static void push(struct sim *s, struct sev e)
{
	size_t i;

	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 256;
		s->heap = realloc(s->heap, s->cap * sizeof(*s->heap));
		if (!s->heap) {
			perror("sim");
			exit(1);
		}
	}
	e.seq = s->seq++;
	for (i = s->n++; i > 0; i = (i - 1) / 2) {
		if (!sev_before(&e, &s->heap[(i - 1) / 2]))
			break;
		s->heap[i] = s->heap[(i - 1) / 2];
	}
	s->heap[i] = e;
}

static struct sev pop(struct sim *s)
{
	struct sev top = s->heap[0], last = s->heap[--s->n];
	size_t i = 0;

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= s->n)
			break;
		if (c + 1 < s->n && sev_before(&s->heap[c + 1], &s->heap[c]))
			c++;
		if (!sev_before(&s->heap[c], &last))
			break;
		s->heap[i] = s->heap[c];
		i = c;
	}
	if (s->n)
		s->heap[i] = last;
	return top;
}

static void push_op(struct sim *s, uint64_t t, struct op_args op)
{
	push(s, (struct sev){ .t = t, .kind = K_OP, .op = op });
}

/* ---- oracle timer math (item 23, 24, 26), written apart from the FSM ----- */

static uint64_t oracle_skew(uint8_t version, uint8_t prio, uint16_t ai_cs)
{
	if (version == 2)
		return (256u - prio) * SEC / 256u;
	return (256u - prio) * (uint64_t)ai_cs * 10000u / 256u;
}

static uint64_t oracle_down(uint8_t version, uint8_t prio, uint16_t ai_cs)
{
	return 3u * ai_cs * 10000ull + oracle_skew(version, prio, ai_cs);
}

/* ---- routers as the rules see them --------------------------------------- */

/* The sync group of instance v of router r (a group of one when not grouped). */
static size_t members(struct sim *s, int r, int v, struct vrrp_group_member *m, size_t *idx)
{
	struct router *rt = &s->rt[r];
	int lo = s->c.group ? 0 : v, hi = s->c.group ? s->c.nv : v + 1;
	size_t n = 0;

	for (int i = lo; i < hi; i++)
		m[n++] = (struct vrrp_group_member){ &rt->in[i].f, &rt->in[i].p,
						     rt->in[i].own_fault };
	*idx = (size_t)(v - lo);
	return n;
}

static bool eff_fault(struct sim *s, int r, int v)
{
	struct vrrp_group_member m[MAX_V];
	size_t idx, n = members(s, r, v, m, &idx);

	return vrrp_group_member_fault(m, n, idx);
}

static bool eligible(struct sim *s, int r, int v)
{
	return s->rt[r].up && !s->rt[r].frozen_until && !eff_fault(s, r, v);
}

/* Router a beats router b for VRID v: priority, then primary address. */
static bool beats(const struct sim *s, int a, int b, int v)
{
	uint8_t pa = s->rt[a].in[v].p.priority, pb = s->rt[b].in[v].p.priority;

	if (pa != pb)
		return pa > pb;
	return addr_cmp(&s->addr[a], &s->addr[b]) > 0;
}

/* Best eligible router of VRID v on side, except skip; -1 when none. */
static int best_router(struct sim *s, int v, int side, int skip)
{
	int best = -1;

	for (int r = 0; r < s->c.n; r++)
		if (r != skip && s->rt[r].side == side && eligible(s, r, v) &&
		    (best < 0 || beats(s, r, best, v)))
			best = r;
	return best;
}

/* ---- the segment ------------------------------------------------------------ */

static void send_advert(struct sim *s, int r, int v, uint8_t prio)
{
	struct pkt pk = { (uint8_t)r, (uint8_t)v, prio, s->rt[r].in[v].p.adver_int_cs };

	trace(s, TR_SEND, r, v, prio, 0, 0);
	s->rt[r].in[v].last_sent = s->now;
	for (int j = 0; j < s->c.n; j++) {
		if (j == r || s->rt[j].side != s->rt[r].side)
			continue;
		if (s->now < s->loss_until && rnd(s, 100) < s->rt[r].loss[j]) {
			trace(s, TR_LOST, r, v, (uint32_t)j, 0, 0);
			continue;
		}
		push(s, (struct sev){ .t = s->now + s->c.delay_us[r][j], .kind = K_DELIVER,
				      .r = (uint8_t)j, .pkt = pk });
	}
}

/* ---- feeding the FSM ------------------------------------------------------- */

static void feed(struct sim *s, int r, int v, const struct vrrp_event *ev);

static void resched(struct sim *s, int r, int v)
{
	struct inst *in = &s->rt[r].in[v];
	uint64_t due = vrrp_fsm_next_due(&in->f);

	if (due == in->timer_due)
		return;
	in->timer_due = due;
	in->timer_gen++;
	if (!due)
		return;
	if (due <= s->now)
		fail(s, "I4: r%d/v%d timer armed at %" PRIu64 ", not after now", r, v, due);
	push(s, (struct sev){ .t = due, .kind = K_TIMER, .r = (uint8_t)r, .v = (uint8_t)v,
			      .gen = in->timer_gen });
}

/* I4: the actions agree with the state. */
static void check_actions(struct sim *s, int r, int v, const struct vrrp_event *ev,
			  const struct vrrp_actions *a, enum vrrp_state before)
{
	struct inst *in = &s->rt[r].in[v];
	enum vrrp_state after = in->f.state;

	/* A Master yielding to a better advert sends one last advert. */
	if ((a->flags & VRRP_ACT_SEND_ADVERT) && after != VRRP_STATE_MASTER &&
	    !(before == VRRP_STATE_MASTER && a->cause == VRRP_CAUSE_HIGHER_PRIO))
		fail(s, "I4: r%d/v%d sent an advert as %s", r, v, vrrp_state_name(after));
	if ((a->flags & VRRP_ACT_SEND_PRIO0) &&
	    (before != VRRP_STATE_MASTER || after == VRRP_STATE_MASTER))
		fail(s, "I4: r%d/v%d sent priority 0 without leaving Master", r, v);
	if ((a->flags & VRRP_ACT_VIPS_ADD) && in->vips)
		fail(s, "I4: r%d/v%d added VIPs it holds", r, v);
	if ((a->flags & VRRP_ACT_VIPS_DEL) && !in->vips)
		fail(s, "I4: r%d/v%d removed VIPs it does not hold", r, v);
	in->vips = (in->vips || (a->flags & VRRP_ACT_VIPS_ADD)) &&
		   !(a->flags & VRRP_ACT_VIPS_DEL);
	if (in->vips != (after == VRRP_STATE_MASTER))
		fail(s, "I4: r%d/v%d is %s but %s the VIPs", r, v, vrrp_state_name(after),
		     in->vips ? "holds" : "does not hold");
	if (!!(a->flags & VRRP_ACT_STATE) != (before != after) ||
	    ((a->flags & VRRP_ACT_STATE) && (a->from != before || a->to != after)))
		fail(s, "I4: r%d/v%d STATE action does not match %s -> %s", r, v,
		     vrrp_state_name(before), vrrp_state_name(after));
	if ((a->flags & VRRP_ACT_STATE) && a->cause == VRRP_CAUSE_HIGHER_PRIO &&
	    (ev->type != VRRP_EV_ADVERT || ev->adv_priority < in->p.priority ||
	     (ev->adv_priority == in->p.priority && addr_cmp(&ev->adv_src, &s->addr[r]) <= 0)))
		fail(s, "I4: r%d/v%d yielded to an advert that does not beat it", r, v);
}

static void on_transition(struct sim *s, int r, int v, const struct vrrp_actions *a)
{
	struct pending *p = &s->pend[v];

	s->transitions++;
	if ((unsigned)a->cause < NCAUSES)
		s->causes[a->cause]++;
	trace(s, TR_STATE, r, v, a->from, a->to, a->cause);
	if (a->to != VRRP_STATE_MASTER || !p->on)
		return;
	p->on = false;
	s->takeovers++;
	if (s->now - p->t0 > p->bound)
		fail(s, "I3: r%d took over VRID %d %" PRIu64 " us after r%d left, bound %"
		     PRIu64 " us", r, v, s->now - p->t0, p->who, p->bound);
	if (s->now < p->lo)
		fail(s, "I3: r%d took over VRID %d %" PRIu64 " us too early", r, v, p->lo - s->now);
}

/* Sync groups: the siblings follow a member's own election. */
static void follow(struct sim *s, int r, int v, const struct vrrp_actions *a)
{
	enum vrrp_event_type type;

	for (int w = 0; w < s->c.nv; w++) {
		if (w == v || !vrrp_group_follow(a, s->rt[r].in[w].f.state, &type))
			continue;
		feed(s, r, w, &(struct vrrp_event){ .type = type });
	}
}

static void feed(struct sim *s, int r, int v, const struct vrrp_event *ev)
{
	struct inst *in = &s->rt[r].in[v];
	enum vrrp_state before = in->f.state;
	struct vrrp_actions a;

	if (s->c.group) {
		struct vrrp_group_member m[MAX_V];
		size_t idx, n = members(s, r, v, m, &idx);

		in->p.preempt_blocked = vrrp_group_preempt_blocked(m, n, idx);
	}
	vrrp_fsm_step(&in->f, &in->p, ev, s->now, &a);
	check_actions(s, r, v, ev, &a, before);
	if (a.flags & VRRP_ACT_SEND_ADVERT)
		send_advert(s, r, v, in->p.priority);
	if (a.flags & VRRP_ACT_SEND_PRIO0)
		send_advert(s, r, v, 0);
	if (a.flags & VRRP_ACT_STATE)
		on_transition(s, r, v, &a);
	resched(s, r, v);
	if (s->c.group && (a.flags & VRRP_ACT_STATE))
		follow(s, r, v, &a);
}

static void feed_type(struct sim *s, int r, int v, enum vrrp_event_type type)
{
	feed(s, r, v, &(struct vrrp_event){ .type = type });
}

/* Feed each member the fault event its effective fault calls for. */
static void apply_faults(struct sim *s, int r)
{
	for (int v = 0; v < s->c.nv; v++) {
		struct vrrp_group_member m[MAX_V];
		size_t idx, n = members(s, r, v, m, &idx);
		enum vrrp_event_type type;

		if (vrrp_group_fault_event(m, n, idx, &type))
			feed_type(s, r, v, type);
	}
}

static void deliver(struct sim *s, int r, const struct pkt *pk)
{
	struct router *rt = &s->rt[r];
	struct vrrp_event ev = {
		.type = VRRP_EV_ADVERT,
		.adv_priority = pk->prio,
		.adv_interval_cs = pk->int_cs,
		.adv_src = s->addr[pk->from],
	};

	if (!rt->up)
		return;
	if (rt->frozen_until) {
		if (rt->nq < MAX_Q)
			rt->q[rt->nq++] = *pk;
		return;
	}
	feed(s, r, pk->v, &ev);
}

static void fire_timer(struct sim *s, int r, int v)
{
	s->rt[r].in[v].timer_due = 0;   /* consumed: resched must arm anew */
	feed_type(s, r, v, VRRP_EV_TIMER);
}

/* End of a stall: the late timers fire at once, then the queued packets. */
static void thaw(struct sim *s, int r)
{
	struct router *rt = &s->rt[r];
	int nq = rt->nq;

	rt->frozen_until = 0;
	rt->nq = 0;
	for (int v = 0; v < s->c.nv; v++)
		if (rt->in[v].timer_due && rt->in[v].timer_due <= s->now)
			fire_timer(s, r, v);
	for (int i = 0; i < nq && rt->up; i++)
		deliver(s, r, &rt->q[i]);
}

/* ---- operations ------------------------------------------------------------- */

/* I3: the master of each VRID on r is leaving; a new one is due within the
 * best remaining router's master-down (crash) or skew (resign) plus a tick,
 * and not before the backups' timers can have run out: the last advert
 * plus master-down, or the resignation plus skew (pair: at once). */
static void arm_takeover(struct sim *s, int r, bool resign)
{
	for (int v = 0; v < s->c.nv; v++) {
		const struct inst *m = &s->rt[r].in[v];
		int w = best_router(s, v, s->rt[r].side, r);
		struct pending *p = &s->pend[v];
		uint16_t ai;
		uint8_t prio;

		if (m->f.state != VRRP_STATE_MASTER || w < 0)
			continue;
		/* v3 backups learned the master's interval; v2 uses its own. */
		ai = s->c.version == 3 ? m->p.adver_int_cs : s->rt[w].in[v].p.adver_int_cs;
		prio = s->rt[w].in[v].p.priority;
		*p = (struct pending){ true, s->now, s->now, 0, r };
		if (!resign) {
			p->bound = oracle_down(s->c.version, prio, ai);
			p->lo = m->last_sent + p->bound;
		} else if (!s->c.pair) {
			p->bound = oracle_skew(s->c.version, prio, ai);
			p->lo = s->now + p->bound;
		}
		p->bound += s->tick_us;
		/* A sibling may pull a member up before its own timer runs out. */
		if (s->c.group)
			p->lo = 0;
	}
}

static void crash(struct sim *s, int r)
{
	struct router *rt = &s->rt[r];

	rt->up = false;
	rt->frozen_until = 0;
	rt->nq = 0;
	for (int v = 0; v < s->c.nv; v++) {
		rt->in[v].timer_due = 0;
		rt->in[v].timer_gen++;
		rt->in[v].vips = false;
	}
}

static void op_start(struct sim *s, int r)
{
	struct router *rt = &s->rt[r];

	if (rt->up)
		return;
	rt->up = true;
	for (int v = 0; v < s->c.nv; v++) {
		vrrp_fsm_init(&rt->in[v].f);
		rt->in[v].vips = false;
	}
	apply_faults(s, r);
	for (int v = 0; v < s->c.nv; v++)
		if (rt->in[v].f.state == VRRP_STATE_INIT)
			feed_type(s, r, v, VRRP_EV_STARTUP);
}

static void op_stop(struct sim *s, const struct op_args *o)
{
	if (o->timed)
		arm_takeover(s, o->r, true);
	for (int v = 0; v < s->c.nv; v++)
		feed_type(s, o->r, v, VRRP_EV_SHUTDOWN);
	crash(s, o->r);
}

static void op_fault(struct sim *s, const struct op_args *o)
{
	if (o->timed)
		arm_takeover(s, o->r, true);
	s->rt[o->r].in[o->v].own_fault = o->op == OP_FAULT;
	apply_faults(s, o->r);
}

static void op_priority(struct sim *s, const struct op_args *o)
{
	for (int v = 0; v < s->c.nv; v++) {
		s->rt[o->r].in[v].p.priority = (uint8_t)o->a;
		feed_type(s, o->r, v, VRRP_EV_PRIORITY);
	}
}

static void op_loss(struct sim *s, const struct op_args *o)
{
	if (s->loss_until < s->now + o->dur_us)
		s->loss_until = s->now + o->dur_us;
	for (int i = 0; i < s->c.n; i++)
		for (int j = 0; j < s->c.n; j++)
			s->rt[i].loss[j] = (uint8_t)(o->a / 4 + rnd(s, o->a - o->a / 4 + 1));
}

static void op_freeze(struct sim *s, const struct op_args *o)
{
	struct router *rt = &s->rt[o->r];

	if (rt->frozen_until)
		return;
	rt->frozen_until = s->now + o->dur_us;
	push(s, (struct sev){ .t = rt->frozen_until, .kind = K_THAW, .r = (uint8_t)o->r,
			      .gen = ++rt->freeze_gen });
}

/* Ops on a live router: crash and start need no defer; the others wait
 * for the end of a stall, as a stalled daemon would. */
static bool router_op(struct sim *s, const struct op_args *o)
{
	struct router *rt = &s->rt[o->r];

	if (o->op == OP_START) {
		op_start(s, o->r);
		return true;
	}
	if (!rt->up) {
		/* Priority and health outlive the daemon, for its restart. */
		for (int v = 0; v < s->c.nv && o->op == OP_PRIO; v++)
			rt->in[v].p.priority = (uint8_t)o->a;
		if (o->op == OP_FAULT || o->op == OP_CLEAR)
			rt->in[o->v].own_fault = o->op == OP_FAULT;
		return true;
	}
	if (rt->frozen_until && o->op != OP_CRASH && o->op != OP_FREEZE) {
		push_op(s, rt->frozen_until, *o);
		return true;
	}
	switch (o->op) {
	case OP_CRASH:
		if (o->timed)
			arm_takeover(s, o->r, false);
		crash(s, o->r);
		return true;
	case OP_STOP:
		op_stop(s, o);
		return true;
	case OP_PRIO:
		op_priority(s, o);
		return true;
	case OP_FAULT:
	case OP_CLEAR:
		op_fault(s, o);
		return true;
	case OP_FREEZE:
		op_freeze(s, o);
		return true;
	}
	return false;
}

/* ---- checks ------------------------------------------------------------------ */

static bool may_preempt(const struct inst *in)
{
	return in->p.preempt || in->p.priority == 255;
}

/* I1 for one VRID on one side of the partition. */
static void check_side(struct sim *s, int v, int side, int expect)
{
	int master = -1, nm = 0, best = best_router(s, v, side, -1);

	for (int r = 0; r < s->c.n; r++) {
		enum vrrp_state st = s->rt[r].in[v].f.state;
		bool flt = eff_fault(s, r, v);

		if (!s->rt[r].up || s->rt[r].side != side)
			continue;
		if (flt != (st == VRRP_STATE_FAULT) || st == VRRP_STATE_INIT)
			fail(s, "I1: r%d/v%d is %s with fault %s", r, v, vrrp_state_name(st),
			     flt ? "set" : "clear");
		if (st == VRRP_STATE_MASTER) {
			nm++;
			master = r;
		}
	}
	if (best < 0 || s->failed)
		return;
	if (nm != 1) {
		fail(s, "I1: %d masters for VRID %d on side %d (r%d is best)", nm, v, side, best);
		return;
	}
	if (expect >= 0 && s->rt[expect].side == side && master != expect)
		fail(s, "expected r%d to be master of VRID %d, not r%d", expect, v, master);
	for (int b = 0; b < s->c.n && master != best; b++) {
		const struct inst *in = &s->rt[b].in[v];

		if (b == master || !eligible(s, b, v) || s->rt[b].side != side ||
		    !beats(s, b, master, v))
			continue;
		if (in->f.state == VRRP_STATE_BACKUP &&
		    (in->p.priority == s->rt[master].in[v].p.priority || !may_preempt(in)))
			continue;
		fail(s, "I1: r%d (prio %u) is master of VRID %d but r%d (prio %u) would preempt",
		     master, s->rt[master].in[v].p.priority, v, b, in->p.priority);
	}
}

/* I5: after every event, each live router's group agrees on Master. */
static void check_groups(struct sim *s)
{
	for (int r = 0; r < s->c.n && s->c.group; r++) {
		bool m0 = s->rt[r].in[0].f.state == VRRP_STATE_MASTER;

		for (int v = 1; v < s->c.nv; v++)
			if (s->rt[r].up && m0 != (s->rt[r].in[v].f.state == VRRP_STATE_MASTER))
				fail(s, "I5: r%d's sync group is split between MASTER and not", r);
	}
}

static void check_all(struct sim *s, int expect)
{
	s->checks++;
	for (int v = 0; v < s->c.nv; v++) {
		if (s->pend[v].on)
			fail(s, "I3: no new master of VRID %d after r%d left", v, s->pend[v].who);
		s->pend[v].on = false;
		check_side(s, v, 0, expect);
		check_side(s, v, 1, expect);
	}
	check_groups(s);
}

/* Scripted: r is Master of every VRID and no live, unstalled router beside it. */
static void expect_master(struct sim *s, int expect)
{
	for (int v = 0; v < s->c.nv; v++) {
		for (int r = 0; r < s->c.n; r++) {
			bool m = s->rt[r].up && !s->rt[r].frozen_until &&
				 s->rt[r].in[v].f.state == VRRP_STATE_MASTER;

			if (m != (r == expect))
				fail(s, "expected r%d alone to be master of VRID %d; r%d is %s", expect,
				     v, r, vrrp_state_name(s->rt[r].in[v].f.state));
		}
	}
}

static void check_deadlines(struct sim *s)
{
	for (int v = 0; v < s->c.nv; v++)
		if (s->pend[v].on && s->now > s->pend[v].t0 + s->pend[v].bound)
			fail(s, "I3: no new master of VRID %d within %" PRIu64 " us after r%d left",
			     v, s->pend[v].bound, s->pend[v].who);
}

/* ---- random phases -------------------------------------------------------------- */

static void phase(struct sim *s);

static void do_op(struct sim *s, const struct op_args *o)
{
	trace(s, TR_OP, o->r, o->v, o->op, o->a, (uint32_t)(o->dur_us / MS));
	if (o->r >= 0 && o->op < OP_PART && router_op(s, o))
		return;
	switch (o->op) {
	case OP_PART:
		for (int r = 0; r < s->c.n; r++)
			s->rt[r].side = (int)(o->a >> r) & 1;
		break;
	case OP_HEAL:
		for (int r = 0; r < s->c.n; r++)
			s->rt[r].side = 0;
		break;
	case OP_LOSS:
		op_loss(s, o);
		break;
	case OP_CHECK:
	case OP_STABLE:
		/* Scripted steps may allow a few transitions (a). */
		if (o->op == OP_STABLE && s->transitions - s->trans_at_check > o->a)
			fail(s, "I2: %u state changes during the quiet period",
			     s->transitions - s->trans_at_check);
		check_all(s, o->r);
		s->trans_at_check = s->transitions;
		break;
	case OP_EXPECT:
		expect_master(s, o->r);
		break;
	case OP_SAW:
		if (!s->causes[o->a])
			fail(s, "expected a transition caused by \"%s\"", vrrp_cause_name(o->a));
		break;
	case OP_PHASE:
		phase(s);
		break;
	case OP_END:
		s->done = true;
		break;
	}
}

static void dispatch(struct sim *s, const struct sev *e)
{
	struct router *rt = &s->rt[e->r];

	switch (e->kind) {
	case K_DELIVER:
		deliver(s, e->r, &e->pkt);
		break;
	case K_TIMER:
		if (rt->up && !rt->frozen_until && e->gen == rt->in[e->v].timer_gen)
			fire_timer(s, e->r, e->v);
		break;
	case K_THAW:
		if (rt->up && rt->frozen_until && e->gen == rt->freeze_gen)
			thaw(s, e->r);
		break;
	case K_OP:
		do_op(s, &e->op);
		break;
	}
}

static void run(struct sim *s)
{
	while (!s->failed && !s->done && s->n) {
		struct sev e = pop(s);

		s->now = e.t;
		check_deadlines(s);
		if (++s->nevents > MAX_EVENTS)
			fail(s, "event limit reached (livelock?)");
		if (!s->failed)
			dispatch(s, &e);
		check_groups(s);
	}
}

static struct op_args mkop(uint8_t op, int r)
{
	return (struct op_args){ .op = op, .r = (int8_t)r };
}

/* A clean crash or stop of the master of VRID 0, checked against I3. */
static bool clean_phase(struct sim *s, uint8_t op, uint64_t *end)
{
	for (int r = 0; r < s->c.n; r++) {
		struct op_args o = mkop(op, r);

		if (!s->rt[r].up || s->rt[r].in[0].f.state != VRRP_STATE_MASTER ||
		    best_router(s, 0, s->rt[r].side, r) < 0)
			continue;
		o.timed = true;
		*end = s->now + 1 + rnd(s, s->rt[r].in[0].p.adver_int_cs * 10000u);
		push_op(s, *end, o);
		return true;
	}
	return false;
}

static uint8_t random_priority(struct sim *s)
{
	static const uint8_t common[] = { 100, 100, 150, 200 };

	if (rnd(s, 20) == 0)
		return 255;
	if (rnd(s, 3) == 0)
		return common[rnd(s, 4)];
	return (uint8_t)(1 + rnd(s, 254));
}

static void random_op(struct sim *s, uint64_t t, uint64_t *end)
{
	int r = (int)rnd(s, (uint64_t)s->c.n);
	unsigned dice = (unsigned)rnd(s, 100);
	struct op_args o = mkop(OP_CRASH, r);

	if (dice < 15) {
		o.op = OP_CRASH;
	} else if (dice < 25) {
		o.op = OP_STOP;
	} else if (dice < 40) {
		o.op = OP_PRIO;
		o.a = random_priority(s);
	} else if (dice < 55) {
		o.v = (uint8_t)rnd(s, (uint64_t)s->c.nv);
		o.op = s->rt[r].in[o.v].own_fault ? OP_CLEAR : OP_FAULT;
	} else if (dice < 65) {
		o = mkop(OP_PART, -1);
		o.a = (uint32_t)(1 + rnd(s, (1u << s->c.n) - 2));
	} else if (dice < 75) {
		o = mkop(OP_HEAL, -1);
	} else if (dice < 88) {
		o = mkop(OP_LOSS, -1);
		o.a = (uint32_t)(10 + rnd(s, 91));
		o.dur_us = 1 + rnd(s, 2 * s->md_max_us);
	} else {
		o.op = OP_FREEZE;
		o.dur_us = 1 + rnd(s, 3 * s->md_max_us);
	}
	push_op(s, t, o);
	if (*end < t + o.dur_us)
		*end = t + o.dur_us;
}

/* Disturbances within a window, then a settle time and a stable window. */
static void chaos(struct sim *s, uint64_t *end)
{
	uint64_t win = rnd(s, 2 * s->md_max_us + 1);
	int k = 1 + (int)rnd(s, 4);

	*end = s->now;
	for (int r = 0; r < s->c.n; r++) {
		if (!s->rt[r].up && rnd(s, 10) < 6) {
			uint64_t t = s->now + rnd(s, win + 1);

			push_op(s, t, mkop(OP_START, r));
			if (*end < t)
				*end = t;
		}
	}
	for (int i = 0; i < k; i++)
		random_op(s, s->now + rnd(s, win + 1), end);
}

static void phase(struct sim *s)
{
	uint64_t end = s->now, dice = rnd(s, 10);

	if (!(dice < 4 && clean_phase(s, dice < 2 ? OP_CRASH : OP_STOP, &end)))
		chaos(s, &end);
	end += s->settle_us;
	push_op(s, end, mkop(OP_CHECK, -1));
	end += s->stable_us;
	push_op(s, end, mkop(OP_STABLE, -1));
	push_op(s, end + 1, mkop(--s->phases_left ? OP_PHASE : OP_END, -1));
}

/* ---- setting up a run ---------------------------------------------------------- */

static void sim_setup(struct sim *s, const struct cfg *c, bool verbose)
{
	struct sev *heap = s->heap;
	size_t cap = s->cap;
	uint64_t dmax = 0, pdmax = 0, aimax = 0;

	memset(s, 0, offsetof(struct sim, tr));
	s->heap = heap;
	s->cap = cap;
	s->c = *c;
	s->verbose = verbose;
	s->ntr = 0;
	for (int r = 0; r < c->n; r++) {
		uint8_t b[4] = { 10, 0, 0, (uint8_t)(r + 1) };

		addr_from_bytes(&s->addr[r], AF_INET, b);
		for (int v = 0; v < c->nv; v++) {
			struct inst *in = &s->rt[r].in[v];

			vrrp_fsm_init(&in->f);
			in->p = (struct vrrp_params){
				.version = c->version, .priority = c->prio[r],
				.adver_int_cs = c->ai_cs[r], .preempt = !c->nopreempt[r],
				.preempt_delay_us = c->pd_ms[r] * MS, .pair = c->pair,
				.primary = s->addr[r],
			};
		}
		for (int j = 0; j < c->n; j++)
			dmax = c->delay_us[r][j] > dmax ? c->delay_us[r][j] : dmax;
		pdmax = c->pd_ms[r] * MS > pdmax ? c->pd_ms[r] * MS : pdmax;
		aimax = c->ai_cs[r] * 10000ull > aimax ? c->ai_cs[r] * 10000ull : aimax;
	}
	s->ai_max_us = aimax;
	s->md_max_us = 4 * aimax;       /* 3 intervals + Skew_Time (< 1 interval) */
	s->pd_max_us = pdmax;
	s->tick_us = dmax + MS;
	s->settle_us = 2 * s->md_max_us + pdmax + 2 * aimax + 4 * s->tick_us;
	s->stable_us = s->md_max_us + 2 * aimax + 2 * s->tick_us;
}

static void random_delays(struct cfg *c, uint64_t *rng)
{
	for (int i = 0; i < MAX_R; i++)
		for (int j = 0; j < MAX_R; j++)
			c->delay_us[i][j] = (uint32_t)(100 + rng_next(rng) % 1901);
}

static void random_cfg(struct sim *s, struct cfg *c)
{
	static const uint16_t ais[] = { 1, 2, 5, 10, 20, 50, 100 };
	uint16_t base;
	bool mixed;

	memset(c, 0, sizeof(*c));
	c->n = 2 + (int)rnd(s, 4);
	c->group = rnd(s, 5) == 0;
	c->nv = c->group ? 2 : 1;
	c->version = rnd(s, 4) == 0 ? 2 : 3;
	c->pair = c->n == 2 && rnd(s, 2);
	base = c->version == 2 ? 100 : ais[rnd(s, 7)];
	mixed = c->version == 3 && rnd(s, 4) == 0;
	for (int r = 0; r < c->n; r++) {
		c->ai_cs[r] = mixed ? ais[rnd(s, 7)] : base;
		c->prio[r] = random_priority(s);
		c->nopreempt[r] = rnd(s, 5) == 0;
		if (rnd(s, 4) == 0)
			c->pd_ms[r] = (uint32_t)rnd(s, 30u * c->ai_cs[r] + 1);
	}
	random_delays(c, &s->rng);
}

static void print_cfg(const struct cfg *c, const char *prefix)
{
	printf("%sv%u n=%d vrids=%d%s%s:", prefix, c->version, c->n, c->nv,
	       c->group ? " grouped" : "", c->pair ? " pair" : "");
	for (int r = 0; r < c->n; r++)
		printf(" r%d(prio %u, %ucs%s, preempt_delay %ums)", r, c->prio[r], c->ai_cs[r],
		       c->nopreempt[r] ? ", nopreempt" : "", c->pd_ms[r]);
	printf("\n");
}

/* One random seed: staggered start, then PHASES random phases. */
static bool run_seed(struct sim *s, uint64_t seed, bool verbose)
{
	struct cfg c;
	uint64_t t = 0;

	s->rng = seed * 0x2545f4914f6cdd1dull + 1;
	random_cfg(s, &c);
	{
		uint64_t rng = s->rng;

		sim_setup(s, &c, verbose);
		s->rng = rng;
	}
	if (verbose)
		print_cfg(&c, "seed config: ");
	for (int r = 0; r < c.n; r++) {
		uint64_t at = rnd(s, s->ai_max_us);

		push_op(s, at, mkop(OP_START, r));
		t = at > t ? at : t;
	}
	s->phases_left = PHASES;
	t += s->settle_us;
	push_op(s, t, mkop(OP_CHECK, -1));
	t += s->stable_us;
	push_op(s, t, mkop(OP_STABLE, -1));
	push_op(s, t + 1, mkop(OP_PHASE, -1));
	run(s);
	return !s->failed;
}

/* ---- scripted scenarios ----------------------------------------------------- */

struct step {
	uint32_t at_ms;
	struct op_args op;
};

struct scenario {
	const char *name;
	int n, nv;
	uint8_t version;
	bool group, pair;
	uint16_t ai_cs;
	uint16_t ai[MAX_R];             /* per router, 0 = ai_cs */
	uint8_t prio[MAX_R];
	bool nopreempt[MAX_R];
	uint32_t pd_ms[MAX_R];
	uint32_t fast_us;               /* all links, else random */
	uint32_t slow_us;               /* links between slow_a and slow_b */
	int slow_a, slow_b;
	const struct step *steps;
};

#define AT(ms, o, rr, ...) { ms, { .op = o, .r = rr, __VA_ARGS__ } }
#define START_ALL(ms) AT(ms, OP_START, 0), AT(ms, OP_START, 1), AT(ms, OP_START, 2), \
	AT(ms, OP_START, 3), AT(ms, OP_START, 4)
#define END(ms) AT(ms, OP_END, -1)

#define SAW(ms, cause) AT(ms, OP_SAW, -1, .a = cause)

static const struct scenario scenarios[] = {
	{ "v3 1 s: election, master crash, return with fast preemption",
	  .n = 2, .ai_cs = 100, .prio = { 200, 100 },
	  .steps = (const struct step[]){
		START_ALL(0), AT(10000, OP_CHECK, 0), AT(15000, OP_STABLE, 0),
		AT(15300, OP_CRASH, 0, .timed = true), AT(22000, OP_CHECK, 1),
		AT(22000, OP_START, 0), AT(23100, OP_EXPECT, 0), AT(30000, OP_CHECK, 0),
		AT(35000, OP_STABLE, 0), SAW(35000, VRRP_CAUSE_MASTER_DOWN),
		SAW(35000, VRRP_CAUSE_PREEMPT), SAW(35000, VRRP_CAUSE_HIGHER_PRIO),
		END(35001) } },
	{ "graceful stop: the best backup takes over after its Skew_Time",
	  .n = 3, .ai_cs = 100, .prio = { 200, 150, 100 },
	  .steps = (const struct step[]){
		START_ALL(0), AT(10000, OP_CHECK, 0), AT(10500, OP_STOP, 0, .timed = true),
		AT(20000, OP_CHECK, 1), AT(25000, OP_STABLE, 1),
		SAW(25000, VRRP_CAUSE_PRIO_ZERO), END(25001) } },
	{ "pair mode: graceful stop hands over in one packet time",
	  .n = 2, .pair = true, .ai_cs = 100, .prio = { 200, 100 },
	  .steps = (const struct step[]){
		START_ALL(0), AT(10000, OP_CHECK, 0), AT(10500, OP_STOP, 0, .timed = true),
		AT(15000, OP_CHECK, 1), SAW(15000, VRRP_CAUSE_PRIO_ZERO),
		AT(15000, OP_START, 0), AT(25000, OP_CHECK, 0), AT(30000, OP_STABLE, 0),
		END(30001) } },
	{ "preempt=no: a better router arriving later stays backup",
	  .n = 2, .ai_cs = 100, .prio = { 200, 100 }, .nopreempt = { true },
	  .steps = (const struct step[]){
		AT(0, OP_START, 1), AT(6000, OP_CHECK, 1), AT(6000, OP_START, 0),
		AT(16000, OP_CHECK, 1), AT(21000, OP_STABLE, 1),
		AT(21300, OP_CRASH, 1, .timed = true), AT(30000, OP_CHECK, 0), END(30001) } },
	{ "preempt_delay: the better router waits out its delay",
	  .n = 2, .ai_cs = 100, .prio = { 200, 100 }, .pd_ms = { 3000 },
	  .steps = (const struct step[]){
		AT(0, OP_START, 1), AT(6000, OP_CHECK, 1), AT(6000, OP_START, 0),
		AT(8990, OP_EXPECT, 1), AT(10100, OP_CHECK, 0), AT(15000, OP_STABLE, 0),
		SAW(15000, VRRP_CAUSE_PREEMPT), END(15001) } },
	{ "fast preemption: the master's priority drops, a backup takes over at once",
	  .n = 3, .ai_cs = 100, .prio = { 200, 150, 100 },
	  .steps = (const struct step[]){
		START_ALL(0), AT(10000, OP_CHECK, 0), AT(10500, OP_PRIO, 0, .a = 50),
		AT(10520, OP_EXPECT, 1), AT(20000, OP_CHECK, 1), AT(25000, OP_STABLE, 1),
		SAW(25000, VRRP_CAUSE_PREEMPT), END(25001) } },
	{ "equal priorities started together: the highest address wins",
	  .n = 3, .ai_cs = 100, .prio = { 100, 100, 100 },
	  .steps = (const struct step[]){
		START_ALL(0), AT(10000, OP_CHECK, 2), AT(15000, OP_STABLE, 2), END(15001) } },
	{ "partition: one master per side; heal: the best",
	  .n = 4, .ai_cs = 100, .prio = { 200, 150, 100, 50 },
	  .steps = (const struct step[]){
		START_ALL(0), AT(10000, OP_CHECK, 0), AT(10000, OP_PART, -1, .a = 0x3),
		AT(20000, OP_CHECK, -1), AT(25000, OP_STABLE, -1), AT(25000, OP_HEAL, -1),
		AT(35000, OP_CHECK, 0), AT(40000, OP_STABLE, 0), END(40001) } },
	{ "loss window: 25-100% loss for 6 s at 100 ms, then convergence",
	  .n = 3, .ai_cs = 10, .prio = { 200, 150, 100 },
	  .steps = (const struct step[]){
		START_ALL(0), AT(3000, OP_CHECK, 0), AT(3000, OP_LOSS, -1, .a = 100,
							   .dur_us = 6 * SEC),
		AT(11000, OP_CHECK, 0), AT(13000, OP_STABLE, 0),
		SAW(13000, VRRP_CAUSE_HIGHER_PRIO), END(13001) } },
	{ "stalled master returns as backup, then preempts back",
	  .n = 2, .ai_cs = 100, .prio = { 200, 100 },
	  .steps = (const struct step[]){
		START_ALL(0), AT(10000, OP_CHECK, 0), AT(10000, OP_FREEZE, 0,
							  .dur_us = 6 * SEC),
		AT(15000, OP_EXPECT, 1), AT(25000, OP_CHECK, 0), AT(30000, OP_STABLE, 0),
		SAW(30000, VRRP_CAUSE_STALL), END(30001) } },
	{ "VRRPv2: crash cascade and restart",
	  .n = 3, .version = 2, .ai_cs = 100, .prio = { 150, 200, 100 },
	  .steps = (const struct step[]){
		START_ALL(0), AT(10000, OP_CHECK, 1), AT(10300, OP_CRASH, 1, .timed = true),
		AT(20000, OP_CHECK, 0), AT(20300, OP_CRASH, 0, .timed = true),
		AT(30000, OP_CHECK, 2), AT(30000, OP_START, 1), AT(30000, OP_START, 0),
		AT(40000, OP_CHECK, 1), AT(45000, OP_STABLE, 1), END(45001) } },
	{ "10 ms adverts, five routers: crash, stop, restart",
	  .n = 5, .ai_cs = 1, .prio = { 50, 100, 150, 200, 250 },
	  .steps = (const struct step[]){
		START_ALL(0), AT(1000, OP_CHECK, 4), AT(1000, OP_CRASH, 4, .timed = true),
		AT(1200, OP_CHECK, 3), AT(1200, OP_STOP, 3, .timed = true),
		AT(1400, OP_CHECK, 2), AT(1400, OP_START, 4), AT(1400, OP_START, 3),
		AT(1700, OP_CHECK, 4), AT(2000, OP_STABLE, 4), END(2001) } },
	{ "fault on the master moves the VIPs; clearing it moves them back",
	  .n = 2, .ai_cs = 100, .prio = { 200, 100 },
	  .steps = (const struct step[]){
		START_ALL(0), AT(10000, OP_CHECK, 0), AT(10500, OP_FAULT, 0, .timed = true),
		AT(15000, OP_CHECK, 1), AT(15000, OP_CLEAR, 0), AT(25000, OP_CHECK, 0),
		AT(30000, OP_STABLE, 0), SAW(30000, VRRP_CAUSE_FAULT),
		SAW(30000, VRRP_CAUSE_FAULT_CLEARED), END(30001) } },
	{ "sync group: one member's fault moves the whole group",
	  .n = 2, .nv = 2, .group = true, .ai_cs = 100, .prio = { 200, 100 },
	  .steps = (const struct step[]){
		START_ALL(0), AT(10000, OP_CHECK, 0),
		AT(10500, OP_FAULT, 0, .v = 1, .timed = true), AT(15000, OP_CHECK, 1),
		AT(15000, OP_CLEAR, 0, .v = 1), AT(25000, OP_CHECK, 0),
		AT(30000, OP_STABLE, 0), SAW(30000, VRRP_CAUSE_GROUP), END(30001) } },
	{ "sync group: three routers, crash, partition, heal",
	  .n = 3, .nv = 2, .group = true, .ai_cs = 20, .prio = { 200, 150, 100 },
	  .steps = (const struct step[]){
		START_ALL(0), AT(5000, OP_CHECK, 0), AT(5300, OP_CRASH, 0, .timed = true),
		AT(10000, OP_CHECK, 1), AT(10000, OP_PART, -1, .a = 0x2),
		AT(15000, OP_CHECK, -1), AT(15000, OP_HEAL, -1), AT(15000, OP_START, 0),
		AT(20000, OP_CHECK, 0), AT(25000, OP_STABLE, 0), END(25001) } },
	{ "address owner starts as master and takes over at once",
	  .n = 3, .ai_cs = 100, .prio = { 255, 200, 100 },
	  .steps = (const struct step[]){
		AT(0, OP_START, 1), AT(0, OP_START, 2), AT(10000, OP_CHECK, 1),
		AT(10000, OP_START, 0), AT(10010, OP_EXPECT, 0), AT(20000, OP_CHECK, 0),
		SAW(20000, VRRP_CAUSE_OWNER), END(20001) } },
	{ "learned interval: a 1 s master over 10 ms backups does not flap",
	  .n = 3, .ai_cs = 1, .ai = { 100 }, .prio = { 200, 100, 50 },
	  .steps = (const struct step[]){
		AT(0, OP_START, 1), AT(0, OP_START, 2), AT(1000, OP_CHECK, 1),
		AT(1000, OP_START, 0), AT(12000, OP_CHECK, 0), AT(20000, OP_STABLE, 0),
		END(20001) } },
	{ "preempt=no everywhere: the first master keeps it",
	  .n = 3, .ai_cs = 100, .prio = { 100, 150, 200 }, .nopreempt = { 1, 1, 1 },
	  .steps = (const struct step[]){
		AT(0, OP_START, 0), AT(5000, OP_CHECK, 0), AT(5000, OP_START, 1),
		AT(5000, OP_START, 2), AT(15000, OP_CHECK, 0), AT(20000, OP_STABLE, 0),
		END(20001) } },
	/* Found by a random seed: r0, held by the better r2, fast-preempted a
	 * transient lower master (r1) and fed r1 its short interval; r2's
	 * assertions kept resetting its own timer: a livelock. */
	{ "mixed intervals: a transient lower master does not pull in a held backup",
	  .n = 3, .ai = { 5, 50, 100 }, .prio = { 200, 100, 213 },
	  .steps = (const struct step[]){
		START_ALL(0), AT(10000, OP_CHECK, 2), AT(10000, OP_PART, -1, .a = 0x2),
		/* heal just before r1's next advert, so r0 hears it before r1
		 * hears r2 */
		AT(20000, OP_CHECK, -1), AT(20200, OP_HEAL, -1),
		AT(30000, OP_STABLE, 2, .a = 1),       /* only r1 steps down */
		AT(35000, OP_STABLE, 2), END(35001) } },
	/* Found by a random seed: backups with a short interval (one with preempt=no)
	 * took turns as transient masters, each teaching the other its short
	 * interval, while the master's answers kept resetting its own timer. */
	{ "mixed intervals: transient masters do not teach short intervals",
	  .n = 3, .ai = { 10, 1, 1 }, .prio = { 172, 111, 139 },
	  .nopreempt = { false, false, true }, .fast_us = 200,
	  .slow_us = 2000, .slow_a = 1, .slow_b = 2,
	  .steps = (const struct step[]){
		START_ALL(0), AT(1000, OP_CHECK, 0), AT(3000, OP_STABLE, 0),
		AT(3000, OP_PART, -1, .a = 0x2), AT(4000, OP_CHECK, -1), AT(4000, OP_HEAL, -1),
		AT(6000, OP_STABLE, 0, .a = 2), AT(10000, OP_STABLE, 0), END(10001) } },
	/* RFC 9568 §1.2 change 5: the master answers a losing advert at once,
	 * so a lower master met after a heal steps down within a packet time,
	 * not at the master's next (1 s) advert. */
	{ "heal: a 1 s master answers a lower 10 ms master at once",
	  .n = 2, .ai = { 100, 1 }, .prio = { 200, 100 },
	  .steps = (const struct step[]){
		START_ALL(0), AT(5000, OP_CHECK, 0), AT(5000, OP_PART, -1, .a = 0x1),
		AT(10000, OP_CHECK, -1), AT(10000, OP_HEAL, -1), AT(10030, OP_EXPECT, 0),
		AT(10030, OP_STABLE, 0, .a = 1), AT(20000, OP_STABLE, 0), END(20001) } },
	{ "priority raised on a backup: it preempts at once",
	  .n = 2, .ai_cs = 100, .prio = { 200, 100 },
	  .steps = (const struct step[]){
		START_ALL(0), AT(10000, OP_CHECK, 0), AT(10000, OP_PRIO, 1, .a = 250),
		AT(10010, OP_EXPECT, 1), AT(20000, OP_CHECK, 1), AT(25000, OP_STABLE, 1),
		SAW(25000, VRRP_CAUSE_PREEMPT), END(25001) } },
};

static bool run_scenario(struct sim *s, const struct scenario *sc, unsigned idx,
			 bool verbose)
{
	struct cfg c;
	uint64_t rng = 0x5eed0000u + idx;

	memset(&c, 0, sizeof(c));
	c.n = sc->n;
	c.nv = sc->nv ? sc->nv : 1;
	c.version = sc->version ? sc->version : 3;
	c.group = sc->group;
	c.pair = sc->pair;
	for (int r = 0; r < c.n; r++) {
		c.ai_cs[r] = sc->ai[r] ? sc->ai[r] : sc->ai_cs;
		c.prio[r] = sc->prio[r];
		c.nopreempt[r] = sc->nopreempt[r];
		c.pd_ms[r] = sc->pd_ms[r];
	}
	random_delays(&c, &rng);
	for (int i = 0; i < MAX_R && sc->fast_us; i++)
		for (int j = 0; j < MAX_R; j++)
			c.delay_us[i][j] = sc->fast_us;
	if (sc->slow_us) {
		c.delay_us[sc->slow_a][sc->slow_b] = sc->slow_us;
		c.delay_us[sc->slow_b][sc->slow_a] = sc->slow_us;
	}
	sim_setup(s, &c, verbose);
	s->rng = rng;
	for (const struct step *st = sc->steps; ; st++) {
		if (st->op.op == OP_START && st->op.r >= c.n)
			continue;
		push_op(s, st->at_ms * MS, st->op);
		if (st->op.op == OP_END)
			break;
	}
	run(s);
	if (!s->failed && !s->done)
		fail(s, "scenario ran out of events");
	return !s->failed;
}

/* ---- main ------------------------------------------------------------------ */

static void report_failure(const struct sim *s, const char *what, const char *replay)
{
	printf("# %s: %s\n", what, s->msg);
	print_cfg(&s->c, "# config: ");
	trace_dump(s);
	printf("# replay: %s\n", replay);
}

#define NSCENARIOS (sizeof(scenarios) / sizeof(scenarios[0]))

/* Scenarios [from, to), numbered from 1 as their TAP lines are. */
static void run_scenarios(struct sim *s, unsigned from, unsigned to, bool verbose)
{
	for (unsigned i = from; i < to; i++) {
		bool ok = run_scenario(s, &scenarios[i], i, verbose);
		char replay[64];

		printf("%s %u - scenario %u: %s\n", ok ? "ok" : "not ok", i + 1 - from, i + 1,
		       scenarios[i].name);
		if (!ok) {
			snprintf(replay, sizeof(replay), "tests/sim/sim --scenario %u -v", i + 1);
			report_failure(s, scenarios[i].name, replay);
		}
	}
}

static void run_seeds(struct sim *s, uint64_t first, uint64_t count, int test)
{
	unsigned causes[NCAUSES] = { 0 }, checks = 0, takeovers = 0, bad = 0;
	uint64_t bad_seed = 0;
	char replay[64];

	for (uint64_t seed = first; seed < first + count; seed++) {
		if (!run_seed(s, seed, false)) {
			if (!bad++) {
				bad_seed = seed;
				snprintf(replay, sizeof(replay), "tests/sim/sim --seed %" PRIu64 " -v",
					 seed);
				printf("# seed %" PRIu64 " failed\n", seed);
				report_failure(s, "violation", replay);
			}
			continue;
		}
		checks += s->checks;
		takeovers += s->takeovers;
		for (int i = 0; i < NCAUSES; i++)
			causes[i] += s->causes[i];
	}
	printf("# %u quiet-period checks, %u timed takeovers; transitions by cause:", checks,
	       takeovers);
	for (int i = 1; i < NCAUSES; i++)
		printf(" %s=%u", vrrp_cause_name(i), causes[i]);
	printf("\n");
	if (bad)
		printf("# %u of %" PRIu64 " seeds failed, first %" PRIu64 "\n", bad, count, bad_seed);
	printf("%s %d - %" PRIu64 " random seeds from %" PRIu64 "\n", bad ? "not ok" : "ok",
	       test, count, first);
}

static void usage(void)
{
	fprintf(stderr, "usage: sim [--seeds N] [--first S] [-v]\n"
			"       sim --seed S [-v]\n"
			"       sim --scenario N [-v]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static struct sim s;
	uint64_t seeds = 1000, first = 1, one = 0;
	unsigned scen = 0;
	bool verbose = false, single = false;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-v"))
			verbose = true;
		else if (!strcmp(argv[i], "--seeds") && i + 1 < argc)
			seeds = strtoull(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--first") && i + 1 < argc)
			first = strtoull(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			one = strtoull(argv[++i], NULL, 10), single = true;
		else if (!strcmp(argv[i], "--scenario") && i + 1 < argc)
			scen = (unsigned)strtoul(argv[++i], NULL, 10);
		else
			usage();
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (scen) {
		if (scen > NSCENARIOS)
			usage();
		printf("1..1\n");
		run_scenarios(&s, scen - 1, scen, verbose);
	} else if (single) {
		bool ok;

		printf("1..1\n");
		ok = run_seed(&s, one, verbose);
		if (!ok) {
			char replay[64];

			snprintf(replay, sizeof(replay), "tests/sim/sim --seed %" PRIu64 " -v", one);
			report_failure(&s, "violation", replay);
		}
		printf("%s 1 - seed %" PRIu64 "\n", ok ? "ok" : "not ok", one);
	} else {
		printf("1..%zu\n", NSCENARIOS + 1);
		run_scenarios(&s, 0, NSCENARIOS, verbose);
		run_seeds(&s, first, seeds, (int)NSCENARIOS + 1);
	}
	free(s.heap);
	return 0;
}
