/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Retention: dumps older than max_age go, and past max_count or max_size
 * the oldest go first — merged duplicates, then cores, and only then
 * unique crashes.  Delete actions with "after" are applied here too.
 *
 * What a sweep measured of a processed dump (its time, size, core, whether
 * it is a duplicate) is kept in struct daemon for the next sweeps, so that
 * a sweep opens only the dumps it has not seen yet, a slice of the others
 * (every one again within about RETENTION_REMEASURE_SWEEPS sweeps: what
 * someone else changed is seen then), and those a delayed delete action
 * may be due for.
 */
#ifndef CRASHD_RETENTION_H
#define CRASHD_RETENTION_H

#include <stddef.h>

#include "daemon.h"

#define RETENTION_REMEASURE_SWEEPS 16

/* One sweep over the spool. Returns the number of dumps removed or -errno. */
int retention_sweep(struct daemon *dm, long long now);

/*
 * Tells the sweep that the daemon changed the processed dump name (merged
 * a duplicate into it, appended to its record): the next sweep measures it
 * again.  Unknown names are fine.
 */
void retention_forget(struct daemon *dm, const char *name);

/*
 * Tells the sweep that the config was reloaded: which delayed delete
 * actions match which dump is found out again (sizes are kept: the spool
 * stays the same until a restart).
 */
void retention_reload(struct daemon *dm);

/* Frees what the sweeps kept (daemon_done()); NULL is fine. */
void retention_free(struct retention_cache *c);

struct retention_stats {
	size_t cached; /* processed dumps known after the last sweep */
	size_t opened; /* dumps the last sweep opened (dump_open()) */
};

/* What the last sweep did (zeros before the first). */
void retention_get_stats(const struct daemon *dm, struct retention_stats *ret);

#endif
