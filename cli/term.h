/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What crashd-cli's output goes to, decided once at start (before a pager
 * takes stdout): a terminal or not, how wide, whether colour is wanted
 * (NO_COLOR), whether the locale is UTF-8; and escaping for it.
 */
#ifndef CRASHD_CLI_TERM_H
#define CRASHD_CLI_TERM_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/* Reads the locale (setlocale(LC_CTYPE, "")), stdout, COLUMNS, NO_COLOR. */
void term_init(void);

/* stdout was a terminal at start. */
bool term_tty(void);

/*
 * The width rows must fit: $COLUMNS when set to a number, else the
 * terminal's; 0 when stdout is no terminal (rows are never cut then).
 */
size_t term_columns(void);

/* Colour: stdout is a terminal and NO_COLOR is unset or empty. */
bool term_color(void);

/* The locale's character set is UTF-8. */
bool term_utf8(void);

/*
 * Appends s as one printable line (escape_c()), keeping well-formed
 * UTF-8 characters as they are on a UTF-8 locale (escape_c_utf8()).
 */
int term_escape(struct buf *out, const char *s, size_t len);

/* escape_argv(), or escape_argv_utf8() on a UTF-8 locale. */
int term_escape_argv(struct buf *out, const char *args, size_t len);

/* The columns s (escaped: no control byte) takes on the terminal. */
size_t term_width(const char *s);

/*
 * Cuts s in place to at most width columns, keeping its start and end
 * with "…" ("..." on a locale that is not UTF-8) in the middle.  The
 * result may be 2 bytes longer than s was (a 3-byte "…" for one byte):
 * s needs that room past its NUL.
 */
void term_ellipsize(char *s, size_t width);

#endif
