/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The action interface: each action type is one file filling a struct
 * action_ops.  Direct types (action_exec.c, action_delete.c,
 * action_log.c, action_metrics.c, action_journal.c) run at once; queued types (action_mail.c,
 * action_webhook.c) render what they deliver at once and hand it to the
 * delivery queue (delivery.c), which sends it, retrying, in the background.
 */
#ifndef CRASHD_ACTION_H
#define CRASHD_ACTION_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "config.h"
#include "dump.h"

/*
 * An event of the host rather than of a crash: crashd lost or got back
 * core_pattern (registration.c).  Strings are never NULL; none is owned.
 */
struct action_host_event {
	const char *kind; /* "unregistered" or "registered" */
	const char *pattern; /* core_pattern as the kernel has it: raw bytes */
	const char *owner; /* kernel_pattern_owner(pattern) */
	const char *ours; /* crashd's own line */
	const char *hostname; /* this host's */
	bool reclaimed; /* crashd wrote its line back (reclaim_core_pattern) */
	long long time; /* when it was seen, seconds */
	const char *record; /* its actions record's directory, in the spool */
};

/*
 * What an action is run for: one crash, a digest of held-back ones, or,
 * with dump NULL and host set, an event of the host (only notifying
 * types get those; event is host->kind and summary the one line that
 * says it).
 */
struct action_event {
	const struct dump *dump; /* NULL for a host event */
	const char *dump_path; /* absolute; NULL for a host event */
	const char *event; /* first, every, regression, digest, hold, ... */
	uint64_t count; /* crashes of this key in the window */
	uint64_t held_back; /* crashes summed up by this notification */
	const char *summary; /* "41 more crashes of ...", or "" */
	const char *id; /* stable across retries: a receiver drops repeats */
	int spool_dirfd;
	const struct action_host_event *host; /* NULL for a crash */
};

enum action_outcome {
	ACTION_OK,
	ACTION_FAILED,
	ACTION_SKIPPED,
	_ACTION_OUTCOME_MAX,
};

/* What one attempt at a queued delivery came to. */
enum send_result {
	SEND_OK,
	SEND_RETRY, /* transient (relay down, 5xx, timeout): try again later */
	SEND_DEAD, /* refused for good (5xx SMTP reply, 4xx HTTP): give up */
};

struct action_ops {
	enum action_type type;
	/*
	 * Direct types: runs the action.  Appends a one-line, escaped
	 * description of what happened to detail.  Returns an outcome; it
	 * never exits the daemon.  NULL for queued types.
	 */
	enum action_outcome (*run)(const struct action_config *ac,
	    const struct action_event *ev, struct buf *detail);
	/*
	 * Queued types: renders, once, what is delivered (a whole mail
	 * message, a JSON body) from the dump as it is now; the queue keeps
	 * it, so it survives the dump.  Returns 0 or -errno (with one line
	 * saying why in detail).
	 */
	int (*render)(const struct action_config *ac,
	    const struct action_event *ev, struct buf *payload,
	    struct buf *detail);
	/*
	 * Queued types: one attempt at delivering payload, in a child
	 * process of the daemon (it may block; the queue kills it after
	 * ac->timeout_ms and a grace period), with the action's config as it
	 * is at that time.  id is the event's id, the same on every attempt
	 * (an idempotency key).  Appends one line saying what happened to
	 * detail ("250 OK queued as ...", "HTTP 500 from ...").
	 */
	enum send_result (*send)(const struct action_config *ac, const char *id,
	    const char *payload, size_t len, struct buf *detail);
};

extern const struct action_ops action_exec_ops;
extern const struct action_ops action_delete_ops;
extern const struct action_ops action_log_ops;
extern const struct action_ops action_mail_ops;
extern const struct action_ops action_webhook_ops;
extern const struct action_ops action_metrics_ops;
extern const struct action_ops action_journal_ops;

/* The ops of a type, or NULL when this build has none. */
const struct action_ops *action_ops_for(enum action_type t);
const char *action_outcome_to_string(enum action_outcome o);

/* True when ac's match accepts the dump. */
bool action_matches(const struct action_config *ac, const struct dump *d);

#endif
