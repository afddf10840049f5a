/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Removing a dump so that a daemon killed half-way never leaves half a
 * dump in the spool root: one rename into <spool>/.trash, then deletion.
 */
#ifndef CRASHD_TRASH_H
#define CRASHD_TRASH_H

#define TRASH_DIR ".trash"

/*
 * Moves <spool>/<name> into .trash and deletes it, and takes its bytes
 * off the hook's estimate of the spool's size.  0 or -errno.
 */
int trash_dump(int spool_dirfd, const char *name);

/* Deletes whatever an earlier run left in .trash. */
void trash_empty(int spool_dirfd);

#endif
