/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for common/spool.c: sanitized, time-sortable, unique names;
 * items that never replace a file; publishing with one rename.
 */
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spool.h"

static bool
name_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

static void
check_sane(const char *s, size_t n)
{
	assert_int_equal(strlen(s), n);
	assert_true(n > 0);
	assert_true(s[0] != '.');
	for (size_t i = 0; i < n; i++)
		if (!name_char_ok(s[i]))
			fail_msg("byte 0x%02x at %zu in \"%s\"",
			    (unsigned char)s[i], i, s);
}

static void
check_sanitize(const char *in, size_t len, const char *want)
{
	char out[64];
	size_t n;

	n = spool_sanitize(out, sizeof(out), in, len);
	assert_string_equal(out, want);
	check_sane(out, n);
}

static void
test_sanitize_hostile(void **state)
{
	(void)state;
	check_sanitize("bash", 4, "bash");
	check_sanitize("my prog", 7, "my_prog");
	check_sanitize("a\nb", 3, "a_b");
	check_sanitize("../../etc/passwd", 16, "_._.._etc_passwd");
	check_sanitize(".hidden", 7, "_hidden");
	check_sanitize("..", 2, "_.");
	check_sanitize(".", 1, "_");
	check_sanitize("caf\xc3\xa9", 5, "caf__");
	check_sanitize("\xff\xfe", 2, "__");
	check_sanitize("nul\0x", 5, "nul_x");
	check_sanitize("a/b\\c:d*e", 9, "a_b_c_d_e");
	check_sanitize("x.y-z_1", 7, "x.y-z_1");
	check_sanitize("", 0, "unknown");
}

static void
test_sanitize_sizes(void **state)
{
	char out[8];

	(void)state;
	assert_int_equal(spool_sanitize(out, 4, "abcdef", 6), 3);
	assert_string_equal(out, "abc");
	assert_int_equal(spool_sanitize(out, 4, "", 0), 3);
	assert_string_equal(out, "unk");
	out[0] = 'X';
	assert_int_equal(spool_sanitize(out, 0, "abc", 3), 0);
	assert_int_equal(out[0], 'X');
	assert_int_equal(spool_sanitize(out, 1, "abc", 3), 0);
	assert_string_equal(out, "");
}

/* Every byte in every position: only [A-Za-z0-9._-], never a leading dot. */
static void
test_sanitize_every_byte(void **state)
{
	char in[3], out[8];

	(void)state;
	for (int a = 0; a < 256; a++) {
		for (int b = 0; b < 256; b += 17) {
			size_t n;

			in[0] = (char)a;
			in[1] = (char)b;
			in[2] = '.';
			n = spool_sanitize(out, sizeof(out), in, 3);
			check_sane(out, n);
			n = spool_sanitize(out, sizeof(out), in, 1);
			check_sane(out, n);
		}
	}
}

static void
test_dump_name_format(void **state)
{
	struct timespec ts = { 1795399730, 123456789 };
	char name[SPOOL_NAME_MAX];

	(void)state;
	assert_int_equal(
	    spool_dump_name(name, sizeof(name), &ts, 4242, "my prog", 7), 0);
	assert_string_equal(name, "20261123T020850.123456Z-4242-my_prog");
	ts.tv_nsec = 999;
	assert_int_equal(
	    spool_dump_name(name, sizeof(name), &ts, 1, "../x\n", 5), 0);
	assert_string_equal(name, "20261123T020850.000000Z-1-_._x_");
	check_sane(name, strlen(name));
	assert_int_equal(spool_dump_name(name, sizeof(name), &ts, 7, "", 0), 0);
	assert_string_equal(name, "20261123T020850.000000Z-7-unknown");
	/* Too small a buffer is an error, not a cut name. */
	assert_int_equal(
	    spool_dump_name(name, 20, &ts, 7, "x", 1), -ENAMETOOLONG);
}

