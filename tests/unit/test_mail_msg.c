/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for daemon/mail_msg.c, its encodings read back with
 * daemon/mail_decode.c: visible text, headers that no byte can break out
 * of, encoded-words, folding, quoted-printable, base64, Message-ID, Date.
 */
#include "testutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "mail_address.h"
#include "mail_decode.h"
#include "mail_msg.h"
#include "mail_testutil.h"

static void
check_visible(const char *in, size_t len, const char *want)
{
	char *v = mt_visible(in, len);
	struct buf back;

	assert_string_equal(v, want);
	buf_init(&back, 0);
	assert_int_equal(mail_msg_unescape(&back, v, strlen(v)), 0);
	assert_int_equal(back.len, len);
	assert_memory_equal(back.data ? back.data : "", in, len);
	buf_done(&back);
	free(v);
}

#define CHECK_HEADER(lit) mt_check_header("Subject", lit, sizeof(lit) - 1)
#define CHECK_VISIBLE(lit, want) check_visible(lit, sizeof(lit) - 1, want)

static void
test_visible(void **state)
{
	(void)state;
	CHECK_VISIBLE("", "");
	CHECK_VISIBLE("plain", "plain");
	CHECK_VISIBLE("a\r\nBcc: x", "a\\r\\nBcc: x");
	CHECK_VISIBLE("nul\0x\t\x1b", "nul\\x00x\\t\\x1b");
	CHECK_VISIBLE("back\\slash", "back\\\\slash");
	/* Valid UTF-8 stays, as text. */
	CHECK_VISIBLE("caf\xc3\xa9 \xe2\x98\x83 \xf0\x9f\x92\xa5",
	    "caf\xc3\xa9 \xe2\x98\x83 \xf0\x9f\x92\xa5");
	/* Invalid: lone bytes, overlong, surrogate, beyond U+10FFFF, cut. */
	CHECK_VISIBLE("\xff\xc3(", "\\xff\\xc3(");
	CHECK_VISIBLE("\xc0\xaf", "\\xc0\\xaf");
	CHECK_VISIBLE("\xed\xa0\x80", "\\xed\\xa0\\x80");
	CHECK_VISIBLE("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80");
	CHECK_VISIBLE("\xe2\x98", "\\xe2\\x98");
	/* C1 controls, bidi overrides, line separators: escaped. */
	CHECK_VISIBLE("\xc2\x85", "\\xc2\\x85");
	CHECK_VISIBLE("a\xe2\x80\xae"
		      "b",
	    "a\\xe2\\x80\\xaeb");
	CHECK_VISIBLE("\xe2\x80\xa8", "\\xe2\\x80\\xa8");
	CHECK_VISIBLE("\x7f", "\\x7f");
}

static void
test_visible_random_roundtrip(void **state)
{
	char in[512];

	(void)state;
	srand(5);
	for (int round = 0; round < 2000; round++) {
		size_t len = (size_t)(rand() % (int)sizeof(in));
		char *v;
		struct buf back;

		for (size_t i = 0; i < len; i++)
			in[i] = (char)(rand() % 4 ? rand() % 256
						  : "\\x\xc3\xa9"[rand() % 4]);
		v = mt_visible(in, len);
		for (const char *p = v; *p; p++)
			assert_true((unsigned char)*p >= 0x20 && *p != 0x7f);
		buf_init(&back, 0);
		assert_int_equal(mail_msg_unescape(&back, v, strlen(v)), 0);
		assert_int_equal(back.len, len);
		assert_memory_equal(back.data ? back.data : "", in, len);
		buf_done(&back);
		free(v);
	}
}

/* ---- headers ---- */

static void
test_header_plain(void **state)
{
	struct buf h;

	(void)state;
	buf_init(&h, 0);
	assert_int_equal(mail_msg_header(&h, "Subject", "hello world", 11), 0);
	assert_string_equal(h.data, "Subject: hello world\r\n");
	buf_reset(&h);
	assert_int_equal(mail_msg_header(&h, "Subject", "", 0), 0);
	assert_string_equal(h.data, "Subject:\r\n");
	buf_done(&h);
	CHECK_HEADER("[crashd] ruby killed by SIGSEGV on web-1");
	CHECK_HEADER("two  spaces   inside");
}

