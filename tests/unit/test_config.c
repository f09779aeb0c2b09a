/* test_config.c: the configuration reader: parsed values, defaults, and the
 * exact text of every kind of error (file, line, section, key, what is allowed). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "cfgtext.h"
#include "log.h"


/* text loads, with exactly the warnings want (NULL-terminated). */
static void expect_warnings(const char *text, const char *const *want)
{
	struct hafd_config *cfg = cfg_text_ok(text);
	size_t n = 0;
	bool same;

	while (want[n])
		n++;
	same = cfg->n_warnings == n;
	for (size_t i = 0; same && i < n; i++)
		same = !strcmp(cfg->warnings[i], want[i]);
	if (!same) {
		for (size_t i = 0; i < n; i++)
			print_message("want: %s\n", want[i]);
		for (size_t i = 0; i < cfg->n_warnings; i++)
			print_message("got:  %s\n", cfg->warnings[i]);
	}
	config_free(cfg);
	assert_true(same);
}

#define WARN(text, ...) expect_warnings(text, (const char *const[]){ __VA_ARGS__, NULL })
#define NO_WARN(text) expect_warnings(text, (const char *const[]){ NULL })

/* A valid instance on lines 1-4; tests add lines from 5 on. */
#define INST "[instance web]\ninterface = eth0\nvrid = 51\nvirtual_ip = 192.0.2.1/24\n"
/* A valid http check on lines 5-7 after INST; tests add from line 8. */
#define HTTP INST "[check c]\ntype = http\nurl = http://127.0.0.1:8000/health\n"

static const char full_conf[] =
	"; every key, with values other than the defaults\n"            /* 1 */
	"[global]\n"
	"router_id = gpu-a\n"
	"log_level = debug\n"
	"runtime_dir = /var/run/hafd-test/\n"                           /* 5 */
	"control_socket = /tmp/hafd-test.sock\n"
	"nft_table = hafd_test\n"
	"script_user = hafd\n"
	"script_security = no\n"
	"v3_checksum = rfc9568\n"                                       /* 10 */
	"\n"
	"[check vllm]\n"
	"type = http\n"
	"url = http://[fd00::10]:8000/health?full=1\n"
	"interval = 500ms\n"                                            /* 15 */
	"timeout = 250ms\n"
	"rise = 3\n"
	"fall = 4\n"
	"weight = -50\n"
	"degrade_weight = -10\n"                                        /* 20 */
	"startup_grace = 10m\n"
	"on_timeout = degrade\n"
	"method = post\n"
	"header = Authorization: Bearer abc\n"
	"header = X-Probe: hafd\n"                                      /* 25 */
	"body = {\"prompt\": \"hi\"}\n"
	"expect_status = 200, 204-206\n"
	"expect_status = 299\n"
	"degrade_status = 429,503\n"
	"expect_body = ok\n"                                            /* 30 */
	"[check gpu]\n"
	"type = script\n"
	"command = /usr/libexec/hafd/check-gpu --min-free 10\n"
	"on_timeout = fail\n"
	"[check port]\n"                                                /* 35 */
	"type = tcp\n"
	"address = [::1]:8001\n"
	"[check flag]\n"
	"type = file\n"
	"path = /run/ai/ready\n"                                        /* 40 */
	"\n"
	"[instance web]\n"
	"interface = eth0\n"
	"vrid = 51\n"
	"priority = 150 ; inline comment\n"                             /* 45 */
	"version = 3\n"
	"advert_interval = 40.95s\n"
	"preempt = no\n"
	"nopreempt = yes\n"
	"preempt_delay = 1.5s\n"                                        /* 50 */
	"pair = no\n"
	"accept_mode = no\n"
	"virtual_ip = fd00::100/64\n"
	"virtual_ip = fd00::101\n"
	"unicast_src = fd00::1\n"                                       /* 55 */
	"unicast_peer = fd00::2\n"
	"use_vmac = yes\n"
	"track = vllm\n"
	"track = flag\n"
	"track_interface = eth1\n"                                      /* 60 */
	"track_interface = eth2 weight -20\n"
	"garp_repeat = 0\n"
	"garp_delay = 0\n"
	"garp_refresh = 1m\n"
	"notify = /usr/libexec/hafd/notify-log\n"                       /* 65 */
	"notify_master = /bin/echo master\n"
	"notify_backup = /bin/echo backup\n"
	"notify_fault = /bin/echo fault\n"
	"notify_stop = /bin/echo stop\n"
	"\n"                                                            /* 70 */
	"[instance old]\n"
	"interface = eth1\n"
	"vrid = 51\n"
	"version = 2\n"
	"advert_interval = 3s\n"                                        /* 75 */
	"virtual_ip = 10.1.0.1\n"
	"unicast_peer = 10.1.0.3\n"
	"unicast_ttl_check = yes\n"
	"[group both]\n"
	"instance = web\n"                                              /* 80 */
	"instance = old\n"
	"notify = /bin/echo group\n"
	"notify_master = /bin/echo gm\n"
	"notify_backup = /bin/echo gb\n"
	"notify_fault = /bin/echo gf\n";                                /* 85 */

static void test_full(void **state)
{
	struct hafd_config *cfg = cfg_text_ok(full_conf);
	const struct cfg_check *c;
	const struct cfg_instance *in;
	char buf[ADDR_STRLEN];

	assert_string_equal(cfg->path, "t.conf");
	assert_string_equal(cfg->global.router_id, "gpu-a");
	assert_int_equal(cfg->global.log_level, LOG_DEBUG);
	assert_string_equal(cfg->global.runtime_dir, "/var/run/hafd-test");
	assert_string_equal(cfg->global.control_socket, "/tmp/hafd-test.sock");
	assert_string_equal(cfg->global.nft_table, "hafd_test");
	assert_string_equal(cfg->global.script_user, "hafd");
	assert_false(cfg->global.script_security);
	assert_int_equal(cfg->global.v3_checksum, CFG_CSUM_RFC9568);

	assert_int_equal(cfg->n_checks, 4);
	c = config_check(cfg, "vllm");
	assert_ptr_equal(c, &cfg->checks[0]);
	assert_int_equal(c->line, 12);
	assert_int_equal(c->type, CHECK_HTTP);
	assert_string_equal(c->url, "http://[fd00::10]:8000/health?full=1");
	assert_string_equal(c->http_host, "[fd00::10]");
	assert_int_equal(c->http_addr.family, AF_INET6);
	assert_string_equal(addr_ntop(&c->http_addr, buf, sizeof(buf)), "fd00::10");
	assert_int_equal(c->http_port, 8000);
	assert_string_equal(c->http_path, "/health?full=1");
	assert_int_equal(c->interval_us, 500000);
	assert_int_equal(c->timeout_us, 250000);
	assert_int_equal(c->rise, 3);
	assert_int_equal(c->fall, 4);
	assert_int_equal(c->weight, -50);
	assert_int_equal(c->degrade_weight, -10);
	assert_int_equal(c->startup_grace_us, 600000000);
	assert_int_equal(c->on_timeout, CHECK_TIMEOUT_DEGRADE);
	assert_string_equal(c->method, "POST");
	assert_int_equal(c->n_headers, 2);
	assert_string_equal(c->headers[0], "Authorization: Bearer abc");
	assert_string_equal(c->headers[1], "X-Probe: hafd");
	assert_string_equal(c->body, "{\"prompt\": \"hi\"}");
	assert_int_equal(c->n_expect_status, 3);
	assert_int_equal(c->expect_status[0].lo, 200);
	assert_int_equal(c->expect_status[0].hi, 200);
	assert_int_equal(c->expect_status[1].lo, 204);
	assert_int_equal(c->expect_status[1].hi, 206);
	assert_int_equal(c->expect_status[2].lo, 299);
	assert_int_equal(c->n_degrade_status, 2);
	assert_int_equal(c->degrade_status[0].lo, 429);
	assert_int_equal(c->degrade_status[1].hi, 503);
	assert_string_equal(c->expect_body, "ok");

	c = config_check(cfg, "gpu");
	assert_int_equal(c->type, CHECK_SCRIPT);
	assert_string_equal(c->command, "/usr/libexec/hafd/check-gpu --min-free 10");
	assert_int_equal(c->on_timeout, CHECK_TIMEOUT_FAIL);
	c = config_check(cfg, "port");
	assert_int_equal(c->type, CHECK_TCP);
	assert_string_equal(addr_ntop(&c->tcp_addr, buf, sizeof(buf)), "::1");
	assert_int_equal(c->tcp_port, 8001);
	c = config_check(cfg, "flag");
	assert_int_equal(c->type, CHECK_FILE);
	assert_string_equal(c->path, "/run/ai/ready");

	assert_int_equal(cfg->n_instances, 2);
	in = config_instance(cfg, "web");
	assert_ptr_equal(in, &cfg->instances[0]);
	assert_int_equal(in->line, 42);
	assert_string_equal(in->ifname, "eth0");
	assert_int_equal(in->vrid, 51);
	assert_int_equal(in->priority, 150);
	assert_int_equal(in->version, 3);
	assert_int_equal(in->family, AF_INET6);
	assert_int_equal(in->advert_interval_cs, 4095);
	assert_false(in->preempt);
	assert_int_equal(in->preempt_delay_us, 1500000);
	assert_false(in->pair);         /* given, though there is one peer */
	assert_false(in->unicast_ttl_check);    /* the default, with a peer */
	assert_false(in->accept_mode);
	assert_int_equal(in->n_vips, 2);
	assert_string_equal(addr_format(&in->vips[0], buf, sizeof(buf)), "fd00::100/64");
	assert_string_equal(addr_format(&in->vips[1], buf, sizeof(buf)), "fd00::101/128");
	assert_true(in->has_unicast_src);
	assert_string_equal(addr_ntop(&in->unicast_src, buf, sizeof(buf)), "fd00::1");
	assert_int_equal(in->n_peers, 1);
	assert_string_equal(addr_ntop(&in->peers[0], buf, sizeof(buf)), "fd00::2");
	assert_true(in->use_vmac);
	assert_int_equal(in->n_tracks, 2);
	assert_int_equal(in->tracks[0], 0);
	assert_int_equal(in->tracks[1], 3);
	assert_int_equal(in->n_track_ifs, 2);
	assert_string_equal(in->track_ifs[0].ifname, "eth1");
	assert_int_equal(in->track_ifs[0].weight, 0);
	assert_string_equal(in->track_ifs[1].ifname, "eth2");
	assert_int_equal(in->track_ifs[1].weight, -20);
	assert_int_equal(in->garp_repeat, 0);
	assert_int_equal(in->garp_delay_us, 0);
	assert_int_equal(in->garp_refresh_us, 60000000);
	assert_string_equal(in->notify, "/usr/libexec/hafd/notify-log");
	assert_string_equal(in->notify_master, "/bin/echo master");
	assert_string_equal(in->notify_backup, "/bin/echo backup");
	assert_string_equal(in->notify_fault, "/bin/echo fault");
	assert_string_equal(in->notify_stop, "/bin/echo stop");
	assert_int_equal(in->group, 0);

	in = config_instance(cfg, "old");
	assert_int_equal(in->version, 2);
	assert_int_equal(in->advert_interval_cs, 300);
	assert_int_equal(in->family, AF_INET);
	assert_string_equal(addr_format(&in->vips[0], buf, sizeof(buf)), "10.1.0.1/32");
	assert_true(in->pair);          /* not given: unicast with one peer */
	assert_true(in->unicast_ttl_check);
	assert_false(in->has_unicast_src);
	assert_int_equal(in->group, 0);

	assert_int_equal(cfg->n_groups, 1);
	assert_string_equal(cfg->groups[0].name, "both");
	assert_int_equal(cfg->groups[0].line, 79);
	assert_int_equal(cfg->groups[0].n_instances, 2);
	assert_int_equal(cfg->groups[0].instances[0], 0);
	assert_int_equal(cfg->groups[0].instances[1], 1);
	assert_string_equal(cfg->groups[0].notify, "/bin/echo group");
	assert_string_equal(cfg->groups[0].notify_master, "/bin/echo gm");
	assert_string_equal(cfg->groups[0].notify_backup, "/bin/echo gb");
	assert_string_equal(cfg->groups[0].notify_fault, "/bin/echo gf");
	assert_null(config_instance(cfg, "nope"));
	assert_null(config_check(cfg, "nope"));
	config_free(cfg);
}

