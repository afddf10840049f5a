/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fsutil.c owns the low-level file access used by every program: bounded
 * reads, complete writes, and directory-relative opens that refuse symlinks.
 */
#include "fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int
safe_close(int fd)
{
	int saved = errno;

	if (fd >= 0)
		close(fd);
	errno = saved;
	return -1;
}

/* write() (off < 0) or pwrite() at off of all len bytes, EINTR retried. */
static int
write_loop(int fd, const void *buf, size_t len, off_t off)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n =
		    off < 0 ? write(fd, p, len) : pwrite(fd, p, len, off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EIO;
		p += n;
		if (off >= 0)
			off += n;
		len -= (size_t)n;
	}
	return 0;
}

int
write_all(int fd, const void *buf, size_t len)
{
	return write_loop(fd, buf, len, -1);
}

int
pwrite_all(int fd, const void *buf, size_t len, off_t off)
{
	return off < 0 ? -EINVAL : write_loop(fd, buf, len, off);
}

int
read_fd_capped(int fd, size_t cap, struct buf *b)
{
	char tmp[65536];
	size_t got = 0;
	int r;

	for (;;) {
		size_t want = sizeof(tmp);
		ssize_t n;

		if (got == cap) {
			/* One more byte tells whether we truncated. */
			n = read(fd, tmp, 1);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				return -errno;
			return n > 0 ? 1 : 0;
		}
		if (want > cap - got)
			want = cap - got;
		n = read(fd, tmp, want);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return 0;
		r = buf_append(b, tmp, (size_t)n);
		if (r < 0)
			return r;
		got += (size_t)n;
	}
}

int
fd_flock_timeout(int fd, int op, int timeout_ms)
{
	int64_t waited_us = 0, step_us = 50;

	for (;;) {
		struct timespec ts;

		if (flock(fd, op | LOCK_NB) == 0)
			return 0;
		if (errno != EWOULDBLOCK)
			return -errno;
		if (waited_us >= (int64_t)timeout_ms * 1000)
			return -ETIMEDOUT;
		ts.tv_sec = 0;
		ts.tv_nsec = (long)step_us * 1000;
		nanosleep(&ts, NULL);
		waited_us += step_us;
		if (step_us < 2000)
			step_us *= 2;
	}
}

int
fd_verify_regular(int fd)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (S_ISREG(st.st_mode))
		return 0;
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	if (S_ISLNK(st.st_mode))
		return -ELOOP;
	return -EBADFD;
}

int
open_regular_at(int dirfd, const char *name, int flags)
{
	int fd = openat(dirfd, name, flags | O_NOFOLLOW | O_CLOEXEC), r;

	if (fd < 0)
		return -errno;
	r = fd_verify_regular(fd);
	if (r < 0) {
		safe_close(fd);
		return r;
	}
	return fd;
}

