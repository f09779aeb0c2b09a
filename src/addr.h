/* addr.h: IPv4/IPv6 addresses with an optional prefix, parsed and printed. Pure. */
#ifndef HAFD_ADDR_H
#define HAFD_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

/* Longest text addr_format() writes: an IPv6 address and "/128". */
#define ADDR_STRLEN (INET6_ADDRSTRLEN + 4)

struct hafd_addr {
	int family;             /* AF_INET or AF_INET6; 0 = unset */
	uint8_t prefix;         /* prefix length; 32 or 128 when none was given */
	union {
		struct in_addr v4;
		struct in6_addr v6;
		uint8_t b[16];
	} u;
};

/* "ADDR" or "ADDR/PREFIX". Returns 0, or -1 with errno EINVAL. */
int addr_parse(const char *s, struct hafd_addr *out);
/* Like addr_parse() but refuses a prefix. */
int addr_parse_host(const char *s, struct hafd_addr *out);
/* Address only (no prefix) into buf of at least ADDR_STRLEN bytes; returns buf. */
const char *addr_ntop(const struct hafd_addr *a, char *buf, size_t len);
/* "ADDR/PREFIX" into buf of at least ADDR_STRLEN bytes; returns buf. */
const char *addr_format(const struct hafd_addr *a, char *buf, size_t len);
/* Bytes in the address: 4, 16, or 0 when unset. */
size_t addr_len(const struct hafd_addr *a);
/* Same family and address bytes (prefix ignored). */
bool addr_equal(const struct hafd_addr *a, const struct hafd_addr *b);
/* Unsigned comparison in network byte order, as the RFC 9568 tie-break wants. */
int addr_cmp(const struct hafd_addr *a, const struct hafd_addr *b);
/* fe80::/10 */
bool addr_is_linklocal6(const struct hafd_addr *a);
/* Build from raw bytes of the given family. */
void addr_from_bytes(struct hafd_addr *a, int family, const void *bytes);

#endif
