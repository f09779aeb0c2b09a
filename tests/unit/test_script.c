/* What scripts print, made safe for the log and `hafctl status`. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "script.h"

static void expect_escaped(const char *in, const char *want, size_t len)
{
	char buf[256];

	assert_true(len <= sizeof(buf));
	assert_int_equal(script_escape(buf, len, in), strlen(want));
	assert_string_equal(buf, want);
}

static void test_escape_controls(void **state)
{
	(void)state;
	expect_escaped("plain text 123", "plain text 123", 256);
	expect_escaped("\033[31mred\033[0m", "\\x1b[31mred\\x1b[0m", 256);
	expect_escaped("\033]0;title\007", "\\x1b]0;title\\x07", 256);
	expect_escaped("a\tb\nc\rd\001\177", "a\\tb\\nc\\rd\\x01\\x7f", 256);
	expect_escaped("back\\slash", "back\\\\slash", 256);
}

static void test_escape_utf8(void **state)
{
	(void)state;
	expect_escaped("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
		       256);
	/* invalid: a lone continuation, a truncated sequence, an overlong
	 * slash, a surrogate, 0xff */
	expect_escaped("\x80", "\\x80", 256);
	expect_escaped("\xc3", "\\xc3", 256);
	expect_escaped("\xe2\x82", "\\xe2\\x82", 256);
	expect_escaped("\xc0\xaf", "\\xc0\\xaf", 256);
	expect_escaped("\xed\xa0\x80", "\\xed\\xa0\\x80", 256);
	expect_escaped("\xff", "\\xff", 256);
	/* C1 controls (U+009B is CSI to some terminals) */
	expect_escaped("\xc2\x9b" "1m", "\\xc2\\x9b" "1m", 256);
	expect_escaped("\xc2\xa0", "\xc2\xa0", 256);
}

static void test_escape_truncates_whole(void **state)
{
	(void)state;
	/* room for 4 bytes: "ab" fits, the 4-byte escape does not */
	expect_escaped("ab\033c", "ab", 5);
	expect_escaped("ab\033c", "ab\\x1b", 7);
	/* a UTF-8 character is never split */
	expect_escaped("a\xe2\x82\xac", "a", 4);
	expect_escaped("a\xe2\x82\xac", "a\xe2\x82\xac", 5);
	expect_escaped("x", "", 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_controls),
		cmocka_unit_test(test_escape_utf8),
		cmocka_unit_test(test_escape_truncates_whole),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