static void
test_header_folding(void **state)
{
	char words[2000];
	struct buf h;
	size_t n = 0;

	(void)state;
	/* Many short words: plain, folded at spaces, 78 columns. */
	for (int i = 0; n < sizeof(words) - 16; i++)
		n += (size_t)snprintf(
		    words + n, sizeof(words) - n, "%sword%d", i ? " " : "", i);
	mt_check_header("Subject", words, n);
	buf_init(&h, 0);
	assert_int_equal(mail_msg_header(&h, "Subject", words, n), 0);
	assert_null(strstr(h.data, "=?"));
	assert_true(strstr(h.data, "\r\n word") != NULL);
	buf_done(&h);
	/* One word longer than a line: encoded-words, split. */
	memset(words, 'x', 300);
	mt_check_header("Subject", words, 300);
	/* Spaces at the ends would be lost as plain text. */
	CHECK_HEADER(" leading");
	CHECK_HEADER("trailing ");
	CHECK_HEADER("   ");
	memset(words, ' ', 200);
	words[200] = 'x';
	mt_check_header("Subject", words, 201);
}

static void
test_header_injection(void **state)
{
	static const char *const hostile[] = {
		"x\r\nBcc: evil@example.org",
		"x\nBcc: evil@example.org",
		"x\rBcc: evil@example.org",
		"x\r\n\r\nbody",
		"x\r\n Bcc: folded@example.org",
		"=?UTF-8?Q?=0D=0ABcc:_evil@example.org?=",
		"=?utf-8?b?DQpCY2M6IGV2aWxAZXhhbXBsZS5vcmc=?=",
	};
	char nul[] = "a\0\r\nBcc: b@example.org";
	struct buf h;

	(void)state;
	for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		mt_check_header("Subject", hostile[i], strlen(hostile[i]));
		buf_init(&h, 0);
		assert_int_equal(mail_msg_header(&h, "Subject", hostile[i],
				     strlen(hostile[i])),
		    0);
		/* No line of the field starts a new one. */
		assert_null(strstr(h.data, "\r\nBcc"));
		assert_null(strstr(h.data, "\nBcc"));
		buf_done(&h);
	}
	mt_check_header("Subject", nul, sizeof(nul) - 1);
}

static void
test_header_utf8(void **state)
{
	/* "Crash of é ☃ 💥" and a long Japanese name. */
	static const char ja[] = "\xe3\x82\xb5\xe3\x83\xbc\xe3\x83\x90\xe3"
				 "\x83\xbc";
	char longja[1200] = "";
	struct buf h, one;
	const char *p;

	(void)state;
	CHECK_HEADER("Crash of caf\xc3\xa9 \xe2\x98\x83 \xf0\x9f\x92\xa5");
	for (int i = 0; i < 90; i++)
		strcat(longja, ja);
	mt_check_header("Subject", longja, strlen(longja));
	/* Every encoded-word holds whole characters: each decodes alone. */
	buf_init(&h, 0);
	assert_int_equal(
	    mail_msg_header(&h, "Subject", longja, strlen(longja)), 0);
	assert_non_null(strstr(h.data, "=?UTF-8?B?"));
	for (p = strstr(h.data, "=?"); p; p = strstr(p + 2, "=?")) {
		const char *end = strstr(p + 10, "?=");
		char *v;

		assert_non_null(end);
		assert_true(end + 2 - p <= 75);
		buf_init(&one, 0);
		assert_int_equal(mail_decode_header(&one, "X:", 2), 0);
		{
			struct buf f;

			buf_init(&f, 0);
			buf_puts(&f, "X: ");
			buf_append(&f, p, (size_t)(end + 2 - p));
			assert_int_equal(
			    mail_decode_header(&one, f.data, f.len), 0);
			buf_done(&f);
		}
		v = mt_visible(one.data, one.len);
		/* Valid UTF-8 is shown as it is: nothing was escaped. */
		assert_string_equal(v, one.data);
		free(v);
		buf_done(&one);
		p = end;
	}
	buf_done(&h);
	/* Mostly ASCII: Q, still readable. */
	buf_init(&h, 0);
	assert_int_equal(
	    mail_msg_header(&h, "Subject", "victim caf\xc3\xa9 died",
		strlen("victim caf\xc3\xa9 died")),
	    0);
	assert_string_equal(
	    h.data, "Subject: =?UTF-8?Q?victim_caf=C3=A9_died?=\r\n");
	buf_done(&h);
}

