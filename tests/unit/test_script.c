/* What scripts print, made safe for the log and `hafctl status`. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>

#include "script.h"

/* ---- a fake file system: path, type and mode, owner, link target or
 * first bytes ------------------------------------------------------------ */

struct node {
	const char *path;
	mode_t mode;
	uid_t uid;
	gid_t gid;
	const char *data;       /* a link's target, or a file's first bytes */
};

#define DIR(p, m, u) { p, S_IFDIR | (m), u, 0, NULL }
#define REG(p, m, u, d) { p, S_IFREG | (m), u, 0, d }
#define LNK(p, u, t) { p, S_IFLNK | 0777, u, 0, t }

static const struct node tree[] = {
	DIR("/", 0755, 0),
	LNK("/bin", 0, "usr/bin"),
	DIR("/usr", 0755, 0),
	DIR("/usr/bin", 0755, 0),
	DIR("/usr/sbin", 0755, 0),
	DIR("/sbin", 0755, 0),
	REG("/usr/bin/true", 0755, 0, "\177ELF"),
	REG("/usr/bin/sh", 0755, 0, "\177ELF"),
	REG("/usr/bin/bash", 0755, 0, "\177ELF"),
	REG("/usr/bin/env", 0755, 0, "\177ELF"),
	REG("/usr/bin/timeout", 0755, 0, "\177ELF"),
	REG("/usr/bin/curl", 0755, 0, "\177ELF"),
	REG("/usr/bin/python3.11", 0755, 0, "\177ELF"),
	LNK("/usr/bin/python3", 0, "python3.11"),
	REG("/usr/bin/perl", 0755, 0, "\177ELF"),
	DIR("/etc", 0755, 0),
	REG("/etc/check.sh", 0755, 0, "#!/bin/sh\nexit 0\n"),
	REG("/etc/lib.sh", 0644, 0, "f() { :; }\n"),
	REG("/etc/envcheck", 0755, 0, "#!/usr/bin/env python3\n"),
	REG("/etc/badbang", 0755, 0, "#!/home/u/interp\n"),
	REG("/etc/groupw", 0775, 0, "x"),
	DIR("/tmp", 01777, 0),
	DIR("/tmp/root", 0755, 0),
	REG("/tmp/root/ok.sh", 0755, 0, "#!/bin/sh\n"),
	DIR("/tmp/open", 0777, 0),
	REG("/tmp/open/x.sh", 0755, 0, "#!/bin/sh\n"),
	DIR("/home", 0755, 0),
	DIR("/home/u", 0755, 1000),
	REG("/home/u/x.sh", 0755, 1000, "#!/bin/sh\n"),
	REG("/home/u/data", 0644, 1000, "x"),
	REG("/home/u/interp", 0755, 1000, "\177ELF"),
	LNK("/home/u/true", 1000, "/bin/true"),
	DIR("/opt", 0755, 0),
	LNK("/opt/true-by-u", 1000, "/bin/true"),      /* a user's link in a root dir */
	LNK("/opt/true", 0, "/bin/true"),
	LNK("/opt/to-home", 0, "/home/u/x.sh"),
	DIR("/opt/bin", 0755, 0),
	REG("/opt/bin/tool", 0755, 0, "\177ELF"),
	REG("/opt/bin/mine", 0755, 1000, "\177ELF"),
};

static const struct node *node_find(const char *path)
{
	for (size_t i = 0; i < sizeof(tree) / sizeof(tree[0]); i++)
		if (!strcmp(tree[i].path, path))
			return &tree[i];
	return NULL;
}

static int fake_lstat(const char *path, struct stat *st, void *arg)
{
	const struct node *n = node_find(path);

	(void)arg;
	if (!n) {
		errno = ENOENT;
		return -1;
	}
	memset(st, 0, sizeof(*st));
	st->st_mode = n->mode;
	st->st_uid = n->uid;
	st->st_gid = n->gid;
	return 0;
}

static ssize_t fake_readlink(const char *path, char *buf, size_t len, void *arg)
{
	const struct node *n = node_find(path);

	(void)arg;
	if (!n || !S_ISLNK(n->mode)) {
		errno = EINVAL;
		return -1;
	}
	strncpy(buf, n->data, len);
	return (ssize_t)(strlen(n->data) < len ? strlen(n->data) : len);
}

