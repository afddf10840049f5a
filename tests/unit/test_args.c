/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for hook/args.c: the kernel's arguments, one per specifier
 * of HOOK_PATTERN_SPECIFIERS, each within its bounds.
 */
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hook.h"

/* %P %p %I %s %c %u %g %t %d %h, and %F when pidfd is not NULL. */
static int
parse(const char *pidfd, int slot, const char *value, struct hook_args *ret)
{
	char *v[] = { "4242", "7", "4243", "11", "18446744073709551615", "1000",
		"1001", "1765000000", "1", "host one", NULL, NULL };
	int argc = pidfd ? 11 : 10;

	if (pidfd)
		v[10] = (char *)pidfd;
	if (slot >= 0)
		v[slot] = (char *)value;
	return hook_args_parse(argc, v, ret);
}

static void
test_all(void **state)
{
	struct hook_args a;

	(void)state;
	assert_int_equal(parse(NULL, -1, NULL, &a), 0);
	assert_int_equal(a.pid, 4242);
	assert_int_equal(a.ns_pid, 7);
	assert_int_equal(a.tid, 4243);
	assert_int_equal(a.signal, 11);
	assert_true(a.rlimit_core == UINT64_MAX);
	assert_int_equal(a.uid, 1000);
	assert_int_equal(a.gid, 1001);
	assert_int_equal(a.time, 1765000000);
	assert_int_equal(a.dumpable, 1);
	assert_string_equal(a.hostname, "host one");
	assert_int_equal(a.pidfd, -1);
}

static void
test_pidfd(void **state)
{
	struct hook_args a;
	char s[16];
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	(void)state;
	assert_true(fd >= 3);
	snprintf(s, sizeof(s), "%d", fd);
	assert_int_equal(parse(s, -1, NULL, &a), 0);
	assert_int_equal(a.pidfd, fd);
	close(fd);
	/* An older kernel: %F empty, as it is, or not open: no pidfd. */
	assert_int_equal(parse(s, -1, NULL, &a), 0);
	assert_int_equal(a.pidfd, -1);
	assert_int_equal(parse("", -1, NULL, &a), 0);
	assert_int_equal(a.pidfd, -1);
	assert_int_equal(parse("%F", -1, NULL, &a), 0);
	assert_int_equal(a.pidfd, -1);
	assert_int_equal(parse("1", -1, NULL, &a), 0);
	assert_int_equal(a.pidfd, -1);
}

static void
test_count(void **state)
{
	char *v[] = { "1", "1", "1", "11", "0", "0", "0", "0", "1", "h", "",
		"x", NULL };
	struct hook_args a;

	(void)state;
	assert_int_equal(hook_args_parse(9, v, &a), -EINVAL);
	assert_int_equal(hook_args_parse(12, v, &a), -EINVAL);
	assert_int_equal(hook_args_parse(0, v, &a), -EINVAL);
	assert_int_equal(hook_args_parse(10, v, &a), 0);
}

static void
test_bounds(void **state)
{
	static const struct {
		int slot;
		const char *value;
		int r;
	} cases[] = {
		{ 0, "0", -EINVAL }, /* pid */
		{ 0, "2147483647", 0 }, { 0, "2147483648", -EINVAL },
		{ 1, "0", 0 }, /* ns_pid: 0 outside its namespace */
		{ 1, "-1", -EINVAL }, { 2, "2147483648", -EINVAL }, /* tid */
		{ 3, "64", 0 }, /* signal */
		{ 3, "65", -EINVAL }, { 4, "0", 0 }, /* rlimit_core */
		{ 4, "x", -EINVAL }, { 4, "18446744073709551616", -EINVAL },
		{ 5, "4294967295", 0 }, /* uid */
		{ 5, "4294967296", -EINVAL },
		{ 6, "4294967296", -EINVAL }, /* gid */
		{ 7, "9223372036854775807", 0 }, /* time */
		{ 7, "9223372036854775808", -EINVAL },
		{ 8, "2", 0 }, /* dumpable */
		{ 8, "3", -EINVAL }, { 8, "1 ", -EINVAL }, { 8, "", -EINVAL },
		{ 9, "", 0 }, /* hostname: any */
	};
	struct hook_args a;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int r = parse(NULL, cases[i].slot, cases[i].value, &a);

		if (r != cases[i].r)
			fail_msg("argument %d \"%s\": %d, expected %d",
			    cases[i].slot, cases[i].value, r, cases[i].r);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all),
		cmocka_unit_test(test_pidfd),
		cmocka_unit_test(test_count),
		cmocka_unit_test(test_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
