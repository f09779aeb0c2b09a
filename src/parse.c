/* parse.c: scalar value parsers for the configuration. */
#include "parse.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int parse_duration_us(const char *s, uint64_t *out_us)
{
	uint64_t whole = 0, frac = 0, frac_div = 1, mult;
	const char *p = s;
	int digits = 0;

	if (*p == '-') {
		errno = ERANGE;
		return -1;
	}
	for (; *p >= '0' && *p <= '9'; p++, digits++) {
		if (whole > UINT64_MAX / 10 / 1000000)
			goto range;
		whole = whole * 10 + (uint64_t)(*p - '0');
	}
	if (*p == '.') {
		p++;
		for (; *p >= '0' && *p <= '9'; p++, digits++) {
			if (frac_div >= 1000000000ULL)
				goto inval;     /* more digits than any unit can keep */
			frac = frac * 10 + (uint64_t)(*p - '0');
			frac_div *= 10;
		}
	}
	if (!digits)
		goto inval;
	if (!strcmp(p, "") || !strcmp(p, "s"))
		mult = 1000000;
	else if (!strcmp(p, "ms"))
		mult = 1000;
	else if (!strcmp(p, "us"))
		mult = 1;
	else if (!strcmp(p, "m"))
		mult = 60000000;
	else
		goto inval;
	if (whole > UINT64_MAX / mult)
		goto range;
	/* A fraction finer than a microsecond is a typo, not a wish. */
	if ((frac * mult) % frac_div)
		goto inval;
	/* The fraction can still carry the total past the top. */
	if (whole * mult > UINT64_MAX - frac * mult / frac_div)
		goto range;
	*out_us = whole * mult + frac * mult / frac_div;
	return 0;
inval:
	errno = EINVAL;
	return -1;
range:
	errno = ERANGE;
	return -1;
}

int parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (!strcasecmp(s, yes[i])) {
			*out = true;
			return 0;
		}
		if (!strcasecmp(s, no[i])) {
			*out = false;
			return 0;
		}
	}
	errno = EINVAL;
	return -1;
}

int parse_int(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	if (!*s || ((*s < '0' || *s > '9') && *s != '-' && *s != '+')) {
		errno = EINVAL;
		return -1;
	}
	errno = 0;
	v = strtol(s, &end, 10);
	if (*end) {
		errno = EINVAL;
		return -1;
	}
	if (errno == ERANGE || v < min || v > max) {
		errno = ERANGE;
		return -1;
	}
	*out = v;
	return 0;
}

const char *format_duration(uint64_t us, char *buf, unsigned long len)
{
	char frac[8];
	int n;

	if (us == 0) {
		snprintf(buf, len, "0s");
	} else if (us % 60000000 == 0) {
		snprintf(buf, len, "%llum", (unsigned long long)(us / 60000000));
	} else if (us >= 1000000) {
		/* Seconds with the fraction a user would write: 1.5s, 40.95s. */
		snprintf(frac, sizeof(frac), "%06llu", (unsigned long long)(us % 1000000));
		for (n = 6; n > 0 && frac[n - 1] == '0'; n--)
			;
		snprintf(buf, len, "%llu%s%.*ss", (unsigned long long)(us / 1000000),
			 n ? "." : "", n, frac);
	} else if (us % 1000 == 0) {
		snprintf(buf, len, "%llums", (unsigned long long)(us / 1000));
	} else {
		snprintf(buf, len, "%lluus", (unsigned long long)us);
	}
	return buf;
}
