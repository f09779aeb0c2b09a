/* http_parse.c: incremental HTTP/1.x response parser (see http_parse.h).
 * Lines are gathered into a bounded buffer; bodies are copied straight from
 * the caller's bytes. Every index is checked against a length we own. */
#include "http_parse.h"

#include <string.h>
#include <strings.h>

enum {
	ST_STATUS,              /* status line */
	ST_HEADER,              /* header lines until an empty one */
	ST_BODY_LENGTH,         /* Content-Length bytes */
	ST_BODY_CLOSE,          /* until the server closes */
	ST_CHUNK_SIZE,          /* chunk-size line */
	ST_CHUNK_DATA,
	ST_CHUNK_END,           /* the CRLF after a chunk's data */
	ST_TRAILER,             /* trailer lines until an empty one */
	ST_FINISHED,            /* DONE or ERROR: see result */
};

#define CHUNK_MAX ((uint64_t)1 << 60)
#define LENGTH_MAX ((uint64_t)1 << 60)

void http_parse_init(struct http_parser *p, bool head_request)
{
	/* The body buffer is not cleared: body_len says what is valid. */
	memset(p, 0, offsetof(struct http_parser, line));
	p->line[0] = '\0';
	p->head_request = head_request;
	p->state = ST_STATUS;
	p->result = HTTP_MORE;
}

static enum http_status fail(struct http_parser *p, const char *why)
{
	p->error = why;
	p->state = ST_FINISHED;
	p->result = HTTP_ERROR;
	return HTTP_ERROR;
}

static enum http_status finish(struct http_parser *p)
{
	p->state = ST_FINISHED;
	p->result = HTTP_DONE;
	return HTTP_DONE;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* "HTTP/1.x SSS[ reason]" */
static enum http_status parse_status(struct http_parser *p, const char *s)
{
	if (strncmp(s, "HTTP/1.", 7) || !is_digit(s[7]) || s[8] != ' ')
		return fail(p, "not an HTTP/1.x status line");
	s += 9;
	if (!is_digit(s[0]) || !is_digit(s[1]) || !is_digit(s[2]) || (s[3] && s[3] != ' '))
		return fail(p, "bad status code");
	if (s[0] == '0')
		return fail(p, "bad status code");
	p->version_minor = s[-2] - '0';
	p->status = (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
	p->state = ST_HEADER;
	return HTTP_MORE;
}

static const char *skip_ows(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* Length of v without trailing spaces and tabs. */
static size_t trimmed_len(const char *v)
{
	size_t n = strlen(v);

	while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
		n--;
	return n;
}

static enum http_status header_length(struct http_parser *p, const char *v)
{
	size_t n = trimmed_len(v);
	uint64_t len = 0;

	if (n == 0)
		return fail(p, "bad Content-Length");
	for (size_t i = 0; i < n; i++) {
		if (!is_digit(v[i]) || len > LENGTH_MAX / 10)
			return fail(p, "bad Content-Length");
		len = len * 10 + (uint64_t)(v[i] - '0');
	}
	if (p->has_length && len != p->content_length)
		return fail(p, "conflicting Content-Length headers");
	p->has_length = true;
	p->content_length = len;
	return HTTP_MORE;
}

/* The last coding decides: chunked, or anything else (read to the close). */
static void header_te(struct http_parser *p, const char *v)
{
	const char *last = strrchr(v, ',');

	last = skip_ows(last ? last + 1 : v);
	p->chunked = trimmed_len(last) == 7 && !strncasecmp(last, "chunked", 7);
	p->te_seen = true;
}

static bool is_tchar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) ||
		(c && strchr("!#$%&'*+-.^_`|~", c));
}

static enum http_status parse_header(struct http_parser *p, const char *s)
{
	const char *colon = s;

	if (*s == ' ' || *s == '\t')
		return HTTP_MORE;       /* obsolete line folding: nothing we need */
	while (is_tchar(*colon))
		colon++;
	if (colon == s || *colon != ':')
		return fail(p, "malformed header line");
	if (colon - s == 14 && !strncasecmp(s, "Content-Length", 14))
		return header_length(p, skip_ows(colon + 1));
	if (colon - s == 17 && !strncasecmp(s, "Transfer-Encoding", 17))
		header_te(p, skip_ows(colon + 1));
	return HTTP_MORE;
}

/* The empty line after the headers: decide how the body is framed. */
static enum http_status headers_end(struct http_parser *p)
{
	int st = p->status;

