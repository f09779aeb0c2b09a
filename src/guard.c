/* guard.c: the crash guard process (see guard.h). */
#include "guard.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "anycast_addr.h"
#include "caps.h"
#include "log.h"
#include "vip.h"
#include "vmac.h"
#include "vrrp_pkt.h"
#include "vrrp_sock.h"

enum guard_op { GUARD_ARM, GUARD_ADD, GUARD_DISARM, GUARD_STOP };

/* One message on the SOCK_SEQPACKET pair: boundaries are kept, and the
 * peer's death reads as end of file. */
struct guard_msg {
	uint8_t op;
	unsigned id;
	int ifindex, family;
	struct hafd_addr src, dst;
	uint16_t len;
	uint8_t pkt[VRRP_PKT_MAX];
};

struct guard {
	int fd;
	pid_t pid;
};

/* What the guard keeps: the adverts to send, by instance. */
struct guard_entry {
	unsigned id;
	int ifindex, family;
	struct hafd_addr src, dst;
	uint16_t len;
	uint8_t pkt[VRRP_PKT_MAX];
};

struct guard_table {
	struct guard_entry *e;
	size_t n, cap;
};

static void table_drop(struct guard_table *t, unsigned id)
{
	size_t k = 0;

	for (size_t i = 0; i < t->n; i++)
		if (t->e[i].id != id)
			t->e[k++] = t->e[i];
	t->n = k;
}

static void table_add(struct guard_table *t, const struct guard_msg *m)
{
	struct guard_entry *e;

	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 8;
		struct guard_entry *ne = realloc(t->e, cap * sizeof(*ne));

		if (!ne)
			return;         /* the journal cleanup still runs */
		t->e = ne;
		t->cap = cap;
	}
	e = &t->e[t->n++];
	e->id = m->id;
	e->ifindex = m->ifindex;
	e->family = m->family;
	e->src = m->src;
	e->dst = m->dst;
	e->len = m->len;
	memcpy(e->pkt, m->pkt, m->len);
}

/* hafd is gone: stop holding its VIPs, then resign for it (so that the
 * backup that takes over on the priority-0 advert never shares a VIP with
 * us), then remove its macvlans (adverts of a use_vmac instance leave
 * from its macvlan; a dead node must stop taking the virtual MAC's
 * frames). */
static void guard_act(const struct guard_table *t, const char *vip_journal,
		      const char *runtime_dir)
{
	int fd4 = -1, fd6 = -1, sent = 0, removed, n_any;

	removed = vip_journal_cleanup(vip_journal);
	for (size_t i = 0; i < t->n; i++) {
		const struct guard_entry *e = &t->e[i];
		int *fd = e->family == AF_INET ? &fd4 : &fd6;

		if (*fd < 0)
			*fd = vrrp_sock_open_tx(e->family);
		if (*fd >= 0 && vrrp_sock_sendto(*fd, e->family, e->ifindex, &e->src, &e->dst,
						 e->pkt, e->len) == 0)
			sent++;
	}
	vmac_journal_cleanup(runtime_dir);
	/* Anycast addresses: withdrawn now rather than when their lease lapses. */
	if ((n_any = anycast_journal_cleanup(runtime_dir)) > 0)
		log_warnx("guard: hafd died; withdrew %d anycast address%s", n_any,
			  n_any == 1 ? "" : "es");
	log_warnx("guard: hafd died; removed %d VIP%s, sent %d priority-0 advert%s",
		  removed < 0 ? 0 : removed, removed == 1 ? "" : "s", sent, sent == 1 ? "" : "s");
}

static __attribute__((noreturn)) void guard_main(int fd, const char *vip_journal,
						 const char *runtime_dir)
{
	struct guard_table t = { 0 };
	struct guard_msg m;
	sigset_t all;

	/* Outlive a signal sent to the whole group: only hafd's end of the
	 * socket decides. SIGKILL still works for an operator. */
	signal(SIGTERM, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	prctl(PR_SET_NAME, "hafd-guard", 0, 0, 0);
	for (;;) {
		ssize_t n = recv(fd, &m, sizeof(m), 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (m.op == GUARD_STOP)
			_exit(0);
		if (m.op == GUARD_ARM || m.op == GUARD_DISARM)
			table_drop(&t, m.id);
		if ((m.op == GUARD_ARM || m.op == GUARD_ADD) && m.len <= sizeof(m.pkt) &&
		    (size_t)n >= offsetof(struct guard_msg, pkt) + m.len)
			table_add(&t, &m);
	}
	guard_act(&t, vip_journal, runtime_dir);
	_exit(0);
}

int guard_start(struct guard **out, const char *vip_journal, const char *runtime_dir)
{
	struct guard *g = calloc(1, sizeof(*g));
	int sv[2];

	if (!g)
		return -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		free(g);
		return -1;
	}
	g->pid = fork();
	if (g->pid < 0) {
		int saved = errno;

		close(sv[0]);
		close(sv[1]);
		free(g);
		errno = saved;
		return -1;
	}
	if (g->pid == 0) {
		close(sv[0]);
		/* Nothing else of hafd's: no raw sockets, no netlink, no pid file lock. */
		for (int fd = 3; fd < 1024; fd++)
			if (fd != sv[1])
				close(fd);
		/* It needs only raw sockets and netlink (caps.h); a failure
		 * leaves it as it was, which still works. */
		caps_restrict();
		guard_main(sv[1], vip_journal, runtime_dir);
	}
	close(sv[1]);
	g->fd = sv[0];
	*out = g;
	return 0;
}

static int guard_send(struct guard *g, const struct guard_msg *m)
{
	size_t len = offsetof(struct guard_msg, pkt) + m->len;

	if (!g)
		return 0;
	if (send(g->fd, m, len, MSG_NOSIGNAL) < 0) {
		log_warn("crash guard (pid %ld)", (long)g->pid);
		return -1;
	}
	return 0;
}

int guard_arm(struct guard *g, unsigned id, int ifindex, int family,
	      const struct hafd_addr *src, const struct hafd_addr *dst,
	      const uint8_t *pkt, size_t len, int first)
{
	struct guard_msg m = {
		.op = first ? GUARD_ARM : GUARD_ADD, .id = id, .ifindex = ifindex,
		.family = family, .src = *src, .dst = *dst, .len = (uint16_t)len,
	};

	if (len > sizeof(m.pkt)) {
		errno = EMSGSIZE;
		return -1;
	}
	memcpy(m.pkt, pkt, len);
	return guard_send(g, &m);
}

void guard_disarm(struct guard *g, unsigned id)
{
	struct guard_msg m = { .op = GUARD_DISARM, .id = id };

	guard_send(g, &m);
}

void guard_stop(struct guard *g)
{
	struct guard_msg m = { .op = GUARD_STOP };

	if (!g)
		return;
	guard_send(g, &m);
	close(g->fd);
	waitpid(g->pid, NULL, 0);
	free(g);
}

pid_t guard_pid(const struct guard *g)
{
	return g ? g->pid : 0;
}
