/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The dump's "actions" record: an append-only, fsync'd journal of what
 * the daemon decided and did for this dump, so that a daemon killed at
 * any instant and restarted runs each pending action once.  Lines:
 *   TIME - decision EVENT count=N held=H since=T first=NAME
 *   TIME ACTION start
 *   TIME ACTION done ok|failed|skipped: DETAIL
 * ACTION is an action's name, "name@digest-ID" for a digest.
 */
#ifndef CRASHD_JOURNAL_H
#define CRASHD_JOURNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "items.h"

#define JOURNAL_ITEM DUMP_ITEM_ACTIONS

enum journal_state {
	JOURNAL_NONE, /* never started */
	JOURNAL_STARTED, /* started, no outcome: interrupted in flight */
	JOURNAL_DONE,
};

struct decision {
	char event[16]; /* first, every, regression, hold, rate_limited */
	uint64_t count;
	uint64_t held;
	long long since;
	char first[128]; /* the dump it is a duplicate of, or "" */
};

struct journal {
	char *text; /* the whole record */
	bool has_decision;
	struct decision decision;
};

/* Loads the record of a dump (an absent one is empty). 0 or -errno. */
int journal_load(int dump_dirfd, struct journal *ret);
void journal_done(struct journal *j);

/* What the record says of one action label. */
enum journal_state journal_state(const struct journal *j, const char *label);

/* Appends one line (TIME is added) and fsyncs it. 0 or -errno. */
int journal_append(int dump_dirfd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

int journal_append_decision(int dump_dirfd, const struct decision *dc);

#endif
