/* test_kaconv.c: the keepalived converter. The configurations under
 * tests/keepalived/ are converted and compared with the expected hafd.conf
 * (NAME.expected, "@VERSION@" for the version) and list of what was not
 * translated (NAME.skipped, "LINE: what"); the results must load with
 * config_load. Smaller cases pin the syntax corners and keepalived's
 * defaults. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "json.h"
#include "kaconv.h"

static const char *srcdir(void)
{
	const char *d = getenv("HAFD_SRCDIR");

	return d ? d : ".";
}

static char *slurp(const char *name)
{
	char path[512];
	struct sbuf b;
	char buf[4096];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/tests/keepalived/%s", srcdir(), name);
	f = fopen(path, "r");
	if (!f)
		fail_msg("cannot open %s", path);
	sbuf_init(&b, 0);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		sbuf_add(&b, buf, n);
	fclose(f);
	sbuf_add(&b, "", 0);
	return b.p ? b.p : strdup("");
}

/* "(hafd @VERSION@)" in the expected text is this build's version. */
static char *expected(const char *name)
{
	char *t = slurp(name), *at = strstr(t, "@VERSION@");
	struct sbuf b;

	if (!at)
		return t;
	sbuf_init(&b, 0);
	sbuf_add(&b, t, (size_t)(at - t));
	sbuf_puts(&b, PACKAGE_VERSION);
	sbuf_puts(&b, at + strlen("@VERSION@"));
	free(t);
	return b.p;
}

static int convert(const char *text, const char *name, struct sbuf *out,
		   struct kaconv_list *skipped, char *err, size_t errlen)
{
	sbuf_init(out, 0);
	memset(skipped, 0, sizeof(*skipped));
	err[0] = '\0';
	return kaconv_convert(text, strlen(text), name, out, skipped, err, errlen);
}

static char *skipped_text(const struct kaconv_list *l)
{
	struct sbuf b;

	sbuf_init(&b, 0);
	sbuf_add(&b, "", 0);
	for (size_t i = 0; i < l->n; i++)
		sbuf_printf(&b, "%d: %s%s\n", l->items[i].line,
			    l->items[i].kind == KACONV_WARNING ? "warning: " : "", l->items[i].what);
	return b.p;
}

static void assert_loads(const struct sbuf *out, bool ok)
{
	struct config_errors errs;
	int rc = kaconv_validate(out, "(output)", &errs);

	if (ok)
		for (size_t i = 0; i < errs.n; i++)
			print_message("unexpected: %s\n", errs.msgs[i]);
	assert_int_equal(rc, ok ? 0 : -1);
	config_errors_free(&errs);
}

/* The text of a conversion loads (the instance needs its VIP and VRID). */
static void assert_loads_text(const char *text)
{
	struct sbuf out;

	sbuf_init(&out, 0);
	sbuf_puts(&out, text);
	assert_loads(&out, true);
	sbuf_free(&out);
}

