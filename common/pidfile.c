/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pidfile.c owns the daemon's pid file and its lock.
 *
 * The pid file is world-readable so that anyone's crashd-cli status can
 * tell whether the daemon runs.  Anyone can therefore open it and take a
 * read lock (fcntl) or an flock() on it, which would block a daemon that
 * wanted to lock that file.  So the daemon never locks a file it did not
 * just create: it serializes against other daemons on <name>.lock (0600,
 * root's: nobody else can open it), then builds its pid file aside, locks
 * it while it is still 0600, and renames it over the old one.  The lock
 * is an open file description (OFD) write lock: it needs the file open
 * for writing (only root can), and status asks whether a write lock is
 * held (F_OFD_GETLK with a read lock), which a reader's lock never is.
 *
 * An OFD lock lives as long as any copy of its descriptor: a forked
 * child (an unwinder, an action) would keep a killed daemon's lock and
 * stop the next daemon from starting.  So every child forked while we
 * hold the files closes its copies first thing (forget_in_child()).
 */
#include "pidfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"

#define LOCK_SUFFIX ".lock"

/* The descriptors of the pid file held (pidfile_acquire()), or -1. */
static int held_fds[2] = { -1, -1 };

static void
forget_in_child(void)
{
	for (size_t i = 0; i < 2; i++)
		if (held_fds[i] >= 0) {
			(void)close(held_fds[i]);
			held_fds[i] = -1;
		}
}
#define TMP_SUFFIX ".tmp"

/* Returns 0 when we hold a write lock on all of fd, -EAGAIN, or -errno. */
static int
lock_write(int fd)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };

	if (fcntl(fd, F_OFD_SETLK, &fl) < 0)
		return errno == EACCES ? -EAGAIN : -errno;
	return 0;
}

/* 0 when st is ours (or root's, if trust_root) and nobody else may write. */
static int
check_owner(const struct stat *st, int trust_root)
{
	if (st->st_uid != geteuid() && !(trust_root && st->st_uid == 0))
		return -EPERM;
	if (st->st_mode & (S_IWGRP | S_IWOTH))
		return -EPERM;
	return 0;
}

/* Reads the pid in the file name below dirfd (0 when there is none). */
static pid_t
read_pid_at(int dirfd, const char *name)
{
	char *data = NULL, *end;
	size_t len;
	long v;

	if (read_file_at(dirfd, name, 32, &data, &len) < 0)
		return 0;
	v = strtol(data, &end, 10);
	if (end == data || (*end != '\n' && *end != '\0') || v <= 0 ||
	    v > 0x7fffffff)
		v = 0;
	free(data);
	return (pid_t)v;
}

/* Splits an absolute path into its directory and a fresh copy of its name. */
static int
split_path(const char *path, char *dir, size_t size, char **ret_name)
{
	const char *slash = strrchr(path, '/');
	size_t n;

	if (path[0] != '/' || slash == NULL || slash[1] == '\0' ||
	    strcmp(slash + 1, ".") == 0 || strcmp(slash + 1, "..") == 0)
		return -EINVAL;
	n = slash == path ? 1 : (size_t)(slash - path);
	if (n >= size || strlen(slash + 1) > NAME_MAX - 5)
		return -ENAMETOOLONG;
	memcpy(dir, path, n);
	dir[n] = '\0';
	*ret_name = strdup(slash + 1);
	return *ret_name ? 0 : -ENOMEM;
}

/*
 * Opens (creating it) and locks <name>.lock.  A lock on a file that was
 * removed meanwhile (a daemon leaving) proves nothing: then again.
 * Returns the fd, -EAGAIN when another daemon holds it, or -errno.
 */
