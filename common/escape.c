/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * escape.c owns turning raw bytes into text that cannot smuggle syntax
 * (newlines, terminal escapes, quotes) into a line, a log or a shell.
 */
#include "escape.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

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

static bool
is_shell_safe(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || strchr("_./:=@%+,-", c) != NULL;
}

int
escape_shell(struct buf *out, const char *s, size_t len)
{
	bool safe = len > 0, printable = true;
	int r;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

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
	for (size_t i = 0; r >= 0 && i < len; i++)
		r = s[i] == '\'' ? buf_puts(out, "\\'")
				 : escape_byte(out, (unsigned char)s[i]);
	return r < 0 ? r : buf_putc(out, '\'');
}

int
escape_argv(struct buf *out, const char *args, size_t len)
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
			r = escape_shell(out, a, n);
		i += n + 1;
	}
	return r;
}
