/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * action_delete.c: removes a dump, or only its core.  With "after", the
 * retention sweep applies it once the dump is that old (retention.c).
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "action.h"
#include "trash.h"

static enum action_outcome
action_delete_run(const struct action_config *ac, const struct action_event *ev,
    struct buf *detail)
{
	int r;

	if (ac->after_ms > 0) {
		buf_printf(detail, "scheduled at an age of %llus",
		    (unsigned long long)(ac->after_ms / 1000));
		return ACTION_SKIPPED;
	}
	if (ac->what == DELETE_CORE) {
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
