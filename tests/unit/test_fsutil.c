/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for common/fsutil.c on a temp directory: capped reads,
 * symlinks and odd files refused, the atomic replace, and the check that
 * only root can change where a path leads.
 */
#include "testutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "fsutil.h"

static void
put(struct tu_dir *f, const char *name, const char *data)
{
	int fd =
	    openat(f->fd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write_all(fd, data, strlen(data)), 0);
	safe_close(fd);
}

static void
test_read_file_capped(void **state)
{
	struct tu_dir *f = *state;
	char *data;
	size_t len;

	put(f, "a", "hello world");
	assert_int_equal(read_file_at(f->fd, "a", 64, &data, &len), 0);
	assert_int_equal(len, 11);
	assert_string_equal(data, "hello world");
	free(data);
	/* Over the cap: what fits, and says it was cut. */
	assert_int_equal(read_file_at(f->fd, "a", 5, &data, &len), 1);
	assert_int_equal(len, 5);
	assert_memory_equal(data, "hello", 5);
	free(data);
	/* Exactly the cap is complete. */
	assert_int_equal(read_file_at(f->fd, "a", 11, &data, &len), 0);
	free(data);
	assert_int_equal(read_file_at(f->fd, "none", 5, &data, &len), -ENOENT);
}

static void
test_read_refuses_odd_files(void **state)
{
	struct tu_dir *f = *state;
	char *data = NULL;
	size_t len;

	put(f, "a", "secret");
	assert_int_equal(symlinkat("a", f->fd, "link"), 0);
	assert_int_equal(read_file_at(f->fd, "link", 64, &data, &len), -ELOOP);
	assert_int_equal(mkdirat(f->fd, "d", 0700), 0);
	assert_true(read_file_at(f->fd, "d", 64, &data, &len) < 0);
	/* A FIFO nobody writes: refused at once, not waited on. */
	assert_int_equal(mkfifoat(f->fd, "fifo", 0600), 0);
	assert_true(read_file_at(f->fd, "fifo", 64, &data, &len) < 0);
	assert_null(data);
}

static void
test_read_fd_capped(void **state)
{
	struct tu_dir *f = *state;
	struct buf b;
	int fd;

	put(f, "a", "0123456789");
	fd = openat(f->fd, "a", O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	buf_init(&b, 0);
	assert_int_equal(read_fd_capped(fd, 4, &b), 1);
	assert_int_equal(b.len, 4);
	assert_memory_equal(b.data, "0123", 4);
	safe_close(fd);
	/* It appends; a file that fits is complete. */
	fd = openat(f->fd, "a", O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(read_fd_capped(fd, 10, &b), 0);
	assert_int_equal(b.len, 14);
	assert_memory_equal(b.data, "01230123456789", 14);
	buf_done(&b);
	safe_close(fd);
}

static void
test_readlink_and_dirs(void **state)
{
	struct tu_dir *f = *state;
	char *target;
	DIR *dir;
	int fd, n = 0;
	struct dirent *de;

	assert_int_equal(symlinkat("/some/where", f->fd, "l"), 0);
	assert_int_equal(readlink_alloc_at(f->fd, "l", &target), 0);
	assert_string_equal(target, "/some/where");
	free(target);
	assert_int_equal(readlink_alloc_at(f->fd, "nope", &target), -ENOENT);

	assert_int_equal(mkdir_at_safe(f->fd, "d", 0700), 0);
	assert_int_equal(mkdir_at_safe(f->fd, "d", 0700), 0); /* exists */
	assert_int_equal(symlinkat("d", f->fd, "dl"), 0);
	assert_true(mkdir_at_safe(f->fd, "dl", 0700) < 0);
	assert_true(open_dir_at(f->fd, "dl") < 0);
	assert_true(opendir_at(f->fd, "dl", &dir) < 0);
	put(f, "a", "x");
	assert_true(open_dir_at(f->fd, "a") < 0);
	assert_true(fd_verify_regular(f->fd) < 0);

	fd = open_dir_at(f->fd, "d");
	assert_true(fd >= 0);
	safe_close(fd);
	/* "." reads the directory itself, from its start. */
	assert_int_equal(opendir_at(f->fd, ".", &dir), 0);
	while ((de = readdir(dir)) != NULL)
		n += strcmp(de->d_name, "a") == 0 ||
		    strcmp(de->d_name, "d") == 0;
	closedir(dir);
	assert_int_equal(n, 2);
	assert_int_equal(safe_close(-1), -1);
}

static void
test_replace_file(void **state)
{
	struct tu_dir *f = *state;
	struct stat st;
	char *data;
	size_t len;

	put(f, "r", "old contents, longer");
	assert_int_equal(replace_file_at(f->fd, "r", "new", 3, 0600, true), 0);
	assert_int_equal(read_file_at(f->fd, "r", 64, &data, &len), 0);
	assert_int_equal(len, 3);
	assert_memory_equal(data, "new", 3);
	free(data);
	assert_int_equal(fstatat(f->fd, "r", &st, AT_SYMLINK_NOFOLLOW), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	/* Nothing left behind. */
	assert_int_equal(
	    faccessat(f->fd, "r.tmp", F_OK, AT_SYMLINK_NOFOLLOW), -1);
	assert_int_equal(errno, ENOENT);
}

static void
test_check_root_path(void **state)
{
	struct tu_dir *f = *state;
	char *sub, *link;
	struct buf why;

	if (geteuid() != 0)
		skip(); /* the temp directory is root's only for root */
	assert_true(asprintf(&sub, "%s/sub", f->dir) > 0);
	assert_true(asprintf(&link, "%s/link", f->dir) > 0);
	assert_int_equal(mkdir(sub, 0755), 0);
	buf_init(&why, 0);
	assert_int_equal(fsutil_check_root_path(sub, &why), 0);

	/* Writable by others, not sticky: anyone could swap sub/x. */
	assert_int_equal(chmod(f->dir, 0777), 0);
	assert_int_equal(fsutil_check_root_path(sub, &why), -EPERM);
	assert_non_null(why.data);
	assert_non_null(strstr(why.data, f->dir));
	assert_int_equal(chmod(f->dir, 0700), 0);

	/* Owned by someone else. */
	assert_int_equal(chown(sub, 1, 1), 0);
	buf_done(&why);
	buf_init(&why, 0);
	assert_int_equal(fsutil_check_root_path(sub, &why), -EPERM);
	assert_non_null(strstr(why.data, "sub"));
	assert_int_equal(chown(sub, 0, 0), 0);

	/* The path itself a symlink. */
	assert_int_equal(symlink(sub, link), 0);
	assert_int_equal(fsutil_check_root_path(link, NULL), -EPERM);
	assert_int_equal(
	    fsutil_check_root_path("/nonexistent/crashd", NULL), -ENOENT);
	buf_done(&why);
	free(sub);
	free(link);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_read_file_capped, tu_dir_setup, tu_dir_teardown),
		cmocka_unit_test_setup_teardown(
		    test_read_refuses_odd_files, tu_dir_setup, tu_dir_teardown),
		cmocka_unit_test_setup_teardown(
		    test_read_fd_capped, tu_dir_setup, tu_dir_teardown),
		cmocka_unit_test_setup_teardown(
		    test_readlink_and_dirs, tu_dir_setup, tu_dir_teardown),
		cmocka_unit_test_setup_teardown(
		    test_replace_file, tu_dir_setup, tu_dir_teardown),
		cmocka_unit_test_setup_teardown(
		    test_check_root_path, tu_dir_setup, tu_dir_teardown),
	};

	return cmocka_run_group_tests_name("fsutil", tests, NULL, NULL);
}
