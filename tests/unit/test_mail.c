/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for the mail action: the encodings of daemon/mail_msg.c read
 * back with daemon/mail_decode.c (visible text, headers that no byte can
 * break out of, encoded-words, folding, quoted-printable, base64,
 * Message-ID, Date), whole messages rendered from fake dumps (hostile
 * names, non-ASCII, redaction, the core attachment, the subject
 * template), the sendmail exit codes with a scripted sendmail, the AUTH
 * file's checks, and SMTP replies against the real test server
 * (tests/daemon/smtp_server.py, skipped without /usr/bin/python3 and
 * aiosmtpd).
 */
#include "testutil.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "action.h"
#include "buf.h"
#include "dump.h"
#include "fsutil.h"
#include "mail_body.h"
#include "mail_decode.h"
#include "mail_msg.h"
#include "mail_send.h"

/* ---- helpers ---- */

static char *
visible(const char *s, size_t len)
{
	struct buf b;

	buf_init(&b, 0);
	assert_int_equal(mail_msg_visible(&b, s, len), 0);
	return buf_steal(&b, NULL);
}

/*
 * Checks a header field as written: lines within limits, every line but
 * the first a continuation, and its value reads back as the visible form
 * of value.
 */
static void
check_header(const char *name, const char *value, size_t len)
{
	struct buf h, d;
	char *want = visible(value, len);
	long longest;

	buf_init(&h, 0);
	buf_init(&d, 0);
	assert_int_equal(mail_msg_header(&h, name, value, len), 0);
	longest = mail_decode_check_lines(h.data, h.len);
	if (longest < 0)
		fail_msg("bad lines in %s", h.data);
	assert_true(longest <= MAIL_LINE_SOFT);
	assert_int_equal(strncmp(h.data, name, strlen(name)), 0);
	assert_int_equal(h.data[strlen(name)], ':');
	/* One field: every CRLF but the last is followed by a space. */
	for (size_t i = 0; i + 2 < h.len; i++)
		if (h.data[i] == '\r')
			assert_true(h.data[i + 2] == ' ');
	assert_int_equal(mail_decode_header(&d, h.data, h.len), 0);
	if (strcmp(d.data ? d.data : "", want) != 0)
		fail_msg("header %s decodes to '%s', expected '%s'", h.data,
		    d.data ? d.data : "", want);
	buf_done(&h);
	buf_done(&d);
	free(want);
}

#define CHECK_HEADER(lit) check_header("Subject", lit, sizeof(lit) - 1)

/* The start of the field name at a line start in the header block, or NULL. */
static const char *
find_field(const char *msg, size_t hdr_len, const char *name, int nth)
{
	size_t n = strlen(name);

	for (size_t i = 0; i < hdr_len; i++) {
		if (i > 0 && msg[i - 1] != '\n')
			continue;
		if (strncasecmp(msg + i, name, n) == 0 && msg[i + n] == ':' &&
		    nth-- == 0)
			return msg + i;
	}
	return NULL;
}

/* The length of the header block (up to the empty line). */
static size_t
header_len(const char *msg)
{
	const char *end = strstr(msg, "\r\n\r\n");

	assert_non_null(end);
	return (size_t)(end - msg) + 2;
}

/* The decoded value of a field that must occur exactly once. */
static char *
field(const char *msg, const char *name)
{
	size_t hl = header_len(msg);
	const char *f = find_field(msg, hl, name, 0), *end;
	struct buf d;

	if (f == NULL)
		fail_msg("no %s header in:\n%s", name, msg);
	assert_null(find_field(msg, hl, name, 1));
	/* The field runs until a line that does not start with a space. */
	end = f;
	do {
		end = strstr(end, "\r\n") + 2;
	} while (*end == ' ' || *end == '\t');
	buf_init(&d, 0);
	assert_int_equal(mail_decode_header(&d, f, (size_t)(end - f)), 0);
	return buf_steal(&d, NULL);
}

/* The decoded text of a message's (first) quoted-printable part. */
static char *
qp_text(const char *msg)
{
	const char *p = strstr(msg,
	    "Content-Transfer-Encoding: "
	    "quoted-printable\r\n\r\n");
	const char *end;
	struct buf d;

	assert_non_null(p);
	p = strstr(p, "\r\n\r\n") + 4;
	end = strstr(p, "\r\n--=_crashd_");
	if (end == NULL)
		end = p + strlen(p);
	buf_init(&d, 0);
	assert_int_equal(mail_decode_qp(&d, p, (size_t)(end - p)), 0);
	return buf_steal(&d, NULL);
}

/* ---- visible text ---- */

