/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for common/units.c: sizes, durations and rates as written in
 * crashd.conf.
 */
#include "testutil.h"

#include <errno.h>
#include <string.h>

#include "units.h"

static void
check_size(const char *s, uint64_t want)
{
	uint64_t v = 0;
	int r = units_parse_size(s, &v);

	if (r != 0)
		fail_msg("units_parse_size(\"%s\") = %d, want %llu", s, r,
		    (unsigned long long)want);
	if (v != want)
		fail_msg("units_parse_size(\"%s\") = %llu, want %llu", s,
		    (unsigned long long)v, (unsigned long long)want);
}

static void
check_size_err(const char *s, int want)
{
	uint64_t v = 12345;
	int r = units_parse_size(s, &v);

	if (r != want)
		fail_msg("units_parse_size(\"%s\") = %d, want %d", s, r, want);
	assert_int_equal(v, 12345); /* untouched on error */
}

static void
test_size_valid(void **state)
{
	(void)state;
	check_size("0", 0);
	check_size("512", 512);
	check_size("64K", 64ULL << 10);
	check_size("64k", 64ULL << 10);
	check_size("64M", 64ULL << 20);
	check_size("64MiB", 64ULL << 20);
	check_size("64MB", 64ULL << 20);
	check_size("64Mi", 64ULL << 20);
	check_size("1G", 1ULL << 30);
	check_size("2g", 2ULL << 30);
	check_size("1T", 1ULL << 40);
	check_size("1P", 1ULL << 50);
	check_size("100B", 100);
	check_size("100b", 100);
	check_size("15P", 15ULL << 50);
	check_size("16383P", 16383ULL << 50);
	check_size("18446744073709551615", UINT64_MAX);
}

static void
test_size_invalid(void **state)
{
	(void)state;
	check_size_err("", -EINVAL);
	check_size_err("-1", -EINVAL);
	check_size_err("+1", -EINVAL);
	check_size_err(" 1", -EINVAL);
	check_size_err("1 ", -EINVAL);
	check_size_err("12X", -EINVAL);
	check_size_err("M", -EINVAL);
	check_size_err("1.5G", -EINVAL);
	check_size_err("64MM", -EINVAL);
	check_size_err("64iB", -EINVAL);
	check_size_err("64MiBB", -EINVAL);
	check_size_err("64Bi", -EINVAL);
	check_size_err("0x10", -EINVAL);
	/* Overflow is a range error, never a wrapped small number. */
	check_size_err("18446744073709551616", -ERANGE);
	check_size_err("99999999999999999999999", -ERANGE);
	check_size_err("16384P", -ERANGE);
	check_size_err("17179869184G", -ERANGE);
}

static void
check_duration(const char *s, uint64_t want_ms)
{
	uint64_t v = 0;
	int r = units_parse_duration_ms(s, &v);

	if (r != 0 || v != want_ms)
		fail_msg("units_parse_duration_ms(\"%s\") = %d/%llu, want %llu",
		    s, r, (unsigned long long)v, (unsigned long long)want_ms);
}

static void
check_duration_err(const char *s, int want)
{
	uint64_t v = 777;
	int r = units_parse_duration_ms(s, &v);

	if (r != want)
		fail_msg("units_parse_duration_ms(\"%s\") = %d, want %d", s, r,
		    want);
	assert_int_equal(v, 777);
}

static void
test_duration(void **state)
{
	(void)state;
	check_duration("500ms", 500);
	check_duration("0ms", 0);
	check_duration("30", 30 * 1000);
	check_duration("0", 0);
	check_duration("30s", 30 * 1000);
	check_duration("10m", 10 * 60 * 1000);
	check_duration("1h", 3600 * 1000);
	check_duration("7d", 7ULL * 86400 * 1000);
	check_duration("2w", 14ULL * 86400 * 1000);

	check_duration_err("", -EINVAL);
	check_duration_err("ms", -EINVAL);
	check_duration_err("-5s", -EINVAL);
	check_duration_err("10 m", -EINVAL);
	check_duration_err("10M", -EINVAL); /* minutes are "m", M is a size */
	check_duration_err("10min", -EINVAL);
	check_duration_err("1.5h", -EINVAL);
	check_duration_err("5x", -EINVAL);
	check_duration_err("10mss", -EINVAL);
	check_duration_err("abc", -EINVAL);
	check_duration_err("18446744073709551615", -ERANGE);
	check_duration_err("30500568904944w", -ERANGE);
	check_duration_err("99999999999999999999999s", -ERANGE);
}