/* NAME.conf against NAME.expected and NAME.skipped. */
static void golden(const char *base, bool loads)
{
	char name[128], err[256];
	char *in, *want, *want_skipped, *got_skipped;
	const char *file;
	struct kaconv_list skipped;
	struct sbuf out;

	snprintf(name, sizeof(name), "%s.conf", base);
	in = slurp(name);
	file = strrchr(name, '/') ? strrchr(name, '/') + 1 : name;      /* as hafctl names it */
	assert_int_equal(convert(in, file, &out, &skipped, err, sizeof(err)), 0);
	snprintf(name, sizeof(name), "%s.expected", base);
	want = expected(name);
	assert_string_equal(out.p, want);
	snprintf(name, sizeof(name), "%s.skipped", base);
	want_skipped = slurp(name);
	got_skipped = skipped_text(&skipped);
	assert_string_equal(got_skipped, want_skipped);
	assert_loads(&out, loads);
	free(in);
	free(want);
	free(want_skipped);
	free(got_skipped);
	kaconv_list_free(&skipped);
	sbuf_free(&out);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The corpus of real configurations (tests/keepalived/corpus, each with
 * its source in a header comment) converts as recorded: the output, the
 * list on standard error, and whether hafd -t took the result (NAME.hafd-t,
 * written by regen.sh from the real hafd -t). */
static void test_corpus(void **state)
{
	char dir[512], base[96], name[128];
	char *names[256];
	size_t n = 0;
	struct dirent *e;
	DIR *d;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/tests/keepalived/corpus", srcdir());
	d = opendir(dir);
	assert_non_null(d);
	while ((e = readdir(d)) && n < 256) {
		size_t l = strlen(e->d_name);

		if (l > 5 && !strcmp(e->d_name + l - 5, ".conf"))
			names[n++] = strdup(e->d_name);
	}
	closedir(d);
	assert_true(n >= 40);   /* Debian's 25 samples and 15 or more others */
	qsort(names, n, sizeof(names[0]), name_cmp);
	for (size_t i = 0; i < n; i++) {
		char *verdict;

		snprintf(base, sizeof(base), "corpus/%.*s", (int)(strlen(names[i]) - 5), names[i]);
		snprintf(name, sizeof(name), "%s.hafd-t", base);
		verdict = slurp(name);
		print_message("%s\n", base);
		golden(base, strstr(verdict, "configuration OK") != NULL);
		free(verdict);
		free(names[i]);
	}
}

static void test_basic(void **state)
{
	(void)state;
	golden("basic", true);
}

static void test_full(void **state)
{
	(void)state;
	golden("full", true);
}

static void test_syntax_corners(void **state)
{
	(void)state;
	golden("v2-syntax", true);
}

/* No virtual_ipaddress: converted, but the result does not load. */
static void test_novip(void **state)
{
	(void)state;
	golden("novip", false);
}

static void expect_error(const char *file, const char *want)
{
	char *in = slurp(file), err[256];
	struct kaconv_list skipped;
	struct sbuf out;

	assert_int_equal(convert(in, file, &out, &skipped, err, sizeof(err)), -1);
	assert_string_equal(err, want);
	free(in);
	kaconv_list_free(&skipped);
	sbuf_free(&out);
}

static void test_syntax_errors(void **state)
{
	(void)state;
	expect_error("bad-quote.conf", "line 2: unterminated quote");
	expect_error("bad-brace.conf", "end of file: missing '}' for the block opened at line 1");
}

/* Convert text that must convert; returns the output (free it). */
static char *conv_ok(const char *text, struct kaconv_list *skipped)
{
	struct sbuf out;
	char err[256];

	if (convert(text, "t.conf", &out, skipped, err, sizeof(err)) < 0)
		fail_msg("conversion failed: %s", err);
	return out.p;
}

static size_t skips(const struct kaconv_list *l)
{
	return kaconv_list_count(l, KACONV_SKIPPED);
}

/* The item of this kind whose text has what in it (fails if none). */
static const struct kaconv_item *item(const struct kaconv_list *l, enum kaconv_kind kind,
				      const char *what)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->items[i].kind == kind && strstr(l->items[i].what, what))
			return &l->items[i];
	for (size_t i = 0; i < l->n; i++)
		print_message("%d: %s%s\n", l->items[i].line,
			      l->items[i].kind == KACONV_WARNING ? "warning: " : "", l->items[i].what);
	fail_msg("no %s with \"%s\"", kind == KACONV_WARNING ? "warning" : "skipped item", what);
	return NULL;
}

static void assert_has(const char *text, const char *line)
{
	if (!strstr(text, line))
		fail_msg("missing \"%s\" in:\n%s", line, text);
}

static void assert_lacks(const char *text, const char *line)
{
	if (strstr(text, line))
		fail_msg("unexpected \"%s\" in:\n%s", line, text);
}

