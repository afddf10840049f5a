/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for hook/policy.c: ignore globs, dump and core limits per
 * executable and in all, the spool caps and mode none.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "hookstate.h"
#include "policy.h"

#define NOW 1795399730000LL
#define MIN_MS (60 * 1000LL)
#define PLENTY (1ULL << 40) /* free bytes */

struct fixture {
	struct config c;
	struct hookstate st;
	char *ignore[4];
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_int_equal(config_defaults(&f->c), 0);
	free(f->c.hook.ignore);
	f->ignore[0] = "*/php-fpm";
	f->ignore[1] = "/opt/test/*";
	f->ignore[2] = NULL;
	f->c.hook.ignore = f->ignore;
	f->st.magic = HOOKSTATE_MAGIC;
	f->st.version = HOOKSTATE_VERSION;
	/* No core limits unless a test sets them. */
	f->c.hook.cores_per_executable = (struct rate){ 1000, 1 };
	f->c.hook.cores_global = (struct rate){ 1000, 1 };
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	f->c.hook.ignore = NULL;
	config_done(&f->c);
	free(f);
	return 0;
}

static struct policy_decision
decide_all(struct fixture *f, const char *exe, int64_t now, uint64_t free_bytes,
    int writers)
{
	struct policy_decision d;

	memset(&d, 0xa5, sizeof(d));
	policy_decide(&f->c.hook, &f->st, exe, now, free_bytes, writers, &d);
	return d;
}

static struct policy_decision
decide(struct fixture *f, const char *exe, int64_t now, uint64_t free_bytes)
{
	return decide_all(f, exe, now, free_bytes, 0);
}

static struct policy_decision
decide_writers(struct fixture *f, const char *exe, int writers)
{
	return decide_all(f, exe, NOW, PLENTY, writers);
}

static void
test_verdict_names(void **state)
{
	(void)state;
	assert_string_equal(policy_verdict_to_string(POLICY_STORE), "store");
	assert_string_equal(
	    policy_verdict_to_string(POLICY_IGNORED), "ignored");
	assert_non_null(policy_verdict_to_string(POLICY_RATE_EXECUTABLE));
	assert_non_null(policy_verdict_to_string(POLICY_RATE_GLOBAL));
	assert_null(policy_verdict_to_string(_POLICY_VERDICT_MAX));
}

static void
test_ignored(void **state)
{
	struct fixture *f = *state;
	struct hook_config *hc = &f->c.hook;

	assert_string_equal(
	    policy_ignored(hc, "/usr/sbin/php-fpm"), "*/php-fpm");
	assert_string_equal(
	    policy_ignored(hc, "/opt/remi/php81/root/php-fpm"), "*/php-fpm");
	assert_string_equal(
	    policy_ignored(hc, "/opt/test/crasher"), "/opt/test/*");
	assert_null(policy_ignored(hc, "/usr/sbin/php-fpm8.2"));
	assert_null(policy_ignored(hc, "php-fpm"));
	assert_null(policy_ignored(hc, "/usr/bin/perl"));
	assert_null(policy_ignored(hc, ""));
	hc->ignore = NULL;
	assert_null(policy_ignored(hc, "/usr/sbin/php-fpm"));
	hc->ignore = f->ignore;
}

static void
test_ignored_charges_nothing(void **state)
{
	struct fixture *f = *state;
	struct hookstate before = f->st;
	struct policy_decision d;

	for (int i = 0; i < 20; i++) {
		d = decide(f, "/usr/sbin/php-fpm", NOW, PLENTY);
		assert_int_equal(d.verdict, POLICY_IGNORED);
		assert_false(d.keep_core);
		assert_string_equal(d.ignored_by, "*/php-fpm");
	}
	assert_memory_equal(&f->st, &before, sizeof(before));
}

