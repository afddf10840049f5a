/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * retention.c owns the periodic sweep of the spool: retention limits,
 * delayed delete actions, and the true spool size handed back to the
 * hook (whose own figure is an estimate that only grows).
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

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "action.h"
#include "action_delete.h"
#include "clock.h"
#include "dump.h"
#include "fsutil.h"
#include "hookstate.h"
#include "journal.h"
#include "log.h"
#include "spool.h"
#include "trash.h"

#define MATCH_BITS 64

struct entry {
	char *name;
	long long time;
	long long uid; /* the crashing uid, -1 when unknown */
	unsigned long long bytes;
	unsigned long long core_bytes;
	/*
	 * Bit i: action i is a delayed delete that matches the dump (the
	 * actions past MATCH_BITS are assumed to).  Found out whenever the
	 * dump is opened; not known after its core went (has_core may be
	 * matched) or the config changed.
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

struct retention_cache {
	struct entry *v; /* processed dumps, sorted by name (strcmp) */
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
learn_matches(
    const struct retention_input *in, const struct dump *d, struct entry *e)
{
	e->matches = 0;
	for (size_t i = 0; i < in->n_actions && i < MATCH_BITS; i++) {
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
delayed_may_apply(
    const struct retention_input *in, const struct entry *e, long long now)
{
	for (size_t i = 0; i < in->n_actions; i++) {
		const struct action_config *ac = &in->actions[i];

		if (!action_delete_due(ac, e->time, now, e->core_bytes > 0))
			continue;
		if (!e->matches_known || i >= MATCH_BITS ||
		    (e->matches >> i & 1))
			return true;
	}
	return false;
}

/* Applies "delete ... after" actions to one dump. Returns 1 if it went. */
static int
apply_delayed(const struct retention_input *in, struct dump *d, struct entry *e,
    long long now)
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
measure(const struct retention_input *in, const struct dump *d, struct entry *e)
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
 * What a sweep removed to make room (max_count, max_size), by uid, and
 * who holds the most of the spool: one user's flood must not take the
 * others' evidence unsaid.
 */
#define ROOM_UIDS 8

struct room_report {
	struct {
		long long uid;
		size_t dumps;
		unsigned long long bytes;
	} v[ROOM_UIDS];
	size_t n;
	size_t more; /* removals of uids past ROOM_UIDS */
};

static void
room_report_add(struct room_report *rr, const struct entry *e)
{
	for (size_t i = 0; i < rr->n; i++)
		if (rr->v[i].uid == e->uid) {
			rr->v[i].dumps++;
			rr->v[i].bytes += e->bytes;
			return;
		}
	if (rr->n == ROOM_UIDS) {
		rr->more++;
		return;
	}
	rr->v[rr->n].uid = e->uid;
	rr->v[rr->n].dumps = 1;
	rr->v[rr->n].bytes = e->bytes;
	rr->n++;
}

/*
 * The uid whose dumps take the most bytes among those left, and how many
 * bytes and dumps.
 */
static long long
top_uid(const struct entry *v, size_t n, unsigned long long *ret_bytes,
    size_t *ret_dumps)
{
	long long best = -1;
	unsigned long long best_bytes = 0;
	size_t best_dumps = 0;

	/* Quadratic in the uids only when every dump is another's. */
	for (size_t i = 0; i < n; i++) {
		unsigned long long b = 0;
		size_t k = 0;
		bool seen = false;

		if (v[i].gone)
			continue;
		for (size_t j = 0; j < i && !seen; j++)
			seen = !v[j].gone && v[j].uid == v[i].uid;
		if (seen)
			continue;
		for (size_t j = i; j < n; j++)
			if (!v[j].gone && v[j].uid == v[i].uid) {
				b += v[j].bytes;
				k++;
			}
		if (b > best_bytes || best_dumps == 0) {
			best = v[i].uid;
			best_bytes = b;
			best_dumps = k;
		}
	}
	*ret_bytes = best_bytes;
	*ret_dumps = best_dumps;
	return best;
}

/*
 * Says what a sweep removed to make room when it took dumps of other
 * users than the one holding most of what is left.
 */
static void
room_report_log(const struct room_report *rr, const struct entry *v, size_t n,
    unsigned long long total)
{
	unsigned long long top_bytes;
	size_t top_dumps, others = 0;
	long long top;
	char list[512];
	size_t len = 0;

	if (rr->n == 0)
		return;
	top = top_uid(v, n, &top_bytes, &top_dumps);

	for (size_t i = 0; i < rr->n; i++)
		if (rr->v[i].uid != top)
			others += rr->v[i].dumps;
	if (others == 0 && rr->more == 0)
		return;
	list[0] = '\0';
	for (size_t i = 0; i < rr->n && len < sizeof(list); i++)
		len += (size_t)snprintf(list + len, sizeof(list) - len,
		    "%s%zu of uid %lld (%llu bytes)", i ? ", " : "",
		    rr->v[i].dumps, rr->v[i].uid, rr->v[i].bytes);
	if (top_dumps == 0) {
		log_warn("retention: removed dumps to make room: %s%s; no dump "
			 "is left",
		    list, rr->more ? ", and more" : "");
		return;
	}
	log_warn("retention: removed dumps of other users to make room: %s%s; "
		 "uid %lld now holds %llu of the spool's %llu bytes in %zu "
		 "dumps",
	    list, rr->more ? ", and more" : "", top, top_bytes, total,
	    top_dumps);
}

static int
remove_entry(const struct retention_input *in, struct entry *e, const char *why)
{
	int r = trash_dump(in->spool.dirfd, e->name);

	if (r < 0)
		return log_warn_errno(
		    r, "retention: remove %s: %m, ignoring", e->name);
	log_info("retention: removed %s (uid %lld, %llu bytes): %s", e->name,
	    e->uid, e->bytes, why);
	e->gone = true;
	return 1;
}

/*
 * Removes the dump's core and measures what is left (its record may have
 * taken a block; its entry may be older than a core already removed by
 * hand).
 */
static void
remove_core(const struct retention_input *in, struct entry *e)
{
	int fd = open_dir_at(in->spool.dirfd, e->name);
	int r;

	if (fd < 0)
		return;
	r = dump_remove_core_at(fd);
	if (r > 0)
		(void)journal_append(
		    fd, "- retention core removed: spool over max_size");
	if (r >= 0) {
		spool_dir_usage(fd, &e->bytes);
		e->core_bytes = 0;
		e->matches_known = false;
	}
	safe_close(fd);
}

/*
 * Publishes what a hook that died (killed, out of memory) left in
 * .incoming long after any hook could still be writing it: half a dump is
 * better than a lost crash.  It says so in its "incomplete" item.
 */
static void
rescue_incoming(const struct retention_input *in, long long now)
{
	long long grace = (long long)(in->hook_time_budget_ms / 1000) * 2 + 60;
	struct dirent *de;
	DIR *dir;
	int r;

	r = opendir_at(in->spool.incoming_fd, ".", &dir);
	if (r < 0)
		return;
	while ((de = readdir(dir)) != NULL) {
		static const char note[] =
		    "hook: interrupted before publishing; "
		    "published by crashd\n";
		struct stat st;
		int dfd, ifd;

		if (de->d_name[0] == '.' ||
		    fstatat(in->spool.incoming_fd, de->d_name, &st,
			AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISDIR(st.st_mode) ||
		    now - (long long)st.st_mtime < grace)
			continue;
		dfd = open_dir_at(in->spool.incoming_fd, de->d_name);
		if (dfd < 0)
			continue;
		ifd = openat(dfd, DUMP_ITEM_INCOMPLETE,
		    O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
		    0640);
		if (ifd >= 0) {
			(void)write_all(ifd, note, sizeof(note) - 1);
			safe_close(ifd);
		}
		safe_close(dfd);
		if (renameat2(in->spool.incoming_fd, de->d_name,
			in->spool.dirfd, de->d_name, RENAME_NOREPLACE) == 0)
			log_warn(
			    "published %s, left half-written by a hook that "
			    "died",
			    de->d_name);
	}
	closedir(dir);
}

/* True when a hook is writing a dump (or one was left in .incoming). */
static bool
hooks_in_flight(const struct retention_input *in)
{
	struct dirent *de;
	bool any = false;
	DIR *dir;

	if (opendir_at(in->spool.incoming_fd, ".", &dir) < 0)
		return true;
	while (!any && (de = readdir(dir)) != NULL)
		any = strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0;
	closedir(dir);
	return any;
}

/*
 * Tells the hook how big the spool really is.  Not while a hook writes a
 * dump: its room is reserved in the estimate (policy_decision.reserved)
 * and given back when it is done, which a measure now would count twice
 * or not at all; the next sweep does it.
 */
/* How long after a hook reserved room the estimate is left alone. */
#define RESYNC_QUIET_MS 2000

static void
resync_hook(const struct retention_input *in, unsigned long long total)
{
	struct hookstate st;
	int fd = hookstate_lock(in->spool.dirfd, true, 1000);

	if (fd < 0)
		return;
	/* (Under the lock: no hook decides or settles meanwhile.) */
	if (hooks_in_flight(in)) {
		log_debug("retention: hooks in flight, the spool's size "
			  "is told to the hook at the next sweep");
		safe_close(fd);
		return;
	}
	if (hookstate_read(fd, &st) == 0) {
		/* The journal is in total: folded now, not added later. */
		(void)hookstate_fold(in->spool.dirfd, &st);
		/*
		 * A hook reserves before it makes its directory: one that
		 * just reserved may not be in .incoming yet.
		 */
		if (clock_now_ms(CLOCK_REALTIME) - st.reserved_at_ms <
		    RESYNC_QUIET_MS)
			log_debug("retention: a hook just reserved room, the "
				  "spool's size is told at the next sweep");
		else {
			st.spool_bytes = total;
			(void)hookstate_write(fd, &st);
		}
	}
	safe_close(fd);
}

/*
 * Takes the names of the spool listing (sorted, each freed here) and the
 * cache's entries into one new array: an entry for every name, the known
 * ones as they were (measure set when stale), the others to measure.  The
 * entries of dumps no longer listed are freed.
 */
static void
merge(struct retention_cache *c, char **names, size_t n_names, struct entry *v)
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
			v[k] =
			    (struct entry){ .name = names[k], .measure = true };
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
pick_turn(struct retention_cache *c, struct entry *v, size_t n)
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
compact(struct entry *v, size_t n)
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
	const struct daemon_config *dc = in->limits;
	struct retention_cache *c;
	struct room_report rr = { .n = 0 };
	struct entry *v;
	size_t n = 0, live;
	unsigned long long total = 0;
	char **names = NULL;
	int r, removed = 0;

	rescue_incoming(in, now);
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
		struct entry *e = &v[i];
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

	/* A dump without a time (none is processed), or a time to come, is
	 * of no age. */
	for (size_t i = 0; i < n; i++)
		if (dc->max_age_ms > 0 && v[i].time > 0 && now > v[i].time &&
		    (unsigned long long)(now - v[i].time) * 1000 >
			dc->max_age_ms)
			removed += remove_entry(in, &v[i], "max_age") > 0;
	live = 0;
	for (size_t i = 0; i < n; i++)
		live += !v[i].gone;
	/* Duplicates first, then unique crashes: oldest first in each. */
	for (int pass = 0; pass < 2 && dc->max_count > 0; pass++)
		for (size_t i = 0; i < n && live > dc->max_count; i++)
			if (!v[i].gone && v[i].duplicate == (pass == 0) &&
			    remove_entry(in, &v[i], "max_count") > 0) {
				room_report_add(&rr, &v[i]);
				removed++;
				live--;
			}
	for (size_t i = 0; i < n; i++)
		if (!v[i].gone)
			total += v[i].bytes;
	/* Duplicates, then cores, then unique crashes. */
	for (int pass = 0; pass < 3 && dc->max_size > 0; pass++)
		for (size_t i = 0; i < n && total > dc->max_size; i++) {
			struct entry *e = &v[i];
			unsigned long long before = e->bytes;

			if (e->gone)
				continue;
			if (pass == 0 && e->duplicate &&
			    remove_entry(in, e, "max_size") > 0) {
				room_report_add(&rr, e);
				total -= before;
				removed++;
			} else if (pass == 1 && e->core_bytes > 0) {
				remove_core(in, e);
				total = total - before + e->bytes;
			} else if (pass == 2 &&
			    remove_entry(in, e, "max_size") > 0) {
				room_report_add(&rr, e);
				total -= before;
				removed++;
			}
		}
	room_report_log(&rr, v, n, total);
	c->n = compact(v, n);
	c->v = v;
	c->stats.cached = c->n;
	log_debug("retention: %zu processed dumps, %zu opened, %d removed",
	    c->n, c->stats.opened, removed);
	resync_hook(in, total);
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