static void test_defaults(void **state)
{
	struct hafd_config *cfg = cfg_text_ok(INST "[check s]\ntype = script\ncommand = /bin/true\n"
					  "[check h]\ntype = http\nurl = http://localhost\n");
	const struct cfg_instance *in = &cfg->instances[0];
	const struct cfg_check *c = &cfg->checks[0];
	char host[256] = "";

	gethostname(host, sizeof(host) - 1);
	assert_string_equal(cfg->global.router_id, host);
	assert_int_equal(cfg->global.log_level, LOG_INFO);
	assert_string_equal(cfg->global.runtime_dir, "/run/hafd");
	assert_string_equal(cfg->global.control_socket, "/run/hafd/hafd.sock");
	assert_string_equal(cfg->global.nft_table, "hafd");
	assert_string_equal(cfg->global.script_user, "nobody");
	assert_true(cfg->global.script_security);
	assert_int_equal(cfg->global.v3_checksum, CFG_CSUM_RFC5798);
	assert_true(cfg->global.crash_guard);
	assert_int_equal(cfg->global.realtime_priority, 10);
	assert_int_equal(cfg->global.nft_vrrp_cap, 1000);
	assert_false(cfg->global.metrics_listen);
	assert_null(cfg->global.control_group);
	assert_int_equal(cfg->global.control_group_line, 0);

	assert_int_equal(in->line, 1);
	assert_int_equal(in->priority, 100);
	assert_int_equal(in->version, 3);
	assert_int_equal(in->advert_interval_cs, 100);
	assert_true(in->preempt);
	assert_int_equal(in->preempt_delay_us, 0);
	assert_int_equal(in->hold_down_us, 60000000);
	assert_false(in->pair);
	assert_true(in->accept_mode);
	assert_int_equal(in->family, AF_INET);
	assert_false(in->has_unicast_src);
	assert_int_equal(in->n_peers, 0);
	assert_false(in->use_vmac);
	assert_false(in->unicast_ttl_check);
	assert_int_equal(in->n_tracks, 0);
	assert_int_equal(in->n_track_ifs, 0);
	assert_int_equal(in->garp_repeat, 5);
	assert_int_equal(in->garp_delay_us, 5000000);
	assert_int_equal(in->garp_refresh_us, 0);
	assert_null(in->notify);
	assert_null(in->notify_master);
	assert_int_equal(in->group, -1);

	assert_int_equal(c->interval_us, 2000000);
	assert_int_equal(c->timeout_us, 1000000);
	assert_int_equal(c->rise, 2);
	assert_int_equal(c->fall, 2);
	assert_int_equal(c->weight, 0);
	assert_int_equal(c->degrade_weight, 0);
	assert_int_equal(c->startup_grace_us, 0);
	assert_int_equal(c->on_timeout, CHECK_TIMEOUT_FAIL);
	assert_int_equal(c->degrade_exit, 2);

	c = &cfg->checks[1];
	assert_string_equal(c->http_host, "localhost");
	assert_string_equal(addr_ntop(&c->http_addr, host, sizeof(host)), "127.0.0.1");
	assert_int_equal(c->http_port, 80);
	assert_string_equal(c->http_path, "/");
	assert_string_equal(c->method, "GET");
	assert_int_equal(c->n_headers, 0);
	assert_null(c->body);
	assert_int_equal(c->n_expect_status, 1);
	assert_int_equal(c->expect_status[0].lo, 200);
	assert_int_equal(c->expect_status[0].hi, 200);
	assert_int_equal(c->n_degrade_status, 1);
	assert_int_equal(c->degrade_status[0].lo, 429);
	assert_int_equal(c->degrade_status[0].hi, 429);
	assert_null(c->expect_body);
	config_free(cfg);

	/* A control socket follows runtime_dir; nft_table none is NULL; 0 turns
	 * realtime scheduling off, and the nft cap on unknown VRRP sources. */
	cfg = cfg_text_ok("[global]\nruntime_dir = /run/x\nnft_table = none\nrealtime_priority = 0\n"
		      "nft_vrrp_cap = 0\n" INST);
	assert_string_equal(cfg->global.control_socket, "/run/x/hafd.sock");
	assert_null(cfg->global.nft_table);
	assert_int_equal(cfg->global.realtime_priority, 0);
	assert_int_equal(cfg->global.nft_vrrp_cap, 0);
	config_free(cfg);
	cfg = cfg_text_ok("[global]\nnft_vrrp_cap = 1000000\n" INST);
	assert_int_equal(cfg->global.nft_vrrp_cap, 1000000);
	config_free(cfg);
}

static void test_shipped_example(void **state)
{
	struct hafd_config *cfg = cfg_source_ok("etc/hafd.conf");

	(void)state;
	assert_int_equal(cfg->n_instances, 1);
	assert_string_equal(cfg->instances[0].ifname, "eth0");
	assert_int_equal(cfg->instances[0].family, AF_INET);
	config_free(cfg);
}

/* etc/examples/patroni.conf (issue 24) loads, and says what it promises. */
static void test_example_patroni(void **state)
{
	struct hafd_config *cfg = cfg_source_ok("etc/examples/patroni.conf");

	(void)state;
	assert_int_equal(cfg->checks[0].request, CHECK_REQ_PATRONI);
	assert_string_equal(cfg->checks[0].http_path, "/primary");
	assert_int_equal(cfg->checks[0].weight, 0);
	assert_int_equal(cfg->instances[0].n_fence_ports, 1);
	assert_int_equal(cfg->instances[0].fence_ports[0], 5432);
	config_free(cfg);
}

/* The examples commented out with ';' in etc/hafd.conf are valid too. */
static void test_shipped_example_uncommented(void **state)
{
	const char *src = getenv("HAFD_SRCDIR");
	char path[4096], line[256], *text = NULL;
	size_t len = 0;
	FILE *in, *out;
	struct hafd_config *cfg;

	snprintf(path, sizeof(path), "%s/etc/hafd.conf", src ? src : ".");
	in = fopen(path, "r");
	assert_non_null(in);
	out = open_memstream(&text, &len);
	assert_non_null(out);
	while (fgets(line, sizeof(line), in))
		fputs(line[0] == ';' ? line + 1 : line, out);
	fclose(in);
	fclose(out);
	cfg = cfg_text_ok(text);
	assert_int_equal(cfg->n_instances, 2);
	assert_int_equal(cfg->n_checks, 3);     /* vllm, the gpu script, gpus */
	assert_int_equal(cfg->n_groups, 1);
	assert_int_equal(cfg->instances[0].n_tracks, 1);
	config_free(cfg);
	free(text);
}

static void test_lines(void **state)
{
	char line[256], text[512];
	struct hafd_config *cfg;

	/* Indentation means nothing (no inih continuation lines), CRLF and a
	 * BOM are fine, '#' and ';' start comments, ';' after a blank ends a value. */
	cfg = cfg_text_ok("\xef\xbb\xbf# comment\r\n"
		      "  [instance web]   ; comment\r\n"
		      "\tinterface = eth0\r\n"
		      "    vrid = 51\n"
		      "        virtual_ip = 192.0.2.1 ; the VIP\n"
		      "  ; indented comment\n"
		      "notify = /bin/x;y\n");
	assert_int_equal(cfg->instances[0].vrid, 51);
	assert_string_equal(cfg->instances[0].ifname, "eth0");
	assert_string_equal(cfg->instances[0].notify, "/bin/x;y");
	config_free(cfg);

	/* 199 characters is the longest line; 200 is an error. */
	memset(line, 'x', sizeof(line));
	snprintf(text, sizeof(text), INST "notify = /%.*s\n", 199 - 10, line);
	cfg = cfg_text_ok(text);
	assert_int_equal(strlen(cfg->instances[0].notify), 199 - 9);
	config_free(cfg);
	snprintf(text, sizeof(text), INST "notify = /%.*s\n", 200 - 10, line);
	EXPECT(text, "t.conf:5: syntax error: line is 200 characters long (allowed: up to 199)");
}

static void test_syntax(void **state)
{
	/* Every bad line is reported; the lines around them still count. */
	EXPECT(INST "nopreempt\n"
	       "[instance x\n"
	       "[instance y] trailing\n"
	       "[]\n"
	       "= 5\n"
	       "virtual ip = 10.0.0.1\n"
	       "url: http://x\n"
	       "priority = 7\n",
	       "t.conf:5: syntax error: 'nopreempt' is not 'key = value', a [section] or a comment",
	       "t.conf:6: syntax error: '[instance x' has no closing ']'",
	       "t.conf:7: syntax error: unexpected text after ']' (allowed: a comment starting with ; or #)",
	       "t.conf:8: syntax error: empty section header (allowed: [global], [instance NAME], "
	       "[check NAME], [group NAME])",
	       "t.conf:9: syntax error: missing key before '='",
	       "t.conf:10: syntax error: 'virtual ip' is not a key name (allowed: letters, digits, '_', '-')",
	       "t.conf:11: syntax error: 'url: http://x' is not 'key = value', a [section] or a comment");
	/* After a broken header, keys are not blamed on the section before. */
	EXPECT(INST "[check x\ntype = nonsense\n",
	       "t.conf:5: syntax error: '[check x' has no closing ']'");
}

static void test_nul_byte(void **state)
{
	static const char text[] = INST "priority = 1\0002\n";
	struct hafd_config *cfg = NULL;
	struct config_errors errs;
	FILE *f = fmemopen((void *)text, sizeof(text) - 1, "r");

	assert_int_equal(config_load_stream(f, "t.conf", &cfg, &errs), -1);
	fclose(f);
	assert_int_equal(errs.n, 1);
	assert_string_equal(errs.msgs[0], "t.conf:5: syntax error: line contains a NUL byte");
	config_errors_free(&errs);
}

static void test_outside_section(void **state)
{
	EXPECT("vrid = 51\n" "[instance web]\ninterface = eth0\nvrid = 51\nvirtual_ip = 10.0.0.1\n",
	       "t.conf:1: vrid: key outside any section");
}

static void test_unknown_key(void **state)
{
	EXPECT(INST "prority = 5\n"
	       "PRIORITY = 5\n"
	       "virtual-ip = 10.0.0.2\n"
	       "colour = blue\n"
	       "[global]\nlog_lvl = info\nfoo = 1\n"
	       "[check c]\ntype = file\npath = /x\nintervall = 1s\nbar = 1\n"
	       "[group g]\ninstance = web\ninstances = web\nbaz = 1\n",
	       "t.conf:5: [instance web] prority: unknown key (did you mean 'priority'?)",
	       "t.conf:6: [instance web] PRIORITY: unknown key (did you mean 'priority'?)",
	       "t.conf:7: [instance web] virtual-ip: unknown key (did you mean 'virtual_ip'?)",
	       "t.conf:8: [instance web] colour: unknown key (see hafd.conf(5) for the keys of [instance])",
	       "t.conf:10: [global] log_lvl: unknown key (did you mean 'log_level'?)",
	       "t.conf:11: [global] foo: unknown key (see hafd.conf(5) for the keys of [global])",
	       "t.conf:15: [check c] intervall: unknown key (did you mean 'interval'?)",
	       "t.conf:16: [check c] bar: unknown key (see hafd.conf(5) for the keys of [check])",
	       "t.conf:19: [group g] instances: unknown key (did you mean 'instance'?)",
	       "t.conf:20: [group g] baz: unknown key (see hafd.conf(5) for the keys of [group])");
}

static void test_unknown_section(void **state)
{
	/* Keys in an unknown section are not reported. */
	EXPECT(INST "[foo bar]\nwhatever = 1\n[instnce x]\n[Global]\n[vrrp_instance VI_1]\n",
	       "t.conf:5: [foo bar]: unknown section (allowed: global, instance NAME, check NAME, group NAME)",
	       "t.conf:7: [instnce x]: unknown section (did you mean 'instance'?)",
	       "t.conf:8: [Global]: unknown section (did you mean 'global'?)",
	       "t.conf:9: [vrrp_instance VI_1]: unknown section (allowed: global, instance NAME, "
	       "check NAME, group NAME)");
}

static void test_section_name(void **state)
{
	char text[512];
	struct hafd_config *cfg;
	const char *name63 = "abcdefghij-abcdefghij_abcdefghij.abcdefghij0123456789ABCDEFGHIJ";

	EXPECT(INST "[instance]\nvrid = 1\n[check a b]\n[group g/1]\n[global x]\n",
	       "t.conf:5: [instance]: section needs a name (allowed: letters, digits, '_', '-', '.', "
	       "up to 63 characters)",
	       "t.conf:7: [check a b]: section needs a name (allowed: letters, digits, '_', '-', '.', "
	       "up to 63 characters)",
	       "t.conf:8: [group g/1]: section needs a name (allowed: letters, digits, '_', '-', '.', "
	       "up to 63 characters)",
	       "t.conf:9: [global x]: [global] takes no name (allowed: [global])");

	/* 63 characters (longer than inih's own section buffer) is fine, 64 is not. */
	assert_int_equal(strlen(name63), 63);
	snprintf(text, sizeof(text), "[instance %s]\ninterface = eth0\nvrid = 1\n"
		 "virtual_ip = 10.0.0.1\n", name63);
	cfg = cfg_text_ok(text);
	assert_string_equal(cfg->instances[0].name, name63);
	config_free(cfg);
	snprintf(text, sizeof(text), INST "[check %sL]\n", name63);
	EXPECT(text, "t.conf:5: [check abcdefghij-abcdefghij_abcdefghij.abcdefghij0123456789ABCDEFGHIJL]: "
	       "section needs a name (allowed: letters, digits, '_', '-', '.', up to 63 characters)");
}

static void test_duplicate_section(void **state)
{
	/* The second one's keys are ignored, so they raise nothing more. */
	EXPECT("[global]\n" INST "[instance web]\nvrid = 1\n[global]\nlog_level = x\n"
	       "[check c]\ntype = file\npath = /x\n[check c]\n[group g]\ninstance = web\n[group g]\n",
	       "t.conf:6: [instance web]: defined twice (first at line 2)",
	       "t.conf:8: [global]: defined twice (first at line 1)",
	       "t.conf:13: [check c]: defined twice (first at line 10)",
	       "t.conf:16: [group g]: defined twice (first at line 14)");
}

static void test_given_twice(void **state)
{
	EXPECT(INST "vrid = 52\npriority = 1\npriority = 2\n[global]\nlog_level = info\n"
	       "log_level = debug\n",
	       "t.conf:5: [instance web] vrid: given twice (first at line 3; only lists may repeat)",
	       "t.conf:7: [instance web] priority: given twice (first at line 6; only lists may repeat)",
	       "t.conf:10: [global] log_level: given twice (first at line 9; only lists may repeat)");
}