/* keepalived's defaults that differ from hafd's are written out. */
static void test_defaults(void **state)
{
	struct kaconv_list sk;
	char *o = conv_ok("vrrp_script s { script /bin/true }\n"
			  "vrrp_instance A { interface eth0\nvirtual_router_id 1\n"
			  "virtual_ipaddress { 10.0.0.1 }\ntrack_script { s }\n}\n", &sk);

	(void)state;
	assert_has(o, "\nversion = 2\n");
	assert_has(o, "\nscript_security = no\n");
	assert_has(o, "\n[check s]\n; keepalived line 1: vrrp_script s\ntype = script\n"
		   "interval = 1s\ntimeout = 1s\nrise = 1\nfall = 1\nweight = 0\n"
		   "degrade_exit = none\ncommand = /bin/true\n");
	assert_lacks(o, "advert_interval");     /* 1s in both */
	assert_int_equal(skips(&sk), 0);
	free(o);
	kaconv_list_free(&sk);
	o = conv_ok("global_defs { vrrp_version 3 }\nvrrp_instance A { interface eth0\n"
		    "virtual_router_id 1\nadvert_int 0.015\nvirtual_ipaddress { 10.0.0.1 }\n}\n", &sk);
	assert_has(o, "\nversion = 3\nadvert_interval = 20ms\n");     /* 10ms steps */
	free(o);
	kaconv_list_free(&sk);
	o = conv_ok("vrrp_instance A { interface eth0\nvirtual_router_id 1\n"
		    "virtual_ipaddress { fd00::1/64 }\n}\n", &sk);
	assert_has(o, "IPv6: VRRP version 3");
	assert_has(o, "\nversion = 3\n");
	free(o);
	kaconv_list_free(&sk);
}

/* hafd.conf reads " ;" as a comment; lines are at most 199 characters. */
static void test_values(void **state)
{
	char big[400], text[600];
	struct kaconv_list sk;
	char *o = conv_ok("vrrp_instance A {\nnotify_master \"a ; b\"\n"
			  "notify_backup \"echo 'x ; y'\"\n}\n", &sk);

	(void)state;
	assert_has(o, "\nnotify_master = a; b\n");
	assert_has(o, "\n; (not translated) notify_backup = echo 'x ; y'\n");
	assert_int_equal(skips(&sk), 1);
	assert_int_equal(item(&sk, KACONV_SKIPPED, "notify_backup: the value has a ';' after a "
			      "blank inside quotes")->line, 3);
	free(o);
	kaconv_list_free(&sk);
	memset(big, 'x', 250);
	big[250] = '\0';
	snprintf(text, sizeof(text), "vrrp_instance A {\nnotify \"/bin/%s\"\n}\n", big);
	o = conv_ok(text, &sk);
	assert_int_equal(skips(&sk), 1);
	item(&sk, KACONV_SKIPPED, "notify: the value is too long for a hafd.conf line");
	assert_lacks(o, "\nnotify = ");
	free(o);
	kaconv_list_free(&sk);
}

static void expect_text_error(const char *text, const char *want)
{
	struct kaconv_list sk;
	struct sbuf out;
	char err[256];

	assert_int_equal(convert(text, "t.conf", &out, &sk, err, sizeof(err)), -1);
	assert_string_equal(err, want);
	sbuf_free(&out);
	kaconv_list_free(&sk);
}

