/* harness.h: what the fuzz targets that need the file system or netlink
 * share: a work directory of their own, and a netlink that cannot reach
 * the kernel. Included by one target's .c file (each is its own program),
 * so the helpers are static and the netlink fake is a plain definition. */
#ifndef HAFD_FUZZ_HARNESS_H
#define HAFD_FUZZ_HARNESS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Where the target's files go: FUZZ_TMPDIR, else /dev/shm (a rename on a
 * disk file system costs a flush: 10 times fewer runs), else TMPDIR or /tmp.
 * Short enough for a socket path under it (sun_path holds 108 bytes). */
static inline const char *fuzz_tmpdir(void)
{
	const char *t = getenv("FUZZ_TMPDIR");

	if (t && *t && strlen(t) < 40)
		return t;
	if (access("/dev/shm", W_OK | X_OK) == 0)
		return "/dev/shm";
	t = getenv("TMPDIR");
	return t && *t && strlen(t) < 40 ? t : "/tmp";
}

/* A fresh directory TMPDIR/TARGET.XXXXXX in dir (size bytes), for the
 * target to remove at exit. Aborts if it cannot be made: a target that
 * runs without its files would report nothing useful. */
static inline void fuzz_workdir(char *dir, size_t size, const char *target)
{
	snprintf(dir, size, "%s/%s.XXXXXX", fuzz_tmpdir(), target);
	if (!mkdtemp(dir))
		abort();
}

#ifdef FUZZ_FAKE_NETLINK
#include <netlink/errno.h>
#include <netlink/netlink.h>

/* No socket at all: this executable's definition wins over libnl's, so
 * were a call that the target does not fake to reach the kernel, it could
 * not. */
int nl_connect(struct nl_sock *sk, int protocol)
{
	(void)sk;
	return protocol == NETLINK_ROUTE ? 0 : -NLE_INVAL;
}
#endif

#endif
