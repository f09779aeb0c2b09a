/* metrics_eval.c: gauge, rate and stall rules over one scrape (the rules
 * are in metrics_eval.h). */
#include "metrics_eval.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* The accumulator for name under agg, added when new. */
static size_t acc_get(struct metrics_scrape *sc, const char *name, enum metrics_agg agg)
{
	size_t len = strnlen(name, METRICS_NAME_MAX);

	for (size_t i = 0; i < sc->n_acc; i++)
		if (sc->acc[i].agg == agg && sc->acc[i].name_len == len &&
		    !memcmp(sc->acc[i].name, name, len))
			return i;
	memset(&sc->acc[sc->n_acc], 0, sizeof(sc->acc[0]));
	memcpy(sc->acc[sc->n_acc].name, name, len);
	sc->acc[sc->n_acc].name_len = len;
	sc->acc[sc->n_acc].agg = agg;
	return sc->n_acc++;
}

void metrics_eval_begin(struct metrics_scrape *sc, const struct metrics_rule *rules, size_t n)
{
	sc->rules = rules;
	sc->n_rules = n > METRICS_RULES_MAX ? METRICS_RULES_MAX : n;
	sc->n_acc = 0;
	sc->duplicates = sc->nan = 0;
	for (size_t r = 0; r < sc->n_rules; r++) {
		const struct metrics_rule *ru = &rules[r];

		if (ru->off)
			continue;
		sc->idx[r][0] = acc_get(sc, ru->metric, ru->agg);
		for (size_t k = 0; k < ru->n_pending && k < METRICS_PENDING_MAX; k++)
			sc->idx[r][k + 1] = acc_get(sc, ru->pending[k], METRICS_SUM);
	}
}

/* FNV-1a: tells series apart; a collision only merges two series' dedup. */
static uint64_t hash(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h;
}

/* Seen before in this scrape (then it is dropped). Past METRICS_SERIES_MAX
 * series duplicates are no longer told apart: they count. */
static bool duplicate(struct metrics_acc *a, const struct prom_sample *s)
{
	uint64_t h = hash(s->labels ? s->labels : "", s->labels_len);

	for (size_t i = 0; i < a->n_series && i < METRICS_SERIES_MAX; i++)
		if (a->series[i] == h)
			return true;
	if (a->n_series < METRICS_SERIES_MAX)
		a->series[a->n_series] = h;
	a->n_series++;
	return false;
}

void metrics_eval_sample(void *arg, const struct prom_sample *s)
{
	struct metrics_scrape *sc = arg;
	bool counted = false;

	for (size_t i = 0; i < sc->n_acc; i++) {
		struct metrics_acc *a = &sc->acc[i];

		if (a->name_len != s->name_len || memcmp(a->name, s->name, s->name_len))
			continue;
		if (isnan(s->value)) {
			sc->nan += !counted;
			counted = true;
			continue;
		}
		if (duplicate(a, s)) {
			sc->duplicates += !counted;
			counted = true;
			continue;
		}
		if (!a->found)
			a->v = s->value;
		else if (a->agg == METRICS_SUM)
			a->v += s->value;
		else if (a->agg == METRICS_MAX ? s->value > a->v : s->value < a->v)
			a->v = s->value;
		a->found = true;
	}
}

const char *metrics_kind_name(enum metrics_kind k)
{
	static const char *const names[] = {
		[METRICS_GAUGE] = "gauge", [METRICS_RATE] = "rate", [METRICS_STALL] = "stall",
	};

	return (unsigned)k < 3 ? names[k] : "?";
}

static bool over(const struct metrics_rule *ru, double v)
{
	return ru->below ? v < ru->threshold : v > ru->threshold;
}

/* Does rule r fire? *found: its metric was in the scrape. what: why, for
 * the reason. */
