/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fsutil.c owns the low-level file access used by every program: bounded
 * reads, complete writes, and directory-relative opens that refuse symlinks.
 */
#include "fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

int
write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
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
