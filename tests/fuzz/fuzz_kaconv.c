/* libFuzzer target: `hafctl convert-keepalived` on arbitrary text as a
 * keepalived.conf (the tokenizer, the tree, every section's translation,
 * the skipped list), then the check that its output loads as hafd.conf.
 * (An empty quoted word "" starting a statement used to hang kc_why():
 * corpus/kaconv/empty-keyword-*.) */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "json.h"
#include "kaconv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kaconv_list skipped = { 0 };
	struct config_errors errs = { 0 };
	struct sbuf out;
	char err[256] = "";

	/* A cap (hafctl has none), so a blow-up fails the call, not the host. */
	sbuf_init(&out, 16u << 20);
	if (kaconv_convert((const char *)data, size, "fuzz.conf", &out, &skipped, err,
			   sizeof(err)) == 0) {
		/* Success means text, NUL-terminated, and a reason-free err. */
		if (!out.len || out.p[out.len - 1] != '\n' || strlen(out.p) != out.len)
			__builtin_trap();
		for (size_t i = 0; i < skipped.n; i++)
			if (!skipped.items[i].what)
				__builtin_trap();
		(void)kaconv_validate(&out, "fuzz.hafd.conf", &errs);
		config_errors_free(&errs);
	} else if (!err[0]) {
		__builtin_trap();       /* a failure always says why */
	}
	kaconv_list_free(&skipped);
	sbuf_free(&out);
	return 0;
}
