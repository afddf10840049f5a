/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Flood and disk protection: which crashes are stored, and which keep a
 * core.  Decisions are made on the hook's state file (O(1) in the number
 * of dumps) and on the file system's free space.
 */
#ifndef CRASHD_POLICY_H
#define CRASHD_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "hookstate.h"

enum policy_verdict {
	POLICY_STORE,
	POLICY_IGNORED,
	POLICY_RATE_EXECUTABLE,
	POLICY_RATE_GLOBAL,
	_POLICY_VERDICT_MAX,
};

/*
 * What a dump takes at least: its identifying items (time, pid, uid,
 * signal, executable and the few others collect_identity() writes), one
 * file system block each, the directory, core_info and incomplete.
 */
#define POLICY_MIN_DUMP (128 * 1024ULL)
/*
 * Kept free on the spool's file system (on top of keep_free, when that is
 * less) for the identifying items of the crashes handled at the same
 * time: only those may be written into it.
 */
#define POLICY_RESERVE (1024 * 1024ULL)

/*
 * More dumps than this being written at once (writers): a storm, where a
 * dump keeps no core, so that its hook lets the kernel go at once.
 */
#define POLICY_STORM_WRITERS 16
#define POLICY_STORM_WRITERS_S "16"

/*
 * What a dump without a core is reserved under spool_max at first: more
 * than most take (a small program's dump is 31 items of one 4 KiB block
 * and its directory, 128 KiB, and the writer keeps 12 KiB for its tail),
 * so that most never take the state lock again.  A bigger one asks for
 * more as it grows, up to room_max, so that a burst's dumps do not
 * reserve the spool full with their items' caps.
 */
#define POLICY_ROOM_FIRST (160 * 1024ULL)

/* The free space below which only identifying items are written. */
#define POLICY_FLOOR(keep_free)                                                \
	((keep_free) > POLICY_RESERVE ? (keep_free) : POLICY_RESERVE)

struct policy_decision {
	enum policy_verdict verdict;
	bool keep_core;
	const char *no_core_reason; /* why keep_core is false, or NULL */
	const char *ignored_by; /* the matching pattern */
	/*
	 * With verdict POLICY_STORE: the bytes the whole dump (items and
	 * core) may take, UINT64_MAX for no cap: no more than its items'
	 * caps and its core's bound, half of what spool_max leaves (so
	 * that crashes handled at the same time share it) and what
	 * keep_free leaves.
	 */
	uint64_t room;
	/*
	 * What room may grow to (policy_grow()); more than room only for a
	 * dump without a core under spool_max (POLICY_ROOM_FIRST).
	 */
	uint64_t room_max;
	/* Charged to st->spool_bytes now; the hook settles it at the end. */
	uint64_t reserved;
	/* spool_max leaves less than POLICY_MIN_DUMP: not stored. */
	bool spool_full;
	/* keep_free leaves less than POLICY_MIN_DUMP: identifying items only.
	 */
	bool identity_only;
	const char *room_reason; /* "spool_max", "keep_free", or NULL */
};

const char *policy_verdict_to_string(enum policy_verdict v);

/*
 * The bytes one item read from the process may keep (hook.items), and
 * in *key the key that says so.
 */
uint64_t policy_item_cap(
    const struct hook_config *hc, const char *name, const char **key);

/* Returns the first hook.ignore glob matching executable, or NULL. */
const char *policy_ignored(
    const struct hook_config *hc, const char *executable);

/*
 * Charges the global dump bucket of st with the dumps the journal stored
 * without the lock (st->uncharged_stored, then 0): what they took of the
 * global limit is taken, however they were admitted.  policy_decide()
 * calls it first; a hook without the lock calls it on its own copy.
 */
void policy_charge_journal(
    const struct hook_config *hc, struct hookstate *st, int64_t now_ms);

/*
 * Decides for one crash and charges the buckets in st (and, when the
 * dump is to be stored under spool_max, its room to st->spool_bytes).
 * free_bytes is the space left on the spool's file system, writers the
 * dumps being written now.  Counters are not touched.
 */
void policy_decide(const struct hook_config *hc, struct hookstate *st,
    const char *executable, int64_t now_ms, uint64_t free_bytes, int writers,
    struct policy_decision *ret);

/*
 * More room for a dump that holds room of room_max and needs need bytes
 * more: need and a quarter of room for what follows (doubling made every
 * dump of a storm that outgrew its first room reserve twice what it
 * took), within room_max and half of what spool_max leaves (as in
 * policy_decide()).
 * Charges st->spool_bytes with it and returns it (0: none).
 */
uint64_t policy_grow(const struct hook_config *hc, struct hookstate *st,
    uint64_t room, uint64_t room_max, uint64_t need);

#endif
