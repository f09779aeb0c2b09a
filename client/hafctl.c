/* hafctl.c: the command-line client of hafd's control socket (protocol in
 * ctl.h), and the keepalived converter. Exit status: 0 done, 1 hafd
 * answered with an error (or a conversion failed), 2 usage, 3 hafd could
 * not be reached (or was busy: too many clients at once). */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "json.h"
#include "kaconv.h"

#define DEFAULT_CONFIG SYSCONFDIR "/hafd.conf"
#define DEFAULT_SOCKET "/run/hafd/hafd.sock"
#define EXIT_ANSWER 1
#define EXIT_USAGE 2
#define EXIT_UNREACHABLE 3

struct opts {
	const char *socket;
	const char *config;
	int timeout_ms;
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: hafctl [OPTION]... COMMAND\n"
		"Talk to hafd, the VRRP failover daemon.\n\n"
		"Commands:\n"
		"  status                    instances and checks, as a table\n"
		"  status --json             the same with every counter, as JSON\n"
		"  metrics                   Prometheus text format\n"
		"  reload                    re-read the configuration (errors: exit 1)\n"
		"  version                   the running hafd's version\n"
		"  handover [NAME|--all] [--wait DURATION] [--drain DURATION]\n"
		"                            move the VIPs away: this node yields (priority 1)\n"
		"                            until 'resume'; exit 1, VIPs kept, when no backup\n"
		"                            takes over within the wait\n"
		"  resume [NAME|--all]       stop yielding: configured priority again\n"
		"  maintenance on|off        every instance yields, also after a restart\n"
		"  check NAME|--all          run a check now (Patroni's on_role_change)\n"
		"  convert-keepalived FILE   keepalived.conf to hafd.conf on standard output;\n"
		"                            what could not be translated on standard error\n\n"
		"Options:\n"
		"  -s, --socket=PATH         control socket (default: control_socket of the\n"
		"                            configuration, else %s)\n"
		"  -f, --config=FILE         configuration to take control_socket from\n"
		"                            (default %s)\n"
		"  -w, --timeout=SECONDS     how long to wait for hafd (default 10)\n"
		"  -V, -v, --version         print hafctl's version and exit\n"
		"  -h, --help                print this help and exit\n\n"
		"Exit status: 0 done, 1 hafd answered with an error, 2 usage, 3 hafd not reached\n"
		"(or busy).\n",
		DEFAULT_SOCKET, DEFAULT_CONFIG);
}

/* The socket: -s, else the configuration's control_socket, else the default. */
static const char *socket_path(const struct opts *o, char *buf, size_t len)
{
	const char *path = o->config ? o->config : DEFAULT_CONFIG;
	struct config_errors errs = { 0 };
	struct hafd_config *cfg = NULL;

	if (o->socket)
		return o->socket;
	if (!o->config && access(path, F_OK) < 0)
		return DEFAULT_SOCKET;
	if (config_load(path, &cfg, &errs) < 0) {
		fprintf(stderr, "hafctl: cannot take control_socket from %s: %s\n", path,
			errs.n ? errs.msgs[0] : "it does not load");
		config_errors_free(&errs);
		if (o->config)
			exit(EXIT_UNREACHABLE);
		fprintf(stderr, "hafctl: trying %s\n", DEFAULT_SOCKET);
		return DEFAULT_SOCKET;
	}
	snprintf(buf, len, "%s", cfg->global.control_socket);
	config_free(cfg);
	return buf;
}

static __attribute__((noreturn)) void unreachable(const char *path, int err)
{
	if (err == ENOENT || err == ECONNREFUSED)
		fprintf(stderr, "hafctl: hafd is not running (no socket at %s)\n", path);
	else if (err == EACCES || err == EPERM)
		fprintf(stderr, "hafctl: permission denied on %s (run as root)\n", path);
	else if (err == EAGAIN || err == ETIMEDOUT)
		fprintf(stderr, "hafctl: hafd did not answer in time on %s\n", path);
	else
		fprintf(stderr, "hafctl: %s: %s\n", path, strerror(err));
	exit(EXIT_UNREACHABLE);
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int connect_to(const char *path, int timeout_ms)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = timeout_ms / 1000, .tv_usec = timeout_ms % 1000 * 1000 };
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path))
		unreachable(path, ENAMETOOLONG);
	memcpy(sun.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		unreachable(path, errno);
	/* connect() on a unix socket waits on a full backlog up to SO_SNDTIMEO. */
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0)
		unreachable(path, errno);
	return fd;
}

