/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The writer of one dump directory in .incoming: its items, cut to their
 * caps and to the dump's room, held in memory until the core pipe is
 * released when asked to, and what could not be written noted for the
 * "incomplete" item.  (common/dump.h's struct dump is the reader.)
 */
#ifndef CRASHD_WRITER_H
#define CRASHD_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "account.h"
#include "buf.h"
#include "config.h"

/* What an item is charged for: whole file system blocks. */
#define WRITER_BLOCK 4096

struct writer_item;

struct dump_writer {
	const struct config *c;
	uid_t uid; /* the crashing uid */
	int dirfd; /* the dump directory in .incoming, or -1 */
	bool share; /* grant uid read access */
	struct buf missing; /* "item: why\n" for each item not written */
	bool no_space; /* an item hit ENOSPC or EDQUOT */
	/* The policy's room for the whole dump, and why it is what it is. */
	struct account_room room;
	const char *room_reason;
	uint64_t used; /* what its items were charged so far */
	int spool_dirfd; /* where the room grows (account_grow()) */
	bool identity_only; /* below keep_free: identifying items only */
	/* An identifying item could not be written: not published. */
	int identity_error;
	/*
	 * When no core is kept, or only a minicore (read in milliseconds),
	 * items are held in memory and written after the pipe is released:
	 * the kernel lets the process go once /proc is read, not once 30
	 * files are written.  What they will take on disk (deferred_charge)
	 * is kept free for them meanwhile (the core's room).
	 */
	bool defer;
	struct writer_item *deferred;
	size_t n_deferred;
	uint64_t deferred_charge;
	/*
	 * A core created before the directory (writer_create() with dirfd
	 * -1): a memfd, copied in by writer_flush().
	 */
	int held_fd;
	char held_name[32];
};

/* Without a directory yet, and no room cap: writer_done() is safe. */
void writer_init(struct dump_writer *w, const struct config *c, uid_t uid);
/*
 * The room the policy gave the dump (dec), which grows under the state
 * in spool_dirfd; the directory is charged already.
 */
void writer_set_room(
    struct dump_writer *w, const struct policy_decision *dec, int spool_dirfd);
/* Writes what is held (writer_flush()) and frees; does not close dirfd. */
void writer_done(struct dump_writer *w);

/* Notes why item is missing (r: -errno) for "incomplete". */
void writer_missing(struct dump_writer *w, const char *item, int r);

/*
 * Creates one item (or holds it, see defer), cut to its cap and the
 * dump's room, and charged to it; a cut or failure is noted.  Never
 * fatal: returns 0 or -errno.
 */
int writer_put(
    struct dump_writer *w, const char *name, const void *data, size_t len);
/* An item of one formatted line, newline added. */
int writer_printf(struct dump_writer *w, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* An item holding raw bytes followed by one newline (readers strip it). */
int writer_line(
    struct dump_writer *w, const char *name, const char *s, size_t len);
/*
 * An item built in b; r < 0 is why it could not be.  A buffer that hit
 * its cap (-E2BIG, made by writer_buf_init()) keeps what it holds.
 */
int writer_buf(
    struct dump_writer *w, const char *name, int r, const struct buf *b);
/* A buffer for item name: one byte over its cap, so a cut shows. */
void writer_buf_init(struct dump_writer *w, struct buf *b, const char *name);
/* What an item read from the process may keep (policy_item_cap()). */
uint64_t writer_cap(const struct dump_writer *w, const char *name);

/*
 * Writes the held items, in the order they came, then the held core;
 * defer ends.  Nothing while there is no directory (dirfd -1).
 */
void writer_flush(struct dump_writer *w);
/* Writes "incomplete" when something is missing; true if it did. */
bool writer_incomplete(struct dump_writer *w);

/*
 * An empty item for a core, readable by uid when shared: the fd, or
 * -errno.  writer_discard() removes it again.  Before the directory is
 * made (dirfd -1), one such item is held in memory until writer_flush().
 */
int writer_create(struct dump_writer *w, const char *name);
void writer_discard(struct dump_writer *w, const char *name);
/* The bytes of core the dump's room and the disk leave (UINT64_MAX). */
uint64_t writer_core_room(const struct dump_writer *w);
/* Whether the room is what keep_free leaves (else spool_max). */
bool writer_room_keep_free(const struct dump_writer *w);

#endif
