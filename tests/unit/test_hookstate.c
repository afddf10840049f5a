/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for common/hookstate.c: the slot table, the state file's
 * format and its lock (its rate limiter is test_ratelimit.c's).
 */
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hookstate.h"
#include "spool.h"

/* A realistic CLOCK_REALTIME in milliseconds (November 2026). */
#define NOW 1795399730000LL

static void
test_key(void **state)
{
	(void)state;
	assert_int_equal(
	    hookstate_key("/usr/bin/perl"), hookstate_key("/usr/bin/perl"));
	assert_int_not_equal(
	    hookstate_key("/usr/bin/perl"), hookstate_key("/usr/bin/perl5"));
	assert_int_not_equal(hookstate_key(""), 0);
	/* FNV-1a 64 of "a" */
	assert_int_equal(hookstate_key("a"), 0xaf63dc4c8601ec8cULL);
}

static void
fresh(struct hookstate *st)
{
	memset(st, 0, sizeof(*st));
	st->magic = HOOKSTATE_MAGIC;
	st->version = HOOKSTATE_VERSION;
}

static void
test_slot_same_key(void **state)
{
	struct hookstate *st = calloc(1, sizeof(*st));
	struct hookstate_slot *a, *b;

	(void)state;
	assert_non_null(st);
	fresh(st);
	a = hookstate_slot(st, 42);
	assert_int_equal(a->key, 42);
	a->tat_dump_ms = 1234;
	b = hookstate_slot(st, 43);
	assert_ptr_not_equal(a, b);
	assert_ptr_equal(hookstate_slot(st, 42), a);
	assert_int_equal(a->tat_dump_ms, 1234);
	assert_ptr_equal(hookstate_slot(st, 43), b);
	free(st);
}

static void
test_slot_evicts_longest_recovered(void **state)
{
	struct hookstate *st = calloc(1, sizeof(*st));
	struct hookstate_slot *s, *oldest = NULL;
	int64_t t;

	(void)state;
	assert_non_null(st);
	fresh(st);
	/* Fill every slot; key 1000+i recovers at a scrambled time. */
	for (int i = 0; i < HOOKSTATE_SLOTS; i++) {
		s = hookstate_slot(st, 1000 + (uint64_t)i);
		assert_int_equal(s->key, 1000 + (uint64_t)i);
		t = NOW + ((i * 37) % HOOKSTATE_SLOTS + 1) * 1000;
		s->tat_dump_ms = t;
		s->tat_core_ms = t;
		if (oldest == NULL || t < oldest->tat_dump_ms)
			oldest = s;
	}
	for (int i = 0; i < HOOKSTATE_SLOTS; i++)
		assert_int_equal(st->slots[i].key != 0, 1);
	/* Every known key keeps its slot. */
	for (int i = 0; i < HOOKSTATE_SLOTS; i++)
		assert_int_equal(hookstate_slot(st, 1000 + (uint64_t)i)->key,
		    1000 + (uint64_t)i);
	s = hookstate_slot(st, 7);
	assert_ptr_equal(s, oldest);
	assert_int_equal(s->key, 7);
	assert_int_equal(s->tat_dump_ms, 0);
	assert_int_equal(s->tat_core_ms, 0);
	free(st);
}

struct fixture {
	char *dir;
	int dirfd;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char path[4096];

	assert_non_null(f);
	f->dir = tu_mkdtemp();
	snprintf(path, sizeof(path), "%s/%s", f->dir, SPOOL_STATE);
	assert_int_equal(mkdir(path, 0755), 0);
	f->dirfd = open(f->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(f->dirfd >= 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	close(f->dirfd);
	tu_rm_rf(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

static void
test_read_empty_is_fresh(void **state)
{
	struct fixture *f = *state;
	struct hookstate *st = malloc(sizeof(*st)), *want = malloc(sizeof(*st));
	int fd;

	assert_non_null(st);
	assert_non_null(want);
	fd = hookstate_lock(f->dirfd, true, 100);
	assert_true(fd >= 0);
	memset(st, 0xa5, sizeof(*st));
	assert_int_equal(hookstate_read(fd, st), 0);
	fresh(want);
	assert_memory_equal(st, want, sizeof(*st));
	close(fd);
	free(st);
	free(want);
}

static void
test_read_foreign_is_fresh(void **state)
{
	struct fixture *f = *state;
	struct hookstate *st = malloc(sizeof(*st)), *want = malloc(sizeof(*st));
	char *junk = malloc(sizeof(*st) + 16);
	int fd;

	assert_non_null(st);
	assert_non_null(want);
	assert_non_null(junk);
	fresh(want);
	fd = hookstate_lock(f->dirfd, true, 100);
	assert_true(fd >= 0);
	/* Right size, wrong magic. */
	memset(junk, 'J', sizeof(*st) + 16);
	assert_int_equal(pwrite(fd, junk, sizeof(*st), 0), sizeof(*st));
	assert_int_equal(hookstate_read(fd, st), 0);
	assert_memory_equal(st, want, sizeof(*st));
	/* Right magic, another version. */
	memcpy(junk, want, sizeof(*st));
	((struct hookstate *)junk)->version = HOOKSTATE_VERSION + 1;
	((struct hookstate *)junk)->counters.seen = 99;
	assert_int_equal(pwrite(fd, junk, sizeof(*st), 0), sizeof(*st));
	assert_int_equal(hookstate_read(fd, st), 0);
	assert_memory_equal(st, want, sizeof(*st));
	/* Truncated. */
	assert_int_equal(ftruncate(fd, 0), 0);
	assert_int_equal(pwrite(fd, want, 100, 0), 100);
	assert_int_equal(hookstate_read(fd, st), 0);
	assert_memory_equal(st, want, sizeof(*st));
	close(fd);
	free(st);
	free(want);
	free(junk);
}

static void
test_write_read_roundtrip(void **state)
{
	struct fixture *f = *state;
	struct hookstate *st = calloc(1, sizeof(*st));
	struct hookstate *back = calloc(1, sizeof(*st));
	int fd;

	assert_non_null(st);
	assert_non_null(back);
	fresh(st);
	st->counters.seen = 10;
	st->counters.stored = 7;
	st->counters.ignored = 1;
	st->counters.rate_limited = 2;
	st->counters.cores_kept = 3;
	st->counters.failed = 1;
	st->tat_dump_ms = NOW;
	st->tat_core_ms = NOW + 5;
	st->spool_bytes = 1ULL << 33;
	hookstate_slot(st, hookstate_key("/bin/a"))->tat_dump_ms = NOW + 1;
	hookstate_slot(st, hookstate_key("/bin/b"))->tat_core_ms = NOW + 2;
	fd = hookstate_lock(f->dirfd, true, 100);
	assert_true(fd >= 0);
	assert_int_equal(hookstate_write(fd, st), 0);
	close(fd);
	fd = hookstate_lock(f->dirfd, false, 100);
	assert_true(fd >= 0);
	assert_int_equal(hookstate_read(fd, back), 0);
	assert_memory_equal(st, back, sizeof(*st));
	close(fd);
	free(st);
	free(back);
}

static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
test_lock_timeout(void **state)
{
	struct fixture *f = *state;
	int64_t t0, took;
	int fd, fd2;

	fd = hookstate_lock(f->dirfd, true, 100);
	assert_true(fd >= 0);
	/* flock() is per open file: a second open contends like a process. */
	t0 = mono_ms();
	fd2 = hookstate_lock(f->dirfd, true, 50);
	took = mono_ms() - t0;
	assert_int_equal(fd2, -ETIMEDOUT);
	assert_true(took >= 50);
	assert_true(took < 5000);
	assert_int_equal(hookstate_lock(f->dirfd, false, 0), -ETIMEDOUT);
	close(fd);
	fd2 = hookstate_lock(f->dirfd, false, 0);
	assert_true(fd2 >= 0);
	close(fd2);
}

static void
test_lock_refuses_odd_files(void **state)
{
	struct fixture *f = *state;
	char path[4096];

	/* Missing without create. */
	assert_int_equal(hookstate_lock(f->dirfd, false, 10), -ENOENT);
	/* A planted symlink is not followed. */
	snprintf(path, sizeof(path), "%s/%s/%s", f->dir, SPOOL_STATE,
	    HOOKSTATE_FILE);
	assert_int_equal(symlink("/etc/passwd", path), 0);
	assert_int_equal(hookstate_lock(f->dirfd, true, 10), -ELOOP);
	assert_int_equal(unlink(path), 0);
	/* Nor is anything but a regular file used. */
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(hookstate_lock(f->dirfd, true, 10), -EBADFD);
	assert_int_equal(unlink(path), 0);
}

static struct hookstate_record
record(int64_t seen, int64_t stored, int64_t failed)
{
	struct hookstate_record r = { .magic = HOOKSTATE_MAGIC,
		.version = HOOKSTATE_VERSION,
		.seen = seen,
		.stored = stored,
		.failed = failed };

	return r;
}

/* The crashes the state and its journal count, as a hook without a lock
 * reads them (hookstate_peek()). */
static int64_t
peek_seen(int dirfd)
{
	struct hookstate *st = calloc(1, sizeof(*st));
	int64_t seen;

	assert_non_null(st);
	assert_int_equal(hookstate_peek(dirfd, st), 0);
	seen = (int64_t)st->counters.seen;
	free(st);
	return seen;
}

static void
test_journal_fold(void **state)
{
	struct fixture *f = *state;
	struct hookstate *st = calloc(1, sizeof(*st));
	struct hookstate_record r1 = record(1, 1, 0), r2 = record(0, -1, 1);
	char path[4096];
	struct stat sb;
	int fd;

	assert_non_null(st);
	fresh(st);
	/* No journal: nothing to fold. */
	assert_int_equal(hookstate_fold(f->dirfd, st), 0);
	assert_int_equal(peek_seen(f->dirfd), 0);
	assert_int_equal(hookstate_journal_append(f->dirfd, &r1), 0);
	assert_int_equal(hookstate_journal_append(f->dirfd, &r2), 0);
	/* Two records, one crash. */
	assert_int_equal(peek_seen(f->dirfd), 1);
	snprintf(path, sizeof(path), "%s/%s/%s", f->dir, SPOOL_STATE,
	    HOOKSTATE_JOURNAL);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0600);
	/* A record being written (a part) is not folded yet. */
	fd = open(path, O_WRONLY | O_APPEND);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, &r1, 10), 10);
	close(fd);
	assert_int_equal(hookstate_fold(f->dirfd, st), 2);
	assert_int_equal(st->counters.seen, 1);
	assert_int_equal(st->counters.stored, 0);
	assert_int_equal(st->counters.failed, 1);
	assert_int_equal(st->journal_off, 2 * sizeof(r1));
	/* r1 stored one dump without the lock; r2 moved it to failed. */
	assert_int_equal(st->uncharged_stored, 1);
	/* Folded once: never twice. */
	assert_int_equal(hookstate_fold(f->dirfd, st), 0);
	assert_int_equal(st->counters.seen, 1);
	assert_int_equal(st->uncharged_stored, 1);
	/* Persisted: a reader without the lock folds from journal_off. */
	fd = hookstate_lock(f->dirfd, true, 100);
	assert_true(fd >= 0);
	assert_int_equal(hookstate_write(fd, st), 0);
	close(fd);
	assert_int_equal(peek_seen(f->dirfd), 1);
	free(st);
}

/* The journal's lock: one hook without the state lock at a time. */
static void
test_journal_lock(void **state)
{
	struct fixture *f = *state;
	int a, b;

	a = hookstate_journal_lock(f->dirfd, 100);
	assert_true(a >= 0);
	assert_int_equal(hookstate_journal_lock(f->dirfd, 50), -ETIMEDOUT);
	close(a);
	b = hookstate_journal_lock(f->dirfd, 50);
	assert_true(b >= 0);
	close(b);
}

static void
test_secure_replaces_loose_file(void **state)
{
	struct fixture *f = *state;
	struct hookstate *st = calloc(1, sizeof(*st)),
			 *back = calloc(1, sizeof(*st));
	char path[4200], dir[4096];
	struct stat before, after;
	int fd, old;

	if (geteuid() != 0)
		skip();
	assert_non_null(st);
	assert_non_null(back);
	fresh(st);
	st->counters.seen = 42;
	snprintf(dir, sizeof(dir), "%s/%s", f->dir, SPOOL_STATE);
	snprintf(path, sizeof(path), "%s/%s", dir, HOOKSTATE_FILE);
	/* As an older crashd left them. */
	old = open(path, O_RDWR | O_CREAT, 0644);
	assert_true(old >= 0);
	assert_int_equal(fchmod(old, 0644), 0);
	assert_int_equal(pwrite(old, st, sizeof(*st), 0), sizeof(*st));
	assert_int_equal(chmod(dir, 0755), 0);
	assert_int_equal(fstat(old, &before), 0);
	/* Someone holds the old file's lock. */
	assert_int_equal(flock(old, LOCK_EX), 0);
	fd = hookstate_lock(f->dirfd, true, 100);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &after), 0);
	assert_int_not_equal(before.st_ino, after.st_ino);
	assert_int_equal(after.st_mode & 07777, 0600);
	assert_int_equal(hookstate_read(fd, back), 0);
	assert_int_equal(back->counters.seen, 42);
	close(fd);
	assert_int_equal(stat(dir, &after), 0);
	assert_int_equal(after.st_mode & 07777, SPOOL_STATE_MODE);
	assert_int_equal(hookstate_secure(f->dirfd), 0);
	close(old);
	free(st);
	free(back);
}

