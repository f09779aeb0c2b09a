/* HTTP response parser: status lines, headers, Content-Length, chunked,
 * read-to-close, truncation, garbage, size limits and the 64 KiB body cap.
 * Every well-formed case is also fed in every split and byte by byte. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "http_parse.h"

static struct http_parser *P;

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

/* Feed s in pieces of `piece` bytes (0 = all at once); eof at the end. */
static enum http_status run(const char *s, size_t len, size_t piece, bool head, bool eof)
{
	enum http_status st = HTTP_MORE;

	http_parse_init(P, head);
	if (!piece)
		piece = len ? len : 1;
	for (size_t off = 0; off < len; off += piece) {
		size_t n = len - off < piece ? len - off : piece;

		st = http_parse_feed(P, s + off, n);
	}
	if (eof)
		st = http_parse_eof(P);
	return st;
}

static enum http_status run_str(const char *s, bool eof)
{
	return run(s, strlen(s), 0, false, eof);
}

/* The same result for every split point of s into two feeds, and byte by byte. */
static void same_for_all_splits(const char *s, bool eof, enum http_status want,
				int status, const char *body)
{
	size_t len = strlen(s);

	for (size_t cut = 0; cut <= len; cut++) {
		enum http_status st;

		http_parse_init(P, false);
		http_parse_feed(P, s, cut);
		st = http_parse_feed(P, s + cut, len - cut);
		if (eof)
			st = http_parse_eof(P);
		assert_int_equal(st, want);
		assert_int_equal(P->status, status);
		if (body) {
			assert_int_equal(P->body_len, strlen(body));
			assert_memory_equal(P->body, body, P->body_len);
		}
	}
	assert_int_equal(run(s, len, 1, false, eof), want);
	assert_int_equal(P->status, status);
}

static void test_content_length(void **state)
{
	const char *r = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
			"Content-Length: 13\r\n\r\n{\"choices\":1}";

	(void)state;
	same_for_all_splits(r, false, HTTP_DONE, 200, "{\"choices\":1}");
	assert_true(P->has_length);
	assert_int_equal(P->content_length, 13);
	assert_false(P->chunked);
	assert_int_equal(P->version_minor, 1);
	assert_true(http_parse_body_contains(P, "\"choices\""));
	assert_false(http_parse_body_contains(P, "content"));
	assert_true(http_parse_body_contains(P, ""));
}

static void test_status_lines(void **state)
{
	(void)state;
	assert_int_equal(run_str("HTTP/1.0 503 Service Unavailable\r\n\r\n", true), HTTP_DONE);
	assert_int_equal(P->status, 503);
	assert_int_equal(P->version_minor, 0);
	assert_int_equal(run_str("HTTP/1.1 429\r\nContent-Length: 0\r\n\r\n", false), HTTP_DONE);
	assert_int_equal(P->status, 429);
	assert_int_equal(run_str("\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", false),
			 HTTP_DONE);
	assert_int_equal(P->status, 200);

	static const char *const bad[] = {
		"HTTP/2 200 OK\r\n", "HTTP/1.1 20 OK\r\n", "HTTP/1.1 2000 OK\r\n",
		"ICY 200 OK\r\n", "HTTP/1.1 099 x\r\n", "HTTP/1.1  200 OK\r\n",
		"http/1.1 200 OK\r\n", "HTTP/1.x 200 OK\r\n", "HTTP/1.1 2a0 OK\r\n",
		"<html>\n", "HTTP/1.1\r\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(run_str(bad[i], false), HTTP_ERROR);
		assert_non_null(P->error);
	}
}

static void test_bare_lf(void **state)
{
	(void)state;
	same_for_all_splits("HTTP/1.1 200 OK\nContent-Length: 2\n\nok", false, HTTP_DONE,
			    200, "ok");
}

static void test_chunked(void **state)
{
	const char *r = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
			"5\r\nhello\r\n"
			"1;ext=1\r\n,\r\n"
			"a \r\n0123456789\r\n"
			"0\r\nX-Trailer: yes\r\n\r\n";

	(void)state;
	same_for_all_splits(r, false, HTTP_DONE, 200, "hello,0123456789");
	assert_true(P->chunked);
	assert_int_equal(P->body_seen, 16);
}

