/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The daemon's main loop: inotify on the spool root (spool_watch.h),
 * the backlog at start, digests and retention on timers, SIGHUP reloads
 * and SIGTERM stops.
 */
#ifndef CRASHD_WATCH_H
#define CRASHD_WATCH_H

#include <signal.h>

#include "daemon.h"

/* Runs until *stop. Reloads the config when *reload. Returns 0 or -errno. */
int watch_run(struct daemon *dm, volatile sig_atomic_t *reload);

#endif
