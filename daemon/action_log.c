/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * action_log.c: one line per crash in the daemon's log (journal/syslog).
 */
#include <string.h>

#include "action.h"
#include "escape.h"
#include "log.h"

static enum action_outcome
action_log_run(const struct action_config *ac, const struct action_event *ev,
    struct buf *detail)
{
	const struct dump *d = ev->dump;
	struct buf exe;

	(void)ac;
	/* A kernel report's reason is its line (escaped by kernel_dumps.c). */
	if (DUMP_KIND_IS_KERNEL(d->kind)) {
		log_info("%s: %s: %s, count %llu (%s)%s%s",
		    dump_kind_names[d->kind], d->name, d->reason,
		    (unsigned long long)ev->count, ev->event,
		    ev->summary[0] ? "; " : "", ev->summary);
		buf_puts(detail, "logged");
		return ACTION_OK;
	}
	buf_init(&exe, 0);
	escape_c(&exe, d->executable, strlen(d->executable));
	log_info("crash: %s: \"%s\" pid %ld uid %lld %s, count %llu (%s)%s%s",
	    d->name, exe.data ? exe.data : "", d->pid, d->uid, d->signal_name,
	    (unsigned long long)ev->count, ev->event,
	    ev->summary[0] ? "; " : "", ev->summary);
	buf_done(&exe);
	buf_puts(detail, "logged");
	return ACTION_OK;
}

const struct action_ops action_log_ops = {
	.type = ACTION_LOG,
	.run = action_log_run,
};