static void test_int(void **state)
{
	EXPECT(INST "priority = 300\ngarp_repeat = abc\n",
	       "t.conf:5: [instance web] priority: value 300 out of range (allowed: 1..255)",
	       "t.conf:6: [instance web] garp_repeat: 'abc' is not a number (allowed: 0..100)");
	EXPECT("[global]\nrealtime_priority = 100\n" INST,
	       "t.conf:2: [global] realtime_priority: value 100 out of range (allowed: 0..99)");
	EXPECT("[global]\nrealtime_priority = -1\n" INST,
	       "t.conf:2: [global] realtime_priority: value -1 out of range (allowed: 0..99)");
	EXPECT("[global]\nrouter_id = a\nnft_vrrp_cap = 1000001\n" INST,
	       "t.conf:3: [global] nft_vrrp_cap: value 1000001 out of range (allowed: 0..1000000)");
	EXPECT("[global]\nnft_vrrp_cap = -5\n" INST,
	       "t.conf:2: [global] nft_vrrp_cap: value -5 out of range (allowed: 0..1000000)");
	EXPECT("[global]\nnft_vrrp_cap = 1k\n" INST,
	       "t.conf:2: [global] nft_vrrp_cap: '1k' is not a number (allowed: 0..1000000)");
	EXPECT(INST "priority = 0\ngarp_repeat = 101\n",
	       "t.conf:5: [instance web] priority: value 0 out of range (allowed: 1..255)",
	       "t.conf:6: [instance web] garp_repeat: value 101 out of range (allowed: 0..100)");
	EXPECT("[instance web]\ninterface = eth0\nvrid = 0\nvirtual_ip = 10.0.0.1\n"
	       "[instance b]\ninterface = eth0\nvrid = 256\nvirtual_ip = 10.0.0.1\n"
	       "[instance c]\ninterface = eth0\nvrid = 5x\nvirtual_ip = 10.0.0.1\n"
	       "[instance d]\ninterface = eth0\nvrid =\nvirtual_ip = 10.0.0.1\n",
	       "t.conf:3: [instance web] vrid: value 0 out of range (allowed: 1..255)",
	       "t.conf:7: [instance b] vrid: value 256 out of range (allowed: 1..255)",
	       "t.conf:11: [instance c] vrid: '5x' is not a number (allowed: 1..255)",
	       "t.conf:15: [instance d] vrid: '' is not a number (allowed: 1..255)");
}

static void test_bool(void **state)
{
	EXPECT(INST "preempt = maybe\naccept_mode = 2\nuse_vmac = \npair = y\n"
	       "unicast_ttl_check = 255\n[global]\nscript_security = sure\n",
	       "t.conf:5: [instance web] preempt: 'maybe' is not a boolean (allowed: yes, no, true, "
	       "false, on, off, 1, 0)",
	       "t.conf:6: [instance web] accept_mode: '2' is not a boolean (allowed: yes, no, true, "
	       "false, on, off, 1, 0)",
	       "t.conf:7: [instance web] use_vmac: '' is not a boolean (allowed: yes, no, true, "
	       "false, on, off, 1, 0)",
	       "t.conf:8: [instance web] pair: 'y' is not a boolean (allowed: yes, no, true, "
	       "false, on, off, 1, 0)",
	       "t.conf:9: [instance web] unicast_ttl_check: '255' is not a boolean (allowed: yes, "
	       "no, true, false, on, off, 1, 0)",
	       "t.conf:11: [global] script_security: 'sure' is not a boolean (allowed: yes, no, "
	       "true, false, on, off, 1, 0)");
}

static void test_duration(void **state)
{
	EXPECT(INST "preempt_delay = 5 sec\ngarp_delay = 2h\n",
	       "t.conf:5: [instance web] preempt_delay: '5 sec' is not a duration (allowed: a number "
	       "with ms, s or m, e.g. 100ms, 1.5s, 2m)",
	       "t.conf:6: [instance web] garp_delay: '2h' is not a duration (allowed: a number with "
	       "ms, s or m, e.g. 100ms, 1.5s, 2m)");
	EXPECT(INST "preempt_delay = 2000s\ngarp_delay = 61m\n",
	       "t.conf:5: [instance web] preempt_delay: 2000s is out of range (allowed: 0s..1000s)",
	       "t.conf:6: [instance web] garp_delay: 61m is out of range (allowed: 0s..60m)");
	EXPECT(INST "preempt_delay = -1s\ngarp_delay = 99999999999999999999s\n"
	       "advert_interval = 1.0000001s\n",
	       "t.conf:5: [instance web] preempt_delay: '-1s' is out of range (allowed: 0s..1000s)",
	       "t.conf:6: [instance web] garp_delay: '99999999999999999999s' is out of range "
	       "(allowed: 0s..60m)",
	       "t.conf:7: [instance web] advert_interval: '1.0000001s' is not a duration (allowed: a "
	       "number with ms, s or m, e.g. 100ms, 1.5s, 2m)");
	EXPECT(INST "advert_interval = 999999999999m\n",
	       "t.conf:5: [instance web] advert_interval: '999999999999m' is out of range (allowed: "
	       "10ms..40.95s in 10ms steps, or 1s..255s for version 2)");
	EXPECT(INST "garp_refresh = 50ms\n[instance b]\ninterface = eth0\nvrid = 2\n"
	       "virtual_ip = 10.0.0.1\ngarp_refresh = 1.5h\n[instance c]\ninterface = eth0\n"
	       "vrid = 3\nvirtual_ip = 10.0.0.1\ngarp_refresh = 61m\n",
	       "t.conf:5: [instance web] garp_refresh: 50ms is out of range (allowed: 0s (off) or "
	       "100ms..60m)",
	       "t.conf:10: [instance b] garp_refresh: '1.5h' is not a duration (allowed: a number "
	       "with ms, s or m, e.g. 100ms, 1.5s, 2m)",
	       "t.conf:15: [instance c] garp_refresh: 61m is out of range (allowed: 0s (off) or "
	       "100ms..60m)");
}

static void test_enum(void **state)
{
	EXPECT(INST "version = 4\n[global]\nlog_level = loud\nv3_checksum = rfc3768\n"
	       "[check c]\ntype = ping\non_timeout = ignore\n",
	       "t.conf:5: [instance web] version: '4' is not valid (allowed: 2, 3)",
	       "t.conf:7: [global] log_level: 'loud' is not valid (allowed: error, warning, notice, "
	       "info, debug)",
	       "t.conf:8: [global] v3_checksum: 'rfc3768' is not valid (allowed: rfc5798, rfc9568)",
	       "t.conf:10: [check c] type: 'ping' is not valid (allowed: script, http, tcp, file, "
	       "gpu, metrics)",
	       "t.conf:11: [check c] on_timeout: 'ignore' is not valid (allowed: fail, degrade)");
	EXPECT(HTTP "method = PUT\n",
	       "t.conf:8: [check c] method: 'PUT' is not valid (allowed: GET, POST, HEAD)");
}

/* type = gpu (issue 17): its keys, defaults from NVIDIA's Xid catalogue,
 * and the errors. */
static void test_gpu_keys(void **state)
{
	struct hafd_config *cfg;
	const struct cfg_check *c;

	(void)state;
	cfg = cfg_text_ok(INST "[check g]\ntype = gpu\n");
	c = config_check(cfg, "g");
	assert_int_equal(c->type, CHECK_GPU);
	assert_int_equal(c->min_gpus, 1);
	assert_int_equal(c->gpu_weight, 0);
	assert_int_equal(c->weight, 0);
	assert_int_equal(c->n_xid_fatal, 7);
	assert_int_equal(c->xid_fatal[3], 79);
	assert_int_equal(c->n_xid_degrade, 5);
	assert_int_equal(c->xid_degrade[0], 13);
	assert_int_equal(c->xid_window_us, 120000000);
	assert_string_equal(c->nvml_library, "libnvidia-ml.so.1");
	assert_string_equal(c->xid_source, "/dev/kmsg");
	config_free(cfg);

	cfg = cfg_text_ok(INST "[check g]\ntype = gpu\nmin_gpus = 6\ngpu_weight = -20\n"
			  "xid_fatal = 79, 48 95\nxid_degrade = none\nxid_window = 30s\n"
			  "nvml_library = /opt/nvidia/libnvidia-ml.so.1\nxid_source = none\n");
	c = config_check(cfg, "g");
	assert_int_equal(c->min_gpus, 6);
	assert_int_equal(c->gpu_weight, -20);
	assert_int_equal(c->weight, -20);       /* per bad GPU */
	assert_int_equal(c->n_xid_fatal, 3);
	assert_int_equal(c->xid_fatal[2], 95);
	assert_int_equal(c->n_xid_degrade, 0);
	assert_int_equal(c->xid_window_us, 30000000);
	assert_string_equal(c->nvml_library, "/opt/nvidia/libnvidia-ml.so.1");
	assert_null(c->xid_source);
	config_free(cfg);

	EXPECT(INST "[check g]\ntype = gpu\nweight = -10\ngpu_weight = -20\n",
	       "t.conf:8: [check g] gpu_weight: weight is given too (line 7; allowed: weight for "
	       "the check as a whole, or gpu_weight for each bad GPU, not both)");
	EXPECT(INST "[check g]\ntype = gpu\ngpu_weight = -1\nmin_gpus = 0\n",
	       "t.conf:7: [check g] gpu_weight: value -1 out of range (allowed: -254..-2)",
	       "t.conf:8: [check g] min_gpus: value 0 out of range (allowed: 1..32)");
	EXPECT(INST "[check g]\ntype = gpu\nxid_fatal = 79 bus\nxid_degrade = ,\n",
	       "t.conf:7: [check g] xid_fatal: 'bus' is not an Xid (allowed: codes 1..999 "
	       "separated by blanks or commas, or none)",
	       "t.conf:8: [check g] xid_degrade: empty list (allowed: codes 1..999, or none)");
	EXPECT(INST "[check g]\ntype = gpu\nxid_degrade = 13 79\n",
	       "t.conf:7: [check g] xid_degrade: Xid 79 is in both xid_fatal and xid_degrade "
	       "(allowed: each Xid in one list)");
	EXPECT(INST "[check g]\ntype = gpu\nxid_source = kmsg\n",
	       "t.conf:7: [check g] xid_source: 'kmsg' is not an absolute path (allowed: a path "
	       "starting with /, or none)");
	EXPECT(INST "[check s]\ntype = script\ncommand = x\nmin_gpus = 2\n",
	       "t.conf:8: [check s] min_gpus: key is only valid for type gpu (this check is type "
	       "script)");
}

/* type = metrics: a preset's rules, replaced or turned off by rule lines
 * of their name, other rule lines after them; a down rule without a
 * weight takes the check's; the request is http's GET. */
#define MET INST "[check m]\ntype = metrics\nurl = http://127.0.0.1:8000/metrics\n"

static void test_metrics(void **state)
{
	struct hafd_config *cfg;
	const struct cfg_check *c;

	(void)state;
	cfg = cfg_text_ok(MET "preset = vllm\nweight = -60\n"
			  "rule = queue gauge vllm:num_requests_waiting > 100 degrade -15\n"
			  "rule = preemptions off\n"
			  "rule = mine gauge up < 1 down\ndegrade_cap = -25\n");
	c = &cfg->checks[0];
	assert_int_equal(c->type, CHECK_METRICS);
	assert_string_equal(c->method, "GET");
	assert_string_equal(c->http_path, "/metrics");
	assert_int_equal(c->http_port, 8000);
	assert_int_equal(c->degrade_cap, -25);
	assert_int_equal(c->n_rules, 4);        /* queue, kv_cache, stall, mine */
	assert_string_equal(c->rules[0].name, "queue");
	assert_true(c->rules[0].threshold == 100);
	assert_int_equal(c->rules[0].weight, -15);
	assert_int_equal(c->rules[0].line, 10);
	assert_string_equal(c->rules[1].name, "kv_cache");
	assert_int_equal(c->rules[1].line, 0);
	assert_int_equal(c->rules[1].agg, METRICS_MAX);
	assert_string_equal(c->rules[2].name, "stall");
	assert_int_equal(c->rules[2].effect, METRICS_DOWN);
	assert_int_equal(c->rules[2].weight, -60);      /* the check's */
	assert_string_equal(c->rules[2].pending[1], "vllm:num_requests_waiting");
	assert_string_equal(c->rules[3].name, "mine");
	assert_int_equal(c->rules[3].weight, -60);
	config_free(cfg);
	/* Defaults: the preset alone; degrade_cap -50. */
	cfg = cfg_text_ok(MET "preset = triton\n");
	c = &cfg->checks[0];
	assert_int_equal(c->degrade_cap, -50);
	assert_int_equal(c->n_rules, 2);
	assert_string_equal(c->rules[0].metric, "nv_inference_pending_request_count");
	assert_int_equal(c->rules[1].weight, 0);        /* weight 0: FAULT */
	config_free(cfg);
	cfg = cfg_text_ok(MET "rule = q gauge a > 1 degrade -5\nheader = Authorization: Bearer x\n"
			  "on_timeout = degrade\n");
	assert_int_equal(cfg->checks[0].n_rules, 1);
	assert_int_equal(cfg->checks[0].on_timeout, CHECK_TIMEOUT_DEGRADE);
	config_free(cfg);
}

