/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * json_text.c owns turning untrusted bytes into valid UTF-8 text for JSON
 * strings, losslessly (the rule is in json_text.h).
 */
#include "json_text.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "utf8.h"

/* Code points that would break a line or reorder text people read. */
static bool
invisible(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x2028 ||
	    cp == 0x2029 || (cp >= 0x202a && cp <= 0x202e) ||
	    (cp >= 0x2066 && cp <= 0x2069);
}

static bool
is_hex(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F');
}

static int
put_escaped(struct buf *out, const unsigned char *p, size_t n)
{
	char tmp[8];
	int r = 0;

	for (size_t i = 0; i < n && r >= 0; i++) {
		snprintf(tmp, sizeof(tmp), "\\x%02x", p[i]);
		r = buf_append(out, tmp, 4);
	}
	return r;
}

int
json_text(struct buf *out, const char *s, size_t len, unsigned flags)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run = 0;
	int r = 0;

	/* Bytes kept as they are go out in runs, one append each. */
	while (i < len) {
		uint32_t cp = 0;
		size_t n = utf8_decode(p + i, len - i, &cp);
		bool esc;

		if (n == 0) {
			esc = true;
			n = 1;
		} else if (cp == '\\') {
			/* "\x41" in the input must not read back as "A". */
			esc = !(flags & JSON_TEXT_ESCAPED) && len - i >= 4 &&
			    p[i + 1] == 'x' && is_hex(p[i + 2]) &&
			    is_hex(p[i + 3]);
		} else {
			esc = cp == 0 ||
			    ((flags & JSON_TEXT_VISIBLE) && invisible(cp));
		}
		if (!esc) {
			run += n;
			i += n;
			continue;
		}
		r = buf_append(out, p + i - run, run);
		if (r >= 0)
			r = put_escaped(out, p + i, n);
		if (r < 0)
			return r;
		run = 0;
		i += n;
	}
	return buf_append(out, p + i - run, run);
}

int
json_text_cut(struct buf *b, size_t max, const char *ellipsis)
{
	size_t e = strlen(ellipsis), n;
	int r;

	if (b->len <= max)
		return 0;
	n = max > e ? max - e : 0;
	/* Back over continuation bytes to the start of a character. */
	while (n > 0 && ((unsigned char)b->data[n] & 0xc0) == 0x80)
		n--;
	b->len = n;
	b->data[n] = '\0';
	r = buf_puts(b, ellipsis);
	return r < 0 ? r : 1;
}

int
json_text_capped(struct buf *out, const char *s, size_t len, unsigned flags,
    size_t max, const char *ellipsis)
{
	struct buf t;
	int r;

	buf_init(&t, 0);
	r = json_text(&t, s, len, flags);
	if (r >= 0 && max > 0)
		r = json_text_cut(&t, max, ellipsis);
	if (r >= 0)
		r = buf_append(out, t.data ? t.data : "", t.len);
	buf_done(&t);
	return r < 0 ? r : 0;
}

/* The value of a hex digit; is_hex() said it is one. */
static unsigned
hex_digit(unsigned char c)
{
	return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}

int
json_text_decode(struct buf *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	int r = 0;

	for (size_t i = 0; i < len && r >= 0;) {
		if (p[i] == '\\' && len - i >= 4 && p[i + 1] == 'x' &&
		    is_hex(p[i + 2]) && is_hex(p[i + 3])) {
			r = buf_putc(out,
			    (char)(hex_digit(p[i + 2]) << 4 |
				hex_digit(p[i + 3])));
			i += 4;
		} else {
			r = buf_putc(out, (char)p[i++]);
		}
	}
	return r;
}
