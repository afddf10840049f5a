/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The delete action's story beyond its run: a delete without "after" runs
 * at once (action_delete_ops), and, when it removed the whole dump, took
 * the dump's record with it (the daemon records nothing more); one with
 * "after" is applied by the retention sweep once the dump is that old.
 */
#ifndef CRASHD_ACTION_DELETE_H
#define CRASHD_ACTION_DELETE_H

#include <stdbool.h>

#include "action.h"

/* True when ac is a delete action with "after": the sweep applies it. */
bool action_delete_is_delayed(const struct action_config *ac);

/*
 * True when a run of ac with outcome o removed the dump and its record
 * with it: nothing more is recorded in the dump.
 */
bool action_delete_removed_dump(
    const struct action_config *ac, enum action_outcome o);

/*
 * True when the delayed delete ac is due, at now (seconds), for a dump of
 * time t with a core or not (has_core): one that removes the core only
 * has nothing to do without one.
 */
bool action_delete_due(
    const struct action_config *ac, long long t, long long now, bool has_core);

/*
 * Applies the due, matching delayed delete ac to the open dump d in the
 * spool spool_dirfd, as a sweep does: a failure is left for the next one.
 * Returns 2 when the dump went (with its record), 1 when its core went
 * (said in its record), 0 when nothing did.
 */
int action_delete_at_age(
    const struct action_config *ac, int spool_dirfd, const struct dump *d);

#endif
