/* json.h: a growable text buffer, and a small JSON writer on top of it, for
 * the control socket's answers and the SIGUSR1 dump. Written by hand so that
 * hafd needs no JSON library: strings are escaped as RFC 8259 requires, and
 * bytes that are not UTF-8 (a script's output) become U+FFFD. */
#ifndef HAFD_JSON_H
#define HAFD_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include "log.h"

/* Text that grows as needed, up to max bytes (0: no limit). After a
 * failure (out of memory, over max) it stays failed and keeps what fit. */
struct sbuf {
	char *p;                /* NUL-terminated when len > 0 */
	size_t len, cap, max;
	bool failed;
};

void sbuf_init(struct sbuf *b, size_t max);
void sbuf_free(struct sbuf *b);
/* 0, or -1 (the buffer is failed). */
int sbuf_add(struct sbuf *b, const char *s, size_t n);
int sbuf_puts(struct sbuf *b, const char *s);
int sbuf_printf(struct sbuf *b, const char *fmt, ...) LOG_FMT(2, 3);
/* s as a JSON string, quotes included. */
int sbuf_json_str(struct sbuf *b, const char *s);

#define JSON_DEPTH_MAX 16

/* The writer adds the commas. key is the member name inside an object and
 * NULL inside an array (or for the top-level value). */
struct json {
	struct sbuf *b;
	int depth;
	bool first[JSON_DEPTH_MAX];
};

void json_init(struct json *j, struct sbuf *b);
void json_obj_begin(struct json *j, const char *key);
void json_obj_end(struct json *j);
void json_arr_begin(struct json *j, const char *key);
void json_arr_end(struct json *j);
void json_str(struct json *j, const char *key, const char *v);    /* NULL: null */
void json_int(struct json *j, const char *key, long long v);
void json_uint(struct json *j, const char *key, unsigned long long v);
/* A number with `decimals` digits after the point (NaN, inf: null). */
void json_fixed(struct json *j, const char *key, double v, int decimals);
void json_bool(struct json *j, const char *key, bool v);
void json_null(struct json *j, const char *key);
/* Already-encoded JSON, inserted as it is (NULL: null). */
void json_raw(struct json *j, const char *key, const char *v);

#endif
