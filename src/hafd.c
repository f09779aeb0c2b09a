/* hafd.c: main(): options, configuration, start-up in order, the loop, and
 * teardown in reverse. */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <netinet/in.h>         /* before the linux/ headers, which defer to it */
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <libnftnl/common.h>

#include "caps.h"
#include "garp.h"
#include "guard.h"
#include "ctl.h"
#include "hafd.h"
#include "drain.h"
#include "handover.h"
#include "haproxy_sync.h"
#include "ifcache.h"
#include "log.h"
#include "loop.h"
#include "nft.h"
#include "notify.h"
#include "proc.h"
#include "reload.h"
#include "sdnotify.h"
#include "anycast.h"
#include "anycast_addr.h"
#include "check_run.h"
#include "vip.h"
#include "vmac.h"
#include "vrrp.h"

#define DEFAULT_CONFIG SYSCONFDIR "/hafd.conf"

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: hafd [OPTION]...\n"
		"VRRP failover daemon for active/standby AI inference hosts.\n\n"
		"  -f, --use-file=FILE   configuration file (default %s)\n"
		"  -n, --dont-fork       stay in the foreground\n"
		"  -l, --log-console     log to standard error instead of syslog\n"
		"  -D, --log-detail      log debug detail (overrides log_level)\n"
		"  -t, --config-test     check the configuration, print the result, exit 0/1\n"
		"  -C, --cleanup         remove what a killed hafd left (VIPs, macvlans,\n"
		"                        nftables tables) unless hafd runs, exit 0/1\n"
		"  -p, --pid=FILE        pid file (default <runtime_dir>/hafd.pid)\n"
		"  -v, -V, --version     print the version and exit\n"
		"  -h, --help            print this help and exit\n", DEFAULT_CONFIG);
}

