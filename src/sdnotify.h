/* sdnotify.h: systemd's readiness protocol, spoken directly (no
 * libsystemd). When NOTIFY_SOCKET names a unix datagram socket (a path, or
 * "@name" for the abstract namespace), each call sends one datagram of
 * NEWLINE-separated KEY=VALUE assignments there; otherwise it does nothing.
 * Sends never block (a full queue loses the message, as systemd's own
 * client would after its timeout). Children never see NOTIFY_SOCKET:
 * proc.c gives them a fresh environment. */
#ifndef HAFD_SDNOTIFY_H
#define HAFD_SDNOTIFY_H

#include <stdbool.h>
#include <stdint.h>

#include "log.h"

struct loop;
struct sd_watchdog;

/* NOTIFY_SOCKET is set (we run under a Type=notify unit or a test). */
bool sd_notify_enabled(void);

/* 1 when sent, 0 when NOTIFY_SOCKET is unset, -1 with errno. */
int sd_notify_send(const char *msg);
int sd_notify_ready(void);              /* READY=1: start-up or a reload is done */
int sd_notify_reloading(void);          /* RELOADING=1 (with MONOTONIC_USEC) */
int sd_notify_stopping(void);           /* STOPPING=1 */
int sd_notify_status(const char *fmt, ...) LOG_FMT(1, 2);      /* STATUS=... */

/* The watchdog period systemd asks for (WatchdogSec=): WATCHDOG_USEC in
 * microseconds when it is set, valid, and meant for this process
 * (WATCHDOG_PID unset or ours: a hafd that forked is not the main PID
 * systemd watches); 0 otherwise. */
uint64_t sd_watchdog_usec(void);
/* Send WATCHDOG=1 now and then every half period from a timer of l, so
 * that pings stop when the loop stops turning (a thread would keep
 * pinging for a stuck loop). *out is NULL when the watchdog is off. 0, or
 * -1 with errno. */
int sd_watchdog_start(struct loop *l, struct sd_watchdog **out);
/* Stop pinging (before a graceful stop); NULL is harmless. */
void sd_watchdog_stop(struct sd_watchdog *w);

#endif