static void
test_per_executable_limit(void **state)
{
	struct fixture *f = *state;
	struct policy_decision d;

	/* Defaults: per_executable 5/10m, global 100/10m. */
	for (int i = 0; i < 5; i++) {
		d = decide(f, "/usr/bin/perl", NOW, PLENTY);
		assert_int_equal(d.verdict, POLICY_STORE);
		assert_null(d.ignored_by);
	}
	d = decide(f, "/usr/bin/perl", NOW, PLENTY);
	assert_int_equal(d.verdict, POLICY_RATE_EXECUTABLE);
	assert_false(d.keep_core);
	/* Another executable is not held back by perl's flood. */
	d = decide(f, "/usr/bin/python3", NOW, PLENTY);
	assert_int_equal(d.verdict, POLICY_STORE);
	/* Perl gets one more after 10m / 5. */
	d = decide(f, "/usr/bin/perl", NOW + 2 * MIN_MS, PLENTY);
	assert_int_equal(d.verdict, POLICY_STORE);
	d = decide(f, "/usr/bin/perl", NOW + 2 * MIN_MS, PLENTY);
	assert_int_equal(d.verdict, POLICY_RATE_EXECUTABLE);
}

static void
test_global_limit(void **state)
{
	struct fixture *f = *state;
	struct policy_decision d;
	char exe[64];

	f->c.hook.global = (struct rate){ 3, 600 };
	for (int i = 0; i < 3; i++) {
		snprintf(exe, sizeof(exe), "/usr/bin/prog%d", i);
		d = decide(f, exe, NOW, PLENTY);
		assert_int_equal(d.verdict, POLICY_STORE);
	}
	d = decide(f, "/usr/bin/late", NOW, PLENTY);
	assert_int_equal(d.verdict, POLICY_RATE_GLOBAL);
	assert_false(d.keep_core);
	/*
	 * A crash refused by the global limit was not charged to its own
	 * bucket: once the global one recovers, "late" has its full burst.
	 */
	for (int i = 0; i < 10; i++)
		d = decide(f, "/usr/bin/late", NOW + 1000, PLENTY);
	assert_int_equal(d.verdict, POLICY_RATE_GLOBAL);
	f->c.hook.global = (struct rate){ 100, 600 };
	f->st.tat_dump_ms = 0;
	for (int i = 0; i < 5; i++) {
		d = decide(f, "/usr/bin/late", NOW + 2000, PLENTY);
		assert_int_equal(d.verdict, POLICY_STORE);
	}
	d = decide(f, "/usr/bin/late", NOW + 2000, PLENTY);
	assert_int_equal(d.verdict, POLICY_RATE_EXECUTABLE);
}

static void
test_core_limits(void **state)
{
	struct fixture *f = *state;
	struct policy_decision d;

	f->c.hook.cores_per_executable = (struct rate){ 2, 3600 };
	f->c.hook.cores_global = (struct rate){ 3, 3600 };
	for (int i = 0; i < 2; i++) {
		d = decide(f, "/usr/bin/a", NOW, PLENTY);
		assert_int_equal(d.verdict, POLICY_STORE);
		assert_true(d.keep_core);
		assert_null(d.no_core_reason);
	}
	/* Stored, but without a core. */
	d = decide(f, "/usr/bin/a", NOW, PLENTY);
	assert_int_equal(d.verdict, POLICY_STORE);
	assert_false(d.keep_core);
	assert_string_equal(d.no_core_reason, "cores_per_executable limit");
	d = decide(f, "/usr/bin/b", NOW, PLENTY);
	assert_true(d.keep_core);
	d = decide(f, "/usr/bin/c", NOW, PLENTY);
	assert_int_equal(d.verdict, POLICY_STORE);
	assert_false(d.keep_core);
	assert_string_equal(d.no_core_reason, "cores_global limit");
	/*
	 * c's own core bucket was not charged by that refusal: when the
	 * global bucket allows again, c keeps two cores.
	 */
	f->c.hook.cores_global = (struct rate){ 1000, 3600 };
	f->st.tat_core_ms = 0;
	d = decide(f, "/usr/bin/c", NOW, PLENTY);
	assert_true(d.keep_core);
	d = decide(f, "/usr/bin/c", NOW, PLENTY);
	assert_true(d.keep_core);
	d = decide(f, "/usr/bin/c", NOW, PLENTY);
	assert_false(d.keep_core);
}

