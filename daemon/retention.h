/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Retention: dumps older than max_age go, and past max_count or max_size
 * the oldest go first — merged duplicates, then cores, and only then
 * unique crashes.  Delete actions with "after" are applied here too.
 *
 * What a sweep measured of a processed dump (its time, size, core, whether
 * it is a duplicate) is kept in a struct retention_cache (the caller's)
 * for the next sweeps, so that
 * a sweep opens only the dumps it has not seen yet, a slice of the others
 * (every one again within about RETENTION_REMEASURE_SWEEPS sweeps: what
 * someone else changed is seen then), and those a delayed delete action
 * may be due for.
 */
#ifndef CRASHD_RETENTION_H
#define CRASHD_RETENTION_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "spool.h"

#define RETENTION_REMEASURE_SWEEPS 16

struct retention_cache;

/* What a sweep works with; nothing in it is owned. */
struct retention_input {
	const struct daemon_config
	    *limits; /* max_age_ms, max_count, max_size */
	/* The delete actions with "after" among them are applied. */
	const struct action_config *actions;
	size_t n_actions;
	/* A dump left in .incoming twice as long (and a minute) is rescued. */
	uint64_t hook_time_budget_ms;
	struct spool spool;
};

/* The input of a sweep of spool under cfg (both must outlive it). */
void retention_input_init(struct retention_input *in, const struct config *cfg,
    const struct spool *spool);

/*
 * One sweep over the spool.  *cache holds what the sweeps measured (NULL
 * before the first, made here; retention_free() it).  Returns the number of
 * dumps removed or -errno.
 */
int retention_sweep(struct retention_cache **cache,
    const struct retention_input *in, long long now);

/*
 * Tells the sweep that the daemon changed the processed dump name (merged
 * a duplicate into it, appended to its record): the next sweep measures it
 * again.  Unknown names are fine, and so is a NULL c (no sweep yet).
 */
void retention_forget(struct retention_cache *c, const char *name);

/*
 * Tells the sweep that the config was reloaded: which delayed delete
 * actions match which dump is found out again (sizes are kept: the spool
 * stays the same until a restart).  NULL is fine.
 */
void retention_reload(struct retention_cache *c);

/* Frees what the sweeps kept (daemon_done()); NULL is fine. */
void retention_free(struct retention_cache *c);

struct retention_stats {
	size_t cached; /* processed dumps known after the last sweep */
	size_t opened; /* dumps the last sweep opened (dump_open()) */
};

/* What the last sweep did (zeros before the first: c NULL). */
void retention_get_stats(
    const struct retention_cache *c, struct retention_stats *ret);

#endif