/* Every name the hook makes is a dump name; what else may sit there is not. */
static void
test_is_dump_name(void **state)
{
	static const char *const foreign[] = { "", ".", "..", ".incoming",
		".state", "lost+found", "a b", "x/y", "tab\there", "nl\n",
		"caf\xc3\xa9", "\xff", "$(id)", "a:b", "*" };
	struct timespec ts = { 1795399730, 5000 };
	char name[SPOOL_NAME_MAX];
	char in[3] = { 0, 0, 0 };

	(void)state;
	assert_true(spool_is_dump_name("20261123T020850.123456Z-4242-my_prog"));
	assert_true(spool_is_dump_name("a"));
	assert_true(spool_is_dump_name("x.-_Z9"));
	for (size_t i = 0; i < sizeof(foreign) / sizeof(foreign[0]); i++)
		assert_false(spool_is_dump_name(foreign[i]));
	for (int a = 0; a < 256; a++) {
		in[0] = (char)a;
		assert_int_equal(
		    spool_dump_name(name, sizeof(name), &ts, 1, in, 1), 0);
		assert_true(spool_is_dump_name(name));
	}
}

static void
test_dump_name_long_comm(void **state)
{
	struct timespec ts = { 1795399730, 0 };
	char name[SPOOL_NAME_MAX], comm[200];

	(void)state;
	memset(comm, 'c', sizeof(comm));
	assert_int_equal(spool_dump_name(name, sizeof(name), &ts, 2147483647,
			     comm, sizeof(comm)),
	    0);
	assert_true(strlen(name) < SPOOL_NAME_MAX);
	check_sane(name, strlen(name));
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Names made in time order sort in time order, whatever pid and comm. */
static void
test_dump_names_sort_by_time(void **state)
{
	static const struct {
		time_t sec;
		long nsec;
		long pid;
		const char *comm;
	} t[] = {
		{ 946684799, 999999999, 99999, "zzz" }, /* 1999-12-31 */
		{ 946684800, 0, 5, "aaa" },
		{ 1795399730, 5000, 300, "m" },
		{ 1795399730, 6000, 2, "m" },
		{ 1795399730, 10000, 1, "z" },
		{ 1795399730, 999999000, 1000000, "a" },
		{ 1795399731, 0, 10, "a" },
		{ 1795399739, 0, 1, "b" },
		{ 1795399740, 0, 1, "b" },
		{ 4102444800, 0, 1, "y2100" },
	};
	enum { N = sizeof(t) / sizeof(t[0]) };
	char names[N][SPOOL_NAME_MAX], *sorted[N];

	(void)state;
	for (size_t i = 0; i < N; i++) {
		struct timespec ts = { t[i].sec, t[i].nsec };

		assert_int_equal(spool_dump_name(names[i], SPOOL_NAME_MAX, &ts,
				     t[i].pid, t[i].comm, strlen(t[i].comm)),
		    0);
		sorted[i] = names[i];
	}
	qsort(sorted, N, sizeof(sorted[0]), cmp_str);
	for (size_t i = 0; i < N; i++)
		if (sorted[i] != names[i])
			fail_msg("\"%s\" sorts at %zu, was made at %zu",
			    sorted[i], i,
			    (size_t)(sorted[i] - names[0]) / SPOOL_NAME_MAX);
}

struct fixture {
	char *dir;
	char *root; /* dir/spool */
	struct spool spool;
	mode_t umask;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->dir = tu_mkdtemp();
	assert_true(asprintf(&f->root, "%s/spool", f->dir) > 0);
	f->spool.dirfd = f->spool.incoming_fd = -1;
	/* The modes must not depend on the caller's umask. */
	f->umask = umask(077);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	spool_done(&f->spool);
	umask(f->umask);
	tu_rm_rf(f->dir);
	free(f->dir);
	free(f->root);
	free(f);
	return 0;
}

/*
 * spool_open(create) insists on a root-owned spool; anyone else gets one
 * laid out by hand and opened as it is.
 */
static void
open_spool(struct fixture *f)
{
	char path[4096];

	if (geteuid() == 0) {
		assert_int_equal(spool_open(f->root, true, &f->spool), 0);
		return;
	}
	assert_int_equal(mkdir(f->root, 0755), 0);
	snprintf(path, sizeof(path), "%s/%s", f->root, SPOOL_INCOMING);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/%s", f->root, SPOOL_STATE);
	assert_int_equal(mkdir(path, 0755), 0);
	assert_int_equal(spool_open(f->root, false, &f->spool), 0);
}

static mode_t
mode_at(int dirfd, const char *name)
{
	struct stat st;

	assert_int_equal(fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW), 0);
	return st.st_mode;
}