static void opts_parse(int argc, char **argv, struct hafd_opts *o)
{
	static const struct option longopts[] = {
		{ "use-file", required_argument, NULL, 'f' },
		{ "config", required_argument, NULL, 'f' },
		{ "dont-fork", no_argument, NULL, 'n' },
		{ "log-console", no_argument, NULL, 'l' },
		{ "log-detail", no_argument, NULL, 'D' },
		{ "config-test", no_argument, NULL, 't' },
		{ "cleanup", no_argument, NULL, 'C' },
		{ "pid", required_argument, NULL, 'p' },
		{ "pid-file", required_argument, NULL, 'p' },
		{ "version", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	o->config_file = DEFAULT_CONFIG;
	while ((c = getopt_long(argc, argv, "f:nlDtCp:vVh", longopts, NULL)) != -1) {
		switch (c) {
		case 'f': o->config_file = optarg; break;
		case 'n': o->dont_fork = true; break;
		case 'l': o->log_console = true; break;
		case 'D': o->log_detail = true; break;
		case 't': o->config_test = true; break;
		case 'C': o->cleanup = true; break;
		case 'p': o->pid_file = optarg; break;
		/* -V as well: hafctl's flag, and the one of many daemons. */
		case 'v':
		case 'V': printf("hafd %s\n", PACKAGE_VERSION); exit(0);
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); exit(2);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "hafd: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		exit(2);
	}
	if (o->config_test && o->cleanup) {
		fprintf(stderr, "hafd: -t and -C do not go together\n");
		exit(2);
	}
}

/* Errors and warnings go to stderr (the operator is looking; under
 * systemd, the journal). warn false: errors only (hafd --cleanup, which
 * runs at every stop and reads only runtime_dir and nft_table). */
static struct hafd_config *config_read(const char *path, bool warn)
{
	struct config_errors errs = { 0 };
	struct hafd_config *cfg = NULL;

	if (config_load(path, &cfg, &errs) < 0) {
		for (size_t i = 0; i < errs.n; i++)
			fprintf(stderr, "%s\n", errs.msgs[i]);
		fprintf(stderr, "hafd: %zu error%s in %s\n", errs.n, errs.n == 1 ? "" : "s", path);
		config_errors_free(&errs);
		return NULL;
	}
	for (size_t i = 0; warn && i < cfg->n_warnings; i++)
		fprintf(stderr, "%s\n", cfg->warnings[i]);
	return cfg;
}

/* A NAME=value word of a shell command line (an assignment, not the
 * program). */
static bool word_is_assignment(const char *w, size_t len)
{
	size_t k = 0;

	if (!len || !(isalpha((unsigned char)w[0]) || w[0] == '_'))
		return false;
	while (k < len && (isalnum((unsigned char)w[k]) || w[k] == '_'))
		k++;
	return k < len && w[k] == '=';
}

/* The length of the shell word at w: up to a blank outside quotes
 * (NOTE='two words' is one word). */
static size_t shell_word_len(const char *w)
{
	size_t k = 0;

	while (w[k] && w[k] != ' ' && w[k] != '\t') {
		if (w[k] == '\'' || w[k] == '"') {
			const char *end = strchr(w + k + 1, w[k]);

			k = end ? (size_t)(end - w) + 1 : strlen(w);
		} else {
			k += w[k] == '\\' && w[k + 1] ? 2 : 1;
		}
	}
	return k;
}

/* The program of a shell command line: its first word after any NAME=value
 * assignments; *len its length (0: none). */
static const char *command_program(const char *w, size_t *len)
{
	for (;;) {
		w += strspn(w, " \t");
		*len = shell_word_len(w);
		if (!word_is_assignment(w, *len))
			return w;
		w += *len;
	}
}

/* hafd -t: a script check whose program is a path that does not exist
 * here (the example's /usr/local/bin/check-gpu) fails every run: warn,
 * naming file:line and key. The program is the command's first word after
 * any NAME=value assignments; a bare name is found on PATH at run time
 * (script_security vets that), so only paths are looked at. A warning:
 * the file may be checked on another machine. */
static void checks_warn_missing(const struct hafd_config *cfg)
{
	for (size_t i = 0; i < cfg->n_checks; i++) {
		const struct cfg_check *c = &cfg->checks[i];
		const char *w = c->command;
		char prog[PATH_MAX];
		size_t len;
		struct stat st;

		if (c->type != CHECK_SCRIPT || !w)
			continue;
		w = command_program(w, &len);
		if (!len || len >= sizeof(prog) || !memchr(w, '/', len))
			continue;
		memcpy(prog, w, len);
		prog[len] = 0;
		if (stat(prog, &st) == 0 || errno != ENOENT)
			continue;
		fprintf(stderr, "%s:%d: [check %s] command: warning: %s does not exist: the check "
			"will fail until it does\n", cfg->path, c->command_line, c->name, prog);
	}
}

/* hafd -t: an interface that does not exist here. At run time the
 * instance waits for its interface in FAULT, and a tracked interface
 * counts as down (vrrp_if.c): warn, naming file:line and key. A warning,
 * not an error: the file may be checked on another machine, and an
 * interface may come later (a VLAN, a bond). */
static void instances_warn_missing_if(const struct hafd_config *cfg)
{
	for (size_t i = 0; i < cfg->n_instances; i++) {
		const struct cfg_instance *in = &cfg->instances[i];

		if (!if_nametoindex(in->ifname))
			fprintf(stderr, "%s:%d: [instance %s] interface: warning: %s does not exist "
				"on this host: the instance stays in FAULT until it does\n", cfg->path,
				in->ifname_line, in->name, in->ifname);
		for (size_t k = 0; k < in->n_track_ifs; k++) {
			const struct cfg_track_if *t = &in->track_ifs[k];

			if (!if_nametoindex(t->ifname))
				fprintf(stderr, "%s:%d: [instance %s] track_interface: warning: %s does "
					"not exist on this host: it counts as down (%s) until it does\n",
					cfg->path, t->line, in->name, t->ifname, t->weight ?
					"its weight applies" : "the instance is in FAULT");
		}
	}
}

/* hafd -t: the same for anycast instances (hafd-anycast(7)): a service
 * address that cannot go on its interface goes on the other one, if there
 * is one, or is not announced, until the interface comes. */
static void anycasts_warn_missing_if(const struct hafd_config *cfg)
{
	for (size_t i = 0; i < cfg->n_anycasts; i++) {
		const struct cfg_instance *in = &cfg->anycasts[i];
		bool has_deg = in->degraded_ifname[0];

		if (!if_nametoindex(in->ifname))
			fprintf(stderr, "%s:%d: [instance %s] interface: warning: %s does not exist "
				"on this host: the service is %s until it does\n", cfg->path,
				in->ifname_line, in->name, in->ifname, has_deg ?
				"announced on degraded_interface (less preferred)" : "not announced");
		if (has_deg && !if_nametoindex(in->degraded_ifname))
			fprintf(stderr, "%s:%d: [instance %s] degraded_interface: warning: %s does "
				"not exist on this host: the service is not announced while it is "
				"degraded, until it does\n", cfg->path, in->degraded_ifname_line,
				in->name, in->degraded_ifname);
	}
}

/* What check_xid reads, probed by a child as the scripts' user: the
 * system journal's files when journalctl is on the scripts' PATH (as
 * check_xid picks), else the ring buffer dmesg reads. Exit 0 readable, 1 a
 * system journal file exists but none opens, 2 no journal files at all
 * (journalctl says "No journal files were found" and exits 0), 3 /dev/kmsg
 * refused (kernel.dmesg_restrict=1 without CAP_SYSLOG), 4 not probed. */
static int xid_log_probe(void)
{
	static const char *const bins[] = { "/usr/sbin", "/usr/bin", "/sbin", "/bin" };
	static const char *const roots[] = { "/var/log/journal", "/run/log/journal" };
	char dir[PATH_MAX], file[PATH_MAX + 256];
	bool jctl = false, seen = false;
	struct dirent *e, *f;
	int fd;

	for (size_t i = 0; i < sizeof(bins) / sizeof(bins[0]); i++) {
		snprintf(dir, sizeof(dir), "%s/journalctl", bins[i]);
		jctl = jctl || access(dir, X_OK) == 0;
	}
	if (!jctl) {
		if ((fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC)) < 0)
			return 3;
		close(fd);
		return 0;
	}
	/* journald keeps ROOT/MACHINE-ID/system*.journal, root:systemd-journal
	 * 0640 (systemd-journald.service(8), Access Control). */
	for (size_t i = 0; i < sizeof(roots) / sizeof(roots[0]); i++) {
		DIR *r = opendir(roots[i]), *m;

		seen = seen || (!r && errno != ENOENT);
		while (r && (e = readdir(r))) {
			if (e->d_name[0] == '.')
				continue;
			snprintf(dir, sizeof(dir), "%s/%s", roots[i], e->d_name);
			if (!(m = opendir(dir))) {
				seen = seen || errno != ENOENT;
				continue;
			}
			while ((f = readdir(m))) {
				size_t n = strlen(f->d_name);

				if (strncmp(f->d_name, "system", 6) || n < 8 ||
				    strcmp(f->d_name + n - 8, ".journal"))
					continue;
				seen = true;
				snprintf(file, sizeof(file), "%s/%s", dir, f->d_name);
				if ((fd = open(file, O_RDONLY | O_CLOEXEC)) >= 0) {
					close(fd);
					closedir(m);
					closedir(r);
					return 0;
				}
			}
			closedir(m);
		}
		if (r)
			closedir(r);
	}
	return seen ? 1 : 2;
}

/* hafd -t: check_xid run by a script check reports UNKNOWN on every run
 * when script_user cannot read the kernel log (nobody, the default, is in
 * no group that may). Warn, probing as that user in a child, as hafd will
 * run the script (initgroups, setgid, setuid). Not probed: a check that
 * brings its own HAFD_XID_LOG_CMD, a user hafd will not run scripts as,
 * and a hafd -t that cannot switch users (not root). */
static void checks_warn_xid_log(const struct hafd_config *cfg)
{
	struct proc_user u;
	char why[160];
	int rc = -1, st;
	pid_t pid;

	if (proc_user_resolve(cfg->global.script_user, cfg->global.script_security, &u,
			      why, sizeof(why)) < 0)
		return;
	for (size_t i = 0; i < cfg->n_checks; i++) {
		const struct cfg_check *c = &cfg->checks[i];
		const char *w = c->command;
		size_t len;

		if (c->type != CHECK_SCRIPT || !w || strstr(w, "HAFD_XID_LOG_CMD="))
			continue;
		w = command_program(w, &len);
		if (len < 9 || memcmp(w + len - 9, "check_xid", 9) || (len > 9 && w[len - 10] != '/'))
			continue;
		if (rc < 0) {   /* probed once, for every check that runs it */
			fflush(stderr);
			if ((pid = fork()) < 0)
				return;
			if (pid == 0)
				_exit(u.switch_user && (initgroups(u.name, u.gid) < 0 ||
					setgid(u.gid) < 0 || setuid(u.uid) < 0) ? 4 : xid_log_probe());
			if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st))
				return;
			rc = WEXITSTATUS(st);
		}
		if (rc == 1)
			fprintf(stderr, "%s:%d: [check %s] command: warning: script_user %s cannot read "
				"the system journal that check_xid reads: it will report UNKNOWN; add "
				"%s to the systemd-journal group\n", cfg->path, c->command_line,
				c->name, u.name, u.name);
		else if (rc == 2)
			fprintf(stderr, "%s:%d: [check %s] command: warning: no journal files in "
				"/var/log/journal or /run/log/journal for check_xid to read: it will "
				"report UNKNOWN\n", cfg->path, c->command_line, c->name);
		else if (rc == 3)
			fprintf(stderr, "%s:%d: [check %s] command: warning: script_user %s cannot read "
				"the kernel log (/dev/kmsg, kernel.dmesg_restrict) that check_xid reads "
				"with dmesg: it will report UNKNOWN\n", cfg->path, c->command_line,
				c->name, u.name);
	}
}