static void test_braces(void **state)
{
	struct kaconv_list sk;
	char *o;

	(void)state;
	expect_text_error("global_defs {\n}\n}\n", "line 3: '}' without a block to close");
	expect_text_error("\n{\n", "line 2: '{' without a keyword before it");
	{
		static const char nul[] = "vrrp_instance A {\n\0}\n";
		struct sbuf out;
		char err[256];

		sbuf_init(&out, 0);
		memset(&sk, 0, sizeof(sk));
		assert_int_equal(kaconv_convert(nul, sizeof(nul) - 1, "t.conf", &out, &sk, err,
						sizeof(err)), -1);
		assert_string_equal(err, "line 2: NUL byte (not a text file?)");
		sbuf_free(&out);
	}
	/* Attached braces, a block on the next line, one-line blocks, comments. */
	o = conv_ok("global_defs { router_id a#b\n}\nvrrp_script s!x { script \"/bin/x '#!'\" }\n"
		    "vrrp_instance A{ # c\ninterface eth0 ! c\nvirtual_ipaddress\n{\n"
		    "10.0.0.1 # c\n}}\nvrrp_instance \"B C\" { virtual_ipaddress { 10.0.0.2 } }\n",
		    &sk);
	assert_has(o, "\nrouter_id = a\n");  /* as keepalived reads it */
	assert_has(o, "vrrp_script s is tracked by no instance");
	assert_has(o, "\n[instance A]\n");
	assert_has(o, "\ninterface = eth0\n");
	assert_has(o, "\nvirtual_ip = 10.0.0.1\n");
	assert_has(o, "\n[instance B_C]\n");
	assert_has(o, "\nvirtual_ip = 10.0.0.2\n");
	assert_int_equal(skips(&sk), 0);
	free(o);
	kaconv_list_free(&sk);
}

/* keepalived weighs per track_script line; hafd per check: one check per
 * weight in use. */
static void test_weights(void **state)
{
	struct kaconv_list sk;
	char *o = conv_ok("vrrp_script s {\nscript /bin/true\nweight -10\n}\n"
			  "vrrp_instance A { track_script { s } }\n"
			  "vrrp_instance B { track_script { s weight -10 } }\n"
			  "vrrp_instance C { track_script { s weight 20 } }\n", &sk);

	(void)state;
	assert_has(o, "\n[check s]\n");
	assert_has(o, "\n[check s_w20]\n");
	assert_has(o, "\nweight = -10\n");
	assert_has(o, "\nweight = 20\n");
	assert_lacks(o, "[check s_w-10]");
	assert_has(o, "[instance A]\n; keepalived line 5: vrrp_instance A\nversion = 2\ntrack = s\n");
	assert_has(o, "[instance B]\n; keepalived line 6: vrrp_instance B\nversion = 2\ntrack = s\n");
	assert_has(o, "[instance C]\n; keepalived line 7: vrrp_instance C\nversion = 2\n"
		   "track = s_w20\n");
	free(o);
	kaconv_list_free(&sk);
}

static void test_untranslated(void **state)
{
	struct kaconv_list sk;
	char *o = conv_ok("@main global_defs { router_id a }\n$IF=eth0\n"
			  "static_routes {\n10.0.0.0/8 via 10.1.1.1\n}\nfrobnicate yes\n", &sk);

	(void)state;
	assert_int_equal(sk.n, 4);
	assert_int_equal(sk.items[0].line, 1);
	assert_string_equal(sk.items[0].what, "@main: keepalived's conditional lines and "
			    "parameters are not supported");
	assert_int_equal(sk.items[1].line, 2);
	assert_int_equal(sk.items[2].line, 3);
	assert_string_equal(sk.items[2].what, "static_routes: hafd manages no routes, rules or "
			    "static addresses: use notify_master / notify_backup");
	assert_string_equal(sk.items[3].what, "frobnicate: no hafd equivalent known to the "
			    "converter");
	assert_has(o, "; 4 keepalived settings could not be translated");
	free(o);
	kaconv_list_free(&sk);
}

/* An empty quoted keyword ("") is skipped like any unknown one. The
 * conversion runs in a child under alarm(): a converter that loops must
 * fail this test, not hang the suite. */
