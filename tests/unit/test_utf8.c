/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for common/utf8.c: every boundary RFC 3629 draws, and an
 * exhaustive check of all two- and three-byte sequences against a
 * reference decoder written from the code point side (encode, then
 * compare).
 */
#include "testutil.h"

#include <stdint.h>
#include <string.h>

#include "utf8.h"

/* Decodes the literal; checks its length and code point. */
static void
check(const char *s, size_t len, size_t want_n, uint32_t want_cp)
{
	uint32_t cp = 0xffffffff;
	size_t n = utf8_decode((const unsigned char *)s, len, &cp);

	assert_int_equal(n, want_n);
	if (want_n)
		assert_int_equal(cp, want_cp);
	else
		assert_int_equal(cp, 0xffffffff); /* left alone */
}

#define OK(lit, cp) check(lit, sizeof(lit) - 1, sizeof(lit) - 1, cp)
#define BAD(lit) check(lit, sizeof(lit) - 1, 0, 0)

static void
test_boundaries(void **state)
{
	(void)state;
	check("\0", 1, 1, 0);
	OK("A", 'A');
	OK("\x7f", 0x7f);
	OK("\xc2\x80", 0x80);
	OK("\xdf\xbf", 0x7ff);
	OK("\xe0\xa0\x80", 0x800);
	OK("\xed\x9f\xbf", 0xd7ff);
	OK("\xee\x80\x80", 0xe000);
	OK("\xef\xbf\xbf", 0xffff);
	OK("\xf0\x90\x80\x80", 0x10000);
	OK("\xf4\x8f\xbf\xbf", 0x10ffff);
	BAD("\x80"); /* a lone continuation byte */
	BAD("\xbf");
	BAD("\xc0\x80"); /* overlong NUL */
	BAD("\xc1\xbf"); /* overlong U+7F */
	BAD("\xe0\x9f\xbf"); /* overlong U+7FF */
	BAD("\xf0\x8f\xbf\xbf"); /* overlong U+FFFF */
	BAD("\xed\xa0\x80"); /* surrogate U+D800 */
	BAD("\xed\xbf\xbf"); /* surrogate U+DFFF */
	BAD("\xf4\x90\x80\x80"); /* U+110000 */
	BAD("\xf5\x80\x80\x80");
	BAD("\xff");
	BAD("\xc2\x41"); /* not a continuation */
	BAD("\xe2\x82\x41");
	/* Cut short by the end of the data, not by a NUL. */
	check("\xe2\x82\xac", 2, 0, 0);
	check("\xf0\x9f\x98\x80", 3, 0, 0);
	check("\xe2\x82\xac", 3, 3, 0x20ac);
	/* Only the first sequence counts. */
	check("\xc3\xa9\xff", 3, 2, 0xe9);
	/* The code point is optional. */
	assert_int_equal(
	    utf8_decode((const unsigned char *)"\xc3\xa9", 2, NULL), 2);
}

/* The UTF-8 form of cp (any value below 0x110000): its length. */
static size_t
encode(uint32_t cp, unsigned char *out)
{
	if (cp < 0x80) {
		out[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (unsigned char)(0xc0 | cp >> 6);
		out[1] = (unsigned char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (unsigned char)(0xe0 | cp >> 12);
		out[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
		out[2] = (unsigned char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (unsigned char)(0xf0 | cp >> 18);
	out[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
	out[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
	out[3] = (unsigned char)(0x80 | (cp & 0x3f));
	return 4;
}

/*
 * Every byte string of 1 to 3 bytes decodes as 0, or as exactly the
 * sequence that encodes its code point (no second spelling of any
 * character), and every scalar value round-trips.
 */
static void
test_exhaustive(void **state)
{
	unsigned char s[4], e[4];
	unsigned long accepted = 0;

	(void)state;
	for (uint32_t v = 0; v < 1u << 24; v++) {
		uint32_t cp = 0;
		size_t n;

		s[0] = (unsigned char)(v >> 16);
		s[1] = (unsigned char)(v >> 8);
		s[2] = (unsigned char)v;
		n = utf8_decode(s, 3, &cp);
		if (n == 0)
			continue;
		assert_true(cp < 0xd800 || (cp > 0xdfff && cp <= 0x10ffff));
		assert_int_equal(encode(cp, e), n);
		assert_memory_equal(e, s, n);
		if (n == 3)
			accepted++;
	}
	/* The three-byte scalar values: U+0800..U+FFFF minus surrogates. */
	assert_int_equal(accepted, 0x10000 - 0x800 - 0x800);
	for (uint32_t cp = 0; cp <= 0x10ffff; cp++) {
		uint32_t back = 0;
		size_t n;

		if (cp >= 0xd800 && cp <= 0xdfff)
			continue;
		n = encode(cp, e);
		assert_int_equal(utf8_decode(e, n, &back), n);
		assert_int_equal(back, cp);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_boundaries),
		cmocka_unit_test(test_exhaustive),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
