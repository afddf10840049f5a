/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The daemon's watch on its own registration: is crashd's line still the
 * kernel's core_pattern?  A change is logged, shown by the metric
 * crashd_hook_registered and told once to the notifying actions, as a host
 * event (struct action_host_event), exactly once across restarts.
 */
#ifndef CRASHD_REGISTRATION_H
#define CRASHD_REGISTRATION_H

#include <stdbool.h>

#include "kernel.h"

/* How often the loop checks core_pattern (and at once after SIGHUP). */
#define REGISTRATION_CHECK_S 10
/* The state, below <spool>/.state. */
#define REGISTRATION_STATE "registration"
/* The host events' records, below <spool>/.state. */
#define REGISTRATION_EVENTS_DIR "events"

struct daemon;

/* What the daemon last saw, as <spool>/.state/registration keeps it. */
struct registration_state {
	bool registered;
	char pattern[KERNEL_CORE_PATTERN_MAX + 2]; /* raw bytes, as seen */
	long long time; /* when it was first seen so */
	long long event; /* the number of the last event; 0: none yet */
	char kind[16]; /* its kind: "unregistered", "registered" */
	bool pending; /* its actions may not all have run */
	bool reclaimed; /* crashd wrote its line back then */
	char event_pattern[KERNEL_CORE_PATTERN_MAX + 2]; /* what it saw */
};

/* The daemon's side of it (embedded in struct daemon). */
struct registration {
	char line[KERNEL_CORE_PATTERN_MAX + 1]; /* crashd's own; "": no watch */
	int said; /* the last failure logged (-errno), so it is said once */
};

/*
 * Sets up the watch for the hook at hook_path (absolute) registered with
 * config_path (NULL: the default config, the line has no -c): the line of
 * kernel_hook_line(), as `crashd-hook --pattern` prints it.  Logs why
 * when it cannot be.  Returns 0 or -errno.
 */
int registration_init(
    struct registration *rg, const char *hook_path, const char *config_path);

/*
 * Reads <spool>/.state/registration.  Returns 1 and *ret, 0 when there
 * is none (nothing was observed yet), -EBADMSG when it is malformed, or
 * another -errno.
 */
int registration_load(int spool_dirfd, struct registration_state *ret);

/*
 * Finishes an event a killed daemon left pending, then reads core_pattern
 * and acts on what changed since the state was written: the warning, the
 * state, the metrics files and, when crashd lost core_pattern or got it
 * back, one notification (with daemon.reclaim_core_pattern, it writes its
 * line back first).  Never fails the daemon: problems are logged.
 */
void registration_check(struct daemon *dm);

#endif
