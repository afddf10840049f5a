/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The notify policy: which crashes notify (first seen, every Nth, a
 * regression after a quiet period), within per-key and global rate
 * limits, and what is held back to be summed up later.
 */
#ifndef CRASHD_NOTIFY_H
#define CRASHD_NOTIFY_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "dedupe.h"
#include "dump.h"
#include "journal.h"

/* True when the decision lets notifying actions run. */
bool notify_decision_notifies(const struct decision *dc);

/*
 * Decides for dump d given its key's state (fresh when ks->count == 0).
 * first_exists tells whether ks->first is still in the spool (a duplicate
 * of a removed dump starts afresh).  *global_tat is the global bucket.
 * Charges the rate buckets; does not change the counts.
 */
void notify_decide(const struct daemon_config *dc, struct keystate *ks,
    bool first_exists, const struct dump *d, int64_t *global_tat,
    struct decision *ret);

/*
 * Accounts d in ks per the decision.  Idempotent for the dump accounted
 * last (ks->last == d->name): replaying it changes nothing.
 */
int notify_account(
    struct keystate *ks, const struct dump *d, const struct decision *dec);

/* "41 more crashes of /usr/bin/ruby SIGSEGV since 2026-11-23 10:02 UTC" */
int notify_summary(char *buf, size_t size, uint64_t held, const char *exe,
    int signal, long long since);

#endif
