/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * snapshot.c owns recognising a libcrashd snapshot: one of the dumping
 * process's descriptors links to "/memfd:crashd-snapshot (deleted)" and
 * reads "crashd-snapshot 1\n" and the reason.  See snapshot.h.
 */
#include "snapshot.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fsutil.h"
#include "marker.h"

#define FDS_MAX 4096 /* descriptors looked at: the marker is a recent one */

int
snapshot_parse(const char *data, size_t len, struct buf *reason)
{
	static const char magic[] = SNAPSHOT_MAGIC "\n";
	size_t n = sizeof(magic) - 1;
	int r;

	if (data == NULL || len < n || memcmp(data, magic, n) != 0)
		return 0;
	len -= n;
	if (len > SNAPSHOT_REASON_MAX)
		len = SNAPSHOT_REASON_MAX;
	r = buf_append(reason, data + n, len);
	return r < 0 ? r : 1;
}

static int
read_marker(int fddir, const char *name, struct buf *reason)
{
	static const char magic[] = SNAPSHOT_MAGIC "\n";
	struct buf b;
	int fd, r;

	/* A magic link: followed (to the memfd), but only a file is read. */
	fd = openat(fddir, name, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	buf_init(&b, 0);
	r = fd_verify_regular(fd);
	if (r >= 0)
		r = read_fd_capped(
		    fd, sizeof(magic) - 1 + SNAPSHOT_REASON_MAX, &b);
	if (r >= 0)
		r = snapshot_parse(b.data, b.len, reason);
	buf_done(&b);
	safe_close(fd);
	return r;
}

int
snapshot_read(int procfd, struct buf *reason)
{
	char link[sizeof(SNAPSHOT_FD_LINK) + 1];
	struct dirent *e;
	int fddir, r = 0, seen = 0;
	DIR *dir;

	fddir = openat(procfd, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fddir < 0)
		return -errno;
	dir = fdopendir(dup(fddir));
	if (dir == NULL) {
		r = -errno;
		safe_close(fddir);
		return r;
	}
	while (r == 0 && seen++ < FDS_MAX && (e = readdir(dir)) != NULL) {
		ssize_t n;

		if (e->d_name[0] == '.')
			continue;
		n = readlinkat(fddir, e->d_name, link, sizeof(link));
		if (n != (ssize_t)strlen(SNAPSHOT_FD_LINK) ||
		    memcmp(link, SNAPSHOT_FD_LINK, (size_t)n) != 0)
			continue;
		r = read_marker(fddir, e->d_name, reason);
		if (r < 0)
			r = 0; /* another descriptor may be the marker */
	}
	closedir(dir);
	safe_close(fddir);
	return r;
}
