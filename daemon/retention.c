/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * retention.c owns the periodic sweep of the spool and what it measures:
 * it lists and measures the dumps, has the delayed delete actions applied
 * (action_delete.c) and the retention limits (retention_limits.c), and
 * hands the true spool size back to the hook (retention_hook.c).
 *
 * The sweep runs in the daemon's loop, which handles no crash meanwhile,
 * so it does not measure every dump every time.  struct retention_cache
 * keeps one entry per processed dump, sorted by name as the spool is
 * listed.  A sweep lists the spool root (one readdir), drops the entries
 * of dumps that are gone, and opens only: the dumps it has no entry for
 * (new ones, and those retention_forget() named); one
 * RETENTION_REMEASURE_SWEEPS-th of the others in turn, for what someone
 * else changed (an operator's rm, a merge, a record that grew); and those
 * a matching delayed delete action may be due for.  A dump not processed
 * yet is measured at every sweep and never kept (nor removed).
 */
#include "retention.h"

#include "retention_entry.h"
#include "retention_hook.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "action.h"
#include "action_delete.h"
#include "dump.h"
#include "fsutil.h"
#include "log.h"
#include "spool.h"

struct retention_cache {
	struct retention_entry
	    *v; /* processed dumps, sorted by name (strcmp) */
	size_t n;
	char *cursor; /* the last name measured again in turn, or NULL */
	struct retention_stats stats;
};

static unsigned long long
file_bytes(int dirfd, const char *name)
{
	struct stat st;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return 0;
	return (unsigned long long)st.st_blocks * 512;
}

/* Notes which delayed delete actions match the open dump d. */
static void
learn_matches(const struct retention_input *in, const struct dump *d,
    struct retention_entry *e)
{
	e->matches = 0;
	for (size_t i = 0; i < in->n_actions && i < RETENTION_MATCH_BITS; i++) {
		const struct action_config *ac = &in->actions[i];

		if (action_delete_is_delayed(ac) && action_matches(ac, d))
			e->matches |= 1ULL << i;
	}
	e->matches_known = true;
}

/*
 * True when apply_delayed() may do something to the dump of e now, as far
 * as the sweep knows it: only then is a known dump opened.
 */
static bool
delayed_may_apply(const struct retention_input *in,
    const struct retention_entry *e, long long now)
{
	for (size_t i = 0; i < in->n_actions; i++) {
		const struct action_config *ac = &in->actions[i];

		if (!action_delete_due(ac, e->time, now, e->core_bytes > 0))
			continue;
		if (!e->matches_known || i >= RETENTION_MATCH_BITS ||
		    (e->matches >> i & 1))
			return true;
	}
	return false;
}

/* Applies "delete ... after" actions to one dump. Returns 1 if it went. */
static int
apply_delayed(const struct retention_input *in, struct dump *d,
    struct retention_entry *e, long long now)
{
	for (size_t i = 0; i < in->n_actions; i++) {
		const struct action_config *ac = &in->actions[i];
		int r;

		if (!action_delete_due(ac, e->time, now, e->core_bytes > 0) ||
		    !action_matches(ac, d))
			continue;
		r = action_delete_at_age(ac, in->spool.dirfd, d);
		if (r == 2)
			return 1;
		if (r == 1) {
			/* Its record may have taken a block. */
			spool_dir_usage(d->dirfd, &e->bytes);
			e->core_bytes = 0;
			e->matches_known = false;
		}
	}
	return 0;
}

/* Measures the open, processed dump d into e. */
static void
measure(const struct retention_input *in, const struct dump *d,
    struct retention_entry *e)
{
	e->time = d->time;
	e->uid = d->uid;
	e->bytes = 0;
	spool_dir_usage(d->dirfd, &e->bytes);
	e->core_bytes = file_bytes(d->dirfd, DUMP_ITEM_CORE_GZ) +
	    file_bytes(d->dirfd, DUMP_ITEM_CORE_MINI);
	e->duplicate = faccessat(d->dirfd, DUMP_ITEM_DUPLICATE_OF, F_OK,
			   AT_SYMLINK_NOFOLLOW) == 0;
	e->stale = false;
	learn_matches(in, d, e);
}

/*
 * Takes the names of the spool listing (sorted, each freed here) and the
 * cache's entries into one new array: an entry for every name, the known
 * ones as they were (measure set when stale), the others to measure.  The
 * entries of dumps no longer listed are freed.
 */
static void
merge(struct retention_cache *c, char **names, size_t n_names,
    struct retention_entry *v)
{
	size_t j = 0;

	for (size_t k = 0; k < n_names; k++) {
		while (j < c->n && strcmp(c->v[j].name, names[k]) < 0)
			free(c->v[j++].name);
		if (j < c->n && strcmp(c->v[j].name, names[k]) == 0) {
			v[k] = c->v[j++];
			v[k].measure = v[k].stale;
			free(names[k]);
		} else {
			v[k] = (struct retention_entry){ .name = names[k],
				.measure = true };
		}
	}
	while (j < c->n)
		free(c->v[j++].name);
	free(c->v);
	c->v = NULL;
	c->n = 0;
}

/*
 * Marks the known entries whose turn it is to be measured again: one
 * RETENTION_REMEASURE_SWEEPS-th of them (rounded up), the first ones
 * after the cursor by name, wrapping around.
 */
static void
pick_turn(struct retention_cache *c, struct retention_entry *v, size_t n)
{
	size_t known = 0, turn, lo = 0, hi = n, last = n;

	for (size_t i = 0; i < n; i++)
		known += !v[i].measure;
	if (known == 0)
		return;
	turn = (known + RETENTION_REMEASURE_SWEEPS - 1) /
	    RETENTION_REMEASURE_SWEEPS;
	while (c->cursor && lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(v[mid].name, c->cursor) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t k = 0, i = lo % n; k < n && turn > 0;
	     k++, i = (i + 1) % n) {
		if (v[i].measure)
			continue;
		v[i].measure = true;
		last = i;
		turn--;
	}
	free(c->cursor);
	/* Without memory, the turns start again from the first. */
	c->cursor = strdup(v[last].name);
}

/* Keeps the entries not skipped (nor gone), in order; frees the others. */
static size_t
compact(struct retention_entry *v, size_t n)
{
	size_t m = 0;

	for (size_t i = 0; i < n; i++) {
		if (v[i].skip || v[i].gone) {
			free(v[i].name);
			continue;
		}
		v[m] = v[i];
		v[m].measure = false;
		m++;
	}
	return m;
}

/*
 * Keeps the names that are dump names (spool_is_dump_name()), in order,
 * and frees the others: what is no dump is never measured nor removed.
 * Returns how many are kept.
 */
static size_t
only_dumps(char **names, size_t n)
{
	size_t m = 0;

	for (size_t i = 0; i < n; i++) {
		if (spool_is_dump_name(names[i]))
			names[m++] = names[i];
		else
			free(names[i]);
	}
	return m;
}

int
retention_sweep(struct retention_cache **cache,
    const struct retention_input *in, long long now)
{
	struct retention_cache *c;
	struct retention_entry *v;
	size_t n = 0;
	unsigned long long total = 0;
	char **names = NULL;
	int r, removed = 0;

	retention_rescue_incoming(in, now);
	if (*cache == NULL) {
		*cache = calloc(1, sizeof(**cache));
		if (*cache == NULL)
			return -ENOMEM;
	}
	c = *cache;
	c->stats.opened = 0;
	/* Sorted by name, which is by time: oldest first. */
	r = spool_list(in->spool.dirfd, &names, &n);
	if (r < 0)
		return r;
	n = only_dumps(names, n);
	v = calloc(n ? n : 1, sizeof(*v));
	if (v == NULL) {
		for (size_t k = 0; k < n; k++)
			free(names[k]);
		free(names);
		return -ENOMEM;
	}
	merge(c, names, n, v);
	free(names);
	pick_turn(c, v, n);

	for (size_t i = 0; i < n; i++) {
		struct retention_entry *e = &v[i];
		struct dump *d = NULL;

		if (!e->measure && !delayed_may_apply(in, e, now))
			continue;
		if (dump_open(in->spool.dirfd, e->name, &d) < 0) {
			e->skip = true;
			continue;
		}
		c->stats.opened++;
		if (!d->processed) {
			/* Never before the daemon has dealt with it. */
			unsigned long long b = 0;

			spool_dir_usage(d->dirfd, &b);
			total += b;
			e->skip = true;
		} else {
			/* Opened: measured, whatever for. */
			measure(in, d, e);
			if (apply_delayed(in, d, e, now) > 0) {
				e->skip = true;
				removed++;
			}
		}
		dump_free(d);
	}
	n = compact(v, n);

	removed += retention_limits_apply(in, v, n, now, &total);
	c->n = compact(v, n);
	c->v = v;
	c->stats.cached = c->n;
	log_debug("retention: %zu processed dumps, %zu opened, %d removed",
	    c->n, c->stats.opened, removed);
	retention_resync_hook(in, total);
	return removed;
}

void
retention_forget(struct retention_cache *c, const char *name)
{
	size_t lo = 0, hi = c ? c->n : 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int cmp = strcmp(c->v[mid].name, name);

		if (cmp == 0) {
			c->v[mid].stale = true;
			return;
		}
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
}

void
retention_reload(struct retention_cache *c)
{
	for (size_t i = 0; c && i < c->n; i++)
		c->v[i].matches_known = false;
}

void
retention_input_init(struct retention_input *in, const struct config *cfg,
    const struct spool *spool)
{
	*in = (struct retention_input){
		.limits = &cfg->daemon,
		.actions = cfg->actions,
		.n_actions = cfg->n_actions,
		.hook_time_budget_ms = cfg->hook.time_budget_ms,
		.spool = *spool,
	};
}

void
retention_free(struct retention_cache *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->n; i++)
		free(c->v[i].name);
	free(c->v);
	free(c->cursor);
	free(c);
}

void
retention_get_stats(
    const struct retention_cache *c, struct retention_stats *ret)
{
	*ret = c ? c->stats : (struct retention_stats){ 0 };
}
