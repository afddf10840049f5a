/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * json.c owns JSON output: quoting strings (made text by json_text.c's
 * rule, which keeps any byte), and a small writer that places commas.
 */
#include "json.h"

#include <stdio.h>
#include <string.h>

#include "json_text.h"

int
json_write_utf8(struct buf *out, const char *s, size_t len)
{
	int r = buf_putc(out, '"');

	for (size_t i = 0; i < len && r >= 0; i++) {
		unsigned char c = (unsigned char)s[i];
		char tmp[8];

		switch (c) {
		case '"':
			r = buf_puts(out, "\\\"");
			break;
		case '\\':
			r = buf_puts(out, "\\\\");
			break;
		case '\n':
			r = buf_puts(out, "\\n");
			break;
		case '\t':
			r = buf_puts(out, "\\t");
			break;
		case '\r':
			r = buf_puts(out, "\\r");
			break;
		default:
			if (c < 0x20 || c == 0x7f) {
				snprintf(tmp, sizeof(tmp), "\\u%04x", c);
				r = buf_puts(out, tmp);
			} else {
				r = buf_putc(out, (char)c);
			}
		}
	}
	return r < 0 ? r : buf_putc(out, '"');
}

int
json_write_text(struct buf *out, const char *s, size_t len, unsigned flags)
{
	struct buf t;
	int r;

	buf_init(&t, 0);
	r = json_text(&t, s, len, flags);
	if (r >= 0)
		r = json_write_utf8(out, t.data ? t.data : "", t.len);
	buf_done(&t);
	return r;
}

int
json_write_string(struct buf *out, const char *s, size_t len)
{
	return json_write_text(out, s, len, 0);
}

void
json_writer_init(struct json_writer *w, struct buf *out)
{
	memset(w, 0, sizeof(*w));
	w->out = out;
}

static void
check(struct json_writer *w, int r)
{
	if (r < 0 && w->error == 0)
		w->error = r;
}

/* Puts the comma a new value needs, unless it follows a key. */
static void
value_start(struct json_writer *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (w->need_comma[w->depth])
		check(w, buf_putc(w->out, ','));
	w->need_comma[w->depth] = true;
}

static void
open_scope(struct json_writer *w, char c)
{
	value_start(w);
	check(w, buf_putc(w->out, c));
	if (w->depth + 1 <
	    (int)(sizeof(w->need_comma) / sizeof(w->need_comma[0])))
		w->depth++;
	w->need_comma[w->depth] = false;
}

static void
close_scope(struct json_writer *w, char c)
{
	check(w, buf_putc(w->out, c));
	if (w->depth > 0)
		w->depth--;
}

void
json_begin_object(struct json_writer *w)
{
	open_scope(w, '{');
}

void
json_end_object(struct json_writer *w)
{
	close_scope(w, '}');
}

void
json_begin_array(struct json_writer *w)
{
	open_scope(w, '[');
}

void
json_end_array(struct json_writer *w)
{
	close_scope(w, ']');
}

void
json_key(struct json_writer *w, const char *key)
{
	value_start(w);
	check(w, json_write_string(w->out, key, strlen(key)));
	check(w, buf_putc(w->out, ':'));
	w->after_key = true;
}

void
json_strn(struct json_writer *w, const char *s, size_t len)
{
	value_start(w);
	check(w, json_write_string(w->out, s, len));
}

void
json_textn(struct json_writer *w, const char *s, size_t len, unsigned flags)
{
	value_start(w);
	check(w, json_write_text(w->out, s, len, flags));
}

void
json_utf8n(struct json_writer *w, const char *s, size_t len)
{
	value_start(w);
	check(w, json_write_utf8(w->out, s, len));
}

void
json_str(struct json_writer *w, const char *s)
{
	json_strn(w, s, strlen(s));
}

void
json_int(struct json_writer *w, long long v)
{
	value_start(w);
	check(w, buf_printf(w->out, "%lld", v));
}

void
json_bool(struct json_writer *w, bool v)
{
	value_start(w);
	check(w, buf_puts(w->out, v ? "true" : "false"));
}

void
json_write_null(struct json_writer *w)
{
	value_start(w);
	check(w, buf_puts(w->out, "null"));
}
