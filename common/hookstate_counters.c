/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hookstate_counters.c owns the names of the hook's counters: the one
 * list that "crashd-cli counters", "crashd-cli status", "crashd-cli
 * stats" and the metrics action (crashd_hook_*_total) print them from.
 */
#include "hookstate.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

_Static_assert(sizeof(struct hookstate_counters) ==
	HOOKSTATE_N_COUNTERS * sizeof(uint64_t),
    "a counter without its name");

#define COUNTER(field, metric, phrase, group, help)                            \
	{                                                                      \
#field, offsetof(struct hookstate_counters, field), metric,    \
		    help, phrase, HOOKSTATE_COUNTER_##group                    \
	}

const char
    *const hookstate_counter_group_names[_HOOKSTATE_COUNTER_GROUP_MAX] = {
	    [HOOKSTATE_COUNTER_CRASHES] = "crashes",
	    [HOOKSTATE_COUNTER_NOT_STORED] = "not stored",
	    [HOOKSTATE_COUNTER_DUMPS] = "dumps",
    };

const struct hookstate_counter_info
    hookstate_counter_infos[HOOKSTATE_N_COUNTERS] = {
	    COUNTER(seen, "crashd_hook_crashes_seen_total", "seen", CRASHES,
		"Crashes the kernel handed to crashd-hook."),
	    COUNTER(stored, "crashd_hook_crashes_stored_total", "stored",
		CRASHES, "Crashes crashd-hook stored a dump of."),
	    COUNTER(ignored, "crashd_hook_crashes_ignored_total", "ignored",
		NOT_STORED, "Crashes not stored: matched hook.ignore."),
	    COUNTER(rate_limited, "crashd_hook_crashes_rate_limited_total",
		"over a rate limit", NOT_STORED,
		"Crashes not stored: a dump limit of hook.limits was "
		"reached."),
	    COUNTER(cores_kept, "crashd_hook_cores_kept_total", "cores kept",
		DUMPS, "Dumps stored with a core."),
	    COUNTER(cores_skipped, "crashd_hook_cores_skipped_total",
		"cores skipped", DUMPS,
		"Dumps stored without the core the mode asked for (a core "
		"limit, no room)."),
	    COUNTER(degraded, "crashd_hook_dumps_degraded_total", "degraded",
		DUMPS,
		"Dumps stored with items missing or cut (see their "
		"incomplete item)."),
	    COUNTER(failed, "crashd_hook_crashes_failed_total", "failed",
		NOT_STORED,
		"Crashes whose dump could not be written (a full spool, an "
		"I/O error)."),
    };

uint64_t
hookstate_counter(const struct hookstate_counters *c, size_t i)
{
	uint64_t v;

	memcpy(
	    &v, (const char *)c + hookstate_counter_infos[i].offset, sizeof(v));
	return v;
}

int
hookstate_counters_phrase(struct buf *out, const struct hookstate_counters *c,
    enum hookstate_counter_group g)
{
	const char *sep = "";
	int r = 0;

	for (size_t i = 0; i < HOOKSTATE_N_COUNTERS && r >= 0; i++) {
		if (hookstate_counter_infos[i].group != g)
			continue;
		r = buf_printf(out, "%s%llu %s", sep,
		    (unsigned long long)hookstate_counter(c, i),
		    hookstate_counter_infos[i].phrase);
		sep = ", ";
	}
	return r;
}
