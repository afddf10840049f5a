/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The dumps crashd writes itself (a crash the hook did not store,
 * notstored_dumps.c; a kernel report, kernel_dumps.c), published as the
 * hook publishes its own: built in <spool>/.incoming/<name>, every item
 * created with O_EXCL and synced, then one rename into the spool root
 * (spool.h).  A dump that fails half-way is discarded, never published.
 */
#ifndef CRASHD_DUMP_WRITER_H
#define CRASHD_DUMP_WRITER_H

#include <stddef.h>
#include <time.h>

#include "spool.h"

struct dump_writer {
	struct spool *spool; /* not owned */
	int dirfd; /* .incoming/<name>, or -1 */
	char name[SPOOL_NAME_MAX + 16];
	int r; /* the first failure, or 0 */
};

/*
 * Creates .incoming/<name> for a dump of time ts, pid and comm (the
 * name spool_dump_name() makes, "-2" ... when taken).  Returns 0 or
 * -errno (nothing to undo then).
 */
int dump_writer_begin(struct dump_writer *w, struct spool *s,
    const struct timespec *ts, long pid, const char *comm);

/* Writes an item; the first failure sticks (dump_writer_publish() says). */
void dump_writer_item(struct dump_writer *w, const char *item, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));
void dump_writer_data(
    struct dump_writer *w, const char *item, const void *data, size_t len);

/*
 * Syncs and publishes the dump (its name stays in w->name), or, after a
 * failure, discards it.  Returns 0 or -errno.
 */
int dump_writer_publish(struct dump_writer *w);

#endif
