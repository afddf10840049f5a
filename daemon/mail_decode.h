/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The inverse of mail_msg.c, as a reader of the message does it: header
 * unfolding and encoded-words (RFC 2047), quoted-printable and base64, and
 * a check of the message's lines.  The unit tests and the fuzz target use
 * it to prove that what mail_msg.c writes reads back as the bytes it was
 * given; the daemon does not call it.
 */
#ifndef CRASHD_MAIL_DECODE_H
#define CRASHD_MAIL_DECODE_H

#include <stddef.h>

#include "buf.h"

/*
 * Appends the value of a header field: field is "Name:" and the rest of
 * the field as written (folded lines and their CRLFs, the last CRLF
 * optional).  Unfolds, drops the whitespace before the value, and decodes
 * UTF-8 encoded-words (Q and B), dropping the whitespace between two of
 * them.  Returns 0, -EINVAL when field has no colon or an encoded-word
 * is broken, or -errno.
 */
int mail_decode_header(struct buf *out, const char *field, size_t len);

/*
 * Appends the bytes of a quoted-printable body, CRLF read back as '\n'.
 * Returns 0, -EINVAL for a bare CR or LF or a malformed '=', or -errno.
 */
int mail_decode_qp(struct buf *out, const char *s, size_t len);

/* Appends the bytes of base64 text (CRLF ignored). 0 or -EINVAL/-errno. */
int mail_decode_base64(struct buf *out, const char *s, size_t len);

/*
 * Checks that s is made of lines that each end in CRLF, with no other CR
 * or LF, only ASCII bytes other than NUL, and none longer than 998 bytes.
 * Returns the length of the longest line, or -EINVAL.
 */
long mail_decode_check_lines(const char *s, size_t len);

#endif
