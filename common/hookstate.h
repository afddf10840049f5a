/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The hook's persistent state, <spool>/.state/hook: counters of what
 * happened to every crash (stored or not) and the rate-limit buckets.  A
 * fixed-size binary record under flock(), so the hook's cost does not grow
 * with the number of dumps or executables.  Readers: the hook, the CLI and
 * the daemon (which exports the counters).
 *
 * Root's alone: .state is 0700 and the files in it 0600, whoever made them
 * first; a file found with a looser mode is replaced by a copy (a new
 * inode), so that an fd or a lock someone got before no longer counts.
 *
 * A crash is never uncounted for want of the lock: a hook that cannot
 * have it in time appends its counts to <spool>/.state/hook.journal (one
 * fixed-size record per write, O_APPEND, no lock) and whoever next holds
 * the lock folds the records in (journal_off says how far).
 *
 * The counters add up: every update keeps
 *   seen == stored + ignored + rate_limited + failed
 * "stored" is counted when the hook decides to store (before it writes):
 * a dump either gets published by its hook or, when that hook died
 * mid-write, stays in .incoming, where crashd publishes it (its
 * "incomplete" says so).  A hook that fails to create its dump moves its
 * count from stored to failed.  kernel_dropped (the crashes the kernel
 * handed to no hook: over core_pipe_limit) is apart from seen.
 */
#ifndef CRASHD_HOOKSTATE_H
#define CRASHD_HOOKSTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define HOOKSTATE_FILE "hook"
#define HOOKSTATE_MAGIC 0x63726873u /* "crhs" */
#define HOOKSTATE_JOURNAL "hook.journal"
#define HOOKSTATE_VERSION 2
#define HOOKSTATE_SLOTS 128

struct hookstate_counters {
	uint64_t seen; /* every crash the hook was called for */
	uint64_t stored; /* published dumps */
	uint64_t ignored; /* matched hook.ignore */
	uint64_t rate_limited; /* not stored: a dump limit was reached */
	uint64_t cores_kept; /* dumps with a core */
	uint64_t cores_skipped; /* core dropped by a limit or no space */
	uint64_t degraded; /* published with items missing */
	uint64_t failed; /* nothing could be published */
};

/*
 * The counters by name, in struct hookstate_counters' order (the order
 * "crashd-cli counters" prints them): name as printed there, where the
 * field is, the metric's name and help, and how prose says it.
 */
#define HOOKSTATE_N_COUNTERS 8
enum hookstate_counter_group {
	HOOKSTATE_COUNTER_CRASHES, /* seen, stored */
	HOOKSTATE_COUNTER_NOT_STORED, /* why a crash was not stored */
	HOOKSTATE_COUNTER_DUMPS, /* what the stored dumps have */
	_HOOKSTATE_COUNTER_GROUP_MAX,
};
extern const char
    *const hookstate_counter_group_names[_HOOKSTATE_COUNTER_GROUP_MAX];

struct hookstate_counter_info {
	const char *name; /* "rate_limited" */
	size_t offset; /* in struct hookstate_counters */
	const char *metric; /* "crashd_hook_crashes_rate_limited_total" */
	const char *help; /* the metric's HELP */
	const char *phrase; /* "over a rate limit" */
	enum hookstate_counter_group group;
};
extern const struct hookstate_counter_info
    hookstate_counter_infos[HOOKSTATE_N_COUNTERS];

/* The value of counter i (an index of hookstate_counter_infos). */
uint64_t hookstate_counter(const struct hookstate_counters *c, size_t i);

/* Appends group g's counters as "2 seen, 2 stored".  0 or -errno. */
int hookstate_counters_phrase(struct buf *out,
    const struct hookstate_counters *c, enum hookstate_counter_group g);

struct hookstate_slot {
	uint64_t key; /* hash of the executable path; 0: free */
	int64_t tat_dump_ms; /* GCRA theoretical arrival times */
	int64_t tat_core_ms;
};

