/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for common/dump.c's dump_core() (which core a dump keeps)
 * and common/dump_tsv.c (the TSV items' lines and fields).
 */
#include "testutil.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dump.h"
#include "dump_tsv.h"

/* A spool with one dump "d" holding the items given as name, data pairs. */
static char *
spool_with(struct dump **ret, const char *const *items)
{
	char *spool = tu_mkdtemp(), path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/d", spool);
	assert_int_equal(mkdir(path, 0750), 0);
	for (size_t i = 0; items && items[i]; i += 2)
		free(tu_write_file(
		    path, items[i], items[i + 1], strlen(items[i + 1]), 0640));
	fd = open(spool, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(dump_open(fd, "d", ret), 0);
	close(fd);
	return spool;
}

static void
check_core(const char *const *items, enum dump_core_kind kind, const char *item,
    long long size, bool truncated, const char *state)
{
	struct dump *d;
	struct dump_core c;
	char *spool = spool_with(&d, items);

	assert_int_equal(dump_core(d, &c), 0);
	assert_int_equal(c.kind, kind);
	if (item)
		assert_string_equal(c.item, item);
	else
		assert_null(c.item);
	assert_int_equal(c.size, size);
	assert_int_equal(c.truncated, truncated);
	assert_string_equal(dump_core_state(&c), state);
	assert_int_equal(d->has_core, kind != DUMP_CORE_NONE);
	dump_free(d);
	tu_rm_rf(spool);
	free(spool);
}

static void
test_core_kinds(void **state)
{
	static const char *const none[] = { DUMP_ITEM_CORE_INFO,
		"mode: none\ntruncated: no\n", NULL };
	static const char *const mini[] = { DUMP_ITEM_CORE_MINI, "ELF12",
		DUMP_ITEM_CORE_INFO, "mode: mini\ntruncated: no\n", NULL };
	static const char *const mini_cut[] = { DUMP_ITEM_CORE_MINI, "ELF",
		DUMP_ITEM_CORE_INFO, "mode: mini\ntruncated: yes\n", NULL };
	static const char *const full[] = { DUMP_ITEM_CORE_GZ, "gz",
		DUMP_ITEM_CORE_INFO, "mode: full\ntruncated: no\n", NULL };
	static const char *const cut[] = { DUMP_ITEM_CORE_GZ, "gzip",
		DUMP_ITEM_CORE_INFO, "mode: truncate\ntruncated: yes\n", NULL };
	static const char *const no_info[] = { DUMP_ITEM_CORE_GZ, "g", NULL };

	(void)state;
	check_core(NULL, DUMP_CORE_NONE, NULL, -1, false, "none");
	check_core(none, DUMP_CORE_NONE, NULL, -1, false, "none");
	check_core(mini, DUMP_CORE_MINI, DUMP_ITEM_CORE_MINI, 5, false, "mini");
	/* A cut minicore is still "mini", but says it was cut. */
	check_core(
	    mini_cut, DUMP_CORE_MINI, DUMP_ITEM_CORE_MINI, 3, true, "mini");
	check_core(full, DUMP_CORE_GZ, DUMP_ITEM_CORE_GZ, 2, false, "full");
	check_core(cut, DUMP_CORE_GZ, DUMP_ITEM_CORE_GZ, 4, true, "truncated");
	check_core(no_info, DUMP_CORE_GZ, DUMP_ITEM_CORE_GZ, 1, false, "full");
}

/* A core that is a symlink or a directory is no core: nothing is followed. */
static void
test_core_not_regular(void **state)
{
	struct dump *d;
	struct dump_core c;
	char *spool = spool_with(&d, NULL), path[4096], target[4096];

	(void)state;
	snprintf(target, sizeof(target), "%s/elsewhere", spool);
	free(tu_write_file(spool, "elsewhere", "secret", 6, 0600));
	snprintf(path, sizeof(path), "%s/d/%s", spool, DUMP_ITEM_CORE_GZ);
	assert_int_equal(symlink(target, path), 0);
	snprintf(path, sizeof(path), "%s/d/%s", spool, DUMP_ITEM_CORE_MINI);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(dump_core(d, &c), 0);
	assert_int_equal(c.kind, DUMP_CORE_NONE);
	assert_string_equal(dump_core_state(&c), "none");
	dump_free(d);
	tu_rm_rf(spool);
	free(spool);
}

/* Walks text with dump_tsv_next() into "f1|f2;f1;" for comparing. */
static char *
walk(const char *text, size_t max)
{
	struct dump_tsv_field f[_DUMP_FRAME_MAX];
	struct dump_tsv t;
	char *out = calloc(1, 4096);
	size_t n;

	assert_non_null(out);
	assert_true(max <= _DUMP_FRAME_MAX);
	dump_tsv_init(&t, text);
	while ((n = dump_tsv_next(&t, f, max)) > 0) {
		for (size_t i = 0; i < n; i++)
			snprintf(out + strlen(out), 4096 - strlen(out),
			    "%s%.*s", i ? "|" : "", (int)f[i].len, f[i].s);
		for (size_t i = n; i < max; i++)
			assert_int_equal(f[i].len, 0);
		strcat(out, ";");
	}
	return out;
}

static void
check_walk(const char *text, size_t max, const char *want)
{
	char *got = walk(text, max);

	assert_string_equal(got, want);
	free(got);
}

static void
test_tsv_lines_and_fields(void **state)
{
	(void)state;
	check_walk(NULL, 3, "");
	check_walk("", 3, "");
	check_walk("1\tbash\t-bash\n", 3, "1|bash|-bash;");
	/* A last line without a newline counts. */
	check_walk("1\tbash\n2\tsh", 3, "1|bash;2|sh;");
	/* An empty line is one empty field; a trailing tab an empty field. */
	check_walk("\n\n", 3, ";;");
	check_walk("a\t\n\tb\n", 3, "a|;|b;");
	check_walk("\t\t", 3, "||;");
	/* Fields beyond max are not read. */
	check_walk("a\tb\tc\td\n", 2, "a|b;");
	/* The text ends at its NUL, as it was read. */
	check_walk("a\tb\0c\n", 3, "a|b;");
}

static void
test_tsv_field_by_field(void **state)
{
	struct dump_tsv t;
	struct dump_tsv_field f;

	(void)state;
	dump_tsv_init(&t, "x\ty\n\nz");
	/* No line yet: no field. */
	assert_false(dump_tsv_next_field(&t, &f));
	assert_true(dump_tsv_next_line(&t));
	assert_true(dump_tsv_next_field(&t, &f));
	assert_int_equal(f.len, 1);
	assert_memory_equal(f.s, "x", 1);
	assert_true(dump_tsv_next_field(&t, &f));
	assert_memory_equal(f.s, "y", 1);
	assert_false(dump_tsv_next_field(&t, &f));
	assert_false(dump_tsv_next_field(&t, &f));
	assert_true(dump_tsv_next_line(&t));
	assert_int_equal(t.len, 0);
	assert_true(dump_tsv_next_field(&t, &f));
	assert_int_equal(f.len, 0);
	assert_false(dump_tsv_next_field(&t, &f));
	assert_true(dump_tsv_next_line(&t));
	assert_true(dump_tsv_next_field(&t, &f));
	assert_memory_equal(f.s, "z", 1);
	assert_false(dump_tsv_next_line(&t));
	assert_false(dump_tsv_next_line(&t));
}

static long long
number(const char *s, long long fallback)
{
	struct dump_tsv_field f = { s, strlen(s) };

	return dump_tsv_number(&f, fallback);
}

static void
test_tsv_number(void **state)
{
	(void)state;
	assert_int_equal(number("4242", -1), 4242);
	assert_int_equal(number("0", -1), 0);
	assert_int_equal(number("-5", -1), -5);
	assert_int_equal(number("", -1), -1);
	assert_int_equal(number("12abc", -1), -1);
	assert_int_equal(number(" 12", -1), -1);
	assert_int_equal(number("+12", -1), -1);
	assert_int_equal(number("-", -1), -1);
	assert_int_equal(number("99999999999999999999", -1), -1);
	assert_int_equal(number("1234567890123456789012345678901234", 7), 7);
	/* A field is its len bytes, not what follows it. */
	{
		struct dump_tsv_field f = { "12\t34", 2 };

		assert_int_equal(dump_tsv_number(&f, -1), 12);
	}
}

/* The frame keys are the JSON keys that info --json and the webhook use. */
static void
test_frame_keys(void **state)
{
	static const char *const want[] = { "tid", "frame", "pc", "function",
		"offset", "module", "build_id", "file", "line" };

	(void)state;
	assert_int_equal(sizeof(want) / sizeof(want[0]), _DUMP_FRAME_MAX);
	for (size_t i = 0; i < _DUMP_FRAME_MAX; i++) {
		assert_string_equal(dump_frame_keys[i], want[i]);
		assert_int_equal(dump_frame_field_is_number(i),
		    i == DUMP_FRAME_TID || i == DUMP_FRAME_FRAME ||
			i == DUMP_FRAME_LINE);
	}
	assert_string_equal(dump_ptree_keys[DUMP_PTREE_PID], "pid");
	assert_string_equal(dump_ptree_keys[DUMP_PTREE_COMM], "comm");
	assert_string_equal(dump_ptree_keys[DUMP_PTREE_ARGV], "argv");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_core_kinds),
		cmocka_unit_test(test_core_not_regular),
		cmocka_unit_test(test_tsv_lines_and_fields),
		cmocka_unit_test(test_tsv_field_by_field),
		cmocka_unit_test(test_tsv_number),
		cmocka_unit_test(test_frame_keys),
	};

	return cmocka_run_group_tests_name("dump", tests, NULL, NULL);
}
