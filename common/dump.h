/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One published dump, as the daemon and the CLI read it.  A dump is untrusted
 * input: the directory is opened without following symlinks, every item read is
 * capped, and a missing or malformed item is an empty field, never fatal.
 */
#ifndef CRASHD_DUMP_H
#define CRASHD_DUMP_H

#include <stdbool.h>
#include <stddef.h>

#include "items.h" /* the items' names, for every reader */

#define DUMP_ITEM_CAP (64 * 1024)

/*
 * What a dump is of (its kind item: crash, snapshot from libcrashd,
 * kernel, oom or panic); a dump without a kind item, or with another word
 * in it, is a crash.
 */
enum dump_kind {
	DUMP_KIND_CRASH,
	DUMP_KIND_SNAPSHOT,
	DUMP_KIND_KERNEL,
	DUMP_KIND_OOM,
	DUMP_KIND_PANIC,
	_DUMP_KIND_MAX,
};
extern const char *const dump_kind_names[_DUMP_KIND_MAX];

/* A kind crashd writes from the kernel log or pstore (kernel, oom, panic). */
#define DUMP_KIND_IS_KERNEL(k)                                                 \
	((k) == DUMP_KIND_KERNEL || (k) == DUMP_KIND_OOM ||                    \
	    (k) == DUMP_KIND_PANIC)

struct dump {
	char *name; /* the directory's name in the spool root */
	int dirfd;
	char *executable; /* raw bytes; "" when missing */
	char *hostname;
	char *reason; /* escaped; a snapshot's: "snapshot of EXE: REASON" */
	char *container; /* "runtime id" from namespaces, or "" */
	char *signal_name;
	char *signature; /* the crash site (backtrace.c), or "" */
	enum dump_kind kind; /* the kind item's; a crash without one */
	int signal;
	long pid;
	long long uid; /* -1 when missing */
	long long time; /* the crash's time, seconds */
	unsigned long long repeats; /* reports it stands for: 1 but kernel's */
	bool has_core; /* a regular core.mini or core.gz: dump_core() */
	bool processed;
};

/*
 * Opens <spool>/<name>.  Returns 0, -ELOOP for a symlink, -ENOTDIR for
 * anything but a directory, or another -errno; *ret only on success.
 */
int dump_open(int spool_dirfd, const char *name, struct dump **ret);

void dump_free(struct dump *d);

/*
 * Reads an item (at most cap bytes), without the one trailing newline the
 * hook writes.  Returns 0, or -errno (-ENOENT when absent).
 */
int dump_read_item(
    const struct dump *d, const char *item, size_t cap, char **ret);

/*
 * Replaces (or creates) an item atomically, its data synced; the rename
 * is durable after dump_sync() (one per batch of items).
 */
int dump_replace_item(
    const struct dump *d, const char *item, const char *data, size_t len);
int dump_sync(const struct dump *d);

/*
 * Which core a dump keeps: core.mini (the minicore, as it is) before
 * core.gz (gzip of the first bytes or all of the core), each only when it
 * is a regular file (no symlink is followed).
 */
enum dump_core_kind {
	DUMP_CORE_NONE,
	DUMP_CORE_MINI,
	DUMP_CORE_GZ,
	_DUMP_CORE_KIND_MAX,
};

struct dump_core {
	enum dump_core_kind kind;
	const char *item; /* DUMP_ITEM_CORE_MINI or _GZ; NULL for none */
	long long size; /* its bytes on disk; -1 for none */
	bool truncated; /* core_info says the hook cut it */
};

/*
 * Fills *ret with the core the dump keeps (kind DUMP_CORE_NONE when it
 * has none: that is no error).  Returns 0, or -errno when the dump's
 * directory cannot be read.
 */
int dump_core(const struct dump *d, struct dump_core *ret);

/*
 * The core as crashd-cli and the webhook name it: "none", "mini",
 * "truncated" or "full".
 */
const char *dump_core_state(const struct dump_core *c);

/*
 * Removes the core of the dump in dirfd, whichever it has (core.gz,
 * core.mini).  Returns 1 when one was removed, 0 when there was none, or
 * -errno.
 */
int dump_remove_core_at(int dirfd);

/* Writes the "processed" marker, last, and syncs the directory. */
int dump_mark_processed(struct dump *d);

#endif