int
read_file_at(
    int dirfd, const char *name, size_t cap, char **ret_data, size_t *ret_len)
{
	struct buf b;
	int fd, r;

	fd = openat(dirfd, name,
	    O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	buf_init(&b, cap + 1);
	r = fd_verify_regular(fd);
	if (r < 0)
		goto out;
	r = read_fd_capped(fd, cap, &b);
	if (r < 0)
		goto out;
	*ret_data = buf_steal(&b, ret_len);
	/* An empty file's "" is allocated too. */
	if (*ret_data == NULL)
		r = -ENOMEM;
out:
	buf_done(&b);
	safe_close(fd);
	return r;
}

int
readlink_alloc_at(int dirfd, const char *name, char **ret)
{
	size_t size = 256;

	for (;;) {
		char *p = malloc(size);
		ssize_t n;

		if (p == NULL)
			return -ENOMEM;
		n = readlinkat(dirfd, name, p, size);
		if (n < 0) {
			int r = -errno;

			free(p);
			return r;
		}
		if ((size_t)n < size) {
			p[n] = '\0';
			*ret = p;
			return 0;
		}
		free(p);
		if (size >= 65536)
			return -ENAMETOOLONG;
		size *= 4;
	}
}

int
open_dir_at(int dirfd, const char *name)
{
	int fd;

	fd = openat(
	    dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int
opendir_at(int dirfd, const char *name, DIR **ret)
{
	int fd = open_dir_at(dirfd, name), r;

	*ret = NULL;
	if (fd < 0)
		return fd;
	*ret = fdopendir(fd);
	if (*ret == NULL) {
		r = -errno;
		safe_close(fd);
		return r;
	}
	return 0;
}

int
mkdir_at_safe(int dirfd, const char *name, mode_t mode)
{
	struct stat st;

	if (mkdirat(dirfd, name, mode) == 0) {
		/* mkdirat() obeys the umask; the mode asked for is the
		 * contract. */
		if (fchmodat(dirfd, name, mode, 0) < 0)
			return -errno;
		return 0;
	}
	if (errno != EEXIST)
		return -errno;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

int
replace_file_at(int dirfd, const char *name, const void *data, size_t len,
    mode_t mode, bool sync)
{
	char tmp[NAME_MAX + 1];
	int fd, r;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", name) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	/* A leftover of an interrupted write. */
	(void)unlinkat(dirfd, tmp, 0);
	fd = openat(dirfd, tmp,
	    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0)
		return -errno;
	r = write_all(fd, data, len);
	/* The mode asked for, not what the umask left of it. */
	if (r >= 0 && fchmod(fd, mode) < 0)
		r = -errno;
	if (r >= 0 && sync && fsync(fd) < 0)
		r = -errno;
	safe_close(fd);
	if (r >= 0 && renameat(dirfd, tmp, dirfd, name) < 0)
		r = -errno;
	if (r < 0)
		(void)unlinkat(dirfd, tmp, 0);
	else if (sync && fsync(dirfd) < 0)
		r = -errno;
	return r;
}

/* One directory (or the last component) of a path being checked. */
static int
check_component(const char *prefix, bool last, struct buf *why)
{
	struct stat st;

	if (lstat(prefix, &st) < 0)
		return -errno;
	if (st.st_uid != 0) {
		if (why)
			buf_printf(why,
			    "%s is owned by uid %u, not root: that user could "
			    "move what is below it",
			    prefix, (unsigned)st.st_uid);
		return -EPERM;
	}
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) &&
	    (last || !S_ISDIR(st.st_mode) || !(st.st_mode & S_ISVTX))) {
		if (why)
			buf_printf(why,
			    "%s is writable by group or others (mode %04o): "
			    "they could move what is below it",
			    prefix, (unsigned)(st.st_mode & 07777));
		return -EPERM;
	}
	return 0;
}

/*
 * Each component of canon (an existing, canonical path) from / down: root's,
 * and not writable by group or others, but for a sticky directory that is
 * not the last of the full path (nobody but root can move or remove root's
 * entries in it: /tmp).
 */
static int
check_canonical(const char *canon, bool full, struct buf *why)
{
	char prefix[PATH_MAX];
	size_t n = strlen(canon);
	int r;

	r = check_component("/", full && n == 1, why);
	for (size_t i = 2; r >= 0 && i <= n; i++) {
		if (i < n && canon[i] != '/')
			continue;
		memcpy(prefix, canon, i);
		prefix[i] = '\0';
		r = check_component(prefix, full && i == n, why);
	}
	return r;
}

int
fsutil_check_root_path(const char *path, struct buf *why)
{
	char prefix[PATH_MAX], canon[PATH_MAX];
	size_t n = strlen(path);
	struct stat st;
	int r;

	if (path[0] != '/' || n >= sizeof(prefix))
		return -EINVAL;
	if (lstat(path, &st) < 0)
		return -errno;
	if (S_ISLNK(st.st_mode)) {
		if (why)
			buf_printf(why,
			    "%s is a symlink: it must be the directory itself",
			    path);
		return -EPERM;
	}
	/*
	 * Every prefix as written, resolved: the directories the path's
	 * symlinks (/var -> /data/var) are in, and where they lead.
	 */
	for (size_t i = 1; i <= n; i++) {
		if (i < n && path[i] != '/')
			continue;
		memcpy(prefix, path, i);
		prefix[i] = '\0';
		if (realpath(prefix, canon) == NULL)
			return -errno;
		r = check_canonical(canon, i == n, why);
		if (r < 0)
			return r;
	}
	return 0;
}
