/* addr.c: IPv4/IPv6 address parsing and printing. */
#include "addr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

int addr_parse(const char *s, struct hafd_addr *out)
{
	char buf[INET6_ADDRSTRLEN + 8];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);

	if (n == 0 || n >= INET6_ADDRSTRLEN)
		goto bad;
	memcpy(buf, s, n);
	buf[n] = '\0';
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, buf, &out->u.v4) == 1) {
		out->family = AF_INET;
		out->prefix = 32;
	} else if (inet_pton(AF_INET6, buf, &out->u.v6) == 1) {
		out->family = AF_INET6;
		out->prefix = 128;
	} else {
		goto bad;
	}
	if (slash) {
		char *end;
		long p;

		if (slash[1] < '0' || slash[1] > '9')
			goto bad;
		errno = 0;
		p = strtol(slash + 1, &end, 10);
		if (errno || *end || p < 0 || p > out->prefix)
			goto bad;
		out->prefix = (uint8_t)p;
	}
	return 0;
bad:
	memset(out, 0, sizeof(*out));
	errno = EINVAL;
	return -1;
}

int addr_parse_host(const char *s, struct hafd_addr *out)
{
	if (strchr(s, '/')) {
		errno = EINVAL;
		return -1;
	}
	return addr_parse(s, out);
}

const char *addr_ntop(const struct hafd_addr *a, char *buf, size_t len)
{
	if (!a->family || !inet_ntop(a->family, &a->u, buf, (socklen_t)len))
		snprintf(buf, len, "(none)");
	return buf;
}

const char *addr_format(const struct hafd_addr *a, char *buf, size_t len)
{
	size_t n;

	addr_ntop(a, buf, len);
	n = strlen(buf);
	if (a->family && n < len)
		snprintf(buf + n, len - n, "/%u", a->prefix);
	return buf;
}

size_t addr_len(const struct hafd_addr *a)
{
	return a->family == AF_INET ? 4 : a->family == AF_INET6 ? 16 : 0;
}

bool addr_equal(const struct hafd_addr *a, const struct hafd_addr *b)
{
	return a->family == b->family && memcmp(&a->u, &b->u, addr_len(a)) == 0;
}

int addr_cmp(const struct hafd_addr *a, const struct hafd_addr *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	return memcmp(&a->u, &b->u, addr_len(a));
}

bool addr_is_linklocal6(const struct hafd_addr *a)
{
	return a->family == AF_INET6 && a->u.b[0] == 0xfe && (a->u.b[1] & 0xc0) == 0x80;
}

void addr_from_bytes(struct hafd_addr *a, int family, const void *bytes)
{
	memset(a, 0, sizeof(*a));
	a->family = family;
	a->prefix = family == AF_INET ? 32 : 128;
	memcpy(&a->u, bytes, addr_len(a));
}
