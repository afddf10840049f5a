/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The inotify watch on the spool root: one instance, its events one at a
 * time, waiting at most as long as asked (0: not at all).
 */
#ifndef CRASHD_SPOOL_WATCH_H
#define CRASHD_SPOOL_WATCH_H

#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/inotify.h>

struct spool_watch {
	int fd; /* -1: not watching */
	size_t len, off; /* events read into buf, and the next one's offset */
	alignas(struct inotify_event) char buf[16384];
};

/* Watches path for mask.  Returns 0 or -errno (w->fd stays -1 then). */
int spool_watch_open(struct spool_watch *w, const char *path, uint32_t mask);

/*
 * The next event, waiting up to timeout_ms for one (0: not at all; a
 * signal ends the wait).  NULL: none came (or reading failed: said once,
 * as the loop goes on rescanning every second).  The event stays valid
 * until the next call.
 */
const struct inotify_event *spool_watch_next(
    struct spool_watch *w, int timeout_ms);

/* Stops watching; again is harmless. */
void spool_watch_close(struct spool_watch *w);

#endif
