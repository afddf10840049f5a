/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mail_decode.c owns reading back what mail_msg.c writes, for the tests
 * and the fuzz target (see mail_decode.h).  It is strict where a reader
 * may be lenient: anything mail_msg.c should never write is an error.
 */
#include "mail_decode.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "mail_msg.h"

static int
hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static int
b64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

int
mail_decode_base64(struct buf *out, const char *s, size_t len)
{
	uint32_t acc = 0;
	int bits = 0, pad = 0, r = 0;

	for (size_t i = 0; i < len && r >= 0; i++) {
		int v;

		if (s[i] == '\r' && i + 1 < len && s[i + 1] == '\n') {
			i++;
			continue;
		}
		if (s[i] == '=') {
			pad++;
			continue;
		}
		v = b64_value(s[i]);
		if (v < 0 || pad > 0)
			return -EINVAL;
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			r = buf_putc(out, (char)(acc >> bits & 0xff));
		}
	}
	return r < 0 ? r : pad > 2 ? -EINVAL : 0;
}

int
mail_decode_qp(struct buf *out, const char *s, size_t len)
{
	int r = 0;

	for (size_t i = 0; i < len && r >= 0; i++) {
		if (s[i] == '\r') {
			if (i + 1 >= len || s[i + 1] != '\n')
				return -EINVAL;
			r = buf_putc(out, '\n');
			i++;
		} else if (s[i] == '\n') {
			return -EINVAL;
		} else if (s[i] == '=') {
			if (i + 2 < len && s[i + 1] == '\r' &&
			    s[i + 2] == '\n') {
				i += 2;
			} else if (i + 2 < len && hex_value(s[i + 1]) >= 0 &&
			    hex_value(s[i + 2]) >= 0) {
				r = buf_putc(out,
				    (char)(hex_value(s[i + 1]) << 4 |
					hex_value(s[i + 2])));
				i += 2;
			} else {
				return -EINVAL;
			}
		} else {
			r = buf_putc(out, s[i]);
		}
	}
	return r;
}

/* Decodes one "=?UTF-8?Q?...?=" or B word: 1, 0 if it is none, -errno. */
static int
decode_word(struct buf *out, const char *w, size_t n)
{
	const char *p;
	char enc;
	int r = 0;

	if (n < 12 || memcmp(w, "=?", 2) != 0 || memcmp(w + n - 2, "?=", 2))
		return 0;
	if (strncasecmp(w + 2, "UTF-8?", 6) != 0 || w[9] != '?')
		return -EINVAL;
	enc = w[8];
	p = w + 10;
	n -= 12;
	if (enc == 'B' || enc == 'b')
		return mail_decode_base64(out, p, n) < 0 ? -EINVAL : 1;
	if (enc != 'Q' && enc != 'q')
		return -EINVAL;
	for (size_t i = 0; i < n && r >= 0; i++) {
		if (p[i] == '_') {
			r = buf_putc(out, ' ');
		} else if (p[i] == '=') {
			if (i + 2 >= n || hex_value(p[i + 1]) < 0 ||
			    hex_value(p[i + 2]) < 0)
				return -EINVAL;
			r = buf_putc(out,
			    (char)(hex_value(p[i + 1]) << 4 |
				hex_value(p[i + 2])));
			i += 2;
		} else if (p[i] == '?' || p[i] == ' ') {
			return -EINVAL;
		} else {
			r = buf_putc(out, p[i]);
		}
	}
	return r < 0 ? r : 1;
}

int
mail_decode_header(struct buf *out, const char *field, size_t len)
{
	const char *colon = memchr(field, ':', len);
	struct buf u;
	size_t i;
	bool prev_word = false;
	int r = 0;

	if (colon == NULL)
		return -EINVAL;
	/* Unfold: a CRLF before whitespace goes, the whitespace stays. */
	buf_init(&u, 0);
	for (i = (size_t)(colon - field) + 1; i < len && r >= 0; i++) {
		if (field[i] == '\r' && i + 1 < len && field[i + 1] == '\n') {
			i++;
			continue;
		}
		r = buf_putc(&u, field[i]);
	}
	i = 0;
	while (r >= 0 && i < u.len && (u.data[i] == ' ' || u.data[i] == '\t'))
		i++;
	while (r >= 0 && i < u.len) {
		size_t ws = i, start, end;
		int w;

		while (i < u.len && (u.data[i] == ' ' || u.data[i] == '\t'))
			i++;
		start = i;
		while (i < u.len && u.data[i] != ' ' && u.data[i] != '\t')
			i++;
		end = i;
		w = 0;
		if (end > start) {
			struct buf word;

			buf_init(&word, 0);
			w = decode_word(&word, u.data + start, end - start);
			if (w > 0 && !prev_word)
				r = buf_append(out, u.data + ws, start - ws);
			if (w > 0 && r >= 0)
				r = buf_append(out, word.data, word.len);
			buf_done(&word);
		}
		if (w < 0) {
			r = w;
		} else if (w == 0) {
			r = buf_append(out, u.data + ws, end - ws);
		}
		prev_word = w > 0;
	}
	buf_done(&u);
	return r;
}

long
mail_decode_check_lines(const char *s, size_t len)
{
	size_t line = 0, longest = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\r') {
			if (i + 1 >= len || s[i + 1] != '\n')
				return -EINVAL;
			if (line > longest)
				longest = line;
			line = 0;
			i++;
			continue;
		}
		if (c == '\n' || c == '\0' || c >= 0x80)
			return -EINVAL;
		if (++line > MAIL_LINE_HARD)
			return -EINVAL;
	}
	return line > 0 ? -EINVAL : (long)longest;
}
