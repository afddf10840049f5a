/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mail_text.c owns the writing of a mail's text (mail_body.c's sections):
 * raw bytes made visible, escaped text kept or read back, labels and
 * times, the first error kept; and reading a dump's items for it, capped.
 */
#include "mail_text.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "escape.h"
#include "fsutil.h"
#include "mail_msg.h"

#define BODY_ITEM_CAP (256 * 1024)

void
mail_text_append(struct mail_text *t, const char *s, size_t n)
{
	if (t->r >= 0)
		t->r = buf_append(t->b, s, n);
}

void
mail_text_puts(struct mail_text *t, const char *s)
{
	mail_text_append(t, s, strlen(s));
}

void
mail_text_printf(struct mail_text *t, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n > 0)
		mail_text_append(t, tmp,
		    (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

void
mail_text_visible(struct mail_text *t, const char *s, size_t n)
{
	if (t->r >= 0)
		t->r = mail_msg_visible(t->b, s, n);
}

void
mail_text_escaped(struct mail_text *t, const char *s, size_t n)
{
	for (size_t i = 0; i < n && t->r >= 0; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\t')
			mail_text_puts(t, "  ");
		else if (c >= 0x20 && c < 0x7f)
			mail_text_append(t, s + i, 1);
		else
			t->r = escape_c(t->b, s + i, 1);
	}
}

void
mail_text_unescaped(struct mail_text *t, const char *s, size_t n)
{
	struct buf raw;

	buf_init(&raw, 0);
	if (t->r >= 0)
		t->r = mail_msg_unescape(&raw, s, n);
	mail_text_visible(t, raw.data ? raw.data : "", raw.len);
	buf_done(&raw);
}

void
mail_text_label(struct mail_text *t, const char *label)
{
	mail_text_printf(t, "  %-11s ", label);
}

/* What a missing item reads as: nothing to allocate, nothing to fail. */
static char no_item[1];

char *
mail_text_item(const struct dump *d, const char *name, bool text,
    size_t *ret_len, bool *ret_cut, int *err)
{
	char *v = NULL;
	size_t len = 0;
	int r;

	r = read_file_at(d->dirfd, name, BODY_ITEM_CAP, &v, &len);
	if (r < 0) {
		if (r == -ENOMEM && *err >= 0)
			*err = r;
		v = no_item;
		len = 0;
	} else if (text && len > 0 && v[len - 1] == '\n') {
		v[--len] = '\0';
	}
	if (ret_len)
		*ret_len = len;
	if (ret_cut)
		*ret_cut = r == 1;
	return v;
}

void
mail_text_item_free(char *v)
{
	if (v != no_item)
		free(v);
}

size_t
mail_text_line_len(const char *p)
{
	const char *nl = strchr(p, '\n');

	return nl ? (size_t)(nl - p) : strlen(p);
}

const char *
mail_text_next_line(const char *p)
{
	const char *nl = strchr(p, '\n');

	return nl ? nl + 1 : p + strlen(p);
}

void
mail_text_block(struct mail_text *t, const char *title, const char *text)
{
	mail_text_puts(t, title);
	mail_text_puts(t, "\n");
	for (const char *p = text; *p; p = mail_text_next_line(p)) {
		mail_text_puts(t, "  ");
		mail_text_escaped(t, p, mail_text_line_len(p));
		mail_text_puts(t, "\n");
	}
	mail_text_puts(t, "\n");
}

void
mail_text_time(struct mail_text *t, long long when)
{
	time_t tt = (time_t)when;
	char local[64] = "", utc[64] = "";
	struct tm tm;

	if (when <= 0) {
		mail_text_puts(t, "unknown");
		return;
	}
	if (gmtime_r(&tt, &tm))
		strftime(utc, sizeof(utc), "%Y-%m-%d %H:%M:%S UTC", &tm);
	if (localtime_r(&tt, &tm) && tm.tm_gmtoff != 0)
		strftime(
		    local, sizeof(local), "%Y-%m-%d %H:%M:%S %Z (%z)", &tm);
	if (local[0])
		mail_text_printf(t, "%s; %s", local, utc);
	else
		mail_text_puts(t, utc);
}
