/* The check runners (check_run.c, check_net.c) in process, with their I/O
 * replaced by fakes defined here, as chrony's unit tests do: a loop whose
 * clock the test sets and whose timers it fires, processes that never
 * start (proc_run() hands the test its callback) and a glue that records
 * what it is told. What is checked: a result changes the contribution the
 * glue reads, a tick never doubles a run in flight, a file check's value
 * multiplies its weight, and stopping cancels what runs. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "check.h"
#include "check_run.h"
#include "cfgtext.h"
#include "config.h"
#include "hafd.h"
#include "loop.h"
#include "proc.h"

#define S 1000000ull

/* ---- the fake loop: a clock, and the armed timers ------------------------ */

static uint64_t now = 1000 * S;
static struct timer *armed[32];

uint64_t loop_now(const struct loop *l)
{
	(void)l;
	return now;
}

uint64_t loop_update_now(struct loop *l)
{
	(void)l;
	return now;
}

void loop_timer_cancel(struct loop *l, struct timer *t)
{
	(void)l;
	for (size_t i = 0; i < sizeof(armed) / sizeof(armed[0]); i++)
		if (armed[i] == t)
			armed[i] = NULL;
	t->idx = SIZE_MAX;
}

int loop_timer_at(struct loop *l, struct timer *t, uint64_t due_us)
{
	loop_timer_cancel(l, t);
	for (size_t i = 0; i < sizeof(armed) / sizeof(armed[0]); i++)
		if (!armed[i]) {
			armed[i] = t;
			t->due_us = due_us;
			t->idx = i;
			return 0;
		}
	fail_msg("too many timers");
	return -1;
}

int loop_timer_in(struct loop *l, struct timer *t, uint64_t delay_us)
{
	return loop_timer_at(l, t, now + delay_us);
}

/* The network checks run against a server in the test (serve()): the
 * loop only remembers whom to call about the socket. */
static int io_fd = -1;
static loop_fd_cb io_cb;
static void *io_arg;

int loop_fd_add(struct loop *l, int fd, uint32_t events, loop_fd_cb cb, void *arg)
{
	(void)l, (void)events;
	io_fd = fd;
	io_cb = cb;
	io_arg = arg;
	return 0;
}

int loop_fd_mod(struct loop *l, int fd, uint32_t events)
{
	(void)l, (void)fd, (void)events;
	return 0;
}

void loop_fd_del(struct loop *l, int fd)
{
	(void)l;
	if (fd == io_fd)
		io_fd = -1;
}

/* Run the earliest timer due by now; false when none is. */
static bool fire_one(void)
{
	struct timer *t = NULL;

	for (size_t i = 0; i < sizeof(armed) / sizeof(armed[0]); i++)
		if (armed[i] && armed[i]->due_us <= now && (!t || armed[i]->due_us < t->due_us))
			t = armed[i];
	if (!t)
		return false;
	loop_timer_cancel(NULL, t);
	t->cb(t, t->arg);
	return true;
}

static void fire_due(void)
{
	while (fire_one())
		;
}

/* ---- fake processes ------------------------------------------------------ */

struct proc {
	int unused;
};

static struct proc the_proc;
static int runs, cancels;
static char run_command[200], run_env0[200];
static proc_done_cb run_cb;
static void *run_arg;

struct proc *proc_run(struct proc_ctx *c, const struct proc_spec *s, proc_done_cb cb, void *arg)
{
	(void)c;
	runs++;
	snprintf(run_command, sizeof(run_command), "%s", s->command);
	snprintf(run_env0, sizeof(run_env0), "%s", s->env && s->env[0] ? s->env[0] : "");
	run_cb = cb;
	run_arg = arg;
	return &the_proc;
}

pid_t proc_pid(const struct proc *p)
{
	(void)p;
	return 4242;
}

void proc_cancel(struct proc *p)
{
	if (p)
		cancels++;
}

int proc_user_resolve(const char *name, bool script_security, struct proc_user *u, char *why,
		      size_t why_len)
{
	(void)name, (void)script_security, (void)why, (void)why_len;
	memset(u, 0, sizeof(*u));
	return 0;
}

/* End the script in flight. */
static void script_exits(int code)
{
	struct proc_result res = { .exited = true, .exit_code = code };

	assert_non_null(run_cb);
	run_cb(&res, run_arg);
}