/* Send the request, read the whole answer (until hafd closes). */
static void exchange(const char *path, int timeout_ms, const char *req, struct sbuf *ans)
{
	int64_t deadline = now_ms() + timeout_ms;
	int fd = connect_to(path, timeout_ms);
	char buf[65536];

	/* A hafd that turned us away ("busy") may have closed already: its
	 * answer is still there to read. */
	if ((send(fd, req, strlen(req), MSG_NOSIGNAL) != (ssize_t)strlen(req) ||
	     send(fd, "\n", 1, MSG_NOSIGNAL) != 1) && errno != EPIPE && errno != ECONNRESET)
		unreachable(path, errno);
	shutdown(fd, SHUT_WR);
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int64_t left = deadline - now_ms();
		ssize_t n;
		int rc;

		if (left <= 0)
			unreachable(path, ETIMEDOUT);
		rc = poll(&p, 1, (int)left);
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc <= 0)
			unreachable(path, rc == 0 ? ETIMEDOUT : errno);
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		/* A reset after the answer is the end of it; before, it is no
		 * answer (request() says so). */
		if (n < 0 && errno == ECONNRESET)
			break;
		if (n < 0)
			unreachable(path, errno);
		if (n == 0)
			break;
		if (sbuf_add(ans, buf, (size_t)n) < 0) {
			fprintf(stderr, "hafctl: out of memory\n");
			exit(EXIT_UNREACHABLE);
		}
	}
	close(fd);
}

static int request(const struct opts *o, const char *req)
{
	char buf[128];
	const char *path = socket_path(o, buf, sizeof(buf));
	struct sbuf ans;
	const char *body;
	bool ok;

	sbuf_init(&ans, 0);
	exchange(path, o->timeout_ms, req, &ans);
	body = ans.p ? strchr(ans.p, '\n') : NULL;
	if (!body) {
		fprintf(stderr, "hafctl: hafd closed the connection without an answer (%s)\n",
			ans.len ? "malformed" : "is it busy? too many clients at once");
		sbuf_free(&ans);
		return EXIT_UNREACHABLE;
	}
	if (!strncmp(ans.p, "busy\n", 5)) {        /* nothing was done: not reached */
		fprintf(stderr, "hafctl: %s", *++body ? body : "hafd is busy; try again\n");
		sbuf_free(&ans);
		return EXIT_UNREACHABLE;
	}
	ok = !strncmp(ans.p, "ok\n", 3);
	body++;
	fputs(body, ok ? stdout : stderr);
	if (!ok && !*body)
		fprintf(stderr, "hafctl: hafd refused the request\n");
	sbuf_free(&ans);
	if (fflush(stdout) != 0) {
		perror("hafctl: standard output");
		return EXIT_ANSWER;
	}
	return ok ? 0 : EXIT_ANSWER;
}

static int convert(const char *file)
{
	struct kaconv_list skipped = { 0 };
	struct config_errors errs;
	struct sbuf out;
	char err[256];
	size_t n_skip, n_warn;
	int rc = 0;

	sbuf_init(&out, 0);
	if (kaconv_convert_file(file, &out, &skipped, err, sizeof(err)) < 0) {
		fprintf(stderr, "hafctl: %s\n", err);
		sbuf_free(&out);
		kaconv_list_free(&skipped);
		return EXIT_ANSWER;
	}
	fputs(out.p, stdout);
	fflush(stdout);
	for (size_t i = 0; i < skipped.n; i++)
		fprintf(stderr, "%s:%d: %s: %s\n", file, skipped.items[i].line,
			skipped.items[i].kind == KACONV_WARNING ? "warning" : "not translated",
			skipped.items[i].what);
	if (kaconv_validate(&out, "(output)", &errs) < 0) {
		fprintf(stderr, "hafctl: the result does not pass hafd -t; fix the keepalived "
			"file or the output:\n");
		for (size_t i = 0; i < errs.n; i++)
			fprintf(stderr, "  %s\n", errs.msgs[i]);
		rc = EXIT_ANSWER;
	}
	/* One summary line: what was left out, and every change of behaviour. */
	n_skip = kaconv_list_count(&skipped, KACONV_SKIPPED);
	n_warn = kaconv_list_count(&skipped, KACONV_WARNING);
	if (n_skip || n_warn)
		fprintf(stderr, "hafctl: %zu setting%s not translated, %zu warning%s (changes of "
			"behaviour)\n", n_skip, n_skip == 1 ? "" : "s", n_warn,
			n_warn == 1 ? "" : "s");
	config_errors_free(&errs);
	kaconv_list_free(&skipped);
	sbuf_free(&out);
	return rc;
}

#define REQ_MAX 256             /* hafd's CTL_REQUEST_MAX (ctl.h) */
/* Without --wait, hafd waits 4 advert intervals, at least 2 s: up to 4 x
 * 40.95 s. */
#define HANDOVER_WAIT_MAX_MS 163800

/* "5s", "500ms", "2m" or seconds: milliseconds, or -1. */
static long long duration_ms(const char *s)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || !(v >= 0))
		return -1;
	if (!strcmp(end, "ms"))
		;
	else if (!*end || !strcmp(end, "s"))
		v *= 1000;
	else if (!strcmp(end, "m"))
		v *= 60000;
	else
		return -1;
	return v > 3600000 ? -1 : (long long)(v + 0.5);
}

