/* What a check's state asks of HAProxy (haproxy_want.c), and the [check]
 * keys that name the server and the sockets (config_keys.c). Pure. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cfgtext.h"
#include "config.h"
#include "haproxy_want.h"

#define INST "[instance web]\ninterface = eth0\nvrid = 51\nvirtual_ip = 192.0.2.1/24\n"
#define ENGINE "[check engine]\ntype = tcp\naddress = 127.0.0.1:8001\n"

static const char *cmd(enum check_state st, bool draining, int pct)
{
	static char buf[256];
	struct haproxy_want w;

	haproxy_want(st, draining, pct, &w);
	if (haproxy_want_cmd("engines/gpu-a", &w, buf, sizeof(buf)) < 0)
		return NULL;
	return buf;
}

static void test_want(void **state)
{
	(void)state;
	assert_string_equal(cmd(CHECK_ST_UP, false, 50),
			    "set server engines/gpu-a weight 100%;set server engines/gpu-a "
			    "state ready\n");
	assert_string_equal(cmd(CHECK_ST_DEGRADED, false, 30),
			    "set server engines/gpu-a weight 30%;set server engines/gpu-a "
			    "state ready\n");
	/* Draining: no new requests whatever the load. */
	assert_string_equal(cmd(CHECK_ST_UP, true, 50), "set server engines/gpu-a state drain\n");
	assert_string_equal(cmd(CHECK_ST_DEGRADED, true, 50),
			    "set server engines/gpu-a state drain\n");
	/* Dead is maint, draining or not. */
	assert_string_equal(cmd(CHECK_ST_DOWN, false, 50), "set server engines/gpu-a state maint\n");
	assert_string_equal(cmd(CHECK_ST_DOWN, true, 50), "set server engines/gpu-a state maint\n");
	/* Unproven: HAProxy's own check decides, nothing is sent. */
	assert_null(cmd(CHECK_ST_INIT, false, 50));
	assert_null(cmd(CHECK_ST_INIT, true, 50));
}

static void test_same(void **state)
{
	struct haproxy_want a, b;

	(void)state;
	haproxy_want(CHECK_ST_UP, false, 50, &a);
	haproxy_want(CHECK_ST_DEGRADED, false, 50, &b);
	assert_false(haproxy_want_same(&a, &b));        /* the weight differs */
	haproxy_want(CHECK_ST_DOWN, false, 50, &a);
	haproxy_want(CHECK_ST_DOWN, true, 20, &b);
	assert_true(haproxy_want_same(&a, &b));
}

static void test_no_room(void **state)
{
	struct haproxy_want w;
	char small[16];

	(void)state;
	haproxy_want(CHECK_ST_UP, false, 50, &w);
	assert_int_equal(haproxy_want_cmd("engines/gpu-a", &w, small, sizeof(small)), -1);
}

static void test_keys(void **state)
{
	struct hafd_config *cfg;
	const struct cfg_check *c;

	(void)state;
	cfg = cfg_text_ok(INST ENGINE "haproxy_server = engines/gpu-a\n");
	c = config_check(cfg, "engine");
	assert_string_equal(c->haproxy_server, "engines/gpu-a");
	assert_int_equal(c->n_haproxy_sockets, 1);
	assert_true(c->haproxy_sockets[0].is_unix);
	assert_string_equal(c->haproxy_sockets[0].path, HAPROXY_DEFAULT_SOCKET);
	assert_int_equal(c->haproxy_degrade_weight, 50);
	config_free(cfg);

	cfg = cfg_text_ok(INST ENGINE "haproxy_server = engines/gpu-a\n"
			  "haproxy_socket = /run/h.sock\nhaproxy_socket = 192.0.2.12:9999\n"
			  "haproxy_socket = [2001:db8::2]:9999\nhaproxy_degrade_weight = 25\n");
	c = config_check(cfg, "engine");
	assert_int_equal(c->n_haproxy_sockets, 3);
	assert_string_equal(c->haproxy_sockets[0].path, "/run/h.sock");
	assert_false(c->haproxy_sockets[1].is_unix);
	assert_int_equal(c->haproxy_sockets[1].port, 9999);
	assert_int_equal(c->haproxy_sockets[2].addr.family, AF_INET6);
	assert_int_equal(c->haproxy_degrade_weight, 25);
	config_free(cfg);

	/* No haproxy key: nothing steered. */
	cfg = cfg_text_ok(INST ENGINE);
	assert_null(config_check(cfg, "engine")->haproxy_server);
	assert_int_equal(config_check(cfg, "engine")->n_haproxy_sockets, 0);
	config_free(cfg);
}

static void expect_error(const char *text, const char *want)
{
	struct hafd_config *cfg = NULL;
	struct config_errors errs;
	bool found = false;

	assert_int_equal(cfg_text_load(text, &cfg, &errs), -1);
	for (size_t i = 0; i < errs.n; i++)
		if (strstr(errs.msgs[i], want))
			found = true;
	if (!found)
		for (size_t i = 0; i < errs.n; i++)
			print_message("got: %s\n", errs.msgs[i]);
	assert_true(found);
	config_errors_free(&errs);
}

static void test_bad_keys(void **state)
{
	(void)state;
	/* A name that would end the command and start another. */
	expect_error(INST ENGINE "haproxy_server = engines/a;shutdown sessions\n",
		     "t.conf:8: [check engine] haproxy_server: 'engines/a;shutdown sessions' is "
		     "not BACKEND/SERVER");
	expect_error(INST ENGINE "haproxy_server = gpu-a\n", "is not BACKEND/SERVER");
	expect_error(INST ENGINE "haproxy_server = engines/\n", "is not BACKEND/SERVER");
	expect_error(INST ENGINE "haproxy_server = a/b\nhaproxy_socket = admin.sock\n",
		     "t.conf:9: [check engine] haproxy_socket: 'admin.sock' is not a socket");
	expect_error(INST ENGINE "haproxy_server = a/b\nhaproxy_socket = 192.0.2.1\n",
		     "is not a socket");
	expect_error(INST ENGINE "haproxy_server = a/b\nhaproxy_degrade_weight = 0\n",
		     "haproxy_degrade_weight: value 0 out of range");
	expect_error(INST ENGINE "haproxy_socket = /run/h.sock\n",
		     "t.conf:8: [check engine] haproxy_socket: needs haproxy_server");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_want),
		cmocka_unit_test(test_same),
		cmocka_unit_test(test_no_room),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_bad_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
