/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for common/signame.c: numbers to names and back.
 */
#include "testutil.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>

#include "signame.h"

static void
test_from_number(void **state)
{
	char buf[32];

	(void)state;
	assert_string_equal(
	    signame_from_number(SIGSEGV, buf, sizeof(buf)), "SIGSEGV");
	assert_string_equal(
	    signame_from_number(SIGABRT, buf, sizeof(buf)), "SIGABRT");
	assert_string_equal(
	    signame_from_number(SIGBUS, buf, sizeof(buf)), "SIGBUS");
	assert_string_equal(
	    signame_from_number(SIGSYS, buf, sizeof(buf)), "SIGSYS");
	assert_string_equal(signame_from_number(1, buf, sizeof(buf)), "SIGHUP");
	assert_string_equal(
	    signame_from_number(SIGRTMIN, buf, sizeof(buf)), "SIGRTMIN+0");
	assert_string_equal(
	    signame_from_number(SIGRTMIN + 3, buf, sizeof(buf)), "SIGRTMIN+3");
	assert_non_null(signame_from_number(SIGRTMAX, buf, sizeof(buf)));
	assert_null(signame_from_number(0, buf, sizeof(buf)));
	assert_null(signame_from_number(-11, buf, sizeof(buf)));
	assert_null(signame_from_number(SIGRTMAX + 1, buf, sizeof(buf)));
	assert_null(signame_from_number(1000, buf, sizeof(buf)));
	/* A small buffer is truncated, never overrun. */
	assert_string_equal(signame_from_number(SIGSEGV, buf, 5), "SIGS");
}

static void
test_to_number(void **state)
{
	(void)state;
	assert_int_equal(signame_to_number("SEGV"), SIGSEGV);
	assert_int_equal(signame_to_number("SIGSEGV"), SIGSEGV);
	assert_int_equal(signame_to_number("segv"), SIGSEGV);
	assert_int_equal(signame_to_number("sigsegv"), SIGSEGV);
	assert_int_equal(signame_to_number("SigAbrt"), SIGABRT);
	assert_int_equal(signame_to_number("11"), 11);
	assert_int_equal(signame_to_number("6"), SIGABRT);
	assert_int_equal(signame_to_number("HUP"), SIGHUP);
	assert_int_equal(signame_to_number("STKFLT"), SIGSTKFLT);
}

static void
test_to_number_garbage(void **state)
{
	(void)state;
	assert_int_equal(signame_to_number(""), -EINVAL);
	assert_int_equal(signame_to_number("SIG"), -EINVAL);
	assert_int_equal(signame_to_number("SIGSIGSEGV"), -EINVAL);
	assert_int_equal(signame_to_number("SEGVX"), -EINVAL);
	assert_int_equal(signame_to_number(" SEGV"), -EINVAL);
	assert_int_equal(signame_to_number("0"), -EINVAL);
	assert_int_equal(signame_to_number("-11"), -EINVAL);
	assert_int_equal(signame_to_number("11x"), -EINVAL);
	assert_int_equal(signame_to_number("11 "), -EINVAL);
	assert_int_equal(signame_to_number("65"), -EINVAL);
	assert_int_equal(signame_to_number("99999999999999999999999"), -EINVAL);
	assert_int_equal(signame_to_number("RTMIN+"), -EINVAL);
	assert_int_equal(signame_to_number("RTMIN+x"), -EINVAL);
	assert_int_equal(signame_to_number("RTMIN+1000"), -EINVAL);
	assert_int_equal(signame_to_number("RTMIN-1"), -EINVAL);
	assert_int_equal(signame_to_number("RTMAX+1"), -EINVAL);
}

static void
test_realtime(void **state)
{
	char name[32];

	(void)state;
	assert_int_equal(signame_to_number("SIGRTMIN"), SIGRTMIN);
	assert_int_equal(signame_to_number("RTMIN"), SIGRTMIN);
	assert_int_equal(signame_to_number("rtmin+3"), SIGRTMIN + 3);
	assert_int_equal(signame_to_number("SIGRTMAX"), SIGRTMAX);
	assert_int_equal(signame_to_number("SIGRTMAX-1"), SIGRTMAX - 1);
	snprintf(name, sizeof(name), "%d", SIGRTMIN + 2);
	assert_int_equal(signame_to_number(name), SIGRTMIN + 2);
}

/* Every name it prints reads back as the same number. */
static void
test_roundtrip(void **state)
{
	char buf[32];

	(void)state;
	for (int sig = 1; sig <= SIGRTMAX; sig++) {
		const char *name = signame_from_number(sig, buf, sizeof(buf));

		if (name == NULL)
			continue;
		if (signame_to_number(name) != sig)
			fail_msg("%s reads back as %d, want %d", name,
			    signame_to_number(name), sig);
		if (signame_to_number(name + 3) != sig)
			fail_msg("%s reads back as %d, want %d", name + 3,
			    signame_to_number(name + 3), sig);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_from_number),
		cmocka_unit_test(test_to_number),
		cmocka_unit_test(test_to_number_garbage),
		cmocka_unit_test(test_realtime),
		cmocka_unit_test(test_roundtrip),
	};

	return cmocka_run_group_tests_name("signame", tests, NULL, NULL);
}
