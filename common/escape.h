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

#endif