struct hookstate {
	uint32_t magic;
	uint32_t version;
	struct hookstate_counters counters;
	int64_t tat_dump_ms;
	int64_t tat_core_ms;
	uint64_t spool_bytes; /* estimate: added by the hook */
	struct hookstate_slot slots[HOOKSTATE_SLOTS];
	/* Version 2; a version 1 file is this struct's prefix. */
	uint64_t journal_off; /* bytes of hook.journal folded in */
	uint64_t kernel_dropped; /* "over core_pipe_limit" in the kernel log */
	uint64_t kmsg_seq; /* the last kernel log record read */
	uint64_t kmsg_boot; /* hookstate_key() of the boot_id it belongs to */
	/*
	 * When the hook last reserved room in spool_bytes (CLOCK_REALTIME
	 * ms; a shorter version 2 file reads it as 0): crashd's resync of
	 * the estimate waits until no reservation can be without its dump
	 * directory in .incoming yet.
	 */
	int64_t reserved_at_ms;
	/*
	 * Dumps stored by records folded from the journal (a hook that had
	 * no lock in time) and not charged to tat_dump_ms yet: the next
	 * decision under the lock charges them (policy_charge_journal()).
	 * A shorter file reads it as 0.
	 */
	uint64_t uncharged_stored;
};

/* One journal record: counter deltas (signed: stored may move to failed). */
struct hookstate_record {
	uint32_t magic; /* HOOKSTATE_MAGIC */
	uint32_t version;
	int64_t seen, stored, ignored, rate_limited;
	int64_t cores_kept, cores_skipped, degraded, failed;
	int64_t spool_bytes;
};

/*
 * Opens (create: creating) and locks <spool>/.state/hook.  Returns the fd;
 * closing it releases the lock.  Waits at most timeout_ms for the lock
 * (-ETIMEDOUT).  Run as root, it first makes .state and the file root's
 * alone (hookstate_secure()); as anyone else it opens read-only (-EACCES
 * for all but root once the files are secured).
 */
int hookstate_lock(int spool_dirfd, bool create, int timeout_ms);

/*
 * Makes <spool>/.state 0700 root's and hook, hook.journal and notstored
 * (notstored.h) 0600 root's,
 * replacing a file found otherwise by a copy.  Returns 1 when it changed
 * something, 0 when all was right, or -errno.
 */
int hookstate_secure(int spool_dirfd);

/* Reads the state; an empty or foreign file reads as a fresh state. */
int hookstate_read(int fd, struct hookstate *ret);
int hookstate_write(int fd, const struct hookstate *st);

/*
 * Adds the journal's records past st->journal_off to st and advances it
 * (persisted when the caller, holding the lock, writes st back).  Returns
 * the number of records folded, or -errno (st unchanged).
 */
int hookstate_fold(int spool_dirfd, struct hookstate *st);

/*
 * Appends one record without any lock (creating the journal 0600).
 * Returns 0 or -errno.
 */
int hookstate_journal_append(
    int spool_dirfd, const struct hookstate_record *rec);

/*
 * The counters for a reader (CLI, daemon): locks briefly if it can, reads
 * consistently even while the lock is held by someone else, folds the
 * journal in (not persisted).  Returns 0, -ENOENT (no state yet), -EACCES
 * (not root) or -errno.
 */
int hookstate_snapshot(int spool_dirfd, struct hookstate *ret);

/*
 * The same for a hook that had no lock in time: reads consistently without
 * waiting for any lock; no state file yet reads as a fresh state.
 */
int hookstate_peek(int spool_dirfd, struct hookstate *ret);

/*
 * Opens and locks the journal (creating it 0600) for the hooks that had no
 * state lock in time, so that they decide one after the other on what the
 * journal holds.  Returns the fd (closing it releases the lock) or -errno
 * (-ETIMEDOUT after timeout_ms).
 */
int hookstate_journal_lock(int spool_dirfd, int timeout_ms);

/* Adds the deltas of rec to st. */
void hookstate_apply(struct hookstate *st, const struct hookstate_record *rec);

/* FNV-1a of the executable path, never 0. */
uint64_t hookstate_key(const char *s);

/*
 * Returns the slot for key, taking over the slot that recovered longest
 * ago when key has none.
 */
struct hookstate_slot *hookstate_slot(struct hookstate *st, uint64_t key);

#endif
