/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Escaping of attacker-controlled bytes for the places they are shown.
 */
#ifndef CRASHD_ESCAPE_H
#define CRASHD_ESCAPE_H

#include <stddef.h>

#include "buf.h"

/*
 * Appends s as one printable line: printable ASCII stays, '\\' becomes
 * "\\\\", \n \t \r are written as such, every other byte as \xNN.  Lossless.
 */
int escape_c(struct buf *out, const char *s, size_t len);

/*
 * escape_c() for a UTF-8 terminal: a well-formed UTF-8 character is kept
 * as it is, but for C1 controls, U+2028/2029 and the bidi controls (they
 * would move or hide text); every other byte as escape_c() writes it.
 * Still lossless: a kept character is those very bytes.
 */
int escape_c_utf8(struct buf *out, const char *s, size_t len);

/*
 * Appends s quoted so that a POSIX shell (or bash, for $'...') reads it back
 * as exactly these bytes: bare when it is made of safe characters, '...'
 * when it is printable, $'...' with escapes when it has control or
 * non-ASCII bytes.  The result never contains a newline.
 */
int escape_shell(struct buf *out, const char *s, size_t len);

/*
 * Appends a NUL-separated argument vector (as in /proc/PID/cmdline) as
 * shell words separated by spaces.
 */
int escape_argv(struct buf *out, const char *args, size_t len);

/* escape_argv() keeping escape_c_utf8()'s characters inside '...'. */
int escape_argv_utf8(struct buf *out, const char *args, size_t len);

#endif