static int
take_lock_file(int dirfd, const char *lock_name)
{
	for (int attempt = 0; attempt < 10; attempt++) {
		struct stat st, now;
		int fd, r;

		fd = openat(dirfd, lock_name,
		    O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
		if (fd < 0)
			return -errno;
		r = fd_verify_regular(fd);
		if (r >= 0 && fstat(fd, &st) < 0)
			r = -errno;
		if (r >= 0)
			r = check_owner(&st, 0);
		if (r >= 0 && (st.st_mode & 077) != 0)
			r = -EPERM;
		if (r >= 0)
			r = lock_write(fd);
		if (r < 0) {
			safe_close(fd);
			return r;
		}
		if (fstatat(dirfd, lock_name, &now, AT_SYMLINK_NOFOLLOW) == 0 &&
		    now.st_dev == st.st_dev && now.st_ino == st.st_ino)
			return fd;
		safe_close(fd);
	}
	return -EAGAIN;
}

/* Makes every child forked from now on close pf's copies. */
static void
hold_in_parent_only(const struct pidfile *pf)
{
	static bool registered;

	if (!registered && pthread_atfork(NULL, NULL, forget_in_child) == 0)
		registered = true;
	held_fds[0] = pf->lock_fd;
	held_fds[1] = pf->fd;
}

int
pidfile_acquire(const char *path, struct pidfile *ret, pid_t *ret_holder)
{
	struct pidfile pf = PIDFILE_NONE;
	char dir[PATH_MAX], lock_name[NAME_MAX + 1], tmp[NAME_MAX + 1], num[32];
	struct stat st;
	int r;

	*ret_holder = 0;
	r = split_path(path, dir, sizeof(dir), &pf.name);
	if (r < 0)
		return r;
	snprintf(lock_name, sizeof(lock_name), "%s" LOCK_SUFFIX, pf.name);
	snprintf(tmp, sizeof(tmp), "%s" TMP_SUFFIX, pf.name);
	/* 0755 whatever the umask: status is for every user to run. */
	if (mkdir(dir, 0755) == 0)
		(void)chmod(dir, 0755);
	else if (errno != EEXIST) {
		r = -errno;
		goto out;
	}
	pf.dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (pf.dirfd < 0 || fstat(pf.dirfd, &st) < 0) {
		r = -errno;
		goto out;
	}
	/* Whoever may write in the directory could swap our files. */
	r = check_owner(&st, 1);
	if (r < 0)
		goto out;
	pf.lock_fd = take_lock_file(pf.dirfd, lock_name);
	if (pf.lock_fd == -EAGAIN) {
		*ret_holder = read_pid_at(pf.dirfd, pf.name);
		r = -EBUSY;
		goto out;
	}
	if (pf.lock_fd < 0) {
		r = pf.lock_fd;
		goto out;
	}
	/* Ours alone from here: no other daemon gets past the lock file. */
	if (unlinkat(pf.dirfd, tmp, 0) < 0 && errno != ENOENT) {
		r = -errno;
		goto out;
	}
	pf.fd = openat(pf.dirfd, tmp,
	    O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY,
	    0600);
	if (pf.fd < 0) {
		r = -errno;
		goto out;
	}
	/* Locked while 0600: nobody else could have opened it yet. */
	r = lock_write(pf.fd);
	if (r >= 0) {
		snprintf(num, sizeof(num), "%ld\n", (long)getpid());
		r = write_all(pf.fd, num, strlen(num));
	}
	if (r >= 0 && fchmod(pf.fd, 0644) < 0)
		r = -errno;
	if (r >= 0 && renameat(pf.dirfd, tmp, pf.dirfd, pf.name) < 0)
		r = -errno;
	if (r < 0) {
		unlinkat(pf.dirfd, tmp, 0);
		goto out;
	}
	hold_in_parent_only(&pf);
	*ret = pf;
	return 0;
out:
	pf.fd = safe_close(pf.fd);
	pidfile_release(&pf);
	return r;
}

/* True when dirfd/name is the file open as fd. */
static int
is_file_at(int dirfd, const char *name, int fd)
{
	struct stat a, b;

	return fd >= 0 && fstat(fd, &a) == 0 &&
	    fstatat(dirfd, name, &b, AT_SYMLINK_NOFOLLOW) == 0 &&
	    a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

void
pidfile_release(struct pidfile *pf)
{
	char lock_name[NAME_MAX + 1];

	if (pf == NULL)
		return;
	if (pf->dirfd >= 0 && pf->name) {
		if (is_file_at(pf->dirfd, pf->name, pf->fd))
			unlinkat(pf->dirfd, pf->name, 0);
		/*
		 * Removed while held: a daemon that opened it meanwhile sees
		 * it is gone once it has the lock (take_lock_file()).
		 */
		snprintf(
		    lock_name, sizeof(lock_name), "%s" LOCK_SUFFIX, pf->name);
		if (is_file_at(pf->dirfd, lock_name, pf->lock_fd))
			unlinkat(pf->dirfd, lock_name, 0);
	}
	for (size_t i = 0; i < 2; i++)
		if (held_fds[i] == pf->fd || held_fds[i] == pf->lock_fd)
			held_fds[i] = -1;
	pf->fd = safe_close(pf->fd);
	pf->lock_fd = safe_close(pf->lock_fd);
	pf->dirfd = safe_close(pf->dirfd);
	free(pf->name);
	pf->name = NULL;
}

int
pidfile_query(const char *path, pid_t *ret_pid)
{
	struct flock fl = { .l_type = F_RDLCK, .l_whence = SEEK_SET };
	char buf[32], *end;
	struct stat st;
	ssize_t n;
	long v;
	int fd, r;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	r = fd_verify_regular(fd);
	if (r >= 0 && fstat(fd, &st) < 0)
		r = -errno;
	/* Anyone else's file could say anything. */
	if (r >= 0)
		r = check_owner(&st, 1);
	if (r < 0)
		goto out;
	/* A read lock conflicts with a write lock only: the daemon's. */
	if (fcntl(fd, F_OFD_GETLK, &fl) < 0) {
		r = -errno;
		goto out;
	}
	if (fl.l_type == F_UNLCK) {
		r = 0;
		goto out;
	}
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n < 0) {
		r = -errno;
		goto out;
	}
	buf[n] = '\0';
	v = strtol(buf, &end, 10);
	if (end == buf || v <= 0 || v > 0x7fffffff)
		v = 0;
	*ret_pid = (pid_t)v;
	r = 1;
out:
	safe_close(fd);
	return r;
}