static void
check_visible(const char *in, size_t len, const char *want)
{
	char *v = visible(in, len);
	struct buf back;

	assert_string_equal(v, want);
	buf_init(&back, 0);
	assert_int_equal(mail_msg_unescape(&back, v, strlen(v)), 0);
	assert_int_equal(back.len, len);
	assert_memory_equal(back.data ? back.data : "", in, len);
	buf_done(&back);
	free(v);
}

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
		v = visible(in, len);
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
	check_header("Subject", words, n);
	buf_init(&h, 0);
	assert_int_equal(mail_msg_header(&h, "Subject", words, n), 0);
	assert_null(strstr(h.data, "=?"));
	assert_true(strstr(h.data, "\r\n word") != NULL);
	buf_done(&h);
	/* One word longer than a line: encoded-words, split. */
	memset(words, 'x', 300);
	check_header("Subject", words, 300);
	/* Spaces at the ends would be lost as plain text. */
	CHECK_HEADER(" leading");
	CHECK_HEADER("trailing ");
	CHECK_HEADER("   ");
	memset(words, ' ', 200);
	words[200] = 'x';
	check_header("Subject", words, 201);
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
		check_header("Subject", hostile[i], strlen(hostile[i]));
		buf_init(&h, 0);
		assert_int_equal(mail_msg_header(&h, "Subject", hostile[i],
				     strlen(hostile[i])),
		    0);
		/* No line of the field starts a new one. */
		assert_null(strstr(h.data, "\r\nBcc"));
		assert_null(strstr(h.data, "\nBcc"));
		buf_done(&h);
	}
	check_header("Subject", nul, sizeof(nul) - 1);
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
	check_header("Subject", longja, strlen(longja));
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
		v = visible(one.data, one.len);
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
	assert_true(mail_msg_address_valid("root@localhost"));
	assert_false(mail_msg_address_valid("root"));
	assert_false(mail_msg_address_valid("a b@c"));
	assert_false(mail_msg_address_valid("a@b,c@d"));
	assert_false(mail_msg_address_valid("\"a\"@b"));
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

/* ---- whole messages from fake dumps ---- */

struct fake {
	char *dir; /* the spool */
	int spool_fd;
	struct dump *d;
	char path[4096];
	char id[512];
	struct action_event ev;
	struct action_config ac;
	char *to[3];
};

static void
put_item(const char *dir, const char *name, const char *data, size_t len)
{
	free(tu_write_file(dir, name, data, len, 0640));
}

#define ITEM(dir, name, lit) put_item(dir, name, lit, sizeof(lit) - 1)

static const char dump_name[] = "20261123T043658.123456Z-29902-victim";

