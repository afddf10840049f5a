/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The delete action (daemon/action_delete.c) on a real dump directory in
 * a temp spool: when a delayed delete is due, what a run at once and one
 * at its age remove, what they say, and when the dump's record went with
 * the dump.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "action_delete.h"
#include "buf.h"
#include "dump.h"
#include "fsutil.h"
#include "items.h"
#include "journal.h"
#include "testutil.h"

#define NAME "1800000000-1234-victim"
#define HOUR_MS (3600ULL * 1000)

static void
put(int dfd, const char *item, const char *data)
{
	int fd =
	    openat(dfd, item, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);

	assert_true(fd >= 0);
	assert_int_equal(write_all(fd, data, strlen(data)), 0);
	assert_int_equal(close(fd), 0);
}

/* A dump NAME with a core.mini in the spool of t, opened. */
static struct dump *
make_dump(const struct tu_dir *t)
{
	struct dump *d = NULL;
	int dfd;

	assert_int_equal(mkdirat(t->fd, NAME, 0750), 0);
	dfd = open_dir_at(t->fd, NAME);
	assert_true(dfd >= 0);
	put(dfd, DUMP_ITEM_TIME, "1800000000\n");
	put(dfd, DUMP_ITEM_CORE_MINI, "\177ELF");
	assert_int_equal(close(dfd), 0);
	assert_int_equal(dump_open(t->fd, NAME, &d), 0);
	return d;
}

static bool
exists(const struct tu_dir *t, const char *path)
{
	return faccessat(t->fd, path, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

static void
test_due(void **state)
{
	struct action_config ac = { .name = "old", .type = ACTION_DELETE };
	long long t = 1800000000;

	(void)state;
	/* Without "after" it runs at once: the sweep has nothing to do. */
	assert_false(action_delete_is_delayed(&ac));
	assert_false(action_delete_due(&ac, t, t + 86400, true));
	ac.after_ms = HOUR_MS;
	assert_true(action_delete_is_delayed(&ac));
	assert_false(action_delete_due(&ac, t, t + 3599, true));
	assert_true(action_delete_due(&ac, t, t + 3600, true));
	/* The whole dump goes with or without a core. */
	assert_true(action_delete_due(&ac, t, t + 3600, false));
	/* Its core only: nothing to do without one. */
	ac.what = DELETE_CORE;
	assert_true(action_delete_due(&ac, t, t + 3600, true));
	assert_false(action_delete_due(&ac, t, t + 3600, false));
	/* Only delete actions are delayed deletes. */
	ac.type = ACTION_EXEC;
	assert_false(action_delete_is_delayed(&ac));
	assert_false(action_delete_due(&ac, t, t + 3600, true));
}

static void
test_removed_dump(void **state)
{
	struct action_config ac = { .name = "rm", .type = ACTION_DELETE };

	(void)state;
	assert_true(action_delete_removed_dump(&ac, ACTION_OK));
	assert_false(action_delete_removed_dump(&ac, ACTION_FAILED));
	assert_false(action_delete_removed_dump(&ac, ACTION_SKIPPED));
	ac.what = DELETE_CORE; /* the core only: the record stays */
	assert_false(action_delete_removed_dump(&ac, ACTION_OK));
	ac.what = DELETE_DUMP;
	ac.type = ACTION_EXEC;
	assert_false(action_delete_removed_dump(&ac, ACTION_OK));
}

/* A delete run at once: the core, then the dump; "after" only schedules. */
static void
test_run(void **state)
{
	const struct tu_dir *t = *state;
	const struct action_ops *ops = action_ops_for(ACTION_DELETE);
	struct action_config ac = { .name = "rm", .type = ACTION_DELETE };
	struct dump *d = make_dump(t);
	struct action_event ev = { .dump = d, .spool_dirfd = t->fd };
	struct buf detail;

	assert_non_null(ops);
	assert_non_null(ops->run);
	buf_init(&detail, 4096);
	ac.after_ms = HOUR_MS;
	assert_int_equal(ops->run(&ac, &ev, &detail), ACTION_SKIPPED);
	assert_string_equal(detail.data, "scheduled at an age of 3600s");
	assert_true(exists(t, NAME "/" DUMP_ITEM_CORE_MINI));
	buf_done(&detail);

	buf_init(&detail, 4096);
	ac.after_ms = 0;
	ac.what = DELETE_CORE;
	assert_int_equal(ops->run(&ac, &ev, &detail), ACTION_OK);
	assert_string_equal(detail.data, "core removed");
	assert_false(exists(t, NAME "/" DUMP_ITEM_CORE_MINI));
	assert_true(exists(t, NAME));
	buf_done(&detail);

	buf_init(&detail, 4096);
	ac.what = DELETE_DUMP;
	assert_int_equal(ops->run(&ac, &ev, &detail), ACTION_OK);
	assert_string_equal(detail.data, "dump removed");
	assert_false(exists(t, NAME));
	buf_done(&detail);
	dump_free(d);
}

/* At its age: the core (said in the record), once; then the dump. */
static void
test_at_age(void **state)
{
	const struct tu_dir *t = *state;
	struct action_config ac = { .name = "old-core",
		.type = ACTION_DELETE,
		.what = DELETE_CORE,
		.after_ms = HOUR_MS };
	struct dump *d = make_dump(t);
	struct journal j;

	assert_int_equal(action_delete_at_age(&ac, t->fd, d), 1);
	assert_false(exists(t, NAME "/" DUMP_ITEM_CORE_MINI));
	assert_int_equal(journal_load(d->dirfd, &j), 0);
	assert_int_equal(journal_state(&j, "old-core"), JOURNAL_DONE);
	journal_done(&j);
	/* Nothing left to remove: nothing said. */
	assert_int_equal(action_delete_at_age(&ac, t->fd, d), 0);

	ac.name = "old";
	ac.what = DELETE_DUMP;
	assert_int_equal(action_delete_at_age(&ac, t->fd, d), 2);
	assert_false(exists(t, NAME));
	dump_free(d);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, tu_dir_setup, tu_dir_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_due),
		cmocka_unit_test(test_removed_dump),
		T(test_run),
		T(test_at_age),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
