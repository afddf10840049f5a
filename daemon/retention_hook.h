/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The sweep's dealings with the hook (retention_hook.c); the sweep's only. */
#ifndef CRASHD_RETENTION_HOOK_H
#define CRASHD_RETENTION_HOOK_H

#include "retention.h"

/*
 * Publishes what a hook that died (killed, out of memory) left in
 * .incoming long after any hook could still be writing it (twice the
 * hook's time budget and a minute, at now, in seconds): half a dump is
 * better than a lost crash.  It says so in its "incomplete" item.
 */
void retention_rescue_incoming(const struct retention_input *in, long long now);

/*
 * Tells the hook the spool holds total bytes, unless a hook is writing a
 * dump or just reserved room (then the next sweep does).
 */
void retention_resync_hook(
    const struct retention_input *in, unsigned long long total);

#endif
