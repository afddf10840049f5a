/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * term.c owns what crashd-cli knows of its terminal: decided once, so
 * that output piped into the pager still fits the terminal and keeps its
 * colours.
 */
#include "term.h"

#include <langinfo.h>
#include <locale.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <wchar.h>

#include "escape.h"
#include "utf8.h"

static struct {
	bool tty, color, utf8;
	size_t columns;
} term;

void
term_init(void)
{
	const char *nc = getenv("NO_COLOR"), *cols = getenv("COLUMNS");
	const char *cs;
	struct winsize ws;
	char *end;
	long n;

	/*
	 * The character set only: numbers and sizes keep the C locale's
	 * spelling ("1.5G"), which scripts read.
	 */
	setlocale(LC_CTYPE, "");
	cs = nl_langinfo(CODESET);
	term.utf8 = cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
	term.tty = isatty(STDOUT_FILENO);
	term.color = term.tty && (nc == NULL || nc[0] == '\0');
	term.columns = 0;
	if (term.tty && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 &&
	    ws.ws_col > 0)
		term.columns = ws.ws_col;
	if (term.tty && term.columns == 0)
		term.columns = 80;
	if (cols && cols[0]) {
		n = strtol(cols, &end, 10);
		if (*end == '\0' && n > 0 && n < 100000)
			term.columns = (size_t)n;
	}
}

bool
term_tty(void)
{
	return term.tty;
}

size_t
term_columns(void)
{
	return term.columns;
}

bool
term_color(void)
{
	return term.color;
}

bool
term_utf8(void)
{
	return term.utf8;
}

int
term_escape(struct buf *out, const char *s, size_t len)
{
	return term.utf8 ? escape_c_utf8(out, s, len) : escape_c(out, s, len);
}

int
term_escape_argv(struct buf *out, const char *args, size_t len)
{
	return term.utf8 ? escape_argv_utf8(out, args, len)
			 : escape_argv(out, args, len);
}

/* The columns of the character at s (n bytes), 1 for anything odd. */
static size_t
char_width(const char *s, size_t left, size_t *ret_n)
{
	uint32_t cp;
	size_t n = utf8_decode((const unsigned char *)s, left, &cp);
	int w;

	if (n == 0) {
		*ret_n = 1;
		return 1;
	}
	*ret_n = n;
	w = n == 1 ? 1 : wcwidth((wchar_t)cp);
	return w < 0 ? 1 : (size_t)w;
}

size_t
term_width(const char *s)
{
	size_t w = 0, len = strlen(s), n;

	for (size_t i = 0; i < len; i += n)
		w += char_width(s + i, len - i, &n);
	return w;
}

void
term_ellipsize(char *s, size_t width)
{
	const char *dots = term.utf8 ? "\xe2\x80\xa6" : "...";
	size_t dw = term.utf8 ? 1 : 3, len = strlen(s), n, w = 0;
	size_t head = 0, tail = len, hw, tw = 0;

	if (term_width(s) <= width)
		return;
	if (width <= dw) {
		s[width < len ? width : len] = '\0';
		return;
	}
	/* The end of a path names the program: it gets the larger half. */
	hw = (width - dw) / 2;
	while (head < len) {
		size_t cw = char_width(s + head, len - head, &n);

		if (w + cw > hw)
			break;
		w += cw;
		head += n;
	}
	while (tail > head) {
		size_t t = tail - 1, cw;

		while (t > head && ((unsigned char)s[t] & 0xc0) == 0x80)
			t--;
		cw = char_width(s + t, tail - t, &n);
		if (w + tw + cw > width - dw)
			break;
		tw += cw;
		tail = t;
	}
	memmove(s + head + strlen(dots), s + tail, len - tail + 1);
	memcpy(s + head, dots, strlen(dots));
}
