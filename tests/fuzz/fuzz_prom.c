/* libFuzzer target: the Prometheus text parser, fed in pieces whose sizes
 * come from the first byte, with the vLLM preset's rules (and a stall and
 * a rate on names a mutation can reach) judging two scrapes of the same
 * input a second apart, so the rate and stall paths run too. Needs no
 * files: tests/fuzz/harness.h is not included. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "metrics_eval.h"
#include "prom_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const rules_text[] = {
	"queue gauge vllm:num_requests_waiting > 32 degrade -20",
	"kv_cache gauge vllm:kv_cache_usage_perc > 0.95 degrade -10 agg=max",
	"preemptions rate vllm:num_preemptions_total > 1 degrade -10",
	"stall stall vllm:generation_tokens_total for 1s while "
	"vllm:num_requests_running+vllm:num_requests_waiting down",
	"low gauge a < 0 degrade -5 agg=min",
	"r rate a > 0 down 0",
	"s stall b for 1s while a down -30",
};
#define N_RULES (sizeof(rules_text) / sizeof(rules_text[0]))

static struct metrics_rule rules[N_RULES];

static void rules_load(void)
{
	static int done;
	char why[256];

	if (done)
		return;
	for (size_t i = 0; i < N_RULES; i++)
		if (metrics_rule_parse(rules_text[i], &rules[i], why, sizeof(why)) < 0)
			abort();
	done = 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct prom_parser p;            /* 16 KiB: off the stack */
	static struct metrics_scrape sc;
	struct metrics_state st[N_RULES];
	struct metrics_verdict v;
	size_t step;

	if (size < 1)
		return 0;
	rules_load();
	memset(st, 0, sizeof(st));
	step = (size_t)data[0] + 1;
	for (int round = 0; round < 2; round++) {
		metrics_eval_begin(&sc, rules, N_RULES);
		prom_parse_init(&p, metrics_eval_sample, &sc);
		for (size_t off = 1; off < size; off += step)
			prom_parse_feed(&p, data + off, size - off < step ? size - off : step);
		prom_parse_end(&p);
		if (p.len > PROM_LINE_MAX || p.st.samples + p.st.bad > p.st.lines)
			abort();
		metrics_eval_end(&sc, st, 1000000 + (uint64_t)round * 1000000, -50, &v);
		if (v.result == CHECK_RES_DEGRADED && (v.weight < -50 || v.weight > -1))
			abort();
		if (strnlen(v.reason, sizeof(v.reason)) == sizeof(v.reason))
			abort();
	}
	return 0;
}
