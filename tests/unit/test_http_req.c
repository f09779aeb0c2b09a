/* The /metrics endpoint's request reader: request lines, headers, bare LF,
 * the size limits (414, 431), malformed heads (400, 505), routing (200,
 * 404, 405). Every case is fed whole, in every split and byte by byte. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "http_req.h"

static struct http_req R;

/* Feed s in pieces of `piece` bytes (0: all at once). */
static enum http_req_status run(const char *s, size_t len, size_t piece)
{
	enum http_req_status st = HTTP_REQ_MORE;

	http_req_init(&R);
	if (!piece)
		piece = len ? len : 1;
	for (size_t off = 0; off < len; off += piece)
		st = http_req_feed(&R, s + off, len - off < piece ? len - off : piece);
	return st;
}

/* s gives the same status (and error status) however it is cut. */
static enum http_req_status run_all(const char *s)
{
	size_t len = strlen(s);
	enum http_req_status first = run(s, len, 0);
	int err = R.error_status;

	for (size_t piece = 1; piece <= len; piece++) {
		assert_int_equal(run(s, len, piece), first);
		assert_int_equal(R.error_status, err);
	}
	return run(s, len, 0);
}

static void test_get(void **state)
{
	(void)state;
	assert_int_equal(run_all("GET /metrics HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n"),
			 HTTP_REQ_DONE);
	assert_string_equal(R.method, "GET");
	assert_string_equal(R.target, "/metrics");
	assert_int_equal(R.version_minor, 1);
	assert_int_equal(http_req_route(&R, "/metrics"), 200);
	/* HTTP/1.0, no headers, bare LF, an empty line first (RFC 9112 §2.2) */
	assert_int_equal(run_all("\r\nGET /metrics?x=1 HTTP/1.0\n\n"), HTTP_REQ_DONE);
	assert_int_equal(R.version_minor, 0);
	assert_int_equal(http_req_route(&R, "/metrics"), 200);
}

static void test_incomplete(void **state)
{
	(void)state;
	assert_int_equal(run_all("GET /metrics HTTP/1.1\r\nHost: x\r\n"), HTTP_REQ_MORE);
	assert_int_equal(run_all("GET /metr"), HTTP_REQ_MORE);
	assert_int_equal(run_all(""), HTTP_REQ_MORE);
}

