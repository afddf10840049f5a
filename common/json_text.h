/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Raw bytes (a process's name, its argv, paths) as text that a JSON
 * library and a receiver accept: valid UTF-8, every byte kept.  The one
 * escaping of bytes that are not UTF-8 in crashd's JSON: json.c's writer
 * (crashd-cli's --json) and the webhook bodies both use it.
 *
 * The rule, which the webhook schema (webhook_json.c) and crashd-cli(1)
 * document:
 *   - valid UTF-8 is kept as it is;
 *   - each byte that is not part of a valid UTF-8 sequence, and NUL, is
 *     written as the four characters \xNN (two lowercase hex digits, what
 *     Python's "backslashreplace" writes);
 *   - a backslash that the input has right before "x" and two hex digits
 *     is written \x5c, so that nothing in the input reads as an escape.
 * The text reads back to exactly the input bytes by one rule: replace
 * every \xHH with the byte 0xHH, left to right.  In Python, on the
 * string's UTF-8 bytes:
 *   re.sub(rb'\\x([0-9a-fA-F]{2})', lambda m: bytes([int(m[1], 16)]), b)
 */
#ifndef CRASHD_JSON_TEXT_H
#define CRASHD_JSON_TEXT_H

#include <stddef.h>

#include "buf.h"

/*
 * Text that people read (a chat message, an alert): control characters
 * (C0, DEL, C1), the line and paragraph separators (U+2028, U+2029) and
 * the bidirectional controls (U+202A-U+202E, U+2066-U+2069) are written
 * as \xNN for each byte of their UTF-8 form too, so that no name can
 * break a line or reorder what is shown.  The same rule reads it back.
 */
#define JSON_TEXT_VISIBLE (1u << 0)
/*
 * Text crashd already escaped (the hook's reason, ptree and backtrace,
 * written with escape_c()): its backslashes are its own and stay as they
 * are; only what is not UTF-8 (a tampered item) or NUL is escaped.  Such
 * text reads back by escape_c()'s rule, not by the one above.
 */
#define JSON_TEXT_ESCAPED (1u << 1)

/*
 * Appends s (len bytes, any bytes) to out as valid UTF-8 text per the
 * rule above.  Returns 0, or -E2BIG/-ENOMEM from out (which then holds a
 * prefix of the text).
 */
int json_text(struct buf *out, const char *s, size_t len, unsigned flags);

/*
 * Cuts the valid UTF-8 text in b to at most max bytes, ellipsis included,
 * at a character boundary (an escape may be cut: the text is for people
 * then).  Returns 1 when it cut, 0 when the text fit, or -errno.
 */
int json_text_cut(struct buf *b, size_t max, const char *ellipsis);

/*
 * json_text() of s appended to out, cut to max bytes (0: not cut) with
 * ellipsis as json_text_cut() does: what a field shows.  Returns 0 or
 * -errno from out.
 */
int json_text_capped(struct buf *out, const char *s, size_t len, unsigned flags,
    size_t max, const char *ellipsis);

/*
 * The rule's inverse, for readers and tests: appends s with every \xHH
 * replaced by the byte 0xHH, left to right, to out.  Returns 0 or -errno
 * from out.
 */
int json_text_decode(struct buf *out, const char *s, size_t len);

#endif
