/* Metrics rules: the rule grammar and its errors, every preset parses, and
 * the judgement of scrapes on a virtual clock: gauges over and under a
 * threshold, aggregations, a counter's rate (and its reset), a stall that
 * waits for work pending, effects and weights (the cap on degrade, the
 * most severe down), absent metrics, NaN and duplicate series. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "metrics_eval.h"
#include "prom_parse.h"

#define S 1000000ull

static struct metrics_rule R[METRICS_RULES_MAX];
static size_t NR;
static struct metrics_state ST[METRICS_RULES_MAX];
static struct metrics_scrape SC;

static void rules(const char *const *texts)
{
	char why[256];

	for (size_t i = 0; i < NR; i++)
		metrics_rule_free(&R[i]);
	NR = 0;
	memset(ST, 0, sizeof(ST));
	for (; *texts; texts++) {
		if (metrics_rule_parse(*texts, &R[NR], why, sizeof(why)) < 0)
			fail_msg("%s: %s", *texts, why);
		NR++;
	}
}

/* One scrape of body at t seconds. */
static struct metrics_verdict scrape(const char *body, uint64_t t)
{
	static struct prom_parser p;
	struct metrics_verdict v;

	metrics_eval_begin(&SC, R, NR);
	prom_parse_init(&p, metrics_eval_sample, &SC);
	prom_parse_feed(&p, body, strlen(body));
	prom_parse_end(&p);
	metrics_eval_end(&SC, ST, 1000 * S + t * S, -30, &v);
	return v;
}

#define RULES(...) rules((const char *const[]){ __VA_ARGS__, NULL })

static void parse_err(const char *text, const char *want)
{
	struct metrics_rule r;
	char why[512];

	if (metrics_rule_parse(text, &r, why, sizeof(why)) == 0)
		fail_msg("'%s' parsed", text);
	assert_int_equal(errno, EINVAL);
	if (!strstr(why, want))
		fail_msg("'%s': got \"%s\", want \"%s\"", text, why, want);
}

static void test_grammar(void **state)
{
	struct metrics_rule r;
	char why[256];

	(void)state;
	assert_int_equal(metrics_rule_parse("q gauge a:b > 1.5 degrade -7 agg=max", &r, why,
					    sizeof(why)), 0);
	assert_string_equal(r.name, "q");
	assert_int_equal(r.kind, METRICS_GAUGE);
	assert_string_equal(r.metric, "a:b");
	assert_false(r.below);
	assert_true(r.threshold == 1.5);
	assert_int_equal(r.effect, METRICS_DEGRADE);
	assert_int_equal(r.weight, -7);
	assert_int_equal(r.agg, METRICS_MAX);
	metrics_rule_free(&r);
	assert_int_equal(metrics_rule_parse("s stall c for 30s while a+b down", &r, why,
					    sizeof(why)), 0);
	assert_int_equal(r.kind, METRICS_STALL);
	assert_int_equal(r.stall_us, 30 * S);
	assert_int_equal(r.n_pending, 2);
	assert_string_equal(r.pending[1], "b");
	assert_int_equal(r.effect, METRICS_DOWN);
	assert_false(r.has_weight);
	metrics_rule_free(&r);
	assert_int_equal(metrics_rule_parse("p rate c < 2 down -40", &r, why, sizeof(why)), 0);
	assert_true(r.below && r.has_weight && r.weight == -40);
	metrics_rule_free(&r);
	assert_int_equal(metrics_rule_parse("queue off", &r, why, sizeof(why)), 0);
	assert_true(r.off);
	metrics_rule_free(&r);

	parse_err("q", "a name and a kind are needed");
	parse_err("q/1 gauge a > 1 down", "is not a rule name");
	parse_err("q gauges a > 1 down", "'gauges' is not a kind (allowed: gauge, rate, stall, off)");
	parse_err("q gauge 1a > 1 down", "'1a' is not a metric name");
	parse_err("q gauge a >= 1 down", "'>=' is not a comparison (allowed: > or <)");
	parse_err("q gauge a > x down", "'x' is not a threshold");
	parse_err("q gauge a > NaN down", "'NaN' is not a threshold");
	parse_err("q gauge a > 1", "no effect");
	parse_err("q gauge a > 1 degrade", "degrade needs a weight");
	parse_err("q gauge a > 1 degrade 5", "weight '5' (allowed: -254..-1 for degrade)");
	parse_err("q gauge a > 1 down -255", "weight '-255' (allowed: -254..254 for down)");
	parse_err("q gauge a > 1 fail", "'fail' is not an effect");
	parse_err("q gauge a > 1 down agg=avg", "'agg=avg' is not an aggregation");
	parse_err("q gauge a > 1 down 0 extra", "'extra' is not expected here");
	parse_err("q off now", "nothing may follow off");
	parse_err("s stall c for 30s a down", "a stall is NAME stall COUNTER for DURATION");
	parse_err("s stall c for 500ms while a down", "'500ms' is not a stall duration (allowed: 1s..1h)");
	parse_err("s stall c for 30s while a+1b down", "'1b' is not a metric name");
	parse_err("s stall c for 30s while a+b+c+d+e down", "at most 4 pending gauges");
}

