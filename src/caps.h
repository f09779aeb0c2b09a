/* caps.h: keep only the capabilities hafd needs once it has started.
 *
 * Kept, in the effective and permitted sets and the bounding set:
 *   CAP_NET_ADMIN        addresses, links, macvlans (netlink), nftables, sysctls
 *   CAP_NET_RAW          VRRP raw sockets, GARP (AF_PACKET), NA
 *   CAP_SETUID, SETGID   scripts run as script_user
 *   CAP_KILL             a timed-out script's group, running as script_user
 *   CAP_CHOWN            the scripts' state directory goes to script_user
 *                        (again on each reload)
 *   CAP_DAC_READ_SEARCH  a type = file check may read a file the AI service
 *                        owns, mode 0600
 * Everything else goes from every set; the inheritable and ambient sets are
 * emptied. Writes need no CAP_DAC_OVERRIDE: the runtime directory and
 * /proc/sys are root's.
 *
 * Children: setuid() to a non-root script_user clears their capabilities
 * (hafd never sets PR_SET_KEEPCAPS); a script run as root (script_user =
 * root) gets the bounding set above at exec, not full root.
 */
#ifndef HAFD_CAPS_H
#define HAFD_CAPS_H

#include <stdint.h>

/* The kept set as a mask of 1 << CAP_*, as /proc/PID/status shows it. */
uint64_t caps_kept_mask(void);
/* The kept set's names, for the log: "cap_chown,cap_dac_read_search,...". */
const char *caps_kept_names(void);

/* Drop the rest. Does every step it can; 0, or -1 with errno from the first
 * step that failed (EPERM from the bounding set without CAP_SETPCAP, as
 * under a systemd CapabilityBoundingSet that already bounds it). */
int caps_restrict(void);

#endif
