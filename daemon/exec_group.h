/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * An exec action's process group, recorded under <spool>/.state/exec
 * while it runs, so that what a killed daemon's run left behind is killed
 * before the next run (see exec_group.c).
 */
#ifndef CRASHD_EXEC_GROUP_H
#define CRASHD_EXEC_GROUP_H

#include <sys/types.h>

#include "buf.h"

/*
 * Records the group pgid (its leader's start time, the boot, the event id
 * id) durably.  0 or -errno.
 */
int exec_group_record(int spool_dirfd, pid_t pgid, const char *id);

/* The run of group pgid is over: its record goes. */
void exec_group_forget(int spool_dirfd, pid_t pgid);

/*
 * Kills what still runs of every recorded group (of this boot, and still
 * that group), waits (2 s at most each) for it to be gone, and removes
 * the records.  Says what it killed in note.  Returns how many processes
 * were killed, or -errno.
 */
int exec_group_kill_leftovers(int spool_dirfd, struct buf *note);

#endif
