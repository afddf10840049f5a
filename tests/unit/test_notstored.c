/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ring of crashes not stored (common/notstored.c): what is written
 * reads back, the file never grows past its slots, a reader a ring
 * behind is told, and garbage never reads as a record.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"
#include "hookstate.h"
#include "notstored.h"
#include "spool.h"
#include "testutil.h"

static void
put(int dirfd, int pid, const char *exe)
{
	struct notstored_record rec;

	notstored_fill(&rec, NOTSTORED_RATE_LIMITED, "per_executable limit",
	    1765000000123LL, pid, 11, 1000, 1000, exe, "victim", "web1");
	assert_int_equal(notstored_put(dirfd, &rec, 50), 0);
}

static void
test_round_trip(void **state)
{
	const struct tu_dir *t = *state;
	struct notstored_record rec;
	char exe[1000];
	struct stat st;
	int dirfd = t->fd, fd;

	assert_int_equal(notstored_open(dirfd), -ENOENT);
	put(dirfd, 41, "/usr/bin/victim");
	memset(exe, 'a', sizeof(exe) - 1);
	exe[0] = '/';
	exe[sizeof(exe) - 1] = '\0';
	put(dirfd, 42, exe);
	fd = notstored_open(dirfd);
	assert_true(fd >= 0);
	assert_int_equal(notstored_count(fd), 2);
	assert_int_equal(notstored_get(fd, 0, &rec), 0);
	assert_int_equal(rec.seq, 0);
	assert_int_equal(rec.pid, 41);
	assert_int_equal(rec.signal, 11);
	assert_int_equal(rec.uid, 1000);
	assert_int_equal(rec.time_ms, 1765000000123LL);
	assert_int_equal(rec.reason, NOTSTORED_RATE_LIMITED);
	assert_string_equal(rec.detail, "per_executable limit");
	assert_string_equal(rec.executable, "/usr/bin/victim");
	assert_string_equal(rec.comm, "victim");
	assert_string_equal(rec.hostname, "web1");
	assert_false(rec.truncated);
	/* A long path is cut, flagged, and keyed by the whole of it. */
	assert_int_equal(notstored_get(fd, 1, &rec), 0);
	assert_true(rec.truncated);
	assert_int_equal(strlen(rec.executable), NOTSTORED_EXE_MAX - 1);
	assert_int_equal(rec.exe_key, hookstate_key(exe));
	/* Not written yet. */
	assert_int_equal(notstored_get(fd, 2, &rec), -ESTALE);
	/* Root's alone, in .state. */
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	close(fd);
}

static void
test_ring_is_bounded(void **state)
{
	const struct tu_dir *t = *state;
	struct notstored_record rec;
	struct stat st;
	int dirfd = t->fd, fd;
	int n = NOTSTORED_SLOTS + 6;

	for (int i = 0; i < n; i++)
		put(dirfd, 1000 + i, "/usr/bin/loop");
	fd = notstored_open(dirfd);
	assert_true(fd >= 0);
	assert_int_equal(notstored_count(fd), n);
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal((uint64_t)st.st_size, NOTSTORED_FILE_SIZE);
	/* The six oldest were overwritten; the seventh is the oldest kept. */
	assert_int_equal(notstored_get(fd, 5, &rec), -ESTALE);
	assert_int_equal(notstored_get(fd, 6, &rec), 0);
	assert_int_equal(rec.pid, 1006);
	assert_int_equal(notstored_get(fd, (uint64_t)n - 1, &rec), 0);
	assert_int_equal(rec.pid, 1000 + n - 1);
	close(fd);
}

static void
write_state_file(const char *dir, const void *data, size_t len, off_t off)
{
	char path[4200];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, SPOOL_STATE);
	(void)mkdir(path, 0700);
	snprintf(
	    path, sizeof(path), "%s/%s/%s", dir, SPOOL_STATE, NOTSTORED_FILE);
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(pwrite_all(fd, data, len, off), 0);
	close(fd);
}

static void
test_garbage(void **state)
{
	const struct tu_dir *t = *state;
	const char *dir = t->dir;
	struct notstored_record rec;
	char junk[NOTSTORED_RECORD_SIZE];
	int dirfd = t->fd, fd;

	/* A header of garbage: a reader says so, a writer starts anew. */
	memset(junk, 0xa5, sizeof(junk));
	write_state_file(dir, junk, sizeof(junk), 0);
	fd = notstored_open(dirfd);
	assert_true(fd >= 0);
	assert_int_equal(notstored_count(fd), -EBADMSG);
	close(fd);
	put(dirfd, 7, "/bin/x");
	fd = notstored_open(dirfd);
	assert_int_equal(notstored_count(fd), 1);
	assert_int_equal(notstored_get(fd, 0, &rec), 0);
	/* A slot overwritten by someone: no NUL, a bad reason. */
	notstored_fill(&rec, NOTSTORED_FAILED, "create", 1, 8, 6, 0, 0,
	    "/bin/y", "y", "h");
	rec.seq = 0;
	memset(rec.executable, 'x', sizeof(rec.executable));
	write_state_file(dir, &rec, sizeof(rec), NOTSTORED_RECORD_SIZE);
	assert_int_equal(notstored_get(fd, 0, &rec), -EBADMSG);
	notstored_fill(&rec, NOTSTORED_FAILED, "create", 1, 8, 6, 0, 0,
	    "/bin/y", "y", "h");
	rec.reason = 99;
	write_state_file(dir, &rec, sizeof(rec), NOTSTORED_RECORD_SIZE);
	assert_int_equal(notstored_get(fd, 0, &rec), -EBADMSG);
	/* A valid record of another seq in the slot: not the one asked. */
	notstored_fill(&rec, NOTSTORED_FAILED, "create", 1, 8, 6, 0, 0,
	    "/bin/y", "y", "h");
	rec.seq = NOTSTORED_SLOTS;
	write_state_file(dir, &rec, sizeof(rec), NOTSTORED_RECORD_SIZE);
	assert_int_equal(notstored_get(fd, 0, &rec), -ESTALE);
	close(fd);
}

static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(
	    notstored_reason_to_string(NOTSTORED_IGNORED), "ignored");
	assert_string_equal(
	    notstored_reason_to_string(NOTSTORED_SPOOL_FULL), "spool_full");
	assert_null(notstored_reason_to_string(0));
	assert_null(notstored_reason_to_string(_NOTSTORED_REASON_MAX));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_round_trip, tu_dir_setup, tu_dir_teardown),
		cmocka_unit_test_setup_teardown(
		    test_ring_is_bounded, tu_dir_setup, tu_dir_teardown),
		cmocka_unit_test_setup_teardown(
		    test_garbage, tu_dir_setup, tu_dir_teardown),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
