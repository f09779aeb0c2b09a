/* log.h: logging to syslog (default) or stderr. */
#ifndef HAFD_LOG_H
#define HAFD_LOG_H

#include <stdbool.h>
#include <stdint.h>
#include <syslog.h>

#define LOG_FMT(a, b) __attribute__((format(printf, a, b)))

/* ident is the syslog tag; level is a syslog priority (LOG_INFO...). */
void log_init(const char *ident, bool to_stderr, int level);
void log_set_level(int level);
int log_get_level(void);
/* "error", "warning", "notice", "info", "debug" -> LOG_*; -1 if unknown. */
int log_level_parse(const char *s);

void log_warn(const char *fmt, ...) LOG_FMT(1, 2);   /* appends ": strerror(errno)" */
void log_warnx(const char *fmt, ...) LOG_FMT(1, 2);
void log_notice(const char *fmt, ...) LOG_FMT(1, 2);
void log_info(const char *fmt, ...) LOG_FMT(1, 2);
void log_debug(const char *fmt, ...) LOG_FMT(1, 2);
__attribute__((noreturn)) void fatal(const char *fmt, ...) LOG_FMT(1, 2);
__attribute__((noreturn)) void fatalx(const char *fmt, ...) LOG_FMT(1, 2);

/* Rate limit for messages a peer can trigger (bad packets): at most `burst`
 * messages per `period_us`; the rest are counted and reported in the next
 * allowed message's window. Zero-initialise, then set burst and period_us. */
struct log_ratelimit {
	unsigned burst;
	uint64_t period_us;
	uint64_t window_start_us;
	unsigned used;
	uint64_t suppressed;
};
/* True when a message may be logged now. When messages were suppressed
 * since the last allowed one, *suppressed (if not NULL) says how many. */
bool log_ratelimit_allow(struct log_ratelimit *rl, uint64_t now_us, uint64_t *suppressed);

#endif
