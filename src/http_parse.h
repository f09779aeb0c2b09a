/* http_parse.h: incremental HTTP/1.x response parser for the built-in http
 * check. Pure: feed it the bytes as they arrive, in pieces of any size.
 *
 * It reads the status line, the headers it needs (Content-Length,
 * Transfer-Encoding), and the body framed by Content-Length, by chunked
 * encoding, or by the server closing the connection (no length given).
 * Interim 1xx responses are skipped. Only the first HTTP_BODY_KEEP bytes of
 * the body are kept (for expect_body); the rest is counted and dropped.
 * Lines may end in CRLF or a bare LF. A line longer than HTTP_LINE_MAX or a
 * header section longer than HTTP_HEADERS_MAX is an error, so no input can
 * make it grow without bound; it never reads outside what it was given.
 */
#ifndef HTTP_PARSE_H
#define HTTP_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HTTP_BODY_KEEP (64 * 1024)
#define HTTP_LINE_MAX 8192
#define HTTP_HEADERS_MAX (64 * 1024)

enum http_status {
	HTTP_MORE,              /* incomplete: feed more, or http_parse_eof() */
	HTTP_DONE,              /* response complete; later bytes are ignored */
	HTTP_ERROR,             /* malformed or truncated: see error */
};

struct http_parser {
	/* results */
	int status;             /* status code, 0 until the status line is read */
	int version_minor;      /* HTTP/1.x */
	bool chunked;
	bool has_length;
	uint64_t content_length;
	uint64_t body_seen;     /* body bytes received (after de-chunking) */
	size_t body_len;        /* bytes kept in body[] */
	bool body_truncated;    /* body_seen > body_len */
	const char *error;      /* set with HTTP_ERROR, a static string */
	/* private */
	int state;
	enum http_status result;
	bool head_request;      /* response to HEAD: no body whatever it says */
	bool got_bytes;
	bool headers_complete;  /* of the final (non-1xx) response */
	bool te_seen;           /* Transfer-Encoding given (it beats Content-Length) */
	uint64_t chunk_left;
	size_t header_bytes;    /* of the current header section */
	/* Set after http_parse_init() to receive the whole body (de-chunked) as
	 * it comes instead of keeping its first HTTP_BODY_KEEP bytes. */
	void (*sink)(void *arg, const char *buf, size_t n);
	void *sink_arg;
	size_t line_len;
	char line[HTTP_LINE_MAX + 1];
	char body[HTTP_BODY_KEEP];
};

/* Ready for a response to a request; head_request for HEAD. */
void http_parse_init(struct http_parser *p, bool head_request);

/* Feed n bytes (buf may be NULL when n is 0). Returns the parser's status:
 * once DONE or ERROR it stays so and further bytes are ignored. */
enum http_status http_parse_feed(struct http_parser *p, const void *buf, size_t n);

/* The server closed the connection: DONE for a body read to the close, an
 * ERROR for anything truncated. */
enum http_status http_parse_eof(struct http_parser *p);

/* The headers are complete (status and framing known). */
bool http_parse_headers_done(const struct http_parser *p);

/* needle occurs in the kept part of the body (an empty needle always does). */
bool http_parse_body_contains(const struct http_parser *p, const char *needle);
/* The same with ASCII case ignored. */
bool http_parse_body_contains_ci(const struct http_parser *p, const char *needle);

/* ---- OpenAI-compatible answers (the generation probe) -------------------
 * Pure and bounded like the parser: they read JSON from s[0..n) without
 * building it, to a nesting depth of 32; anything malformed is "not found".
 */

/* The string value of member key of the top-level object, as it is written
 * (escapes not decoded), into out (len bytes with the NUL). 0, or -1 when
 * it is absent, not a string, or does not fit. (Patroni's answers.) */
int http_json_str(const char *s, size_t n, const char *key, char *out, size_t len);
/* The top-level object's member obj is an object with a member key. */
bool http_json_has(const char *s, size_t n, const char *obj, const char *key);

/* The first "id" of the "data" list of a GET /v1/models answer, into out
 * (len bytes with the NUL). 0, or -1 when there is none, it does not fit,
 * or it holds a quote, a backslash other than "\/" or a control character
 * (it goes back into a JSON body as it is). */
int oai_models_first_id(const char *s, size_t n, char *out, size_t len);

/* A completion answer: a JSON object whose "choices" is a non-empty list. */
bool oai_has_choices(const char *s, size_t n);

enum oai_sse {
	OAI_SSE_MORE,           /* no complete event with news: read more */
	OAI_SSE_TOKEN,          /* an event carries a token */
	OAI_SSE_END,            /* "data: [DONE]" */
	OAI_SSE_ERROR,          /* an event carries "error" */
};

/* Scan a server-sent event stream from *off (bytes before it were seen)
 * to the last complete line, and stop at the first "data:" line that
 * decides: one whose JSON has a "choices" entry with a non-empty "text",
 * a "delta" with a non-empty "content" or "reasoning_content", or a
 * non-null "finish_reason" (a token, even one that decodes to nothing);
 * "[DONE]"; or an "error" member (*err, *err_len: that line's payload).
 * *off moves past what was read; a line without news (a role-only first
 * chunk, a comment, "event:") is passed over. */
enum oai_sse oai_sse_scan(const char *s, size_t n, size_t *off, const char **err,
			  size_t *err_len);

#endif
