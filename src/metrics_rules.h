/* metrics_rules.h: the rules of a metrics check as written in hafd.conf
 * (one `rule =` line each, hafd.conf(5) has the grammar) and the presets
 * per engine, in that same syntax. Pure. What a rule does with a scrape is
 * in metrics_eval.h; this header is what the configuration holds, so it
 * needs nothing of the check's state. */
#ifndef HAFD_METRICS_RULES_H
#define HAFD_METRICS_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define METRICS_NAME_MAX 200
#define METRICS_RULES_MAX 16
#define METRICS_PENDING_MAX 4
#define METRICS_RULE_NAME_MAX 32
#define METRICS_SERIES_MAX 64   /* series of one metric told apart for duplicates */

enum metrics_kind { METRICS_GAUGE, METRICS_RATE, METRICS_STALL };
enum metrics_agg { METRICS_SUM, METRICS_MAX, METRICS_MIN };
enum metrics_effect { METRICS_DEGRADE, METRICS_DOWN };

struct metrics_rule {
	char name[METRICS_RULE_NAME_MAX];
	enum metrics_kind kind;
	char *metric;                   /* gauge, rate: what is read; stall: progress */
	char *pending[METRICS_PENDING_MAX]; /* stall: summed, work pending when > 0 */
	size_t n_pending;
	bool below;                     /* gauge, rate: fires under the threshold */
	double threshold;
	uint64_t stall_us;              /* stall: for */
	enum metrics_agg agg;
	enum metrics_effect effect;
	bool has_weight;                /* given in the rule (else the default) */
	int weight;                     /* degrade: < 0; down: as a check's weight */
	bool off;                       /* a preset's rule turned off */
	int line;                       /* where it was given; 0 = from a preset */
};

#define METRICS_RULE_SYNTAX \
	"NAME gauge|rate METRIC >|< NUMBER EFFECT [agg=sum|max|min]; " \
	"NAME stall COUNTER for DURATION while GAUGE[+GAUGE...] EFFECT [agg=...]; " \
	"NAME off; EFFECT: down [WEIGHT] or degrade WEIGHT"

/* Parse text into *r (its strings allocated; free with metrics_rule_free).
 * 0, or -1 with why (what is wrong, with what is allowed) and errno EINVAL
 * or ENOMEM. */
int metrics_rule_parse(const char *text, struct metrics_rule *r, char *why, size_t len);
void metrics_rule_free(struct metrics_rule *r);
/* A copy of src's strings into dst. 0 or -1/ENOMEM. */
int metrics_rule_copy(struct metrics_rule *dst, const struct metrics_rule *src);
/* The same probe: everything but the weights. */
bool metrics_rule_same(const struct metrics_rule *a, const struct metrics_rule *b);

/* Presets: the rules for one engine, in the same syntax. */
struct metrics_preset {
	const char *name;               /* "vllm", ... */
	const char *source;             /* where the metric names come from */
	const char *const *rules;       /* NULL-terminated */
};
/* The preset called name, or NULL. */
const struct metrics_preset *metrics_preset_find(const char *name);
/* "vllm, sglang, tgi, triton, llamacpp" */
const char *metrics_preset_names(void);

#endif