/* The gpu helper answers line (exit 0), or is reaped after its timeout. */
static void helper_answers(const char *line)
{
	struct proc_result res = { .exited = true, .exit_code = 0 };

	assert_non_null(run_cb);
	snprintf(res.line, sizeof(res.line), "%s", line);
	run_cb(&res, run_arg);
}

static void helper_reaped_killed(void)
{
	struct proc_result res = { .signo = 9, .timed_out = true, .killed = true };

	assert_non_null(run_cb);
	run_cb(&res, run_arg);
}

/* ---- the fake glue ------------------------------------------------------- */

static int changes;
static size_t changed_check;

static void glue_changed(struct hafd *h, size_t check)
{
	(void)h;
	changes++;
	changed_check = check;
}

/* ---- set-up -------------------------------------------------------------- */

static char rundir[64];
static struct hafd h;

static void start(const char *checks)
{
	char text[2048];

	snprintf(rundir, sizeof(rundir), "/tmp/test_check_run.XXXXXX");
	assert_non_null(mkdtemp(rundir));
	snprintf(text, sizeof(text),
		 "[global]\nruntime_dir = %s\nscript_security = no\nnft_table = none\n"
		 "[instance web]\ninterface = lo\nvrid = 1\nvirtual_ip = 192.0.2.1/24\n"
		 "track = a\n%s", rundir, checks);
	memset(&h, 0, sizeof(h));
	h.cfg = cfg_text_ok(text);
	memset(armed, 0, sizeof(armed));
	runs = cancels = changes = 0;
	run_cb = NULL;
	changed_check = SIZE_MAX;
	assert_int_equal(check_run_start(&h, glue_changed), 0);
}

static int stop(void **state)
{
	char dir[80];

	(void)state;
	check_run_stop(&h);
	config_free(h.cfg);
	h.cfg = NULL;
	snprintf(dir, sizeof(dir), "%s-state", rundir);
	rmdir(dir);
	rmdir(rundir);
	return 0;
}

static void contrib(size_t i, int delta, bool fault)
{
	int d = 99;
	bool f = !fault;

	assert_int_equal(check_run_contrib(&h, i, now, &d, &f), 0);
	assert_int_equal(d, delta);
	assert_int_equal(f, fault);
}

static const struct check *state_of(size_t i)
{
	struct check_run_status st;

	assert_int_equal(check_run_status(&h, i, &st), 0);
	return st.check;
}

/* ---- a server on loopback, for the http checks --------------------------- */

static int lsock = -1;
static unsigned short lport;

static void listen_lo(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);

	lsock = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(lsock >= 0);
	assert_int_equal(bind(lsock, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(lsock, 4), 0);
	assert_int_equal(getsockname(lsock, (struct sockaddr *)&a, &len), 0);
	lport = ntohs(a.sin_port);
}

/* The runner's connection in flight: let it send, read its request into
 * req (what came within 100 ms of quiet), answer, close unless keep_open
 * (the socket is returned then, else -1), and let the runner read. */