/* follows links, as open() does */
static ssize_t fake_head(const char *path, char *buf, size_t len, void *arg)
{
	const struct node *n = node_find(path);
	char p[256];

	for (int i = 0; n && S_ISLNK(n->mode) && i < 8; i++) {
		if (n->data[0] == '/')
			snprintf(p, sizeof(p), "%s", n->data);
		else
			snprintf(p, sizeof(p), "%.*s/%s", (int)(strrchr(path, '/') - path), path,
				 n->data);
		n = node_find(p);
	}
	(void)arg;
	if (!n || !S_ISREG(n->mode)) {
		errno = ENOENT;
		return -1;
	}
	strncpy(buf, n->data, len);
	return (ssize_t)(strlen(n->data) < len ? strlen(n->data) : len);
}

static const struct script_fs fake = { fake_lstat, fake_readlink, fake_head, NULL };

static void vet_ok(const char *cmd)
{
	char why[512] = "";
	int rc = script_vet_command(&fake, cmd, why, sizeof(why));

	if (rc != 0)
		print_error("refused %s: %s\n", cmd, why);
	assert_int_equal(rc, 0);
}

static void vet_refused(const char *cmd, const char *reason)
{
	char why[512] = "";
	int rc = script_vet_command(&fake, cmd, why, sizeof(why));

	if (rc == 0 || !strstr(why, reason))
		print_error("%s: rc %d, why \"%s\", expected \"%s\"\n", cmd, rc, why, reason);
	assert_int_equal(rc, -1);
	assert_non_null(strstr(why, reason));
}

static void test_vet_path(void **state)
{
	char why[512];

	(void)state;
	assert_int_equal(script_vet_path(&fake, "/bin/true", 0, why, sizeof(why)), 0);
	assert_int_equal(script_vet_path(&fake, "/opt/true", 0, why, sizeof(why)), 0);
	assert_int_equal(script_vet_path(&fake, "/tmp/root/ok.sh", 0, why, sizeof(why)), 0);
	assert_int_equal(script_vet_path(&fake, "/usr/bin/../bin/./true", 0, why, sizeof(why)), 0);
	assert_int_equal(script_vet_path(&fake, "/opt/bin", 1, why, sizeof(why)), 0);
	/* the target alone was checked before: a user's link passed */
	assert_int_equal(script_vet_path(&fake, "/opt/true-by-u", 0, why, sizeof(why)), -1);
	assert_string_equal(why, "/opt/true-by-u: /opt/true-by-u is a symbolic link owned by "
			    "uid 1000, not root");
	assert_int_equal(script_vet_path(&fake, "/home/u/true", 0, why, sizeof(why)), -1);
	assert_string_equal(why, "/home/u/true: /home/u is owned by uid 1000, not root");
	assert_int_equal(script_vet_path(&fake, "/opt/to-home", 0, why, sizeof(why)), -1);
	assert_string_equal(why, "/opt/to-home: /home/u is owned by uid 1000, not root");
	assert_int_equal(script_vet_path(&fake, "/tmp/open/x.sh", 0, why, sizeof(why)), -1);
	assert_string_equal(why, "/tmp/open/x.sh: /tmp/open is writable by a user other than root");
	assert_int_equal(script_vet_path(&fake, "/etc/groupw", 0, why, sizeof(why)), 0);
	assert_int_equal(script_vet_path(&fake, "/opt/bin/mine", 0, why, sizeof(why)), -1);
	assert_int_equal(script_vet_path(&fake, "/etc/none", 0, why, sizeof(why)), -1);
	assert_string_equal(why, "/etc/none: /etc/none: No such file or directory");
	assert_int_equal(script_vet_path(&fake, "/etc", 0, why, sizeof(why)), -1);
	assert_int_equal(script_vet_path(&fake, "etc/check.sh", 0, why, sizeof(why)), -1);
}

static void test_vet_program(void **state)
{
	(void)state;
	vet_ok("/bin/true");
	vet_ok("true");
	vet_ok("curl -s http://127.0.0.1/health");
	vet_ok("HAFD_URL=http://x/ /etc/check.sh arg");
	vet_ok("exec /etc/check.sh");
	vet_ok("/etc/envcheck");       /* #!/usr/bin/env python3 */
	vet_refused("/opt/true-by-u", "symbolic link owned by uid 1000");
	vet_refused("/home/u/x.sh", "/home/u is owned by uid 1000");
	vet_refused("/etc/badbang", "/home/u/interp: /home/u is owned by uid 1000");
	vet_refused("nosuchprog", "nosuchprog: not found on PATH");
	vet_refused("/tmp/open/x.sh", "/tmp/open is writable by a user other than root");
}

