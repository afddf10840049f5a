/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * testutil.c owns the unit tests' scratch directories and fixture loading.
 */
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *
tu_mkdtemp(void)
{
	const char *tmp = getenv("TMPDIR");
	char *path;

	if (tmp == NULL || tmp[0] != '/')
		tmp = "/tmp";
	assert_true(asprintf(&path, "%s/crashd-unit.XXXXXX", tmp) > 0);
	assert_non_null(mkdtemp(path));
	return path;
}

int
tu_dir_setup(void **state)
{
	struct tu_dir *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->dir = tu_mkdtemp();
	f->fd = open(f->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(f->fd >= 0);
	*state = f;
	return 0;
}

int
tu_dir_teardown(void **state)
{
	struct tu_dir *f = *state;

	if (f->fd >= 0)
		close(f->fd);
	tu_rm_rf(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		return rmdir(path);
	return unlink(path);
}

void
tu_rm_rf(const char *path)
{
	if (path == NULL)
		return;
	(void)nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

char *
tu_write_file(const char *dir, const char *name, const char *data, size_t len,
    mode_t mode)
{
	char *path;
	FILE *f;

	assert_true(asprintf(&path, "%s/%s", dir, name) > 0);
	/* A fresh file: the last one may be read-only. */
	(void)unlink(path);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
	return path;
}

char *
tu_fixture(const char *rel, size_t *ret_len)
{
	char path[4096];
	struct stat st;
	char *data;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", CRASHD_FIXTURES, rel);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		fail_msg("fixture %s: %s", path, strerror(errno));
	assert_int_equal(fstat(fd, &st), 0);
	/* malloc(0) may return NULL: keep one byte, never read. */
	data = malloc((size_t)st.st_size ? (size_t)st.st_size : 1);
	assert_non_null(data);
	assert_int_equal(read(fd, data, (size_t)st.st_size), st.st_size);
	close(fd);
	*ret_len = (size_t)st.st_size;
	return data;
}

char *
tu_memdup(const char *s, size_t *ret_len)
{
	size_t n = strlen(s);
	char *d = malloc(n ? n : 1);

	assert_non_null(d);
	memcpy(d, s, n);
	*ret_len = n;
	return d;
}
