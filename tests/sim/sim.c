/* sim.c: the in-process VRRP simulator (DESIGN.md, tests tier 2).
 *
 * 2..5 routers run the daemon's own per-instance code on a virtual clock:
 * vrrp_inst.c (the state machine, the sync-group rules and the order of
 * actions, exactly as hafd runs them) through an operations table whose
 * send, VIP, announce, arm and drain operations act on a simulated segment
 * instead of sockets and netlink. The segment carries adverts with a fixed
 * per-link delay (100..2000 us), loss windows and partitions; routers
 * speak IPv4 or IPv6, multicast or unicast with a unicast_src that sorts
 * differently from the interface address. Scripted scenarios and random seeds crash, restart, stop,
 * stall, fault and re-prioritise routers; the invariants below are checked
 * on the timeline. Prints TAP; a failure names the seed or scenario, the
 * broken invariant, the last trace lines and how to replay.
 *
 *   sim                  scripted scenarios + 10000 random seeds
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
 *  I6 One advert exchange: once a Master has heard another Master's advert
 *     (no loss, no stall, no priority change meanwhile), one of them is
 *     Backup within one exchange (10 ms answer gap + 2 link delays + 1 ms).
 *  I7 Announcements: the router that announced the VIPs last (GARP / NA,
 *     as clients on its side saw it) is the master: at every quiet-period
 *     check, and one link delay + 1 ms after a master yielded to a better
 *     one. A router resigns (priority 0) only after it stopped holding its
 *     VIPs.
 *  I8 Causes: every state change is one that the RFC or man hafd names,
 *     with its reason present: the down timer only after 3 intervals of
 *     silence, "priority 0" after a priority-0 advert, preemption only of
 *     a worse master, "stalled" only on a lower master's advert with
 *     preempt off, group moves only on group events.
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
#include "vrrp_inst.h"

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
	OP_PART, OP_HEAL, OP_LOSS, OP_CHECK, OP_STABLE, OP_EXPECT, OP_SAW, OP_NEVER,
	OP_PHASE, OP_END,
};

static const char *const op_names[] = {
	"start", "crash", "stop", "priority", "fault", "clear-fault", "freeze",
	"partition", "heal", "loss", "check", "stable", "expect", "saw", "never",
	"phase", "end",
};

/* How the routers address their adverts. */
enum fam { FAM_V4, FAM_V6, FAM_V4_UNICAST, FAM_V6_UNICAST, FAM_N };
static const char *const fam_names[] = { "ipv4", "ipv6", "ipv4 unicast", "ipv6 unicast" };

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
	struct hafd_addr src;   /* as the sender's advert carries it */
};

enum kind { K_DELIVER, K_TIMER, K_THAW, K_OP, K_DUAL, K_ANNOUNCED };

struct sev {
	uint64_t t, seq;
	uint8_t kind, r, v, r2;
	uint64_t gen, mark;
	struct pkt pkt;
	struct op_args op;
};

struct cfg {
	int n, nv;
	uint8_t version;
	uint8_t fam;
	bool group, pair;
	uint16_t ai_cs[MAX_R];
	uint8_t prio[MAX_R];
	bool nopreempt[MAX_R];
	uint32_t pd_ms[MAX_R];
	uint32_t delay_us[MAX_R][MAX_R];
};

struct inst {
	struct vrrp_inst vi;            /* the daemon's code; vi.owner is this */
	int r, v;
	enum vrrp_state st;             /* as the last STATE op said (I4) */
	bool own_fault;                 /* its health, which outlives a crash */
	bool vips;
	uint64_t timer_due, timer_gen;
	uint64_t last_sent;             /* last advert sent, for I3 */
	uint64_t heard_at;              /* last advert delivered (I8) */
	uint8_t heard_prio;             /* its priority */
	uint8_t heard_nonzero;          /* priority of the last non-zero one */
	uint64_t heard_from[MAX_R];     /* last advert from each router (I7) */
	uint64_t held_at;               /* last advert at or above our priority */
	uint16_t held_int_cs;           /* and its interval */
	uint16_t heard_int_cs;          /* and its interval */
};

struct router {
	struct inst in[MAX_V];
	bool up;
	int side;
	uint64_t frozen_until, freeze_gen, thawed_at;
	struct pkt q[MAX_Q];
	int nq;
	uint8_t loss[MAX_R];    /* per-link loss % while a loss window is open */
};

struct pending {                /* I3 */
	bool on;
	uint64_t t0, lo, bound;         /* takeover due in [lo, t0 + bound] */
	int who;
};

enum { TR_STATE, TR_SEND, TR_LOST, TR_OP, TR_ANN, TR_RECV, TR_FAIL };

struct trace_rec {
	uint64_t t;
	uint8_t kind;
	int8_t r;
	uint8_t v;
	uint32_t a, b, c;
};

struct announced {
	int r;                          /* -1: nobody yet */
	uint64_t t;
	bool gone;                      /* r crashed since: clients ask anew */
};

