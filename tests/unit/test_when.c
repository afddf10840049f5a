/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for cli/when.c: the times crashd-cli --since and --until take
 * (systemd.time(7)'s forms, as coredumpctl reads them), in UTC and in a
 * zone with daylight saving time, and the spans.
 */
#include "testutil.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "when.h"

/* 2026-12-07 22:40:30 UTC, a Monday. */
#define NOW 1796683230LL

static void
check(const char *s, long long want)
{
	long long v = -1;
	int r = when_parse(s, NOW, &v);

	if (r != 0)
		fail_msg("when_parse(\"%s\") = %d, want %lld", s, r, want);
	if (v != want)
		fail_msg("when_parse(\"%s\") = %lld, want %lld (off by %lld)",
		    s, v, want, v - want);
}

static void
check_err(const char *s)
{
	long long v = 12345;

	if (when_parse(s, NOW, &v) != -EINVAL)
		fail_msg("when_parse(\"%s\") took it (%lld)", s, v);
}

static void
use_tz(const char *tz)
{
	setenv("TZ", tz, 1);
	tzset();
}

static void
test_relative(void **state)
{
	(void)state;
	use_tz("UTC");
	check("now", NOW);
	check("10 minutes ago", NOW - 600);
	check("10min ago", NOW - 600);
	check("1h ago", NOW - 3600);
	check("1h 30min ago", NOW - 5400);
	check("1h30m ago", NOW - 5400);
	check("2 days ago", NOW - 2 * 86400);
	check("90 ago", NOW - 90);
	check("-1h", NOW - 3600);
	check("-5m", NOW - 300);
	check("+5min", NOW + 300);
	check("1 week ago", NOW - 604800);
	check("5min left", NOW + 300);
	check("@0", 0);
	check("@1796683230", NOW);
}

static void
test_absolute_utc(void **state)
{
	(void)state;
	use_tz("UTC");
	check("today", NOW - (22 * 3600 + 40 * 60 + 30));
	check("yesterday", NOW - (22 * 3600 + 40 * 60 + 30) - 86400);
	check("tomorrow", NOW - (22 * 3600 + 40 * 60 + 30) + 86400);
	check("22:35", NOW - 5 * 60 - 30);
	check("22:35:00", NOW - 5 * 60 - 30);
	check("2026-12-07 22:35:00", NOW - 5 * 60 - 30);
	check("2026-12-07T22:35:00", NOW - 5 * 60 - 30);
	check("2026-12-07 22:35", NOW - 5 * 60 - 30);
	check("2026-12-07", NOW - (22 * 3600 + 40 * 60 + 30));
	check("2026-12-07 22:35:00 UTC", NOW - 5 * 60 - 30);
	check("2026-12-07T22:35:00Z", NOW - 5 * 60 - 30);
}

static void
test_local_zone(void **state)
{
	(void)state;
	/* Berlin: UTC+1 in December, UTC+2 in July. */
	use_tz("CET-1CEST,M3.5.0,M10.5.0/3");
	check("2026-12-07 23:35:00", NOW - 5 * 60 - 30);
	check("2026-12-07 22:35:00 UTC", NOW - 5 * 60 - 30);
	check("23:35", NOW - 5 * 60 - 30);
	check("2026-07-01 02:00", 1782864000LL);
	/* Its day starts at 23:00 UTC the day before. */
	check("today", NOW - (22 * 3600 + 40 * 60 + 30) - 3600);
	check("2026-12-08", NOW - (22 * 3600 + 40 * 60 + 30) + 86400 - 3600);
	use_tz("UTC");
}

static void
test_invalid(void **state)
{
	(void)state;
	use_tz("UTC");
	check_err("");
	check_err("soon");
	check_err("10 lightyears ago");
	check_err("ago");
	check_err(" ago");
	check_err("-");
	check_err("-1x");
	check_err("@");
	check_err("@12x");
	check_err("25:00");
	check_err("2026-13-01");
	check_err("26-12-07 22:35");
	check_err("12026-12-07");
	check_err("2026-12-07 22:35:00 junk");
	check_err("1h ago ago");
	check_err("99999999999999999999 seconds ago");
}

static void
test_span(void **state)
{
	long long v = 0;

	(void)state;
	assert_int_equal(when_parse_span("10 minutes", 10, &v), 0);
	assert_int_equal(v, 600);
	assert_int_equal(when_parse_span("1h 2m 3s", 8, &v), 0);
	assert_int_equal(v, 3723);
	assert_int_equal(when_parse_span("2d", 2, &v), 0);
	assert_int_equal(v, 172800);
	/* Only the first len bytes are read. */
	assert_int_equal(when_parse_span("5m trailing", 2, &v), 0);
	assert_int_equal(v, 300);
	assert_int_equal(when_parse_span("", 0, &v), -EINVAL);
	assert_int_equal(when_parse_span("m", 1, &v), -EINVAL);
	assert_int_equal(when_parse_span("5 5x", 4, &v), -EINVAL);
	assert_int_equal(
	    when_parse_span("9999999999999999999y", 20, &v), -ERANGE);
}

static void
test_format_has_zone(void **state)
{
	char buf[64];

	(void)state;
	use_tz("UTC");
	when_format(NOW, buf, sizeof(buf));
	assert_string_equal(buf, "2026-12-07 22:40:30 UTC");
	use_tz("CET-1CEST,M3.5.0,M10.5.0/3");
	when_format(NOW, buf, sizeof(buf));
	assert_string_equal(buf, "2026-12-07 23:40:30 CET");
	use_tz("UTC");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_relative),
		cmocka_unit_test(test_absolute_utc),
		cmocka_unit_test(test_local_zone),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_span),
		cmocka_unit_test(test_format_has_zone),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