static void
test_read_migrates_version_1(void **state)
{
	struct fixture *f = *state;
	struct hookstate *st = calloc(1, sizeof(*st)),
			 *back = calloc(1, sizeof(*st));
	size_t v1 = offsetof(struct hookstate, journal_off);
	int fd;

	assert_non_null(st);
	assert_non_null(back);
	fresh(st);
	st->version = 1;
	st->counters.seen = 7;
	st->tat_dump_ms = NOW;
	fd = hookstate_lock(f->dirfd, true, 100);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, st, v1, 0), (ssize_t)v1);
	assert_int_equal(hookstate_read(fd, back), 0);
	assert_int_equal(back->version, HOOKSTATE_VERSION);
	assert_int_equal(back->counters.seen, 7);
	assert_int_equal(back->tat_dump_ms, NOW);
	assert_int_equal(back->journal_off, 0);
	close(fd);
	free(st);
	free(back);
}

static void
test_snapshot_while_locked(void **state)
{
	struct fixture *f = *state;
	struct hookstate *st = calloc(1, sizeof(*st));
	struct hookstate_record r = record(1, 0, 1);
	int fd;

	assert_non_null(st);
	assert_int_equal(hookstate_snapshot(f->dirfd, st), -ENOENT);
	fd = hookstate_lock(f->dirfd, true, 100);
	assert_true(fd >= 0);
	fresh(st);
	st->counters.seen = 3;
	st->counters.stored = 3;
	assert_int_equal(hookstate_write(fd, st), 0);
	assert_int_equal(hookstate_journal_append(f->dirfd, &r), 0);
	/* The lock is held (fd): the snapshot still reads, with the journal. */
	memset(st, 0, sizeof(*st));
	assert_int_equal(hookstate_snapshot(f->dirfd, st), 0);
	assert_int_equal(st->counters.seen, 4);
	assert_int_equal(st->counters.stored, 3);
	assert_int_equal(st->counters.failed, 1);
	close(fd);
	free(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key),
		cmocka_unit_test(test_slot_same_key),
		cmocka_unit_test(test_slot_evicts_longest_recovered),
		cmocka_unit_test_setup_teardown(
		    test_read_empty_is_fresh, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_read_foreign_is_fresh, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_write_read_roundtrip, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_lock_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_lock_refuses_odd_files, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_journal_fold, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_journal_lock, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_secure_replaces_loose_file, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_read_migrates_version_1, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_snapshot_while_locked, setup, teardown),
	};

	return cmocka_run_group_tests_name("hookstate", tests, NULL, NULL);
}
