/*
 * The action interface: each action type is one file filling a struct
 * action_ops (action_exec.c, action_delete.c, action_log.c; mail and
 * webhook plug in the same way).
 */
#ifndef CRASHD_ACTION_H
#define CRASHD_ACTION_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "config.h"
#include "dump.h"

/* What an action is run for: one crash, or a digest of held-back ones. */
struct action_event {
	const struct dump *dump;
	const char *dump_path; /* absolute */
	const char *event; /* first, every, regression, digest, hold, ... */
	uint64_t count; /* crashes of this key in the window */
	uint64_t held_back; /* crashes summed up by this notification */
	const char *summary; /* "41 more crashes of ...", or "" */
	const char *id; /* stable across retries: a receiver drops repeats */
	int spool_dirfd;
};

enum action_outcome {
	ACTION_OK,
	ACTION_FAILED,
	ACTION_SKIPPED,
	_ACTION_OUTCOME_MAX,
};

struct action_ops {
	enum action_type type;
	/*
	 * Runs the action.  Appends a one-line, escaped description of what
	 * happened to detail.  Returns an outcome; it never exits the daemon.
	 */
	enum action_outcome (*run)(const struct action_config *ac,
	    const struct action_event *ev, struct buf *detail);
};

extern const struct action_ops action_exec_ops;
extern const struct action_ops action_delete_ops;
extern const struct action_ops action_log_ops;

/* The ops of a type, or NULL when this build has none. */
const struct action_ops *action_ops_for(enum action_type t);
const char *action_outcome_to_string(enum action_outcome o);

/* True when ac's match accepts the dump. */
bool action_matches(const struct action_config *ac, const struct dump *d);

#endif