static void test_chunked_errors(void **state)
{
	static const char *const bad[] = {
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nZ\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabX\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
		"FFFFFFFFFFFFFFFFFFFF\r\n",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(run_str(bad[i], false), HTTP_ERROR);
	/* Closed before the last chunk. */
	assert_int_equal(run_str("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
				 "5\r\nhel", true), HTTP_ERROR);
	assert_int_equal(run_str("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
				 "5\r\nhello\r\n", true), HTTP_ERROR);
}

static void test_te_beats_length(void **state)
{
	(void)state;
	same_for_all_splits("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n"
			    "Transfer-Encoding: gzip, chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n",
			    false, HTTP_DONE, 200, "ok");
	/* A coding other than chunked last: the body runs to the close. */
	assert_int_equal(run_str("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n"
				 "Content-Length: 2\r\n\r\nabcd", false), HTTP_MORE);
	assert_int_equal(http_parse_eof(P), HTTP_DONE);
	assert_int_equal(P->body_len, 4);
}

static void test_read_to_close(void **state)
{
	const char *r = "HTTP/1.0 200 OK\r\nServer: x\r\n\r\n{\"status\":\"ok\"}";

	(void)state;
	assert_int_equal(run_str(r, false), HTTP_MORE);
	assert_true(http_parse_headers_done(P));
	same_for_all_splits(r, true, HTTP_DONE, 200, "{\"status\":\"ok\"}");
}

static void test_truncated(void **state)
{
	(void)state;
	assert_int_equal(run_str("", true), HTTP_ERROR);
	assert_string_equal(P->error, "connection closed without a response");
	assert_int_equal(run_str("HTTP/1.1 20", true), HTTP_ERROR);
	assert_int_equal(run_str("HTTP/1.1 200 OK\r\nContent-Le", true), HTTP_ERROR);
	assert_false(http_parse_headers_done(P));
	assert_int_equal(run_str("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", true),
			 HTTP_ERROR);
	assert_int_equal(P->status, 200);
	assert_true(http_parse_headers_done(P));
}

static void test_no_body_responses(void **state)
{
	const char *head = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n";

	(void)state;
	assert_int_equal(run(head, strlen(head), 0, true, false), HTTP_DONE);
	assert_int_equal(P->body_len, 0);
	assert_int_equal(run_str("HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n", false),
			 HTTP_DONE);
	assert_int_equal(run_str("HTTP/1.1 304 Not Modified\r\n\r\n", false), HTTP_DONE);
	assert_int_equal(run_str("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", false), HTTP_DONE);
}

static void test_interim_responses(void **state)
{
	(void)state;
	same_for_all_splits("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\n"
			    "Link: </a>\r\n\r\nHTTP/1.1 503 Unavailable\r\nContent-Length: 4\r\n"
			    "\r\nbusy", false, HTTP_DONE, 503, "busy");
}

static void test_length_errors(void **state)
{
	static const char *const bad[] = {
		"HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(run_str(bad[i], false), HTTP_ERROR);
	same_for_all_splits("HTTP/1.1 200 OK\r\nContent-Length: 2\r\ncontent-length:2 \r\n\r\nok",
			    false, HTTP_DONE, 200, "ok");
}

static void test_header_errors(void **state)
{
	static const char hdr_nul[] = "HTTP/1.1 200 OK\r\nX-A: a\0b\r\n\r\n";

	(void)state;
	assert_int_equal(run_str("HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", false), HTTP_ERROR);
	assert_int_equal(run_str("HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n", false), HTTP_ERROR);
	assert_int_equal(run_str("HTTP/1.1 200 OK\r\nName : x\r\n\r\n", false), HTTP_ERROR);
	assert_int_equal(run_str("HTTP/1.1 200 OK\r\n: x\r\n\r\n", false), HTTP_ERROR);
	assert_int_equal(run(hdr_nul, sizeof(hdr_nul) - 1, 0, false, false), HTTP_ERROR);
	/* Obsolete folding is tolerated. */
	same_for_all_splits("HTTP/1.1 200 OK\r\nX-A: a\r\n  folded\r\nContent-Length: 1\r\n\r\nx",
			    false, HTTP_DONE, 200, "x");
}

static void test_huge_headers(void **state)
{
	size_t n = 200 * 1024;
	char *buf = malloc(n + 1);
	size_t off;

	(void)state;
	assert_non_null(buf);
	/* One line longer than the limit. */
	off = (size_t)sprintf(buf, "HTTP/1.1 200 OK\r\nX-Big: ");
	memset(buf + off, 'a', HTTP_LINE_MAX + 10);
	assert_int_equal(run(buf, off + HTTP_LINE_MAX + 10, 0, false, false), HTTP_ERROR);
	assert_string_equal(P->error, "line too long");
	assert_int_equal(run(buf, off + HTTP_LINE_MAX + 10, 1000, false, false), HTTP_ERROR);
	/* Many short lines past the header section limit. */
	off = (size_t)sprintf(buf, "HTTP/1.1 200 OK\r\n");
	while (off + 16 < n)
		off += (size_t)sprintf(buf + off, "X-Many: 1234\r\n");
	assert_int_equal(run(buf, off, 0, false, false), HTTP_ERROR);
	assert_string_equal(P->error, "header section too large");
	/* Endless blank lines before a status line are bounded too. */
	memset(buf, '\n', n);
	assert_int_equal(run(buf, n, 0, false, false), HTTP_ERROR);
	free(buf);
}

static void test_body_cap(void **state)
{
	size_t body = 100 * 1024;
	size_t n = body + 100;
	char *buf = malloc(n);
	int off;

	(void)state;
	assert_non_null(buf);
	off = sprintf(buf, "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n", body);
	memset(buf + off, 'b', body);
	memcpy(buf + off + 100, "NEEDLE-EARLY", 12);
	memcpy(buf + off + 70000, "NEEDLE-LATE", 11);
	/* The needle straddles the cap: only its first part is kept. */
	memcpy(buf + off + HTTP_BODY_KEEP - 3, "EDGE", 4);
	assert_int_equal(run(buf, (size_t)off + body, 4096, false, false), HTTP_DONE);
	assert_int_equal(P->body_len, HTTP_BODY_KEEP);
	assert_int_equal(P->body_seen, body);
	assert_true(P->body_truncated);
	assert_true(http_parse_body_contains(P, "NEEDLE-EARLY"));
	assert_false(http_parse_body_contains(P, "NEEDLE-LATE"));
	assert_false(http_parse_body_contains(P, "EDGE"));
	assert_true(http_parse_body_contains(P, "EDG"));
	free(buf);
}

static void test_done_is_sticky(void **state)
{
	(void)state;
	assert_int_equal(run_str("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokGARBAGE", false),
			 HTTP_DONE);
	assert_int_equal(P->body_len, 2);
	assert_int_equal(http_parse_feed(P, "more", 4), HTTP_DONE);
	assert_int_equal(http_parse_eof(P), HTTP_DONE);
	assert_int_equal(run_str("garbage\r\n", false), HTTP_ERROR);
	assert_int_equal(http_parse_feed(P, "HTTP/1.1 200 OK\r\n", 17), HTTP_ERROR);
	assert_int_equal(http_parse_feed(P, NULL, 0), HTTP_ERROR);
}

/* Random bytes and random mutations of valid responses, in random pieces:
 * the parser must end in a defined state (ASan builds check the memory). */
static void test_garbage(void **state)
{
	static const char *const seeds[] = {
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
		"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.0 503 x\r\n\r\nbody",
	};
	char buf[512];
	unsigned seed = 12345;

	(void)state;
	for (int iter = 0; iter < 20000; iter++) {
		size_t len;
		enum http_status st = HTTP_MORE;

		seed = seed * 1103515245u + 12345u;
		if (iter % 2) {
			const char *s = seeds[(seed >> 8) % 3];

			len = strlen(s);
			memcpy(buf, s, len);
			for (int m = 0; m < 3; m++) {
				seed = seed * 1103515245u + 12345u;
				buf[(seed >> 4) % len] = (char)(seed >> 16);
			}
		} else {
			len = (seed >> 8) % sizeof(buf);
			for (size_t i = 0; i < len; i++) {
				seed = seed * 1103515245u + 12345u;
				buf[i] = (char)(seed >> 16);
			}
		}
		http_parse_init(P, (seed & 1) != 0);
		for (size_t off = 0; off < len;) {
			size_t piece = 1 + (seed >> 20) % 40;

			if (piece > len - off)
				piece = len - off;
			st = http_parse_feed(P, buf + off, piece);
			off += piece;
		}
		if (seed & 2)
			st = http_parse_eof(P);
		assert_true(st == HTTP_MORE || st == HTTP_DONE || st == HTTP_ERROR);
		assert_true(P->body_len <= HTTP_BODY_KEEP);
		if (st == HTTP_ERROR)
			assert_non_null(P->error);
	}
}

/* ---- the generation probe's answers ------------------------------------- */

#define OAI(s) s, sizeof(s) - 1

static void test_body_contains_ci(void **state)
{
	static const char r[] = "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 66\r\n\r\n"
		"{\"error\":\"server busy, please try again.  maximum pending requests\"}";

	(void)state;
	assert_int_equal(run(r, sizeof(r) - 1, 0, false, false), HTTP_DONE);
	assert_true(http_parse_body_contains_ci(P, "SERVER BUSY"));
	assert_true(http_parse_body_contains_ci(P, "maximum pending"));
	assert_false(http_parse_body_contains(P, "SERVER BUSY"));
	assert_false(http_parse_body_contains_ci(P, "queue full"));
	assert_true(http_parse_body_contains_ci(P, ""));
}

static void test_models_first_id(void **state)
{
	char id[64];

	(void)state;
	/* vLLM with a LoRA adapter listed first: the first entry is taken. */
	assert_int_equal(oai_models_first_id(OAI("{\"object\":\"list\",\"data\":[{\"id\":\"sql-lora\","
		"\"object\":\"model\",\"parent\":\"meta/llama\"},{\"id\":\"meta/llama\"}]}"),
		id, sizeof(id)), 0);
	assert_string_equal(id, "sql-lora");
	/* "id" after other members, nested values before it, "\/" unescaped */
	assert_int_equal(oai_models_first_id(OAI(" {\"x\":{\"id\":\"no\"},\"data\": [ {\"perm\":"
		"[{\"id\":\"p\"}], \"id\" : \"org\\/m-7b\"} ] }"), id, sizeof(id)), 0);
	assert_string_equal(id, "org/m-7b");
	assert_int_equal(oai_models_first_id(OAI("{\"data\":[]}"), id, sizeof(id)), -1);
	assert_int_equal(oai_models_first_id(OAI("{\"data\":[{\"id\":\"\"}]}"), id, sizeof(id)), -1);
	assert_int_equal(oai_models_first_id(OAI("{\"models\":[{\"id\":\"a\"}]}"), id, sizeof(id)), -1);
	assert_int_equal(oai_models_first_id(OAI("{\"data\":[{\"id\":\"a\\\"b\"}]}"), id, sizeof(id)),
			 -1);
	assert_int_equal(oai_models_first_id(OAI("{\"data\":[{\"id\":\"abcdefgh\"}]}"), id, 8), -1);
	assert_int_equal(oai_models_first_id(OAI("{\"data\":[{\"id\":\"trunc"), id, sizeof(id)), -1);
	assert_int_equal(oai_models_first_id(OAI("<html>"), id, sizeof(id)), -1);
}

static void test_has_choices(void **state)
{
	(void)state;
	assert_true(oai_has_choices(OAI("{\"id\":\"cmpl-1\",\"object\":\"text_completion\","
		"\"choices\":[{\"index\":0,\"text\":\" the\",\"finish_reason\":\"length\"}]}")));
	/* a reasoning model's chat answer: null content is still a choice */
	assert_true(oai_has_choices(OAI("{\"choices\":[{\"message\":{\"content\":null}}]}")));
	assert_false(oai_has_choices(OAI("{\"choices\":[]}")));
	assert_false(oai_has_choices(OAI("{\"choices\": [ ] }")));
	assert_false(oai_has_choices(OAI("{\"object\":\"error\",\"message\":\"x\"}")));
	assert_false(oai_has_choices(OAI("{\"data\":{\"choices\":[1]}}")));
	assert_false(oai_has_choices(OAI("")));
	assert_false(oai_has_choices(OAI("[{\"choices\":[1]}]")));
}

static enum oai_sse sse(const char *s, size_t *off)
{
	const char *err = NULL;
	size_t len = 0;

	return oai_sse_scan(s, strlen(s), off, &err, &len);
}

static void test_sse(void **state)
{
	/* vLLM's chat stream: a role-only first chunk, then the token. */
	static const char chat[] =
		"data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},"
		"\"finish_reason\":null}]}\n\n"
		"data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"},"
		"\"finish_reason\":null}]}\n\n";
	const char *err = NULL;
	size_t off = 0, len = 0;
	char part[sizeof(chat)];

	(void)state;
	/* up to the end of the first event: nothing yet */
	memcpy(part, chat, sizeof(chat));
	part[strchr(chat, '\n') - chat + 2] = '\0';
	assert_int_equal(sse(part, &off), OAI_SSE_MORE);
	assert_int_equal(sse(chat, &off), OAI_SSE_TOKEN);
	/* a line cut short is read when it is complete */
	off = 0;
	assert_int_equal(sse("data: {\"choices\":[{\"text\":\"x\"", &off), OAI_SSE_MORE);
	off = 0;
	assert_int_equal(sse("data:{\"choices\":[{\"text\":\"x\"}]}\r\n", &off), OAI_SSE_TOKEN);
	/* an empty token that ends the generation counts (max_tokens 1) */
	off = 0;
	assert_int_equal(sse(": ping\nevent: x\ndata: {\"choices\":[{\"text\":\"\","
			     "\"finish_reason\":\"length\"}]}\n", &off), OAI_SSE_TOKEN);
	off = 0;
	assert_int_equal(sse("data: {\"choices\":[{\"delta\":{\"reasoning_content\":\"Hm\"}}]}\n",
			     &off), OAI_SSE_TOKEN);
	off = 0;
	assert_int_equal(sse("data: {\"choices\":[{\"text\":\"\",\"finish_reason\":null}]}\n"
			     "data: [DONE]\n", &off), OAI_SSE_END);
	/* SGLang's queue-full error in a stream that answered 200 */
	off = 0;
	assert_int_equal(oai_sse_scan(OAI("data: {\"error\":{\"message\":\"The request queue is "
		"full.\",\"code\":503}}\n"), &off, &err, &len), OAI_SSE_ERROR);
	assert_non_null(err);
	assert_true(len > 10 && !strncmp(err, "{\"error\"", 8));
	off = 0;
	assert_int_equal(sse("data: {\"object\":\"error\",\"message\":\"boom\"}\n", &off),
			 OAI_SSE_ERROR);
	off = 0;
	assert_int_equal(sse("data: not json\n\n", &off), OAI_SSE_MORE);
	assert_int_equal(off, strlen("data: not json\n\n"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_content_length),
		cmocka_unit_test(test_status_lines),
		cmocka_unit_test(test_bare_lf),
		cmocka_unit_test(test_chunked),
		cmocka_unit_test(test_chunked_errors),
		cmocka_unit_test(test_te_beats_length),
		cmocka_unit_test(test_read_to_close),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_no_body_responses),
		cmocka_unit_test(test_interim_responses),
		cmocka_unit_test(test_length_errors),
		cmocka_unit_test(test_header_errors),
		cmocka_unit_test(test_huge_headers),
		cmocka_unit_test(test_body_cap),
		cmocka_unit_test(test_done_is_sticky),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_body_contains_ci),
		cmocka_unit_test(test_models_first_id),
		cmocka_unit_test(test_has_choices),
		cmocka_unit_test(test_sse),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