static void test_presets_parse(void **state)
{
	const char *names[] = { "vllm", "sglang", "tgi", "triton", "llamacpp" };

	(void)state;
	for (size_t i = 0; i < 5; i++) {
		const struct metrics_preset *p = metrics_preset_find(names[i]);
		size_t n = 0;

		assert_non_null(p);
		assert_non_null(strstr(metrics_preset_names(), names[i]));
		for (; p->rules[n]; n++) {
			struct metrics_rule r;
			char why[256];

			if (metrics_rule_parse(p->rules[n], &r, why, sizeof(why)) < 0)
				fail_msg("preset %s: %s: %s", names[i], p->rules[n], why);
			metrics_rule_free(&r);
		}
		/* Each preset has a queue and a stall rule, the two every engine
		 * exposes. */
		assert_true(n >= 2);
		assert_non_null(strstr(p->rules[0], "queue gauge "));
	}
	assert_null(metrics_preset_find("ollama"));
	assert_non_null(metrics_preset_find("VLLM"));
}

static void test_gauge(void **state)
{
	struct metrics_verdict v;

	(void)state;
	RULES("queue gauge q > 10 degrade -20", "kv gauge kv > 0.9 degrade -5 agg=max",
	      "low gauge up < 1 down -50");
	v = scrape("q{e=\"0\"} 6\nq{e=\"1\"} 5\nkv{e=\"0\"} 0.5\nkv{e=\"1\"} 0.2\nup 1\n", 0);
	assert_int_equal(v.result, CHECK_RES_DEGRADED);      /* 6 + 5 > 10 */
	assert_int_equal(v.weight, -20);
	assert_string_equal(v.reason, "queue 11 > 10");
	v = scrape("q 1\nkv{e=\"0\"} 0.95\nkv{e=\"1\"} 0.2\nup 1\n", 1);
	assert_int_equal(v.result, CHECK_RES_DEGRADED);      /* max 0.95 */
	assert_int_equal(v.weight, -5);
	v = scrape("q 1\nkv 0.1\nup 1\n", 2);
	assert_int_equal(v.result, CHECK_RES_PASS);
	assert_false(v.has_weight);
	v = scrape("q 100\nkv 1\nup 0\n", 3);
	assert_int_equal(v.result, CHECK_RES_FAIL);          /* down beats degrade */
	assert_true(v.has_weight);
	assert_int_equal(v.weight, -50);
	assert_non_null(strstr(v.reason, "low 0 < 1 (down)"));
	assert_non_null(strstr(v.reason, "queue 100 > 10"));
}

