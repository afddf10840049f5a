/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * File helpers for a root program that touches attacker-influenced paths:
 * everything is reached relative to a directory fd, never follows symlinks,
 * is close-on-exec, and every read has an explicit cap.
 */
#ifndef CRASHD_FSUTIL_H
#define CRASHD_FSUTIL_H

#include <dirent.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "buf.h"

/* Closes fd if it is >= 0, keeps errno; returns -1 for "fd = safe_close(fd);"
 */
int safe_close(int fd);

/* Writes all of buf, retrying on EINTR and short writes. Returns 0 or -errno.
 */
int write_all(int fd, const void *buf, size_t len);
/* pwrite() of all len bytes at off (EINTR retried).  0 or -errno. */
int pwrite_all(int fd, const void *buf, size_t len, off_t off);

/*
 * Appends at most cap bytes read from fd to b.  Returns 1 if more bytes
 * were available than cap (the result is truncated), 0 if everything was
 * read, or -errno.
 */
int read_fd_capped(int fd, size_t cap, struct buf *b);

/*
 * Reads the file name below dirfd into a fresh buffer (the caller frees
 * *ret_data).  Refuses symlinks and anything that is not a regular file.
 * Returns 1 if truncated at cap, 0 if complete, or -errno.
 */
int read_file_at(
    int dirfd, const char *name, size_t cap, char **ret_data, size_t *ret_len);

/* readlinkat() into a fresh NUL-terminated string. Returns 0 or -errno. */
int readlink_alloc_at(int dirfd, const char *name, char **ret);

/* Returns 0 if fd is a regular file, -EISDIR/-ELOOP/-EBADFD otherwise. */
int fd_verify_regular(int fd);

/*
 * openat(dirfd, name, flags) without following a symlink, for a regular
 * file only (fd_verify_regular()).  Returns the fd or -errno.
 */
int open_regular_at(int dirfd, const char *name, int flags);

/*
 * flock(fd, op) (LOCK_EX or LOCK_SH), waiting timeout_ms at most, polling
 * with a growing step so that short waits stay short.  Returns 0,
 * -ETIMEDOUT or -errno.
 */
int fd_flock_timeout(int fd, int op, int timeout_ms);

/* Opens a directory below dirfd without following symlinks. */
int open_dir_at(int dirfd, const char *name);

/*
 * A directory below dirfd ("." for dirfd itself, read from its start on a
 * descriptor of its own) open for readdir(), symlinks refused.  Returns 0
 * and *ret (closedir() it), or -errno.
 */
int opendir_at(int dirfd, const char *name, DIR **ret);

/* mkdirat() that tolerates an existing directory (but not a symlink). */
int mkdir_at_safe(int dirfd, const char *name, mode_t mode);

/*
 * Replaces dirfd/name with len bytes of data, in one rename: readers see
 * the old file or the new one, never a part.  The data goes first to
 * "name.tmp" (which must not be a name readers look for), created with
 * mode.  With sync, the file and the directory are fsync'd (the file
 * survives a crash once this returns).  Returns 0 or -errno.
 */
int replace_file_at(int dirfd, const char *name, const void *data, size_t len,
    mode_t mode, bool sync);

/*
 * Checks that no one but root can change what path (absolute, existing)
 * leads to, as sshd checks its files: path is no symlink, and every
 * directory on the way, each symlink's resolved, is root's and not
 * writable by group or others (a sticky one on the way may be: /tmp).
 * Returns 0, -EPERM with one line in why (when not NULL) naming the
 * component and what is wrong, or another -errno (-ENOENT).
 */
int fsutil_check_root_path(const char *path, struct buf *why);

#endif
