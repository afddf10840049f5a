/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for daemon/cgroup_unit.c: the unit, user unit, slice,
 * session and owner of a cgroup item, as systemd-coredump names them.
 */
#include "testutil.h"

#include <string.h>

#include "cgroup_unit.h"

static struct cgroup_unit
parse(const char *s)
{
	struct cgroup_unit u;

	cgroup_unit_parse(s, strlen(s), &u);
	return u;
}

static void
test_system_service(void **state)
{
	struct cgroup_unit u = parse("0::/system.slice/nginx.service\n");

	(void)state;
	assert_string_equal(u.path, "/system.slice/nginx.service");
	assert_string_equal(u.unit, "nginx.service");
	assert_string_equal(u.slice, "system.slice");
	assert_string_equal(u.user_unit, "");
	assert_string_equal(u.session, "");
	assert_int_equal(u.owner_uid, -1);
	/* A cgroup below the unit's (a service's own subgroup). */
	u = parse("0::/system.slice/app.service/worker\n");
	assert_string_equal(u.unit, "app.service");
}

static void
test_user_session(void **state)
{
	struct cgroup_unit u =
	    parse("0::/user.slice/user-1000.slice/session-3.scope\n");

	(void)state;
	assert_string_equal(u.unit, "session-3.scope");
	assert_string_equal(u.session, "3");
	assert_string_equal(u.slice, "user-1000.slice");
	assert_int_equal(u.owner_uid, 1000);
	u = parse("0::/user.slice/user-1000.slice/user@1000.service/app.slice/"
		  "app-firefox-1234.scope\n");
	assert_string_equal(u.unit, "user@1000.service");
	assert_string_equal(u.user_unit, "app-firefox-1234.scope");
	assert_string_equal(u.slice, "user-1000.slice");
	assert_int_equal(u.owner_uid, 1000);
}

static void
test_hierarchies(void **state)
{
	/* Hybrid: the name=systemd hierarchy is systemd's, wherever it is. */
	struct cgroup_unit u = parse("4:memory:/x\n"
				     "1:name=systemd:/system.slice/a.service\n"
				     "0::/system.slice/b.service\n");

	(void)state;
	assert_string_equal(u.unit, "a.service");
	u = parse("0::/system.slice/b.service\n1:name=systemd:/c.slice/"
		  "c.service");
	assert_string_equal(u.unit, "c.service");
	assert_string_equal(u.slice, "c.slice");
	/* The root, a container's path, nothing: no unit. */
	u = parse("0::/\n");
	assert_string_equal(u.path, "/");
	assert_string_equal(u.unit, "");
	u = parse("0::/process_api/7d40\n");
	assert_string_equal(u.unit, "");
	u = parse("");
	assert_string_equal(u.path, "");
	cgroup_unit_parse(NULL, 0, &u);
	assert_string_equal(u.unit, "");
}

static void
test_hostile(void **state)
{
	char big[6000];
	struct cgroup_unit u;

	(void)state;
	u = parse("0::/system.slice/a b.service\n");
	assert_string_equal(u.unit, "");
	assert_string_equal(u.slice, "system.slice");
	u = parse("0::/system.slice/x.notatype\n");
	assert_string_equal(u.unit, "");
	u = parse("0::/user-99999999999999999999.slice/s.service\n");
	assert_int_equal(u.owner_uid, -1);
	assert_string_equal(u.unit, "s.service");
	/* A path longer than we keep: no path, no unit. */
	memset(big, 'a', sizeof(big));
	memcpy(big, "0::/", 4);
	big[sizeof(big) - 1] = '\0';
	u = parse(big);
	assert_string_equal(u.path, "");
	assert_string_equal(u.unit, "");
	assert_true(cgroup_unit_name_valid("a.service", 9));
	assert_false(cgroup_unit_name_valid(".service", 8));
	assert_false(cgroup_unit_name_valid("service", 7));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_system_service),
		cmocka_unit_test(test_user_session),
		cmocka_unit_test(test_hierarchies),
		cmocka_unit_test(test_hostile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