/* handover [NAME|--all] [--wait DURATION]: hafd answers when the VIPs
 * moved or the wait ran out, so hafctl waits that long too. */
static int handover(struct opts *o, int n, char **args)
{
	const char *name = "--all";
	long long wait_ms = 0, drain_ms = 0;
	char req[REQ_MAX];

	for (int i = 0; i < n; i++) {
		if (!strcmp(args[i], "--drain") && i + 1 < n) {
			/* drain.h: established TCP flows stay on this node until
			 * they end or DURATION runs out; the answer comes then. */
			if ((drain_ms = duration_ms(args[++i])) <= 0) {
				fprintf(stderr, "hafctl: --drain %s: not a duration (e.g. 60s, 5m; "
					"up to 60m)\n", args[i]);
				return EXIT_USAGE;
			}
		} else if (!strcmp(args[i], "--wait") && i + 1 < n) {
			if ((wait_ms = duration_ms(args[++i])) <= 0) {
				fprintf(stderr, "hafctl: --wait %s: not a duration (e.g. 5s, 500ms; "
					"up to 60m)\n", args[i]);
				return EXIT_USAGE;
			}
		} else if (args[i][0] != '-' || !strcmp(args[i], "--all")) {
			name = args[i];
		} else {
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (snprintf(req, sizeof(req), "handover %s %lld %lld", name, wait_ms, drain_ms) >=
	    (int)sizeof(req)) {
		fprintf(stderr, "hafctl: instance name too long\n");
		return EXIT_USAGE;
	}
	if (o->timeout_ms < (wait_ms ? wait_ms : HANDOVER_WAIT_MAX_MS) + 5000)
		o->timeout_ms = (int)((wait_ms ? wait_ms : HANDOVER_WAIT_MAX_MS) + 5000);
	o->timeout_ms += (int)drain_ms;
	return request(o, req);
}

static void opts_parse(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "config", required_argument, NULL, 'f' },
		{ "timeout", required_argument, NULL, 'w' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	double secs;
	int c;

	o->timeout_ms = 10000;
	/* '+': options stop at the command, so "status --json" reaches it. */
	while ((c = getopt_long(argc, argv, "+s:f:w:Vvh", longopts, NULL)) != -1) {
		switch (c) {
		case 's': o->socket = optarg; break;
		case 'f': o->config = optarg; break;
		case 'w':
			secs = strtod(optarg, &end);
			if (*end || end == optarg || !(secs > 0 && secs <= 3600)) {
				fprintf(stderr, "hafctl: -w %s: not a number of seconds (0..3600)\n",
					optarg);
				exit(EXIT_USAGE);
			}
			o->timeout_ms = (int)(secs * 1000 + 0.5);
			break;
		/* -v as well: hafd's flag (keepalived's too). */
		case 'V':
		case 'v': printf("hafctl %s\n", PACKAGE_VERSION); exit(0);
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); exit(EXIT_USAGE);
		}
	}
}

int main(int argc, char **argv)
{
	struct opts o = { 0 };
	const char *cmd;
	int n;

	opts_parse(argc, argv, &o);
	cmd = optind < argc ? argv[optind] : NULL;
	n = argc - optind;
	if (cmd && !strcmp(cmd, "status") && n == 2 && !strcmp(argv[optind + 1], "--json"))
		return request(&o, "status --json");
	if (cmd && n == 1 && (!strcmp(cmd, "status") || !strcmp(cmd, "metrics") ||
			      !strcmp(cmd, "reload") || !strcmp(cmd, "version")))
		return request(&o, cmd);
	if (cmd && !strcmp(cmd, "handover") && n <= 6)
		return handover(&o, n - 1, argv + optind + 1);
	if (cmd && !strcmp(cmd, "check") && n == 2) {
		char req[REQ_MAX];

		if (snprintf(req, sizeof(req), "check %s", argv[optind + 1]) < (int)sizeof(req))
			return request(&o, req);
	}
	if (cmd && (!strcmp(cmd, "resume") || !strcmp(cmd, "maintenance")) && n <= 2) {
		char req[REQ_MAX];
		const char *arg = n == 2 ? argv[optind + 1] : !strcmp(cmd, "resume") ? "--all" : "";

		if (*arg && snprintf(req, sizeof(req), "%s %s", cmd, arg) < (int)sizeof(req))
			return request(&o, req);
	}
	if (cmd && !strcmp(cmd, "convert-keepalived") && n == 2)
		return convert(argv[optind + 1]);
	if (cmd)
		fprintf(stderr, "hafctl: unknown command or wrong arguments: %s\n", cmd);
	usage(stderr);
	return EXIT_USAGE;
}
