/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for daemon/notify.c: which crash of a key notifies (first,
 * every Nth, a regression after a quiet time), the rate limits, what is
 * held back, and the summary line of what was.
 */
#include "testutil.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "dedupe.h"
#include "dump.h"
#include "journal.h"
#include "notify.h"

#define HOUR 3600LL
#define T0 1795399730LL /* November 2026 */

struct fixture {
	struct config cfg;
	struct keystate ks;
	int64_t global_tat;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_int_equal(config_defaults(&f->cfg), 0);
	f->cfg.daemon.dedupe_window_ms = 24 * HOUR * 1000;
	f->cfg.daemon.regression_after_ms = 6 * HOUR * 1000;
	f->cfg.daemon.notify_every = 0;
	f->cfg.daemon.notify_rate = (struct rate){ 1000, 1 };
	f->cfg.daemon.notify_global = (struct rate){ 1000, 1 };
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	keystate_done(&f->ks);
	config_done(&f->cfg);
	free(f);
	return 0;
}

static struct dump
crash(const char *name, long long t)
{
	return (struct dump){ .name = (char *)name,
		.executable = (char *)"/usr/bin/ruby",
		.signal = 11,
		.time = t };
}

/* Decides and accounts one crash at t; returns the decision. */
static struct decision
one(struct fixture *f, const char *name, long long t)
{
	struct dump d = crash(name, t);
	struct decision dec;

	notify_decide(&f->cfg.daemon, &f->ks, f->ks.first[0] != '\0', &d,
	    &f->global_tat, &dec);
	assert_int_equal(notify_account(&f->ks, &d, &dec), 0);
	return dec;
}

static void
test_first_then_hold(void **state)
{
	struct fixture *f = *state;
	struct decision dec;

	dec = one(f, "0001-a", T0);
	assert_string_equal(dec.event, "first");
	assert_int_equal(dec.count, 1);
	assert_string_equal(dec.first, "");
	assert_string_equal(f->ks.first, "0001-a");
	assert_string_equal(f->ks.executable, "/usr/bin/ruby");

	dec = one(f, "0002-a", T0 + 60);
	assert_string_equal(dec.event, "hold");
	assert_int_equal(dec.count, 2);
	/* A duplicate of the first of its window. */
	assert_string_equal(dec.first, "0001-a");
	assert_int_equal(f->ks.held_back, 1);
	assert_int_equal(f->ks.held_since, T0 + 60);
	assert_true(notify_decision_notifies(
	    &(struct decision){ .event = "regression" }));
	assert_false(notify_decision_notifies(&dec));
}

static void
test_every_nth(void **state)
{
	struct fixture *f = *state;
	char events[6][16], name[16];

	f->cfg.daemon.notify_every = 3;
	for (int i = 0; i < 6; i++) {
		struct decision dec;

		snprintf(name, sizeof(name), "%04d-a", i + 1);
		dec = one(f, name, T0 + i);
		snprintf(events[i], sizeof(events[i]), "%s", dec.event);
		if (i == 2) {
			/* What was held back goes with the notification. */
			assert_int_equal(dec.held, 1);
			assert_int_equal(dec.since, T0 + 1);
		}
	}
	assert_string_equal(events[0], "first");
	assert_string_equal(events[1], "hold");
	assert_string_equal(events[2], "every");
	assert_string_equal(events[3], "hold");
	assert_string_equal(events[5], "every");
	assert_int_equal(f->ks.held_back, 0);
	assert_int_equal(f->ks.count, 6);
}

static void
test_regression_after_quiet(void **state)
{
	struct fixture *f = *state;
	struct decision dec;

	(void)one(f, "0001-a", T0);
	dec = one(f, "0002-a", T0 + 6 * HOUR - 1);
	assert_string_equal(dec.event, "hold");
	/* Quiet for regression_after since the last one: it is back. */
	dec = one(f, "0003-a", T0 + 12 * HOUR);
	assert_string_equal(dec.event, "regression");
	assert_int_equal(dec.count, 3);
	assert_int_equal(dec.held, 1);
}

