/* haproxy_want.c: the HAProxy admin state a check's state calls for
 * (table in haproxy_want.h). */
#include "haproxy_want.h"

#include <stdio.h>

void haproxy_want(enum check_state st, bool draining, int degrade_pct, struct haproxy_want *w)
{
	w->weight_pct = 100;
	switch (st) {
	case CHECK_ST_DOWN:
		/* A dead engine is out even while draining: a request sent to
		 * it would fail, and drain still takes persistent ones. */
		w->admin = HAPROXY_MAINT;
		break;
	case CHECK_ST_UP:
	case CHECK_ST_DEGRADED:
		w->admin = draining ? HAPROXY_DRAIN : HAPROXY_READY;
		if (st == CHECK_ST_DEGRADED && !draining)
			w->weight_pct = degrade_pct < 1 ? 1 : degrade_pct > 100 ? 100 : degrade_pct;
		break;
	default:
		w->admin = HAPROXY_LEAVE;
		break;
	}
}

bool haproxy_want_same(const struct haproxy_want *a, const struct haproxy_want *b)
{
	return a->admin == b->admin &&
	       (a->admin != HAPROXY_READY || a->weight_pct == b->weight_pct);
}

int haproxy_want_cmd(const char *server, const struct haproxy_want *w, char *buf, size_t len)
{
	int n;

	switch (w->admin) {
	case HAPROXY_READY:
		/* The weight first: a server made ready gets no request at the
		 * old weight in between. */
		n = snprintf(buf, len, "set server %s weight %d%%;set server %s state ready\n",
			     server, w->weight_pct, server);
		break;
	case HAPROXY_DRAIN:
		n = snprintf(buf, len, "set server %s state drain\n", server);
		break;
	case HAPROXY_MAINT:
		n = snprintf(buf, len, "set server %s state maint\n", server);
		break;
	default:
		return -1;
	}
	return n < 0 || (size_t)n >= len ? -1 : n;
}

const char *haproxy_want_name(const struct haproxy_want *w, char *buf, size_t len)
{
	switch (w->admin) {
	case HAPROXY_READY:
		if (w->weight_pct == 100)
			snprintf(buf, len, "ready");
		else
			snprintf(buf, len, "ready, weight %d%%", w->weight_pct);
		break;
	case HAPROXY_DRAIN:
		snprintf(buf, len, "drain");
		break;
	case HAPROXY_MAINT:
		snprintf(buf, len, "maint");
		break;
	default:
		snprintf(buf, len, "-");
		break;
	}
	return buf;
}
