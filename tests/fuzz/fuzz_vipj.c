/* libFuzzer target: the VIP journal reader (journal.c's replay and
 * vip.c's line callback), through vip_journal_cleanup() on a file holding
 * the input. The netlink calls it makes are replaced
 * here (this executable's definitions win over libnl's and libc's), so
 * nothing on the host changes, and their answers come from the line:
 *   interface "gone*": no such link (the line goes), "err*": lookup fails
 *   (the line stays); any other name is a link.
 *   delete: by prefix length % 4: removed, absent, no link, refused (stays).
 * Then: the count returned is what was removed, and what the journal keeps
 * is a subset of its lines. */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>
#include <unistd.h>
#include <netlink/errno.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>

#include "log.h"
#include "vip.h"

#define FUZZ_FAKE_NETLINK
#include "harness.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64], path[96];
static int deleted;             /* successful fake deletes this run */

/* ---- the fakes ---------------------------------------------------------- */

unsigned int if_nametoindex(const char *name)
{
	if (!strncmp(name, "gone", 4)) {
		errno = ENODEV;
		return 0;
	}
	if (!strncmp(name, "err", 3)) {
		errno = ENOBUFS;
		return 0;
	}
	return 1 + (unsigned)strlen(name);
}

int rtnl_addr_delete(struct nl_sock *sk, struct rtnl_addr *ra, int flags)
{
	struct nl_addr *local = rtnl_addr_get_local(ra);
	int family = rtnl_addr_get_family(ra);

	(void)sk;
	(void)flags;
	if (!local || (family != AF_INET && family != AF_INET6) ||
	    nl_addr_get_family(local) != family ||
	    nl_addr_get_len(local) != (family == AF_INET ? 4u : 16u) ||
	    rtnl_addr_get_ifindex(ra) < 2 || rtnl_addr_get_ifindex(ra) > IFNAMSIZ ||
	    rtnl_addr_get_prefixlen(ra) > (family == AF_INET ? 32 : 128))
		__builtin_trap();       /* the template is not what the line said */
	switch (rtnl_addr_get_prefixlen(ra) % 4) {
	case 0:
		deleted++;
		return 0;
	case 1:
		return -NLE_NOADDR;
	case 2:
		return -NLE_NODEV;
	default:
		return -NLE_PERM;
	}
}

/* ---- the target --------------------------------------------------------- */

static void cleanup_dir(void)
{
	char tmp[128];

	unlink(path);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	unlink(tmp);
	rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* Belt and braces: a network namespace of our own when we may. */
	(void)unshare(CLONE_NEWNET);
	fuzz_workdir(dir, sizeof(dir), "fuzz_vipj");
	snprintf(path, sizeof(path), "%s/vips", dir);
	atexit(cleanup_dir);
	log_init("fuzz_vipj", true, LOG_DEBUG);  /* run with -close_fd_mask=2 */
	return 0;
}

static bool has_line(const char *text, size_t len, const char *line, size_t llen)
{
	for (const char *p = text; p < text + len; ) {
		const char *nl = memchr(p, '\n', (size_t)(text + len - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(text + len - p);

		if (n == llen && !memcmp(p, line, n))
			return true;
		p += n + 1;
	}
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char after[1 << 16];
	FILE *f = fopen(path, "we");
	size_t n;
	int rc;

	if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
		abort();
	deleted = 0;
	rc = vip_journal_cleanup(path);
	if (rc < 0 || rc != deleted)
		__builtin_trap();
	if (!(f = fopen(path, "re")))
		abort();
	n = fread(after, 1, sizeof(after), f);
	fclose(f);
	if (n == sizeof(after) || (n == size && !memcmp(after, data, size)))
		return 0;       /* too long to look at, or every line kept as it was */
	/* A rewrite: only lines of the input survive, each with its newline
	 * (a line with a NUL in it is skipped, the ones after it are read). */
	for (const char *p = after; p < after + n; ) {
		const char *nl = memchr(p, '\n', (size_t)(after + n - p));
		size_t len;

		if (!nl)
			__builtin_trap();
		len = (size_t)(nl - p);
		if (!len || !has_line((const char *)data, size, p, len))
			__builtin_trap();
		p = nl + 1;
	}
	return 0;
}
