/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * retention_limits.c owns the retention policy: which of the measured,
 * processed dumps a sweep removes, and what it says about it.  Dumps
 * older than max_age go; past max_count the oldest go, merged duplicates
 * first; past max_size the oldest merged duplicates go, then cores, and
 * only then unique crashes.  When that took other users' dumps than the
 * one holding most of the spool, the log says whose.
 */
#include "retention_entry.h"

#include <stdio.h>

#include "dump.h"
#include "fsutil.h"
#include "journal.h"
#include "log.h"
#include "spool.h"
#include "trash.h"

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
room_report_add(struct room_report *rr, const struct retention_entry *e)
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
top_uid(const struct retention_entry *v, size_t n,
    unsigned long long *ret_bytes, size_t *ret_dumps)
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
room_report_log(const struct room_report *rr, const struct retention_entry *v,
    size_t n, unsigned long long total)
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
remove_entry(const struct retention_input *in, struct retention_entry *e,
    const char *why)
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
remove_core(const struct retention_input *in, struct retention_entry *e)
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

int
retention_limits_apply(const struct retention_input *in,
    struct retention_entry *v, size_t n, long long now,
    unsigned long long *total_bytes)
{
	const struct daemon_config *dc = in->limits;
	struct room_report rr = { .n = 0 };
	unsigned long long total = *total_bytes;
	size_t live;
	int removed = 0;

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
			struct retention_entry *e = &v[i];
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
	*total_bytes = total;
	return removed;
}
