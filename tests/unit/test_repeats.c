/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for common/repeats.c (where merged crashes came from) and
 * daemon/package_parse.c (what dpkg-query and rpm print): the item's
 * text, its bound of 16 values a kind, a replay that counts nothing, what
 * people read; package names, versions and the lines that are none.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dump_tsv.h"
#include "package_parse.h"
#include "repeats.h"

static struct dump
crash(char *name, char *host, char *container, long long uid)
{
	return (struct dump){ .name = name,
		.hostname = host,
		.container = container,
		.uid = uid };
}

static char *
text_of(const struct repeats *rp)
{
	struct buf b;

	buf_init(&b, 0);
	assert_int_equal(repeats_format(rp, &b), 0);
	return b.data ? buf_steal(&b, NULL) : strdup("");
}

static void
test_repeats_merge(void **state)
{
	struct repeats *rp = malloc(sizeof(*rp));
	struct dump first = crash("d1", "web1", "", 0),
		    rep = crash("d2", "other\tname", "docker 0a1b", 1000);
	struct buf b;
	char *t;

	(void)state;
	repeats_init(rp);
	assert_int_equal(repeats_add(rp, &first), 1);
	assert_int_equal(repeats_add(rp, &rep), 1);
	/* A replay of the last one counts nothing. */
	assert_int_equal(repeats_add(rp, &rep), 0);
	t = text_of(rp);
	assert_string_equal(t,
	    "last\td2\n"
	    "hostname\t1\tweb1\n"
	    "hostname\t1\tother\\tname\n"
	    "container\t1\t\n"
	    "container\t1\tdocker 0a1b\n"
	    "uid\t1\t0\n"
	    "uid\t1\t1000\n");
	/* It reads back as it was written. */
	repeats_parse(t, rp);
	free(t);
	t = text_of(rp);
	assert_int_equal(repeats_total(rp), 2);
	assert_string_equal(rp->last, "d2");
	buf_init(&b, 0);
	assert_int_equal(repeats_describe(rp, REPEATS_HOSTNAME, &b), 0);
	assert_string_equal(b.data, "web1 (1), other\\tname (1)");
	buf_reset(&b);
	assert_int_equal(repeats_describe(rp, REPEATS_CONTAINER, &b), 0);
	assert_string_equal(b.data, "none (1), docker 0a1b (1)");
	buf_done(&b);
	free(t);
	free(rp);
}

static void
test_repeats_bound(void **state)
{
	struct repeats *rp = malloc(sizeof(*rp));
	char name[32], host[32];
	struct buf b;

	(void)state;
	repeats_init(rp);
	for (int i = 0; i < 20; i++) {
		struct dump d;

		snprintf(name, sizeof(name), "d%d", i);
		snprintf(host, sizeof(host), "h%d", i);
		d = crash(name, host, "", 0);
		assert_int_equal(repeats_add(rp, &d), 1);
	}
	assert_int_equal(rp->n[REPEATS_HOSTNAME], REPEATS_MAX);
	assert_int_equal(rp->more[REPEATS_HOSTNAME], 4);
	assert_int_equal(rp->values[REPEATS_UID][0].count, 20);
	assert_int_equal(repeats_total(rp), 20);
	buf_init(&b, 0);
	assert_int_equal(repeats_describe(rp, REPEATS_HOSTNAME, &b), 0);
	assert_non_null(
	    strstr(b.data, "h15 (1), and 4 more with other hostnames"));
	buf_done(&b);
	free(rp);
}

static void
test_repeats_untrusted(void **state)
{
	struct repeats *rp = malloc(sizeof(*rp));

	(void)state;
	/* Bad counts, unknown kinds, control bytes: skipped or escaped. */
	repeats_parse("hostname\t0\tx\nhostname\t-3\ty\nbogus\t1\tz\n"
		      "hostname\t2\ta\x01\xff\nmore\tuid\t7\nuid\tx\t1\n",
	    rp);
	assert_int_equal(rp->n[REPEATS_HOSTNAME], 1);
	assert_string_equal(
	    rp->values[REPEATS_HOSTNAME][0].text, "a\\x01\\xff");
	assert_int_equal(rp->more[REPEATS_UID], 7);
	assert_int_equal(rp->n[REPEATS_UID], 0);
	repeats_parse(NULL, rp);
	assert_int_equal(repeats_total(rp), 0);
	free(rp);
}