static void test_metrics_errors(void **state)
{
	(void)state;
	EXPECT(MET,
	       "t.conf:5: [check m] rule: a metrics check needs a rule (allowed: preset = vllm, "
	       "sglang, tgi, triton, llamacpp, or rule = " METRICS_RULE_SYNTAX ")");
	EXPECT(MET "preset = ollama\n",
	       "t.conf:8: [check m] preset: 'ollama' is not a preset (allowed: vllm, sglang, tgi, "
	       "triton, llamacpp)");
	EXPECT(MET "rule = q gauge a >= 1 down\n",
	       "t.conf:8: [check m] rule: '>=' is not a comparison (allowed: > or <) (allowed: "
	       METRICS_RULE_SYNTAX ")");
	EXPECT(MET "rule = q gauge a > 1 down\nrule = q rate b > 1 down\n",
	       "t.conf:9: [check m] rule: rule q is already given on line 8 (allowed: one rule "
	       "per name)");
	EXPECT(MET "preset = tgi\nrule = kv_cache off\n",
	       "t.conf:9: [check m] rule: rule kv_cache off: tgi has no rule of that name "
	       "(allowed: off for a rule of the preset)");
	EXPECT(MET "rule = x off\nrule = y gauge a > 1 down\n",
	       "t.conf:8: [check m] rule: rule x off: no preset is given, so it has no rule of "
	       "that name (allowed: off for a rule of the preset)");
	EXPECT(MET "preset = vllm\ndegrade_cap = 5\n",
	       "t.conf:9: [check m] degrade_cap: value 5 out of range (allowed: -254..-1)");
	EXPECT(HTTP "rule = q gauge a > 1 down\n",
	       "t.conf:8: [check c] rule: key is only valid for type metrics (this check is "
	       "type http)");
	EXPECT(MET "preset = vllm\nexpect_body = x\n",
	       "t.conf:9: [check m] expect_body: key is only valid for type http (this check is "
	       "type metrics)");
}

static void test_metrics_same_probe(void **state)
{
	struct hafd_config *a, *b;

	(void)state;
	a = cfg_text_ok(MET "preset = vllm\n");
	b = cfg_text_ok(MET "preset = vllm\nweight = -30\n"
			"rule = queue gauge vllm:num_requests_waiting > 32 degrade -5\n");
	assert_true(config_check_same_probe(&a->checks[0], &b->checks[0]));   /* weights */
	config_free(b);
	b = cfg_text_ok(MET "preset = vllm\n"
			"rule = queue gauge vllm:num_requests_waiting > 33 degrade -20\n");
	assert_false(config_check_same_probe(&a->checks[0], &b->checks[0]));
	config_free(b);
	config_free(a);
}

static void test_required(void **state)
{
	EXPECT("[instance web]\npriority = 5\n[check c]\n[group g]\nnotify = /bin/true\n"
	       "[check s]\ntype = script\n[check h]\ntype = http\n[check t]\ntype = tcp\n"
	       "[check f]\ntype = file\n",
	       "t.conf:1: [instance web] interface: required key is missing",
	       "t.conf:1: [instance web] vrid: required key is missing",
	       "t.conf:1: [instance web] virtual_ip: required key is missing (at least one)",
	       "t.conf:3: [check c] type: required key is missing (allowed: script, http, tcp, file, "
	       "gpu, metrics)",
	       "t.conf:4: [group g] instance: required key is missing (at least one)",
	       "t.conf:6: [check s] command: required key is missing for type script",
	       "t.conf:8: [check h] url: required key is missing for type http",
	       "t.conf:10: [check t] address: required key is missing for type tcp",
	       "t.conf:12: [check f] path: required key is missing for type file");
	/* A key given with a bad value is not "missing" as well. */
	EXPECT("[instance web]\ninterface = eth0\nvrid = x\nvirtual_ip = 10.0.0.1\n",
	       "t.conf:3: [instance web] vrid: 'x' is not a number (allowed: 1..255)");
	EXPECT(INST "notify =\n",
	       "t.conf:5: [instance web] notify: empty value (allowed: a command)");
}

static void test_no_instance(void **state)
{
	EXPECT("", "t.conf:1: no [instance NAME] section (at least one is needed)");
	EXPECT("[global]\nlog_level = info\n[check c]\ntype = file\npath = /x\n",
	       "t.conf:1: no [instance NAME] section (at least one is needed)");
}

static void test_advert_interval(void **state)
{
	struct hafd_config *cfg;

	EXPECT(INST "advert_interval = 15ms\n",
	       "t.conf:5: [instance web] advert_interval: 15ms is not a multiple of 10ms (allowed: "
	       "10ms..40.95s in 10ms steps)");
	EXPECT(INST "advert_interval = 5ms\n",
	       "t.conf:5: [instance web] advert_interval: 5ms is out of range (allowed: "
	       "10ms..40.95s in 10ms steps)");
	EXPECT(INST "advert_interval = 40.96s\n",
	       "t.conf:5: [instance web] advert_interval: 40.96s is out of range (allowed: "
	       "10ms..40.95s in 10ms steps)");
	/* version may come after advert_interval. */
	EXPECT(INST "advert_interval = 1.5s\nversion = 2\n",
	       "t.conf:5: [instance web] advert_interval: 1.5s is not a whole number of seconds "
	       "(allowed: 1s..255s for version 2)");
	EXPECT(INST "version = 2\nadvert_interval = 256s\n",
	       "t.conf:6: [instance web] advert_interval: 256s is out of range (allowed: 1s..255s "
	       "for version 2)");
	EXPECT(INST "version = 2\nadvert_interval = 0\n",
	       "t.conf:6: [instance web] advert_interval: 0s is out of range (allowed: 1s..255s "
	       "for version 2)");
	cfg = cfg_text_ok(INST "advert_interval = 10ms\n");
	assert_int_equal(cfg->instances[0].advert_interval_cs, 1);
	config_free(cfg);
	cfg = cfg_text_ok(INST "advert_interval = 255\nversion = 2\n");
	assert_int_equal(cfg->instances[0].advert_interval_cs, 25500);
	config_free(cfg);
}

static void test_preempt(void **state)
{
	struct hafd_config *cfg;

	cfg = cfg_text_ok(INST "nopreempt = yes\n");
	assert_false(cfg->instances[0].preempt);
	config_free(cfg);
	cfg = cfg_text_ok(INST "nopreempt = no\n");
	assert_true(cfg->instances[0].preempt);
	config_free(cfg);
	cfg = cfg_text_ok(INST "preempt = yes\nnopreempt = off\n");
	assert_true(cfg->instances[0].preempt);
	config_free(cfg);
	EXPECT(INST "preempt = yes\nnopreempt = yes\n",
	       "t.conf:6: [instance web] nopreempt: contradicts preempt at line 5 (allowed: "
	       "nopreempt = yes means preempt = no)");
	EXPECT(INST "nopreempt = no\npreempt = no\n",
	       "t.conf:6: [instance web] preempt: contradicts nopreempt at line 5 (allowed: "
	       "nopreempt = yes means preempt = no)");
}

static void test_virtual_ip(void **state)
{
	EXPECT(INST "virtual_ip = fd00::1\nvirtual_ip = 192.0.2.1/25\nvirtual_ip = 10.0.0.1/33\n"
	       "virtual_ip = banana\nvirtual_ip =\nvirtual_ip = 224.0.0.18\nvirtual_ip = 0.0.0.0\n",
	       "t.conf:5: [instance web] virtual_ip: fd00::1 is IPv6 but this instance's first "
	       "virtual_ip is IPv4 (allowed: one family per instance)",
	       "t.conf:6: [instance web] virtual_ip: 192.0.2.1/25 is listed twice (first at line 4; "
	       "allowed: each address once)",
	       "t.conf:7: [instance web] virtual_ip: '10.0.0.1/33' is not an address (allowed: ADDR "
	       "or ADDR/PREFIX, IPv4 or IPv6)",
	       "t.conf:8: [instance web] virtual_ip: 'banana' is not an address (allowed: ADDR or "
	       "ADDR/PREFIX, IPv4 or IPv6)",
	       "t.conf:9: [instance web] virtual_ip: '' is not an address (allowed: ADDR or "
	       "ADDR/PREFIX, IPv4 or IPv6)",
	       "t.conf:10: [instance web] virtual_ip: 224.0.0.18 is not a unicast address (allowed: "
	       "an address a host can have)",
	       "t.conf:11: [instance web] virtual_ip: 0.0.0.0 is not a unicast address (allowed: an "
	       "address a host can have)");
	EXPECT("[instance six]\ninterface = eth0\nvrid = 1\nversion = 2\nvirtual_ip = fd00::1/64\n"
	       "virtual_ip = ff02::12\n",
	       "t.conf:4: [instance six] version: version 2 is IPv4 only (allowed: version 3 for IPv6)",
	       "t.conf:6: [instance six] virtual_ip: ff02::12 is not a unicast address (allowed: an "
	       "address a host can have)");
}

static void test_virtual_ip_limit(void **state)
{
	size_t len = 40 + 256 * 24;
	char *text = malloc(len);
	struct hafd_config *cfg;
	size_t n;

	assert_non_null(text);
	n = (size_t)snprintf(text, len, "[instance web]\ninterface = eth0\nvrid = 1\n");
	for (int i = 0; i < 255; i++)
		n += (size_t)snprintf(text + n, len - n, "virtual_ip = 10.0.%d.%d\n", i / 200, i % 200 + 1);
	cfg = cfg_text_ok(text);
	assert_int_equal(cfg->instances[0].n_vips, 255);
	config_free(cfg);
	/* The 256th is refused, and only once however many follow. */
	n += (size_t)snprintf(text + n, len - n, "virtual_ip = 10.9.0.1\nvirtual_ip = 10.9.0.2\n");
	EXPECT(text, "t.conf:259: [instance web] virtual_ip: more than 255 addresses (allowed: up to "
	       "255 virtual_ip per instance)");
	free(text);
}

static void test_unicast(void **state)
{
	struct hafd_config *cfg;

	EXPECT(INST "unicast_src = 10.0.0.1/24\nunicast_peer = 10.0.0.2\nunicast_peer = 10.0.0.2\n"
	       "unicast_peer = fd00::2\nunicast_src = 10.0.0.9\nunicast_peer = nope\n",
	       "t.conf:5: [instance web] unicast_src: '10.0.0.1/24' is not an address (allowed: one "
	       "IPv4 or IPv6 address, no /PREFIX)",
	       "t.conf:7: [instance web] unicast_peer: 10.0.0.2 is listed twice (first at line 6; "
	       "allowed: each address once)",
	       "t.conf:8: [instance web] unicast_peer: fd00::2 is IPv6 but this instance's "
	       "virtual_ip is IPv4 (allowed: one family per instance)",
	       "t.conf:9: [instance web] unicast_src: given twice (first at line 5; only lists may "
	       "repeat)",
	       "t.conf:10: [instance web] unicast_peer: 'nope' is not an address (allowed: one IPv4 "
	       "or IPv6 address, no /PREFIX)");
	/* The VIPs may come after the unicast keys. */
	EXPECT("[instance web]\ninterface = eth0\nvrid = 1\nunicast_src = fd00::1\n"
	       "unicast_peer = 10.0.0.1\nunicast_peer = 10.0.0.3\nvirtual_ip = 10.0.0.100\n"
	       "[instance b]\ninterface = eth0\nvrid = 2\nvirtual_ip = 10.0.0.101\n"
	       "unicast_src = 10.0.0.1\nunicast_peer = 10.0.0.1\n",
	       "t.conf:4: [instance web] unicast_src: fd00::1 is IPv6 but this instance's virtual_ip "
	       "is IPv4 (allowed: one family per instance)",
	       "t.conf:13: [instance b] unicast_peer: 10.0.0.1 is this instance's own unicast_src "
	       "(allowed: the other routers' addresses)");
	/* pair: yes by default with exactly one peer, no with two. */
	cfg = cfg_text_ok(INST "unicast_peer = 10.0.0.2\nunicast_peer = 10.0.0.3\n"
		      "[instance b]\ninterface = eth0\nvrid = 2\nvirtual_ip = 10.0.0.101\n"
		      "unicast_peer = 10.0.0.2\n"
		      "[instance c]\ninterface = eth0\nvrid = 3\nvirtual_ip = 10.0.0.102\npair = yes\n");
	assert_false(cfg->instances[0].pair);
	assert_int_equal(cfg->instances[0].n_peers, 2);
	assert_true(cfg->instances[1].pair);
	assert_true(cfg->instances[2].pair);
	config_free(cfg);
}

/* pair = yes where more than one backup can exist: each would take over at
 * once when the master resigns. Loads, with a warning. */
static void test_pair_warning(void **state)
{
	struct hafd_config *cfg = (struct hafd_config *)&cfg;
	struct config_errors errs;

	(void)state;
	WARN(INST "pair = yes\n",
	     "t.conf:5: [instance web] pair: warning: yes, but a multicast instance can have "
	     "more than one backup: all would take over at once when the master resigns, and "
	     "clients that follow the loser's gratuitous ARP or NA are black-holed (pair = yes "
	     "is meant for the only backup of its master: one unicast_peer)");
	WARN(INST "pair = yes\nunicast_peer = 10.0.0.2\nunicast_peer = 10.0.0.3\n"
	     "[instance b]\ninterface = eth0\nvrid = 2\nvirtual_ip = 10.0.0.101\npair = on\n",
	     "t.conf:5: [instance web] pair: warning: yes, but with 2 unicast_peer there can be 2 "
	     "backups: all would take over at once when the master resigns, and clients that "
	     "follow the loser's gratuitous ARP or NA are black-holed (pair = yes is meant for "
	     "the only backup of its master: one unicast_peer)",
	     "t.conf:12: [instance b] pair: warning: yes, but a multicast instance can have "
	     "more than one backup: all would take over at once when the master resigns, and "
	     "clients that follow the loser's gratuitous ARP or NA are black-holed (pair = yes "
	     "is meant for the only backup of its master: one unicast_peer)");
	/* one peer (pair's default is yes there), pair = no, and the defaults */
	NO_WARN(INST "unicast_peer = 10.0.0.2\n");
	NO_WARN(INST "unicast_peer = 10.0.0.2\npair = yes\n");
	NO_WARN(INST "pair = no\n");
	NO_WARN(INST "unicast_peer = 10.0.0.2\nunicast_peer = 10.0.0.3\npair = no\n");
	NO_WARN(INST "unicast_peer = 10.0.0.2\nunicast_peer = 10.0.0.3\n");
	NO_WARN(INST);
	NO_WARN(full_conf);
	/* a file with errors gets its errors only */
	EXPECT(INST "pair = yes\nvrid = 2\n",
	       "t.conf:6: [instance web] vrid: given twice (first at line 3; only lists may repeat)");
	assert_int_equal(cfg_text_load(INST "pair = yes\npriority = 0\n", &cfg, &errs), -1);
	assert_int_equal(errs.n, 1);
	config_errors_free(&errs);
}