/* A dump as the hook and the daemon write it; hostile bytes by choice. */
static void
fake_open(struct fake *f, bool hostile)
{
	char dump[4096];

	memset(f, 0, sizeof(*f));
	f->dir = tu_mkdtemp();
	snprintf(dump, sizeof(dump), "%s/%s", f->dir, dump_name);
	assert_int_equal(mkdir(dump, 0750), 0);
	ITEM(dump, "version", "1\n");
	ITEM(dump, "time", "1795408618\n");
	ITEM(dump, "pid", "29902\n");
	ITEM(dump, "ns_pid", "12\n");
	ITEM(dump, "tid", "29903\n");
	ITEM(dump, "signal", "11\n");
	ITEM(dump, "uid", "1000\n");
	ITEM(dump, "gid", "1000\n");
	ITEM(dump, "username", "alice\n");
	ITEM(dump, "kernel", "6.1.0-test\n");
	ITEM(dump, "cwd", "/srv/app dir\n");
	ITEM(dump, "ptree",
	    "29902\tvictim\t/usr/bin/victim segv\n"
	    "100\tbash\tbash -l\n"
	    "1\tsystemd\t/sbin/init\n");
	ITEM(dump, "namespaces",
	    "pid\tpid:[1]\thost\n"
	    "container\tdocker\t0123456789ab\n");
	ITEM(dump, "backtrace",
	    "Thread 29903 (crashed):\n"
	    "#0  0x0000561af8d4745d crash+0x10 (/usr/bin/victim) at "
	    "victim.c:81\n"
	    "#1  0x0000561af8d47a7e main+0x40 (/usr/bin/victim) at "
	    "victim.c:256\n"
	    "Thread 29902:\n"
	    "#0  0x00007efd9e23824a poll+0x7a (/lib/libc.so.6)\n");
	ITEM(dump, "signature", "6f02d39aaf0dffe3\n");
	ITEM(dump, "environ",
	    "PATH=/usr/bin\0API_TOKEN=s3cr3t\0"
	    "db_password=hunter2\0LANG=C.UTF-8\0"
	    "NOEQUALS\0");
	if (hostile) {
		ITEM(dump, "executable", "/tmp/x\r\nBcc: evil@example.org\n");
		ITEM(dump, "comm", "x\r\nBcc: e@x\n");
		ITEM(dump, "hostname", "h\r\nBcc: evil@example.org\n");
		/* A tampered reason: raw CR LF where the hook escapes. */
		ITEM(dump, "reason",
		    "x\r\nBcc: evil@example.org\r\n\r\nkilled by SIGSEGV\n");
		ITEM(dump, "cmdline",
		    "/tmp/x\r\nBcc: evil@example.org\0"
		    "--name=x\nTo: y@example.org\0");
	} else {
		ITEM(dump, "executable", "/usr/bin/caf\xc3\xa9\n");
		ITEM(dump, "comm", "caf\xc3\xa9\n");
		ITEM(dump, "hostname", "web-1\n");
		/* The hook escapes the name: escape_c(). */
		ITEM(dump, "reason", "caf\\xc3\\xa9 killed by SIGSEGV\n");
		ITEM(dump, "cmdline",
		    "/usr/bin/caf\xc3\xa9\0segv\0"
		    "arg with space\0it's\0");
	}
	f->spool_fd = open(f->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(f->spool_fd >= 0);
	assert_int_equal(dump_open(f->spool_fd, dump_name, &f->d), 0);
	snprintf(f->path, sizeof(f->path), "%s", dump);
	snprintf(f->id, sizeof(f->id), "%s/page", dump_name);
	f->ev = (struct action_event){ f->d, f->path, "first", 1, 0, "", f->id,
		f->spool_fd, NULL };
	f->ac.name = "page";
	f->ac.type = ACTION_MAIL;
	f->to[0] = "ops@example.org";
	f->to[1] = "dev@example.org";
	f->ac.to = f->to;
	f->ac.smtp = "smtp://127.0.0.1:25";
	f->ac.timeout_ms = 5000;
	f->ac.connect_timeout_ms = 2000;
	f->ac.attach_max = 10 << 20;
	f->ac.tls_verify = true;
}

static void
fake_close(struct fake *f)
{
	dump_free(f->d);
	close(f->spool_fd);
	tu_rm_rf(f->dir);
	free(f->dir);
}

static char *
render(struct fake *f)
{
	struct buf p, detail;

	buf_init(&p, 0);
	buf_init(&detail, 0);
	if (action_mail_ops.render(&f->ac, &f->ev, &p, &detail) != 0)
		fail_msg("render: %s", detail.data);
	assert_true(mail_decode_check_lines(p.data, p.len) >= 0);
	/* Said by the queue ("queued as ..."), not by render. */
	assert_int_equal(detail.len, 0);
	buf_done(&detail);
	return buf_steal(&p, NULL);
}

/* Header names: all at a line start, from a known list. */
static void
check_header_names(const char *msg)
{
	static const char *const known[] = { "From", "To", "Subject", "Date",
		"Message-ID", "Auto-Submitted", "X-Crashd-Id", "X-Crashd-Event",
		"X-Crashd-Signal", "MIME-Version", "Content-Type",
		"Content-Transfer-Encoding", NULL };
	size_t hl = header_len(msg);

	for (size_t i = 0; i < hl;
	     i = (size_t)(strstr(msg + i, "\r\n") - msg) + 2) {
		bool ok = msg[i] == ' ';

		for (const char *const *k = known; *k && !ok; k++)
			ok = strncmp(msg + i, *k, strlen(*k)) == 0 &&
			    msg[i + strlen(*k)] == ':';
		if (!ok)
			fail_msg("unexpected header line: %.60s", msg + i);
	}
}

static void
test_render(void **state)
{
	struct fake f;
	char *msg, *v, *host, *text;
	struct buf b;

	(void)state;
	fake_open(&f, false);
	msg = render(&f);
	check_header_names(msg);
	buf_init(&b, 0);
	mail_msg_local_domain(&b);
	host = buf_steal(&b, NULL);

	v = field(msg, "From");
	assert_true(strncmp(v, "crashd@", 7) == 0);
	assert_string_equal(v + 7, host);
	free(v);
	v = field(msg, "To");
	assert_string_equal(v, "ops@example.org, dev@example.org");
	free(v);
	v = field(msg, "Subject");
	assert_string_equal(
	    v, "[crashd] caf\xc3\xa9 killed by SIGSEGV on web-1");
	free(v);
	v = field(msg, "Message-ID");
	buf_init(&b, 0);
	buf_printf(&b, "<%s/page@%s>", dump_name, host);
	assert_string_equal(v, b.data);
	buf_done(&b);
	free(v);
	v = field(msg, "Date");
	assert_true(strlen(v) >= 30);
	free(v);
	v = field(msg, "MIME-Version");
	assert_string_equal(v, "1.0");
	free(v);
	v = field(msg, "Content-Type");
	assert_string_equal(v, "text/plain; charset=utf-8");
	free(v);
	v = field(msg, "Auto-Submitted");
	assert_string_equal(v, "auto-generated");
	free(v);
	v = field(msg, "X-Crashd-Id");
	assert_string_equal(v, dump_name);
	free(v);
	v = field(msg, "X-Crashd-Event");
	assert_string_equal(v, "first");
	free(v);

	text = qp_text(msg);
	assert_true(strncmp(text,
			"caf\xc3\xa9 killed by SIGSEGV on web-1.\n"
			"The first crash of its kind.\n\n",
			strlen("caf\xc3\xa9 killed by SIGSEGV on web-1.\n"
			       "The first crash of its kind.\n\n")) == 0);
	assert_non_null(strstr(text, "  executable  /usr/bin/caf\xc3\xa9\n"));
	assert_non_null(strstr(text,
	    "  where       crash+0x10 "
	    "(/usr/bin/victim) at victim.c:81\n"));
	assert_non_null(strstr(text, "  signal      SIGSEGV (11)\n"));
	assert_non_null(strstr(text,
	    "  argv        "
	    "$'/usr/bin/caf\\xc3\\xa9' segv "
	    "'arg with space' 'it'\\''s'\n"));
	assert_non_null(strstr(text, "  cwd         /srv/app dir\n"));
	assert_non_null(strstr(text,
	    "  user        alice (uid 1000, gid "
	    "1000)\n"));
	assert_non_null(strstr(text, "  container   docker 0123456789ab\n"));
	assert_non_null(strstr(text, "2026-11-23 04:36:58 UTC"));
	assert_non_null(strstr(text,
	    "Where it died: Thread 29903 (crashed)\n"
	    "  #0  0x0000561af8d4745d crash+0x10"));
	assert_non_null(strstr(text,
	    "  1  systemd  /sbin/init\n"
	    "  `- 100  bash  bash -l\n"
	    "    `- 29902  victim  /usr/bin/victim "
	    "segv   <- crashed\n"));
	assert_non_null(strstr(text,
	    "  pid         29902 (12 in its pid "
	    "namespace), thread 29903\n"));
	assert_non_null(strstr(text,
	    "  host        web-1, kernel "
	    "6.1.0-test\n"));
	assert_non_null(strstr(text,
	    "crashd-cli info "
	    "20261123T043658"));
	assert_non_null(strstr(text, "Backtrace (all threads)\n"));
	assert_non_null(strstr(text, "poll+0x7a"));
	assert_non_null(strstr(text, "  core        none kept\n"));
	/* No environ unless asked for. */
	assert_null(strstr(text, "Environment"));
	assert_null(strstr(text, "s3cr3t"));
	assert_null(strstr(text, "Held back"));
	free(text);
	free(msg);

	/* The same event renders the same Message-ID (and the rest). */
	msg = render(&f);
	v = field(msg, "Message-ID");
	assert_non_null(strstr(v, dump_name));
	free(v);
	free(msg);
	free(host);
	fake_close(&f);
}

static void
test_render_hostile(void **state)
{
	struct fake f;
	char *msg, *v, *text;
	size_t hl;

	(void)state;
	fake_open(&f, true);
	f.ac.subject = "{comm} {executable} {hostname} {reason} {id}";
	f.ev.summary = "3 more crashes of /tmp/x\r\nBcc: s@example.org";
	msg = render(&f);
	check_header_names(msg);
	hl = header_len(msg);
	assert_null(find_field(msg, hl, "Bcc", 0));
	assert_null(find_field(msg, hl, "To", 1));
	v = field(msg, "To");
	assert_string_equal(v, "ops@example.org, dev@example.org");
	free(v);
	v = field(msg, "Subject");
	assert_string_equal(v,
	    "x\\r\\nBcc: e@x /tmp/x\\r\\nBcc: "
	    "evil@example.org h\\r\\nBcc: evil@example.org "
	    "x\\r\\nBcc: evil@example.org\\r\\n\\r\\nkilled "
	    "by SIGSEGV 20261123T043658.123456Z-29902-"
	    "victim");
	free(v);
	/* Nothing in the body starts a line with a header or a boundary. */
	text = qp_text(msg);
	for (const char *p = text; *p; p = strchr(p, '\n') + 1) {
		assert_false(strncmp(p, "Bcc:", 4) == 0);
		assert_false(strncmp(p, "To:", 3) == 0);
		if (strchr(p, '\n') == NULL)
			break;
	}
	assert_non_null(strstr(text,
	    "  argv        $'/tmp/x\\r\\nBcc: "
	    "evil@example.org' $'--name=x\\nTo: "
	    "y@example.org'\n"));
	assert_non_null(strstr(text,
	    "Held back (not mailed one by one)\n"
	    "  3 more crashes of /tmp/x\\r\\nBcc: "
	    "s@example.org\n"));
	free(text);
	free(msg);
	fake_close(&f);
}

static void
test_render_environ(void **state)
{
	char *redact[] = { "*password*", "LANG", NULL };
	struct fake f;
	char *msg, *text;

	(void)state;
	fake_open(&f, false);
	f.ac.include_environ = true;
	msg = render(&f);
	text = qp_text(msg);
	assert_non_null(strstr(text, "  PATH=/usr/bin\n"));
	assert_non_null(strstr(text, "  API_TOKEN=<redacted>\n"));
	/* The built-in list matches names in any case. */
	assert_non_null(strstr(text, "  db_password=<redacted>\n"));
	assert_non_null(strstr(text, "  LANG=C.UTF-8\n"));
	assert_non_null(strstr(text, "  NOEQUALS\n"));
	assert_null(strstr(text, "s3cr3t"));
	assert_null(strstr(text, "hunter2"));
	free(text);
	free(msg);

	f.ac.redact = redact;
	msg = render(&f);
	text = qp_text(msg);
	assert_non_null(strstr(text, "  API_TOKEN=s3cr3t\n"));
	assert_non_null(strstr(text, "  db_password=<redacted>\n"));
	assert_non_null(strstr(text, "  LANG=<redacted>\n"));
	free(text);
	free(msg);
	fake_close(&f);
}

static void
test_render_events(void **state)
{
	struct fake f;
	char *msg, *text;

	(void)state;
	fake_open(&f, false);
	f.ev.event = "every";
	f.ev.count = 100;
	f.ev.held_back = 41;
	f.ev.summary = "41 more crashes of /usr/bin/x SIGSEGV since "
		       "2026-11-23 04:00:00 UTC";
	msg = render(&f);
	text = qp_text(msg);
	assert_non_null(strstr(text, "Crash number 100 of its kind.\n"));
	assert_non_null(strstr(text,
	    "Held back (not mailed one by one)\n"
	    "  41 more crashes of /usr/bin/x"));
	assert_non_null(strstr(text, "  held back   41\n"));
	free(text);
	free(msg);
	f.ev.event = "digest";
	f.id[strlen(f.id)] = '\0';
	strcat(f.id, "@digest-1795408618");
	msg = render(&f);
	text = qp_text(msg);
	assert_true(
	    strncmp(text, "Digest: 41 more crashes of /usr/bin/x", 37) == 0);
	free(text);
	text = field(msg, "Message-ID");
	assert_non_null(strstr(text, "/page=40digest-1795408618@"));
	free(text);
	free(msg);
	fake_close(&f);
}

/* The parts of a multipart message, between its boundaries. */
static size_t
parts(const char *msg, char *bodies[4])
{
	char *ct = field(msg, "Content-Type"), *b, delim[128];
	const char *p;
	size_t n = 0;

	b = strstr(ct, "boundary=\"");
	assert_non_null(b);
	b += strlen("boundary=\"");
	*strchr(b, '"') = '\0';
	snprintf(delim, sizeof(delim), "\r\n--%s", b);
	free(ct);
	p = strstr(msg, delim);
	assert_non_null(p);
	for (;;) {
		const char *next;

		p += strlen(delim);
		if (strncmp(p, "--\r\n", 4) == 0)
			break;
		assert_true(strncmp(p, "\r\n", 2) == 0);
		p += 2;
		next = strstr(p, delim);
		assert_non_null(next);
		assert_true(n < 4);
		bodies[n++] = strndup(p, (size_t)(next - p));
		p = next;
	}
	return n;
}

static void
test_render_core(void **state)
{
	char core[5000], *msg, *text, *part[4], dump[4096], want[4200];
	const char *p;
	struct fake f;
	struct buf d, payload, detail;
	size_t n;

	(void)state;
	fake_open(&f, false);
	for (size_t i = 0; i < sizeof(core); i++)
		core[i] = (char)(i * 7);
	snprintf(dump, sizeof(dump), "%s/%s", f.dir, dump_name);
	put_item(dump, "core.gz", core, sizeof(core));

	/* Attached: text, then the core as base64. */
	f.ac.attach_core = true;
	msg = render(&f);
	text = field(msg, "Content-Type");
	assert_true(
	    strncmp(text, "multipart/mixed; boundary=\"=_crashd_", 36) == 0);
	free(text);
	n = parts(msg, part);
	assert_int_equal(n, 2);
	assert_true(strncmp(part[0],
			"Content-Type: text/plain; charset=utf-8\r\n"
			"Content-Transfer-Encoding: quoted-printable\r\n\r\n",
			85) == 0);
	text = qp_text(msg);
	assert_non_null(strstr(text, "  core        core.gz, "));
	assert_non_null(strstr(text, ", attached\n"));
	free(text);
	snprintf(want, sizeof(want),
	    "Content-Type: application/gzip; name=\"%s.core.gz\"\r\n"
	    "Content-Disposition: attachment; filename=\"%s.core.gz\"\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\n",
	    dump_name, dump_name);
	assert_true(strncmp(part[1], want, strlen(want)) == 0);
	p = part[1] + strlen(want);
	buf_init(&d, 0);
	assert_int_equal(mail_decode_base64(&d, p, strlen(p)), 0);
	assert_int_equal(d.len, sizeof(core));
	assert_memory_equal(d.data, core, sizeof(core));
	buf_done(&d);
	for (size_t i = 0; i < n; i++)
		free(part[i]);
	free(msg);

	/* Over attach_max: not attached, and the mail says how to get it. */
	f.ac.attach_max = 1000;
	msg = render(&f);
	text = field(msg, "Content-Type");
	assert_string_equal(text, "text/plain; charset=utf-8");
	free(text);
	text = qp_text(msg);
	snprintf(want, sizeof(want),
	    "larger than attach_max (1000), not attached; crashd-cli core %s\n",
	    dump_name);
	if (strstr(text, want) == NULL)
		fail_msg("no '%s' in:\n%s", want, text);
	free(text);
	free(msg);

	/* Over what the queue takes: without it. */
	f.ac.attach_max = 10 << 20;
	f.ac.attach_core = false;
	msg = render(&f);
	f.ac.attach_core = true;
	buf_init(&payload, strlen(msg) + 2000);
	free(msg);
	buf_init(&detail, 0);
	assert_int_equal(
	    action_mail_ops.render(&f.ac, &f.ev, &payload, &detail), 0);
	text = qp_text(payload.data);
	assert_non_null(strstr(text, "too big to queue as an attachment"));
	free(text);
	buf_done(&payload);
	buf_done(&detail);

	/* Not asked for: the mail names the core and how to get it. */
	f.ac.attach_core = false;
	msg = render(&f);
	text = qp_text(msg);
	assert_non_null(strstr(text, "  core        core.gz, "));
	assert_non_null(strstr(text, ": crashd-cli core 20261123T"));
	free(text);
	free(msg);

	/* A symlink is no core. */
	snprintf(want, sizeof(want), "%s/core.gz", dump);
	assert_int_equal(unlink(want), 0);
	assert_int_equal(symlink("/etc/shadow", want), 0);
	f.ac.attach_core = true;
	msg = render(&f);
	text = qp_text(msg);
	assert_non_null(strstr(text, "  core        core.gz, unreadable ("));
	assert_null(strstr(msg, "multipart"));
	free(text);
	free(msg);
	fake_close(&f);
}

static void
test_subject(void **state)
{
	char tpl[] = "{signal} {signal_name} {pid} {uid} {count} {event} {id} "
		     "{comm} {hostname} {executable} {nope} {open";
	char *longname[] = { NULL };
	struct fake f;
	struct buf s;

	(void)state;
	(void)longname;
	fake_open(&f, false);
	f.ev.count = 7;
	f.ac.subject = tpl;
	buf_init(&s, 0);
	assert_int_equal(mail_body_subject(&f.ac, &f.ev, &s), 0);
	assert_string_equal(s.data,
	    "11 SIGSEGV 29902 1000 7 first "
	    "20261123T043658.123456Z-29902-victim caf\xc3\xa9 web-1 "
	    "/usr/bin/caf\xc3\xa9 {nope} {open");
	buf_done(&s);

	/* Cut at MAIL_SUBJECT_MAX, never inside a character. */
	f.ac.subject = "\xe2\x98\x83{executable}{executable}{executable}"
		       "{executable}{executable}{executable}{executable}"
		       "{executable}{executable}{executable}{executable}"
		       "{executable}{executable}{executable}{executable}";
	buf_init(&s, 0);
	assert_int_equal(mail_body_subject(&f.ac, &f.ev, &s), 0);
	assert_true(s.len <= MAIL_SUBJECT_MAX + 3);
	assert_true(s.len > MAIL_SUBJECT_MAX - 4);
	assert_string_equal(s.data + s.len - 3, "...");
	{
		char *v = visible(s.data, s.len);

		/* Valid UTF-8 to the end: nothing escaped. */
		assert_null(strstr(v, "\\x"));
		free(v);
	}
	buf_done(&s);
	fake_close(&f);
}

/* ---- sending ---- */

/* A sendmail that records its arguments and input, then exits with $1. */
static char *
fake_sendmail(const char *dir, const char *behaviour)
{
	char script[2048];

	snprintf(script, sizeof(script),
	    "#!/bin/sh\n"
	    "printf '%%s\\n' \"$@\" >%s/args\n"
	    "env >%s/env\n"
	    "%s\n",
	    dir, dir, behaviour);
	return tu_write_file(dir, "sendmail", script, strlen(script), 0755);
}

static const char sendmail_msg[] = "Subject: x\r\n\r\nline\r\n.\r\nend\r\n";

static enum send_result
sendmail_with(struct fake *f, const char *behaviour, struct buf *detail)
{
	char *sm = fake_sendmail(f->dir, behaviour);
	enum send_result res;

	f->ac.smtp = NULL;
	f->ac.sendmail = sm;
	f->ac.from = "crashd@example.org";
	buf_reset(detail);
	res = action_mail_ops.send(
	    &f->ac, f->id, sendmail_msg, sizeof(sendmail_msg) - 1, detail);
	free(sm);
	f->ac.sendmail = NULL;
	return res;
}

static char *
slurp(const char *dir, const char *name)
{
	char path[4096], *data = NULL;
	size_t len;
	int fd;

	snprintf(path, sizeof(path), "%s", dir);
	fd = open(path, O_RDONLY | O_DIRECTORY);
	assert_true(fd >= 0);
	assert_true(read_file_at(fd, name, 1 << 20, &data, &len) >= 0);
	close(fd);
	return data;
}

static void
test_sendmail(void **state)
{
	struct fake f;
	struct buf detail;
	char *v, cmd[256];
	int64_t t0;

	(void)state;
	fake_open(&f, false);
	buf_init(&detail, 0);
	snprintf(cmd, sizeof(cmd), "cat >%s/in; exit 0", f.dir);
	assert_int_equal(sendmail_with(&f, cmd, &detail), SEND_OK);
	assert_non_null(strstr(detail.data, "for 2 recipients: exit 0"));
	v = slurp(f.dir, "args");
	assert_string_equal(v,
	    "-i\n-f\ncrashd@example.org\n--\n"
	    "ops@example.org\ndev@example.org\n");
	free(v);
	/* Lines the Unix way, the lone "." kept (-i). */
	v = slurp(f.dir, "in");
	assert_string_equal(v, "Subject: x\n\nline\n.\nend\n");
	free(v);
	/* A clean environment. */
	v = slurp(f.dir, "env");
	assert_null(strstr(v, "CMOCKA"));
	assert_non_null(strstr(v, "PATH=/usr/sbin:/usr/bin:/sbin:/bin\n"));
	free(v);

	assert_int_equal(
	    sendmail_with(&f, "echo 'queue full' >&2; exit 75", &detail),
	    SEND_RETRY);
	assert_non_null(strstr(detail.data,
	    "exit 75 (EX_TEMPFAIL); output: "
	    "queue full\\n"));
	assert_int_equal(sendmail_with(&f, "exit 71", &detail), SEND_RETRY);
	assert_int_equal(sendmail_with(&f, "exit 74", &detail), SEND_RETRY);
	assert_int_equal(sendmail_with(&f, "exit 1", &detail), SEND_RETRY);
	assert_int_equal(sendmail_with(&f, "kill -9 $$", &detail), SEND_RETRY);
	assert_non_null(strstr(detail.data, "killed by signal 9"));
	assert_int_equal(
	    sendmail_with(&f, "echo 'no such user' >&2; exit 67", &detail),
	    SEND_DEAD);
	assert_non_null(strstr(detail.data,
	    "exit 67 (EX_NOUSER), refused "
	    "for good; output: no such "
	    "user\\n"));
	assert_int_equal(sendmail_with(&f, "exit 64", &detail), SEND_DEAD);
	assert_int_equal(sendmail_with(&f, "exit 78", &detail), SEND_DEAD);
	/* A mailer that does not read its input is no hang, no SIGPIPE. */
	assert_int_equal(
	    sendmail_with(&f, "exec 0<&-; exit 0", &detail), SEND_OK);
	/* One that leaves a process holding its output: done when it exits. */
	t0 = (int64_t)time(NULL);
	assert_int_equal(
	    sendmail_with(
		&f, "(sleep 5 </dev/null &); echo queued; exit 0", &detail),
	    SEND_OK);
	assert_true((int64_t)time(NULL) - t0 < 3);
	assert_non_null(strstr(detail.data, "output: queued\\n"));
	/* One that hangs is cut at timeout, with its children. */
	f.ac.timeout_ms = 300;
	t0 = (int64_t)time(NULL);
	assert_int_equal(sendmail_with(&f, "sleep 30", &detail), SEND_RETRY);
	assert_non_null(strstr(detail.data, "timed out after 300ms"));
	assert_true((int64_t)time(NULL) - t0 < 5);
	/* A missing one: retried (it may be installed meanwhile). */
	f.ac.sendmail = "/nonexistent/sendmail";
	f.ac.smtp = NULL;
	assert_int_equal(
	    action_mail_ops.send(&f.ac, f.id, "x\r\n", 3, &detail), SEND_RETRY);
	assert_non_null(strstr(detail.data, "exit 127"));
	buf_done(&detail);
	fake_close(&f);
}

static void
test_auth_file(void **state)
{
	char *dir = tu_mkdtemp(), *path, *cred = NULL, *password = NULL;
	char link[4096];
	struct buf why;

	(void)state;
	buf_init(&why, 0);
	path = tu_write_file(dir, "auth", "user:pa:ss\n", 11, 0644);
	assert_int_equal(
	    mail_send_read_auth_file(path, &cred, &password, &why), -EPERM);
	assert_non_null(strstr(why.data, path));
	assert_non_null(strstr(why.data, "mode 0644"));
	assert_int_equal(chmod(path, 0640), 0);
	buf_reset(&why);
	assert_int_equal(
	    mail_send_read_auth_file(path, &cred, &password, &why), -EPERM);
	assert_non_null(strstr(why.data, "mode 0640"));
	assert_int_equal(chmod(path, 0600), 0);
	buf_reset(&why);
	if (geteuid() == 0) {
		assert_int_equal(
		    mail_send_read_auth_file(path, &cred, &password, &why), 0);
		assert_string_equal(cred, "user");
		assert_string_equal(password, "pa:ss");
		free(cred);
		free(tu_write_file(dir, "auth", "nocolon\n", 8, 0600));
		assert_int_equal(
		    mail_send_read_auth_file(path, &cred, &password, &why),
		    -EINVAL);
		free(tu_write_file(dir, "auth", "a:b\nc:d\n", 8, 0600));
		assert_int_equal(
		    mail_send_read_auth_file(path, &cred, &password, &why),
		    -EINVAL);
		free(tu_write_file(dir, "auth", "u:p\r\n", 5, 0600));
		assert_int_equal(
		    mail_send_read_auth_file(path, &cred, &password, &why), 0);
		assert_string_equal(password, "p");
		free(cred);
		/* Not root's: refused. */
		assert_int_equal(chown(path, 1, 1), 0);
		buf_reset(&why);
		assert_int_equal(
		    mail_send_read_auth_file(path, &cred, &password, &why),
		    -EPERM);
		assert_non_null(strstr(why.data, "owner uid 1"));
	} else {
		/* Ours, not root's. */
		assert_int_equal(
		    mail_send_read_auth_file(path, &cred, &password, &why),
		    -EPERM);
	}
	snprintf(link, sizeof(link), "%s/link", dir);
	assert_int_equal(symlink(path, link), 0);
	buf_reset(&why);
	assert_int_equal(
	    mail_send_read_auth_file(link, &cred, &password, &why), -ELOOP);
	assert_non_null(strstr(why.data, "symbolic link"));
	buf_reset(&why);
	assert_true(mail_send_read_auth_file("/nonexistent/auth", &cred,
			&password, &why) == -ENOENT);
	buf_done(&why);
	free(path);
	tu_rm_rf(dir);
	free(dir);
}

/* The test SMTP server, on a free port; 0 when it cannot run here. */
struct server {
	pid_t pid;
	int port;
	char *dir;
};

static int
server_start(struct server *s, const char *const *extra)
{
	char script[4096], portfile[4096], mdir[4096];
	const char *argv[16];
	size_t n = 0;
	const char *here = __FILE__;
	const char *slash = strrchr(here, '/');

	memset(s, 0, sizeof(*s));
	if (access("/usr/bin/python3", X_OK) != 0 || slash == NULL ||
	    system("/usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null") != 0)
		return 0;
	snprintf(script, sizeof(script), "%.*s/../daemon/smtp_server.py",
	    (int)(slash - here), here);
	if (access(script, R_OK) != 0)
		return 0;
	s->dir = tu_mkdtemp();
	snprintf(portfile, sizeof(portfile), "%s/port", s->dir);
	snprintf(mdir, sizeof(mdir), "%s/mail", s->dir);
	argv[n++] = "/usr/bin/python3";
	argv[n++] = script;
	argv[n++] = "--dir";
	argv[n++] = mdir;
	argv[n++] = "--port-file";
	argv[n++] = portfile;
	for (; extra && *extra && n < 15; extra++)
		argv[n++] = *extra;
	argv[n] = NULL;
	s->pid = fork();
	assert_true(s->pid >= 0);
	if (s->pid == 0) {
		int null = open("/dev/null", O_RDWR);

		/* It goes with the test, whatever ends it, and holds none of
		 * the test's output (ctest waits for it to close). */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() == 1)
			_exit(127);
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		close_range(3, ~0U, 0);
		execv(argv[0], (char **)argv);
		_exit(127);
	}
	for (int i = 0; i < 500; i++) {
		FILE *pf = fopen(portfile, "r");

		if (pf) {
			assert_int_equal(fscanf(pf, "%d", &s->port), 1);
			fclose(pf);
			return 1;
		}
		usleep(20 * 1000);
	}
	fail_msg("smtp_server.py did not start");
	return 0;
}