static void
test_storm_keeps_no_core(void **state)
{
	struct fixture *f = *state;
	struct policy_decision d;

	d = decide_writers(f, "/usr/bin/a", POLICY_STORM_WRITERS);
	assert_true(d.keep_core);
	d = decide_writers(f, "/usr/bin/a", POLICY_STORM_WRITERS + 1);
	assert_int_equal(d.verdict, POLICY_STORE);
	assert_false(d.keep_core);
	assert_string_equal(d.no_core_reason,
	    "storm: more than " POLICY_STORM_WRITERS_S
	    " dumps being written at once");
	/* A storm's dump charged no core bucket: two more cores for a. */
	f->c.hook.cores_per_executable = (struct rate){ 2, 3600 };
	f->st = (struct hookstate){ 0 };
	(void)decide_writers(f, "/usr/bin/a", POLICY_STORM_WRITERS + 1);
	assert_true(decide_writers(f, "/usr/bin/a", 0).keep_core);
	assert_true(decide_writers(f, "/usr/bin/a", 0).keep_core);
	assert_false(decide_writers(f, "/usr/bin/a", 0).keep_core);
}

static void
test_spool_max_refuses_what_does_not_fit(void **state)
{
	struct fixture *f = *state;
	struct hookstate before;
	struct policy_decision d;

	/* Not even the identifying items fit: not stored. */
	f->c.hook.spool_max = 1ULL << 30;
	f->st.spool_bytes = (1ULL << 30) - POLICY_MIN_DUMP + 1;
	before = f->st;
	d = decide(f, "/usr/bin/a", NOW, PLENTY);
	assert_int_equal(d.verdict, POLICY_STORE);
	assert_true(d.spool_full);
	assert_false(d.keep_core);
	assert_int_equal(d.reserved, 0);
	/* Nothing reserved, no core bucket charged. */
	assert_int_equal(f->st.spool_bytes, before.spool_bytes);
	assert_int_equal(f->st.tat_core_ms, before.tat_core_ms);
	assert_int_equal(
	    hookstate_slot(&f->st, hookstate_key("/usr/bin/a"))->tat_core_ms,
	    0);

	/* Just room for a small dump: stored without a core. */
	f->st.spool_bytes = (1ULL << 30) - POLICY_MIN_DUMP;
	d = decide(f, "/usr/bin/a", NOW, PLENTY);
	assert_false(d.spool_full);
	assert_false(d.keep_core);
	assert_string_equal(d.no_core_reason, "spool_max reached");
	assert_int_equal(d.room, POLICY_MIN_DUMP);
	assert_int_equal(d.reserved, POLICY_MIN_DUMP);
	assert_int_equal(f->st.spool_bytes, 1ULL << 30);

	/*
	 * No more than the dump can take (items' caps, core's bound),
	 * reserved: many at once each get that much.
	 */
	f->st.spool_bytes = 0;
	d = decide(f, "/usr/bin/a", NOW, PLENTY);
	assert_true(d.keep_core);
	assert_true(d.room > (64ULL << 20) + (16ULL << 20));
	assert_true(d.room < (64ULL << 20) + (18ULL << 20));
	assert_int_equal(d.reserved, d.room);
	assert_int_equal(f->st.spool_bytes, d.room);
	for (int i = 0; i < 10; i++) {
		char exe[32];
		struct policy_decision e;

		snprintf(exe, sizeof(exe), "/usr/bin/b%d", i);
		e = decide(f, exe, NOW, PLENTY);
		assert_int_equal(e.verdict, POLICY_STORE);
		assert_false(e.spool_full);
		assert_int_equal(e.room, d.room);
	}
	assert_int_equal(f->st.spool_bytes, 11 * d.room);
	/*
	 * Without a core, the items' caps at most, but reserved a little at
	 * first (a burst's dumps must not reserve the spool full) and grown
	 * on demand, by no more than half of what is left.
	 */
	f->c.hook.core_mode = CORE_MODE_NONE;
	f->st.spool_bytes = 0;
	d = decide(f, "/usr/bin/c", NOW, PLENTY);
	assert_true(d.room_max > (16ULL << 20) && d.room_max < (17ULL << 20));
	assert_int_equal(d.room, POLICY_ROOM_FIRST);
	assert_int_equal(d.reserved, POLICY_ROOM_FIRST);
	assert_int_equal(f->st.spool_bytes, POLICY_ROOM_FIRST);
	/*
	 * What is needed and a quarter of the room, within room_max and half
	 * the rest.
	 */
	assert_int_equal(
	    policy_grow(&f->c.hook, &f->st, d.room, d.room_max, 4096),
	    4096 + POLICY_ROOM_FIRST / 4);
	assert_int_equal(f->st.spool_bytes,
	    POLICY_ROOM_FIRST + 4096 + POLICY_ROOM_FIRST / 4);
	assert_int_equal(
	    policy_grow(&f->c.hook, &f->st, d.room, d.room_max, 3ULL << 20),
	    (3ULL << 20) + d.room / 4);
	assert_int_equal(
	    policy_grow(&f->c.hook, &f->st, d.room, d.room_max, 64ULL << 20),
	    d.room_max - d.room);
	f->st.spool_bytes = (1ULL << 30) - (4ULL << 20);
	assert_int_equal(
	    policy_grow(&f->c.hook, &f->st, d.room, d.room_max, 8ULL << 20),
	    2ULL << 20);
	assert_int_equal(f->st.spool_bytes, (1ULL << 30) - (2ULL << 20));
	assert_int_equal(policy_grow(&f->c.hook, &f->st, 5, 5, 1), 0);
	f->c.hook.core_mode = CORE_MODE_MINI;
	/* Full mode: no bound but the room, half of what is left. */
	f->c.hook.core_mode = CORE_MODE_FULL;
	f->st.spool_bytes = 0;
	d = decide(f, "/usr/bin/d", NOW, PLENTY);
	assert_true(d.keep_core);
	assert_int_equal(d.room, 1ULL << 29);
	f->c.hook.core_mode = CORE_MODE_MINI;

	/* 0 is no cap: nothing reserved. */
	f->c.hook.spool_max = 0;
	f->st.spool_bytes = UINT64_MAX;
	d = decide(f, "/usr/bin/c", NOW, PLENTY);
	assert_true(d.keep_core);
	assert_false(d.spool_full);
	/* (Bounded by what the dump can take only.) */
	assert_true(d.room < (64ULL << 20) + (18ULL << 20));
	assert_int_equal(d.reserved, 0);
	assert_int_equal(f->st.spool_bytes, UINT64_MAX);
}

