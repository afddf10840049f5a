/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * daemon_actions.c owns running the actions of an event, each recorded
 * in the dump's "actions" record (journal.c) before and after it runs, so
 * that none is lost or repeated across a restart: which actions apply to
 * a crash, a digest or a host event, and running one (at once, or queued
 * for delivery).
 */
#include "daemon.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>

#include "action.h"
#include "action_delete.h"
#include "action_tally.h"
#include "journal.h"
#include "log.h"

int
daemon_run_action(struct daemon *dm, int record_dirfd, const char *name,
    const struct journal *j, const struct action_config *ac,
    const struct action_event *ev, const char *label)
{
	const struct action_ops *ops = action_ops_for(ac->type);
	enum journal_state st = journal_state(j, label);
	enum action_outcome o;
	struct buf detail;
	int r;

	if (ops == NULL || st == JOURNAL_DONE)
		return 0;
	if (*dm->stop)
		return -EINTR;
	r = journal_append(record_dirfd, "%s start%s", label,
	    st == JOURNAL_STARTED ? " (again: interrupted in flight)" : "");
	if (r < 0)
		return log_error_errno(
		    r, "%s: record action %s: %m", name, label);
	buf_init(&detail, 16 * 1024);
	if (ops->run) {
		o = ops->run(ac, ev, &detail);
		action_tally_note(ac->name, o);
	} else {
		o = delivery_enqueue(
		    &dm->delivery, ac, ops, ev, label, &detail);
	}
	if (action_delete_removed_dump(ac, o)) {
		/* The record went with the dump. */
		log_info("%s: %s: %s", name, label, detail.data);
		buf_done(&detail);
		return 1;
	}
	r = journal_append(record_dirfd, "%s done %s: %s", label,
	    action_outcome_to_string(o), detail.data ? detail.data : "");
	if (o == ACTION_FAILED)
		log_warn("%s: action %s failed: %s", name, label,
		    detail.data ? detail.data : "");
	buf_done(&detail);
	if (r < 0)
		return log_error_errno(
		    r, "%s: record action %s: %m", name, label);
	return 0;
}

int
daemon_run_actions(struct daemon *dm, struct dump *d, const char *event,
    uint64_t count, uint64_t held, const char *summary, bool notify,
    const char *label_suffix)
{
	struct journal j;
	char path[PATH_MAX];
	int r;

	r = journal_load(d->dirfd, &j);
	if (r < 0)
		return r;
	snprintf(path, sizeof(path), "%s/%s", dm->cfg.spool, d->name);
	for (size_t i = 0; i < dm->cfg.n_actions; i++) {
		const struct action_config *ac = &dm->cfg.actions[i];
		struct action_event ev = { d, path, event, count, held, summary,
			NULL, dm->spool.dirfd, NULL };
		char label[160], id[256];

		if (!action_matches(ac, d))
			continue;
		if (action_type_notifies(ac->type) != notify &&
		    action_type_notifies(ac->type))
			continue;
		if (label_suffix && !action_type_notifies(ac->type))
			continue; /* a digest only notifies */
		snprintf(label, sizeof(label), "%s%s", ac->name,
		    label_suffix ? label_suffix : "");
		snprintf(id, sizeof(id), "%s/%s", d->name, label);
		ev.id = id;
		r = daemon_run_action(
		    dm, d->dirfd, d->name, &j, ac, &ev, label);
		if (r != 0)
			break;
	}
	journal_done(&j);
	return r;
}