static void
server_stop(struct server *s)
{
	if (s->pid > 0) {
		kill(s->pid, SIGTERM);
		waitpid(s->pid, NULL, 0);
	}
	tu_rm_rf(s->dir);
	free(s->dir);
}

static int
count_messages(const struct server *s)
{
	char cmd[4200];
	FILE *p;
	int n = -1;

	snprintf(
	    cmd, sizeof(cmd), "ls %s/mail/*.json 2>/dev/null | wc -l", s->dir);
	p = popen(cmd, "r");
	assert_non_null(p);
	assert_int_equal(fscanf(p, "%d", &n), 1);
	pclose(p);
	return n;
}

static enum send_result
smtp_send(struct fake *f, const struct server *s, const char *scheme,
    struct buf *detail)
{
	char url[128];
	char *msg = render(f);
	enum send_result res;

	snprintf(url, sizeof(url), "%s://127.0.0.1:%d", scheme, s->port);
	f->ac.smtp = url;
	buf_reset(detail);
	res = action_mail_ops.send(&f->ac, f->id, msg, strlen(msg), detail);
	f->ac.smtp = NULL;
	free(msg);
	return res;
}

static void
test_smtp(void **state)
{
	static const char *const replies[] = { "--rcpt-reply",
		"gone@example.org=550 5.1.1 No such user", "--rcpt-reply",
		"later@example.org=451 4.2.0 Mailbox busy", NULL };
	char *gone[] = { "ops@example.org", "gone@example.org", NULL };
	char *later[] = { "later@example.org", NULL };
	struct server s;
	struct fake f;
	struct buf detail;
	char url[128];

	(void)state;
	if (!server_start(&s, replies))
		skip();
	fake_open(&f, false);
	buf_init(&detail, 0);

	assert_int_equal(smtp_send(&f, &s, "smtp", &detail), SEND_OK);
	snprintf(url, sizeof(url),
	    "sent to smtp://127.0.0.1:%d for 2 "
	    "recipients: 250 2.0.0 OK queued as 0001",
	    s.port);
	assert_string_equal(detail.data, url);
	assert_int_equal(count_messages(&s), 1);

	/* A recipient refused for good: nobody gets it, dead. */
	f.ac.to = gone;
	assert_int_equal(smtp_send(&f, &s, "smtp", &detail), SEND_DEAD);
	assert_non_null(strstr(detail.data, "550 5.1.1 No such user"));
	assert_non_null(strstr(detail.data, "refused for good"));
	/* For now: retried. */
	f.ac.to = later;
	assert_int_equal(smtp_send(&f, &s, "smtp", &detail), SEND_RETRY);
	assert_non_null(strstr(detail.data, "451 4.2.0 Mailbox busy"));
	assert_int_equal(count_messages(&s), 1);
	/* STARTTLS required of a relay without it: retried, never clear. */
	f.ac.to = f.to;
	f.ac.starttls = STARTTLS_REQUIRED;
	assert_int_equal(smtp_send(&f, &s, "smtp", &detail), SEND_RETRY);
	assert_int_equal(count_messages(&s), 1);
	f.ac.starttls = STARTTLS_TRY;
	/* Credentials that cannot be read: retried, and said why. */
	f.ac.auth_file = "/nonexistent/auth";
	assert_int_equal(smtp_send(&f, &s, "smtp", &detail), SEND_RETRY);
	assert_non_null(strstr(detail.data, "auth_file /nonexistent/auth"));
	f.ac.auth_file = NULL;
	server_stop(&s);

	/* Nobody listening: retried. */
	assert_int_equal(smtp_send(&f, &s, "smtp", &detail), SEND_RETRY);
	assert_non_null(strstr(detail.data, "Couldn't connect"));
	assert_null(strstr(detail.data, "for good"));
	buf_done(&detail);
	fake_close(&f);
}

