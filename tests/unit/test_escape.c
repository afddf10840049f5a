/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for common/escape.c.  escape_shell and escape_argv are also
 * checked end to end: bash reads the result back, and must get exactly the
 * original bytes.
 */
#include "testutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "escape.h"

static void
check_c(const char *in, size_t len, const char *want)
{
	struct buf b;

	buf_init(&b, 0);
	assert_int_equal(escape_c(&b, in, len), 0);
	assert_string_equal(b.data ? b.data : "", want);
	buf_done(&b);
}

/* A literal and its length, NULs included. */
#define CHECK_C(lit, want) check_c(lit, sizeof(lit) - 1, want)
#define CHECK_SHELL(lit, want) check_shell(lit, sizeof(lit) - 1, want)
#define CHECK_ARGV(lit, want) check_argv(lit, sizeof(lit) - 1, want)

static void
test_escape_c(void **state)
{
	(void)state;
	CHECK_C("", "");
	CHECK_C("plain text 123", "plain text 123");
	CHECK_C("a\nb", "a\\nb");
	CHECK_C("a\tb\rc", "a\\tb\\rc");
	CHECK_C("back\\slash", "back\\\\slash");
	CHECK_C("\x01\x1b[31m", "\\x01\\x1b[31m");
	CHECK_C("\x7f\x80\xff", "\\x7f\\x80\\xff");
	CHECK_C("nul\0byte", "nul\\x00byte");
	CHECK_C("caf\xc3\xa9", "caf\\xc3\\xa9");
	CHECK_C("quotes '\" stay", "quotes '\" stay");
}

static void
check_utf8(const char *in, size_t len, const char *want)
{
	struct buf b;

	buf_init(&b, 0);
	assert_int_equal(escape_c_utf8(&b, in, len), 0);
	assert_string_equal(b.data ? b.data : "", want);
	buf_done(&b);
}
#define CHECK_UTF8(lit, want) check_utf8(lit, sizeof(lit) - 1, want)

static void
check_argv_utf8(const char *in, size_t len, const char *want)
{
	struct buf b;

	buf_init(&b, 0);
	assert_int_equal(escape_argv_utf8(&b, in, len), 0);
	assert_string_equal(b.data ? b.data : "", want);
	buf_done(&b);
}

/* For a UTF-8 terminal: characters stay, what would move or hide text not. */
static void
test_escape_c_utf8(void **state)
{
	(void)state;
	CHECK_UTF8("caf\xc3\xa9", "caf\xc3\xa9");
	CHECK_UTF8(
	    "\xe2\x82\xac \xf0\x9f\x92\xa5", "\xe2\x82\xac \xf0\x9f\x92\xa5");
	CHECK_UTF8("a\nb\x1b[1m", "a\\nb\\x1b[1m");
	/* Not well-formed: overlong, truncated, a surrogate, a lone byte. */
	CHECK_UTF8("\xc0\xaf", "\\xc0\\xaf");
	CHECK_UTF8("\xc3", "\\xc3");
	CHECK_UTF8("\xed\xa0\x80", "\\xed\\xa0\\x80");
	CHECK_UTF8("\xff", "\\xff");
	/* C1 control (CSI), NBSP stays; U+2028, RLO, LRI, BOM escaped. */
	CHECK_UTF8("\xc2\x9b", "\\xc2\\x9b");
	CHECK_UTF8("\xc2\xa0", "\xc2\xa0");
	CHECK_UTF8("\xe2\x80\xa8", "\\xe2\\x80\\xa8");
	CHECK_UTF8("x\xe2\x80\xaey", "x\\xe2\\x80\\xaey");
	CHECK_UTF8("\xe2\x81\xa6", "\\xe2\\x81\\xa6");
	CHECK_UTF8("\xef\xbb\xbf", "\\xef\\xbb\\xbf");
	check_argv_utf8("v\xc3\xbc\0a b\0", 8, "'v\xc3\xbc' 'a b'");
	check_argv_utf8("\xc3\xbc\n\0", 4, "$'\xc3\xbc\\n'");
}

static void
test_escape_c_every_byte_printable(void **state)
{
	char all[256];
	struct buf b;

	(void)state;
	for (int i = 0; i < 256; i++)
		all[i] = (char)i;
	buf_init(&b, 0);
	assert_int_equal(escape_c(&b, all, sizeof(all)), 0);
	for (size_t i = 0; i < b.len; i++)
		assert_true(b.data[i] >= 0x20 && b.data[i] < 0x7f);
	buf_done(&b);
}

static void
test_escape_c_cap(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 4);
	assert_int_equal(escape_c(&b, "\xff\xff", 2), -E2BIG);
	buf_done(&b);
}

static void
check_shell(const char *in, size_t len, const char *want)
{
	struct buf b;

	buf_init(&b, 0);
	assert_int_equal(escape_shell(&b, in, len), 0);
	assert_string_equal(b.data ? b.data : "", want);
	assert_null(memchr(b.data, '\n', b.len));
	buf_done(&b);
}

