/* script.c: escaping what scripts print (see script.h). */
#include "script.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at s (1..4), 0 when it is not one.
 * Overlong forms, surrogates and code points past U+10FFFF are invalid. */
static size_t utf8_seq(const unsigned char *s)
{
	size_t n;
	unsigned cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)      /* also stops at the NUL */
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

size_t script_escape(char *dst, size_t len, const char *src)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t out = 0;

	if (len == 0)
		return 0;
	while (*s) {
		char esc[5];
		const char *piece = esc;
		size_t n = utf8_seq(s), take = n ? n : 1;

		/* A terminal acts on C0, DEL and C1 (U+0080..U+009F, c2 80..9f). */
		if (n == 1 && (*s < 0x20 || *s == 0x7f || *s == '\\')) {
			if (*s == '\\' || *s == '\t' || *s == '\n' || *s == '\r')
				snprintf(esc, sizeof(esc), "\\%c", *s == '\\' ? '\\' : *s == '\t' ? 't' :
					 *s == '\n' ? 'n' : 'r');
			else
				snprintf(esc, sizeof(esc), "\\x%02x", *s);
			n = strlen(esc);
		} else if (n == 0 || (n == 2 && s[0] == 0xc2 && s[1] < 0xa0)) {
			take = 1;       /* each byte of a C1 control on its own */
			snprintf(esc, sizeof(esc), "\\x%02x", *s);
			n = strlen(esc);
		} else {
			piece = (const char *)s;
		}
		if (out + n >= len)
			break;
		memcpy(dst + out, piece, n);
		out += n;
		s += take;
	}
	dst[out] = '\0';
	return out;
}
