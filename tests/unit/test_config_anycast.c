/* test_config_anycast.c: [instance] with mode = anycast (config_anycast.c):
 * its keys and defaults, the VRRP keys it refuses with file:line and key,
 * and the split that keeps it out of cfg->instances (VRRP never sees it). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "config.h"
#include "cfgtext.h"


static void test_split(void **state)
{
	struct hafd_config *cfg = cfg_text_ok(
		"[check engine]\ntype = tcp\naddress = 127.0.0.1:8000\n"
		"[instance a]\ninterface = eth0\nvrid = 1\nvirtual_ip = 10.0.0.1\n"
		"[instance svc]\nmode = anycast\ninterface = hafany0\n"
		"degraded_interface = hafany1\nvirtual_ip = 10.79.100.1\ntrack = engine\n"
		"lease = 5s\ndrain = 500ms\n"
		"[instance b]\ninterface = eth0\nvrid = 2\nvirtual_ip = 10.0.0.2\n"
		"[instance svc6]\nmode = anycast\ninterface = hafany0\nvirtual_ip = fd79:100::1/128\n"
		"[group g]\ninstance = a\ninstance = b\n");
	const struct cfg_instance *s;

	(void)state;
	assert_int_equal(cfg->n_instances, 2);
	assert_string_equal(cfg->instances[0].name, "a");
	assert_string_equal(cfg->instances[1].name, "b");
	/* The group's members are renumbered with the instances. */
	assert_int_equal(cfg->groups[0].n_instances, 2);
	assert_int_equal(cfg->groups[0].instances[0], 0);
	assert_int_equal(cfg->groups[0].instances[1], 1);
	assert_int_equal(cfg->n_anycasts, 2);
	s = &cfg->anycasts[0];
	assert_string_equal(s->name, "svc");
	assert_true(s->anycast);
	assert_string_equal(s->ifname, "hafany0");
	assert_string_equal(s->degraded_ifname, "hafany1");
	assert_int_equal(s->n_vips, 1);
	assert_int_equal(s->family, AF_INET);
	assert_int_equal(s->n_tracks, 1);
	assert_int_equal(s->tracks[0], 0);
	assert_int_equal(s->lease_us, 5000000);
	assert_int_equal(s->drain_us, 500000);
	s = &cfg->anycasts[1];      /* the defaults */
	assert_string_equal(s->degraded_ifname, "");
	assert_int_equal(s->family, AF_INET6);
	assert_int_equal(s->lease_us, 3000000);
	assert_int_equal(s->drain_us, 10000000);
	config_free(cfg);
}

static void test_only_anycast(void **state)
{
	struct hafd_config *cfg = cfg_text_ok(
		"[instance svc]\nmode = anycast\ninterface = lo\nvirtual_ip = 10.79.100.1\n");

	(void)state;
	assert_int_equal(cfg->n_instances, 0);
	assert_int_equal(cfg->n_anycasts, 1);
	config_free(cfg);
}

static void test_errors(void **state)
{
	(void)state;
	EXPECT("[instance svc]\nmode = anycast\ninterface = hafany0\nvrid = 5\npriority = 100\n"
	       "virtual_ip = 10.79.100.1/24\nlease = 1500ms\nuse_vmac = yes\n",
	       "t.conf:4: [instance svc] vrid: means nothing with mode = anycast (allowed: "
	       "interface, degraded_interface, virtual_ip, track, lease, drain)",
	       "t.conf:5: [instance svc] priority: means nothing with mode = anycast (allowed: "
	       "interface, degraded_interface, virtual_ip, track, lease, drain)",
	       "t.conf:6: [instance svc] virtual_ip: 10.79.100.1/24: an anycast address is "
	       "announced alone (allowed: no /PREFIX, or /32)",
	       "t.conf:7: [instance svc] lease: the kernel counts an address's lifetime in "
	       "seconds (allowed: whole seconds, 1s..1h)",
	       "t.conf:8: [instance svc] use_vmac: means nothing with mode = anycast (allowed: "
	       "interface, degraded_interface, virtual_ip, track, lease, drain)");
	EXPECT("[instance v]\ninterface = eth0\nvrid = 3\nvirtual_ip = 10.0.0.1\ndrain = 3s\n"
	       "degraded_interface = x\n",
	       "t.conf:5: [instance v] drain: only for mode = anycast (allowed: mode = anycast, "
	       "or remove it)",
	       "t.conf:6: [instance v] degraded_interface: only for mode = anycast (allowed: "
	       "mode = anycast, or remove it)");
	EXPECT("[instance svc]\nmode = bgp\ninterface = a\nvirtual_ip = 10.79.100.1\n",
	       "t.conf:1: [instance svc] vrid: required key is missing",
	       "t.conf:2: [instance svc] mode: 'bgp' is not valid (allowed: vrrp, anycast)");
	EXPECT("[instance svc]\nmode = anycast\ninterface = a\ndegraded_interface = a\n",
	       "t.conf:1: [instance svc] virtual_ip: required key is missing (at least one)",
	       "t.conf:4: [instance svc] degraded_interface: a is also the interface: the "
	       "routing daemon could not tell the two apart (allowed: a second interface)");
	EXPECT("[instance svc]\nmode = anycast\ninterface = a\nvirtual_ip = 10.79.100.1\n"
	       "[instance b]\ninterface = eth0\nvrid = 2\nvirtual_ip = 10.0.0.2\n"
	       "[group g]\ninstance = svc\ninstance = b\n",
	       "t.conf:1: [instance svc] mode: [instance svc] is in [group g]; an anycast "
	       "instance has no VRRP state to share (allowed: leave it out of every group)");
}

/* etc/examples/anycast-frr.conf loads, and means what its comments say. */
static void test_shipped_example(void **state)
{
	struct hafd_config *cfg = cfg_source_ok("etc/examples/anycast-frr.conf");

	(void)state;
	assert_int_equal(cfg->n_instances, 0);
	assert_int_equal(cfg->n_anycasts, 1);
	assert_string_equal(cfg->anycasts[0].ifname, "hafany0");
	assert_string_equal(cfg->anycasts[0].degraded_ifname, "hafany1");
	assert_int_equal(cfg->anycasts[0].lease_us, 3000000);
	assert_int_equal(cfg->anycasts[0].drain_us, 10000000);
	config_free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_only_anycast),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_shipped_example),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