static void
test_new_window(void **state)
{
	struct fixture *f = *state;
	struct decision dec;
	struct dump d;

	f->cfg.daemon.regression_after_ms = UINT64_MAX / 2;
	(void)one(f, "0001-a", T0);
	/* Past the dedupe window: a new first. */
	dec = one(f, "0002-a", T0 + 25 * HOUR);
	assert_string_equal(dec.event, "first");
	assert_int_equal(dec.count, 1);
	assert_string_equal(f->ks.first, "0002-a");
	/* Its first gone from the spool: a new first as well. */
	d = crash("0003-a", T0 + 25 * HOUR + 1);
	notify_decide(&f->cfg.daemon, &f->ks, false, &d, &f->global_tat, &dec);
	assert_string_equal(dec.event, "first");
}

/* The global bucket empty: another key's first crash is held. */
static void
test_rate_limit_global(void **state)
{
	struct fixture *f = *state;
	struct keystate other = { 0 };
	struct decision dec;
	struct dump d = crash("0002-b", T0);

	f->cfg.daemon.notify_global = (struct rate){ 1, 3600 };
	assert_string_equal(one(f, "0001-a", T0).event, "first");
	notify_decide(&f->cfg.daemon, &other, false, &d, &f->global_tat, &dec);
	assert_string_equal(dec.event, "rate_limited");
	assert_false(notify_decision_notifies(&dec));
	/* A refused key's bucket is not charged. */
	assert_int_equal(other.tat_ms, 0);
}

/* The key's bucket empty: its regression right after its first is held. */
static void
test_rate_limit_per_key(void **state)
{
	struct fixture *f = *state;
	struct decision dec;
	int64_t global;

	f->cfg.daemon.notify_rate = (struct rate){ 1, 3600 };
	assert_string_equal(one(f, "0001-a", T0).event, "first");
	global = f->global_tat;
	dec = one(f, "0002-a", T0 + 12 * HOUR);
	assert_string_equal(dec.event, "rate_limited");
	assert_int_equal(f->ks.held_back, 1);
	assert_int_equal(f->ks.held_since, T0 + 12 * HOUR);
	/* Refused per key: the global bucket is not charged either. */
	assert_int_equal(f->global_tat, global);
}

static void
test_account_replay_changes_nothing(void **state)
{
	struct fixture *f = *state;
	struct dump d = crash("0002-a", T0 + 60);
	struct decision dec;
	struct keystate before;

	(void)one(f, "0001-a", T0);
	notify_decide(&f->cfg.daemon, &f->ks, true, &d, &f->global_tat, &dec);
	assert_int_equal(notify_account(&f->ks, &d, &dec), 0);
	before = f->ks;
	assert_int_equal(notify_account(&f->ks, &d, &dec), 0);
	assert_int_equal(f->ks.count, before.count);
	assert_int_equal(f->ks.held_back, before.held_back);
	assert_int_equal(f->ks.count, 2);
	assert_int_equal(f->ks.held_back, 1);
}

static void
test_summary(void **state)
{
	char buf[256];

	(void)state;
	/* 2026-11-23 10:02:00 UTC */
	assert_int_equal(notify_summary(buf, sizeof(buf), 41, "/usr/bin/ruby",
			     11, 1795428120LL),
	    1);
	assert_string_equal(buf,
	    "41 more crashes of /usr/bin/ruby SIGSEGV since 2026-11-23 "
	    "10:02:00 UTC");
	assert_int_equal(
	    notify_summary(buf, sizeof(buf), 1, "/bin/x", 6, 0), 1);
	assert_string_equal(buf,
	    "1 more crash of /bin/x SIGABRT since 1970-01-01 00:00:00 UTC");
	assert_int_equal(
	    notify_summary(buf, sizeof(buf), 1, "/bin/x", 99, 0), 1);
	assert_non_null(strstr(buf, "signal 99"));
	assert_int_equal(
	    notify_summary(buf, sizeof(buf), 0, "/bin/x", 6, 0), 0);
	assert_string_equal(buf, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_first_then_hold, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_every_nth, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_regression_after_quiet, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_new_window, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_rate_limit_global, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_rate_limit_per_key, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_account_replay_changes_nothing, setup, teardown),
		cmocka_unit_test(test_summary),
	};

	return cmocka_run_group_tests_name("notify", tests, NULL, NULL);
}
