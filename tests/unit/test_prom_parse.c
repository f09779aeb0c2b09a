/* Prometheus text parser: samples, labels and their escapes, values
 * (NaN, +Inf, -Inf, exponents), timestamps, comments, CRLF, a last line
 * without newline, hostile lines (too long, NUL, malformed) counted and
 * dropped without losing the rest. Every document is also fed byte by
 * byte: the result must not depend on how the body arrives. */
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

#include "prom_parse.h"

#define MAXS 16

struct got {
	size_t n;
	char name[MAXS][256];
	char labels[MAXS][512];
	double value[MAXS];
	bool has_ts[MAXS];
	int64_t ts[MAXS];
	char model[MAXS][128];  /* label model_name, unescaped; "-" when absent */
};

static void on_sample(void *arg, const struct prom_sample *s)
{
	struct got *g = arg;

	if (g->n == MAXS)
		return;
	snprintf(g->name[g->n], sizeof(g->name[0]), "%.*s", (int)s->name_len, s->name);
	snprintf(g->labels[g->n], sizeof(g->labels[0]), "%.*s", (int)s->labels_len,
		 s->labels ? s->labels : "");
	g->value[g->n] = s->value;
	g->has_ts[g->n] = s->has_ts;
	g->ts[g->n] = s->ts_ms;
	if (prom_label_get(s, "model_name", g->model[g->n], sizeof(g->model[0])) < 0)
		snprintf(g->model[g->n], sizeof(g->model[0]), "-");
	g->n++;
}

static struct prom_parser *P;

/* Parse text whole and byte by byte; both must agree. Returns the stats. */
static struct prom_stats parse(const char *text, size_t len, struct got *g)
{
	struct got g2;
	struct prom_stats st;

	memset(g, 0, sizeof(*g));
	prom_parse_init(P, on_sample, g);
	prom_parse_feed(P, text, len);
	prom_parse_end(P);
	st = P->st;
	memset(&g2, 0, sizeof(g2));
	prom_parse_init(P, on_sample, &g2);
	for (size_t i = 0; i < len; i++)
		prom_parse_feed(P, text + i, 1);
	prom_parse_end(P);
	assert_int_equal(g2.n, g->n);
	for (size_t i = 0; i < g->n; i++) {
		assert_string_equal(g2.name[i], g->name[i]);
		assert_string_equal(g2.labels[i], g->labels[i]);
		assert_true(memcmp(&g2.value[i], &g->value[i], sizeof(double)) == 0 ||
			    (isnan(g2.value[i]) && isnan(g->value[i])));
	}
	assert_int_equal(P->st.bad, st.bad);
	assert_int_equal(P->st.too_long, st.too_long);
	assert_int_equal(P->st.samples, st.samples);
	return st;
}

#define PARSE(text, g) parse(text, strlen(text), g)

/* The vLLM documentation's example, shortened (docs.vllm.ai, Production
 * Metrics). */
static void test_vllm_doc(void **state)
{
	struct got g;
	struct prom_stats st = PARSE(
		"# HELP vllm:num_requests_waiting Number of requests waiting to be processed.\n"
		"# TYPE vllm:num_requests_waiting gauge\n"
		"vllm:num_requests_waiting{engine=\"0\",model_name=\"unsloth/Llama-3.2-1B-Instruct\"} 3.0\n"
		"# TYPE vllm:iteration_tokens_total histogram\n"
		"vllm:iteration_tokens_total_bucket{le=\"+Inf\",model_name=\"m\"} 3.0\n"
		"vllm:num_preemptions_total 1.2e+01\n", &g);

	(void)state;
	assert_int_equal(g.n, 3);
	assert_string_equal(g.name[0], "vllm:num_requests_waiting");
	assert_string_equal(g.model[0], "unsloth/Llama-3.2-1B-Instruct");
	assert_true(g.value[0] == 3.0);
	assert_string_equal(g.labels[1], "le=\"+Inf\",model_name=\"m\"");
	assert_string_equal(g.name[2], "vllm:num_preemptions_total");
	assert_string_equal(g.labels[2], "");
	assert_string_equal(g.model[2], "-");
	assert_true(g.value[2] == 12.0);
	assert_int_equal(st.comments, 3);
	assert_int_equal(st.bad, 0);
	assert_int_equal(st.samples, 3);
}

