/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spool.c owns the spool's layout: opening it safely, naming dumps,
 * creating items and publishing a dump with one rename.
 */
#include "spool.h"
#include "array.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"

int
spool_open(const char *path, bool create, struct spool *ret)
{
	struct spool s = { -1, -1 };
	struct stat st;
	int r;

	if (path[0] != '/')
		return -EINVAL;
	if (create) {
		/* Readable by all: a dump's own ACL says who may look inside.
		 */
		if (mkdir(path, 0755) == 0) {
			if (chmod(path, 0755) < 0)
				return -errno;
		} else if (errno != EEXIST) {
			return -errno;
		}
	}
	/*
	 * No one but root may change where the path leads: a symlink, or a
	 * directory on the way a user can write, would let that user move
	 * root's dumps (and the hook's writes) anywhere.
	 */
	r = fsutil_check_root_path(path, NULL);
	if (r < 0)
		return r;
	s.dirfd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (s.dirfd < 0)
		return -errno;
	if (fstat(s.dirfd, &st) < 0) {
		r = -errno;
		goto out;
	}
	/* Only root may create, change or delete a dump. */
	if (create && (st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH)))) {
		r = -EPERM;
		goto out;
	}
	if (create) {
		r = mkdir_at_safe(s.dirfd, SPOOL_INCOMING, 0700);
		if (r < 0)
			goto out;
		r = mkdir_at_safe(s.dirfd, SPOOL_STATE, SPOOL_STATE_MODE);
		if (r < 0)
			goto out;
		/* Made 0755 by an older crashd: root's alone now. */
		if (fstatat(s.dirfd, SPOOL_STATE, &st, AT_SYMLINK_NOFOLLOW) ==
			0 &&
		    (st.st_mode & 07777) != SPOOL_STATE_MODE &&
		    fchmodat(s.dirfd, SPOOL_STATE, SPOOL_STATE_MODE, 0) < 0) {
			r = -errno;
			goto out;
		}
	}
	s.incoming_fd = open_dir_at(s.dirfd, SPOOL_INCOMING);
	if (s.incoming_fd < 0 && create) {
		r = s.incoming_fd;
		goto out;
	}
	if (s.incoming_fd < 0)
		s.incoming_fd = -1; /* not there yet (a reader): empty */
	*ret = s;
	s.dirfd = -1; /* now the caller's */
	r = 0;
out:
	safe_close(s.dirfd);
	return r;
}

void
spool_done(struct spool *s)
{
	if (s == NULL)
		return;
	s->dirfd = safe_close(s->dirfd);
	s->incoming_fd = safe_close(s->incoming_fd);
}

size_t
spool_sanitize(char *out, size_t size, const char *in, size_t len)
{
	size_t n = 0;

	if (size == 0)
		return 0;
	for (size_t i = 0; i < len && n + 1 < size; i++) {
		unsigned char c = (unsigned char)in[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '_' || c == '-' ||
		    (c == '.' && n > 0);

		out[n++] = ok ? (char)c : '_';
	}
	if (n == 0 && size > 1) {
		static const char unknown[] = "unknown";

		n = strlen(unknown) < size - 1 ? strlen(unknown) : size - 1;
		memcpy(out, unknown, n);
	}
	out[n] = '\0';
	return n;
}

bool
spool_is_dump_name(const char *name)
{
	if (name[0] == '\0' || name[0] == '.')
		return false;
	for (const char *p = name; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			(c >= '0' && c <= '9') || c == '_' || c == '-' ||
			c == '.'))
			return false;
	}
	return true;
}

int
spool_dump_name(char *out, size_t size, const struct timespec *ts, long pid,
    const char *comm, size_t comm_len)
{
	char when[32], safe[32];
	struct tm tm;
	int n;

	gmtime_r(&ts->tv_sec, &tm);
	strftime(when, sizeof(when), "%Y%m%dT%H%M%S", &tm);
	spool_sanitize(safe, sizeof(safe), comm, comm_len);
	n = snprintf(
	    out, size, "%s.%06ldZ-%ld-%s", when, ts->tv_nsec / 1000, pid, safe);
	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	return 0;
}

int
spool_create_incoming(
    struct spool *s, const char *base, mode_t mode, char *ret_name, size_t size)
{
	char name[SPOOL_NAME_MAX + 16];

