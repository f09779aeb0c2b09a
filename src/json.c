/* json.c: growable text and a JSON writer (see json.h). */
#include "json.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- sbuf --------------------------------------------------------------- */

void sbuf_init(struct sbuf *b, size_t max)
{
	*b = (struct sbuf){ .max = max };
}

void sbuf_free(struct sbuf *b)
{
	free(b->p);
	*b = (struct sbuf){ .max = b->max };
}

/* Room for n more bytes and a NUL. */
static int sbuf_reserve(struct sbuf *b, size_t n)
{
	size_t need, cap;
	char *np;

	if (b->failed)
		return -1;
	if (n > SIZE_MAX / 2 - b->len - 1 || (b->max && b->len + n > b->max))
		goto fail;
	need = b->len + n + 1;
	if (need <= b->cap)
		return 0;
	for (cap = b->cap ? b->cap : 256; cap < need; cap *= 2)
		;
	if (!(np = realloc(b->p, cap)))
		goto fail;
	b->p = np;
	b->cap = cap;
	return 0;
fail:
	b->failed = true;
	return -1;
}

int sbuf_add(struct sbuf *b, const char *s, size_t n)
{
	if (sbuf_reserve(b, n) < 0)
		return -1;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

int sbuf_puts(struct sbuf *b, const char *s)
{
	return sbuf_add(b, s, strlen(s));
}

int sbuf_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || sbuf_reserve(b, (size_t)n) < 0) {
		b->failed = true;
		return -1;
	}
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

/* Length of the well-formed UTF-8 sequence at s (RFC 3629: no overlong
 * forms, no surrogates, nothing above U+10FFFF), or 0. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1fu;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0fu;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07u;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3fu);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

int sbuf_json_str(struct sbuf *b, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	sbuf_add(b, "\"", 1);
	while (*s) {
		size_t n = utf8_len(s);

		if (n == 0) {
			sbuf_puts(b, "\\ufffd");
			s++;
		} else if (*s == '"' || *s == '\\') {
			sbuf_printf(b, "\\%c", *s++);
		} else if (*s == '\n' || *s == '\t') {
			sbuf_puts(b, *s++ == '\n' ? "\\n" : "\\t");
		} else if (*s < 0x20 || *s == 0x7f) {
			sbuf_printf(b, "\\u%04x", *s++);
		} else {
			sbuf_add(b, (const char *)s, n);
			s += n;
		}
	}
	return sbuf_add(b, "\"", 1);
}

/* ---- JSON writer -------------------------------------------------------- */

void json_init(struct json *j, struct sbuf *b)
{
	*j = (struct json){ .b = b };
	j->first[0] = true;
}

/* The comma and the member name before a value. */
static void json_key(struct json *j, const char *key)
{
	if (!j->first[j->depth])
		sbuf_add(j->b, ",", 1);
	j->first[j->depth] = false;
	if (key) {
		sbuf_json_str(j->b, key);
		sbuf_add(j->b, ":", 1);
	}
}

static void json_open(struct json *j, const char *key, char c)
{
	json_key(j, key);
	sbuf_add(j->b, &c, 1);
	if (j->depth + 1 >= JSON_DEPTH_MAX) {
		j->b->failed = true;    /* a bug in the caller: make it visible */
		return;
	}
	j->first[++j->depth] = true;
}

static void json_close(struct json *j, char c)
{
	sbuf_add(j->b, &c, 1);
	if (j->depth > 0)
		j->depth--;
}

void json_obj_begin(struct json *j, const char *key)
{
	json_open(j, key, '{');
}

void json_obj_end(struct json *j)
{
	json_close(j, '}');
}

void json_arr_begin(struct json *j, const char *key)
{
	json_open(j, key, '[');
}

void json_arr_end(struct json *j)
{
	json_close(j, ']');
}

void json_str(struct json *j, const char *key, const char *v)
{
	json_key(j, key);
	if (v)
		sbuf_json_str(j->b, v);
	else
		sbuf_puts(j->b, "null");
}

void json_int(struct json *j, const char *key, long long v)
{
	json_key(j, key);
	sbuf_printf(j->b, "%lld", v);
}

void json_uint(struct json *j, const char *key, unsigned long long v)
{
	json_key(j, key);
	sbuf_printf(j->b, "%llu", v);
}

void json_fixed(struct json *j, const char *key, double v, int decimals)
{
	json_key(j, key);
	if (isfinite(v))
		sbuf_printf(j->b, "%.*f", decimals, v);
	else
		sbuf_puts(j->b, "null");
}

void json_bool(struct json *j, const char *key, bool v)
{
	json_key(j, key);
	sbuf_puts(j->b, v ? "true" : "false");
}

void json_null(struct json *j, const char *key)
{
	json_key(j, key);
	sbuf_puts(j->b, "null");
}

void json_raw(struct json *j, const char *key, const char *v)
{
	json_key(j, key);
	sbuf_puts(j->b, v ? v : "null");
}