/* vip_lease: yes by default; off (vip_lease = no, or no table at all) is
 * said where the user chose it, with what it gives up. */
/* hold_down: a duration, 0s..1h; 0 turns it off. */
static void test_hold_down(void **state)
{
	struct hafd_config *cfg;

	(void)state;
	cfg = cfg_text_ok(INST "hold_down = 0s\n");
	assert_int_equal(cfg->instances[0].hold_down_us, 0);
	config_free(cfg);
	cfg = cfg_text_ok(INST "hold_down = 5m\n");
	assert_int_equal(cfg->instances[0].hold_down_us, 300000000);
	config_free(cfg);
	EXPECT(INST "hold_down = 61m\n",
	       "t.conf:5: [instance web] hold_down: 61m is out of range (allowed: 0s..60m)");
}

static void test_vip_lease(void **state)
{
	struct hafd_config *cfg;

	(void)state;
	cfg = cfg_text_ok(INST);
	assert_true(cfg->global.vip_lease);
	config_free(cfg);
	cfg = cfg_text_ok("[global]\nvip_lease = no\n" INST);
	assert_false(cfg->global.vip_lease);
	config_free(cfg);
	WARN("[global]\nvip_lease = no\n" INST,
	     "t.conf:2: [global] vip_lease: warning: no: a hafd killed with its crash guard, or "
	     "frozen, leaves its VIPs answering beside the new master");
	WARN("[global]\nlog_level = info\nnft_table = none\n" INST,
	     "t.conf:3: [global] nft_table: warning: none: no VIP lease: a hafd killed with its "
	     "crash guard, or frozen, leaves its VIPs answering beside the new master");
	NO_WARN("[global]\nvip_lease = yes\nnft_table = mine\n" INST);
	EXPECT("[global]\nvip_lease = 2\n" INST,
	       "t.conf:2: [global] vip_lease: '2' is not a boolean (allowed: yes, no, true, false, on, off, 1, 0)");
}

static void test_interface(void **state)
{
	EXPECT("[instance a]\ninterface = eth0/1\nvrid = 1\nvirtual_ip = 10.0.0.1\n"
	       "[instance b]\ninterface = verylonginterface\nvrid = 1\nvirtual_ip = 10.0.0.1\n"
	       "[instance c]\ninterface = eth0:1\nvrid = 1\nvirtual_ip = 10.0.0.1\n"
	       "[instance d]\ninterface = a b\nvrid = 1\nvirtual_ip = 10.0.0.1\n",
	       "t.conf:2: [instance a] interface: 'eth0/1' is not an interface name (allowed: 1..15 "
	       "characters without '/', ':' or whitespace)",
	       "t.conf:6: [instance b] interface: 'verylonginterface' is not an interface name "
	       "(allowed: 1..15 characters without '/', ':' or whitespace)",
	       "t.conf:10: [instance c] interface: 'eth0:1' is not an interface name (allowed: 1..15 "
	       "characters without '/', ':' or whitespace)",
	       "t.conf:14: [instance d] interface: 'a b' is not an interface name (allowed: 1..15 "
	       "characters without '/', ':' or whitespace)");
}

static void test_track(void **state)
{
	struct hafd_config *cfg;

	/* A check may be defined after the instance that tracks it. */
	cfg = cfg_text_ok(INST "track = late\n[check late]\ntype = file\npath = /x\n");
	assert_int_equal(cfg->instances[0].n_tracks, 1);
	assert_int_equal(cfg->instances[0].tracks[0], 0);
	config_free(cfg);
	EXPECT(INST "track = vlm\ntrack = other\ntrack = vllm\ntrack = vllm\n"
	       "[check vllm]\ntype = file\npath = /x\n",
	       "t.conf:5: [instance web] track: no [check vlm] section (did you mean 'vllm'?)",
	       "t.conf:6: [instance web] track: no [check other] section",
	       "t.conf:8: [instance web] track: 'vllm' is listed twice (first at line 7; allowed: "
	       "each check once)");
}

static void test_track_interface(void **state)
{
	EXPECT(INST "track_interface = eth1 wieght 5\ntrack_interface = eth1 weight 300\n"
	       "track_interface = eth1 weight x\ntrack_interface = eth/1\n"
	       "track_interface = eth1\ntrack_interface = eth1 weight -3\n"
	       "track_interface = eth1 weight 1 2\ntrack_interface =\n",
	       "t.conf:5: [instance web] track_interface: 'eth1 wieght 5' is not valid (allowed: "
	       "IFNAME or IFNAME weight N)",
	       "t.conf:6: [instance web] track_interface: value 300 out of range (allowed: -254..254)",
	       "t.conf:7: [instance web] track_interface: 'x' is not a number (allowed: -254..254)",
	       "t.conf:8: [instance web] track_interface: 'eth/1' is not an interface name (allowed: "
	       "1..15 characters without '/', ':' or whitespace)",
	       "t.conf:10: [instance web] track_interface: eth1 is listed twice (first at line 9; "
	       "allowed: each interface once)",
	       "t.conf:11: [instance web] track_interface: 'eth1 weight 1 2' is not valid (allowed: "
	       "IFNAME or IFNAME weight N)",
	       "t.conf:12: [instance web] track_interface: '' is not valid (allowed: IFNAME or "
	       "IFNAME weight N)");
}

static void test_global(void **state)
{
	char text[512];

	EXPECT("[global]\nruntime_dir = run/hafd\ncontrol_socket = hafd.sock\nnft_table = my table\n"
	       "script_user =\nrouter_id =\n" INST,
	       "t.conf:2: [global] runtime_dir: 'run/hafd' is not an absolute path (allowed: a path "
	       "starting with /)",
	       "t.conf:3: [global] control_socket: 'hafd.sock' is not an absolute path (allowed: a "
	       "path starting with /)",
	       "t.conf:4: [global] nft_table: 'my table' is not a table name (allowed: 1..32 letters, "
	       "digits, '_', '-', or none)",
	       "t.conf:5: [global] script_user: empty value (allowed: a user name)",
	       "t.conf:6: [global] router_id: empty value (allowed: a name)");
	EXPECT("[global]\nnft_table = abcdefghijabcdefghijabcdefghij123\n" INST,
	       "t.conf:2: [global] nft_table: 'abcdefghijabcdefghijabcdefghij123' is not a table "
	       "name (allowed: 1..32 letters, digits, '_', '-', or none)");
	/* A unix socket path has room for 107 characters. */
	snprintf(text, sizeof(text), "[global]\ncontrol_socket = /%0108d\n" INST, 0);
	EXPECT(text, "t.conf:2: [global] control_socket: path is 109 characters, too long for a "
	       "unix socket (allowed: up to 107)");
	snprintf(text, sizeof(text), "[global]\nruntime_dir = /%098d\n" INST, 0);
	EXPECT(text, "t.conf:2: [global] runtime_dir: /00000000000000000000000000000000000000000000"
	       "000000000000000000000000000000000000000000000000000000/hafd.sock is too long for a "
	       "unix socket (allowed: up to 107 characters, or set control_socket)");
}

/* metrics_listen and control_group (issue 21). */
static void test_metrics_keys(void **state)
{
	struct hafd_config *cfg;
	char buf[ADDR_STRLEN];

	(void)state;
	cfg = cfg_text_ok("[global]\nmetrics_listen = 127.0.0.1:9650\ncontrol_group = hafd\n" INST);
	assert_true(cfg->global.metrics_listen);
	assert_string_equal(addr_ntop(&cfg->global.metrics_addr, buf, sizeof(buf)), "127.0.0.1");
	assert_int_equal(cfg->global.metrics_port, 9650);
	assert_string_equal(cfg->global.control_group, "hafd");
	assert_int_equal(cfg->global.control_group_line, 3);
	config_free(cfg);
	cfg = cfg_text_ok("[global]\nmetrics_listen = [::1]:1024\n" INST);
	assert_true(cfg->global.metrics_listen);
	assert_string_equal(addr_ntop(&cfg->global.metrics_addr, buf, sizeof(buf)), "::1");
	assert_int_equal(cfg->global.metrics_port, 1024);
	config_free(cfg);
	cfg = cfg_text_ok("[global]\nmetrics_listen = none\ncontrol_group = none\n" INST);
	assert_false(cfg->global.metrics_listen);
	assert_null(cfg->global.control_group);
	config_free(cfg);
#define ML_RULE "(allowed: ADDRESS:PORT with ADDRESS an IPv4 address, [IPv6 address] or " \
	"localhost, PORT 1024..65535; or none)"
	EXPECT("[global]\nmetrics_listen = 127.0.0.1\n" INST,
	       "t.conf:2: [global] metrics_listen: '127.0.0.1' is not ADDRESS:PORT " ML_RULE);
	EXPECT("[global]\nmetrics_listen = 127.0.0.1:80\n" INST,
	       "t.conf:2: [global] metrics_listen: port 80 needs CAP_NET_BIND_SERVICE, which hafd "
	       "does not keep " ML_RULE);
	EXPECT("[global]\nmetrics_listen = example.com:9650\n" INST,
	       "t.conf:2: [global] metrics_listen: 'example.com:9650' is not ADDRESS:PORT " ML_RULE);
	EXPECT("[global]\nmetrics_listen = 127.0.0.1:9650/metrics\n" INST,
	       "t.conf:2: [global] metrics_listen: '127.0.0.1:9650/metrics' is not ADDRESS:PORT "
	       ML_RULE);
#undef ML_RULE
	EXPECT("[global]\ncontrol_group = -x\n" INST,
	       "t.conf:2: [global] control_group: '-x' is not a group name (allowed: 1..32 letters, "
	       "digits, '_', '.', '-', not starting with '-'; or none)");
	EXPECT("[global]\ncontrol_group = a b\n" INST,
	       "t.conf:2: [global] control_group: 'a b' is not a group name (allowed: 1..32 letters, "
	       "digits, '_', '.', '-', not starting with '-'; or none)");
}

static void test_check_values(void **state)
{
	EXPECT(HTTP "interval = 5ms\ntimeout = 2h\nrise = 0\nfall = 101\nweight = -255\n"
	       "degrade_weight = 255\nstartup_grace = 1441m\n",
	       "t.conf:8: [check c] interval: 5ms is out of range (allowed: 10ms..60m)",
	       "t.conf:9: [check c] timeout: '2h' is not a duration (allowed: a number with ms, s or "
	       "m, e.g. 100ms, 1.5s, 2m)",
	       "t.conf:10: [check c] rise: value 0 out of range (allowed: 1..100)",
	       "t.conf:11: [check c] fall: value 101 out of range (allowed: 1..100)",
	       "t.conf:12: [check c] weight: value -255 out of range (allowed: -254..254)",
	       "t.conf:13: [check c] degrade_weight: value 255 out of range (allowed: -254..254)",
	       "t.conf:14: [check c] startup_grace: 1441m is out of range (allowed: 0s..1440m)");
}

/* Issue 16: timeout_fall (default 3) and slow_after (default off). */
static void test_check_overload_keys(void **state)
{
	struct hafd_config *cfg = cfg_text_ok(HTTP "on_timeout = degrade\ntimeout_fall = 5\n"
					  "slow_after = 750ms\n"
					  "[check s]\ntype = script\ncommand = /bin/true\n");
	const struct cfg_check *c = config_check(cfg, "c");

	(void)state;
	assert_int_equal(c->timeout_fall, 5);
	assert_int_equal(c->slow_after_us, 750000);
	c = config_check(cfg, "s");
	assert_int_equal(c->timeout_fall, 3);
	assert_int_equal(c->slow_after_us, 0);
	config_free(cfg);
	EXPECT(HTTP "timeout_fall = 101\nslow_after = 2h\n"
	       "[check f]\ntype = file\npath = /tmp/x\ntimeout_fall = 2\nslow_after = 1s\n",
	       "t.conf:8: [check c] timeout_fall: value 101 out of range (allowed: 0..100)",
	       "t.conf:9: [check c] slow_after: '2h' is not a duration (allowed: a number with ms, "
	       "s or m, e.g. 100ms, 1.5s, 2m)",
	       "t.conf:13: [check f] timeout_fall: key is only valid for types script, http and metrics "
	       "(this check is type file)",
	       "t.conf:14: [check f] slow_after: key is only valid for types script, http and tcp "
	       "(this check is type file)");
}

/* Issue 20: degrade_exit names the exit status that means DEGRADED (2 by
 * default); none keeps keepalived's meaning, any non-zero exit fails. */
