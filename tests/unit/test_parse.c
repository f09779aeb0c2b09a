/* test_parse.c: scalar value parsers (durations, booleans, integers) and
 * the duration printer the config errors use. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "parse.h"

static uint64_t dur_ok(const char *s)
{
	uint64_t us = 12345;

	if (parse_duration_us(s, &us) < 0)
		fail_msg("'%s' refused (errno %d)", s, errno);
	return us;
}

static void dur_bad(const char *s, int err)
{
	uint64_t us = 12345;

	errno = 0;
	if (parse_duration_us(s, &us) == 0)
		fail_msg("'%s' accepted as %llu us", s, (unsigned long long)us);
	assert_int_equal(errno, err);
	assert_int_equal(us, 12345);    /* untouched on failure */
}

static void test_duration_units(void **state)
{
	assert_int_equal(dur_ok("10ms"), 10000);
	assert_int_equal(dur_ok("1s"), 1000000);
	assert_int_equal(dur_ok("2m"), 120000000);
	assert_int_equal(dur_ok("250us"), 250);
	assert_int_equal(dur_ok("0ms"), 0);
	assert_int_equal(dur_ok("0"), 0);
	/* A bare number is seconds. */
	assert_int_equal(dur_ok("5"), 5000000);
	assert_int_equal(dur_ok("007"), 7000000);
}

static void test_duration_fractions(void **state)
{
	assert_int_equal(dur_ok("1.5s"), 1500000);
	assert_int_equal(dur_ok("0.5"), 500000);
	assert_int_equal(dur_ok(".25s"), 250000);
	assert_int_equal(dur_ok("40.95s"), 40950000);
	assert_int_equal(dur_ok("1.5m"), 90000000);
	assert_int_equal(dur_ok("0.001ms"), 1);
	assert_int_equal(dur_ok("1.000001s"), 1000001);
	assert_int_equal(dur_ok("2.500ms"), 2500);
	assert_int_equal(dur_ok("0.000001m"), 60);
}

static void test_duration_invalid(void **state)
{
	static const char *const bad[] = {
		"", "s", "ms", ".", ".s", "abc", "5 s", " 5s", "5s ", "5sec", "5S", "5h", "5d",
		"1.5.2s", "1e3", "+5s", "0x10", "5ms5", "1,5s", "1-",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		dur_bad(bad[i], EINVAL);
}

static void test_duration_range(void **state)
{
	/* Negative and overflowing durations are out of range, not malformed. */
	dur_bad("-1s", ERANGE);
	dur_bad("-0", ERANGE);
	dur_bad("99999999999999999999s", ERANGE);
	dur_bad("999999999999m", ERANGE);
	/* The largest whole minutes that fit, with a fraction that would carry
	 * the total past 2^64 - 1. */
	assert_int_equal(dur_ok("307445734561m"), 307445734561ULL * 60000000ULL);
	dur_bad("307445734561.9m", ERANGE);
}

static void test_duration_submicro(void **state)
{
	/* Precision beyond a microsecond is refused, not rounded. */
	dur_bad("1.5us", EINVAL);
	dur_bad("0.0001ms", EINVAL);
	dur_bad("1.0000001s", EINVAL);
	dur_bad("0.0000001", EINVAL);
	dur_bad("1.0000000001s", EINVAL);
	dur_bad("0.000000001m", EINVAL);
}

static void test_bool(void **state)
{
	static const char *const yes[] = { "yes", "true", "on", "1", "YES", "True", "oN" };
	static const char *const no[] = { "no", "false", "off", "0", "NO", "False", "OFF" };
	static const char *const bad[] = { "", "y", "n", "2", "maybe", "yess", " yes", "yes ", "-1" };
	bool b;

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		b = false;
		assert_int_equal(parse_bool(yes[i], &b), 0);
		assert_true(b);
	}
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		b = true;
		assert_int_equal(parse_bool(no[i], &b), 0);
		assert_false(b);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		assert_int_equal(parse_bool(bad[i], &b), -1);
		assert_int_equal(errno, EINVAL);
	}
}

static void int_bad(const char *s, long min, long max, int err)
{
	long v = 42;

	errno = 0;
	assert_int_equal(parse_int(s, min, max, &v), -1);
	assert_int_equal(errno, err);
	assert_int_equal(v, 42);
}

static void test_int(void **state)
{
	long v;

	assert_int_equal(parse_int("5", 1, 255, &v), 0);
	assert_int_equal(v, 5);
	assert_int_equal(parse_int("1", 1, 255, &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(parse_int("255", 1, 255, &v), 0);
	assert_int_equal(v, 255);
	assert_int_equal(parse_int("-254", -254, 254, &v), 0);
	assert_int_equal(v, -254);
	assert_int_equal(parse_int("+7", 0, 10, &v), 0);
	assert_int_equal(v, 7);
	assert_int_equal(parse_int("010", 0, 100, &v), 0);
	assert_int_equal(v, 10);        /* decimal, not octal */

	int_bad("0", 1, 255, ERANGE);
	int_bad("256", 1, 255, ERANGE);
	int_bad("-255", -254, 254, ERANGE);
	int_bad("99999999999999999999", 0, 10, ERANGE);
	int_bad("-99999999999999999999", -10, 10, ERANGE);
	int_bad("", 0, 10, EINVAL);
	int_bad("abc", 0, 10, EINVAL);
	int_bad("5x", 0, 10, EINVAL);
	int_bad(" 5", 0, 10, EINVAL);
	int_bad("5 ", 0, 10, EINVAL);
	int_bad("0x10", 0, 100, EINVAL);
	int_bad("-", 0, 10, EINVAL);
	int_bad("+", 0, 10, EINVAL);
	int_bad("1.5", 0, 10, EINVAL);
}

static void fmt_is(uint64_t us, const char *want)
{
	char buf[32];
	uint64_t back;

	assert_string_equal(format_duration(us, buf, sizeof(buf)), want);
	/* What is printed reads back as the same value. */
	assert_int_equal(parse_duration_us(buf, &back), 0);
	assert_int_equal(back, us);
}

static void test_format_duration(void **state)
{
	char small[4];

	fmt_is(0, "0s");
	fmt_is(1, "1us");
	fmt_is(1500, "1500us");
	fmt_is(1000, "1ms");
	fmt_is(10000, "10ms");
	fmt_is(999000, "999ms");
	fmt_is(1000000, "1s");
	fmt_is(1500000, "1.5s");
	fmt_is(40950000, "40.95s");
	fmt_is(1000001, "1.000001s");
	fmt_is(90000000, "90s");
	fmt_is(60000000, "1m");
	fmt_is(3600000000ULL, "60m");
	fmt_is(1000000000, "1000s");
	fmt_is(86400000000ULL, "1440m");
	/* The buffer bounds the text. */
	assert_string_equal(format_duration(40950000, small, sizeof(small)), "40.");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_duration_units),
		cmocka_unit_test(test_duration_fractions),
		cmocka_unit_test(test_duration_invalid),
		cmocka_unit_test(test_duration_range),
		cmocka_unit_test(test_duration_submicro),
		cmocka_unit_test(test_bool),
		cmocka_unit_test(test_int),
		cmocka_unit_test(test_format_duration),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