static void
test_open(void **state)
{
	struct fixture *f = *state;
	struct spool s = { -1, -1 };

	assert_int_equal(spool_open("relative/spool", true, &s), -EINVAL);
	assert_int_equal(s.dirfd, -1);
	if (geteuid() != 0)
		skip();
	open_spool(f);
	assert_true(f->spool.dirfd >= 0);
	assert_true(f->spool.incoming_fd >= 0);
	assert_int_equal(mode_at(AT_FDCWD, f->root) & 07777, 0755);
	assert_int_equal(
	    mode_at(f->spool.dirfd, SPOOL_INCOMING), S_IFDIR | 0700);
	assert_true(S_ISDIR(mode_at(f->spool.dirfd, SPOOL_STATE)));
	/* Opening again (existing directories) works too. */
	assert_int_equal(spool_open(f->root, true, &s), 0);
	spool_done(&s);
	assert_int_equal(s.dirfd, -1);
	assert_int_equal(s.incoming_fd, -1);
	spool_done(&s);
	spool_done(NULL);
}

static void
test_open_refuses_writable_spool(void **state)
{
	struct fixture *f = *state;
	struct spool s = { -1, -1 };

	if (geteuid() != 0)
		skip();
	assert_int_equal(mkdir(f->root, 0700), 0);
	assert_int_equal(chmod(f->root, 0777), 0);
	assert_int_equal(spool_open(f->root, true, &s), -EPERM);
	assert_int_equal(chmod(f->root, 0775), 0);
	assert_int_equal(spool_open(f->root, true, &s), -EPERM);
	assert_int_equal(s.dirfd, -1);
}

static void
test_open_refuses_symlinked_incoming(void **state)
{
	struct fixture *f = *state;
	struct spool s = { -1, -1 };
	char path[4096];

	if (geteuid() != 0)
		skip();
	assert_int_equal(mkdir(f->root, 0755), 0);
	snprintf(path, sizeof(path), "%s/%s", f->root, SPOOL_INCOMING);
	assert_int_equal(symlink(f->dir, path), 0);
	assert_true(spool_open(f->root, true, &s) < 0);
	assert_int_equal(s.dirfd, -1);
}

static void
test_create_incoming_unique(void **state)
{
	struct fixture *f = *state;
	char name[SPOOL_NAME_MAX + 16];
	int fd1, fd2, fd3;

	open_spool(f);
	fd1 =
	    spool_create_incoming(&f->spool, "base", 0750, name, sizeof(name));
	assert_true(fd1 >= 0);
	assert_string_equal(name, "base");
	assert_int_equal(mode_at(f->spool.incoming_fd, "base"), S_IFDIR | 0750);
	fd2 =
	    spool_create_incoming(&f->spool, "base", 0750, name, sizeof(name));
	assert_true(fd2 >= 0);
	assert_string_equal(name, "base-2");
	fd3 =
	    spool_create_incoming(&f->spool, "base", 0700, name, sizeof(name));
	assert_true(fd3 >= 0);
	assert_string_equal(name, "base-3");
	assert_int_equal(
	    mode_at(f->spool.incoming_fd, "base-3"), S_IFDIR | 0700);
	/* Each fd is its own directory. */
	assert_int_equal(spool_write_item(fd1, "a", "1", 1, 0600) >= 0, 1);
	assert_int_equal(faccessat(fd2, "a", F_OK, AT_SYMLINK_NOFOLLOW), -1);
	close(fd1);
	close(fd2);
	close(fd3);
}

