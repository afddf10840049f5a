/* Stub: filled in by the mail work. */
#include "testutil.h"

static void
test_stub(void **state)
{
	(void)state;
	assert_true(1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stub),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
