/* test_json.c: the text buffer and the JSON writer behind the control
 * socket: commas, nesting, escaping (control characters, quotes, bytes that
 * are not UTF-8), numbers, and what happens at the size limit. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "json.h"

static void test_nesting(void **state)
{
	struct sbuf b;
	struct json j;

	(void)state;
	sbuf_init(&b, 0);
	json_init(&j, &b);
	json_obj_begin(&j, NULL);
	json_str(&j, "a", "x");
	json_arr_begin(&j, "list");
	json_int(&j, NULL, -3);
	json_uint(&j, NULL, 18446744073709551615ull);
	json_obj_begin(&j, NULL);
	json_obj_end(&j);
	json_arr_begin(&j, NULL);
	json_arr_end(&j);
	json_arr_end(&j);
	json_bool(&j, "t", true);
	json_null(&j, "n");
	json_str(&j, "s", NULL);
	json_raw(&j, "r", "{\"k\":1}");
	json_fixed(&j, "f", 1.23456, 3);
	json_fixed(&j, "nan", NAN, 3);
	json_obj_end(&j);
	assert_false(b.failed);
	assert_string_equal(b.p, "{\"a\":\"x\",\"list\":[-3,18446744073709551615,{},[]],"
			    "\"t\":true,\"n\":null,\"s\":null,\"r\":{\"k\":1},\"f\":1.235,"
			    "\"nan\":null}");
	sbuf_free(&b);
}

static void test_escaping(void **state)
{
	struct sbuf b;

	(void)state;
	sbuf_init(&b, 0);
	sbuf_json_str(&b, "q\"b\\n\nt\tc\x01\x1f\x7f");
	assert_string_equal(b.p, "\"q\\\"b\\\\n\\nt\\tc\\u0001\\u001f\\u007f\"");
	sbuf_free(&b);
	/* UTF-8 passes; stray bytes, overlong forms and surrogates do not. */
	sbuf_json_str(&b, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80|\xff|\xc0\xaf|\xed\xa0\x80|\xc3");
	assert_string_equal(b.p, "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80|\\ufffd|\\ufffd\\ufffd|"
			    "\\ufffd\\ufffd\\ufffd|\\ufffd\"");
	sbuf_free(&b);
}

static void test_limits(void **state)
{
	struct sbuf b;
	struct json j;

	(void)state;
	sbuf_init(&b, 8);
	assert_int_equal(sbuf_puts(&b, "12345678"), 0);
	assert_int_equal(sbuf_puts(&b, "9"), -1);
	assert_true(b.failed);
	assert_int_equal(sbuf_printf(&b, "%d", 1), -1);   /* stays failed */
	assert_string_equal(b.p, "12345678");
	sbuf_free(&b);
	/* Nesting past JSON_DEPTH_MAX is a bug the buffer reports. */
	sbuf_init(&b, 0);
	json_init(&j, &b);
	for (int i = 0; i < JSON_DEPTH_MAX; i++)
		json_arr_begin(&j, NULL);
	assert_true(b.failed);
	sbuf_free(&b);
	/* Growth well past the first allocation. */
	sbuf_init(&b, 0);
	for (int i = 0; i < 10000; i++)
		sbuf_printf(&b, "%04d", i % 10000);
	assert_int_equal(b.len, 40000);
	assert_false(b.failed);
	assert_int_equal(memcmp(b.p + 39996, "9999", 4), 0);
	sbuf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nesting),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
