/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A crash mail's subject. */
#ifndef CRASHD_MAIL_SUBJECT_H
#define CRASHD_MAIL_SUBJECT_H

#include "action.h"
#include "buf.h"

/* A subject longer than this (bytes, before encoding) is cut, with "...". */
#define MAIL_SUBJECT_MAX 200

/*
 * Appends the subject: ac->subject (or CONFIG_DEFAULT_SUBJECT) with its
 * {fields} replaced by the dump's raw bytes ({reason} unescaped from the
 * hook's escaping, so that a UTF-8 name reads as text), cut at
 * MAIL_SUBJECT_MAX on a character boundary.  The result is raw bytes for
 * mail_msg_header().  Returns 0 or -errno.
 */
int mail_subject(const struct action_config *ac, const struct action_event *ev,
    struct buf *out);

#endif