static void
check_rate(const char *s, uint32_t count, uint64_t window_s)
{
	struct rate r = { 99, 99 };
	int ret = units_parse_rate(s, &r);

	if (ret != 0 || r.count != count || r.window != window_s)
		fail_msg("units_parse_rate(\"%s\") = %d {%u, %llu}, want "
			 "{%u, %llu}",
		    s, ret, r.count, (unsigned long long)r.window, count,
		    (unsigned long long)window_s);
}

static void
check_rate_err(const char *s, int want)
{
	struct rate r = { 99, 99 };
	int ret = units_parse_rate(s, &r);

	if (ret != want)
		fail_msg(
		    "units_parse_rate(\"%s\") = %d, want %d", s, ret, want);
	assert_int_equal(r.count, 99);
	assert_int_equal(r.window, 99);
}

static void
test_rate(void **state)
{
	(void)state;
	check_rate("5/10m", 5, 600);
	check_rate("100/1h", 100, 3600);
	check_rate("0/1h", 0, 3600);
	check_rate("1/1s", 1, 1);
	check_rate("1/1000ms", 1, 1);
	check_rate("3/30", 3, 30);
	check_rate("4294967295/1d", UINT32_MAX, 86400);

	check_rate_err("5", -EINVAL);
	check_rate_err("5/", -EINVAL);
	check_rate_err("/10m", -EINVAL);
	check_rate_err("", -EINVAL);
	check_rate_err("abc", -EINVAL);
	check_rate_err("5/abc", -EINVAL);
	check_rate_err("5 / 10m", -EINVAL);
	check_rate_err("5/10m/", -EINVAL);
	check_rate_err("-5/10m", -EINVAL);
	check_rate_err("5/0s", -ERANGE);
	check_rate_err("5/0", -ERANGE);
	check_rate_err("5/999ms", -ERANGE);
	check_rate_err("4294967296/1h", -ERANGE);
}

/*
 * A rate's window is used in milliseconds by the rate limiter (int64_t
 * arithmetic with "now" added): a window so large that it cannot be
 * expressed there must be refused by the parser.
 */
static void
test_rate_window_bounded(void **state)
{
	struct rate r = { 0, 0 };
	int ret;

	(void)state;
	check_rate("1/520w", 1, 520ULL * 7 * 86400);
	check_rate("1/4294967295", 1, UINT32_MAX);
	ret = units_parse_rate("1/4294967296", &r);
	assert_int_equal(ret, -ERANGE);
	ret = units_parse_rate("1/10000000000000000", &r);
	assert_int_equal(ret, -ERANGE);
	ret = units_parse_rate("1/30000000000000w", &r);
	assert_int_equal(ret, -ERANGE);
}

static void
check_format(uint64_t v, const char *want)
{
	char buf[32];

	units_format_size(v, buf, sizeof(buf));
	assert_string_equal(buf, want);
}

static void
test_format_size(void **state)
{
	uint64_t back;
	char buf[32];

	(void)state;
	check_format(0, "0");
	check_format(512, "512");
	check_format(1023, "1023");
	check_format(1024, "1K");
	check_format(64ULL << 20, "64M");
	check_format(3ULL << 29, "1.5G");
	check_format(2ULL << 40, "2T");
	check_format(1ULL << 50, "1P");
	check_format(4096ULL << 50, "4096P");
	/* What it prints for a whole multiple parses back to the same value. */
	units_format_size(64ULL << 30, buf, sizeof(buf));
	assert_int_equal(units_parse_size(buf, &back), 0);
	assert_int_equal(back, 64ULL << 30);
	/* A small buffer is truncated, never overrun. */
	units_format_size(123456, buf, 3);
	assert_int_equal(strlen(buf), 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_size_valid),
		cmocka_unit_test(test_size_invalid),
		cmocka_unit_test(test_duration),
		cmocka_unit_test(test_rate),
		cmocka_unit_test(test_rate_window_bounded),
		cmocka_unit_test(test_format_size),
	};

	return cmocka_run_group_tests_name("units", tests, NULL, NULL);
}
