/* test_config_fence.c: the instance key fence_port (issue 24): the ports
 * it takes, and the values it refuses with file:line and key. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "cfgtext.h"

#define INST "[instance db]\ninterface = eth0\nvrid = 52\nvirtual_ip = 192.0.2.50/24\n"

static void test_ports(void **state)
{
	struct hafd_config *cfg;

	(void)state;
	cfg = cfg_text_ok(INST "fence_port = 5432\n[instance b]\ninterface = eth0\nvrid = 53\n"
			  "virtual_ip = 192.0.2.51\nfence_port = 5432 6432,8008\n");
	assert_int_equal(cfg->instances[0].n_fence_ports, 1);
	assert_int_equal(cfg->instances[0].fence_ports[0], 5432);
	assert_int_equal(cfg->instances[1].n_fence_ports, 3);
	assert_int_equal(cfg->instances[1].fence_ports[1], 6432);
	assert_int_equal(cfg->instances[1].fence_ports[2], 8008);
	config_free(cfg);
	cfg = cfg_text_ok(INST);        /* off by default */
	assert_int_equal(cfg->instances[0].n_fence_ports, 0);
	config_free(cfg);
}

static void test_refused(void **state)
{
	(void)state;
	EXPECT(INST "fence_port = 0\n",
	       "t.conf:5: [instance db] fence_port: '0' is not a TCP port (allowed: 1..65535, one "
	       "or more separated by spaces)");
	EXPECT(INST "fence_port = 5432 postgres\n",
	       "t.conf:5: [instance db] fence_port: 'postgres' is not a TCP port (allowed: "
	       "1..65535, one or more separated by spaces)");
	EXPECT(INST "fence_port = 65536\n",
	       "t.conf:5: [instance db] fence_port: '65536' is not a TCP port (allowed: 1..65535, "
	       "one or more separated by spaces)");
	EXPECT(INST "fence_port = 5432 5432\n",
	       "t.conf:5: [instance db] fence_port: port 5432 is listed twice (allowed: each port "
	       "once)");
	EXPECT(INST "fence_port = 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17\n",
	       "t.conf:5: [instance db] fence_port: more than 16 ports (allowed: up to 16)");
	EXPECT(INST "fence_port = , ,\n",
	       "t.conf:5: [instance db] fence_port: no port given (allowed: 1..65535, one or more "
	       "separated by spaces)");
	EXPECT(INST "fence_port = 5432\nfence_port = 6432\n",
	       "t.conf:6: [instance db] fence_port: given twice (first at line 5; only lists may "
	       "repeat)");
	/* The fence is a set of hafd's nft table. */
	EXPECT("[global]\nnft_table = none\n" INST "fence_port = 5432\n",
	       "t.conf:7: [instance db] fence_port: needs hafd's nft table, and nft_table = none "
	       "(allowed: an nft_table, or remove fence_port)");
	/* Anycast has no backup to fence. */
	EXPECT("[instance svc]\nmode = anycast\ninterface = hafany0\nvirtual_ip = 10.79.100.1\n"
	       "fence_port = 5432\n",
	       "t.conf:5: [instance svc] fence_port: means nothing with mode = anycast (allowed: "
	       "interface, degraded_interface, virtual_ip, track, lease, drain)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ports),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