static void test_values(void **state)
{
	struct got g;
	struct prom_stats st = PARSE(
		"a NaN\nb +Inf\nc -Inf\nd inf\ne 1e3\nf -0.5\ng .5\nh 7 1700000000000\n"
		"i 1 -5\nj 0x10\nk nan(1)\nl 1e999\nm +NaN\nn 1.\n", &g);

	(void)state;
	assert_int_equal(g.n, 10);
	assert_true(isnan(g.value[0]));
	assert_true(isinf(g.value[1]) && g.value[1] > 0);
	assert_true(isinf(g.value[2]) && g.value[2] < 0);
	assert_true(isinf(g.value[3]) && g.value[3] > 0);
	assert_true(g.value[4] == 1000.0);
	assert_true(g.value[5] == -0.5);
	assert_true(g.value[6] == 0.5);
	assert_true(g.has_ts[7] && g.ts[7] == 1700000000000LL && g.value[7] == 7);
	assert_true(g.has_ts[8] && g.ts[8] == -5);
	assert_string_equal(g.name[9], "n");
	/* Hex, nan(...), an overflow and a signed NaN: Go's ParseFloat
	 * refuses them, so Prometheus does, so do we. */
	assert_int_equal(st.bad, 4);
}

static void test_value_parse(void **state)
{
	double v;

	(void)state;
	assert_int_equal(prom_value_parse("0.95", 4, &v), 0);
	assert_true(v == 0.95);
	assert_int_equal(prom_value_parse("-Infinity", 9, &v), 0);
	assert_true(isinf(v) && v < 0);
	assert_int_equal(prom_value_parse("", 0, &v), -1);
	assert_int_equal(prom_value_parse(" 1", 2, &v), -1);
	assert_int_equal(prom_value_parse("1 ", 2, &v), -1);
	assert_int_equal(prom_value_parse("1e", 2, &v), -1);
	assert_int_equal(prom_value_parse("e5", 2, &v), -1);
	assert_int_equal(prom_value_parse("--1", 3, &v), -1);
	assert_int_equal(errno, EINVAL);
}

static void test_labels(void **state)
{
	struct got g;
	char out[64];
	struct prom_sample s;
	struct prom_stats st = PARSE(
		"x{model_name=\"a\\\"b\\\\c\\nd\"} 1\n"            /* escapes */
		"x{ model_name = \"sp\" , other=\"}\" , } 2\n"     /* blanks, '}' inside, trailing , */
		"x{model_name=\"\\q\"} 3\n"                        /* unknown escape kept */
		"x{} 4\n"                                          /* empty label set */
		"x{a=\"1\",a=\"2\"} 5\n"                           /* label twice: bad */
		"x{1a=\"1\"} 6\n"                                  /* bad label name */
		"x{a=1} 7\n"                                       /* unquoted */
		"x{a=\"1\" 8\n"                                    /* unterminated set */
		"x{a=\"1} 9\n"                                     /* unterminated value */
		"x{a=\"1\"b=\"2\"} 10\n"                           /* no comma */
		"x{a:b=\"1\"} 11\n",                               /* ':' not in label names */
		&g);

	(void)state;
	assert_int_equal(g.n, 4);
	assert_string_equal(g.model[0], "a\"b\\c\nd");
	assert_string_equal(g.model[1], "sp");
	assert_string_equal(g.model[2], "\\q");
	assert_string_equal(g.labels[3], "");
	assert_int_equal(st.bad, 7);
	/* ENOSPC, ENOENT */
	memset(&s, 0, sizeof(s));
	s.labels = "k=\"abcdef\"";
	s.labels_len = strlen(s.labels);
	assert_int_equal(prom_label_get(&s, "k", out, 4), -1);
	assert_int_equal(errno, ENOSPC);
	assert_int_equal(prom_label_get(&s, "k", out, 7), 0);
	assert_string_equal(out, "abcdef");
	assert_int_equal(prom_label_get(&s, "kk", out, sizeof(out)), -1);
	assert_int_equal(errno, ENOENT);
}

