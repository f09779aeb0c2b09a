/* prom_parse.c: the Prometheus text format, one line at a time (the rules
 * and the limits are in prom_parse.h). */
#include "prom_parse.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void prom_parse_init(struct prom_parser *p, prom_sample_fn *fn, void *arg)
{
	memset(&p->st, 0, sizeof(p->st));
	p->fn = fn;
	p->arg = arg;
	p->skipping = false;
	p->len = 0;
}

static bool is_name_start(int c, bool metric)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	       (metric && c == ':');
}

static bool is_name_char(int c, bool metric)
{
	return is_name_start(c, metric) || (c >= '0' && c <= '9');
}

static size_t skip_blank(const char *s, size_t i, size_t n)
{
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	return i;
}

/* Strict decimal syntax first, so that strtod's extensions (hex floats,
 * "nan(...)", leading spaces) cannot slip through; strtod then does the
 * rounding, which is what it is good at. */
int prom_value_parse(const char *s, size_t n, double *out)
{
	char buf[64];
	size_t i = 0, digits = 0;
	const char *w;
	char *end;
	double v;

	if (n == 0 || n >= sizeof(buf))
		goto bad;
	w = s + (s[0] == '+' || s[0] == '-');
	if ((size_t)(w - s) < n) {
		size_t rest = n - (size_t)(w - s);

		if ((rest == 3 && !strncasecmp(w, "inf", 3)) ||
		    (rest == 8 && !strncasecmp(w, "infinity", 8))) {
			*out = s[0] == '-' ? -INFINITY : INFINITY;
			return 0;
		}
		if (w == s && rest == 3 && !strncasecmp(w, "nan", 3)) {
			*out = NAN;
			return 0;
		}
	}
	i = (size_t)(w - s);
	while (i < n && s[i] >= '0' && s[i] <= '9')
		i++, digits++;
	if (i < n && s[i] == '.')
		for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			digits++;
	if (!digits)
		goto bad;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		size_t e0;

		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		e0 = i;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == e0)
			goto bad;
	}
	if (i != n)
		goto bad;
	memcpy(buf, s, n);
	buf[n] = '\0';
	errno = 0;
	v = strtod(buf, &end);
	/* Overflow is an error for Go's ParseFloat, so for Prometheus too. */
	if (*end || (errno == ERANGE && isinf(v)))
		goto bad;
	*out = v;
	return 0;
bad:
	errno = EINVAL;
	return -1;
}

static int ts_parse(const char *s, size_t n, int64_t *out)
{
	char buf[24];
	char *end;
	long long v;

	if (n == 0 || n >= sizeof(buf))
		return -1;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (i == 0 && (s[i] == '-' || s[i] == '+'))))
			return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	errno = 0;
	v = strtoll(buf, &end, 10);
	if (*end || errno == ERANGE || end == buf)
		return -1;
	*out = v;
	return 0;
}

/* The labels after '{' at s[i]: sets *end past the '}'. NULL, or why not. */
static const char *labels_scan(const char *s, size_t i, size_t n, size_t *end)
{
	const char *names[PROM_LABELS_MAX];
	size_t lens[PROM_LABELS_MAX], k = 0;

	for (;;) {
		size_t n0;

		i = skip_blank(s, i, n);
		if (i < n && s[i] == '}')
			break;
		if (i >= n || !is_name_start((unsigned char)s[i], false))
			return "bad label name";
		n0 = i;
		while (i < n && is_name_char((unsigned char)s[i], false))
			i++;
		if (k == PROM_LABELS_MAX)
			return "too many labels";
		for (size_t j = 0; j < k; j++)
			if (lens[j] == i - n0 && !memcmp(names[j], s + n0, i - n0))
				return "label given twice";
		names[k] = s + n0;
		lens[k++] = i - n0;
		i = skip_blank(s, i, n);
		if (i >= n || s[i] != '=')
			return "no '=' after a label name";
		i = skip_blank(s, i + 1, n);
		if (i >= n || s[i] != '"')
			return "label value not quoted";
		for (i++; i < n && s[i] != '"'; i++)
			if (s[i] == '\\' && ++i >= n)
				break;
		if (i >= n)
			return "unterminated label value";
		i = skip_blank(s, i + 1, n);
		if (i < n && s[i] == ',') {
			i++;
			continue;
		}
		if (i < n && s[i] == '}')
			break;
		return "no ',' or '}' after a label value";
	}
	*end = i + 1;
	return NULL;
}

