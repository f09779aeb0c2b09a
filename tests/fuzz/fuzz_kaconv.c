/* libFuzzer target: `hafctl convert-keepalived` on arbitrary text as a
 * keepalived.conf (the tokenizer, the tree, every section's translation,
 * the skipped list), then the check that its output loads as hafd.conf.
 *
 * Unless FUZZ_KNOWN is set in the environment, inputs where an empty
 * quoted word "" may start a statement are passed over: kc_why() loops
 * for ever on an empty keyword (reproducers in tests/fuzz/known/kaconv/;
 * tests/fuzz/run says when they stop hanging). Once that is fixed, drop
 * the filter and move them into corpus/kaconv/. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "json.h"
#include "kaconv.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool known;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	known = getenv("FUZZ_KNOWN") != NULL;
	return 0;
}

/* A "" with only blanks between it and the line's start, '{' or '}'
 * (more than the statements that start with it: that is fine here). */
static bool empty_first_word(const uint8_t *d, size_t size)
{
	for (size_t i = 0; i + 1 < size; i++) {
		size_t j = i;

		if (d[i] != '"' || d[i + 1] != '"')
			continue;
		while (j > 0 && (d[j - 1] == ' ' || d[j - 1] == '\t' || d[j - 1] == '\r' ||
				 d[j - 1] == '\f' || d[j - 1] == '\v'))
			j--;
		if (j == 0 || d[j - 1] == '\n' || d[j - 1] == '{' || d[j - 1] == '}')
			return true;
	}
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kaconv_list skipped = { 0 };
	struct config_errors errs = { 0 };
	struct sbuf out;
	char err[256] = "";

	if (!known && empty_first_word(data, size))
		return 0;
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
