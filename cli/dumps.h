/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The CLI's view of the spool: the dumps this user may read, filtered,
 * oldest first, and resolving what users type as an ID.
 */
#ifndef CRASHD_CLI_DUMPS_H
#define CRASHD_CLI_DUMPS_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "dump.h"

struct cli_dump {
	struct dump *d;
	unsigned long long count; /* crashes merged into it, at least 1 */
	const char *core; /* dump_core_state(): "none", "mini", ... */
	unsigned long long size; /* bytes on disk */
	bool duplicate; /* it has duplicate_of */
	/*
	 * Its crashes in the filter's time window: count without one; with
	 * one, those of its occurrences (its own time and the repeats merged
	 * into it, DUMP_ITEM_OCCURRENCES) that fall in the window.
	 */
	unsigned long long in_window;
};

struct dump_filter {
	long long since, until; /* crash time bounds; 0: none */
	const char *exe; /* executable glob, or NULL */
	int signal; /* 0: any */
	long long uid; /* -1: any */
	const char *host; /* hostname glob, or NULL */
	int kind; /* an enum dump_kind, or -1: any */
	/*
	 * Matches as coredumpctl takes them: a PID, a COMM, an executable's
	 * path (with a '/') or FIELD=VALUE (filter_field_item()).  Matches
	 * of one field are alternatives; of different fields, all must hold.
	 */
	char *const *matches;
	size_t n_matches;
};

/* The longest FIELD a match or -F names (filter_field_item()). */
#define DUMPS_FIELD_MAX 64

struct dump_set {
	struct cli_dump *v;
	size_t n;
	size_t hidden; /* dumps this user may not read */
};

#define DUMP_FILTER_NONE                                                       \
	{                                                                      \
		0, 0, NULL, 0, -1, NULL, -1, NULL, 0                           \
	}

/* Loads the dumps of the spool that pass f, oldest first. 0 or -errno. */
int dump_set_load(
    int spool_dirfd, const struct dump_filter *f, struct dump_set *ret);
void dump_set_done(struct dump_set *s);

/*
 * The value of a dump's field (an item name, "id", or a field of struct
 * dump) as text, into *ret (the caller frees it), reading items from
 * dirfd (the dump's directory).  0, or -errno (-ENOENT: it has none).
 */
int dump_set_field(
    int dirfd, const struct dump *d, const char *item, char **ret);

/*
 * Finds the one dump id names: a full name, a unique prefix of one, a
 * PID, or "last" (a number is tried as a PID before as a prefix).
 * Returns its index, or -ENOENT / -EEXIST (ambiguous) with a message for
 * the user in err (listing the candidates).
 */
int dump_set_resolve(const struct dump_set *s, const char *id, struct buf *err);

#endif
