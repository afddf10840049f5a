/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The rate limiter shared by the hook (dumps and cores per executable and
 * in all, hook/policy.c) and the daemon (notifications per key and in all,
 * daemon/notify.c): the generic cell rate algorithm.  Its whole state is
 * one theoretical arrival time (TAT) in milliseconds per bucket, which the
 * caller keeps where it likes (the hook's state file, the daemon's keys);
 * 0 is a fresh bucket.
 */
#ifndef CRASHD_RATELIMIT_H
#define CRASHD_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

#include "units.h"

/*
 * Returns true and charges *tat when one more event fits rate at now_ms
 * (wall-clock milliseconds), false (and leaves *tat) when it does not.  A
 * rate of count 0 allows nothing.  A *tat far in the future (the clock went
 * back) locks the bucket out for at most one window.
 */
bool ratelimit_allow(int64_t *tat, const struct rate *rate, int64_t now_ms);

/*
 * Charges *tat with one event that happened whether or not it fitted (a
 * dump the hook admitted without the state's lock): the bucket then admits
 * that much less, and never runs more than one window ahead of now_ms.
 */
void ratelimit_charge(int64_t *tat, const struct rate *rate, int64_t now_ms);

#endif