static void test_degrade_exit(void **state)
{
	struct hafd_config *cfg = cfg_text_ok(INST "[check a]\ntype = script\ncommand = /bin/true\n"
					  "degrade_exit = none\n"
					  "[check b]\ntype = script\ncommand = /bin/true\n"
					  "degrade_exit = 3\n"
					  "[check c]\ntype = script\ncommand = /bin/true\n"
					  "degrade_exit = 255\n");

	(void)state;
	assert_int_equal(config_check(cfg, "a")->degrade_exit, -1);
	assert_int_equal(config_check(cfg, "b")->degrade_exit, 3);
	assert_int_equal(config_check(cfg, "c")->degrade_exit, 255);
	config_free(cfg);
	EXPECT(INST "[check a]\ntype = script\ncommand = /bin/true\ndegrade_exit = 0\n"
	       "[check b]\ntype = script\ncommand = /bin/true\ndegrade_exit = 256\n"
	       "[check c]\ntype = script\ncommand = /bin/true\ndegrade_exit = no\n"
	       "[check d]\ntype = http\nurl = http://127.0.0.1/\ndegrade_exit = none\n",
	       "t.conf:8: [check a] degrade_exit: '0' is not an exit status (allowed: 1..255, or "
	       "none: every non-zero exit fails)",
	       "t.conf:12: [check b] degrade_exit: '256' is not an exit status (allowed: 1..255, or "
	       "none: every non-zero exit fails)",
	       "t.conf:16: [check c] degrade_exit: 'no' is not an exit status (allowed: 1..255, or "
	       "none: every non-zero exit fails)",
	       "t.conf:20: [check d] degrade_exit: key is only valid for type script (this check "
	       "is type http)");
}

/* A changed degrade_exit changes what each run means: the check starts
 * again on reload, as for on_timeout. */
static void test_same_probe_degrade_exit(void **state)
{
	static const char base[] = INST "[check a]\ntype = script\ncommand = /bin/true\n";
	struct hafd_config *a = cfg_text_ok(base), *b;
	char text[512];

	(void)state;
	snprintf(text, sizeof(text), "%sdegrade_exit = 2\n", base);
	b = cfg_text_ok(text);
	assert_true(config_check_same_probe(&a->checks[0], &b->checks[0]));
	config_free(b);
	snprintf(text, sizeof(text), "%sdegrade_exit = none\n", base);
	b = cfg_text_ok(text);
	assert_false(config_check_same_probe(&a->checks[0], &b->checks[0]));
	config_free(b);
	config_free(a);
}

/* ---- hafd -t: what loads but is probably a mistake (issue 20) ------------ */

/* Only " ;" starts a comment after a value; "#" is part of the value. */
static void test_hash_comment(void **state)
{
	(void)state;
	WARN(INST "notify = /bin/x # note\n",
	     "t.conf:5: [instance web] notify: warning: '#' does not start a comment after a "
	     "value, ' ;' does: the value is '/bin/x # note'");
	EXPECT(INST "priority = 150 # main\nvirtual_ip = 10.0.0.2 # second\n",
	       "t.conf:5: [instance web] priority: '150 # main' is not a number (allowed: 1..255) "
	       "('#' does not start a comment after a value, ' ;' does)",
	       "t.conf:6: [instance web] virtual_ip: '10.0.0.2 # second' is not an address "
	       "(allowed: ADDR or ADDR/PREFIX, IPv4 or IPv6) ('#' does not start a comment after "
	       "a value, ' ;' does)");
	/* A '#' with no blank before it, or after a real comment, is fine. */
	NO_WARN(INST "priority = 150 ; # main\nnotify = /bin/x#y\n"
		"[check c]\ntype = http\nurl = http://127.0.0.1/#top\n");
}

/* keepalived's "dev ethX" and other options after a VIP are errors that
 * say what to do. */
static void test_vip_options(void **state)
{
	(void)state;
	EXPECT(INST "virtual_ip = 10.0.0.1/24 dev eth1\nvirtual_ip = 10.0.0.2 label eth0:1\n"
	       "virtual_ip = 10.0.0.3/24 brd 10.0.0.255 dev eth0 scope global\n",
	       "t.conf:5: [instance web] virtual_ip: '10.0.0.1/24 dev eth1' is not an address "
	       "(hafd.conf has no 'dev': the VIP goes on the instance's interface; use another "
	       "instance for another interface)",
	       "t.conf:6: [instance web] virtual_ip: '10.0.0.2 label eth0:1' is not an address "
	       "(allowed: ADDR or ADDR/PREFIX alone; hafd.conf takes no options such as label, "
	       "brd or scope)",
	       "t.conf:7: [instance web] virtual_ip: '10.0.0.3/24 brd 10.0.0.255 dev eth0 scope "
	       "global' is not an address (allowed: ADDR or ADDR/PREFIX alone; hafd.conf takes no "
	       "options such as label, brd or scope)");
}

/* A bare number is seconds: said wherever a duration is read. */
static void test_duration_unit(void **state)
{
	struct hafd_config *cfg = cfg_text_ok(HTTP "interval = 500\n");

	(void)state;
	assert_int_equal(cfg->checks[0].interval_us, 500000000);
	config_free(cfg);
	WARN(HTTP "interval = 500\ntimeout = 1.5\n",
	     "t.conf:8: [check c] interval: warning: 500 without a unit is 500s; write 500ms or "
	     "500s",
	     "t.conf:9: [check c] timeout: warning: 1.5 without a unit is 1.5s; write 1.5ms or 1.5s");
	WARN(INST "advert_interval = 1\npreempt_delay = 600\ngarp_refresh = 2\n",
	     "t.conf:5: [instance web] advert_interval: warning: 1 without a unit is 1s; write 1ms "
	     "or 1s",
	     "t.conf:6: [instance web] preempt_delay: warning: 600 without a unit is 10m; write "
	     "600ms or 600s",
	     "t.conf:7: [instance web] garp_refresh: warning: 2 without a unit is 2s; write 2ms or 2s");
	NO_WARN(INST "garp_delay = 0\nadvert_interval = 1s\npreempt_delay = 500ms\n");
}

/* The same VIP in two instances: said at the second. */
static void test_vip_in_two_instances(void **state)
{
	(void)state;
	WARN(INST "[instance b]\ninterface = eth1\nvrid = 52\nvirtual_ip = 10.0.0.9\n"
	     "virtual_ip = 192.0.2.1/25\n",
	     "t.conf:9: [instance b] virtual_ip: warning: 192.0.2.1 is also a virtual_ip of "
	     "[instance web] at line 4: each instance adds and deletes it as its own state "
	     "changes; give each address to one instance");
	NO_WARN(INST "[instance b]\ninterface = eth0\nvrid = 52\nvirtual_ip = 192.0.2.2/24\n");
}

/* An owner's priority is never changed by tracking (vrrp.c): a weight
 * there does nothing, weight 0 (FAULT) still acts. */
static void test_owner_tracking(void **state)
{
	static const char checks[] =
		"[check c]\ntype = file\npath = /x\nweight = -50\n"
		"[check d]\ntype = file\npath = /y\n"
		"[check e]\ntype = script\ncommand = /bin/true\ndegrade_weight = -10\n"
		"[check f]\ntype = file\npath = /z\nweight = 20\ndegrade_weight = -5\n";
	char text[1024];

	(void)state;
	snprintf(text, sizeof(text), INST "priority = 255\ntrack = c\ntrack = d\ntrack = e\n"
		 "track = f\ntrack_interface = eth1 weight -20\ntrack_interface = eth2\n%s", checks);
	WARN(text,
	     "t.conf:6: [instance web] track: warning: [check c]'s weight -50 does nothing here: "
	     "priority 255 (the address owner) is never changed by tracking; only weight 0 (FAULT) "
	     "acts on an owner, or set a priority below 255",
	     "t.conf:8: [instance web] track: warning: [check e]'s degrade_weight -10 does nothing "
	     "here: priority 255 (the address owner) is never changed by tracking; only weight 0 "
	     "(FAULT) acts on an owner, or set a priority below 255",
	     "t.conf:9: [instance web] track: warning: [check f]'s weight 20 and degrade_weight -5 "
	     "do nothing here: priority 255 (the address owner) is never changed by tracking; "
	     "only weight 0 (FAULT) acts on an owner, or set a priority below 255",
	     "t.conf:10: [instance web] track_interface: warning: weight -20 does nothing here: "
	     "priority 255 (the address owner) is never changed by tracking; only weight 0 "
	     "(FAULT) acts on an owner, or set a priority below 255");
	snprintf(text, sizeof(text), INST "priority = 254\ntrack = c\ntrack = d\ntrack = e\n"
		 "track = f\ntrack_interface = eth1 weight -20\ntrack_interface = eth2\n%s", checks);
	NO_WARN(text);
}

/* A keepalived.conf given to hafd: the first error says how to convert it. */
static void test_keepalived_conf(void **state)
{
	static const char ka[] =
		"! Configuration File for keepalived\n"
		"\n"
		"global_defs {\n"
		"   router_id LVS_DEVEL\n"
		"}\n"
		"vrrp_instance VI_1 {\n"
		"    interface eth0\n"
		"    virtual_ipaddress {\n"
		"        192.168.200.16\n"
		"    }\n"
		"}\n";
	struct hafd_config *cfg = NULL;
	struct config_errors errs;

	(void)state;
	assert_int_equal(cfg_text_load(ka, &cfg, &errs), -1);
	assert_true(errs.n > 1);
	assert_string_equal(errs.msgs[0], "t.conf: this looks like a keepalived.conf (line 3): "
			    "convert it with 'hafctl convert-keepalived t.conf' (hafd.conf(5) has "
			    "this file's format)");
	assert_string_equal(errs.msgs[1], "t.conf:1: syntax error: '! Configuration File for "
			    "keepalived' is not 'key = value', a [section] or a comment");
	config_errors_free(&errs);
	/* One block opened in a hafd.conf is enough; a bare word is not. */
	EXPECT(INST "vrrp_script chk {\n",
	       "t.conf: this looks like a keepalived.conf (line 5): convert it with 'hafctl "
	       "convert-keepalived t.conf' (hafd.conf(5) has this file's format)",
	       "t.conf:5: syntax error: 'vrrp_script chk {' is not 'key = value', a [section] or "
	       "a comment");
	EXPECT(INST "nopreempt\n",
	       "t.conf:5: syntax error: 'nopreempt' is not 'key = value', a [section] or a comment");
}

static void test_check_type_keys(void **state)
{
	/* type may come last; keys of another type are each named. */
	EXPECT(INST "[check s]\nurl = http://127.0.0.1/\ncommand = /bin/true\nheader = A: b\n"
	       "address = 127.0.0.1:80\npath = /x\ntype = script\n"
	       "[check t]\ntype = tcp\naddress = 127.0.0.1:80\non_timeout = degrade\ncommand = x\n"
	       "expect_status = 200\ndegrade_status = 429\nmethod = GET\nbody = x\nexpect_body = y\n",
	       "t.conf:6: [check s] url: key is only valid for types http and metrics (this check is type script)",
	       "t.conf:8: [check s] header: key is only valid for types http and metrics (this check is type script)",
	       "t.conf:9: [check s] address: key is only valid for type tcp (this check is type script)",
	       "t.conf:10: [check s] path: key is only valid for type file (this check is type script)",
	       "t.conf:15: [check t] on_timeout: key is only valid for types script, http and metrics (this "
	       "check is type tcp)",
	       "t.conf:16: [check t] command: key is only valid for type script (this check is type tcp)",
	       "t.conf:17: [check t] expect_status: key is only valid for type http (this check is "
	       "type tcp)",
	       "t.conf:18: [check t] degrade_status: key is only valid for type http (this check is "
	       "type tcp)",
	       "t.conf:19: [check t] method: key is only valid for type http (this check is type tcp)",
	       "t.conf:20: [check t] body: key is only valid for type http (this check is type tcp)",
	       "t.conf:21: [check t] expect_body: key is only valid for type http (this check is "
	       "type tcp)");
}

static void test_http_url(void **state)
{
	struct hafd_config *cfg;

	EXPECT(INST "[check c]\ntype = http\nurl = https://127.0.0.1/health\n"
	       "[check d]\ntype = http\nurl = http://gpu-a.example:8000/health\n"
	       "[check e]\ntype = http\nurl = 127.0.0.1:8000/health\n"
	       "[check f]\ntype = http\nurl = http://127.0.0.1:0/\n"
	       "[check g]\ntype = http\nurl = http://127.0.0.1:99999/\n"
	       "[check h]\ntype = http\nurl = http://[::1/\n"
	       "[check i]\ntype = http\nurl = http://127.0.0.1/a b\n"
	       "[check j]\ntype = http\nurl = http://[127.0.0.1]/\n"
	       "[check k]\ntype = http\nurl = http://127.0.0.1?x\n"
	       "[check l]\ntype = http\nurl = http://:80/\n",
	       "t.conf:7: [check c] url: 'https://127.0.0.1/health': https is not supported (allowed: "
	       "http://HOST[:PORT][/PATH])",
	       "t.conf:10: [check d] url: host 'gpu-a.example' is not an IP address; names are not "
	       "looked up, as a DNS query could block the daemon (allowed: an IPv4 address, [IPv6 "
	       "address] or localhost)",
	       "t.conf:13: [check e] url: '127.0.0.1:8000/health' is not an http URL (allowed: "
	       "http://HOST[:PORT][/PATH])",
	       "t.conf:16: [check f] url: port '0' is not valid (allowed: 1..65535)",
	       "t.conf:19: [check g] url: port '99999' is not valid (allowed: 1..65535)",
	       "t.conf:22: [check h] url: '[::1/' has no closing ']' (allowed: an IPv4 address, "
	       "[IPv6 address] or localhost)",
	       "t.conf:25: [check i] url: 'http://127.0.0.1/a b' is not an http URL (allowed: "
	       "http://HOST[:PORT][/PATH], no spaces: write %20)",
	       "t.conf:28: [check j] url: host '[127.0.0.1]' is not an IP address; names are not "
	       "looked up, as a DNS query could block the daemon (allowed: an IPv4 address, [IPv6 "
	       "address] or localhost)",
	       "t.conf:31: [check k] url: 'http://127.0.0.1?x' is not an http URL (allowed: "
	       "http://HOST[:PORT][/PATH], no spaces: write %20)",
	       "t.conf:34: [check l] url: host '' is not an IP address; names are not looked up, as "
	       "a DNS query could block the daemon (allowed: an IPv4 address, [IPv6 address] or "
	       "localhost)");
	cfg = cfg_text_ok(INST "[check c]\ntype = http\nurl = HTTP://LocalHost:8080\n");
	assert_string_equal(cfg->checks[0].http_host, "LocalHost");
	assert_int_equal(cfg->checks[0].http_port, 8080);
	assert_string_equal(cfg->checks[0].http_path, "/");
	config_free(cfg);
}

