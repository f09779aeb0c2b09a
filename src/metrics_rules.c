/* metrics_rules.c: a metrics check's rules as written in hafd.conf, and the
 * presets per engine in that same syntax (so the man page can show them as
 * they are, and a user can copy one and change it). */
#include "metrics_rules.h"

#include "prom_parse.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "parse.h"

#define TOK_MAX 12

static __attribute__((format(printf, 3, 4))) int fail(char *why, size_t len, const char *f, ...)
{
	va_list ap;

	va_start(ap, f);
	vsnprintf(why, len, f, ap);
	va_end(ap);
	errno = EINVAL;
	return -1;
}

static bool metric_name_ok(const char *s)
{
	if (!*s || strlen(s) > METRICS_NAME_MAX)
		return false;
	for (const char *c = s; *c; c++) {
		bool alpha = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || *c == '_' ||
			*c == ':';

		if (!alpha && (c == s || *c < '0' || *c > '9'))
			return false;
	}
	return true;
}

static bool rule_name_ok(const char *s)
{
	size_t n = strlen(s);

	if (!n || n >= METRICS_RULE_NAME_MAX)
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == n;
}

static int weight_get(const char *s, bool degrade, int *out, char *why, size_t len)
{
	long w;

	if (parse_int(s, -254, degrade ? -1 : 254, &w) < 0)
		return fail(why, len, "weight '%s' (allowed: %s)", s,
			    degrade ? "-254..-1 for degrade" : "-254..254 for down");
	*out = (int)w;
	return 0;
}