/* Degrade weights add up to degrade_cap (-30 in scrape()), no further. */
static void test_degrade_cap(void **state)
{
	struct metrics_verdict v;

	(void)state;
	RULES("a gauge a > 0 degrade -20", "b gauge b > 0 degrade -20", "c gauge c > 0 degrade -5");
	v = scrape("a 1\nb 0\nc 1\n", 0);
	assert_int_equal(v.weight, -25);
	v = scrape("a 1\nb 1\nc 1\n", 1);
	assert_int_equal(v.result, CHECK_RES_DEGRADED);
	assert_int_equal(v.weight, -30);
}

/* The most severe down rule gives the weight: 0 (FAULT) first. */
static void test_down_severity(void **state)
{
	struct metrics_verdict v;

	(void)state;
	RULES("a gauge a > 0 down -20", "b gauge b > 0 down -60", "c gauge c > 0 down 0",
	      "d gauge d > 0 down 10");
	v = scrape("a 1\nb 1\nc 0\nd 1\n", 0);
	assert_int_equal(v.weight, -60);
	v = scrape("a 1\nb 1\nc 1\nd 1\n", 1);
	assert_int_equal(v.weight, 0);
	v = scrape("a 1\nb 0\nc 0\nd 1\n", 2);
	assert_int_equal(v.weight, -20);
	v = scrape("a 0\nb 0\nc 0\nd 1\n", 3);
	assert_int_equal(v.weight, 10);
}

static void test_rate(void **state)
{
	struct metrics_verdict v;

	(void)state;
	RULES("preempt rate p_total > 1 degrade -10");
	v = scrape("p_total 100\n", 0);
	assert_int_equal(v.result, CHECK_RES_PASS);           /* no rate yet */
	v = scrape("p_total 110\n", 5);                        /* 2/s */
	assert_int_equal(v.result, CHECK_RES_DEGRADED);
	assert_string_equal(v.reason, "preempt 2/s > 1");
	v = scrape("p_total 112\n", 7);                        /* 1/s: not over */
	assert_int_equal(v.result, CHECK_RES_PASS);
	v = scrape("p_total 3\n", 8);                          /* a restart: no rate */
	assert_int_equal(v.result, CHECK_RES_PASS);
	v = scrape("p_total 30\n", 9);                         /* 27/s from the new base */
	assert_int_equal(v.result, CHECK_RES_DEGRADED);
	v = scrape("other 1\n", 10);                           /* gone: nothing found */
	assert_int_equal(v.result, CHECK_RES_FAIL);
	assert_true(v.nothing_found);
	v = scrape("p_total 1000\n", 11);                      /* back: a new base */
	assert_int_equal(v.result, CHECK_RES_PASS);
	v = scrape("p_total +Inf\n", 12);                     /* no finite rate */
	assert_int_equal(v.result, CHECK_RES_PASS);
	v = scrape("p_total +Inf\n", 13);                     /* Inf - Inf */
	assert_int_equal(v.result, CHECK_RES_PASS);
}

static void test_stall(void **state)
{
	struct metrics_verdict v;

	(void)state;
	RULES("stall stall tok for 30s while run+wait down");
	/* Idle for a long time: the counter does not move, nothing pending. */
	v = scrape("tok 50\nrun 0\nwait 0\n", 0);
	assert_int_equal(v.result, CHECK_RES_PASS);
	v = scrape("tok 50\nrun 0\nwait 0\n", 100);
	assert_int_equal(v.result, CHECK_RES_PASS);
	/* A request arrives: the stall clock starts now, not at t=0 when the
	 * counter last moved. */
	v = scrape("tok 50\nrun 0\nwait 1\n", 110);
	assert_int_equal(v.result, CHECK_RES_PASS);
	v = scrape("tok 50\nrun 1\nwait 0\n", 139);
	assert_int_equal(v.result, CHECK_RES_PASS);           /* 29 s */
	v = scrape("tok 50\nrun 1\nwait 0\n", 140);
	assert_int_equal(v.result, CHECK_RES_FAIL);           /* 30 s */
	assert_string_equal(v.reason, "stall: tok at 50 for 30 s, 1 pending (down)");
	/* It moves again: over. */
	v = scrape("tok 51\nrun 1\nwait 0\n", 141);
	assert_int_equal(v.result, CHECK_RES_PASS);
	v = scrape("tok 51\nrun 1\nwait 0\n", 150);        /* unmoved: from here */
	assert_int_equal(v.result, CHECK_RES_PASS);
	v = scrape("tok 51\nrun 1\nwait 0\n", 179);
	assert_int_equal(v.result, CHECK_RES_PASS);
	v = scrape("tok 51\nrun 1\nwait 0\n", 180);
	assert_int_equal(v.result, CHECK_RES_FAIL);
	/* Pending absent: not stalled (unknown is not pending). */
	v = scrape("tok 51\n", 200);
	assert_int_equal(v.result, CHECK_RES_PASS);
	/* down without a weight: a weight 0 from the parser; the config gives
	 * it the check's (test_config). */
	v = scrape("tok 51\nrun 2\n", 201);
	v = scrape("tok 51\nrun 2\n", 231);
	assert_int_equal(v.result, CHECK_RES_FAIL);
	assert_int_equal(v.weight, 0);
}