/* path, made absolute against the working directory, in buf: a daemon
 * changes to / (daemonize()), and reload re-reads the configuration file
 * by the path it was given. Not realpath(): a symlink stays a symlink, so
 * a reload follows it to wherever it points then. NULL stays NULL. */
static const char *path_absolute(const char *path, char *buf, size_t len)
{
	char cwd[PATH_MAX];

	if (!path || path[0] == '/')
		return path;
	if (!getcwd(cwd, sizeof(cwd)))
		fatal("making %s absolute: current directory", path);
	if ((size_t)snprintf(buf, len, "%s/%s", strcmp(cwd, "/") ? cwd : "", path) >= len)
		fatalx("making %s absolute: path too long", path);
	return buf;
}

/* drain_on_stop: the handover and its drain are over, stop now. */
static void stop_after_drain(void *arg, bool ok, const char *text)
{
	struct hafd *h = arg;

	log_notice("drain_on_stop: %s%s", ok ? "handed over and drained: " : "", text);
	h->stopping = true;
	loop_stop(h->loop);
}

/* drain_on_stop (drain.h): a SIGTERM while master hands over with a drain
 * first, then stops; a second signal, or no router that takes over (the
 * handover fails), stops at once as before. */
static bool stop_drains(struct hafd *h, int signo)
{
	bool master = false;

	if (signo != SIGTERM || !h->cfg->global.drain_on_stop_us || handover_running(h))
		return false;
	for (size_t i = 0; i < h->n_routers; i++)
		master |= h->routers[i]->inst.fsm.state == VRRP_STATE_MASTER &&
			  h->routers[i]->cfg->priority != 255;
	if (!master)
		return false;
	h->stop_signo = signo;
	log_notice("received %s: drain_on_stop: handing over with a drain of up to %.0f s "
		   "first (a second signal stops at once)", strsignal(signo),
		   (double)h->cfg->global.drain_on_stop_us / 1e6);
	if (handover_start(h, NULL, 0, h->cfg->global.drain_on_stop_us, stop_after_drain, h) < 0)
		return false;
	if (!h->stopping) {
		/* systemd (236 and later) waits that long more than
		 * TimeoutStopSec= before it kills us: the drain, the
		 * handover's wait and a margin. */
		char msg[96];

		snprintf(msg, sizeof(msg), "STOPPING=1\nEXTEND_TIMEOUT_USEC=%llu",
			 (unsigned long long)h->cfg->global.drain_on_stop_us + 10000000ull);
		sd_notify_send(msg);
	}
	return !h->stopping;
}

