/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The hook's persistent state, <spool>/.state/hook: counters of what
 * happened to every crash (stored or not) and the rate-limit buckets.  A
 * fixed-size binary record under flock(), so the hook's cost does not grow
 * with the number of dumps or executables.  Readers: the hook, the CLI and
 * the daemon (which exports the counters).
 */
#ifndef CRASHD_HOOKSTATE_H
#define CRASHD_HOOKSTATE_H

#include <stdbool.h>
#include <stdint.h>

#include "units.h"

#define HOOKSTATE_FILE "hook"
#define HOOKSTATE_MAGIC 0x63726873u /* "crhs" */
#define HOOKSTATE_VERSION 1
#define HOOKSTATE_SLOTS 128

struct hookstate_counters {
	uint64_t seen;		   /* every crash the hook was called for */
	uint64_t stored;	   /* published dumps */
	uint64_t ignored;	   /* matched hook.ignore */
	uint64_t rate_limited;	   /* not stored: a dump limit was reached */
	uint64_t cores_kept;	   /* dumps with a core */
	uint64_t cores_skipped;	   /* core dropped by a limit or no space */
	uint64_t degraded;	   /* published with items missing */
	uint64_t failed;	   /* nothing could be published */
};

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
};

/*
 * Opens (create: creating) and locks <spool>/.state/hook.  Returns the fd;
 * closing it releases the lock.  Waits at most timeout_ms for the lock
 * (-ETIMEDOUT).
 */
int hookstate_lock(int spool_dirfd, bool create, int timeout_ms);

/* Reads the state; an empty or foreign file reads as a fresh state. */
int hookstate_read(int fd, struct hookstate *ret);
int hookstate_write(int fd, const struct hookstate *st);

/* FNV-1a of the executable path, never 0. */
uint64_t hookstate_key(const char *s);

/*
 * Returns the slot for key, taking over the slot that recovered longest
 * ago when key has none.
 */
struct hookstate_slot *hookstate_slot(struct hookstate *st, uint64_t key);

/*
 * Generic cell rate algorithm: returns true and charges *tat when one more
 * event fits rate at now_ms, false (and leaves *tat) when it does not.
 */
bool hookstate_gcra(int64_t *tat, const struct rate *rate, int64_t now_ms);

#endif
