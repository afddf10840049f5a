/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * trash.c owns removing dumps: rename first (atomic), delete after, and
 * the bytes that go taken off the hook's estimate of the spool's size
 * (which otherwise only grows until the daemon's next sweep measures).
 */
#include "trash.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fsutil.h"
#include "hookstate.h"
#include "spool.h"

/* Deletes the files of a dump directory, then the directory. */
static int
remove_dir_at(int parent, const char *name)
{
	struct dirent *de;
	DIR *d;
	int r;

	r = opendir_at(parent, name, &d);
	if (r < 0)
		return r == -ENOENT ? 0 : r;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (unlinkat(dirfd(d), de->d_name, 0) < 0) {
			if (errno == EISDIR)
				(void)remove_dir_at(dirfd(d), de->d_name);
			else if (errno != ENOENT)
				r = -errno;
		}
	}
	closedir(d);
	if (unlinkat(parent, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		r = -errno;
	return r;
}

/*
 * Takes bytes off the hook's estimate, if its state can be had at once;
 * else the daemon's next sweep sets it right.
 */
static void
forget_bytes(int spool_dirfd, unsigned long long bytes)
{
	struct hookstate st;
	int fd;

	if (bytes == 0)
		return;
	fd = hookstate_lock(spool_dirfd, false, 200);
	if (fd < 0)
		return;
	if (hookstate_read(fd, &st) == 0) {
		st.spool_bytes -=
		    bytes < st.spool_bytes ? bytes : st.spool_bytes;
		(void)hookstate_write(fd, &st);
	}
	safe_close(fd);
}

int
trash_dump(int spool_dirfd, const char *name)
{
	int tfd, r;

	r = mkdir_at_safe(spool_dirfd, TRASH_DIR, 0700);
	if (r < 0)
		return r;
	tfd = open_dir_at(spool_dirfd, TRASH_DIR);
	if (tfd < 0)
		return tfd;
	/* A leftover of the same name from an interrupted run goes first. */
	(void)remove_dir_at(tfd, name);
	if (renameat(spool_dirfd, name, tfd, name) < 0) {
		r = errno == ENOENT ? 0 : -errno;
	} else {
		unsigned long long bytes = 0;
		int dfd = open_dir_at(tfd, name);

		if (dfd >= 0)
			(void)spool_dir_usage(dfd, &bytes);
		safe_close(dfd);
		r = remove_dir_at(tfd, name);
		if (r >= 0)
			forget_bytes(spool_dirfd, bytes);
	}
	safe_close(tfd);
	return r;
}

void
trash_empty(int spool_dirfd)
{
	struct dirent *de;
	DIR *d;
	int r;

	r = opendir_at(spool_dirfd, TRASH_DIR, &d);
	if (r < 0)
		return;
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			(void)remove_dir_at(dirfd(d), de->d_name);
	closedir(d);
}