static void
test_argv_cut(void **state)
{
	struct dump_tsv_field f = { "abc\\x01def", 10 };
	struct buf b;

	(void)state;
	buf_init(&b, 0);
	/* Not inside "\x01": before it. */
	assert_int_equal(dump_ptree_argv_cut(&b, &f, 5, "~"), 1);
	assert_string_equal(b.data, "abc~ (7 more bytes)");
	buf_reset(&b);
	assert_int_equal(dump_ptree_argv_cut(&b, &f, 7, "~"), 1);
	assert_string_equal(b.data, "abc\\x01~ (3 more bytes)");
	buf_reset(&b);
	assert_int_equal(dump_ptree_argv_cut(&b, &f, 10, "~"), 0);
	assert_string_equal(b.data, "abc\\x01def");
	buf_done(&b);
}

static void
test_dpkg_search(void **state)
{
	const char *const paths[] = { "/usr/bin/sleep", "/bin/sleep", NULL };
	const char *const sh[] = { "/bin/sh", NULL };
	char pkg[PACKAGE_NAME_MAX + 1];

	(void)state;
	assert_true(package_parse_dpkg_search(
	    "coreutils: /bin/sleep\n", 22, paths, pkg));
	assert_string_equal(pkg, "coreutils");
	assert_true(package_parse_dpkg_search(
	    "libc6:amd64: /usr/bin/sleep", 27, paths, pkg));
	assert_string_equal(pkg, "libc6:amd64");
	/* Diversions and messages are no owner. */
	const char div[] = "diversion by dash from: /bin/sh\n"
			   "diversion by dash to: /bin/sh.distrib\n"
			   "dash, bash: /bin/sh\n";
	assert_true(package_parse_dpkg_search(div, strlen(div), sh, pkg));
	assert_string_equal(pkg, "dash");
	const char none[] = "dpkg-query: no path found matching pattern "
			    "/usr/bin/sleep\n";
	assert_false(package_parse_dpkg_search(none, strlen(none), paths, pkg));
	/* Another file's line, a bad name. */
	assert_false(package_parse_dpkg_search(
	    "coreutils: /bin/sleepy\n", 23, paths, pkg));
	assert_false(package_parse_dpkg_search(
	    "Bad Name: /bin/sleep\n", 21, paths, pkg));
}

static void
test_versions(void **state)
{
	char name[PACKAGE_NAME_MAX + 1], ver[PACKAGE_VERSION_MAX + 1];

	(void)state;
	assert_true(package_parse_version("1:2.36-9+deb12u4\n", 17, ver));
	assert_string_equal(ver, "1:2.36-9+deb12u4");
	assert_false(package_parse_version("9.1 1\n", 6, ver));
	assert_false(package_parse_version("", 0, ver));
	assert_true(
	    package_parse_rpm("coreutils 8.32-34.el9\n", 22, name, ver));
	assert_string_equal(name, "coreutils");
	assert_string_equal(ver, "8.32-34.el9");
	assert_false(package_parse_rpm(
	    "file /tmp/x is not owned by any package\n", 40, name, ver));
	assert_true(package_name_valid("g++-12", 6));
	assert_false(package_name_valid("a", 1));
	assert_false(package_name_valid("libc6:", 6));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_repeats_merge),
		cmocka_unit_test(test_repeats_bound),
		cmocka_unit_test(test_repeats_untrusted),
		cmocka_unit_test(test_argv_cut),
		cmocka_unit_test(test_dpkg_search),
		cmocka_unit_test(test_versions),
	};

	return cmocka_run_group_tests_name("repeats", tests, NULL, NULL);
}
