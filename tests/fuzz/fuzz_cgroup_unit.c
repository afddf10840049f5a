/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzzes cgroup_unit_parse() with /proc/PID/cgroup contents: whatever the
 * bytes, every field is a terminated string, and what is named a unit is
 * a valid unit name.
 */
#include <string.h>

#include "cgroup_unit.h"
#include "fuzz.h"

static void
check_name(const char *s, size_t size, const char *suffix)
{
	FUZZ_CHECK(memchr(s, '\0', size) != NULL);
	if (s[0] == '\0')
		return;
	FUZZ_CHECK(cgroup_unit_name_valid(s, strlen(s)));
	if (suffix)
		FUZZ_CHECK(strlen(s) > strlen(suffix) &&
		    strcmp(s + strlen(s) - strlen(suffix), suffix) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cgroup_unit u;

	memset(&u, 0xa5, sizeof(u));
	cgroup_unit_parse((const char *)data, size, &u);
	FUZZ_CHECK(memchr(u.path, '\0', sizeof(u.path)) != NULL);
	FUZZ_CHECK(strchr(u.path, '\n') == NULL);
	check_name(u.unit, sizeof(u.unit), NULL);
	check_name(u.user_unit, sizeof(u.user_unit), NULL);
	check_name(u.slice, sizeof(u.slice), ".slice");
	FUZZ_CHECK(memchr(u.session, '\0', sizeof(u.session)) != NULL);
	FUZZ_CHECK(u.user_unit[0] == '\0' || u.unit[0] != '\0');
	FUZZ_CHECK(u.session[0] == '\0' || u.unit[0] != '\0');
	FUZZ_CHECK(u.owner_uid >= -1 && u.owner_uid < 4294967295LL);
	return 0;
}
