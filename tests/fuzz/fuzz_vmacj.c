/* libFuzzer target: the macvlan journal reader (journal.c's replay and
 * vmac.c's line callback), through vmac_journal_cleanup() on a runtime
 * directory whose journal holds the input. The netlink calls it makes are replaced here (this executable's
 * definitions win over libnl's), so no link on the host is touched, and
 * what the kernel would say comes from the name:
 *   "gone*" no such link, "nodev*" no such device, "err*" lookup refused,
 *   "vrrp*" a macvlan with a VRRP MAC (ours), "mv*" a macvlan with another
 *   MAC, anything else a plain link.
 *   delete: by name length % 3: done, already gone, refused.
 * Then: only links of ours were deleted, no lookup saw anything but a
 * whole line that can be a name (shorter than IFNAMSIZ: a long line is
 * never cut into pieces that could each name a link), the count returned
 * is theirs, and the journal is left empty. */
#include <errno.h>
#include <sched.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>
#include <netlink/errno.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>

#include "log.h"
#include "vmac.h"

#define FUZZ_FAKE_NETLINK
#include "harness.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64], path[96];
static int deleted;

/* ---- the fakes ---------------------------------------------------------- */

int rtnl_link_get_kernel(struct nl_sock *sk, int ifindex, const char *name,
			 struct rtnl_link **result)
{
	static const unsigned char vrrp[6] = { 0, 0, 0x5e, 0, 1, 7 };
	static const unsigned char other[6] = { 2, 0, 0x5e, 0, 1, 7 };
	struct rtnl_link *l;
	struct nl_addr *hw;

	(void)sk;
	if (ifindex != 0 || !name || strlen(name) >= IFNAMSIZ)
		__builtin_trap();
	if (!strncmp(name, "gone", 4))
		return -NLE_OBJ_NOTFOUND;
	if (!strncmp(name, "nodev", 5))
		return -NLE_NODEV;
	if (!strncmp(name, "err", 3))
		return -NLE_PERM;
	if (!(l = rtnl_link_alloc()))
		return -NLE_NOMEM;
	rtnl_link_set_name(l, name);
	rtnl_link_set_ifindex(l, 10);
	if (!strncmp(name, "vrrp", 4) || !strncmp(name, "mv", 2)) {
		if (rtnl_link_set_type(l, "macvlan") < 0)
			abort();
		if (!(hw = nl_addr_build(AF_LLC, name[0] == 'v' ? vrrp : other, 6)))
			abort();
		rtnl_link_set_addr(l, hw);
		nl_addr_put(hw);
	}
	*result = l;
	return 0;
}

int rtnl_link_delete(struct nl_sock *sk, const struct rtnl_link *l)
{
	const char *name = rtnl_link_get_name((struct rtnl_link *)l);

	(void)sk;
	if (!name || strncmp(name, "vrrp", 4) != 0)
		__builtin_trap();       /* a link that is not ours */
	switch (strlen(name) % 3) {
	case 0:
		deleted++;
		return 0;
	case 1:
		return -NLE_OBJ_NOTFOUND;
	default:
		return -NLE_BUSY;
	}
}

/* ---- the target --------------------------------------------------------- */

static void cleanup_dir(void)
{
	char tmp[128];

	unlink(path);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);     /* journal.c's rewrite */
	unlink(tmp);
	rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	(void)unshare(CLONE_NEWNET);    /* belt and braces, when we may */
	fuzz_workdir(dir, sizeof(dir), "fuzz_vmacj");
	snprintf(path, sizeof(path), "%s/vmacs", dir);
	atexit(cleanup_dir);
	log_init("fuzz_vmacj", true, LOG_DEBUG);  /* run with -close_fd_mask=2 */
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FILE *f = fopen(path, "we");
	struct stat st;
	int rc;

	if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
		abort();
	deleted = 0;
	rc = vmac_journal_cleanup(dir);
	if (rc != deleted || stat(path, &st) < 0 || st.st_size != 0)
		__builtin_trap();
	return 0;
}
