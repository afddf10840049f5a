/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The dumps whose processing failed (ENOSPC writing their record, EIO,
 * ...), tried again while the daemon runs: the first retry RETRY_FIRST_MS
 * after the failure, each next one twice as late, up to RETRY_MAX_MS
 * between two, for as long as it fails.  The list is in memory: at the
 * next start the backlog scan finds whatever is still unprocessed.
 */
#ifndef CRASHD_RETRY_H
#define CRASHD_RETRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RETRY_FIRST_MS 1000
#define RETRY_MAX_MS (5 * 60 * 1000)

struct retry_entry {
	char *name; /* the dump's name in the spool root; owned */
	unsigned failures; /* failed attempts in a row, >= 1 */
	int error; /* the last one's -errno */
	int64_t due_ms; /* the next attempt, CLOCK_MONOTONIC */
};

struct retry {
	struct retry_entry *v; /* in no particular order */
	size_t n, cap;
	uint64_t failures; /* every failed attempt of this run */
};

/* An outcome that is not one yet: the work goes on elsewhere. */
#define RETRY_DEFERRED 2

void retry_init(struct retry *rt);
void retry_done(struct retry *rt);

/* Forgets every entry (the spool they were in is gone), not the count. */
void retry_clear(struct retry *rt);

/*
 * Notes the outcome r of processing name (daemon_process()) at now_ms.  A
 * failure (r < 0, not -EINTR) puts the dump on the list or moves its next
 * attempt out, and says so in the log with the reason and when the next
 * attempt is; RETRY_DEFERRED (the outcome is noted later) keeps it on
 * the list with no attempt due; any other outcome takes it off the list,
 * saying so when it was on it.  Out of memory, the dump is left to the next
 * rescan or start (and the log says that).
 */
void retry_note(struct retry *rt, const char *name, int r, int64_t now_ms);

/*
 * Copies the name of the dump whose attempt is due first at now_ms to
 * ret_name.  Returns true when there is one (and it fitted), false when
 * none is due.
 */
bool retry_next_due(
    const struct retry *rt, int64_t now_ms, char *ret_name, size_t size);

/* How many dumps wait for another attempt. */
size_t retry_pending(const struct retry *rt);

#endif