static void
test_smtp_rejected_data(void **state)
{
	static const char *const reject[] = { "--data-reply",
		"554 5.7.1 Message rejected", NULL };
	static const char *const tempfail[] = { "--tempfail", "1", NULL };
	struct server s;
	struct fake f;
	struct buf detail;

	(void)state;
	if (!server_start(&s, reject))
		skip();
	fake_open(&f, false);
	buf_init(&detail, 0);
	assert_int_equal(smtp_send(&f, &s, "smtp", &detail), SEND_DEAD);
	assert_non_null(strstr(detail.data, "554 5.7.1 Message rejected"));
	server_stop(&s);
	assert_int_equal(server_start(&s, tempfail), 1);
	assert_int_equal(smtp_send(&f, &s, "smtp", &detail), SEND_RETRY);
	assert_int_equal(smtp_send(&f, &s, "smtp", &detail), SEND_OK);
	assert_int_equal(count_messages(&s), 1);
	server_stop(&s);
	buf_done(&detail);
	fake_close(&f);
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
		cmocka_unit_test(test_render),
		cmocka_unit_test(test_render_hostile),
		cmocka_unit_test(test_render_environ),
		cmocka_unit_test(test_render_events),
		cmocka_unit_test(test_render_core),
		cmocka_unit_test(test_subject),
		cmocka_unit_test(test_sendmail),
		cmocka_unit_test(test_auth_file),
		cmocka_unit_test(test_smtp),
		cmocka_unit_test(test_smtp_rejected_data),
	};

	curl_global_init(CURL_GLOBAL_ALL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
