/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The text of a mail being written, as mail_body.c's sections write it:
 * every writer appends to one buffer, and the first error sticks (later
 * writes are no-ops), so a section is written straight through and the
 * caller checks t->r once.  Every byte of a dump is untrusted: raw items
 * are made visible (mail_msg_visible()), escaped ones keep their escapes.
 */
#ifndef CRASHD_MAIL_TEXT_H
#define CRASHD_MAIL_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "dump.h"

struct mail_text {
	struct buf *b; /* not owned */
	int r; /* 0, or the first error (-errno) */
};

void mail_text_append(struct mail_text *t, const char *s, size_t n);
void mail_text_puts(struct mail_text *t, const char *s);

/* For short formatted text (numbers, labels); longer output is cut. */
void __attribute__((format(printf, 2, 3)))
mail_text_printf(struct mail_text *t, const char *fmt, ...);

/* Raw bytes, made visible. */
void mail_text_visible(struct mail_text *t, const char *s, size_t n);

/* Text an escaper wrote: kept, but for bytes no escaper writes. */
void mail_text_escaped(struct mail_text *t, const char *s, size_t n);

/* Escaped text, its \xNN bytes read back: UTF-8 shows as text. */
void mail_text_unescaped(struct mail_text *t, const char *s, size_t n);

/* The label of a "  label       value" line. */
void mail_text_label(struct mail_text *t, const char *label);

/* A time (seconds since the epoch) local and UTC, or "unknown". */
void mail_text_time(struct mail_text *t, long long when);

/*
 * An item's bytes ("" when missing or unreadable; the caller frees it
 * with mail_text_item_free()), text items without their trailing
 * newline.  *ret_cut tells a truncated read.  Out of memory, the item is
 * "" and *err (when it holds no error yet) -ENOMEM: the mail is not
 * written as if the item were missing.
 */
char *mail_text_item(const struct dump *d, const char *name, bool text,
    size_t *ret_len, bool *ret_cut, int *err);
void mail_text_item_free(char *v);

/* The length of the line at p (up to '\n' or the end). */
size_t mail_text_line_len(const char *p);

/* The line after p's (its end when p's is the last). */
const char *mail_text_next_line(const char *p);

/*
 * A block: the title line, each line of text indented by two spaces with
 * its escapes kept (mail_text_escaped()), then a blank line.
 */
void mail_text_block(struct mail_text *t, const char *title, const char *text);

#endif
