/* parse.h: scalar value parsers for the configuration. Pure. */
#ifndef HAFD_PARSE_H
#define HAFD_PARSE_H

#include <stdbool.h>
#include <stdint.h>

/* "10ms", "1.5s", "2m", or a bare number of seconds. Fractions are kept to the
 * microsecond; more precision is an error. Returns 0, or -1 with errno EINVAL
 * (not a duration) or ERANGE (overflow or negative). */
int parse_duration_us(const char *s, uint64_t *out_us);
/* yes/no, true/false, on/off, 1/0 (case-insensitive). 0 or -1 (EINVAL). */
int parse_bool(const char *s, bool *out);
/* Decimal integer within [min, max]. 0 or -1 (EINVAL not a number, ERANGE outside). */
int parse_int(const char *s, long min, long max, long *out);
/* Write a duration the way a user would (10ms, 1.5s, 2m). Returns buf. */
const char *format_duration(uint64_t us, char *buf, unsigned long len);

#endif