	if (st >= 100 && st < 200 && st != 101) {
		/* Interim response: the real one follows. */
		p->status = 0;
		p->chunked = p->has_length = p->te_seen = false;
		p->content_length = 0;
		p->state = ST_STATUS;
		return HTTP_MORE;
	}
	p->headers_complete = true;
	if (p->head_request || st < 200 || st == 204 || st == 304)
		return finish(p);
	if (p->te_seen && !p->chunked) {
		p->has_length = false;
		p->state = ST_BODY_CLOSE;
	} else if (p->chunked) {
		p->has_length = false;
		p->state = ST_CHUNK_SIZE;
	} else if (p->has_length) {
		if (p->content_length == 0)
			return finish(p);
		p->state = ST_BODY_LENGTH;
	} else {
		p->state = ST_BODY_CLOSE;
	}
	return HTTP_MORE;
}

static int hex_value(char c)
{
	if (is_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* "HEX[ ][;extensions]" */
static enum http_status parse_chunk_size(struct http_parser *p, const char *s)
{
	uint64_t n = 0;
	const char *q = s;
	int d;

	while ((d = hex_value(*q)) >= 0) {
		if (n >= CHUNK_MAX / 16)
			return fail(p, "chunk too large");
		n = n * 16 + (uint64_t)d;
		q++;
	}
	q = skip_ows(q);
	if (q == s || (*q && *q != ';'))
		return fail(p, "bad chunk size");
	p->chunk_left = n;
	p->state = n ? ST_CHUNK_DATA : ST_TRAILER;
	return HTTP_MORE;
}

/* One complete line (CR stripped, NUL-terminated) in the state it ends. */
static enum http_status line_done(struct http_parser *p)
{
	const char *s = p->line;

	switch (p->state) {
	case ST_STATUS:
		if (!*s)
			return HTTP_MORE;       /* stray empty lines before it */
		return parse_status(p, s);
	case ST_HEADER:
		return *s ? parse_header(p, s) : headers_end(p);
	case ST_CHUNK_SIZE:
		return parse_chunk_size(p, s);
	case ST_CHUNK_END:
		if (*s)
			return fail(p, "chunk not followed by CRLF");
		p->state = ST_CHUNK_SIZE;
		return HTTP_MORE;
	case ST_TRAILER:
		return *s ? HTTP_MORE : finish(p);
	default:
		return fail(p, "internal state");
	}
}

static bool in_header_section(const struct http_parser *p)
{
	return p->state == ST_STATUS || p->state == ST_HEADER || p->state == ST_TRAILER;
}

/* Gather bytes of a line from buf; *used is what was taken. A complete
 * line is handed to line_done(). */
static enum http_status line_feed(struct http_parser *p, const char *buf, size_t n,
				  size_t *used)
{
	const char *nl = memchr(buf, '\n', n);
	size_t take = nl ? (size_t)(nl - buf) + 1 : n;
	size_t add = nl ? take - 1 : take;

	*used = take;
	if (in_header_section(p)) {
		p->header_bytes += take;
		if (p->header_bytes > HTTP_HEADERS_MAX)
			return fail(p, "header section too large");
	}
	if (p->line_len + add > HTTP_LINE_MAX)
		return fail(p, "line too long");
	if (memchr(buf, '\0', add))
		return fail(p, "NUL byte in a line");
	memcpy(p->line + p->line_len, buf, add);
	p->line_len += add;
	if (!nl)
		return HTTP_MORE;
	if (p->line_len && p->line[p->line_len - 1] == '\r')
		p->line_len--;
	p->line[p->line_len] = '\0';
	p->line_len = 0;
	return line_done(p);
}

static void body_add(struct http_parser *p, const char *buf, size_t n)
{
	size_t room = HTTP_BODY_KEEP - p->body_len;
	size_t keep = n < room ? n : room;

	if (p->sink) {
		p->body_seen += n;
		if (n)
			p->sink(p->sink_arg, buf, n);
		return;
	}

	memcpy(p->body + p->body_len, buf, keep);
	p->body_len += keep;
	p->body_seen += n;
	if (keep < n)
		p->body_truncated = true;
}

/* Body bytes up to the end of the current framing unit. */
static size_t body_feed(struct http_parser *p, const char *buf, size_t n)
{
	uint64_t left;
	size_t take;

	if (p->state == ST_BODY_CLOSE) {
		body_add(p, buf, n);
		return n;
	}
	left = p->state == ST_BODY_LENGTH ? p->content_length - p->body_seen : p->chunk_left;
	take = left < n ? (size_t)left : n;
	body_add(p, buf, take);
	if (p->state == ST_CHUNK_DATA) {
		p->chunk_left -= take;
		if (!p->chunk_left)
			p->state = ST_CHUNK_END;
	} else if (p->body_seen == p->content_length) {
		finish(p);
	}
	return take;
}

enum http_status http_parse_feed(struct http_parser *p, const void *buf, size_t n)
{
	const char *s = buf;

	if (p->result != HTTP_MORE || n == 0)
		return p->result;
	p->got_bytes = true;
	while (n && p->state != ST_FINISHED) {
		size_t used;

		if (p->state == ST_BODY_LENGTH || p->state == ST_BODY_CLOSE ||
		    p->state == ST_CHUNK_DATA) {
			used = body_feed(p, s, n);
		} else if (line_feed(p, s, n, &used) == HTTP_ERROR) {
			return HTTP_ERROR;
		}
		s += used;
		n -= used;
	}
	return p->result;
}

enum http_status http_parse_eof(struct http_parser *p)
{
	if (p->result != HTTP_MORE)
		return p->result;
	switch (p->state) {
	case ST_BODY_CLOSE:
		return finish(p);
	case ST_STATUS:
		if (!p->got_bytes)
			return fail(p, "connection closed without a response");
		return fail(p, "connection closed in the status line");
	case ST_HEADER:
		return fail(p, "connection closed in the headers");
	default:
		return fail(p, "connection closed before the end of the body");
	}
}

bool http_parse_headers_done(const struct http_parser *p)
{
	return p->headers_complete;
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool same_bytes(const char *a, const char *b, size_t n, bool ci)
{
	if (!ci)
		return !memcmp(a, b, n);
	for (size_t i = 0; i < n; i++)
		if (lower(a[i]) != lower(b[i]))
			return false;
	return true;
}

/* memmem() would need _GNU_SOURCE; this stays plain C for the fuzzers. */
static bool body_find(const struct http_parser *p, const char *needle, bool ci)
{
	size_t n = strlen(needle);

	if (n == 0)
		return true;
	for (size_t i = 0; i + n <= p->body_len; i++)
		if (same_bytes(p->body + i, needle, n, ci))
			return true;
	return false;
}

bool http_parse_body_contains(const struct http_parser *p, const char *needle)
{
	return body_find(p, needle, false);
}

bool http_parse_body_contains_ci(const struct http_parser *p, const char *needle)
{
	return body_find(p, needle, true);
}

/* ---- OpenAI-compatible answers ------------------------------------------ */

#define JSON_DEPTH 32

static const char *j_ws(const char *s, const char *e)
{
	while (s < e && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n'))
		s++;
	return s;
}

/* s at a quote: just past the closing one, or NULL. */
static const char *j_str_end(const char *s, const char *e)
{
	for (s++; s < e; s++) {
		if (*s == '\\') {
			s++;
			continue;
		}
		if (*s == '"')
			return s + 1;
		if ((unsigned char)*s < 0x20)
			return NULL;
	}
	return NULL;
}

/* Just past the value at s, or NULL when it is malformed or too deep. */
static const char *j_skip(const char *s, const char *e, int depth)
{
	char close;

	s = j_ws(s, e);
	if (s >= e || depth > JSON_DEPTH)
		return NULL;
	if (*s == '"')
		return j_str_end(s, e);
	if (*s != '{' && *s != '[') {
		const char *b = s;

		while (s < e && ((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
				 *s == '-' || *s == '+' || *s == '.' || *s == 'E'))
			s++;
		return s > b ? s : NULL;
	}
	close = *s == '{' ? '}' : ']';
	s = j_ws(s + 1, e);
	if (s < e && *s == close)
		return s + 1;
	for (;;) {
		if (close == '}') {
			if (s >= e || *s != '"' || !(s = j_str_end(s, e)))
				return NULL;
			s = j_ws(s, e);
			if (s >= e || *s != ':')
				return NULL;
			s++;
		}
		if (!(s = j_skip(s, e, depth + 1)))
			return NULL;
		s = j_ws(s, e);
		if (s < e && *s == close)
			return s + 1;
		if (s >= e || *s != ',')
			return NULL;
		s = j_ws(s + 1, e);
	}
}

/* The value of member key of the object at s (after blanks), or NULL. */
static const char *j_member(const char *s, const char *e, const char *key)
{
	size_t klen = strlen(key);

	s = j_ws(s, e);
	if (s >= e || *s != '{')
		return NULL;
	s = j_ws(s + 1, e);
	while (s < e && *s == '"') {
		const char *k = s + 1, *kend = j_str_end(s, e);

		if (!kend)
			return NULL;
		s = j_ws(kend, e);
		if (s >= e || *s != ':')
			return NULL;
		s = j_ws(s + 1, e);
		if ((size_t)(kend - 1 - k) == klen && !memcmp(k, key, klen))
			return s;
		if (!(s = j_skip(s, e, 1)))
			return NULL;
		s = j_ws(s, e);
		if (s >= e || *s != ',')
			return NULL;
		s = j_ws(s + 1, e);
	}
	return NULL;
}

/* The value at s is a string with at least one character. */
static bool j_str_nonempty(const char *s, const char *e)
{
	return s && e - s >= 2 && *s == '"' && s[1] != '"';
}

int http_json_str(const char *s, size_t n, const char *key, char *out, size_t len)
{
	const char *e = s + n, *v = j_member(s, e, key), *end;

	if (!v || *v != '"' || !(end = j_str_end(v, e)) || (size_t)(end - v - 2) >= len)
		return -1;
	memcpy(out, v + 1, (size_t)(end - v - 2));
	out[end - v - 2] = '\0';
	return 0;
}

bool http_json_has(const char *s, size_t n, const char *obj, const char *key)
{
	const char *e = s + n, *v = j_member(s, e, obj);

	return v && *v == '{' && j_member(v, e, key);
}

int oai_models_first_id(const char *s, size_t n, char *out, size_t len)
{
	const char *e = s + n, *v = j_member(s, e, "data"), *end;
	size_t k = 0;

	if (!v || *v != '[')
		return -1;
	v = j_member(v + 1, e, "id");
	if (!v || *v != '"' || !(end = j_str_end(v, e)) || end - v < 3)
		return -1;
	for (const char *q = v + 1; q < end - 1; q++) {
		char c = *q;

		if (c == '\\') {
			if (q + 1 >= end - 1 || q[1] != '/')
				return -1;
			c = *++q;
		}
		if ((unsigned char)c < 0x20 || c == '"' || k + 1 >= len)
			return -1;
		out[k++] = c;
	}
	out[k] = '\0';
	return 0;
}

bool oai_has_choices(const char *s, size_t n)
{
	const char *e = s + n, *v = j_member(s, e, "choices");

	if (!v || *v != '[')
		return false;
	v = j_ws(v + 1, e);
	return v < e && *v != ']';
}

/* One choice of a stream chunk (at s) carries a token. */
static bool choice_token(const char *s, const char *e)
{
	const char *d = j_member(s, e, "delta"), *f = j_member(s, e, "finish_reason");

	if (j_str_nonempty(j_member(s, e, "text"), e))
		return true;
	if (d && (j_str_nonempty(j_member(d, e, "content"), e) ||
		  j_str_nonempty(j_member(d, e, "reasoning_content"), e)))
		return true;
	return f && !(e - f >= 4 && !memcmp(f, "null", 4));
}

static bool chunk_token(const char *s, const char *e)
{
	const char *v = j_member(s, e, "choices");

	if (!v || *v != '[')
		return false;
	v = j_ws(v + 1, e);
	while (v < e && *v == '{') {
		const char *next = j_skip(v, e, 1);

		if (!next)
			return false;
		if (choice_token(v, next))
			return true;
		v = j_ws(next, e);
		if (v >= e || *v != ',')
			return false;
		v = j_ws(v + 1, e);
	}
	return false;
}

enum oai_sse oai_sse_scan(const char *s, size_t n, size_t *off, const char **err,
			  size_t *err_len)
{
	while (*off < n) {
		const char *line = s + *off, *nl = memchr(line, '\n', n - *off), *e, *d;

		if (!nl)
			return OAI_SSE_MORE;
		*off = (size_t)(nl - s) + 1;
		e = nl > line && nl[-1] == '\r' ? nl - 1 : nl;
		if (e - line < 5 || memcmp(line, "data:", 5))
			continue;
		d = j_ws(line + 5, e);
		if (e - d == 6 && !memcmp(d, "[DONE]", 6))
			return OAI_SSE_END;
		const char *obj = j_member(d, e, "object");

		if (j_member(d, e, "error") ||
		    (obj && e - obj >= 7 && !memcmp(obj, "\"error\"", 7))) {
			*err = d;
			*err_len = (size_t)(e - d);
			return OAI_SSE_ERROR;
		}
		if (chunk_token(d, e))
			return OAI_SSE_TOKEN;
	}
	return OAI_SSE_MORE;
}
