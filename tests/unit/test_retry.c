/* SPDX-License-Identifier: GPL-2.0-or-later */
/* retry.c: the backoff of a dump that failed, and what takes it off. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "retry.h"

static void
test_backoff_doubles_up_to_the_cap(void **state)
{
	struct retry rt;
	char name[64];
	int64_t now = 1000000, want = RETRY_FIRST_MS;

	(void)state;
	retry_init(&rt);
	assert_false(retry_next_due(&rt, now, name, sizeof(name)));
	for (int i = 0; i < 20; i++) {
		retry_note(&rt, "d1", -ENOSPC, now);
		assert_int_equal(retry_pending(&rt), 1);
		assert_int_equal(rt.v[0].failures, i + 1);
		assert_int_equal(rt.v[0].error, -ENOSPC);
		/* 1 s, 2 s, 4 s ... then 5 min for good. */
		assert_int_equal(rt.v[0].due_ms - now, want);
		/* Not due a millisecond early; due on time. */
		assert_false(retry_next_due(&rt, now + want - 1, name, 64));
		assert_true(retry_next_due(&rt, now + want, name, 64));
		assert_string_equal(name, "d1");
		now += want;
		want = want * 2 > RETRY_MAX_MS ? RETRY_MAX_MS : want * 2;
	}
	assert_int_equal(want, RETRY_MAX_MS);
	assert_int_equal(rt.failures, 20);
	retry_done(&rt);
}

static void
test_success_stop_and_nothing_to_do(void **state)
{
	struct retry rt;
	char name[64];

	(void)state;
	retry_init(&rt);
	retry_note(&rt, "a", -EIO, 0);
	retry_note(&rt, "b", -ENOSPC, 10);
	retry_note(&rt, "c", -ENOSPC, 20);
	assert_int_equal(retry_pending(&rt), 3);
	/* The earliest due first. */
	assert_true(retry_next_due(&rt, 5000, name, sizeof(name)));
	assert_string_equal(name, "a");
	/* A stop is no outcome: still there, not counted. */
	retry_note(&rt, "a", -EINTR, 5000);
	assert_int_equal(retry_pending(&rt), 3);
	assert_int_equal(rt.failures, 3);
	/* Processed, or nothing to do (gone, quarantined): off the list. */
	retry_note(&rt, "a", 1, 5000);
	retry_note(&rt, "b", 0, 5000);
	assert_int_equal(retry_pending(&rt), 1);
	assert_true(retry_next_due(&rt, 5000, name, sizeof(name)));
	assert_string_equal(name, "c");
	/* A name that does not fit is not handed out cut. */
	assert_false(retry_next_due(&rt, 5000, name, 1));
	/* Success of a dump never on the list changes nothing. */
	retry_note(&rt, "z", 1, 5000);
	assert_int_equal(retry_pending(&rt), 1);
	retry_clear(&rt);
	assert_int_equal(retry_pending(&rt), 0);
	assert_int_equal(rt.failures, 3);
	retry_done(&rt);
	retry_done(NULL);
}

static void
test_many(void **state)
{
	struct retry rt;
	char name[64];
	int n = 0;

	(void)state;
	retry_init(&rt);
	for (int i = 0; i < 500; i++) {
		snprintf(name, sizeof(name), "dump-%03d", i);
		retry_note(&rt, name, -ENOSPC, i);
	}
	assert_int_equal(retry_pending(&rt), 500);
	while (retry_next_due(&rt, 10000, name, sizeof(name))) {
		retry_note(&rt, name, 1, 10000);
		n++;
	}
	assert_int_equal(n, 500);
	assert_int_equal(retry_pending(&rt), 0);
	retry_done(&rt);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backoff_doubles_up_to_the_cap),
		cmocka_unit_test(test_success_stop_and_nothing_to_do),
		cmocka_unit_test(test_many),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
