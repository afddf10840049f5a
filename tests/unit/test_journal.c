/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for daemon/journal.c on a temp dump directory: the record of
 * what was done to a dump (appended, fsync'd, read back), each action's
 * state in it, and the notify decision it keeps.
 */
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"
#include "journal.h"

static void
test_absent_is_empty(void **state)
{
	struct tu_dir *f = *state;
	struct journal j;

	assert_int_equal(journal_load(f->fd, &j), 0);
	assert_string_equal(j.text, "");
	assert_false(j.has_decision);
	assert_int_equal(journal_state(&j, "mail"), JOURNAL_NONE);
	journal_done(&j);
	journal_done(&j);
	journal_done(NULL);
}

static void
test_states(void **state)
{
	struct tu_dir *f = *state;
	struct journal j;
	struct stat st;

	assert_int_equal(journal_append(f->fd, "mail start id=%d", 1), 0);
	assert_int_equal(journal_append(f->fd, "mail done ok"), 0);
	assert_int_equal(journal_append(f->fd, "hook start"), 0);
	/* A label that is a prefix of another is not it. */
	assert_int_equal(journal_append(f->fd, "webhook2 done ok"), 0);
	assert_int_equal(fstatat(f->fd, JOURNAL_ITEM, &st, 0), 0);
	assert_int_equal(st.st_mode & 0777, 0640);

	assert_int_equal(journal_load(f->fd, &j), 0);
	assert_int_equal(journal_state(&j, "mail"), JOURNAL_DONE);
	assert_int_equal(journal_state(&j, "hook"), JOURNAL_STARTED);
	assert_int_equal(journal_state(&j, "webhook"), JOURNAL_NONE);
	assert_int_equal(journal_state(&j, "webhook2"), JOURNAL_DONE);
	assert_int_equal(journal_state(&j, "exec"), JOURNAL_NONE);
	/* Each line: TIME LABEL WHAT. */
	assert_non_null(strstr(j.text, "Z mail start id=1\n"));
	assert_int_equal(j.text[4], '-');
	journal_done(&j);

	/* Done stays done even if started again (a replay). */
	assert_int_equal(journal_append(f->fd, "mail start id=2"), 0);
	assert_int_equal(journal_load(f->fd, &j), 0);
	assert_int_equal(journal_state(&j, "mail"), JOURNAL_DONE);
	journal_done(&j);
}

static void
test_decision_roundtrip(void **state)
{
	struct tu_dir *f = *state;
	struct decision dc = { .event = "hold",
		.count = 7,
		.held = 3,
		.since = 1795399730,
		.first = "20261123T043658.123456Z-1-x" };
	struct journal j;

	assert_int_equal(journal_append(f->fd, "mail done ok"), 0);
	assert_int_equal(journal_append_decision(f->fd, &dc), 0);
	assert_int_equal(journal_load(f->fd, &j), 0);
	assert_true(j.has_decision);
	assert_string_equal(j.decision.event, "hold");
	assert_int_equal(j.decision.count, 7);
	assert_int_equal(j.decision.held, 3);
	assert_int_equal(j.decision.since, 1795399730);
	assert_string_equal(j.decision.first, dc.first);
	/* The decision is no action's state. */
	assert_int_equal(journal_state(&j, "decision"), JOURNAL_NONE);
	journal_done(&j);

	/* No first: "-", read back as "". */
	memset(&dc, 0, sizeof(dc));
	snprintf(dc.event, sizeof(dc.event), "first");
	dc.count = 1;
	assert_int_equal(journal_append_decision(f->fd, &dc), 0);
	assert_int_equal(journal_load(f->fd, &j), 0);
	assert_string_equal(j.decision.event, "first"); /* the last one */
	assert_int_equal(j.decision.count, 1);
	assert_string_equal(j.decision.first, "");
	journal_done(&j);
}

static void
test_refuses_symlink(void **state)
{
	struct tu_dir *f = *state;
	struct journal j;

	assert_int_equal(symlinkat("elsewhere", f->fd, JOURNAL_ITEM), 0);
	assert_true(journal_append(f->fd, "mail start") < 0);
	assert_int_equal(
	    faccessat(f->fd, "elsewhere", F_OK, AT_SYMLINK_NOFOLLOW), -1);
	assert_true(journal_load(f->fd, &j) < 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_absent_is_empty, tu_dir_setup, tu_dir_teardown),
		cmocka_unit_test_setup_teardown(
		    test_states, tu_dir_setup, tu_dir_teardown),
		cmocka_unit_test_setup_teardown(
		    test_decision_roundtrip, tu_dir_setup, tu_dir_teardown),
		cmocka_unit_test_setup_teardown(
		    test_refuses_symlink, tu_dir_setup, tu_dir_teardown),
	};

	return cmocka_run_group_tests_name("journal", tests, NULL, NULL);
}