static void
test_keep_free_bounds_the_dump(void **state)
{
	struct fixture *f = *state;
	struct policy_decision d;

	f->c.hook.keep_free = 1ULL << 30;
	f->c.hook.spool_max = 0;
	/* Below the floor: the identifying items only, no core. */
	d = decide(f, "/usr/bin/a", NOW, (1ULL << 30) - 1);
	assert_int_equal(d.verdict, POLICY_STORE);
	assert_false(d.spool_full);
	assert_true(d.identity_only);
	assert_false(d.keep_core);
	assert_string_equal(d.no_core_reason, "keep_free floor reached");
	assert_int_equal(f->st.tat_core_ms, 0);
	d = decide(f, "/usr/bin/a", NOW, 0);
	assert_int_equal(d.verdict, POLICY_STORE);
	assert_true(d.identity_only);
	assert_false(d.keep_core);
	/* Above it: the dump may take what is left above the floor. */
	d = decide(f, "/usr/bin/a", NOW, (1ULL << 30) + (8ULL << 20));
	assert_false(d.identity_only);
	assert_true(d.keep_core);
	assert_int_equal(d.room, 8ULL << 20);
	assert_string_equal(d.room_reason, "keep_free");
	/* keep_free reserves nothing in the state: the disk says. */
	assert_int_equal(d.reserved, 0);
	assert_int_equal(f->st.spool_bytes, 0);
}

static void
test_mode_none(void **state)
{
	struct fixture *f = *state;
	struct policy_decision d;

	f->c.hook.core_mode = CORE_MODE_NONE;
	d = decide(f, "/usr/bin/a", NOW, PLENTY);
	assert_int_equal(d.verdict, POLICY_STORE);
	assert_false(d.keep_core);
	assert_string_equal(d.no_core_reason, "mode none");
	assert_int_equal(f->st.tat_core_ms, 0);
}

