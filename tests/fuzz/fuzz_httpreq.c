/* libFuzzer target: the /metrics endpoint's request reader, fed in pieces
 * whose sizes come from the first byte; the results must stay within
 * their bounds and be NUL-terminated. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http_req.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct http_req r;
	size_t off = 1, step;
	enum http_req_status st = HTTP_REQ_MORE;
	int route;

	if (size < 1)
		return 0;
	http_req_init(&r);
	step = (size_t)data[0] + 1;
	while (off < size && st == HTTP_REQ_MORE) {
		size_t n = size - off < step ? size - off : step;

		st = http_req_feed(&r, data + off, n);
		off += n;
	}
	if (r.head_bytes > HTTP_REQ_MAX + 1 || r.line_len > HTTP_REQ_MAX)
		abort();
	if (st == HTTP_REQ_ERROR && (!r.error || r.error_status < 400))
		abort();
	if (st == HTTP_REQ_DONE) {
		if (strlen(r.method) > HTTP_REQ_METHOD_MAX || strlen(r.target) > HTTP_REQ_TARGET_MAX ||
		    !r.method[0] || !r.target[0])
			abort();
		route = http_req_route(&r, "/metrics");
		if (route != 200 && route != 404 && route != 405)
			abort();
		(void)http_req_reason(route);
	}
	return 0;
}
