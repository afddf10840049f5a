/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * escape.c owns turning raw bytes into text that cannot smuggle syntax
 * (newlines, terminal escapes, quotes) into a line, a log or a shell.
 */
#include "escape.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "utf8.h"

static int
escape_byte(struct buf *out, unsigned char c)
{
	char tmp[5];

	switch (c) {
	case '\n':
		return buf_puts(out, "\\n");
	case '\t':
		return buf_puts(out, "\\t");
	case '\r':
		return buf_puts(out, "\\r");
	case '\\':
		return buf_puts(out, "\\\\");
	default:
		if (c >= 0x20 && c < 0x7f)
			return buf_putc(out, (char)c);
		snprintf(tmp, sizeof(tmp), "\\x%02x", c);
		return buf_puts(out, tmp);
	}
}

int
escape_c(struct buf *out, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		int r = escape_byte(out, (unsigned char)s[i]);

		if (r < 0)
			return r;
	}
	return 0;
}

/*
 * The length of a well-formed UTF-8 sequence at s that a terminal shows
 * as a character: no C1 control, no line or paragraph separator, no bidi
 * override or isolate (they reorder what follows on the line); 0 else.
 */
static size_t
utf8_printable(const char *s, size_t left)
{
	uint32_t cp;
	size_t n = utf8_decode((const unsigned char *)s, left, &cp);

	if (n < 2 || cp < 0xa0 || cp == 0x2028 || cp == 0x2029 ||
	    (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) ||
	    cp == 0x200e || cp == 0x200f || cp == 0x061c || cp == 0xfeff)
		return 0;
	return n;
}

int
escape_c_utf8(struct buf *out, const char *s, size_t len)
{
	for (size_t i = 0; i < len;) {
		size_t n = utf8_printable(s + i, len - i);
		int r = n ? buf_append(out, s + i, n)
			  : escape_byte(out, (unsigned char)s[i]);

		if (r < 0)
			return r;
		i += n ? n : 1;
	}
	return 0;
}

static bool
is_shell_safe(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || strchr("_./:=@%+,-", c) != NULL;
}

static int
shell_quote(struct buf *out, const char *s, size_t len, bool utf8)
{
	bool safe = len > 0, printable = true;
	int r;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		size_t n = utf8 ? utf8_printable(s + i, len - i) : 0;

		if (n > 0) {
			safe = false;
			i += n - 1;
			continue;
		}
		if (!is_shell_safe(c))
			safe = false;
		if (c < 0x20 || c >= 0x7f)
			printable = false;
	}
	if (safe)
		return buf_append(out, s, len);
	if (printable) {
		r = buf_putc(out, '\'');
		for (size_t i = 0; r >= 0 && i < len; i++)
			r = s[i] == '\'' ? buf_puts(out, "'\\''")
					 : buf_putc(out, s[i]);
		return r < 0 ? r : buf_putc(out, '\'');
	}
	r = buf_puts(out, "$'");
	for (size_t i = 0; r >= 0 && i < len; i++) {
		size_t n = utf8 ? utf8_printable(s + i, len - i) : 0;

		if (n > 0) {
			r = buf_append(out, s + i, n);
			i += n - 1;
		} else {
			r = s[i] == '\''
			    ? buf_puts(out, "\\'")
			    : escape_byte(out, (unsigned char)s[i]);
		}
	}
	return r < 0 ? r : buf_putc(out, '\'');
}

int
escape_shell(struct buf *out, const char *s, size_t len)
{
	return shell_quote(out, s, len, false);
}

static int
argv_quote(struct buf *out, const char *args, size_t len, bool utf8)
{
	size_t i = 0;
	int r = 0;

	/* The kernel's cmdline ends with a NUL; tolerate its absence. */
	while (i < len && r >= 0) {
		const char *a = args + i;
		size_t n = strnlen(a, len - i);

		if (i > 0)
			r = buf_putc(out, ' ');
		if (r >= 0)
			r = shell_quote(out, a, n, utf8);
		i += n + 1;
	}
	return r;
}

int
escape_argv(struct buf *out, const char *args, size_t len)
{
	return argv_quote(out, args, len, false);
}

int
escape_argv_utf8(struct buf *out, const char *args, size_t len)
{
	return argv_quote(out, args, len, true);
}
