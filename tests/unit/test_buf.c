/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for common/buf.c: growth, the mandatory cap, steal.
 */
#include "testutil.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

static void
test_append_grows_and_terminates(void **state)
{
	struct buf b;
	char big[1000];

	(void)state;
	buf_init(&b, 0);
	assert_int_equal(b.max, BUF_DEFAULT_MAX);
	assert_int_equal(buf_puts(&b, "abc"), 0);
	assert_int_equal(buf_putc(&b, '\0'), 0);
	assert_int_equal(buf_putc(&b, 'x'), 0);
	assert_int_equal(b.len, 5);
	assert_memory_equal(b.data, "abc\0x", 6);
	memset(big, 'y', sizeof(big));
	assert_int_equal(buf_append(&b, big, sizeof(big)), 0);
	assert_int_equal(b.len, 1005);
	assert_int_equal(b.data[b.len], '\0');
	buf_done(&b);
	assert_null(b.data);
	buf_done(&b);
	buf_done(NULL);
}

static void
test_cap_refuses_and_keeps(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 8);
	assert_int_equal(buf_puts(&b, "12345678"), 0);
	assert_int_equal(buf_putc(&b, '9'), -E2BIG);
	assert_int_equal(b.len, 8);
	assert_string_equal(b.data, "12345678");
	buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.data, "");
	assert_int_equal(buf_printf(&b, "%d-%s", 42, "abcdef"), -E2BIG);
	assert_int_equal(b.len, 0);
	assert_int_equal(buf_printf(&b, "%d-%s", 42, "abc"), 0);
	assert_string_equal(b.data, "42-abc");
	/* A length that would wrap size_t is refused, not wrapped. */
	assert_int_equal(buf_append(&b, "x", SIZE_MAX), -E2BIG);
	assert_int_equal(b.len, 6);
	buf_done(&b);
}

static void
test_steal(void **state)
{
	struct buf b;
	size_t len = 99;
	char *s;

	(void)state;
	buf_init(&b, 0);
	s = buf_steal(&b, &len);
	assert_non_null(s);
	assert_int_equal(len, 0);
	assert_string_equal(s, "");
	free(s);
	assert_int_equal(buf_printf(&b, "%s", "hello"), 0);
	s = buf_steal(&b, &len);
	assert_int_equal(len, 5);
	assert_string_equal(s, "hello");
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	free(s);
	/* Still usable after a steal. */
	assert_int_equal(buf_puts(&b, "again"), 0);
	assert_string_equal(b.data, "again");
	buf_done(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_append_grows_and_terminates),
		cmocka_unit_test(test_cap_refuses_and_keeps),
		cmocka_unit_test(test_steal),
	};

	return cmocka_run_group_tests_name("buf", tests, NULL, NULL);
}
