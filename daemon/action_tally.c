/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * action_tally.c keeps the daemon's count of action outcomes, in memory,
 * by action name (action_tally.h).
 */
#include "action_tally.h"

#include <stdio.h>
#include <string.h>

static struct action_tally_entry entries[ACTION_TALLY_MAX];
static size_t n_entries;

void
action_tally_note(const char *action, enum action_outcome o)
{
	size_t i;

	if ((unsigned)o >= _ACTION_OUTCOME_MAX)
		return;
	for (i = 0; i < n_entries; i++)
		if (strcmp(entries[i].action, action) == 0)
			break;
	if (i == n_entries) {
		if (n_entries == ACTION_TALLY_MAX)
			return;
		snprintf(
		    entries[i].action, sizeof(entries[i].action), "%s", action);
		n_entries++;
	}
	entries[i].n[o]++;
}

const struct action_tally_entry *
action_tally_entries(size_t *n)
{
	*n = n_entries;
	return entries;
}
