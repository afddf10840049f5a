/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The daemon's side of systemd's notify protocol (Type=notify): READY=1,
 * STATUS=, STOPPING=1 and the watchdog's WATCHDOG=1.  Without
 * NOTIFY_SOCKET (not started by systemd) every call is a no-op.
 */
#ifndef CRASHD_SDNOTIFY_H
#define CRASHD_SDNOTIFY_H

/* Reads WATCHDOG_USEC/WATCHDOG_PID once. Call after any fork(). */
void sdnotify_init(void);

/* The backlog is done and the spool is watched. */
void sdnotify_ready(const char *spool);

/* One line for "systemctl status" (printf-like). */
void sdnotify_status(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

/* A stop was asked for: what follows is the shutdown. */
void sdnotify_stopping(void);

/*
 * Pets the watchdog when half its interval has passed since the last
 * time.  Cheap: call it from every turn of a loop that makes progress.
 */
void sdnotify_watchdog(void);

#endif
