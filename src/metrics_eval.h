/* metrics_eval.h: the rules of a metrics check and what one scrape makes of
 * them. Pure: the caller feeds the samples (prom_parse.h) and passes the
 * time; the state between scrapes (a counter's last value, when a stall
 * began) lives in a struct metrics_state the caller keeps.
 *
 * A rule reads one metric, summing its series (or taking their max or
 * min, `agg`), and fires:
 *  - gauge:  the value is over (or under) the threshold;
 *  - rate:   the counter grew faster than threshold per second since the
 *            previous scrape (no rate on the first scrape, nor when the
 *            counter went down: an engine restart resets it);
 *  - stall:  the progress counter has not moved for `for` while the sum
 *            of the pending gauges is > 0. The stall clock starts at the
 *            first scrape that sees work pending and the counter unmoved
 *            since the scrape before, so an idle engine that gets a
 *            request is not "stalled since it went idle"; it may fire up
 *            to one interval later than `for` after the true start.
 * A firing rule is `down` (the run FAILs) or `degrade` (DEGRADED), each
 * with its own weight. The run's result is the worst effect that fired;
 * for DEGRADED the weight is the sum of the weights of the degrade rules
 * that fired, kept at or above degrade_cap (so many small signals never
 * add up to more than the cap); for a FAIL the weight is the most severe
 * among the down rules that fired (0, FAULT, first; then the lowest). The
 * configuration gives every down rule a weight (the check's by default).
 * A rule whose metric is absent does not fire; when no rule finds any of
 * its metrics the scrape is not what was meant (a wrong URL or preset)
 * and the run FAILs. NaN samples are skipped; the same series (name and
 * labels as written) twice in a scrape counts once, the first one.
 */
#ifndef HAFD_METRICS_EVAL_H
#define HAFD_METRICS_EVAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "check.h"
#include "metrics_rules.h"
#include "prom_parse.h"

/* Between scrapes, one per rule. Zero it to start. */
struct metrics_state {
	bool have_prev;
	double prev;                    /* rate, stall: last value of the counter */
	uint64_t prev_us;
	uint64_t stall_since_us;        /* stall: 0 = not stalled */
};

/* One metric being read during a scrape. */
struct metrics_acc {
	char name[METRICS_NAME_MAX + 1];        /* a copy: a reload may free the rules
						 * while a scrape is read */
	size_t name_len;
	enum metrics_agg agg;
	bool found;
	double v;
	size_t n_series;
	uint64_t series[METRICS_SERIES_MAX];   /* hashes of the labels seen */
};

struct metrics_scrape {
	const struct metrics_rule *rules;
	size_t n_rules;
	struct metrics_acc acc[METRICS_RULES_MAX * (METRICS_PENDING_MAX + 1)];
	size_t n_acc;
	size_t idx[METRICS_RULES_MAX][METRICS_PENDING_MAX + 1]; /* rule -> acc */
	uint64_t duplicates;            /* series given twice, dropped */
	uint64_t nan;                   /* NaN samples, skipped */
};

struct metrics_verdict {
	enum check_result result;       /* PASS, DEGRADED or FAIL */
	bool has_weight;                /* FAIL, DEGRADED from rules: weight replaces
					 * the check's own */
	int weight;
	bool nothing_found;             /* no rule found its metric: a FAIL */
	char reason[CHECK_REASON_MAX];
};

/* Ready for a scrape under n rules (at most METRICS_RULES_MAX). Only
 * metrics_eval_end() reads the rules: a caller whose rules were replaced
 * by equal ones (a reload) points sc->rules at the new ones before it. */
void metrics_eval_begin(struct metrics_scrape *sc, const struct metrics_rule *rules, size_t n);
/* One sample; a prom_sample_fn with sc as its argument. */
void metrics_eval_sample(void *sc, const struct prom_sample *s);
/* Judge the scrape at now_us: updates st (n_rules of them), fills v.
 * degrade_cap (-254..-1) bounds the sum of the degrade weights. */
void metrics_eval_end(struct metrics_scrape *sc, struct metrics_state *st, uint64_t now_us,
		      int degrade_cap, struct metrics_verdict *v);

/* "gauge", "rate", "stall" */
const char *metrics_kind_name(enum metrics_kind k);

#endif