static const char *sample_parse(const char *s, size_t n, struct prom_sample *out)
{
	size_t i = skip_blank(s, 0, n), v0;
	const char *why;

	memset(out, 0, sizeof(*out));
	if (!is_name_start((unsigned char)s[i], true))
		return "bad metric name";
	out->name = s + i;
	while (i < n && is_name_char((unsigned char)s[i], true))
		i++;
	out->name_len = (size_t)(s + i - out->name);
	if (i < n && s[i] == '{') {
		size_t end;

		if ((why = labels_scan(s, i + 1, n, &end)))
			return why;
		out->labels = s + i + 1;
		out->labels_len = end - i - 2;
		i = end;
	}
	if (i >= n || (s[i] != ' ' && s[i] != '\t'))
		return "no value";
	i = skip_blank(s, i, n);
	v0 = i;
	while (i < n && s[i] != ' ' && s[i] != '\t')
		i++;
	if (prom_value_parse(s + v0, i - v0, &out->value) < 0)
		return "bad value";
	i = skip_blank(s, i, n);
	if (i < n) {
		size_t t0 = i;

		while (i < n && s[i] != ' ' && s[i] != '\t')
			i++;
		if (ts_parse(s + t0, i - t0, &out->ts_ms) < 0)
			return "bad timestamp";
		out->has_ts = true;
		if (skip_blank(s, i, n) != n)
			return "text after the timestamp";
	}
	return NULL;
}

static void line_done(struct prom_parser *p)
{
	const char *s = p->line, *why = NULL;
	size_t n = p->len, i;
	struct prom_sample smp;

	p->st.lines++;
	if (n && s[n - 1] == '\r')
		n--;
	i = skip_blank(s, 0, n);
	if (i == n)
		return;
	if (memchr(s, '\0', n))
		why = "NUL byte";
	else if (s[i] == '#')
		p->st.comments++;
	else if (!(why = sample_parse(s, n, &smp))) {
		p->st.samples++;
		if (p->fn)
			p->fn(p->arg, &smp);
	}
	if (why) {
		p->st.bad++;
		if (!p->st.error) {
			p->st.error = why;
			p->st.error_line = p->st.lines;
		}
	}
}

void prom_parse_feed(struct prom_parser *p, const void *buf, size_t n)
{
	const char *s = buf;

	while (n) {
		const char *nl = memchr(s, '\n', n);
		size_t take = nl ? (size_t)(nl - s) : n;

		if (!p->skipping) {
			if (take > PROM_LINE_MAX - p->len) {
				p->skipping = true;
				p->st.too_long++;
			} else {
				memcpy(p->line + p->len, s, take);
				p->len += take;
			}
		}
		if (!nl)
			return;
		if (p->skipping)
			p->st.lines++;
		else
			line_done(p);
		p->skipping = false;
		p->len = 0;
		s = nl + 1;
		n -= take + 1;
	}
}

void prom_parse_end(struct prom_parser *p)
{
	if (!p->skipping && p->len)
		line_done(p);
	else if (p->skipping)
		p->st.lines++;
	p->skipping = false;
	p->len = 0;
}

int prom_label_get(const struct prom_sample *s, const char *key, char *out, size_t size)
{
	const char *l = s->labels, *end = s->labels + s->labels_len;
	size_t klen = strlen(key);

	/* The labels were validated: names, '=', quoted values, commas. */
	while (l && l < end) {
		const char *n0;
		size_t nlen, o = 0;
		bool match;

		while (l < end && (*l == ' ' || *l == '\t' || *l == ','))
			l++;
		if (l >= end)
			break;
		n0 = l;
		while (l < end && is_name_char((unsigned char)*l, false))
			l++;
		nlen = (size_t)(l - n0);
		match = nlen == klen && !memcmp(n0, key, klen);
		while (l < end && *l != '"')
			l++;
		for (l++; l < end && *l != '"'; l++) {
			char c = *l;

			if (c == '\\' && l + 1 < end) {
				c = *++l;
				if (c == 'n')
					c = '\n';
				else if (c != '\\' && c != '"') {
					/* Kept as written. */
					if (match && o + 1 < size)
						out[o] = '\\';
					o++;
				}
			}
			if (match && o + 1 < size)
				out[o] = c;
			o++;
		}
		l++;
		if (match) {
			if (o + 1 > size) {
				if (size)
					out[0] = '\0';
				errno = ENOSPC;
				return -1;
			}
			out[o] = '\0';
			return 0;
		}
	}
	errno = ENOENT;
	return -1;
}
