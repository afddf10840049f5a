/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spool_watch.c owns the inotify instance on the spool root.  It is plain
 * inotify(7) rather than libinotifytools: that library's
 * inotifytools_next_event(0) blocks until an event comes (3.22), and it
 * gives no descriptor to poll, so a loop that must also look at its
 * unwinders every few milliseconds could sleep until the next crash with
 * finished unwinders unreaped.  Here a timeout of 0 does not wait.
 */
#include "spool_watch.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "fsutil.h"
#include "log.h"

int
spool_watch_open(struct spool_watch *w, const char *path, uint32_t mask)
{
	int fd, r;

	w->fd = -1;
	w->len = w->off = 0;
	fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (inotify_add_watch(fd, path, mask) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	w->fd = fd;
	return 0;
}

/* Reads what the kernel has queued into w->buf; false when nothing. */
static bool
fill(struct spool_watch *w, int timeout_ms)
{
	static bool told;
	struct pollfd p = { .fd = w->fd, .events = POLLIN };
	ssize_t n;

	if (timeout_ms != 0 && poll(&p, 1, timeout_ms) <= 0)
		return false;
	n = read(w->fd, w->buf, sizeof(w->buf));
	if (n < 0 && errno != EAGAIN && errno != EINTR && !told) {
		log_warn_errno(-errno, "read the spool's inotify events: %m");
		told = true;
	}
	if (n <= 0)
		return false;
	told = false;
	w->len = (size_t)n;
	w->off = 0;
	return true;
}

const struct inotify_event *
spool_watch_next(struct spool_watch *w, int timeout_ms)
{
	const struct inotify_event *ev;

	if (w->fd < 0)
		return NULL;
	if (w->off >= w->len && !fill(w, timeout_ms))
		return NULL;
	/* The kernel returns whole events only. */
	ev = (const struct inotify_event *)(w->buf + w->off);
	w->off += sizeof(*ev) + ev->len;
	return ev;
}

void
spool_watch_close(struct spool_watch *w)
{
	w->fd = safe_close(w->fd);
	w->len = w->off = 0;
}
