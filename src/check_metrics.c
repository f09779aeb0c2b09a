/* check_metrics.c: the metrics check. The scrape is an http check's
 * exchange (check_net.c: one non-blocking GET, one deadline, the same
 * timeouts); this file only reads the body as it arrives, through the
 * Prometheus parser (prom_parse.c), and judges it with the rules
 * (metrics_eval.c). It keeps what the rules need between scrapes. */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "http_parse.h"
#include "loop.h"
#include "metrics_eval.h"
#include "prom_parse.h"
#include "check_priv.h"

/* A scrape longer than this is no engine's: a broken or hostile server
 * streaming without end. The deadline would end it too, but this bounds
 * the CPU it costs meanwhile. */
#define SCRAPE_MAX (16u << 20)

struct check_metrics {
	struct prom_parser prom;
	struct metrics_scrape sc;
	struct metrics_state st[METRICS_RULES_MAX];
	uint64_t bytes;                 /* of this scrape's body */
	bool too_big;
};

int check_metrics_prepare(struct check_runner *r)
{
	r->metrics = calloc(1, sizeof(*r->metrics));
	return r->metrics ? 0 : -1;
}

void check_metrics_free(struct check_runner *r)
{
	free(r->metrics);
	r->metrics = NULL;
}

static void sink(void *arg, const char *buf, size_t n)
{
	struct check_metrics *m = arg;

	m->bytes += n;
	if (m->bytes > SCRAPE_MAX)
		m->too_big = true;
	if (!m->too_big)
		prom_parse_feed(&m->prom, buf, n);
}

void check_metrics_start(struct check_runner *r)
{
	struct check_metrics *m = r->metrics;

	prom_parse_init(&m->prom, metrics_eval_sample, &m->sc);
	metrics_eval_begin(&m->sc, r->cfg->rules, r->cfg->n_rules);
	m->bytes = 0;
	m->too_big = false;
	r->http->sink = sink;
	r->http->sink_arg = m;
}

void check_metrics_judge(struct check_runner *r, int status)
{
	struct check_metrics *m = r->metrics;
	const struct prom_stats *ps = &m->prom.st;
	struct metrics_verdict v;
	char dropped[96] = "";
	enum check_kind kind;

	if (status != 200) {
		check_run_done(r, CHECK_RES_FAIL, CHECK_KIND_BAD_STATUS, "status %d", status);
		return;
	}
	if (m->too_big) {
		check_run_done(r, CHECK_RES_FAIL, CHECK_KIND_BAD_REPLY, "scrape over %u MiB",
			       SCRAPE_MAX >> 20);
		return;
	}
	prom_parse_end(&m->prom);
	/* A reload may have replaced the rules by equal ones (weights aside). */
	m->sc.rules = r->cfg->rules;
	metrics_eval_end(&m->sc, m->st, loop_now(check_run_loop(r)), r->cfg->degrade_cap, &v);
	/* Hostile or broken lines were dropped: say how many, once per run. */
	if (ps->bad || ps->too_long || m->sc.duplicates || m->sc.nan)
		snprintf(dropped, sizeof(dropped), "; dropped %llu bad, %llu long, %llu duplicate, "
			 "%llu NaN", (unsigned long long)ps->bad, (unsigned long long)ps->too_long,
			 (unsigned long long)m->sc.duplicates, (unsigned long long)m->sc.nan);
	kind = v.nothing_found ? CHECK_KIND_BAD_REPLY :
		v.result == CHECK_RES_PASS ? CHECK_KIND_OK : CHECK_KIND_RULE;
	r->weighted = v.has_weight;
	r->weight = v.weight;
	check_run_done(r, v.result, kind, "%s%s", v.reason, dropped);
}
