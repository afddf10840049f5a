/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The hook's side of the state file (common/hookstate.h): each crash is
 * counted and decided under the state lock, the room a dump may grow to
 * is asked for there, and what a dump takes is settled at the end.  The
 * decisions themselves are policy.c's.
 */
#ifndef CRASHD_ACCOUNT_H
#define CRASHD_ACCOUNT_H

#include <stdint.h>

#include "config.h"
#include "hookstate.h"
#include "policy.h"
#include "spool.h"

/* The room of one dump, as the policy gave it and as it grew. */
struct account_room {
	uint64_t room; /* for the whole dump; UINT64_MAX: none */
	uint64_t room_max; /* what room may grow to (account_grow()) */
	uint64_t reserved; /* charged to spool_bytes, settled at the end */
	int grows; /* how often it asked */
};

/*
 * Counts the crash and decides its fate (policy_decide()) under the
 * state lock; without the lock in time, counts it in the journal and
 * decides conservatively.  Logs why when the state is unavailable.
 */
void account_decide(const struct config *c, const struct spool *spool,
    const char *exe, struct policy_decision *ret);

/*
 * Asks the state for need bytes more room (policy_grow()), a few times
 * per dump at most; without the lock in time, the room stays.
 */
void account_grow(const struct hook_config *hc, int spool_dirfd,
    struct account_room *r, uint64_t need);

/*
 * Counts delta, with what the policy charged ahead (reserved) settled by
 * what the dump takes (bytes).
 */
void account_settle(int spool_dirfd, struct hookstate_record *delta,
    uint64_t bytes, uint64_t reserved);

#endif
