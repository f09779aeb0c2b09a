/* viptool: drive vip.c and ifcache.c by hand or from tests/system/t-vip.sh.
 *
 *   viptool add JOURNAL IFNAME ADDR/PFX
 *   viptool del JOURNAL IFNAME ADDR/PFX
 *   viptool primary IFNAME 4|6 [JOURNAL]
 *   viptool cleanup JOURNAL
 *   viptool watch JOURNAL IFNAME SECONDS
 *
 * JOURNAL "-" means none. watch prints one line per event on IFNAME
 * ("link IFNAME up|down|gone", "addr-deleted IFNAME ADDR") and says on
 * stderr when it is ready. Exit status 0, or 1 with a message. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "ifcache.h"
#include "log.h"
#include "loop.h"
#include "vip.h"

struct watch {
	struct ifcache *ifc;
	const char *ifname;
	int ifindex;
	struct loop *loop;
};

static int usage(void)
{
	fprintf(stderr, "usage: viptool add|del JOURNAL IFNAME ADDR/PFX\n"
		"       viptool primary IFNAME 4|6 [JOURNAL]\n"
		"       viptool cleanup JOURNAL\n"
		"       viptool watch JOURNAL IFNAME SECONDS\n");
	return 2;
}

static const char *journal_arg(const char *s)
{
	return strcmp(s, "-") ? s : NULL;
}

static void on_link(void *arg, int ifindex, const char *ifname, bool exists, bool up)
{
	struct watch *w = arg;

	if (ifindex != w->ifindex && strcmp(ifname, w->ifname))
		return;
	if (exists)
		w->ifindex = ifindex;   /* it may have come (back) with a new index */
	printf("link %s %s\n", w->ifname, !exists ? "gone" : up ? "up" : "down");
}

static void on_addr_deleted(void *arg, int ifindex, const struct hafd_addr *a)
{
	struct watch *w = arg;
	char buf[ADDR_STRLEN];

	if (ifindex == w->ifindex)
		printf("addr-deleted %s %s\n", w->ifname, addr_ntop(a, buf, sizeof(buf)));
}

static void on_timeout(struct timer *t, void *arg)
{
	loop_stop(arg);
}

static int watch(struct loop *loop, const char *journal, const char *ifname, const char *secs)
{
	struct watch w = { .ifname = ifname, .loop = loop };
	struct vip_ctx *vip;
	struct ifcache_events ev = {
		.link_change = on_link, .addr_deleted = on_addr_deleted, .arg = &w,
	};
	struct timer t;
	char *end;
	double s = strtod(secs, &end);

	if (*end || s <= 0)
		return usage();
	if (ifcache_open(&w.ifc, loop, &ev) < 0) {
		log_warn("ifcache_open");
		return 1;
	}
	if (vip_open(&vip, w.ifc, loop, journal) < 0) {
		log_warn("vip_open");
		ifcache_close(w.ifc);
		return 1;
	}
	w.ifindex = ifcache_ifindex(w.ifc, ifname);
	timer_init(&t, on_timeout, loop);
	loop_timer_in(loop, &t, (uint64_t)(s * 1e6));
	fprintf(stderr, "viptool: watching %s (ifindex %d) for %s s\n", ifname, w.ifindex, secs);
	if (loop_run(loop) < 0)
		log_warn("loop_run");
	vip_close(vip);
	ifcache_close(w.ifc);
	return 0;
}

/* The VIPs a journal names are not primaries (ifcache_primary). */
static bool held(void *arg, int ifindex, const struct hafd_addr *a)
{
	return vip_held(arg, ifindex, a);
}

/* add, del, primary: one request against a fresh cache and vip_ctx. */
static int one_shot(struct loop *loop, const char *cmd, const char *journal,
		    const char *ifname, const char *arg)
{
	struct ifcache *ifc;
	struct vip_ctx *vip;
	struct hafd_addr a;
	char buf[ADDR_STRLEN];
	int ifindex, rc = 1;

	if (ifcache_open(&ifc, loop, NULL) < 0) {
		log_warn("ifcache_open");
		return 1;
	}
	if (vip_open(&vip, ifc, loop, journal) < 0) {
		log_warn("vip_open");
		ifcache_close(ifc);
		return 1;
	}
	if (!(ifindex = ifcache_ifindex(ifc, ifname))) {
		log_warnx("%s: no such interface", ifname);
	} else if (!strcmp(cmd, "primary")) {
		int family = !strcmp(arg, "4") ? AF_INET : !strcmp(arg, "6") ? AF_INET6 : 0;

		if (!family)
			rc = usage();
		else if (ifcache_primary(ifc, ifindex, family, held, vip, &a) < 0)
			log_warn("primary IPv%s address of %s", arg, ifname);
		else
			rc = printf("%s\n", addr_ntop(&a, buf, sizeof(buf))) < 0;
	} else if (addr_parse(arg, &a) < 0) {
		log_warnx("%s: not an address", arg);
	} else if (!strcmp(cmd, "add") ? vip_add(vip, ifindex, &a) : vip_del(vip, ifindex, &a)) {
		log_warn("%s %s on %s", cmd, arg, ifname);
	} else {
		rc = 0;
	}
	vip_close(vip);
	ifcache_close(ifc);
	return rc;
}

int main(int argc, char **argv)
{
	struct loop *loop;
	int rc, n;

	log_init("viptool", true, LOG_INFO);
	setvbuf(stdout, NULL, _IOLBF, 0);       /* watch output goes to tests live */
	if (argc < 3)
		return usage();
	if (!strcmp(argv[1], "cleanup") && argc == 3) {
		if ((n = vip_journal_cleanup(argv[2])) < 0) {
			log_warn("cleanup %s", argv[2]);
			return 1;
		}
		printf("%d\n", n);
		return 0;
	}
	if (loop_create(&loop) < 0) {
		log_warn("loop_create");
		return 1;
	}
	if ((!strcmp(argv[1], "add") || !strcmp(argv[1], "del")) && argc == 5)
		rc = one_shot(loop, argv[1], journal_arg(argv[2]), argv[3], argv[4]);
	else if (!strcmp(argv[1], "primary") && (argc == 4 || argc == 5))
		rc = one_shot(loop, argv[1], argc == 5 ? journal_arg(argv[4]) : NULL,
			      argv[2], argv[3]);
	else if (!strcmp(argv[1], "watch") && argc == 5)
		rc = watch(loop, journal_arg(argv[2]), argv[3], argv[4]);
	else
		rc = usage();
	loop_destroy(loop);
	return rc;
}