static bool rule_fires(const struct metrics_scrape *sc, size_t r, struct metrics_state *st,
		       uint64_t now_us, bool *found, char *what, size_t len)
{
	const struct metrics_rule *ru = &sc->rules[r];
	const struct metrics_acc *a = &sc->acc[sc->idx[r][0]];
	double v = a->v, pending = 0, rate;
	bool any_pending = false, fires = false;

	*found = a->found;
	if (!a->found) {
		st->have_prev = false;
		st->stall_since_us = 0;
		return false;
	}
	switch (ru->kind) {
	case METRICS_GAUGE:
		fires = over(ru, v);
		snprintf(what, len, "%s %g", ru->name, v);
		return fires;
	case METRICS_RATE:
		if (st->have_prev && v >= st->prev && now_us > st->prev_us) {
			rate = (v - st->prev) * 1e6 / (double)(now_us - st->prev_us);
			fires = isfinite(rate) && over(ru, rate);
			snprintf(what, len, "%s %g/s", ru->name, rate);
		}
		st->have_prev = true;
		st->prev = v;
		st->prev_us = now_us;
		return fires;
	case METRICS_STALL:
		for (size_t k = 0; k < ru->n_pending; k++) {
			const struct metrics_acc *pa = &sc->acc[sc->idx[r][k + 1]];

			if (pa->found) {
				pending += pa->v;
				any_pending = true;
			}
		}
		/* Moved, reset, idle or unknown: not stalled. */
		if (!st->have_prev || v != st->prev || !any_pending || !(pending > 0))
			st->stall_since_us = 0;
		else if (!st->stall_since_us)
			st->stall_since_us = now_us;
		if (st->stall_since_us && now_us - st->stall_since_us >= ru->stall_us) {
			fires = true;
			snprintf(what, len, "%s: %s at %g for %llu s, %g pending", ru->name,
				 ru->metric, v,
				 (unsigned long long)((now_us - st->stall_since_us) / 1000000), pending);
		}
		if (!st->have_prev || v != st->prev) {
			st->have_prev = true;
			st->prev = v;
			st->prev_us = now_us;
		}
		return fires;
	}
	return false;
}

/* How much a down weight costs, lower is worse: 0 is FAULT, a positive
 * weight is a bonus lost (the check contributes 0 when down). */
static int severity(int w)
{
	return w == 0 ? -1000 : w > 0 ? 0 : w;
}

static void reason_add(struct metrics_verdict *v, const char *what, const char *tag)
{
	size_t n = strlen(v->reason);

	if (n + 1 < sizeof(v->reason))
		snprintf(v->reason + n, sizeof(v->reason) - n, "%s%s%s", n ? ", " : "", what, tag);
}

void metrics_eval_end(struct metrics_scrape *sc, struct metrics_state *st, uint64_t now_us,
		      int degrade_cap, struct metrics_verdict *v)
{
	bool any_found = false, any_rule = false, down = false, degraded = false;
	int down_w = 0, deg_sum = 0;

	memset(v, 0, sizeof(*v));
	for (size_t r = 0; r < sc->n_rules; r++) {
		const struct metrics_rule *ru = &sc->rules[r];
		char what[96] = "";
		bool found;

		if (ru->off)
			continue;
		any_rule = true;
		if (!rule_fires(sc, r, &st[r], now_us, &found, what, sizeof(what))) {
			any_found |= found;
			continue;
		}
		any_found = true;
		if (ru->kind != METRICS_STALL) {
			size_t n = strlen(what);

			snprintf(what + n, sizeof(what) - n, " %s %g", ru->below ? "<" : ">",
				 ru->threshold);
		}
		if (ru->effect == METRICS_DOWN) {
			if (!down || severity(ru->weight) < severity(down_w))
				down_w = ru->weight;
			down = true;
			reason_add(v, what, " (down)");
		} else {
			degraded = true;
			deg_sum += ru->weight;
			reason_add(v, what, "");
		}
	}
	if (any_rule && !any_found) {
		v->result = CHECK_RES_FAIL;
		v->nothing_found = true;
		snprintf(v->reason, sizeof(v->reason), "no rule's metric in the scrape");
	} else if (down) {
		v->result = CHECK_RES_FAIL;
		v->has_weight = true;
		v->weight = down_w;
	} else if (degraded) {
		v->result = CHECK_RES_DEGRADED;
		v->has_weight = true;
		v->weight = deg_sum < degrade_cap ? degrade_cap : deg_sum;
	} else {
		v->result = CHECK_RES_PASS;
		snprintf(v->reason, sizeof(v->reason), "no rule fired");
	}
}
