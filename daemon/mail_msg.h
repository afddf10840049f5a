/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The bytes of an Internet message (RFC 5322, MIME: RFC 2045-2047): text
 * made visible, header fields that no byte can break out of (encoded-words,
 * folding), quoted-printable and base64 bodies, Message-ID and Date.  Every
 * line written ends in CRLF, holds only ASCII and stays within 78 columns
 * where the content allows it (998 always).
 */
#ifndef CRASHD_MAIL_MSG_H
#define CRASHD_MAIL_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "buf.h"

/* The line length a writer keeps to (RFC 5322 2.1.1 "SHOULD"). */
#define MAIL_LINE_SOFT 78
/* The line length no line ever exceeds (RFC 5322 2.1.1 "MUST"). */
#define MAIL_LINE_HARD 998

/*
 * Appends s as text a reader can see, on one line: valid UTF-8 stays as
 * it is, except control characters (C0, DEL, C1) and the invisible
 * characters that reorder or break lines (bidi controls, U+2028, U+2029,
 * U+FEFF).  Those and every byte of an invalid sequence are written as
 * \n, \t, \r or \xNN, and '\' as "\\", as escape_c() does: lossless, and
 * mail_msg_unescape() reverses it.  Returns 0 or -errno.
 */
int mail_msg_visible(struct buf *out, const char *s, size_t len);

/*
 * Appends the bytes that an escape_c() or mail_msg_visible() text stands for
 * (\\ \n \t \r \xNN; any other backslash stays as it is).  Returns 0 or
 * -errno.
 */
int mail_msg_unescape(struct buf *out, const char *s, size_t len);

/*
 * Appends one unstructured header field, "Name: value" CRLF, value being
 * any bytes: made visible first (mail_msg_visible()), then written as it is
 * when it is plain ASCII that folds at spaces, else as UTF-8 encoded-words
 * (RFC 2047, Q or B, whichever is shorter), one per line.  An empty value
 * gives "Name:" CRLF.  name must be a field name (printable ASCII, no
 * colon) shorter than 50 bytes.  Returns 0 or -errno.
 */
int mail_msg_header(
    struct buf *out, const char *name, const char *value, size_t len);

/*
 * Appends "Name: a, b, ..." CRLF, folded after commas.  Returns -EINVAL
 * if an address is not valid (mail_address_valid()) or there is none.
 */
int mail_msg_header_addresses(
    struct buf *out, const char *name, char *const *addrs);

/*
 * Appends s as a quoted-printable body (RFC 2045 6.7): each '\n' ends a
 * line (written CRLF); every other byte survives, lines are soft-broken
 * at 76 columns, and a '.' or "From " at the start of a line is encoded so
 * that no transport changes it.  Returns 0 or -errno.
 */
int mail_msg_qp(struct buf *out, const char *s, size_t len);

/* Appends data as base64 in lines of 76 characters, each CRLF. */
int mail_msg_base64(struct buf *out, const void *data, size_t len);

/*
 * Appends a domain for this host (gethostname()), as a dot-atom: bytes
 * outside [A-Za-z0-9.-] become '-', stray dots go, "localhost" when
 * nothing is left.  Returns 0 or -errno.
 */
int mail_msg_local_domain(struct buf *out);

/*
 * Appends "<local@host>": a Message-ID that is the same for the same id
 * and host, and different for different ids (id's bytes that a dot-atom
 * cannot carry are written "=XX"; past 200 bytes, the rest is a hash).
 * host must be a dot-atom (mail_msg_local_domain()).  Returns 0 or -errno.
 */
int mail_msg_message_id(struct buf *out, const char *id, const char *host);

/* Appends t as an RFC 5322 date-time in local time: "Mon, 2 Jan ...". */
int mail_msg_date(struct buf *out, time_t t);

#endif
