/* haproxy.c, the runtime API client, on a real loop against UNIX
 * sockets of the test's own: an empty answer is success, HAProxy's
 * reason is EPROTO with its text, a socket that never answers ends at the
 * deadline (the loop keeps running meanwhile), and a missing socket is
 * reported from the loop, never from within haproxy_send(). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>

#include "config.h"
#include "haproxy.h"
#include "loop.h"

struct server {
	struct loop *l;
	int fd;
	const char *answer;     /* NULL: accept and never answer */
	int held;               /* an accepted connection left hanging */
	char got[256];          /* what the client sent */
};

struct result {
	bool done;
	int err;
	char text[256];
	struct loop *l;
};

static struct cfg_haproxy_socket sk;
static char dir[64];

/* The client's line: answer it (and close), or hold the connection. */
static void on_client(int fd, uint32_t events, void *arg)
{
	struct server *s = arg;
	ssize_t n = recv(fd, s->got, sizeof(s->got) - 1, MSG_DONTWAIT);

	(void)events;
	s->got[n > 0 ? n : 0] = '\0';
	loop_fd_del(s->l, fd);
	if (!s->answer) {
		s->held = fd;
		return;
	}
	assert_int_equal(send(fd, s->answer, strlen(s->answer), 0), (ssize_t)strlen(s->answer));
	close(fd);
}

static void on_accept(int fd, uint32_t events, void *arg)
{
	struct server *s = arg;
	int c = accept4(fd, NULL, NULL, SOCK_CLOEXEC);

	(void)events;
	assert_true(c >= 0);
	assert_int_equal(loop_fd_add(s->l, c, EPOLLIN, on_client, s), 0);
}

static void on_done(void *arg, int err, const char *text)
{
	struct result *r = arg;

	r->done = true;
	r->err = err;
	snprintf(r->text, sizeof(r->text), "%s", text);
	loop_stop(r->l);
}

static void server_open(struct loop *l, struct server *s, const char *answer)
{
	struct sockaddr_un su = { .sun_family = AF_UNIX };

	memset(s, 0, sizeof(*s));
	s->l = l;
	s->answer = answer;
	s->held = -1;
	snprintf(su.sun_path, sizeof(su.sun_path), "%s", sk.path);
	unlink(sk.path);
	s->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(s->fd >= 0);
	assert_int_equal(bind(s->fd, (struct sockaddr *)&su, sizeof(su)), 0);
	assert_int_equal(listen(s->fd, 4), 0);
	assert_int_equal(loop_fd_add(l, s->fd, EPOLLIN, on_accept, s), 0);
}

static void server_close(struct loop *l, struct server *s)
{
	loop_fd_del(l, s->fd);
	close(s->fd);
	if (s->held >= 0)
		close(s->held);
	unlink(sk.path);
}

/* Send line through a fresh connection; run the loop until done. */
static void exchange(struct loop *l, const char *line, uint64_t timeout_us, struct result *r)
{
	struct haproxy_conn c;

	memset(r, 0, sizeof(*r));
	r->l = l;
	haproxy_conn_init(&c, l);
	assert_int_equal(haproxy_send(&c, &sk, line, timeout_us, on_done, r), 0);
	assert_false(r->done);          /* never from within haproxy_send() */
	assert_true(haproxy_busy(&c));
	/* One at a time. */
	assert_int_equal(haproxy_send(&c, &sk, line, timeout_us, on_done, r), -1);
	assert_int_equal(errno, EBUSY);
	assert_int_equal(loop_run(l), 0);
	assert_true(r->done);
	assert_false(haproxy_busy(&c));
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/hafd-hx.XXXXXX");
	assert_non_null(mkdtemp(dir));
	sk.is_unix = true;
	snprintf(sk.path, sizeof(sk.path), "%s/admin.sock", dir);
	sk.text = sk.path;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(sk.path);
	rmdir(dir);
	return 0;
}

static void test_ok(void **state)
{
	struct loop *l;
	struct server s;
	struct result r;

	(void)state;
	assert_int_equal(loop_create(&l), 0);
	server_open(l, &s, "\n\n");     /* two commands, two empty answers */
	exchange(l, "set server be/a weight 50%;set server be/a state ready\n", 1000000, &r);
	assert_int_equal(r.err, 0);
	assert_string_equal(s.got, "set server be/a weight 50%;set server be/a state ready\n");
	server_close(l, &s);
	loop_destroy(l);
}

static void test_refused_by_haproxy(void **state)
{
	struct loop *l;
	struct server s;
	struct result r;

	(void)state;
	assert_int_equal(loop_create(&l), 0);
	server_open(l, &s, "No such server.\n\n");
	exchange(l, "set server be/x state drain\n", 1000000, &r);
	assert_int_equal(r.err, EPROTO);
	assert_string_equal(r.text, "No such server.");
	server_close(l, &s);
	loop_destroy(l);
}

static void test_hung(void **state)
{
	struct loop *l;
	struct server s;
	struct result r;
	uint64_t t0;

	(void)state;
	assert_int_equal(loop_create(&l), 0);
	server_open(l, &s, NULL);       /* accepts, reads, never answers */
	t0 = loop_update_now(l);
	exchange(l, "set server be/a state maint\n", 200000, &r);
	assert_int_equal(r.err, ETIMEDOUT);
	assert_true(loop_update_now(l) - t0 >= 200000);
	assert_string_equal(s.got, "set server be/a state maint\n");
	server_close(l, &s);
	loop_destroy(l);
}

static void test_no_socket(void **state)
{
	struct loop *l;
	struct result r;

	(void)state;
	assert_int_equal(loop_create(&l), 0);
	unlink(sk.path);
	exchange(l, "set server be/a state maint\n", 1000000, &r);
	assert_int_equal(r.err, ENOENT);
	loop_destroy(l);
}

static void test_too_long(void **state)
{
	struct loop *l;
	struct haproxy_conn c;
	char line[HAPROXY_LINE_MAX + 8];

	(void)state;
	assert_int_equal(loop_create(&l), 0);
	memset(line, 'a', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	haproxy_conn_init(&c, l);
	assert_int_equal(haproxy_send(&c, &sk, line, 1000000, on_done, NULL), -1);
	assert_int_equal(errno, EINVAL);
	assert_false(haproxy_busy(&c));
	loop_destroy(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ok),
		cmocka_unit_test(test_refused_by_haproxy),
		cmocka_unit_test(test_hung),
		cmocka_unit_test(test_no_socket),
		cmocka_unit_test(test_too_long),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