static int serve(const char *answer, char *req, size_t len, bool keep_open)
{
	size_t got = 0;
	int c;

	assert_true(io_fd >= 0);
	for (int i = 0; i < 50 && io_fd >= 0; i++) {
		struct pollfd pf = { .fd = io_fd, .events = POLLOUT };

		poll(&pf, 1, 20);
		io_cb(io_fd, EPOLLOUT, io_arg);
		if (pf.revents & POLLOUT)
			break;
	}
	c = accept(lsock, NULL, NULL);
	assert_true(c >= 0);
	for (;;) {
		struct pollfd pf = { .fd = c, .events = POLLIN };
		ssize_t n;

		if (poll(&pf, 1, 100) <= 0)
			break;
		n = read(c, req + got, len - 1 - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	req[got] = '\0';
	assert_int_equal(write(c, answer, strlen(answer)), (ssize_t)strlen(answer));
	if (!keep_open) {
		close(c);
		c = -1;
	}
	for (int i = 0; i < 50 && io_fd >= 0; i++) {
		struct pollfd pf = { .fd = io_fd, .events = POLLIN };
		int fd = io_fd;

		poll(&pf, 1, 20);
		io_cb(fd, EPOLLIN, io_arg);
		if (io_fd == fd && keep_open && state_of(0)->c.runs)
			break;
	}
	return c;
}

#define OK200(body) "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n" body
#define MODELS OK200("{\"object\":\"list\",\"data\":[{\"id\":\"sql-lora\"},{\"id\":\"base\"}]}")
#define COMPLETION OK200("{\"choices\":[{\"index\":0,\"text\":\" the\"}]}")

static void gen_start(const char *extra)
{
	char text[1024];

	listen_lo();
	snprintf(text, sizeof(text), "[check a]\ntype = http\nurl = http://127.0.0.1:%u/v1\n"
		 "request = generate\ninterval = 1s\ntimeout = 5s\nrise = 1\nfall = 1\n%s",
		 lport, extra);
	start(text);
	fire_due();
}

static int stop_net(void **state)
{
	if (lsock >= 0)
		close(lsock);
	lsock = -1;
	return stop(state);
}

/* The first of /v1/models, then one token from /v1/completions, in one run. */
static void test_generate_asks_the_model(void **state)
{
	char req[4096];

	(void)state;
	gen_start("");
	serve(MODELS, req, sizeof(req), false);
	assert_non_null(strstr(req, "GET /v1/models HTTP/1.1\r\n"));
	assert_int_equal(state_of(0)->c.runs, 0);       /* one run, two requests */
	serve(COMPLETION, req, sizeof(req), false);
	assert_non_null(strstr(req, "POST /v1/completions HTTP/1.1\r\n"));
	assert_non_null(strstr(req, "Content-Type: application/json\r\n"));
	assert_non_null(strstr(req, "\r\n\r\n{\"model\":\"sql-lora\",\"prompt\":\"ping\","
			       "\"max_tokens\":1,\"temperature\":0,\"stream\":false}"));
	assert_int_equal(state_of(0)->last, CHECK_RES_PASS);
	assert_string_equal(state_of(0)->reason, "sql-lora generated a token");
	/* the model is known now: the next run posts at once */
	now += S;
	fire_due();
	serve(OK200("{\"choices\":[]}"), req, sizeof(req), false);
	assert_non_null(strstr(req, "POST /v1/completions"));
	assert_int_equal(state_of(0)->last, CHECK_RES_FAIL);
	assert_non_null(strstr(state_of(0)->reason, "without choices"));
	/* a 404 for the model: the list is asked again */
	now += S;
	fire_due();
	serve("HTTP/1.1 404 Not Found\r\n\r\n{\"error\":{\"message\":\"The model `sql-lora` "
	      "does not exist.\"}}", req, sizeof(req), false);
	assert_int_equal(state_of(0)->last, CHECK_RES_FAIL);
	now += S;
	fire_due();
	serve(MODELS, req, sizeof(req), false);
	assert_non_null(strstr(req, "GET /v1/models"));
}

/* Dead or saturated (issue 16, section 2): a queue-full 503 is degraded,
 * a loading 503 is down, 401 says the key is wrong. */
static void test_generate_statuses(void **state)
{
	static const struct {
		const char *answer;
		enum check_result res;
		const char *reason;
	} t[] = {
		{ "HTTP/1.1 503 Service Unavailable\r\n\r\n{\"error\":{\"message\":\"Request queue "
		  "full.\",\"type\":\"ServiceUnavailableError\",\"code\":503}}", CHECK_RES_DEGRADED,
		  "POST /v1/chat/completions (m): status 503, saturated: \"queue full\"" },
		{ "HTTP/1.1 503 Service Unavailable\r\n\r\n{\"error\":\"server busy, please try "
		  "again.  maximum pending requests exceeded\"}", CHECK_RES_DEGRADED, NULL },
		{ "HTTP/1.1 503 Service Unavailable\r\n\r\n{\"error\":{\"code\":503,\"message\":"
		  "\"Loading model\",\"type\":\"unavailable_error\"}}", CHECK_RES_FAIL,
		  "POST /v1/chat/completions (m): status 503" },
		{ "HTTP/1.1 429 Too Many Requests\r\n\r\n{\"error\":\"Model is overloaded\"}",
		  CHECK_RES_DEGRADED, NULL },
		{ "HTTP/1.1 401 Unauthorized\r\n\r\n{\"error\":\"Unauthorized\"}", CHECK_RES_FAIL,
		  "POST /v1/chat/completions (m): status 401: the server wants an API key "
		  "(api_key_file)" },
	};
	char req[4096];

	(void)state;
	gen_start("model = m\nendpoint = chat\n");
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (i) {
			now += S;
			fire_due();
		}
		serve(t[i].answer, req, sizeof(req), false);
		assert_non_null(strstr(req, "POST /v1/chat/completions HTTP/1.1\r\n"));
		assert_non_null(strstr(req, "\"messages\":[{\"role\":\"user\",\"content\":\"ping\"}],"
				       "\"max_tokens\":1"));
		assert_int_equal(state_of(0)->last, t[i].res);
		if (t[i].reason)
			assert_string_equal(state_of(0)->reason, t[i].reason);
	}
}

/* stream = yes passes at the first token, before the stream ends. */
static void test_generate_stream_first_token(void **state)
{
	char req[4096];
	int c;

	(void)state;
	gen_start("model = m\nstream = yes\n");
	c = serve("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n"
		  "data: {\"choices\":[{\"index\":0,\"text\":\"Hi\",\"finish_reason\":null}]}\n\n",
		  req, sizeof(req), true);
	assert_non_null(strstr(req, "\"stream\":true}"));
	assert_int_equal(state_of(0)->last, CHECK_RES_PASS);
	assert_string_equal(state_of(0)->reason, "m streamed a first token");
	close(c);
	/* SGLang: 200, then a queue-full error event */
	now += S;
	fire_due();
	serve("HTTP/1.1 200 OK\r\n\r\ndata: {\"error\":{\"message\":\"The request queue is "
	      "full.\",\"code\":503}}\n\n", req, sizeof(req), false);
	assert_int_equal(state_of(0)->last, CHECK_RES_DEGRADED);
}

/* A GET check tells a saturated 503 from a dead one too; none stops it. */
static void test_get_degrade_body(void **state)
{
	char req[4096], text[512];

	(void)state;
	listen_lo();
	snprintf(text, sizeof(text), "[check a]\ntype = http\nurl = http://127.0.0.1:%u/health\n"
		 "rise = 1\nfall = 1\n", lport);
	start(text);
	fire_due();
	serve("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 26\r\n\r\n"
	      "The request queue is full.", req, sizeof(req), false);
	assert_int_equal(state_of(0)->last, CHECK_RES_DEGRADED);
	now += S * 3;
	fire_due();
	serve("HTTP/1.1 503 Service Unavailable\r\n\r\n", req, sizeof(req), false);
	assert_int_equal(state_of(0)->last, CHECK_RES_FAIL);
}

/* ---- tests --------------------------------------------------------------- */

static void test_result_changes_contribution(void **state)
{
	(void)state;
	start("[check a]\ntype = script\ncommand = probe\ninterval = 1s\ntimeout = 500ms\n"
	      "rise = 1\nfall = 1\nweight = 0\n");
	/* Unproven, no grace: INIT counts as DOWN, a weight-0 check faults. */
	contrib(0, 0, true);
	assert_int_equal(changes, 0);   /* the glue reads it itself at start */

	fire_due();                     /* the first run is due at once */
	assert_int_equal(runs, 1);
	assert_string_equal(run_command, "probe");
	assert_string_equal(run_env0, "HAFD_CHECK=a");
	script_exits(0);
	assert_int_equal(changes, 1);
	assert_int_equal(changed_check, 0);
	assert_int_equal(state_of(0)->state, CHECK_ST_UP);
	contrib(0, 0, false);

	now += S;
	fire_due();
	script_exits(1);
	assert_int_equal(changes, 2);
	assert_int_equal(state_of(0)->state, CHECK_ST_DOWN);
	assert_string_equal(state_of(0)->reason, "exit 1");
	contrib(0, 0, true);
}

static void test_weights(void **state)
{
	(void)state;
	start("[check a]\ntype = script\ncommand = probe\ninterval = 1s\ntimeout = 500ms\n"
	      "rise = 1\nfall = 1\nweight = 20\ndegrade_weight = -5\n");
	contrib(0, 0, false);           /* a positive weight adds nothing until UP */
	fire_due();
	script_exits(0);
	contrib(0, 20, false);
	now += S;
	fire_due();
	script_exits(2);
	assert_int_equal(state_of(0)->state, CHECK_ST_DEGRADED);
	contrib(0, -5, false);
}

/* Issue 20: degrade_exit = none is keepalived's meaning (a converted
 * vrrp_script): exit 2 fails, and a negative weight moves the priority;
 * another status can be the degraded one. */
static void test_degrade_exit(void **state)
{
	(void)state;
	start("[check a]\ntype = script\ncommand = probe\ninterval = 1s\ntimeout = 500ms\n"
	      "rise = 1\nfall = 1\nweight = -80\ndegrade_exit = none\n");
	fire_due();
	script_exits(0);
	contrib(0, 0, false);
	now += S;
	fire_due();
	script_exits(2);
	assert_int_equal(state_of(0)->state, CHECK_ST_DOWN);
	assert_string_equal(state_of(0)->reason, "exit 2");
	contrib(0, -80, false);
	stop(NULL);

	start("[check a]\ntype = script\ncommand = probe\ninterval = 1s\ntimeout = 500ms\n"
	      "rise = 1\nfall = 1\nweight = -80\ndegrade_weight = -5\ndegrade_exit = 3\n");
	fire_due();
	script_exits(3);
	assert_int_equal(state_of(0)->state, CHECK_ST_DEGRADED);
	assert_string_equal(state_of(0)->reason, "exit 3");
	contrib(0, -5, false);
	now += S;
	fire_due();
	script_exits(2);
	assert_int_equal(state_of(0)->state, CHECK_ST_DOWN);
	contrib(0, -80, false);
}

static void test_run_in_flight_not_doubled(void **state)
{
	struct check_run_status st;

	(void)state;
	start("[check a]\ntype = script\ncommand = slow\ninterval = 1s\ntimeout = 3s\n");
	fire_due();
	assert_int_equal(runs, 1);
	now += S;
	fire_due();                     /* a tick while the run is in flight */
	now += S;
	fire_due();
	assert_int_equal(runs, 1);
	assert_int_equal(check_run_status(&h, 0, &st), 0);
	assert_true(st.running);
	assert_int_equal(st.skipped, 2);

	/* The late run starts as soon as this one ends, once. */
	script_exits(0);
	assert_int_equal(state_of(0)->c.runs, 1);
	fire_due();
	assert_int_equal(runs, 2);
	assert_int_equal(check_run_status(&h, 0, &st), 0);
	assert_true(st.running);
	assert_int_equal(st.next_run_us, now + S);
}

/* hafctl check NAME (Patroni's on_role_change): a run now, the schedule
 * from there; one in flight is not doubled but followed by one more. */
static void test_run_now(void **state)
{
	struct check_run_status st;

	(void)state;
	start("[check a]\ntype = script\ncommand = slow\ninterval = 10s\ntimeout = 3s\n");
	fire_due();
	assert_int_equal(runs, 1);
	assert_int_equal(check_run_now(&h, "c"), -1);
	assert_int_equal(errno, ENOENT);
	/* In flight: asked now, it runs again right after, once. */
	assert_int_equal(check_run_now(&h, "a"), 1);
	assert_int_equal(check_run_now(&h, "a"), 1);
	fire_due();
	assert_int_equal(runs, 1);
	script_exits(0);
	fire_due();
	assert_int_equal(runs, 2);
	script_exits(0);
	now += S;
	fire_due();
	assert_int_equal(runs, 2);
	/* Idle: it runs at once, the next tick an interval later. */
	assert_int_equal(check_run_now(&h, NULL), 1);
	fire_due();
	assert_int_equal(runs, 3);
	assert_int_equal(check_run_status(&h, 0, &st), 0);
	assert_true(st.running);
	assert_int_equal(st.next_run_us, now + 10 * S);
}

static void test_file_value_multiplies_weight(void **state)
{
	char path[80], conf[200];
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "/tmp/test_check_run.file.%ld", (long)getpid());
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("3\n", f);
	fclose(f);
	snprintf(conf, sizeof(conf), "[check a]\ntype = file\npath = %s\ninterval = 1s\n"
		 "rise = 1\nfall = 1\nweight = -10\n", path);
	start(conf);
	fire_due();                     /* read at once: no process */
	assert_int_equal(runs, 0);
	assert_int_equal(changes, 1);
	assert_int_equal(state_of(0)->state, CHECK_ST_DOWN);
	contrib(0, -30, false);

	f = fopen(path, "w");
	assert_non_null(f);
	fputs("0\n", f);
	fclose(f);
	now += S;
	fire_due();
	contrib(0, 0, false);
	unlink(path);
}