static void test_routes(void **state)
{
	static const struct { const char *req; int status; } cases[] = {
		{ "GET / HTTP/1.1\r\n\r\n", 404 },
		{ "GET /metricsx HTTP/1.1\r\n\r\n", 404 },
		{ "GET /metrics/ HTTP/1.1\r\n\r\n", 404 },
		{ "GET /Metrics HTTP/1.1\r\n\r\n", 404 },
		{ "POST / HTTP/1.1\r\n\r\n", 404 },
		{ "POST /metrics HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc", 405 },
		{ "HEAD /metrics HTTP/1.1\r\n\r\n", 405 },
		{ "get /metrics HTTP/1.1\r\n\r\n", 405 },   /* methods are case-sensitive */
		{ "GET http://h/metrics HTTP/1.1\r\n\r\n", 404 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(run_all(cases[i].req), HTTP_REQ_DONE);
		assert_int_equal(http_req_route(&R, "/metrics"), cases[i].status);
	}
}

static void test_errors(void **state)
{
	static const char nul[] = "GET /metrics HTTP/1.1\r\nA: \0\r\n\r\n";
	static const struct { const char *req; int status; } cases[] = {
		{ "GET\r\n\r\n", 400 },
		{ "GET /metrics\r\n\r\n", 400 },                /* HTTP/0.9 */
		{ "GET  /metrics HTTP/1.1\r\n\r\n", 400 },      /* two spaces */
		{ "GET /metrics  HTTP/1.1\r\n\r\n", 400 },
		{ "GET /metrics HTTP/1.1 \r\n\r\n", 400 },
		{ "G(T /metrics HTTP/1.1\r\n\r\n", 400 },
		{ "GET /me\ttrics HTTP/1.1\r\n\r\n", 400 },
		{ "GET /metrics HTTP/1.x\r\n\r\n", 400 },
		{ "GET /metrics HTTPS/1.1\r\n\r\n", 400 },
		{ "GET /metrics HTTP/2.0\r\n\r\n", 505 },
		{ "GET /metrics HTTP/0.9\r\n\r\n", 505 },
		{ "GET /metrics HTTP/1.1\r\nHost x\r\n\r\n", 400 },
		{ "GET /metrics HTTP/1.1\r\nHost : x\r\n\r\n", 400 },
		{ "GET /metrics HTTP/1.1\r\n: x\r\n\r\n", 400 },
		{ "GET /metrics HTTP/1.1\r\nA: b\r\n c\r\n\r\n", 400 },  /* folding */
		{ "GET /metrics HTTP/1.1\r\nA: b\rc\r\n\r\n", 400 },      /* bare CR */
		{ "GET /metrics HTTP/1.1\r\n\r \n", 400 },
		{ "AAAAAAAAAAAAAAAAA /metrics HTTP/1.1\r\n\r\n", 400 },  /* 17 > method max */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (run_all(cases[i].req) != HTTP_REQ_ERROR)
			fail_msg("accepted: %s", cases[i].req);
		assert_int_equal(R.error_status, cases[i].status);
		assert_non_null(R.error);
	}
	/* A NUL anywhere in the head */
	assert_int_equal(run(nul, sizeof(nul) - 1, 0), HTTP_REQ_ERROR);
	assert_int_equal(R.error_status, 400);
}

static void test_limits(void **state)
{
	static char buf[2 * HTTP_REQ_MAX];
	size_t n;

	(void)state;
	/* The longest target that fits, and one byte more. */
	n = (size_t)snprintf(buf, sizeof(buf), "GET /%0*d HTTP/1.1\r\n\r\n",
			     HTTP_REQ_TARGET_MAX - 1, 0);
	assert_int_equal(run(buf, n, 0), HTTP_REQ_DONE);
	n = (size_t)snprintf(buf, sizeof(buf), "GET /%0*d HTTP/1.1\r\n\r\n", HTTP_REQ_TARGET_MAX, 0);
	assert_int_equal(run(buf, n, 0), HTTP_REQ_ERROR);
	assert_int_equal(R.error_status, 414);
	/* A request line that never ends: 414 once the head is full, not later. */
	memset(buf, 'a', sizeof(buf));
	assert_int_equal(run(buf, HTTP_REQ_MAX, 0), HTTP_REQ_MORE);
	assert_int_equal(run(buf, HTTP_REQ_MAX + 1, 0), HTTP_REQ_ERROR);
	assert_int_equal(R.error_status, 414);
	/* Headers that never end: 431. A head of exactly HTTP_REQ_MAX is read. */
	n = (size_t)snprintf(buf, sizeof(buf), "GET /metrics HTTP/1.1\r\nX: ");
	memset(buf + n, 'v', HTTP_REQ_MAX - n - 4);
	memcpy(buf + HTTP_REQ_MAX - 4, "\r\n\r\n", 4);
	assert_int_equal(run(buf, HTTP_REQ_MAX, 0), HTTP_REQ_DONE);
	memset(buf + n, 'v', HTTP_REQ_MAX - n);
	assert_int_equal(run(buf, HTTP_REQ_MAX + 1, 1), HTTP_REQ_ERROR);
	assert_int_equal(R.error_status, 431);
}

static void test_sticky(void **state)
{
	(void)state;
	assert_int_equal(run("GET /metrics HTTP/1.1\r\n\r\n", 25, 0), HTTP_REQ_DONE);
	assert_int_equal(http_req_feed(&R, "GARBAGE\0\r\n", 10), HTTP_REQ_DONE);
	assert_string_equal(R.target, "/metrics");
	assert_int_equal(run("GET\r\n", 5, 0), HTTP_REQ_ERROR);
	assert_int_equal(http_req_feed(&R, "\r\n", 2), HTTP_REQ_ERROR);
	assert_int_equal(http_req_feed(&R, NULL, 0), HTTP_REQ_ERROR);
}

static void test_reasons(void **state)
{
	(void)state;
	assert_string_equal(http_req_reason(200), "OK");
	assert_string_equal(http_req_reason(404), "Not Found");
	assert_string_equal(http_req_reason(405), "Method Not Allowed");
	assert_string_equal(http_req_reason(431), "Request Header Fields Too Large");
	assert_string_equal(http_req_reason(999), "Error");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_get),
		cmocka_unit_test(test_incomplete),
		cmocka_unit_test(test_routes),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_sticky),
		cmocka_unit_test(test_reasons),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
