/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a crash mail says: its subject and the text of its body, from the
 * dump (untrusted bytes, made visible) and the event.  The encodings are
 * mail_msg.c's; the message around them is action_mail.c's.
 */
#ifndef CRASHD_MAIL_BODY_H
#define CRASHD_MAIL_BODY_H

#include "action.h"
#include "buf.h"

/*
 * Appends the body as UTF-8 text, lines ended by '\n', no control
 * character but '\n': what crashed, where, when, the signal, the argv
 * quoted for a shell, the ancestry, the container, cwd, user and what was
 * held back first; then the details, the whole backtrace and, when
 * ac->include_environ, the environment with the values of names matching
 * ac->redact (or config_default_redact) hidden.  core_note says what
 * became of the core (attached, too big, none).  Returns 0 or -errno.
 */
int mail_body(const struct action_config *ac, const struct action_event *ev,
    const char *core_note, struct buf *out);

/*
 * Appends the body of a host event (ev->host set, ev->dump NULL): its line,
 * what core_pattern holds and whose it is, crashd's own line, and what to
 * do (crashd-cli install, systemctl restart crashd-hook,
 * daemon.reclaim_core_pattern).  mail_subject() of such an event is
 * "[crashd] no longer the crash handler: HOST" or "[crashd] the crash
 * handler again: HOST", whatever ac->subject says.  Returns 0 or -errno.
 */
int mail_body_host(const struct action_config *ac,
    const struct action_event *ev, struct buf *out);

#endif