static void
test_addresses(void **state)
{
	char *two[] = { "a@example.org", "b@example.org", NULL };
	char *bad[] = { "a@example.org", "b@x>\r\nBcc: c@y", NULL };
	char *many[21];
	char addr[20][32];
	struct buf h;

	(void)state;
	buf_init(&h, 0);
	assert_int_equal(mail_msg_header_addresses(&h, "To", two), 0);
	assert_string_equal(h.data, "To: a@example.org, b@example.org\r\n");
	buf_reset(&h);
	assert_int_equal(mail_msg_header_addresses(&h, "To", bad), -EINVAL);
	assert_int_equal(mail_msg_header_addresses(&h, "To", two + 2), -EINVAL);
	for (int i = 0; i < 20; i++) {
		snprintf(addr[i], sizeof(addr[i]), "user%d@example.org", i);
		many[i] = addr[i];
	}
	many[20] = NULL;
	buf_reset(&h);
	assert_int_equal(mail_msg_header_addresses(&h, "To", many), 0);
	assert_true(mail_decode_check_lines(h.data, h.len) <= MAIL_LINE_SOFT);
	assert_non_null(strstr(h.data, ",\r\n user"));
	buf_done(&h);
	assert_true(mail_address_valid("root@localhost"));
	assert_false(mail_address_valid("root"));
	assert_false(mail_address_valid("a b@c"));
	assert_false(mail_address_valid("a@b,c@d"));
	assert_false(mail_address_valid("\"a\"@b"));
}

/* ---- bodies ---- */

static void
check_qp(const char *in, size_t len)
{
	struct buf q, d;
	long longest;

	buf_init(&q, 0);
	buf_init(&d, 0);
	assert_int_equal(mail_msg_qp(&q, in, len), 0);
	longest = mail_decode_check_lines(q.data ? q.data : "", q.len);
	/* (a text not ending in '\n' leaves its last line open) */
	if (q.len > 0 && q.data[q.len - 1] != '\n') {
		buf_puts(&q, "\r\n");
		longest = mail_decode_check_lines(q.data, q.len);
		q.len -= 2;
	}
	assert_true(longest >= 0 && longest <= 76);
	/* No line starts with '.', none with "From ", none ends in space. */
	for (size_t i = 0; i < q.len; i++) {
		bool bol = i == 0 || q.data[i - 1] == '\n';

		assert_false(bol && q.data[i] == '.');
		assert_false(bol && strncmp(q.data + i, "From ", 5) == 0);
		assert_false(q.data[i] == '\r' && i > 0 &&
		    (q.data[i - 1] == ' ' || q.data[i - 1] == '\t'));
	}
	assert_int_equal(mail_decode_qp(&d, q.data ? q.data : "", q.len), 0);
	assert_int_equal(d.len, len);
	assert_memory_equal(d.data ? d.data : "", in, len);
	buf_done(&q);
	buf_done(&d);
}

static void
test_qp(void **state)
{
	char all[256], in[3000];
	struct buf q;

	(void)state;
	for (int i = 0; i < 256; i++)
		all[i] = (char)i;
	check_qp(all, sizeof(all));
	check_qp("", 0);
	check_qp("line one\nline two\n", 18);
	check_qp("trailing space \nand tab\t\n", 25);
	check_qp(".\n..\nFrom me\nFrom\n", 18);
	check_qp("x = y\r\nbare\rcr\n", 15);
	memset(in, 'a', 200);
	in[75] = '.';
	in[76] = '=';
	check_qp(in, 200);
	srand(7);
	for (int round = 0; round < 500; round++) {
		size_t len = (size_t)(rand() % (int)sizeof(in));

		for (size_t i = 0; i < len; i++)
			in[i] = (char)(rand() % 3 ? " .F\n=\r\xc3"[rand() % 7]
						  : rand() % 256);
		check_qp(in, len);
	}
	buf_init(&q, 0);
	assert_int_equal(mail_msg_qp(&q, "caf\xc3\xa9 = ok\n", 11), 0);
	assert_string_equal(q.data, "caf=C3=A9 =3D ok\r\n");
	buf_done(&q);
}

static void
test_base64(void **state)
{
	char in[1000];
	struct buf b, d;

	(void)state;
	for (size_t len = 0; len < 200; len++) {
		for (size_t i = 0; i < len; i++)
			in[i] = (char)(i * 37 + len);
		buf_init(&b, 0);
		buf_init(&d, 0);
		assert_int_equal(mail_msg_base64(&b, in, len), 0);
		assert_true(
		    mail_decode_check_lines(b.data ? b.data : "", b.len) <= 76);
		assert_int_equal(
		    mail_decode_base64(&d, b.data ? b.data : "", b.len), 0);
		assert_int_equal(d.len, len);
		assert_memory_equal(d.data ? d.data : "", in, len);
		buf_done(&b);
		buf_done(&d);
	}
	buf_init(&b, 0);
	assert_int_equal(mail_msg_base64(&b, "Man", 3), 0);
	assert_string_equal(b.data, "TWFu\r\n");
	buf_done(&b);
}