static void on_stop_signal(int signo, void *arg)
{
	struct hafd *h = arg;

	if (!h->stopping && !h->stop_signo && stop_drains(h, signo))
		return;
	h->stop_signo = signo;  /* logged once the routers have resigned */
	h->stopping = true;
	loop_stop(h->loop);
}

static void on_dump_signal(int signo, void *arg)
{
	struct hafd *h = arg;

	(void)signo;
	if (!h->ctl)            /* stopping */
		return;
	if (ctl_dump(h->ctl) < 0)
		log_warn("SIGUSR1: writing %s/hafd.json", h->cfg->global.runtime_dir);
	else
		log_info("SIGUSR1: status written to %s/hafd.json", h->cfg->global.runtime_dir);
}

static int mkdir_p(const char *dir, mode_t mode)
{
	char buf[256];

	if (snprintf(buf, sizeof(buf), "%s", dir) >= (int)sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(buf, mode) < 0 && errno != EEXIST ? -1 : 0;
}

/* runtime_dir holds what a new run acts on as root: the journals list
 * addresses and links to delete, the pid file is truncated and written.
 * Whoever may write there could make hafd delete any address or clobber a
 * file, so it must be ours (root's) and writable by no one else. 0 when it
 * is, or does not exist yet (mkdir_p makes it 0700); -1 with the reason in
 * why (and errno EPERM, or stat's). */
static int runtime_dir_check(const char *dir, char *why, size_t len)
{
	struct stat st;

	if (stat(dir, &st) < 0) {
		if (errno == ENOENT)
			return 0;
		snprintf(why, len, "runtime_dir %s: %s", dir, strerror(errno));
		return -1;
	}
	errno = EPERM;
	if (!S_ISDIR(st.st_mode))
		snprintf(why, len, "runtime_dir %s is not a directory", dir);
	else if (st.st_uid != 0 && st.st_uid != geteuid())
		snprintf(why, len, "runtime_dir %s is owned by uid %lu, not root: refusing it "
			 "(chown root %s)", dir, (unsigned long)st.st_uid, dir);
	else if (st.st_mode & (S_IWGRP | S_IWOTH))
		snprintf(why, len, "runtime_dir %s is writable by group or others (mode %04o): "
			 "refusing it (chmod go-w %s)", dir, (unsigned)(st.st_mode & 07777), dir);
	else
		return 0;
	return -1;
}

/* Open the pid file and lock it; the lock lasts as long as the descriptor
 * stays open. A symlink there is not followed: it would have us truncate
 * its target. The descriptor, or -1 with errno: EWOULDBLOCK when a running
 * hafd holds the lock, otherwise with the reason in why. */
static int pidfile_lock(const char *path, char *why, size_t len)
{
	struct stat st;
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK,
		      0644), saved;

	if (fd < 0) {
		saved = errno;
		if (errno == ELOOP)
			snprintf(why, len, "pid file %s is a symbolic link: refusing to follow it",
				 path);
		else
			snprintf(why, len, "pid file %s: %s", path, strerror(errno));
		/* open()'s EWOULDBLOCK (a lease) is no running hafd */
		errno = saved == EWOULDBLOCK ? EIO : saved;
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(why, len, "pid file %s is not a regular file", path);
		close(fd);
		errno = EINVAL;
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		saved = errno;
		snprintf(why, len, "locking %s: %s", path, strerror(errno));
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

/* The pid file stays locked while we run: a second hafd with the same
 * runtime directory refuses to start instead of fighting over the VIPs. */
static int pidfile_open(const char *path)
{
	char buf[32], why[PATH_MAX + 80];
	int fd = pidfile_lock(path, why, sizeof(why));

	if (fd < 0 && errno == EWOULDBLOCK)
		fatalx("another hafd is running (pid file %s is locked)", path);
	if (fd < 0)
		fatalx("%s", why);
	snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) < 0 || write(fd, buf, strlen(buf)) < 0)
		fatal("writing %s", path);
	return fd;
}

