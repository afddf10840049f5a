/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for common/json.c: strings keep every byte by json_text.h's
 * one rule (\xNN for what is not UTF-8, \x5c for a backslash that would
 * read as one), JSON's own escapes, and the writer's commas and errors.
 */
#include "testutil.h"

#include <errno.h>
#include <string.h>

#include "buf.h"
#include "json.h"
#include "json_text.h"

static void
check_string(const char *in, size_t len, const char *want)
{
	struct buf b;

	buf_init(&b, 0);
	assert_int_equal(json_write_string(&b, in, len), 0);
	assert_string_equal(b.data ? b.data : "", want);
	buf_done(&b);
}

#define CHECK_STRING(lit, want) check_string(lit, sizeof(lit) - 1, want)

static void
test_string(void **state)
{
	(void)state;
	CHECK_STRING("", "\"\"");
	CHECK_STRING("plain", "\"plain\"");
	CHECK_STRING("a\"b\\c", "\"a\\\"b\\\\c\"");
	CHECK_STRING("\n\t\r\x01\x7f", "\"\\n\\t\\r\\u0001\\u007f\"");
	/* Valid UTF-8 as it is. */
	CHECK_STRING("\xc3\xa9\xe2\x80\xa6", "\"\xc3\xa9\xe2\x80\xa6\"");
	/* Not UTF-8, and NUL: \xNN (its backslash escaped for JSON). */
	CHECK_STRING("a\xff"
		     "b",
	    "\"a\\\\xffb\"");
	CHECK_STRING("\xc3", "\"\\\\xc3\"");
	CHECK_STRING("a\0b", "\"a\\\\x00b\"");
	/* A backslash that reads as an escape is \x5c; another is kept. */
	CHECK_STRING("\\x41", "\"\\\\x5cx41\"");
	CHECK_STRING("\\xg1\\n", "\"\\\\xg1\\\\n\"");
}

/* The escaped-text flag keeps crashd's own escapes as they are. */
static void
test_text_escaped(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 0);
	assert_int_equal(
	    json_write_text(&b, "\\x41\xff", 5, JSON_TEXT_ESCAPED), 0);
	assert_string_equal(b.data, "\"\\\\x41\\\\xff\"");
	buf_done(&b);
}

/* The rule's inverse gives every byte back, and only \xHH is read. */
static void
test_decode(void **state)
{
	char all[256];
	struct buf t, back;

	(void)state;
	for (int i = 0; i < 256; i++)
		all[i] = (char)i;
	buf_init(&t, 0);
	buf_init(&back, 0);
	assert_int_equal(json_text(&t, all, sizeof(all), 0), 0);
	assert_int_equal(json_text_decode(&back, t.data, t.len), 0);
	assert_int_equal(back.len, sizeof(all));
	assert_memory_equal(back.data, all, sizeof(all));
	buf_reset(&back);
	assert_int_equal(json_text_decode(&back, "\\x4A\\x4\\xg0\\", 12), 0);
	assert_string_equal(back.data, "J\\x4\\xg0\\");
	buf_done(&t);
	buf_done(&back);
}

static void
test_writer(void **state)
{
	struct json_writer w;
	struct buf b;

	(void)state;
	buf_init(&b, 0);
	json_writer_init(&w, &b);
	json_begin_object(&w);
	json_key(&w, "a");
	json_int(&w, -3);
	json_key(&w, "b");
	json_begin_array(&w);
	json_str(&w, "x");
	json_bool(&w, true);
	json_write_null(&w);
	json_utf8n(&w, "\xc3\xa9", 2);
	json_textn(&w, "\\x41", 4, 0);
	json_end_array(&w);
	json_key(&w, "c");
	json_begin_object(&w);
	json_end_object(&w);
	json_end_object(&w);
	assert_int_equal(w.error, 0);
	assert_string_equal(b.data,
	    "{\"a\":-3,\"b\":[\"x\",true,null,\"\xc3\xa9\",\"\\\\x5cx41\"],"
	    "\"c\":{}}");
	buf_done(&b);
}

/* A full buffer is the writer's sticky error. */
static void
test_writer_cap(void **state)
{
	struct json_writer w;
	struct buf b;

	(void)state;
	buf_init(&b, 8);
	json_writer_init(&w, &b);
	json_begin_array(&w);
	json_str(&w, "longer than eight bytes");
	json_int(&w, 1);
	json_end_array(&w);
	assert_int_equal(w.error, -E2BIG);
	buf_done(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_string),
		cmocka_unit_test(test_text_escaped),
		cmocka_unit_test(test_decode),
		cmocka_unit_test(test_writer),
		cmocka_unit_test(test_writer_cap),
	};

	return cmocka_run_group_tests_name("json", tests, NULL, NULL);
}