struct sim {
	struct cfg c;
	struct router rt[MAX_R];
	struct hafd_addr addr[MAX_R];   /* what each router's adverts carry */
	struct hafd_addr ifaddr[MAX_R]; /* its interface's address */
	struct announced ann[MAX_V][2]; /* last announcement per VRID and side (I7) */
	uint64_t topo_at, prio_at;      /* last partition / heal, priority change */
	unsigned vtrans[MAX_V];         /* state changes per VRID */
	uint64_t crowd_at[MAX_V];       /* three or more masters on a side */
	uint64_t left_master[MAX_R][MAX_V];     /* when each last left MASTER */
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
	case TR_ANN:
		printf("r%d/v%u announces its VIPs\n", t->r, t->v);
		break;
	case TR_RECV:
		printf("r%d/v%u hears r%u (prio %u)\n", t->r, t->v, t->a, t->b);
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

/* The oracle's view of faults, written apart from vrrp_inst.c: a member is
 * in fault when it or (sync group) any sibling is unhealthy. */
static bool eff_fault(struct sim *s, int r, int v)
{
	if (!s->c.group)
		return s->rt[r].in[v].own_fault;
	for (int w = 0; w < s->c.nv; w++)
		if (s->rt[r].in[w].own_fault)
			return true;
	return false;
}

static bool eligible(struct sim *s, int r, int v)
{
	return s->rt[r].up && !s->rt[r].frozen_until && !eff_fault(s, r, v);
}

static uint8_t prio_of(const struct sim *s, int r, int v)
{
	return s->rt[r].in[v].vi.params.priority;
}

static enum vrrp_state state_of(const struct sim *s, int r, int v)
{
	return s->rt[r].in[v].vi.fsm.state;
}

/* Router a beats router b for VRID v: priority, then the address its
 * adverts carry (§6.4.3; the oracle's, not the daemon's, idea of it). */
static bool beats(const struct sim *s, int a, int b, int v)
{
	uint8_t pa = prio_of(s, a, v), pb = prio_of(s, b, v);

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

static bool is_master(const struct sim *s, int r, int v)
{
	return s->rt[r].up && state_of(s, r, v) == VRRP_STATE_MASTER;
}

/* ---- the segment ------------------------------------------------------------ */

static void send_advert(struct sim *s, int r, int v, uint8_t prio)
{
	const struct vrrp_inst *vi = &s->rt[r].in[v].vi;
	/* The source is what the daemon's advert_build() puts there. */
	struct pkt pk = { (uint8_t)r, (uint8_t)v, prio, vi->params.adver_int_cs,
			  vi->params.primary };

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

/* I7: clients on r's side now follow r's announcement. */
static void announced(struct sim *s, int r, int v)
{
	s->ann[v][s->rt[r].side] = (struct announced){ r, s->now, false };
	trace(s, TR_ANN, r, v, 0, 0, 0);
}

/* Clients and topology: splitting a whole segment leaves each side's
 * clients with what they last saw; a heal joins both sides' clients, the
 * latest announcement winning. Moving routers between two sides that are
 * already split has no such picture (which clients went where?): the
 * clients' memory is then left out of I7 until the next announcement. */
static void announced_regroup(struct sim *s, bool heal, bool was_split)
{
	for (int v = 0; v < s->c.nv; v++) {
		struct announced *a = s->ann[v];

		if (heal && a[1].r >= 0 && (a[0].r < 0 || a[1].t > a[0].t))
			a[0] = a[1];
		if (!heal && was_split)
			a[0].gone = a[1].gone = true;
		a[1] = a[0];
	}
}

static bool split(const struct sim *s)
{
	for (int r = 0; r < s->c.n; r++)
		if (s->rt[r].side)
			return true;
	return false;
}

/* ---- the daemon's code, driven through its operations -------------------- */

static struct sim *S;   /* the run the operations act on */

static struct inst *inst_of(struct vrrp_inst *vi)
{
	return vi->owner;
}

static bool may_preempt(const struct inst *in)
{
	return in->vi.params.preempt || in->vi.params.priority == 255;
}

static void op_send(struct vrrp_inst *vi, uint8_t prio)
{
	struct inst *in = inst_of(vi);
	const struct vrrp_actions *a = vi->acts;
	bool leaving = in->st == VRRP_STATE_MASTER && vi->fsm.state != VRRP_STATE_MASTER;

	/* I4: adverts only from a Master; a Master that yields sends one
	 * last advert; priority 0 only when leaving Master. */
	if (prio && vi->fsm.state != VRRP_STATE_MASTER &&
	    !(leaving && (a->cause == VRRP_CAUSE_HIGHER_PRIO || a->cause == VRRP_CAUSE_STALL ||
			  a->cause == VRRP_CAUSE_GROUP)))
		fail(S, "I4: r%d/v%d sent an advert as %s", in->r, in->v,
		     vrrp_state_name(vi->fsm.state));
	if (!prio && !leaving)
		fail(S, "I4: r%d/v%d sent priority 0 without leaving Master", in->r, in->v);
	/* I7: never resign while holding the VIPs: a pair's backup takes
	 * over on that very packet. */
	if (!prio && in->vips)
		fail(S, "I7: r%d/v%d resigned while still holding its VIPs", in->r, in->v);
	send_advert(S, in->r, in->v, prio);
}

static void op_vips_add(struct vrrp_inst *vi)
{
	struct inst *in = inst_of(vi);

	if (in->vips)
		fail(S, "I4: r%d/v%d added VIPs it holds", in->r, in->v);
	in->vips = true;
	announced(S, in->r, in->v);
}

static void op_vips_del(struct vrrp_inst *vi)
{
	struct inst *in = inst_of(vi);

	if (!in->vips)
		fail(S, "I4: r%d/v%d removed VIPs it does not hold", in->r, in->v);
	in->vips = false;
}

static void op_announce(struct vrrp_inst *vi)
{
	struct inst *in = inst_of(vi);

	if (!in->vips || vi->fsm.state != VRRP_STATE_MASTER)
		fail(S, "I4: r%d/v%d announced VIPs it does not hold", in->r, in->v);
	announced(S, in->r, in->v);
}

/* I8: the transition is one the RFC or man hafd names, in the state it
 * leaves and for the event that caused it. */
static const char *cause_wrong(const struct inst *in, const struct vrrp_actions *a,
			       const struct vrrp_event *ev)
{
	enum vrrp_state f = a->from, t = a->to;
	const struct vrrp_params *p = &in->vi.params;
	uint64_t silence = 3ull * in->held_int_cs * 10000u;

	switch (a->cause) {
	case VRRP_CAUSE_STARTUP:
		return f == VRRP_STATE_INIT && t == VRRP_STATE_BACKUP &&
		       ev->type == VRRP_EV_STARTUP ? NULL : "startup";
	case VRRP_CAUSE_OWNER:
		return f == VRRP_STATE_INIT && t == VRRP_STATE_MASTER && p->priority == 255 ?
		       NULL : "owner";
	case VRRP_CAUSE_MASTER_DOWN:
		if (f != VRRP_STATE_BACKUP || t != VRRP_STATE_MASTER || ev->type != VRRP_EV_TIMER)
			return "master down: not a Backup's timer";
		return in->held_at && S->now < in->held_at + silence ?
		       "master down within 3 intervals of an advert that holds it" : NULL;
	case VRRP_CAUSE_PRIO_ZERO:
		return f == VRRP_STATE_BACKUP && t == VRRP_STATE_MASTER && in->heard_at &&
		       in->heard_prio == 0 ? NULL : "priority 0 without a priority-0 advert";
	case VRRP_CAUSE_PREEMPT:
		return f == VRRP_STATE_BACKUP && t == VRRP_STATE_MASTER && may_preempt(in) &&
		       in->heard_nonzero && in->heard_nonzero < p->priority ?
		       NULL : "preempted a master that is not worse";
	case VRRP_CAUSE_HIGHER_PRIO:
		return f == VRRP_STATE_MASTER && t == VRRP_STATE_BACKUP &&
		       ev->type == VRRP_EV_ADVERT ? NULL : "higher priority without an advert";
	case VRRP_CAUSE_STALL:
		return f == VRRP_STATE_MASTER && t == VRRP_STATE_BACKUP &&
		       ev->type == VRRP_EV_ADVERT && ev->adv_priority &&
		       ev->adv_priority <= p->priority && !may_preempt(in) ?
		       NULL : "stalled without a lower master heard, or with preempt";
	case VRRP_CAUSE_FAULT:
		return t == VRRP_STATE_FAULT && (ev->type == VRRP_EV_FAULT_SET ||
						 ev->type == VRRP_EV_STARTUP) ? NULL : "fault";
	case VRRP_CAUSE_FAULT_CLEARED:
		return f == VRRP_STATE_FAULT && ev->type == VRRP_EV_FAULT_CLEAR ?
		       NULL : "fault cleared";
	case VRRP_CAUSE_SHUTDOWN:
		return t == VRRP_STATE_INIT && ev->type == VRRP_EV_SHUTDOWN ? NULL : "shutdown";
	case VRRP_CAUSE_GROUP:
		return (ev->type == VRRP_EV_GROUP_MASTER && t == VRRP_STATE_MASTER) ||
		       (ev->type == VRRP_EV_GROUP_BACKUP && t == VRRP_STATE_BACKUP) ?
		       NULL : "group move without a group event";
	default:
		return "unknown cause";
	}
}

static void on_transition(struct sim *s, int r, int v, const struct vrrp_actions *a);

static void op_state(struct vrrp_inst *vi, const struct vrrp_actions *a)
{
	struct inst *in = inst_of(vi);
	const struct vrrp_event *ev = vi->ev;
	const char *why;

	if (a->from != in->st || a->to != vi->fsm.state)
		fail(S, "I4: r%d/v%d STATE action %s -> %s, but it was %s and is %s", in->r,
		     in->v, vrrp_state_name(a->from), vrrp_state_name(a->to),
		     vrrp_state_name(in->st), vrrp_state_name(vi->fsm.state));
	if (a->cause == VRRP_CAUSE_HIGHER_PRIO &&
	    (ev->type != VRRP_EV_ADVERT || ev->adv_priority < vi->params.priority ||
	     (ev->adv_priority == vi->params.priority &&
	      addr_cmp(&ev->adv_src, &S->addr[in->r]) <= 0)))
		fail(S, "I4: r%d/v%d yielded to an advert that does not beat it", in->r, in->v);
	why = cause_wrong(in, a, ev);
	if (why)
		fail(S, "I8: r%d/v%d %s -> %s (%s): %s", in->r, in->v, vrrp_state_name(a->from),
		     vrrp_state_name(a->to), vrrp_cause_name(a->cause), why);
	in->st = a->to;
	if (a->to == VRRP_STATE_BACKUP)
		in->held_at = 0;        /* a new Backup listens from now on */
	on_transition(S, in->r, in->v, a);
}

static void op_arm(struct vrrp_inst *vi, uint64_t due)
{
	struct inst *in = inst_of(vi);

	bool late = in->timer_due && in->timer_due <= S->now;

	in->timer_due = due;
	in->timer_gen++;
	if (!due)
		return;
	/* A late timer not yet fired (a sibling's, after a stall) may be
	 * re-armed in the past by an advert read before it (op_drain): it
	 * fires now, as the daemon's loop would. */
	if (late && due <= S->now)
		due = S->now;
	else if (due <= S->now)
		fail(S, "I4: r%d/v%d timer armed at %" PRIu64 ", not after now", in->r, in->v, due);
	push(S, (struct sev){ .t = due, .kind = K_TIMER, .r = (uint8_t)in->r,
			      .v = (uint8_t)in->v, .gen = in->timer_gen });
}

static void deliver(struct sim *s, int r, const struct pkt *pk);

/* The socket is shared by the router's instances: reading it delivers
 * what waits for any of them. */
static void op_drain(struct vrrp_inst *vi)
{
	struct router *rt = &S->rt[inst_of(vi)->r];
	int nq = rt->nq;
	struct pkt q[MAX_Q];

	if (rt->frozen_until || !nq)
		return;
	memcpy(q, rt->q, sizeof(q[0]) * (size_t)nq);
	rt->nq = 0;
	for (int i = 0; i < nq && rt->up; i++)
		deliver(S, inst_of(vi)->r, &q[i]);
}

static const struct vrrp_inst_ops sim_ops = {
	.send = op_send, .vips_add = op_vips_add, .vips_del = op_vips_del,
	.announce = op_announce, .state = op_state, .arm = op_arm, .drain = op_drain,
};

/* ---- what happens to a router ---------------------------------------------- */

static void on_transition(struct sim *s, int r, int v, const struct vrrp_actions *a)
{
	struct pending *p = &s->pend[v];

	s->transitions++;
	s->vtrans[v]++;
	if ((unsigned)a->cause < NCAUSES)
		s->causes[a->cause]++;
	trace(s, TR_STATE, r, v, a->from, a->to, a->cause);
	/* I7: a master yielded to a better one: by one link delay later the
	 * winner has answered what the loser announced. */
	if (a->cause == VRRP_CAUSE_HIGHER_PRIO)
		push(s, (struct sev){ .t = s->now + s->tick_us, .kind = K_ANNOUNCED,
				      .r = (uint8_t)r, .v = (uint8_t)v, .mark = s->now,
				      .gen = s->vtrans[v] });
	if (a->from == VRRP_STATE_MASTER)
		s->left_master[r][v] = s->now;
	if (a->to == VRRP_STATE_MASTER || a->from == VRRP_STATE_MASTER) {
		int nm = 0;

		/* Masters now, or a moment ago. */
		for (int m = 0; m < s->c.n; m++)
			nm += s->rt[m].side == s->rt[r].side &&
			      (is_master(s, m, v) || (s->left_master[m][v] &&
						      s->left_master[m][v] + s->md_max_us > s->now));
		if (nm >= 3)
			s->crowd_at[v] = s->now;
	}
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

/* I4 after every event: states as announced, VIPs held exactly while Master. */
static void check_states(struct sim *s)
{
	for (int r = 0; r < s->c.n; r++) {
		for (int v = 0; v < s->c.nv && s->rt[r].up; v++) {
			const struct inst *in = &s->rt[r].in[v];

			if (in->st != in->vi.fsm.state)
				fail(s, "I4: r%d/v%d is %s without a STATE action", r, v,
				     vrrp_state_name(in->vi.fsm.state));
			if (in->vips != (in->st == VRRP_STATE_MASTER))
				fail(s, "I4: r%d/v%d is %s but %s the VIPs", r, v,
				     vrrp_state_name(in->st), in->vips ? "holds" : "does not hold");
		}
	}
}

static void deliver(struct sim *s, int r, const struct pkt *pk)
{
	struct router *rt = &s->rt[r];
	struct inst *in = &rt->in[pk->v];
	bool dual;

	if (!rt->up)
		return;
	if (rt->frozen_until) {
		if (rt->nq < MAX_Q)
			rt->q[rt->nq++] = *pk;
		return;
	}
	trace(s, TR_RECV, r, pk->v, pk->from, pk->prio, 0);
	in->heard_at = s->now;
	in->heard_from[pk->from] = s->now;
	in->heard_prio = pk->prio;
	if (pk->prio) {
		in->heard_nonzero = pk->prio;
		in->heard_int_cs = pk->int_cs;
	}
	/* RFC 9568 6.4.2: an advert at or above our priority (or any, with
	 * preempt off) restarts the down timer. */
	if (pk->prio && (pk->prio >= in->vi.params.priority || !may_preempt(in))) {
		in->held_at = s->now;
		in->held_int_cs = pk->int_cs;
	}
	dual = pk->prio && is_master(s, r, pk->v) && is_master(s, pk->from, pk->v) &&
	       !s->rt[pk->from].frozen_until && rt->side == s->rt[pk->from].side;
	vrrp_inst_advert(&in->vi, pk->prio, pk->int_cs, &pk->src, s->now);
	/* I6: two masters that heard each other: settled within one
	 * exchange (our answer may wait out its 10 ms gap). */
	if (dual && is_master(s, r, pk->v) && is_master(s, pk->from, pk->v))
		push(s, (struct sev){ .t = s->now + 10 * MS + 2 * s->tick_us, .kind = K_DUAL,
				      .r = (uint8_t)r, .r2 = pk->from, .v = pk->v,
				      .mark = s->now });
}

static void fire_timer(struct sim *s, int r, int v)
{
	s->rt[r].in[v].timer_due = 0;   /* consumed: the next arm is new */
	vrrp_inst_timer(&s->rt[r].in[v].vi, s->now);
}

/* End of a stall: the late timers fire at once (reading the waiting
 * adverts first when they would decide something: op_drain), then
 * whatever is still queued. */
static void thaw(struct sim *s, int r)
{
	struct router *rt = &s->rt[r];

	rt->frozen_until = 0;
	rt->thawed_at = s->now;
	for (int v = 0; v < s->c.nv; v++)
		if (rt->in[v].timer_due && rt->in[v].timer_due <= s->now)
			fire_timer(s, r, v);
	op_drain(&rt->in[0].vi);
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

		if (m->vi.fsm.state != VRRP_STATE_MASTER || w < 0)
			continue;
		/* v3 backups learned the master's interval; v2 uses its own. */
		ai = s->c.version == 3 ? m->vi.params.adver_int_cs :
		     s->rt[w].in[v].vi.params.adver_int_cs;
		prio = prio_of(s, w, v);
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
	/* I7: a dead router answers nothing: its clients' neighbour entries
	 * fail and they ask again, finding the master. Only a live router
	 * that announced last can hold them. */
	for (int v = 0; v < s->c.nv; v++)
		for (int side = 0; side < 2; side++)
			if (s->ann[v][side].r == r)
				s->ann[v][side].gone = true;
	for (int v = 0; v < s->c.nv; v++) {
		rt->in[v].timer_due = 0;
		rt->in[v].timer_gen++;
		rt->in[v].vips = false;
	}
}

/* A (re)started daemon: its instances in INIT with the parameters they
 * had (priority and health outlive it), linked into their sync group,
 * told their faults, then started. */
static void op_start(struct sim *s, int r)
{
	struct router *rt = &s->rt[r];

	if (rt->up)
		return;
	rt->up = true;
	for (int v = 0; v < s->c.nv; v++) {
		struct inst *in = &rt->in[v];
		struct vrrp_params p = in->vi.params;

		vrrp_inst_init(&in->vi, &sim_ops, in);
		in->vi.params = p;
		in->st = VRRP_STATE_INIT;
		in->vips = false;
		in->heard_at = 0;
		memset(in->heard_from, 0, sizeof(in->heard_from));
		in->held_at = 0;
		in->heard_nonzero = 0;
		if (s->c.group && v > 0)
			vrrp_inst_group_join(&in->vi, &rt->in[0].vi);
	}
	for (int v = 0; v < s->c.nv; v++)
		if (rt->in[v].own_fault)
			vrrp_inst_fault(&rt->in[v].vi, VRRP_FAULT_CHECK, true, s->now);
	for (int v = 0; v < s->c.nv; v++)
		if (rt->in[v].vi.fsm.state == VRRP_STATE_INIT)
			vrrp_inst_event(&rt->in[v].vi, VRRP_EV_STARTUP, s->now);
}

static void op_stop(struct sim *s, const struct op_args *o)
{
	if (o->timed)
		arm_takeover(s, o->r, true);
	for (int v = 0; v < s->c.nv; v++)
		vrrp_inst_event(&s->rt[o->r].in[v].vi, VRRP_EV_SHUTDOWN, s->now);
	crash(s, o->r);
}

static void op_fault(struct sim *s, const struct op_args *o)
{
	struct inst *in = &s->rt[o->r].in[o->v];

	if (o->timed)
		arm_takeover(s, o->r, true);
	in->own_fault = o->op == OP_FAULT;
	vrrp_inst_fault(&in->vi, VRRP_FAULT_CHECK, in->own_fault, s->now);
}

static void op_priority(struct sim *s, const struct op_args *o)
{
	s->prio_at = s->now;
	for (int v = 0; v < s->c.nv; v++)
		vrrp_inst_priority(&s->rt[o->r].in[v].vi, (uint8_t)o->a, s->now);
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
			rt->in[v].vi.params.priority = (uint8_t)o->a;
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

/* I7: clients on side follow master, unless the master could not know
 * better: it heard nothing from the router they follow since that one
 * announced (loss, or that router left master silently in a split:
 * garp_refresh is the remedy there). A router they cannot reach any more
 * (dead, or moved to the other side) makes their neighbour entries fail:
 * they ask again. */
static bool announced_ok(const struct sim *s, int v, int side, int master)
{
	const struct announced *a = &s->ann[v][side];

	return a->r == master || a->r < 0 || a->gone || s->rt[a->r].side != side ||
	       s->rt[master].in[v].heard_from[a->r] <= a->t;
}

/* I1 for one VRID on one side of the partition; I7 at rest. */
static void check_side(struct sim *s, int v, int side, int expect)
{
	int master = -1, nm = 0, best = best_router(s, v, side, -1);

	for (int r = 0; r < s->c.n; r++) {
		enum vrrp_state st = state_of(s, r, v);
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
	if (!announced_ok(s, v, side, master))
		fail(s, "I7: r%d is master of VRID %d on side %d, but clients follow r%d's "
		     "announcement", master, v, side, s->ann[v][side].r);
	for (int b = 0; b < s->c.n && master != best; b++) {
		const struct inst *in = &s->rt[b].in[v];

		if (b == master || !eligible(s, b, v) || s->rt[b].side != side ||
		    !beats(s, b, master, v))
			continue;
		if (in->vi.fsm.state == VRRP_STATE_BACKUP &&
		    (in->vi.params.priority == prio_of(s, master, v) || !may_preempt(in)))
			continue;
		fail(s, "I1: r%d (prio %u) is master of VRID %d but r%d (prio %u) would preempt",
		     master, prio_of(s, master, v), v, b, in->vi.params.priority);
	}
}

/* I5: after every event, each live router's group agrees on Master. */
static void check_groups(struct sim *s)
{
	for (int r = 0; r < s->c.n && s->c.group; r++) {
		bool m0 = state_of(s, r, 0) == VRRP_STATE_MASTER;

		for (int v = 1; v < s->c.nv; v++)
			if (s->rt[r].up && m0 != (state_of(s, r, v) == VRRP_STATE_MASTER))
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
				 state_of(s, r, v) == VRRP_STATE_MASTER;

			if (m != (r == expect))
				fail(s, "expected r%d alone to be master of VRID %d; r%d is %s", expect,
				     v, r, vrrp_state_name(state_of(s, r, v)));
		}
	}
}

/* Nothing disturbed the pair since mark: no loss, topology or priority
 * change, and neither router stalled. */
static bool undisturbed(const struct sim *s, uint64_t mark, int a, int b)
{
	const struct router *ra = &s->rt[a], *rb = &s->rt[b];

	return s->loss_until <= mark && s->topo_at <= mark && s->prio_at <= mark &&
	       ra->up && rb->up && !ra->frozen_until && !rb->frozen_until &&
	       ra->thawed_at <= mark && rb->thawed_at <= mark && ra->side == rb->side;
}

/* I6: the two masters that heard each other at e->mark are one now. */
static void check_dual(struct sim *s, const struct sev *e)
{
	if (!undisturbed(s, e->mark, e->r, e->r2))
		return;
	if (is_master(s, e->r, e->v) && is_master(s, e->r2, e->v))
		fail(s, "I6: r%d and r%d are both master of VRID %d %" PRIu64
		     " us after r%d heard r%d", e->r, e->r2, e->v, s->now - e->mark, e->r,
		     e->r2);
}

/* I7: a master yielded at e->mark; the master left on its side announced
 * after it. */
static void check_announced(struct sim *s, const struct sev *e)
{
	int side = s->rt[e->r].side, master = -1, nm = 0;

	/* Three masters or more: one may have re-announced for another
	 * between the adverts the winner heard; the winner's burst covers
	 * that at the end of its window (the quiet-period check). */
	if (s->loss_until + s->md_max_us > e->mark || s->topo_at > e->mark ||
	    s->vtrans[e->v] != e->gen ||
	    (s->crowd_at[e->v] && s->crowd_at[e->v] + s->md_max_us > e->mark) ||
	    (s->prio_at && s->prio_at + s->md_max_us > e->mark))
		return;
	for (int r = 0; r < s->c.n; r++) {
		if (s->rt[r].side == side && is_master(s, r, e->v)) {
			nm++;
			master = r;
		}
	}
	if (nm == 1 && !announced_ok(s, e->v, side, master))
		fail(s, "I7: r%d yielded to r%d for VRID %d, but clients still follow r%d's "
		     "announcement", e->r, master, e->v, s->ann[e->v][side].r);
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
		announced_regroup(s, false, split(s));
		for (int r = 0; r < s->c.n; r++)
			s->rt[r].side = (int)(o->a >> r) & 1;
		s->topo_at = s->now;
		break;
	case OP_HEAL:
		announced_regroup(s, true, split(s));
		for (int r = 0; r < s->c.n; r++)
			s->rt[r].side = 0;
		s->topo_at = s->now;
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
	case OP_NEVER:
		if (s->causes[o->a])
			fail(s, "expected no transition caused by \"%s\"", vrrp_cause_name(o->a));
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
	case K_DUAL:
		check_dual(s, e);
		break;
	case K_ANNOUNCED:
		check_announced(s, e);
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
		check_states(s);
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

		if (!s->rt[r].up || state_of(s, r, 0) != VRRP_STATE_MASTER ||
		    best_router(s, 0, s->rt[r].side, r) < 0)
			continue;
		o.timed = true;
		*end = s->now + 1 + rnd(s, s->rt[r].in[0].vi.params.adver_int_cs * 10000u);
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
	} else if (dice < 85) {
		o = mkop(OP_LOSS, -1);
		o.a = (uint32_t)(10 + rnd(s, 91));
		o.dur_us = 1 + rnd(s, 2 * s->md_max_us);
	} else if (dice < 92) {
		/* A stall of 1 to 5 advert intervals, of a master or a backup. */
		o.op = OP_FREEZE;
		o.dur_us = s->rt[r].in[0].vi.params.adver_int_cs * 10000ull *
			   (2 + rnd(s, 9)) / 2;
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

/* Router r's interface address (10.0.0.r+1, fe80::r+1) and unicast_src
 * (10.1.0.9-r, fd00::9-r: the other order, so that a tie-break on the
 * wrong one picks the other winner). */
static void router_addrs(uint8_t fam, int r, struct hafd_addr *ifaddr, struct hafd_addr *usrc)
{
	uint8_t b4[4] = { 10, 0, 0, (uint8_t)(r + 1) }, u4[4] = { 10, 1, 0, (uint8_t)(9 - r) };
	uint8_t b6[16] = { 0xfe, 0x80 }, u6[16] = { 0xfd };

	b6[15] = (uint8_t)(r + 1);
	u6[15] = (uint8_t)(9 - r);
	if (fam == FAM_V4 || fam == FAM_V4_UNICAST) {
		addr_from_bytes(ifaddr, AF_INET, b4);
		addr_from_bytes(usrc, AF_INET, u4);
	} else {
		addr_from_bytes(ifaddr, AF_INET6, b6);
		addr_from_bytes(usrc, AF_INET6, u6);
	}
}

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
	S = s;
	for (int v = 0; v < MAX_V; v++)
		s->ann[v][0] = s->ann[v][1] = (struct announced){ -1, 0, false };
	for (int r = 0; r < c->n; r++) {
		struct hafd_addr usrc;
		bool unicast = c->fam == FAM_V4_UNICAST || c->fam == FAM_V6_UNICAST;

		router_addrs(c->fam, r, &s->ifaddr[r], &usrc);
		/* The oracle's tie-break address: what RFC 9568 says the
		 * adverts carry (the unicast source when there is one). */
		s->addr[r] = unicast ? usrc : s->ifaddr[r];
		for (int v = 0; v < c->nv; v++) {
			struct inst *in = &s->rt[r].in[v];

			vrrp_inst_init(&in->vi, &sim_ops, in);
			in->r = r;
			in->v = v;
			in->vi.params = (struct vrrp_params){
				.version = c->version, .priority = c->prio[r],
				.adver_int_cs = c->ai_cs[r], .preempt = !c->nopreempt[r],
				.preempt_delay_us = c->pd_ms[r] * MS, .pair = c->pair,
				/* As the daemon's vrrp_primary_refresh() sets it. */
				.primary = vrrp_inst_source(unicast ? &usrc : NULL, &s->ifaddr[r]),
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
	/* VRRPv2 is IPv4 only. */
	c->fam = (uint8_t)(c->version == 2 ? (rnd(s, 2) ? FAM_V4 : FAM_V4_UNICAST) :
			   rnd(s, FAM_N));
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
	printf("%sv%u %s n=%d vrids=%d%s%s:", prefix, c->version, fam_names[c->fam], c->n,
	       c->nv, c->group ? " grouped" : "", c->pair ? " pair" : "");
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
	uint8_t fam;
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
	/* Issue 14 bug 3: both backups preempted at once and both announced. */
	{ "fast preemption, master demoted below two backups: the best alone takes over "
	  "after its Skew_Time",
	  .n = 3, .ai_cs = 100, .prio = { 200, 150, 100 },
	  .steps = (const struct step[]){
		START_ALL(0), AT(10000, OP_CHECK, 0), AT(10500, OP_PRIO, 0, .a = 50),
		AT(10900, OP_EXPECT, 0), AT(10930, OP_EXPECT, 1),
		AT(15000, OP_STABLE, 1, .a = 2),       /* r1 up, r0 down: nothing else */
		AT(20000, OP_STABLE, 1), SAW(20000, VRRP_CAUSE_PREEMPT), END(20001) } },
	{ "fast preemption at 10 ms, master demoted below two backups: one takeover",
	  .n = 3, .ai_cs = 1, .prio = { 200, 150, 100 },
	  .steps = (const struct step[]){
		START_ALL(0), AT(1000, OP_CHECK, 0), AT(1050, OP_PRIO, 0, .a = 50),
		AT(1200, OP_STABLE, 1, .a = 2), AT(1500, OP_STABLE, 1), END(1501) } },
	{ "fast preemption, five routers, master demoted below four backups: one takeover",
	  .n = 5, .ai_cs = 10, .prio = { 250, 200, 150, 100, 50 },
	  .steps = (const struct step[]){
		START_ALL(0), AT(2000, OP_CHECK, 0), AT(2050, OP_PRIO, 0, .a = 20),
		AT(3000, OP_STABLE, 1, .a = 2), AT(4000, OP_STABLE, 1), END(4001) } },
	{ "pair: the master demoted, the only backup takes over at once",
	  .n = 2, .pair = true, .ai_cs = 100, .prio = { 200, 100 },
	  .steps = (const struct step[]){
		START_ALL(0), AT(10000, OP_CHECK, 0), AT(10500, OP_PRIO, 0, .a = 50),
		AT(10510, OP_EXPECT, 1), AT(15000, OP_STABLE, 1, .a = 2), END(15001) } },
	{ "equal priorities started together: the highest address wins",
	  .n = 3, .ai_cs = 100, .prio = { 100, 100, 100 },
	  .steps = (const struct step[]){
		START_ALL(0), AT(10000, OP_CHECK, 2), AT(15000, OP_STABLE, 2), END(15001) } },
	{ "equal priorities started together, IPv6: the highest link-local address wins",
	  .n = 3, .fam = FAM_V6, .ai_cs = 100, .prio = { 100, 100, 100 },
	  .steps = (const struct step[]){
		START_ALL(0), AT(10000, OP_CHECK, 2), AT(15000, OP_STABLE, 2), END(15001) } },
	/* Issue 14 bug 1: the tie-break compared the peer's unicast source with
	 * our own link-local address; both stayed master. */
	{ "equal priorities started together, IPv6 unicast with global sources",
	  .n = 3, .fam = FAM_V6_UNICAST, .ai_cs = 1, .prio = { 100, 100, 100 },
	  .steps = (const struct step[]){
		START_ALL(0), AT(1000, OP_CHECK, 0), AT(2000, OP_STABLE, 0), END(2001) } },
	{ "equal priorities started together, IPv4 unicast with unicast_src",
	  .n = 2, .fam = FAM_V4_UNICAST, .ai_cs = 100, .prio = { 100, 100 },
	  .steps = (const struct step[]){
		START_ALL(0), AT(10000, OP_CHECK, 0), AT(15000, OP_STABLE, 0), END(15001) } },
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
	/* Issue 14 bug 4: the stall guard fired 2 intervals late, before any
	 * backup (3 intervals + Skew_Time) could have taken over. Silence =
	 * the stall + up to one interval since the last advert: at most
	 * 3.3 s, below the backups' 3.414 s and 3.609 s. */
	{ "master stalled for 1 to 2.3 intervals: no state change anywhere",
	  .n = 3, .ai_cs = 100, .prio = { 200, 150, 100 },
	  .steps = (const struct step[]){
		START_ALL(0), AT(9000, OP_CHECK, 0),
		AT(10000, OP_FREEZE, 0, .dur_us = 1 * SEC),
		AT(15000, OP_FREEZE, 0, .dur_us = 1500 * MS),
		AT(20000, OP_FREEZE, 0, .dur_us = 2 * SEC),
		AT(25000, OP_FREEZE, 0, .dur_us = 2300 * MS),
		AT(30000, OP_STABLE, 0), END(30001) } },
	{ "master stalled for 5 intervals: the backup takes over once, the master "
	  "takes it back without leaving Master",
	  .n = 2, .ai_cs = 100, .prio = { 200, 100 },
	  .steps = (const struct step[]){
		START_ALL(0), AT(9000, OP_CHECK, 0),
		AT(10000, OP_FREEZE, 0, .dur_us = 5 * SEC),
		AT(14900, OP_EXPECT, 1), AT(20000, OP_STABLE, 0, .a = 2),
		AT(25000, OP_STABLE, 0), AT(25000, OP_NEVER, -1, .a = VRRP_CAUSE_STALL),
		END(25001) } },
	{ "master with preempt = no stalled for 6 intervals returns as backup",
	  .n = 2, .ai_cs = 100, .prio = { 200, 100 }, .nopreempt = { true },
	  .steps = (const struct step[]){
		START_ALL(0), AT(9000, OP_CHECK, 0),
		AT(10000, OP_FREEZE, 0, .dur_us = 6 * SEC),
		AT(15000, OP_EXPECT, 1), AT(25000, OP_STABLE, 1, .a = 2),
		AT(30000, OP_STABLE, 1), SAW(30000, VRRP_CAUSE_STALL), END(30001) } },
	{ "backups stalled for 1 to 5 intervals: no takeover",
	  .n = 3, .ai_cs = 100, .prio = { 200, 150, 100 },
	  .steps = (const struct step[]){
		START_ALL(0), AT(9000, OP_CHECK, 0),
		AT(10000, OP_FREEZE, 1, .dur_us = 5 * SEC),
		AT(10000, OP_FREEZE, 2, .dur_us = 3500 * MS),
		AT(20000, OP_FREEZE, 1, .dur_us = 1 * SEC),
		AT(20500, OP_FREEZE, 2, .dur_us = 4 * SEC),
		AT(30000, OP_STABLE, 0), END(30001) } },
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
	/* Found once the simulator ran the daemon's own group code: a member
	 * whose sibling's fault cleared while its own was still set kept the
	 * group bit, and stayed in FAULT after its own cleared too. */
	{ "sync group: two members' faults cleared one after the other",
	  .n = 2, .nv = 2, .group = true, .ai_cs = 100, .prio = { 200, 100 },
	  .steps = (const struct step[]){
		START_ALL(0), AT(10000, OP_CHECK, 0), AT(10500, OP_FAULT, 0, .v = 0),
		AT(11000, OP_FAULT, 0, .v = 1), AT(11500, OP_CLEAR, 0, .v = 0),
		AT(15000, OP_CHECK, 1), AT(15500, OP_CLEAR, 0, .v = 1),
		AT(25000, OP_CHECK, 0), AT(30000, OP_STABLE, 0), END(30001) } },
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
	c.fam = sc->fam;
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
	uint64_t seeds = 10000, first = 1, one = 0;
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