static void daemonize(void)
{
	pid_t pid = fork();
	int fd;

	if (pid < 0)
		fatal("fork");
	if (pid > 0)
		_exit(0);
	if (setsid() < 0)
		fatal("setsid");
	pid = fork();   /* never reacquire a controlling terminal */
	if (pid < 0)
		fatal("fork");
	if (pid > 0)
		_exit(0);
	if (chdir("/") < 0)
		fatal("chdir /");
	fd = open("/dev/null", O_RDWR);
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
}

/* Adverts leave on time on a busy host (tokenizers, data loaders): a
 * real-time policy, as keepalived's vrrp_rt_priority. Children (scripts,
 * hooks) start with normal scheduling. Needs CAP_SYS_NICE, dropped next. */
static void realtime_set(int priority)
{
	struct sched_param sp = { .sched_priority = priority };

	if (!priority)
		return;
	if (sched_setscheduler(0, SCHED_RR | SCHED_RESET_ON_FORK, &sp) < 0)
		log_warn("realtime_priority %d: SCHED_RR refused, normal scheduling", priority);
	else
		log_info("scheduling: SCHED_RR priority %d", priority);
}

/* A check changed: the VRRP instances and the anycast ones that track it. */
static void check_changed(struct hafd *h, size_t check)
{
	vrrp_check_changed(h, check);
	anycast_check_changed(h, check);
}

static void start(struct hafd *h)
{
	const struct cfg_global *g = &h->cfg->global;
	struct ifcache_events ev = {
		.link_change = vrrp_link_change, .addr_deleted = vrrp_addr_deleted,
		.addr_change = vrrp_addr_change, .arg = h,
	};
	int n;

	if (mkdir_p(g->runtime_dir, 0700) < 0)
		fatal("runtime directory %s", g->runtime_dir);
	snprintf(h->journal_path, sizeof(h->journal_path), "%s/vips", g->runtime_dir);
	/* Before anything else: VIPs a run that died left behind must go. */
	n = vip_journal_cleanup(h->journal_path);
	if (n > 0)
		log_warnx("removed %d VIP%s left by an earlier run", n, n == 1 ? "" : "s");
	if (vmac_journal_cleanup(g->runtime_dir) < 0)   /* and use_vmac macvlans */
		log_warn("macvlan journal in %s", g->runtime_dir);
	if ((n = anycast_journal_cleanup(g->runtime_dir)) > 0)  /* and anycast addresses */
		log_warnx("withdrew %d anycast address%s left by an earlier run", n,
			  n == 1 ? "" : "es");
	if (g->crash_guard) {
		if (guard_start(&h->guard, h->journal_path, g->runtime_dir) < 0)
			fatal("starting the crash guard");
		log_info("crash guard started (pid %ld)", (long)guard_pid(h->guard));
	}
	if (loop_create(&h->loop) < 0)
		fatal("event loop");
	if (loop_signal_add(h->loop, SIGTERM, on_stop_signal, h) < 0 ||
	    loop_signal_add(h->loop, SIGINT, on_stop_signal, h) < 0 ||
	    loop_signal_add(h->loop, SIGHUP, reload_on_signal, h) < 0 ||
	    loop_signal_add(h->loop, SIGUSR1, on_dump_signal, h) < 0)
		fatal("signals");
	signal(SIGPIPE, SIG_IGN);
	/* Before any VIP can move: failing here leaves nothing behind. */
	if (ctl_open(&h->ctl, h) < 0)
		fatal("control socket %s", g->control_socket);
	if (garp_open(&h->garp) < 0)
		fatal("GARP/NA sockets");
	if (ifcache_open(&h->ifc, h->loop, &ev) < 0 ||
	    vip_open(&h->vip, h->ifc, h->loop, h->journal_path) < 0)
		fatal("netlink");
	if (proc_open(&h->proc, h->loop) < 0 || notify_start(h) < 0)
		fatal("child processes");
	if (nft_open(&h->nft, g->nft_table, vrrp_nft_describe) < 0)
		fatal("nftables table %s (nft_table = none runs without one)", g->nft_table);
	handover_init(h);       /* maintenance mode: before the routers exist */
	if (drain_open(h) < 0)  /* not fatal: failover works without drains */
		log_warn("drain");
	if (vrrp_create(h) < 0)
		fatal("starting instances");
	/* Checks first: an unproven check holds its instances (FAULT or a
	 * lower priority) before they start, with no BACKUP flash. */
	if (check_run_start(h, check_changed) < 0 || haproxy_sync_start(h) < 0)
		fatal("checks");
	vrrp_checks_apply(h);
	if (anycast_start(h) < 0)
		fatal("anycast instances");
	vrrp_begin(h);
	nft_apply(h->nft, h);
	realtime_set(g->realtime_priority);
	/* Everything that needed full root is open: keep only what running,
	 * reloading and the scripts need (caps.h). Not fatal: failover first. */
	if (caps_restrict() < 0)
		log_warn("dropping capabilities (keeping %s)", caps_kept_names());
	else
		log_info("capabilities: kept only %s", caps_kept_names());
}