static void
test_create_incoming_skips_published(void **state)
{
	struct fixture *f = *state;
	char name[SPOOL_NAME_MAX + 16];
	int fd;

	open_spool(f);
	fd = spool_create_incoming(&f->spool, "dump", 0750, name, sizeof(name));
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(spool_publish(&f->spool, "dump", false), 0);
	/* .incoming/dump is free again, but "dump" is published. */
	fd = spool_create_incoming(&f->spool, "dump", 0750, name, sizeof(name));
	assert_true(fd >= 0);
	assert_string_equal(name, "dump-2");
	close(fd);
	/* Anything in the root by that name counts, even a plain file. */
	close(spool_write_item(f->spool.dirfd, "file", "", 0, 0600));
	fd = spool_create_incoming(&f->spool, "file", 0750, name, sizeof(name));
	assert_true(fd >= 0);
	assert_string_equal(name, "file-2");
	close(fd);
}

static void
test_create_incoming_name_too_long(void **state)
{
	struct fixture *f = *state;
	char name[8];
	int fd;

	open_spool(f);
	fd = spool_create_incoming(
	    &f->spool, "a-long-base-name", 0750, name, sizeof(name));
	assert_int_equal(fd, -ENAMETOOLONG);
	/* Nothing is left behind in .incoming for a name it could not return.
	 */
	assert_int_equal(faccessat(f->spool.incoming_fd, "a-long-base-name",
			     F_OK, AT_SYMLINK_NOFOLLOW),
	    -1);
}

static char *
read_at(int dirfd, const char *name)
{
	char *buf = calloc(1, 4096);
	int fd;

	assert_non_null(buf);
	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_true(read(fd, buf, 4095) >= 0);
	close(fd);
	return buf;
}

static void
test_write_item(void **state)
{
	struct fixture *f = *state;
	char name[SPOOL_NAME_MAX + 16], *s;
	int dfd, fd;

	open_spool(f);
	dfd = spool_create_incoming(&f->spool, "w", 0750, name, sizeof(name));
	assert_true(dfd >= 0);
	fd = spool_write_item(dfd, "pid", "4242\n", 5, 0640);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(mode_at(dfd, "pid"), S_IFREG | 0640);
	s = read_at(dfd, "pid");
	assert_string_equal(s, "4242\n");
	free(s);
	/* Never replaces an existing item. */
	assert_int_equal(spool_write_item(dfd, "pid", "1\n", 2, 0640), -EEXIST);
	s = read_at(dfd, "pid");
	assert_string_equal(s, "4242\n");
	free(s);
	/* An empty item is a file too. */
	fd = spool_write_item(dfd, "empty", "", 0, 0600);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(mode_at(dfd, "empty"), S_IFREG | 0600);
	close(dfd);
}

static void
test_write_item_refuses_symlink(void **state)
{
	struct fixture *f = *state;
	char name[SPOOL_NAME_MAX + 16], target[4096], *s;
	struct stat st;
	int dfd;

	open_spool(f);
	dfd = spool_create_incoming(&f->spool, "s", 0750, name, sizeof(name));
	assert_true(dfd >= 0);
	free(tu_write_file(f->dir, "victim", "precious", 8, 0644));
	snprintf(target, sizeof(target), "%s/victim", f->dir);
	assert_int_equal(symlinkat(target, dfd, "environ"), 0);
	assert_int_equal(
	    spool_write_item(dfd, "environ", "EVIL=1", 6, 0600), -EEXIST);
	/* The planted link is left alone, and so is what it points to. */
	assert_int_equal(fstatat(dfd, "environ", &st, AT_SYMLINK_NOFOLLOW), 0);
	assert_true(S_ISLNK(st.st_mode));
	s = read_at(AT_FDCWD, target);
	assert_string_equal(s, "precious");
	free(s);
	/* A dangling link is refused too (O_CREAT would follow it). */
	snprintf(target, sizeof(target), "%s/created-through-link", f->dir);
	assert_int_equal(symlinkat(target, dfd, "core.gz"), 0);
	assert_int_equal(
	    spool_write_item(dfd, "core.gz", "x", 1, 0600), -EEXIST);
	assert_int_equal(access(target, F_OK), -1);
	close(dfd);
}

/*
 * A write that fails half way (here: RLIMIT_FSIZE, EFBIG) leaves no
 * partial item behind.
 */
