/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for common/ratelimit.c: the GCRA shared by the hook's dump
 * and core limits and the daemon's notification limits.
 */
#include "testutil.h"

#include <stdint.h>

#include "ratelimit.h"

#define MIN_MS (60 * 1000LL)
#define DAY_MS (86400 * 1000LL)
/* A realistic CLOCK_REALTIME in milliseconds (November 2026). */
#define NOW 1795399730000LL

static int
burst(int64_t *tat, const struct rate *rate, int64_t now, int tries)
{
	int allowed = 0;

	for (int i = 0; i < tries; i++)
		allowed += ratelimit_allow(tat, rate, now);
	return allowed;
}

static void
test_burst_then_refuse(void **state)
{
	const struct rate r = { 5, 600 }; /* 5/10m */
	int64_t tat = 0, before;

	(void)state;
	for (int i = 0; i < 5; i++)
		assert_true(ratelimit_allow(&tat, &r, NOW));
	before = tat;
	assert_false(ratelimit_allow(&tat, &r, NOW));
	assert_false(ratelimit_allow(&tat, &r, NOW + 1000));
	/* A refusal charges nothing. */
	assert_int_equal(tat, before);
}

static void
test_recovers(void **state)
{
	const struct rate r = { 5, 600 }; /* one every 2 minutes */
	int64_t tat = 0;

	(void)state;
	assert_int_equal(burst(&tat, &r, NOW, 10), 5);
	/* Just before one interval: still nothing. */
	assert_false(ratelimit_allow(&tat, &r, NOW + 2 * MIN_MS - 1));
	/* After window/count one more is allowed, and only one. */
	assert_int_equal(burst(&tat, &r, NOW + 2 * MIN_MS, 10), 1);
	assert_int_equal(burst(&tat, &r, NOW + 4 * MIN_MS, 10), 1);
	/* After a quiet full window, the whole burst again. */
	assert_int_equal(
	    burst(&tat, &r, NOW + 4 * MIN_MS + 10 * MIN_MS, 10), 5);
	/* Long idle does not bank more than one burst. */
	assert_int_equal(burst(&tat, &r, NOW + 365 * DAY_MS, 10), 5);
}

static void
test_steady_rate(void **state)
{
	const struct rate r = { 1, 1 }; /* 1/1s */
	int64_t tat = 0;
	int allowed = 0;

	(void)state;
	/* Ten attempts a second for a minute: about one per second passes. */
	for (int64_t t = 0; t < 60 * 1000; t += 100)
		allowed += ratelimit_allow(&tat, &r, NOW + t);
	assert_int_equal(allowed, 60);
}

static void
test_count_zero_refuses(void **state)
{
	const struct rate r = { 0, 3600 };
	int64_t tat = 0;

	(void)state;
	assert_false(ratelimit_allow(&tat, &r, NOW));
	assert_false(ratelimit_allow(&tat, &r, NOW + 365 * DAY_MS));
	assert_int_equal(tat, 0);
}

static void
test_huge_count(void **state)
{
	const struct rate r = { UINT32_MAX, 1 };
	int64_t tat = 0;

	(void)state;
	/* The interval rounds to 1ms, never to 0 (which would allow all). */
	assert_int_equal(burst(&tat, &r, NOW, 2000), 1000);
}

/*
 * The wall clock jumps back a day (NTP, a wrong RTC fixed by hand) just
 * after a burst.  The key must not stay locked until the clock catches up
 * with the old times: one window after the jump it is allowed again (the
 * first crash after the jump may or may not be).
 */
static void
test_clock_backwards(void **state)
{
	const struct rate r = { 5, 600 };
	int64_t tat = 0, back = NOW - DAY_MS;
	int n;

	(void)state;
	assert_int_equal(burst(&tat, &r, NOW, 5), 5);
	(void)ratelimit_allow(&tat, &r, back);
	if (!ratelimit_allow(&tat, &r, back + 10 * MIN_MS))
		fail_msg("still locked out one window after the clock went "
			 "back a day (tat %lld, now %lld)",
		    (long long)tat, (long long)(back + 10 * MIN_MS));
	/* And the limit still holds at the new time. */
	n = burst(&tat, &r, back + 10 * MIN_MS, 10);
	assert_true(n <= 4);
}

/* A small step back (less than a window) grants at most one extra. */
static void
test_small_step_back_keeps_limit(void **state)
{
	const struct rate r = { 5, 600 };
	int64_t tat = 0;

	(void)state;
	assert_int_equal(burst(&tat, &r, NOW, 5), 5);
	assert_true(burst(&tat, &r, NOW - 1000, 10) <= 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_burst_then_refuse),
		cmocka_unit_test(test_recovers),
		cmocka_unit_test(test_steady_rate),
		cmocka_unit_test(test_count_zero_refuses),
		cmocka_unit_test(test_huge_count),
		cmocka_unit_test(test_clock_backwards),
		cmocka_unit_test(test_small_step_back_keeps_limit),
	};

	return cmocka_run_group_tests_name("ratelimit", tests, NULL, NULL);
}
