/* script.h: what hafd must make safe about the programs it runs for
 * checks and hooks: the text they print, shown in the log and in
 * `hafctl status`. Pure: no process is started here. */
#ifndef HAFD_SCRIPT_H
#define HAFD_SCRIPT_H

#include <stddef.h>

/* src, made printable into dst (len bytes, NUL-terminated): control
 * characters (C0, DEL, and C1 as UTF-8), bytes that are not valid UTF-8
 * and backslashes are escaped (\t, \n, \r, \\, else \xNN, one per byte);
 * valid UTF-8 is kept. An escape or character that does not fit is left
 * out whole. Returns strlen(dst). */
size_t script_escape(char *dst, size_t len, const char *src);

#endif
