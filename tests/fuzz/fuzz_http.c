/* libFuzzer target: the HTTP response parser, fed in pieces whose sizes
 * come from the input, then closed; a HEAD response every other byte. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "http_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct http_parser p;    /* 72 KiB: keep it off the stack */
	size_t off = 1, step;

	if (size < 1)
		return 0;
	http_parse_init(&p, data[0] & 1);
	step = (size_t)(data[0] >> 1) + 1;
	while (off < size) {
		size_t n = size - off < step ? size - off : step;

		if (http_parse_feed(&p, data + off, n) != HTTP_MORE)
			break;
		off += n;
	}
	http_parse_eof(&p);
	if (p.body_len > HTTP_BODY_KEEP)
		abort();
	(void)http_parse_body_contains(&p, "\"choices\"");
	(void)http_parse_headers_done(&p);
	return 0;
}
