/* test_addr.c: address parsing, printing and ordering. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "addr.h"

static struct hafd_addr parse_ok(const char *s)
{
	struct hafd_addr a;

	if (addr_parse(s, &a) < 0)
		fail_msg("'%s' refused", s);
	return a;
}

static void test_parse_v4(void **state)
{
	struct hafd_addr a = parse_ok("192.0.2.1");
	static const uint8_t bytes[4] = { 192, 0, 2, 1 };

	assert_int_equal(a.family, AF_INET);
	assert_int_equal(a.prefix, 32);
	assert_memory_equal(a.u.b, bytes, 4);
	assert_int_equal(addr_len(&a), 4);
	a = parse_ok("192.0.2.1/24");
	assert_int_equal(a.prefix, 24);
	assert_memory_equal(a.u.b, bytes, 4);
	a = parse_ok("0.0.0.0/0");
	assert_int_equal(a.prefix, 0);
	a = parse_ok("10.0.0.1/32");
	assert_int_equal(a.prefix, 32);
}

static void test_parse_v6(void **state)
{
	struct hafd_addr a = parse_ok("fd00::1");

	assert_int_equal(a.family, AF_INET6);
	assert_int_equal(a.prefix, 128);
	assert_int_equal(addr_len(&a), 16);
	assert_int_equal(a.u.b[0], 0xfd);
	assert_int_equal(a.u.b[15], 1);
	a = parse_ok("FD00:0:0:0:0:0:0:1/64");
	assert_int_equal(a.prefix, 64);
	assert_int_equal(a.u.b[15], 1);
	a = parse_ok("::/0");
	assert_int_equal(a.prefix, 0);
	a = parse_ok("::ffff:192.0.2.1");
	assert_int_equal(a.family, AF_INET6);
	assert_int_equal(a.u.b[12], 192);
}

static void test_parse_bad(void **state)
{
	static const char *const bad[] = {
		"", "/24", "junk", "10.0.0.256", "1.2.3", "10.0.0.1 ", " 10.0.0.1", "10.0.0.1/",
		"10.0.0.1/33", "10.0.0.1/a", "10.0.0.1/24x", "10.0.0.1/-1", "10.0.0.1/+8",
		"10.0.0.1/24/1", "10.0.0.1/99999999999999999999", "fd00::1/129", "fd00:::1",
		"fd00::g", "[fd00::1]", "fe80::1%eth0", "localhost", "0x0a000001",
		"1111:2222:3333:4444:5555:6666:7777:8888:9999", "aaaa:aaaa:aaaa:aaaa:aaaa:aaaa:aaaa:aaaa:aaaa",
	};
	struct hafd_addr a;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&a, 0x55, sizeof(a));
		errno = 0;
		if (addr_parse(bad[i], &a) == 0)
			fail_msg("'%s' accepted", bad[i]);
		assert_int_equal(errno, EINVAL);
		assert_int_equal(a.family, 0);  /* cleared, never half-filled */
	}
}