static void stop(struct hafd *h)
{
	h->stopping = true;     /* also after a loop error: no nft batch as routers go */
	/* The backups are waiting: VIPs off and priority 0 out before the
	 * log line and the rest of the teardown (bench/takeover). */
	vrrp_resign(h);
	anycast_stop(h);        /* withdrawn: the routers move the traffic at once */
	if (h->stop_signo)
		log_notice("received %s, stopping", strsignal(h->stop_signo));
	sd_watchdog_stop(h->watchdog);  /* TimeoutStopSec= bounds the stop */
	h->watchdog = NULL;
	sd_notify_stopping();
	ctl_close(h->ctl);      /* no requests while the rest goes */
	h->ctl = NULL;
	handover_stop(h);
	drain_close(h);         /* the VIPs off lo, no forwarding */
	haproxy_sync_stop(h);
	check_run_stop(h);
	vrrp_stop(h);
	nft_close(h->nft);
	notify_stop(h);         /* runs the loop while the STOP hooks finish */
	proc_close(h->proc);
	vip_close(h->vip);
	ifcache_close(h->ifc);
	garp_close(h->garp);
	guard_stop(h->guard);   /* everything is clean: the guard leaves quietly */
	loop_destroy(h->loop);
}

/* ---- hafd --cleanup ------------------------------------------------------ */

static const int nft_families[] = { NFPROTO_INET, NFPROTO_ARP, NFPROTO_NETDEV };
static const char *const nft_family_names[] = { "inet", "arp", "netdev" };
#define NFT_N_FAMILIES (sizeof(nft_families) / sizeof(nft_families[0]))

/* Which of hafd's tables named table (inet, arp, netdev) exist: bit i for
 * nft_families[i]; -1 with errno. A kernel without nf_tables has none. The tables
 * themselves are nft.c's; this only asks, so that a cleanup with nothing
 * to do says nothing. */
static int nft_tables_present(const char *table)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
	struct timeval tv = { .tv_sec = 2 };    /* an answer that never comes is an error */
	uint32_t portid, seq = (uint32_t)time(NULL);
	int present = 0, saved;

	if (!nl)
		return errno == EPROTONOSUPPORT ? 0 : -1;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		goto fail;
	setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	portid = mnl_socket_get_portid(nl);
	for (size_t i = 0; i < NFT_N_FAMILIES; i++) {
		struct nlmsghdr *nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETTABLE,
							     (uint16_t)nft_families[i], 0, ++seq);
		ssize_t n;

		mnl_attr_put_strz(nlh, NFTA_TABLE_NAME, table);
		if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0 ||
		    (n = mnl_socket_recvfrom(nl, buf, sizeof(buf))) < 0)
			goto fail;
		/* The table's description, or an error: ENOENT when it is
		 * absent, EAFNOSUPPORT / EOPNOTSUPP when nf_tables (or its arp
		 * family) is not in this kernel. */
		if (mnl_cb_run(buf, (size_t)n, seq, portid, NULL, NULL) >= 0)
			present |= 1 << i;
		else if (errno != ENOENT && errno != EAFNOSUPPORT && errno != EOPNOTSUPP)
			goto fail;
	}
	mnl_socket_close(nl);
	return present;
