/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What each action came to since the daemon started, for the metrics
 * action's crashd_actions_total{action,outcome}: a direct action when it
 * ran, a queued one (mail, webhook) when its delivery ended (delivered:
 * ok, given up: failed).  A counter of this process: Prometheus reads a
 * restart as a reset.
 */
#ifndef CRASHD_ACTION_TALLY_H
#define CRASHD_ACTION_TALLY_H

#include <stdint.h>

#include "action.h"

/* At most this many action names are tallied; more are not. */
#define ACTION_TALLY_MAX 256

struct action_tally_entry {
	char action[72]; /* the action's name in the config */
	uint64_t n[_ACTION_OUTCOME_MAX];
};

/* Counts one outcome of the action named action. */
void action_tally_note(const char *action, enum action_outcome o);

/* The entries, in the order first seen; *n their number. */
const struct action_tally_entry *action_tally_entries(size_t *n);

#endif