/* ---- Message-ID, Date ---- */

static bool
dot_atom(const char *s, size_t n)
{
	if (n == 0 || s[0] == '.' || s[n - 1] == '.')
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '.' && s[i + 1] == '.')
			return false;
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
			(s[i] >= 'A' && s[i] <= 'Z') ||
			(s[i] >= '0' && s[i] <= '9') ||
			strchr(".!#$%&'*+-/=?^_`{|}~", s[i])))
			return false;
	}
	return true;
}

static char *
msgid(const char *id)
{
	struct buf b;
	const char *at;

	buf_init(&b, 0);
	assert_int_equal(mail_msg_message_id(&b, id, "host.example.org"), 0);
	assert_true(b.len < MAIL_LINE_SOFT * 4);
	assert_int_equal(b.data[0], '<');
	assert_int_equal(b.data[b.len - 1], '>');
	at = strrchr(b.data, '@');
	assert_non_null(at);
	assert_true(dot_atom(b.data + 1, (size_t)(at - b.data - 1)));
	assert_true(dot_atom(at + 1, b.len - (size_t)(at - b.data) - 2));
	return buf_steal(&b, NULL);
}

static void
test_message_id(void **state)
{
	static const char *const ids[] = {
		"20261123T043658.123456Z-29902-victim/page",
		"20261123T043658.123456Z-29902-victim/page@digest-1795408618",
		"20261123T043658.123456Z-29902-victim/mail",
		"20261123T043658.123456Z-29902-victim/page@digest-1795408619",
		".lead",
		"trail.",
		"a..b",
		"a.b",
		"a=2Eb",
		"a b",
		"a\r\nb",
		"",
		"x>\r\nBcc: y@z",
	};
	char *a, *b, longid[600];

	(void)state;
	a = msgid(ids[0]);
	assert_string_equal(
	    a, "<20261123T043658.123456Z-29902-victim/page@host.example.org>");
	free(a);
	/* Stable, and different ids never share one. */
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		a = msgid(ids[i]);
		b = msgid(ids[i]);
		assert_string_equal(a, b);
		free(b);
		for (size_t j = 0; j < i; j++) {
			b = msgid(ids[j]);
			assert_string_not_equal(a, b);
			free(b);
		}
		free(a);
	}
	memset(longid, 'a', sizeof(longid) - 1);
	longid[sizeof(longid) - 1] = '\0';
	a = msgid(longid);
	longid[300] = 'b';
	b = msgid(longid);
	assert_string_not_equal(a, b);
	free(a);
	free(b);
}

static void
test_date(void **state)
{
	const char *tz = getenv("TZ");
	char *saved = tz ? strdup(tz) : NULL;
	struct buf b;

	(void)state;
	buf_init(&b, 0);
	setenv("TZ", "UTC0", 1);
	tzset();
	assert_int_equal(mail_msg_date(&b, 0), 0);
	assert_string_equal(b.data, "Thu, 1 Jan 1970 00:00:00 +0000");
	buf_reset(&b);
	setenv("TZ", "EST5EDT,M3.2.0,M11.1.0", 1);
	tzset();
	assert_int_equal(mail_msg_date(&b, 1795408618), 0);
	assert_string_equal(b.data, "Sun, 22 Nov 2026 23:36:58 -0500");
	buf_reset(&b);
	setenv("TZ", "IST-5:30", 1);
	tzset();
	assert_int_equal(mail_msg_date(&b, 1795408618), 0);
	assert_string_equal(b.data, "Mon, 23 Nov 2026 10:06:58 +0530");
	buf_done(&b);
	if (saved)
		setenv("TZ", saved, 1);
	else
		unsetenv("TZ");
	tzset();
	free(saved);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_visible),
		cmocka_unit_test(test_visible_random_roundtrip),
		cmocka_unit_test(test_header_plain),
		cmocka_unit_test(test_header_folding),
		cmocka_unit_test(test_header_injection),
		cmocka_unit_test(test_header_utf8),
		cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_qp),
		cmocka_unit_test(test_base64),
		cmocka_unit_test(test_message_id),
		cmocka_unit_test(test_date),
	};

	return cmocka_run_group_tests_name("mail_msg", tests, NULL, NULL);
}
