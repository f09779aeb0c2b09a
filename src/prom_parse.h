/* prom_parse.h: incremental parser of the Prometheus text exposition format
 * (version 0.0.4, what every inference engine's /metrics serves), for the
 * metrics check. Pure: feed it the body as it arrives, in pieces of any size;
 * it calls back once per valid sample and keeps nothing else.
 *
 * Written for hostile input: a scrape comes from a process that may be
 * broken or compromised. Each line is judged alone: a line that is not
 * valid is counted in `bad` and dropped, never the whole scrape. A line
 * longer than PROM_LINE_MAX is counted in `too_long` and skipped to its
 * newline without being stored, so no input makes the parser grow. Lines
 * end in LF or CRLF; the last one may lack its newline (prom_parse_end).
 *
 * A sample line is NAME[{LABEL="VALUE",...}] VALUE [TIMESTAMP]:
 *  - NAME [a-zA-Z_:][a-zA-Z0-9_:]*, LABEL [a-zA-Z_][a-zA-Z0-9_]*, at most
 *    PROM_LABELS_MAX labels, no label twice, a trailing comma allowed;
 *  - a label value is any bytes but a raw newline, with \" \\ and \n
 *    escapes (other escapes are kept as written, as Prometheus does);
 *  - VALUE a float as Go's ParseFloat reads it: decimal or exponent form,
 *    NaN, +Inf, -Inf (any case); TIMESTAMP an integer (ms).
 * Lines starting with '#' are comments (HELP and TYPE included): counted,
 * not interpreted, as the rules know what type they read. Blank lines are
 * ignored. A NUL byte makes its line bad.
 */
#ifndef HAFD_PROM_PARSE_H
#define HAFD_PROM_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROM_LINE_MAX 16384     /* longer lines are skipped */
#define PROM_LABELS_MAX 32

struct prom_sample {
	const char *name;       /* not NUL-terminated */
	size_t name_len;
	const char *labels;     /* between the braces, escapes as written */
	size_t labels_len;      /* 0: none */
	double value;           /* may be NaN or +-Inf */
	bool has_ts;
	int64_t ts_ms;
};

/* Called once per valid sample; s and what it points at live until it
 * returns. */
typedef void prom_sample_fn(void *arg, const struct prom_sample *s);

struct prom_stats {
	uint64_t lines;         /* every line seen, blank ones included */
	uint64_t samples;       /* passed to the callback */
	uint64_t comments;
	uint64_t bad;           /* malformed, dropped */
	uint64_t too_long;      /* over PROM_LINE_MAX, dropped */
	const char *error;      /* why the first bad line was bad (static), or NULL */
	uint64_t error_line;    /* its number, from 1 */
};

struct prom_parser {
	prom_sample_fn *fn;
	void *arg;
	struct prom_stats st;
	bool skipping;          /* inside a line too long to keep */
	size_t len;
	char line[PROM_LINE_MAX + 1];
};

/* Ready for a new scrape; fn (may be NULL) gets each sample. */
void prom_parse_init(struct prom_parser *p, prom_sample_fn *fn, void *arg);
/* Feed n bytes (buf may be NULL when n is 0). */
void prom_parse_feed(struct prom_parser *p, const void *buf, size_t n);
/* The body ended: parse a last line left without its newline. */
void prom_parse_end(struct prom_parser *p);

/* Value of label key in s, unescaped, NUL-terminated in out (size bytes).
 * 0, or -1 with ENOENT (no such label) or ENOSPC (out too small). */
int prom_label_get(const struct prom_sample *s, const char *key, char *out, size_t size);

/* A sample value or a threshold, as Go's ParseFloat reads it (see above):
 * the n bytes at s, all of them. 0, or -1 with EINVAL. */
int prom_value_parse(const char *s, size_t n, double *out);

#endif