static void test_absent_nan_dup(void **state)
{
	struct metrics_verdict v;

	(void)state;
	RULES("a gauge a > 5 degrade -10", "b gauge b > 5 degrade -10");
	v = scrape("b 1\n", 0);                                 /* a absent: b decides */
	assert_int_equal(v.result, CHECK_RES_PASS);
	v = scrape("x 1\n", 1);
	assert_int_equal(v.result, CHECK_RES_FAIL);
	assert_string_equal(v.reason, "no rule's metric in the scrape");
	v = scrape("a NaN\nb 1\n", 2);                          /* NaN skipped */
	assert_int_equal(v.result, CHECK_RES_PASS);
	assert_int_equal(SC.nan, 1);
	/* The same series twice counts once: 4, not 8. */
	v = scrape("a{x=\"1\"} 4\na{x=\"1\"} 4\nb 1\n", 3);
	assert_int_equal(v.result, CHECK_RES_PASS);
	assert_int_equal(SC.duplicates, 1);
	v = scrape("a{x=\"1\"} 4\na{x=\"2\"} 4\nb 1\n", 4);
	assert_int_equal(v.result, CHECK_RES_DEGRADED);
	/* A rule turned off reads nothing. */
	R[0].off = true;
	v = scrape("a 100\nb 1\n", 5);
	assert_int_equal(v.result, CHECK_RES_PASS);
}

static void test_same(void **state)
{
	struct metrics_rule a, b;
	char why[128];

	(void)state;
	assert_int_equal(metrics_rule_parse("q gauge a > 1 degrade -5", &a, why, sizeof(why)), 0);
	assert_int_equal(metrics_rule_parse("q gauge a > 1 degrade -9", &b, why, sizeof(why)), 0);
	assert_true(metrics_rule_same(&a, &b));            /* weights aside */
	metrics_rule_free(&b);
	assert_int_equal(metrics_rule_parse("q gauge a > 2 degrade -5", &b, why, sizeof(why)), 0);
	assert_false(metrics_rule_same(&a, &b));
	metrics_rule_free(&b);
	assert_int_equal(metrics_rule_copy(&b, &a), 0);
	assert_true(metrics_rule_same(&a, &b));
	assert_ptr_not_equal(a.metric, b.metric);
	metrics_rule_free(&a);
	metrics_rule_free(&b);
}

static int teardown(void **state)
{
	(void)state;
	for (size_t i = 0; i < NR; i++)
		metrics_rule_free(&R[i]);
	NR = 0;
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grammar),
		cmocka_unit_test(test_presets_parse),
		cmocka_unit_test(test_gauge),
		cmocka_unit_test(test_degrade_cap),
		cmocka_unit_test(test_down_severity),
		cmocka_unit_test(test_rate),
		cmocka_unit_test(test_stall),
		cmocka_unit_test(test_absent_nan_dup),
		cmocka_unit_test(test_same),
	};

	return cmocka_run_group_tests(tests, NULL, teardown);
}
