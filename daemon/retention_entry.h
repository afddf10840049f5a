/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a sweep knows of one processed dump (retention.c measures it and
 * keeps it between sweeps), and the policy applied to them
 * (retention_limits.c).  Private to the retention files.
 */
#ifndef CRASHD_RETENTION_ENTRY_H
#define CRASHD_RETENTION_ENTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "retention.h"

/* Delayed delete actions whose matching an entry remembers. */
#define RETENTION_MATCH_BITS 64

struct retention_entry {
	char *name; /* owned */
	long long time;
	long long uid; /* the crashing uid, -1 when unknown */
	unsigned long long bytes;
	unsigned long long core_bytes;
	/*
	 * Bit i: action i is a delayed delete that matches the dump (the
	 * actions past RETENTION_MATCH_BITS are assumed to).  Found out
	 * whenever the dump is opened; not known after its core went (has_core
	 * may be matched) or the config changed.
	 */
	uint64_t matches;
	bool matches_known;
	bool duplicate;
	bool stale; /* retention_forget(): measure it again */
	/* The current sweep's. */
	bool measure; /* open and measure it (new, stale or its turn) */
	bool skip; /* not a processed dump, or removed by an action */
	bool gone; /* removed by a limit */
};

/*
 * Removes what max_age, max_count and max_size say must go of the n
 * entries v (sorted by name: oldest first) at now (seconds), marking
 * them gone.
 * *total_bytes holds the bytes of the spool's dumps that are not in v,
 * and is given back with the bytes of what is left.  Returns how many
 * dumps were removed.
 */
int retention_limits_apply(const struct retention_input *in,
    struct retention_entry *v, size_t n, long long now,
    unsigned long long *total_bytes);

#endif