static void test_too_many_labels(void **state)
{
	char line[2048];
	size_t o = 0;
	struct got g;
	struct prom_stats st;

	(void)state;
	o += (size_t)snprintf(line + o, sizeof(line) - o, "m{");
	for (int i = 0; i <= PROM_LABELS_MAX; i++)
		o += (size_t)snprintf(line + o, sizeof(line) - o, "l%d=\"v\",", i);
	snprintf(line + o, sizeof(line) - o, "} 1\nok 2\n");
	st = PARSE(line, &g);
	assert_int_equal(st.bad, 1);
	assert_int_equal(g.n, 1);
	assert_string_equal(st.error, "too many labels");
}

static void test_line_endings(void **state)
{
	struct got g;
	struct prom_stats st = PARSE("a 1\r\n\r\n  \t\nb 2\r\nc 3", &g);

	(void)state;
	assert_int_equal(g.n, 3);
	assert_true(g.value[0] == 1 && g.value[1] == 2 && g.value[2] == 3);
	assert_int_equal(st.bad, 0);
	assert_int_equal(st.lines, 5);
}

static void test_malformed(void **state)
{
	struct got g;
	struct prom_stats st = PARSE(
		"1abc 1\n"              /* bad name */
		"abc\n"                 /* no value */
		"abc 1 2 3\n"           /* text after the timestamp */
		"abc 1 x\n"             /* bad timestamp */
		"abc 1 99999999999999999999\n" /* timestamp overflow */
		"abc  \t 5 \t\n"        /* fine: blanks around */
		"abc{} \n"              /* no value */
		"abc\t2\n", &g);        /* fine: a tab */

	(void)state;
	assert_int_equal(g.n, 2);
	assert_int_equal(st.bad, 6);
	assert_string_equal(st.error, "bad metric name");
	assert_int_equal(st.error_line, 1);
}

/* A line over PROM_LINE_MAX is skipped whole, without being stored, and
 * the next one is read; so is one that ends the body. A NUL spoils only
 * its line. */
static void test_hostile(void **state)
{
	size_t big = PROM_LINE_MAX * 3;
	char *t = malloc(big + PROM_LINE_MAX + 128);
	struct got g;
	struct prom_stats st;
	size_t o;

	(void)state;
	assert_non_null(t);
	memset(t, 'a', big);
	o = big;
	o += (size_t)sprintf(t + o, " 1\nok 2\n");
	t[o++] = 'z';
	t[o++] = '\0';
	o += (size_t)sprintf(t + o, " 3\nend 4\n");
	memset(t + o, 'b', PROM_LINE_MAX + 1);
	st = parse(t, o + PROM_LINE_MAX + 1, &g);
	assert_int_equal(g.n, 2);
	assert_string_equal(g.name[0], "ok");
	assert_string_equal(g.name[1], "end");
	assert_int_equal(st.too_long, 2);
	assert_int_equal(st.bad, 1);
	assert_string_equal(st.error, "NUL byte");
	/* Exactly PROM_LINE_MAX is kept. */
	memset(t, 'c', PROM_LINE_MAX - 2);
	memcpy(t + PROM_LINE_MAX - 2, " 1\n", 3);
	st = parse(t, PROM_LINE_MAX + 1, &g);
	assert_int_equal(st.too_long, 0);
	assert_int_equal(g.n, 1);
	free(t);
}

/* The same series twice is the parser's to pass on: the rules drop the
 * second (test_metrics_eval). */
static void test_duplicates_passed(void **state)
{
	struct got g;

	(void)state;
	PARSE("a{x=\"1\"} 1\na{x=\"1\"} 2\n", &g);
	assert_int_equal(g.n, 2);
}

static int setup(void **state)
{
	(void)state;
	P = malloc(sizeof(*P));
	return P ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	free(P);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vllm_doc),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_value_parse),
		cmocka_unit_test(test_labels),
		cmocka_unit_test(test_too_many_labels),
		cmocka_unit_test(test_line_endings),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_duplicates_passed),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
