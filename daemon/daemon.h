/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The daemon's state and processing one dump from start to "processed":
 * dedupe, the notify decision, the actions, and removing a merged
 * duplicate.  Every step is recorded before it is taken, so a daemon
 * killed at any instant and restarted neither loses nor repeats an action
 * (only an action interrupted in flight runs again, with the same id).
 */
#ifndef CRASHD_DAEMON_H
#define CRASHD_DAEMON_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "action.h"
#include "config.h"
#include "delivery.h"
#include "foreign.h"
#include "package.h"
#include "pidfile.h"
#include "registration.h"
#include "retry.h"
#include "spool.h"
#include "unwinds.h"

struct journal;
struct retention_cache;

struct daemon {
	struct config cfg; /* owned */
	const char *config_path; /* not owned */
	struct spool spool;
	int keys_fd; /* <spool>/.state/keys */
	int64_t global_tat;
	volatile sig_atomic_t *stop; /* set by SIGTERM; not owned */
	uint64_t *pending; /* key hashes with held-back crashes */
	size_t n_pending, cap_pending;
	uint64_t processed; /* dumps processed by this run */
	struct delivery delivery; /* what mail and webhook actions queued */
	struct retention_cache *retention; /* owned: what sweeps measured */
	struct pidfile pidfile; /* cfg.daemon.pid_file, held while we run */
	struct registration registration; /* the watch on core_pattern */
	struct unwinds unwinds; /* backtraces in flight or waiting */
	struct retry retry; /* dumps whose processing failed, tried again */
	struct foreign foreign; /* entries of the spool root said no dump */
	struct package_cache *packages; /* owned: executables' packages */
};

/*
 * Takes the pid file (another daemon on it: -EBUSY), then opens the spool.
 * Takes ownership of cfg (also on failure). Returns 0 or -errno (logged).
 */
int daemon_init(struct daemon *dm, struct config *cfg, const char *config_path,
    volatile sig_atomic_t *stop);
void daemon_done(struct daemon *dm);

/*
 * Processes <spool>/<name>.  Returns 1 when it was processed now, 0 when
 * there was nothing to do (processed before, not a dump, quarantined),
 * RETRY_DEFERRED (retry.h) when its unwind was scheduled (the rest follows when
 * it ends: daemon_process_unwound()), or -errno; -EINTR when a stop was asked
 * for between two actions.
 */
int daemon_process(struct daemon *dm, const char *name);

/*
 * Goes on with a dump whose unwind ended (unwinds.c): daemon_process()
 * from after the backtrace, which is not tried again.  Notes the outcome
 * on dm->retry (a failure is tried again, from the start).
 */
void daemon_process_unwound(struct daemon *dm, const char *name);

/*
 * Processes every unprocessed dump, oldest first; a failure goes on
 * dm->retry.
 */
int daemon_backlog(struct daemon *dm);

/*
 * Opens cfg.spool again (creating it, as at start) after it was moved or
 * deleted under the daemon, and everything kept open in it: the key
 * states, the delivery queue (attempts in flight may finish first; the
 * moved queue stays where it went), the retention cache, the retries and
 * the digests due.  The old one is kept when the new one cannot be
 * opened.  Returns 0 or -errno (not logged).
 */
int daemon_reopen_spool(struct daemon *dm);

/* Sends the digests that are due (held-back crashes summed up). */
void daemon_digests(struct daemon *dm);

/*
 * Runs action ac once for ev under label, recorded in the "actions" record
 * in record_dirfd (a dump's directory, or a host event's), whose text j
 * holds: "start", the run (or the queueing), "done"; a label done before
 * is not run again.  name names the record in the log.  Returns 1 when a
 * delete action removed the dump (and its record with it), 0 when the
 * action ran (whatever its outcome) or had nothing to do, -EINTR when a
 * stop was asked for, another -errno when it could not be recorded.
 */
int daemon_run_action(struct daemon *dm, int record_dirfd, const char *name,
    const struct journal *j, const struct action_config *ac,
    const struct action_event *ev, const char *label);

/*
 * Runs the actions of dm's config that apply for an event of the dump d,
 * each at most once per label (the action's name and label_suffix, a
 * digest's): the notifying ones only when notify, and only those for a
 * digest (label_suffix not NULL).  daemon_actions.c.  Returns 1 when the
 * dump was removed by an action, 0 when all ran, -EINTR when a stop was
 * asked for, another -errno when the record could not be read or written.
 */
int daemon_run_actions(struct daemon *dm, struct dump *d, const char *event,
    uint64_t count, uint64_t held, const char *summary, bool notify,
    const char *label_suffix);

/*
 * Notes that the key hash has held-back crashes, for daemon_digests()
 * (daemon_digest.c); without memory it is found again at the next start.
 */
void daemon_pending_add(struct daemon *dm, uint64_t hash);

/* Finds the keys left with held-back crashes by an earlier run. */
void daemon_pending_scan(struct daemon *dm);

/* Swaps in a new config, keeping the spool. Takes ownership of cfg. */
void daemon_reload(struct daemon *dm, struct config *cfg);

#endif