static void test_http_other(void **state)
{
	struct hafd_config *cfg;

	EXPECT(HTTP "header = NoColon\nheader = Bad Name: x\nheader = : x\n"
	       "expect_status = 2xx\nexpect_status = 299-200\nexpect_status = 99\n"
	       "expect_status = 200,\ndegrade_status = none,\nbody =\n",
	       "t.conf:8: [check c] header: 'NoColon' is not a header (allowed: Name: value)",
	       "t.conf:9: [check c] header: 'Bad Name: x' is not a header (allowed: Name: value)",
	       "t.conf:10: [check c] header: ': x' is not a header (allowed: Name: value)",
	       "t.conf:11: [check c] expect_status: '2xx' is not a status list (allowed: codes "
	       "100..599 and ranges like 200-299, separated by commas)",
	       "t.conf:12: [check c] expect_status: range 299-200 is reversed (allowed: LOW-HIGH, "
	       "e.g. 200-299)",
	       "t.conf:13: [check c] expect_status: status 99 out of range (allowed: 100..599)",
	       "t.conf:14: [check c] expect_status: '200,' is not a status list (allowed: codes "
	       "100..599 and ranges like 200-299, separated by commas)",
	       "t.conf:15: [check c] degrade_status: 'none,' is not a status list (allowed: codes "
	       "100..599 and ranges like 200-299, separated by commas)",
	       "t.conf:16: [check c] body: empty value (allowed: text)");
	/* A status may not mean both up and degraded, defaults included. */
	EXPECT(HTTP "expect_status = 200-499\n",
	       "t.conf:8: [check c] expect_status: status 429 is in both expect_status and "
	       "degrade_status (allowed: each status in one list; degrade_status = none empties the "
	       "degrade list)");
	EXPECT(HTTP "degrade_status = 503\nexpect_status = 200, 500-503\n",
	       "t.conf:9: [check c] expect_status: status 503 is in both expect_status and "
	       "degrade_status (allowed: each status in one list; degrade_status = none empties the "
	       "degrade list)");
	EXPECT(HTTP "degrade_status = 200\n",
	       "t.conf:8: [check c] degrade_status: status 200 is in both expect_status and "
	       "degrade_status (allowed: each status in one list; degrade_status = none empties the "
	       "degrade list)");
	/* none empties degrade_status only. */
	EXPECT(HTTP "expect_status = none\n",
	       "t.conf:8: [check c] expect_status: 'none' is not a status list (allowed: codes "
	       "100..599 and ranges like 200-299, separated by commas)");
	cfg = cfg_text_ok(HTTP "expect_status = 200-499\ndegrade_status = none\n");
	assert_int_equal(cfg->checks[0].n_expect_status, 1);
	assert_int_equal(cfg->checks[0].n_degrade_status, 0);
	config_free(cfg);
}

#define GEN INST "[check c]\ntype = http\nurl = http://127.0.0.1:8000/v1/\nrequest = generate\n"

/* degrade_body (issue 16): the engines' queue-full texts by default, the
 * user's own instead, none for nothing. */
static void test_http_degrade_body(void **state)
{
	struct hafd_config *cfg;
	const struct cfg_check *c;
	bool ollama = false;

	(void)state;
	cfg = cfg_text_ok(HTTP);
	c = &cfg->checks[0];
	assert_true(c->n_degrade_body >= 4);
	for (size_t i = 0; i < c->n_degrade_body; i++)
		ollama |= !strcmp(c->degrade_body[i], "maximum pending requests exceeded");
	assert_true(ollama);
	assert_int_equal(c->request, CHECK_REQ_GET);
	config_free(cfg);
	cfg = cfg_text_ok(HTTP "degrade_body = busy\ndegrade_body = try later\n");
	c = &cfg->checks[0];
	assert_int_equal(c->n_degrade_body, 2);
	assert_string_equal(c->degrade_body[1], "try later");
	config_free(cfg);
	cfg = cfg_text_ok(HTTP "degrade_body = none\n");
	assert_int_equal(cfg->checks[0].n_degrade_body, 0);
	config_free(cfg);
	EXPECT(HTTP "degrade_body =\n", "t.conf:8: [check c] degrade_body: empty value (allowed: "
	       "text that a saturated server's answer holds, or none)");
	EXPECT(INST "[check t]\ntype = tcp\naddress = 127.0.0.1:1\ndegrade_body = x\n",
	       "t.conf:8: [check t] degrade_body: key is only valid for type http (this check "
	       "is type tcp)");
}

#define PAT INST "[check c]\ntype = http\nurl = http://127.0.0.1:8008\nrequest = patroni\n"

/* request = patroni (issue 24): "/" means /primary, and nothing may turn a
 * member that is not the leader into anything but FAULT. */
static void test_http_patroni(void **state)
{
	struct hafd_config *cfg;
	const struct cfg_check *c;

	(void)state;
	cfg = cfg_text_ok(PAT "interval = 500ms\nweight = 0\n");
	c = &cfg->checks[0];
	assert_int_equal(c->request, CHECK_REQ_PATRONI);
	assert_string_equal(c->http_path, "/primary");
	assert_int_equal(c->http_port, 8008);
	assert_int_equal(c->n_degrade_status, 0);
	assert_int_equal(c->n_degrade_body, 0);
	config_free(cfg);
	cfg = cfg_text_ok(INST "[check c]\ntype = http\nurl = http://10.0.0.1:8008/read-write\n"
			  "request = patroni\n");
	assert_string_equal(cfg->checks[0].http_path, "/read-write");
	config_free(cfg);
	EXPECT(PAT "weight = -50\n", "t.conf:9: [check c] weight: -50: request = patroni puts a "
	       "member that is not the leader in FAULT (allowed: weight = 0)");
	EXPECT(PAT "on_timeout = degrade\n", "t.conf:9: [check c] on_timeout: degrade: a Patroni "
	       "that does not answer is not the leader (allowed: fail)");
	EXPECT(PAT "degrade_status = 503\n", "t.conf:9: [check c] degrade_status: not with "
	       "request = patroni (the leader answers 200 with a read-write PostgreSQL, anything "
	       "else is FAULT)");
	EXPECT(PAT "expect_status = 200-599\n", "t.conf:9: [check c] expect_status: not with "
	       "request = patroni (the leader answers 200 with a read-write PostgreSQL, anything "
	       "else is FAULT)");
}

static void test_http_generate(void **state)
{
	char key[] = "/tmp/hafd-test-key.XXXXXX", text[1024];
	struct hafd_config *cfg, *cfg2;
	const struct cfg_check *c;
	int fd;

	(void)state;
	cfg = cfg_text_ok(GEN);
	c = &cfg->checks[0];
	assert_int_equal(c->request, CHECK_REQ_GENERATE);
	assert_int_equal(c->endpoint, CHECK_EP_COMPLETIONS);
	assert_string_equal(c->gen_base, "");
	assert_null(c->model);
	assert_false(c->stream);
	/* the base of the URL, with or without /v1 */
	cfg2 = cfg_text_ok(INST "[check c]\ntype = http\nurl = http://[::1]:8000\n"
			   "request = generate\nendpoint = chat\nmodel = org/m-7b\nstream = yes\n");
	c = &cfg2->checks[0];
	assert_string_equal(c->gen_base, "");
	assert_int_equal(c->endpoint, CHECK_EP_CHAT);
	assert_string_equal(c->model, "org/m-7b");
	assert_true(c->stream);
	assert_false(config_check_same_probe(&cfg->checks[0], c));
	config_free(cfg2);
	cfg2 = cfg_text_ok(INST "[check c]\ntype = http\nurl = http://127.0.0.1:8000/llm/v1\n"
			   "request = generate\n");
	assert_string_equal(cfg2->checks[0].gen_base, "/llm");
	assert_true(config_check_same_probe(&cfg->checks[0], &cfg->checks[0]));
	config_free(cfg2);
	config_free(cfg);
	/* keys of a GET, or of the generation probe, in the wrong place */
	EXPECT(GEN "method = POST\nbody = {}\nexpect_body = ok\n",
	       "t.conf:9: [check c] method: not with request = generate (the probe is a POST of "
	       "its own; allowed: request = get)",
	       "t.conf:10: [check c] body: not with request = generate (the probe is a POST of "
	       "its own; allowed: request = get)",
	       "t.conf:11: [check c] expect_body: not with request = generate (the probe is a POST "
	       "of its own; allowed: request = get)");
	EXPECT(HTTP "model = m\nstream = yes\n",
	       "t.conf:8: [check c] model: key is only valid with request = generate",
	       "t.conf:9: [check c] stream: key is only valid with request = generate");
	EXPECT(GEN "request = post\n", "t.conf:9: [check c] request: given twice (first at line "
	       "8; only lists may repeat)");
	EXPECT(HTTP "request = post\nendpoint = embeddings\n",
	       "t.conf:8: [check c] request: 'post' is not valid (allowed: get, generate, patroni)",
	       "t.conf:9: [check c] endpoint: 'embeddings' is not valid (allowed: completions, "
	       "chat)");
	EXPECT(GEN "model = a\"b\n", "t.conf:9: [check c] model: 'a\"b' is not a model id "
	       "(allowed: text without '\"', '\\' or control characters)");
	EXPECT(INST "[check c]\ntype = http\nurl = http://127.0.0.1:8000/v1?x=1\n"
	       "request = generate\n", "t.conf:7: [check c] url: 'http://127.0.0.1:8000/v1?x=1': "
	       "request = generate takes a base URL without a query (allowed: "
	       "http://HOST:PORT[/PREFIX][/v1])");
	EXPECT(GEN "api_key_file = key\n", "t.conf:9: [check c] api_key_file: 'key' is not an "
	       "absolute path (allowed: a path starting with /)");
	/* the key file: only its owner may read it */
	fd = mkstemp(key);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "sk-test\n", 8), 8);
	close(fd);
	assert_int_equal(chmod(key, 0640), 0);
	snprintf(text, sizeof(text), GEN "api_key_file = %s\n", key);
	{
		char want[512];

		snprintf(want, sizeof(want), "t.conf:9: [check c] api_key_file: %s may be read or "
			 "written by group or others (mode 0640): refusing it (chmod 600 %s)", key, key);
		expect_errors(text, (const char *const[]){ want, NULL });
	}
	assert_int_equal(chmod(key, 0600), 0);
	cfg = cfg_text_ok(text);
	assert_string_equal(cfg->checks[0].api_key_file, key);
	config_free(cfg);
	unlink(key);
	{
		char want[512];

		snprintf(want, sizeof(want), "t.conf:9: [check c] api_key_file: %s: No such file or "
			 "directory (allowed: a file holding the key, mode 0600 or 0400, owned by root)",
			 key);
		expect_errors(text, (const char *const[]){ want, NULL });
	}
}

static void test_tcp_and_file(void **state)
{
	struct hafd_config *cfg;
	char buf[ADDR_STRLEN];

	EXPECT(INST "[check t]\ntype = tcp\naddress = 127.0.0.1\n"
	       "[check u]\ntype = tcp\naddress = db.local:5432\n"
	       "[check v]\ntype = tcp\naddress = 127.0.0.1:80/x\n"
	       "[check w]\ntype = tcp\naddress = [::1]:http\n"
	       "[check f]\ntype = file\npath = run/ready\n",
	       "t.conf:7: [check t] address: '127.0.0.1' is not HOST:PORT (allowed: HOST:PORT with "
	       "HOST an IPv4 address, [IPv6 address] or localhost, PORT 1..65535)",
	       "t.conf:10: [check u] address: host 'db.local' is not an IP address; names are not "
	       "looked up, as a DNS query could block the daemon (allowed: an IPv4 address, [IPv6 "
	       "address] or localhost)",
	       "t.conf:13: [check v] address: '127.0.0.1:80/x' is not HOST:PORT (allowed: HOST:PORT "
	       "with HOST an IPv4 address, [IPv6 address] or localhost, PORT 1..65535)",
	       "t.conf:16: [check w] address: port 'http' is not valid (allowed: 1..65535)",
	       "t.conf:19: [check f] path: 'run/ready' is not an absolute path (allowed: a path "
	       "starting with /)");
	cfg = cfg_text_ok(INST "[check t]\ntype = tcp\naddress = localhost:65535\n");
	assert_string_equal(addr_ntop(&cfg->checks[0].tcp_addr, buf, sizeof(buf)), "127.0.0.1");
	assert_int_equal(cfg->checks[0].tcp_port, 65535);
	config_free(cfg);
}

