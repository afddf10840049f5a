/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * action_delete.c owns the delete action: it removes a dump, or only its
 * core.  Without "after" it runs at once (action_delete_ops); with
 * "after", the retention sweep asks here whether it is due and applies it
 * here once the dump is that old (retention.c only calls).
 */
#include "action_delete.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "journal.h"
#include "log.h"
#include "trash.h"

/* True when ac removes the whole dump, not only its core. */
static bool
takes_dump(const struct action_config *ac)
{
	return ac->what == DELETE_DUMP;
}

bool
action_delete_is_delayed(const struct action_config *ac)
{
	return ac->type == ACTION_DELETE && ac->after_ms > 0;
}

bool
action_delete_removed_dump(
    const struct action_config *ac, enum action_outcome o)
{
	return ac->type == ACTION_DELETE && o == ACTION_OK && takes_dump(ac);
}

bool
action_delete_due(
    const struct action_config *ac, long long t, long long now, bool has_core)
{
	return action_delete_is_delayed(ac) &&
	    (unsigned long long)(now - t) * 1000 >= ac->after_ms &&
	    (takes_dump(ac) || has_core);
}

int
action_delete_at_age(
    const struct action_config *ac, int spool_dirfd, const struct dump *d)
{
	if (takes_dump(ac)) {
		if (trash_dump(spool_dirfd, d->name) < 0)
			return 0;
		log_info("%s: %s: dump removed at its age", d->name, ac->name);
		return 2;
	}
	if (dump_remove_core_at(d->dirfd) <= 0)
		return 0;
	(void)journal_append(
	    d->dirfd, "%s done ok: core removed at its age", ac->name);
	return 1;
}

static enum action_outcome
action_delete_run(const struct action_config *ac, const struct action_event *ev,
    struct buf *detail)
{
	int r;

	if (action_delete_is_delayed(ac)) {
		buf_printf(detail, "scheduled at an age of %llus",
		    (unsigned long long)(ac->after_ms / 1000));
		return ACTION_SKIPPED;
	}
	if (!takes_dump(ac)) {
		r = dump_remove_core_at(ev->dump->dirfd);
		if (r < 0) {
			buf_printf(detail, "remove the core: %s", strerror(-r));
			return ACTION_FAILED;
		}
		buf_puts(detail, "core removed");
		return ACTION_OK;
	}
	r = trash_dump(ev->spool_dirfd, ev->dump->name);
	if (r < 0) {
		buf_printf(detail, "remove dump: %s", strerror(-r));
		return ACTION_FAILED;
	}
	buf_puts(detail, "dump removed");
	return ACTION_OK;
}

const struct action_ops action_delete_ops = {
	.type = ACTION_DELETE,
	.run = action_delete_run,
};
