/* http_req.c: the /metrics endpoint's request reader (see http_req.h). */
#include "http_req.h"

#include <string.h>

static enum http_req_status fail(struct http_req *r, int status, const char *why)
{
	r->error_status = status;
	r->error = why;
	return r->result = HTTP_REQ_ERROR;
}

/* RFC 9110 §5.6.2 tchar */
static bool is_tchar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

static bool all_tchars(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!is_tchar((unsigned char)s[i]))
			return false;
	return n > 0;
}

/* METHOD SP TARGET SP HTTP/1.x, exactly one space each (RFC 9112 §3). */
static enum http_req_status request_line(struct http_req *r, const char *l, size_t n)
{
	const char *sp1 = memchr(l, ' ', n), *sp2, *ver;
	size_t mlen, tlen, vlen;

	if (!sp1)
		return fail(r, 400, "request line without a target");
	mlen = (size_t)(sp1 - l);
	sp2 = memchr(sp1 + 1, ' ', n - mlen - 1);
	if (!sp2)
		return fail(r, 400, "request line without a version");
	tlen = (size_t)(sp2 - sp1 - 1);
	ver = sp2 + 1;
	vlen = n - (size_t)(ver - l);
	if (mlen > HTTP_REQ_METHOD_MAX || !all_tchars(l, mlen))
		return fail(r, 400, "bad method");
	if (tlen > HTTP_REQ_TARGET_MAX)
		return fail(r, 414, "request target too long");
	if (tlen == 0)
		return fail(r, 400, "empty request target");
	for (size_t i = 0; i < tlen; i++)
		if ((unsigned char)sp1[1 + i] <= 0x20 || (unsigned char)sp1[1 + i] >= 0x7f)
			return fail(r, 400, "bad character in the request target");
	if (vlen != 8 || memcmp(ver, "HTTP/", 5) || ver[6] != '.' ||
	    ver[5] < '0' || ver[5] > '9' || ver[7] < '0' || ver[7] > '9')
		return fail(r, 400, "bad HTTP version");
	if (ver[5] != '1')
		return fail(r, 505, "HTTP version not supported");
	memcpy(r->method, l, mlen);
	r->method[mlen] = '\0';
	memcpy(r->target, sp1 + 1, tlen);
	r->target[tlen] = '\0';
	r->version_minor = ver[7] - '0';
	r->line_done = true;
	return HTTP_REQ_MORE;
}

static enum http_req_status header_line(struct http_req *r, const char *l, size_t n)
{
	const char *colon;

	if (l[0] == ' ' || l[0] == '\t')
		return fail(r, 400, "folded header line");
	colon = memchr(l, ':', n);
	if (!colon || !all_tchars(l, (size_t)(colon - l)))
		return fail(r, 400, "bad header name");
	/* The value is not needed: nothing in a header changes the answer. */
	return HTTP_REQ_MORE;
}

/* One line without its terminator (a CR before the LF already dropped). */
static enum http_req_status line_end(struct http_req *r)
{
	const char *l = r->line;
	size_t n = r->line_len;

	r->line_len = 0;
	if (memchr(l, '\0', n) || memchr(l, '\r', n))
		return fail(r, 400, "NUL or bare CR in the request head");
	if (!r->line_done)      /* empty lines before the request line are ignored */
		return n ? request_line(r, l, n) : HTTP_REQ_MORE;
	if (n == 0)
		return r->result = HTTP_REQ_DONE;
	return header_line(r, l, n);
}

void http_req_init(struct http_req *r)
{
	memset(r, 0, sizeof(*r));
	r->result = HTTP_REQ_MORE;
}

enum http_req_status http_req_feed(struct http_req *r, const void *buf, size_t n)
{
	const char *p = buf;

	for (size_t i = 0; i < n && r->result == HTTP_REQ_MORE; i++) {
		if (++r->head_bytes > HTTP_REQ_MAX)
			return r->line_done ? fail(r, 431, "request head too large") :
			       fail(r, 414, "request line too long");
		if (p[i] != '\n') {
			r->line[r->line_len++] = p[i];     /* line_len < head_bytes <= MAX */
			continue;
		}
		if (r->line_len && r->line[r->line_len - 1] == '\r')
			r->line_len--;
		line_end(r);
	}
	return r->result;
}

int http_req_route(const struct http_req *r, const char *path)
{
	size_t n = strlen(path);

	if (strncmp(r->target, path, n) || (r->target[n] && r->target[n] != '?'))
		return 404;
	return strcmp(r->method, "GET") ? 405 : 200;
}

const char *http_req_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 414: return "URI Too Long";
	case 431: return "Request Header Fields Too Large";
	case 503: return "Service Unavailable";
	case 505: return "HTTP Version Not Supported";
	default: return "Error";
	}
}