static int rule_parse(const char *text, struct metrics_rule *r, char *why, size_t len)
{
	char buf[256], pend[256], *tok[TOK_MAX + 1], *save = NULL;
	size_t n = 0, i;

	memset(r, 0, sizeof(*r));
	if (strlen(text) >= sizeof(buf))
		return fail(why, len, "too long");
	snprintf(buf, sizeof(buf), "%s", text);
	for (char *t = strtok_r(buf, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
		if (n == TOK_MAX)
			return fail(why, len, "too many words");
		tok[n++] = t;
	}
	if (n < 2)
		return fail(why, len, "a name and a kind are needed");
	if (!rule_name_ok(tok[0]))
		return fail(why, len, "'%s' is not a rule name (allowed: letters, digits, _ and -, "
			    "at most %d)", tok[0], METRICS_RULE_NAME_MAX - 1);
	snprintf(r->name, sizeof(r->name), "%s", tok[0]);
	if (!strcmp(tok[1], "off")) {
		if (n != 2)
			return fail(why, len, "nothing may follow off");
		r->off = true;
		return 0;
	}
	if (!strcmp(tok[1], "gauge"))
		r->kind = METRICS_GAUGE;
	else if (!strcmp(tok[1], "rate"))
		r->kind = METRICS_RATE;
	else if (!strcmp(tok[1], "stall"))
		r->kind = METRICS_STALL;
	else
		return fail(why, len, "'%s' is not a kind (allowed: gauge, rate, stall, off)",
			    tok[1]);
	if (n < 3 || !metric_name_ok(tok[2]))
		return fail(why, len, "'%s' is not a metric name (allowed: [a-zA-Z_:][a-zA-Z0-9_:]*)",
			    n < 3 ? "" : tok[2]);
	i = 3;
	if (r->kind == METRICS_STALL) {
		char *p, *s2 = NULL;

		if (n < 7 || strcmp(tok[3], "for") || strcmp(tok[5], "while"))
			return fail(why, len, "a stall is NAME stall COUNTER for DURATION while "
				    "GAUGE[+GAUGE...] EFFECT");
		if (parse_duration_us(tok[4], &r->stall_us) < 0 || r->stall_us < 1000000 ||
		    r->stall_us > 3600000000ull)
			return fail(why, len, "'%s' is not a stall duration (allowed: 1s..1h)", tok[4]);
		snprintf(pend, sizeof(pend), "%s", tok[6]);
		for (p = strtok_r(pend, "+", &s2); p; p = strtok_r(NULL, "+", &s2)) {
			if (!metric_name_ok(p))
				return fail(why, len, "'%s' is not a metric name", p);
			if (r->n_pending == METRICS_PENDING_MAX)
				return fail(why, len, "at most %d pending gauges", METRICS_PENDING_MAX);
			r->pending[r->n_pending++] = p;         /* copied below */
		}
		if (!r->n_pending)
			return fail(why, len, "no pending gauge after while");
		i = 7;
	} else {
		if (n < 5 || (strcmp(tok[3], ">") && strcmp(tok[3], "<")))
			return fail(why, len, "'%s' is not a comparison (allowed: > or <)",
				    n < 4 ? "" : tok[3]);
		r->below = tok[3][0] == '<';
		if (prom_value_parse(tok[4], strlen(tok[4]), &r->threshold) < 0 ||
		    !isfinite(r->threshold))
			return fail(why, len, "'%s' is not a threshold (allowed: a finite number)",
				    tok[4]);
		i = 5;
	}
	if (i >= n)
		return fail(why, len, "no effect (allowed: down [WEIGHT] or degrade WEIGHT)");
	if (!strcmp(tok[i], "down")) {
		r->effect = METRICS_DOWN;
		i++;
		if (i < n && strncmp(tok[i], "agg=", 4)) {
			if (weight_get(tok[i], false, &r->weight, why, len) < 0)
				return -1;
			r->has_weight = true;
			i++;
		}
	} else if (!strcmp(tok[i], "degrade")) {
		r->effect = METRICS_DEGRADE;
		if (++i >= n)
			return fail(why, len, "degrade needs a weight (allowed: -254..-1)");
		if (weight_get(tok[i], true, &r->weight, why, len) < 0)
			return -1;
		r->has_weight = true;
		i++;
	} else {
		return fail(why, len, "'%s' is not an effect (allowed: down [WEIGHT] or degrade "
			    "WEIGHT)", tok[i]);
	}
	if (i < n && !strncmp(tok[i], "agg=", 4)) {
		const char *a = tok[i] + 4;

		if (!strcmp(a, "sum"))
			r->agg = METRICS_SUM;
		else if (!strcmp(a, "max"))
			r->agg = METRICS_MAX;
		else if (!strcmp(a, "min"))
			r->agg = METRICS_MIN;
		else
			return fail(why, len, "'%s' is not an aggregation (allowed: agg=sum, agg=max, "
				    "agg=min)", tok[i]);
		i++;
	}
	if (i < n)
		return fail(why, len, "'%s' is not expected here", tok[i]);
	/* Everything is valid: now the copies. */
	r->metric = strdup(tok[2]);
	for (size_t k = 0; k < r->n_pending; k++)
		r->pending[k] = strdup(r->pending[k]);
	for (size_t k = 0; k < r->n_pending; k++)
		if (!r->pending[k])
			goto oom;
	if (!r->metric)
		goto oom;
	return 0;
oom:
	metrics_rule_free(r);
	snprintf(why, len, "out of memory");
	errno = ENOMEM;
	return -1;
}

int metrics_rule_parse(const char *text, struct metrics_rule *r, char *why, size_t len)
{
	if (rule_parse(text, r, why, len) == 0)
		return 0;
	if (errno != ENOMEM)
		memset(r, 0, sizeof(*r));     /* pending may point into rule_parse's buffer */
	return -1;
}

void metrics_rule_free(struct metrics_rule *r)
{
	free(r->metric);
	r->metric = NULL;
	for (size_t k = 0; k < r->n_pending; k++) {
		free(r->pending[k]);
		r->pending[k] = NULL;
	}
	r->n_pending = 0;
}

int metrics_rule_copy(struct metrics_rule *dst, const struct metrics_rule *src)
{
	*dst = *src;
	dst->metric = NULL;
	dst->n_pending = 0;
	if (src->metric && !(dst->metric = strdup(src->metric)))
		goto oom;
	for (size_t k = 0; k < src->n_pending; k++) {
		if (!(dst->pending[k] = strdup(src->pending[k])))
			goto oom;
		dst->n_pending++;
	}
	return 0;
oom:
	metrics_rule_free(dst);
	errno = ENOMEM;
	return -1;
}

static bool str_eq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

bool metrics_rule_same(const struct metrics_rule *a, const struct metrics_rule *b)
{
	if (strcmp(a->name, b->name) || a->kind != b->kind || a->off != b->off ||
	    !str_eq(a->metric, b->metric) || a->n_pending != b->n_pending ||
	    a->below != b->below || a->threshold != b->threshold || a->stall_us != b->stall_us ||
	    a->agg != b->agg || a->effect != b->effect)
		return false;
	for (size_t k = 0; k < a->n_pending; k++)
		if (!str_eq(a->pending[k], b->pending[k]))
			return false;
	return true;
}

/* ---- presets ------------------------------------------------------------
 * The metric names were read in each project's code and documentation;
 * hafd.conf(5) cites the versions. The thresholds are starting points
 * meant to be tuned: a queue of 32 waiting requests, a KV cache 95% full
 * (the busiest engine: agg=max), more than one preemption a second, and no
 * generated token for 30 s (60 s for Triton, whose counters move when a
 * request completes) while requests are waiting or running. */

/* vLLM V1 engine (vllm/v1/metrics/loggers.py): prometheus_client appends
 * _total to a Counter on the wire. kv_cache_usage_perc replaced
 * gpu_cache_usage_perc (0 to 1, not a percentage). */
static const char *const vllm_rules[] = {
	"queue gauge vllm:num_requests_waiting > 32 degrade -20",
	"kv_cache gauge vllm:kv_cache_usage_perc > 0.95 degrade -10 agg=max",
	"preemptions rate vllm:num_preemptions_total > 1 degrade -10",
	"stall stall vllm:generation_tokens_total for 30s while "
	"vllm:num_requests_running+vllm:num_requests_waiting down",
	NULL,
};

/* SGLang (python/sglang/srt/metrics/collector.py), with --enable-metrics.
 * token_usage is the share of the KV pool in use, 0 to 1. */
static const char *const sglang_rules[] = {
	"queue gauge sglang:num_queue_reqs > 32 degrade -20",
	"kv_cache gauge sglang:token_usage > 0.95 degrade -10 agg=max",
	"stall stall sglang:generation_tokens_total for 30s while "
	"sglang:num_running_reqs+sglang:num_queue_reqs down",
	NULL,
};

/* Text Generation Inference (docs/source/reference/metrics.md): the Rust
 * exporter adds no _total suffix. tgi_batch_inference_success counts the
 * forward passes that worked, prefill and decode. */
static const char *const tgi_rules[] = {
	"queue gauge tgi_queue_size > 32 degrade -20",
	"stall stall tgi_batch_inference_success for 30s while "
	"tgi_queue_size+tgi_batch_current_size down",
	NULL,
};

/* Triton (docs/user_guide/metrics.md), on the metrics port (8002). Its
 * counts move when a request completes: the stall waits longer. */
static const char *const triton_rules[] = {
	"queue gauge nv_inference_pending_request_count > 32 degrade -20",
	"stall stall nv_inference_count for 60s while nv_inference_pending_request_count down",
	NULL,
};

/* llama.cpp's llama-server (tools/server/README.md), with --metrics.
 * n_decode_total moves at every llama_decode() call. */
static const char *const llamacpp_rules[] = {
	"queue gauge llamacpp:requests_deferred > 8 degrade -20",
	"stall stall llamacpp:n_decode_total for 30s while "
	"llamacpp:requests_processing+llamacpp:requests_deferred down",
	NULL,
};

static const struct metrics_preset presets[] = {
	{ "vllm", "vLLM 0.10 and later, vllm/v1/metrics/loggers.py", vllm_rules },
	{ "sglang", "SGLang 0.5, python/sglang/srt/metrics/collector.py", sglang_rules },
	{ "tgi", "TGI 3.x, docs/source/reference/metrics.md", tgi_rules },
	{ "triton", "Triton 24.x-25.x, docs/user_guide/metrics.md", triton_rules },
	{ "llamacpp", "llama.cpp server, tools/server/README.md", llamacpp_rules },
};

const struct metrics_preset *metrics_preset_find(const char *name)
{
	for (size_t i = 0; i < sizeof(presets) / sizeof(presets[0]); i++)
		if (!strcasecmp(name, presets[i].name))
			return &presets[i];
	return NULL;
}

const char *metrics_preset_names(void)
{
	return "vllm, sglang, tgi, triton, llamacpp";
}