static void
test_limit_zero_stores_nothing(void **state)
{
	struct fixture *f = *state;
	struct policy_decision d;

	f->c.hook.per_executable = (struct rate){ 0, 3600 };
	d = decide(f, "/usr/bin/a", NOW, PLENTY);
	assert_int_equal(d.verdict, POLICY_RATE_EXECUTABLE);
	f->c.hook.per_executable = (struct rate){ 5, 600 };
	f->c.hook.cores_global = (struct rate){ 0, 3600 };
	d = decide(f, "/usr/bin/a", NOW, PLENTY);
	assert_int_equal(d.verdict, POLICY_STORE);
	assert_false(d.keep_core);
}

/*
 * The clock jumps back a day after an executable used its burst: one
 * window later its crashes are stored again (not a day later).
 */
static void
test_clock_backwards(void **state)
{
	struct fixture *f = *state;
	struct policy_decision d;
	int64_t back = NOW - 86400 * 1000LL;

	for (int i = 0; i < 5; i++)
		assert_int_equal(
		    decide(f, "/usr/bin/a", NOW, PLENTY).verdict, POLICY_STORE);
	(void)decide(f, "/usr/bin/a", back, PLENTY);
	d = decide(f, "/usr/bin/a", back + 10 * MIN_MS, PLENTY);
	assert_int_equal(d.verdict, POLICY_STORE);
}

/* More executables than slots: the state stays bounded and sane. */
static void
test_many_executables(void **state)
{
	struct fixture *f = *state;
	struct policy_decision d;
	char exe[64];
	int stored = 0;

	f->c.hook.global = (struct rate){ 100000, 600 };
	for (int i = 0; i < 4 * HOOKSTATE_SLOTS; i++) {
		snprintf(exe, sizeof(exe), "/usr/bin/p%d", i);
		d = decide(f, exe, NOW + i, PLENTY);
		stored += d.verdict == POLICY_STORE;
	}
	assert_int_equal(stored, 4 * HOOKSTATE_SLOTS);
}

/*
 * Dumps a hook stored without the lock (folded from the journal) take
 * their share of the global limit: the lock holders admit only the rest,
 * and what the journal stored past the limit never makes the bucket lock
 * out for longer than its window.
 */
static void
test_journal_stores_charge_the_global_limit(void **state)
{
	struct fixture *f = *state;
	struct policy_decision d;
	char exe[64];
	int stored = 0;

	f->c.hook.global = (struct rate){ 10, 600 };
	f->st.uncharged_stored = 7;
	for (int i = 0; i < 20; i++) {
		snprintf(exe, sizeof(exe), "/usr/bin/p%d", i);
		d = decide(f, exe, NOW, PLENTY);
		stored += d.verdict == POLICY_STORE;
	}
	assert_int_equal(stored, 3);
	assert_int_equal(f->st.uncharged_stored, 0);
	/* Charged once: the next decisions do not charge them again. */
	f->st.tat_dump_ms = 0;
	d = decide(f, "/usr/bin/again", NOW, PLENTY);
	assert_int_equal(d.verdict, POLICY_STORE);
	/* A thousand past the limit: locked out one window, not a hundred. */
	f->st.tat_dump_ms = 0;
	f->st.uncharged_stored = 1000;
	d = decide(f, "/usr/bin/flood", NOW, PLENTY);
	assert_int_equal(d.verdict, POLICY_RATE_GLOBAL);
	d = decide(f, "/usr/bin/flood", NOW + 601 * 1000, PLENTY);
	assert_int_equal(d.verdict, POLICY_STORE);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_verdict_names),
		T(test_ignored),
		T(test_ignored_charges_nothing),
		T(test_per_executable_limit),
		T(test_global_limit),
		T(test_core_limits),
		T(test_storm_keeps_no_core),
		T(test_spool_max_refuses_what_does_not_fit),
		T(test_keep_free_bounds_the_dump),
		T(test_mode_none),
		T(test_limit_zero_stores_nothing),
		T(test_clock_backwards),
		T(test_many_executables),
		T(test_journal_stores_charge_the_global_limit),
	};

	return cmocka_run_group_tests_name("policy", tests, NULL, NULL);
}
