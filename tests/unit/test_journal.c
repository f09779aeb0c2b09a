/* test_journal.c: the on-disk journal of VIPs and macvlans (journal.c):
 * appends, replay and what it drops, the file mode, NUL bytes and long
 * lines, and symbolic links or FIFOs planted at its path. Works in a
 * temporary directory of its own. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "journal.h"
#include "log.h"

static char dir[64], path[96];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "%s/test_journal.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/j", dir);
	return 0;
}

static int teardown(void **state)
{
	char tmp[128];

	(void)state;
	unlink(path);
	snprintf(tmp, sizeof(tmp), "%s/target", dir);
	unlink(tmp);
	rmdir(dir);
	return 0;
}

static char *slurp(const char *p, size_t *len)
{
	static char buf[1 << 16];
	FILE *f = fopen(p, "re");

	*len = 0;
	if (!f)
		return NULL;
	*len = fread(buf, 1, sizeof(buf) - 1, f);
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

static void spill(const char *p, const char *data, size_t len)
{
	FILE *f = fopen(p, "we");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

struct seen {
	char lines[8][300];
	size_t lens[8];
	unsigned int n;
	const char *drop;       /* lines starting with this are dropped */
};

static bool record(const char *line, size_t len, unsigned int lineno, void *arg)
{
	struct seen *s = arg;

	assert_int_equal(lineno, s->n + 1);
	if (s->n < 8 && len < sizeof(s->lines[0])) {
		memcpy(s->lines[s->n], line, len);
		s->lens[s->n] = len;
	}
	s->n++;
	return !s->drop || len < strlen(s->drop) || memcmp(line, s->drop, strlen(s->drop));
}

static void test_append_replay(void **state)
{
	struct journal *j = journal_open(path, "test", true);
	struct seen s = { .n = 0 };
	struct stat st;
	size_t len;

	(void)state;
	assert_non_null(j);
	assert_string_equal(journal_path(j), path);
	assert_int_equal(journal_replay(j, record, &s), 0);    /* absent: no lines */
	assert_int_equal(s.n, 0);
	assert_int_equal(journal_append(j, "eth0 192.0.2.1/24"), 0);
	assert_int_equal(journal_append(j, "eth1 2001:db8::1/64"), 0);
	assert_int_equal(journal_append(j, "eth0 192.0.2.1/24"), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, JOURNAL_MODE);
	assert_string_equal(slurp(path, &len),
			    "eth0 192.0.2.1/24\neth1 2001:db8::1/64\neth0 192.0.2.1/24\n");
	s.drop = "eth1";
	assert_int_equal(journal_replay(j, record, &s), 0);
	assert_int_equal(s.n, 3);
	assert_string_equal(s.lines[1], "eth1 2001:db8::1/64");
	assert_string_equal(slurp(path, &len), "eth0 192.0.2.1/24\neth0 192.0.2.1/24\n");
	/* The kept descriptor follows the rewrite. */
	assert_int_equal(journal_append(j, "eth2 192.0.2.9/32"), 0);
	assert_string_equal(slurp(path, &len),
			    "eth0 192.0.2.1/24\neth0 192.0.2.1/24\neth2 192.0.2.9/32\n");
	assert_int_equal(journal_remove(j, "eth0 192.0.2.1/24"), 0);
	assert_string_equal(slurp(path, &len), "eth2 192.0.2.9/32\n");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, JOURNAL_MODE);
	assert_int_equal(journal_store(j, "a\nb\n", 4), 0);
	assert_string_equal(slurp(path, &len), "a\nb\n");
	journal_close(j);
}

/* A NUL is data, the lines after it are read; a long line is one line;
 * a last line without its newline is a line. */
static void test_bytes(void **state)
{
	static const char text[] = "vrrp.1\nbad\0vrrp.2\nvrrp.3\n";
	char longline[5000];
	struct journal *j = journal_open(path, "test", false);
	struct seen s = { .n = 0 };
	size_t len;

	(void)state;
	spill(path, text, sizeof(text) - 1);
	assert_int_equal(journal_replay(j, record, &s), 0);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.lens[1], 10);
	assert_memory_equal(s.lines[1], "bad\0vrrp.2", 10);
	assert_string_equal(s.lines[2], "vrrp.3");
	/* Nothing dropped: the file is left as it was, byte for byte. */
	assert_int_equal(memcmp(slurp(path, &len), text, sizeof(text) - 1), 0);
	assert_int_equal(len, sizeof(text) - 1);

	memset(longline, 'x', sizeof(longline));
	memcpy(longline + sizeof(longline) - 7, "vrrp.9\n", 7);
	spill(path, longline, sizeof(longline));
	memset(&s, 0, sizeof(s));
	s.drop = "x";
	assert_int_equal(journal_replay(j, record, &s), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(slurp(path, &len)[0], '\0');

	spill(path, "one\ntwo", 7);
	memset(&s, 0, sizeof(s));
	assert_int_equal(journal_replay(j, record, &s), 0);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.lines[1], "two");
	journal_close(j);
}

/* A symlink at the path is not followed: replay and append replace it
 * with a journal of their own and leave its target alone. */
static void test_symlink(void **state)
{
	char target[128];
	struct journal *j = journal_open(path, "test", true);
	struct seen s = { .n = 0 };
	struct stat st;
	size_t len;

	(void)state;
	snprintf(target, sizeof(target), "%s/target", dir);
	spill(target, "precious\n", 9);
	unlink(path);
	assert_int_equal(symlink(target, path), 0);
	assert_int_equal(journal_replay(j, record, &s), 0);
	assert_int_equal(s.n, 0);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_string_equal(slurp(target, &len), "precious\n");

	/* A journal opened anew over a link (a kept descriptor writes to the
	 * file it has). */
	journal_close(j);
	unlink(path);
	assert_int_equal(symlink(target, path), 0);
	j = journal_open(path, "test", true);
	assert_non_null(j);
	assert_int_equal(journal_append(j, "eth0 192.0.2.1/24"), 0);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_string_equal(slurp(path, &len), "eth0 192.0.2.1/24\n");
	assert_string_equal(slurp(target, &len), "precious\n");
	journal_close(j);
}

/* A FIFO at the path must not block the daemon (or the guard). */
static void test_fifo(void **state)
{
	struct journal *j = journal_open(path, "test", false);
	struct seen s = { .n = 0 };
	struct stat st;

	(void)state;
	unlink(path);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(journal_replay(j, record, &s), 0);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	unlink(path);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(journal_append(j, "x"), 0);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	journal_close(j);
}

/* No directory: every operation fails with errno, none crashes. */
static void test_no_dir(void **state)
{
	char p[160];
	struct journal *j;
	struct seen s = { .n = 0 };

	(void)state;
	snprintf(p, sizeof(p), "%s/none/j", dir);
	j = journal_open(p, "test", true);
	assert_non_null(j);
	assert_int_equal(journal_append(j, "x"), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(journal_replay(j, record, &s), 0);     /* absent: no lines */
	assert_int_equal(journal_store(j, "x\n", 2), -1);
	journal_close(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_append_replay, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bytes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_symlink, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fifo, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_dir, setup, teardown),
	};

	log_init("test_journal", true, LOG_CRIT);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