static void test_group(void **state)
{
	struct hafd_config *cfg;

	EXPECT(INST "[instance b]\ninterface = eth0\nvrid = 2\nvirtual_ip = 10.0.0.2\n"
	       "[group g1]\ninstance = web\ninstance = wbe\ninstance = web\ninstance = zzz\n"
	       "[group g2]\ninstance = web\ninstance = b\n",
	       "t.conf:11: [group g1] instance: no [instance wbe] section (did you mean 'web'?)",
	       "t.conf:12: [group g1] instance: 'web' is listed twice (first at line 10; allowed: "
	       "each instance once)",
	       "t.conf:13: [group g1] instance: no [instance zzz] section",
	       "t.conf:15: [group g2] instance: [instance web] is already in [group g1] (allowed: "
	       "one group per instance)");
	/* Instances may be defined after the group. */
	cfg = cfg_text_ok("[group g]\ninstance = web\n" INST);
	assert_int_equal(cfg->groups[0].n_instances, 1);
	assert_int_equal(cfg->instances[0].group, 0);
	config_free(cfg);
}

static void test_vrid_clash(void **state)
{
	struct hafd_config *cfg;

	EXPECT(INST "[instance b]\ninterface = eth0\nvrid = 51\nvirtual_ip = 192.0.2.9\n",
	       "t.conf:7: [instance b] vrid: vrid 51 on eth0 (IPv4) is already used by [instance web] "
	       "at line 1 (allowed: one instance per VRID, interface and family)");
	/* Another family or another interface is another virtual router. */
	cfg = cfg_text_ok(INST "[instance b]\ninterface = eth0\nvrid = 51\nvirtual_ip = fd00::9\n"
		      "[instance c]\ninterface = eth1\nvrid = 51\nvirtual_ip = 192.0.2.9\n");
	assert_int_equal(cfg->n_instances, 3);
	config_free(cfg);
}

static void test_many_errors_in_order(void **state)
{
	/* Errors found at the end (missing keys, references) and errors found
	 * while reading are merged in line order. */
	EXPECT("[instance web]\n"
	       "track = nothere\n"
	       "bogus line\n"
	       "priority = 999\n"
	       "[check c]\n"
	       "type = http\n"
	       "url = https://x/\n"
	       "[instance b]\n"
	       "interface = eth0\n"
	       "vrid = 1\n"
	       "virtual_ip = 10.0.0.1\n"
	       "wat = 1\n",
	       "t.conf:1: [instance web] interface: required key is missing",
	       "t.conf:1: [instance web] vrid: required key is missing",
	       "t.conf:1: [instance web] virtual_ip: required key is missing (at least one)",
	       "t.conf:2: [instance web] track: no [check nothere] section",
	       "t.conf:3: syntax error: 'bogus line' is not 'key = value', a [section] or a comment",
	       "t.conf:4: [instance web] priority: value 999 out of range (allowed: 1..255)",
	       "t.conf:7: [check c] url: 'https://x/': https is not supported (allowed: "
	       "http://HOST[:PORT][/PATH])",
	       "t.conf:12: [instance b] wat: unknown key (see hafd.conf(5) for the keys of [instance])");
}

static void test_unreadable(void **state)
{
	struct hafd_config *cfg = (struct hafd_config *)&cfg;
	struct config_errors errs;

	assert_int_equal(config_load("/nonexistent/hafd.conf", &cfg, &errs), -1);
	assert_null(cfg);
	assert_int_equal(errs.n, 1);
	assert_string_equal(errs.msgs[0], "/nonexistent/hafd.conf: No such file or directory");
	config_errors_free(&errs);
	assert_int_equal(errs.n, 0);

	cfg = (struct hafd_config *)&cfg;
	assert_int_equal(config_load("/", &cfg, &errs), -1);
	assert_null(cfg);
	assert_int_equal(errs.n, 1);
	assert_string_equal(errs.msgs[0], "/: Is a directory");
	config_errors_free(&errs);
}

static void test_load_file(void **state)
{
	char path[] = "/tmp/hafd-test-XXXXXX";
	int fd = mkstemp(path);
	struct hafd_config *cfg;
	struct config_errors errs;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, INST "vrid = 2\n", strlen(INST "vrid = 2\n")),
			 (ssize_t)strlen(INST "vrid = 2\n"));
	close(fd);
	assert_int_equal(config_load(path, &cfg, &errs), -1);
	assert_int_equal(errs.n, 1);
	assert_true(!strncmp(errs.msgs[0], path, strlen(path)));
	assert_string_equal(errs.msgs[0] + strlen(path),
			    ":5: [instance web] vrid: given twice (first at line 3; only lists may repeat)");
	config_errors_free(&errs);
	unlink(path);
}

/* The one pairing every reload path uses: by name, whatever the order. */
static void test_match(void **state)
{
	static const char old_text[] =
		"[instance a]\ninterface = eth0\nvrid = 1\nvirtual_ip = 192.0.2.1\n"
		"[instance b]\ninterface = eth0\nvrid = 2\nvirtual_ip = 192.0.2.2\n"
		"[instance c]\ninterface = eth0\nvrid = 3\nvirtual_ip = 192.0.2.3\n"
		"[check x]\ntype = file\npath = /run/x\n"
		"[check y]\ntype = file\npath = /run/y\n"
		"[group g]\ninstance = a\ninstance = b\n"
		"[group h]\ninstance = c\n";
	/* b moved first and only its priority changed (kept); a changed VRID
	 * (changed); c gone, d new; check x kept with a new weight, y probes
	 * another file; group g the same members, h gone, k new. */
	static const char new_text[] =
		"[instance b]\ninterface = eth0\nvrid = 2\nvirtual_ip = 192.0.2.2\npriority = 200\n"
		"[instance a]\ninterface = eth0\nvrid = 9\nvirtual_ip = 192.0.2.1\n"
		"[instance d]\ninterface = eth0\nvrid = 4\nvirtual_ip = 192.0.2.4\n"
		"[check y]\ntype = file\npath = /run/other\n"
		"[check x]\ntype = file\npath = /run/x\nweight = -10\n"
		"[group k]\ninstance = d\n"
		"[group g]\ninstance = a\ninstance = b\n";
	struct hafd_config *o = cfg_text_ok(old_text), *n = cfg_text_ok(new_text);
	struct config_diff d;
	const struct config_pair *p;

	(void)state;
	assert_int_equal(config_match(o, n, &d), 0);
	assert_int_equal(d.instances.n_new, 3);
	assert_int_equal(d.instances.n, 4);
	p = d.instances.pairs;
	assert_int_equal(p[0].fate, CONFIG_KEPT);
	assert_int_equal(p[0].old_idx, 1);
	assert_int_equal(p[0].new_idx, 0);
	assert_int_equal(p[1].fate, CONFIG_CHANGED);
	assert_int_equal(p[1].old_idx, 0);
	assert_int_equal(p[2].fate, CONFIG_ADDED);
	assert_int_equal(p[2].new_idx, 2);
	assert_int_equal(p[3].fate, CONFIG_REMOVED);
	assert_int_equal(p[3].old_idx, 2);
	assert_null(config_match_old(&d.instances, 2));
	assert_null(config_match_old(&d.instances, 3));
	assert_int_equal(config_match_old(&d.instances, 1)->old_idx, 0);

	assert_int_equal(d.checks.n, 2);
	assert_int_equal(d.checks.pairs[0].fate, CONFIG_CHANGED);
	assert_int_equal(d.checks.pairs[0].old_idx, 1);
	assert_int_equal(d.checks.pairs[1].fate, CONFIG_KEPT);
	assert_int_equal(d.checks.pairs[1].old_idx, 0);

	assert_int_equal(d.groups.n, 3);
	assert_int_equal(d.groups.pairs[0].fate, CONFIG_ADDED);
	/* g's members moved (a is now index 1, b index 0): the same group. */
	assert_int_equal(d.groups.pairs[1].fate, CONFIG_KEPT);
	assert_int_equal(d.groups.pairs[1].old_idx, 0);
	assert_int_equal(d.groups.pairs[2].fate, CONFIG_REMOVED);
	assert_int_equal(d.groups.pairs[2].old_idx, 1);
	config_match_free(&d);

	/* No old configuration: everything is new. */
	assert_int_equal(config_match(NULL, n, &d), 0);
	assert_int_equal(d.instances.n, 3);
	for (size_t i = 0; i < d.instances.n; i++)
		assert_int_equal(d.instances.pairs[i].fate, CONFIG_ADDED);
	config_match_free(&d);
	config_free(o);
	config_free(n);
}

static void test_compatible(void **state)
{
	static const char base[] = INST "unicast_src = 192.0.2.2\nunicast_peer = 192.0.2.3\n";
	struct hafd_config *a = cfg_text_ok(base), *b;
	char text[512];
	static const char *const same[] = {
		"priority = 200\n", "preempt = no\n", "preempt_delay = 3s\n", "pair = no\n",
		"track_interface = eth1\n", "garp_repeat = 1\n", "notify = /bin/true\n",
		"notify_master = /bin/true\n", "garp_refresh = 1m\n", "garp_delay = 1s\n",
		"unicast_ttl_check = yes\n",
	};
	static const char *const differ[] = {
		"version = 2\n", "advert_interval = 2s\n", "use_vmac = yes\n", "accept_mode = no\n",
		"virtual_ip = 192.0.2.50\n", "unicast_peer = 192.0.2.4\n",
	};

	assert_true(config_instance_compatible(&a->instances[0], &a->instances[0]));
	for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		snprintf(text, sizeof(text), "%s%s", base, same[i]);
		b = cfg_text_ok(text);
		assert_true(config_instance_compatible(&a->instances[0], &b->instances[0]));
		config_free(b);
	}
	for (size_t i = 0; i < sizeof(differ) / sizeof(differ[0]); i++) {
		snprintf(text, sizeof(text), "%s%s", base, differ[i]);
		b = cfg_text_ok(text);
		assert_false(config_instance_compatible(&a->instances[0], &b->instances[0]));
		config_free(b);
	}
	/* The interface, VRID, a VIP's prefix and unicast_src each matter. */
	b = cfg_text_ok("[instance web]\ninterface = eth1\nvrid = 51\nvirtual_ip = 192.0.2.1/24\n"
		    "unicast_src = 192.0.2.2\nunicast_peer = 192.0.2.3\n");
	assert_false(config_instance_compatible(&a->instances[0], &b->instances[0]));
	config_free(b);
	b = cfg_text_ok("[instance web]\ninterface = eth0\nvrid = 52\nvirtual_ip = 192.0.2.1/24\n"
		    "unicast_src = 192.0.2.2\nunicast_peer = 192.0.2.3\n");
	assert_false(config_instance_compatible(&a->instances[0], &b->instances[0]));
	config_free(b);
	b = cfg_text_ok("[instance web]\ninterface = eth0\nvrid = 51\nvirtual_ip = 192.0.2.1/25\n"
		    "unicast_src = 192.0.2.2\nunicast_peer = 192.0.2.3\n");
	assert_false(config_instance_compatible(&a->instances[0], &b->instances[0]));
	config_free(b);
	b = cfg_text_ok("[instance web]\ninterface = eth0\nvrid = 51\nvirtual_ip = 192.0.2.1/24\n"
		    "unicast_peer = 192.0.2.3\n");
	assert_false(config_instance_compatible(&a->instances[0], &b->instances[0]));
	config_free(b);
	config_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_shipped_example),
		cmocka_unit_test(test_shipped_example_uncommented),
		cmocka_unit_test(test_example_patroni),
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_syntax),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_outside_section),
		cmocka_unit_test(test_unknown_key),
		cmocka_unit_test(test_unknown_section),
		cmocka_unit_test(test_section_name),
		cmocka_unit_test(test_duplicate_section),
		cmocka_unit_test(test_given_twice),
		cmocka_unit_test(test_int),
		cmocka_unit_test(test_bool),
		cmocka_unit_test(test_duration),
		cmocka_unit_test(test_enum),
		cmocka_unit_test(test_gpu_keys),
		cmocka_unit_test(test_required),
		cmocka_unit_test(test_no_instance),
		cmocka_unit_test(test_advert_interval),
		cmocka_unit_test(test_preempt),
		cmocka_unit_test(test_virtual_ip),
		cmocka_unit_test(test_virtual_ip_limit),
		cmocka_unit_test(test_unicast),
		cmocka_unit_test(test_pair_warning),
		cmocka_unit_test(test_vip_lease),
		cmocka_unit_test(test_hold_down),
		cmocka_unit_test(test_interface),
		cmocka_unit_test(test_track),
		cmocka_unit_test(test_track_interface),
		cmocka_unit_test(test_global),
		cmocka_unit_test(test_metrics_keys),
		cmocka_unit_test(test_check_values),
		cmocka_unit_test(test_check_type_keys),
		cmocka_unit_test(test_check_overload_keys),
		cmocka_unit_test(test_degrade_exit),
		cmocka_unit_test(test_same_probe_degrade_exit),
		cmocka_unit_test(test_hash_comment),
		cmocka_unit_test(test_vip_options),
		cmocka_unit_test(test_duration_unit),
		cmocka_unit_test(test_vip_in_two_instances),
		cmocka_unit_test(test_owner_tracking),
		cmocka_unit_test(test_keepalived_conf),
		cmocka_unit_test(test_http_url),
		cmocka_unit_test(test_http_other),
		cmocka_unit_test(test_http_degrade_body),
		cmocka_unit_test(test_http_generate),
		cmocka_unit_test(test_http_patroni),
		cmocka_unit_test(test_tcp_and_file),
		cmocka_unit_test(test_group),
		cmocka_unit_test(test_vrid_clash),
		cmocka_unit_test(test_many_errors_in_order),
		cmocka_unit_test(test_unreadable),
		cmocka_unit_test(test_load_file),
		cmocka_unit_test(test_metrics),
		cmocka_unit_test(test_metrics_errors),
		cmocka_unit_test(test_metrics_same_probe),
		cmocka_unit_test(test_compatible),
		cmocka_unit_test(test_match),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
