/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The spool: a directory of dump directories, version 1 of the on-disk
 * contract in DESIGN.md.  A dump is built in <spool>/.incoming/<name> and
 * published with one rename into <spool>/<name>; a directory in the spool
 * root is therefore always complete.
 */
#ifndef CRASHD_SPOOL_H
#define CRASHD_SPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#define SPOOL_VERSION 1
#define SPOOL_INCOMING ".incoming"
#define SPOOL_STATE ".state"
/* What the daemon moved out of the way: no dump (daemon.c). */
#define SPOOL_QUARANTINE ".quarantine"
/* Root's alone: the hook's counters and locks, the daemon's keys, queue. */
#define SPOOL_STATE_MODE 0700
#define SPOOL_NAME_MAX 96

struct spool {
	int dirfd; /* the spool root */
	int incoming_fd; /* <spool>/.incoming */
};

/*
 * Opens the spool root (creating it and .incoming, .state when create is
 * set).  Returns 0 or -errno; *ret is written only on success.  -EPERM:
 * someone other than root could change where path leads
 * (fsutil_check_root_path() says who and how).
 */
int spool_open(const char *path, bool create, struct spool *ret);
void spool_done(struct spool *s);

/*
 * Copies in to out keeping only [A-Za-z0-9._-] (others become '_'), never
 * starting with '.', never empty.  Returns the length written.
 */
size_t spool_sanitize(char *out, size_t size, const char *in, size_t len);

/*
 * The one rule for what a dump's name is: not empty, not hidden (no
 * leading '.'), only [A-Za-z0-9._-].  Every name the hook publishes is one
 * (spool_dump_name()); anything else in the spool root ("lost+found",
 * "a b", an operator's notes) is no dump, for the daemon (never processed,
 * never removed by retention) and for the CLI (never listed).
 */
bool spool_is_dump_name(const char *name);

/*
 * Formats a dump name that sorts by time: "20261123T020946.123456Z-PID-COMM".
 * Returns 0 or -ENAMETOOLONG.
 */
int spool_dump_name(char *out, size_t size, const struct timespec *ts, long pid,
    const char *comm, size_t comm_len);

/*
 * Creates .incoming/<base> (or <base>-2, -3 ... when taken, or when the
 * name is already published) with the given mode.  Writes the final name
 * to ret_name and returns an open directory fd, or -errno.
 */
int spool_create_incoming(struct spool *s, const char *base, mode_t mode,
    char *ret_name, size_t size);

/*
 * Creates the item name in dirfd (never replacing one) with mode and
 * writes data to it.  Returns the open fd (the caller closes it) or -errno;
 * on failure the partial file is removed.
 */
int spool_write_item(
    int dirfd, const char *name, const void *data, size_t len, mode_t mode);

/* fsyncs every regular file in dirfd, then dirfd itself. */
int spool_sync_dir(int dirfd);

/*
 * Removes .incoming/<name> and its files: a dump that is not to be
 * published.  Returns 0 or -errno.
 */
int spool_discard_incoming(struct spool *s, const char *name);

/* Moves .incoming/<name> to <name> and makes that durable when sync. */
int spool_publish(struct spool *s, const char *name, bool sync);

/*
 * Lists the names in the spool root that are not hidden (may be dumps;
 * spool_is_dump_name() tells), sorted, which is by time.  The caller frees each
 * name and the array. Returns 0 or -errno.
 */
int spool_list(int spool_dirfd, char ***ret, size_t *ret_n);

/* Sums the allocated bytes of the regular files in dirfd. */
int spool_dir_usage(int dirfd, unsigned long long *ret);

#endif
