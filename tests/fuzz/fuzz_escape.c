/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzzes escape_c(), escape_shell() and escape_argv(), and reads every
 * result back the way its reader would (a C-style unescape, a POSIX/bash
 * shell's quoting rules): it must give back exactly the input bytes.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "buf.h"
#include "escape.h"
#include "fuzz.h"

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/*
 * Decodes a backslash escape at s (\n \t \r \\ \' \xNN) into *out.
 * Returns the bytes consumed, or 0 for an escape escape_byte() never makes.
 */
static size_t
unescape_one(const char *s, const char *end, bool quote, char *out)
{
	if (s + 1 >= end)
		return 0;
	switch (s[1]) {
	case 'n':
		*out = '\n';
		return 2;
	case 't':
		*out = '\t';
		return 2;
	case 'r':
		*out = '\r';
		return 2;
	case '\\':
		*out = '\\';
		return 2;
	case '\'':
		*out = '\'';
		return quote ? 2 : 0;
	case 'x':
		if (s + 4 > end || hexval(s[2]) < 0 || hexval(s[3]) < 0)
			return 0;
		*out = (char)(hexval(s[2]) * 16 + hexval(s[3]));
		return 4;
	}
	return 0;
}

static void
check_escape_c(const char *in, size_t len)
{
	struct buf out, back;
	const char *p, *end;

	buf_init(&out, 0);
	buf_init(&back, 0);
	FUZZ_CHECK(escape_c(&out, in, len) == 0);
	p = out.data ? out.data : "";
	end = p + out.len;
	while (p < end) {
		char c = *p;
		size_t n = 1;

		FUZZ_CHECK(c >= 0x20 && c < 0x7f);
		if (c == '\\') {
			n = unescape_one(p, end, false, &c);
			FUZZ_CHECK(n > 0);
		}
		FUZZ_CHECK(buf_putc(&back, c) == 0);
		p += n;
	}
	FUZZ_CHECK(back.len == len);
	FUZZ_CHECK(len == 0 || memcmp(back.data, in, len) == 0);
	buf_done(&out);
	buf_done(&back);
}

static bool
shell_safe(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || strchr("_./:=@%+,-", c) != NULL;
}

/*
 * Reads one shell word at *pp (bare, '...' with '\'' for a quote, or
 * $'...') into back; leaves *pp after it.
 */
static void
read_word(const char **pp, const char *end, struct buf *back)
{
	const char *p = *pp;

	if (p + 1 < end && p[0] == '$' && p[1] == '\'') {
		for (p += 2; p < end && *p != '\'';) {
			char c = *p;
			size_t n = 1;

			FUZZ_CHECK(c >= 0x20 && c < 0x7f);
			if (c == '\\') {
				n = unescape_one(p, end, true, &c);
				FUZZ_CHECK(n > 0);
			}
			FUZZ_CHECK(buf_putc(back, c) == 0);
			p += n;
		}
		FUZZ_CHECK(p < end);
		*pp = p + 1;
		return;
	}
	if (p < end && *p == '\'') {
		for (;;) {
			const char *q;

			p++;
			q = memchr(p, '\'', (size_t)(end - p));
			FUZZ_CHECK(q != NULL);
			for (const char *c = p; c < q; c++)
				FUZZ_CHECK(*c >= 0x20 && *c < 0x7f);
			FUZZ_CHECK(buf_append(back, p, (size_t)(q - p)) == 0);
			p = q + 1;
			/* '\'' : a quote, then the quoted string goes on. */
			if (end - p >= 3 && memcmp(p, "\\''", 3) == 0) {
				FUZZ_CHECK(buf_putc(back, '\'') == 0);
				p += 2;
				continue;
			}
			break;
		}
		*pp = p;
		return;
	}
	FUZZ_CHECK(p < end && shell_safe(*p));
	while (p < end && shell_safe(*p))
		FUZZ_CHECK(buf_putc(back, *p++) == 0);
	*pp = p;
}

static void
check_escape_shell(const char *in, size_t len)
{
	struct buf out, back;
	const char *p;

	buf_init(&out, 0);
	buf_init(&back, 0);
	FUZZ_CHECK(escape_shell(&out, in, len) == 0);
	FUZZ_CHECK(out.len > 0);
	FUZZ_CHECK(memchr(out.data, '\n', out.len) == NULL);
	p = out.data;
	read_word(&p, out.data + out.len, &back);
	FUZZ_CHECK(p == out.data + out.len);
	FUZZ_CHECK(back.len == len);
	FUZZ_CHECK(len == 0 || memcmp(back.data, in, len) == 0);
	buf_done(&out);
	buf_done(&back);
}

/* escape_argv: the words, read back and joined with NULs, are the input. */
static void
check_escape_argv(const char *in, size_t len)
{
	struct buf out, back;
	const char *p, *end;

	buf_init(&out, 0);
	buf_init(&back, 0);
	FUZZ_CHECK(escape_argv(&out, in, len) == 0);
	p = out.data ? out.data : "";
	end = p + out.len;
	FUZZ_CHECK(memchr(p, '\n', out.len) == NULL);
	while (p < end) {
		read_word(&p, end, &back);
		FUZZ_CHECK(buf_putc(&back, '\0') == 0);
		if (p < end) {
			FUZZ_CHECK(*p == ' ');
			p++;
			FUZZ_CHECK(p < end);
		}
	}
	/* The input's last NUL is optional. */
	if (len > 0 && in[len - 1] != '\0')
		FUZZ_CHECK(back.len == len + 1);
	else
		FUZZ_CHECK(back.len == len);
	FUZZ_CHECK(len == 0 ||
	    memcmp(back.data, in, len < back.len ? len : back.len) == 0);
	buf_done(&out);
	buf_done(&back);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;

	check_escape_c(s, size);
	check_escape_shell(s, size);
	check_escape_argv(s, size);
	return 0;
}