static void
test_escape_shell(void **state)
{
	(void)state;
	CHECK_SHELL("ls", "ls");
	CHECK_SHELL("/usr/bin/x-y_z.1", "/usr/bin/x-y_z.1");
	CHECK_SHELL("a=b:c@d%e+f,g", "a=b:c@d%e+f,g");
	CHECK_SHELL("", "''");
	CHECK_SHELL("two words", "'two words'");
	CHECK_SHELL("$HOME", "'$HOME'");
	CHECK_SHELL("`id`;*?~#&|<>(){}[]!", "'`id`;*?~#&|<>(){}[]!'");
	CHECK_SHELL("it's", "'it'\\''s'");
	CHECK_SHELL("a\\b", "'a\\b'");
	CHECK_SHELL("a\nb", "$'a\\nb'");
	CHECK_SHELL("tab\there", "$'tab\\there'");
	CHECK_SHELL("it's\n", "$'it\\'s\\n'");
	CHECK_SHELL("\x1b[2J", "$'\\x1b[2J'");
	CHECK_SHELL("caf\xc3\xa9", "$'caf\\xc3\\xa9'");
	CHECK_SHELL("\xff", "$'\\xff'");
	CHECK_SHELL("a\\b\x01", "$'a\\\\b\\x01'");
}

static void
check_argv(const char *in, size_t len, const char *want)
{
	struct buf b;

	buf_init(&b, 0);
	assert_int_equal(escape_argv(&b, in, len), 0);
	assert_string_equal(b.data ? b.data : "", want);
	buf_done(&b);
}

static void
test_escape_argv(void **state)
{
	(void)state;
	CHECK_ARGV("", "");
	CHECK_ARGV("ls\0-l\0/tmp dir\0", "ls -l '/tmp dir'");
	/* The kernel's trailing NUL is optional. */
	CHECK_ARGV("ls\0-l", "ls -l");
	/* Empty arguments survive as ''. */
	CHECK_ARGV("a\0\0b\0", "a '' b");
	CHECK_ARGV("a\0\0", "a ''");
	CHECK_ARGV("\0", "''");
	CHECK_ARGV("\0\0", "'' ''");
	CHECK_ARGV("perl\0-e\0print \"hi\\n\"\0", "perl -e 'print \"hi\\n\"'");
	CHECK_ARGV("sh\0-c\0echo a\nrm -rf /\0", "sh -c $'echo a\\nrm -rf /'");
}

/*
 * Runs "printf '%s\0' WORDS" in bash and returns its output: the bytes
 * bash reads back from the escaped words.
 */
static char *
bash_readback(const char *words, size_t *ret_len)
{
	struct buf script, out;
	int pfd[2], status;
	char tmp[4096];
	ssize_t n;
	pid_t pid;

	buf_init(&script, 0);
	buf_init(&out, 0);
	assert_int_equal(buf_printf(&script, "printf '%%s\\0' %s", words), 0);
	assert_int_equal(pipe(pfd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(pfd[1], 1);
		close(pfd[0]);
		close(pfd[1]);
		execl("/bin/bash", "bash", "--norc", "--noprofile", "-c",
		    script.data, (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	while ((n = read(pfd[0], tmp, sizeof(tmp))) > 0)
		assert_int_equal(buf_append(&out, tmp, (size_t)n), 0);
	close(pfd[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	buf_done(&script);
	return buf_steal(&out, ret_len);
}

static void
check_roundtrip(const char *argv, size_t len)
{
	struct buf b;
	size_t got_len;
	char *got;

	buf_init(&b, 0);
	assert_int_equal(escape_argv(&b, argv, len), 0);
	assert_null(memchr(b.data, '\n', b.len));
	got = bash_readback(b.data, &got_len);
	if (got_len != len || memcmp(got, argv, len) != 0)
		fail_msg("bash read back %zu bytes for \"%s\", want %zu",
		    got_len, b.data, len);
	free(got);
	buf_done(&b);
}

static void
test_shell_roundtrip(void **state)
{
	static const char hostile[] = "x\0it's\0$(id)\0`id`\0a b\tc\nd\0"
				      "\\\0\"\0!\0~root\0*\0caf\xc3\xa9\0"
				      "\x1b]0;pwned\x07\0'\0''\0\0-e\0";
	char all[2 * 255];

	(void)state;
	if (access("/bin/bash", X_OK) != 0)
		skip();
	check_roundtrip(hostile, sizeof(hostile) - 1);
	/* Every byte but NUL, alone and in one word. */
	for (int i = 1; i < 256; i++) {
		all[2 * (i - 1)] = (char)i;
		all[2 * (i - 1) + 1] = '\0';
	}
	check_roundtrip(all, sizeof(all));
	for (int i = 1; i < 256; i++)
		all[i - 1] = (char)i;
	all[255] = '\0';
	check_roundtrip(all, 256);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_c),
		cmocka_unit_test(test_escape_c_utf8),
		cmocka_unit_test(test_escape_c_every_byte_printable),
		cmocka_unit_test(test_escape_c_cap),
		cmocka_unit_test(test_escape_shell),
		cmocka_unit_test(test_escape_argv),
		cmocka_unit_test(test_shell_roundtrip),
	};

	return cmocka_run_group_tests_name("escape", tests, NULL, NULL);
}