static void test_empty_keyword(void **state)
{
	static const char *const inputs[] = {
		"\"\"\n",
		"global_defs {\n\"\"\n}\n",
		"vrrp_instance VI {\n\"\" 1\n}\n",
		"vrrp_script s {\nscript /bin/true\n\"\"\n}\nvrrp_instance VI { track_script { s } }\n",
	};
	int status;
	pid_t pid;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		alarm(5);
		for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
			struct kaconv_list sk;
			char *o = conv_ok(inputs[i], &sk);

			const struct kaconv_item *it = sk.n ? &sk.items[sk.n - 1] : NULL;

			if (skips(&sk) != 1 || strstr(it->what, "empty keyword") == NULL) {
				fprintf(stderr, "input %zu: %zu skipped, last: %s\n", i, sk.n,
					it ? it->what : "-");
				_exit(1);
			}
			free(o);
			kaconv_list_free(&sk);
		}
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (WIFSIGNALED(status))
		fail_msg("the converter was killed by signal %d (SIGALRM: it loops)",
			 WTERMSIG(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* Issue 20, 1: keepalived ran scripts as root without script_user (or as
 * keepalived_script, which Debian does not create); hafd's default is
 * nobody. Kept as root, with a warning that says how to tighten it. */
static void test_script_user_root(void **state)
{
	struct kaconv_list sk;
	char *o = conv_ok("vrrp_script s {\nscript \"/usr/bin/killall -0 haproxy\"\n}\n"
			  "vrrp_instance A { interface eth0\nvirtual_router_id 1\n"
			  "virtual_ipaddress { 10.0.0.1 }\ntrack_script { s }\n}\n", &sk);

	(void)state;
	assert_has(o, "\nscript_user = root\n");
	assert_int_equal(item(&sk, KACONV_WARNING, "run as root")->line, 1);
	item(&sk, KACONV_WARNING, "to tighten, create a user, set script_user");
	assert_has(o, "; 1 change of behaviour to review");
	free(o);
	kaconv_list_free(&sk);
	/* A notify hook alone runs a script too. */
	o = conv_ok("vrrp_instance A { interface eth0\nvirtual_router_id 1\n"
		    "virtual_ipaddress { 10.0.0.1 }\nnotify_master /bin/up\n}\n", &sk);
	assert_has(o, "\nscript_user = root\n");
	assert_int_equal(item(&sk, KACONV_WARNING, "run as root")->line, 4);
	free(o);
	kaconv_list_free(&sk);
	/* Nothing to run, or a script_user of its own: no root. */
	o = conv_ok("global_defs { script_user hafd-check }\nvrrp_script s { script /bin/true }\n"
		    "vrrp_instance A { interface eth0\nvirtual_router_id 1\n"
		    "virtual_ipaddress { 10.0.0.1 }\ntrack_script { s }\n}\n", &sk);
	assert_has(o, "\nscript_user = hafd-check\n");
	assert_lacks(o, "script_user = root");
	assert_int_equal(sk.n, 0);
	free(o);
	kaconv_list_free(&sk);
	o = conv_ok("vrrp_instance A { interface eth0\nvirtual_router_id 1\n"
		    "virtual_ipaddress { 10.0.0.1 }\n}\n", &sk);
	assert_lacks(o, "script_user");
	assert_int_equal(sk.n, 0);
	free(o);
	kaconv_list_free(&sk);
}

/* Issue 20, 2: any non-zero exit of a keepalived script is a failure;
 * hafd's default takes exit 2 as degraded (degrade_weight 0). */
static void test_degrade_exit(void **state)
{
	struct kaconv_list sk;
	char *o = conv_ok("vrrp_script s {\nscript /bin/check\nweight -80\n}\n"
			  "vrrp_instance A { track_script { s\ns weight -5 } }\n", &sk);

	(void)state;
	assert_has(o, "\n[check s]\n");
	assert_has(o, "\nweight = -80\ndegrade_exit = none\n");
	assert_has(o, "\nweight = -5\ndegrade_exit = none\n");
	free(o);
	kaconv_list_free(&sk);
}

/* Issue 20, 3: keepalived clears nopreempt with state MASTER (and with
 * priority 255), and preempt_delay with state MASTER or nopreempt. */
static void test_nopreempt_master(void **state)
{
	struct kaconv_list sk;
	char *o = conv_ok("vrrp_instance A {\nstate MASTER\ninterface eth0\nvirtual_router_id 1\n"
			  "nopreempt\npreempt_delay 5\nvirtual_ipaddress { 10.0.0.1 }\n}\n", &sk);

	(void)state;
	assert_lacks(o, "preempt = no");
	assert_has(o, "\npreempt = yes\n");
	assert_lacks(o, "preempt_delay =");
	assert_int_equal(item(&sk, KACONV_WARNING, "nopreempt in vrrp_instance A: keepalived "
			      "clears it with state MASTER")->line, 5);
	assert_int_equal(item(&sk, KACONV_WARNING, "preempt_delay in vrrp_instance A: "
			      "keepalived clears it with state MASTER")->line, 6);
	free(o);
	kaconv_list_free(&sk);
	o = conv_ok("vrrp_instance A {\nstate BACKUP\npriority 255\nnopreempt\n}\n", &sk);
	assert_has(o, "\npreempt = yes\n");
	item(&sk, KACONV_WARNING, "keepalived clears it with priority 255");
	free(o);
	kaconv_list_free(&sk);
	/* state BACKUP keeps nopreempt, and it clears preempt_delay. */
	o = conv_ok("vrrp_instance A {\nstate BACKUP\nnopreempt\npreempt_delay 5\n}\n", &sk);
	assert_has(o, "\npreempt = no\n");
	assert_lacks(o, "preempt_delay =");
	item(&sk, KACONV_WARNING, "keepalived clears it with nopreempt");
	free(o);
	kaconv_list_free(&sk);
	o = conv_ok("vrrp_instance A {\nstate BACKUP\npreempt_delay 5\n}\n", &sk);
	assert_has(o, "\npreempt_delay = 5s\n");
	assert_int_equal(sk.n, 0);
	free(o);
	kaconv_list_free(&sk);
}

/* Issue 20, 4: a VIP on another interface is not moved to the instance's
 * (it would answer on the wrong link): left out, listed with its line. */
static void test_vip_dev(void **state)
{
	struct kaconv_list sk;
	char *o = conv_ok("vrrp_instance A {\ninterface eth0\nvirtual_router_id 1\n"
			  "virtual_ipaddress {\n10.0.0.1/24 dev eth0\n10.1.0.1/24 dev eth1\n}\n}\n",
			  &sk);

	(void)state;
	assert_has(o, "\nvirtual_ip = 10.0.0.1/24\n");
	assert_lacks(o, "\nvirtual_ip = 10.1.0.1/24\n");
	assert_int_equal(item(&sk, KACONV_SKIPPED, "virtual_ipaddress 10.1.0.1/24 dev eth1 in "
			      "vrrp_instance A: hafd holds VIPs on the instance's interface "
			      "(eth0) only")->line, 6);
	assert_int_equal(sk.n, 1);      /* dev eth0 is no change */
	assert_has(o, "; 1 keepalived setting could not be translated");
	free(o);
	kaconv_list_free(&sk);
}

/* Issue 20, 5: keepalived's notify gets INSTANCE|GROUP NAME STATE PRIORITY;
 * hafd runs `notify` as sh -c 'CMD "$@"' hafd-notify NAME STATE PRIORITY
 * (src/notify.c), so the leading word goes into the command. The user
 * words after a hook are not part of it. */
static void test_notify_args(void **state)
{
	struct kaconv_list sk;
	char *o = conv_ok("vrrp_instance A {\nnotify \"/bin/n.sh x\"\n"
			  "notify_master /bin/up root\n}\n"
			  "vrrp_sync_group G {\ngroup {\nA\n}\nnotify /bin/g.sh\n}\n", &sk);

	(void)state;
	assert_has(o, "\nnotify = /bin/n.sh x INSTANCE\n");
	assert_has(o, "\nnotify_master = /bin/up\n");
	assert_int_equal(item(&sk, KACONV_WARNING, "notify_master in vrrp_instance A: runs as "
			      "script_user, not as root")->line, 3);
	assert_has(o, "[group G]\n");
	assert_has(o, "\nnotify = /bin/g.sh GROUP\n");
	free(o);
	kaconv_list_free(&sk);
	/* A renamed instance: the script gets hafd's name, said. */
	o = conv_ok("vrrp_instance web:1 {\nnotify /bin/n.sh\n}\n", &sk);
	assert_has(o, "\nnotify = /bin/n.sh INSTANCE\n");
	item(&sk, KACONV_WARNING, "the script gets the hafd name web_1, not web:1");
	free(o);
	kaconv_list_free(&sk);
}

/* The command hafd runs for a converted notify line gets keepalived's
 * arguments: run it the way src/notify.c does (sh -c 'CMD "$@"'
 * hafd-notify NAME STATE PRIORITY) and compare with keepalived's
 * documented order, INSTANCE NAME STATE PRIORITY after the user's words. */
static void test_notify_args_run(void **state)
{
	struct kaconv_list sk;
	char *o = conv_ok("vrrp_instance VI_1 {\nnotify \"printf %s, x\"\n}\n", &sk);
	const char *v = strstr(o, "\nnotify = ");
	char cmd[256], buf[256] = "";
	FILE *p;

	(void)state;
	assert_non_null(v);
	v += strlen("\nnotify = ");
	snprintf(cmd, sizeof(cmd), "sh -c '%.*s \"$@\"' hafd-notify VI_1 MASTER 150",
		 (int)strcspn(v, "\n"), v);
	p = popen(cmd, "r");
	assert_non_null(p);
	assert_non_null(fgets(buf, sizeof(buf), p));
	pclose(p);
	assert_string_equal(buf, "x,INSTANCE,VI_1,MASTER,150,");
	free(o);
	kaconv_list_free(&sk);
}

/* Issue 20, 6. */
static void test_small_changes(void **state)
{
	struct kaconv_list sk;
	char *o;

	(void)state;
	/* A unicast peer with a prefix, which keepalived takes. */
	o = conv_ok("vrrp_instance A {\nunicast_peer {\n192.168.0.11/24\n}\n}\n", &sk);
	assert_has(o, "\nunicast_peer = 192.168.0.11\n");
	assert_int_equal(item(&sk, KACONV_WARNING, "unicast_peer 192.168.0.11/24 in "
			      "vrrp_instance A: the prefix is dropped")->line, 3);
	free(o);
	kaconv_list_free(&sk);
	/* A VIP given twice is written once. */
	o = conv_ok("vrrp_instance A {\nvirtual_ipaddress {\n10.0.0.1/24\n10.0.0.2\n"
		    "10.0.0.1/24\n}\n}\n", &sk);
	assert_non_null(strstr(o, "virtual_ip = 10.0.0.1/24\n"));
	assert_null(strstr(strstr(o, "virtual_ip = 10.0.0.1/24\n") + 1, "virtual_ip = 10.0.0.1"));
	assert_int_equal(item(&sk, KACONV_WARNING, "given twice (line 3)")->line, 5);
	free(o);
	kaconv_list_free(&sk);
	/* A sync group without instances is not written. */
	o = conv_ok("vrrp_sync_group G {\ngroup {\n}\n}\n", &sk);
	assert_lacks(o, "[group");
	assert_int_equal(item(&sk, KACONV_SKIPPED, "vrrp_sync_group G: no instance")->line, 1);
	free(o);
	kaconv_list_free(&sk);
	/* max_auto_priority -1: no automatic real-time (and no warning of it). */
	o = conv_ok("global_defs {\nmax_auto_priority -1\n}\n", &sk);
	assert_has(o, "\nrealtime_priority = 0\n");
	assert_int_equal(sk.n, 0);
	free(o);
	kaconv_list_free(&sk);
	o = conv_ok("global_defs {\nmax_auto_priority 30\n}\n", &sk);
	assert_has(o, "\nrealtime_priority = 30\n");
	item(&sk, KACONV_WARNING, "only after it had run late");
	free(o);
	kaconv_list_free(&sk);
	o = conv_ok("global_defs {\nvrrp_rt_priority 20\nmax_auto_priority -1\n}\n", &sk);
	assert_has(o, "\nrealtime_priority = 20\n");
	assert_lacks(o, "realtime_priority = 0");
	free(o);
	kaconv_list_free(&sk);
	/* A global IPv6 mcast_src_ip: said; a link-local one is what the RFC wants. */
	o = conv_ok("vrrp_instance A {\nmcast_src_ip 2001:db8::5\n}\n", &sk);
	assert_has(o, "\nunicast_src = 2001:db8::5\n");
	assert_int_equal(item(&sk, KACONV_WARNING, "a global IPv6 source")->line, 2);
	item(&sk, KACONV_WARNING, "link-local");
	free(o);
	kaconv_list_free(&sk);
	o = conv_ok("vrrp_instance A {\nmcast_src_ip fe80::5\n}\n", &sk);
	assert_int_equal(sk.n, 0);
	free(o);
	kaconv_list_free(&sk);
}

/* Issue 20, 6: track_file as a type = file check: a negative weight and
 * weight 0 mean the same in both; a positive one does not. */
static void test_track_file(void **state)
{
	struct kaconv_list sk;
	char *o = conv_ok("vrrp_track_file f {\nfile /run/prio\nweight -10\ninit_file\n}\n"
			  "track_file g {\nfile \"/run/g\"\n}\n"
			  "vrrp_instance A {\ntrack_file {\nf\nf weight 0\ng\n}\ninterface eth0\n"
			  "virtual_router_id 1\nvirtual_ipaddress { 10.0.0.1 }\n}\n", &sk);

	(void)state;
	assert_has(o, "\n[check f]\n; keepalived line 1: vrrp_track_file f\ntype = file\n"
		   "path = /run/prio\ninterval = 1s\ntimeout = 1s\nrise = 1\nfall = 1\n"
		   "weight = -10\n");
	assert_has(o, "\n[check f_w0]\n");
	assert_has(o, "\nweight = 0\n");
	assert_has(o, "\ntrack = f\ntrack = f_w0\n");
	assert_lacks(o, "[check g]");
	assert_lacks(o, "track = g");
	assert_int_equal(item(&sk, KACONV_SKIPPED, "track_file g with weight 1: keepalived "
			      "adds the file's value")->line, 6);
	assert_int_equal(item(&sk, KACONV_WARNING, "init_file in vrrp_track_file f")->line, 4);
	item(&sk, KACONV_WARNING, "hafd reads the file every second");
	assert_loads_text(o);
	free(o);
	kaconv_list_free(&sk);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_syntax_corners),
		cmocka_unit_test(test_novip),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_braces),
		cmocka_unit_test(test_weights),
		cmocka_unit_test(test_untranslated),
		cmocka_unit_test(test_empty_keyword),
		cmocka_unit_test(test_corpus),
		cmocka_unit_test(test_script_user_root),
		cmocka_unit_test(test_degrade_exit),
		cmocka_unit_test(test_nopreempt_master),
		cmocka_unit_test(test_vip_dev),
		cmocka_unit_test(test_notify_args),
		cmocka_unit_test(test_notify_args_run),
		cmocka_unit_test(test_small_changes),
		cmocka_unit_test(test_track_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
