/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzz target for the mail encoders (daemon/mail_msg.c): arbitrary bytes
 * as a header value (the subject, from process-controlled names), as a
 * body (quoted-printable), as base64 data, and as an event id for the
 * Message-ID.  Whatever the bytes, what is written is lines of ASCII ended
 * by CRLF, no bare CR or LF, a header's continuation lines start with a
 * space, no line is over 998 bytes (78 for a header, 76 for a body), and
 * reading it back (daemon/mail_decode.c) gives the bytes again: exactly,
 * or, for a header, their visible form, which unescapes to them.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "mail_decode.h"
#include "mail_msg.h"

static bool
valid_utf8_visible(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		size_t k = s[i] < 0x80 ? 1
		    : s[i] < 0xe0      ? 2
		    : s[i] < 0xf0      ? 3
				       : 4;

		if (s[i] < 0x20 || s[i] == 0x7f ||
		    (s[i] >= 0x80 && s[i] < 0xc2) || s[i] > 0xf4 || i + k > n)
			return false;
		for (size_t j = 1; j < k; j++)
			if ((s[i + j] & 0xc0) != 0x80)
				return false;
		i += k;
	}
	return true;
}

static void
check_header(const char *data, size_t size)
{
	struct buf h, v, d, back;
	long longest;

	buf_init(&h, 0);
	buf_init(&v, 0);
	buf_init(&d, 0);
	buf_init(&back, 0);
	FUZZ_CHECK(mail_msg_visible(&v, data, size) == 0);
	FUZZ_CHECK(valid_utf8_visible(
	    (const unsigned char *)(v.data ? v.data : ""), v.len));
	FUZZ_CHECK(mail_msg_unescape(&back, v.data ? v.data : "", v.len) == 0);
	FUZZ_CHECK(back.len == size &&
	    memcmp(back.data ? back.data : "", data, size) == 0);

	FUZZ_CHECK(mail_msg_header(&h, "Subject", data, size) == 0);
	longest = mail_decode_check_lines(h.data, h.len);
	FUZZ_CHECK(longest >= 0 && longest <= MAIL_LINE_SOFT);
	FUZZ_CHECK(strncmp(h.data, "Subject:", 8) == 0);
	for (size_t i = 0; i + 2 < h.len; i++)
		if (h.data[i] == '\r')
			FUZZ_CHECK(h.data[i + 2] == ' ');
	FUZZ_CHECK(mail_decode_header(&d, h.data, h.len) == 0);
	FUZZ_CHECK(d.len == v.len &&
	    memcmp(d.data ? d.data : "", v.data ? v.data : "", v.len) == 0);
	buf_done(&h);
	buf_done(&v);
	buf_done(&d);
	buf_done(&back);
}

static void
check_qp(const char *data, size_t size)
{
	struct buf q, d;
	long longest;

	buf_init(&q, 0);
	buf_init(&d, 0);
	FUZZ_CHECK(mail_msg_qp(&q, data, size) == 0);
	/* The last line stays open unless the text ends with '\n'. */
	FUZZ_CHECK(buf_puts(&q, "\r\n") == 0);
	longest = mail_decode_check_lines(q.data, q.len);
	FUZZ_CHECK(longest >= 0 && longest <= 76);
	for (size_t i = 0; i < q.len; i++) {
		bool bol = i == 0 || q.data[i - 1] == '\n';

		FUZZ_CHECK(!(bol && q.data[i] == '.'));
		FUZZ_CHECK(!(q.data[i] == '\r' && i > 0 && i + 2 < q.len &&
		    q.data[i - 1] == ' '));
	}
	FUZZ_CHECK(mail_decode_qp(&d, q.data, q.len - 2) == 0);
	FUZZ_CHECK(
	    d.len == size && memcmp(d.data ? d.data : "", data, size) == 0);
	buf_done(&q);
	buf_done(&d);
}

static void
check_base64(const char *data, size_t size)
{
	struct buf b, d;

	buf_init(&b, 0);
	buf_init(&d, 0);
	FUZZ_CHECK(mail_msg_base64(&b, data, size) == 0);
	FUZZ_CHECK(mail_decode_check_lines(b.data ? b.data : "", b.len) <= 76);
	FUZZ_CHECK(mail_decode_base64(&d, b.data ? b.data : "", b.len) == 0);
	FUZZ_CHECK(
	    d.len == size && memcmp(d.data ? d.data : "", data, size) == 0);
	buf_done(&b);
	buf_done(&d);
}

static bool
atext_or_dot(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || strchr(".!#$%&'*+-/=?^_`{|}~", c);
}

static void
check_message_id(const char *data, size_t size)
{
	char *id = strndup(data, size);
	struct buf m;
	const char *at;

	FUZZ_CHECK(id != NULL);
	buf_init(&m, 0);
	FUZZ_CHECK(mail_msg_message_id(&m, id, "host.example") == 0);
	FUZZ_CHECK(m.len > 2 && m.len < MAIL_LINE_SOFT * 4);
	FUZZ_CHECK(m.data[0] == '<' && m.data[m.len - 1] == '>');
	at = strchr(m.data, '@');
	FUZZ_CHECK(at != NULL && strcmp(at, "@host.example>") == 0);
	/* A dot-atom: atext and single dots, none first or last. */
	FUZZ_CHECK(m.data[1] != '.' && at[-1] != '.');
	for (const char *p = m.data + 1; p < at; p++) {
		FUZZ_CHECK(atext_or_dot(*p));
		FUZZ_CHECK(!(p[0] == '.' && p[1] == '.'));
	}
	buf_done(&m);
	free(id);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;

	check_header(s, size);
	check_qp(s, size);
	check_base64(s, size);
	check_message_id(s, size);
	return 0;
}