fail:
	saved = errno;
	mnl_socket_close(nl);
	errno = saved;
	return -1;
}

/* "inet T, arp T and netdev T": the tables in the bitmap `which`. */
static void nft_tables_name(char *buf, size_t len, int which, const char *table)
{
	size_t off = 0, left = (size_t)__builtin_popcount((unsigned)which);

	buf[0] = '\0';
	for (size_t i = 0; i < NFT_N_FAMILIES && off < len; i++) {
		if (!(which & (1 << i)))
			continue;
		left--;
		off += (size_t)snprintf(buf + off, len - off, "%s %s%s", nft_family_names[i], table,
					left > 1 ? ", " : left == 1 ? " and " : "");
	}
}

/* nft_open() asks: nothing here applies a description. */
static int describe_none(struct hafd *h, struct nft_desc *d)
{
	(void)h;
	(void)d;
	errno = ENOTSUP;
	return -1;
}

/* Delete hafd's tables, if any: nft_open() replaces them with empty ones,
 * nft_close() deletes those, as a graceful stop does. 0 or -1 (said why). */
static int cleanup_tables(const char *table, bool detail)
{
	struct nft_ctx *n;
	int present = nft_tables_present(table), level = log_get_level();
	char names[3 * (NFT_NAME_MAXLEN + 16)];

	if (present < 0) {
		fprintf(stderr, "hafd: nftables table %s: %s\n", table, strerror(errno));
		return -1;
	}
	if (!present)
		return 0;
	/* Their lines would say the tables were created: true for an
	 * instant, and misleading here. */
	if (!detail && level > LOG_NOTICE)
		log_set_level(LOG_NOTICE);
	if (nft_open(&n, table, describe_none) < 0) {
		log_set_level(level);
		fprintf(stderr, "hafd: nftables table %s: %s\n", table, strerror(errno));
		return -1;
	}
	nft_close(n);
	log_set_level(level);
	if (nft_tables_present(table) != 0) {   /* nft_close() logged why */
		nft_tables_name(names, sizeof(names), (1 << NFT_N_FAMILIES) - 1, table);
		fprintf(stderr, "hafd: nftables tables %s could not be removed\n", names);
		return -1;
	}
	nft_tables_name(names, sizeof(names), present, table);
	fprintf(stderr, "hafd: removed nftables table%s %s\n",
		__builtin_popcount((unsigned)present) > 1 ? "s" : "", names);
	return 0;
}

/* A journal that still lists something after its cleanup: what failed
 * (logged above) stays listed, for the next start or cleanup. */
static int journal_left(const char *dir, const char *name)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (stat(path, &st) < 0 || st.st_size == 0)
		return 0;
	fprintf(stderr, "hafd: %s still lists what could not be removed (see above): the next "
		"start tries again\n", path);
	return -1;
}

/* hafd --cleanup: what start() removes first and a graceful stop removes
 * last, for a hafd that died with its crash guard. hafd.service runs it as
 * ExecStopPost: a unit killed whole (systemctl kill -s KILL, a cgroup OOM
 * kill) leaves the VIPs up until the next start, forever without
 * Restart=. It holds the pid file's lock throughout, so it never acts while
 * a hafd runs with this runtime_dir, and no hafd starts meanwhile. The
 * crash guard takes no lock (guard_start() closes it in the guard), but
 * under systemd it is gone before ExecStopPost runs (KillMode=
 * control-group), and what both do is the same and idempotent. Quiet when
 * there is nothing to do: ExecStopPost also runs after every graceful
 * stop. Messages go to stderr, the journal under systemd. Returns the exit
 * status: 0 done or nothing to do, 1 something failed or was refused. */
