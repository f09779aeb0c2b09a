/* caps.c: drop the capabilities hafd does not need (see caps.h). Plain
 * capget/capset and prctl: no libcap at run time. */
#include "caps.h"

#include <errno.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define BIT(c) (UINT64_C(1) << (c))

static const uint64_t kept = BIT(CAP_CHOWN) | BIT(CAP_DAC_READ_SEARCH) | BIT(CAP_KILL) |
	BIT(CAP_SETGID) | BIT(CAP_SETUID) | BIT(CAP_NET_ADMIN) | BIT(CAP_NET_RAW);

uint64_t caps_kept_mask(void)
{
	return kept;
}

const char *caps_kept_names(void)
{
	return "cap_chown,cap_dac_read_search,cap_kill,cap_setgid,cap_setuid,"
	       "cap_net_admin,cap_net_raw";
}

static void note(int *first_errno)
{
	if (!*first_errno)
		*first_errno = errno;
}

/* The bounding set first: dropping from it needs CAP_SETPCAP, which goes
 * with the effective set below. PR_CAPBSET_READ fails past the kernel's
 * last capability, which ends the walk. */
static void bounding_drop(int *first_errno)
{
	for (int c = 0; c < 64; c++) {
		int in = prctl(PR_CAPBSET_READ, (unsigned long)c, 0, 0, 0);

		if (in < 0)
			break;
		if (in == 1 && !(kept & BIT(c)) &&
		    prctl(PR_CAPBSET_DROP, (unsigned long)c, 0, 0, 0) < 0)
			note(first_errno);
	}
}

static int sets_restrict(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];

	if (syscall(SYS_capget, &hdr, d) < 0)
		return -1;
	for (int i = 0; i < _LINUX_CAPABILITY_U32S_3; i++) {
		uint32_t k = (uint32_t)(kept >> (32 * i));

		/* Never more than we hold: permitted can only shrink. */
		d[i].permitted &= k;
		d[i].effective = d[i].permitted;
		d[i].inheritable = 0;
	}
	return (int)syscall(SYS_capset, &hdr, d);
}

int caps_restrict(void)
{
	int first_errno = 0;

	bounding_drop(&first_errno);
	/* Ambient capabilities would survive an exec as root; older kernels
	 * without them say EINVAL, which means there are none. */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		note(&first_errno);
	if (sets_restrict() < 0)
		note(&first_errno);
	if (first_errno) {
		errno = first_errno;
		return -1;
	}
	return 0;
}
