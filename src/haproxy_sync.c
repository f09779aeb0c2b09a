/* haproxy_sync.c: checks -> HAProxy servers (haproxy_sync.h). */
#include "haproxy_sync.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_run.h"
#include "config.h"
#include "hafd.h"
#include "haproxy.h"
#include "haproxy_want.h"
#include "log.h"
#include "loop.h"

#define RETRY_US 1000000ull

/* One (check, socket): the server of the check in one HAProxy. */
struct hx_slot {
	struct hafd *h;
	size_t check;
	const struct cfg_check *cfg;
	const struct cfg_haproxy_socket *sk;
	struct haproxy_conn conn;
	struct timer retry;
	struct haproxy_want sent;       /* in flight */
	struct haproxy_want acked;      /* HAProxy said it is so */
	bool have_acked;
	uint64_t acked_us;
	bool failing;
	char last_err[160];
};

struct haproxy_sync {
	struct hx_slot *slots;
	size_t n;
};

static void slot_kick(struct hx_slot *s);

static void slot_want(const struct hx_slot *s, struct haproxy_want *w)
{
	struct check_run_status st;

	if (check_run_status(s->h, s->check, &st) < 0) {
		w->admin = HAPROXY_LEAVE;
		return;
	}
	haproxy_want(st.check->state, s->h->maintenance, s->cfg->haproxy_degrade_weight, w);
}

static void on_done(void *arg, int err, const char *text)
{
	struct hx_slot *s = arg;
	char a[32], b[32];

	if (!err) {
		if (s->failing || !s->have_acked || !haproxy_want_same(&s->acked, &s->sent))
			log_notice("haproxy %s: server %s %s (check %s)", s->sk->text,
				   s->cfg->haproxy_server, haproxy_want_name(&s->sent, a, sizeof(a)),
				   s->cfg->name);
		s->acked = s->sent;
		s->have_acked = true;
		s->acked_us = loop_now(s->h->loop);
		s->failing = false;
		s->last_err[0] = '\0';
		slot_kick(s);   /* the state may have moved meanwhile */
		return;
	}
	char why[sizeof(s->last_err)];

	if (err == EPROTO)
		snprintf(why, sizeof(why), "HAProxy refused it: %s", text);
	else
		snprintf(why, sizeof(why), "%s: %s", text, strerror(err));
	/* Said once per reason, not every second while HAProxy is away. */
	if (strcmp(why, s->last_err))
		log_warn("haproxy %s: set server %s %s: %s (again every second)", s->sk->text,
			 s->cfg->haproxy_server, haproxy_want_name(&s->sent, b, sizeof(b)), why);
	snprintf(s->last_err, sizeof(s->last_err), "%s", why);
	s->failing = true;
	s->have_acked = false;
	loop_timer_in(s->h->loop, &s->retry, RETRY_US);
}

static void on_retry(struct timer *tm, void *arg)
{
	(void)tm;
	slot_kick(arg);
}

static void slot_kick(struct hx_slot *s)
{
	uint64_t now = loop_now(s->h->loop);
	struct haproxy_want w;
	char line[HAPROXY_LINE_MAX];

	if (haproxy_busy(&s->conn))
		return;         /* on_done kicks again */
	slot_want(s, &w);
	if (w.admin == HAPROXY_LEAVE)
		return;
	if (s->failing && timer_armed(&s->retry))
		return;
	if (s->have_acked && haproxy_want_same(&w, &s->acked) &&
	    now - s->acked_us < HAPROXY_REASSERT_S * 1000000ull)
		return;
	if (haproxy_want_cmd(s->cfg->haproxy_server, &w, line, sizeof(line)) < 0)
		return;
	s->sent = w;
	if (haproxy_send(&s->conn, s->sk, line, s->cfg->timeout_us, on_done, s) < 0)
		log_warn("haproxy %s: %s", s->sk->text, strerror(errno));
}

int haproxy_sync_start(struct hafd *h)
{
	const struct hafd_config *cfg = h->cfg;
	struct haproxy_sync *x = calloc(1, sizeof(*x));
	size_t n = 0;

	if (!x)
		return -1;
	for (size_t i = 0; i < cfg->n_checks; i++)
		if (cfg->checks[i].haproxy_server)
			n += cfg->checks[i].n_haproxy_sockets;
	x->slots = n ? calloc(n, sizeof(*x->slots)) : NULL;
	if (n && !x->slots) {
		free(x);
		return -1;
	}
	for (size_t i = 0; i < cfg->n_checks; i++) {
		const struct cfg_check *c = &cfg->checks[i];

		for (size_t k = 0; c->haproxy_server && k < c->n_haproxy_sockets; k++) {
			struct hx_slot *s = &x->slots[x->n++];

			s->h = h;
			s->check = i;
			s->cfg = c;
			s->sk = &c->haproxy_sockets[k];
			haproxy_conn_init(&s->conn, h->loop);
			timer_init(&s->retry, on_retry, s);
		}
	}
	h->haproxy = x;
	return 0;
}

void haproxy_sync_check(struct hafd *h, size_t i)
{
	struct haproxy_sync *x = h->haproxy;

	for (size_t k = 0; x && k < x->n; k++)
		if (x->slots[k].check == i)
			slot_kick(&x->slots[k]);
}

void haproxy_sync_all(struct hafd *h)
{
	struct haproxy_sync *x = h->haproxy;

	for (size_t k = 0; x && k < x->n; k++)
		slot_kick(&x->slots[k]);
}

void haproxy_sync_stop(struct hafd *h)
{
	struct haproxy_sync *x = h->haproxy;

	if (!x)
		return;
	for (size_t k = 0; k < x->n; k++) {
		haproxy_abort(&x->slots[k].conn);
		loop_timer_cancel(h->loop, &x->slots[k].retry);
	}
	free(x->slots);
	free(x);
	h->haproxy = NULL;
}

int haproxy_sync_view(const struct hafd *h, size_t check, size_t k, struct haproxy_sync_view *v)
{
	const struct haproxy_sync *x = h->haproxy;

	for (size_t i = 0; x && i < x->n; i++) {
		const struct hx_slot *s = &x->slots[i];

		if (s->check != check || k--)
			continue;
		v->server = s->cfg->haproxy_server;
		v->socket = s->sk->text;
		if (s->have_acked)
			haproxy_want_name(&s->acked, v->state, sizeof(v->state));
		else
			snprintf(v->state, sizeof(v->state), "-");
		v->pending = haproxy_busy(&s->conn) || timer_armed(&s->retry);
		v->error = s->failing ? s->last_err : NULL;
		return 0;
	}
	return -1;
}

/* The slots point into the old configuration: start afresh. What HAProxy
 * holds is asserted again at once, which costs one command per server. */
int haproxy_sync_reload(struct hafd *h)
{
	haproxy_sync_stop(h);
	if (haproxy_sync_start(h) < 0)
		return -1;
	haproxy_sync_all(h);
	return 0;
}
