/* http_req.h: the HTTP/1.x request reader of hafd's /metrics endpoint, and
 * what the endpoint answers. Pure: feed it the bytes as they arrive, in
 * pieces of any size; it decides, the caller does the I/O.
 *
 * It reads the request line and the header section, nothing after it: the
 * endpoint answers one request and closes (a body is never read). The
 * whole head must fit in HTTP_REQ_MAX bytes, the request target in
 * HTTP_REQ_TARGET_MAX: a longer one is an error the caller answers with
 * the status in error_status (431 or 414), so no client can make it grow.
 * Lines may end in CRLF or a bare LF. Header names must be tokens; a folded
 * line (obsolete line folding, RFC 9112 §5.2) is refused, as a proxy in
 * front could read it another way. It never reads outside what it was
 * given.
 */
#ifndef HTTP_REQ_H
#define HTTP_REQ_H

#include <stdbool.h>
#include <stddef.h>

#define HTTP_REQ_MAX 4096
#define HTTP_REQ_TARGET_MAX 1024
#define HTTP_REQ_METHOD_MAX 16

enum http_req_status {
	HTTP_REQ_MORE,          /* incomplete: feed more */
	HTTP_REQ_DONE,          /* the head is complete; later bytes are ignored */
	HTTP_REQ_ERROR,         /* malformed or too large: see error_status, error */
};

struct http_req {
	/* results */
	char method[HTTP_REQ_METHOD_MAX + 1];
	char target[HTTP_REQ_TARGET_MAX + 1];
	int version_minor;      /* HTTP/1.x */
	int error_status;       /* with HTTP_REQ_ERROR: 400, 414, 431 or 505 */
	const char *error;      /* with HTTP_REQ_ERROR, a static string */
	/* private */
	enum http_req_status result;
	bool line_done;         /* the request line is read */
	size_t head_bytes;      /* of the whole head so far */
	size_t line_len;
	char line[HTTP_REQ_MAX + 1];
};

void http_req_init(struct http_req *r);

/* Feed n bytes (buf may be NULL when n is 0). Returns the reader's status:
 * once DONE or ERROR it stays so and further bytes are ignored. */
enum http_req_status http_req_feed(struct http_req *r, const void *buf, size_t n);

/* The status the endpoint answers a complete request with: 200 for GET on
 * path (a query string is ignored), 405 for another method on path, 404
 * for any other target. */
int http_req_route(const struct http_req *r, const char *path);

/* "OK", "Not Found"... for the statuses this module produces; "Error"
 * for others. */
const char *http_req_reason(int status);

#endif