	for (int i = 1; i < 1000; i++) {
		struct stat st;
		int fd;

		if (i == 1)
			snprintf(name, sizeof(name), "%s", base);
		else
			snprintf(name, sizeof(name), "%s-%d", base, i);
		if (strlen(name) >= size)
			return -ENAMETOOLONG;
		/* Unique in .incoming and among published dumps. */
		if (fstatat(s->dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
			continue;
		if (mkdirat(s->incoming_fd, name, mode) < 0) {
			if (errno == EEXIST)
				continue;
			return -errno;
		}
		fd = open_dir_at(s->incoming_fd, name);
		if (fd < 0)
			return fd;
		/* mkdirat() obeys the umask; the mode is part of the contract.
		 */
		if (fchmod(fd, mode) < 0) {
			int r = -errno;

			safe_close(fd);
			return r;
		}
		strcpy(ret_name, name);
		return fd;
	}
	return -EEXIST;
}

int
spool_write_item(
    int dirfd, const char *name, const void *data, size_t len, mode_t mode)
{
	int fd, r;

	fd = openat(dirfd, name,
	    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0)
		return -errno;
	if (fchmod(fd, mode) < 0) {
		r = -errno;
		goto out;
	}
	r = write_all(fd, data, len);
	if (r >= 0)
		return fd;
out:
	safe_close(fd);
	unlinkat(dirfd, name, 0);
	return r;
}

/* Calls fn for each regular file in dirfd; stops at the first error. */
static int
for_each_file(int dirfd,
    int (*fn)(
	int dirfd, const char *name, const struct stat *st, void *userdata),
    void *userdata)
{
	DIR *d;
	struct dirent *de;
	int r;

	r = opendir_at(dirfd, ".", &d);
	if (r < 0)
		return r;
	while (r >= 0 && (de = readdir(d)) != NULL) {
		struct stat st;

		if (de->d_type != DT_REG && de->d_type != DT_UNKNOWN)
			continue;
		if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (!S_ISREG(st.st_mode))
			continue;
		r = fn(dirfd, de->d_name, &st, userdata);
	}
	closedir(d);
	return r;
}

static int
sync_one(int dirfd, const char *name, const struct stat *st, void *userdata)
{
	int fd, r = 0;

	(void)st;
	(void)userdata;
	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0)
		r = -errno;
	safe_close(fd);
	return r;
}

int
spool_sync_dir(int dirfd)
{
	int r;

	r = for_each_file(dirfd, sync_one, NULL);
	if (r < 0)
		return r;
	return fsync(dirfd) < 0 ? -errno : 0;
}

static int
usage_one(int dirfd, const char *name, const struct stat *st, void *userdata)
{
	(void)dirfd;
	(void)name;
	*(unsigned long long *)userdata +=
	    (unsigned long long)st->st_blocks * 512;
	return 0;
}

int
spool_dir_usage(int dirfd, unsigned long long *ret)
{
	unsigned long long total = 0;
	struct stat st;
	int r;

	r = for_each_file(dirfd, usage_one, &total);
	if (r < 0)
		return r;
	if (fstat(dirfd, &st) == 0)
		total += (unsigned long long)st.st_blocks * 512;
	*ret = total;
	return 0;
}

static int
unlink_one(int dirfd, const char *name, const struct stat *st, void *userdata)
{
	(void)st;
	(void)userdata;
	if (unlinkat(dirfd, name, 0) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

int
spool_discard_incoming(struct spool *s, const char *name)
{
	int fd, r;

	fd = open_dir_at(s->incoming_fd, name);
	if (fd < 0)
		return fd;
	/* The hook writes regular files only. */
	r = for_each_file(fd, unlink_one, NULL);
	safe_close(fd);
	if (r >= 0 && unlinkat(s->incoming_fd, name, AT_REMOVEDIR) < 0)
		r = -errno;
	return r;
}

int
spool_publish(struct spool *s, const char *name, bool sync)
{
	if (renameat2(s->incoming_fd, name, s->dirfd, name, RENAME_NOREPLACE) <
	    0)
		return -errno;
	if (sync && fsync(s->dirfd) < 0)
		return -errno;
	if (sync && fsync(s->incoming_fd) < 0)
		return -errno;
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
spool_list(int spool_dirfd, char ***ret, size_t *ret_n)
{
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	DIR *dir;
	int r;

	r = opendir_at(spool_dirfd, ".", &dir);
	if (r < 0)
		return r;
	while ((de = readdir(dir)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			char **p =
			    array_grow(names, &cap, n, sizeof(*names), 256);

			if (p == NULL) {
				r = -ENOMEM;
				break;
			}
			names = p;
		}
		names[n] = strdup(de->d_name);
		if (names[n] == NULL) {
			r = -ENOMEM;
			break;
		}
		n++;
	}
	closedir(dir);
	if (r < 0) {
		for (size_t i = 0; i < n; i++)
			free(names[i]);
		free(names);
		return r;
	}
	if (n > 0)
		qsort(names, n, sizeof(char *), cmp_str);
	*ret = names;
	*ret_n = n;
	return 0;
}