static void
test_write_item_failure_removes_partial(void **state)
{
	struct fixture *f = *state;
	char name[SPOOL_NAME_MAX + 16], data[8192];
	struct rlimit old, small;
	void (*old_handler)(int);
	int dfd, r;

	open_spool(f);
	dfd = spool_create_incoming(&f->spool, "p", 0750, name, sizeof(name));
	assert_true(dfd >= 0);
	memset(data, 'x', sizeof(data));
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	small = old;
	small.rlim_cur = 4096;
	old_handler = signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
	r = spool_write_item(dfd, "maps", data, sizeof(data), 0600);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, old_handler);
	assert_int_equal(r, -EFBIG);
	assert_int_equal(faccessat(dfd, "maps", F_OK, AT_SYMLINK_NOFOLLOW), -1);
	close(dfd);
}

static void
test_publish(void **state)
{
	struct fixture *f = *state;
	char name[SPOOL_NAME_MAX + 16], *s;
	int dfd, fd, pfd;

	open_spool(f);
	dfd = spool_create_incoming(
	    &f->spool, "20261123T020850.000000Z-1-x", 0750, name, sizeof(name));
	assert_true(dfd >= 0);
	fd = spool_write_item(dfd, "version", "1\n", 2, 0644);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(spool_sync_dir(dfd), 0);
	close(dfd);
	/* Not visible in the root before publishing. */
	assert_int_equal(
	    faccessat(f->spool.dirfd, name, F_OK, AT_SYMLINK_NOFOLLOW), -1);
	assert_int_equal(spool_publish(&f->spool, name, true), 0);
	assert_int_equal(
	    faccessat(f->spool.incoming_fd, name, F_OK, AT_SYMLINK_NOFOLLOW),
	    -1);
	assert_int_equal(mode_at(f->spool.dirfd, name), S_IFDIR | 0750);
	pfd = openat(f->spool.dirfd, name, O_RDONLY | O_DIRECTORY);
	assert_true(pfd >= 0);
	s = read_at(pfd, "version");
	assert_string_equal(s, "1\n");
	free(s);
	close(pfd);
	/* Twice is an error, and never replaces a published dump. */
	assert_int_equal(spool_publish(&f->spool, name, false), -ENOENT);
	assert_int_equal(mkdirat(f->spool.incoming_fd, name, 0700), 0);
	assert_int_equal(spool_publish(&f->spool, name, false), -EEXIST);
	assert_int_equal(
	    faccessat(f->spool.dirfd, "20261123T020850.000000Z-1-x/version",
		F_OK, AT_SYMLINK_NOFOLLOW),
	    0);
}

static void
test_dir_usage(void **state)
{
	struct fixture *f = *state;
	char name[SPOOL_NAME_MAX + 16], data[8192];
	unsigned long long before, after;
	int dfd;

	open_spool(f);
	dfd = spool_create_incoming(&f->spool, "u", 0750, name, sizeof(name));
	assert_true(dfd >= 0);
	assert_int_equal(spool_dir_usage(dfd, &before), 0);
	memset(data, 'x', sizeof(data));
	close(spool_write_item(dfd, "big", data, sizeof(data), 0600));
	assert_int_equal(fsync(dfd), 0);
	assert_int_equal(spool_dir_usage(dfd, &after), 0);
	assert_true(after >= before + sizeof(data));
	close(dfd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sanitize_hostile),
		cmocka_unit_test(test_sanitize_sizes),
		cmocka_unit_test(test_sanitize_every_byte),
		cmocka_unit_test(test_dump_name_format),
		cmocka_unit_test(test_is_dump_name),
		cmocka_unit_test(test_dump_name_long_comm),
		cmocka_unit_test(test_dump_names_sort_by_time),
		cmocka_unit_test_setup_teardown(test_open, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_open_refuses_writable_spool, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_open_refuses_symlinked_incoming, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_create_incoming_unique, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_create_incoming_skips_published, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_create_incoming_name_too_long, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_write_item, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_write_item_refuses_symlink, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_write_item_failure_removes_partial, setup, teardown),
		cmocka_unit_test_setup_teardown(test_publish, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_dir_usage, setup, teardown),
	};

	return cmocka_run_group_tests_name("spool", tests, NULL, NULL);
}