static void test_vet_interpreters(void **state)
{
	(void)state;
	vet_ok("bash /etc/check.sh");
	vet_ok("sh -e /etc/check.sh");
	vet_ok("python3 /etc/check.sh");
	vet_ok(". /etc/lib.sh");
	vet_refused("bash /home/u/x.sh", "/home/u is owned by uid 1000");
	vet_refused("/bin/bash /home/u/data", "/home/u is owned by uid 1000");
	vet_refused("sh -c '/home/u/x.sh'", "/home/u is owned by uid 1000");
	vet_refused("sh -ec 'true; bash /home/u/x.sh'", "/home/u is owned by uid 1000");
	vet_ok("/bin/sh -c 'echo \"$1 $2\" >> /run/x/../notify.log' notify");
	vet_refused("sh -c \"$1\" x", "from an expansion");
	vet_refused("python3 -c 'import os'", "python3 -c: code given inline cannot be vetted");
	vet_refused("perl -e 'exec 1'", "perl -e: code given inline cannot be vetted");
	vet_refused("python3 -m http.server", "python3 -m");
	vet_refused(". /home/u/data", "/home/u is owned by uid 1000");
	vet_refused("source /home/u/data", "/home/u is owned by uid 1000");
	vet_refused("bash -i /etc/check.sh", "bash -i");
	vet_refused("bash --rcfile /home/u/data", "--rcfile: cannot be vetted");
}

static void test_vet_wrappers_and_env(void **state)
{
	(void)state;
	vet_ok("timeout 5 /etc/check.sh");
	vet_ok("timeout 5 bash /etc/check.sh");
	vet_ok("env A=1 /bin/true");
	vet_ok("PATH=/opt/bin:/usr/bin tool");
	vet_ok("curl -o /home/u/data http://x/");       /* data, not executable */
	vet_refused("timeout 5 /home/u/x.sh", "/home/u is owned by uid 1000");
	vet_refused("timeout 5 bash /home/u/data", "/home/u is owned by uid 1000");
	vet_refused("env /home/u/x.sh", "/home/u is owned by uid 1000");
	vet_refused("PATH=/home/u:/usr/bin true", "/home/u is owned by uid 1000");
	vet_refused("PATH=/opt/bin mine", "/opt/bin/mine is owned by uid 1000");
	vet_refused("LD_PRELOAD=/home/u/x.so /bin/true", "LD_PRELOAD=");
	vet_refused("BASH_ENV=/home/u/data bash /etc/check.sh", "BASH_ENV=");
	vet_refused("env LD_LIBRARY_PATH=/home/u /bin/true", "LD_LIBRARY_PATH=");
	vet_refused("env -i /bin/true", "env -i");
}

static void test_vet_shell_syntax(void **state)
{
	(void)state;
	vet_ok("/bin/true; /etc/check.sh && true || false");
	vet_ok("/etc/check.sh >/dev/null 2>&1 </dev/null");
	vet_ok("/etc/check.sh > /home/u/x.sh");        /* a redirection's target is not run */
	vet_ok("/etc/check.sh | true # /home/u/x.sh");
	vet_ok("exit 0");
	vet_ok("'/bin/true' \"a b\" c\\ d");
	vet_refused("/bin/true; /home/u/x.sh", "/home/u is owned by uid 1000");
	vet_refused("/bin/true | /home/u/x.sh", "/home/u is owned by uid 1000");
	vet_refused("/bin/true && /home/u/x.sh", "/home/u is owned by uid 1000");
	vet_refused("/bin/true $(/home/u/x.sh)", "command substitution");
	vet_refused("/bin/true \"`id`\"", "command substitution");
	vet_refused("$CMD", "a program from an expansion");
	vet_refused("/home/u/*.sh", "a program from an expansion");
	vet_refused("( /bin/true )", "subshells");
	vet_refused("if true; then /bin/true; fi", "if: cannot be vetted");
	vet_refused("eval /bin/true", "eval: cannot be vetted");
	vet_refused("cat <(/home/u/x.sh)", "process substitution");
	vet_refused("'/bin/true", "unterminated quote");
	vet_refused("   ", "an empty command");
}

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
		cmocka_unit_test(test_vet_path),
		cmocka_unit_test(test_vet_program),
		cmocka_unit_test(test_vet_interpreters),
		cmocka_unit_test(test_vet_wrappers_and_env),
		cmocka_unit_test(test_vet_shell_syntax),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
