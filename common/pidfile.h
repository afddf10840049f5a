/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The daemon's pid file (daemon.pid_file, /run/crashd/crashd.pid): the
 * daemon writes its pid there and holds the file write-locked for its
 * lifetime; crashd-cli status knows the daemon runs by that lock, not by
 * a process name.
 */
#ifndef CRASHD_PIDFILE_H
#define CRASHD_PIDFILE_H

#include <sys/types.h>

struct pidfile {
	int dirfd; /* the pid file's directory */
	int lock_fd; /* <name>.lock, root's alone: one daemon at a time */
	int fd; /* <name>, write-locked while we run */
	char *name; /* owned: the file name in dirfd */
};

#define PIDFILE_NONE ((struct pidfile){ -1, -1, -1, NULL })

/*
 * Becomes the daemon of the pid file at path (absolute): creates its
 * directory if missing (0755), takes <path>.lock, then writes our pid into
 * a fresh file that is locked before it replaces path (a lock anyone else
 * holds on an older file, even a stale one, stops nothing).  Returns 0 and
 * fills *ret; -EBUSY when another daemon holds it, with *ret_holder its
 * pid (0: not known yet); -EPERM when the directory or a file in it is not
 * ours alone to write (group/world writable, or someone else's); another
 * -errno.
 */
int pidfile_acquire(const char *path, struct pidfile *ret, pid_t *ret_holder);

/* Removes the pid file (if it is still ours) and lets go. NULL-safe. */
void pidfile_release(struct pidfile *pf);

/*
 * Is a daemon holding the pid file at path?  Returns 1 with *ret_pid the
 * pid in it, 0 when no daemon holds it (no file, or a file nobody holds
 * write-locked: a stale one); -EACCES when we may not read it; -EPERM
 * when it is not trustworthy (not root's nor ours, or writable by
 * others); another -errno.
 */
int pidfile_query(const char *path, pid_t *ret_pid);

#endif