static void test_unknown_check_contributes_nothing(void **state)
{
	int d = 7;
	bool f = true;

	(void)state;
	start("[check a]\ntype = script\ncommand = probe\n");
	errno = 0;
	assert_int_equal(check_run_contrib(&h, 1, now, &d, &f), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(d, 0);
	assert_false(f);
}

static void test_stop_cancels_the_run(void **state)
{
	(void)state;
	start("[check a]\ntype = script\ncommand = slow\n");
	fire_due();
	assert_int_equal(runs, 1);
	check_run_stop(&h);
	assert_int_equal(cancels, 1);
	assert_int_equal(check_run_count(&h), 0);
}

/* Issue 17: an NVML call that hangs is reported down at the check's
 * timeout, without waiting for the helper to be reaped (in the driver it
 * may never be); while it is not, no second helper starts and every run
 * says it is stuck; once reaped its answer is dropped and queries resume. */
static void test_gpu_stuck_helper(void **state)
{
	(void)state;
	start("[check a]\ntype = gpu\ninterval = 1s\ntimeout = 500ms\nrise = 1\nfall = 1\n"
	      "min_gpus = 2\nxid_source = none\n");
	fire_due();
	assert_int_equal(runs, 1);
	assert_string_equal(run_command, "exec \"$0\" \"$@\"");
	helper_answers("nvml 1 2 ok@00:06 ok@00:07");
	assert_int_equal(state_of(0)->state, CHECK_ST_UP);
	assert_string_equal(state_of(0)->reason, "2 GPUs healthy");
	contrib(0, 0, false);

	now += S;
	fire_due();                     /* the second query hangs */
	assert_int_equal(runs, 2);
	now += 500000;
	fire_due();                     /* the watchdog, at the timeout */
	assert_int_equal(state_of(0)->state, CHECK_ST_DOWN);
	assert_string_equal(state_of(0)->reason,
			    "NVML query timed out after 500 ms (helper pid 4242 signalled)");
	contrib(0, 0, true);

	now += S;
	fire_due();                     /* still not reaped: no second helper */
	assert_int_equal(runs, 2);
	assert_int_equal(state_of(0)->state, CHECK_ST_DOWN);
	assert_string_equal(state_of(0)->reason, "NVML helper pid 4242 stuck for 1 s (in the "
			    "driver?): no new query until it ends");
	assert_int_equal(state_of(0)->c.kinds[CHECK_KIND_TIMEOUT], 2);

	helper_reaped_killed();         /* its answer is dropped */
	assert_int_equal(state_of(0)->c.runs, 3);
	now += S;
	fire_due();
	assert_int_equal(runs, 3);
	helper_answers("nvml 1 2 ok@00:06 lost");
	assert_string_equal(state_of(0)->reason, "GPU 1 (0000:00:07) lost: 1 healthy, below "
			    "min_gpus 2");
}

/* The helper's answer decides; NVML that cannot be asked is down. */
static void test_gpu_answers(void **state)
{
	(void)state;
	start("[check a]\ntype = gpu\ninterval = 1s\nrise = 1\nfall = 1\ngpu_weight = -20\n"
	      "min_gpus = 2\nxid_source = none\n");
	fire_due();
	helper_answers("nvml 1 4 ok@00:06 lost ok@00:08 failed@00:09");
	assert_int_equal(state_of(0)->state, CHECK_ST_DOWN);
	contrib(0, -40, false);         /* 2 bad GPUs x -20 */
	now += S;
	fire_due();
	helper_answers("nvml 1 4 ok@00:06 ok@00:07 pending@00:08 ok@00:09");
	assert_int_equal(state_of(0)->state, CHECK_ST_DEGRADED);
	now += S;
	fire_due();
	helper_answers("error nvmlInit_v2: Driver Not Loaded (NVML error 9)");
	assert_string_equal(state_of(0)->reason, "NVML: nvmlInit_v2: Driver Not Loaded (NVML "
			    "error 9)");
	contrib(0, -254, true);         /* as if every GPU were lost: FAULT */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_result_changes_contribution, stop),
		cmocka_unit_test_teardown(test_weights, stop),
		cmocka_unit_test_teardown(test_degrade_exit, stop),
		cmocka_unit_test_teardown(test_run_in_flight_not_doubled, stop),
		cmocka_unit_test_teardown(test_run_now, stop),
		cmocka_unit_test_teardown(test_file_value_multiplies_weight, stop),
		cmocka_unit_test_teardown(test_unknown_check_contributes_nothing, stop),
		cmocka_unit_test_teardown(test_stop_cancels_the_run, stop),
		cmocka_unit_test_teardown(test_generate_asks_the_model, stop_net),
		cmocka_unit_test_teardown(test_generate_statuses, stop_net),
		cmocka_unit_test_teardown(test_generate_stream_first_token, stop_net),
		cmocka_unit_test_teardown(test_get_degrade_body, stop_net),
		cmocka_unit_test_teardown(test_gpu_stuck_helper, stop),
		cmocka_unit_test_teardown(test_gpu_answers, stop),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