static int cleanup_run(struct hafd *h, const char *pidpath)
{
	const struct cfg_global *g = &h->cfg->global;
	char why[PATH_MAX + 160];
	int fd, n, bad = 0;

	log_init("hafd", true, h->opts.log_detail ? LOG_DEBUG : g->log_level);
	if (mkdir_p(g->runtime_dir, 0700) < 0) {
		fprintf(stderr, "hafd: runtime directory %s: %s\n", g->runtime_dir, strerror(errno));
		return 1;
	}
	/* Its journals name what to delete: not from a directory others write. */
	if (runtime_dir_check(g->runtime_dir, why, sizeof(why)) < 0) {
		fprintf(stderr, "hafd: %s\n", why);
		return 1;
	}
	fd = pidfile_lock(pidpath, why, sizeof(why));
	if (fd < 0 && errno == EWOULDBLOCK) {
		/* Its VIPs, its tables: nothing of it is left over. */
		fprintf(stderr, "hafd: hafd is running (pid file %s is locked): nothing to clean\n",
			pidpath);
		return 0;
	}
	if (fd < 0) {
		fprintf(stderr, "hafd: %s\n", why);
		return 1;
	}
	snprintf(h->journal_path, sizeof(h->journal_path), "%s/vips", g->runtime_dir);
	n = vip_journal_cleanup(h->journal_path);
	if (n < 0) {
		fprintf(stderr, "hafd: VIP journal %s: %s\n", h->journal_path, strerror(errno));
		bad = 1;
	} else if (n > 0) {
		fprintf(stderr, "hafd: removed %d VIP%s left by hafd\n", n, n == 1 ? "" : "s");
	}
	n = vmac_journal_cleanup(g->runtime_dir);
	if (n < 0) {
		fprintf(stderr, "hafd: macvlan journal in %s: %s\n", g->runtime_dir, strerror(errno));
		bad = 1;
	} else if (n > 0) {
		fprintf(stderr, "hafd: removed %d macvlan%s left by hafd\n", n, n == 1 ? "" : "s");
	}
	n = anycast_journal_cleanup(g->runtime_dir);
	if (n < 0) {
		fprintf(stderr, "hafd: anycast journal in %s: %s\n", g->runtime_dir, strerror(errno));
		bad = 1;
	} else if (n > 0) {
		fprintf(stderr, "hafd: withdrew %d anycast address%s left by hafd\n", n,
			n == 1 ? "" : "es");
	}
	if (g->nft_table && cleanup_tables(g->nft_table, h->opts.log_detail) < 0)
		bad = 1;
	if (journal_left(g->runtime_dir, "vips") < 0 || journal_left(g->runtime_dir, "vmacs") < 0)
		bad = 1;
	/* A dead hafd's pid file names a process that is gone. Unlinked while
	 * locked: a hafd starting now makes a new one. */
	unlink(pidpath);
	close(fd);
	return bad;
}

int main(int argc, char **argv)
{
	struct hafd h = { 0 };
	char pidpath[300], why[PATH_MAX + 160], conf_abs[PATH_MAX], pid_abs[PATH_MAX];
	int pidfd;

	opts_parse(argc, argv, &h.opts);
	h.cfg = config_read(h.opts.config_file, !h.opts.cleanup);
	if (!h.cfg)
		return 1;
	if (h.opts.config_test) {
		int bad = runtime_dir_check(h.cfg->global.runtime_dir, why, sizeof(why)) < 0;

		checks_warn_missing(h.cfg);
		instances_warn_missing_if(h.cfg);
		anycasts_warn_missing_if(h.cfg);
		checks_warn_xid_log(h.cfg);
		if (bad)
			fprintf(stderr, "hafd: %s\n", why);
		else
			printf("configuration OK\n");
		config_free(h.cfg);     /* a sanitized hafd -t leaks nothing */
		return bad;
	}
	snprintf(pidpath, sizeof(pidpath), "%s/hafd.pid", h.cfg->global.runtime_dir);
	if (h.opts.cleanup) {
		int rc = cleanup_run(&h, h.opts.pid_file ? h.opts.pid_file : pidpath);

		config_free(h.cfg);
		return rc;
	}
	h.opts.config_file = path_absolute(h.opts.config_file, conf_abs, sizeof(conf_abs));
	h.opts.pid_file = path_absolute(h.opts.pid_file, pid_abs, sizeof(pid_abs));
	log_init("hafd", h.opts.log_console, h.opts.log_detail ?
		 LOG_DEBUG : h.cfg->global.log_level);
	/* Before forking: a refusal reaches the terminal that started us. */
	if (mkdir_p(h.cfg->global.runtime_dir, 0700) < 0)
		fatal("runtime directory %s", h.cfg->global.runtime_dir);
	if (runtime_dir_check(h.cfg->global.runtime_dir, why, sizeof(why)) < 0) {
		if (!h.opts.log_console)
			fprintf(stderr, "hafd: %s\n", why);
		fatalx("%s", why);
	}
	if (!h.opts.dont_fork)
		daemonize();
	pidfd = pidfile_open(h.opts.pid_file ? h.opts.pid_file : pidpath);
	log_notice("hafd %s starting (%s, %zu instance%s)", PACKAGE_VERSION, h.opts.config_file,
		   h.cfg->n_instances, h.cfg->n_instances == 1 ? "" : "s");
	start(&h);
	sd_notify_ready();      /* every instance has started */
	/* Pinged from a loop timer: a loop stuck in a callback goes quiet,
	 * and systemd restarts hafd (its guard resigns for it). */
	if (sd_watchdog_start(h.loop, &h.watchdog) < 0)
		log_warn("systemd watchdog: not pinging, systemd will restart hafd");
	if (loop_run(h.loop) < 0)
		log_warn("event loop");
	stop(&h);
	log_notice("hafd stopped");
	unlink(h.opts.pid_file ? h.opts.pid_file : pidpath);
	close(pidfd);
	config_free(h.cfg);
	return 0;
}
