/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for daemon/pstore.c: a pstore record's text, without its
 * "Panic#N PartM" header and its lines' "<LEVEL>[TIME] " prefixes.
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "pstore.h"

static void
test_record_text(void **state)
{
	struct buf b;
	char why[16];
	size_t len;
	char *data = tu_fixture("pstore/efi/dmesg-efi-157328011102002", &len);

	(void)state;
	buf_init(&b, 0);
	assert_int_equal(
	    pstore_record_text(data, len, &b, why, sizeof(why)), 0);
	assert_string_equal(why, "Panic");
	assert_true(b.len > 0);
	assert_memory_equal(b.data,
	    "sysrq: This sysrq operation is disabled.\n",
	    strlen("sysrq: This sysrq operation is disabled.\n"));
	assert_non_null(strstr(
	    b.data, "\nKernel panic - not syncing: sysrq triggered crash\n"));
	assert_null(strstr(b.data, "\n<"));
	assert_null(strstr(b.data, "[ 2156."));
	buf_done(&b);
	free(data);
}

static void
test_no_header(void **state)
{
	static const char text[] = "<4>[   1.000000] first\nsecond\n<6>third";
	struct buf b;
	char why[16];

	(void)state;
	buf_init(&b, 0);
	assert_int_equal(
	    pstore_record_text(text, strlen(text), &b, why, sizeof(why)), 0);
	assert_string_equal(why, "");
	assert_int_equal(b.len, strlen("first\nsecond\nthird\n"));
	assert_memory_equal(b.data, "first\nsecond\nthird\n", b.len);
	buf_done(&b);
	/* A reason longer than the room for it is no header. */
	buf_init(&b, 0);
	assert_int_equal(pstore_record_text("AVeryLongReasonIndeed#1 Part1\nx",
			     31, &b, why, 8),
	    0);
	assert_string_equal(why, "");
	buf_done(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_record_text),
		cmocka_unit_test(test_no_header),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