static void test_parse_host(void **state)
{
	struct hafd_addr a;

	assert_int_equal(addr_parse_host("10.0.0.1", &a), 0);
	assert_int_equal(a.prefix, 32);
	assert_int_equal(addr_parse_host("fe80::1", &a), 0);
	assert_int_equal(a.prefix, 128);
	errno = 0;
	assert_int_equal(addr_parse_host("10.0.0.1/32", &a), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(addr_parse_host("fd00::1/128", &a), -1);
	assert_int_equal(addr_parse_host("", &a), -1);
	assert_int_equal(addr_parse_host("junk", &a), -1);
}

static void test_print(void **state)
{
	char buf[ADDR_STRLEN];
	struct hafd_addr a = parse_ok("192.0.2.1/24"), none;

	assert_string_equal(addr_ntop(&a, buf, sizeof(buf)), "192.0.2.1");
	assert_string_equal(addr_format(&a, buf, sizeof(buf)), "192.0.2.1/24");
	a = parse_ok("FD00:0000::0001");
	assert_string_equal(addr_ntop(&a, buf, sizeof(buf)), "fd00::1");
	assert_string_equal(addr_format(&a, buf, sizeof(buf)), "fd00::1/128");
	a = parse_ok("1111:2222:3333:4444:5555:6666:7777:8888/127");
	assert_string_equal(addr_format(&a, buf, sizeof(buf)),
			    "1111:2222:3333:4444:5555:6666:7777:8888/127");
	memset(&none, 0, sizeof(none));
	assert_string_equal(addr_ntop(&none, buf, sizeof(buf)), "(none)");
	assert_string_equal(addr_format(&none, buf, sizeof(buf)), "(none)");
	assert_int_equal(addr_len(&none), 0);
}

static void test_equal(void **state)
{
	struct hafd_addr a = parse_ok("10.0.0.1/24"), b = parse_ok("10.0.0.1/32");
	struct hafd_addr c = parse_ok("10.0.0.2"), d = parse_ok("::ffff:10.0.0.1");

	assert_true(addr_equal(&a, &b));        /* the prefix does not count */
	assert_false(addr_equal(&a, &c));
	assert_false(addr_equal(&a, &d));       /* nor does a mapped address match */
	a = parse_ok("fd00::1/64");
	b = parse_ok("fd00:0::1");
	assert_true(addr_equal(&a, &b));
}

static void test_cmp(void **state)
{
	struct hafd_addr a = parse_ok("10.0.0.2"), b = parse_ok("10.0.0.10");
	struct hafd_addr c = parse_ok("10.0.1.0"), d = parse_ok("10.0.0.255");
	struct hafd_addr e = parse_ok("1.0.0.0"), f = parse_ok("0.255.255.255");
	struct hafd_addr g = parse_ok("fd00::2"), h = parse_ok("fd00::10");
	struct hafd_addr i = parse_ok("fe80::1"), j = parse_ok("10.0.0.2/8");

	/* Network byte order: the first octet weighs most, whatever the host's order. */
	assert_true(addr_cmp(&a, &b) < 0);
	assert_true(addr_cmp(&b, &a) > 0);
	assert_true(addr_cmp(&c, &d) > 0);
	assert_true(addr_cmp(&d, &c) < 0);
	assert_true(addr_cmp(&e, &f) > 0);
	assert_true(addr_cmp(&g, &h) < 0);
	assert_true(addr_cmp(&h, &i) < 0);
	assert_int_equal(addr_cmp(&a, &j), 0);
	/* Families never compare equal. */
	assert_true(addr_cmp(&a, &g) != 0);
	assert_true((addr_cmp(&a, &g) < 0) == (addr_cmp(&g, &a) > 0));
}

static void test_linklocal(void **state)
{
	struct hafd_addr a;

	a = parse_ok("fe80::1");
	assert_true(addr_is_linklocal6(&a));
	a = parse_ok("febf:ffff::1");
	assert_true(addr_is_linklocal6(&a));
	a = parse_ok("fec0::1");
	assert_false(addr_is_linklocal6(&a));
	a = parse_ok("fe7f::1");
	assert_false(addr_is_linklocal6(&a));
	a = parse_ok("fd00::1");
	assert_false(addr_is_linklocal6(&a));
	a = parse_ok("169.254.0.1");
	assert_false(addr_is_linklocal6(&a));
}

static void test_from_bytes(void **state)
{
	static const uint8_t v4[4] = { 10, 0, 0, 1 };
	static const uint8_t v6[16] = { 0xfe, 0x80, [15] = 1 };
	struct hafd_addr a, b;
	char buf[ADDR_STRLEN];

	addr_from_bytes(&a, AF_INET, v4);
	assert_int_equal(a.family, AF_INET);
	assert_int_equal(a.prefix, 32);
	assert_string_equal(addr_ntop(&a, buf, sizeof(buf)), "10.0.0.1");
	b = parse_ok("10.0.0.1");
	assert_true(addr_equal(&a, &b));
	addr_from_bytes(&a, AF_INET6, v6);
	assert_int_equal(a.prefix, 128);
	assert_string_equal(addr_ntop(&a, buf, sizeof(buf)), "fe80::1");
	assert_true(addr_is_linklocal6(&a));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_v4),
		cmocka_unit_test(test_parse_v6),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_parse_host),
		cmocka_unit_test(test_print),
		cmocka_unit_test(test_equal),
		cmocka_unit_test(test_cmp),
		cmocka_unit_test(test_linklocal),
		cmocka_unit_test(test_from_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
