/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One attempt at handing a rendered message to a mail system: an SMTP or
 * SMTPS relay through libcurl, or a sendmail-compatible binary.  Each
 * appends one line saying what happened to detail.
 */
#ifndef CRASHD_MAIL_SEND_H
#define CRASHD_MAIL_SEND_H

#include <stddef.h>

#include "action.h"
#include "buf.h"

/*
 * Sends msg (CRLF lines) to ac->smtp for every ac->to, from the envelope
 * sender from, with ac's TLS, AUTH (ac->auth_file, read now) and
 * timeouts.  libcurl must have been initialized (curl_global_init()).
 * SEND_OK when the relay took it; SEND_DEAD when it refused it for good
 * (a 5xx reply to the greeting, MAIL, RCPT or the data); SEND_RETRY for
 * everything else: no connection, timeouts, TLS, 4xx replies, and AUTH
 * refused or credentials unreadable (fixed locally, then retried, as
 * Postfix's smtp_sasl_auth_soft_bounce does).
 */
enum send_result mail_send_smtp(const struct action_config *ac,
    const char *from, const char *msg, size_t len, struct buf *detail);

/*
 * Runs ac->sendmail -i -f FROM -- RCPT... with msg on its standard input
 * (lines ended by LF, as a local mailer reads them), a clean environment
 * and a deadline of ac->timeout_ms.  Exit 0: SEND_OK.  EX_TEMPFAIL (75),
 * EX_OSERR (71), EX_IOERR (74), a signal, a timeout, and any status
 * outside sysexits.h's 64-78 (1, 127 for a missing binary...): SEND_RETRY.
 * The other sysexits.h codes (EX_USAGE, EX_NOUSER, EX_DATAERR, EX_CONFIG
 * ...) say the message or its addresses are refused: SEND_DEAD.  The
 * mailer's output (capped) goes to detail.
 */
enum send_result mail_send_sendmail(const struct action_config *ac,
    const char *from, const char *msg, size_t len, struct buf *detail);

/*
 * Reads "user:password" from path: a regular file owned by root, with no
 * group or other permission bits, not a symlink.  The one line is split
 * at its first ':'; a trailing newline is dropped.  Returns 0 with *ret
 * (the caller wipes and frees it; *ret_password points into it), or
 * -errno with one line saying why in why.
 */
int mail_send_read_auth_file(
    const char *path, char **ret, char **ret_password, struct buf *why);

#endif
