/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The crash "card": the text people read about a crash, which the Slack
 * message and the Alertmanager description both show (Slack's with
 * mrkdwn labels and every value in a code span, the alert's as plain
 * lines), and the same for a host event.  Every value is visible text by
 * json_text.h's rule, cut at a cap, so no name can break a line, reorder
 * what is shown or act as a mention.
 */
#ifndef CRASHD_WEBHOOK_CARD_H
#define CRASHD_WEBHOOK_CARD_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "webhook_json.h"

#define WEBHOOK_ELLIPSIS "\xe2\x80\xa6" /* U+2026 */

/* "<reason> on <hostname>", for one line. */
int webhook_card_title(struct buf *out, const struct webhook_crash *c);

/*
 * Appends the card's lines after its first (each starting "\n"): the
 * executable, argv, signal and process, container, parents, counts, the
 * crash site (where) and the top frames.  slack: mrkdwn labels, values in
 * code spans.
 */
int webhook_card(struct buf *out, const struct webhook_crash *c, bool slack);

/* A host event's card: the summary, host, handler, what to do. */
int webhook_card_host(
    struct buf *out, const struct webhook_host *h, bool slack);

/* Whether a host event is the loss of core_pattern. */
bool webhook_card_host_lost(const struct webhook_host *h);

/*
 * Appends a value for people: visible text cut at max bytes ("?" when
 * empty).  code: as a Slack code span (a backtick in it written \x60).
 */
int webhook_card_value(struct buf *out, const char *s, size_t len,
    unsigned flags, size_t max, bool code);

/* webhook_card_value() of raw bytes, at the card's cap. */
int webhook_card_str(struct buf *out, const char *s, bool code);

/* webhook_card_value() of text crashd escaped, at the card's cap. */
int webhook_card_escaped(struct buf *out, const char *s, bool code);

#endif
