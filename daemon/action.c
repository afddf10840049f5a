/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * action.c owns the table of action types and matching a dump against an
 * action's match section.
 */
#include "action.h"

#include <fnmatch.h>
#include <stddef.h>

static const char *const outcome_names[_ACTION_OUTCOME_MAX] = {
	[ACTION_OK] = "ok",
	[ACTION_FAILED] = "failed",
	[ACTION_SKIPPED] = "skipped",
};

const char *
action_outcome_to_string(enum action_outcome o)
{
	return (unsigned)o < _ACTION_OUTCOME_MAX ? outcome_names[o] : NULL;
}

const struct action_ops *
action_ops_for(enum action_type t)
{
	static const struct action_ops *const all[] = {
		&action_exec_ops,
		&action_delete_ops,
		&action_log_ops,
		&action_mail_ops,
		&action_webhook_ops,
		&action_metrics_ops,
		&action_journal_ops,
	};

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (all[i]->type == t)
			return all[i];
	return NULL;
}

static bool
glob_any(char **globs, const char *s)
{
	if (globs == NULL || globs[0] == NULL)
		return true;
	for (char **g = globs; *g; g++)
		if (fnmatch(*g, s, 0) == 0)
			return true;
	return false;
}

bool
action_matches(const struct action_config *ac, const struct dump *d)
{
	const struct action_match *m = &ac->match;
	bool ok;

	if (m->n_signals > 0) {
		ok = false;
		for (size_t i = 0; i < m->n_signals; i++)
			ok = ok || m->signals[i] == d->signal;
		if (!ok)
			return false;
	}
	if (m->n_uids > 0) {
		ok = false;
		for (size_t i = 0; i < m->n_uids; i++)
			ok = ok || (long long)m->uids[i] == d->uid;
		if (!ok)
			return false;
	}
	if (!glob_any(m->executables, d->executable) ||
	    !glob_any(m->hostnames, d->hostname))
		return false;
	if (m->has_core >= 0 && m->has_core != (int)d->has_core)
		return false;
	if (m->kinds != 0 && !(m->kinds & (1u << d->kind)))
		return false;
	return true;
}
